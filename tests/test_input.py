"""Bad input at every boundary gets a Dutch message and an exit code, never a traceback:
text that is not UTF-8 (arguments, stdin, the terminal), overleg.toml values with line breaks
or control characters, numbers too large for SQLite, damaged or oversized spreadsheets, case
files above 1 MB, and output paths that are a folder or empty (issue 13)."""

from __future__ import annotations

import errno
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from overleg.casecache import MAX_CASE_BYTES, load_cases, read_body
from overleg.cli.app import _os_message
from overleg.cli.cases import PIECE, markdown_pieces
from overleg.config import parse_config
from overleg.errors import ConfigError, InvalidCaseFile, InvalidInput
from overleg.store import Store
from overleg.text import check_arguments, control_character, size_text, valid_text
from overleg.workspace import load_workspace

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_TOML = (ROOT / "examples" / "overleg.toml").read_text(encoding="utf-8")
OVERLEG = Path(sys.executable).parent / "overleg"
installed = pytest.mark.skipif(not OVERLEG.exists(), reason="overleg is not installed")

NOT_TEXT_LINE = "deze regel is geen geldige tekst (UTF-8); typ hem opnieuw."


def case_text(case_id: str, body: str = "") -> str:
    return (f"---\nid: {case_id}\ninitialen: A.B.\nstatus: actief\naangemeld_op: 2026-11-02\n"
            f"aangemeld_door: RN\npartners: [RN, POL]\n---\n# A.B.\n\n## Situatie\n{body}\n")


def entries(ws: Path, case_id: str) -> list[str]:
    store = Store.open(load_workspace(ws).db_path)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        return [e.text for e in store.entries(meeting, case_id)]
    finally:
        store.close()


@pytest.fixture
def started(example_ws: Path, run, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example meeting of 2026-12-01 open, on its own day."""
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-01")
    result = run("meeting", "start")
    assert result.exit_code == 0, result.output
    return example_ws


def overleg(ws: Path, *args: str | bytes, stdin: bytes = b"",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed overleg with argv as bytes (as a shell passes them)."""
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(ws.parent),
                   "OVERLEG_WORKSPACE": str(ws), "OVERLEG_TODAY": "2026-12-01",
                   "NO_COLOR": "1", "COLUMNS": "120", "LANG": "C.UTF-8", **(env or {})}
    return subprocess.run([os.fsencode(OVERLEG), *(os.fsencode(a) for a in args)],
                          input=stdin, capture_output=True, env=environment, timeout=60)


# --- text that is not UTF-8 ------------------------------------------------------------------

@pytest.mark.parametrize(("value", "valid"), [
    ("gewone tekst", True), ("Öztürk – “citaat” ✓", True), ("", True),
    ("x \udcff", False),  # a byte 0xFF decoded with surrogateescape
    ("caf\udce9", False),  # Latin-1 é
    ("\ud800", False),
])
def test_valid_text(value: str, valid: bool) -> None:
    if valid:
        assert valid_text(value) == value
    else:
        with pytest.raises(InvalidInput) as caught:
            valid_text(value)
        assert caught.value.message == NOT_TEXT_LINE


@pytest.mark.parametrize(("args", "message"), [
    (["meeting", "note", "2026-014", "x \udcff"], "argument 4"),
    (["action", "done", "--comment", "caf\udce9", "3"], "argument 4 (na --comment)"),
    (["action", "done", "3", "--comment=caf\udce9"], "de waarde van --comment"),
    (["--as", "\udcff", "log"], "argument 2 (na --as)"),
])
def test_check_arguments_names_the_argument_never_its_text(args: list[str], message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_arguments(args)
    assert caught.value.message == f"{message} is geen geldige tekst (UTF-8); typ het opnieuw."
    check_arguments(["meeting", "note", "2026-014", "Öztürk"])  # valid text passes


def test_an_argument_that_is_not_utf8_is_refused_and_nothing_recorded(started: Path,
                                                                        run) -> None:
    result = run("meeting", "note", "2026-014", "x \udcff")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Fout: argument 4 is geen geldige tekst (UTF-8); typ het opnieuw.\n"
    assert entries(started, "2026-014") == []


@installed
@pytest.mark.slow
def test_argv_bytes_from_a_shell(started: Path) -> None:
    done = overleg(started, "meeting", "note", "2026-014", b"x \xff")
    assert done.returncode == 2
    assert done.stderr.decode() == ("Fout: argument 4 is geen geldige tekst (UTF-8); typ het "
                                    "opnieuw.\n")
    done = overleg(started, "meeting", "note", "2026-014", "Öztürk belt terug.".encode())
    assert done.returncode == 0, done.stderr.decode()
    assert entries(started, "2026-014") == ["Öztürk belt terug."]


SCRIPT = b"POL K. Bakker\n\nn caf\xe9 met de buren\nn Goed gesprek.\n"


def test_a_latin1_line_in_meeting_run_is_refused_and_the_next_lines_recorded(started: Path,
                                                                             run) -> None:
    result = run("meeting", "run", input=SCRIPT)
    assert result.exit_code == 1
    assert result.stderr == f"Fout: regel 3: {NOT_TEXT_LINE}\n"
    assert "Notitie #2 vastgelegd." in result.stdout
    assert "Traceback" not in result.output
    assert entries(started, "2026-014") == ["Goed gesprek."]


@installed
@pytest.mark.slow
@pytest.mark.parametrize("env", [{}, {"PYTHONIOENCODING": "utf-8:strict"}, {"LC_ALL": "C"}],
                         ids=["C.UTF-8", "strict stdin", "C locale"])
def test_a_latin1_paste_through_a_pipe(started: Path, env: dict[str, str]) -> None:
    done = overleg(started, "meeting", "run", stdin=SCRIPT, env=env)
    assert done.returncode == 1
    assert done.stderr.decode() == f"Fout: regel 3: {NOT_TEXT_LINE}\n"
    assert entries(started, "2026-014") == ["Goed gesprek."]


@installed
@pytest.mark.slow
def test_a_latin1_byte_typed_on_a_terminal(started: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(started.parent), "TERM": "xterm",
           "OVERLEG_WORKSPACE": str(started), "OVERLEG_TODAY": "2026-12-01", "NO_COLOR": "1",
           "LANG": "C.UTF-8"}
    child = pexpect.spawn(str(OVERLEG), ["meeting", "run"], env=env, dimensions=(40, 120),
                          timeout=10)

    def wait(text: bytes) -> None:  # answering prompt_toolkit's cursor-position requests
        while child.expect([re.escape(b"\x1b[6n"), re.escape(text)]) == 0:
            child.send(b"\x1b[20;1R")

    try:
        wait(b"aanwezig>")
        child.send(b"POL K. Bakker\r")
        wait(b"aanwezig (#1).")
        child.send(b"\r")
        wait(b"2026-014>")
        child.send(b"n caf\xe9\r")
        wait(b"geen geldige tekst (UTF-8)")
        child.send(b"n Goed gesprek.\r")
        wait(b"Notitie #2 vastgelegd.")
        child.send(b"q\r")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert entries(started, "2026-014") == ["Goed gesprek."]


def test_a_latin1_answer_in_cases_new_is_asked_again(empty_ws: Path, run) -> None:
    answers = b"2026-050\nA.\xc9.\nA.E.\n1990\n\n\nRN\nRN\n\nja\nWat nu?\n"
    result = run("cases", "new", input=answers)
    assert result.exit_code == 0, result.output
    assert "Fout: dit antwoord is geen geldige tekst (UTF-8); typ het opnieuw." in result.stderr
    assert "initialen: A.E." in (empty_ws / "casussen" / "2026-050.md").read_text()


def test_undecodable_text_past_the_boundary_is_a_message(example_ws: Path, run,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr("overleg.casecache.load_cases", broken)
    result = run("cases", "list")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: er kwam tekst binnen die geen geldige tekst (UTF-8) is. Typ "
                             "hem opnieuw, of sla het bestand op als UTF-8.\n")


# --- overleg.toml: one line per value, no control characters ---------------------------------

def toml_with(old: str, new: str) -> str:
    assert EXAMPLE_TOML.count(old) == 1, old
    return EXAMPLE_TOML.replace(old, new)


NAAM = 'naam = "Casusoverleg Zorg en Veiligheid Den Haag Zuid"'
LINE = "schrijf de waarde op één regel, zonder stuurtekens"


@pytest.mark.parametrize(("old", "new", "message"), [
    (NAAM, 'naam = "Casusoverleg\\nZorg"', f"7: 'naam' bevat een regelovergang (U+000A); {LINE}"),
    (NAAM, 'naam = "Casusoverleg\\r\\nBcc: x@y"', f"7: 'naam' bevat een regelovergang "
     f"(U+000D); {LINE}"),
    (NAAM, 'naam = "Casusoverleg\\u2028Zorg"', f"7: 'naam' bevat een regelovergang (U+2028); "
     f"{LINE}"),
    (NAAM, 'naam = """Casusoverleg\nZorg"""', f"7: 'naam' bevat een regelovergang (U+000A); "
     f"{LINE}"),
    (NAAM, 'naam = "Casus\\u0085overleg"', f"7: 'naam' bevat een regelovergang (U+0085); {LINE}"),
    (NAAM, 'naam = "Casus\\toverleg"', f"7: 'naam' bevat een stuurteken (U+0009); {LINE}"),
    (NAAM, 'naam = "Casus\\u202eoverleg"', f"7: 'naam' bevat een stuurteken (U+202E); {LINE}"),
    ('afzender = "casusoverleg@veiligheidshuis.example"',
     'afzender = "casusoverleg@veiligheidshuis.example\\r\\nBcc: iedereen@example"',
     "91: 'afzender' bevat een regelovergang (U+000D); " + LINE),
    ('naam = "Politie Eenheid Den Haag, basisteam Zuid"', 'naam = "Politie\\u0000Den Haag"',
     f"56: 'naam' bevat een stuurteken (U+0000); {LINE}"),
    ('email = ["wijkagenten.zuid@politie.example"]', 'email = ["wijk\\u0007@politie.example"]',
     "57: 'email' van 'POL' moet een lijst van e-mailadressen zijn"),
    ('[partners.POL]', '[partners."POL\\n"]',
     "55: partnercode 'POL\\n' mag alleen letters, cijfers, '-' en '_' bevatten"),
])
def test_config_text_with_line_breaks_or_controls_is_refused(old: str, new: str,
                                                              message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(toml_with(old, new))
    assert caught.value.message == f"overleg.toml:{message}"


def test_a_schema_may_have_a_dtstart_line() -> None:
    config = parse_config(toml_with('schema = "FREQ=WEEKLY;BYDAY=TU"', 'schema = '
                                    '"DTSTART:20261208\\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"'))
    assert config.schema == "DTSTART:20261208\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    with pytest.raises(ConfigError, match=r"'schema' bevat een stuurteken \(U\+0009\)"):
        parse_config(toml_with('schema = "FREQ=WEEKLY;BYDAY=TU"',
                               'schema = "FREQ=WEEKLY;\\tBYDAY=TU"'))


def test_mail_with_a_line_break_in_the_sender_names_the_config_line(demo_ws: Path,
                                                                     run) -> None:
    toml = demo_ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r'afzender = "([^"]*)"', r'afzender = "\1\\r\\nBcc: x@example"', text)
    toml.write_text(text, encoding="utf-8")
    line = text.splitlines().index(next(s for s in text.splitlines()
                                        if s.startswith("afzender"))) + 1
    result = run("mail")
    assert result.exit_code == 1
    assert result.stderr == (f"Fout: overleg.toml:{line}: 'afzender' bevat een regelovergang "
                             f"(U+000D); {LINE}\n")


@pytest.mark.parametrize(("value", "lines", "found"), [
    ("gewoon", False, None), ("a\nb", True, None), ("a\r\nb", True, None),
    ("a\nb", False, "een regelovergang (U+000A)"), ("a\u2029b", True, "een regelovergang "
                                                                     "(U+2029)"),
    ("a\x1bb", True, "een stuurteken (U+001B)"), ("a\x7fb", False, "een stuurteken (U+007F)"),
])
def test_control_character(value: str, lines: bool, found: str | None) -> None:
    assert control_character(value, lines) == found


# --- numbers too large for SQLite --------------------------------------------------------------

HUGE = "99999999999999999999"


@pytest.mark.parametrize(("args", "name", "value"), [
    (["action", "done", HUGE], "ACTIE", HUGE),
    (["action", "done", "0"], "ACTIE", "0"),
    (["agenda", "move", "2026-014", HUGE], "POSITIE", HUGE),
    (["inzage", "close", HUGE], "NR", HUGE),
    (["inzage", "extend", HUGE, "--until", "1-2-2027", "--reason", "x"], "NR", HUGE),
    (["agenda", "add", "2026-014", "--minutes", HUGE], "'--minutes'", HUGE),
])
def test_numbers_are_range_checked_at_the_command_line(example_ws: Path, run, args: list[str],
                                                       name: str, value: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    where = name if name.startswith("'") else f"'{name}'"
    assert re.match(f"Fout: ongeldige waarde voor {where}: {value}; het moet een getal "
                    r"van (1 tot en met|ten hoogste) \d+ zijn\.\nZie 'overleg .* --help'\.\n\Z",
                    result.stderr)
    assert "Traceback" not in result.output


# --- spreadsheets --------------------------------------------------------------------------

HEADER = ["id", "initialen", "status", "aangemeld_op", "aangemeld_door", "partners"]
ROW = ["2026-201", "A.B.", "aangemeld", "2026-11-02", "POL", "POL"]
RESAVE = "Sla het in Excel opnieuw op als .xlsx, of als CSV UTF-8."
SHEET = "xl/worksheets/sheet1.xml"


def members() -> dict[str, bytes]:
    """The parts of a small valid .xlsx (header and one row)."""
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sheet_rows(rows: int, start: int = 2) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>2026-%d</t></is></c></row>'
                    % (n, n, n) for n in range(start, start + rows))


def damaged(change: str) -> dict[str, bytes]:
    parts = members()
    sheet = parts[SHEET]
    if change == "truncated sheet":
        parts[SHEET] = sheet[:200]
    elif change == "broken after row 2":
        parts[SHEET] = sheet.replace(b"</sheetData>", sheet_rows(3, start=3) + b"<row r=")
    elif change == "missing sheet":
        del parts[SHEET]
    elif change == "bad styles":
        parts["xl/styles.xml"] = b"<styleSheet><bogus"
    elif change == "entity bomb":
        doctype = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                   + b"".join(b'<!ENTITY %s "%s">' % (b"a" * (i + 1), b"&%s;" % (b"a" * i) * 10)
                              for i in range(1, 6)) + b"]>")
        parts[SHEET] = doctype + sheet.replace(b"<t>A.B.</t>", b"<t>&aaaaaa;</t>")
    elif change == "zip bomb":
        parts[SHEET] = sheet.replace(b"</sheetData>", b"</sheetData><!--" + b" " * (60 << 20)
                                     + b"-->")
    elif change == "packed too tight":
        parts[SHEET] = sheet.replace(b"</sheetData>", b"</sheetData><!--" + b" " * (5 << 20)
                                     + b"-->")
    elif change == "claims A1:XFD1048576":
        parts[SHEET] = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>',
                              sheet)
    elif change == "value in column 101":
        parts[SHEET] = re.sub(rb'<dimension ref="[^"]*"/>', b"", sheet).replace(
            b"</row></sheetData>", b'<c r="CW2" t="inlineStr"><is><t>x</t></is></c></row>'
            b"</sheetData>")
    elif change == "10.001 rows":
        parts[SHEET] = re.sub(rb'<dimension ref="[^"]*"/>', b"", sheet).replace(
            b"</sheetData>", sheet_rows(10_000, start=3) + b"</sheetData>")
    elif change == "row past Excel's last":
        parts[SHEET] = re.sub(rb'<dimension ref="[^"]*"/>', b"", sheet).replace(
            b"</sheetData>", b'<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>')
    return parts


def write_zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(("change", "message"), [
    ("truncated sheet", f"1: is geen leesbaar Excel-bestand (.xlsx). {RESAVE}"),
    ("broken after row 2", f"6: het werkblad is beschadigd en kan vanaf deze rij niet worden "
                           f"gelezen. {RESAVE}"),
    ("missing sheet", f"1: is geen leesbaar Excel-bestand (.xlsx). {RESAVE}"),
    ("bad styles", f"1: is geen leesbaar Excel-bestand (.xlsx). {RESAVE}"),
    ("entity bomb", "1: het bestand bevat een DTD (<!DOCTYPE of <!ENTITY), wat in een "
                    f"Excel-bestand niet hoort; het wordt niet gelezen. {RESAVE}"),
    ("zip bomb", "1: uitgepakt is het bestand groter dan 50 MB (60 MB); zo'n groot werkblad "
                 "leest overleg niet. Splits het bestand."),
    ("packed too tight", "1: het bestand is verdacht sterk samengeperst (meer dan 200 keer) en "
                         f"wordt niet gelezen. {RESAVE}"),
    ("claims A1:XFD1048576", "1: meer dan 100 kolommen; haal de kolommen weg die niet bij de "
                             "import horen."),
    ("value in column 101", "2: meer dan 100 kolommen; haal de kolommen weg die niet bij de "
                            "import horen."),
    ("10.001 rows", "10001: meer dan 10.000 rijen met gegevens; splits het bestand."),
    ("row past Excel's last", f"1048576: het werkblad heeft meer rijen dan Excel kent. {RESAVE}"),
])
def test_a_damaged_or_oversized_xlsx_is_a_finding(run, empty_ws: Path, tmp_path: Path,
                                                 change: str, message: str) -> None:
    path = write_zip(tmp_path / "aanmeldingen.xlsx", damaged(change))
    result = run("cases", "import", str(path), "--yes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Fout: {path}:{message}\n"
    assert list((empty_ws / "casussen").glob("*.md")) == []


def test_a_sheet_with_a_formatted_row_far_down_is_read(run, empty_ws: Path,
                                                       tmp_path: Path) -> None:
    parts = members()
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>",
                                        b'<row r="1048576" customFormat="1"/></sheetData>')
    result = run("cases", "import", str(write_zip(tmp_path / "lijst.xlsx", parts)), "--yes")
    assert result.exit_code == 0, result.output
    assert (empty_ws / "casussen" / "2026-201.md").exists()


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The sizes come from the zip's directory: nothing is unpacked, openpyxl never opens it."""
    from overleg.spreadsheet import read_table

    path = write_zip(tmp_path / "bom.xlsx", damaged("zip bomb"))
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("unpacked"))
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    with pytest.raises(InvalidInput, match="uitgepakt is het bestand groter dan 50 MB"):
        read_table(path, "bom.xlsx")


@pytest.mark.parametrize(("content", "message"), [
    (b"x" * (10 * 1024 * 1024 + 1), "1: het bestand is groter dan 10 MB; zoveel aanmeldingen "
     "leest overleg niet in één keer. Splits het bestand."),
    (("id;" * 101 + "\n").encode(), "1: meer dan 100 kolommen; haal de kolommen weg die niet "
     "bij de import horen."),
    (("id;initialen\n" + "2026-1;A.\n" * 10_000).encode(), "10001: meer dan 10.000 rijen met "
     "gegevens; splits het bestand."),
])
def test_an_oversized_csv_is_a_finding(run, empty_ws: Path, tmp_path: Path, content: bytes,
                                       message: str) -> None:
    path = tmp_path / "lijst.csv"
    path.write_bytes(content)
    result = run("cases", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Fout: {path}:{message}\n"


# --- case files above 1 MB ---------------------------------------------------------------------

TOO_LARGE = ("het bestand is groter dan 1 MB ({size}) en wordt niet gelezen. Een casusbestand is "
             "een samenvatting voor het overleg: zet lange verslagen en bijlagen ergens anders en "
             "verwijs ernaar")


def test_a_case_file_above_1_mb_is_a_finding(run, empty_ws: Path) -> None:
    (empty_ws / "casussen" / "groot.md").write_text(case_text("2026-001", "x" * MAX_CASE_BYTES))
    (empty_ws / "casussen" / "klein.md").write_text(case_text("2026-002", "Overlast."))
    result = run("cases", "check")
    assert result.exit_code == 1
    assert result.stdout == f"casussen/groot.md:1: {TOO_LARGE.format(size='1 MB')}\n"
    # The id from its first lines: `cases show` says the file is broken, not that it is missing.
    result = run("cases", "show", "2026-001")
    assert result.exit_code == 1
    assert result.stderr == ('Fout: casus "2026-001" kan niet worden gelezen: casussen/groot.md:1: '
                             f"{TOO_LARGE.format(size='1 MB')}. Herstel het bestand; zie "
                             "'overleg cases check'.\n")
    assert run("cases", "show", "2026-002").exit_code == 0


def test_a_huge_sparse_case_file_is_never_read_whole(empty_ws: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = empty_ws / "casussen" / "groot.md"
    path.write_text(case_text("2026-001"))
    with path.open("r+b") as handle:
        handle.truncate(3 * 1024**3)  # 3 GB of holes: no disk used
    reads: list[int] = []
    real_open = Path.open

    def counting_open(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        handle = real_open(self, mode, *args, **kwargs)  # type: ignore[arg-type]
        if self == path:
            read = handle.read
            handle.read = lambda n=-1: reads.append(n) or read(n)  # type: ignore[method-assign]
        return handle

    real_read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read whole")
                        if self == path else real_read_bytes(self))
    monkeypatch.setattr(Path, "open", counting_open)
    case_set = load_cases(load_workspace(empty_ws))
    assert [str(f) for f in case_set.findings] == [
        f"casussen/groot.md:1: {TOO_LARGE.format(size='3 GB')}"]
    assert all(0 < n <= 64 * 1024 for n in reads)  # only the first lines, for the id


def test_a_case_file_that_grew_after_checking_is_refused_by_show(empty_ws: Path) -> None:
    path = empty_ws / "casussen" / "a.md"
    path.write_text(case_text("2026-001", "Overlast."))
    case = load_cases(load_workspace(empty_ws)).get("2026-001")
    path.write_text(case_text("2026-001", "y" * (2 * MAX_CASE_BYTES)))
    with pytest.raises(InvalidCaseFile) as caught:
        read_body(case, "casussen/a.md")
    assert caught.value.message == f"casussen/a.md:1: {TOO_LARGE.format(size='2 MB')}"


@pytest.mark.parametrize(("size", "text"), [
    (900, "900 bytes"), (1024, "1 kB"), (1536, "1,5 kB"), (MAX_CASE_BYTES, "1 MB"),
    (50 * 1024 * 1024, "50 MB"), (int(3.1 * 1024**3), "3,1 GB"),
])
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


SHAPES = {
    "paragraphs": "Meneer is verward en de buren melden overlast. " * 4 + "\n\n",
    "one paragraph": "Meneer is verward & de buren melden overlast.\n",
    "a list": "- punt met *nadruk*\n",
    "one line": "woord ",
    "code": "```\ncode\n\nmeer code\n```\n\n",
}


@pytest.mark.parametrize("shape", SHAPES)
def test_markdown_pieces_are_bounded_and_keep_every_line(shape: str) -> None:
    """`cases show` draws a long text in pieces: each piece bounded (so the time grows with
    the text), no text lost, every code fence closed within its piece."""
    body = SHAPES[shape] * (MAX_CASE_BYTES // len(SHAPES[shape]))
    pieces = markdown_pieces(body)
    assert len(pieces) > 1
    assert all(len(text) <= 5 * PIECE for text, _ in pieces)
    assert all(text.count("```") % 2 == 0 for text, _ in pieces)
    assert "".join(re.sub(r"\s|`", "", text) for text, _ in pieces) == re.sub(r"\s|`", "", body)


def test_a_short_text_is_one_piece() -> None:
    assert markdown_pieces("# Kop\n\nTekst.\n") == [("# Kop\n\nTekst.\n", False)]


def test_show_of_a_long_case_file_looks_as_drawn_whole(run, empty_ws: Path) -> None:
    """Cut at blank lines, the pieces print exactly what the whole text would."""
    from rich.console import Console
    from rich.markdown import Markdown

    body = "".join(f"Alinea {n}: de buren melden overlast.\n\n- punt {n}\n\n"
                   for n in range(1000))
    # A piece that starts with a list: rich opens such a document with an empty line.
    assert any(piece.startswith("- ") for piece, _ in markdown_pieces(body))
    (empty_ws / "casussen" / "a.md").write_text(case_text("2026-001", body))
    result = run("cases", "show", "2026-001")
    assert result.exit_code == 0, result.output
    whole = io.StringIO()
    text = case_text("2026-001", body).split("---\n", 2)[2]
    Console(file=whole, width=120, color_system=None, highlight=False, soft_wrap=False).print(
        Markdown(text.strip()))
    assert result.stdout.endswith("\n\n" + whole.getvalue())


# --- output paths and OS errors ------------------------------------------------------------------

FOLDER = ("uit is een map, geen bestand: -o moet een bestand zijn. Geef bij -o de naam van een "
          "bestand (in die map, als u wilt).")


@pytest.mark.parametrize("args", [
    ["agenda", "render", "--date", "2026-12-01", "-o", "uit"],
    ["action", "list", "--format", "csv", "-o", "uit"],
])
def test_an_output_that_is_a_folder(example_ws: Path, run, args: list[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("agenda", "build", "--date", "2026-12-01").exit_code == 0
    monkeypatch.chdir(example_ws)
    (example_ws / "uit").mkdir(exist_ok=True)
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == f"Fout: {FOLDER}\n"
    assert [p.name for p in example_ws.iterdir() if p.name.endswith(".tmp")] == []


def test_minutes_to_a_folder(demo_ws: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo_ws)
    (demo_ws / "uit").mkdir(exist_ok=True)
    result = run("minutes", "-o", "uit")
    assert result.exit_code == 1
    assert result.stderr == f"Fout: {FOLDER}\n"


@pytest.mark.parametrize("args", [
    ["mail", "-o", ""], ["minutes", "-o", ""], ["agenda", "render", "-o", " "],
    ["action", "list", "--format", "csv", "-o", ""], ["export", "-o", ""],
    ["schedule", "--ics", ""], ["inzage", "2026-014", "-o", ""],
])
def test_an_empty_output_is_refused(example_ws: Path, run, args: list[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example_ws)
    before = sorted(p.name for p in example_ws.iterdir())
    result = run(*args)
    assert result.exit_code == 2
    option = "'--ics'" if "--ics" in args else "'-o' / '--output'"
    command = " ".join(a for a in args[:2] if not a.startswith("-") and a != "2026-014")
    assert result.stderr == (f"Fout: ongeldige waarde voor {option}: mag niet leeg zijn; geef "
                             f"een bestand of map.\nZie 'overleg {command} --help'.\n")
    assert sorted(p.name for p in example_ws.iterdir()) == before


@pytest.mark.parametrize(("exc", "message"), [
    (OSError(errno.ENOSPC, "No space left on device",
             "/w/casussen/.2026-014.md.k2j4h1x8.overleg.tmp"),
     "de schijf is vol (/w/casussen/2026-014.md); er is niets half weggeschreven. Maak ruimte "
     "en probeer opnieuw."),
    (OSError(errno.ENOSPC, "No space left on device", "/w/uit/.verslag.md.abc_12.overleg.tmp",
             None, "/w/uit/verslag.md"),
     "de schijf is vol (/w/uit/verslag.md); er is niets half weggeschreven. Maak ruimte en "
     "probeer opnieuw."),
    (OSError(errno.EISDIR, "Is a directory", "/w/.uit.suqnpsus.overleg.tmp", None, "uit"),
     FOLDER),
    (OSError(errno.EACCES, "Permission denied", "/w/casussen/2026-014.md"),
     "geen schrijf- of leesrechten (/w/casussen/2026-014.md). Controleer de rechten op de map "
     "of het bestand."),
    (OSError(errno.ENOSPC, "No space left on device", "/w/casussen/.2026-014.md.ab12cd34.tmp"),
     "de schijf is vol (/w/casussen/2026-014.md); er is niets half weggeschreven. Maak ruimte "
     "en probeer opnieuw."),
])
def test_os_errors_name_the_file_the_user_knows(exc: OSError, message: str) -> None:
    assert _os_message(exc) == message


def test_a_partner_code_ending_in_a_newline_is_no_code() -> None:
    from overleg.config import CODE_RE

    assert CODE_RE.match("POL") and not CODE_RE.match("POL\n")
    from overleg.cases import ID_RE

    assert ID_RE.match("2026-014") and not ID_RE.match("2026-014\n")
