"""Case files -> Case objects; validation with file:line findings; write-back of front matter."""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from overleg.config import Config, Workspace
from overleg.errors import CaseNotFound, InvalidDate, StaleCaseFile
from overleg.privacy import bsn_lines, resembles_bsn

# These lived here before overleg.privacy existed; re-exported for their importers.
from overleg.privacy import has_nine_digits as has_nine_digits
from overleg.privacy import is_bsn as is_bsn
from overleg.privacy import mask_bsn as mask_bsn

STATUSES = ("aangemeld", "actief", "nazorg", "afgesloten")
PRIORITIES = ("hoog", "midden", "laag")
REQUIRED = ("id", "initialen", "status", "aangemeld_op", "aangemeld_door", "partners")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
QUESTION_HEADING = "vraag aan het overleg"
_TRUE = {"ja", "true", "yes", "waar", "j"}
_FALSE = {"nee", "false", "no", "onwaar", "n"}


@dataclass(frozen=True)
class Finding:
    """One problem in one file, as `path:line: message`."""

    path: str
    line: int
    message: str
    error: bool = True
    case_id: str = ""  # when known, so a command can tell "broken" from "missing"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Toezicht:
    einde: date | None
    voorwaarden: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    id: str
    initialen: str
    status: str
    aangemeld_op: date
    aangemeld_door: str
    partners: tuple[str, ...]  # listed partners plus aangemeld_door and regie
    path: Path
    geboortejaar: int | None = None
    wijk: str = ""
    thema: tuple[str, ...] = ()
    prioriteit: str = "midden"
    regie: str | None = None
    regisseur: str = ""
    geinformeerd: bool | None = None
    reden_niet_geinformeerd: str = ""
    bespreken: date | None = None
    agenda: bool = False
    verzoek_door: str | None = None
    minuten: int | None = None
    toezicht: Toezicht | None = None
    afgesloten_op: date | None = None
    question: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How a person appears in every output: initials and year of birth."""
        return f"{self.initialen} ({self.geboortejaar})" if self.geboortejaar else self.initialen


@dataclass
class CaseSet:
    """Every readable case of the folder, and what was wrong with the rest."""

    cases: list[Case]
    findings: list[Finding]
    files: int = 0  # case files read (valid or not)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.error]

    def by_id(self) -> dict[str, Case]:
        return {c.id: c for c in self.cases}

    def get(self, case_id: str) -> Case:
        """The case with that id, or CaseNotFound."""
        for case in self.cases:
            if case.id == case_id:
                return case
        broken = any(f.case_id == case_id for f in self.errors)
        hint = " Het bestand bevat fouten: zie 'overleg cases check'." if broken else (
            " Zie 'overleg cases list'.")
        raise CaseNotFound(f'casus "{case_id}" bestaat niet.{hint}')


# --- reading ---------------------------------------------------------------------------

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


def _yaml_loader() -> Any:
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


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


# A front-matter key line: indentation (nested), then a plain or quoted key and a colon.
_KEY_LINE = re.compile(r"""^(\s*)(?:-\s+)?"""
                       r"""(?:([^\s#'"\-\[\]{}!&*|>%@`,?][^:#]*?)|["']([^"']+)["'])\s*:(?:\s|$)""")


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


def read_body(case: Case) -> str:
    """The Markdown below the front matter, read from the file now (it is not cached)."""
    try:
        text = decode(case.path.read_bytes())
    except (OSError, ValueError):
        return ""
    split = split_front_matter(text)
    return split[1] if split else ""


def question_of(body: str) -> str:
    """The text under `## Vraag aan het overleg`, up to the next heading of level 1 or 2."""
    if "##" not in body:
        return ""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if "##" not in line:
            continue
        heading = line.strip()
        if heading.startswith("##") and not heading.startswith("###") and \
                heading.lstrip("#").strip().lower().rstrip("?:") == QUESTION_HEADING:
            rest = []
            for following in lines[index + 1:]:
                if re.match(r"^#{1,2}\s", following):
                    break
                rest.append(following)
            return "\n".join(rest).strip()
    return ""


class _Parser:
    """Validates one file's front matter; collects findings instead of stopping at the first."""

    def __init__(self, shown: str, config: Config) -> None:
        self.shown = shown
        self.config = config
        self.findings: list[Finding] = []
        self.lines: dict[str, int] = {}
        self.case_id = ""

    def add(self, line: int, message: str, error: bool = True) -> None:
        self.findings.append(Finding(self.shown, line, message, error, self.case_id))

    def parse(self, text: str, path: Path) -> Case | None:
        for line in bsn_lines(text):
            self.add(line, "mogelijk BSN (9 cijfers die de elfproef doorstaan); haal het uit "
                           "het casusbestand. In elke uitvoer wordt het gemaskeerd.", error=False)
        split = split_front_matter(text)
        if split is None and text.split("\n", 1)[0].rstrip() == "---":
            self.add(1, "de front matter is niet afgesloten: zet een regel '---' onder de "
                        "gegevens")
            return None
        if split is None:
            self.add(1, "geen front matter: het bestand moet beginnen met een regel '---' en "
                        "de gegevens moeten eindigen met een regel '---'")
            return None
        fm_lines, body, _closing = split
        fast = self.load_fast(fm_lines)
        if fast is not None:
            return self.build(fast, body, path)
        import yaml

        try:
            root = yaml.compose("\n".join(fm_lines), Loader=_yaml_loader())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            context = getattr(exc, "context_mark", None)
            if mark is not None and mark.line >= len(fm_lines) and context is not None:
                mark = context  # "end of stream": point at the '[' or quote left open instead
            line = mark.line + 2 if mark is not None else 1
            reason = getattr(exc, "problem", None) or "ongeldige YAML"
            self.add(line, f"ongeldige YAML in de front matter ({reason})")
            return None
        if root is None or not isinstance(root, yaml.MappingNode):
            self.add(2, "de front matter moet sleutels met waarden bevatten (sleutel: waarde)")
            return None
        data: dict[str, Any] = {}
        for key_node, value_node in root.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.add(key_node.start_mark.line + 2, "een sleutel moet een eenvoudig woord zijn")
                continue
            key = key_node.value
            line = key_node.start_mark.line + 2
            if key in data:
                self.add(line, f"sleutel '{key}' staat er twee keer in "
                               f"(eerder op regel {self.lines[key]})")
                continue
            try:
                data[key] = _node_value(value_node)
            except ValueError as exc:
                self.add(line, f"'{key}': {exc}")
                continue
            self.lines[key] = line
            if isinstance(value_node, yaml.MappingNode):  # e.g. toezicht.einde has its own line
                for sub_key, _ in value_node.value:
                    self.lines.setdefault(f"{key}.{sub_key.value}", sub_key.start_mark.line + 2)
        return self.build(data, body, path)

    def load_fast(self, fm_lines: list[str]) -> dict[str, Any] | None:
        """The front matter as plain data with key lines from a text scan, or None when the
        slow path must run: it composes nodes (twice the cost) to report YAML errors with
        their line, duplicate keys, and anchors safely."""
        simple = simple_front_matter(fm_lines)
        if simple is not None:
            self.lines = simple[1]
            return simple[0]
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
        self.lines = lines
        return data

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def scalar(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if type(value) is str:
            value = value.strip()
            return None if value in _BLANKS else value
        if _blank(value):
            return None
        if not isinstance(value, str):
            self.add(self.line(key), f"'{key}' moet één waarde zijn, geen lijst of tabel")
            return None
        return value.strip()

    def date_of(self, data: dict[str, Any], key: str) -> date | None:
        from overleg import dates

        value = self.scalar(data, key)
        if value is None:
            return None
        try:
            return dates.parse_strict(value)
        except InvalidDate:
            self.add(self.line(key), f"'{key}' = '{value}' is geen geldige datum "
                                     "(gebruik 2026-12-01, 1-12-2026 of 1 december 2026)")
            return None

    def boolean(self, data: dict[str, Any], key: str) -> bool | None:
        value = self.scalar(data, key)
        if value is None:
            return None
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        self.add(self.line(key), f"'{key}' = '{value}' moet ja of nee zijn")
        return None

    def integer(self, data: dict[str, Any], key: str, low: int, high: int) -> int | None:
        value = self.scalar(data, key)
        if value is None:
            return None
        # isascii: str.isdigit() also accepts '²', which int() refuses.
        if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
            self.add(self.line(key), f"'{key}' = '{value}' moet een getal van {low} tot en "
                                     f"met {high} zijn")
            return None
        return int(value)

    def agency(self, data: dict[str, Any], key: str) -> str | None:
        value = self.scalar(data, key)
        if value is not None and value not in self.config.partners:
            self.add(self.line(key), f"'{key}' = '{value}' is geen partner uit overleg.toml "
                                     f"(bekend: {', '.join(self.config.partners)})")
            return None
        return value

    def text_list(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key)
        if _blank(value):
            return ()
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s]+", value) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(self.line(key), f"'{key}' moet een lijst zijn, bijv. [RN, POL]")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def build(self, data: dict[str, Any], body: str, path: Path) -> Case | None:
        from overleg import dates

        case_id = self.scalar(data, "id")
        if case_id is not None:
            # The id is in every output and in the audit log, where nothing is masked; the
            # message never repeats it.
            if resembles_bsn(case_id):
                self.add(self.line("id"), "'id' lijkt op een BSN (elfproef); kies een ander id")
            elif ID_RE.match(case_id):
                self.case_id = case_id
            else:
                self.add(self.line("id"), f"'id' = '{case_id}' mag alleen letters, cijfers, "
                                          "'-', '_' en '.' bevatten")
        for key in REQUIRED:
            if key not in data or _blank(data[key]):
                self.add(1 if key not in self.lines else self.line(key),
                         f"verplichte sleutel '{key}' ontbreekt")
        initialen = self.scalar(data, "initialen")
        status = self.scalar(data, "status")
        if status is not None and status not in STATUSES:
            self.add(self.line("status"), f"'status' = '{status}' is onbekend "
                                          f"(kies uit: {', '.join(STATUSES)})")
        prioriteit = self.scalar(data, "prioriteit") or "midden"
        if prioriteit not in PRIORITIES:
            self.add(self.line("prioriteit"), f"'prioriteit' = '{prioriteit}' is onbekend "
                                              f"(kies uit: {', '.join(PRIORITIES)})")
        year = dates.today().year
        geboortejaar = self.integer(data, "geboortejaar", 1900, year)
        aangemeld_op = self.date_of(data, "aangemeld_op")
        aangemeld_door = self.agency(data, "aangemeld_door")
        regie = self.agency(data, "regie")
        verzoek_door = self.agency(data, "verzoek_door")
        listed = self.text_list(data, "partners")
        for code in listed:
            if code not in self.config.partners:
                self.add(self.line("partners"), f"'partners' bevat '{code}', geen partner uit "
                                                f"overleg.toml (bekend: "
                                                f"{', '.join(self.config.partners)})")
        partners = tuple(dict.fromkeys(
            c for c in (*listed, aangemeld_door, regie) if c and c in self.config.partners))
        geinformeerd = self.boolean(data, "geinformeerd")
        reden = self.scalar(data, "reden_niet_geinformeerd") or ""
        if geinformeerd is False and not reden:
            self.add(self.line("geinformeerd"), "'geinformeerd' is nee: vul ook "
                                                "'reden_niet_geinformeerd' in")
        afgesloten_op = self.date_of(data, "afgesloten_op")
        if status == "afgesloten" and afgesloten_op is None and "afgesloten_op" not in self.lines:
            self.add(self.line("status"), "status 'afgesloten' vraagt ook 'afgesloten_op'")
        bespreken = self.date_of(data, "bespreken")
        agenda = self.boolean(data, "agenda")
        minuten = self.integer(data, "minuten", 1, 240)
        toezicht = self.toezicht(data)
        thema = self.text_list(data, "thema")
        # Read before the check below: a list where one value belongs is an error too.
        wijk = self.scalar(data, "wijk") or ""
        regisseur = self.scalar(data, "regisseur") or ""
        if any(f.error for f in self.findings):  # duplicate keys etc. count too
            return None
        assert case_id and initialen and status and aangemeld_op and aangemeld_door
        return Case(
            id=case_id, initialen=initialen, status=status, aangemeld_op=aangemeld_op,
            aangemeld_door=aangemeld_door, partners=partners, path=path,
            geboortejaar=geboortejaar, wijk=wijk, thema=thema,
            prioriteit=prioriteit, regie=regie, regisseur=regisseur,
            geinformeerd=geinformeerd, reden_niet_geinformeerd=reden, bespreken=bespreken,
            agenda=bool(agenda), verzoek_door=verzoek_door, minuten=minuten, toezicht=toezicht,
            afgesloten_op=afgesloten_op, question=question_of(body),
            extra={k: v for k, v in data.items() if k not in _KNOWN},
        )

    def toezicht(self, data: dict[str, Any]) -> Toezicht | None:
        from overleg import dates

        value = data.get("toezicht")
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            self.add(self.line("toezicht"), "'toezicht' moet sleutels 'einde' en "
                                            "'voorwaarden' bevatten")
            return None
        einde = None
        raw = value.get("einde")
        if raw is not None and not isinstance(raw, str):
            self.add(self.lines.get("toezicht.einde", self.line("toezicht")),
                     "'toezicht.einde' moet één datum zijn, geen lijst of tabel")
        elif isinstance(raw, str) and not _blank(raw):
            try:
                einde = dates.parse_strict(raw)
            except InvalidDate:
                self.add(self.lines.get("toezicht.einde", self.line("toezicht")),
                         f"'toezicht.einde' = '{raw}' is geen geldige datum "
                         "(gebruik 2026-12-01, 1-12-2026 of 1 december 2026)")
        voorwaarden = value.get("voorwaarden") or []
        if isinstance(voorwaarden, str):
            voorwaarden = [voorwaarden]
        return Toezicht(einde, tuple(str(v) for v in voorwaarden if isinstance(v, str)))


_BLANKS = frozenset(("", "~", "null", "Null", "NULL"))


def _blank(value: Any) -> bool:
    """An absent value as YAML writes it: nothing, '~', 'null', spaces or an empty list."""
    if isinstance(value, str):
        return value.strip() in _BLANKS
    return value is None or value == []


_KNOWN = {
    "id", "initialen", "geboortejaar", "wijk", "thema", "status", "prioriteit", "aangemeld_op",
    "aangemeld_door", "regie", "regisseur", "partners", "geinformeerd",
    "reden_niet_geinformeerd", "bespreken", "agenda", "verzoek_door", "minuten", "toezicht",
    "afgesloten_op",
}


def parse_case(raw: bytes, path: Path, shown: str, config: Config) -> tuple[Case | None,
                                                                            list[Finding]]:
    """One file's bytes -> (Case or None, findings)."""
    parser = _Parser(shown, config)
    try:
        text = decode(raw)
    except NotText as exc:
        return None, [Finding(shown, exc.line, str(exc))]
    case = parser.parse(text, path)
    # Findings made before the id was read (duplicate keys, BSN) still belong to that case.
    return case, [replace(f, case_id=parser.case_id) if not f.case_id else f
                  for f in parser.findings]


def parser_line(raw: bytes, key: str) -> int:
    """The line of a top-level front-matter key in a file's bytes (1 when not found)."""
    for number, line in enumerate(raw.split(b"\n")[:200], start=1):
        if re.match(rb"^(\xef\xbb\xbf)?" + re.escape(key.encode()) + rb"\s*:", line):
            return number
    return 1


def case_files(folder: Path) -> list[Path]:
    """The Markdown files of the case folder, sorted by name (hidden files skipped)."""
    return [Path(entry.path) for entry in _scan(folder)]


def _scan(folder: Path) -> list[os.DirEntry[str]]:
    if not folder.is_dir():
        return []
    entries = [e for e in os.scandir(folder)
               if e.name.endswith(".md") and not e.name.startswith(".")
               and e.name.lower() != "readme.md" and e.is_file()]
    entries.sort(key=lambda e: e.name)
    return entries


class CaseCache(Protocol):
    """A snapshot of the parsed case folder (the Store implements it)."""

    def case_snapshot(self, fingerprint: str) -> bytes | None: ...

    def save_case_snapshot(self, fingerprint: str, data: bytes) -> None: ...


# path -> (size, mtime_ns, inode, ctime_ns, case state without its path or None, findings
# as (line, message, error, case_id) tuples). A copy with `cp -p`, `rsync -t` or a
# `touch -r` after an edit keeps size and mtime, but the inode or the ctime changes.
_Entry = tuple[int, int, int, int, dict[str, Any] | None, list[tuple[int, str, bool, str]]]
_Snapshot = dict[str, _Entry]
_SNAPSHOT_FORMAT = 2  # part of the fingerprint: a snapshot of another shape is never read
# A file changed this recently may change again within the same timestamp tick (2 s on
# FAT, a clock tick elsewhere) without its stat changing: its entry is saved but never
# reused, so the next load reads it again.
_RACY_NS = 2_000_000_000
_NOT_REUSABLE = -1


def load_cases(ws: Workspace, cache: CaseCache | None = None) -> CaseSet:
    """Read and validate every case file of the workspace.

    With a cache, a file whose size, modification time, inode and status-change time are
    unchanged since it was last parsed (under the same config and overleg version) is not
    read again. A cache entry that cannot be used as it is means the file is read again.
    """
    import gc

    # Tens of thousands of small objects and no cycles among them: the cyclic collector
    # would only walk them again and again (a fifth of a warm load of 10,000 files).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_cases(ws, cache)
    finally:
        if enabled:
            gc.enable()


def _load_cases(ws: Workspace, cache: CaseCache | None) -> CaseSet:
    import time

    cases: list[Case] = []
    findings: list[Finding] = []
    if not ws.cases_dir.is_dir():
        findings.append(Finding(ws.config.casussen, 1, "de map met casussen bestaat niet"))
        return CaseSet(cases, findings)
    prefix = ws.rel(ws.cases_dir)
    fingerprint = _fingerprint(ws.config)
    old: _Snapshot = _load_snapshot(cache.case_snapshot(fingerprint)) if cache else {}
    new: _Snapshot = {}
    changed = False
    racy_since = time.time_ns() - _RACY_NS
    entries = _scan(ws.cases_dir)
    # Path() parses its argument; a child of a known folder needs no parsing (3x faster).
    child = getattr(ws.cases_dir, "_make_child_relpath", ws.cases_dir.joinpath)
    for entry in entries:
        shown = f"{prefix}/{entry.name}"
        path = child(entry.name)
        try:
            stat = entry.stat()  # before reading: a change after this is seen next time
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
            hit = old.get(entry.path)
            if hit is not None and (reused := _reuse(hit, key, path, shown)) is not None:
                new[entry.path] = hit
                case, found = reused
            else:
                case, found = parse_case(path.read_bytes(), path, shown, ws.config)
                if max(stat.st_mtime_ns, stat.st_ctime_ns) >= racy_since:
                    key = (*key[:3], _NOT_REUSABLE)
                new[entry.path] = (*key, _state_of(case),
                                   [(f.line, f.message, f.error, f.case_id) for f in found])
                changed = changed or not _same(hit, new[entry.path])
        except OSError as exc:
            findings.append(Finding(shown, 1, f"kan niet gelezen worden ({exc.strerror})"))
            continue
        findings.extend(found)
        if case is not None:
            cases.append(case)
    if cache is not None and (changed or new.keys() != old.keys()):
        import pickle

        cache.save_case_snapshot(fingerprint, pickle.dumps(new, protocol=5))
    return _drop_duplicates(ws, cases, findings, len(entries))


def _reuse(hit: Any, key: tuple[int, int, int, int], path: Path,
           shown: str) -> tuple[Case | None, list[Finding]] | None:
    """The case and findings of a snapshot entry for an unchanged file, or None: read it."""
    try:
        if type(hit) is not tuple or len(hit) != 6 or hit[:4] != key:
            return None
        state, found = hit[4], hit[5]
        if type(found) is not list:
            return None
        findings = []
        for item in found:  # usually none
            if type(item) is not tuple or tuple(map(type, item)) != _FINDING_TYPES:
                return None
            findings.append(Finding(shown, *item))
        if state is None:
            return None, findings
        if not _valid_state(state):
            return None
        return _case_from_state(state, path), findings
    except Exception:  # a cache, never the truth: whatever is wrong, read the file
        return None


def _same(old: Any, new: _Entry) -> bool:
    """True when a file read again gave the entry it had (one that stays racy, say): then
    the snapshot need not be written again."""
    try:
        return bool(old == new)
    except Exception:  # e.g. a forged, self-referencing entry
        return False


_NONE = type(None)
_FINDING_TYPES = (int, str, bool, str)  # line, message, error, case_id
# The type of every Case field but `path`, in field order, as _state_of stores it
# (Toezicht as a tuple).
_STATE_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,), "initialen": (str,), "status": (str,), "aangemeld_op": (date,),
    "aangemeld_door": (str,), "partners": (tuple,), "geboortejaar": (int, _NONE),
    "wijk": (str,), "thema": (tuple,), "prioriteit": (str,), "regie": (str, _NONE),
    "regisseur": (str,), "geinformeerd": (bool, _NONE), "reden_niet_geinformeerd": (str,),
    "bespreken": (date, _NONE), "agenda": (bool,), "verzoek_door": (str, _NONE),
    "minuten": (int, _NONE), "toezicht": (tuple, _NONE), "afgesloten_op": (date, _NONE),
    "question": (str,), "extra": (dict,),
}


_KEY_ORDER = tuple(_STATE_TYPES)  # Case's field order, as _state_of writes a state
_SIGNATURES: set[tuple[type, ...]] = set()  # the value types of states found valid


def _valid_state(state: Any) -> bool:
    """True when a stored case state has exactly the fields of a Case, of the right types.

    It runs for every file of a warm load: the types of a state's values are checked once
    per combination seen, the text items of its lists by str.join (C speed).
    """
    if type(state) is not dict or tuple(state) != _KEY_ORDER:
        return False
    signature = tuple(map(type, state.values()))
    if signature not in _SIGNATURES:
        if not all(t in types for t, types in zip(signature, _STATE_TYPES.values(),
                                                  strict=True)):
            return False
        _SIGNATURES.add(signature)
    try:
        "".join(state["partners"]) + "".join(state["thema"])
    except TypeError:  # an item that is not text
        return False
    toezicht = state["toezicht"]
    return toezicht is None or (
        len(toezicht) == 2 and type(toezicht[0]) in (date, _NONE)
        and type(toezicht[1]) is tuple and all(type(v) is str for v in toezicht[1]))


def _fingerprint(config: Config) -> str:
    """What a cached parse depends on besides the file: partner codes, version, the year, and
    the snapshot's own shape."""
    import zlib

    from overleg import __version__, dates

    shape = zlib.crc32(repr(_STATE_TYPES).encode())  # a field added or retyped: a new shape
    return (f"{__version__}|{_SNAPSHOT_FORMAT}.{shape:08x}|{dates.today().year}|"
            f"{','.join(sorted(config.partners))}")


def _state_of(case: Case | None) -> dict[str, Any] | None:
    """A case's fields without its path, in plain types (Toezicht as a tuple)."""
    if case is None:
        return None
    state = {k: v for k, v in case.__dict__.items() if k != "path"}
    if case.toezicht is not None:
        state["toezicht"] = (case.toezicht.einde, case.toezicht.voorwaarden)
    state["extra"] = dict(case.extra)
    return state


def _case_from_state(state: dict[str, Any] | None, path: Path) -> Case | None:
    if state is None:
        return None
    case = object.__new__(Case)  # frozen: fill its __dict__ as pickle itself would
    case.__dict__.update(state)
    case.__dict__["path"] = path
    if state["toezicht"] is not None:
        case.__dict__["toezicht"] = Toezicht(*state["toezicht"])
    return case


def _load_snapshot(data: bytes | None) -> _Snapshot:
    """The stored snapshot; the unpickler builds only dates and plain containers."""
    if not data:
        return {}
    import io

    try:
        snapshot = _unpickler()(io.BytesIO(data)).load()
    except Exception:  # unreadable or forged (any error the unpickler raises): read every file
        return {}
    return snapshot if type(snapshot) is dict else {}


@functools.cache
def _unpickler() -> type:
    import pickle

    class Restricted(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == ("datetime", "date"):
                return date
            raise pickle.UnpicklingError(f"{module}.{name} hoort niet in de cache")

    return Restricted


def _drop_duplicates(ws: Workspace, cases: list[Case], findings: list[Finding],
                     files: int) -> CaseSet:
    """Ids are unique across the folder: every file sharing one is an error, naming the others."""
    by_id: dict[str, list[Case]] = {}
    for case in cases:
        by_id.setdefault(case.id, []).append(case)
    for case_id, group in by_id.items():
        if len(group) < 2:
            continue
        for case in group:
            others = ", ".join(ws.rel(o.path) for o in group if o is not case)
            line = parser_line(case.path.read_bytes(), "id")
            findings.append(Finding(ws.rel(case.path), line,
                                    f"id '{case_id}' staat ook in {others}", True, case_id))
    unique = [c for c in cases if len(by_id[c.id]) == 1]
    return CaseSet(unique, findings, files)


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


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write via a temporary file in the same folder and rename, so a crash leaves old or new."""
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # name the file the user asked for, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def filter_cases(cases: Iterable[Case], status: str | None = None,
                 partner: str | None = None) -> list[Case]:
    """Cases with that status and/or that partner, in id order."""
    return sorted((c for c in cases
                   if (status is None or c.status == status)
                   and (partner is None or partner in c.partners)), key=lambda c: c.id)


# --- new case files (`cases new`) ------------------------------------------------------

def next_case_id(taken: Iterable[str], year: int) -> str:
    """The next free `YYYY-NNN` of `year`: one past the highest number in use that year
    (skipping a number whose digits would read as a BSN, which no id may)."""
    pattern = re.compile(rf"{year}-(\d{{3,}})")
    numbers = [int(m.group(1)) for t in taken if (m := pattern.fullmatch(t))]
    number = max(numbers, default=0) + 1
    while resembles_bsn(f"{year}-{number:03d}"):
        number += 1
    return f"{year}-{number:03d}"


def create_case_file(ws: Workspace, case_id: str, text: str, taken: Iterable[str]) -> Case:
    """Write `text` as the new file <casussen>/<id>.md; never overwrite anything.

    The text is validated as `cases check` would first (InvalidCaseFile naming every error);
    an id in use or an existing file of that name stops it too. The file appears whole or
    not at all: it is written to a temporary file and hard-linked into place, which fails
    instead of replacing a file that appeared meanwhile.
    """
    from overleg.errors import InvalidCaseFile

    if case_id in set(taken):
        raise InvalidCaseFile(f'id "{case_id}" is al in gebruik. Kies een ander id; zie '
                              "'overleg cases list'.")
    path = ws.cases_dir / f"{case_id}.md"
    shown = ws.rel(path)
    data = text.encode("utf-8")
    case, findings = parse_case(data, path, shown, ws.config)
    errors = [f for f in findings if f.error]
    if case is None or errors or case.id != case_id:
        detail = "; ".join(str(f) for f in errors) or f"het id is niet {case_id}"
        raise InvalidCaseFile(f"de nieuwe casus {case_id} is niet geldig en is niet "
                              f"geschreven: {detail}")
    if path.exists():
        raise InvalidCaseFile(f"{shown} bestaat al; er is niets overschreven. Kies een ander "
                              "id.")
    ws.cases_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=ws.cases_dir, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)  # atomic, and refuses to replace an existing file
        except FileExistsError:
            raise InvalidCaseFile(f"{shown} bestaat al; er is niets overschreven. Kies een "
                                  "ander id.") from None
        except OSError:  # a file system without hard links (some shares): check, then move
            if path.exists():
                raise InvalidCaseFile(f"{shown} bestaat al; er is niets overschreven.") from None
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return case
