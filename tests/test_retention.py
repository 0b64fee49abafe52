"""Retention: `purge` removes the meeting records of cases closed longer than `bewaartermijn`
years, keeps everything else, logs it, and deletes case files only on a second 'j'."""

from __future__ import annotations

import re
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, Run

from overleg.retention import retention_end
from overleg.workspace import init_workspace

SECRET = "BEWAAR-5d2e81"  # typed into the meeting about the case that will be purged
OTHER = "BLIJFT-0c44aa"  # typed about the case that stays
MEETING = "2024-06-04"
TABLES = ("agenda_items", "entries", "reviews", "actions", "writebacks")


def case_file(case_id: str, extra: str = "", status: str = "actief",
              aangemeld_op: str = "2024-01-10") -> str:
    return (f"---\nid: {case_id}\ninitialen: X.{case_id[-3:]}.\ngeboortejaar: 1990\n"
            f"status: {status}\naangemeld_op: {aangemeld_op}\naangemeld_door: POL\n"
            f"partners: [POL, GGZ]\n{extra}---\n# X.\n\n## Vraag aan het overleg\n"
            f"Vraag over {case_id}.\n")


@pytest.fixture(scope="module")
def history_template(tmp_path_factory) -> Path:
    """Case 2024-100 closed in the meeting of 04-06-2024 (with every kind of record), case
    2024-101 discussed in the same meeting and still open. Built once, copied per test."""
    ws = tmp_path_factory.mktemp("bewaren") / "leeg"
    init_workspace(ws, example=False)
    shutil.copyfile(EXAMPLES / "overleg.toml", ws / "overleg.toml")
    cases = ws / "casussen"
    (cases / "purge-me.md").write_text(case_file("2024-100", "agenda: ja\n"), encoding="utf-8")
    (cases / "keep-me.md").write_text(case_file("2024-101", "agenda: ja\n"), encoding="utf-8")
    run = Run()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERLEG_TODAY", MEETING)  # recordings act on today's meeting
        mp.setenv("OVERLEG_WORKSPACE", str(ws))
        _meeting_of_2024(run, cases)
    return ws


@pytest.fixture
def history(history_template, tmp_path, monkeypatch) -> Path:
    ws = tmp_path / "leeg"
    shutil.copytree(history_template, ws)
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
    monkeypatch.setenv("COLUMNS", "200")  # the purge table on one line per case
    return ws


def _meeting_of_2024(run: Run, cases: Path) -> None:
    for args in [
        ("agenda", "build", "--date", MEETING),
        ("meeting", "start", "--date", MEETING),
        ("meeting", "attend", "POL", "K. Bakker"),
        ("meeting", "note", "2024-100", f"{SECRET} notitie"),
        ("meeting", "decide", "2024-100", f"{SECRET} besluit"),
        ("action", "add", "2024-100", "--owner", "GGZ", "--due", "+1w", f"{SECRET} actie"),
        ("action", "done", "1", "--comment", f"{SECRET} klaar"),
        ("meeting", "review", "2024-100", "--status", "afgesloten"),
        ("meeting", "note", "2024-101", f"{OTHER} notitie"),
        ("action", "add", "2024-101", "--owner", "POL", "--due", "+2w", f"{OTHER} actie"),
        ("meeting", "review", "2024-101", "--next", "2024-07-02"),
        ("meeting", "close"),
    ]:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    assert "status: afgesloten\n" in (cases / "purge-me.md").read_text(encoding="utf-8")
    assert "afgesloten_op: 2024-06-04\n" in (cases / "purge-me.md").read_text(encoding="utf-8")


def rows_of(ws: Path, case_id: str) -> dict[str, list[tuple]]:
    with sqlite3.connect(ws / "overleg.db") as conn:
        return {t: conn.execute(f"SELECT * FROM {t} WHERE case_id = ? ORDER BY id",
                                (case_id,)).fetchall() for t in TABLES}


def audit_of(ws: Path, case_id: str | None = None) -> list[tuple]:
    with sqlite3.connect(ws / "overleg.db") as conn:
        sql = "SELECT id, at, who, action, case_id, meeting FROM audit"
        if case_id is None:
            return conn.execute(sql + " ORDER BY id").fetchall()
        return conn.execute(sql + " WHERE case_id = ? ORDER BY id", (case_id,)).fetchall()


def table(stdout: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in stdout.splitlines() if line.strip()]


HEADER = ["casus", "gesloten", "bewaren tot", "wat verdwijnt", "bestand"]
LISTED = ["2024-100", "04-06-2024", "04-06-2026",
          "1 agendapunt, 1 notitie, 1 besluit, 1 vervolgafspraak, 1 actie, "
          "3 terugschrijvingen", "casussen/purge-me.md"]


# --- which cases ------------------------------------------------------------------------

@pytest.mark.parametrize("today, listed", [
    ("2026-06-03", False),
    ("2026-06-04", False),  # exactly two years: not yet *longer* than the bewaartermijn
    ("2026-06-05", True),   # a day after
    ("2030-01-01", True),
])
def test_dry_run_lists_a_case_only_after_its_retention_ended(history, run, monkeypatch,
                                                             today, listed):
    monkeypatch.setenv("OVERLEG_TODAY", today)
    before = rows_of(history, "2024-100")
    result = run("purge", "--dry-run")
    assert result.exit_code == 0
    if listed:
        assert table(result.stdout) == [HEADER, LISTED]
        assert result.stderr == ("Proefdraai: er is niets verwijderd. Gebruik --yes om op te "
                                 "schonen.\n")
    else:
        assert result.stdout == ("Niets op te schonen: geen casus is langer dan 2 jaar "
                                 "gesloten.\n")
    assert rows_of(history, "2024-100") == before
    assert sum(len(rows) for rows in before.values()) == 8


@pytest.mark.parametrize("closed, years, today, listed, until", [
    ("29-02-2024", 2, "2026-02-28", False, "28-02-2026"),
    ("29-02-2024", 2, "2026-03-01", True, "28-02-2026"),
    ("29-02-2024", 4, "2028-02-29", False, "29-02-2028"),
    ("29-02-2024", 4, "2028-03-01", True, "29-02-2028"),
    ("31-12-2023", 1, "2024-12-31", False, "31-12-2024"),
    ("31-12-2023", 1, "2025-01-01", True, "31-12-2024"),
    ("15-10-2026", 0, "2026-10-15", False, "15-10-2026"),
    ("15-10-2026", 0, "2026-10-16", True, "15-10-2026"),
])
def test_retention_boundaries(empty_ws, run, monkeypatch, closed, years, today, listed, until):
    toml = empty_ws / "overleg.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "bewaartermijn = 2", f"bewaartermijn = {years}"), encoding="utf-8")
    (empty_ws / "casussen" / "c.md").write_text(case_file(
        "2023-001", f"afgesloten_op: {closed}\n", status="afgesloten",
        aangemeld_op="2023-01-02"), encoding="utf-8")
    monkeypatch.setenv("OVERLEG_TODAY", today)
    result = run("purge", "--dry-run")
    assert result.exit_code == 0, result.stderr
    if listed:
        assert table(result.stdout)[1][:3] == ["2023-001", closed, until]
    else:
        assert result.stdout == (f"Niets op te schonen: geen casus is langer dan {years} jaar "
                                 "gesloten.\n")


@pytest.mark.parametrize("closed, years, until", [
    (date(2024, 2, 29), 1, date(2025, 2, 28)),
    (date(2024, 2, 29), 4, date(2028, 2, 29)),
    (date(2024, 3, 1), 2, date(2026, 3, 1)),
    (date(2024, 6, 4), 0, date(2024, 6, 4)),
])
def test_retention_end(closed, years, until):
    assert retention_end(closed, years) == until


def test_open_cases_and_cases_without_a_closing_date_are_never_listed(empty_ws, run,
                                                                     monkeypatch):
    cases = empty_ws / "casussen"
    (cases / "a.md").write_text(case_file("2020-001", aangemeld_op="2020-01-01"),
                                encoding="utf-8")
    (cases / "b.md").write_text(case_file("2020-002", "afgesloten_op: 2020-03-01\n",
                                          status="nazorg", aangemeld_op="2020-01-01"),
                                encoding="utf-8")
    monkeypatch.setenv("OVERLEG_TODAY", "2026-11-28")
    result = run("purge", "--dry-run")
    assert (result.exit_code, result.stdout) == (
        0, "Niets op te schonen: geen casus is langer dan 2 jaar gesloten.\n")


# --- what goes, what stays ----------------------------------------------------------------

def test_yes_removes_only_the_expired_cases_records_and_logs_it(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    kept = rows_of(history, "2024-101")
    earlier = audit_of(history, "2024-100")
    everything_before = audit_of(history)
    assert [line[3] for line in earlier] == [
        "meeting.note", "meeting.decision", "action.add", "action.done", "meeting.review",
        "case.writeback"]
    with sqlite3.connect(history / "overleg.db") as conn:
        meetings = conn.execute("SELECT * FROM meetings").fetchall()
        attendance = conn.execute("SELECT * FROM attendance").fetchall()
    result = run("--as", "F. Functioneel Beheer", "purge", "--yes")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert table("\n".join(lines[:2])) == [HEADER, LISTED]
    assert lines[2:] == [
        "8 vergaderregel(s) van 1 casus(sen) verwijderd; het logboek houdt bij dat dit is "
        "gebeurd.",
        "Deze casusbestanden mogen nu weg: casussen/purge-me.md",
    ]
    assert result.stderr == "Ook de 1 casusbestand(en) verwijderen? [j/N] \nCasusbestanden " \
                            "niet verwijderd.\n"
    assert rows_of(history, "2024-100") == {t: [] for t in TABLES}
    assert rows_of(history, "2024-101") == kept
    assert sum(len(rows) for rows in kept.values()) == 6
    with sqlite3.connect(history / "overleg.db") as conn:
        assert conn.execute("SELECT * FROM meetings").fetchall() == meetings
        assert conn.execute("SELECT * FROM attendance").fetchall() == attendance
    # The log keeps every earlier line, adds one for the purge, and holds no content.
    after = audit_of(history)
    assert after[:len(everything_before)] == everything_before
    assert [(a[2], a[3], a[4], a[5]) for a in after[len(everything_before):]] == [
        ("F. Functioneel Beheer", "purge", "2024-100", None)]
    assert audit_of(history, "2024-100")[:-1] == earlier
    assert SECRET not in repr(after)
    # The case file stays without a second confirmation.
    assert (history / "casussen" / "purge-me.md").exists()


def test_nothing_of_the_purged_case_is_left_in_the_database(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    assert run("purge", "--yes", input="j\n").exit_code == 0
    assert run("cases", "list").exit_code == 0  # any later command
    with sqlite3.connect(history / "overleg.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = "\n".join(repr(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables)
    assert SECRET not in dump
    assert "Vraag over 2024-100" not in dump
    assert OTHER in dump  # the other case's records are still there to find
    # And the old meeting's minutes no longer mention the case at all.
    minutes = run("minutes", "--date", MEETING, "--format", "txt")
    assert minutes.exit_code == 0
    assert "2024-100" not in minutes.stdout
    assert "2024-101" in minutes.stdout


@pytest.mark.parametrize("args, answers, purged, deleted, code", [
    (("--yes",), None, True, False, 0),          # plain --yes with no input: file stays
    (("--yes",), "n\n", True, False, 0),
    (("--yes",), "j\n", True, True, 0),
    ((), "j\nj\n", True, True, 0),
    ((), "ja\nnee\n", True, False, 0),
    ((), "j\n", True, False, 0),                 # end of input at the second question
    ((), "n\n", False, False, 1),
    ((), "", False, False, 1),
])
def test_case_files_go_only_after_a_second_j(history, run, monkeypatch, args, answers,
                                             purged, deleted, code):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    path = history / "casussen" / "purge-me.md"
    content = path.read_bytes()
    result = run("purge", *args, input=answers)
    assert result.exit_code == code, result.stderr
    assert (rows_of(history, "2024-100")["entries"] == []) is purged
    assert path.exists() is not deleted
    if not deleted:
        assert path.read_bytes() == content
    assert (history / "casussen" / "keep-me.md").exists()
    actions = [line[3] for line in audit_of(history, "2024-100")]
    assert actions.count("purge") == int(purged)
    assert actions.count("purge.file") == int(deleted)
    if deleted:
        assert actions[-2:] == ["purge", "purge.file"]
        assert result.stdout.endswith("1 casusbestand(en) verwijderd.\n")
    if not purged:
        assert result.stderr.endswith("Niets verwijderd.\n")


def test_a_purged_case_is_not_listed_again_once_its_file_is_gone(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    assert run("purge", "--yes", input="j\n").exit_code == 0
    result = run("purge", "--dry-run")
    assert (result.exit_code, result.stdout) == (
        0, "Niets op te schonen: geen casus is langer dan 2 jaar gesloten.\n")


# --- refusals -----------------------------------------------------------------------------

def test_without_bewaartermijn_purge_refuses(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2030-01-01")
    toml = history / "overleg.toml"
    toml.write_text(re.sub(r"(?m)^bewaartermijn = 2\n", "", toml.read_text(encoding="utf-8")),
                    encoding="utf-8")
    before = rows_of(history, "2024-100")
    for args in (("--dry-run",), ("--yes",), ()):
        result = run("purge", *args, input="j\nj\n")
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "Fout: er is geen 'bewaartermijn' ingesteld in [overleg] van overleg.toml; zonder "
            "afgesproken termijn wordt niets opgeschoond. Zet bijv. bewaartermijn = 2 (jaren, "
            "volgens het convenant).\n")
    assert rows_of(history, "2024-100") == before
    assert (history / "casussen" / "purge-me.md").exists()


def test_dry_run_and_yes_together_are_refused(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2030-01-01")
    before = rows_of(history, "2024-100")
    result = run("purge", "--dry-run", "--yes")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Fout: kies --dry-run of --yes, niet allebei.\n"
    assert rows_of(history, "2024-100") == before


# --- retention that forgets: database pages, snapshot, WAL ----------------------------------

@pytest.fixture
def secure_delete_off_by_default(monkeypatch):
    """Every new SQLite connection starts with secure_delete off, as on builds that default
    it off (this one may default it on)."""
    connect = sqlite3.connect

    def connect_off(*args, **kwargs):
        conn = connect(*args, **kwargs)
        conn.execute("PRAGMA secure_delete = OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect_off)


def test_every_store_connection_deletes_securely(tmp_path, secure_delete_off_by_default):
    from overleg.store import Store

    store = Store.open(tmp_path / "overleg.db")
    assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    store.close()


def database_bytes(ws: Path) -> bytes:
    """The database file and its WAL as they are on disk (what `strings` would read)."""
    return b"".join(p.read_bytes() for p in (ws / "overleg.db", ws / "overleg.db-wal")
                    if p.exists())


@pytest.mark.parametrize("answer", ["j\n", "n\n"])
def test_purged_text_is_gone_from_the_database_files(history, run, monkeypatch,
                                                     secure_delete_off_by_default, answer):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    before = database_bytes(history)
    assert SECRET.encode() in before
    assert b"X.100." in before and b"Vraag over 2024-100" in before  # in the case snapshot
    assert run("purge", "--yes", input=answer).exit_code == 0
    after = database_bytes(history)
    assert SECRET.encode() not in after
    assert b"X.100." not in after
    assert b"Vraag over 2024-100" not in after
    assert OTHER.encode() in after  # the case that stays is still there
    wal = history / "overleg.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed and truncated


def test_the_case_snapshot_forgets_a_purged_case_in_the_purge(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    with sqlite3.connect(history / "overleg.db") as conn:
        assert b"X.100." in conn.execute("SELECT data FROM case_snapshot").fetchone()[0]
    assert run("purge", "--yes", input="j\n").exit_code == 0
    with sqlite3.connect(history / "overleg.db") as conn:
        snapshots = [row[0] for row in conn.execute("SELECT data FROM case_snapshot")]
    assert not any(b"X.100." in data or b"Vraag over 2024-100" in data for data in snapshots)
    assert run("cases", "list").exit_code == 0  # the next load reads the files again
    with sqlite3.connect(history / "overleg.db") as conn:
        (data,) = conn.execute("SELECT data FROM case_snapshot").fetchone()
    assert b"X.101." in data and b"X.100." not in data


def test_the_logs_still_verify_after_a_purge(history, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    assert run("purge", "--yes", input="j\n").exit_code == 0
    result = run("log", "verify")
    assert result.exit_code == 0, result.stdout + result.stderr


# --- a case file that changed while the second question waited -------------------------------

@pytest.mark.parametrize("change", [
    lambda text: text.replace("status: afgesloten\n", "status: actief\n"),  # re-activated
    lambda text: text + "\nNog een regel.\n",  # still closed, but edited
])
def test_a_case_file_changed_before_the_second_yes_is_kept(history, run, monkeypatch, change):
    import overleg.cli.common

    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    path = history / "casussen" / "purge-me.md"

    def confirm(question: str) -> bool:
        if question.startswith("Ook de"):  # someone edits the file while this one waits
            path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
        return True

    monkeypatch.setattr(overleg.cli.common, "confirm", confirm)
    result = run("purge")
    assert result.exit_code == 0, result.stderr
    assert path.exists()
    assert result.stderr == ("casussen/purge-me.md is veranderd sinds het werd getoond "
                             "(opnieuw actief of bewerkt) en is niet verwijderd.\n")
    assert result.stdout.endswith("0 casusbestand(en) verwijderd.\n")
    assert "purge.file" not in [line[3] for line in audit_of(history, "2024-100")]


# --- orphans: records of a case whose file is gone ----------------------------------------------

ORPHAN = ["2024-101", "onbekend", "02-07-2026",
          "1 agendapunt, 1 notitie, 1 vervolgafspraak, 1 actie, 2 terugschrijvingen",
          "geen; laatst 02-07-2024"]
ORPHAN_NOTE = ["Zonder casusbestand telt de bewaartermijn vanaf de laatste datum in de "
               "database (vergadering, deadline of volgende bespreking)."]


@pytest.mark.parametrize("today, listed", [
    ("2026-07-02", False),  # two years after its last date (the planned next review)
    ("2026-07-03", True),
])
def test_an_orphan_expires_two_years_after_its_last_date(history, run, monkeypatch, today,
                                                         listed):
    (history / "casussen" / "keep-me.md").unlink()  # deleted by hand, records still there
    monkeypatch.setenv("OVERLEG_TODAY", today)
    result = run("purge", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert table(result.stdout) == [HEADER, LISTED] + ([ORPHAN, ORPHAN_NOTE] if listed else [])


def test_an_orphan_is_purged(history, run, monkeypatch):
    (history / "casussen" / "keep-me.md").unlink()
    monkeypatch.setenv("OVERLEG_TODAY", "2026-07-03")
    result = run("purge", "--yes")
    assert result.exit_code == 0, result.stderr
    assert ("14 vergaderregel(s) van 2 casus(sen) verwijderd; het logboek houdt bij dat dit is "
            "gebeurd.\nDeze casusbestanden mogen nu weg: casussen/purge-me.md\n") in result.stdout
    assert rows_of(history, "2024-101") == {t: [] for t in TABLES}
    assert [line[3] for line in audit_of(history, "2024-101")][-1] == "purge"
    with sqlite3.connect(history / "overleg.db") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert OTHER.encode() not in database_bytes(history)


def test_a_broken_case_file_that_names_its_id_is_no_orphan(history, run, monkeypatch):
    path = history / "casussen" / "keep-me.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: actief",
                                                             "status: onzin"), encoding="utf-8")
    monkeypatch.setenv("OVERLEG_TODAY", "2030-01-01")
    result = run("purge", "--dry-run")
    assert [row[0] for row in table(result.stdout)] == ["casus", "2024-100"]


def test_a_case_file_without_a_readable_id_keeps_every_orphan(history, run, monkeypatch):
    (history / "casussen" / "keep-me.md").unlink()
    (history / "casussen" / "kapot.md").write_text("---\nid: [\n---\n", encoding="utf-8")
    monkeypatch.setenv("OVERLEG_TODAY", "2030-01-01")
    result = run("purge", "--dry-run")
    assert [row[0] for row in table(result.stdout)] == ["casus", "2024-100"]
    assert result.stderr.endswith(
        "Let op: 1 casusbestand(en) zonder leesbaar id; gegevens zonder casusbestand blijven "
        "staan tot 'overleg cases check' geen fouten meer meldt.\n"
        "Proefdraai: er is niets verwijderd. Gebruik --yes om op te schonen.\n")


# --- reopen reasons -----------------------------------------------------------------------------

REASON = "HEROPEN-7b1f09"


def _reopen(history: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("OVERLEG_TODAY", "2024-06-05")
    for args in (("meeting", "reopen", "--reason", f"{REASON} besluit onvolledig"),
                 ("meeting", "close")):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)


def reasons(ws: Path) -> list[str]:
    with sqlite3.connect(ws / "overleg.db") as conn:
        return [row[0] for row in conn.execute("SELECT reason FROM reopenings")]


def test_reopen_reasons_stay_while_a_case_of_the_meeting_does(history, run, monkeypatch):
    _reopen(history, run, monkeypatch)
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    dry = run("purge", "--dry-run")
    assert "heropening" not in dry.stdout
    assert run("purge", "--yes").exit_code == 0
    assert reasons(history) == [f"{REASON} besluit onvolledig"]


def test_reopen_reasons_go_with_the_last_case_of_their_meeting(history, run, monkeypatch):
    _reopen(history, run, monkeypatch)
    (history / "casussen" / "keep-me.md").unlink()
    monkeypatch.setenv("OVERLEG_TODAY", "2026-07-03")
    dry = run("purge", "--dry-run")
    assert dry.stdout.endswith("Met hun vergadering verdwijnen 1 reden(en) van heropening.\n")
    result = run("purge", "--yes")
    assert result.exit_code == 0, result.stderr
    assert reasons(history) == []
    assert ("purge.reopen", None, MEETING) in [(a[3], a[4], a[5]) for a in audit_of(history)]
    assert REASON.encode() not in database_bytes(history)


# --- documents: uit/ after uit_bewaren_dagen, and every document of a purged case -------------

def _aged(path: Path, day: str, text: str = "stuk\n") -> Path:
    import os
    from datetime import datetime

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    stamp = datetime.fromisoformat(f"{day}T12:00:00").timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture
def uit(history) -> Path:
    """uit/ with documents of 01-05, 05-05 and 20-05-2026, a workspace inside it (the demo's)
    and a symlink."""
    out = history / "uit"
    _aged(out / "oud.html", "2026-05-01")
    _aged(out / "mail" / "oud.eml", "2026-05-05")
    _aged(out / "nieuw.html", "2026-05-20")
    _aged(out / "werkmap" / "overleg.toml", "2026-01-01", "")
    _aged(out / "werkmap" / "uit" / "demo.html", "2026-01-01")
    (out / "link.html").symlink_to(out / "oud.html")
    return out


def _set(ws: Path, key: str, value: object) -> None:
    """Set a key of [overleg] in the workspace's overleg.toml (the example has it already)."""
    toml = ws / "overleg.toml"
    text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}",
                          toml.read_text(encoding="utf-8"))
    assert found == 1
    toml.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("days, gone", [
    (None, ["uit/mail/oud.eml", "uit/oud.html"]),  # default 30: before 06-05-2026
    (31, ["uit/oud.html"]),
    (10, ["uit/mail/oud.eml", "uit/nieuw.html", "uit/oud.html"]),
])
def test_documents_in_uit_older_than_uit_bewaren_dagen_go(history, uit, run, monkeypatch,
                                                           days, gone):
    if days is not None:
        _set(history, "uit_bewaren_dagen", days)
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    dry = run("purge", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    listing = dry.stdout.split("Documenten die verdwijnen")[1].splitlines()
    assert listing == [f" ({len(gone)}):"] + [f"  {name}" for name in gone]
    assert all((history / name).exists() for name in gone)
    result = run("purge", "--yes", input="n\n")
    assert result.exit_code == 0, result.stderr
    assert f"{len(gone)} document(en) verwijderd.\n" in result.stdout
    for name in ("uit/oud.html", "uit/mail/oud.eml", "uit/nieuw.html"):
        assert (history / name).exists() is (name not in gone)
    assert (uit / "link.html").is_symlink()  # a link is not a document (its target may be)
    assert (uit / "werkmap" / "uit" / "demo.html").exists()
    assert [a[3] for a in audit_of(history)].count("purge.document") == len(gone)


def test_only_old_documents_to_remove(history, uit, run, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-01")  # no case has expired yet
    dry = run("purge", "--dry-run")
    assert dry.stdout == "Documenten die verdwijnen (1):\n  uit/oud.html\n"
    result = run("purge", input="j\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "1 document(en) definitief verwijderen? [j/N] "
    assert result.stdout.endswith("1 document(en) verwijderd.\n")
    assert not (uit / "oud.html").exists()


@pytest.mark.parametrize("days", [0, 3651, "true", "\"30\""])
def test_uit_bewaren_dagen_is_a_whole_number_of_days(history, run, days):
    _set(history, "uit_bewaren_dagen", days)
    result = run("purge", "--dry-run")
    assert result.exit_code == 1
    assert result.stderr.startswith("Fout: overleg.toml:")
    assert "'uit_bewaren_dagen' = " in result.stderr
    assert "moet een geheel getal van 1 tot en met 3650 zijn" in result.stderr


def test_every_document_of_a_purged_case_goes(history, run, monkeypatch, tmp_path):
    """The register knows which files held the case: the ones overleg last wrote with it go,
    one written over since without it stays, and one outside the workspace is only named."""
    monkeypatch.setenv("OVERLEG_TODAY", "2024-06-05")
    verslag, stuk, buiten = history / "uit" / "verslag-GGZ.html", history / "stuk.csv", \
        tmp_path / "buiten.md"
    for args in (("minutes", "--date", MEETING, "--partner", "GGZ", "--format", "html",
                  "-o", str(verslag)),
                 ("minutes", "--date", MEETING, "--partner", "GGZ", "--format", "txt",
                  "-o", str(stuk)),
                 ("minutes", "--date", MEETING, "-o", str(buiten)),
                 ("action", "list", "--partner", "POL", "--format", "csv", "-o", str(stuk))):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    assert SECRET in verslag.read_text(encoding="utf-8")
    assert SECRET not in stuk.read_text(encoding="utf-8")  # POL's actions: 2024-101 only
    with sqlite3.connect(history / "overleg.db") as conn:
        register = conn.execute("SELECT * FROM disclosures").fetchall()
    monkeypatch.setenv("OVERLEG_TODAY", "2026-06-05")
    dry = run("purge", "--dry-run")
    assert dry.stdout.endswith("Documenten die verdwijnen (1):\n  uit/verslag-GGZ.html\n")
    assert ("Buiten de werkmap staan nog stukken met deze casussen; overleg verwijdert ze niet, "
            f"ruim ze zelf op: {buiten}\n") in dry.stderr
    result = run("purge", "--yes", input="n\n")
    assert result.exit_code == 0, result.stderr
    assert not verslag.exists()
    assert stuk.exists() and buiten.exists()
    with sqlite3.connect(history / "overleg.db") as conn:  # the register itself stays whole
        assert conn.execute("SELECT * FROM disclosures").fetchall() == register
    assert run("log", "verify").exit_code == 0
