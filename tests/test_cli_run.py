"""`overleg meeting run` scripted through stdin (no terminal): same grammar, same echoes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from rich.console import Console

from overleg.cli.run import Interrupted, Screen
from overleg.live import Walk
from overleg.store import Store
from overleg.workspace import load_workspace

SCRIPT = """\
POL K. Bakker
ggz S. Öztürk
-VZ M. de Wit

b GGZ start een verkennend onderzoek.
n Zorgen over de medicatie gedeeld.
a POL +2w Huisbezoek met wijkteam
a GGZ/S. Öztürk 15-12 Gesprek met huisarts
v 12-01
s actief

n Besproken met VT.

g 2026-005
k 1 Wijkagent heeft gebeld
q
"""


@pytest.fixture(autouse=True)
def _wall_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen's clock at the start of the meeting (09:30), for stable panels."""
    monkeypatch.setattr("overleg.live.wall_clock", lambda: datetime(2026, 12, 1, 9, 30))


@pytest.fixture
def started(example_ws: Path, run, meeting_day) -> Path:
    """The example meeting of 2026-12-01 open on its day, with one earlier action (#1, case
    2026-005)."""
    result = run("action", "add", "2026-005", "--owner", "POL", "--due", "2026-11-27",
                 "Wijkagent belt [bold]buren[/bold]")
    assert result.exit_code == 0, result.output
    result = run("meeting", "start", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    return example_ws


def panel_lines(stdout: str) -> list[str]:
    """Every output line; inside rich panels without the side borders and padding."""
    return [line[2:-2].rstrip() if line.startswith("│ ") else line.rstrip()
            for line in stdout.splitlines()]


def outside(stdout: str) -> list[str]:
    """The lines printed outside the item panels (echoes, headers, messages)."""
    return [line for line in stdout.splitlines() if not line.startswith(("│", "╭", "╰"))]


def titles(stdout: str) -> list[str]:
    """The titles of the item panels, in the order shown."""
    return [line.removeprefix("╭─ ").split(" ─")[0] for line in stdout.splitlines()
            if line.startswith("╭─ Punt")]


def open_store(ws: Path) -> Store:
    return Store.open(load_workspace(ws).db_path)


def test_run_refuses_without_open_meeting(example_ws: Path, run) -> None:
    result = run("meeting", "run", input="b Iets\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Fout: er is geen open vergadering. Start er een met "
                             "'overleg meeting start'.\n")


def test_run_help_has_an_example(run) -> None:
    result = run("meeting", "run", "--help")
    assert result.exit_code == 0
    assert "Voorbeeld: overleg meeting run" in result.stdout


def test_scripted_meeting_records_everything(started: Path, run) -> None:
    result = run("meeting", "run", input=SCRIPT)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert outside(result.stdout) == [
        "Vergadering van dinsdag 1 december 2026 · 13 agendapunten · typ ? voor hulp",
        "Aanwezigheid — Casusoverleg Zorg en Veiligheid Den Haag Zuid",
        "Lees voor: “Wat hier wordt besproken blijft binnen dit overleg. Deel alleen wat nodig "
        "is voor de aanpak van de casus.”",
        "Aanwezigheid, één regel per persoon:",
        "  CODE NAAM     aanwezig, bijv.  POL K. Bakker",
        "  -CODE NAAM    afgemeld, bijv.  -VZ M. de Wit",
        "  c NR TEKST    regel NR corrigeren, bijv.  c 3 VT R. Smit",
        "  (lege regel)  verder naar de agendapunten",
        "  q             stoppen",
        "K. Bakker (POL) aanwezig (#1).",
        "S. Öztürk (GGZ) aanwezig (#2).",
        "M. de Wit (VZ) afgemeld (#3).",
        "Besluit #4 vastgelegd.",
        "Notitie #5 vastgelegd.",
        "Actie #2 voor POL, deadline di 15-12-2026: Huisbezoek met wijkteam",
        "Actie #3 voor GGZ/S. Öztürk, deadline di 15-12-2026: Gesprek met huisarts",
        "Volgende bespreking di 12-01-2027 (#6).",
        "Status wordt actief (#7).",
        "Notitie #8 vastgelegd.",
        "Actie #1 afgerond.",
        "Gestopt bij punt 4 (2026-005). Alles wat is bevestigd, is opgeslagen. 'overleg meeting "
        "run' gaat verder bij punt 3 (2026-019).",
    ]
    assert titles(result.stdout) == [
        "Punt 1/13 · 2026-014 · J.d.V. (1991)",
        "Punt 2/13 · 2026-027 · S.H. (1984)",
        "Punt 3/13 · 2026-019 · D.R. (1998)",
        "Punt 4/13 · 2026-005 · L.M. (1986)",
    ]

    actions = json.loads(run("action", "list", "--status", "all", "--json").stdout)
    keys = ("id", "case", "owner", "who", "text", "due", "status", "meeting")
    assert [{k: a[k] for k in keys} for a in actions] == [
        {"id": 1, "case": "2026-005", "owner": "POL", "who": None,
         "text": "Wijkagent belt [bold]buren[/bold]", "due": "2026-11-27", "status": "done",
         "meeting": None},
        {"id": 2, "case": "2026-014", "owner": "POL", "who": None,
         "text": "Huisbezoek met wijkteam", "due": "2026-12-15", "status": "open",
         "meeting": "2026-12-01"},
        {"id": 3, "case": "2026-014", "owner": "GGZ", "who": "S. Öztürk",
         "text": "Gesprek met huisarts", "due": "2026-12-15", "status": "open",
         "meeting": "2026-12-01"},
    ]
    meetings = json.loads(run("meeting", "list", "--json").stdout)
    assert meetings == [{"date": "2026-12-01", "status": "open", "items": 13, "decisions": 1,
                         "actions": 2}]

    store = open_store(started)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        assert [(a.agency, a.name, a.present) for a in store.attendance(meeting)] == [
            ("GGZ", "S. Öztürk", True), ("POL", "K. Bakker", True), ("VZ", "M. de Wit", False)]
        assert [(e.case_id, e.kind, e.text) for e in store.entries(meeting)] == [
            ("2026-014", "decision", "GGZ start een verkennend onderzoek."),
            ("2026-014", "note", "Zorgen over de medicatie gedeeld."),
            ("2026-027", "note", "Besproken met VT."),
        ]
        assert [(r.case_id, r.next_date, r.status) for r in store.reviews(meeting)] == [
            ("2026-014", date(2027, 1, 12), None), ("2026-014", None, "actief")]
        assert store.action(1).done_comment == "Wijkagent heeft gebeld"
        assert store.discussed_cases(meeting) == {"2026-014", "2026-027", "2026-005"}
    finally:
        store.close()


def test_panel_shows_the_case_and_its_earlier_actions(started: Path, run) -> None:
    result = run("meeting", "run", input="POL K. Bakker\n\ng 2026-005\n")
    assert result.exit_code == 0, result.output
    lines = panel_lines(result.stdout)
    assert titles(result.stdout)[-1] == "Punt 4/13 · 2026-005 · L.M. (1986)"
    start = next(i for i, line in enumerate(lines) if line.startswith("╭─ Punt 4/13"))
    assert lines[start + 1:start + 11] == [
        "status        actief · prioriteit midden",
        "redenen       evaluatie, acties verlopen",
        "regie         GEM · regisseur B. Jansen",
        "partners      POL OM GGZ RN GEM",
        "geïnformeerd  ja",
        "vraag         Kan een behandelverplichting als bijzondere voorwaarde in de strafzaak "
        "zorg afdwingen die meneer nu",
        "              weigert?",
        "",
        "Open acties",
        # case text prints literally: no markup from data
        "  #1  POL  vr 27-11-2026  TE LAAT  Wijkagent belt [bold]buren[/bold]",
    ]
    assert lines[start + 11].endswith("─ 10:05–10:15 · 10 min · op schema ─╯")
    assert len(lines[start + 11]) == 120


def test_resume_starts_at_first_undiscussed_item_and_shows_what_is_recorded(
        started: Path, run) -> None:
    first = run("meeting", "run", input="POL K. Bakker\n\nn Eerste punt besproken.\n\n\n"
                                        "b Derde punt besloten.\nq\n")
    assert first.exit_code == 0, first.output
    again = run("meeting", "run", input="q\n")
    assert again.exit_code == 0, again.output
    lines = panel_lines(again.stdout)
    # No attendance phase the second time; straight on at item 2 (item 3 is discussed).
    assert "Aanwezigheid, één regel per persoon:" not in lines
    assert outside(again.stdout) == [
        "Vergadering van dinsdag 1 december 2026 · 13 agendapunten · typ ? voor hulp",
        "Verder bij punt 2: het eerste punt dat nog niet is besproken.",
        "Gestopt bij punt 2 (2026-027). Alles wat is bevestigd, is opgeslagen. 'overleg meeting "
        "run' gaat verder bij punt 2 (2026-027).",
    ]
    assert titles(again.stdout) == ["Punt 2/13 · 2026-027 · S.H. (1984)"]

    back = run("meeting", "run", input="g 019\n")
    lines = panel_lines(back.stdout)
    start = lines.index("Vastgelegd in dit overleg")
    assert lines[start + 1] == "  besluit #3: Derde punt besloten."
    assert lines[start + 2].startswith("╰")


def test_end_of_agenda_suggests_close_and_keeps_meeting_open(started: Path, run) -> None:
    result = run("meeting", "run", input="POL K. Bakker\n\ng 2026-009\ns nazorg\n\nt\n\n")
    assert result.exit_code == 0, result.output
    end = [
        "Einde van de agenda.",
        "Niet besproken (12 van 13; wordt aangehouden): 2026-014, 2026-027, 2026-019, 2026-005, "
        "2026-017, 2026-041, 2026-038, 2026-022, 2026-024, 2026-031, 2026-021, 2026-003.",
        "Sluit de vergadering met 'overleg meeting close'. Ga terug met t of g ID, of stop met q.",
    ]
    # 't' went back to the last item, the empty line on to the end again. None of its
    # partners is at the table: the chair is told each time it is shown.
    absent = 'Let op: geen van de partners van casus "2026-009" (GGZ, WT, VZ, GEM) is aanwezig.'
    assert outside(result.stdout)[-11:] == [
        "K. Bakker (POL) aanwezig (#1).", absent, "Status wordt nazorg (#2).", *end, absent,
        *end,
        "Gestopt. Alles wat is bevestigd, is opgeslagen. 'overleg meeting run' gaat verder bij "
        "punt 1 (2026-014).",
    ]
    assert titles(result.stdout) == ["Punt 1/13 · 2026-014 · J.d.V. (1991)",
                                     "Punt 13/13 · 2026-009 · P.W. (1969)",
                                     "Punt 13/13 · 2026-009 · P.W. (1969)"]
    meetings = json.loads(run("meeting", "list", "--json").stdout)
    assert meetings[0]["status"] == "open"


def test_all_discussed_starts_at_the_end(started: Path, run) -> None:
    store = open_store(started)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        for item in store.items(meeting):
            store.add_entry(meeting, item.case_id, "note", "Besproken.")
    finally:
        store.close()
    result = run("meeting", "run", input="")  # no attendance phase: the meeting is under way
    assert result.exit_code == 0, result.output
    lines = panel_lines(result.stdout)
    assert lines[-4:] == [
        "Einde van de agenda.",
        "Alle 13 punten zijn besproken.",
        "Sluit de vergadering met 'overleg meeting close'. Ga terug met t of g ID, of stop met q.",
        "Gestopt. Alles wat is bevestigd, is opgeslagen.",
    ]


def test_bad_lines_record_nothing_and_fail_the_script(started: Path, run) -> None:
    script = ("POL K. Bakker\nXX Iemand\n\nbesluit zonder spatie\na VT +2w Niet van deze casus\n"
              "k 1\nv 2026-11-30\ns weg\ng 2026-099\n\nn Wel vastgelegd.\n")
    result = run("meeting", "run", input=script)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Fout: regel 2: partner 'XX' staat niet in overleg.toml. Bekend: RN, POL, GEM, OM, GGZ, "
        "VT, WT, WC, VZ.",
        "Fout: regel 4: onbekende regel: begin met b, n, a, k, x, v, s of c en een spatie, of "
        "gebruik u, p, +CODE, -CODE, g, t, q of een lege regel. Typ ? voor hulp. Er is niets "
        "vastgelegd.",
        'Fout: regel 5: VT is geen partner van casus "2026-014" (partners: RN, POL, GGZ, WT, GEM).',
        'Fout: regel 6: actie #1 hoort bij casus "2026-005", niet bij dit punt ("2026-014"). '
        "Ga erheen met g 2026-005. Er is niets vastgelegd.",
        "Fout: regel 7: de volgende bespreking (30-11-2026) moet na de vergadering van "
        "01-12-2026 liggen.",
        "Fout: regel 8: status 'weg' bestaat niet. Kies uit: aangemeld, actief, nazorg, "
        "afgesloten.",
        'Fout: regel 9: casus "2026-099" staat niet op de agenda van deze vergadering. Zet hem '
        "erop met + 2026-099.",
    ]
    store = open_store(started)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        assert [(e.case_id, e.text) for e in store.entries(meeting)] == [
            ("2026-027", "Wel vastgelegd.")]
        assert store.discussed_cases(meeting) == {"2026-027"}
        assert store.action(1).status == "open"
    finally:
        store.close()


def test_quit_during_attendance_records_nothing(started: Path, run) -> None:
    result = run("meeting", "run", input="q\n")
    assert result.exit_code == 0
    lines = panel_lines(result.stdout)
    assert lines[-1] == ("Gestopt. Alles wat is bevestigd, is opgeslagen. 'overleg meeting run' "
                         "gaat verder bij punt 1 (2026-014).")
    assert not any(line.startswith("╭─ Punt") for line in lines)
    empty = run("meeting", "run", input="")  # end of input counts as quitting
    assert empty.exit_code == 0
    assert panel_lines(empty.stdout)[-1] == lines[-1]
    store = open_store(started)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        assert store.attendance(meeting) == []
    finally:
        store.close()


def test_help_line_prints_the_grammar(started: Path, run) -> None:
    result = run("meeting", "run", input="?\nPOL K. Bakker\n\n?\n")
    assert result.exit_code == 0, result.output
    lines = panel_lines(result.stdout)
    assert lines.count("  -CODE NAAM    afgemeld, bijv.  -VZ M. de Wit") == 2  # intro + ?
    assert "Korte regels tijdens de vergadering:" in lines
    assert "                           (de naam loopt tot het eerste woord dat een datum is; een" \
        in lines


def test_case_data_is_masked_and_literal(started: Path, run) -> None:
    path = started / "casussen" / "2026-014-jdv.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("## Vraag aan het overleg\n",
                                 "## Vraag aan het overleg\nBSN 111222333, [red]rood[/red]. "),
                    encoding="utf-8")
    result = run("meeting", "run", input="POL K. Bakker\n\n")
    lines = panel_lines(result.stdout)
    question = next(line for line in lines if line.startswith("vraag"))
    assert question.startswith("vraag         BSN *********, [red]rood[/red]. Is een verkennend")
    assert "111222333" not in result.stdout


def test_vanished_case_file_is_shown_and_refused(started: Path, run) -> None:
    (started / "casussen" / "2026-014-jdv.md").unlink()
    result = run("meeting", "run", input="POL K. Bakker\n\nb Iets\n")
    assert result.exit_code == 1
    lines = panel_lines(result.stdout)
    assert titles(result.stdout) == ["Punt 1/13 · 2026-014"]
    start = next(i for i, line in enumerate(lines) if line.startswith("╭─ Punt 1/13"))
    assert lines[start + 1] == (
        "Het casusbestand ontbreekt of bevat fouten; hier kan niets worden vastgelegd. Zie "
        "'overleg cases check'.")
    assert result.stderr == ('Fout: regel 3: casus "2026-014" heeft geen geldig casusbestand; '
                             "hier kan niets worden vastgelegd. Zie 'overleg cases check'.\n")


# --- meetings by date ---------------------------------------------------------------------

def test_run_refuses_another_days_open_meeting(started: Path, run,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # A week later the meeting of 01-12 is still open: never recorded in by accident.
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-08")
    result = run("meeting", "run", input="POL K. Bakker\n\nb Iets\n")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Fout: de vergadering van 01-12-2026 is nog open (niet die van 08-12-2026). Sluit die "
        "eerst met 'overleg meeting close', of werk erin verder met --date 01-12-2026.\n")
    result = run("meeting", "run", "--date", "01-12-2026", input="POL K. Bakker\n\nb Alsnog\n")
    assert result.exit_code == 0, result.output
    assert outside(result.stdout)[-2:] == [
        "Besluit #2 vastgelegd.",
        "Gestopt bij punt 1 (2026-014). Alles wat is bevestigd, is opgeslagen. 'overleg meeting "
        "run --date 01-12-2026' gaat verder bij punt 2 (2026-027).",
    ]
    missing = run("meeting", "run", "--date", "2026-12-08", input="")
    assert (missing.exit_code, missing.stderr) == (
        1, "Fout: er is geen vergadering op 08-12-2026. Zie 'overleg meeting list'.\n")


# --- attendance -----------------------------------------------------------------------------

@pytest.fixture
def ticking(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's clock moves on a minute at every stamp, as a real meeting's would."""
    stamps = iter(f"2026-12-01T{9 + n // 60:02d}:{n % 60:02d}:00" for n in range(30, 10_000))
    monkeypatch.setattr("overleg.store.now", lambda: next(stamps))


def test_a_restart_never_eats_meeting_lines_as_attendance(started: Path, run, ticking) -> None:
    # Attendance skipped, item 1 shown, quit: the next run is in the meeting, not attendance.
    first = run("meeting", "run", input="\nq\n")
    assert first.exit_code == 0, first.output
    again = run("meeting", "run", input="g 027\n")
    assert again.exit_code == 0, again.output
    assert "Aanwezigheid, één regel per persoon:" not in again.stdout
    assert titles(again.stdout) == ["Punt 1/13 · 2026-014 · J.d.V. (1991)",
                                    "Punt 2/13 · 2026-027 · S.H. (1984)"]


def test_attendance_on_request_late_arrivals_and_departures(started: Path, run) -> None:
    script = ("POL K. Bakker\n\np\nGGZ S. Öztürk\nc 1 POL K. Bakkers\n\n+VT R. Smit\n-POL\n"
              "aanwezig\n-VZ M. de Wit\n\n")
    result = run("meeting", "run", input=script)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert outside(result.stdout)[9:] == [
        "K. Bakker (POL) aanwezig (#1).",
        "Aanwezigheid aanvullen: CODE NAAM (aanwezig), -CODE NAAM (afgemeld) of c NR TEKST; "
        "een lege regel gaat terug naar het punt.",
        "Aanwezig: POL K. Bakker",
        "S. Öztürk (GGZ) aanwezig (#2).",
        "Aanwezigheid #1 gecorrigeerd (was: K. Bakker (POL), aanwezig); nu #3: K. Bakkers (POL), "
        "aanwezig.",
        "Aanwezig: GGZ S. Öztürk, POL K. Bakkers",
        "Aanwezig: GGZ S. Öztürk, POL K. Bakkers",  # back at the item
        "R. Smit (VT) aanwezig (#4).",
        "Aanwezig: GGZ S. Öztürk, POL K. Bakkers, VT R. Smit",
        "Vertrokken: K. Bakkers (POL).",
        "Aanwezig: GGZ S. Öztürk, VT R. Smit",
        "Aanwezigheid aanvullen: CODE NAAM (aanwezig), -CODE NAAM (afgemeld) of c NR TEKST; "
        "een lege regel gaat terug naar het punt.",
        "Aanwezig: GGZ S. Öztürk, VT R. Smit",
        "M. de Wit (VZ) afgemeld (#5).",
        "Aanwezig: GGZ S. Öztürk, VT R. Smit",
        "Gestopt bij punt 1 (2026-014). Alles wat is bevestigd, is opgeslagen. 'overleg meeting "
        "run' gaat verder bij punt 1 (2026-014).",
    ]
    assert titles(result.stdout) == ["Punt 1/13 · 2026-014 · J.d.V. (1991)"]
    store = open_store(started)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        assert [(a.agency, a.name, a.present, a.here) for a in store.attendance(meeting)] == [
            ("GGZ", "S. Öztürk", True, True), ("POL", "K. Bakkers", True, False),
            ("VT", "R. Smit", True, True), ("VZ", "M. de Wit", False, False)]
    finally:
        store.close()


# --- echoes, warnings, corrections --------------------------------------------------------

def test_warnings_follow_the_echo(started: Path, run) -> None:
    script = "POL K. Bakker\n\na POL gisteren Bellen\nv 25-12\nv volgende\ns afgesloten\n"
    result = run("meeting", "run", input=script)
    assert result.exit_code == 0, result.output  # a warning never fails the script
    assert result.stderr == ""
    assert outside(result.stdout)[10:-1] == [
        "Actie #2 voor POL, deadline ma 30-11-2026: Bellen",
        "Let op: de deadline 30-11-2026 ligt in het verleden; de actie staat meteen als te laat. "
        "Pas hem aan met 'overleg action edit 2 --due DATUM'.",
        "Volgende bespreking vr 25-12-2026 (#2).",
        "Let op: 25-12-2026 is geen vergaderdatum volgens het schema; het eerstvolgende overleg "
        "is 29-12-2026.",
        "Volgende bespreking di 08-12-2026 (#3).",  # volgende: the meeting after this one
        "Status wordt afgesloten (#4).",
        'Let op: casus "2026-014" wordt afgesloten maar heeft nog 1 open actie(s): #2. Rond ze '
        "af ('k NR') of laat ze vervallen ('x NR REDEN').",
    ]


def test_undo_correct_and_cancel(started: Path, run) -> None:
    script = ("POL K. Bakker\n\nb Verkeerd besluit\nn Notitie met tikfout\na POL +2w Bellen\n"
              "u\nu\nc 3 Notitie zonder tikfout\n\ng 005\nx 1 Niet meer nodig\nk 1\n")
    result = run("meeting", "run", input=script)
    assert result.exit_code == 1
    assert outside(result.stdout)[10:-1] == [
        "Besluit #2 vastgelegd.",
        "Notitie #3 vastgelegd.",
        "Actie #2 voor POL, deadline di 15-12-2026: Bellen",
        "Ongedaan gemaakt: actie #2 voor POL, deadline di 15-12-2026: Bellen — vervallen, niet "
        "in het verslag.",
        "Ongedaan gemaakt: notitie #3 (Notitie met tikfout) is ingetrokken.",
        "Actie #1 vervalt: Niet meer nodig.",
    ]
    assert result.stderr == (
        "Fout: regel 8: #3 is ingetrokken en kan niet meer worden gewijzigd.\n"
        "Fout: regel 12: actie #1 is al vervallen.\n")
    entries = json.loads(run("meeting", "entries", "--json").stdout)
    assert [(e["id"], e["kind"], e["case"], e["status"]) for e in entries] == [
        (1, "attendance", None, "active"), (2, "decision", "2026-014", "active"),
        (3, "note", "2026-014", "withdrawn")]
    fix = run("meeting", "run", input="g 014\nc 2 Goed besluit\n")
    assert "Besluit #2 gecorrigeerd (was: Verkeerd besluit); nu #4: Goed besluit." in fix.stdout
    actions = json.loads(run("action", "list", "--status", "all", "--json").stdout)
    assert [(a["id"], a["status"]) for a in actions] == [(1, "cancelled"), (2, "cancelled")]


def test_recorded_lines_show_their_numbers(started: Path, run) -> None:
    first = run("meeting", "run", input="POL K. Bakker\n\nb Besluit\nn Notitie\nu\n"
                                        "a POL/J. Morgen +1w Bellen met buren\nv 12-01\n")
    assert first.exit_code == 0, first.output
    again = run("meeting", "run", input="g 014\n")
    lines = panel_lines(again.stdout)
    start = lines.index("Vastgelegd in dit overleg")
    assert lines[start + 1:start + 4] == [
        "  besluit #2: Besluit",
        "  actie #2 voor POL/J. Morgen, deadline di 08-12-2026: Bellen met buren",
        "  volgende bespreking di 12-01-2027 (#4)",
    ]
    assert lines[start + 4].startswith("╰")


# --- the agenda from the screen -------------------------------------------------------------

def test_put_a_case_on_the_agenda_from_the_screen(started: Path, run) -> None:
    result = run("meeting", "run", input="POL K. Bakker\n\n+ 033 vraag van de GGZ\n"
                                         "n Besproken\n")
    assert result.exit_code == 0, result.output
    assert 'Casus "2026-033" staat op de agenda als punt 14 (10 min).' in outside(result.stdout)
    assert titles(result.stdout)[-1] == "Punt 14/14 · 2026-033 · Y.E. (2001)"
    lines = panel_lines(result.stdout)
    start = next(i for i, line in enumerate(lines) if line.startswith("╭─ Punt 14/14"))
    assert lines[start + 2] == "reden         toegevoegd door de voorzitter: vraag van de GGZ"
    agenda = json.loads(run("agenda", "show", "--json").stdout)
    assert agenda["items"][-1]["case"] == "2026-033"


def test_an_action_of_a_case_not_on_the_agenda_is_no_dead_end(example_ws: Path, run,
                                                               meeting_day) -> None:
    assert run("action", "add", "2026-033", "--owner", "GGZ", "--due", "2026-12-15",
               "Behandelaar kiezen").exit_code == 0  # before the meeting
    assert run("meeting", "start").exit_code == 0
    result = run("meeting", "run", input="POL K. Bakker\n\nk 1 Gekozen\n")
    assert result.exit_code == 0, result.output
    assert ('Actie #1 afgerond. Casus "2026-033" staat niet op de agenda: dit telt niet als '
            "bespreking ervan (zet hem erop met + 2026-033).") in outside(result.stdout)


# --- the panel: last time's decisions, reasons, the schedule ---------------------------------

def test_a_returning_case_shows_last_times_decisions(demo_ws: Path, run,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-15")
    assert run("meeting", "start").exit_code == 0
    result = run("meeting", "run", input="\ng 027\n")
    assert result.exit_code == 0, result.output
    lines = panel_lines(result.stdout)
    start = next(i for i, line in enumerate(lines) if "· 2026-027 ·" in line)
    assert ("Vorige keer (01-12-2026) besloten: Veilig Thuis en politie stemmen het "
            "veiligheidsplan af.") in lines[start:]


def test_the_panel_runs_behind_with_shifted_times(started: Path, run,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("overleg.live.wall_clock", lambda: datetime(2026, 12, 1, 9, 52))
    result = run("meeting", "run", input="POL K. Bakker\n\n")
    panel_end = next(line for line in result.stdout.splitlines() if line.startswith("╰"))
    assert panel_end.endswith("─ 09:52–10:07 · 15 min · 22 min achter (gepland 09:30–09:45) ─╯")


# --- the screen itself: Ctrl-C, the toolbar ---------------------------------------------------

def screen_on(ws_path: Path, lines: list[str | Interrupted]) -> tuple[Screen, io.StringIO]:
    """A terminal screen on the open meeting, reading `lines` (an Interrupted is a Ctrl-C
    with that text typed)."""
    from overleg.agenda import agenda_view
    from overleg.casecache import load_cases

    ws = load_workspace(ws_path)
    store = Store.open(ws.db_path)
    cases = load_cases(ws)
    meeting = store.open_meeting()
    assert meeting is not None
    entries = agenda_view(store, meeting, cases.by_id(), ws.config).entries
    output = io.StringIO()
    screen = Screen(Walk.resume(store, ws, meeting, entries, cases),
                    Console(file=output, width=200, color_system=None), interactive=True)
    feed: Iterator[str | Interrupted] = iter(lines)

    def reader(prompt: str) -> str | None:
        line = next(feed, None)
        if isinstance(line, Interrupted):
            raise line
        return line

    screen.reader = reader
    return screen, output


HINT = "Ctrl-C nogmaals of q om te stoppen."


def test_ctrl_c_clears_the_line_and_twice_quits(started: Path) -> None:
    screen, output = screen_on(started, [
        "POL K. Bakker", "", Interrupted("b Half getypt"), "b Wel bevestigd",
        Interrupted(""), "n Toch verder", Interrupted("n Weer half"), Interrupted("n nog"),
        Interrupted(""), "b Nooit gelezen"])
    assert screen.run() == 130
    shown = outside(output.getvalue())
    assert shown[10:] == [
        f"Regel gewist; er is niets vastgelegd. {HINT}",
        "Besluit #2 vastgelegd.",
        HINT,
        "Notitie #3 vastgelegd.",  # a line in between: the next Ctrl-C starts again
        f"Regel gewist; er is niets vastgelegd. {HINT}",
        f"Regel gewist; er is niets vastgelegd. {HINT}",  # text typed again: cleared again
        "Gestopt bij punt 1 (2026-014). Alles wat is bevestigd, is opgeslagen. 'overleg "
        "meeting run' gaat verder bij punt 2 (2026-027).",
    ]
    store = screen.walk.store
    assert [e.text for e in store.entries(screen.walk.meeting)] == ["Wel bevestigd",
                                                                     "Toch verder"]
    store.close()


def test_ctrl_c_then_q_quits_normally(started: Path) -> None:
    screen, output = screen_on(started, ["", Interrupted(""), "q"])
    assert screen.run() == 0
    assert HINT in output.getvalue()


def test_toolbar_shows_the_time_box_and_the_schedule(started: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    screen, _ = screen_on(started, [])
    screen.walk.clock = lambda: 0.0

    def bar() -> str:
        return "".join(text for _, text in screen.toolbar())

    assert bar() == " aanwezigheid │ klok 09:30, einde overleg 11:30 │ ? hulp "
    screen.begin()
    assert bar() == (" punt 1/13 2026-014 │ 00:00 / 15:00 │ gepland 09:30–09:45 │ op schema │ "
                     "klok 09:30, einde overleg 11:30 │ ? hulp ")
    monkeypatch.setattr("overleg.live.wall_clock", lambda: datetime(2026, 12, 1, 9, 52))
    assert bar() == (" punt 1/13 2026-014 │ 00:00 / 15:00 │ nu 09:52–10:07 (gepland 09:30–09:45) "
                     "│ 22 min achter │ klok 09:52, einde overleg 11:52 (gepland 11:30) │ ? hulp ")
    screen.walk.store.close()


def test_after_a_kill_the_screen_resumes_at_the_item_with_its_time(
        started: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(started)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        store.attend(meeting, "POL", "K. Bakker", True)
        store.add_entry(meeting, "2026-014", "note", "Besproken.")
        stamps = iter(["2026-12-01T09:40:00", "2026-12-01T09:44:30", "2026-12-01T09:45:00"])
        monkeypatch.setattr("overleg.store.now", lambda: next(stamps))
        store.set_current_item(meeting, "2026-027")  # the screen on item 2 at 09:40, killed
    finally:
        store.close()
    result = run("meeting", "run", input="q\n")  # started again at 09:44:30
    assert result.exit_code == 0, result.output
    assert outside(result.stdout)[1] == ("Verder bij punt 2: daar was de bespreking gebleven "
                                         "(al 04:30 op dit punt).")
    assert titles(result.stdout) == ["Punt 2/13 · 2026-027 · S.H. (1984)"]
    store = open_store(started)
    try:
        assert [i.spent for i in store.items(store.open_meeting())][:2] == [0, 300]
    finally:
        store.close()
