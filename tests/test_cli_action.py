"""`overleg action add/done/list` through the real CLI on a copy of the example workspace."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

KNOWN = "Bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ."
HEADER = "#  casus     eigenaar       deadline    actie                       status"


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def failed(result, stderr: str, code: int = 1) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def rows(stdout: str) -> list[str]:
    """Table lines without the padding rich puts at the end."""
    return [line.rstrip() for line in stdout.splitlines()]


def actions(ws: Path) -> list[tuple]:
    conn = sqlite3.connect(ws / "overleg.db")
    try:
        return conn.execute("SELECT id, case_id, owner, who, text, due, status, meeting_id "
                            "FROM actions ORDER BY id").fetchall()
    finally:
        conn.close()


# --- add ---------------------------------------------------------------------------------

def test_add_outside_a_meeting(run, example_ws):
    result = run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12",
                 "Buurtonderzoek")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "Actie #1 voor POL, deadline di 15-12-2026.\n"
    assert actions(example_ws) == [(1, "2026-014", "POL", None, "Buurtonderzoek", "2026-12-15",
                                    "open", None)]


def test_add_with_who_names_the_person(run, example_ws):
    assert ok(run("action", "add", "2026-014", "--owner", "ggz", "--who", " S. Öztürk ",
                  "--due", "+2w", "Verkennend onderzoek")) == (
        "Actie #1 voor GGZ/S. Öztürk, deadline za 12-12-2026.\n")
    assert actions(example_ws)[0][2:4] == ("GGZ", "S. Öztürk")


@pytest.mark.parametrize("case_id, owner, why", [
    ("2026-014", "GEM", "regie, not under partners"),
    ("2026-041", "WT", "aangemeld_door and regie, not under partners"),
    ("2026-041", "GGZ", "under partners"),
])
def test_regie_and_aangemeld_door_are_partners(run, example_ws, case_id, owner, why):
    assert ok(run("action", "add", case_id, "--owner", owner, "--due", "2026-12-15",
                  "Tekst")) == f"Actie #1 voor {owner}, deadline di 15-12-2026.\n", why


@pytest.mark.parametrize("args, stderr", [
    (("2026-014", "--owner", "VT"), 'Fout: VT is geen partner van casus "2026-014" (partners: '
                                    "RN, POL, GGZ, WT, GEM).\n"),
    (("2026-041", "--owner", "RN"), 'Fout: RN is geen partner van casus "2026-041" (partners: '
                                    "GEM, GGZ, WT).\n"),
    (("2026-014", "--owner", "KMAR"), f"Fout: partner 'KMAR' staat niet in overleg.toml. "
                                      f"{KNOWN}\n"),
    (("2026-099", "--owner", "POL"), "Fout: casus \"2026-099\" bestaat niet. Zie 'overleg "
                                     "cases list'.\n"),
])
def test_add_refusals(run, example_ws, args, stderr):
    failed(run("action", "add", *args, "--due", "15-12", "Tekst"), stderr)
    assert not (example_ws / "overleg.db").exists() or actions(example_ws) == []


def test_add_without_text_or_with_a_bad_deadline(run, example_ws):
    failed(run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12", "  "),
           "Fout: de actie heeft geen tekst; beschrijf wat er moet gebeuren.\n")
    failed(run("action", "add", "2026-014", "--owner", "POL", "--due", "volgende week",
               "Tekst"),
           "Fout: 'volgende week' is geen geldige datum (gebruik bijv. 2026-12-01, 1-12-2026, "
           "15-12, morgen, +2w, over 2 weken of dinsdag)\n")


@pytest.mark.parametrize("missing", ["--owner", "--due"])
def test_owner_and_deadline_are_required(run, example_ws, missing):
    args = {"--owner": "POL", "--due": "15-12"}
    del args[missing]
    result = run("action", "add", "2026-014", *[x for kv in args.items() for x in kv], "Tekst")
    assert result.exit_code == 2
    assert f"Fout: de optie {missing} ontbreekt." in result.stderr


@pytest.mark.usefixtures("meeting_day")
def test_add_in_an_open_meeting(run, example_ws):
    ok(run("meeting", "start", "--date", "2026-12-01"))
    assert ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12", "A")) == (
        "Actie #1 voor POL, deadline di 15-12-2026.\n")
    failed(run("action", "add", "2026-033", "--owner", "POL", "--due", "15-12", "B"),
           'Fout: casus "2026-033" staat niet op de agenda van 01-12-2026. Gebruik --add om '
           "hem toe te voegen.\n")
    assert ok(run("action", "add", "2026-033", "--owner", "POL", "--due", "15-12", "B",
                  "--add")) == "Actie #2 voor POL, deadline di 15-12-2026.\n"
    assert [a[1] for a in actions(example_ws)] == ["2026-014", "2026-033"]
    assert [a["meeting"] for a in json.loads(ok(run("action", "list", "--json")))] == [
        "2026-12-01", "2026-12-01"]
    assert json.loads(ok(run("agenda", "show", "--json")))["items"][-1]["case"] == "2026-033"


def test_add_after_the_meeting_closed_belongs_to_no_meeting(run, example_ws):
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("meeting", "close"))
    assert ok(run("action", "add", "2026-033", "--owner", "GGZ", "--due", "15-12", "C")) == (
        "Actie #1 voor GGZ, deadline di 15-12-2026.\n")
    assert actions(example_ws)[0][7] is None


# --- done --------------------------------------------------------------------------------

def test_done(run, example_ws):
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12", "A"))
    result = run("action", "done", "1", "--comment", "Gesprek gevoerd")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "Actie #1 (2026-014, POL) is afgerond.\n"
    conn = sqlite3.connect(example_ws / "overleg.db")
    try:
        assert conn.execute("SELECT status, done_comment, done_meeting_id FROM actions"
                            ).fetchall() == [("done", "Gesprek gevoerd", None)]
    finally:
        conn.close()
    failed(run("action", "done", "1"), "Fout: actie #1 is al afgerond.\n")
    failed(run("action", "done", "7"), "Fout: actie #7 bestaat niet. Zie 'overleg action "
                                       "list'.\n")
    assert run("action", "done", "een").exit_code == 2


@pytest.mark.usefixtures("meeting_day")
def test_done_in_the_meeting_counts_as_discussed(run, example_ws):
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12", "A"))
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("action", "done", "1"))
    result = run("meeting", "close")
    assert result.stderr == "2026-014: status bijgewerkt in het casusbestand.\n"


# --- list --------------------------------------------------------------------------------

@pytest.fixture
def listed(run, example_ws) -> Path:
    """Six actions: two overdue on 28-11-2026, one due today, one done, one in a meeting."""
    for args in (
        ("2026-014", "--owner", "POL", "--due", "2026-11-20", "Buurtonderzoek [b]doen[/b]"),
        ("2026-014", "--owner", "GGZ", "--who", "S. Öztürk", "--due", "15-12",
         "Verkennend onderzoek"),
        ("2026-005", "--owner", "POL", "--due", "2026-11-27", "PV delen met OM"),
        ("2026-012", "--owner", "RN", "--due", "vandaag", "Schuldhulp navragen"),
        ("2026-017", "--owner", "WC", "--due", "2026-11-10", "Voorstel regeling"),
    ):
        ok(run("action", "add", *args))
    ok(run("action", "done", "5"))
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("action", "add", "2026-014", "--owner", "WT", "--due", "8-12", "Contact met de zus",
           "--date", "2026-12-01"))  # the open meeting is not today's: --date names it
    return example_ws


def test_list_open_overdue_first_and_marked(run, listed):
    result = run("action", "list")
    assert (result.exit_code, result.stderr) == (0, "")
    assert rows(result.stdout) == [
        HEADER,
        "1  2026-014  POL            20-11-2026  Buurtonderzoek [b]doen[/b]  TE LAAT",
        "3  2026-005  POL            27-11-2026  PV delen met OM             TE LAAT",
        "4  2026-012  RN             28-11-2026  Schuldhulp navragen         open",
        "6  2026-014  WT             08-12-2026  Contact met de zus          open",
        "2  2026-014  GGZ/S. Öztürk  15-12-2026  Verkennend onderzoek        open",
    ]


def test_list_done_and_all(run, listed):
    assert rows(ok(run("action", "list", "--status", "done"))) == [
        "#  casus     eigenaar  deadline    actie              status",
        "5  2026-017  WC        10-11-2026  Voorstel regeling  afgerond 28-11-2026",
    ]
    assert rows(ok(run("action", "list", "--status", "all"))) == [
        HEADER,
        "1  2026-014  POL            20-11-2026  Buurtonderzoek [b]doen[/b]  TE LAAT",
        "3  2026-005  POL            27-11-2026  PV delen met OM             TE LAAT",
        "5  2026-017  WC             10-11-2026  Voorstel regeling           afgerond 28-11-2026",
        "4  2026-012  RN             28-11-2026  Schuldhulp navragen         open",
        "6  2026-014  WT             08-12-2026  Contact met de zus          open",
        "2  2026-014  GGZ/S. Öztürk  15-12-2026  Verkennend onderzoek        open",
    ]


@pytest.mark.parametrize("args", [("--overdue",), ("--overdue", "--status", "all"),
                                  ("--overdue", "--partner", "pol")])
def test_list_overdue_is_relative_to_today(run, listed, args):
    assert rows(ok(run("action", "list", *args))) == [
        "#  casus     eigenaar  deadline    actie                       status",
        "1  2026-014  POL       20-11-2026  Buurtonderzoek [b]doen[/b]  TE LAAT",
        "3  2026-005  POL       27-11-2026  PV delen met OM             TE LAAT",
    ]


def test_overdue_moves_with_today(run, listed, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-09")
    assert [line.split()[0] for line in rows(ok(run("action", "list", "--overdue")))[1:]] == [
        "1", "3", "4", "6"]
    monkeypatch.setenv("OVERLEG_TODAY", "2026-11-20")
    assert ok(run("action", "list", "--overdue")) == "Geen acties over de deadline.\n"


def test_list_per_partner(run, listed):
    assert [line.split()[0] for line in rows(ok(run("action", "list", "--partner", "POL")))[
        1:]] == ["1", "3"]
    assert ok(run("action", "list", "--partner", "VZ")) == "Geen open acties.\n"
    assert ok(run("action", "list", "--partner", "WC", "--status", "all", "--json")).count(
        '"id"') == 1


OPEN = {"done_on": None, "comment": None}


def test_list_json_shape(run, listed):
    data = json.loads(ok(run("action", "list", "--status", "all", "--json")))
    assert all(list(row) == ["id", "case", "owner", "who", "text", "due", "status", "meeting",
                             "done_on", "comment"] for row in data)
    assert {type(row["id"]) for row in data} == {int}
    assert data == [
        {"id": 5, "case": "2026-017", "owner": "WC", "who": None, "text": "Voorstel regeling",
         "due": "2026-11-10", "status": "done", "meeting": None, "done_on": "2026-11-28",
         "comment": None},
        {"id": 1, "case": "2026-014", "owner": "POL", "who": None,
         "text": "Buurtonderzoek [b]doen[/b]", "due": "2026-11-20", "status": "open",
         "meeting": None, **OPEN},
        {"id": 3, "case": "2026-005", "owner": "POL", "who": None, "text": "PV delen met OM",
         "due": "2026-11-27", "status": "open", "meeting": None, **OPEN},
        {"id": 4, "case": "2026-012", "owner": "RN", "who": None,
         "text": "Schuldhulp navragen", "due": "2026-11-28", "status": "open",
         "meeting": None, **OPEN},
        {"id": 6, "case": "2026-014", "owner": "WT", "who": None, "text": "Contact met de zus",
         "due": "2026-12-08", "status": "open", "meeting": "2026-12-01", **OPEN},
        {"id": 2, "case": "2026-014", "owner": "GGZ", "who": "S. Öztürk",
         "text": "Verkennend onderzoek", "due": "2026-12-15", "status": "open",
         "meeting": None, **OPEN},
    ]
    assert [row["id"] for row in json.loads(ok(run("action", "list", "--json")))] == [
        1, 3, 4, 6, 2]
    assert [row["id"] for row in json.loads(ok(run("action", "list", "--overdue", "--json")))
            ] == [1, 3]


@pytest.mark.parametrize("args, stdout", [
    ((), "Geen open acties.\n"),
    (("--status", "done"), "Geen afgeronde acties.\n"),
    (("--status", "all"), "Geen acties.\n"),
    (("--overdue",), "Geen acties over de deadline.\n"),
    (("--json",), "[]\n"),
])
def test_list_empty_is_not_an_error(run, example_ws, args, stdout):
    result = run("action", "list", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, stdout, "")


@pytest.mark.parametrize("args, stderr", [
    (("--partner", "XX"), f"Fout: partner 'XX' staat niet in overleg.toml. {KNOWN}\n"),
    (("--overdue", "--status", "done"), "Fout: --overdue toont open acties over de deadline; "
                                        "laat --status done weg of gebruik --status all.\n"),
])
def test_list_refusals(run, example_ws, args, stderr):
    failed(run("action", "list", *args), stderr)


# --- two at once -------------------------------------------------------------------------

@pytest.mark.slow
def test_two_commands_at_once_both_succeed(example_ws):
    assert not (example_ws / "overleg.db").exists()  # both race to create it, too
    overleg = str(Path(sys.executable).parent / "overleg")
    procs = [subprocess.Popen([overleg, "action", "add", case_id, "--owner", "POL", "--due",
                               "15-12", "Tegelijk"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=os.environ.copy())
             for case_id in ("2026-014", "2026-005")]
    outputs = [p.communicate(timeout=60) for p in procs]
    results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]
    assert [(code, err) for code, _, err in results] == [(0, ""), (0, "")]
    assert sorted(out for _, out, _ in results) == [
        "Actie #1 voor POL, deadline di 15-12-2026.\n",
        "Actie #2 voor POL, deadline di 15-12-2026.\n"]
    assert sorted(a[1] for a in actions(example_ws)) == ["2026-005", "2026-014"]


def test_list_status_is_a_fixed_choice_with_the_dutch_words(run, example_ws):
    result = run("action", "list", "--status", "klaar")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("Fout: ongeldige waarde voor '--status': 'klaar' is niet een van "
                             "'open', 'done', 'cancelled', 'all', 'afgerond', 'vervallen', "
                             "'alle'.\n"
                             "Zie 'overleg action list --help'.\n")
    assert run("action", "list", "--status", "afgerond").stdout == run(
        "action", "list", "--status", "done").stdout
    assert run("action", "list", "--status", "alle", "--json").stdout == run(
        "action", "list", "--status", "all", "--json").stdout
