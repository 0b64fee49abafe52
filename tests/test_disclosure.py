"""The disclosure gate: every document that can leave for a partner (or the chair) is made
through `overleg.documents.disclose`, writes exactly one register row naming exactly the
cases it holds, and holds nothing of a case its recipient is not in.

The table of command lines below is checked against the gate's own table of producers:
a producer without a command line here fails the suite, and so does a module outside the
gate that calls a renderer.
"""

from __future__ import annotations

import ast
import email
import io
import json
import sqlite3
from email import policy
from pathlib import Path

import pytest

from overleg.documents import PRODUCERS

ROOT = Path(__file__).resolve().parent.parent
MEETING = "2026-12-01"
NEXT = "2026-12-08"
PARTNER = "POL"


def _command(kind: str, fmt: str, partner: str | None, out: Path) -> list[str]:
    """The command line that makes the document (kind, fmt) for `partner` (None: chair)."""
    who = ["--partner", partner] if partner else []
    target = ["-o", str(out)]
    if kind == "agenda":
        return ["agenda", "render", "--date", NEXT, *who, "--format", fmt, *target]
    if kind == "minutes":
        return ["minutes", "--date", MEETING, *who, "--format", fmt, *target]
    if kind == "actions":
        if fmt == "json":
            return ["action", "list", *who, "--json"]
        return ["action", "list", *who, "--status", "all", "--format", fmt, *target]
    if kind == "mail":
        return ["mail", "--date", MEETING, "-o", str(out.parent)]
    if kind == "inzage":
        return ["inzage", "2026-014", "--format", fmt, *target]
    if kind == "export" and fmt == "uitkomst":
        return ["export", *who, "--format", fmt, "--date", MEETING, *target]
    if kind == "export":
        return ["export", *who, "--format", fmt, *target]
    if kind == "zoek":
        return ["zoek", "de", *who, *(["--json"] if fmt == "json" else [])]
    if kind == "uitvraag":
        return ["uitvraag", "--date", NEXT, "-o", str(out.parent)]
    raise AssertionError(f"no command line for {kind}.{fmt}: add one to this table")


def _text(data: bytes, fmt: str) -> str:
    """Everything a reader of the document sees, as text."""
    if fmt == "docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        for section in document.sections:
            parts += [p.text for p in section.footer.paragraphs]
        return "\n".join(parts)
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                         for c in row if c is not None)
    if fmt == "csv" and data[:4] == b"PK\x03\x04":  # the export: a zip of CSV files
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    if fmt == "eml":
        message = email.message_from_bytes(data, policy=policy.default)
        parts = [str(message["Subject"])]
        for part in message.walk():
            if part.get_content_maintype() == "multipart":
                continue
            payload = part.get_content()
            if isinstance(payload, bytes) and payload[:4] == b"PK\x03\x04":  # an .xlsx
                parts.append(_text(payload, "xlsx"))
                continue
            parts.append(payload.decode("utf-8") if isinstance(payload, bytes) else payload)
        return "\n".join(parts)
    return data.decode("utf-8")


def _register(ws: Path) -> list[dict]:
    conn = sqlite3.connect(ws / "overleg.db")
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM disclosures ORDER BY id")]
    conn.close()
    return rows


def _cases(ws: Path) -> dict[str, dict]:
    """Every case's id, initials and question, from `cases list --json` and the files."""
    from overleg.casecache import load_cases
    from overleg.workspace import load_workspace

    return {c.id: {"initialen": c.initialen, "question": c.question}
            for c in load_cases(load_workspace(ws)).cases}


@pytest.fixture
def table_ws(run, demo_ws: Path) -> Path:
    """The demo after its two meetings, a planned agenda for 08-12, and POL taken off a case
    on which it still owns an open action (the stale-partner leak)."""
    result = run("agenda", "build", "--date", NEXT)
    assert result.exit_code == 0, result.stderr
    result = run("action", "add", "2026-012", "--owner", "POL", "--due", "+2w", "Buurtonderzoek")
    assert result.exit_code == 0, result.stderr
    path = demo_ws / "casussen" / "2026-012-na.md"
    text = path.read_text(encoding="utf-8")
    assert "[RN, POL, WT]" in text
    path.write_text(text.replace("[RN, POL, WT]", "[RN, WT]"), encoding="utf-8")
    return demo_ws


def test_every_producer_has_a_command_line_in_this_table(tmp_path):
    for kind, fmt in PRODUCERS:
        assert _command(kind, fmt, None, tmp_path / "x")


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "fmt"), sorted(PRODUCERS))
@pytest.mark.parametrize("partner", [PARTNER, None], ids=["partner", "chair"])
def test_each_document_makes_one_register_row_with_exactly_its_cases(
        run, table_ws, tmp_path, kind, fmt, partner):
    if kind == "inzage" and partner is not None:
        pytest.skip("an access request goes to the person, never to a partner")
    if kind in ("mail", "uitvraag") and partner is None:
        pytest.skip("e-mail and information requests go to partners only")
    if (kind, fmt, partner) == ("actions", "json", None):
        pytest.skip("the chair's own JSON listing stays on the laptop (see the next tests)")
    if kind == "zoek" and partner is None:
        pytest.skip("the chair's own search on the screen stays on the laptop")
    out = tmp_path / "uit" / f"{kind}.{'zip' if (kind, fmt) == ('export', 'csv') else fmt}"
    before = len(_register(table_ws))
    result = run(*_command(kind, fmt, partner, out))
    assert result.exit_code == 0, result.stderr
    rows = _register(table_ws)[before:]
    if kind == "mail":
        assert len(rows) == len(list(out.parent.glob("*.eml")))
        (row,) = [r for r in rows if r["partner"] == PARTNER]
        out = out.parent / f"verslag-{MEETING}-{PARTNER}.eml"
    elif kind == "uitvraag":  # a form per partner, and a draft per partner with an address
        assert len(rows) == len(list(out.parent.glob("uitvraag-*")))
        (row,) = [r for r in rows if r["partner"] == PARTNER and r["format"] == fmt]
        out = out.parent / f"uitvraag-{NEXT}-{PARTNER}.{fmt}"
    else:
        assert len(rows) == 1, rows
        (row,) = rows
    assert (row["kind"], row["format"], row["partner"]) == (kind, fmt, partner)
    data = out.read_bytes() if row["file"] else result.stdout_bytes
    import hashlib

    assert row["sha256"] == hashlib.sha256(data).hexdigest()
    text = _text(data, fmt)
    listed = set(json.loads(row["cases"]))
    cases = _cases(table_ws)
    in_document = {case_id for case_id in cases if case_id in text}
    assert listed == in_document
    if partner is not None:
        from overleg.casecache import load_cases
        from overleg.workspace import load_workspace

        mine = {c.id for c in load_cases(load_workspace(table_ws)).cases
                if partner in c.partners}
        assert listed <= mine
        for case_id, case in cases.items():
            if case_id in mine:
                continue
            assert case_id not in text
            if case["question"]:
                assert case["question"] not in text, case_id


def test_the_stale_partner_gets_nothing_of_the_case_in_any_action_list_format(run, table_ws):
    result = run("action", "list", "--partner", PARTNER, "--status", "all", "--json")
    assert result.exit_code == 0
    assert "2026-012" not in {a["case"] for a in json.loads(result.stdout)}
    for fmt in ("csv",):
        result = run("action", "list", "--partner", PARTNER, "--format", fmt)
        assert "2026-012" not in result.stdout
    result = run("action", "list", "--partner", PARTNER, "--status", "all")
    assert "2026-012" not in result.stdout
    # the chair still sees the action
    result = run("action", "list", "--json")
    assert "2026-012" in {a["case"] for a in json.loads(result.stdout)}


def test_the_chairs_json_listing_is_not_a_disclosure(run, table_ws):
    before = len(_register(table_ws))
    assert run("action", "list", "--json").exit_code == 0
    assert len(_register(table_ws)) == before


def test_a_failed_write_leaves_no_register_row(run, table_ws, tmp_path):
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    before = len(_register(table_ws))
    result = run("minutes", "--partner", PARTNER, "-o", str(blocker / "verslag.md"))
    assert result.exit_code == 1
    assert len(_register(table_ws)) == before


def test_verstrekkingen_lists_what_a_partner_received(run, table_ws, tmp_path):
    run("minutes", "--partner", PARTNER, "-o", str(tmp_path / "v.md"))
    run("mail", "--date", MEETING)
    result = run("verstrekkingen", "--partner", "pol", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert {(r["kind"], r["format"]) for r in rows} >= {("minutes", "md"), ("mail", "eml")}
    assert all(r["partner"] == PARTNER for r in rows)
    first = rows[0]
    assert set(first) >= {"at", "who", "partner", "kind", "format", "meeting", "cases", "file",
                          "sha256"}
    assert first["purpose"].startswith("Afstemmen") and "Wgs" in first["basis"]
    mail = next(r for r in rows if r["kind"] == "mail")
    assert mail["addresses"] == ["wijkagenten.zuid@politie.example"]
    result = run("verstrekkingen", "--partner", PARTNER)
    assert result.exit_code == 0
    assert "POL = Politie Eenheid" in result.stdout and "verslag (md)" in result.stdout


def test_verstrekkingen_by_case_and_since(run, table_ws, tmp_path):
    run("minutes", "--partner", "VT", "-o", str(tmp_path / "vt.md"))
    rows = json.loads(run("verstrekkingen", "--case", "2026-027", "--json").stdout)
    assert rows and all("2026-027" in r["cases"] for r in rows)
    assert json.loads(run("verstrekkingen", "--case", "2026-099", "--json").stdout) == []
    assert json.loads(run("verstrekkingen", "--since", "1-1-2030", "--json").stdout) == []
    assert run("verstrekkingen", "--since", "1-1-2030").stdout == "Geen verstrekkingen.\n"


def test_the_register_is_append_only(table_ws, run, tmp_path):
    run("minutes", "--partner", PARTNER, "-o", str(tmp_path / "v.md"))
    conn = sqlite3.connect(table_ws / "overleg.db")
    for sql in ("UPDATE disclosures SET partner = 'GGZ'", "DELETE FROM disclosures",
                "DELETE FROM disclosure_cases",
                "INSERT OR REPLACE INTO disclosures (id, at, who, kind, format, sha256) "
                "SELECT id, at, who, kind, format, sha256 FROM disclosures LIMIT 1"):
        with pytest.raises(sqlite3.DatabaseError, match="register van verstrekkingen"):
            conn.execute(sql)
    conn.close()


def test_documents_footer_names_purpose_and_basis(run, table_ws):
    for args in (("minutes", "--partner", PARTNER), ("minutes",),
                 ("agenda", "render", "--date", NEXT, "--partner", PARTNER)):
        result = run(*args)
        assert "Doel: Afstemmen van een gezamenlijke aanpak" in result.stdout, args
        assert "Grondslag: Wet gegevensverwerking door samenwerkingsverbanden" in result.stdout


# --- no way around the gate ----------------------------------------------------------------

RENDERERS = {"render_agenda", "render_minutes", "render_template", "agenda_docx",
             "minutes_docx", "actions_docx", "inzage_docx", "export_actions", "build_message",
             "actions_calendar"}
# The gate, and the modules that define the renderers (and call each other's parts).
ALLOWED = {"documents.py", "render.py", "docx.py", "mail.py", "spreadsheet.py", "inzage.py"}


def test_no_module_outside_the_gate_calls_a_renderer():
    offenders = []
    for path in sorted((ROOT / "overleg").rglob("*.py")):
        if path.name in ALLOWED and path.parent.name == "overleg":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in RENDERERS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    assert offenders == []


# --- BSN notations against every output kind -----------------------------------------------

def _bsns():
    from hypothesis import strategies as st

    def valid(digits: list[int]) -> str | None:
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        check = total % 11
        return None if check == 10 or not any(digits) else "".join(map(str, [*digits, check]))

    nine = st.lists(st.integers(0, 9), min_size=8, max_size=8).map(valid).filter(bool)

    def notation(digits: str, style: int, sep: str) -> str:
        if style == 0:
            return digits
        if style == 1:
            return f"{digits[:4]}{sep}{digits[4:6]}{sep}{digits[6:]}"
        return f"{digits[:3]}{sep}{digits[3:6]}{sep}{digits[6:]}"

    return st.builds(notation, nine, st.integers(0, 2), st.sampled_from([" ", ".", "-"]))


def _bsn_workspace(root: Path, bsns: list[str]):
    """A workspace with one case whose file, notes, decisions and actions hold `bsns`."""
    import shutil
    from datetime import date

    from overleg import meeting
    from overleg.agenda import build_agenda
    from overleg.casecache import load_cases
    from overleg.documents import Sources
    from overleg.store import Store
    from overleg.workspace import init_workspace, load_workspace

    init_workspace(root)
    shutil.copyfile(ROOT / "examples" / "overleg.toml", root / "overleg.toml")
    prefixes = ["", "bsn-", "BSN:", "nr.", "x,", "(", "BSN "]
    written = " ".join(f"{prefixes[i % len(prefixes)]}{b}" for i, b in enumerate(bsns))
    (root / "casussen" / "2026-090.md").write_text(
        "---\nid: 2026-090\ninitialen: B.N.\ngeboortejaar: 1990\nstatus: aangemeld\n"
        f"aangemeld_op: 2026-11-20\naangemeld_door: POL\npartners: [POL, GGZ]\n"
        f"wijk: Wijk {bsns[0]}\ntriage:\n  uitkomst: casusoverleg\n  criteria: [a, b, c]\n"
        "---\n# B.N.\n\n## Situatie\nBekend onder {written}.\n\n"
        f"## Vraag aan het overleg\nKlopt {written}?\n", encoding="utf-8")
    ws = load_workspace(root)
    store = Store.open(ws.db_path, actor="test")
    cases = load_cases(ws).cases
    day = date(2026, 12, 1)
    build_agenda(store, cases, day, ws.config)
    started, _ = meeting.start_meeting(store, ws, cases, day)
    (case,) = cases
    meeting.record(store, ws, case, "note", f"Notitie {written}", meeting=started)
    meeting.record(store, ws, case, "decision", f"Besluit {written}", meeting=started)
    meeting.add_action(store, ws, case, "POL", f"Agent {bsns[-1]}", date(2026, 12, 15),
                       f"Actie {written}", meeting=started)
    return Sources(ws, store, {case.id: case}, day), store.meeting_by_id(started.id)


@pytest.mark.slow
def test_no_bsn_notation_survives_in_any_output_kind(tmp_path_factory):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from overleg.documents import Request, disclose

    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bsns=st.lists(_bsns(), min_size=3, max_size=12))
    def check(bsns: list[str]) -> None:
        root = tmp_path_factory.mktemp("bsn") / "werkmap"
        src, meeting = _bsn_workspace(root, bsns)
        for kind, fmt in sorted(PRODUCERS):
            partner = None if kind == "inzage" else PARTNER
            options = {"cases": ["2026-090"], "of": "minutes", "status": "all",
                       "path": root / "uit" / f"x.{fmt}", "text": "besluit"}
            request = Request(kind, fmt, partner, None if kind == "inzage" else meeting,
                              options)
            text = _text(disclose(src, request).data, fmt).replace("\r\n ", "").replace(
                "\n ", "")
            for bsn in bsns:
                digits = "".join(c for c in bsn if c.isdigit())
                assert bsn not in text and digits not in text, (kind, fmt, bsn)
            assert "*********" in text, (kind, fmt)
        src.store.close()

    check()
