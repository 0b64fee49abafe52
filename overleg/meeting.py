"""Recording a meeting on a Store: start, attend, note, decide, review, actions, close."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from overleg import dates
from overleg.cases import STATUSES, Case, CaseSet
from overleg.config import Config
from overleg.errors import (
    InvalidInput,
    MeetingClosed,
    MeetingClosing,
    MeetingNotFound,
    MeetingStillOpen,
    OtherMeetingOpen,
    StaleCaseFile,
)
from overleg.files import try_lock
from overleg.frontmatter import write_back
from overleg.model import (
    Action,
    ActionChange,
    Attendance,
    Entry,
    Meeting,
    Record,
    Reopening,
    Review,
)
from overleg.store import Store
from overleg.workspace import Workspace

if TYPE_CHECKING:
    from overleg.agenda import AgendaEntry


def current_meeting(store: Store) -> Meeting:
    """The open meeting, or a clear error saying how to start one (or that it is being
    closed). Inside a write transaction this is the state the change commits on."""
    meeting = store.open_meeting()
    if meeting is None:
        if (closing := store.closing_meeting()) is not None:
            raise MeetingClosing(closing.date)
        latest = max(store.meetings(), key=lambda m: m.date, default=None)
        if latest is not None and latest.status == "closed":
            # Right after `close` the chair most likely means that meeting: say it is read-only.
            raise MeetingClosed(latest.date)
        raise MeetingNotFound("er is geen open vergadering. Start er een met "
                              "'overleg meeting start'.")
    return meeting


def meeting_of(store: Store, day: date | None = None) -> Meeting:
    """The open meeting a recording acts on: the one of `day` (a command's --date), else the
    open meeting when it is today's. Never last week's meeting by accident: an open meeting of
    another day is refused, naming it and the two ways out (close it, or --date)."""
    if day is not None:
        found = store.meeting(day)
        if found is None:
            raise MeetingNotFound(f"er is geen vergadering op {dates.fmt(day)}. "
                                  "Zie 'overleg meeting list'.")
        if found.status == "planned":
            raise MeetingNotFound(f"de vergadering van {dates.fmt(day)} is nog niet geopend. "
                                  f"Open haar met 'overleg meeting start --date "
                                  f"{dates.fmt(day)}'.")
        return store.require_writable(found)
    meeting = current_meeting(store)
    if meeting.date != (today := dates.today()):
        raise OtherMeetingOpen(meeting.date, today)
    return meeting


def recording_meeting(store: Store, meeting: Meeting | None = None,
                      day: date | None = None) -> Meeting:
    """The meeting to record in, as the database has it now: `meeting` (the one the run
    screen walks) while nothing closed it, else `meeting_of(day)`. Call inside the
    recording's write transaction, so that a close in another terminal is either wholly
    before it (refused: MeetingClosing or MeetingClosed) or wholly after it (and writes its
    effect back)."""
    if meeting is None:
        return meeting_of(store, day)
    return store.require_writable(meeting)


def _meeting_if_any(store: Store, meeting: Meeting | None,
                    day: date | None = None) -> Meeting | None:
    """For what may also happen between meetings (action add, done, edit, cancel): `meeting`
    as it is now, else the meeting of `day`, else today's open meeting, else None (between
    meetings); never a meeting being closed, nor another day's open meeting by accident."""
    if meeting is not None:
        return store.require_writable(meeting)
    if (closing := store.closing_meeting()) is not None:
        raise MeetingClosing(closing.date)
    if day is not None or store.open_meeting() is not None:
        return meeting_of(store, day)
    return None


def start_date(store: Store, config: Config) -> date:
    """What `meeting start` without --date opens: today's or the next planned meeting, else
    the next date of the schedule, else today. Never the open meeting of another day."""
    today = dates.today()
    candidates = [m.date for m in (store.meeting(today), store.next_planned(today))
                  if m is not None and m.status != "closed"]
    if config.schema and (found := dates.next_meeting(config.schema, today)) is not None:
        candidates.append(found)
    return min(candidates, default=today)


def start_meeting(store: Store, ws: Workspace, cases: Sequence[Case],
                  on: date) -> tuple[Meeting, bool]:
    """Open the meeting of `on` (building its agenda when there is none); (meeting, built).

    One write transaction from the check to the opening, so of two starts at once the second
    waits and then finds the first one's meeting open."""
    from overleg.agenda import build_agenda

    with store.transaction():
        if (closing := store.closing_meeting()) is not None:
            raise MeetingClosing(closing.date)
        other = store.open_meeting()
        if other is not None and other.date != on:
            raise OtherMeetingOpen(other.date, on)
        meeting = store.meeting(on)
        built = False
        if meeting is None:
            meeting, _ = build_agenda(store, cases, on, ws.config)
            built = True
        if meeting.status == "closed":
            raise MeetingClosed(on)
        if meeting.status == "planned":
            meeting = store.set_meeting_status(meeting, "open", "meeting.start")
            if ws.config.geheimhouding:
                # `meeting start` shows the statement for the chair to read out.
                store.mark_geheimhouding(meeting)
                meeting = store.meeting_by_id(meeting.id)  # with geheimhouding_read set
    return meeting, built


def on_agenda(store: Store, ws: Workspace, meeting: Meeting, case: Case, add: bool) -> None:
    """Refuse to record on a case that is not on the agenda, unless `add` puts it on."""
    if any(item.case_id == case.id for item in store.items(meeting)):
        return
    if not add:
        raise InvalidInput(f'casus "{case.id}" staat niet op de agenda van '
                           f"{dates.fmt(meeting.date)}. Gebruik --add om hem toe te voegen.")
    from overleg.agenda import add_to_agenda

    add_to_agenda(store, meeting, case, ws.config, reason=None, minutes=None)


def attend(store: Store, ws: Workspace, code: str, name: str, present: bool = True,
           meeting: Meeting | None = None, day: date | None = None) -> str:
    """Record who is at the table (or sent apologies) for an agency; returns the agency code.
    Someone recorded after the first item was started arrived late (the record says when)."""
    return attend_record(store, ws, code, name, present, meeting, day)[0]


def attend_record(store: Store, ws: Workspace, code: str, name: str, present: bool = True,
                  meeting: Meeting | None = None, day: date | None = None) -> tuple[str, int]:
    """`attend`, with the record's number: (agency code, #N)."""
    with store.transaction():
        meeting = recording_meeting(store, meeting, day)
        agency = ws.config.partner_code(code)
        if not name.strip():
            raise InvalidInput("geef de naam van de deelnemer op.")
        number = store.attend(meeting, agency, " ".join(name.split()), present)
    return agency, number


def depart(store: Store, ws: Workspace, code: str, meeting: Meeting | None = None,
           day: date | None = None) -> list[Attendance]:
    """Everyone of an agency leaves the table now; who left (a Dutch error when nobody of it
    is there)."""
    with store.transaction():
        meeting = recording_meeting(store, meeting, day)
        agency = ws.config.partner_code(code)
        left = store.depart(meeting, agency)
        if not left:
            raise InvalidInput(f"er is niemand van {agency} aanwezig; er is niets vastgelegd.")
    return left


def record(store: Store, ws: Workspace, case: Case, kind: str, text: str,
           add: bool = False, meeting: Meeting | None = None, day: date | None = None) -> Entry:
    """A note or decision on a case of the open meeting (or of `meeting`, while it is open)."""
    with store.transaction():
        meeting = recording_meeting(store, meeting, day)
        if not text.strip():
            raise InvalidInput("de tekst is leeg; typ wat er is besproken of besloten.")
        on_agenda(store, ws, meeting, case, add)
        return store.add_entry(meeting, case.id, kind, text.strip())


def _review_values(meeting: Meeting, next_date: date | None,
                   status: str | None) -> tuple[date | None, str | None]:
    """A review's date and status checked: one of them given, a known status, a date after
    the meeting."""
    if next_date is None and status is None:
        raise InvalidInput("geef --next DATUM en/of --status STATUS op.")
    if status is not None:
        typed, status = status, status.strip().lower()  # 'Nazorg' is still nazorg
        if status not in STATUSES:
            raise InvalidInput(f"status '{typed}' bestaat niet. Kies uit: "
                               f"{', '.join(STATUSES)}.")
    if next_date is not None and next_date <= meeting.date:
        raise InvalidInput(f"de volgende bespreking ({dates.fmt(next_date)}) moet na de "
                           f"vergadering van {dates.fmt(meeting.date)} liggen.")
    return next_date, status


def review(store: Store, ws: Workspace, case: Case, next_date: date | None,
           status: str | None, add: bool = False, meeting: Meeting | None = None,
           day: date | None = None) -> Review:
    """Next review date and/or new status of a case, written back when the meeting closes."""
    with store.transaction():
        meeting = recording_meeting(store, meeting, day)
        next_date, status = _review_values(meeting, next_date, status)
        on_agenda(store, ws, meeting, case, add)
        return store.add_review(meeting, case.id, next_date, status)


def add_action(store: Store, ws: Workspace, case: Case, owner: str, who: str | None,
               due: date, text: str, add: bool = False,
               meeting: Meeting | None = None, day: date | None = None,
               condition: str | None = None) -> Action:
    """An action with owner agency and deadline; part of the open meeting when there is one.
    `condition`: when it is to be carried out ("als ..."), for the Uitkomst Overleg export.

    With `meeting` (the run screen's) it belongs to that meeting or is refused: once another
    terminal closed it, an action is never stored outside it instead."""
    agency = _owner(ws, case, owner)
    if not text.strip():
        raise InvalidInput("de actie heeft geen tekst; beschrijf wat er moet gebeuren.")
    with store.transaction():
        current = _meeting_if_any(store, meeting, day)
        if current is not None:
            on_agenda(store, ws, current, case, add)
        return store.add_action(case.id, agency, (who or "").strip() or None, text.strip(),
                                due, current, (condition or "").strip() or None)


def action_text(action: Action, text: bool = True) -> str:
    """'Actie #7 voor POL/J. Morgen, deadline di 08-12-2026: Huisbezoek' (owner, person,
    deadline, text and a condition: the chair can spot a slip in any of them); without
    `text` only who and when."""
    person = f"/{action.who}" if action.who else ""
    echo = f"Actie #{action.id} voor {action.owner}{person}, deadline {dates.fmt_short(action.due)}"
    if not text:
        return echo
    condition = f" (voorwaarde: {action.condition})" if action.condition else ""
    return f"{echo}: {action.text}{condition}"


def _owner(ws: Workspace, case: Case, owner: str) -> str:
    agency = ws.config.partner_code(owner)
    if agency not in case.partners:
        raise InvalidInput(f'{agency} is geen partner van casus "{case.id}" '
                           f"(partners: {', '.join(case.partners)}).")
    return agency


def _open_action(store: Store, action_id: int) -> Action:
    """The action, refused when it is no longer open."""
    action = store.action(action_id)
    if action.status != "open":
        state = "afgerond" if action.status == "done" else "vervallen"
        raise InvalidInput(f"actie #{action.id} is al {state}.")
    return action


def _discussing(store: Store, current: Meeting | None, case_id: str) -> Meeting | None:
    """`current` when the case is on its agenda (then the change is part of its discussion),
    else None: ticked off between agenda items, not a discussion of that case."""
    if current is not None and any(i.case_id == case_id for i in store.items(current)):
        return current
    return None


def complete_action(store: Store, action_id: int, comment: str | None,
                    meeting: Meeting | None = None, day: date | None = None) -> Action:
    """Mark an action done; in an open meeting it counts as discussing the case."""
    with store.transaction():
        current = _meeting_if_any(store, meeting, day)
        action = _open_action(store, action_id)
        return store.complete_action(action, (comment or "").strip() or None,
                                     _discussing(store, current, action.case_id))


def cancel_action(store: Store, action_id: int, reason: str, meeting: Meeting | None = None,
                  day: date | None = None) -> Action:
    """An action that will not be done ("vervallen"), with the reason. Made and cancelled in
    the same meeting, it was a slip: the minutes leave it out."""
    if not reason.strip():
        raise InvalidInput("geef met --reason op waarom de actie vervalt.")
    with store.transaction():
        current = _meeting_if_any(store, meeting, day)
        action = _open_action(store, action_id)
        return store.cancel_action(action, reason.strip(),
                                   _discussing(store, current, action.case_id))


def reopen_action(store: Store, action_id: int, meeting: Meeting | None = None,
                  day: date | None = None) -> Action:
    """Undo `action done` or `action cancel`: the action is open again. Only while the meeting
    it was finished in is open (a closed meeting's minutes do not change underneath)."""
    with store.transaction():
        current = _meeting_if_any(store, meeting, day)
        action = store.action(action_id)
        if action.status == "open":
            raise InvalidInput(f"actie #{action.id} staat al open.")
        if action.done_meeting_id is not None:
            store.require_writable(store.meeting_by_id(action.done_meeting_id))
        return store.reopen_action(action, current)


def edit_action(store: Store, ws: Workspace, case: Case, action_id: int, *,
                owner: str | None = None, who: str | None = None, due: date | None = None,
                text: str | None = None, meeting: Meeting | None = None,
                day: date | None = None) -> Action:
    """Correct an open action's owner, person, deadline or text (`who` '' clears the person).
    The old values are kept; minutes of a meeting closed before the edit show the action as
    it was then."""
    changes: dict[str, str | None] = {}
    if owner is not None:
        changes["owner"] = _owner(ws, case, owner)
    if who is not None:
        changes["who"] = who.strip() or None
    if due is not None:
        changes["due"] = due.isoformat()
    if text is not None:
        if not text.strip():
            raise InvalidInput("de nieuwe tekst is leeg; beschrijf wat er moet gebeuren.")
        changes["text"] = text.strip()
    if not changes:
        raise InvalidInput("geef op wat er verandert: --owner, --who, --due en/of --text.")
    with store.transaction():
        current = _meeting_if_any(store, meeting, day)
        action = _open_action(store, action_id)
        if action.case_id != case.id:
            raise InvalidInput(f'actie #{action.id} hoort bij casus "{action.case_id}".')
        return store.edit_action(action, changes, current)


# --- corrections of numbered records -----------------------------------------------------

_KIND_NAMES = {"attendance": "aanwezigheid", "note": "notitie", "decision": "besluit",
               "review": "vervolgafspraak"}


def kind_name(kind: str) -> str:
    """The Dutch word for a record kind ('besluit')."""
    return _KIND_NAMES[kind]


def active_record(store: Store, number: int) -> tuple[Record, Meeting]:
    """Record #number and its meeting, refused when it was corrected or withdrawn already or
    its meeting is closed (corrected only after `reopen`)."""
    found = store.records(number=number)
    if not found:
        raise InvalidInput(f"#{number} bestaat niet. Zie 'overleg meeting entries'.")
    record_ = found[0]
    if record_.state == "withdrawn":
        raise InvalidInput(f"#{number} is ingetrokken en kan niet meer worden gewijzigd.")
    if record_.state == "corrected":
        newer = [r.id for r in store.records(meeting=store.meeting_by_id(record_.meeting_id))
                 if r.replaces == number]
        where = f"; corrigeer #{newer[-1]}" if newer else ""
        raise InvalidInput(f"#{number} is al gecorrigeerd{where}.")
    return record_, store.require_writable(store.meeting_by_id(record_.meeting_id))


def correct_record(store: Store, ws: Workspace, number: int, text: str) -> Record:
    """Correct record #number with `text`: a new record replaces it (the old one is kept as
    `corrected`). A note or decision takes the new text; attendance 'CODE NAAM', 'NAAM' (same
    agency) or '-...' for apologies; a review a date and/or a status ('12-01', 'nazorg')."""
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("de correctie is leeg; typ de juiste tekst.")
    with store.transaction():
        old, meeting = active_record(store, number)
        if old.kind in ("note", "decision"):
            assert old.case_id is not None
            new_id = store.add_entry(meeting, old.case_id, old.kind, text, replaces=number).id
        elif old.kind == "review":
            assert old.case_id is not None
            next_date, status = _review_values(meeting, *_review_text(text, ws))
            new_id = store.add_review(meeting, old.case_id, next_date, status,
                                      replaces=number).id
        else:
            before = store.attendance_record(number)
            present = not text.startswith("-")
            first, _, rest = text.lstrip("-").strip().partition(" ")
            agency = next((c for c in ws.config.partners if c.lower() == first.lower()), None)
            if agency is None or not rest.strip():
                agency, rest = before.agency, text.lstrip("-").strip()
            if (agency, rest) == (before.agency, before.name):
                if present == before.present:
                    raise InvalidInput(f"#{number} staat al zo vastgelegd.")
                # The same person, now present or absent: the record itself changes.
                store.attend(meeting, agency, rest, present)
                store.audit(f"meeting.correct.attendance.{number}", meeting=meeting.date)
                return store.records(number=number)[0]
            new_id = store.attend(meeting, agency, rest, present, replaces=number)
        store.set_record_state(old, "corrected", meeting)
        return store.records(number=new_id)[0]


def _review_text(text: str, ws: Workspace) -> tuple[date | None, str | None]:
    """'12-01', 'nazorg' or '12-01 nazorg' -> (date, status)."""
    words = text.split()
    statuses = [w.lower() for w in words if w.lower() in STATUSES]
    rest = " ".join(w for w in words if w.lower() not in STATUSES)
    day = dates.parse_date(rest, schedule=ws.config.schema) if rest else None
    return day, statuses[-1] if statuses else None


def withdraw_record(store: Store, number: int, reason: str) -> Record:
    """Withdraw record #number (a slip): gone from every document, kept with its reason."""
    if not reason.strip():
        raise InvalidInput("geef met --reason op waarom dit wordt ingetrokken.")
    with store.transaction():
        old, meeting = active_record(store, number)
        store.set_record_state(old, "withdrawn", meeting, reason.strip())
        return store.records(number=number)[0]


def entry_rows(store: Store, meeting: Meeting,
               case_id: str | None = None) -> list[dict[str, object]]:
    """The `meeting entries --json` shape: every numbered record of the meeting."""
    return [{"id": r.id, "kind": r.kind, "case": r.case_id, "text": r.text, "status": r.state}
            for r in store.records(meeting=meeting, case_id=case_id)]


@dataclass
class CloseResult:
    meeting: Meeting
    written: dict[str, list[str]] = field(default_factory=dict)  # case id -> keys changed
    missing: list[str] = field(default_factory=list)  # discussed cases without a case file
    resumed: bool = False  # this close finished one that was cut off before


def planned_writeback(store: Store, meeting: Meeting, case: Case) -> dict[str, object]:
    """The front-matter values this meeting sets for a discussed case."""
    reviews = store.reviews(meeting, case.id)
    status = next((r.status for r in reversed(reviews) if r.status), None)
    next_date = next((r.next_date for r in reversed(reviews) if r.next_date), None)
    updates: dict[str, object] = {}
    if status is None and case.status == "aangemeld":
        status = "actief"
    if status is not None and status != case.status:
        updates["status"] = status
    if status == "afgesloten" and case.afgesloten_op is None:
        updates["afgesloten_op"] = meeting.date
    if case.agenda:
        updates["agenda"] = False
    if next_date is not None and next_date != case.bespreken:
        updates["bespreken"] = next_date
    return updates


# The lock file of `meeting close`, next to the database: held while a close runs, and let go
# by the system when its process ends, however it ends (kill -9 too). It tells a close that
# runs now from one that was cut off, which the state in the database alone cannot.
CLOSE_LOCK_SUFFIX = "-close"


def close_meeting(store: Store, ws: Workspace, case_set: CaseSet,
                  day: date | None = None) -> CloseResult:
    """Write the discussed cases' new state back into their files, then close the meeting.

    The meeting goes open -> closing -> closed. From `closing` on nothing can be recorded in
    it, so what is written back is all the meeting decided. Every file is then read and its
    new text made in memory; one that cannot take its update stops the close before any file
    is written, and the meeting is open again. A close cut off while writing (kill -9, a full
    disk) leaves the meeting `closing`: the next close finishes it, and keys this meeting
    already wrote (also before a reopen) are not written again. Of two closes at once the
    second is refused.
    """
    with _close_lock(store, ws):
        with store.transaction():
            meeting = store.closing_meeting()
            resumed = meeting is not None
            if meeting is None:
                meeting = store.begin_close(current_meeting(store) if day is None
                                            else meeting_of(store, day))
            elif day is not None and meeting.date != day:
                raise MeetingClosing(meeting.date)
        try:
            plan = _plan_close(store, ws, meeting, case_set)
        except BaseException:
            if not resumed:
                store.cancel_close(meeting)  # nothing was written: as if it never began
            raise
        result = CloseResult(meeting, resumed=resumed)
        for case, updates in plan:
            try:
                changed = write_back(case.path, case.id, updates)
            except StaleCaseFile as exc:  # the file changed since it was planned
                raise StaleCaseFile(
                    f"de vergadering is nog niet helemaal gesloten ({len(result.written)} van "
                    f"{len(plan)} casusbestanden bijgewerkt): {exc.message}. Herstel het "
                    "bestand en maak het sluiten af met 'overleg meeting close'.") from None
            if changed:
                store.record_writeback(meeting, case.id,
                                       {k: _text(updates[k]) for k in changed})
                result.written[case.id] = changed
        result.meeting = store.set_meeting_status(meeting, "closed", "meeting.close")
    return result


def _plan_close(store: Store, ws: Workspace, meeting: Meeting,
                case_set: CaseSet) -> list[tuple[Case, dict[str, object]]]:
    """(case, updates) for each discussed case file that changes, each file's new bytes made
    in memory first (and thrown away: writing re-reads the file, so an edit made meanwhile is
    kept). StaleCaseFile naming every case whose file cannot take its update."""
    from overleg.frontmatter import planned_changes

    by_id = case_set.by_id()
    already = store.writebacks(meeting)
    problems: list[str] = []
    plan: list[tuple[Case, dict[str, object]]] = []
    for case_id in sorted(store.discussed_cases(meeting)):
        case = by_id.get(case_id)
        if case is None:
            problems.append(f'casus "{case_id}" (geen geldig casusbestand gevonden)')
            continue
        updates = {k: v for k, v in planned_writeback(store, meeting, case).items()
                   if already.get(case_id, {}).get(k) != _text(v)}
        try:
            raw = case.path.read_bytes()
        except FileNotFoundError:
            problems.append(f'casus "{case_id}" ({ws.rel(case.path)} is verdwenen)')
            continue
        if not updates:
            continue
        try:
            planned_changes(raw, case.id, updates, name=ws.rel(case.path))
        except StaleCaseFile as exc:
            problems.append(_problem(case_id, exc.message))
            continue
        plan.append((case, updates))
    if problems:
        raise StaleCaseFile("de vergadering is niet gesloten; deze casussen kunnen niet worden "
                            "bijgewerkt: " + "; ".join(problems) + ". Herstel de bestanden "
                            "(zie 'overleg cases check') en sluit opnieuw.")
    return plan


def _problem(case_id: str, message: str) -> str:
    """A write-back refusal as one item of the close's list: 'casus "ID" (what is wrong)'."""
    reason = message.removeprefix(f'casus "{case_id}": ').split("; niets teruggeschreven")[0]
    return f'casus "{case_id}" ({reason})'


@contextmanager
def _close_lock(store: Store, ws: Workspace) -> Iterator[None]:
    """Hold the close lock, or refuse: another `meeting close` is at work right now."""
    path = ws.db_path.with_name(ws.db_path.name + CLOSE_LOCK_SUFFIX)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not try_lock(fd):
            busy = store.closing_meeting() or store.open_meeting() or current_meeting(store)
            raise MeetingClosing(busy.date, busy=True)
        yield
    finally:
        os.close(fd)  # lets go of the lock



def _text(value: object) -> str:
    from overleg.frontmatter import format_value

    return format_value(value)


def reopen_meeting(store: Store, reason: str, day: date | None = None) -> Meeting:
    """Reopen the closed meeting of `day` (default: the most recent closed one); the reason
    is required and kept, and approved minutes go back to concept."""
    if not reason.strip():
        raise InvalidInput("geef met --reason op waarom de vergadering wordt heropend.")
    with store.transaction():
        if (closing := store.closing_meeting()) is not None:
            raise MeetingClosing(closing.date)
        if (open_one := store.open_meeting()) is not None:
            raise MeetingStillOpen(f"de vergadering van {dates.fmt(open_one.date)} is nog "
                                   "open; sluit die eerst.")
        meeting = store.latest_closed() if day is None else store.meeting(day)
        if meeting is None:
            raise MeetingNotFound("er is geen gesloten vergadering om te heropenen." if day is
                                  None else f"er is geen vergadering op {dates.fmt(day)}.")
        if meeting.status != "closed":
            raise InvalidInput(f"de vergadering van {dates.fmt(meeting.date)} is niet "
                               "gesloten; alleen een gesloten vergadering kan worden heropend.")
        return store.reopen_meeting(meeting, reason.strip())


def approve_minutes(store: Store, on: date) -> Meeting:
    """The minutes of the meeting of `on` are approved: no longer CONCEPT."""
    meeting = store.meeting(on)
    if meeting is None:
        raise MeetingNotFound(f"er is geen vergadering op {dates.fmt(on)}. "
                              "Zie 'overleg meeting list'.")
    if meeting.status != "closed":
        raise InvalidInput(f"de vergadering van {dates.fmt(on)} is nog niet gesloten; alleen "
                           "het verslag van een gesloten vergadering kan worden vastgesteld.")
    if meeting.approved_at:
        raise InvalidInput(f"het verslag van {dates.fmt(on)} is al vastgesteld.")
    return store.approve_meeting(meeting)


def meeting_summaries(store: Store) -> list[dict[str, object]]:
    """One row per meeting with counts, oldest first (the `meeting list --json` shape)."""
    return [{"date": m.date.isoformat(), "status": m.status, **store.meeting_counts(m)}
            for m in store.meetings()]


# --- the minutes' data -----------------------------------------------------------------

@dataclass(frozen=True)
class MinutesItem:
    """One agenda item as the minutes tell it."""

    entry: AgendaEntry
    notes: list[Entry]
    decisions: list[Entry]
    new_actions: list[Action]
    earlier_actions: list[Action]  # from earlier meetings: still open, or done in this one
    next_review: date | None
    new_status: str | None
    discussed: bool

    @property
    def case_id(self) -> str:
        return self.entry.slot.case_id


@dataclass(frozen=True)
class Minutes:
    meeting: Meeting
    present: list[Attendance]
    absent: list[Attendance]
    items: list[MinutesItem]
    reopenings: list[Reopening] = field(default_factory=list)
    arrived: dict[int, str] = field(default_factory=dict)  # attendance id -> 'HH:MM' (late)
    left: dict[int, str] = field(default_factory=dict)  # attendance id -> 'HH:MM'

    @property
    def concept(self) -> bool:
        return self.meeting.approved_at is None

    def times(self, person: Attendance) -> str:
        """' (vanaf 10:05)', ' (vertrokken om 11:10)', both or '' for an attendance line."""
        arrived = f" (vanaf {self.arrived[person.id]})" if person.id in self.arrived else ""
        left = f" (vertrokken om {self.left[person.id]})" if person.id in self.left else ""
        return arrived + left

    @property
    def changed_after_approval(self) -> Reopening | None:
        """The last reopening that undid an approval (the minutes say so), if any."""
        return next((r for r in reversed(self.reopenings) if r.approved_at), None)


def minutes_view(store: Store, meeting: Meeting, cases_by_id: Mapping[str, Case],
                 config: Config) -> Minutes:
    """Everything the minutes of `meeting` say, item by item, in agenda order."""
    from overleg.agenda import agenda_view

    view = agenda_view(store, meeting, cases_by_id, config)
    discussed = store.discussed_cases(meeting)
    entries = store.entries(meeting)
    reviews = store.reviews(meeting)
    written = store.writebacks(meeting)
    # An action made and cancelled in this meeting was a slip: not in its minutes.
    new_actions = [a for a in store.actions(meeting=meeting, status=None)
                   if not (a.status == "cancelled" and a.done_meeting_id == meeting.id)]
    meeting_dates = {m.id: m.date for m in store.meetings()}
    items = []
    for entry in view.entries:
        case_id = entry.slot.case_id
        own_reviews = [r for r in reviews if r.case_id == case_id]
        earlier = [shown for a in store.actions(case_id=case_id, status=None)
                   if (shown := _earlier_as_at(a, meeting, meeting_dates)) is not None]
        changes = store.action_changes([a.id for a in (*earlier, *new_actions)
                                        if a.case_id == case_id])
        earlier = [_edited_as_at(a, changes, meeting) for a in earlier]
        items.append(MinutesItem(
            entry=entry,
            notes=[e for e in entries if e.case_id == case_id and e.kind == "note"],
            decisions=[e for e in entries if e.case_id == case_id and e.kind == "decision"],
            new_actions=[_edited_as_at(a, changes, meeting) for a in new_actions
                         if a.case_id == case_id],
            earlier_actions=earlier,
            next_review=next((r.next_date for r in reversed(own_reviews) if r.next_date), None),
            new_status=next((r.status for r in reversed(own_reviews) if r.status),
                            written.get(case_id, {}).get("status")),
            discussed=case_id in discussed,
        ))
    attendance = store.attendance(meeting)
    began = _first_record_at(store, meeting)
    arrived = {a.id: a.at[11:16] for a in attendance
               if a.present and a.at and began and a.at > began}
    left = {a.id: a.left_at[11:16] for a in attendance if a.left_at}
    return Minutes(meeting, [a for a in attendance if a.present],
                   [a for a in attendance if not a.present], items,
                   store.reopenings(meeting), arrived, left)


def _first_record_at(store: Store, meeting: Meeting) -> str | None:
    """When the meeting began to discuss: its first note, decision, review or action."""
    stamps = [e.at for e in store.entries(meeting)] + [r.at for r in store.reviews(meeting)]
    stamps += [a.created_at for a in store.actions(meeting=meeting, status=None)
               if a.created_at]
    return min(stamps, default=None)


def _edited_as_at(action: Action, changes: Sequence[ActionChange],
                  meeting: Meeting) -> Action:
    """An action as it stood when `meeting` closed: edits made after that are undone (the
    minutes of a closed meeting say the same after a later correction)."""
    from dataclasses import replace

    if meeting.status != "closed" or not meeting.closed_at:
        return action
    closed_at = meeting.closed_at
    for change in reversed([c for c in changes if c.action_id == action.id]):
        if change.kind == "edit" and change.at > closed_at:
            old: dict[str, object] = dict(change.old)
            if isinstance(old.get("due"), str):
                old["due"] = date.fromisoformat(str(old["due"]))
            action = replace(action, **old)  # type: ignore[arg-type]
    return action


def _earlier_as_at(action: Action, meeting: Meeting,
                   meeting_dates: Mapping[int, date]) -> Action | None:
    """An earlier action of an item as it stood at `meeting` (None when it is not one).

    Minutes are a record of the meeting: rendered again after later meetings they must say
    the same, so an action finished afterwards still shows as open (or late) here.
    """
    from dataclasses import replace

    far = date.max
    if action.meeting_id == meeting.id:
        return None  # a new action of this meeting
    if action.meeting_id is not None:
        if meeting_dates.get(action.meeting_id, far) > meeting.date:
            return None  # agreed in a later meeting
    elif meeting.opened_at and action.created_at and action.created_at > meeting.opened_at:
        return None  # added between meetings, after this one started
    if action.status == "open" or action.done_meeting_id == meeting.id:
        return action
    if action.done_meeting_id is not None:
        done_after = meeting_dates.get(action.done_meeting_id, far) > meeting.date
    else:
        done_after = bool(meeting.closed_at and action.done_at
                          and action.done_at >= meeting.closed_at)
    if not done_after:
        return None  # finished before this meeting
    return replace(action, status="open", done_at=None, done_meeting_id=None, done_comment=None)


def closed_meeting(store: Store, day: date | None) -> Meeting:
    """The meeting of `day` (what the minutes and mail are about), else the most recent
    closed one."""
    if day is not None:
        found = store.meeting(day)
        if found is None:
            raise MeetingNotFound(f"er is geen vergadering op {dates.fmt(day)}. "
                                  "Zie 'overleg meeting list'.")
        return found
    meeting = store.latest_closed()
    closing = store.closing_meeting()
    if closing is not None and (meeting is None or closing.date > meeting.date):
        raise MeetingClosing(closing.date)  # its minutes are the ones meant, once it is closed
    if meeting is None:
        raise MeetingNotFound("er is nog geen gesloten vergadering. Sluit de vergadering met "
                              "'overleg meeting close' of kies er een met --date.")
    return meeting
