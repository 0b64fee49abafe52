"""The information round before a meeting (uitvraag): ask each partner, for the cases on the
planned agenda in which it is a partner, whether it knows the person and what it can bring
in; read the filled-in forms back; say per case who answered what.

A partner's request and form go through the disclosure gate (documents.py: the `uitvraag`
producer), scoped by need-to-know like every other document. A form carries a form id that
the store made for that partner and meeting; an import refuses a form of another meeting, a
form id overleg never made, and rows for a case the partner is not in or was not asked.
Answers never reach another partner's documents: only the chair's agenda, minutes and screens
show them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg.errors import InvalidInput, MeetingNotFound

if TYPE_CHECKING:
    from overleg.agenda import AgendaEntry
    from overleg.cases import Case, Finding
    from overleg.config import Config
    from overleg.documents import Sources
    from overleg.mail import Batch
    from overleg.model import Answer, Meeting
    from overleg.store import Store

KIND = "uitvraag"
ANSWERS = ("known", "not_known", "declined")
ANSWER_LABELS = {None: "gevraagd", "known": "bekend", "not_known": "niet bekend",
                 "declined": "geweigerd"}
# What a partner may type in the `bekend` column (any letter case).
_TYPED = {
    "known": {"ja", "j", "bekend", "yes", "y"},
    "not_known": {"nee", "n", "niet bekend", "onbekend", "no"},
    "declined": {"geweigerd", "weigering", "weigert", "geen informatie", "declined",
                 "geen toestemming"},
}
HEADERS = ("casus", "persoon", "vraag aan het overleg", "bekend (ja/nee/geweigerd)",
           "informatie", "contactpersoon")
SHEET = "Uitvraag"
MAX_TEXT = 10_000  # characters of information in one cell
PERSON_ROLE = "betrokkene: de persoon die in het casusoverleg wordt besproken"


def uitvraag_meeting(store: Store, day: date | None, today: date) -> Meeting:
    """The meeting of the round: --date, else the next planned one (today's included), else
    today's open meeting."""
    from overleg.agenda import meeting_for

    if day is not None:
        return meeting_for(store, day)
    meeting = store.next_planned(today)
    if meeting is None and (open_meeting := store.open_meeting()) is not None \
            and open_meeting.date == today:
        meeting = open_meeting
    if meeting is None:
        raise MeetingNotFound("er is geen geplande vergadering. Maak de agenda met "
                              "'overleg agenda build' of kies er een met --date.")
    return meeting


def asked_partners(src: Sources, meeting: Meeting) -> dict[str, list[str]]:
    """partner -> the case ids of the agenda it is a partner in (need-to-know), in order."""
    from overleg.agenda import agenda_view
    from overleg.documents import may_see

    view = agenda_view(src.store, meeting, src.cases, src.ws.config)
    asked: dict[str, list[str]] = {}
    for code in src.ws.config.partners:
        ids = [e.slot.case_id for e in view.entries if e.case and may_see(code, e.case)]
        if ids:
            asked[code] = ids
    return asked


def file_stem(meeting: Meeting, partner: str) -> str:
    return f"uitvraag-{meeting.date.isoformat()}-{partner}"


# --- the form (xlsx) ---------------------------------------------------------------------

def form_xlsx(config: Config, meeting: Meeting, partner: str, form: str,
              entries: Sequence[AgendaEntry]) -> bytes:
    """The reply form of one partner: the form id and meeting on top, then one row per case
    (id, person, question, and the columns to fill in). Cells are text, never formulas."""
    import io

    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from overleg import dates
    from overleg.privacy import clean

    def safe(text: str) -> str:
        return ILLEGAL_CHARACTERS_RE.sub("", clean(text))

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    top = [("formulier", form), ("overleg", f"{config.naam}, {dates.fmt(meeting.date)}"),
           ("partner", f"{partner} ({config.partner_name(partner)})"),
           ("doel", config.doel), ("grondslag", config.grondslag)]
    for key, value in top:
        sheet.append([key, safe(value)])
    sheet.append([])
    sheet.append(list(HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for entry in entries:
        case = entry.case
        sheet.append([entry.slot.case_id, safe(case.label) if case else "",
                      safe(case.question) if case else "", None, None, None])
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # text such as '=...' is data, never a formula
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    last = max(sheet.max_row, header_row + 1)
    choice = DataValidation(type="list", formula1='"ja,nee,geweigerd"', allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add(f"D{header_row + 1}:D{last}")
    for letter, width in zip("ABCDEF", (14, 18, 50, 14, 60, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class FormRow:
    """One filled-in row of a form, as typed."""

    row: int
    case_id: str
    answer: str | None  # known | not_known | declined; None when left empty
    information: str | None
    contact: str | None


@dataclass
class FormData:
    """A form as read: its id, its rows, and the rows that could not be read."""

    form: str
    rows: list[FormRow]
    findings: list[Finding] = field(default_factory=list)


def _text(cell: Any) -> str | None:
    from overleg.frontmatter import cell_text

    text = cell_text(cell).strip() if cell is not None else ""
    return text or None


def read_form(path: Path, shown: str) -> FormData:
    """A filled-in form -> FormData; InvalidInput (`FILE:ROW: ...`) when the file is not a
    form; the problems of single rows are findings."""
    from overleg.cases import Finding
    from overleg.spreadsheet import column_name, read_rows

    rows = read_rows(path, shown)
    form = ""
    header: dict[str, int] | None = None
    data: list[FormRow] = []
    findings: list[Finding] = []
    for number, cells in rows:
        first = column_name(cells[0]) if cells else ""
        if header is None:
            if first == "formulier":
                form = _text(cells[1] if len(cells) > 1 else None) or ""
            elif first == "casus":
                header = {column_name(c).split("_(")[0]: i for i, c in enumerate(cells)
                          if c is not None}
            continue
        values = {key: _text(cells[i]) if i < len(cells) else None
                  for key, i in header.items()}
        case_id = values.get("casus")
        typed = values.get("bekend")
        info, contact = values.get("informatie"), values.get("contactpersoon")
        if not case_id:
            if typed or info or contact:
                findings.append(Finding(shown, number, "een antwoord zonder casus-id in de "
                                                       "eerste kolom; rij niet ingelezen"))
            continue
        problem = _row_problem(typed, info, contact)
        if problem:
            findings.append(Finding(shown, number, f'casus "{case_id}": {problem}', True,
                                    case_id))
            continue
        data.append(FormRow(number, case_id, answer_code(typed) if typed else None, info,
                            contact))
    if not form:
        raise InvalidInput(f"{shown}:1: dit is geen uitvraagformulier van overleg (de regel "
                           "'formulier' met de formulier-id ontbreekt).")
    if header is None or not {"casus", "bekend"} <= set(header):
        raise InvalidInput(f"{shown}:1: de kopregel van het formulier (casus, persoon, ..., "
                           "bekend, informatie, contactpersoon) ontbreekt of is veranderd.")
    return FormData(form, data, findings)


def answer_code(typed: str) -> str | None:
    """What was typed in the `bekend` column -> known | not_known | declined, or None."""
    wanted = " ".join(typed.lower().split()).rstrip(".")
    return next((code for code, words in _TYPED.items() if wanted in words), None)


def _row_problem(typed: str | None, info: str | None, contact: str | None) -> str:
    """Why a row cannot be read ('' when it can)."""
    from overleg.text import is_valid_text

    if typed is None:
        return ("vul bij 'bekend' ja, nee of geweigerd in; rij niet ingelezen"
                if info or contact else "")
    if answer_code(typed) is None:
        return f"'bekend' = '{typed[:40]}' moet ja, nee of geweigerd zijn; rij niet ingelezen"
    for value in (info, contact):
        if value is not None and not is_valid_text(value):
            return "de tekst is geen geldige tekst (UTF-8); rij niet ingelezen"
    if info is not None and len(info) > MAX_TEXT:
        return (f"de informatie is langer dan {MAX_TEXT:,} tekens; ".replace(",", ".")
                + "stuur de rest apart; rij niet ingelezen")
    return ""


# --- import ---------------------------------------------------------------------------------

@dataclass
class ImportResult:
    """What `uitvraag import` did: answers stored, answers already on record, problems."""

    stored: list[tuple[str, str]] = field(default_factory=list)  # (partner, case id)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def import_forms(store: Store, cases: Mapping[str, Case], meeting: Meeting,
                 files: Sequence[tuple[Path, str]], replace: bool = False) -> ImportResult:
    """Read filled-in forms of `meeting`'s round and store their answers. A file that is no
    form of this meeting is refused whole; a row for a case the partner is not in or was not
    asked, and a row that would overwrite an earlier different answer (without `replace`),
    are refused alone. Nothing is stored of a refused row."""
    from overleg import dates
    from overleg.cases import Finding
    from overleg.documents import may_see

    result = ImportResult()
    answers = {(a.partner, a.case_id): a for a in store.uitvraag_answers(meeting)}
    for path, shown in files:
        try:
            data = read_form(path, shown)
        except InvalidInput as exc:
            result.findings.append(Finding(shown, 1, _without_place(exc.message, shown)))
            continue
        result.findings += data.findings
        owner = store.uitvraag_form_owner(data.form)
        if owner is None:
            result.findings.append(Finding(shown, 1, f"formulier-id '{data.form[:40]}' is "
                                                     "onbekend: dit formulier is niet door dit "
                                                     "overleg gemaakt; niets ingelezen"))
            continue
        form_meeting, partner = owner
        if form_meeting.id != meeting.id:
            result.findings.append(Finding(shown, 1, f"dit formulier hoort bij het overleg van "
                                                     f"{dates.fmt(form_meeting.date)}, niet bij "
                                                     f"dat van {dates.fmt(meeting.date)}; "
                                                     "niets ingelezen"))
            continue
        for row in data.rows:
            problem = _refusal(row, partner, cases, answers, replace, may_see)
            if problem:
                result.findings.append(Finding(shown, row.row, f'casus "{row.case_id}": '
                                                               f"{problem}", True, row.case_id))
                continue
            if row.answer is None:
                continue
            earlier = answers[(partner, row.case_id)]
            if (earlier.answer, earlier.information, earlier.contact) == (
                    row.answer, row.information, row.contact):
                result.unchanged.append((partner, row.case_id))
                continue
            store.answer_uitvraag(meeting, data.form, partner, row.case_id, row.answer,
                                  row.information, row.contact)
            result.stored.append((partner, row.case_id))
    return result


def _without_place(message: str, shown: str) -> str:
    """An error message `FILE:ROW: text` as just its text (the finding names the place)."""
    prefix = f"{shown}:"
    if message.startswith(prefix):
        rest = message[len(prefix):]
        return re.sub(r"^\d+: ", "", rest)
    return message


def _refusal(row: FormRow, partner: str, cases: Mapping[str, Case],
             answers: Mapping[tuple[str, str], Answer], replace: bool,
             may_see: Callable[[str | None, Case | None], bool]) -> str:
    """Why a row of `partner`'s form is not stored ('' when it is)."""
    from overleg.mailing import when

    if not may_see(partner, cases.get(row.case_id)):
        return f"{partner} is geen partner van deze casus; rij niet ingelezen"
    earlier = answers.get((partner, row.case_id))
    if earlier is None:
        return f"deze casus is {partner} niet gevraagd in deze uitvraag; rij niet ingelezen"
    if row.answer is None or earlier.answer is None or replace:
        return ""
    if (earlier.answer, earlier.information, earlier.contact) != (
            row.answer, row.information, row.contact):
        return (f"{partner} heeft al geantwoord ({ANSWER_LABELS[earlier.answer]}, "
                f"{when(earlier.answered_at or '')}); vervang het antwoord met --replace")
    return ""


# --- status ---------------------------------------------------------------------------------

def status_records(answers: Iterable[Answer]) -> list[dict[str, Any]]:
    """`uitvraag status --json`: per case and partner."""
    from overleg.privacy import clean

    return [{"case": a.case_id, "partner": a.partner, "answer": a.answer or "asked",
             "information": clean(a.information) if a.information else None,
             "answered_at": a.answered_at} for a in answers]


def by_case(answers: Iterable[Answer]) -> dict[str, list[Answer]]:
    found: dict[str, list[Answer]] = {}
    for answer in answers:
        found.setdefault(answer.case_id, []).append(answer)
    return found


def answers_summary(answers: Iterable[Answer], case_id: str, width: int = 76) -> list[str]:
    """Lines for one agenda item of the chair's screens (`meeting run`, `agenda show`): who
    knows the person, who does not, who declined, who has not answered, and what was
    delivered. Empty when the case was not in the information round. For the chair only:
    a partner's screen or document never shows another partner's answer."""
    import textwrap

    from overleg.privacy import clean

    own = [a for a in answers if a.case_id == case_id]
    if not own:
        return []
    groups: dict[str | None, list[str]] = {}
    for a in own:
        groups.setdefault(a.answer, []).append(a.partner)
    parts = [f"{ANSWER_LABELS[key]}: {', '.join(groups[key])}"
             for key in ("known", "not_known", "declined") if key in groups]
    if None in groups:
        parts.append(f"geen antwoord: {', '.join(groups[None])}")
    lines = [f"Uitvraag: {'; '.join(parts)}"]
    for a in own:
        if a.answer == "known" and (a.information or a.contact):
            contact = f" (contact: {a.contact})" if a.contact else ""
            text = clean(" ".join((a.information or "").split())) + clean(contact)
            lines += textwrap.wrap(f"{a.partner}: {text.strip()}", width,
                                   subsequent_indent="  ", break_long_words=False) or []
    return lines


def informed_by(answers: Iterable[Answer]) -> list[str]:
    """The partners that brought in information (known, with information), in order."""
    return [a.partner for a in answers if a.answer == "known" and a.information]


# --- drafts and forms through the gate -------------------------------------------------------

@dataclass(frozen=True)
class Round:
    """What `overleg uitvraag` wrote: the forms per partner and the mail batch."""

    forms: dict[str, Path]
    batch: Batch


def make_round(src: Sources, meeting: Meeting, folder: Path,
               passphrase: Callable[[], str | None] | None = None) -> Round:
    """For every partner with a case on the agenda: its form (.xlsx) and, with an address,
    its request as an .eml draft with the form attached (encrypted where `[mail]` says so);
    each through the gate. Partners that `versleutelen` refuses to mail in clear get their
    form only (their old draft is removed)."""
    from overleg.documents import Request, disclose
    from overleg.mail import Batch, Outgoing
    from overleg.mailing import uses_smime

    config = src.ws.config
    asked = asked_partners(src, meeting)
    reached = [code for code in asked if config.partners[code].email]
    security = None
    if uses_smime(config) and reached:
        from overleg.smime import mail_security

        security = mail_security(config, src.ws.root, reached, src.today,
                                 passphrase or (lambda: None))
    forms: dict[str, Path] = {}
    messages, refused = [], []
    for code in asked:
        stem = file_stem(meeting, code)
        forms[code] = folder / f"{stem}.xlsx"
        disclose(src, Request(KIND, "xlsx", code, meeting), forms[code])
        if code not in reached:
            continue
        path = folder / f"{stem}.eml"
        options: dict[str, Any] = {"of": KIND}
        encrypted = signed = False
        if security is not None:
            plan = security.partners[code]
            if plan.refused:
                if path.is_file():
                    path.unlink()
                refused.append((code, plan.refused))
                continue
            options["protect"] = security.protector(code)
            encrypted, signed = plan.encrypt, security.signer is not None
        done = disclose(src, Request(KIND, "eml", code, meeting, options), path)
        assert done.message is not None
        messages.append(Outgoing(code, config.partners[code].email, done.message, done.path,
                                 done, encrypted, signed))
    not_reached = [code for code in asked if code not in reached]
    return Round(forms, Batch(meeting, KIND, messages, not_reached, refused,
                              protected=security is not None))


def partner_form(src: Sources, meeting: Meeting, partner: str,
                 entries: Sequence[AgendaEntry]) -> tuple[str, bytes]:
    """(form id, xlsx) of a partner's form; the cases on it are on record as asked."""
    form = src.store.uitvraag_form(meeting, partner, create=True)
    assert form is not None
    src.store.ask_uitvraag(form, [e.slot.case_id for e in entries])
    return form, form_xlsx(src.ws.config, meeting, partner, form, entries)
