"""`overleg agenda ...` through the real CLI on a copy of the example workspace."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest

from overleg.store import Store

EXPECTED = Path(__file__).resolve().parent / "expected"

# The example workspace on 01-12-2026 without history (see examples/README.md).
EXAMPLE_ITEMS = [
    (1, "2026-014", ["new"], 15, "09:30", True),
    (2, "2026-027", ["requested", "review"], 10, "09:45", True),
    (3, "2026-019", ["supervision_ending"], 10, "09:55", True),
    (4, "2026-005", ["review"], 10, "10:05", True),
    (5, "2026-017", ["review"], 10, "10:15", True),
    (6, "2026-041", ["new"], 20, "10:25", True),
    (7, "2026-038", ["new"], 15, "10:45", True),
    (8, "2026-022", ["requested"], 10, "11:00", True),
    (9, "2026-024", ["review", "supervision_ending"], 10, "11:10", True),
    (10, "2026-031", ["review"], 10, "11:20", True),
    (11, "2026-021", ["review"], 10, "11:30", False),
    (12, "2026-003", ["review"], 10, "11:40", False),
    (13, "2026-009", ["review"], 10, "11:50", False),
]

SHOW = """\
Agenda 01-12-2026 (gepland)
 #  tijd   casus     persoon          redenen                       min
 1  09:30  2026-014  J.d.V. (1991)    nieuwe aanmelding              15
 2  09:45  2026-027  S.H. (1984)      op verzoek, evaluatie          10
 3  09:55  2026-019  D.R. (1998)      toezicht loopt af              10
 4  10:05  2026-005  L.M. (1986)      evaluatie                      10
 5  10:15  2026-017  F.Y. (1972)      evaluatie                      10
 6  10:25  2026-041  R.K. (1958)      nieuwe aanmelding              20
 7  10:45  2026-038  M.B. (1987)      nieuwe aanmelding              15
 8  11:00  2026-022  K.B. (1979)      op verzoek                     10
 9  11:10  2026-024  T.O. (1993)      evaluatie, toezicht loopt af   10
10  11:20  2026-031  A.v.d.B. (1996)  evaluatie                      10
11  11:30  2026-021  G.T. (1963)      evaluatie                      10  past niet
12  11:40  2026-003  W.S. (1980)      evaluatie                      10  past niet
13  11:50  2026-009  P.W. (1969)      evaluatie                      10  past niet
Totaal 150 van 120 minuten — 3 punten passen niet.
"""

REPLACED = ("Agenda van 01-12-2026 vervangen (handmatige wijzigingen vervallen; gebruik --keep "
            "om ze te bewaren).\n")


def items(result) -> list[tuple]:
    data = json.loads(result.stdout)
    return [(i["position"], i["case"], i["reasons"], i["minutes"], i["start"], i["fits"])
            for i in data["items"]]


def order(run, *date_args: str) -> list[str]:
    result = run("agenda", "show", *date_args, "--json")
    assert result.exit_code == 0, result.output
    return [i["case"] for i in json.loads(result.stdout)["items"]]


def set_status(ws: Path, on: date, status: str) -> None:
    store = Store.open(ws / "overleg.db", actor="test")
    try:
        meeting = store.meeting(on)
        assert meeting is not None
        store.set_meeting_status(meeting, status, "test")
    finally:
        store.close()


# --- build and show --------------------------------------------------------------------

def test_build_json_is_the_design_shape(run, example_ws):
    result = run("agenda", "build", "--date", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert list(data) == ["date", "status", "items"]
    assert (data["date"], data["status"]) == ("2026-12-01", "planned")
    assert data["items"][0] == {"position": 1, "case": "2026-014", "reasons": ["new"],
                                "minutes": 15, "start": "09:30", "fits": True}
    assert items(result) == EXAMPLE_ITEMS


def test_build_json_prints_what_show_json_prints(run, example_ws):
    built = run("agenda", "build", "--date", "1-12-2026", "--json")
    shown = run("agenda", "show", "--date", "2026-12-01", "--json")
    assert shown.exit_code == 0
    assert built.stdout == shown.stdout


def test_build_and_show_print_the_table(run, example_ws):
    built = run("agenda", "build", "--date", "2026-12-01")
    assert built.exit_code == 0
    assert built.stdout == SHOW
    shown = run("agenda", "show", "--date", "2026-12-01")
    assert (shown.exit_code, shown.stdout, shown.stderr) == (0, SHOW, "")


def test_without_date_the_next_meeting_of_the_schedule_is_meant(run, example_ws):
    result = run("agenda", "build", "--json")
    assert json.loads(result.stdout)["date"] == "2026-12-01"  # today is Saturday 28-11
    assert order(run) == [i[1] for i in EXAMPLE_ITEMS]


@pytest.mark.parametrize("text", ["dinsdag", "volgende", "1 december 2026", "01-12", "+3d"])
def test_dutch_and_relative_dates(run, example_ws, text):
    result = run("agenda", "build", "--date", text, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["date"] == "2026-12-01"


def test_rebuild_replaces_and_says_so(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    run("agenda", "drop", "2026-014", "--date", "2026-12-01")
    result = run("agenda", "build", "--date", "2026-12-01", "--json")
    assert result.exit_code == 0
    assert result.stderr == REPLACED
    assert items(result) == EXAMPLE_ITEMS


def test_rebuild_keep_keeps_the_chairs_changes(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    assert run("agenda", "add", "2026-033", "--date", "2026-12-01", "--minutes", "5").exit_code == 0
    assert run("agenda", "drop", "2026-009", "--date", "2026-12-01").exit_code == 0
    assert run("agenda", "move", "2026-021", "1", "--date", "2026-12-01").exit_code == 0
    # A new case arrives; 2026-022 is no longer requested.
    new = (example_ws / "casussen" / "2026-014-jdv.md").read_text(encoding="utf-8")
    (example_ws / "casussen" / "2026-050.md").write_text(
        new.replace("id: 2026-014", "id: 2026-050").replace("prioriteit: hoog", "prioriteit: laag"),
        encoding="utf-8")
    path = example_ws / "casussen" / "2026-022-kb.md"
    path.write_text(path.read_text(encoding="utf-8").replace("agenda: ja", "agenda: nee"),
                    encoding="utf-8")
    result = run("agenda", "build", "--date", "2026-12-01", "--keep", "--json")
    assert result.exit_code == 0
    assert result.stderr == ("Agenda van 01-12-2026 opnieuw opgebouwd; toegevoegde, geschrapte "
                             "en verschoven punten zijn bewaard.\n")
    assert [i[1] for i in items(result)] == [
        "2026-021", "2026-014", "2026-027", "2026-019", "2026-005", "2026-017", "2026-041",
        "2026-038", "2026-024", "2026-031", "2026-003", "2026-033", "2026-050"]
    assert items(result)[11] == (12, "2026-033", [], 5, "11:40", False)
    plain = run("agenda", "build", "--date", "2026-12-01", "--json")
    assert plain.stderr == REPLACED
    assert "2026-033" not in [i[1] for i in items(plain)]
    assert "2026-009" in [i[1] for i in items(plain)]


@pytest.mark.parametrize(("status", "message"), [
    ("open", "Fout: de vergadering van 01-12-2026 is al begonnen; de agenda kan niet opnieuw "
             "worden opgebouwd. Dat kan alleen zolang de agenda gepland is.\n"),
    ("closed", "Fout: de vergadering van 01-12-2026 is gesloten en kan niet meer worden "
               "gewijzigd. Heropen haar met 'overleg meeting reopen --reason ...'.\n"),
])
def test_build_refuses_a_started_or_closed_meeting(run, example_ws, status, message):
    run("agenda", "build", "--date", "2026-12-01")
    run("agenda", "drop", "2026-014", "--date", "2026-12-01")
    set_status(example_ws, date(2026, 12, 1), status)
    result = run("agenda", "build", "--date", "2026-12-01")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    shown = json.loads(run("agenda", "show", "--date", "2026-12-01", "--json").stdout)
    assert shown["status"] == status
    assert "2026-014" not in [i["case"] for i in shown["items"]]


def test_build_off_schedule_warns(run, example_ws):
    result = run("agenda", "build", "--date", "2026-12-02", "--json")
    assert result.exit_code == 0
    assert result.stderr == ("Let op: woensdag 2 december 2026 is geen datum uit het schema "
                             "van het overleg.\n")


def test_build_with_a_broken_case_file_builds_the_rest_and_fails(run, example_ws):
    (example_ws / "casussen" / "kapot.md").write_text("---\nid: 2026-099\n---\n",
                                                      encoding="utf-8")
    result = run("agenda", "build", "--date", "2026-12-01", "--json")
    assert result.exit_code == 1
    assert "casussen/kapot.md:1: verplichte sleutel 'initialen' ontbreekt" in result.stderr
    assert items(result) == EXAMPLE_ITEMS
    assert order(run, "--date", "2026-12-01") == [i[1] for i in EXAMPLE_ITEMS]


@pytest.mark.parametrize("verb", [["build"], ["show"], ["render"], ["add", "2026-033"],
                                  ["drop", "2026-014"], ["move", "2026-014", "2"]])
def test_bad_date_is_refused(run, example_ws, verb):
    result = run("agenda", *verb, "--date", "31-02-2026")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: '31-02-2026' is geen geldige datum (gebruik bijv. "
                             "2026-12-01, 1-12-2026, 15-12, morgen, +2w, over 2 weken of "
                             "dinsdag)\n")


@pytest.mark.parametrize("verb", [["show"], ["render"], ["add", "2026-033"],
                                  ["drop", "2026-014"], ["move", "2026-014", "2"]])
def test_commands_need_a_built_agenda(run, example_ws, verb):
    result = run("agenda", *verb, "--date", "2026-12-08")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: geen agenda voor 08-12-2026; maak er een met 'overleg "
                             "agenda build --date 2026-12-08'\n")


def test_show_of_an_empty_agenda(run, empty_ws):
    assert run("agenda", "build", "--date", "2026-12-01").stdout == (
        "Agenda 01-12-2026 (gepland): geen punten.\n")
    result = run("agenda", "show", "--date", "2026-12-01", "--json")
    assert json.loads(result.stdout) == {"date": "2026-12-01", "status": "planned", "items": []}


def test_show_marks_additions_and_a_total_that_fits(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    for case_id in ("2026-021", "2026-003", "2026-009", "2026-038"):
        run("agenda", "drop", case_id, "--date", "2026-12-01")
    run("agenda", "add", "2026-033", "--date", "2026-12-01", "--reason", "vraag [GGZ]",
        "--minutes", "5")
    result = run("agenda", "show", "--date", "2026-12-01")
    lines = result.stdout.splitlines()
    assert lines[-2] == ("10  11:15  2026-033  Y.E. (2001)      toegevoegd: vraag [GGZ]"
                         "         5")
    assert lines[-1] == "Totaal 110 van 120 minuten — alles past."


# --- add, drop, move -------------------------------------------------------------------

def test_add_drop_move(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    added = run("agenda", "add", "2026-033", "--date", "2026-12-01", "--reason", "vraag GGZ")
    assert (added.exit_code, added.stdout, added.stderr) == (
        0, "", "Casus 2026-033 staat op de agenda van 01-12-2026 als punt 14.\n")
    dropped = run("agenda", "drop", "2026-014", "--date", "2026-12-01")
    assert (dropped.exit_code, dropped.stderr) == (
        0, "Casus 2026-014 is van de agenda van 01-12-2026 gehaald.\n")
    moved = run("agenda", "move", "2026-033", "1", "--date", "2026-12-01")
    assert (moved.exit_code, moved.stderr) == (
        0, "Casus 2026-033 staat nu op punt 1 van de agenda van 01-12-2026.\n")
    assert order(run, "--date", "2026-12-01")[:3] == ["2026-033", "2026-027", "2026-019"]
    restored = run("agenda", "add", "2026-014", "--date", "2026-12-01")
    assert restored.stderr == "Casus 2026-014 staat op de agenda van 01-12-2026 als punt 14.\n"
    assert order(run, "--date", "2026-12-01")[-1] == "2026-014"


@pytest.mark.parametrize(("args", "message"), [
    (["add", "2026-099"], "Fout: casus \"2026-099\" bestaat niet. Zie 'overleg cases list'.\n"),
    (["add", "2026-014"], "Fout: casus \"2026-014\" staat al op de agenda van 01-12-2026 "
                          "(punt 1).\n"),
    (["drop", "2026-033"], "Fout: casus \"2026-033\" staat niet op de agenda van 01-12-2026. "
                           "Zie 'overleg agenda show --date 2026-12-01'.\n"),
    (["move", "2026-033", "1"], "Fout: casus \"2026-033\" staat niet op de agenda van "
                                "01-12-2026. Zie 'overleg agenda show --date 2026-12-01'.\n"),
    (["move", "2026-014", "14"], "Fout: positie 14 bestaat niet: de agenda van 01-12-2026 "
                                 "heeft 13 punten; kies 1 tot en met 13.\n"),
    (["move", "2026-014", "0"], "Fout: positie 0 bestaat niet: de agenda van 01-12-2026 "
                                "heeft 13 punten; kies 1 tot en met 13.\n"),
])
def test_edit_refusals(run, example_ws, args, message):
    run("agenda", "build", "--date", "2026-12-01")
    result = run("agenda", *args, "--date", "2026-12-01")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    assert order(run, "--date", "2026-12-01") == [i[1] for i in EXAMPLE_ITEMS]


@pytest.mark.parametrize("args", [["move", "2026-014", "een"], ["add", "2026-033", "--minutes",
                                                                 "0"]])
def test_usage_errors_exit_2(run, example_ws, args):
    run("agenda", "build", "--date", "2026-12-01")
    assert run("agenda", *args, "--date", "2026-12-01").exit_code == 2


def test_edits_refused_on_a_closed_meeting(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    set_status(example_ws, date(2026, 12, 1), "closed")
    closed = ("de vergadering van 01-12-2026 is gesloten en kan niet meer worden gewijzigd. "
              "Heropen haar met 'overleg meeting reopen --reason ...'.")
    for args in (["add", "2026-033"], ["drop", "2026-014"], ["move", "2026-014", "2"]):
        result = run("agenda", *args, "--date", "2026-12-01")
        assert (result.exit_code, result.stderr) == (1, f"Fout: {closed}\n")


def test_add_works_during_the_meeting_drop_does_not(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    set_status(example_ws, date(2026, 12, 1), "open")
    assert run("agenda", "add", "2026-033").exit_code == 0  # the open meeting is the default
    result = run("agenda", "drop", "2026-033")
    assert result.stderr == ("Fout: de vergadering van 01-12-2026 is al begonnen; punten kunnen "
                             "niet meer van de agenda. Dat kan alleen zolang de agenda gepland "
                             "is.\n")
    assert order(run)[-1] == "2026-033"


def test_edits_are_in_the_audit_log(run, example_ws):
    run("--as", "voorzitter", "agenda", "build", "--date", "2026-12-01")
    run("agenda", "add", "2026-033", "--date", "2026-12-01", "--reason", "geheim detail")
    run("agenda", "drop", "2026-014", "--date", "2026-12-01")
    run("agenda", "move", "2026-033", "1", "--date", "2026-12-01")
    store = Store.open(example_ws / "overleg.db")
    try:
        log = [(e.who, e.action, e.case_id, e.meeting) for e in store.audit_log()]
    finally:
        store.close()
    assert log[:2] == [("voorzitter", "meeting.plan", None, "2026-12-01"),
                       ("voorzitter", "agenda.build", None, "2026-12-01")]
    assert [entry[1:] for entry in log[2:]] == [
        ("agenda.add", "2026-033", "2026-12-01"), ("agenda.drop", "2026-014", "2026-12-01"),
        ("agenda.move", "2026-033", "2026-12-01")]


# --- render ----------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "partner"), [("md", None), ("txt", "POL"), ("html", "POL")])
def test_render_to_stdout_matches_the_golden_file(run, example_ws, fmt, partner):
    run("agenda", "build", "--date", "2026-12-01")
    args = ["agenda", "render", "--date", "2026-12-01", "--format", fmt]
    if partner:
        args += ["--partner", partner.lower()]  # any letter case
    result = run(*args)
    assert (result.exit_code, result.stderr) == (0, "")
    name = f"agenda-{partner}.{fmt}" if partner else f"agenda.{fmt}"
    assert result.stdout == (EXPECTED / name).read_text(encoding="utf-8")


def test_render_defaults_to_markdown_of_the_next_meeting(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    assert run("agenda", "render").stdout == (EXPECTED / "agenda.md").read_text(encoding="utf-8")


def test_render_to_a_file(run, example_ws, tmp_path):
    run("agenda", "build", "--date", "2026-12-01")
    target = tmp_path / "uit" / "nieuw" / "agenda-POL.html"
    result = run("agenda", "render", "--partner", "POL", "--format", "html", "-o", str(target))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"Agenda geschreven naar {target}.\n"
    assert target.read_text(encoding="utf-8") == (EXPECTED / "agenda-POL.html").read_text(
        encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700


def test_render_refuses_unknown_partner_and_format(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    result = run("agenda", "render", "--partner", "BOA")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: partner 'BOA' staat niet in overleg.toml. Bekend: RN, POL, "
                             "GEM, OM, GGZ, VT, WT, WC, VZ.\n")
    result = run("agenda", "render", "--format", "pdf")
    assert result.exit_code == 2
    assert "'pdf' is niet een van 'md', 'html', 'txt'" in result.stderr


def test_render_reports_a_broken_workspace_template(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    (example_ws / "templates" / "agenda.md").write_text("{{ meeting.date|datum }\n",
                                                        encoding="utf-8")
    result = run("agenda", "render")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: templates/agenda.md:1: onverwacht '}' (fout in het "
                             "sjabloon)\n")


def test_render_of_a_case_file_that_broke_since_the_build(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    (example_ws / "casussen" / "2026-014-jdv.md").write_text("kapot\n", encoding="utf-8")
    result = run("agenda", "render", "--format", "txt")
    assert result.exit_code == 0
    assert ("1. 09:30–09:45  2026-014\n------------------------\n   Reden: nieuwe aanmelding\n"
            "   Duur: 15 minuten\n   Het casusbestand ontbreekt of bevat fouten; zie 'overleg "
            "cases check'.\n") in result.stdout
    assert "casussen/2026-014-jdv.md:1: geen front matter" in result.stderr
    partner = run("agenda", "render", "--partner", "RN")
    assert "2026-014" not in partner.stdout


# --- help ------------------------------------------------------------------------------

@pytest.mark.parametrize("verb", ["build", "show", "add", "drop", "move", "render"])
def test_every_command_has_dutch_help_with_an_example(run, verb):
    result = run("agenda", verb, "--help")
    assert result.exit_code == 0
    assert f"Voorbeeld: overleg agenda {verb}" in result.stdout
