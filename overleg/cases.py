"""Case files -> Case objects: validation with file:line findings, and new case files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from overleg.config import Config
from overleg.errors import InvalidDate
from overleg.files import AppearedMeanwhile, create_new, new_file_mode
from overleg.frontmatter import ABSENT, NotText, absent, decode, read_fields, split_front_matter
from overleg.privacy import bsn_lines, resembles_bsn

# These lived here before overleg.privacy existed; re-exported for their importers.
from overleg.privacy import has_nine_digits as has_nine_digits
from overleg.privacy import is_bsn as is_bsn
from overleg.privacy import mask_bsn as mask_bsn
from overleg.workspace import Workspace

STATUSES = ("aangemeld", "actief", "nazorg", "afgesloten")
PRIORITIES = ("hoog", "midden", "laag")
REQUIRED = ("id", "initialen", "status", "aangemeld_op", "aangemeld_door", "partners")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}\Z")  # \Z: `$` passes "2026-014\n"
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
        """The case with that id, or with a unique last part of it ('014' for 2026-014, as
        `g 014` in the meeting screen); see overleg.caselookup."""
        from overleg.caselookup import find_case

        return find_case(self, case_id)


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


_ID_LINE = re.compile(r"""id:[ \t]*(["']?)([^"'\s#]+)\1[ \t]*(?:#.*)?""")


def _id_line(fm_lines: list[str]) -> str:
    """The id of a top-level `id: ...` line of front matter YAML cannot read, or ''."""
    for raw in fm_lines:
        if (match := _ID_LINE.fullmatch(raw.rstrip())) and ID_RE.match(match[2]) and \
                not resembles_bsn(match[2]):
            return match[2]
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
        data, self.lines, problems = read_fields(fm_lines)
        if data is None:  # the YAML cannot be read: its `id:` line still says whose file it is
            self.case_id = _id_line(fm_lines)
        for line, message in problems:
            self.add(line, message)
        return None if data is None else self.build(data, body, path)

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def scalar(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if type(value) is str:
            value = value.strip()
            return None if value in ABSENT else value
        if absent(value):
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
        if absent(value):
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
            if key not in data or absent(data[key]):
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
        from overleg.triage import triage_findings  # the `triage:` mapping (issue 16)
        self.findings += triage_findings(self, data)
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
        elif isinstance(raw, str) and not absent(raw):
            try:
                einde = dates.parse_strict(raw)
            except InvalidDate:
                self.add(self.lines.get("toezicht.einde", self.line("toezicht")),
                         f"'toezicht.einde' = '{raw}' is geen geldige datum "
                         "(gebruik 2026-12-01, 1-12-2026 of 1 december 2026)")
        voorwaarden = value.get("voorwaarden") or []
        voorwaarden = [voorwaarden] if isinstance(voorwaarden, str) else voorwaarden
        return Toezicht(einde, tuple(str(v) for v in voorwaarden if isinstance(v, str)))


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
    an id in use or an existing file stops it too. The file appears whole or not at all.
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
    ws.cases_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        create_new(path, data, new_file_mode(ws.cases_dir))
    except AppearedMeanwhile:
        raise InvalidCaseFile(f"{shown} bestaat al; er is niets overschreven.") from None
    except FileExistsError:
        raise InvalidCaseFile(f"{shown} bestaat al; er is niets overschreven. Kies een "
                              "ander id.") from None
    return case
