"""Access requests (inzage, AVG art. 15): what overleg holds about one person, and the term.

`gather` collects, for the case ids of one person (more than one after a re-referral),
everything overleg keeps about them: the case file's data and text, every meeting the case
was on the agenda of with its notes, decisions and reviews, its actions, and from the register
of disclosures every organisation that received the data. Nothing of another case is ever
included (an agenda item is only this case; a register row's other cases are not named), and
professionals appear only as their organisation: no `who` of an action, no attendance, no
casusregisseur. The package goes out through the disclosure gate (`documents`, kind `inzage`).

The rest keeps the term: a request is answered within one month of receipt; the term may be
extended to at most three months (AVG art. 12(3)).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from overleg import dates
from overleg.errors import AccessRequestClosed, CaseNotFound, InvalidInput

if TYPE_CHECKING:
    from overleg.cases import Case
    from overleg.config import Config
    from overleg.model import AccessRequest, Action, Disclosure, Meeting
    from overleg.store import Store
    from overleg.workspace import Workspace

TERM_MONTHS = 1  # the term of an answer, from receipt
MAX_MONTHS = 3  # the longest extension, from receipt

MEETING_STATES = {"planned": "gepland", "open": "bezig", "closing": "bezig",
                  "closed": "gehouden"}
_DOCUMENTS = {"agenda": "agenda", "minutes": "verslag", "actions": "actielijst",
              "inzage": "inzageoverzicht", "export": "gegevensexport"}


# --- the package -------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewRecord:
    """What a meeting set for the case: the next review date and/or a new status."""

    next_date: date | None
    status: str | None


@dataclass(frozen=True)
class MeetingRecord:
    """One meeting the case was on the agenda of (or has records in)."""

    date: date
    state: str  # gepland | bezig | gehouden
    reasons: tuple[str, ...]  # Dutch labels
    dropped: bool  # taken off the agenda again
    notes: tuple[str, ...]
    decisions: tuple[str, ...]
    reviews: tuple[ReviewRecord, ...]
    # Notes and decisions replaced by a correction or withdrawn: not in any document, but
    # still kept, so the person sees them too (with what happened to them).
    superseded: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionRecord:
    """An action about the case, its owner as an organisation (never a person's name)."""

    id: int
    text: str
    owner: str  # the organisation's full name
    owner_code: str
    due: date
    status: str  # Dutch: open, te laat, afgerond, vervallen
    done_on: date | None
    comment: str
    meeting: date | None  # agreed in this meeting; None: between meetings


@dataclass(frozen=True)
class Receipt:
    """One document with the person's data that an organisation received."""

    day: date
    document: str  # Dutch: agenda, verslag, actielijst, verslag en actielijst, ...
    meeting: date | None
    cases: tuple[str, ...]  # of the requested ids only
    mailed: str  # "" | "opgesteld" (an e-mail draft) | "verstuurd" (sent by overleg)


@dataclass(frozen=True)
class Recipient:
    """An organisation that received the person's data, by full name."""

    name: str
    code: str | None
    role: str  # "" for a partner; "voorzitter van het overleg" or "eerder inzageverzoek"
    receipts: tuple[Receipt, ...]


@dataclass(frozen=True)
class CasePackage:
    """One case of the person: its file (when it still exists) and its records."""

    id: str
    label: str  # initialen (geboortejaar), "" when the file is gone
    found: bool  # the case file exists
    fields: tuple[tuple[str, str], ...]  # (Dutch label, value) from the front matter
    text: str  # the Markdown below the front matter
    meetings: tuple[MeetingRecord, ...]
    actions: tuple[ActionRecord, ...]


@dataclass(frozen=True)
class Package:
    """Everything overleg holds about one person, ready for a template."""

    cases: tuple[CasePackage, ...]
    recipients: tuple[Recipient, ...]
    made_on: date

    @property
    def case_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.cases)


# --- which cases --------------------------------------------------------------------------

def has_records(store: Store, case_id: str) -> bool:
    """True when the store holds meeting records or register rows of `case_id`."""
    return any(store.case_record_counts(case_id).values()) or bool(
        store.disclosures(case_id=case_id))


def resolve_ids(store: Store, cases_by_id: Mapping[str, Case], typed: Sequence[str],
                broken: Collection[str] = ()) -> tuple[str, ...]:
    """The case ids as typed (the full id, or a unique last part such as '014' as on the
    agenda), each once; CaseNotFound for an id with neither a case file nor records. Ids of
    case files that hold errors (`broken`) exist too."""
    if not typed:
        raise InvalidInput("geef ten minste één casus-id op, bijv. 2026-014.")
    known = [*cases_by_id, *(b for b in broken if b not in cases_by_id)]
    found: list[str] = []
    for raw in typed:
        text = raw.strip()
        if text in known or (text and has_records(store, text)):
            case_id = text
        else:
            matches = [k for k in known if text and k.endswith(text)]
            if len(matches) > 1:
                raise InvalidInput(f"'{text}' past bij meer casussen ({', '.join(matches)}); "
                                   "typ het hele id.")
            if not matches:
                raise CaseNotFound(f'casus "{text}" bestaat niet en overleg bewaart er niets '
                                   "over. Zie 'overleg cases list'.")
            case_id = matches[0]
        if case_id not in found:
            found.append(case_id)
    return tuple(found)


def gather(store: Store, ws: Workspace, cases_by_id: Mapping[str, Case],
           case_ids: Sequence[str], today: date | None = None) -> Package:
    """Everything overleg holds about the person of `case_ids` (see the module docstring)."""
    from overleg.casecache import read_body

    ids = resolve_ids(store, cases_by_id, case_ids)
    config = ws.config
    on = today or dates.today()
    meetings = store.meetings()
    meeting_dates = {m.id: m.date for m in meetings}
    packages = []
    for case_id in ids:
        case = cases_by_id.get(case_id)
        packages.append(CasePackage(
            id=case_id,
            label=case.label if case else "",
            found=case is not None,
            fields=case_fields(case, config) if case else (),
            text=read_body(case).strip("\n") if case else "",
            meetings=_meetings(store, meetings, case_id),
            actions=tuple(_action(a, config, meeting_dates, on)
                          for a in store.actions(case_id=case_id, status=None)),
        ))
    rows: dict[int, Disclosure] = {}
    for case_id in ids:
        rows.update((r.id, r) for r in store.disclosures(case_id=case_id))
    return Package(tuple(packages), recipients(config, [rows[k] for k in sorted(rows)], ids), on)


def case_fields(case: Case, config: Config) -> tuple[tuple[str, str], ...]:
    """The front-matter fields that describe the person and the case, as (label, value);
    organisations by full name, no casusregisseur."""
    name = config.partner_name
    fields: list[tuple[str, str]] = [("Casusnummer", case.id), ("Initialen", case.initialen)]
    if case.geboortejaar is not None:
        fields.append(("Geboortejaar", str(case.geboortejaar)))
    if case.wijk:
        fields.append(("Wijk", case.wijk))
    if case.thema:
        fields.append(("Thema's", ", ".join(case.thema)))
    fields += [("Status", case.status), ("Prioriteit", case.prioriteit),
               ("Aangemeld op", dates.fmt(case.aangemeld_op)),
               ("Aangemeld door", name(case.aangemeld_door))]
    if case.regie:
        fields.append(("Regie", name(case.regie)))
    # Organisation names hold commas ("Politie Eenheid Den Haag, basisteam Zuid").
    fields.append(("Betrokken organisaties", "; ".join(name(code) for code in case.partners)))
    if case.geinformeerd is not None:
        fields.append(("Geïnformeerd over de aanmelding", "ja" if case.geinformeerd else "nee"))
        if not case.geinformeerd and case.reden_niet_geinformeerd:
            fields.append(("Reden niet geïnformeerd", case.reden_niet_geinformeerd))
    if case.bespreken:
        fields.append(("Volgende bespreking", dates.fmt(case.bespreken)))
    if case.toezicht is not None:
        parts = []
        if case.toezicht.einde:
            parts.append(f"tot {dates.fmt(case.toezicht.einde)}")
        if case.toezicht.voorwaarden:
            parts.append(f"voorwaarden: {', '.join(case.toezicht.voorwaarden)}")
        fields.append(("Toezicht reclassering", "; ".join(parts) or "ja"))
    if case.afgesloten_op:
        fields.append(("Afgesloten op", dates.fmt(case.afgesloten_op)))
    return tuple(fields)


def _meetings(store: Store, meetings: Sequence[Meeting], case_id: str) -> tuple[MeetingRecord, ...]:
    from overleg.agenda import REASON_LABELS

    records = []
    for meeting in meetings:
        items = [i for i in store.items(meeting, include_dropped=True) if i.case_id == case_id]
        entries = store.entries(meeting, case_id)
        reviews = store.reviews(meeting, case_id)
        superseded = tuple(
            f"{'besluit' if r.kind == 'decision' else 'notitie'} "
            f"({'gecorrigeerd' if r.state == 'corrected' else 'ingetrokken'}): {r.text}"
            for r in store.records(meeting=meeting, case_id=case_id)
            if r.kind in ("note", "decision") and r.state != "active")
        if not (items or entries or reviews or superseded):
            continue
        reasons: list[str] = []
        for item in items:
            reasons += [REASON_LABELS.get(code, code) for code in item.reasons]
            if item.added:
                reasons.append("toegevoegd door de voorzitter"
                               + (f": {item.note}" if item.note else ""))
        records.append(MeetingRecord(
            date=meeting.date,
            state=MEETING_STATES.get(meeting.status, meeting.status),
            reasons=tuple(dict.fromkeys(reasons)),
            dropped=bool(items) and all(i.dropped for i in items),
            notes=tuple(e.text for e in entries if e.kind == "note"),
            decisions=tuple(e.text for e in entries if e.kind == "decision"),
            reviews=tuple(ReviewRecord(r.next_date, r.status) for r in reviews
                          if r.next_date or r.status),
            superseded=superseded,
        ))
    return tuple(records)


def _action(action: Action, config: Config, meeting_dates: Mapping[int, date],
            on: date) -> ActionRecord:
    done_on = date.fromisoformat(action.done_at[:10]) if action.done_at else None
    status = {"done": "afgerond", "cancelled": "vervallen"}.get(
        action.status, "te laat" if action.overdue(on) else action.status)
    return ActionRecord(
        id=action.id, text=action.text, owner=config.partner_name(action.owner),
        owner_code=action.owner, due=action.due, status=status,
        done_on=done_on if action.status == "done" else None,
        comment=action.done_comment or "",
        meeting=meeting_dates.get(action.meeting_id) if action.meeting_id else None)


def recipients(config: Config, rows: Sequence[Disclosure],
               case_ids: Sequence[str]) -> tuple[Recipient, ...]:
    """The organisations in `rows` (register rows, oldest first) with what each received:
    partners in the order of overleg.toml, then the chair's own documents, then earlier
    answers to the person. A row's cases other than `case_ids` are left out."""
    wanted = set(case_ids)
    by_key: dict[tuple[str, str | None], list[Receipt]] = {}
    drafts: dict[tuple[str | None, date | None], list[int]] = {}
    for row in rows:
        cases = tuple(c for c in row.cases if c in wanted)
        if row.partner is not None:
            key: tuple[str, str | None] = ("partner", row.partner)
        else:
            key = ("person", None) if row.kind == "inzage" else ("chair", None)
        receipts = by_key.setdefault(key, [])
        day = date.fromisoformat(row.at[:10])
        if row.format in ("smtp-poging", "smtp-mislukt"):
            continue  # steps of `mail --send`: what arrived has an `smtp` row of its own
        if row.format in ("smtp", "smtp-onzeker"):  # in doubt after a crash: it may have left
            # `mail --send` sends the drafts it has just made: the latest draft of that
            # partner and meeting is the message sent, one receipt.
            waiting = drafts.get((row.partner, row.meeting))
            if waiting:
                index = waiting.pop()
                receipts[index] = Receipt(day, receipts[index].document, row.meeting,
                                          receipts[index].cases, "verstuurd")
                continue
            receipts.append(Receipt(day, _document(row), row.meeting, cases, "verstuurd"))
            continue
        mailed = "opgesteld" if row.kind == "mail" else ""
        if row.kind == "mail":
            drafts.setdefault((row.partner, row.meeting), []).append(len(receipts))
        receipts.append(Receipt(day, _document(row), row.meeting, cases, mailed))
    order: list[tuple[str, str | None]] = [("partner", code) for code in config.partners]
    # A partner no longer in overleg.toml still counts (by its code).
    order += sorted((k for k in by_key if k[0] == "partner" and k not in order),
                    key=lambda k: k[1] or "")
    order += [("chair", None), ("person", None)]
    result = []
    for key in order:
        if key not in by_key:
            continue
        kind, code = key
        if kind == "partner":
            assert code is not None
            name, role = config.partner_name(code), ""
        elif kind == "chair":
            name, role = config.naam, "voorzitter van het overleg"
        else:
            name, role = "Uzelf", "eerder inzageverzoek"
        # Two formats of one document on one day (md and html, say) are one receipt.
        result.append(Recipient(name, code, role, tuple(dict.fromkeys(by_key[key]))))
    return tuple(result)


def _document(row: Disclosure) -> str:
    """What a register row's document was, in Dutch."""
    if row.kind != "mail":
        return _DOCUMENTS.get(row.kind, row.kind)
    # An e-mail (its `mailed` says so) holds an agenda or minutes with an action list; the
    # draft's file name tells which (an SMTP row follows its draft, see `recipients`).
    stem = PurePath(row.file).name if row.file else ""
    if stem.startswith("agenda"):
        return "agenda"
    if stem.startswith("verslag"):
        return "verslag en actielijst"
    return "stukken"


FORMATS = ("md", "html", "docx")


def render_package(ws: Workspace, package: Package, fmt: str) -> str:
    """The package as Markdown or HTML (templates/inzage.md, inzage.html)."""
    from overleg.render import render_template

    if fmt not in ("md", "html"):
        raise InvalidInput(f"formaat '{fmt}' bestaat niet. Kies uit: {', '.join(FORMATS)}.")
    return render_template(ws, f"inzage.{fmt}", {"overleg": ws.config, "pakket": package,
                                                 "vandaag": package.made_on})


# --- the term ------------------------------------------------------------------------------

def due_date(received: date) -> date:
    """The answer is due one calendar month after receipt."""
    return dates.add_months(received, TERM_MONTHS)


def latest_extension(received: date) -> date:
    """The latest date an extended term may run to: three months after receipt."""
    return dates.add_months(received, MAX_MONTHS)


def open_request(store: Store, cases_by_id: Mapping[str, Case], case_ids: Sequence[str],
                 received: date, broken: Collection[str] = ()) -> AccessRequest:
    """Register an access request for the person of `case_ids`, received on `received`."""
    ids = resolve_ids(store, cases_by_id, case_ids, broken)
    return store.open_access_request(ids, received, due_date(received))


def extend_request(store: Store, number: int, until: date, reason: str) -> AccessRequest:
    """Extend the term of request `number` to `until` (at most three months after receipt)."""
    request = store.access_request(number)
    if request.status != "open":
        raise AccessRequestClosed(f"inzageverzoek #{number} is al afgesloten en kan niet meer "
                                  "worden verlengd.")
    if not reason.strip():
        raise InvalidInput("geef met --reason aan waarom de termijn wordt verlengd; de "
                           "betrokkene moet die reden horen.")
    limit = latest_extension(request.received)
    if until > limit:
        raise InvalidInput(f"de termijn mag hoogstens tot drie maanden na ontvangst worden "
                           f"verlengd: uiterlijk {dates.fmt(limit)} (ontvangen "
                           f"{dates.fmt(request.received)}). {dates.fmt(until)} is te laat.")
    if until <= request.deadline:
        raise InvalidInput(f"{dates.fmt(until)} ligt niet na de huidige termijn "
                           f"({dates.fmt(request.deadline)}); verlengen kan alleen naar een "
                           "latere datum.")
    return store.extend_access_request(request, until, reason.strip())


def close_request(store: Store, number: int) -> AccessRequest:
    """Close request `number` (answered)."""
    request = store.access_request(number)
    if request.status != "open":
        raise AccessRequestClosed(f"inzageverzoek #{number} is al afgesloten.")
    return store.close_access_request(request)


def answered(store: Store, request: AccessRequest) -> bool:
    """True when an inzage package with every case of `request` was made since its receipt."""
    wanted = set(request.cases)
    for case_id in request.cases[:1]:
        for row in store.disclosures(case_id=case_id, since=request.received):
            if row.kind == "inzage" and wanted <= set(row.cases):
                return True
    return False


def ordered_requests(store: Store, today: date) -> list[AccessRequest]:
    """Every request: overdue first, then open ones by deadline, then closed ones."""
    return sorted(store.access_requests(),
                  key=lambda r: (not r.overdue(today), r.status != "open", r.deadline, r.id))


def request_record(request: AccessRequest) -> dict[str, Any]:
    """One request in the `inzage list --json` shape."""
    return {"id": request.id, "cases": list(request.cases),
            "received": request.received.isoformat(), "due": request.due.isoformat(),
            "status": request.status,
            "extended_until": request.extended_until.isoformat()
            if request.extended_until else None}
