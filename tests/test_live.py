"""The live screen's core: the short-line grammar, executing lines on a real Store, the walk."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as clock_time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overleg.agenda import agenda_view
from overleg.casecache import load_cases
from overleg.errors import CaseNotFound, InvalidDate, InvalidInput, MeetingClosed, OverlegError
from overleg.live import (
    HELP,
    Attendee,
    Command,
    Echo,
    Walk,
    behind_text,
    delay_minutes,
    execute,
    find_item,
    fmt_clock,
    parse_attendance,
    parse_line,
    present_line,
    record_attendance,
    resume_index,
    shifted,
    timebox,
)
from overleg.store import Store
from overleg.workspace import load_workspace

PARTNERS = ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC", "VZ", "RvdK"]
SCHEDULE = "FREQ=WEEKLY;BYDAY=TU"
A_HINT = ("Schrijf a CODE DATUM TEKST, bijv. a POL +2w Huisbezoek "
          "(of a GGZ/S. Öztürk 15-12 Gesprek).")
DATE_HINT = "gebruik bijv. 2026-12-01, 1-12-2026, 15-12, morgen, +2w, over 2 weken of dinsdag"
UNKNOWN = ("onbekende regel: begin met b, n, a, k, x, v, s of c en een spatie, of gebruik u, p, "
           "+CODE, -CODE, g, t, q of een lege regel. Typ ? voor hulp. Er is niets vastgelegd.")


def parse(line: str, schedule: str | None = SCHEDULE, after: date | None = None) -> Command:
    return parse_line(line, PARTNERS, schedule, after)


# --- parsing: every form ------------------------------------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("", Command("next")),
    ("   ", Command("next")),
    ("?", Command("help")),
    ("t", Command("back")),
    ("q", Command("quit")),
    ("Q", Command("quit")),
    ("  q  ", Command("quit")),
    ("b GGZ start een verkennend onderzoek.", Command("decision", text="GGZ start een "
                                                     "verkennend onderzoek.")),
    ("B  met  dubbele spaties ", Command("decision", text="met  dubbele spaties")),
    ("n\tMet een tab", Command("note", text="Met een tab")),
    ("n Zorgen over de woonsituatie gedeeld", Command("note", text="Zorgen over de "
                                                       "woonsituatie gedeeld")),
    ("b [bold]{{ naam }}[/bold]", Command("decision", text="[bold]{{ naam }}[/bold]")),
    ("a POL +2w Huisbezoek met wijkteam",
     Command("action", text="Huisbezoek met wijkteam", owner="POL", due=date(2026, 12, 12))),
    ("a pol 15-12 Huisbezoek", Command("action", text="Huisbezoek", owner="POL",
                                       due=date(2026, 12, 15))),
    ("a rvdk +10d Raadsonderzoek", Command("action", text="Raadsonderzoek", owner="RvdK",
                                           due=date(2026, 12, 8))),
    ("a GGZ/S. Öztürk 15-12 Gesprek met huisarts",
     Command("action", text="Gesprek met huisarts", owner="GGZ", who="S. Öztürk",
             due=date(2026, 12, 15))),
    ("a GGZ/S. Öztürk over 2 weken Gesprek",
     Command("action", text="Gesprek", owner="GGZ", who="S. Öztürk", due=date(2026, 12, 12))),
    ("a RN/B. de Vries-Jansen 2026-12-15 Rapport",
     Command("action", text="Rapport", owner="RN", who="B. de Vries-Jansen",
             due=date(2026, 12, 15))),
    ("a WT/Karin dinsdag Bellen", Command("action", text="Bellen", owner="WT", who="Karin",
                                          due=date(2026, 12, 1))),
    ("a POL over 2 weken Huisbezoek", Command("action", text="Huisbezoek", owner="POL",
                                              due=date(2026, 12, 12))),
    ("a POL 1 december 2026 Melding", Command("action", text="Melding", owner="POL",
                                              due=date(2026, 12, 1))),
    ("a POL 1 dec Melding", Command("action", text="Melding", owner="POL",
                                    due=date(2026, 12, 1))),
    ("a POL di 15-12-2026 Melding", Command("action", text="Melding", owner="POL",
                                            due=date(2026, 12, 15))),
    ("a POL volgende Terugkoppelen", Command("action", text="Terugkoppelen", owner="POL",
                                             due=date(2026, 12, 1))),
    ("a POL 15-12 3 gesprekken voeren", Command("action", text="3 gesprekken voeren",
                                                owner="POL", due=date(2026, 12, 15))),
    ("a POL +2w 2026 evalueren", Command("action", text="2026 evalueren", owner="POL",
                                         due=date(2026, 12, 12))),
    ("k 12", Command("done", action_id=12)),
    ("k #12 Gesprek gevoerd", Command("done", action_id=12, text="Gesprek gevoerd")),
    ("K 7", Command("done", action_id=7)),
    ("v 12-01", Command("review", day=date(2027, 1, 12))),
    ("v 12 januari", Command("review", day=date(2027, 1, 12))),
    ("v over 6 weken", Command("review", day=date(2027, 1, 9))),
    ("v +6w", Command("review", day=date(2027, 1, 9))),
    ("v volgende", Command("review", day=date(2026, 12, 1))),
    ("s nazorg", Command("status", status="nazorg")),
    ("s Afgesloten", Command("status", status="afgesloten")),
    ("g 2026-014", Command("goto", case_id="2026-014")),
    ("g 014", Command("goto", case_id="014")),
    # corrections
    ("u", Command("undo")),
    ("U", Command("undo")),
    ("c 12 GGZ doet een onderzoek", Command("correct", number=12, text="GGZ doet een onderzoek")),
    ("c #3 VT R. Smit", Command("correct", number=3, text="VT R. Smit")),
    ("x 7 Niet meer nodig", Command("cancel", action_id=7, text="Niet meer nodig")),
    ("X #7 dubbel", Command("cancel", action_id=7, text="dubbel")),
    # who is at the table, and the agenda
    ("p", Command("attendance")),
    ("aanwezig", Command("attendance")),
    ("Aanwezig", Command("attendance")),
    ("+POL K. Bakker", Command("arrive", owner="POL", who="K. Bakker")),
    ("+ggz  S.  Öztürk ", Command("arrive", owner="GGZ", who="S. Öztürk")),
    ("-POL", Command("depart", owner="POL")),
    ("-rvdk", Command("depart", owner="RvdK")),
    ("+ 2026-033", Command("add", case_id="2026-033")),
    ("+  033 vraag van de GGZ", Command("add", case_id="033", text="vraag van de GGZ")),
    # a capitalised word-date is part of the name when a deadline with digits follows
    ("a POL/J. Morgen +1w Bellen met buren",
     Command("action", text="Bellen met buren", owner="POL", who="J. Morgen",
             due=date(2026, 12, 5))),
    ("a GGZ/S. Dinsdag +2w Gesprek", Command("action", text="Gesprek", owner="GGZ",
                                             who="S. Dinsdag", due=date(2026, 12, 12))),
    ("a GGZ/S. Öztürk Dinsdag 15-12 Gesprek",  # 'di 15-12-2026' is one date, as echoed
     Command("action", text="Gesprek", owner="GGZ", who="S. Öztürk", due=date(2026, 12, 15))),
    ("a POL/Morgen over 2 weken Bellen", Command("action", text="Bellen", owner="POL",
                                                 who="Morgen", due=date(2026, 12, 12))),
    ("a WT/J. Vandaag Volgende 2026-12-15 Bellen",
     Command("action", text="Bellen", owner="WT", who="J. Vandaag Volgende",
             due=date(2026, 12, 15))),
    # ... and not otherwise: lower case, or no later deadline with digits and text after it
    ("a POL morgen Bellen", Command("action", text="Bellen", owner="POL",
                                    due=date(2026, 11, 29))),
    ("a POL Morgen Bellen +1w", Command("action", text="Bellen +1w", owner="POL",
                                        due=date(2026, 11, 29))),
    ("a POL/J. morgen +1w Bellen", Command("action", text="+1w Bellen", owner="POL",
                                           who="J.", due=date(2026, 11, 29))),
    ("a WT/Karin Morgen Bellen over 2 weken",
     Command("action", text="Bellen over 2 weken", owner="WT", who="Karin",
             due=date(2026, 11, 29))),
])
def test_parse_forms(line: str, expected: Command) -> None:
    assert parse(line) == expected


def test_volgende_is_the_meeting_after_this_one() -> None:
    # On the meeting day (or later, finishing it) 'volgende' is never the meeting itself.
    meeting = date(2026, 12, 1)
    assert parse("v volgende", after=meeting) == Command("review", day=date(2026, 12, 8))
    assert parse("a POL volgende Terugkoppelen", after=meeting) == Command(
        "action", text="Terugkoppelen", owner="POL", due=date(2026, 12, 8))


def test_recording_kinds() -> None:
    assert [parse(line).records for line in ("b x", "n x", "a POL +1w x", "k 1", "x 1 weg",
                                             "v +1w", "s actief")] == [True] * 7
    assert [parse(line).records for line in ("", "t", "q", "?", "g 1", "u", "c 1 x", "p",
                                             "+POL A", "-POL", "+ 1")] == [False] * 11


# --- parsing: every refusal ---------------------------------------------------------------

@pytest.mark.parametrize(("line", "error", "message"), [
    ("y tekst", InvalidInput, UNKNOWN),
    ("besluit GGZ doet onderzoek", InvalidInput, UNKNOWN),
    ("bGGZ", InvalidInput, UNKNOWN),
    ("b", InvalidInput, "na 'b' hoort de tekst van het besluit, bijv. b GGZ doet een "
                        "verkennend onderzoek. Er is niets vastgelegd."),
    ("n   ", InvalidInput, "na 'n' hoort de tekst van de notitie, bijv. n Zorgen over de "
                           "woonsituatie gedeeld. Er is niets vastgelegd."),
    ("a", InvalidInput, "schrijf a CODE DATUM TEKST, bijv. a POL +2w Huisbezoek (of "
                        "a GGZ/S. Öztürk 15-12 Gesprek). Er is niets vastgelegd."),
    ("a XX +2w Huisbezoek", InvalidInput, "partner 'XX' staat niet in overleg.toml. Bekend: "
                                          "RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ, RvdK."),
    ("a POL", InvalidInput, f"na 'POL' ontbreken de deadline en de tekst. {A_HINT}"),
    ("a POL Huisbezoek morgen", InvalidDate,
     f"na 'POL' hoort de deadline: 'Huisbezoek' is geen geldige datum ({DATE_HINT}). {A_HINT}"),
    ("a POL 15-12-26 Huisbezoek", InvalidDate,
     "na 'POL' hoort de deadline: '15-12-26' is geen geldige datum: schrijf het jaar met vier "
     f"cijfers (bijv. 1-12-2026). {A_HINT}"),
    ("a POL 31-02-2027 Huisbezoek", InvalidDate,
     f"na 'POL' hoort de deadline: '31-02-2027' is geen geldige datum ({DATE_HINT}). {A_HINT}"),
    ("a POL +2w", InvalidInput, "de actie voor POL heeft geen tekst; beschrijf na de deadline "
                                "wat er moet gebeuren."),
    ("a GGZ/ 15-12 Gesprek", InvalidInput, f"na 'GGZ/' ontbreekt de naam van de uitvoerder. "
                                           f"{A_HINT}"),
    ("a GGZ/15-12 Gesprek", InvalidInput, f"na 'GGZ/' ontbreekt de naam van de uitvoerder. "
                                          f"{A_HINT}"),
    ("a GGZ/S. Öztürk Gesprek met huisarts", InvalidInput,
     f"geen deadline gevonden na 'GGZ/': de naam loopt tot de eerste datum. {A_HINT}"),
    ("a GGZ/S. Öztürk 15-12", InvalidInput, "de actie voor GGZ heeft geen tekst; beschrijf na "
                                            "de deadline wat er moet gebeuren."),
    ("a XX/S. Öztürk 15-12 Gesprek", InvalidInput,
     "partner 'XX' staat niet in overleg.toml. Bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ, "
     "RvdK."),
    ("k", InvalidInput, "na 'k' hoort het nummer van de actie, bijv. k 12 (of k 12 Gesprek "
                        "gevoerd). Er is niets vastgelegd."),
    ("k twaalf", InvalidInput, "'twaalf' is geen actienummer; na 'k' hoort het nummer van de "
                               "actie, bijv. k 12 (of k 12 Gesprek gevoerd)."),
    ("k 1234567890", InvalidInput, "'1234567890' is geen actienummer; na 'k' hoort het nummer "
                                   "van de actie, bijv. k 12 (of k 12 Gesprek gevoerd)."),
    ("v", InvalidInput, "na 'v' hoort de datum van de volgende bespreking, bijv. v 12-01 of "
                        "v +6w. Er is niets vastgelegd."),
    ("v binnenkort", InvalidDate, f"'binnenkort' is geen geldige datum ({DATE_HINT})"),
    ("s", InvalidInput, "na 's' hoort de nieuwe status: aangemeld, actief, nazorg, afgesloten. "
                        "Er is niets vastgelegd."),
    ("s gesloten", InvalidInput, "status 'gesloten' bestaat niet. Kies uit: aangemeld, actief, "
                                 "nazorg, afgesloten."),
    ("g", InvalidInput, "na 'g' hoort het id van een casus op de agenda, bijv. g 2026-014. "
                        "Er is niets vastgelegd."),
    ("g 2026-014 nu", InvalidInput, "na 'g' hoort het id van een casus op de agenda, bijv. "
                                    "g 2026-014."),
    ("t 2", InvalidInput, "'t' heeft niets achter zich nodig. Typ ? voor hulp."),
    ("q nu", InvalidInput, "'q' heeft niets achter zich nodig. Typ ? voor hulp."),
    ("? a", InvalidInput, "'?' heeft niets achter zich nodig. Typ ? voor hulp."),
    ("u 12", InvalidInput, "'u' heeft niets achter zich nodig. Typ ? voor hulp."),
    ("p POL", InvalidInput, "'p' heeft niets achter zich nodig. Typ ? voor hulp."),
    ("c", InvalidInput, "na 'c' horen het nummer van de regel en de juiste tekst, bijv. c 12 "
                        "GGZ doet een onderzoek. Er is niets vastgelegd."),
    ("c 12", InvalidInput, "na 'c 12' hoort de juiste tekst; na 'c' horen het nummer van de "
                           "regel en de juiste tekst, bijv. c 12 GGZ doet een onderzoek. Er is "
                           "niets vastgelegd."),
    ("c besluit anders", InvalidInput, "'besluit' is geen regelnummer; na 'c' horen het nummer "
                                       "van de regel en de juiste tekst, bijv. c 12 GGZ doet "
                                       "een onderzoek."),
    ("x 7", InvalidInput, "na 'x 7' hoort de reden; na 'x' horen het nummer van de actie en de "
                          "reden, bijv. x 12 Niet meer nodig. Er is niets vastgelegd."),
    ("x zeven weg", InvalidInput, "'zeven' is geen actienummer; na 'x' horen het nummer van de "
                                  "actie en de reden, bijv. x 12 Niet meer nodig."),
    ("+", InvalidInput, "schrijf +CODE NAAM voor wie later binnenkomt (bijv. +POL K. Bakker), "
                        "of + ID om een casus op de agenda te zetten (bijv. + 2026-033). Er is "
                        "niets vastgelegd."),
    ("+POL", InvalidInput, "na '+POL' hoort de naam van wie binnenkomt, bijv. +POL K. Bakker. "
                           "Er is niets vastgelegd."),
    ("+XX Iemand", InvalidInput, "partner 'XX' staat niet in overleg.toml. Bekend: RN, POL, "
                                 "GEM, OM, GGZ, VT, WT, WC, VZ, RvdK."),
    ("-", InvalidInput, "schrijf -CODE als iemand vertrekt (iedereen van die partner), bijv. "
                        "-POL; een afmelding leg je vast met p (aanwezigheid). Er is niets "
                        "vastgelegd."),
    ("-VZ M. de Wit", InvalidInput, "schrijf -CODE als iemand vertrekt (iedereen van die "
                                    "partner), bijv. -POL; een afmelding leg je vast met p "
                                    "(aanwezigheid). Er is niets vastgelegd."),
    # An attendance line typed during the meeting says how to write it there.
    ("POL K. Bakker", InvalidInput, "'pol' is een partnercode: schrijf +POL NAAM voor wie later "
                                    "binnenkomt, of p om de aanwezigheid aan te vullen. Er is "
                                    "niets vastgelegd."),
    ("a POL/Morgen Bellen", InvalidInput, f"na 'POL/' ontbreekt de naam van de uitvoerder. "
                                          f"{A_HINT}"),
])
def test_parse_refusals(line: str, error: type[OverlegError], message: str) -> None:
    with pytest.raises(error) as caught:
        parse(line)
    assert caught.value.message == message


def test_volgende_without_schedule_is_refused() -> None:
    with pytest.raises(InvalidDate) as caught:
        parse("v volgende", schedule=None)
    assert caught.value.message == ("'volgende' kan niet: er staat geen 'schema' in overleg.toml"
                                    " (bijv. schema = \"FREQ=WEEKLY;BYDAY=TU\")")


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_line_parses_or_gives_a_dutch_error(line: str) -> None:
    try:
        command = parse(line)
    except OverlegError as exc:
        assert exc.message
    else:
        assert command.kind in ("next", "help", "back", "quit", "decision", "note", "action",
                                "done", "cancel", "review", "status", "goto", "undo",
                                "correct", "attendance", "arrive", "depart", "add")


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda t: t.strip()))
def test_decision_and_note_keep_the_text(text: str) -> None:
    assert parse(f"b {text}") == Command("decision", text=text.strip())
    assert parse(f"n {text}") == Command("note", text=text.strip())


# --- attendance ---------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("POL K. Bakker", Attendee("POL", "K. Bakker", True)),
    ("  ggz  S.  Öztürk ", Attendee("GGZ", "S. Öztürk", True)),
    ("-VZ M. de Wit", Attendee("VZ", "M. de Wit", False)),
    ("+POL K. Bakker", Attendee("POL", "K. Bakker", True)),
    ("", None),
])
def test_parse_attendance(line: str, expected: Attendee | None) -> None:
    assert parse_attendance(line, PARTNERS) == expected


@pytest.mark.parametrize(("line", "message"), [
    ("POL", "na 'POL' hoort de naam van de deelnemer, bijv. POL K. Bakker."),
    ("- K. Bakker", "schrijf -CODE NAAM voor een afmelding, bijv. -VZ M. de Wit."),
    ("Politie K. Bakker", "partner 'Politie' staat niet in overleg.toml. Bekend: RN, POL, GEM, "
                          "OM, GGZ, VT, WT, WC, VZ, RvdK."),
])
def test_parse_attendance_refusals(line: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_attendance(line, PARTNERS)
    assert caught.value.message == message


# --- clocks -------------------------------------------------------------------------------

@pytest.mark.parametrize(("seconds", "text"), [
    (0, "00:00"), (59.9, "00:59"), (192, "03:12"), (600, "10:00"), (4500, "75:00"),
    (-3, "00:00"),
])
def test_fmt_clock(seconds: float, text: str) -> None:
    assert fmt_clock(seconds) == text


def test_timebox_marks_over_time_only_after_the_box() -> None:
    assert timebox(192, 10) == ("03:12 / 10:00", False)
    assert timebox(600, 10) == ("10:00 / 10:00", False)
    assert timebox(601, 10) == ("10:01 / 10:00", True)


def test_help_documents_every_form() -> None:
    for form in ("b TEKST", "n TEKST", "a CODE DATUM TEKST", "a CODE/NAAM DATUM TEKST",
                 "de naam loopt tot het eerste woord dat een datum is",
                 "a POL/J. Morgen +1w", "k NR", "x NR REDEN", "v DATUM", "s STATUS",
                 "\n  u ", "c NR TEKST", "+CODE NAAM", "-CODE", "\n  p ", "aanwezig",
                 "+ ID [REDEN]", "(lege regel)", "g ID", "t ", "? ", "q ", "twee keer Ctrl-C",
                 "Ctrl-C wist de regel", "over 2 weken", "volgende", "met zijn tijd"):
        assert form in HELP
    # Every line the grammar knows is in the help (a new verb without help fails here).
    for verb in ("b", "n", "a", "k", "x", "v", "s", "c", "g", "u", "p", "t", "q", "?"):
        assert f"\n  {verb} " in HELP


# --- executing on a real Store ------------------------------------------------------------

class Live:
    """The example workspace with the meeting of 2026-12-01 open, and a Store on it."""

    def __init__(self, ws_path: Path) -> None:
        self.ws = load_workspace(ws_path)
        self.store = Store.open(self.ws.db_path, actor="test")
        self.case_set = load_cases(self.ws)
        self.cases = self.case_set.by_id()
        meeting = self.store.open_meeting()
        assert meeting is not None
        self.meeting = meeting
        self.entries = agenda_view(self.store, meeting, self.cases, self.ws.config).entries

    def echo(self, case_id: str, line: str) -> Echo:
        # As the run screen does: on the meeting it walks.
        return execute(self.store, self.ws, self.cases[case_id],
                       parse_line(line, list(self.ws.config.partners), self.ws.config.schema,
                                  self.meeting.date),
                       self.meeting)

    def do(self, case_id: str, line: str) -> str:
        return self.echo(case_id, line).text

    def walk(self, index: int = 0, clock: Callable[[], float] = time.monotonic) -> Walk:
        return Walk(self.store, self.ws, self.meeting, list(self.entries), index, clock,
                    self.case_set)


@pytest.fixture
def live(example_ws: Path, run) -> Live:
    # An action from before the meeting, so that a case has an earlier open action (#1).
    result = run("action", "add", "2026-005", "--owner", "POL", "--due", "2026-11-27",
                 "Wijkagent belt")
    assert result.exit_code == 0, result.output
    result = run("meeting", "start", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    m = Live(example_ws)
    yield m
    m.store.close()


def test_execute_echoes_and_commits(live: Live) -> None:
    assert live.echo("2026-014", "b GGZ start een verkennend onderzoek.") == Echo(
        "Besluit #1 vastgelegd.", made=("record", 1))
    assert live.do("2026-014", "n Zorgen gedeeld.") == "Notitie #2 vastgelegd."
    # The echo of an action shows owner, person, deadline and text.
    assert live.echo("2026-014", "a POL +2w Huisbezoek") == Echo(
        "Actie #2 voor POL, deadline za 12-12-2026: Huisbezoek", made=("action", 2))
    assert live.do("2026-014", "a ggz/S. Öztürk 15-12 Gesprek") == (
        "Actie #3 voor GGZ/S. Öztürk, deadline di 15-12-2026: Gesprek")
    assert live.do("2026-014", "a POL/J. Morgen +1w Bellen met buren") == (
        "Actie #4 voor POL/J. Morgen, deadline za 05-12-2026: Bellen met buren")
    assert live.echo("2026-014", "v 12-01") == Echo("Volgende bespreking di 12-01-2027 (#3).",
                                                    made=("record", 3))
    assert live.do("2026-014", "s actief") == "Status wordt actief (#4)."
    assert live.echo("2026-005", "k 1 Gebeld") == Echo("Actie #1 afgerond.", made=("done", 1))

    # A second connection sees all of it: every echo came after its commit.
    other = Store.open(live.ws.db_path)
    try:
        assert [(e.id, e.kind, e.text) for e in other.entries(live.meeting, "2026-014")] == [
            (1, "decision", "GGZ start een verkennend onderzoek."), (2, "note", "Zorgen gedeeld.")]
        assert [(a.id, a.owner, a.who, a.text, a.due, a.meeting_id)
                for a in other.actions(case_id="2026-014", status=None)] == [
            (4, "POL", "J. Morgen", "Bellen met buren", date(2026, 12, 5), live.meeting.id),
            (2, "POL", None, "Huisbezoek", date(2026, 12, 12), live.meeting.id),
            (3, "GGZ", "S. Öztürk", "Gesprek", date(2026, 12, 15), live.meeting.id)]
        assert [(r.id, r.next_date, r.status) for r in other.reviews(live.meeting, "2026-014")] == [
            (3, date(2027, 1, 12), None), (4, None, "actief")]
        done = other.action(1)
        assert (done.status, done.done_comment, done.done_meeting_id) == (
            "done", "Gebeld", live.meeting.id)
        assert other.discussed_cases(live.meeting) == {"2026-014", "2026-005"}
    finally:
        other.close()


def test_execute_warns_where_a_slip_is_likely(live: Live) -> None:
    assert live.echo("2026-014", "a POL gisteren Huisbezoek").warnings == (
        "de deadline 27-11-2026 ligt in het verleden; de actie staat meteen als te laat. Pas hem "
        "aan met 'overleg action edit 2 --due DATUM'.",)
    assert live.echo("2026-014", "a POL +2w Huisbezoek").warnings == ()
    assert live.echo("2026-014", "v 25-12").warnings == (
        "25-12-2026 is geen vergaderdatum volgens het schema; het eerstvolgende overleg is "
        "29-12-2026.",)
    assert live.echo("2026-014", "v 2028-01-04").warnings == (
        "de volgende bespreking 04-01-2028 ligt meer dan een jaar vooruit.",)
    assert live.echo("2026-014", "v volgende") == Echo(
        "Volgende bespreking di 08-12-2026 (#3).", made=("record", 3))
    assert live.echo("2026-014", "s afgesloten").warnings == (
        'casus "2026-014" wordt afgesloten maar heeft nog 2 open actie(s): #2, #3. Rond ze af '
        "('k NR') of laat ze vervallen ('x NR REDEN').",)
    assert live.echo("2026-014", "a RN +2w Nog een rapport").warnings == (
        'casus "2026-014" is afgesloten; klopt het dat er nog een actie bij komt?',)


@pytest.mark.parametrize(("case_id", "line", "message"), [
    ("2026-014", "a VT +2w Huisbezoek", 'VT is geen partner van casus "2026-014" '
                                        "(partners: RN, POL, GGZ, WT, GEM)."),
    ("2026-014", "k 1", 'actie #1 hoort bij casus "2026-005", niet bij dit punt ("2026-014"). '
                        "Ga erheen met g 2026-005. Er is niets vastgelegd."),
    ("2026-014", "x 1 Niet nodig", 'actie #1 hoort bij casus "2026-005", niet bij dit punt '
                                   '("2026-014"). Ga erheen met g 2026-005. Er is niets '
                                   "vastgelegd."),
    ("2026-005", "k 99", "actie #99 bestaat niet. Zie 'overleg action list'."),
    ("2026-014", "v 2026-11-30", "de volgende bespreking (30-11-2026) moet na de vergadering "
                                 "van 01-12-2026 liggen."),
    ("2026-033", "b Niet geagendeerd", 'casus "2026-033" staat niet op de agenda van '
                                       "01-12-2026. Gebruik --add om hem toe te voegen."),
])
def test_execute_refusals_record_nothing(live: Live, case_id: str, line: str,
                                         message: str) -> None:
    with pytest.raises(OverlegError) as caught:
        live.do(case_id, line)
    assert caught.value.message == message
    assert live.store.discussed_cases(live.meeting) == set()
    assert live.store.meeting_counts(live.meeting) == {"items": 13, "decisions": 0, "actions": 0}


def test_execute_refuses_an_action_done_twice(live: Live) -> None:
    assert live.do("2026-005", "k 1") == "Actie #1 afgerond."
    with pytest.raises(InvalidInput) as caught:
        live.do("2026-005", "k 1")
    assert caught.value.message == "actie #1 is al afgerond."
    with pytest.raises(InvalidInput) as caught:
        live.do("2026-005", "x 1 Toch niet")
    assert caught.value.message == "actie #1 is al afgerond."


def test_cancel_an_action(live: Live) -> None:
    assert live.echo("2026-005", "x 1 Niet meer nodig") == Echo(
        "Actie #1 vervalt: Niet meer nodig.", made=("cancel", 1))
    action = live.store.action(1)
    assert (action.status, action.cancel_reason) == ("cancelled", "Niet meer nodig")


def test_an_action_of_a_case_not_on_the_agenda_is_done_from_any_item(live: Live) -> None:
    # No dead end: 'g 2026-033' could not go there, so 'k' marks it done where the chair is,
    # and says it is no discussion of that case.
    live.store.add_action("2026-033", "GGZ", None, "Behandelaar kiezen", date(2026, 12, 15),
                          None)  # agreed between meetings
    assert live.do("2026-014", "k 2 Gekozen") == (
        'Actie #2 afgerond. Casus "2026-033" staat niet op de agenda: dit telt niet als '
        "bespreking ervan (zet hem erop met + 2026-033).")
    action = live.store.action(2)
    assert (action.status, action.done_comment, action.done_meeting_id) == (
        "done", "Gekozen", None)
    assert live.store.discussed_cases(live.meeting) == set()


def test_execute_refuses_navigation(live: Live) -> None:
    with pytest.raises(ValueError, match="not a recording command: next"):
        execute(live.store, live.ws, live.cases["2026-014"], Command("next"))


def test_execute_without_open_meeting(live: Live, run, meeting_day) -> None:
    assert run("meeting", "close").exit_code == 0
    with pytest.raises(MeetingClosed) as caught:
        live.do("2026-014", "b Te laat")
    assert caught.value.message == (
        "de vergadering van 01-12-2026 is gesloten en kan niet meer worden gewijzigd. Heropen "
        "haar met 'overleg meeting reopen --reason ...'.")
    assert live.store.entries(live.meeting) == []


def test_record_attendance(live: Live) -> None:
    assert record_attendance(live.store, live.ws, Attendee("POL", "K. Bakker", True),
                             live.meeting) == Echo("K. Bakker (POL) aanwezig (#1).")
    assert record_attendance(live.store, live.ws, Attendee("VZ", "M. de Wit", False),
                             live.meeting) == Echo("M. de Wit (VZ) afgemeld (#2).")
    assert [(a.agency, a.name, a.present) for a in live.store.attendance(live.meeting)] == [
        ("POL", "K. Bakker", True), ("VZ", "M. de Wit", False)]
    assert present_line(live.store, live.meeting) == "Aanwezig: POL K. Bakker"


# --- resuming and walking -----------------------------------------------------------------

def test_resume_index(live: Live) -> None:
    ids = [e.slot.case_id for e in live.entries]
    assert ids[:4] == ["2026-014", "2026-027", "2026-019", "2026-005"]
    assert resume_index(live.store, live.meeting, live.entries) == 0
    live.do("2026-014", "n Besproken")
    assert resume_index(live.store, live.meeting, live.entries) == 1
    live.do("2026-019", "n Besproken")  # item 3 discussed, item 2 still not
    assert resume_index(live.store, live.meeting, live.entries) == 1
    live.do("2026-027", "v +6w")
    assert resume_index(live.store, live.meeting, live.entries) == 3
    live.do("2026-005", "k 1")  # an earlier action done counts as discussing the case
    assert resume_index(live.store, live.meeting, live.entries) == 4
    for case_id in ids[4:]:
        live.do(case_id, "s actief")
    assert resume_index(live.store, live.meeting, live.entries) == len(ids) == 13


def test_find_item(live: Live) -> None:
    assert find_item(live.entries, "2026-014") == 0
    assert find_item(live.entries, "005") == 3
    with pytest.raises(InvalidInput) as caught:
        find_item(live.entries, "1")
    assert caught.value.message == ("'1' past bij meer casussen (2026-041, 2026-031, 2026-021); "
                                    "typ het hele id.")
    with pytest.raises(InvalidInput) as caught:
        find_item(live.entries, "2026-033")
    assert caught.value.message == ('casus "2026-033" staat niet op de agenda van deze '
                                    "vergadering. Zet hem erop met + 2026-033.")


def test_walk_moves_back_and_times_each_item(live: Live) -> None:
    now = [100.0]
    walk = live.walk(clock=lambda: now[0])
    now[0] += 30
    assert walk.elapsed() == 30
    assert walk.handle(Command("next")) == Echo()
    assert (walk.index, walk.elapsed()) == (1, 0)
    now[0] += 5
    assert walk.handle(Command("goto", case_id="2026-009")) == Echo()
    assert walk.index == 12
    walk.handle(Command("back"))  # back to where the chair came from, not to item 12
    assert walk.index == 1
    assert walk.elapsed() == 5  # time on an item adds up when the chair returns
    walk.handle(Command("back"))
    assert walk.index == 0
    assert walk.elapsed() == 30
    with pytest.raises(InvalidInput) as caught:
        walk.handle(Command("back"))
    assert caught.value.message == "dit is het eerste punt; er is geen vorig punt."
    assert walk.handle(Command("help")) == Echo(HELP)


def test_walk_records_on_the_current_item_and_stops_at_the_end(live: Live) -> None:
    walk = live.walk(12)
    assert walk.handle(parse("b Laatste punt")).text == "Besluit #1 vastgelegd."
    assert live.store.discussed_cases(live.meeting) == {"2026-009"}
    walk.handle(Command("next"))
    assert (walk.at_end, walk.current) == (True, None)
    walk.handle(Command("next"))  # past the end stays at the end
    assert walk.index == 13
    with pytest.raises(InvalidInput) as caught:
        walk.handle(parse("b Na het einde"))
    assert caught.value.message == ("alle punten zijn langs geweest; ga terug met t of g ID om "
                                    "nog iets vast te leggen, of stop met q. Er is niets "
                                    "vastgelegd.")
    assert len(walk.undiscussed()) == 12
    walk.handle(Command("back"))
    assert walk.index == 12


def test_walk_refuses_to_record_on_a_vanished_case_file(live: Live) -> None:
    (live.ws.cases_dir / "2026-014-jdv.md").unlink()
    cases = load_cases(live.ws).by_id()
    entries = agenda_view(live.store, live.meeting, cases, live.ws.config).entries
    walk = Walk(live.store, live.ws, live.meeting, entries, index=0)
    with pytest.raises(CaseNotFound) as caught:
        walk.handle(parse("b Iets"))
    assert caught.value.message == ('casus "2026-014" heeft geen geldig casusbestand; hier kan '
                                    "niets worden vastgelegd. Zie 'overleg cases check'.")
    assert live.store.discussed_cases(live.meeting) == set()


class Stamps:
    """The store's clock (`overleg.store.now`), set by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = "2026-12-01T10:00:00"
        monkeypatch.setattr("overleg.store.now", lambda: self.at)


def test_resume_at_the_item_being_discussed_with_its_timer(live: Live,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    stamps = Stamps(monkeypatch)
    now = [0.0]
    first = Walk.resume(live.store, live.ws, live.meeting, list(live.entries),
                        clock=lambda: now[0])
    assert (first.index, first.resumed) == (0, False)
    first.begin()  # item 1 is shown at 10:00
    stamps.at = "2026-12-01T10:03:00"
    first.move(1)  # 3 minutes on item 1
    live.do("2026-027", "n Besproken")
    # kill -9 at about 10:05; the screen starts again at 10:07:30.
    stamps.at = "2026-12-01T10:07:30"
    second = Walk.resume(live.store, live.ws, live.meeting, list(live.entries),
                         clock=lambda: now[0])
    assert (second.index, second.resumed) == (1, True)  # not item 3, the first undiscussed
    second.begin()
    assert second.elapsed() == 270  # 4½ minutes on item 2: before the kill, and since
    now[0] += 20
    assert second.elapsed() == 290
    second.back()
    assert (second.index, second.elapsed()) == (0, 180)
    # A quit keeps the time and leaves no item current: the next run starts at the first
    # item not yet discussed.
    stamps.at = "2026-12-01T10:08:00"
    second.stop()
    meeting = live.store.meeting_by_id(live.meeting.id)
    assert (meeting.current_case, meeting.current_since) == (None, None)
    assert [(i.case_id, i.spent) for i in live.store.items(meeting)][:2] == [
        ("2026-014", 180 + 30), ("2026-027", 270)]  # the database counts its own seconds
    third = Walk.resume(live.store, live.ws, live.meeting, list(live.entries))
    assert (third.index, third.resumed) == (0, False)


def test_attendance_first_only_before_the_first_item(live: Live,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    stamps = Stamps(monkeypatch)
    assert live.walk().needs_attendance()
    live.store.set_current_item(live.meeting, "2026-014")  # item 1 shown, no attendance taken
    assert not live.walk().needs_attendance()  # cut off there
    stamps.at = "2026-12-01T10:02:00"
    live.store.set_current_item(live.meeting, None)  # or quit there
    assert not live.walk().needs_attendance()


@pytest.mark.parametrize("setup", ["attendance", "recorded"])
def test_no_attendance_phase_once_the_meeting_is_under_way(live: Live, setup: str) -> None:
    if setup == "attendance":
        record_attendance(live.store, live.ws, Attendee("POL", "K. Bakker", True), live.meeting)
    else:
        live.do("2026-019", "n Besproken")
    assert not live.walk().needs_attendance()


def test_undo_takes_back_the_last_line_of_the_item(live: Live) -> None:
    walk = live.walk()
    walk.handle(parse("b Eerste besluit"))
    walk.handle(parse("a POL +2w Huisbezoek"))
    walk.handle(parse("v 12-01"))
    assert walk.handle(parse("u")) == Echo(
        "Ongedaan gemaakt: vervolgafspraak #2 (volgende bespreking di 12-01-2027) is "
        "ingetrokken.")
    assert walk.handle(parse("u")) == Echo(
        "Ongedaan gemaakt: actie #2 voor POL, deadline za 12-12-2026: Huisbezoek — vervallen, "
        "niet in het verslag.")
    action = live.store.action(2)
    assert (action.status, action.cancel_reason) == ("cancelled", "ongedaan gemaakt in het "
                                                                   "overleg")
    assert walk.handle(parse("u")).text == ("Ongedaan gemaakt: besluit #1 (Eerste besluit) is "
                                            "ingetrokken.")
    assert [(r.id, r.state, r.reason) for r in live.store.records(meeting=live.meeting)] == [
        (1, "withdrawn", "ongedaan gemaakt in het overleg"),
        (2, "withdrawn", "ongedaan gemaakt in het overleg")]
    with pytest.raises(InvalidInput) as caught:
        walk.handle(parse("u"))
    assert caught.value.message == ("bij dit punt staat in dit overleg niets (meer) dat "
                                    "ongedaan kan worden gemaakt. Er is niets ingetrokken.")
    # Nothing of the item is left: it counts as not discussed.
    assert live.store.discussed_cases(live.meeting) == set()


def test_undo_is_per_item_and_takes_back_an_action_done(live: Live) -> None:
    walk = live.walk(3)  # 2026-005
    walk.handle(parse("n Over de buren"))
    walk.handle(parse("k 1 Gebeld"))
    walk.handle(Command("back"))
    walk.handle(parse("b Op punt 3"))
    walk.handle(Command("goto", case_id="005"))
    assert walk.handle(parse("u")).text == ("Ongedaan gemaakt: actie #1 is niet meer afgerond "
                                            "en staat weer open.")
    assert live.store.action(1).status == "open" and live.store.action(1).done_at is None
    assert live.store.action_changes([1])[-1].kind == "reopen"
    assert walk.handle(parse("u")).text == ("Ongedaan gemaakt: notitie #1 (Over de buren) is "
                                            "ingetrokken.")
    assert [e.text for e in live.store.entries(live.meeting)] == ["Op punt 3"]
    # Undone, the tick-off is no discussion of the case any more.
    assert "2026-005" not in live.store.discussed_cases(live.meeting)


def test_undo_takes_back_an_action_cancelled(live: Live) -> None:
    walk = live.walk(3)  # 2026-005
    walk.handle(parse("x 1 Niet meer nodig"))
    assert live.store.action(1).status == "cancelled"
    assert walk.handle(parse("u")).text == ("Ongedaan gemaakt: actie #1 is niet meer vervallen "
                                            "en staat weer open.")
    assert live.store.action(1).status == "open"


def test_undo_after_a_restart_takes_the_newest_line_of_the_item(live: Live) -> None:
    live.do("2026-014", "n Notitie")
    live.do("2026-014", "b Besluit")
    walk = live.walk()  # a new run: it typed nothing yet
    assert walk.handle(parse("u")).text == ("Ongedaan gemaakt: besluit #2 (Besluit) is "
                                            "ingetrokken.")


def test_correct_a_record(live: Live) -> None:
    walk = live.walk()
    record_attendance(live.store, live.ws, Attendee("VT", "R Smitt", True), live.meeting)
    walk.handle(parse("b GGZ doet onderzok"))
    assert walk.handle(parse("c 1 VT R. Smit")) == Echo(
        "Aanwezigheid #1 gecorrigeerd (was: R Smitt (VT), aanwezig); nu #3: R. Smit (VT), "
        "aanwezig.", more=("Aanwezig: VT R. Smit",))
    assert walk.handle(parse("c 2 GGZ doet onderzoek")) == Echo(
        "Besluit #2 gecorrigeerd (was: GGZ doet onderzok); nu #4: GGZ doet onderzoek.")
    walk.handle(parse("v 12-01"))
    assert walk.handle(parse("c 5 25-12")) == Echo(
        "Vervolgafspraak #5 gecorrigeerd (was: volgende bespreking di 12-01-2027); nu #6: "
        "volgende bespreking vr 25-12-2026.",
        warnings=("25-12-2026 is geen vergaderdatum volgens het schema; het eerstvolgende "
                  "overleg is 29-12-2026.",))
    assert [e.text for e in live.store.entries(live.meeting)] == ["GGZ doet onderzoek"]
    assert [(a.agency, a.name) for a in live.store.attendance(live.meeting)] == [
        ("VT", "R. Smit")]
    # `u` takes back the correction as the last line of the item.
    assert walk.handle(parse("u")).text.startswith("Ongedaan gemaakt: vervolgafspraak #6 ")
    with pytest.raises(InvalidInput) as caught:
        walk.handle(parse("c 2 Nog eens"))
    assert caught.value.message == "#2 is al gecorrigeerd; corrigeer #4."


def test_arrivals_and_departures(live: Live) -> None:
    walk = live.walk()
    record_attendance(live.store, live.ws, Attendee("GEM", "A. de Vries", True), live.meeting)
    assert walk.handle(parse("+POL K. Bakker")) == Echo(
        "K. Bakker (POL) aanwezig (#2).", more=("Aanwezig: GEM A. de Vries, POL K. Bakker",))
    walk.handle(parse("+pol J. Morgen"))
    assert walk.handle(parse("-POL")) == Echo(
        "Vertrokken: J. Morgen (POL), K. Bakker (POL).", more=("Aanwezig: GEM A. de Vries",))
    with pytest.raises(InvalidInput) as caught:
        walk.handle(parse("-POL"))
    assert caught.value.message == "er is niemand van POL aanwezig; er is niets vastgelegd."
    assert [(a.agency, a.name, a.here) for a in live.store.attendance(live.meeting)] == [
        ("GEM", "A. de Vries", True), ("POL", "J. Morgen", False),
        ("POL", "K. Bakker", False)]


def test_a_warning_when_none_of_the_partners_is_present(live: Live) -> None:
    walk = live.walk()  # 2026-014: RN POL GGZ WT GEM
    assert walk.absent_partners() == []  # no attendance taken: no warning
    record_attendance(live.store, live.ws, Attendee("VT", "R. Smit", True), live.meeting)
    record_attendance(live.store, live.ws, Attendee("POL", "K. Bakker", False), live.meeting)
    assert walk.absent_partners() == [
        'geen van de partners van casus "2026-014" (RN, POL, GGZ, WT, GEM) is aanwezig.']
    walk.handle(parse("+WT Karin"))
    assert walk.absent_partners() == []


def test_put_a_case_on_the_agenda_and_go_there(live: Live) -> None:
    walk = live.walk()
    assert walk.handle(parse("+ 033 vraag van de GGZ")) == Echo(
        'Casus "2026-033" staat op de agenda als punt 14 (10 min).')
    assert (walk.index, walk.current.slot.case_id, walk.current.slot.note) == (
        13, "2026-033", "vraag van de GGZ")
    assert walk.handle(parse("n Besproken")).text == "Notitie #1 vastgelegd."
    walk.handle(Command("back"))
    assert walk.index == 0
    assert walk.handle(parse("+ 2026-033")) == Echo(
        'Casus "2026-033" staat al op de agenda (punt 14).')
    assert walk.index == 13
    with pytest.raises(CaseNotFound):
        walk.handle(parse("+ 2026-099"))


# --- behind schedule ----------------------------------------------------------------------

@pytest.mark.parametrize(("now", "start", "elapsed", "minutes", "behind"), [
    ("09:25", "09:30", 0, 15, 0),  # before the meeting
    ("09:30", "09:30", 0, 15, 0),
    ("09:37", "09:30", 0, 15, 7),  # the item began 7 minutes late
    ("09:40", "09:30", 600, 15, 0),  # ten minutes into a fifteen-minute item: on schedule
    ("09:50", "09:30", 1200, 15, 5),  # five minutes over its time box
    ("10:05", "09:30", 1200, 15, 20),  # came back to it later
    ("09:37:59", "09:30", 0, 15, 7),  # whole minutes
])
def test_delay_minutes(now: str, start: str, elapsed: float, minutes: int, behind: int) -> None:
    assert delay_minutes(clock_time.fromisoformat(now), clock_time.fromisoformat(start),
                         elapsed, minutes) == behind


def test_shifted_times_and_the_words_for_them() -> None:
    assert shifted(clock_time(10, 5), 7) == clock_time(10, 12)
    assert shifted(clock_time(23, 55), 10) == clock_time(0, 5)
    assert behind_text(0) == "op schema"
    assert behind_text(12) == "12 min achter"


def test_walk_delay_only_on_the_meeting_day(live: Live) -> None:
    walk = live.walk(1, clock=lambda: 0.0)  # 2026-027, planned 09:45-09:55
    assert walk.delay(datetime(2026, 12, 1, 9, 52)) == 7
    assert walk.delay(datetime(2026, 12, 2, 9, 52)) is None  # finishing it the next day
    walk.move(13)
    assert walk.delay(datetime(2026, 12, 1, 9, 52)) is None


@pytest.mark.parametrize(("line", "text", "condition"), [
    ("a GGZ +2w Crisisdienst bellen voorwaarde: als hij de afspraak mist",
     "Crisisdienst bellen", "als hij de afspraak mist"),
    ("a GGZ +2w Crisisdienst bellen VW:als hij weer belt", "Crisisdienst bellen",
     "als hij weer belt"),
    ("a GGZ +2w Voorwaarden bespreken", "Voorwaarden bespreken", None),
])
def test_an_action_may_carry_a_condition(line: str, text: str, condition: str | None) -> None:
    command = parse(line)
    assert (command.text, command.condition) == (text, condition)


def test_a_condition_without_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="na 'voorwaarde:' hoort de voorwaarde"):
        parse("a GGZ +2w Bellen voorwaarde:")


def test_the_condition_is_recorded_and_echoed(live: Live) -> None:
    echo = live.do("2026-014", "a GGZ +2w Crisisdienst bellen vw: als hij de afspraak mist")
    assert echo.endswith(": Crisisdienst bellen (voorwaarde: als hij de afspraak mist)")
    assert live.store.action(2).condition == "als hij de afspraak mist"
