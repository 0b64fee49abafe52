"""The schema, one named step at a time: `MIGRATIONS`, applied in order by `Store.migrate`.

Step n (1-based) brings a database from `PRAGMA user_version` n-1 to n, so the numbers are
part of every existing database: never change or reorder a step that has shipped; add one.
Every step runs inside the one transaction of `Store.migrate` (a failing upgrade leaves
the database as it was), so a step executes its statements one by one and never commits
(`executescript` would).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]


def m001_initial(conn: sqlite3.Connection) -> None:
    """The first schema: meetings, their agenda, attendance, entries, reviews, actions,
    reopenings, write-backs, mailings, the append-only audit log and the case-file cache."""
    _run(conn, """
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closed')),
        created_at TEXT NOT NULL,
        opened_at TEXT,
        closed_at TEXT,
        approved_at TEXT,
        geheimhouding_read INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE agenda_items (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        case_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',
        minutes INTEGER NOT NULL,
        added INTEGER NOT NULL DEFAULT 0,
        dropped INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT '',
        UNIQUE (meeting_id, case_id)
    );
    CREATE TABLE attendance (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        agency TEXT NOT NULL,
        name TEXT NOT NULL,
        present INTEGER NOT NULL DEFAULT 1,
        UNIQUE (meeting_id, agency, name)
    );
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        case_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'decision')),
        text TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX entries_meeting ON entries(meeting_id, case_id);
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        case_id TEXT NOT NULL,
        next_date TEXT,
        status TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX reviews_meeting ON reviews(meeting_id, case_id);
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        who TEXT,
        text TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
        meeting_id INTEGER REFERENCES meetings(id),
        created_at TEXT NOT NULL,
        done_at TEXT,
        done_meeting_id INTEGER REFERENCES meetings(id),
        done_comment TEXT
    );
    CREATE INDEX actions_status_due ON actions(status, due);
    CREATE INDEX actions_case ON actions(case_id);
    CREATE INDEX actions_owner ON actions(owner, status);
    CREATE TABLE reopenings (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        reason TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE writebacks (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        case_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE mailings (
        id INTEGER PRIMARY KEY,
        meeting_id INTEGER REFERENCES meetings(id),
        kind TEXT NOT NULL,
        partner TEXT NOT NULL,
        recipients TEXT NOT NULL,
        sent_at TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        case_id TEXT,
        meeting TEXT
    );
    CREATE INDEX audit_case ON audit(case_id);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'het logboek kan niet worden gewijzigd'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'het logboek kan niet worden gewist'); END;
    CREATE TABLE case_snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL,
        data BLOB NOT NULL
    );
    """)


def m002_audit_no_replace(conn: sqlite3.Connection) -> None:
    """INSERT OR REPLACE deletes a conflicting row without firing DELETE triggers, so an
    insert may not reuse the id of an existing audit line either."""
    _run(conn, """
    CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
        WHEN NEW.id IN (SELECT id FROM audit)
        BEGIN SELECT RAISE(ABORT, 'het logboek kan niet worden overschreven'); END;
    """)


def m003_register_and_access_requests(conn: sqlite3.Connection) -> None:
    """The register of disclosures (who received which cases, when, on what basis) and
    access requests (inzage). The register, like the audit log, is append-only and holds no
    typed text: case ids, codes, formats and a hash of what left."""
    _run(conn, """
    CREATE TABLE disclosures (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        partner TEXT,
        addresses TEXT NOT NULL DEFAULT '[]',
        kind TEXT NOT NULL,
        format TEXT NOT NULL,
        meeting TEXT,
        cases TEXT NOT NULL DEFAULT '[]',
        purpose TEXT NOT NULL DEFAULT '',
        basis TEXT NOT NULL DEFAULT '',
        file TEXT,
        sha256 TEXT NOT NULL
    );
    CREATE TABLE disclosure_cases (
        disclosure_id INTEGER NOT NULL REFERENCES disclosures(id),
        case_id TEXT NOT NULL
    );
    CREATE INDEX disclosure_cases_case ON disclosure_cases(case_id);
    CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures
        BEGIN SELECT RAISE(ABORT, 'het register van verstrekkingen kan niet worden gewijzigd');
        END;
    CREATE TRIGGER disclosures_no_delete BEFORE DELETE ON disclosures
        BEGIN SELECT RAISE(ABORT, 'het register van verstrekkingen kan niet worden gewist'); END;
    CREATE TRIGGER disclosures_no_replace BEFORE INSERT ON disclosures
        WHEN NEW.id IN (SELECT id FROM disclosures)
        BEGIN SELECT RAISE(ABORT, 'het register van verstrekkingen kan niet worden overschreven');
        END;
    CREATE TRIGGER disclosure_cases_no_update BEFORE UPDATE ON disclosure_cases
        BEGIN SELECT RAISE(ABORT, 'het register van verstrekkingen kan niet worden gewijzigd');
        END;
    CREATE TRIGGER disclosure_cases_no_delete BEFORE DELETE ON disclosure_cases
        BEGIN SELECT RAISE(ABORT, 'het register van verstrekkingen kan niet worden gewist'); END;
    CREATE TABLE access_requests (
        id INTEGER PRIMARY KEY,
        cases TEXT NOT NULL,
        received TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
        extended_until TEXT,
        extend_reason TEXT,
        closed_at TEXT,
        created_at TEXT NOT NULL
    );
    """)


# The no-update triggers of m001 and m003, as m004 puts them back.
_NO_UPDATE = {
    "audit": "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
             "    BEGIN SELECT RAISE(ABORT, 'het logboek kan niet worden gewijzigd'); END",
    "disclosures": "CREATE TRIGGER disclosures_no_update BEFORE UPDATE ON disclosures\n"
                   "    BEGIN SELECT RAISE(ABORT, 'het register van verstrekkingen kan niet "
                   "worden gewijzigd');\n    END",
}


def m004_chain_logs(conn: sqlite3.Connection) -> None:
    """A hash chain over the audit log and the register, so that a change made after
    dropping their triggers still shows (`overleg log verify`): a `hash` column on both and
    the rows already there chained (overleg.logchain). Writing the hashes needs the
    no-update triggers out of the way for a moment; the migration's one transaction puts
    them back."""
    from overleg.logchain import CHAINED, row_hash

    for table, columns in CHAINED.items():
        conn.execute(f"ALTER TABLE {table} ADD COLUMN hash TEXT")
        conn.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        previous = ""
        for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table} "
                                "ORDER BY id").fetchall():
            previous = row_hash(previous, row)
            conn.execute(f"UPDATE {table} SET hash = ? WHERE id = ?", (previous, row[0]))
        conn.execute(_NO_UPDATE[table])


def m005_meeting_closing(conn: sqlite3.Connection) -> None:
    """A meeting may be `closing`: from the moment `meeting close` begins to write the case
    files back until it is done, nothing can be recorded in it, and a close cut off half-way
    stays visible (the next `meeting close` finishes it). The CHECK on meetings.status allows
    the new state.

    SQLite cannot change a CHECK constraint in place, and sqlite-utils' `transform()` copies a
    table's CHECK constraints as they are (it has no way to change one), so the table is
    rebuilt here, in plain statements that stay the same whatever library is installed: its
    rows into a temporary table, the table dropped and created anew, the rows put back under
    their own ids. Foreign keys are on inside Store.migrate's transaction and cannot be
    switched off there; deferred, the drop passes, and the rows put back satisfy the tables
    that refer to meetings again before the commit checks them."""
    _run(conn, """
    PRAGMA defer_foreign_keys = ON;
    CREATE TEMP TABLE m005_meetings AS SELECT * FROM meetings;
    DROP TABLE meetings;
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        date TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('planned', 'open', 'closing', 'closed')),
        created_at TEXT NOT NULL,
        opened_at TEXT,
        closed_at TEXT,
        approved_at TEXT,
        geheimhouding_read INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO meetings (id, date, status, created_at, opened_at, closed_at, approved_at,
                          geheimhouding_read)
        SELECT id, date, status, created_at, opened_at, closed_at, approved_at,
               geheimhouding_read FROM m005_meetings ORDER BY id;
    DROP TABLE m005_meetings;
    """)


def m006_corrections(conn: sqlite3.Connection) -> None:
    """Corrections, not erasures. Attendance lines, notes and decisions, and reviews share one
    number space (the `#N` a chair corrects or withdraws): reviews and attendance are
    renumbered after the entries (nothing refers to their ids). Each such record gets a state
    (active, corrected, withdrawn), the number it replaces, a withdrawal reason and when it
    changed; attendance gets when it was recorded and when the person left. An action may be
    `cancelled` (the actions table is rebuilt for its CHECK, as m005 rebuilt meetings), and
    every edit or cancellation of an action keeps the old values in `action_changes`. A
    reopening keeps the approval it undid. The live screen's place (current item, since when)
    and the time spent per item are kept, so a restart resumes with the item's timer."""
    entries_max = conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]
    reviews_max = conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
    _run(conn, f"""
    UPDATE reviews SET id = -id;
    UPDATE reviews SET id = -id + {int(entries_max)};
    UPDATE attendance SET id = -id;
    UPDATE attendance SET id = -id + {int(entries_max) + int(reviews_max)};
    """)
    for table in ("entries", "reviews", "attendance"):
        _run(conn, f"""
        ALTER TABLE {table} ADD COLUMN state TEXT NOT NULL DEFAULT 'active'
            CHECK (state IN ('active', 'corrected', 'withdrawn'));
        ALTER TABLE {table} ADD COLUMN replaces INTEGER;
        ALTER TABLE {table} ADD COLUMN reason TEXT;
        ALTER TABLE {table} ADD COLUMN changed_at TEXT;
        """)
    _run(conn, """
    ALTER TABLE attendance ADD COLUMN at TEXT;
    ALTER TABLE attendance ADD COLUMN left_at TEXT;
    ALTER TABLE reopenings ADD COLUMN approved_at TEXT;
    ALTER TABLE meetings ADD COLUMN current_case TEXT;
    ALTER TABLE meetings ADD COLUMN current_since TEXT;
    ALTER TABLE agenda_items ADD COLUMN spent INTEGER NOT NULL DEFAULT 0;
    PRAGMA defer_foreign_keys = ON;
    CREATE TEMP TABLE m006_actions AS SELECT * FROM actions;
    DROP TABLE actions;
    CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        who TEXT,
        text TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
        meeting_id INTEGER REFERENCES meetings(id),
        created_at TEXT NOT NULL,
        done_at TEXT,
        done_meeting_id INTEGER REFERENCES meetings(id),
        done_comment TEXT
    );
    INSERT INTO actions (id, case_id, owner, who, text, due, status, meeting_id, created_at,
                         done_at, done_meeting_id, done_comment)
        SELECT id, case_id, owner, who, text, due, status, meeting_id, created_at, done_at,
               done_meeting_id, done_comment FROM m006_actions ORDER BY id;
    DROP TABLE m006_actions;
    CREATE INDEX actions_status_due ON actions(status, due);
    CREATE INDEX actions_case ON actions(case_id);
    CREATE INDEX actions_owner ON actions(owner, status);
    CREATE TABLE action_changes (
        id INTEGER PRIMARY KEY,
        action_id INTEGER NOT NULL REFERENCES actions(id),
        case_id TEXT NOT NULL,
        meeting_id INTEGER REFERENCES meetings(id),
        kind TEXT NOT NULL CHECK (kind IN ('edit', 'cancel', 'reopen')),
        old TEXT NOT NULL DEFAULT '{}',
        reason TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX action_changes_action ON action_changes(action_id);
    """)


def m007_mail_states(conn: sqlite3.Connection) -> None:
    """Sending that resumes: a row of `mailings` is written before a message goes out
    (`pending`), marked just before the end of its data is sent (`awaiting`: from then on the
    server may have it), and settled as `sent`, `partial` (some addresses refused; `accepted`
    lists those that took it), `failed` or, when a crash cut it off while awaiting, `doubt`.
    It keeps the Message-ID, the SHA-256 of what was sent, its register row (the attempt),
    the Dutch reason of a failure and when it was settled. The rows already there were
    accepted messages: their `accepted` is their recipients, settled when they were sent."""
    _run(conn, """
    ALTER TABLE mailings ADD COLUMN state TEXT NOT NULL DEFAULT 'sent'
        CHECK (state IN ('pending', 'awaiting', 'sent', 'partial', 'failed', 'doubt'));
    ALTER TABLE mailings ADD COLUMN accepted TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE mailings ADD COLUMN message_id TEXT;
    ALTER TABLE mailings ADD COLUMN sha256 TEXT;
    ALTER TABLE mailings ADD COLUMN disclosure_id INTEGER REFERENCES disclosures(id);
    ALTER TABLE mailings ADD COLUMN detail TEXT NOT NULL DEFAULT '';
    ALTER TABLE mailings ADD COLUMN settled_at TEXT;
    UPDATE mailings SET accepted = recipients, settled_at = sent_at;
    CREATE INDEX mailings_meeting ON mailings(meeting_id, kind, partner);
    """)


# The texts `overleg zoek` searches, by table: what the chair typed in a meeting (notes and
# decisions, action texts and conditions) and the question each agenda item carried.
SEARCHED = {"entries": ("text",), "actions": ("text", "condition"),
            "agenda_items": ("question",)}
# Dutch word forms: case and diacritics folded (`ë` = `e`, `Ö` = `o`); prefix queries do
# the rest (`zorgmachtiging*` finds `zorgmachtigingen`).
SEARCH_TOKENIZER = "unicode61 remove_diacritics 2"


def m008_search(conn: sqlite3.Connection) -> None:
    """Full-text search (`overleg zoek`): an agenda item keeps the question of its case as
    the agenda stated it, an action may carry a condition (`--condition`, the Uitkomst
    Overleg's `conditie`), and an FTS5 index over the SEARCHED columns, made by sqlite-utils'
    `enable_fts` with the triggers that keep it in step with every insert, update and delete
    (a purge removes what it searched). Indexed rows of every state: a search shows only
    active records and actions that are not cancelled. sqlite-utils is imported here, once
    per database (at its creation or upgrade), never by an ordinary command; it runs the
    statements one by one inside Store.migrate's transaction."""
    import sqlite_utils

    _run(conn, """
    ALTER TABLE agenda_items ADD COLUMN question TEXT NOT NULL DEFAULT '';
    ALTER TABLE actions ADD COLUMN condition TEXT;
    """)
    db = sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)
    for table, columns in SEARCHED.items():
        db.table(table).enable_fts(list(columns), create_triggers=True,
                                   tokenize=SEARCH_TOKENIZER)


def m009_uitvraag(conn: sqlite3.Connection) -> None:
    """The information round before a meeting (`overleg uitvraag`, issue 16): one form per
    meeting and partner, with the form id printed on it (`form`), and per form one row per
    case asked, which the partner's answer fills in: known, not known or declined, the
    information delivered and a contact person. The answers are case content: they go with
    the case at a purge."""
    _run(conn, """
    CREATE TABLE uitvraag_forms (
        id INTEGER PRIMARY KEY,
        form TEXT NOT NULL UNIQUE,
        meeting_id INTEGER NOT NULL REFERENCES meetings(id),
        partner TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (meeting_id, partner)
    );
    CREATE TABLE uitvraag_items (
        id INTEGER PRIMARY KEY,
        form_id INTEGER NOT NULL REFERENCES uitvraag_forms(id),
        case_id TEXT NOT NULL,
        asked_at TEXT NOT NULL,
        answer TEXT CHECK (answer IS NULL OR answer IN ('known', 'not_known', 'declined')),
        information TEXT,
        contact TEXT,
        answered_at TEXT,
        UNIQUE (form_id, case_id)
    );
    CREATE INDEX uitvraag_items_case ON uitvraag_items(case_id);
    """)


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_audit_no_replace,
    m003_register_and_access_requests,
    m004_chain_logs,
    m005_meeting_closing,
    m006_corrections,
    m007_mail_states,
    m008_search,
    m009_uitvraag,
]


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Execute a migration script statement by statement, inside the caller's transaction."""
    for statement in _split_sql(script):
        conn.execute(statement)


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script; trigger bodies keep their inner semicolons."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]
