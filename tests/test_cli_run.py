"""`overleg meeting run` scripted through stdin (no terminal): same grammar, same echoes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

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


@pytest.fixture
def started(example_ws: Path, run) -> Path:
    """The example meeting of 2026-12-01 open, with one earlier action (#1, case 2026-005)."""
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
        "  (lege regel)  verder naar de agendapunten",
        "  q             stoppen",
        "K. Bakker (POL) aanwezig.",
        "S. Öztürk (GGZ) aanwezig.",
        "M. de Wit (VZ) afgemeld.",
        "Besluit vastgelegd.",
        "Notitie vastgelegd.",
        "Actie #2 voor POL, deadline za 12-12-2026",
        "Actie #3 voor GGZ/S. Öztürk, deadline di 15-12-2026",
        "Volgende bespreking di 12-01-2027.",
        "Status wordt actief.",
        "Notitie vastgelegd.",
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
    assert actions == [
        {"id": 1, "case": "2026-005", "owner": "POL", "who": None,
         "text": "Wijkagent belt [bold]buren[/bold]", "due": "2026-11-27", "status": "done",
         "meeting": None},
        {"id": 2, "case": "2026-014", "owner": "POL", "who": None,
         "text": "Huisbezoek met wijkteam", "due": "2026-12-12", "status": "open",
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
    assert lines[start + 11].endswith("─ 10:05–10:15 · 10 min ─╯")
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
    assert lines[start + 1] == "  besluit: Derde punt besloten."
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
    # 't' went back to the last item, the empty line on to the end again.
    assert outside(result.stdout)[-9:] == [
        "K. Bakker (POL) aanwezig.", "Status wordt nazorg.", *end, *end,
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
    result = run("meeting", "run", input="POL K. Bakker\n\n")
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
        "Fout: regel 4: onbekende regel: begin met b, n, a, k, v of s en een spatie, of gebruik "
        "g, t, q of een lege regel. Typ ? voor hulp. Er is niets vastgelegd.",
        'Fout: regel 5: VT is geen partner van casus "2026-014" (partners: RN, POL, GGZ, WT, GEM).',
        'Fout: regel 6: actie #1 hoort bij casus "2026-005", niet bij dit punt ("2026-014"). '
        "Ga erheen met g 2026-005. Er is niets vastgelegd.",
        "Fout: regel 7: de volgende bespreking (30-11-2026) moet na de vergadering van "
        "01-12-2026 liggen.",
        "Fout: regel 8: status 'weg' bestaat niet. Kies uit: aangemeld, actief, nazorg, "
        "afgesloten.",
        'Fout: regel 9: casus "2026-099" staat niet op de agenda van deze vergadering.',
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
    assert "                           (de naam loopt tot het eerste woord dat een datum is)" \
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
