"""The schema's steps (overleg.migrations): a database made by any earlier step ends, once
opened, with exactly the schema a new database gets, its rows kept; sqlite-utils is there
(`Store.db`) but never imported by an ordinary command."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from overleg.migrations import MIGRATIONS
from overleg.store import Store

SCRIPT = Path(sys.executable).parent / "overleg"


def schema(db: Path) -> list[tuple[str, str, str | None]]:
    """(type, name, sql) of every table, index and trigger, whitespace normalised."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master "
                            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()
    return [(kind, name, " ".join(sql.split()) if sql else None) for kind, name, sql in rows]


def user_version(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def made_by_steps(db: Path, steps: int) -> None:
    """A database as the first `steps` migrations left it, with a meeting, its agenda, a note,
    an action and audit lines (and a register row once step 3 made the register)."""
    conn = sqlite3.connect(db)
    for step in MIGRATIONS[:steps]:
        step(conn)
    conn.execute(f"PRAGMA user_version = {steps}")
    at = "2026-11-17T09:30:00"
    conn.execute("INSERT INTO meetings (date, status, created_at, opened_at, closed_at) "
                 "VALUES ('2026-11-17', 'closed', ?, ?, ?)", (at, at, at))
    conn.execute("INSERT INTO agenda_items (meeting_id, case_id, position, reasons, minutes) "
                 "VALUES (1, '2026-014', 1, '[\"new\"]', 15)")
    conn.execute("INSERT INTO entries (meeting_id, case_id, kind, text, at) "
                 "VALUES (1, '2026-014', 'decision', 'GGZ start een onderzoek.', ?)", (at,))
    conn.execute("INSERT INTO actions (case_id, owner, text, due, meeting_id, created_at) "
                 "VALUES ('2026-014', 'POL', 'Huisbezoek', '2026-12-01', 1, ?)", (at,))
    audit = [{"at": at, "who": "Ö. Yılmaz", "action": action, "case_id": case_id,
              "meeting": "2026-11-17"} for action, case_id in
             [("meeting.plan", None), ("meeting.decision", "2026-014"),
              ("action.add", "2026-014")]]
    for row in audit:
        insert(conn, "audit", row, chained=steps >= 4)
    if steps >= 3:
        insert(conn, "disclosures", {
            "at": at, "who": "Ö. Yılmaz", "partner": "POL", "addresses": "[]",
            "kind": "minutes", "format": "md", "meeting": "2026-11-17",
            "cases": '["2026-014"]', "purpose": "", "basis": "", "file": None,
            "sha256": "c" * 64}, chained=steps >= 4)
        conn.execute("INSERT INTO disclosure_cases VALUES (1, '2026-014')")
    conn.commit()
    conn.close()


def insert(conn: sqlite3.Connection, table: str, row: dict[str, object],
           chained: bool) -> None:
    """A row of the audit log or the register; from step 4 on with its hash in the chain, as
    the store writes it."""
    if chained:
        from overleg.logchain import CHAINED, row_hash

        last = conn.execute(f"SELECT id, hash FROM {table} ORDER BY id DESC LIMIT 1").fetchone()
        row = {"id": last[0] + 1 if last else 1, **row}
        row["hash"] = row_hash(last[1] if last else "", [row[c] for c in CHAINED[table]])
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) "
                 f"VALUES ({', '.join('?' for _ in row)})", tuple(row.values()))


def test_the_steps_are_named_and_numbered() -> None:
    assert [step.__name__ for step in MIGRATIONS] == [
        "m001_initial", "m002_audit_no_replace", "m003_register_and_access_requests",
        "m004_chain_logs", "m005_meeting_closing", "m006_corrections", "m007_mail_states",
        "m008_search", "m009_uitvraag"]
    assert all(step.__doc__ for step in MIGRATIONS)


@pytest.mark.parametrize("steps", range(1, len(MIGRATIONS)))
def test_an_old_database_gets_exactly_the_schema_of_a_new_one(tmp_path: Path,
                                                               steps: int) -> None:
    Store.open(tmp_path / "nieuw.db").close()
    old = tmp_path / "oud.db"
    made_by_steps(old, steps)
    assert user_version(old) == steps
    store = Store.open(old)
    assert store.verify_logs().ok  # the rows already there were chained
    meeting = store.meetings()[0]
    assert [e.text for e in store.entries(meeting)] == ["GGZ start een onderzoek."]
    assert [a.text for a in store.actions(case_id="2026-014")] == ["Huisbezoek"]
    assert [e.action for e in store.audit_log()] == ["meeting.plan", "meeting.decision",
                                                     "action.add"]
    assert len(store.disclosures()) == (1 if steps >= 3 else 0)
    store.close()
    assert user_version(old) == user_version(tmp_path / "nieuw.db") == len(MIGRATIONS)
    assert schema(old) == schema(tmp_path / "nieuw.db")


def test_step_5_lets_a_meeting_be_closing_and_keeps_every_reference(tmp_path: Path) -> None:
    db = tmp_path / "oud.db"
    made_by_steps(db, 4)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute("UPDATE meetings SET status = 'closing'")
    store = Store.open(db)
    try:
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        store.conn.execute("UPDATE meetings SET status = 'closing'")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            store.conn.execute("UPDATE meetings SET status = 'half'")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            store.conn.execute("INSERT INTO entries (meeting_id, case_id, kind, text, at) "
                               "VALUES (9, '2026-014', 'note', 'x', 'y')")
        assert [(m.id, m.status) for m in store.meetings()] == [(1, "closing")]
    finally:
        store.close()


def test_opening_a_current_database_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Store.open(db).close()
    before = schema(db)
    Store.open(db).close()
    assert schema(db) == before


# --- sqlite-utils: there for the export, never on a command's way ---------------------------

def test_store_db_is_sqlite_utils_over_the_same_connection(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    store.create_meeting(date(2026, 12, 1))
    db = store.db
    assert db.conn is store.conn
    assert [r["date"] for r in db.table("meetings").rows] == ["2026-12-01"]
    # the connection is left as the store set it up
    assert store.conn.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    assert store.dump(["meetings"])["meetings"][0]["status"] == "planned"
    assert store.columns("audit") == ["id", "at", "who", "action", "case_id", "meeting", "hash"]
    store.close()


@pytest.fixture
def open_meeting(example_ws: Path, run) -> Path:
    for args in (("agenda", "build", "--date", "2026-12-01"),
                 ("meeting", "start", "--date", "2026-12-01")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    return example_ws


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["--version"],
    ["--help"],
    ["action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "Huisbezoek"],
    ["meeting", "note", "2026-014", "Besproken met de wijkagent."],
], ids=["version", "help", "action add", "meeting note"])
def test_a_command_never_imports_sqlite_utils(open_meeting: Path, args: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env |= {"OVERLEG_WORKSPACE": str(open_meeting), "OVERLEG_TODAY": "2026-12-01",
            "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-X", "importtime", str(SCRIPT), *args],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "overleg.store" in imported or args[0].startswith("--")  # the probe sees imports
    assert not {name for name in imported if name.split(".")[0] == "sqlite_utils"}


@pytest.mark.slow
def test_the_export_does_import_it(open_meeting: Path, tmp_path: Path) -> None:
    """The counterpart of the test above: the probe would see sqlite_utils."""
    env = os.environ | {"OVERLEG_WORKSPACE": str(open_meeting), "OVERLEG_TODAY": "2026-11-28"}
    done = subprocess.run([sys.executable, "-X", "importtime", str(SCRIPT), "export", "-o",
                           str(tmp_path / "e.json")], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert any(line.split("|")[-1].strip() == "sqlite_utils"
               for line in done.stderr.splitlines())
