"""`overleg meeting ...` through the real CLI on a copy of the example workspace."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

GEHEIM = ("Lees voor: \u201cWat hier wordt besproken blijft binnen dit overleg. Deel alleen "
          "wat nodig is voor de aanpak van de casus.\u201d\n")
OPENED = "Vergadering van 01-12-2026 is geopend (13 agendapunten).\n"
CLOSED = ("Vergadering van 01-12-2026 is gesloten. Maak het verslag met 'overleg minutes' en "
          "de e-mails met 'overleg mail'.\n")
NO_MEETING = "Fout: er is geen open vergadering. Start er een met 'overleg meeting start'.\n"
READ_ONLY = ("Fout: de vergadering van 01-12-2026 is gesloten en kan niet meer worden "
             "gewijzigd. Heropen haar met 'overleg meeting reopen --reason ...'.\n")
OFF_AGENDA = ('Fout: casus "2026-033" staat niet op de agenda van 01-12-2026. Gebruik --add '
              "om hem toe te voegen.\n")


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def failed(result, stderr: str, code: int = 1) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def start(run) -> None:
    ok(run("meeting", "start", "--date", "2026-12-01"))


def query(ws: Path, sql: str) -> list[tuple]:
    """A fresh connection: what is on disk, not what a Store object has cached."""
    conn = sqlite3.connect(ws / "overleg.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --- start -------------------------------------------------------------------------------

def test_start_builds_the_agenda_and_shows_the_geheimhouding(run, example_ws):
    result = run("meeting", "start", "--date", "2026-12-01")
    assert result.exit_code == 0
    assert result.stdout == OPENED + GEHEIM
    assert result.stderr == "Agenda gemaakt: 13 punten.\n"
    assert query(example_ws, "SELECT date, status, geheimhouding_read FROM meetings") == [
        ("2026-12-01", "open", 1)]


def test_start_without_date_takes_the_next_meeting_of_the_schedule(run, example_ws):
    result = run("meeting", "start")
    assert (result.exit_code, result.stdout) == (0, OPENED + GEHEIM)


def test_start_opens_a_planned_agenda(run, example_ws):
    ok(run("agenda", "build", "--date", "2026-12-01"))
    ok(run("agenda", "drop", "2026-009", "--date", "2026-12-01"))
    result = run("meeting", "start", "--date", "dinsdag")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("Vergadering van 01-12-2026 is geopend (12 agendapunten).\n"
                             + GEHEIM)


@pytest.mark.usefixtures("meeting_day")
def test_start_refuses_while_another_meeting_is_open(run, example_ws):
    start(run)
    failed(run("meeting", "start", "--date", "2026-12-08"),
           "Fout: de vergadering van 01-12-2026 is nog open (niet die van 08-12-2026). Sluit "
           "die eerst met 'overleg meeting close', of werk erin verder met --date "
           "01-12-2026.\n")
    assert query(example_ws, "SELECT date FROM meetings") == [("2026-12-01",)]


def test_start_refuses_a_closed_meeting(run, example_ws):
    start(run)
    ok(run("meeting", "close"))
    failed(run("meeting", "start", "--date", "2026-12-01"),
           READ_ONLY)


def test_start_without_geheimhouding_reads_nothing_out(run, example_ws):
    toml = example_ws / "overleg.toml"
    toml.write_text("\n".join(line for line in toml.read_text().splitlines()
                              if not line.startswith("geheimhouding")))
    result = run("meeting", "start", "--date", "2026-12-01")
    assert (result.exit_code, result.stdout) == (0, OPENED)
    assert query(example_ws, "SELECT geheimhouding_read FROM meetings") == [(0,)]


def test_start_with_a_bad_date(run, example_ws):
    failed(run("meeting", "start", "--date", "31-02-2026"),
           "Fout: '31-02-2026' is geen geldige datum (gebruik bijv. 2026-12-01, 1-12-2026, "
           "15-12, morgen, +2w, over 2 weken of dinsdag)\n")
    assert not (example_ws / "overleg.db").exists() or query(
        example_ws, "SELECT * FROM meetings") == []


# --- attend ------------------------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_attend_present_absent_and_again(run, example_ws):
    start(run)
    assert ok(run("meeting", "attend", "POL", "K. Bakker")) == "K. Bakker (POL) aanwezig (#1).\n"
    assert ok(run("meeting", "attend", "om", " P. de Groot ", "--absent")) == (
        "P. de Groot (OM) afgemeld (#2).\n")
    assert ok(run("meeting", "attend", "POL", "K. Bakker", "--absent")) == (
        "K. Bakker (POL) afgemeld (#1).\n")
    assert query(example_ws, "SELECT agency, name, present FROM attendance ORDER BY id") == [
        ("POL", "K. Bakker", 0), ("OM", "P. de Groot", 0)]


@pytest.mark.parametrize("args, stderr", [
    (("XX", "A. Bee"), "Fout: partner 'XX' staat niet in overleg.toml. Bekend: RN, POL, GEM, "
                       "OM, GGZ, VT, WT, WC, VZ.\n"),
    (("POL", " "), "Fout: geef de naam van de deelnemer op.\n"),
])
@pytest.mark.usefixtures("meeting_day")
def test_attend_refusals(run, example_ws, args, stderr):
    start(run)
    failed(run("meeting", "attend", *args), stderr)
    assert query(example_ws, "SELECT * FROM attendance") == []


# --- note and decide ---------------------------------------------------------------------

VERBS = [("note", "Notitie", "note"), ("decide", "Besluit", "decision")]


@pytest.mark.usefixtures("meeting_day")
@pytest.mark.parametrize("verb, label, kind", VERBS)
def test_note_and_decide(run, example_ws, verb, label, kind):
    start(run)
    result = run("meeting", verb, "2026-014", "GGZ start een verkennend onderzoek.")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == f"{label} #1 vastgelegd bij 2026-014.\n"
    assert query(example_ws, "SELECT case_id, kind, text FROM entries") == [
        ("2026-014", kind, "GGZ start een verkennend onderzoek.")]


@pytest.mark.usefixtures("meeting_day")
@pytest.mark.parametrize("verb, label, kind", VERBS)
def test_off_the_agenda_is_refused_until_added(run, example_ws, verb, label, kind):
    start(run)
    failed(run("meeting", verb, "2026-033", "Tekst"), OFF_AGENDA)
    assert query(example_ws, "SELECT * FROM entries") == []
    assert ok(run("meeting", verb, "2026-033", "Tekst", "--add")) == (
        f"{label} #1 vastgelegd bij 2026-033.\n")
    items = json.loads(ok(run("agenda", "show", "--json")))["items"]
    assert (len(items), items[-1]["case"], items[-1]["position"]) == (14, "2026-033", 14)
    assert ok(run("meeting", verb, "2026-033", "Nog een")) == (
        f"{label} #2 vastgelegd bij 2026-033.\n")


@pytest.mark.parametrize("verb", ["note", "decide"])
@pytest.mark.parametrize("args, stderr", [
    (("2026-099", "Tekst"), 'Fout: casus "2026-099" bestaat niet. Zie \'overleg cases '
                            "list'.\n"),
    (("2026-014", "   "), "Fout: de tekst is leeg; typ wat er is besproken of besloten.\n"),
])
@pytest.mark.usefixtures("meeting_day")
def test_note_and_decide_refusals(run, example_ws, verb, args, stderr):
    start(run)
    failed(run("meeting", verb, *args), stderr)
    assert query(example_ws, "SELECT * FROM entries") == []


@pytest.mark.parametrize("args", [
    ("attend", "POL", "K. Bakker"), ("note", "2026-014", "Tekst"),
    ("decide", "2026-014", "Tekst"), ("review", "2026-014", "--next", "+4w"), ("close",),
])
def test_recording_without_an_open_meeting_says_start_one(run, example_ws, args):
    failed(run("meeting", *args), NO_MEETING)


def test_a_closed_meeting_is_read_only(run, example_ws):
    start(run)
    ok(run("meeting", "close"))
    before = {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()}
    log = query(example_ws, "SELECT count(*) FROM audit")
    for args in [
        ("attend", "POL", "K. Bakker"), ("attend", "OM", "P. de Groot", "--absent"),
        ("note", "2026-014", "Tekst"), ("decide", "2026-014", "Tekst"),
        ("note", "2026-033", "Tekst", "--add"), ("review", "2026-014", "--next", "+4w"),
        ("review", "2026-014", "--status", "nazorg"), ("close",),
    ]:
        failed(run("meeting", *args), READ_ONLY)
    assert query(example_ws, "SELECT count(*) FROM attendance UNION ALL SELECT count(*) FROM "
                             "entries UNION ALL SELECT count(*) FROM reviews") == [(0,)] * 3
    assert query(example_ws, "SELECT count(*) FROM agenda_items") == [(13,)]
    assert query(example_ws, "SELECT count(*) FROM audit") == log
    assert {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()} == before


# --- review ------------------------------------------------------------------------------

@pytest.mark.parametrize("args, echo, stored", [
    (("--next", "12-01-2027"), "volgende bespreking di 12-01-2027", ("2027-01-12", None)),
    (("--next", "+4w"), "volgende bespreking di 29-12-2026", ("2026-12-29", None)),
    (("--next", "12-01"), "volgende bespreking di 12-01-2027", ("2027-01-12", None)),
    (("--next", "over 2 weken"), "volgende bespreking di 15-12-2026", ("2026-12-15", None)),
    (("--status", "nazorg"), "status nazorg", (None, "nazorg")),
    (("--status", "Afgesloten"), "status afgesloten", (None, "afgesloten")),
    (("--next", "2027-01-12", "--status", "actief"),
     "volgende bespreking di 12-01-2027, status actief", ("2027-01-12", "actief")),
])
@pytest.mark.usefixtures("meeting_day")
def test_review(run, example_ws, args, echo, stored):
    start(run)
    result = run("meeting", "review", "2026-014", *args)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (f"2026-014: {echo} (#1; wordt bij sluiten in het casusbestand "
                             "gezet).\n")
    assert query(example_ws, "SELECT case_id, next_date, status FROM reviews") == [
        ("2026-014", *stored)]


@pytest.mark.parametrize("args, stderr", [
    ((), "Fout: geef --next DATUM en/of --status STATUS op.\n"),
    (("--status", "klaar"), "Fout: status 'klaar' bestaat niet. Kies uit: aangemeld, actief, "
                            "nazorg, afgesloten.\n"),
    (("--next", "2026-12-01"), "Fout: de volgende bespreking (01-12-2026) moet na de "
                               "vergadering van 01-12-2026 liggen.\n"),
    (("--next", "vandaag"), "Fout: de volgende bespreking (01-12-2026) moet na de "
                           "vergadering van 01-12-2026 liggen.\n"),
    (("--next", "30-02-2027"), "Fout: '30-02-2027' is geen geldige datum (gebruik bijv. "
                               "2026-12-01, 1-12-2026, 15-12, morgen, +2w, over 2 weken of "
                               "dinsdag)\n"),
])
@pytest.mark.usefixtures("meeting_day")
def test_review_refusals(run, example_ws, args, stderr):
    start(run)
    failed(run("meeting", "review", "2026-014", *args), stderr)
    assert query(example_ws, "SELECT * FROM reviews") == []


@pytest.mark.usefixtures("meeting_day")
def test_review_off_the_agenda(run, example_ws):
    start(run)
    failed(run("meeting", "review", "2026-033", "--next", "+4w"), OFF_AGENDA)
    assert ok(run("meeting", "review", "2026-033", "--next", "+4w", "--add")) == (
        "2026-033: volgende bespreking di 29-12-2026 (#1; wordt bij sluiten in het casusbestand "
        "gezet).\n")


# --- close, reopen, approve --------------------------------------------------------------

def test_close(run, example_ws):
    start(run)
    result = run("meeting", "close")
    assert (result.exit_code, result.stdout, result.stderr) == (0, CLOSED, "")
    assert query(example_ws, "SELECT status FROM meetings") == [("closed",)]


@pytest.mark.usefixtures("meeting_day")
def test_reopen(run, example_ws):
    start(run)
    ok(run("meeting", "close"))
    result = run("meeting", "reopen", "--reason", "Besluit 2026-014 onvolledig")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "Vergadering van 01-12-2026 is weer open.\n"
    assert query(example_ws, "SELECT status FROM meetings") == [("open",)]
    assert query(example_ws, "SELECT reason FROM reopenings") == [
        ("Besluit 2026-014 onvolledig",)]
    assert ok(run("meeting", "note", "2026-014", "Aanvulling")) == (
        "Notitie #1 vastgelegd bij 2026-014.\n")


def test_reopen_refusals(run, example_ws):
    failed(run("meeting", "reopen", "--reason", "Reden"),
           "Fout: er is geen gesloten vergadering om te heropenen.\n")
    start(run)
    failed(run("meeting", "reopen", "--reason", "Reden"),
           "Fout: de vergadering van 01-12-2026 is nog open; sluit die eerst.\n")
    ok(run("meeting", "close"))
    failed(run("meeting", "reopen", "--reason", "  "),
           "Fout: geef met --reason op waarom de vergadering wordt heropend.\n")
    result = run("meeting", "reopen")
    assert result.exit_code == 2
    assert "Fout: de optie --reason ontbreekt." in result.stderr
    assert query(example_ws, "SELECT status FROM meetings") == [("closed",)]
    assert query(example_ws, "SELECT * FROM reopenings") == []


def test_approve(run, example_ws):
    failed(run("meeting", "approve", "--date", "2026-12-01"),
           "Fout: er is geen vergadering op 01-12-2026. Zie 'overleg meeting list'.\n")
    start(run)
    failed(run("meeting", "approve", "--date", "2026-12-01"),
           "Fout: de vergadering van 01-12-2026 is nog niet gesloten; alleen het verslag van "
           "een gesloten vergadering kan worden vastgesteld.\n")
    ok(run("meeting", "close"))
    assert ok(run("meeting", "approve", "--date", "1-12-2026")) == (
        "Verslag van 01-12-2026 is vastgesteld.\n")
    failed(run("meeting", "approve", "--date", "2026-12-01"),
           "Fout: het verslag van 01-12-2026 is al vastgesteld.\n")
    assert run("meeting", "approve").exit_code == 2
    assert len(query(example_ws, "SELECT approved_at FROM meetings WHERE approved_at IS NOT "
                                 "NULL")) == 1


# --- list --------------------------------------------------------------------------------

def test_list_empty(run, example_ws):
    assert ok(run("meeting", "list")) == "Nog geen vergaderingen.\n"
    assert json.loads(ok(run("meeting", "list", "--json"))) == []


@pytest.mark.usefixtures("meeting_day")
def test_list_json_shape_and_table(run, example_ws):
    ok(run("agenda", "build", "--date", "2026-11-17"))
    start(run)
    ok(run("meeting", "decide", "2026-014", "Een"))
    ok(run("meeting", "decide", "2026-027", "Twee"))
    ok(run("meeting", "note", "2026-027", "Notitie"))
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12", "Actie"))
    data = json.loads(ok(run("meeting", "list", "--json")))
    assert data == [
        {"date": "2026-11-17", "status": "planned", "items": 8, "decisions": 0, "actions": 0},
        {"date": "2026-12-01", "status": "open", "items": 13, "decisions": 2, "actions": 1},
    ]
    assert all(list(row) == ["date", "status", "items", "decisions", "actions"]
               for row in data)
    assert {type(row[k]) for row in data for k in ("items", "decisions", "actions")} == {int}
    ok(run("meeting", "close"))
    assert ok(run("meeting", "list")) == (
        "datum          status    punten  besluiten  acties\n"
        "di 17-11-2026  gepland        8          0       0\n"
        "di 01-12-2026  gesloten      13          2       1\n")


# --- durability --------------------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_each_entry_is_on_disk_when_the_command_returns(run, example_ws):
    start(run)
    steps = [
        (("meeting", "attend", "POL", "K. Bakker"),
         "SELECT agency, name FROM attendance", [("POL", "K. Bakker")]),
        (("meeting", "note", "2026-014", "Notitie een"),
         "SELECT text FROM entries WHERE kind = 'note'", [("Notitie een",)]),
        (("meeting", "decide", "2026-014", "Besluit een"),
         "SELECT text FROM entries WHERE kind = 'decision'", [("Besluit een",)]),
        (("meeting", "review", "2026-014", "--next", "12-01-2027"),
         "SELECT next_date FROM reviews", [("2027-01-12",)]),
        (("action", "add", "2026-014", "--owner", "GGZ", "--due", "15-12", "Onderzoek"),
         "SELECT id, owner, due, status FROM actions", [(1, "GGZ", "2026-12-15", "open")]),
        (("action", "done", "1"), "SELECT status FROM actions", [("done",)]),
        (("meeting", "close"), "SELECT status FROM meetings", [("closed",)]),
    ]
    for args, sql, rows in steps:
        ok(run(*args))
        assert query(example_ws, sql) == rows, args


@pytest.mark.slow
@pytest.mark.usefixtures("meeting_day")
def test_the_installed_command_commits_before_it_exits(run, example_ws):
    start(run)
    overleg = Path(sys.executable).parent / "overleg"
    done = subprocess.run([str(overleg), "meeting", "note", "2026-014", "Vastgelegd."],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        0, "Notitie #1 vastgelegd bij 2026-014.\n", "")
    assert query(example_ws, "SELECT case_id, kind, text FROM entries") == [
        ("2026-014", "note", "Vastgelegd.")]


# --- a whole meeting as a sequence of commands -------------------------------------------

def edited(original: bytes, replace: dict[str, str], add: list[str]) -> list[bytes]:
    """The original lines with `replace`d lines and `add`ed lines before the closing ---."""
    lines = original.splitlines(keepends=True)
    eol = b"\r\n" if lines[0].endswith(b"\r\n") else b"\n"
    closing = next(i for i in range(1, len(lines)) if lines[i].rstrip() == b"---")
    result = []
    for index, line in enumerate(lines):
        if index == closing:
            result += [text.encode() + eol for text in add]
        bare = line.rstrip(b"\r\n").decode("utf-8-sig")
        result.append(replace[bare].encode() + eol if bare in replace else line)
    return result


def test_a_whole_meeting_of_the_example_workspace(run, example_ws, monkeypatch):
    original = {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()}
    # 17 November: the earlier meeting, with the cases referred later dropped.
    monkeypatch.setenv("OVERLEG_TODAY", "2026-11-17")
    ok(run("agenda", "build", "--date", "2026-11-17"))
    for case_id in ("2026-014", "2026-022", "2026-027", "2026-038", "2026-041"):
        ok(run("agenda", "drop", case_id, "--date", "2026-11-17"))
    ok(run("meeting", "start", "--date", "2026-11-17"))
    ok(run("meeting", "decide", "2026-005", "Politie stemt de aanpak af met het OM."))
    assert ok(run("action", "add", "2026-005", "--owner", "POL", "--who", "K. Bakker",
                  "--due", "2026-11-27", "PV delen met OM")) == (
        "Actie #1 voor POL/K. Bakker, deadline vr 27-11-2026.\n")
    ok(run("meeting", "review", "2026-005", "--next", "12-01-2027"))
    ok(run("meeting", "decide", "2026-017", "Woonstichting onderzoekt een regeling."))
    ok(run("action", "add", "2026-017", "--owner", "WC", "--due", "2026-11-24",
           "Voorstel betalingsregeling"))
    ok(run("meeting", "review", "2026-017", "--next", "26-01-2027"))
    ok(run("meeting", "close"))
    ok(run("meeting", "approve", "--date", "2026-11-17"))

    # 1 December.
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-01")
    result = run("meeting", "start")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, OPENED + GEHEIM, "Agenda gemaakt: 13 punten.\n")
    agenda = json.loads(ok(run("agenda", "show", "--json")))
    assert [i["case"] for i in agenda["items"]] == [
        "2026-014", "2026-027", "2026-019", "2026-041", "2026-017", "2026-038", "2026-005",
        "2026-022", "2026-024", "2026-031", "2026-021", "2026-003", "2026-009"]
    for code, name in (("GEM", "A. de Vries"), ("POL", "K. Bakker"), ("RN", "M. El Idrissi"),
                       ("GGZ", "S. Öztürk"), ("VT", "R. Smit")):
        ok(run("meeting", "attend", code, name))
    ok(run("meeting", "attend", "WC", "J. Post", "--absent"))
    ok(run("meeting", "note", "2026-014", "GGZ ziet signalen van een psychose."))
    ok(run("meeting", "decide", "2026-014", "GGZ start een verkennend onderzoek."))
    assert ok(run("action", "add", "2026-014", "--owner", "GGZ", "--who", "S. Öztürk",
                  "--due", "15-12", "Verkennend onderzoek starten")) == (
        "Actie #3 voor GGZ/S. Öztürk, deadline di 15-12-2026.\n")
    assert ok(run("action", "add", "2026-014", "--owner", "WT", "--due", "+1w",
                  "Contact met de zus leggen")) == (
        "Actie #4 voor WT, deadline di 08-12-2026.\n")
    ok(run("meeting", "review", "2026-014", "--next", "12-01-2027"))
    ok(run("meeting", "decide", "2026-027", "Politie rondt het onderzoek af."))
    ok(run("meeting", "review", "2026-027", "--next", "2026-12-15"))
    assert ok(run("action", "done", "1", "--comment", "PV gedeeld")) == (
        "Actie #1 (2026-005, POL) is afgerond.\n")
    ok(run("meeting", "decide", "2026-005", "Wachten op het advies van de reclassering."))
    ok(run("action", "done", "2"))
    ok(run("meeting", "review", "2026-017", "--next", "26-01-2027"))  # same as the file
    ok(run("meeting", "decide", "2026-022", "Woonstichting zet de ontbinding door."))
    ok(run("meeting", "review", "2026-024", "--next", "22-12-2026", "--status", "nazorg"))
    ok(run("meeting", "review", "2026-009", "--status", "afgesloten"))
    ok(run("meeting", "note", "2026-041", "Wijkteam legt contact met de dochter."))
    ok(run("meeting", "note", "2026-031", "Geen nieuwe zorgen."))
    ok(run("meeting", "review", "2026-038", "--status", "nazorg", "--next", "5-1-2027"))
    failed(run("action", "add", "2026-033", "--owner", "POL", "--due", "8-12-2026", "Melding"),
           OFF_AGENDA)
    assert ok(run("action", "add", "2026-033", "--owner", "POL", "--due", "8-12-2026",
                  "Melding nagaan", "--add")) == "Actie #5 voor POL, deadline di 08-12-2026.\n"
    assert [(a["id"], a["case"], a["due"]) for a in json.loads(
        ok(run("action", "list", "--json")))] == [
        (4, "2026-014", "2026-12-08"), (5, "2026-033", "2026-12-08"),
        (3, "2026-014", "2026-12-15")]
    result = run("meeting", "close")
    assert (result.exit_code, result.stdout) == (0, CLOSED)
    assert result.stderr == (
        "2026-009: status, afgesloten_op bijgewerkt in het casusbestand.\n"
        "2026-014: status, bespreken bijgewerkt in het casusbestand.\n"
        "2026-022: agenda bijgewerkt in het casusbestand.\n"
        "2026-024: status, bespreken bijgewerkt in het casusbestand.\n"
        "2026-027: agenda, bespreken bijgewerkt in het casusbestand.\n"
        "2026-038: status, bespreken bijgewerkt in het casusbestand.\n"
        "2026-041: status bijgewerkt in het casusbestand.\n")
    assert json.loads(ok(run("meeting", "list", "--json"))) == [
        {"date": "2026-11-17", "status": "closed", "items": 3, "decisions": 2, "actions": 2},
        {"date": "2026-12-01", "status": "closed", "items": 14, "decisions": 4, "actions": 3},
    ]

    changes: dict[str, tuple[dict[str, str], list[str]]] = {
        "2026-005-lm.md": ({"bespreken: 2026-11-17": "bespreken: 2027-01-12"}, []),
        "2026-017-fy.md": ({"bespreken: 2026-11-17": "bespreken: 2027-01-26"}, []),
        "2026-014-jdv.md": ({"status: aangemeld": "status: actief"},
                            ["bespreken: 2027-01-12"]),
        "2026-027-sh.md": ({"agenda: ja": "agenda: nee",
                            "bespreken: 2026-12-01": "bespreken: 2026-12-15"}, []),
        "2026-022-kb.md": ({"agenda: ja": "agenda: nee"}, []),
        "2026-024-to.md": ({"status: actief": "status: nazorg",
                            "bespreken: 2026-12-01": "bespreken: 2026-12-22"}, []),
        "2026-009-pw.md": ({"status: actief": "status: afgesloten"},
                           ["afgesloten_op: 2026-12-01"]),
        "nieuwe-aanmelding-wijkteam.md": ({"status: aangemeld": "status: actief"}, []),
        "2026-038-mb.md": ({"status: aangemeld": "status: nazorg"}, ["bespreken: 2027-01-05"]),
    }
    for path in sorted((example_ws / "casussen").iterdir()):
        replace, add = changes.get(path.name, ({}, []))
        expected = edited(original[path.name], replace, add)
        assert path.read_bytes().splitlines(keepends=True) == expected, path.name
        # The example files in the repository are the originals compared with.
        assert original[path.name] == (EXAMPLES / "casussen" / path.name).read_bytes()
    assert (example_ws / "casussen" / "2026-009-pw.md").read_bytes()[:3] == b"\xef\xbb\xbf"
    assert sum(path.read_bytes() != original[path.name]
               for path in (example_ws / "casussen").iterdir()) == len(changes)
    check = run("cases", "check")
    assert (check.exit_code, check.stderr) == (
        0, "17 casusbestanden gecontroleerd: 0 fouten, 0 waarschuwingen.\n")
