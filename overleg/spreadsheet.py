"""Spreadsheets in and out: case files from an .xlsx or .csv table, the action register as one.

Reading: the first row holds the column names (the front-matter keys), every further row is
one case (its text made by overleg.frontmatter.case_text); problems are findings
`FILE:ROW: message`, ROW as the spreadsheet shows it.
Writing: `.xlsx` with real date cells, or `;`-separated UTF-8 `.csv` that Dutch Excel opens.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg import dates
from overleg.cases import ID_RE, REQUIRED, Case, Finding, parse_case
from overleg.errors import InvalidInput
from overleg.files import create_new, new_file_mode
from overleg.frontmatter import COLUMNS, Cell, blank_cell, case_text, cell_text
from overleg.privacy import clean

if TYPE_CHECKING:
    import zipfile

    from overleg.cases import CaseSet
    from overleg.model import Action
    from overleg.store import Store
    from overleg.workspace import Workspace


# --- reading a table --------------------------------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """A table as read: column names (normalised) and the non-empty rows with their number."""

    columns: list[str]
    rows: list[tuple[int, list[Cell]]]


def column_name(raw: Cell) -> str:
    """'Aangemeld op', 'geïnformeerd ', 'toezicht einde' -> 'aangemeld_op', 'geinformeerd',
    'toezicht.einde'."""
    text = unicodedata.normalize("NFKD", str(raw if raw is not None else "").strip().lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"^toezicht_", "toezicht.", re.sub(r"[\s-]+", "_", text))


# Limits for a table to import: a list of referrals is a few hundred rows of some twenty
# columns. An .xlsx is a zip of XML, so its size on disk says little: a zip bomb of 1 MB
# unpacks to gigabytes, and a sheet that claims the range A1:XFD1048576 is padded to it.
XLSX_MAX_BYTES = 50 * 1024 * 1024  # the file, and its members unpacked, together
XLSX_MAX_RATIO = 200  # unpacked : packed of one member above 1 MB (XML packs some 10-50x)
XLSX_MAX_MEMBERS = 10_000
CSV_MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 10_000  # rows with data, header included; empty rows after them are skipped
MAX_COLUMNS = 100
_EXCEL_ROWS = 1_048_576  # the last row Excel has: a file that numbers rows past it is forged
_RESAVE = "Sla het in Excel opnieuw op als .xlsx, of als CSV UTF-8."
_TOO_MANY_ROWS = f"meer dan {MAX_ROWS:,} rijen met gegevens; splits het bestand.".replace(",", ".")
_TOO_MANY_COLUMNS = (f"meer dan {MAX_COLUMNS} kolommen; haal de kolommen weg die niet bij de "
                     "import horen.")


def read_table(path: Path, shown: str) -> Sheet:
    """An .xlsx or .csv file -> Sheet; InvalidInput `FILE:ROW: message` (row 1 when the row is
    unknown) when it cannot be read as a table, is damaged or is larger than the limits."""
    if not path.is_file():
        raise InvalidInput(f"bestand '{shown}' bestaat niet. Geef een .xlsx- of .csv-bestand.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path, shown)
    elif suffix == ".csv":
        rows = _csv_rows(_read_csv(path, shown), shown)
    elif suffix == ".xls":
        raise InvalidInput(f"{shown}:1: het oude Excel-formaat .xls wordt niet gelezen. Sla het "
                           "bestand in Excel op als .xlsx of als CSV UTF-8.")
    else:
        raise InvalidInput(f"{shown}:1: kies een .xlsx- of .csv-bestand (niet "
                           f"'{path.suffix}').")
    rows = [(number, cells) for number, cells in rows if any(not blank_cell(c) for c in cells)]
    if not rows:
        raise InvalidInput(f"{shown}:1: het bestand is leeg. De eerste rij moet de kolomnamen "
                           f"bevatten ({', '.join(COLUMNS[:6])}, ...).")
    (_, header), *body = rows
    return Sheet([column_name(c) for c in header], body)


def read_rows(path: Path, shown: str) -> list[tuple[int, list[Cell]]]:
    """The non-empty rows of an .xlsx file's first sheet with their numbers, read within the
    limits of read_table (a reply form of the uitvraag); InvalidInput `FILE:ROW: message`."""
    if not path.is_file():
        raise InvalidInput(f"bestand '{shown}' bestaat niet. Geef het ingevulde .xlsx-bestand.")
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InvalidInput(f"{shown}:1: kies het ingevulde .xlsx-formulier (niet "
                           f"'{path.suffix or path.name}').")
    return [(number, cells) for number, cells in _xlsx_rows(path, shown)
            if any(not blank_cell(c) for c in cells)]


def _read_csv(path: Path, shown: str) -> bytes:
    """The bytes of a CSV file, never more than CSV_MAX_BYTES of them."""
    from overleg.text import size_text

    with path.open("rb") as handle:
        raw = handle.read(CSV_MAX_BYTES + 1)
    if len(raw) > CSV_MAX_BYTES:
        raise InvalidInput(f"{shown}:1: het bestand is groter dan {size_text(CSV_MAX_BYTES)}; "
                           "zoveel aanmeldingen leest overleg niet in één keer. Splits het "
                           "bestand.")
    return raw


def _check_xlsx(path: Path, shown: str) -> None:
    """Refuse an .xlsx before openpyxl opens it when it is larger than the limits unpacked,
    packed suspiciously tight, or holds a DTD (which no Excel file has: it is how an XML
    entity bomb or an external entity gets in). The members' sizes come from the zip's
    directory; zipfile never unpacks more than a member declares."""
    import zipfile

    from overleg.text import size_text

    limit = size_text(XLSX_MAX_BYTES)
    if path.stat().st_size > XLSX_MAX_BYTES:
        raise InvalidInput(f"{shown}:1: het bestand is groter dan {limit}; zo'n groot werkblad "
                           "leest overleg niet. Splits het bestand.")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if len(members) > XLSX_MAX_MEMBERS or unpacked > XLSX_MAX_BYTES:
                raise InvalidInput(f"{shown}:1: uitgepakt is het bestand groter dan {limit} "
                                   f"({size_text(unpacked)}); zo'n groot werkblad leest overleg "
                                   "niet. Splits het bestand.")
            for member in members:
                if member.file_size > 1024 * 1024 and \
                        member.file_size > XLSX_MAX_RATIO * max(member.compress_size, 1):
                    raise InvalidInput(f"{shown}:1: het bestand is verdacht sterk "
                                       f"samengeperst (meer dan {XLSX_MAX_RATIO} keer) en wordt "
                                       f"niet gelezen. {_RESAVE}")
            for member in members:
                if _has_dtd(archive, member):
                    raise InvalidInput(f"{shown}:1: het bestand bevat een DTD (<!DOCTYPE of "
                                       "<!ENTITY), wat in een Excel-bestand niet hoort; het "
                                       f"wordt niet gelezen. {_RESAVE}")
    except InvalidInput:
        raise
    except Exception:  # BadZipFile, a damaged member (zlib.error, CRC), an unknown method
        raise InvalidInput(f"{shown}:1: is geen leesbaar Excel-bestand (.xlsx). "
                           f"{_RESAVE}") from None


def _has_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when the member holds `<!DOCTYPE` or `<!ENTITY` (read in pieces: bounded)."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 16):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False


def _xlsx_rows(path: Path, shown: str) -> list[tuple[int, list[Cell]]]:
    """The rows of the first sheet with their numbers; empty rows left out."""
    import warnings

    import openpyxl

    _check_xlsx(path, shown)
    rows: list[tuple[int, list[Cell]]] = []
    number = 0
    with warnings.catch_warnings():  # openpyxl's English warnings ("no default style")
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # openpyxl raises whatever its parser meets in a damaged file
            raise InvalidInput(f"{shown}:1: is geen leesbaar Excel-bestand (.xlsx). "
                               f"{_RESAVE}") from None
        try:
            sheet = book.worksheets[0]  # the first sheet, whichever was open when saved
            # The range the file claims (`<dimension>`, A1:F12): wider than the limit is
            # refused, since columns past it are never read; rows are never padded to it.
            if (sheet.max_column or 0) > MAX_COLUMNS:
                raise InvalidInput(f"{shown}:1: {_TOO_MANY_COLUMNS}")
            sheet.reset_dimensions()
            width = MAX_COLUMNS + 1  # one more: a value there is reported
            for number, values in enumerate(
                    sheet.iter_rows(max_col=width, values_only=True), start=1):
                if number > _EXCEL_ROWS:
                    raise InvalidInput(f"{shown}:{_EXCEL_ROWS}: het werkblad heeft meer rijen "
                                       f"dan Excel kent. {_RESAVE}")
                if values.count(None) == len(values):  # C speed: padding rows are many
                    continue
                if len(values) == width and values[-1] is not None:
                    raise InvalidInput(f"{shown}:{number}: {_TOO_MANY_COLUMNS}")
                if len(rows) == MAX_ROWS:
                    raise InvalidInput(f"{shown}:{number}: {_TOO_MANY_ROWS}")
                rows.append((number, list(values[:MAX_COLUMNS])))
        except InvalidInput:
            raise
        except Exception:  # a damaged sheet or a missing part: from the row it reached
            if not number:
                raise InvalidInput(f"{shown}:1: is geen leesbaar Excel-bestand (.xlsx). "
                                   f"{_RESAVE}") from None
            raise InvalidInput(f"{shown}:{number + 1}: het werkblad is beschadigd en kan vanaf "
                               f"deze rij niet worden gelezen. {_RESAVE}") from None
        finally:
            book.close()
    return rows


def _csv_rows(raw: bytes, shown: str) -> list[tuple[int, list[Cell]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InvalidInput(f"{shown}:{line}: het bestand is geen UTF-8-tekst. Sla het in Excel "
                           "op als 'CSV UTF-8 (door komma's gescheiden)'.") from None
    first, _, rest = text.partition("\n")
    if match := re.fullmatch(r"sep=(.)\r?", first):  # Excel's own hint, not a row
        delimiter, text = match.group(1), rest
    else:
        delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if not any(cells):
                continue
            if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
                raise InvalidInput(f"{shown}:{number}: {_TOO_MANY_COLUMNS}")
            if len(rows) == MAX_ROWS:
                raise InvalidInput(f"{shown}:{number}: {_TOO_MANY_ROWS}")
            rows.append((number, list[Cell](cells[:MAX_COLUMNS])))
    except csv.Error as exc:
        raise InvalidInput(f"{shown}:{reader.line_num}: onleesbare CSV ({_csv_reason(exc)})"
                           ) from None
    return rows


def _csv_reason(exc: Exception) -> str:
    """The csv module's complaint in Dutch."""
    text = str(exc)
    if "NUL" in text:
        return "het bestand bevat NUL-tekens; sla het op als CSV UTF-8"
    if "field limit" in text:
        return "een cel is te groot"
    if "new-line" in text or "end of data" in text:
        return "een cel met een aanhalingsteken wordt niet afgesloten"
    return "de regel is niet als CSV te lezen; sla het bestand opnieuw op als CSV UTF-8"


def _delimiter(text: str) -> str:
    """';' (what Dutch Excel writes) or ',': whichever separates more cells of the header."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    header = re.sub(r'"[^"]*"', "", header)  # a quoted name may hold either character
    return ";" if header.count(";") > header.count(",") else ","


# --- an import plan ---------------------------------------------------------------------

@dataclass(frozen=True)
class NewCase:
    """One row that becomes a valid case file."""

    row: int
    path: Path
    data: bytes
    case: Case


@dataclass
class ImportPlan:
    """What `cases import` would do: files to create, rows skipped, and every problem."""

    shown: str
    create: list[NewCase] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)  # the case exists already
    findings: list[Finding] = field(default_factory=list)  # errors and warnings

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.error]

    @property
    def failed_rows(self) -> int:
        return len({f.line for f in self.errors if f.line > 1})


def plan_import(ws: Workspace, path: Path, shown: str, existing: Iterable[str]) -> ImportPlan:
    """Read the table and turn every row into a validated case file (nothing is written).

    A row whose id is in `existing` or whose file exists is skipped; a row that would give an
    invalid file (by the same parser as `cases check`) is reported with its row number.
    """
    sheet = read_table(path, shown)
    plan = ImportPlan(shown)
    _check_columns(sheet, plan)
    known = set(existing)
    seen: dict[str, int] = {}  # id (any letter case: one file on Windows/macOS) -> row
    for number, cells in sheet.rows:
        values = {c: cell for c, cell in zip(sheet.columns, cells, strict=False) if c in COLUMNS}
        case_id = cell_text(values.get("id"))
        if not case_id:
            plan.findings.append(Finding(shown, number, "de kolom 'id' is leeg; elke casus "
                                                        "heeft een id (bijv. 2026-042)"))
            continue
        if case_id.lower() in seen:
            plan.findings.append(Finding(shown, number, f"id '{case_id}' staat ook op rij "
                                                        f"{seen[case_id.lower()]}; elke casus "
                                                        "krijgt één rij", True, case_id))
            continue
        seen[case_id.lower()] = number
        _plan_row(ws, plan, number, case_id, values, known)
    return plan


def _check_columns(sheet: Sheet, plan: ImportPlan) -> None:
    shown = plan.shown
    doubles = sorted({c for c in sheet.columns if c and sheet.columns.count(c) > 1})
    if doubles:
        raise InvalidInput(f"{shown}:1: kolom '{doubles[0]}' staat er twee keer in; "
                           "haal er één weg.")
    missing = [c for c in REQUIRED if c not in sheet.columns]
    if missing:
        raise InvalidInput(f"{shown}:1: verplichte kolom(men) ontbreken: {', '.join(missing)}. "
                           f"De eerste rij moet de kolomnamen bevatten: {', '.join(COLUMNS)}.")
    for column in sheet.columns:
        if column and column not in COLUMNS:
            plan.findings.append(Finding(shown, 1, f"kolom '{column}' is onbekend en wordt "
                                                   "niet overgenomen", error=False))


def _plan_row(ws: Workspace, plan: ImportPlan, number: int, case_id: str,
              values: dict[str, Cell], known: set[str]) -> None:
    shown = plan.shown
    if not ID_RE.match(case_id):
        plan.findings.append(Finding(shown, number, f"'id' = '{case_id}' mag alleen letters, "
                                                    "cijfers, '-', '_' en '.' bevatten"))
        return
    target = ws.cases_dir / f"{case_id}.md"
    if case_id in known or target.exists():
        where = f" ({ws.rel(target)})" if target.exists() else ""
        plan.skipped.append(Finding(shown, number, f'casus "{case_id}" bestaat al{where}; rij '
                                                   "overgeslagen, er is niets overschreven",
                                    False, case_id))
        return
    data = case_text(values).encode("utf-8")
    case, found = parse_case(data, target, ws.rel(target), ws.config)
    for finding in found:  # the generated file's line means nothing to the user: use the row
        plan.findings.append(Finding(shown, number, finding.message, finding.error, case_id))
    if case is not None and not any(f.error for f in found):
        plan.create.append(NewCase(number, target, data, case))


def write_import(plan: ImportPlan) -> list[Path]:
    """Write the planned case files, each whole or not at all and owner-only (see
    files.new_file_mode); a file that appeared meanwhile is kept."""
    written = []
    for new in plan.create:
        new.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            create_new(new.path, new.data, new_file_mode(new.path.parent))
        except FileExistsError:  # AppearedMeanwhile too
            plan.skipped.append(Finding(plan.shown, new.row, f'casus "{new.case.id}": '
                                        f"{new.path.name} bestaat al; niets overschreven",
                                        False, new.case.id))
            continue
        written.append(new.path)
    return written


# --- the action register out --------------------------------------------------------------

ACTION_HEADERS = ("nummer", "casus", "eigenaar", "uitvoerder", "actie", "deadline", "status",
                  "vergadering", "te laat", "afgerond op", "toelichting")
# How a status reads in a document or on screen.
ACTION_STATES = {"open": "open", "done": "afgerond", "cancelled": "vervallen"}
EXPORT_FORMATS = ("xlsx", "csv")


def export_format(fmt: str | None, output: Path | None) -> str:
    """The export format from --format, else from the -o file's extension."""
    # `action list` also makes a Word action list (overleg.docx): the messages name it too.
    if fmt is None and output is not None:
        fmt = output.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FORMATS:
            raise InvalidInput(f"kies het formaat met --format xlsx, csv of docx (uit "
                               f"'{output.name}' is het niet af te leiden).")
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"formaat '{fmt}' bestaat niet. Kies uit: xlsx, csv, docx.")
    if fmt == "xlsx" and output is None:
        raise InvalidInput("--format xlsx schrijft een bestand: geef het met -o, bijv. "
                           "-o acties.xlsx.")
    return fmt


def action_rows(actions: Sequence[Action], on: date) -> list[list[Cell]]:
    """One row per action, in ACTION_HEADERS order; dates stay dates, BSNs masked."""
    return [[a.id, a.case_id, a.owner, clean(a.who or ""), clean(a.text), a.due,
             ACTION_STATES[a.status], a.meeting_date, "ja" if a.overdue(on) else "nee",
             a.done_on, clean(a.done_comment or "")] for a in actions]


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence[Cell]], title: str) -> bytes:
    """A workbook of one sheet: a bold, frozen header row with a filter, real date cells."""
    return xlsx_book([(title, headers, rows)])


def xlsx_book(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Cell]]]]) -> bytes:
    """A workbook of one sheet per (title, headers, rows), each as `xlsx_bytes` makes it."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, headers, rows in sheets:
        _fill_sheet(book.create_sheet(title[:31]), headers, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill_sheet(sheet: Any, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v
                      for v in values])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "DD-MM-YYYY"
            elif cell.data_type == "f":  # text such as '=...' is data, never a formula
                cell.data_type = "s"
    for index, header in enumerate(headers, start=1):
        longest = max((len(_csv_cell(r[index - 1])) for r in rows), default=0)
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(len(header), longest, 8) + 2, 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return dates.fmt(value if not isinstance(value, datetime) else value.date())
    text = str(value)
    # Excel runs a cell that starts like a formula (=, +, -, @): keep text text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[Cell]], bom: bool = True,
             newline: str = "\r\n") -> str:
    """`;`-separated CSV with dd-mm-jjjj dates; with a BOM so Excel reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator=newline)
    writer.writerow(headers)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def export_actions(actions: Sequence[Action], on: date, fmt: str | None,
                   output: Path | None) -> bytes:
    """The action register as .xlsx or .csv, in the order of `action list` (overdue first).

    A .csv file gets a BOM and CRLF for Excel; csv for the screen (no `output`) gets neither.
    """
    kind = export_format(fmt, output)
    ordered = sorted(actions, key=lambda a: (not a.overdue(on), a.due, a.id))
    rows = action_rows(ordered, on)
    if kind == "xlsx":
        return xlsx_bytes(ACTION_HEADERS, rows, "Acties")
    if output is None:
        return csv_text(ACTION_HEADERS, rows, bom=False, newline="\n").encode("utf-8")
    return csv_text(ACTION_HEADERS, rows).encode("utf-8")


def import_cases(ws: Workspace, store: Store, case_set: CaseSet, path: Path, shown: str,
                 write: bool) -> tuple[ImportPlan, list[Path]]:
    """`cases import`: plan every row against the folder; with `write`, create the good
    ones (each logged as created). Returns the plan and the files written."""
    existing = {c.id for c in case_set.cases} | {f.case_id for f in case_set.findings}
    plan = plan_import(ws, path, shown, existing - {""})
    written = write_import(plan) if write else []
    for new in plan.create:
        if new.path in written:
            store.log_case_created(new.case.id, "import")
    return plan, written
