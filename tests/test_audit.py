"""The audit log: every change appends one line (time, who, what, case, meeting) in the same
transaction as the change, never the typed text, and SQL cannot change or remove a line."""

from __future__ import annotations

import asyncio
import getpass
import json
import re
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Run

from overleg.cli.admin import ACTION_LABELS
from overleg.workspace import init_workspace

# Recordings act on the open meeting only when it is today's: these tests hold it on 1-12.
pytestmark = pytest.mark.usefixtures("meeting_day")

D = "2026-12-01"
ME = "T. Tester"
# A marker that can only reach a table if typed text leaks into it.
SECRET = "GEHEIM-7f3a9c"

Row = tuple[str, str | None, str | None]  # action, case, meeting


def audit_rows(ws: Path) -> list[tuple]:
    """Every column of every audit line, straight from SQLite."""
    with sqlite3.connect(ws / "overleg.db") as conn:
        return conn.execute("SELECT id, at, who, action, case_id, meeting FROM audit "
                            "ORDER BY id").fetchall()


def new_lines(ws: Path, before: int) -> list[Row]:
    rows = audit_rows(ws)[before:]
    assert {r[2] for r in rows} <= {ME}, rows
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", row[1]), row
    return [(r[3], r[4], r[5]) for r in rows]


class Sink:
    """An SMTP server on the loopback address that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, int]]:
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
        asyncio.set_event_loop(None)


def local_mail(ws: Path, port: int) -> None:
    """Point [mail] at a plain-text server on 127.0.0.1 (allowed without STARTTLS)."""
    toml = ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('smtp_host = "localhost"', 'smtp_host = "127.0.0.1"')
    text = text.replace("smtp_port = 587", f"smtp_port = {port}")
    text = text.replace("starttls = true", "starttls = false")
    text = text.replace('gebruiker = "casusoverleg"\n', "")
    toml.write_text(text, encoding="utf-8")


def drafts(ws: Path, kind: str) -> list[str]:
    """Partner codes with an .eml draft of `kind`, in config order."""
    order = ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC", "VZ"]
    found = {p.stem.rsplit("-", 1)[1] for p in (ws / "uit" / "mail").glob(f"{kind}-{D}-*.eml")}
    return [code for code in order if code in found]


@pytest.mark.slow
def test_every_change_kind_appends_one_line_with_who_what_case_and_meeting(
        example_ws, run, smtp):
    sink, port = smtp
    local_mail(example_ws, port)

    def step(*args: str, expect: list[Row], input: str | None = None) -> None:  # noqa: A002
        before = len(audit_rows(example_ws)) if (example_ws / "overleg.db").exists() else 0
        result = run("--as", ME, *args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        assert new_lines(example_ws, before) == expect, args

    step("agenda", "build", "--date", D,
         expect=[("meeting.plan", None, D), ("agenda.build", None, D)])
    step("agenda", "build", "--date", D, expect=[("agenda.rebuild", None, D)])
    step("agenda", "build", "--date", D, "--keep", expect=[("agenda.rebuild_keep", None, D)])
    step("agenda", "add", "2026-033", "--date", D, "--reason", SECRET,
         expect=[("agenda.add", "2026-033", D)])
    step("agenda", "drop", "2026-009", "--date", D, expect=[("agenda.drop", "2026-009", D)])
    step("agenda", "add", "2026-009", "--date", D, expect=[("agenda.restore", "2026-009", D)])
    step("agenda", "move", "2026-021", "1", "--date", D, expect=[("agenda.move", "2026-021", D)])
    step("agenda", "render", "--date", D,  # the chair's own copy is on the register too
         expect=[("render.agenda.voorzitter", None, D)])
    step("agenda", "render", "--date", D, "--partner", "POL",
         expect=[("render.agenda.POL", None, D)])
    step("mail", "--kind", "agenda", "--date", D,
         expect=[(f"render.mail.agenda.{p}", None, D) for p in
                 ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC"]])
    assert drafts(example_ws, "agenda") == ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC"]
    step("meeting", "start", "--date", D,
         expect=[("meeting.start", None, D), ("meeting.geheimhouding", None, D)])
    step("meeting", "attend", "POL", SECRET, expect=[("meeting.attend", None, D)])
    step("meeting", "attend", "GGZ", SECRET, "--absent", expect=[("meeting.attend", None, D)])
    step("meeting", "note", "2026-014", SECRET, expect=[("meeting.note", "2026-014", D)])
    step("meeting", "decide", "2026-014", SECRET, expect=[("meeting.decision", "2026-014", D)])
    step("meeting", "review", "2026-014", "--next", "2027-01-12", "--status", "actief",
         expect=[("meeting.review", "2026-014", D)])
    step("action", "add", "2026-014", "--owner", "POL", "--who", SECRET, "--due", "+2w",
         SECRET, expect=[("action.add", "2026-014", D)])
    step("action", "done", "1", "--comment", SECRET, expect=[("action.done", "2026-014", D)])
    step("meeting", "close",
         expect=[("case.writeback", "2026-014", D), ("meeting.close", None, D)])
    step("meeting", "reopen", "--reason", SECRET, expect=[("meeting.reopen", None, D)])
    step("meeting", "close", expect=[("meeting.close", None, D)])  # nothing written twice
    step("minutes", expect=[("render.minutes.voorzitter", None, D)])
    step("minutes", "--partner", "GGZ", "--format", "html",
         expect=[("render.minutes.GGZ", None, D)])
    partners = ["RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC"]
    step("mail", "--send", "--yes",
         expect=[(f"render.mail.minutes.{p}", None, D) for p in partners]
         + [(f"mail.{step}.minutes.{p}", None, D) for p in partners
            for step in ("attempt", "sent")])
    assert len(sink.received) == len(partners)
    step("meeting", "approve", "--date", D, expect=[("meeting.approve", None, D)])
    # Between meetings an action belongs to no meeting; the line says so with a null.
    step("action", "add", "2026-033", "--owner", "GGZ", "--due", "+1w", SECRET,
         expect=[("action.add", "2026-033", None)])
    step("action", "done", "2", expect=[("action.done", "2026-033", None)])
    step("purge", "--yes", expect=[("purge", "2024-037", None)])


@pytest.mark.slow
def test_no_typed_text_ever_reaches_the_audit_table(example_ws, run, smtp):
    sink, port = smtp
    local_mail(example_ws, port)
    steps = [
        ("agenda", "build", "--date", D),
        ("agenda", "add", "2026-033", "--date", D, "--reason", f"{SECRET}-reden"),
        ("meeting", "start", "--date", D),
        ("meeting", "attend", "POL", f"{SECRET}-naam"),
        ("meeting", "note", "2026-014", f"{SECRET}-notitie"),
        ("meeting", "decide", "2026-014", f"{SECRET}-besluit"),
        ("action", "add", "2026-014", "--owner", "POL", "--who", f"{SECRET}-wie", "--due",
         "+2w", f"{SECRET}-actie"),
        ("action", "done", "1", "--comment", f"{SECRET}-toelichting"),
        ("meeting", "close"),
        ("meeting", "reopen", "--reason", f"{SECRET}-heropenen"),
        ("meeting", "close"),
        ("minutes", "--partner", "POL"),
        ("mail", "--send", "--yes"),
        ("purge", "--yes"),
    ]
    for args in steps:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    rows = audit_rows(example_ws)
    assert len(rows) > 20
    dumped = "\n".join("|".join(str(v) for v in row) for row in rows)
    assert SECRET not in dumped
    # The typed texts were stored where they belong, so the check above can fail.
    with sqlite3.connect(example_ws / "overleg.db") as conn:
        stored = conn.execute("SELECT text FROM entries ORDER BY id").fetchall()
    assert stored == [(f"{SECRET}-notitie",), (f"{SECRET}-besluit",)]
    # Nor through the commands that show the log.
    for args in (("log",), ("log", "--json"), ("log", "--case", "2026-014")):
        result = run(*args)
        assert result.exit_code == 0
        assert SECRET not in result.stdout


def test_who_defaults_to_the_os_user(example_ws, run):
    assert run("agenda", "build", "--date", D).exit_code == 0
    assert {row[2] for row in audit_rows(example_ws)} == {getpass.getuser()}


@pytest.mark.parametrize("sql, message", [
    ("UPDATE audit SET who = 'iemand anders'", "het logboek kan niet worden gewijzigd"),
    ("UPDATE audit SET action = 'meeting.note' WHERE id = 1",
     "het logboek kan niet worden gewijzigd"),
    ("DELETE FROM audit", "het logboek kan niet worden gewist"),
    ("DELETE FROM audit WHERE id = 1", "het logboek kan niet worden gewist"),
    ("INSERT OR REPLACE INTO audit (id, at, who, action) VALUES (1, 'x', 'x', 'x')",
     "het logboek kan niet worden overschreven"),
    ("REPLACE INTO audit (id, at, who, action) VALUES (2, 'x', 'x', 'x')",
     "het logboek kan niet worden overschreven"),
    ("INSERT INTO audit (id, at, who, action) VALUES (1, 'x', 'x', 'x') "
     "ON CONFLICT (id) DO UPDATE SET who = 'x'", "het logboek kan niet worden overschreven"),
])
def test_raw_sql_cannot_change_or_remove_a_line(example_ws, run, sql, message):
    assert run("agenda", "build", "--date", D).exit_code == 0
    before = audit_rows(example_ws)
    conn = sqlite3.connect(example_ws / "overleg.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match=message):
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    assert audit_rows(example_ws) == before
    # Appending stays possible: that is what the log is for.
    assert run("agenda", "build", "--date", D).exit_code == 0
    assert len(audit_rows(example_ws)) == len(before) + 1


# --- the change and its line share one transaction --------------------------------------

SETUP = {
    "planned": [("agenda", "build", "--date", D)],
    "open": [("agenda", "build", "--date", D), ("meeting", "start", "--date", D)],
    "closed": [("agenda", "build", "--date", D), ("meeting", "start", "--date", D),
               ("meeting", "note", "2026-014", "besproken"), ("meeting", "close")],
}


@pytest.fixture(scope="module")
def stages(tmp_path_factory) -> dict[str, Path]:
    """The example workspace in each stage of SETUP, built once; tests work on copies."""
    built = {}
    run = Run()
    for stage, steps in SETUP.items():
        ws = tmp_path_factory.mktemp(stage) / "werkmap"
        init_workspace(ws, example=True)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("OVERLEG_TODAY", D)  # recordings act on today's meeting
            mp.setenv("OVERLEG_WORKSPACE", str(ws))
            for setup in steps:
                assert run(*setup).exit_code == 0, setup
        built[stage] = ws
    return built


@pytest.fixture
def staged(stages, tmp_path, monkeypatch):
    def copy(stage: str) -> Path:
        ws = tmp_path / stage
        shutil.copytree(stages[stage], ws)
        monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
        return ws
    return copy


@pytest.mark.parametrize("stage, args", [
    ("planned", ("agenda", "build", "--date", D)),
    ("planned", ("agenda", "build", "--date", D, "--keep")),
    ("planned", ("agenda", "add", "2026-033", "--date", D)),
    ("planned", ("agenda", "drop", "2026-009", "--date", D)),
    ("planned", ("agenda", "move", "2026-021", "1", "--date", D)),
    ("planned", ("meeting", "start", "--date", D)),
    ("open", ("meeting", "attend", "POL", "K. Bakker")),
    ("open", ("meeting", "note", "2026-014", "tekst")),
    ("open", ("meeting", "decide", "2026-014", "tekst")),
    ("open", ("meeting", "review", "2026-014", "--next", "2027-01-12")),
    ("open", ("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "tekst")),
    ("closed", ("meeting", "reopen", "--reason", "vergeten")),
    ("closed", ("meeting", "approve", "--date", D)),
    ("closed", ("purge", "--yes")),
])
def test_a_change_whose_line_cannot_be_written_is_not_made(staged, run, stage, args):
    example_ws = staged(stage)
    before = snapshot(example_ws)
    files = {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()}
    with sqlite3.connect(example_ws / "overleg.db") as conn:
        conn.execute("CREATE TRIGGER audit_broken BEFORE INSERT ON audit "
                     "BEGIN SELECT RAISE(ABORT, 'logboek kapot'); END")
    result = run(*args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.endswith("Fout: de database is niet te gebruiken (logboek kapot). "
                                  "Probeer het opnieuw.\n")
    assert "Traceback" not in result.stderr
    assert snapshot(example_ws) == before
    assert {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()} == files


def test_action_done_without_its_line_stays_open(staged, run):
    example_ws = staged("open")
    assert run("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "x").exit_code == 0
    before = snapshot(example_ws)
    with sqlite3.connect(example_ws / "overleg.db") as conn:
        conn.execute("CREATE TRIGGER audit_broken BEFORE INSERT ON audit "
                     "BEGIN SELECT RAISE(ABORT, 'logboek kapot'); END")
    assert run("action", "done", "1").exit_code == 1
    assert snapshot(example_ws) == before


MEETING_TABLES = ("meetings", "agenda_items", "attendance", "entries", "reviews", "actions",
                  "reopenings", "writebacks", "mailings", "audit")


def snapshot(ws: Path) -> dict[str, list[tuple]]:
    """Every row of every table that holds meeting data (caches of case files aside)."""
    with sqlite3.connect(ws / "overleg.db") as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall()
                for t in MEETING_TABLES}


# --- overleg log --------------------------------------------------------------------------

def _small_history(run) -> None:
    for args in [("agenda", "build", "--date", D), ("meeting", "start", "--date", D),
                 ("meeting", "note", "2026-014", "x"), ("meeting", "note", "2026-027", "y"),
                 ("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "z"),
                 ("meeting", "close"), ("minutes", "--partner", "POL")]:
        result = run("--as", ME, *args)
        assert result.exit_code == 0, (args, result.stderr)


def test_log_json_has_exactly_the_contract_keys(example_ws, run):
    _small_history(run)
    result = run("log", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [set(line) for line in data] == [{"at", "who", "action", "case", "meeting"}] * len(data)
    assert [(line["who"], line["action"], line["case"], line["meeting"]) for line in data] == [
        (ME, "meeting.plan", None, D),
        (ME, "agenda.build", None, D),
        (ME, "meeting.start", None, D),
        (ME, "meeting.geheimhouding", None, D),
        (ME, "meeting.note", "2026-014", D),
        (ME, "meeting.note", "2026-027", D),
        (ME, "action.add", "2026-014", D),
        (ME, "case.writeback", "2026-014", D),
        (ME, "case.writeback", "2026-027", D),
        (ME, "meeting.close", None, D),
        (ME, "render.minutes.POL", None, D),
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", line["at"]) for line in data)


def test_log_case_filters_on_the_case(example_ws, run):
    _small_history(run)
    data = json.loads(run("log", "--case", "2026-014", "--json").stdout)
    assert [(line["action"], line["case"]) for line in data] == [
        ("meeting.note", "2026-014"), ("action.add", "2026-014"),
        ("case.writeback", "2026-014")]
    table = run("log", "--case", "2026-027")
    assert table.exit_code == 0
    rows = [re.split(r"\s{2,}", line.strip()) for line in table.stdout.splitlines()]
    assert [row[1:] for row in rows] == [
        ["wie", "wat", "casus", "vergadering"],
        [ME, "notitie", "2026-027", D],
        [ME, "casusbestand bijgewerkt", "2026-027", D],
    ]


def test_log_table_shows_dutch_labels_not_codes(example_ws, run):
    _small_history(run)
    result = run("log")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["tijd", "wie", "wat", "casus", "vergadering"]
    labels = [re.split(r"\s{2,}", line.strip())[2] for line in lines[1:]]
    assert labels == [
        "vergadering gepland", "agenda gemaakt", "vergadering geopend",
        "geheimhouding voorgelezen", "notitie", "notitie", "actie toegevoegd",
        "casusbestand bijgewerkt", "casusbestand bijgewerkt", "vergadering gesloten",
        "verslag voor POL gemaakt",
    ]
    assert all(ME in line for line in lines[1:])


def test_log_never_cuts_off_time_case_or_meeting_on_a_narrow_terminal(example_ws, run,
                                                                        monkeypatch):
    _small_history(run)
    monkeypatch.setenv("COLUMNS", "80")
    result = run("log", "--case", "2026-014")
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert len(re.findall(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d .* 2026-014  2026-12-01\s*$",
                          result.stdout, re.MULTILINE)) == 3


@pytest.mark.parametrize("action, label", [
    ("render.agenda.POL", "agenda voor POL gemaakt"),
    ("render.minutes.GGZ", "verslag voor GGZ gemaakt"),
    ("render.actions.POL", "actielijst voor POL gemaakt"),
    ("render.minutes.voorzitter", "verslag voor voorzitter gemaakt"),
    ("render.inzage.betrokkene", "inzage voor betrokkene gemaakt"),
    ("inzage.open", "inzageverzoek ontvangen"),
    ("render.mail.agenda.RN", "e-mail (agenda) voor RN klaargezet"),
    ("render.mail.minutes.WT", "e-mail (minutes) voor WT klaargezet"),
    ("mail.sent.minutes.OM", "e-mail (minutes) verstuurd aan OM"),
    ("purge.file", "casusbestand verwijderd"),
])
def test_labels_of_composed_actions(action, label):
    from overleg.cli.admin import _label

    assert _label(action) == label


def test_every_fixed_action_code_has_a_dutch_label():
    assert all(label and not re.search(r"[a-z]\.[a-z]", label) for label in
               ACTION_LABELS.values())


def test_empty_log_messages(example_ws, run):
    result = run("log")
    assert (result.exit_code, result.stdout) == (0, "Het logboek is leeg.\n")
    _small_history(run)
    result = run("log", "--case", "2026-099")
    assert (result.exit_code, result.stdout) == (0, "Geen logregels voor 2026-099.\n")
    assert json.loads(run("log", "--case", "2026-099", "--json").stdout) == []
