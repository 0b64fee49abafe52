"""`overleg zoek`: full-text search over notes, decisions, actions and agenda questions."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overleg.errors import InvalidInput
from overleg.model import Item
from overleg.search import MARK_OFF, MARK_ON, fts_query, snippet
from overleg.store import Store


@pytest.fixture
def store(tmp_path: Path):
    """Two closed meetings (1 and 8 December) with notes, decisions, actions and questions."""
    store = Store.open(tmp_path / "zoek.db")
    first = store.set_meeting_status(store.create_meeting(date(2026, 12, 1)), "open", "m")
    store.replace_items(first, [Item(0, 0, "2026-014", 1, ("new",), 15,
                                     question="Is een zorgmachtiging nodig?")], "a")
    store.add_entry(first, "2026-014", "decision", "GGZ vraagt een zorgmachtiging aan.")
    store.add_entry(first, "2026-014", "note", "Zorgmachtiging besproken; zorgmachtiging of "
                    "vrijwillige zorg, de zorgmachtiging lijkt nodig.")
    store.add_entry(first, "2026-021", "note", "Coördinatie met de wijkagent van Öztürkstraat.")
    store.add_action("2026-014", "GGZ", None, "Aanvraag zorgmachtigingen indienen",
                     date(2026, 12, 15), first, condition="als de huisarts instemt")
    store.set_meeting_status(first, "closed", "m")
    second = store.set_meeting_status(store.create_meeting(date(2026, 12, 8)), "open", "m")
    store.replace_items(second, [Item(0, 0, "2026-014", 1, ("review",), 10,
                                      question="Is een zorgmachtiging nodig?")], "a")
    store.add_entry(second, "2026-014", "decision", "Zorgmachtiging aangevraagd bij de OvJ.")
    store.set_meeting_status(second, "closed", "m")
    yield store
    store.close()


def found(store: Store, text: str, **kwargs) -> list[tuple[str, str, str]]:
    from overleg.search import search

    return [(h.day.isoformat(), h.kind, h.case_id) for h in search(store, {}, text, **kwargs)]


def test_newest_first_then_decisions_then_the_best_ranked(store):
    assert found(store, "zorgmachtiging") == [
        ("2026-12-08", "decision", "2026-014"),
        ("2026-12-08", "question", "2026-014"),  # the same question once, at its latest date
        ("2026-12-01", "decision", "2026-014"),
        ("2026-12-01", "action", "2026-014"),
        ("2026-12-01", "note", "2026-014")]


def test_bm25_orders_records_of_one_kind_and_day(store):
    meeting = store.meeting(date(2026, 12, 8))
    store.conn.execute("UPDATE meetings SET status = 'open' WHERE id = ?", (meeting.id,))
    store.add_entry(meeting, "2026-030", "note", "Eén keer zorgmachtiging genoemd in een lange "
                    "notitie over woonruimte, schulden, werk en de buren van de flat.")
    store.add_entry(meeting, "2026-031", "note", "Zorgmachtiging, zorgmachtiging.")
    notes = [h for h in found(store, "zorgmachtiging") if h[1] == "note"]
    assert notes[:2] == [("2026-12-08", "note", "2026-031"), ("2026-12-08", "note", "2026-030")]


def test_a_word_finds_longer_forms_and_every_word_must_occur(store):
    assert ("2026-12-01", "action", "2026-014") in found(store, "zorgmachtig")
    assert found(store, "aanvraag zorgmacht") == [("2026-12-01", "action", "2026-014")]
    assert found(store, "zorgmachtiging wijkagent") == []
    assert found(store, "huisarts") == [("2026-12-01", "action", "2026-014")]  # its condition


@pytest.mark.parametrize("typed", ["coordinatie", "Coördinatie", "COÖRDINATIE", "ozturk",
                                   "Öztürkstraat"])
def test_case_and_diacritics_do_not_count(store, typed):
    assert found(store, typed) == [("2026-12-01", "note", "2026-021")]


def test_by_case_and_since(store):
    assert found(store, "zorgmachtiging", case_id="2026-021") == []
    assert [h[0] for h in found(store, "zorgmachtiging", since=date(2026, 12, 2))] == [
        "2026-12-08", "2026-12-08"]


def test_withdrawn_corrected_and_cancelled_records_are_not_found(store):
    meeting = store.meeting(date(2026, 12, 8))
    store.conn.execute("UPDATE meetings SET status = 'open' WHERE id = ?", (meeting.id,))
    (decision,) = store.entries(meeting)
    (record,) = store.records(number=decision.id)
    store.set_record_state(record, "withdrawn", meeting, "vergissing")
    (action,) = store.actions(case_id="2026-014")
    store.cancel_action(action, "niet meer nodig", meeting)
    kinds = found(store, "zorgmachtiging")
    assert ("2026-12-08", "decision", "2026-014") not in kinds
    assert all(kind != "action" for _, kind, _ in kinds)


def test_purge_removes_what_it_searched_also_from_the_index_pages(store, tmp_path):
    db = tmp_path / "zoek.db"
    word = b"ozturkstraat"  # as the index keeps it: folded, lower case
    assert found(store, "Öztürkstraat")
    store.purge_cases(["2026-021"])
    store.compact()
    assert found(store, "Öztürkstraat") == []
    assert found(store, "zorgmachtiging")  # the other case stays searchable
    data = db.read_bytes() + (db.with_name("zoek.db-wal").read_bytes()
                              if db.with_name("zoek.db-wal").exists() else b"")
    assert word not in data.lower() and "Öztürk".encode() not in data


def test_a_snippet_marks_hits_and_cuts_at_word_edges():
    text = " ".join(["woord"] * 60) + " de zorgmachtiging is aangevraagd " + " ".join(["x"] * 80)
    cut = snippet(text, ["zorgmacht"])
    assert cut.startswith("…") and cut.endswith("…")
    assert f"{MARK_ON}zorgmachtiging{MARK_OFF}" in cut
    assert len(cut) <= 170 and "woor…" not in cut


def test_a_snippet_never_shows_part_of_a_bsn():
    from overleg.privacy import clean

    text = clean("Besproken: BSN 1234.56.782 " + "lang verhaal " * 20 + "zorgmachtiging.")
    assert "782" not in snippet(text, ["zorgmachtiging"])


@given(st.text(max_size=40))
def test_any_text_is_a_valid_query_or_a_dutch_message(tmp_path_factory, text):
    store = Store(sqlite3.connect(":memory:", isolation_level=None))
    try:
        query = fts_query(text)
    except InvalidInput as exc:
        assert "geen woord om op te zoeken" in exc.message
        return
    assert isinstance(store.search(query), list)


# --- the command -----------------------------------------------------------------------------

def test_zoek_finds_the_demos_decision_and_question(run, demo_ws):
    result = run("zoek", "zorgmachtiging")
    assert result.exit_code == 0, result.stderr
    assert "besluit" in result.stdout and "2026-014" in result.stdout
    hits = json.loads(run("zoek", "zorgmachtiging", "--json").stdout)
    assert {(h["kind"], h["case"]) for h in hits} >= {("decision", "2026-014"),
                                                      ("question", "2026-014")}
    assert all(set(h) == {"date", "case", "kind", "id", "snippet", "text"} for h in hits)
    assert "**zorgmachtiging**" in hits[0]["snippet"]


def test_a_partner_sees_only_its_cases_and_the_copy_is_on_record(run, demo_ws):
    from overleg.casecache import load_cases
    from overleg.workspace import load_workspace

    cases = load_cases(load_workspace(demo_ws)).cases
    chair = {h["case"] for h in json.loads(run("zoek", "de", "--json").stdout)}
    for code in ("VT", "POL"):
        result = run("zoek", "de", "--partner", code.lower(), "--json")
        assert result.exit_code == 0, result.stderr
        mine = {c.id for c in cases if code in c.partners}
        shown = {h["case"] for h in json.loads(result.stdout)}
        assert shown <= mine and shown < chair
    conn = sqlite3.connect(demo_ws / "overleg.db")
    rows = conn.execute("SELECT kind, format, partner FROM disclosures WHERE kind = 'zoek'")
    assert rows.fetchall() == [("zoek", "json", "VT"), ("zoek", "json", "POL")]
    conn.close()


@pytest.mark.parametrize(("args", "code", "message"), [
    (["zoek", "?!"], 1, "bevat geen woord"),
    (["zoek", "x", "--since", "gisteren-ish"], 1, "datum"),
])
def test_bad_input_is_a_dutch_message(run, demo_ws, args, code, message):
    result = run(*args)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.stderr


def test_nothing_found_is_not_an_error(run, demo_ws):
    result = run("zoek", "qqqzzz")
    assert (result.exit_code, result.stdout) == (0, "Niets gevonden.\n")
