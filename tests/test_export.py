"""`overleg export`: the whole register for a successor chair, the FG or a migration. The
chair's export holds every table of meeting data; a partner's holds nothing of a case it is
not in; every export goes through the disclosure gate and gets one register row."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

PARTNER = "POL"
STALE = "2026-012"  # POL is taken off this case but still owns an open action on it
EVERY_TABLE = ["meetings", "agenda_items", "attendance", "entries", "reviews", "actions",
               "reopenings", "writebacks", "mailings", "disclosures", "disclosure_cases",
               "access_requests", "audit", "action_changes", "uitvraag_forms",
               "uitvraag_items"]
PARTNER_TABLES = ["meetings", "agenda_items", "entries", "reviews", "actions", "writebacks",
                  "mailings"]
CASE_TABLES = ["agenda_items", "entries", "reviews", "actions", "writebacks"]


@pytest.fixture
def ws(run, demo_ws: Path) -> Path:
    """The demo after its two meetings, an access request, a reopening, and POL taken off a
    case on which it still owns an open action."""
    for args in (("action", "add", STALE, "--owner", "POL", "--due", "+2w", "Buurtonderzoek"),
                 ("inzage", "open", "2026-014", "--received", "20-11-2026"),
                 ("meeting", "reopen", "--reason", "Besluit over 2026-027 aanvullen"),
                 ("meeting", "close")):
        result = run(*args)
        assert result.exit_code == 0, result.output
    path = next((demo_ws / "casussen").glob(f"{STALE}-*.md"))
    text = path.read_text(encoding="utf-8")
    assert "[RN, POL, WT]" in text
    path.write_text(text.replace("[RN, POL, WT]", "[RN, WT]"), encoding="utf-8")
    return demo_ws


def db_tables(ws: Path) -> dict[str, list[dict]]:
    """Every table of the database as rows, straight from SQLite; not the full-text index
    (`<table>_fts` and its shadow tables: made from the tables, as the case cache is from
    the files)."""
    conn = sqlite3.connect(ws / "overleg.db")
    conn.row_factory = sqlite3.Row
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE "
                                        "'%\\_fts%' ESCAPE '\\' ORDER BY name")]
    tables = {n: [dict(r) for r in conn.execute(f"SELECT * FROM {n} ORDER BY rowid")]
              for n in names}
    conn.close()
    return tables


def register(ws: Path) -> list[dict]:
    return db_tables(ws)["disclosures"]


def cases_of(run, partner: str) -> set[str]:
    result = run("cases", "list", "--json")
    assert result.exit_code == 0, result.stderr
    return {c["id"] for c in json.loads(result.stdout) if partner in c["partners"]}


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_chairs_export_holds_every_table_of_meeting_data(run, ws: Path, tmp_path: Path):
    before = db_tables(ws)
    out = tmp_path / "uit" / "export.json"
    result = run("export", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    rows = sum(len(before[t]) for t in EVERY_TABLE)
    assert result.stderr == f"Export ({rows} rijen) geschreven naar {out}.\n"
    assert result.stdout == ""
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert list(exported) == EVERY_TABLE
    # every table but the case-file cache: a new table fails here until the export has it
    assert set(before) - set(EVERY_TABLE) == {"case_snapshot"}
    for table in EVERY_TABLE:
        assert exported[table] == before[table], table  # hashes too: never masked
    assert exported["reopenings"] and exported["access_requests"] and exported["audit"]


def test_each_export_is_one_register_row_with_its_cases(run, ws: Path, tmp_path: Path):
    for partner, fmt in [(None, "json"), (None, "csv"), (PARTNER, "json"), (PARTNER, "csv")]:
        out = tmp_path / f"export-{partner}.{'zip' if fmt == 'csv' else 'json'}"
        before = register(ws)
        who = ["--partner", partner.lower()] if partner else []
        result = run("export", *who, "--format", fmt, "-o", str(out))
        assert result.exit_code == 0, result.stderr
        (row,) = register(ws)[len(before):]
        assert (row["kind"], row["format"], row["partner"]) == ("export", fmt, partner)
        assert row["file"] == str(out)
        assert row["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        cases = json.loads(row["cases"])
        if partner is None:
            assert STALE in cases and "2026-014" in cases
        else:
            assert set(cases) <= cases_of(run, partner) and STALE not in cases
    audit = [r["action"] for r in db_tables(ws)["audit"]][-4:]
    assert audit == ["render.export.voorzitter"] * 2 + ["render.export.POL"] * 2


def test_json_without_a_file_goes_to_stdout_and_is_registered(run, ws: Path):
    before = register(ws)
    result = run("export", "--partner", PARTNER)
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == PARTNER_TABLES
    (row,) = register(ws)[len(before):]
    assert (row["file"], row["sha256"]) == (None, hashlib.sha256(result.stdout_bytes).hexdigest())


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_partners_export_holds_no_row_of_a_case_it_is_not_in(run, ws: Path, tmp_path: Path,
                                                                fmt: str):
    mine = cases_of(run, PARTNER)
    full = db_tables(ws)
    out = tmp_path / f"pol.{'zip' if fmt == 'csv' else 'json'}"
    assert run("export", "--partner", PARTNER, "--format", fmt, "-o", str(out)).exit_code == 0
    if fmt == "json":
        exported = json.loads(out.read_text(encoding="utf-8"))
        text = out.read_text(encoding="utf-8")
    else:
        files = unzip(out.read_bytes())
        assert list(files) == [f"{t}.csv" for t in PARTNER_TABLES]
        text = "\n".join(files.values())
        exported = json.loads(run("export", "--partner", PARTNER).stdout)
    assert list(exported) == PARTNER_TABLES  # no audit, attendance, register, requests
    for table in CASE_TABLES:
        assert exported[table], table
        assert {r["case_id"] for r in exported[table]} <= mine, table
        # ...and every row of its cases is there
        assert exported[table] == [r for r in full[table] if r["case_id"] in mine], table
    assert STALE not in {r["case_id"] for r in exported["actions"]}
    used = {r[k] for t in CASE_TABLES for r in exported[t]
            for k in ("meeting_id", "done_meeting_id") if r.get(k) is not None}
    assert {m["id"] for m in exported["meetings"]} == used
    assert all(r["partner"] == PARTNER for r in exported["mailings"])
    others = {c["id"] for c in json.loads(run("cases", "list", "--json").stdout)} - mine
    assert others and not [case_id for case_id in others if case_id in text]
    assert "Besluit over 2026-027" not in text  # a reopening's reason is free text


def test_the_csv_export_is_a_zip_of_one_excel_csv_per_table(run, ws: Path, tmp_path: Path):
    out = tmp_path / "export.zip"
    assert run("export", "-o", str(out)).exit_code == 0  # the format follows from .zip
    files = unzip(out.read_bytes())
    assert list(files) == [f"{t}.csv" for t in EVERY_TABLE]
    conn = sqlite3.connect(ws / "overleg.db")
    meetings = conn.execute("SELECT id, date, status FROM meetings ORDER BY id").fetchall()

    def columns(table: str) -> str:
        return ";".join(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))

    lines = files["meetings.csv"].split("\r\n")
    assert lines[0] == "\ufeff" + columns("meetings")
    assert [tuple(line.split(";")[:3]) for line in lines[1:-1]] == [
        (str(i), d, s) for i, d, s in meetings]
    assert files["access_requests.csv"].count("\r\n") == 2  # header and the one request
    assert files["mailings.csv"] == "\ufeff" + columns("mailings") + "\r\n"  # empty: header
    conn.close()


def test_typed_text_leaves_cleaned(run, ws: Path, tmp_path: Path):
    assert run("meeting", "reopen", "--reason", "BSN 123456782 \x1b[31mrood").exit_code == 0
    out = tmp_path / "e.json"
    assert run("export", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "123456782" not in text and "\\u001b" not in text and "\x1b" not in text
    assert "BSN ********* [31mrood" in text
    zipped = tmp_path / "e.zip"
    assert run("export", "-o", str(zipped)).exit_code == 0
    reopenings = unzip(zipped.read_bytes())["reopenings.csv"]
    assert "BSN ********* [31mrood" in reopenings and "\x1b" not in reopenings


def test_digests_stay_whole_while_text_is_masked():
    from overleg.documents import _export_value
    from overleg.privacy import clean

    digest = next(h for h in (hashlib.sha256(str(i).encode()).hexdigest() for i in range(999))
                  if clean(h) != h)  # one whose digits look like a BSN
    assert _export_value("hash", digest) == _export_value("sha256", digest) == digest
    assert _export_value("text", digest) == clean(digest) != digest
    assert _export_value("hash", "BSN 123456782\x1b") == "BSN *********"


def test_an_existing_folder_gets_a_dated_file(run, ws: Path, tmp_path: Path):
    folder = tmp_path / "fg"
    folder.mkdir()
    result = run("export", "--partner", "pol", "--format", "csv", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in folder.iterdir()] == ["export-2026-11-28-POL.zip"]


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "csv"], "Fout: --format csv maakt een .zip-bestand met één csv per tabel; "
                          "geef met -o aan waar het heen moet, bijv. -o uit/export.zip.\n"),
    (["--format", "csv", "-o", "export.csv"], "Fout: --format csv maakt een .zip-bestand, geen "
                                              "'export.csv'; kies bijv. -o export.zip.\n"),
])
def test_csv_needs_a_zip_file(run, ws: Path, args: list[str], message: str):
    before = register(ws)
    result = run("export", *args)
    assert (result.exit_code, result.stderr, result.stdout) == (1, message, "")
    assert register(ws) == before


def test_an_unknown_format_is_a_usage_error(run, ws: Path):
    result = run("export", "--format", "xlsx")
    assert result.exit_code == 2
    assert "json" in result.stderr and "csv" in result.stderr
