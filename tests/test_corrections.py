"""Issue 14: meetings by date, numbered records that are corrected or withdrawn, actions
edited and cancelled, warnings where a slip is likely — through the real CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from test_migrations import made_by_steps

from overleg.migrations import MIGRATIONS
from overleg.store import Store


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def failed(result, stderr: str, code: int = 1) -> None:
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", stderr)


def query(ws: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(ws / "overleg.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def on(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("OVERLEG_TODAY", day)


LAST_WEEK_OPEN = ("Fout: de vergadering van 01-12-2026 is nog open (niet die van 08-12-2026). "
                  "Sluit die eerst met 'overleg meeting close', of werk erin verder met --date "
                  "01-12-2026.\n")


# --- meetings by date, never by accident ----------------------------------------------------

def test_last_weeks_open_meeting_never_swallows_this_weeks(run, example_ws, monkeypatch):
    on(monkeypatch, "2026-12-01")
    ok(run("meeting", "start"))
    on(monkeypatch, "2026-12-08")
    failed(run("meeting", "start"), LAST_WEEK_OPEN)
    for args in (("meeting", "note", "2026-014", "Tekst"),
                 ("meeting", "decide", "2026-014", "Tekst"),
                 ("meeting", "review", "2026-014", "--next", "15-12"),
                 ("meeting", "attend", "POL", "K. Bakker"),
                 ("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "Tekst")):
        failed(run(*args), LAST_WEEK_OPEN)
    assert query(example_ws, "SELECT count(*) FROM entries") == [(0,)]
    assert query(example_ws, "SELECT count(*) FROM actions") == [(0,)]
    # --date names the open meeting: the late recording goes where it belongs.
    assert ok(run("meeting", "note", "2026-014", "Nagekomen", "--date", "2026-12-01")) == (
        "Notitie #1 vastgelegd bij 2026-014.\n")
    # The other way out: close it; then this week's meeting starts cleanly.
    ok(run("meeting", "close"))
    assert ok(run("meeting", "start")).startswith("Vergadering van 08-12-2026 is geopend")
    assert query(example_ws, "SELECT date, status FROM meetings ORDER BY date") == [
        ("2026-12-01", "closed"), ("2026-12-08", "open")]


def test_a_second_start_says_it_is_already_open_and_reads_nothing_again(run, example_ws,
                                                                        monkeypatch):
    on(monkeypatch, "2026-12-01")
    assert "Lees voor" in ok(run("meeting", "start"))
    assert ok(run("meeting", "start")) == (
        "Vergadering van 01-12-2026 is al open (13 agendapunten). Ga verder met 'overleg "
        "meeting run'.\n")
    assert query(example_ws, "SELECT count(*) FROM audit WHERE action = "
                             "'meeting.geheimhouding'") == [(1,)]


def test_a_planned_meeting_is_not_recorded_in_before_it_starts(run, example_ws, monkeypatch):
    on(monkeypatch, "2026-12-01")
    ok(run("agenda", "build", "--date", "2026-12-08"))
    ok(run("meeting", "start"))
    failed(run("meeting", "note", "2026-014", "x", "--date", "2026-12-08"),
           "Fout: de vergadering van 08-12-2026 is nog niet geopend. Open haar met 'overleg "
           "meeting start --date 08-12-2026'.\n")


# --- numbered records, corrected and withdrawn ----------------------------------------------

@pytest.fixture
def meeting(run, example_ws, monkeypatch) -> Path:
    on(monkeypatch, "2026-12-01")
    ok(run("meeting", "start"))
    return example_ws


def test_every_echo_shows_its_number(run, meeting):
    assert ok(run("meeting", "attend", "VT", "R  Smitt")) == "R Smitt (VT) aanwezig (#1).\n"
    assert ok(run("meeting", "note", "014", "Besproken")) == (
        "Notitie #2 vastgelegd bij 2026-014.\n")
    assert ok(run("meeting", "decide", "2026-014", "Besluit")) == (
        "Besluit #3 vastgelegd bij 2026-014.\n")
    assert ok(run("meeting", "review", "2026-014", "--next", "15-12")) == (
        "2026-014: volgende bespreking di 15-12-2026 (#4; wordt bij sluiten in het "
        "casusbestand gezet).\n")
    assert ok(run("action", "add", "2026-014", "--owner", "POL", "--who", "J. Morgen",
                  "--due", "+1w", "Huisbezoek")) == (
        "Actie #1 voor POL/J. Morgen, deadline di 08-12-2026.\n")


def test_corrections_and_withdrawals_are_new_records(run, meeting):
    ok(run("meeting", "attend", "VT", "R Smitt"))
    ok(run("meeting", "decide", "2026-014", "Verkeerd besluit"))
    ok(run("meeting", "note", "2026-014", "Notiti met tikfout"))
    assert ok(run("meeting", "correct", "1", "VT R. Smit")) == (
        "#1 gecorrigeerd: aanwezigheid #4: R. Smit (VT), aanwezig\n")
    assert ok(run("meeting", "correct", "3", "Notitie zonder tikfout")) == (
        "#3 gecorrigeerd: notitie #5: Notitie zonder tikfout\n")
    assert ok(run("meeting", "withdraw", "2", "--reason", "hoort bij een andere casus")) == (
        "Besluit #2 is ingetrokken.\n")
    rows = json.loads(ok(run("meeting", "entries", "--json")))
    assert rows == [
        {"id": 1, "kind": "attendance", "case": None, "text": "R Smitt (VT), aanwezig",
         "status": "corrected"},
        {"id": 2, "kind": "decision", "case": "2026-014", "text": "Verkeerd besluit",
         "status": "withdrawn"},
        {"id": 3, "kind": "note", "case": "2026-014", "text": "Notiti met tikfout",
         "status": "corrected"},
        {"id": 4, "kind": "attendance", "case": None, "text": "R. Smit (VT), aanwezig",
         "status": "active"},
        {"id": 5, "kind": "note", "case": "2026-014", "text": "Notitie zonder tikfout",
         "status": "active"},
    ]
    assert [r["id"] for r in json.loads(ok(run("meeting", "entries", "--case", "014",
                                                "--json")))] == [2, 3, 5]
    # Twice is refused, naming the record that replaced it.
    failed(run("meeting", "correct", "3", "Nog eens"),
           "Fout: #3 is al gecorrigeerd; corrigeer #5.\n")
    failed(run("meeting", "withdraw", "2", "--reason", "x"),
           "Fout: #2 is ingetrokken en kan niet meer worden gewijzigd.\n")
    failed(run("meeting", "correct", "99", "x"),
           "Fout: #99 bestaat niet. Zie 'overleg meeting entries'.\n")
    failed(run("meeting", "withdraw", "5", "--reason", " "),
           "Fout: geef met --reason op waarom dit wordt ingetrokken.\n")
    # The minutes show the corrected state only.
    ok(run("meeting", "close"))
    for fmt in ("md", "html", "txt"):
        minutes = ok(run("minutes", "--format", fmt))
        assert "R. Smit" in minutes and "Smitt" not in minutes
        assert "Verkeerd besluit" not in minutes and "tikfout" not in minutes.replace(
            "zonder tikfout", "")
    # The log says which kind and number, never the text.
    actions = [a for (a,) in query(meeting, "SELECT action FROM audit")]
    assert {"meeting.correct.attendance.1", "meeting.correct.note.3",
            "meeting.withdraw.decision.2"} <= set(actions)
    texts = " ".join(str(v) for row in query(meeting, "SELECT * FROM audit") for v in row)
    assert "Smit" not in texts and "tikfout" not in texts and "andere casus" not in texts


def test_a_closed_meeting_is_corrected_only_after_reopen(run, meeting):
    ok(run("meeting", "decide", "2026-014", "Besluit"))
    ok(run("meeting", "close"))
    failed(run("meeting", "correct", "1", "Beter besluit"),
           "Fout: de vergadering van 01-12-2026 is gesloten en kan niet meer worden "
           "gewijzigd. Heropen haar met 'overleg meeting reopen --reason ...'.\n")
    ok(run("meeting", "reopen", "--reason", "besluit onvolledig"))
    ok(run("meeting", "correct", "1", "Beter besluit"))


def test_a_review_and_an_attendance_line_are_corrected_in_their_own_terms(run, meeting):
    ok(run("meeting", "attend", "POL", "K. Bakker"))
    ok(run("meeting", "review", "2026-014", "--next", "15-12"))
    assert ok(run("meeting", "correct", "2", "12-01 nazorg")) == (
        "#2 gecorrigeerd: vervolgafspraak #3: volgende bespreking 2027-01-12 status nazorg\n")
    assert ok(run("meeting", "correct", "1", "--", "-K. Bakker")) == (
        "#1 gecorrigeerd: aanwezigheid #1: K. Bakker (POL), afgemeld\n")
    assert ok(run("meeting", "correct", "1", "POL K. de Bakker")) == (
        "#1 gecorrigeerd: aanwezigheid #4: K. de Bakker (POL), aanwezig\n")
    failed(run("meeting", "correct", "3", "01-12"),
           "Fout: de volgende bespreking (01-12-2026) moet na de vergadering van 01-12-2026 "
           "liggen.\n")
    assert query(meeting, "SELECT id, state FROM reviews ORDER BY id") == [
        (2, "corrected"), (3, "active")]


# --- actions edited and cancelled -----------------------------------------------------------

def test_action_edit_and_cancel(run, meeting):
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "+1w", "Huisbezeok"))
    ok(run("action", "add", "2026-014", "--owner", "WT", "--due", "+2w", "Per ongeluk"))
    assert ok(run("action", "edit", "1", "--text", "Huisbezoek", "--who", "J. Jansen",
                  "--due", "15-12")) == (
        "Gecorrigeerd: Actie #1 voor POL/J. Jansen, deadline di 15-12-2026: Huisbezoek\n")
    assert ok(run("action", "cancel", "2", "--reason", "dubbel ingevoerd")) == (
        "Actie #2 (2026-014, WT) is vervallen.\n")
    failed(run("action", "edit", "1", "--owner", "VT"),
           'Fout: VT is geen partner van casus "2026-014" (partners: RN, POL, GGZ, WT, '
           "GEM).\n")
    failed(run("action", "edit", "1"),
           "Fout: geef op wat er verandert: --owner, --who, --due en/of --text.\n")
    failed(run("action", "cancel", "2", "--reason", "x"), "Fout: actie #2 is al vervallen.\n")
    failed(run("action", "done", "2"), "Fout: actie #2 is al vervallen.\n")
    rows = {r["id"]: r for r in json.loads(ok(run("action", "list", "--status", "all",
                                                  "--json")))}
    assert (rows[2]["status"], rows[2]["comment"], rows[2]["done_on"]) == (
        "cancelled", "dubbel ingevoerd", None)
    assert [r["id"] for r in json.loads(ok(run("action", "list", "--status", "vervallen",
                                               "--json")))] == [2]
    assert "vervallen" in ok(run("action", "list", "--status", "all"))
    ok(run("action", "done", "1", "--comment", "Bezoek afgelegd"))
    done = json.loads(ok(run("action", "list", "--status", "afgerond", "--json")))
    assert [(r["id"], r["done_on"], r["comment"]) for r in done] == [
        (1, "2026-12-01", "Bezoek afgelegd")]
    # An action made and cancelled in the same meeting was a slip: not in the minutes.
    ok(run("meeting", "close"))
    for fmt in ("md", "html", "txt"):
        assert "Per ongeluk" not in ok(run("minutes", "--format", fmt))
    actions = [a for (a,) in query(meeting, "SELECT action FROM audit")]
    assert "action.edit.1.due.text.who" in actions and "action.cancel.2" in actions


def test_minutes_of_a_closed_meeting_keep_the_action_as_it_was(run, meeting, monkeypatch):
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "15-12", "Huisbezoek"))
    ok(run("meeting", "close"))
    before = ok(run("minutes"))
    on(monkeypatch, "2026-12-10")
    ok(run("action", "edit", "1", "--due", "2027-01-12", "--text", "Huisbezoek later"))
    assert ok(run("minutes")) == before
    assert "Huisbezoek later" in ok(run("action", "list"))


def test_an_earlier_action_cancelled_in_a_meeting_shows_as_vervallen(run, meeting,
                                                                       monkeypatch):
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "+1w", "Huisbezoek"))
    ok(run("meeting", "close"))
    on(monkeypatch, "2026-12-08")
    ok(run("meeting", "start"))
    ok(run("action", "cancel", "1", "--reason", "verhuisd"))
    ok(run("meeting", "close"))
    minutes = ok(run("minutes"))
    assert "#1 POL: Huisbezoek — vervallen (verhuisd)" in minutes


# --- warnings where a slip is likely ---------------------------------------------------------

def test_warnings_on_stderr_change_nothing(run, meeting):
    result = run("action", "add", "2026-014", "--owner", "POL", "--due", "gisteren", "Bellen")
    assert result.exit_code == 0
    assert result.stderr == (
        "Let op: de deadline 30-11-2026 ligt in het verleden; de actie staat meteen als te "
        "laat. Pas hem aan met 'overleg action edit 1 --due DATUM'.\n")
    result = run("meeting", "review", "2026-014", "--next", "25-12")
    assert result.stderr == ("Let op: 25-12-2026 is geen vergaderdatum volgens het schema; het "
                             "eerstvolgende overleg is 29-12-2026.\n")
    result = run("meeting", "review", "2026-014", "--next", "2030-01-01")
    assert result.stderr == ("Let op: de volgende bespreking 01-01-2030 ligt meer dan een jaar "
                             "vooruit.\n")
    result = run("meeting", "review", "2026-014", "--status", "afgesloten")
    assert result.exit_code == 0
    assert result.stderr == (
        'Let op: casus "2026-014" wordt afgesloten maar heeft nog 1 open actie(s): #1. Rond '
        "ze af ('overleg action done NR') of laat ze vervallen ('overleg action cancel NR "
        "--reason ...').\n")
    result = run("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "Nog iets")
    assert result.exit_code == 0
    assert result.stderr == ('Let op: casus "2026-014" is afgesloten; klopt het dat er nog een '
                             "actie bij komt?\n")
    assert run("meeting", "review", "2026-014", "--next", "15-12").stderr == ""


# --- reopening approved minutes --------------------------------------------------------------

def test_approved_minutes_that_change_go_back_to_concept_and_say_why(run, meeting):
    ok(run("meeting", "decide", "2026-014", "Eerste besluit"))
    ok(run("meeting", "close"))
    ok(run("meeting", "approve", "--date", "2026-12-01"))
    assert "Vastgesteld op 01-12-2026" in ok(run("minutes"))
    result = run("meeting", "reopen", "--reason", "besluit 2026-014 onvolledig")
    assert result.exit_code == 0 and "weer concept" in result.stderr
    ok(run("meeting", "decide", "2026-014", "Aanvulling op het besluit"))
    ok(run("meeting", "close"))
    for fmt in ("md", "html", "txt"):
        minutes = ok(run("minutes", "--format", fmt))
        assert "CONCEPT" in minutes and "Vastgesteld op" not in minutes
        assert "gewijzigd na vaststelling op 01-12-2026" in minutes.lower()
        assert "besluit 2026-014 onvolledig" in minutes
        # A partner is told that it changed, not the chair's reason (free text).
        partner = ok(run("minutes", "--partner", "POL", "--format", fmt))
        assert "gewijzigd na vaststelling op 01-12-2026" in partner.lower()
        assert "onvolledig" not in partner


# --- the migration ---------------------------------------------------------------------------

def test_step_6_numbers_attendance_entries_and_reviews_in_one_space(tmp_path):
    db = tmp_path / "oud.db"
    made_by_steps(db, 5)
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO entries (meeting_id, case_id, kind, text, at) "
                     "VALUES (1, '2026-014', 'note', 'Tweede', 'x')")
        conn.execute("INSERT INTO reviews (meeting_id, case_id, next_date, at) "
                     "VALUES (1, '2026-014', '2027-01-12', 'x')")
        conn.execute("INSERT INTO attendance (meeting_id, agency, name) VALUES (1, 'POL', 'K')")
        conn.execute("INSERT INTO attendance (meeting_id, agency, name) VALUES (1, 'GGZ', 'S')")
    store = Store.open(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        records = store.records()
        assert [(r.id, r.kind, r.state) for r in records] == [
            (1, "decision", "active"), (2, "note", "active"), (3, "review", "active"),
            (4, "attendance", "active"), (5, "attendance", "active")]
        assert store.action(1).status == "open"
        assert store.verify_logs().ok
    finally:
        store.close()


def test_an_access_request_shows_what_was_corrected_or_withdrawn_too(run, meeting, tmp_path):
    ok(run("meeting", "decide", "2026-014", "Verkeerd besluit"))
    ok(run("meeting", "note", "2026-014", "Notitie met tikfout"))
    ok(run("meeting", "withdraw", "1", "--reason", "andere casus"))
    ok(run("meeting", "correct", "2", "Notitie zonder tikfout"))
    ok(run("meeting", "close"))
    for fmt in ("md", "html"):
        package = ok(run("inzage", "2026-014", "--format", fmt))
        assert "Bewaard, niet meer geldig: besluit (ingetrokken): Verkeerd besluit" in package
        assert "notitie (gecorrigeerd): Notitie met tikfout" in package
        assert "Notitie zonder tikfout" in package
    # The minutes still show only the corrected state.
    minutes = ok(run("minutes"))
    assert "Verkeerd besluit" not in minutes and "tikfout" not in minutes.replace(
        "zonder tikfout", "")


def test_the_log_names_corrections_in_dutch_by_kind_and_number(run, meeting):
    ok(run("meeting", "decide", "2026-014", "Besluit"))
    ok(run("meeting", "correct", "1", "Beter besluit"))
    ok(run("meeting", "withdraw", "2", "--reason", "toch niet"))
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "+1w", "Bellen"))
    ok(run("action", "edit", "1", "--due", "+2w", "--text", "Langs gaan"))
    ok(run("action", "cancel", "1", "--reason", "verhuisd"))
    log = ok(run("log", "--case", "2026-014"))
    for line in ("besluit #1 gecorrigeerd", "besluit #2 ingetrokken",
                 "actie #1 gewijzigd (deadline, tekst)", "actie #1 vervallen"):
        assert line in log
    assert "Langs gaan" not in log and "verhuisd" not in log and "Beter" not in log
