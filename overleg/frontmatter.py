"""The text of a case file: decoding, reading the front matter, writing it.

Reading: a fast reader for the plain subset most files use, and PyYAML (its BaseLoader:
every value text) for the rest, with the line of every key. Writing: the text of a new case
file from its values, and front-matter fields written back in place, where YAML's node
positions put them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from overleg.errors import InvalidDate, StaleCaseFile
from overleg.files import atomic_write_through

# --- decoding, splitting, reading ------------------------------------------------------

class NotText(ValueError):
    """Bytes that are not UTF-8 text with LF or CRLF line endings; `line` is where it shows."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


def decode(raw: bytes) -> str:
    """Bytes of a case file -> text; UTF-8 with or without BOM, LF or CRLF. NotText else."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        raise NotText("het bestand is geen UTF-8-tekst (bevat NUL-tekens; UTF-16?); "
                      "sla het op als UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotText("het bestand is geen UTF-8-tekst; sla het op als UTF-8",
                      raw.count(b"\n", 0, exc.start) + 1) from None
    if "\r" in text.replace("\r\n", ""):
        raise NotText("losse CR-regeleinden; sla het op met LF- of CRLF-regeleinden")
    return text.replace("\r\n", "\n")


def split_front_matter(text: str) -> tuple[list[str], str, int] | None:
    """(front-matter lines, body, line number of the closing ---) or None without one."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return lines[1:index], "\n".join(lines[index + 1:]), index + 1
    return None


def read_fields(fm_lines: list[str]) -> tuple[dict[str, Any] | None, dict[str, int],
                                                list[tuple[int, str]]]:
    """Front-matter lines -> (data or None, key lines, problems as (line, message)): the fast
    reader where it answers, else PyYAML. Outside the plain subset the fields that closing
    a meeting writes are planned in too, so a file that reads well can also be written."""
    fast = simple_front_matter(fm_lines)
    if fast is not None:
        return fast[0], fast[1], []
    loaded = _loaded_front_matter(fm_lines)
    data, lines, problems = ((loaded[0], loaded[1], []) if loaded is not None
                             else _composed_front_matter(fm_lines))
    if data is not None and not problems:
        problems = writeback_problems(fm_lines)
    return data, lines, problems


ABSENT = frozenset(("", "~", "null", "Null", "NULL"))


def absent(value: Any) -> bool:
    """An absent value as YAML writes it: nothing, '~', 'null', spaces or an empty list."""
    if isinstance(value, str):
        return value.strip() in ABSENT
    return value is None or value == []


# --- the fast reader -------------------------------------------------------------------

# The common shape of a case file's front matter, read without YAML: `key: value` lines,
# flow lists of plain words, and one level of nesting (a block list or a small mapping).
# Anything else (quotes, special characters, multi-line values) returns None and is left
# to PyYAML; a property test holds both readers to the same result on this subset.
_SIMPLE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?$")
_SIMPLE_NESTED = re.compile(r"  ([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?$")
_PLAIN = re.compile(r"[^\s'\"#&*!|>%@`{}\[\],:?\-~][^'\"#{}\[\],:]*")
_PLAIN_ITEM = re.compile(r"[^\s'\"#&*!|>%@`{}\[\],:?\-~][^'\"#{}\[\],:]*")


def _simple_scalar(text: str) -> str | None:
    text = text.split(" #", 1)[0].rstrip(" ")
    if not text or (text[0] == "-" and (len(text) == 1 or text[1] == " ")):
        return None
    if text[0] in "-" and not text[1:2].isalnum():
        return None
    return text if _PLAIN.fullmatch(text) or _DASHED.fullmatch(text) else None


_ODD_SPACE = re.compile(r"[^\S ]")  # white space other than a plain space
_DASHED = re.compile(r"-?\d[\d-]*")  # dates and numbers such as 2026-12-01 or -3
_SIMPLE_LINE = re.compile(
    r"([A-Za-z_][A-Za-z0-9_]*): ([^\s'\"#&*!|>%@`{}\[\],:?\-~][^'\"#{}\[\],:]*|-?\d[\d-]*)$")


def _simple_value(text: str | None) -> str | list[str] | None:
    if text is None:
        return ""
    text = text.split(" #", 1)[0].rstrip(" ")
    if not text:
        return ""
    if text[0] == "[":
        if not text.endswith("]"):
            return None
        inner = text[1:-1].strip(" ")
        if not inner:
            return []
        items = [item.strip(" ") for item in inner.split(",")]
        if all(_simple_scalar(item) == item for item in items):
            return items
        return None
    return _simple_scalar(text)


def simple_front_matter(fm_lines: list[str]) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Front matter in the plain subset -> (data as CBaseLoader gives it, key lines), or None."""
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    open_key = ""  # a key with an empty value: nested lines may follow
    for number, raw in enumerate(fm_lines, start=2):
        if raw.endswith(" ") or _ODD_SPACE.search(raw):
            return None  # tabs, no-break spaces...: YAML's rules for those are PyYAML's job
        fast = _SIMPLE_LINE.match(raw)
        if fast is not None:  # the common `key: word` line, in one regex
            key = fast.group(1)
            if key in data:
                return None
            data[key], lines[key] = fast.group(2), number
            open_key = ""
            continue
        if not raw or raw.lstrip(" ").startswith("#"):
            continue
        match = _SIMPLE_KEY.match(raw)
        if match is not None:
            key = match.group(1)
            if key in data:
                return None
            value = _simple_value(match.group(2))
            if value is None:
                return None
            data[key], lines[key] = value, number
            open_key = key if value == "" else ""
            continue
        if not open_key:
            return None
        current = data[open_key]
        if raw.startswith("  - ") or raw.startswith("- "):
            item = _simple_scalar(raw.split("- ", 1)[1])
            if item is None or isinstance(current, dict):
                return None
            data[open_key] = [*current, item] if isinstance(current, list) else [item]
            continue
        nested = _SIMPLE_NESTED.match(raw)
        if nested is None or isinstance(current, list):
            return None
        value = _simple_value(nested.group(2))
        if value is None or value == "":
            return None
        mapping = current if isinstance(current, dict) else {}
        if nested.group(1) in mapping:
            return None
        mapping[nested.group(1)] = value
        data[open_key] = mapping
        lines[f"{open_key}.{nested.group(1)}"] = number
    return data, lines


# --- the PyYAML fallback, with the line of every key -----------------------------------

def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


# A front-matter key line: indentation (nested), then a plain or quoted key and a colon.
_KEY_LINE = re.compile(r"""^(\s*)(?:-\s+)?"""
                       r"""(?:([^\s#'"\-\[\]{}!&*|>%@`,?][^:#]*?)|["']([^"']+)["'])\s*:(?:\s|$)""")


# PyYAML's problems (the C loader's and the Python loader's wording) in Dutch: (pattern of the
# problem, pattern of its context or "", the Dutch reason). The first that matches wins.
_QUOTE_IT = "zet de waarde tussen aanhalingstekens"
_YAML_REASONS: tuple[tuple[str, str, str], ...] = (
    (r"expected ',' or '\]'", "",
     "een lijst tussen [ ] is niet goed afgesloten: zet komma's tussen de waarden en een ']' "
     "aan het eind"),
    (r"expected ',' or '\}'", "",
     "een tabel tussen { } is niet goed afgesloten: zet komma's tussen de paren en een '}' aan "
     "het eind"),
    (r"unexpected end of stream", "quoted scalar",
     "een aanhalingsteken wordt geopend maar niet gesloten"),
    (r"unexpected end of stream", "",
     "de front matter houdt midden in een waarde op"),
    (r"tab character|character '\\t'", "",
     "een tab in de inspringing; gebruik spaties"),
    (r"mapping values are not allowed", "",
     "een ': ' in een waarde, of een sleutel die inspringt: zet zo'n waarde tussen "
     "aanhalingstekens en begin elke sleutel aan het begin van de regel"),
    (r"could not find expected ':'", "",
     "een regel zonder dubbele punt: schrijf 'sleutel: waarde'"),
    (r"did not find expected key|expected <block end>", "",
     "hier verwacht de front matter een nieuwe regel 'sleutel: waarde': staat er tekst achter "
     "een waarde tussen aanhalingstekens, of springt een regel verkeerd in?"),
    (r"(block )?sequence entries are not allowed|expected '-' indicator", "",
     "een lijstregel ('- ...') op een plek waar die niet kan: zet de lijst ingesprongen onder "
     "haar sleutel, elke regel even ver"),
    (r"mapping keys are not allowed", "", "een '?' aan het begin van een waarde; " + _QUOTE_IT),
    (r"undefined alias", "",
     "een '*' aan het begin van een waarde (YAML leest dat als verwijzing); " + _QUOTE_IT),
    (r"", "duplicate anchor",
     "een '&' aan het begin van een waarde komt twee keer voor; " + _QUOTE_IT),
    (r"expected alphabetic or numeric character", "alias|anchor",
     "een '&' of '*' aan het begin van een waarde; " + _QUOTE_IT),
    (r"unknown escape character", "",
     "een '\\' in een waarde tussen dubbele aanhalingstekens; gebruik enkele aanhalingstekens"),
    (r"cannot start any token", "",
     "een waarde begint met een teken dat daar niet mag (zoals @ of `); " + _QUOTE_IT),
    (r"node content", "",
     "hier ontbreekt een waarde, of een waarde begint met een teken dat daar niet mag; "
     + _QUOTE_IT),
    (r"comment or (a )?line break", "",
     "tekst achter een waarde waar alleen een opmerking (#) mag; " + _QUOTE_IT),
    (r"another document|document indicator|document separator", "",
     "een regel '---' of '...' midden in de front matter"),
    (r"", "directive", "een regel die met '%' begint; " + _QUOTE_IT),
    (r"", "tag", "een waarde die met '!' begint; " + _QUOTE_IT),
    (r"indentation indicator|chomping", "",
     "een waarde die met '|' of '>' begint; " + _QUOTE_IT),
    (r"control characters|special characters|unacceptable character|invalid .*character|"
     r"UTF-8|UTF-16", "",
     "een onzichtbaar stuurteken in de tekst; haal het weg"),
    (r"unexpected ':'", "", "een dubbele punt op een onverwachte plek; " + _QUOTE_IT),
)


def yaml_reason(exc: Exception, lines: Sequence[str] = ()) -> str:
    """A PyYAML error as a short Dutch reason that says how to fix it; with the `lines` it
    was read from, the character a value may not start with is named."""
    problem = str(getattr(exc, "problem", None) or getattr(exc, "reason", None) or "")
    context = str(getattr(exc, "context", None) or "")
    if "cannot start any token" in problem:
        mark = getattr(exc, "problem_mark", None)
        line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
        char = line[mark.column:mark.column + 1] if mark is not None else ""
        if char == "\t" or "'\\t'" in problem:
            return "een tab in de inspringing; gebruik spaties"
        if char.strip():
            return f"een waarde begint met '{char}', en dat mag niet; {_QUOTE_IT}"
    for pattern, where, reason in _YAML_REASONS:
        if re.search(pattern, problem) and (not where or re.search(where, context)):
            return reason
    return ("de YAML is hier niet te lezen; controleer aanhalingstekens, haakjes en "
            "inspringing")


def _loaded_front_matter(fm_lines: list[str]) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The front matter as plain data with key lines from a text scan, or None when the
    slow path must run: it composes nodes (twice the cost) to report YAML errors with
    their line, duplicate keys, and anchors safely."""
    text = "\n".join(fm_lines)
    if "&" in text or "*" in text:
        return None
    lines: dict[str, int] = {}
    top = ""
    for number, raw in enumerate(fm_lines, start=2):
        match = _KEY_LINE.match(raw)
        if match is None:
            continue
        key = match.group(2) or match.group(3)
        if match.group(1):
            if top:
                lines.setdefault(f"{top}.{key}", number)
            continue
        if key in lines:
            return None  # a duplicate key: let the slow path name both lines
        lines[key] = number
        top = key
    import yaml

    try:
        data = yaml.load(text, Loader=_yaml_loader())
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or any(not isinstance(k, str) for k in data):
        return None
    return data, lines


def _composed_front_matter(fm_lines: list[str]) -> tuple[dict[str, Any] | None,
                                                          dict[str, int], list[tuple[int, str]]]:
    """The slow path: composed nodes, so that every problem is named with its line."""
    import yaml

    lines: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    try:
        root = yaml.compose("\n".join(fm_lines), Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        context = getattr(exc, "context_mark", None)
        if context is not None and (re.search(r"flow|quoted|simple key",
                                              str(getattr(exc, "context", ""))) or (
                mark is not None and mark.line >= len(fm_lines))):
            mark = context  # point at the '[' or quote left open, the key without a colon
        line = mark.line + 2 if mark is not None else 1
        if mark is None and isinstance(getattr(exc, "position", None), int):  # ReaderError
            line = "\n".join(fm_lines)[:exc.position].count("\n") + 2  # type: ignore[attr-defined]
        reason = yaml_reason(exc, fm_lines)
        return None, lines, [(line, f"ongeldige YAML in de front matter: {reason}")]
    if root is None or not isinstance(root, yaml.MappingNode):
        return None, lines, [(2, "de front matter moet sleutels met waarden bevatten "
                                 "(sleutel: waarde)")]
    data: dict[str, Any] = {}
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append((key_node.start_mark.line + 2,
                             "een sleutel moet een eenvoudig woord zijn"))
            continue
        key = key_node.value
        line = key_node.start_mark.line + 2
        if key in data:
            problems.append((line, f"sleutel '{key}' staat er twee keer in "
                                   f"(eerder op regel {lines[key]})"))
            continue
        try:
            data[key] = _node_value(value_node)
        except ValueError as exc:
            problems.append((line, f"'{key}': {exc}"))
            continue
        lines[key] = line
        if isinstance(value_node, yaml.MappingNode):  # e.g. toezicht.einde has its own line
            for sub_key, _ in value_node.value:
                lines.setdefault(f"{key}.{sub_key.value}", sub_key.start_mark.line + 2)
    return data, lines, problems


def _node_value(node: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """A composed node as str/list/dict; ValueError for an alias loop, bomb or odd key."""
    import yaml

    # YAML anchors can refer to themselves or multiply (billion laughs): bound the walk.
    budget = [10_000] if budget is None else budget
    budget[0] -= 1
    if depth > 50 or budget[0] < 0:
        raise ValueError("de waarde is te diep genest of te groot (YAML-anker?)")
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_node_value(n, depth + 1, budget) for n in node.value]
    if any(not isinstance(k, yaml.ScalarNode) for k, _ in node.value):
        raise ValueError("een sleutel moet een eenvoudig woord zijn")
    return {k.value: _node_value(v, depth + 1, budget) for k, v in node.value}


def parser_line(raw: bytes, key: str) -> int:
    """The line of a top-level front-matter key in a file's bytes (1 when not found)."""
    for number, line in enumerate(raw.split(b"\n")[:200], start=1):
        if re.match(rb"^(\xef\xbb\xbf)?([\"']?)" + re.escape(key.encode()) + rb"\2\s*:", line):
            return number
    return 1


# --- a new case file -------------------------------------------------------------------

Cell = str | int | float | bool | date | datetime | None

# The columns of an import, in the order they are written into the front matter; `vraag`
# and `situatie` become sections of the Markdown body instead, `toezicht.einde` and
# `toezicht.voorwaarden` the nested `toezicht:` block.
COLUMNS = (
    "id", "initialen", "geboortejaar", "wijk", "thema", "status", "prioriteit", "aangemeld_op",
    "aangemeld_door", "regie", "regisseur", "partners", "geinformeerd",
    "reden_niet_geinformeerd", "bespreken", "agenda", "verzoek_door", "minuten",
    "toezicht.einde", "toezicht.voorwaarden", "afgesloten_op", "vraag", "situatie",
)
LIST_COLUMNS = frozenset(("thema", "partners", "toezicht.voorwaarden"))
DATE_COLUMNS = frozenset(("aangemeld_op", "bespreken", "toezicht.einde", "afgesloten_op"))
SECTIONS = (("situatie", "Situatie"), ("vraag", "Vraag aan het overleg"))
_UNQUOTED = re.compile(r"[^\W_][\w.()/+& '-]*", re.UNICODE)  # safe unquoted in YAML


def blank_cell(cell: Cell) -> bool:
    """True for an empty value: None or only white space."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Cell) -> str:
    """A cell as front-matter text: numbers without '.0', booleans ja/nee, dates ISO."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "ja" if cell else "nee"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).replace("\r\n", "\n").strip()


def _date_text(cell: Cell) -> str:
    """A date cell, or text in any form parse_strict takes, as ISO; anything else as it is
    (the case parser then reports it, with every other problem of the row)."""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    from overleg import dates

    try:
        return dates.parse_strict(cell_text(cell)).isoformat()
    except InvalidDate:
        return cell_text(cell)


def yaml_scalar(text: str) -> str:
    """Text as a YAML scalar: plain when that is safe, else double-quoted (JSON is valid YAML)."""
    if _UNQUOTED.fullmatch(text) and not text.endswith(" "):
        return text
    import json

    return json.dumps(text, ensure_ascii=False)


def case_text(values: Mapping[str, Cell]) -> str:
    """The Markdown case file for one row: front matter in COLUMNS order, then the sections."""
    lines = ["---"]
    for column in COLUMNS:
        if column in dict(SECTIONS) or blank_cell(values.get(column)):
            continue
        cell = values[column]
        if column in DATE_COLUMNS:
            text = yaml_scalar(_date_text(cell))
        elif column in LIST_COLUMNS:
            items = [i.strip() for i in re.split(r"[,;\n]", cell_text(cell)) if i.strip()]
            text = "[" + ", ".join(yaml_scalar(i) for i in items) + "]"
        else:
            text = yaml_scalar(cell_text(cell))
        parent, _, key = column.rpartition(".")
        if parent and f"{parent}:" not in lines:
            lines.append(f"{parent}:")
        lines.append(f"  {key}: {text}" if parent else f"{column}: {text}")
    lines.append("---")
    initialen = " ".join(cell_text(values.get("initialen")).split())  # one heading line
    year = cell_text(values.get("geboortejaar"))
    lines.append(f"# {initialen} ({year})" if year else f"# {initialen}")
    for column, heading in SECTIONS:
        lines += ["", f"## {heading}"]
        if body := cell_text(values.get(column)):
            lines.append(body)
    return "\n".join(lines) + "\n"


# --- write-back ------------------------------------------------------------------------

# Write-back is located from the positions PyYAML's composer gives each key and value node
# (marks count characters, in the C loader too), not from line patterns: quoted keys, odd
# spacing, comments and values over several lines are found where YAML finds them. Only the
# written value changes; every other character of the file stays as it was. The result is
# parsed again and must give the same fields but the written ones, or nothing is written.

# What closing a meeting may write, with values of the kinds it writes: `cases check` plans
# these into every file outside the plain subset, so a file it accepts can be closed on.
WRITTEN_BY_CLOSE: Mapping[str, str] = {
    "status": "actief", "agenda": "nee", "bespreken": "2000-01-01",
    "afgesloten_op": "2000-01-01"}
_FILE = "het casusbestand"
# Characters YAML refuses anywhere (C0/C1 controls...), which the plain reader lets through in
# values: the composer is shown U+FFFD in their place, one character for one.
_NOT_YAML = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def format_value(value: object, eol: str = "\n", indent: str = "", flow: bool = False) -> str:
    """A front-matter value as written back: dates ISO, booleans ja/nee; a list as a flow
    list (`[a, b]`); a mapping as a block of `  key: value` lines, each after `eol` (the
    value then starts on the next line), or with `flow` as `{key: value, ...}`. Text inside
    a list or mapping is quoted where YAML needs it; None values of a mapping are left out."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        pairs = [(str(k), _nested(v)) for k, v in value.items() if v is not None]
        if flow or not pairs:
            return "{" + ", ".join(f"{k}: {t}" for k, t in pairs) + "}"
        return "".join(f"{eol}{indent}  {k}: {t}" for k, t in pairs)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_nested(v) for v in value) + "]"
    return str(value)


def _nested(value: object) -> str:
    """A value inside a list or mapping: text quoted where YAML needs it."""
    if isinstance(value, str):
        return yaml_scalar(value)
    return format_value(value, flow=True)


def _after_key(text: str) -> str:
    """What follows a key: `: value`, or `:` and a block that starts on the next line."""
    return f":{text}" if text.startswith(("\n", "\r\n")) else f": {text}"


def write_back(path: Path, case_id: str, updates: Mapping[str, object]) -> list[str]:
    """Set front-matter keys in place, leaving every other byte as it was; the keys changed.

    The file is re-read first (so edits made since the agenda was built are kept), planned
    with planned_changes, and written atomically via a temporary file and rename; through a
    symbolic link the file it points to is written and the link stays.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StaleCaseFile(f'casus "{case_id}": het bestand {path.name} is verdwenen; '
                            "niets teruggeschreven") from None
    new, changed = planned_changes(raw, case_id, updates, name=path.name)
    if changed:
        atomic_write_through(path, new)
    return changed


def planned_write_back(raw: bytes, case_id: str, updates: Mapping[str, object], *,
                       name: str = _FILE) -> bytes:
    """The bytes of a case file with `updates` written back (raw itself when nothing changes);
    StaleCaseFile, naming `name`, when the file can no longer take them. Writes nothing."""
    return planned_changes(raw, case_id, updates, name=name)[0]


def _decoded(raw: bytes, case_id: str, name: str) -> tuple[bytes, str, tuple[int, int]]:
    """(BOM, the text after it, the front matter's span) of a case file about to be written;
    StaleCaseFile when it is no UTF-8 or has no front matter any more."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise StaleCaseFile(f'casus "{case_id}": {name} is geen UTF-8 meer; '
                            "niets teruggeschreven") from None
    span = _front_matter_span(text)
    if span is None:
        raise StaleCaseFile(f'casus "{case_id}": {name} heeft geen front matter meer; '
                            "niets teruggeschreven")
    return bom, text, span


def planned_changes(raw: bytes, case_id: str, updates: Mapping[str, object], *,
                    name: str = _FILE) -> tuple[bytes, list[str]]:
    """(new bytes, the keys that change) for writing `updates` into a case file's bytes.

    A key's value is replaced where it stands, as `key: value` after the key as written (a
    comment behind the old value goes with it; a comment line below stays); a missing key is
    added just before the closing `---` (in a `{...}` front matter: at its end).
    """
    bom, text, (start, end) = _decoded(raw, case_id, name)
    front = text[start:end]
    try:
        root = _compose_mapping(front)
        found = _top_level(root).get("id")
        found_id = None if found is None else _node_value(found[1])
        if isinstance(found_id, str):  # as the case parser reads it
            found_id = found_id.strip() or None
    except ValueError as exc:  # _Refused, or an id too deep to read
        raise StaleCaseFile(f'casus "{case_id}": {name}: {exc}; niets teruggeschreven. '
                            "Zie 'overleg cases check'.") from None
    if found_id is None:
        raise StaleCaseFile(f'casus "{case_id}": {name} heeft geen id meer; niets '
                            "teruggeschreven. Controleer het bestand.")
    if found_id != case_id:
        raise StaleCaseFile(f'casus "{case_id}": {name} heeft nu id "{found_id}"; '
                            "niets teruggeschreven. Controleer het bestand.")
    eol = "\r\n" if text[:start].endswith("\r\n") else "\n"
    indent = " " * root.start_mark.column
    texts = {key: format_value(value, eol, indent, flow=bool(root.flow_style))
             for key, value in updates.items()}
    try:
        new_front, changed = _planned_front(front, root, texts, eol)
    except _Unsafe as exc:
        raise StaleCaseFile(
            f"casus \"{case_id}\": '{exc.key}' kan niet veilig in {name} worden "
            f"teruggeschreven ({exc.reason}); niets teruggeschreven. Schrijf het als een "
            f"gewone regel '{exc.key}: waarde' (zie 'overleg cases check').") from None
    if not changed:
        return raw, []
    return bom + (text[:start] + new_front + text[end:]).encode("utf-8"), changed


def writeback_problems(fm_lines: list[str]) -> list[tuple[int, str]]:
    """What stops closing a meeting from writing into this front matter, as (line, message):
    the keys of WRITTEN_BY_CLOSE planned in, each, whatever their values now."""
    front = "".join(f"{line}\n" for line in fm_lines)
    try:
        root = _compose_mapping(front)
        _planned_front(front, root, WRITTEN_BY_CLOSE, "\n", force=True)
    except ValueError as exc:  # _Refused and the like: read_fields has reported those already
        return [(2, f"de front matter kan niet worden bijgewerkt ({exc})")]
    except _Unsafe as exc:
        # The key's own line (front-matter lines start on line 2); a missing key would go
        # just before the closing ---.
        line = len(fm_lines) + 2 if exc.line is None else exc.line + 2
        return [(line, f"'{exc.key}' kan bij het sluiten van een vergadering niet worden "
                       f"teruggeschreven ({exc.reason}); schrijf het als een gewone regel "
                       f"'{exc.key}: waarde'")]
    return []


class _Refused(ValueError):
    """Front matter that is no longer a YAML mapping of unique keys."""


class _Unsafe(Exception):
    """Writing `key` would change more than its value; `line` is the key's (0-based) line in
    the front matter, None for a missing key."""

    def __init__(self, key: str, reason: str, line: int | None) -> None:
        super().__init__(key, reason)
        self.key = key
        self.reason = reason
        self.line = line


def _front_matter_span(text: str) -> tuple[int, int] | None:
    """(start, end) of the front matter's text: from after the opening `---` line to the start
    of the closing `---` or `...` line; None without both."""
    first = text.find("\n")
    if first < 0 or text[:first].rstrip() != "---":
        return None
    start = position = first + 1
    while position < len(text):
        newline = text.find("\n", position)
        stop = len(text) if newline < 0 else newline
        if text[position:stop].rstrip() in ("---", "..."):
            return start, position
        if newline < 0:
            break
        position = newline + 1
    return None


def _compose_mapping(front: str) -> Any:
    """The front matter's root mapping node; _Refused when it is not one."""
    import yaml

    try:
        root = yaml.compose(_NOT_YAML.sub("\ufffd", front), Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        reason = yaml_reason(exc, front.split("\n"))
        raise _Refused(f"de front matter is geen geldige YAML meer: {reason}") from None
    if not isinstance(root, yaml.MappingNode):
        raise _Refused("de front matter bevat geen sleutels met waarden meer")
    return root


def _top_level(root: Any) -> dict[str, tuple[Any, Any]]:
    """Key -> (key node, value node) of a root mapping; _Refused for a key given twice."""
    import yaml

    pairs: dict[str, tuple[Any, Any]] = {}
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            continue  # not a key anything is written to; the re-parse check guards it
        if key_node.value in pairs:
            raise _Refused(f"sleutel '{key_node.value}' staat er twee keer in")
        pairs[key_node.value] = (key_node, value_node)
    return pairs


def _planned_front(front: str, root: Any, texts: Mapping[str, str], eol: str,
                   force: bool = False) -> tuple[str, list[str]]:
    """(new front-matter text, keys changed) with each key set to its text; _Unsafe when the
    result does not parse to the old fields with only those values changed. `force`
    rewrites equal values too (for the check that a file can take the write)."""
    pairs = _top_level(root)
    edits: list[tuple[int, int, str]] = []
    added: list[tuple[str, str]] = []
    changed: list[str] = []
    for key, text in texts.items():
        pair = pairs.get(key)
        if pair is None:
            added.append((key, text))
        elif force or not _holds(pair, text):
            edits.append(_replacement(front, root, *pair, text))
        else:
            continue
        changed.append(key)
    if not changed:
        return front, []
    insertion = _insertion(front, root, added, eol) if added else None
    new = _applied(front, [*([insertion] if insertion else []), *edits])
    if not _only_values_changed(root, new, {k: texts[k] for k in changed}):
        # Name the key whose write breaks the file: plan them one at a time.
        for key in changed:
            one = ([_insertion(front, root, [(key, texts[key])], eol)] if key not in pairs
                   else [_replacement(front, root, *pairs[key], texts[key])])
            if not _only_values_changed(root, _applied(front, one), {key: texts[key]}):
                raise _unsafe(key, pairs.get(key))
        raise _unsafe(changed[0], pairs.get(changed[0]))
    return new, changed


def _holds(pair: tuple[Any, Any], text: str) -> bool:
    """True when the value as written already reads as `text` (quotes and comments aside)."""
    import yaml

    key_node, value_node = pair
    return (isinstance(value_node, yaml.ScalarNode) and value_node.value == text
            and value_node.start_mark.index >= key_node.end_mark.index)  # not an alias


def _unsafe(key: str, pair: tuple[Any, Any] | None) -> _Unsafe:
    """Why a key cannot be written, with its line, for the message."""
    if pair is None:
        return _Unsafe(key, "de front matter eindigt op een manier waar geen regel bij kan",
                       None)
    key_node, value_node = pair
    if value_node.start_mark.index < key_node.end_mark.index:
        reason = "de waarde is een YAML-verwijzing (*)"
    else:
        reason = ("de waarde heeft een YAML-anker (&) waar elders naar wordt verwezen, of "
                  "een afwijkende vorm")
    return _Unsafe(key, reason, key_node.start_mark.line)


def _content_end(front: str, node: Any) -> int:
    """Where a value's own text ends: past its last character, before the blank and comment
    lines a block collection or block scalar takes in."""
    import yaml

    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        if isinstance(node, yaml.MappingNode):
            key_node, value_node = last
            if value_node.start_mark.index < key_node.end_mark.index:  # an alias
                return key_node.end_mark.index
            if value_node.start_mark.index == value_node.end_mark.index:  # an empty value
                return max(key_node.end_mark.index, value_node.end_mark.index)
            node = value_node
        else:
            node = last
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return node.start_mark.index + len(
            front[node.start_mark.index:node.end_mark.index].rstrip())
    return int(node.end_mark.index)


def _line_end(front: str, index: int) -> int:
    """The end of the line `index` is on, before its line break."""
    newline = front.find("\n", index)
    if newline < 0:
        return len(front)
    return newline - 1 if newline > index and front[newline - 1] == "\r" else newline


def _replacement(front: str, root: Any, key_node: Any, value_node: Any,
                 text: str) -> tuple[int, int, str]:
    """(start, end, new text) that sets a present key's value."""
    key_end = key_node.end_mark.index
    alias = value_node.start_mark.index < key_end
    empty = value_node.start_mark.index == value_node.end_mark.index
    if root.flow_style:  # `{id: ..., status: ...}`: just the value, between its neighbours
        if empty or alias:
            return key_end, (key_end if alias else value_node.end_mark.index), f": {text}"
        return value_node.start_mark.index, value_node.end_mark.index, text
    end = key_end if alias else max(_content_end(front, value_node), key_end)
    return key_end, _line_end(front, end), _after_key(text)


def _insertion(front: str, root: Any, added: list[tuple[str, str]],
               eol: str) -> tuple[int, int, str]:
    """(position, position, text) that adds missing keys: lines before the closing `---`,
    or pairs at the end of a `{...}` front matter."""
    if root.flow_style:
        if root.value:
            key_node, value_node = root.value[-1]
            at = max(key_node.end_mark.index, value_node.end_mark.index)
            return at, at, "".join(f", {key}: {text}" for key, text in added)
        at = root.end_mark.index - 1  # just inside the `}` of an empty mapping
        return at, at, ", ".join(f"{key}: {text}" for key, text in added)
    indent = " " * root.start_mark.column
    return len(front), len(front), "".join(f"{indent}{key}{_after_key(text)}{eol}"
                                           for key, text in added)


def _applied(front: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end, new) edit made; the edits do not overlap, and of two
    at one place the one listed first ends up last."""
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        front = front[:start] + new + front[end:]
    return front


def _only_values_changed(root: Any, new_front: str, texts: Mapping[str, str]) -> bool:
    """True when the new text reads as the old fields (in their order) with exactly the
    values in `texts` set; a key that was missing comes after the others."""
    try:
        new_root = _compose_mapping(new_front)
        old = _fields(root)
        new = _fields(new_root)
        expected = dict(old)
        for key, text in texts.items():
            expected[repr(key)] = _value_of(text)
    except ValueError:  # _Refused, or a value too deep to compare
        return False
    order = [k for k, _ in old] + [repr(k) for k in texts if repr(k) not in dict(old)]
    return [k for k, _ in new] == order and dict(new) == expected


def _fields(root: Any) -> list[tuple[str, Any]]:
    """A mapping node's pairs as (repr of the key, value) in their order."""
    return [(repr(_node_value(k)), _node_value(v)) for k, v in root.value]


@functools.lru_cache(maxsize=64)
def _value_of(text: str) -> Any:
    """How a written value reads back; _Refused when it does not read as one value."""
    root = _compose_mapping(f"k: {text}\n")
    if len(root.value) != 1:
        raise _Refused("de waarde is meer dan één waarde")
    return _node_value(root.value[0][1])


# --- a section of the body -------------------------------------------------------------

_HEADING = re.compile(r"#{1,2}\s")


def with_section(raw: bytes, heading: str, text: str, *, case_id: str = "",
                 name: str = _FILE) -> bytes:
    """The bytes of a case file with the text under `## heading` set to `text`: the old text
    of the section (between the heading and the next heading of level 1 or 2) is replaced,
    its blank lines around it kept; without the section, it is added at the end. Every other
    byte stays as it was (BOM, line endings); StaleCaseFile when the result would not read
    back as that text."""
    from overleg.cases import question_of

    bom, body_text, span = _decoded(raw, case_id, name)
    eol = "\r\n" if body_text[:span[0]].endswith("\r\n") else "\n"
    new_text = eol.join(line.rstrip() for line in text.strip().split("\n"))
    closing = body_text.find("\n", span[1])
    body_start = len(body_text) if closing < 0 else closing + 1
    wanted = heading.lower().rstrip("?:")
    at = body_start
    found = None
    while at < len(body_text):
        end = body_text.find("\n", at)
        line_end = len(body_text) if end < 0 else end
        line = body_text[at:line_end].strip()
        if line.startswith("##") and not line.startswith("###") and \
                line.lstrip("#").strip().lower().rstrip("?:") == wanted:
            found = (at, line_end)
            break
        at = line_end + 1
    if found is None:
        ending = "" if body_text.endswith("\n") else eol
        result = f"{body_text}{ending}{eol}## {heading}{eol}{new_text}{eol}"
    else:
        result = _replaced_section(body_text, found[1], new_text, eol)
    if question_of(result[body_start:].replace("\r\n", "\n")) != text.strip().replace(
            "\r\n", "\n") and heading.lower() == "vraag aan het overleg":
        raise StaleCaseFile(f'casus "{case_id}": de vraag kan niet veilig in {name} worden '
                            "geschreven; niets teruggeschreven.")
    return bom + result.encode("utf-8")


def _replaced_section(body_text: str, heading_end: int, new_text: str, eol: str) -> str:
    """The text with the section whose heading line ends at `heading_end` holding `new_text`."""
    if heading_end >= len(body_text):  # the heading is the file's last line, without newline
        return f"{body_text}{eol}{new_text}{eol}"
    start = heading_end + 1
    at, end = start, len(body_text)
    while at < len(body_text):
        stop = body_text.find("\n", at)
        line_end = len(body_text) if stop < 0 else stop
        if _HEADING.match(body_text[at:line_end]):
            end = at
            break
        at = line_end + 1
    old = body_text[start:end]
    core = old.strip()
    if core:
        index = old.index(core)
        region = old[:index] + new_text + old[index + len(core):]
    else:
        region = new_text + eol + (old or (eol if end < len(body_text) else ""))
    return body_text[:start] + region + body_text[end:]
