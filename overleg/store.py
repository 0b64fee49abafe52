"""The SQLite store: queries, the append-only audit log, and the schema kept current.

The only module with SQL. It runs on the stdlib `sqlite3` driver: it imports in a few
milliseconds where sqlite-utils costs 120-230 ms, and every command pays for what it
imports (docs/performance.md). `Store.db` offers sqlite-utils over the same connection
for what is not on a command's hot path (the export). The schema's steps are in
overleg.migrations, applied under PRAGMA user_version; the records are overleg.model's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg.errors import ActionNotFound, MeetingClosed, MeetingClosing, MeetingNotFound
from overleg.migrations import MIGRATIONS
from overleg.model import (
    AccessRequest,
    Action,
    ActionChange,
    Answer,
    Attendance,
    AuditEntry,
    Disclosure,
    Entry,
    History,
    Item,
    Meeting,
    Record,
    Reopening,
    Review,
)

if TYPE_CHECKING:
    import sqlite_utils

    from overleg.logchain import LogCheck

BUSY_TIMEOUT_MS = 60_000
# Every table of meeting data, in the order an export lists them: all but the case-file
# cache (case_snapshot), which is the case files' and rebuilt from them.
EXPORT_TABLES = ("meetings", "agenda_items", "attendance", "entries", "reviews", "actions",
                 "reopenings", "writebacks", "mailings", "disclosures", "disclosure_cases",
                 "access_requests", "audit", "action_changes", "uitvraag_forms",
                 "uitvraag_items")


def now() -> str:
    """Local time to the second, ISO, as the audit log writes it. On the day $OVERLEG_TODAY
    fixes (a test, or a chair trying meetings week by week), so that what is done "today"
    (an action finished, minutes approved) is dated that day and stays in order with it."""
    stamp = datetime.now().replace(microsecond=0)
    if fixed := os.environ.get("OVERLEG_TODAY", "").strip():
        with suppress(ValueError):  # dates.today() says what is wrong with it
            stamp = datetime.combine(date.fromisoformat(fixed), stamp.time())
    return stamp.isoformat()


def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Store:
    """The workspace database. Every change goes through a method that logs it."""

    def __init__(self, conn: sqlite3.Connection, actor: str = "onbekend") -> None:
        self.conn = conn
        self.actor = actor
        self._in_tx = False
        self.migrate()

    @classmethod
    def open(cls, path: Path, actor: str = "onbekend") -> Store:
        """Open (creating owner-only if needed) and migrate the database at `path`."""
        if not path.exists():
            _create(path)
        os.chmod(path, 0o600) if path.stat().st_mode & 0o077 else None
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten with zeros, not left in free pages: a purge must not
        # leave case text for `strings overleg.db` (some SQLite builds default this off).
        conn.execute("PRAGMA secure_delete = ON")
        return cls(conn, actor)

    def close(self) -> None:
        self.conn.close()

    # --- plumbing ------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest version: each step of overleg.migrations not yet
        applied, in order, all in one transaction."""
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version >= len(MIGRATIONS):
            return
        with self.transaction():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for number in range(version, len(MIGRATIONS)):
                MIGRATIONS[number](self.conn)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over this store's connection, for work off the hot path (the export):
        importing sqlite_utils costs more than a whole command, so only this imports it."""
        import sqlite_utils

        # No plugins, and the connection's pragmas left as they are (sqlite-utils would
        # switch recursive_triggers on, which makes REPLACE fire DELETE triggers).
        return sqlite_utils.Database(self.conn, recursive_triggers=False,
                                     execute_plugins=False)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: a second writer waits, never deadlocks)."""
        if self._in_tx:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def audit(self, action: str, case_id: str | None = None,
              meeting: date | None = None) -> None:
        """Append one line to the audit log (call inside the change's transaction)."""
        self._append_chained("audit", {
            "at": now(), "who": self.actor, "action": action, "case_id": case_id,
            "meeting": meeting.isoformat() if meeting else None})

    def _append_chained(self, table: str, row: dict[str, Any]) -> int:
        """Insert a row of a hash-chained table (overleg.logchain) as the next id, its hash
        made from the last row's: one lookup on the primary key, under the write lock."""
        from overleg.logchain import CHAINED, row_hash

        with self.transaction():
            last = self.conn.execute(f"SELECT id, hash FROM {table} ORDER BY id DESC "
                                     "LIMIT 1").fetchone()
            row_id = last[0] + 1 if last else 1
            values = [row_id, *(row[c] for c in CHAINED[table][1:])]
            digest = row_hash((last[1] or "") if last else "", values)
            marks = ", ".join("?" for _ in range(len(values) + 1))
            self.conn.execute(f"INSERT INTO {table} ({', '.join(CHAINED[table])}, hash) "
                              f"VALUES ({marks})", (*values, digest))
        return row_id

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Several reads that see one state of the database (a deferred read transaction)."""
        if self._in_tx:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cursor = self.conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                                   tuple(row.values()))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
              ) -> list[sqlite3.Row]:
        cursor = self.conn.execute(sql, params)
        cursor.row_factory = sqlite3.Row
        return cursor.fetchall()

    # --- meetings ------------------------------------------------------------------

    def _meeting(self, row: sqlite3.Row) -> Meeting:
        return Meeting(row["id"], date.fromisoformat(row["date"]), row["status"],
                       row["opened_at"], row["closed_at"], row["approved_at"],
                       bool(row["geheimhouding_read"]), row["current_case"],
                       row["current_since"])

    def meeting(self, on: date) -> Meeting | None:
        rows = self._rows("SELECT * FROM meetings WHERE date = ?", (on.isoformat(),))
        return self._meeting(rows[0]) if rows else None

    def meeting_by_id(self, meeting_id: int) -> Meeting:
        rows = self._rows("SELECT * FROM meetings WHERE id = ?", (meeting_id,))
        if not rows:
            raise MeetingNotFound(f"vergadering {meeting_id} bestaat niet")
        return self._meeting(rows[0])

    def meetings(self) -> list[Meeting]:
        return [self._meeting(r) for r in self._rows("SELECT * FROM meetings ORDER BY date")]

    def open_meeting(self) -> Meeting | None:
        rows = self._rows("SELECT * FROM meetings WHERE status = 'open' ORDER BY date LIMIT 1")
        return self._meeting(rows[0]) if rows else None

    def closing_meeting(self) -> Meeting | None:
        """The meeting a `meeting close` is writing back (or was cut off in), if any."""
        rows = self._rows("SELECT * FROM meetings WHERE status = 'closing' ORDER BY date "
                          "LIMIT 1")
        return self._meeting(rows[0]) if rows else None

    def latest_closed(self) -> Meeting | None:
        rows = self._rows("SELECT * FROM meetings WHERE status = 'closed' "
                          "ORDER BY date DESC LIMIT 1")
        return self._meeting(rows[0]) if rows else None

    def next_planned(self, on_or_after: date) -> Meeting | None:
        rows = self._rows("SELECT * FROM meetings WHERE status = 'planned' AND date >= ? "
                          "ORDER BY date LIMIT 1", (on_or_after.isoformat(),))
        return self._meeting(rows[0]) if rows else None

    def create_meeting(self, on: date) -> Meeting:
        with self.transaction():
            self._insert("meetings", {"date": on.isoformat(), "status": "planned",
                                      "created_at": now()})
            self.audit("meeting.plan", meeting=on)
        meeting = self.meeting(on)
        assert meeting is not None
        return meeting

    def delete_planned_meeting(self, meeting: Meeting) -> bool:
        """Delete a planned meeting with its agenda items and the record of its agenda mailed
        (the register of disclosures keeps what left), logged as `agenda.delete`. False, and
        nothing deleted, when it is no longer planned or something else refers to it."""
        try:
            with self.transaction():
                row = self.conn.execute("SELECT status FROM meetings WHERE id = ?",
                                        (meeting.id,)).fetchone()
                if row is None or row[0] != "planned":
                    return False
                for table in ("agenda_items", "mailings"):
                    self.conn.execute(f"DELETE FROM {table} WHERE meeting_id = ?", (meeting.id,))
                self.conn.execute("DELETE FROM meetings WHERE id = ?", (meeting.id,))
                self.audit("agenda.delete", meeting=meeting.date)
        except sqlite3.IntegrityError:  # a record of the meeting elsewhere: it stays whole
            return False
        return True

    def set_meeting_status(self, meeting: Meeting, status: str, action: str) -> Meeting:
        """Move a meeting to planned/open/closing/closed and log it as `action`."""
        stamp = {"open": "opened_at", "closed": "closed_at"}.get(status)
        with self.transaction():
            self.conn.execute("UPDATE meetings SET status = ? WHERE id = ?",
                              (status, meeting.id))
            if stamp:
                self.conn.execute(f"UPDATE meetings SET {stamp} = ? WHERE id = ?",
                                  (now(), meeting.id))
            self.audit(action, meeting=meeting.date)
        return self.meeting_by_id(meeting.id)

    def begin_close(self, meeting: Meeting) -> Meeting:
        """open -> closing: from here on nothing can be recorded in the meeting, so what the
        close writes back is all there is. No line in the log: the close gets its one line
        (`meeting.close`) when it is done, and a close that stops here is finished by the
        next one."""
        with self.transaction():
            current = self.require_writable(meeting)
            if current.status != "open":
                raise MeetingNotFound("er is geen open vergadering. Start er een met "
                                      "'overleg meeting start'.")
            self.conn.execute("UPDATE meetings SET status = 'closing' WHERE id = ?",
                              (meeting.id,))
        return self.meeting_by_id(meeting.id)

    def cancel_close(self, meeting: Meeting) -> Meeting:
        """closing -> open, for a close that stopped before it wrote anything (a case file
        could not take its update): as if it had not begun, so no line in the log either."""
        with self.transaction():
            self.conn.execute("UPDATE meetings SET status = 'open' WHERE id = ? AND "
                              "status = 'closing'", (meeting.id,))
        return self.meeting_by_id(meeting.id)

    def reopen_meeting(self, meeting: Meeting, reason: str) -> Meeting:
        """Open a closed meeting again; the reason is kept with the meeting, not in the log.
        Approved minutes go back to concept: the reopening keeps the approval it undid."""
        with self.transaction():
            self._insert("reopenings", {"meeting_id": meeting.id, "reason": reason,
                                        "at": now(), "approved_at": meeting.approved_at})
            self.conn.execute("UPDATE meetings SET status = 'open', approved_at = NULL "
                              "WHERE id = ?", (meeting.id,))
            self.audit("meeting.reopen", meeting=meeting.date)
        return self.meeting_by_id(meeting.id)

    def reopenings(self, meeting: Meeting) -> list[Reopening]:
        return [Reopening(r["at"], r["reason"], r["approved_at"]) for r in self._rows(
            "SELECT * FROM reopenings WHERE meeting_id = ? ORDER BY id", (meeting.id,))]

    def set_current_item(self, meeting: Meeting, case_id: str | None) -> None:
        """The live screen moves to `case_id`, or stops (None: a chosen stop, after which the
        next run resumes at the first item not yet discussed, as DESIGN §5 says; a run that
        was killed left its item here, and the next one resumes there): the time since it came
        to the item it leaves is added to that item's. Only while the meeting is open; no line
        in the log (nothing is recorded)."""
        with self.transaction():
            row = self.conn.execute("SELECT current_case, current_since, status FROM meetings "
                                    "WHERE id = ?", (meeting.id,)).fetchone()
            if row is None or row[2] != "open":
                return
            stamp = now()
            if row and row[0] and row[1]:
                seconds = max(0, int((datetime.fromisoformat(stamp)
                                      - datetime.fromisoformat(row[1])).total_seconds()))
                self.conn.execute("UPDATE agenda_items SET spent = spent + ? WHERE "
                                  "meeting_id = ? AND case_id = ?",
                                  (seconds, meeting.id, row[0]))
            self.conn.execute("UPDATE meetings SET current_case = ?, current_since = ? "
                              "WHERE id = ?", (case_id, stamp if case_id else None,
                                               meeting.id))

    def meeting_counts(self, meeting: Meeting) -> dict[str, int]:
        """Items on the agenda, decisions and actions recorded in the meeting."""
        row = self.conn.execute(
            "SELECT (SELECT count(*) FROM agenda_items WHERE meeting_id = :m AND dropped = 0),"
            " (SELECT count(*) FROM entries WHERE meeting_id = :m AND kind = 'decision'"
            "  AND state = 'active'),"
            " (SELECT count(*) FROM actions WHERE meeting_id = :m AND status != 'cancelled')",
            {"m": meeting.id}).fetchone()
        return {"items": row[0], "decisions": row[1], "actions": row[2]}

    def approve_meeting(self, meeting: Meeting) -> Meeting:
        with self.transaction():
            self.conn.execute("UPDATE meetings SET approved_at = ? WHERE id = ?",
                              (now(), meeting.id))
            self.audit("meeting.approve", meeting=meeting.date)
        return self.meeting_by_id(meeting.id)

    def mark_geheimhouding(self, meeting: Meeting) -> None:
        with self.transaction():
            self.conn.execute("UPDATE meetings SET geheimhouding_read = 1 WHERE id = ?",
                              (meeting.id,))
            self.audit("meeting.geheimhouding", meeting=meeting.date)

    def require_writable(self, meeting: Meeting) -> Meeting:
        """The meeting as the database has it now; MeetingClosing or MeetingClosed when
        nothing may change in it any more. Called inside the change's write transaction, so
        the state checked is the state the change commits on: a close cannot slip in between
        (another terminal's `meeting close`, say, after this command read the meeting)."""
        current = self.meeting_by_id(meeting.id)
        if current.status == "closing":
            raise MeetingClosing(current.date)
        if current.status == "closed":
            raise MeetingClosed(current.date)
        return current

    # --- agenda items --------------------------------------------------------------

    def _item(self, row: sqlite3.Row) -> Item:
        return Item(row["id"], row["meeting_id"], row["case_id"], row["position"],
                    tuple(json.loads(row["reasons"])), row["minutes"], bool(row["added"]),
                    bool(row["dropped"]), row["note"], row["spent"], row["question"])

    def items(self, meeting: Meeting, include_dropped: bool = False) -> list[Item]:
        """The meeting's agenda items in order (dropped ones only when asked)."""
        sql = "SELECT * FROM agenda_items WHERE meeting_id = ?"
        if not include_dropped:
            sql += " AND dropped = 0"
        return [self._item(r) for r in self._rows(sql + " ORDER BY dropped, position, id",
                                                  (meeting.id,))]

    def replace_items(self, meeting: Meeting, items: Sequence[Item], action: str) -> None:
        """Store a (re)built agenda: every item of `items`, positions as given."""
        with self.transaction():
            self.require_writable(meeting)
            self.conn.execute("DELETE FROM agenda_items WHERE meeting_id = ?", (meeting.id,))
            for item in items:
                self._insert("agenda_items", {
                    "meeting_id": meeting.id, "case_id": item.case_id,
                    "position": item.position, "reasons": json.dumps(list(item.reasons)),
                    "minutes": item.minutes, "added": int(item.added),
                    "dropped": int(item.dropped), "note": item.note, "question": item.question,
                })
            self.audit(action, meeting=meeting.date)

    def update_item(self, meeting: Meeting, item: Item, action: str, **changes: Any) -> None:
        """Change one item (dropped, minutes, position, ...) and log it."""
        with self.transaction():
            self.require_writable(meeting)
            for key, value in changes.items():
                if key == "reasons":
                    value = json.dumps(list(value))
                self.conn.execute(f"UPDATE agenda_items SET {key} = ? WHERE id = ?",
                                  (value, item.id))
            self.audit(action, item.case_id, meeting.date)

    def insert_item(self, meeting: Meeting, item: Item, action: str) -> None:
        with self.transaction():
            self.require_writable(meeting)
            self._insert("agenda_items", {
                "meeting_id": meeting.id, "case_id": item.case_id, "position": item.position,
                "reasons": json.dumps(list(item.reasons)), "minutes": item.minutes,
                "added": int(item.added), "dropped": int(item.dropped), "note": item.note,
                "question": item.question,
            })
            self.audit(action, item.case_id, meeting.date)

    def reorder(self, meeting: Meeting, case_ids: Sequence[str]) -> None:
        """Give the listed items positions 1..n in the given order (inside a transaction)."""
        for position, case_id in enumerate(case_ids, start=1):
            self.conn.execute("UPDATE agenda_items SET position = ? WHERE meeting_id = ? "
                              "AND case_id = ?", (position, meeting.id, case_id))

    # --- attendance, notes, decisions, reviews: the numbered records ------------------

    # The three tables of numbered records (one number space, `#N`), by record kind.
    _RECORD_TABLES = {"attendance": "attendance", "note": "entries", "decision": "entries",
                      "review": "reviews"}

    def _next_record_id(self) -> int:
        """The next `#N`: one past the highest number of attendance, entries and reviews
        (called under the write lock)."""
        row = self.conn.execute(
            "SELECT max(coalesce((SELECT max(id) FROM entries), 0),"
            " coalesce((SELECT max(id) FROM reviews), 0),"
            " coalesce((SELECT max(id) FROM attendance), 0))").fetchone()
        return int(row[0]) + 1

    def attend(self, meeting: Meeting, agency: str, name: str, present: bool,
               replaces: int | None = None) -> int:
        """Who is at the table (or sent apologies); the record's number. The same person
        again changes that record (back to active, present or not, arrived again)."""
        with self.transaction():
            self.require_writable(meeting)
            self.conn.execute(
                "INSERT INTO attendance (id, meeting_id, agency, name, present, at, replaces) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, agency, name) DO UPDATE "
                "SET present = excluded.present, state = 'active', left_at = NULL",
                (self._next_record_id(), meeting.id, agency, name, int(present), now(),
                 replaces))
            self.audit("meeting.attend", meeting=meeting.date)
            return int(self.conn.execute(
                "SELECT id FROM attendance WHERE meeting_id = ? AND agency = ? AND name = ?",
                (meeting.id, agency, name)).fetchone()[0])

    def depart(self, meeting: Meeting, agency: str) -> list[Attendance]:
        """Everyone of `agency` at the table leaves now; who left."""
        with self.transaction():
            self.require_writable(meeting)
            leaving = [a for a in self.attendance(meeting) if a.agency == agency and a.here]
            self.conn.executemany("UPDATE attendance SET left_at = ? WHERE id = ?",
                                  [(now(), a.id) for a in leaving])
            if leaving:
                self.audit("meeting.depart", meeting=meeting.date)
        return leaving

    def _attendance(self, r: sqlite3.Row) -> Attendance:
        return Attendance(r["id"], r["meeting_id"], r["agency"], r["name"], bool(r["present"]),
                          r["at"], r["left_at"], r["state"], r["replaces"])

    def attendance(self, meeting: Meeting, every: bool = False) -> list[Attendance]:
        """Who was there or sent apologies (`every`: corrected and withdrawn lines too)."""
        state = "" if every else " AND state = 'active'"
        return [self._attendance(r) for r in self._rows(
            f"SELECT * FROM attendance WHERE meeting_id = ?{state} ORDER BY agency, name",
            (meeting.id,))]

    def add_entry(self, meeting: Meeting, case_id: str, kind: str, text: str,
                  replaces: int | None = None) -> Entry:
        with self.transaction():
            self.require_writable(meeting)
            entry_id = self._insert("entries", {
                "id": self._next_record_id(), "meeting_id": meeting.id, "case_id": case_id,
                "kind": kind, "text": text, "at": now(), "replaces": replaces})
            if replaces is None:
                self.audit(f"meeting.{kind}", case_id, meeting.date)
        return self.entries(meeting, case_id, entry_id=entry_id)[0]

    def _entry(self, r: sqlite3.Row) -> Entry:
        return Entry(r["id"], r["meeting_id"], r["case_id"], r["kind"], r["text"], r["at"],
                     r["state"], r["replaces"])

    def entries(self, meeting: Meeting, case_id: str | None = None,
                entry_id: int | None = None) -> list[Entry]:
        """The meeting's notes and decisions as they stand (`entry_id`: that one, whatever
        its state)."""
        sql = "SELECT * FROM entries WHERE meeting_id = ?"
        params: list[Any] = [meeting.id]
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [*params, case_id]
        if entry_id is not None:
            sql, params = sql + " AND id = ?", [*params, entry_id]
        else:
            sql += " AND state = 'active'"
        return [self._entry(r) for r in self._rows(sql + " ORDER BY id", params)]

    def add_review(self, meeting: Meeting, case_id: str, next_date: date | None,
                   status: str | None, replaces: int | None = None) -> Review:
        with self.transaction():
            self.require_writable(meeting)
            review_id = self._insert("reviews", {
                "id": self._next_record_id(), "meeting_id": meeting.id, "case_id": case_id,
                "next_date": next_date.isoformat() if next_date else None,
                "status": status, "at": now(), "replaces": replaces})
            if replaces is None:
                self.audit("meeting.review", case_id, meeting.date)
        return next(r for r in self.reviews(meeting, case_id) if r.id == review_id)

    def reviews(self, meeting: Meeting, case_id: str | None = None) -> list[Review]:
        sql = "SELECT * FROM reviews WHERE meeting_id = ? AND state = 'active'"
        params: list[Any] = [meeting.id]
        if case_id is not None:
            sql, params = sql + " AND case_id = ?", [*params, case_id]
        return [Review(r["id"], r["meeting_id"], r["case_id"], _d(r["next_date"]), r["status"],
                       r["at"], r["state"], r["replaces"])
                for r in self._rows(sql + " ORDER BY id", params)]

    def records(self, meeting: Meeting | None = None, case_id: str | None = None,
                number: int | None = None) -> list[Record]:
        """Numbered records in every state, by number: of `meeting`, of `case_id`, or the
        one with `number`. Attendance reads 'NAAM (CODE), aanwezig'; a review its date and
        status (ISO), as `meeting entries` lists them."""
        def where(has_case: bool) -> tuple[str, list[Any]]:
            clauses: list[str] = []
            params: list[Any] = []
            for column, value in (("meeting_id", meeting.id if meeting else None),
                                  ("id", number), ("case_id", case_id)):
                if value is not None and column == "case_id" and not has_case:
                    clauses.append("0")  # attendance belongs to no case
                elif value is not None:
                    clauses, params = [*clauses, f"{column} = ?"], [*params, value]
            return " AND ".join(clauses) or "1", params

        (cased, cased_params), (uncased, uncased_params) = where(True), where(False)
        rows = self._rows(
            "SELECT id, meeting_id, kind, case_id, text, state, replaces, reason"
            f" FROM entries WHERE {cased}"
            " UNION ALL SELECT id, meeting_id, 'review', case_id,"
            "  trim(coalesce('volgende bespreking ' || next_date, '') || ' ' ||"
            "  coalesce('status ' || status, '')), state, replaces, reason"
            f" FROM reviews WHERE {cased}"
            " UNION ALL SELECT id, meeting_id, 'attendance', NULL, name || ' (' || agency"
            "  || '), ' || CASE present WHEN 1 THEN 'aanwezig' ELSE 'afgemeld' END,"
            f"  state, replaces, reason FROM attendance WHERE {uncased} ORDER BY id",
            [*cased_params, *cased_params, *uncased_params])
        return [Record(r["id"], r["meeting_id"], r["kind"], r["case_id"], r["text"],
                       r["state"], r["replaces"], r["reason"]) for r in rows]

    def attendance_record(self, number: int) -> Attendance:
        rows = self._rows("SELECT * FROM attendance WHERE id = ?", (number,))
        return self._attendance(rows[0])

    def review_record(self, number: int) -> Review:
        r = self._rows("SELECT * FROM reviews WHERE id = ?", (number,))[0]
        return Review(r["id"], r["meeting_id"], r["case_id"], _d(r["next_date"]), r["status"],
                      r["at"], r["state"], r["replaces"])

    def set_record_state(self, record: Record, state: str, meeting: Meeting,
                         reason: str | None = None) -> None:
        """Mark a record corrected or withdrawn (its text stays: corrections, not erasures);
        the log says which kind and number, never the text."""
        table = self._RECORD_TABLES[record.kind]
        with self.transaction():
            self.require_writable(meeting)
            self.conn.execute(f"UPDATE {table} SET state = ?, reason = ?, changed_at = ? "
                              "WHERE id = ?", (state, reason, now(), record.id))
            verb = "correct" if state == "corrected" else "withdraw"
            self.audit(f"meeting.{verb}.{record.kind}.{record.id}", record.case_id,
                       meeting.date)

    def discussed_cases(self, meeting: Meeting) -> set[str]:
        """Cases for which the meeting recorded a note, decision, action, review or action done
        (as they stand: a withdrawn entry or an action cancelled in the meeting it was made
        in is not a discussion)."""
        rows = self.conn.execute(
            "SELECT case_id FROM entries WHERE meeting_id = :m AND state = 'active' "
            "UNION SELECT case_id FROM reviews WHERE meeting_id = :m AND state = 'active' "
            "UNION SELECT case_id FROM actions WHERE meeting_id = :m AND NOT "
            "  (status = 'cancelled' AND done_meeting_id IS meeting_id) "
            "UNION SELECT case_id FROM actions WHERE done_meeting_id = :m AND NOT "
            "  (status = 'cancelled' AND meeting_id IS done_meeting_id)",
            {"m": meeting.id}).fetchall()
        return {r[0] for r in rows}

    def previous_decisions(self, case_id: str, before: date) -> tuple[date | None, list[Entry]]:
        """The decisions of the last meeting before `before` that took any on the case."""
        rows = self._rows(
            "SELECT e.*, m.date AS meeting_date FROM entries e JOIN meetings m ON "
            "m.id = e.meeting_id WHERE e.case_id = ? AND e.kind = 'decision' AND "
            "e.state = 'active' AND m.date < ? ORDER BY m.date DESC, e.id",
            (case_id, before.isoformat()))
        if not rows:
            return None, []
        last = rows[0]["meeting_date"]
        return (date.fromisoformat(last),
                [self._entry(r) for r in rows if r["meeting_date"] == last])

    # --- actions -------------------------------------------------------------------

    _ACTION_SQL = ("SELECT a.*, m.date AS meeting_date FROM actions a "
                   "LEFT JOIN meetings m ON m.id = a.meeting_id")

    def _action(self, r: sqlite3.Row) -> Action:
        return Action(r["id"], r["case_id"], r["owner"], r["who"], r["text"],
                      date.fromisoformat(r["due"]), r["status"], r["meeting_id"],
                      _d(r["meeting_date"]), r["done_at"], r["done_meeting_id"],
                      r["done_comment"], r["created_at"], r["condition"])

    def add_action(self, case_id: str, owner: str, who: str | None, text: str, due: date,
                   meeting: Meeting | None, condition: str | None = None) -> Action:
        with self.transaction():
            if meeting is not None:
                self.require_writable(meeting)
            action_id = self._insert("actions", {
                "case_id": case_id, "owner": owner, "who": who, "text": text,
                "due": due.isoformat(), "meeting_id": meeting.id if meeting else None,
                "created_at": now(), "condition": condition})
            self.audit("action.add", case_id, meeting.date if meeting else None)
        return self.action(action_id)

    def action(self, action_id: int) -> Action:
        rows = self._rows(self._ACTION_SQL + " WHERE a.id = ?", (action_id,))
        if not rows:
            raise ActionNotFound(f"actie #{action_id} bestaat niet. Zie 'overleg action list'.")
        return self._action(rows[0])

    def complete_action(self, action: Action, comment: str | None,
                        meeting: Meeting | None) -> Action:
        with self.transaction():
            if meeting is not None:
                self.require_writable(meeting)
            self.conn.execute(
                "UPDATE actions SET status = 'done', done_at = ?, done_meeting_id = ?, "
                "done_comment = ? WHERE id = ?",
                (now(), meeting.id if meeting else None, comment, action.id))
            self.audit("action.done", action.case_id, meeting.date if meeting else None)
        return self.action(action.id)

    def actions(self, *, case_id: str | None = None, owner: str | None = None,
                status: str | None = "open", due_before: date | None = None,
                meeting: Meeting | None = None, case_ids: Sequence[str] | None = None,
                ) -> list[Action]:
        """Actions by filter, ordered by deadline then id. `due_before` uses the index."""
        where: list[str] = []
        params: list[Any] = []
        if status is not None:
            where, params = [*where, "a.status = ?"], [*params, status]
        if due_before is not None:
            where, params = [*where, "a.due < ?"], [*params, due_before.isoformat()]
        if case_id is not None:
            where, params = [*where, "a.case_id = ?"], [*params, case_id]
        if owner is not None:
            where, params = [*where, "a.owner = ?"], [*params, owner]
        if meeting is not None:
            where, params = [*where, "a.meeting_id = ?"], [*params, meeting.id]
        if case_ids is not None:
            marks = ", ".join("?" for _ in case_ids) or "NULL"
            where, params = [*where, f"a.case_id IN ({marks})"], [*params, *case_ids]
        sql = self._ACTION_SQL + (" WHERE " + " AND ".join(where) if where else "")
        return [self._action(r) for r in self._rows(sql + " ORDER BY a.due, a.id", params)]

    def actions_done_in(self, meeting: Meeting) -> list[Action]:
        """Actions finished (or cancelled) in `meeting`."""
        rows = self._rows(self._ACTION_SQL + " WHERE a.done_meeting_id = ? ORDER BY a.id",
                          (meeting.id,))
        return [self._action(r) for r in rows]

    _EDITABLE = ("owner", "who", "due", "text")

    def edit_action(self, action: Action, changes: dict[str, str | None],
                    meeting: Meeting | None) -> Action:
        """Change an action's owner, who, due (ISO) or text; the old values are kept in
        action_changes, the log says which action and fields (never the text)."""
        assert changes and set(changes) <= set(self._EDITABLE)
        with self.transaction():
            if meeting is not None:
                self.require_writable(meeting)
            current = self.action(action.id)
            old = {"owner": current.owner, "who": current.who, "due": current.due.isoformat(),
                   "text": current.text}
            self._insert("action_changes", {
                "action_id": action.id, "case_id": action.case_id,
                "meeting_id": meeting.id if meeting else None, "kind": "edit",
                "old": json.dumps({k: old[k] for k in changes}), "at": now()})
            for key, value in changes.items():
                self.conn.execute(f"UPDATE actions SET {key} = ? WHERE id = ?",
                                  (value, action.id))
            self.audit(f"action.edit.{action.id}.{'.'.join(sorted(changes))}", action.case_id,
                       meeting.date if meeting else None)
        return self.action(action.id)

    def cancel_action(self, action: Action, reason: str, meeting: Meeting | None) -> Action:
        """An action that will not be done: status cancelled ("vervallen"), with the reason."""
        with self.transaction():
            if meeting is not None:
                self.require_writable(meeting)
            stamp = now()
            self._insert("action_changes", {
                "action_id": action.id, "case_id": action.case_id,
                "meeting_id": meeting.id if meeting else None, "kind": "cancel",
                "old": json.dumps({"status": action.status}), "reason": reason, "at": stamp})
            self.conn.execute(
                "UPDATE actions SET status = 'cancelled', done_at = ?, done_meeting_id = ?, "
                "done_comment = ? WHERE id = ?",
                (stamp, meeting.id if meeting else None, reason, action.id))
            self.audit(f"action.cancel.{action.id}", action.case_id,
                       meeting.date if meeting else None)
        return self.action(action.id)

    def reopen_action(self, action: Action, meeting: Meeting | None) -> Action:
        """A done or cancelled action open again (a `k`/`x` typed by mistake, undone); how it
        was finished is kept in action_changes."""
        with self.transaction():
            if meeting is not None:
                self.require_writable(meeting)
            self._insert("action_changes", {
                "action_id": action.id, "case_id": action.case_id,
                "meeting_id": meeting.id if meeting else None, "kind": "reopen",
                "old": json.dumps({"status": action.status, "done_at": action.done_at,
                                   "done_meeting_id": action.done_meeting_id,
                                   "done_comment": action.done_comment}), "at": now()})
            self.conn.execute("UPDATE actions SET status = 'open', done_at = NULL, "
                              "done_meeting_id = NULL, done_comment = NULL WHERE id = ?",
                              (action.id,))
            self.audit(f"action.reopen.{action.id}", action.case_id,
                       meeting.date if meeting else None)
        return self.action(action.id)

    def action_changes(self, action_ids: Sequence[int] | None = None) -> list[ActionChange]:
        """Edits and cancellations, oldest first (of `action_ids`, else all)."""
        sql, params = "SELECT * FROM action_changes", []
        if action_ids is not None:
            sql += " WHERE action_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(action_ids)))
        return [ActionChange(r["action_id"], r["kind"], json.loads(r["old"]), r["reason"],
                             r["at"], r["meeting_id"])
                for r in self._rows(sql + " ORDER BY id", params)]

    # --- history for agenda selection ----------------------------------------------

    def history(self, before: date) -> History:
        """Per case: meetings before `before` that discussed it, closed agendas it was on,
        and its open actions."""
        history = History()
        rows = self.conn.execute(
            "SELECT x.case_id, m.date FROM meetings m JOIN ("
            " SELECT meeting_id, case_id FROM entries WHERE state = 'active'"
            " UNION SELECT meeting_id, case_id FROM reviews WHERE state = 'active'"
            " UNION SELECT meeting_id, case_id FROM actions WHERE meeting_id IS NOT NULL"
            "   AND NOT (status = 'cancelled' AND done_meeting_id IS meeting_id)"
            " UNION SELECT done_meeting_id, case_id FROM actions"
            "   WHERE done_meeting_id IS NOT NULL"
            "   AND NOT (status = 'cancelled' AND meeting_id IS done_meeting_id)"
            ") x ON x.meeting_id = m.id WHERE m.date < ? ORDER BY m.date",
            (before.isoformat(),)).fetchall()
        for case_id, on in rows:
            history.discussed.setdefault(case_id, []).append(date.fromisoformat(on))
        rows = self.conn.execute(
            "SELECT i.case_id, m.date FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id"
            " WHERE m.status = 'closed' AND i.dropped = 0 AND m.date < ? ORDER BY m.date",
            (before.isoformat(),)).fetchall()
        for case_id, on in rows:
            history.on_closed_agenda.setdefault(case_id, []).append(date.fromisoformat(on))
        for action in self.actions(status="open"):
            history.open_actions.setdefault(action.case_id, []).append(action)
        return history

    # --- write-back bookkeeping ----------------------------------------------------

    def record_writeback(self, meeting: Meeting, case_id: str, changes: dict[str, str]) -> None:
        with self.transaction():
            for key, value in changes.items():
                self._insert("writebacks", {"meeting_id": meeting.id, "case_id": case_id,
                                            "key": key, "value": value, "at": now()})
            self.audit("case.writeback", case_id, meeting.date)

    def writebacks(self, meeting: Meeting) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = {}
        for r in self._rows("SELECT * FROM writebacks WHERE meeting_id = ? ORDER BY id",
                            (meeting.id,)):
            result.setdefault(r["case_id"], {})[r["key"]] = r["value"]
        return result

    # --- mail ----------------------------------------------------------------------

    # A message of `mail --send` is a row from before it goes out until it is settled:
    # pending -> awaiting (the end of its data is going out) -> sent | partial | failed, or
    # doubt when a crash cut it off while awaiting. Its audit lines come with its register
    # rows (documents.record_sent), in the same transactions.

    def begin_mailing(self, meeting: Meeting | None, kind: str, partner: str,
                      recipients: Sequence[str], message_id: str, sha256: str,
                      disclosure_id: int) -> int:
        """A message about to go out, on record as pending; its id."""
        with self.transaction():
            return self._insert("mailings", {
                "meeting_id": meeting.id if meeting else None, "kind": kind,
                "partner": partner, "recipients": json.dumps(list(recipients)),
                "sent_at": now(), "state": "pending", "message_id": message_id,
                "sha256": sha256, "disclosure_id": disclosure_id})

    def mailing_awaiting(self, mailing_id: int) -> None:
        """The end of the message's data is about to go out: from now on the server may
        accept it, and a crash leaves it in doubt."""
        with self.transaction():
            self.conn.execute("UPDATE mailings SET state = 'awaiting' WHERE id = ?",
                              (mailing_id,))

    def settle_mailing(self, mailing_id: int, state: str, accepted: Sequence[str] = (),
                       detail: str = "") -> None:
        """How a message ended: sent, partial, failed or doubt; the addresses that took it."""
        with self.transaction():
            self.conn.execute(
                "UPDATE mailings SET state = ?, accepted = ?, detail = ?, settled_at = ? "
                "WHERE id = ?", (state, json.dumps(list(accepted)), detail, now(), mailing_id))

    def mailing_rows(self, meeting: Meeting, kind: str) -> list[dict[str, Any]]:
        """Every message of the `kind` mailing of this meeting, oldest first, as dicts (the
        address lists decoded)."""
        rows = self._rows("SELECT * FROM mailings WHERE meeting_id = ? AND kind = ? "
                          "ORDER BY id", (meeting.id, kind))
        return [{**dict(r), "recipients": json.loads(r["recipients"]),
                 "accepted": json.loads(r["accepted"])} for r in rows]

    def mailings(self, meeting: Meeting, kind: str) -> dict[str, str]:
        """partner -> when the `kind` mail of this meeting was last accepted for it."""
        return {r["partner"]: r["settled_at"] or r["sent_at"] for r in self._rows(
            "SELECT partner, sent_at, settled_at FROM mailings WHERE meeting_id = ? AND "
            "kind = ? AND state IN ('sent', 'partial') ORDER BY id", (meeting.id, kind))}

    # --- the information round (uitvraag) -------------------------------------------

    def uitvraag_form(self, meeting: Meeting, partner: str, create: bool = False) -> str | None:
        """The form id of a partner's form for this meeting; with `create`, a new one when
        there is none (random: a form id cannot be guessed from another)."""
        rows = self._rows("SELECT form FROM uitvraag_forms WHERE meeting_id = ? AND "
                          "partner = ?", (meeting.id, partner))
        if rows or not create:
            return rows[0]["form"] if rows else None
        import secrets

        form = f"UV-{meeting.date:%Y%m%d}-{partner}-{secrets.token_hex(4).upper()}"
        with self.transaction():
            self._insert("uitvraag_forms", {"form": form, "meeting_id": meeting.id,
                                            "partner": partner, "created_at": now()})
            self.audit(f"uitvraag.form.{partner}", meeting=meeting.date)
        return form

    def uitvraag_form_owner(self, form: str) -> tuple[Meeting, str] | None:
        """(meeting, partner) of a form id, or None for a form id overleg never made."""
        rows = self._rows("SELECT meeting_id, partner FROM uitvraag_forms WHERE form = ?",
                          (form,))
        return (self.meeting_by_id(rows[0]["meeting_id"]), rows[0]["partner"]) if rows else None

    def ask_uitvraag(self, form: str, case_ids: Sequence[str]) -> None:
        """The cases asked on a form (a case asked before keeps its row and its answer)."""
        with self.transaction():
            for case_id in case_ids:
                self.conn.execute(
                    "INSERT OR IGNORE INTO uitvraag_items (form_id, case_id, asked_at) "
                    "SELECT id, ?, ? FROM uitvraag_forms WHERE form = ?", (case_id, now(), form))

    def uitvraag_answers(self, meeting: Meeting) -> list[Answer]:
        """Every case asked in the meeting's information round, by case and partner."""
        return [Answer(r["case_id"], r["partner"], r["form"], r["asked_at"], r["answer"],
                       r["information"], r["contact"], r["answered_at"])
                for r in self._rows(
                    "SELECT i.*, f.partner, f.form FROM uitvraag_items i JOIN uitvraag_forms f "
                    "ON f.id = i.form_id WHERE f.meeting_id = ? ORDER BY i.case_id, f.partner",
                    (meeting.id,))]

    def answer_uitvraag(self, meeting: Meeting, form: str, partner: str, case_id: str,
                        answer: str, information: str | None, contact: str | None) -> None:
        """A partner's answer for one case of its form, with its audit line."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE uitvraag_items SET answer = ?, information = ?, contact = ?, "
                "answered_at = ? WHERE case_id = ? AND form_id = (SELECT id FROM "
                "uitvraag_forms WHERE form = ?)", (answer, information, contact, now(), case_id,
                                                   form))
            assert cursor.rowcount == 1, "only a case asked on the form is answered"
            self.audit(f"uitvraag.answer.{partner}", case_id, meeting.date)

    def log_case_created(self, case_id: str, how: str) -> None:
        """A case file was created by overleg (`cases new`, `cases import`)."""
        with self.transaction():
            self.audit(f"case.create.{how}", case_id)

    # --- the register of disclosures ---------------------------------------------------

    def record_disclosure(self, *, partner: str | None, kind: str, fmt: str,
                          meeting: date | None, cases: Sequence[str], sha256: str,
                          purpose: str = "", basis: str = "", file: str | None = None,
                          addresses: Sequence[str] = (), action: str = "") -> Disclosure:
        """Append one register row and its audit line (`action`). Called by the disclosure
        gate (overleg.documents) inside the transaction that also writes the document."""
        with self.transaction():
            disclosure_id = self._append_chained("disclosures", {
                "at": now(), "who": self.actor, "partner": partner,
                "addresses": json.dumps(list(addresses)), "kind": kind, "format": fmt,
                "meeting": meeting.isoformat() if meeting else None,
                "cases": json.dumps(list(cases)), "purpose": purpose, "basis": basis,
                "file": file, "sha256": sha256})
            for case_id in cases:
                self.conn.execute("INSERT INTO disclosure_cases (disclosure_id, case_id) "
                                  "VALUES (?, ?)", (disclosure_id, case_id))
            self.audit(action or f"render.{kind}.{partner or 'voorzitter'}", meeting=meeting)
        return self.disclosures(disclosure_id=disclosure_id)[0]

    def disclosures(self, *, case_id: str | None = None, partner: str | None = None,
                    since: date | None = None, disclosure_id: int | None = None,
                    ) -> list[Disclosure]:
        """Register rows by filter, oldest first."""
        where: list[str] = []
        params: list[Any] = []
        if case_id is not None:
            where.append("id IN (SELECT disclosure_id FROM disclosure_cases WHERE case_id = ?)")
            params.append(case_id)
        if partner is not None:
            where.append("partner = ?")
            params.append(partner)
        if since is not None:
            where.append("at >= ?")
            params.append(since.isoformat())
        if disclosure_id is not None:
            where.append("id = ?")
            params.append(disclosure_id)
        sql = "SELECT * FROM disclosures" + (" WHERE " + " AND ".join(where) if where else "")
        return [Disclosure(r["id"], r["at"], r["who"], r["partner"],
                           tuple(json.loads(r["addresses"])), r["kind"], r["format"],
                           _d(r["meeting"]), tuple(json.loads(r["cases"])), r["purpose"],
                           r["basis"], r["file"], r["sha256"])
                for r in self._rows(sql + " ORDER BY id", params)]

    # --- access requests (inzage) -------------------------------------------------------

    def _access(self, r: sqlite3.Row) -> AccessRequest:
        return AccessRequest(r["id"], tuple(json.loads(r["cases"])),
                             date.fromisoformat(r["received"]), date.fromisoformat(r["due"]),
                             r["status"], _d(r["extended_until"]), r["extend_reason"],
                             r["closed_at"])

    def open_access_request(self, cases: Sequence[str], received: date,
                            due: date) -> AccessRequest:
        with self.transaction():
            request_id = self._insert("access_requests", {
                "cases": json.dumps(list(cases)), "received": received.isoformat(),
                "due": due.isoformat(), "created_at": now()})
            for case_id in cases:
                self.audit("inzage.open", case_id)
        return self.access_request(request_id)

    def access_request(self, request_id: int) -> AccessRequest:
        from overleg.errors import AccessRequestNotFound

        rows = self._rows("SELECT * FROM access_requests WHERE id = ?", (request_id,))
        if not rows:
            raise AccessRequestNotFound(f"inzageverzoek #{request_id} bestaat niet. "
                                        "Zie 'overleg inzage list'.")
        return self._access(rows[0])

    def access_requests(self) -> list[AccessRequest]:
        return [self._access(r) for r in self._rows("SELECT * FROM access_requests ORDER BY id")]

    def extend_access_request(self, request: AccessRequest, until: date, reason: str,
                              ) -> AccessRequest:
        """A later deadline; the reason is kept with the request, never in the log."""
        with self.transaction():
            self.conn.execute("UPDATE access_requests SET extended_until = ?, "
                              "extend_reason = ? WHERE id = ?",
                              (until.isoformat(), reason, request.id))
            for case_id in request.cases:
                self.audit("inzage.extend", case_id)
        return self.access_request(request.id)

    def close_access_request(self, request: AccessRequest) -> AccessRequest:
        with self.transaction():
            self.conn.execute("UPDATE access_requests SET status = 'closed', closed_at = ? "
                              "WHERE id = ?", (now(), request.id))
            for case_id in request.cases:
                self.audit("inzage.close", case_id)
        return self.access_request(request.id)

    # --- parsed case files (a cache, never the truth) --------------------------------

    def case_snapshot(self, fingerprint: str) -> bytes | None:
        """The parsed case folder as last saved under this fingerprint, if any."""
        row = self.conn.execute("SELECT data FROM case_snapshot WHERE id = 1 AND "
                                "fingerprint = ?", (fingerprint,)).fetchone()
        return row[0] if row else None

    def save_case_snapshot(self, fingerprint: str, data: bytes) -> None:
        try:
            with self.transaction():
                self.conn.execute("INSERT OR REPLACE INTO case_snapshot (id, fingerprint, data) "
                                  "VALUES (1, ?, ?)", (fingerprint, data))
        except sqlite3.Error:
            pass  # a cache that cannot be written only costs speed next time

    # --- retention -----------------------------------------------------------------

    _CASE_TABLES = ("agenda_items", "entries", "reviews", "action_changes", "actions",
                    "writebacks", "uitvraag_items")

    def case_record_counts(self, case_id: str) -> dict[str, int]:
        """How many meeting records of each kind the store holds for a case (notes and
        decisions apart)."""
        def count(table: str, kind: str | None = None) -> int:
            sql = f"SELECT count(*) FROM {table} WHERE case_id = ?"
            params: tuple[str, ...] = (case_id,) if kind is None else (case_id, kind)
            return int(self.conn.execute(sql + (" AND kind = ?" if kind else ""),
                                         params).fetchone()[0])

        return {"agenda_items": count("agenda_items"), "notes": count("entries", "note"),
                "decisions": count("entries", "decision"), "reviews": count("reviews"),
                "actions": count("actions"), "writebacks": count("writebacks")}

    def purge_case(self, case_id: str) -> dict[str, int]:
        """Delete every meeting record of a case (see purge_cases); the counts removed."""
        counts = self.purge_cases([case_id])
        del counts["reopenings"]
        return counts

    # Every (meeting, case) pair of a meeting record: which cases a meeting still holds.
    _MEETING_RECORDS = (
        "SELECT meeting_id, case_id FROM agenda_items UNION ALL "
        "SELECT meeting_id, case_id FROM entries UNION ALL "
        "SELECT meeting_id, case_id FROM reviews UNION ALL "
        "SELECT meeting_id, case_id FROM writebacks UNION ALL "
        "SELECT meeting_id, case_id FROM actions WHERE meeting_id IS NOT NULL UNION ALL "
        "SELECT done_meeting_id, case_id FROM actions WHERE done_meeting_id IS NOT NULL")

    def purge_cases(self, case_ids: Sequence[str]) -> dict[str, int]:
        """Delete every meeting record of the cases, the reopen reasons of the meetings that
        are left without any case, and the parsed-case snapshot (it holds initials and
        questions), in one transaction; how many rows of each kind went. The audit log keeps
        that it happened: `purge` per case, `purge.reopen` per meeting."""
        totals = dict.fromkeys((*self.case_record_counts(""), "reopenings"), 0)
        with self.transaction():
            emptied = self._emptied_meetings(case_ids)
            for case_id in case_ids:
                for kind, count in self.case_record_counts(case_id).items():
                    totals[kind] += count
                for table in self._CASE_TABLES:
                    self.conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (case_id,))
                self.audit("purge", case_id)
            for meeting_id in emptied:
                gone = self.conn.execute("DELETE FROM reopenings WHERE meeting_id = ?",
                                         (meeting_id,)).rowcount
                if gone:
                    totals["reopenings"] += gone
                    self.audit("purge.reopen", meeting=self.meeting_by_id(meeting_id).date)
            self.forget_case_snapshot()
            self.rebuild_search()
        return totals

    def rebuild_search(self) -> None:
        """Rebuild the full-text indexes from their tables. A delete in an FTS5 index only
        marks the row's tokens as gone until segments merge; rebuilt (and then compacted), no
        page of the index holds a word of what a purge removed."""
        from overleg.migrations import SEARCHED

        with self.transaction():
            for table in SEARCHED:
                self.conn.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('rebuild')")

    def _emptied_meetings(self, case_ids: Sequence[str]) -> list[int]:
        """Meetings with a record of these cases and of no other case."""
        return [row[0] for row in self.conn.execute(
            f"SELECT meeting_id FROM ({self._MEETING_RECORDS}) GROUP BY meeting_id "
            "HAVING min(case_id IN (SELECT value FROM json_each(?))) = 1",
            (json.dumps(list(case_ids)),))]

    def reopenings_purged_with(self, case_ids: Sequence[str]) -> int:
        """How many reopen reasons purge_cases(case_ids) would delete with their meetings."""
        emptied = self._emptied_meetings(case_ids)
        return int(self.conn.execute(
            "SELECT count(*) FROM reopenings WHERE meeting_id IN (SELECT value FROM "
            "json_each(?))", (json.dumps(emptied),)).fetchone()[0])

    def case_last_dates(self) -> dict[str, date]:
        """Every case id with meeting records, and its last date in the store: the latest
        meeting it has a record in, action deadline or planned next review."""
        return {case_id: date.fromisoformat(day) for case_id, day in self.conn.execute(
            "SELECT case_id, max(day) FROM ("
            f"SELECT r.case_id AS case_id, m.date AS day FROM ({self._MEETING_RECORDS}) r "
            "JOIN meetings m ON m.id = r.meeting_id "
            "UNION ALL SELECT case_id, due FROM actions "
            "UNION ALL SELECT case_id, next_date FROM reviews WHERE next_date IS NOT NULL"
            ") GROUP BY case_id ORDER BY case_id")}

    def files_holding(self, case_ids: Sequence[str]) -> list[str]:
        """Files of the register (as it names them) whose latest document holds one of the
        cases: what overleg last wrote to that path still names the case."""
        return [row[0] for row in self.conn.execute(
            "SELECT file FROM disclosures WHERE id IN (SELECT max(id) FROM disclosures "
            "WHERE file IS NOT NULL GROUP BY file) AND id IN (SELECT disclosure_id FROM "
            "disclosure_cases WHERE case_id IN (SELECT value FROM json_each(?))) ORDER BY file",
            (json.dumps(list(case_ids)),))]

    def forget_case_snapshot(self) -> None:
        """Drop the parsed-case snapshot; the next load reads every case file again."""
        with self.transaction():
            self.conn.execute("DELETE FROM case_snapshot")

    def compact(self) -> None:
        """Rebuild the database without free pages and empty the WAL (checkpoint, truncate):
        after a purge, no page with the removed text is left in either file."""
        if self._in_tx:
            raise RuntimeError("VACUUM cannot run inside a transaction")
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    # --- full-text search (overleg zoek) ------------------------------------------------

    # One branch per indexed table: what is searched as it stands (active notes and
    # decisions, actions not cancelled, items not dropped), with its day and bm25 rank.
    _SEARCH_SQL = (
        "SELECT e.kind AS kind, e.id AS id, e.case_id AS case_id, m.date AS day,"
        " e.text AS text, NULL AS condition, bm25(entries_fts) AS rank"
        " FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid"
        " JOIN meetings m ON m.id = e.meeting_id"
        " WHERE entries_fts MATCH :q AND e.state = 'active'"
        " UNION ALL SELECT 'action', a.id, a.case_id,"
        " coalesce(m.date, substr(a.created_at, 1, 10)), a.text, a.condition,"
        " bm25(actions_fts) FROM actions_fts JOIN actions a ON a.id = actions_fts.rowid"
        " LEFT JOIN meetings m ON m.id = a.meeting_id"
        " WHERE actions_fts MATCH :q AND a.status != 'cancelled'"
        " UNION ALL SELECT 'question', i.id, i.case_id, m.date, i.question, NULL,"
        " bm25(agenda_items_fts) FROM agenda_items_fts"
        " JOIN agenda_items i ON i.id = agenda_items_fts.rowid"
        " JOIN meetings m ON m.id = i.meeting_id"
        " WHERE agenda_items_fts MATCH :q AND i.dropped = 0")

    def search(self, match: str, *, case_ids: Sequence[str] | None = None,
               since: date | None = None) -> list[dict[str, Any]]:
        """Records whose text matches the FTS5 query `match`: kind (note, decision, action,
        question), id, case_id, day (ISO), text, condition and rank; newest day first, then
        decisions, actions, notes and questions, each by the best bm25 rank. `case_ids`: only
        those cases; `since`: from that day on."""
        from overleg.errors import InvalidInput

        sql = f"SELECT * FROM ({self._SEARCH_SQL}) WHERE 1"
        params: dict[str, Any] = {"q": match}
        if case_ids is not None:
            sql += " AND case_id IN (SELECT value FROM json_each(:cases))"
            params["cases"] = json.dumps(list(case_ids))
        if since is not None:
            sql += " AND day >= :since"
            params["since"] = since.isoformat()
        try:
            rows = self._rows(sql + " ORDER BY day DESC, CASE kind WHEN 'decision' THEN 0 "
                              "WHEN 'action' THEN 1 WHEN 'note' THEN 2 ELSE 3 END, rank, id",
                              params)
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc) and "syntax" not in str(exc):
                raise
            raise InvalidInput("deze zoekopdracht is niet te lezen; zoek op gewone woorden, "
                               "bijv. overleg zoek zorgmachtiging") from None
        return [dict(r) for r in rows]

    # --- export --------------------------------------------------------------------

    def dump(self, tables: Sequence[str] = EXPORT_TABLES) -> dict[str, list[dict[str, Any]]]:
        """Every row of `tables` as stored, in insertion order, all read in one snapshot."""
        db = self.db
        with self._snapshot():
            return {name: list(db.table(name).rows_where(order_by="rowid")) for name in tables}

    def columns(self, table: str) -> list[str]:
        """The column names of `table`, in schema order."""
        return [column.name for column in self.db.table(table).columns]

    # --- audit log -----------------------------------------------------------------

    def verify_logs(self, noted: str | None = None) -> LogCheck:
        """Walk the hash chains of the audit log and the register (and check that
        disclosure_cases agrees with the register); `noted`: a hash, or its start, noted
        earlier, that should still be in one of them."""
        from overleg.logchain import (
            AUDIT_COLUMNS,
            DISCLOSURE_COLUMNS,
            LogCheck,
            check_chain,
            check_register,
        )

        noted = noted.strip().lower() if noted else None
        with self._snapshot():  # a command writing meanwhile is either wholly seen or not
            audit, in_audit = check_chain("audit", self.conn.execute(
                f"SELECT {', '.join(AUDIT_COLUMNS)}, hash FROM audit ORDER BY id"),
                noted=noted)
            links: dict[int, list[str]] = {}
            for disclosure_id, case_id in self.conn.execute(
                    "SELECT disclosure_id, case_id FROM disclosure_cases ORDER BY rowid"):
                links.setdefault(disclosure_id, []).append(case_id)
            register, in_register = check_register(self.conn.execute(
                f"SELECT {', '.join(DISCLOSURE_COLUMNS)}, hash FROM disclosures ORDER BY id"),
                links, noted=noted)
        noted_at = (("audit", in_audit) if in_audit is not None else
                    ("disclosures", in_register) if in_register is not None else None)
        return LogCheck(audit, register, noted, noted_at)

    def audit_log(self, case_id: str | None = None) -> list[AuditEntry]:
        """The audit log's lines, oldest first (of one case, when given)."""
        sql, params = "SELECT at, who, action, case_id, meeting FROM audit", []
        if case_id is not None:
            sql, params = sql + " WHERE case_id = ?", [case_id]
        return [AuditEntry(*r) for r in self.conn.execute(sql + " ORDER BY id", params)]


_TEMPLATE: list[sqlite3.Connection] = []  # the current schema, made once per process


def _create(path: Path) -> None:
    """A new, owner-only database at `path` with the current schema: a copy of a schema made
    once per process in memory (every migration applied, as `migrate` would), written to a
    temporary file next to `path` and linked into place only if no other command created
    `path` meanwhile (then that one is used). Where the file system has no hard links, an
    empty file is created and `migrate` builds the schema in it."""
    import secrets

    if not _TEMPLATE:
        template = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        template.execute("PRAGMA foreign_keys = ON")
        Store(template)  # migrates it
        _TEMPLATE.append(template)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.overleg.tmp")
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        copy = sqlite3.connect(temporary)
        try:
            _TEMPLATE[0].backup(copy)
        finally:
            copy.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another command created it just now
        except OSError:
            with suppress(FileExistsError):
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    finally:
        temporary.unlink(missing_ok=True)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a database to WAL (once: the mode is stored in the file).

    Changing the journal mode does not wait on SQLite's busy handler: when two commands
    create the database at the same moment, one gets "database is locked" at once. So
    wait here, as every other statement does."""
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)

