"""The hash chains over the audit log and the register of disclosures: `overleg log verify`
finds the first row that was changed, removed or put in, also when the triggers that forbid
it were dropped first; a database from before the chains gets them on opening."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import Run

from overleg.migrations import MIGRATIONS
from overleg.store import Store
from overleg.workspace import init_workspace

D = "2026-12-01"
ME = "T. Tester"
HINT = ("Zet een reservekopie van overleg.db terug, of laat uitzoeken wie de database buiten "
        "overleg om heeft veranderd.\n")
NOTE = ("Noteer deze hashes ergens buiten deze computer: alleen daarmee ziet u later of de "
        "nieuwste regels zijn weggehaald (overleg log verify --hash <hash>).\n")
CHANGED = ("de hash past niet bij de inhoud van de regel en de hash van de regel ervoor (de "
           "regel is gewijzigd, vervangen of ingevoegd, of een hash is aangepast)")
AUDIT = ("id", "at", "who", "action", "case_id", "meeting")
REGISTER = ("id", "at", "who", "partner", "addresses", "kind", "format", "meeting", "cases",
            "purpose", "basis", "file", "sha256")


def expected_hash(previous: str, values: list) -> str:
    """The documented form, written out again: SHA-256 over the previous hash and the row as
    a compact JSON array, id first."""
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + text).encode("utf-8")).hexdigest()


def rows(db: Path, table: str) -> list[tuple]:
    columns = AUDIT if table == "audit" else REGISTER
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT {', '.join(columns)}, hash FROM {table} "
                            "ORDER BY id").fetchall()


def assert_chained(db: Path, table: str) -> None:
    previous = ""
    for row in rows(db, table):
        assert row[-1] == expected_hash(previous, list(row[:-1])), (table, row[0])
        previous = row[-1]


def tamper(db: Path, *statements: str) -> None:
    """Change the database the way someone with the file and the sqlite3 tool could."""
    conn = sqlite3.connect(db)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def summary(db: Path) -> str:
    audit, register = rows(db, "audit"), rows(db, "disclosures")

    def short(found: list[tuple]) -> str:
        return f"{found[-1][-1][:16]}…" if found else "(leeg)"

    def lines(n: int) -> str:
        return f"{n} regel{'' if n == 1 else 's'}"

    return (f"Logboek in orde: {lines(len(audit))}, register van verstrekkingen: "
            f"{lines(len(register))}. Laatste hash logboek: {short(audit)}, register: "
            f"{short(register)}.\n")


# --- a healthy chain --------------------------------------------------------------------------

def test_a_new_database_verifies_with_empty_chains(empty_ws: Path, run) -> None:
    result = run("log", "verify")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == ("Logboek in orde: 0 regels, register van verstrekkingen: 0 regels. "
                             "Laatste hash logboek: (leeg), register: (leeg).\n" + NOTE)


@pytest.mark.usefixtures("meeting_day")
def test_the_example_workspace_verifies_after_a_meeting(example_ws: Path, run) -> None:
    for args in [("agenda", "build", "--date", D), ("meeting", "start", "--date", D),
                 ("meeting", "note", "2026-014", "besproken"),
                 ("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "bellen"),
                 ("meeting", "close"), ("minutes", "--partner", "POL")]:
        assert run("--as", ME, *args).exit_code == 0, args
    store = Store.open(example_ws / "overleg.db", actor=ME)
    store.record_disclosure(partner="POL", kind="minutes", fmt="md", meeting=date(2026, 12, 1),
                            cases=["2026-014", "2026-027"], sha256="a" * 64, file="uit/v.md")
    store.close()
    db = example_ws / "overleg.db"
    assert len(rows(db, "audit")) >= 10 and rows(db, "disclosures")
    assert_chained(db, "audit")
    assert_chained(db, "disclosures")
    result = run("log", "verify")
    assert (result.exit_code, result.stdout, result.stderr) == (0, summary(db) + NOTE, "")
    # The log itself reads as before.
    log = json.loads(run("log", "--json").stdout)
    assert [line["action"] for line in log][:2] == ["meeting.plan", "agenda.build"]
    assert set(log[0]) == {"at", "who", "action", "case", "meeting"}


def test_a_noted_hash_is_found_while_rows_are_added_after_it(example_ws: Path, run) -> None:
    assert run("agenda", "build", "--date", D).exit_code == 0
    db = example_ws / "overleg.db"
    noted = rows(db, "audit")[-1]
    assert run("agenda", "build", "--date", D).exit_code == 0
    result = run("log", "verify", "--hash", noted[-1][:16].upper())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == summary(db) + (
        f"De genoteerde hash {noted[-1][:16]}… staat bij regel {noted[0]} van het logboek: "
        "tot en met die regel is niets weggehaald of veranderd.\n")


@pytest.mark.parametrize("value", ["3f2a", "zzzzzzzzzzzzzzzzzz"])
def test_a_noted_hash_must_look_like_one(empty_ws: Path, run, value: str) -> None:
    result = run("log", "verify", "--hash", value)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Fout: --hash '{value}' is geen hash zoals 'overleg log verify' "
                             "die toont; geef minstens de eerste 16 tekens (0-9, a-f).\n")


@pytest.mark.slow
def test_concurrent_writers_keep_one_chain(empty_ws: Path) -> None:
    db = empty_ws / "overleg.db"
    Store.open(db).close()
    code = ("import pathlib, sys, time\n"
            "from overleg.store import Store\n"
            "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
            "store = Store.open(pathlib.Path(sys.argv[1]), actor=sys.argv[3])\n"
            "for n in range(15):\n"
            "    store.log_case_created(f'2026-{n:03}', 'new')\n"
            "store.close()\n")
    start = str(time.time() + 0.4)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), start, f"p{i}"],
                              stderr=subprocess.PIPE, text=True) for i in range(4)]
    assert [p.communicate(timeout=60)[1] for p in procs] == [""] * 4
    assert [r[0] for r in rows(db, "audit")] == list(range(1, 61))
    assert_chained(db, "audit")
    store = Store.open(db)
    assert store.verify_logs().ok
    store.close()


# --- tampering ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace after a meeting, with three rows in the register."""
    ws = tmp_path_factory.mktemp("history") / "werkmap"
    init_workspace(ws, example=True)
    run = Run()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERLEG_TODAY", D)  # recordings act on today's meeting
        mp.setenv("OVERLEG_WORKSPACE", str(ws))
        for args in [("agenda", "build", "--date", D), ("meeting", "start", "--date", D),
                     ("meeting", "note", "2026-014", "x"), ("meeting", "note", "2026-027", "y"),
                     ("meeting", "close")]:
            assert run("--as", ME, *args).exit_code == 0, args
    store = Store.open(ws / "overleg.db", actor=ME)
    for partner, cases in (("POL", ["2026-014"]), ("GGZ", ["2026-014", "2026-027"]),
                           (None, ["2026-027"])):
        store.record_disclosure(partner=partner, kind="minutes", fmt="md",
                                meeting=date(2026, 12, 1), cases=cases, sha256="b" * 64)
    store.close()
    assert len(rows(ws / "overleg.db", "audit")) >= 10
    return ws


@pytest.fixture
def copy(history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of `history`, selected as the workspace; returns its database."""
    ws = tmp_path / "werkmap"
    shutil.copytree(history, ws)
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
    return ws / "overleg.db"


def broken(table: str, row: int, problem: str) -> str:
    name = {"audit": "logboek", "disclosures": "register van verstrekkingen"}[table]
    return f"Fout: {name} is aangetast bij regel {row} (tabel {table}): {problem}.\n"


def fake(row_id: int) -> str:
    return (f"INSERT INTO audit (id, at, who, action, case_id, meeting, hash) VALUES "
            f"({row_id}, '2026-12-01T10:00:00', 'iemand', 'meeting.note', '2026-014', "
            f"'2026-12-01', '{'0' * 64}')")


def last_id(db: Path) -> int:
    return rows(db, "audit")[-1][0]


TAMPERING = {
    "content changed after DROP TRIGGER": (
        ["DROP TRIGGER audit_no_update", "UPDATE audit SET who = 'iemand anders' WHERE id = 5"],
        "audit", 5, CHANGED),
    "meeting date changed": (
        ["DROP TRIGGER audit_no_update", "UPDATE audit SET meeting = '2026-11-17' WHERE id = 3"],
        "audit", 3, CHANGED),
    "middle row deleted": (
        ["DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE id = 5"],
        "audit", 5, "de regel ontbreekt; na regel 4 volgt regel 6 (een regel gewist, of een "
                    "regel met een gekozen nummer ingevoegd)"),
    "first row deleted": (
        ["DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE id = 1"],
        "audit", 1, "de regel ontbreekt; de eerste regel is regel 2 (een regel gewist, of een "
                    "regel met een gekozen nummer ingevoegd)"),
    "row replaced under its own id, hash kept": (
        ["CREATE TEMP TABLE old AS SELECT * FROM audit WHERE id = 5",
         "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE id = 5",
         "INSERT INTO audit SELECT id, at, who, 'meeting.reopen', case_id, meeting, hash "
         "FROM old"],
        "audit", 5, CHANGED),
    "row inserted before the first": (
        [fake(0)], "audit", 0, "deze regel hoort niet in de reeks (nummer 1, 2, 3, ...): hij "
                               "is er buiten overleg om tussen gezet"),
    "hash changed": (
        ["DROP TRIGGER audit_no_update",
         "UPDATE audit SET hash = (SELECT hash FROM audit WHERE id = 4) WHERE id = 6"],
        "audit", 6, CHANGED),
    "hash removed": (
        ["DROP TRIGGER audit_no_update", "UPDATE audit SET hash = NULL WHERE id = 2"],
        "audit", 2, "de regel heeft geen hash: hij is buiten overleg om toegevoegd"),
    "register row changed": (
        ["DROP TRIGGER disclosures_no_update",
         "UPDATE disclosures SET partner = 'OM' WHERE id = 2"],
        "disclosures", 2, CHANGED),
    "register row deleted": (
        ["DROP TRIGGER disclosures_no_delete", "DROP TRIGGER disclosure_cases_no_delete",
         "DELETE FROM disclosure_cases WHERE disclosure_id = 2",
         "DELETE FROM disclosures WHERE id = 2"],
        "disclosures", 2, "de regel ontbreekt; na regel 1 volgt regel 3 (een regel gewist, of "
                          "een regel met een gekozen nummer ingevoegd)"),
    "register hash changed": (
        ["DROP TRIGGER disclosures_no_update",
         "UPDATE disclosures SET hash = upper(hash) WHERE id = 1"],
        "disclosures", 1, CHANGED),
    "a case added to disclosure_cases": (
        ["INSERT INTO disclosure_cases (disclosure_id, case_id) VALUES (2, '2026-099')"],
        "disclosures", 2, "de koppeltabel disclosure_cases wijkt af van de casussen in de regel "
                          "(erbij: 2026-099)"),
    "a case removed from disclosure_cases": (
        ["DROP TRIGGER disclosure_cases_no_delete",
         "DELETE FROM disclosure_cases WHERE disclosure_id = 2 AND case_id = '2026-027'"],
        "disclosures", 2, "de koppeltabel disclosure_cases wijkt af van de casussen in de regel "
                          "(ontbreekt: 2026-027)"),
    "a case changed in disclosure_cases": (
        ["DROP TRIGGER disclosure_cases_no_update",
         "UPDATE disclosure_cases SET case_id = '2026-005' WHERE disclosure_id = 3"],
        "disclosures", 3, "de koppeltabel disclosure_cases wijkt af van de casussen in de regel "
                          "(erbij: 2026-005; ontbreekt: 2026-027)"),
    "disclosure_cases naming a row not in the register": (
        ["INSERT INTO disclosure_cases (disclosure_id, case_id) VALUES (9, '2026-014')"],
        "disclosures", 9, "de koppeltabel disclosure_cases verwijst naar regel 9, die niet in "
                          "het register staat"),
}


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_verify_names_the_first_row_that_does_not_match(copy: Path, run, kind: str) -> None:
    statements, table, row, problem = TAMPERING[kind]
    tamper(copy, *statements)
    result = run("log", "verify")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == broken(table, row, problem) + HINT


GAP = ("de regel ontbreekt; na regel {last} volgt regel {then} (een regel gewist, of een regel "
       "met een gekozen nummer ingevoegd)")


@pytest.mark.parametrize("after, with_hash, row, problem", [
    (1, True, 1, CHANGED),
    (5, True, 1, GAP),
    (1, False, 1, "de regel heeft geen hash: hij is buiten overleg om toegevoegd"),
], ids=["next id, made-up hash", "chosen id further on", "next id, no hash"])
def test_a_row_added_after_the_last_one(copy: Path, run, after: int, with_hash: bool, row: int,
                                        problem: str) -> None:
    last = last_id(copy)
    tamper(copy, fake(last + after) if with_hash else
           f"INSERT INTO audit (id, at, who, action) VALUES ({last + after}, "
           "'2026-12-01T10:00:00', 'iemand', 'meeting.note')")
    result = run("log", "verify")
    assert (result.exit_code, result.stderr) == (
        1, broken("audit", last + row, problem.format(last=last, then=last + after)) + HINT)


def test_a_row_rehashed_to_fit_its_new_content_breaks_the_next_link(copy: Path, run) -> None:
    audit = rows(copy, "audit")
    changed = [5, audit[4][1], "iemand anders", *audit[4][3:-1]]
    tamper(copy, "DROP TRIGGER audit_no_update",
           f"UPDATE audit SET who = 'iemand anders', "
           f"hash = '{expected_hash(audit[3][-1], changed)}' WHERE id = 5")
    result = run("log", "verify")
    assert result.stderr == broken("audit", 6, CHANGED) + HINT


def test_both_chains_broken_are_both_named(copy: Path, run) -> None:
    tamper(copy, "DROP TRIGGER audit_no_update", "UPDATE audit SET who = 'x' WHERE id = 7",
           "INSERT INTO disclosure_cases (disclosure_id, case_id) VALUES (1, '2026-099')")
    result = run("log", "verify")
    assert result.exit_code == 1
    assert result.stderr == (broken("audit", 7, CHANGED) + broken(
        "disclosures", 1, "de koppeltabel disclosure_cases wijkt af van de casussen in de "
                          "regel (erbij: 2026-099)") + HINT)


def test_removing_the_newest_rows_shows_only_against_a_noted_hash(copy: Path, run) -> None:
    noted = rows(copy, "audit")[-1][-1]
    tamper(copy, "DROP TRIGGER audit_no_delete",
           f"DELETE FROM audit WHERE id >= {last_id(copy) - 1}")
    assert run("log", "verify").exit_code == 0  # what a chain cannot see on its own
    result = run("log", "verify", "--hash", noted)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Fout: de genoteerde hash {noted[:16]}… staat niet (meer) in het "
                             "logboek of het register: de nieuwste regels zijn weggehaald, of de "
                             "hash is verkeerd overgenomen.\n")


def test_a_chain_recomputed_from_a_changed_row_shows_against_a_noted_hash(copy: Path,
                                                                          run) -> None:
    noted = rows(copy, "audit")[-1][-1]
    tamper(copy, "DROP TRIGGER audit_no_update", "UPDATE audit SET who = 'x' WHERE id = 3")
    previous = rows(copy, "audit")[1][-1]
    for row in rows(copy, "audit")[2:]:
        previous = expected_hash(previous, list(row[:-1]))
        tamper(copy, f"UPDATE audit SET hash = '{previous}' WHERE id = {row[0]}")
    assert run("log", "verify").exit_code == 0
    assert run("log", "verify", "--hash", noted[:20]).exit_code == 1


def test_commands_keep_appending_to_a_broken_chain_and_verify_still_names_it(copy: Path,
                                                                            run) -> None:
    tamper(copy, "DROP TRIGGER audit_no_update", "UPDATE audit SET who = 'x' WHERE id = 4")
    assert run("meeting", "approve", "--date", D).exit_code == 0
    assert run("log", "verify").stderr == broken("audit", 4, CHANGED) + HINT


# --- upgrading a database from before the chains --------------------------------------------

def old_database(db: Path, *, drop_triggers: bool = False) -> None:
    """A database as schema 3 left it: audit lines and register rows without hashes."""
    conn = sqlite3.connect(db)
    for step in MIGRATIONS[:3]:
        step(conn)
    conn.execute("PRAGMA user_version = 3")
    for n, (action, case) in enumerate([("meeting.plan", None), ("agenda.build", None),
                                        ("meeting.note", "2026-014"),
                                        ("verstrekking.minutes.md.POL", None)]):
        conn.execute("INSERT INTO audit (at, who, action, case_id, meeting) VALUES "
                     "(?, 'Ö. Yılmaz', ?, ?, '2026-12-01')", (f"2026-12-01T09:0{n}:00", action,
                                                              case))
    conn.execute("INSERT INTO disclosures (at, who, partner, addresses, kind, format, meeting, "
                 "cases, sha256) VALUES ('2026-12-01T09:03:00', 'Ö. Yılmaz', 'POL', '[]', "
                 "'minutes', 'md', '2026-12-01', '[\"2026-014\", \"2026-027\"]', ?)", ("c" * 64,))
    conn.executemany("INSERT INTO disclosure_cases VALUES (1, ?)", [("2026-014",), ("2026-027",)])
    if drop_triggers:
        conn.execute("DROP TRIGGER audit_no_update")
    conn.commit()
    conn.close()


def test_opening_an_old_database_chains_the_rows_already_there(empty_ws: Path, run) -> None:
    db = empty_ws / "overleg.db"
    old_database(db)
    store = Store.open(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.verify_logs().ok
    store.close()
    assert len(rows(db, "audit")) == 4
    assert_chained(db, "audit")
    assert_chained(db, "disclosures")
    # The first hash, written out: nothing else but the row's own values goes in.
    first = rows(db, "audit")[0]
    assert first[-1] == hashlib.sha256(
        '[1,"2026-12-01T09:00:00","Ö. Yılmaz","meeting.plan",null,"2026-12-01"]'
        .encode()).hexdigest()
    # New lines continue the chain, and the triggers are back.
    assert run("--as", ME, "agenda", "build", "--date", D).exit_code == 0
    assert_chained(db, "audit")
    assert [r[0] for r in rows(db, "audit")] == [1, 2, 3, 4, 5, 6]
    with sqlite3.connect(db) as conn:
        for sql, message in [("UPDATE audit SET who = 'x'", "kan niet worden gewijzigd"),
                             ("UPDATE disclosures SET who = 'x'", "kan niet worden gewijzigd"),
                             ("DELETE FROM audit", "kan niet worden gewist")]:
            with pytest.raises(sqlite3.IntegrityError, match=message):
                conn.execute(sql)
    result = run("log", "verify")
    assert (result.exit_code, result.stdout) == (0, summary(db) + NOTE)
    assert summary(db).startswith("Logboek in orde: 6 regels, register van verstrekkingen: "
                                  "1 regel.")


def test_the_upgrade_puts_back_a_trigger_dropped_before_it(empty_ws: Path) -> None:
    db = empty_ws / "overleg.db"
    old_database(db, drop_triggers=True)
    Store.open(db).close()
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.IntegrityError,
                                                    match="het logboek kan niet worden"):
        conn.execute("UPDATE audit SET who = 'x'")


def test_a_failing_upgrade_leaves_the_old_database_as_it_was(empty_ws: Path,
                                                             monkeypatch) -> None:
    db = empty_ws / "overleg.db"
    old_database(db)
    before = rows_of_old(db)

    def broken_hash(previous: str, values: object) -> str:
        raise RuntimeError("stroom weg")

    monkeypatch.setattr("overleg.logchain.row_hash", broken_hash)
    with pytest.raises(RuntimeError):
        Store.open(db)
    assert rows_of_old(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3


def rows_of_old(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return [*conn.execute("SELECT * FROM audit ORDER BY id"),
                *conn.execute("SELECT * FROM disclosures ORDER BY id"),
                *conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name")]
