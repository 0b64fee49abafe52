"""The disclosure gate: every document that leaves overleg is made by `disclose`.

A document for a partner (or for the chair) is asked for as a `Request`: what kind, in
which format, for whom, of which meeting. `disclose` then

1. scopes the sources to what the recipient may see (need-to-know: `may_see`, one rule),
2. lets the kind's producer make the document from the scoped views only,
3. checks that every case the document holds is one the recipient may see,
4. strips terminal control characters and masks BSNs in every text format (the producers
   of binary formats build from cleaned strings),
5. appends one row to the register of disclosures, in the same transaction that writes
   the output file (no row without a file, no file without a row).

No other module renders a per-partner document: tests/test_disclosure.py walks
`PRODUCERS` and fails on an output path that is not in it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg.errors import DisclosureRefused, InvalidInput

if TYPE_CHECKING:
    from email.message import EmailMessage

    from overleg.agenda import AgendaEntry, AgendaView
    from overleg.cases import Case
    from overleg.meeting import Minutes
    from overleg.model import Action, Disclosure, Meeting
    from overleg.store import Store
    from overleg.workspace import Workspace

TEXT_FORMATS = frozenset(("md", "html", "txt", "csv", "json"))


# --- need-to-know: the one rule --------------------------------------------------------

def may_see(partner: str | None, case: Case | None) -> bool:
    """True when `partner` may receive data of `case` (the chair, None, sees every case)."""
    if partner is None:
        return True
    return case is not None and partner in case.partners


def partner_agenda(view: AgendaView, partner: str) -> AgendaView:
    """Only the items of cases in which `partner` takes part; time slots as on the full agenda."""
    return replace(view, entries=[e for e in view.entries if may_see(partner, e.case)])


def partner_minutes(minutes: Minutes, partner: str) -> Minutes:
    """Only the items of cases in which `partner` takes part; the rest are not named at all."""
    return replace(minutes, items=[i for i in minutes.items if may_see(partner, i.entry.case)])


def partner_actions(actions: Sequence[Action], partner: str,
                    cases_by_id: Mapping[str, Case], on: date) -> list[Action]:
    """A partner's open actions on cases it is (still) a partner of; overdue first."""
    own = [a for a in visible_actions(actions, partner, cases_by_id) if a.status == "open"]
    return sorted(own, key=lambda a: (not a.overdue(on), a.due, a.id))


def visible_actions(actions: Sequence[Action], partner: str,
                    cases_by_id: Mapping[str, Case]) -> list[Action]:
    """The actions `partner` owns on cases it may see (any status), in the given order."""
    return [a for a in actions
            if a.owner == partner and may_see(partner, cases_by_id.get(a.case_id))]


# --- requests, sources and what a producer returns ----------------------------------------

@dataclass(frozen=True)
class Sources:
    """Everything a producer may read: the workspace, the store, the cases, today."""

    ws: Workspace
    store: Store
    cases: Mapping[str, Case]
    today: date


@dataclass(frozen=True)
class Request:
    """One document: its kind, format, recipient (None: the chair) and meeting."""

    kind: str  # agenda | minutes | actions | mail | inzage | export
    fmt: str
    partner: str | None = None
    meeting: Meeting | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Produced:
    content: str | bytes
    cases: tuple[str, ...]
    addresses: tuple[str, ...] = ()
    message: EmailMessage | None = None
    count: int | None = None  # how many records (actions) it lists, where that is told
    # Content whose producer cleaned it value by value (the export: its hashes stay whole,
    # its csv is a zip of many files): the gate passes it as it would a docx.
    precleaned: bool = False


@dataclass(frozen=True)
class Disclosed:
    """A document as it left, and its row in the register."""

    data: bytes
    cases: tuple[str, ...]
    row: Disclosure
    path: Path | None = None
    message: EmailMessage | None = None
    count: int | None = None


Producer = Callable[[Sources, Request], Produced]
PRODUCERS: dict[tuple[str, str], Producer] = {}


def producer(kind: str, *formats: str) -> Callable[[Producer], Producer]:
    def register(function: Producer) -> Producer:
        for fmt in formats:
            PRODUCERS[(kind, fmt)] = function
        return function

    return register


def formats_of(kind: str) -> tuple[str, ...]:
    return tuple(fmt for k, fmt in PRODUCERS if k == kind)


# --- the gate ----------------------------------------------------------------------------

def disclose(src: Sources, request: Request, output: Path | None = None) -> Disclosed:
    """Make the document of `request` for its recipient, register it, write it to `output`."""
    from overleg.files import write_output

    make = PRODUCERS.get((request.kind, request.fmt))
    if make is None:
        raise InvalidInput(f"formaat '{request.fmt}' bestaat niet. Kies uit: "
                           f"{', '.join(formats_of(request.kind))}.")
    if request.partner is not None:
        request = replace(request, partner=src.ws.config.partner_code(request.partner))
    produced = make(src, request)
    for case_id in produced.cases:
        if not may_see(request.partner, src.cases.get(case_id)):
            # A producer bug, never the user's: refuse rather than let it leave.
            raise DisclosureRefused(f"het document voor {request.partner} zou casus "
                                    f"{case_id} bevatten, waarin {request.partner} geen "
                                    "partner is. Er is niets gemaakt.")
    content = produced.content
    if request.fmt in TEXT_FORMATS and not produced.precleaned:
        text = content if isinstance(content, str) else content.decode("utf-8")
        data = clean_text(text).encode("utf-8")
    else:  # binary formats: their producers build from cleaned strings
        data = content if isinstance(content, bytes) else content.encode("utf-8")
    config = src.ws.config
    store = src.store
    with store.transaction():
        row = store.record_disclosure(
            partner=request.partner, kind=request.kind, fmt=request.fmt,
            meeting=request.meeting.date if request.meeting else None,
            cases=produced.cases, sha256=hashlib.sha256(data).hexdigest(),
            purpose=config.doel, basis=config.grondslag,
            file=src.ws.rel(output.resolve()) if output is not None else None,
            addresses=produced.addresses, action=_audit_action(request))
        if output is not None:
            write_output(output, data)
    return Disclosed(data, produced.cases, row, output, produced.message, produced.count)


def clean_text(text: str) -> str:
    """A text document as it may leave: controls stripped, BSNs masked. CRLF stays where a
    format has it (csv for Excel); a lone CR goes with the controls."""
    from overleg.privacy import clean

    return "\r\n".join(clean(part) for part in text.split("\r\n"))


def _audit_action(request: Request) -> str:
    """The audit line of a disclosure: `render.<kind>.<recipient>` (mail: with its kind)."""
    who = request.partner or ("betrokkene" if request.kind == "inzage" else "voorzitter")
    if request.kind == "mail":
        return f"render.mail.{request.options.get('of', 'minutes')}.{who}"
    return f"render.{request.kind}.{who}"


# A step of sending an e-mail: its register format (the audit line is `mail.<step>.<of>.<partner>`).
MAIL_STEPS = {"attempt": "smtp-poging", "sent": "smtp", "failed": "smtp-mislukt",
              "doubt": "smtp-onzeker"}


def record_sent(store: Store, draft: Disclosure, addresses: Sequence[str], sha256: str,
                of: str, step: str = "sent") -> Disclosure:
    """A step of sending an e-mail, as a register row of its own (with its audit line): the
    attempt, before the first byte leaves (`smtp-poging`); then accepted (`smtp`), refused
    or cut off (`smtp-mislukt`), or unknown after a crash (`smtp-onzeker`). `draft`: the
    row of the draft (or of the attempt) it was made from; `addresses`: where it went."""
    return store.record_disclosure(partner=draft.partner, kind=draft.kind,
                                   fmt=MAIL_STEPS[step], meeting=draft.meeting,
                                   cases=draft.cases, sha256=sha256, purpose=draft.purpose,
                                   basis=draft.basis, addresses=addresses,
                                   action=f"mail.{step}.{of}.{draft.partner}")


def _ids(entries: Sequence[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.slot.case_id if hasattr(e, "slot") else e.case_id
                               for e in entries))


def _union(*groups: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(case_id for group in groups for case_id in group))


def _meeting(request: Request) -> Meeting:
    assert request.meeting is not None, "this document belongs to a meeting"
    return request.meeting


# --- agenda --------------------------------------------------------------------------------

def scoped_agenda(src: Sources, request: Request) -> AgendaView:
    from overleg.agenda import agenda_view

    view = agenda_view(src.store, _meeting(request), src.cases, src.ws.config)
    if request.partner:
        return partner_agenda(view, request.partner)
    return replace(view, entries=chair_answers(src, view.meeting, view.entries))


def chair_answers(src: Sources, meeting: Meeting,
                  entries: Sequence[AgendaEntry]) -> list[AgendaEntry]:
    """The chair's items with their answers of the information round (uitvraag); a
    partner's items never get them (partners never see one another's answers)."""
    answers: dict[str, list[Any]] = {}
    for answer in src.store.uitvraag_answers(meeting):
        answers.setdefault(answer.case_id, []).append(answer)
    return [replace(e, answers=tuple(answers.get(e.slot.case_id, ()))) if answers else e
            for e in entries]


@producer("agenda", "md", "html", "txt", "docx")
def _agenda(src: Sources, request: Request) -> Produced:
    from overleg.render import render_agenda

    view = scoped_agenda(src, request)
    if request.fmt == "docx":
        from overleg.docx import agenda_docx

        content: str | bytes = agenda_docx(src.ws, view, request.partner)
    else:
        content = render_agenda(src.ws, view, request.fmt, request.partner)
    return Produced(content, _ids(view.entries))


# --- minutes ---------------------------------------------------------------------------

def scoped_minutes(src: Sources, request: Request) -> tuple[Minutes, list[Action]]:
    """The minutes as the recipient may see them, and (for a partner) its action list."""
    from overleg.meeting import minutes_view

    minutes = minutes_view(src.store, _meeting(request), src.cases, src.ws.config)
    if request.partner is None:
        entries = chair_answers(src, minutes.meeting, [i.entry for i in minutes.items])
        return replace(minutes, items=[replace(i, entry=e) for i, e in
                                       zip(minutes.items, entries, strict=True)]), []
    own = partner_actions(src.store.actions(status="open"), request.partner, src.cases,
                          request.options.get("on", src.today))
    return partner_minutes(minutes, request.partner), own


@producer("minutes", "md", "html", "txt", "docx")
def _minutes(src: Sources, request: Request) -> Produced:
    from overleg.render import render_minutes

    minutes, own = scoped_minutes(src, request)
    if request.fmt == "docx":
        from overleg.docx import minutes_docx

        content: str | bytes = minutes_docx(src.ws, minutes, request.partner, own)
    else:
        content = render_minutes(src.ws, minutes, request.fmt, request.partner, own)
    return Produced(content, _union(_ids(minutes.items), [a.case_id for a in own]))


# --- action lists ------------------------------------------------------------------------

def selected_actions(src: Sources, partner: str | None, status: str = "open",
                     overdue: bool = False) -> list[Action]:
    """`action list`'s selection: by status (open, done, cancelled or all), overdue only,
    and for a partner only its own actions on cases it may see. Overdue first."""
    day = src.today
    # Only an open action can be overdue, whatever --status says.
    actions = src.store.actions(owner=partner, status="open" if overdue else
                                None if status == "all" else status,
                                due_before=day if overdue else None)
    if partner is not None:
        actions = visible_actions(actions, partner, src.cases)
    return actions


def action_record(action: Action) -> dict[str, Any]:
    """One action in the `action list --json` shape."""
    return {"id": action.id, "case": action.case_id, "owner": action.owner, "who": action.who,
            "text": action.text, "due": action.due.isoformat(), "status": action.status,
            "meeting": action.meeting_date.isoformat() if action.meeting_date else None,
            "done_on": action.done_on.isoformat() if action.done_on else None,
            "comment": action.done_comment}


@producer("actions", "json", "csv", "xlsx", "docx")
def _actions(src: Sources, request: Request) -> Produced:
    import json

    options = request.options
    if request.fmt == "docx":
        from overleg.docx import actions_docx

        actions = (partner_actions(src.store.actions(status="open"), request.partner,
                                   src.cases, src.today) if request.partner else
                   selected_actions(src, None, options.get("status", "open"),
                                    options.get("overdue", False)))
        content: str | bytes = actions_docx(src.ws, actions, src.today, request.partner,
                                            src.cases)
    else:
        actions = selected_actions(src, request.partner, options.get("status", "open"),
                                   options.get("overdue", False))
        if request.fmt == "json":
            from overleg.privacy import clean

            content = json.dumps([{k: clean(v) if isinstance(v, str) else v
                                   for k, v in action_record(a).items()} for a in actions],
                                 ensure_ascii=False, indent=2) + "\n"
        else:
            from overleg.spreadsheet import export_actions

            content = export_actions(actions, src.today, request.fmt, options.get("path"))
    return Produced(content, tuple(dict.fromkeys(a.case_id for a in actions)),
                    count=len(actions))


# --- e-mail ----------------------------------------------------------------------------

def mail_recipients(src: Sources, meeting: Meeting, of: str) -> tuple[list[str], list[str]]:
    """Partners with something to receive (agenda items, or minutes items or open actions):
    those with an address, and those without (not reached)."""
    reached: list[str] = []
    not_reached: list[str] = []
    config = src.ws.config
    if of == "agenda":
        view = scoped_agenda(src, Request("agenda", "txt", None, meeting))
        wanted = [code for code in config.partners if partner_agenda(view, code).entries]
    else:
        minutes, _ = scoped_minutes(src, Request("minutes", "txt", None, meeting))
        open_actions = src.store.actions(status="open")
        wanted = [code for code in config.partners
                  if partner_minutes(minutes, code).items
                  or partner_actions(open_actions, code, src.cases, src.today)]
    for code in wanted:
        (reached if config.partners[code].email else not_reached).append(code)
    return reached, not_reached


@producer("mail", "eml")
def _mail(src: Sources, request: Request) -> Produced:
    """One partner's e-mail: its agenda, or its minutes with its action list and an .ics of
    its deadlines (a multipart text + HTML draft)."""
    from overleg.mail import actions_calendar, build_message, subject
    from overleg.render import render_agenda, render_minutes

    assert request.partner is not None, "an e-mail is for a partner"
    config, code = src.ws.config, request.partner
    meeting = _meeting(request)
    title = subject(config, request.options.get("of", "minutes"), meeting.date)
    if request.options.get("of") == "agenda":
        view = scoped_agenda(src, request)
        text, html = (render_agenda(src.ws, view, fmt, code) for fmt in ("txt", "html"))
        message = build_message(config, code, title, _clean(text), _clean(html))
        cases = _ids(view.entries)
    else:
        minutes, own = scoped_minutes(src, request)
        text, html = (render_minutes(src.ws, minutes, fmt, code, own) for fmt in ("txt", "html"))
        ics = actions_calendar(own, config, code) if own else None
        message = build_message(config, code, title, _clean(text), _clean(html), ics)
        cases = _union(_ids(minutes.items), [a.case_id for a in own])
    if (protect := request.options.get("protect")) is not None:
        message = protect(message)  # S/MIME: the draft on disk is encrypted too
    recipients = config.partners[code].email
    return Produced(message.as_bytes(), cases, recipients, message)


def _clean(text: str) -> str:
    from overleg.privacy import clean

    return clean(text)



# --- search (overleg zoek --partner) -------------------------------------------------------

@producer("zoek", "txt", "json")
def _search(src: Sources, request: Request) -> Produced:
    """What a search finds (options: text, case, since) in the cases the recipient may see:
    the chair's own search on the screen is not a disclosure, a partner's copy is."""
    import json

    from overleg.search import hit_record, hits_text, search

    options = request.options
    hits = search(src.store, src.cases, options.get("text", ""), partner=request.partner,
                  case_id=options.get("case"), since=options.get("since"))
    content = (json.dumps([hit_record(h) for h in hits], ensure_ascii=False, indent=2) + "\n"
               if request.fmt == "json" else hits_text(hits))
    return Produced(content, tuple(dict.fromkeys(h.case_id for h in hits)), count=len(hits))


# --- the information round (uitvraag) -------------------------------------------------------

@producer("uitvraag", "xlsx", "eml")
def _uitvraag(src: Sources, request: Request) -> Produced:
    """A partner's information request for the cases of the agenda it is a partner in: the
    reply form (xlsx), or the e-mail with the request as text + HTML and the form attached."""
    from overleg.uitvraag import file_stem, partner_form

    assert request.partner is not None, "an information request is for a partner"
    config, code = src.ws.config, request.partner
    meeting = _meeting(request)
    entries = [e for e in scoped_agenda(src, request).entries if e.case is not None]
    form, xlsx = partner_form(src, meeting, code, entries)
    if request.fmt == "xlsx":
        return Produced(xlsx, _ids(entries))
    from overleg.dates import fmt
    from overleg.mail import build_message
    from overleg.render import render_uitvraag

    text, html = (render_uitvraag(src.ws, meeting, code, form, entries, kind)
                  for kind in ("txt", "html"))
    message = build_message(config, code, f"Uitvraag {config.naam} {fmt(meeting.date)}",
                            _clean(text), _clean(html))
    message.add_attachment(xlsx, maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           filename=f"{file_stem(meeting, code)}.xlsx")
    if (protect := request.options.get("protect")) is not None:
        message = protect(message)
    return Produced(message.as_bytes(), _ids(entries), config.partners[code].email, message)


# --- access requests (inzage) ---------------------------------------------------------------

@producer("inzage", "md", "html", "docx")
def _inzage(src: Sources, request: Request) -> Produced:
    """Everything overleg holds about one person (their case ids in options["cases"]), for the
    person: no partner is the recipient, and the register row holds exactly those cases."""
    from overleg.inzage import gather, render_package

    assert request.partner is None, "an access request is answered to the person"
    package = gather(src.store, src.ws, src.cases, request.options["cases"], src.today)
    if request.fmt == "docx":
        from overleg.docx import inzage_docx

        content: str | bytes = inzage_docx(src.ws, package)
    else:
        content = render_package(src.ws, package, request.fmt)
    return Produced(content, package.case_ids)


# --- export: the whole register ---------------------------------------------------------------

# What a partner's export holds: the rows of its cases, the meetings they belong to and the
# mailings it received. Not the audit log, attendance, the register or access requests
# (those are not the partner's), nor reopenings (their reason is free text about a meeting).
_CASE_TABLES = ("agenda_items", "entries", "reviews", "actions", "writebacks")
_DIGEST = re.compile("[0-9a-f]{64}")
PARTNER_TABLES = ("meetings", *_CASE_TABLES, "mailings")


def scoped_export(src: Sources, partner: str | None) -> dict[str, list[dict[str, Any]]]:
    """Every table of meeting data (the chair), or what `partner` may see of it: only rows of
    cases it is (still) a partner of, and only the meetings and mailings those concern."""
    if partner is None:
        return src.store.dump()
    tables = src.store.dump(PARTNER_TABLES)
    for name in _CASE_TABLES:
        # Corrected and withdrawn lines are the chair's record of a slip, not the partner's.
        tables[name] = [r for r in tables[name] if may_see(partner, src.cases.get(r["case_id"]))
                        and r.get("state", "active") == "active"]
    tables["mailings"] = [r for r in tables["mailings"] if r["partner"] == partner]
    used = {r.get(key) for name in (*_CASE_TABLES, "mailings") for r in tables[name]
            for key in ("meeting_id", "done_meeting_id")}
    tables["meetings"] = [r for r in tables["meetings"] if r["id"] in used]
    return tables


def _export_cases(tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> tuple[str, ...]:
    """Every case id an export holds: in a case_id column, a register row or a request."""
    import json

    found = [r["case_id"] for rows in tables.values() for r in rows if r.get("case_id")]
    found += [c for r in tables.get("disclosures", ()) for c in json.loads(r["cases"])]
    found += [c for r in tables.get("access_requests", ()) for c in json.loads(r["cases"])]
    return tuple(sorted(set(found)))


@producer("export", "json", "csv")
def _export(src: Sources, request: Request) -> Produced:
    """The whole register as stored, for a successor chair, the FG or a migration: json is one
    file `{table: [rows]}`, csv a .zip of one `;`-separated CSV per table (for Excel)."""
    import json

    tables = scoped_export(src, request.partner)
    rows = sum(len(t) for t in tables.values())
    cleaned = {name: [{k: _export_value(k, v) for k, v in r.items()} for r in table]
               for name, table in tables.items()}
    content = (json.dumps(cleaned, ensure_ascii=False, indent=2) + "\n"
               if request.fmt == "json" else _csv_zip(src, cleaned))
    return Produced(content, _export_cases(tables), count=rows, precleaned=True)


@producer("export", "uitkomst")
def _uitkomst(src: Sources, request: Request) -> Produced:
    """The outcome of a meeting in the national Uitkomst Overleg format (overleg.uitkomst):
    JSON, its text values cleaned one by one."""
    import json

    from overleg.uitkomst import uitkomst

    page = uitkomst(src.store, src.cases, src.ws.config, _meeting(request), request.partner)
    content = json.dumps(page, ensure_ascii=False, indent=2) + "\n"
    return Produced(content, tuple(r["betreft"]["id"] for r in page["resultaten"]),
                    count=page["totaalAantal"], precleaned=True)

def _export_value(column: str, value: Any) -> Any:
    """A value as it may leave: text cleaned as the gate cleans a document, but for the hash
    chain's and the register's SHA-256 digests. Their digits can look like a BSN by chance
    (about one digest in a hundred), and a masked hash is a broken chain for whoever imports it."""
    from overleg.privacy import clean

    if not isinstance(value, str):
        return value
    if column in ("hash", "sha256") and _DIGEST.fullmatch(value):
        return value
    return clean(value)


def _csv_zip(src: Sources, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """One CSV per table (BOM, `;`, CRLF, as the action register's) of cleaned values, zipped;
    each file dated today, so that equal data zips to equal bytes."""
    import io
    import zipfile

    from overleg.spreadsheet import csv_text

    out = io.BytesIO()
    stamp = (src.today.year, src.today.month, src.today.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            headers = src.store.columns(name)
            text = csv_text(headers, [[r.get(h) for h in headers] for r in rows])
            archive.writestr(zipfile.ZipInfo(f"{name}.csv", stamp), text, zipfile.ZIP_DEFLATED)
    return out.getvalue()
