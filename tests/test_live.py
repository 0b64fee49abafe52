"""The live screen's core: the short-line grammar, executing lines on a real Store, the walk."""

from __future__ import annotations

from datetime import date
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
    Walk,
    execute,
    find_item,
    fmt_clock,
    parse_attendance,
    parse_line,
    record_attendance,
    resume_index,
    timebox,
)
from overleg.store import Store
from overleg.workspace import load_workspace

PARTNERS = ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC", "VZ", "RvdK"]
SCHEDULE = "FREQ=WEEKLY;BYDAY=TU"
A_HINT = ("Schrijf a CODE DATUM TEKST, bijv. a POL +2w Huisbezoek "
          "(of a GGZ/S. Öztürk 15-12 Gesprek).")
DATE_HINT = "gebruik bijv. 2026-12-01, 1-12-2026, 15-12, morgen, +2w, over 2 weken of dinsdag"
UNKNOWN = ("onbekende regel: begin met b, n, a, k, v of s en een spatie, of gebruik g, t, q of "
           "een lege regel. Typ ? voor hulp. Er is niets vastgelegd.")


def parse(line: str, schedule: str | None = SCHEDULE) -> Command:
    return parse_line(line, PARTNERS, schedule)


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
])
def test_parse_forms(line: str, expected: Command) -> None:
    assert parse(line) == expected


def test_recording_kinds() -> None:
    assert [parse(line).records for line in ("b x", "n x", "a POL +1w x", "k 1", "v +1w",
                                             "s actief")] == [True] * 6
    assert [parse(line).records for line in ("", "t", "q", "?", "g 1")] == [False] * 5


# --- parsing: every refusal ---------------------------------------------------------------

@pytest.mark.parametrize(("line", "error", "message"), [
    ("x tekst", InvalidInput, UNKNOWN),
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
                                "done", "review", "status", "goto")


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
                 "de naam loopt tot het eerste woord dat een datum is", "k NR", "v DATUM",
                 "s STATUS", "(lege regel)", "g ID", "t ", "? ", "q ", "over 2 weken",
                 "volgende"):
        assert form in HELP


# --- executing on a real Store ------------------------------------------------------------

class Live:
    """The example workspace with the meeting of 2026-12-01 open, and a Store on it."""

    def __init__(self, ws_path: Path) -> None:
        self.ws = load_workspace(ws_path)
        self.store = Store.open(self.ws.db_path, actor="test")
        self.cases = load_cases(self.ws).by_id()
        meeting = self.store.open_meeting()
        assert meeting is not None
        self.meeting = meeting
        self.entries = agenda_view(self.store, meeting, self.cases, self.ws.config).entries

    def do(self, case_id: str, line: str) -> str:
        return execute(self.store, self.ws, self.cases[case_id],
                       parse_line(line, list(self.ws.config.partners), self.ws.config.schema))


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
    assert live.do("2026-014", "b GGZ start een verkennend onderzoek.") == "Besluit vastgelegd."
    assert live.do("2026-014", "n Zorgen gedeeld.") == "Notitie vastgelegd."
    assert live.do("2026-014", "a POL +2w Huisbezoek") == (
        "Actie #2 voor POL, deadline za 12-12-2026")
    assert live.do("2026-014", "a ggz/S. Öztürk 15-12 Gesprek") == (
        "Actie #3 voor GGZ/S. Öztürk, deadline di 15-12-2026")
    assert live.do("2026-014", "v 12-01") == "Volgende bespreking di 12-01-2027."
    assert live.do("2026-014", "s actief") == "Status wordt actief."
    assert live.do("2026-005", "k 1 Gebeld") == "Actie #1 afgerond."

    # A second connection sees all of it: every echo came after its commit.
    other = Store.open(live.ws.db_path)
    try:
        assert [(e.kind, e.text) for e in other.entries(live.meeting, "2026-014")] == [
            ("decision", "GGZ start een verkennend onderzoek."), ("note", "Zorgen gedeeld.")]
        assert [(a.id, a.owner, a.who, a.text, a.due, a.meeting_id)
                for a in other.actions(case_id="2026-014", status=None)] == [
            (2, "POL", None, "Huisbezoek", date(2026, 12, 12), live.meeting.id),
            (3, "GGZ", "S. Öztürk", "Gesprek", date(2026, 12, 15), live.meeting.id)]
        assert [(r.next_date, r.status) for r in other.reviews(live.meeting, "2026-014")] == [
            (date(2027, 1, 12), None), (None, "actief")]
        done = other.action(1)
        assert (done.status, done.done_comment, done.done_meeting_id) == (
            "done", "Gebeld", live.meeting.id)
        assert other.discussed_cases(live.meeting) == {"2026-014", "2026-005"}
    finally:
        other.close()


@pytest.mark.parametrize(("case_id", "line", "message"), [
    ("2026-014", "a VT +2w Huisbezoek", 'VT is geen partner van casus "2026-014" '
                                        "(partners: RN, POL, GGZ, WT, GEM)."),
    ("2026-014", "k 1", 'actie #1 hoort bij casus "2026-005", niet bij dit punt ("2026-014"). '
                        "Ga erheen met g 2026-005. Er is niets vastgelegd."),
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


def test_execute_refuses_navigation(live: Live) -> None:
    with pytest.raises(ValueError, match="not a recording command: next"):
        execute(live.store, live.ws, live.cases["2026-014"], Command("next"))


def test_execute_without_open_meeting(live: Live, run) -> None:
    assert run("meeting", "close").exit_code == 0
    with pytest.raises(MeetingClosed) as caught:
        live.do("2026-014", "b Te laat")
    assert caught.value.message == (
        "de vergadering van 01-12-2026 is gesloten en kan niet meer worden gewijzigd. Heropen "
        "haar met 'overleg meeting reopen --reason ...'.")
    assert live.store.entries(live.meeting) == []


def test_record_attendance(live: Live) -> None:
    assert record_attendance(live.store, live.ws, Attendee("POL", "K. Bakker", True)) == (
        "K. Bakker (POL) aanwezig.")
    assert record_attendance(live.store, live.ws, Attendee("VZ", "M. de Wit", False)) == (
        "M. de Wit (VZ) afgemeld.")
    assert [(a.agency, a.name, a.present) for a in live.store.attendance(live.meeting)] == [
        ("POL", "K. Bakker", True), ("VZ", "M. de Wit", False)]


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
    assert caught.value.message == 'casus "2026-033" staat niet op de agenda van deze vergadering.'


def test_walk_moves_back_and_times_each_item(live: Live) -> None:
    now = [100.0]
    walk = Walk(live.store, live.ws, live.meeting, live.entries, index=0, clock=lambda: now[0])
    now[0] += 30
    assert walk.elapsed() == 30
    assert walk.handle(Command("next")) == ""
    assert (walk.index, walk.elapsed()) == (1, 0)
    now[0] += 5
    assert walk.handle(Command("goto", case_id="2026-009")) == ""
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
    assert walk.handle(Command("help")) == HELP


def test_walk_records_on_the_current_item_and_stops_at_the_end(live: Live) -> None:
    walk = Walk(live.store, live.ws, live.meeting, live.entries, index=12)
    assert walk.handle(parse("b Laatste punt")) == "Besluit vastgelegd."
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
