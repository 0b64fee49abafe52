"""The text of a case file: decoding, reading the front matter, writing it.

Reading: a fast reader for the plain subset most files use, and PyYAML (its BaseLoader:
every value text) for the rest, with the line of every key. Writing: the text of a new case
file from its values, and one front-matter field written back in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from overleg.errors import InvalidDate, StaleCaseFile
from overleg.files import atomic_write

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
    reader where it answers, else PyYAML."""
    fast = simple_front_matter(fm_lines)
    if fast is None:
        fast = _loaded_front_matter(fm_lines)
    if fast is not None:
        return fast[0], fast[1], []
    return _composed_front_matter(fm_lines)


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
        if mark is not None and mark.line >= len(fm_lines) and context is not None:
            mark = context  # "end of stream": point at the '[' or quote left open instead
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or "ongeldige YAML"
        return None, lines, [(line, f"ongeldige YAML in de front matter ({reason})")]
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
        if re.match(rb"^(\xef\xbb\xbf)?" + re.escape(key.encode()) + rb"\s*:", line):
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

def format_value(value: object) -> str:
    """A front-matter value as written back: dates ISO, booleans ja/nee."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_back(path: Path, case_id: str, updates: Mapping[str, object]) -> list[str]:
    """Set front-matter keys in place, leaving every other byte as it was; the keys changed.

    Each key becomes a plain `key: value` line replacing the key's line, or is added just
    before the closing `---`. The file is re-read first (so edits made since the agenda was
    built are kept), and written atomically via a temporary file and rename.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StaleCaseFile(f'casus "{case_id}": het bestand {path.name} is verdwenen; '
                            "niets teruggeschreven") from None
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom):].decode("utf-8")
    except UnicodeDecodeError:
        raise StaleCaseFile(f'casus "{case_id}": {path.name} is geen UTF-8 meer; '
                            "niets teruggeschreven") from None
    lines = text.split("\n")  # a CRLF file keeps its '\r' at the end of each piece
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")),
                   None)
    if not lines or lines[0].rstrip() != "---" or closing is None:
        raise StaleCaseFile(f'casus "{case_id}": {path.name} heeft geen front matter meer; '
                            "niets teruggeschreven")
    found_id = next((_plain(line.split(":", 1)[1]) for line in lines[1:closing]
                     if re.match(r"^id\s*:", line)), None)
    if found_id != case_id:
        raise StaleCaseFile(f'casus "{case_id}": {path.name} heeft nu id "{found_id}"; '
                            "niets teruggeschreven. Controleer het bestand.")
    eol = "\r" if lines[0].endswith("\r") else ""
    changed: list[str] = []
    for key, value in updates.items():
        new_line = f"{key}: {format_value(value)}{eol}"
        index = next((i for i in range(1, closing) if re.match(rf"^{re.escape(key)}\s*:",
                                                               lines[i])), None)
        if index is None:
            lines.insert(closing, new_line)
            closing += 1
            changed.append(key)
            continue
        end = index + 1  # a block value continues on indented lines: replace those too
        while end < closing and lines[end][:1] in (" ", "\t", "-") and lines[end].strip():
            end += 1
        if _plain(lines[index].split(":", 1)[1]) == format_value(value) and end == index + 1:
            continue
        lines[index:end] = [new_line]
        closing -= end - index - 1
        changed.append(key)
    if changed:
        atomic_write(path, bom + "\n".join(lines).encode("utf-8"))
    return changed


def _plain(value: str) -> str:
    """A scalar as written on a front-matter line, without comment or quotes."""
    value = re.sub(r"\s+#.*$", "", value.strip())
    return value.strip().strip("'\"")
