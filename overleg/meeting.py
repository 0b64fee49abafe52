"""Recording a meeting on a Store: start, attend, note, decide, review, actions, close."""

from __future__ import annotations

import os
import sys
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
    StaleCaseFile,
)
from overleg.frontmatter import write_back
from overleg.model import Action, Attendance, Entry, Meeting, Review
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


def recording_meeting(store: Store, meeting: Meeting | None = None) -> Meeting:
    """The meeting to record in, as the database has it now: the open one, or `meeting` (the
    one the run screen walks) while nothing closed it. Call inside the recording's write
    transaction, so that a close in another terminal is either wholly before it (refused:
    MeetingClosing or MeetingClosed) or wholly after it (and writes its effect back)."""
    if meeting is None:
        return current_meeting(store)
    return store.require_writable(meeting)


def _meeting_if_any(store: Store, meeting: Meeting | None) -> Meeting | None:
    """For what may also happen between meetings (action add, action done): `meeting` as it
    is now, else the open meeting, else None; never a meeting that is being closed."""
    if meeting is not None:
        return store.require_writable(meeting)
    if (closing := store.closing_meeting()) is not None:
        raise MeetingClosing(closing.date)
    return store.open_meeting()


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
            raise MeetingStillOpen(f"de vergadering van {dates.fmt(other.date)} is nog open. "
                                   "Sluit die eerst met 'overleg meeting close'.")
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
           meeting: Meeting | None = None) -> str:
    """Record who is at the table (or sent apologies) for an agency; returns the agency code."""
    with store.transaction():
        meeting = recording_meeting(store, meeting)
        agency = ws.config.partner_code(code)
        if not name.strip():
            raise InvalidInput("geef de naam van de deelnemer op.")
        store.attend(meeting, agency, name.strip(), present)
    return agency


def record(store: Store, ws: Workspace, case: Case, kind: str, text: str,
           add: bool = False, meeting: Meeting | None = None) -> Entry:
    """A note or decision on a case of the open meeting (or of `meeting`, while it is open)."""
    with store.transaction():
        meeting = recording_meeting(store, meeting)
        if not text.strip():
            raise InvalidInput("de tekst is leeg; typ wat er is besproken of besloten.")
        on_agenda(store, ws, meeting, case, add)
        return store.add_entry(meeting, case.id, kind, text.strip())


def review(store: Store, ws: Workspace, case: Case, next_date: date | None,
           status: str | None, add: bool = False, meeting: Meeting | None = None) -> Review:
    """Next review date and/or new status of a case, written back when the meeting closes."""
    with store.transaction():
        meeting = recording_meeting(store, meeting)
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
        on_agenda(store, ws, meeting, case, add)
        return store.add_review(meeting, case.id, next_date, status)


def add_action(store: Store, ws: Workspace, case: Case, owner: str, who: str | None,
               due: date, text: str, add: bool = False,
               meeting: Meeting | None = None) -> Action:
    """An action with owner agency and deadline; part of the open meeting when there is one.

    With `meeting` (the run screen's) it belongs to that meeting or is refused: once another
    terminal closed it, an action is never stored outside it instead."""
    agency = ws.config.partner_code(owner)
    if agency not in case.partners:
        raise InvalidInput(f'{agency} is geen partner van casus "{case.id}" '
                           f"(partners: {', '.join(case.partners)}).")
    if not text.strip():
        raise InvalidInput("de actie heeft geen tekst; beschrijf wat er moet gebeuren.")
    with store.transaction():
        current = _meeting_if_any(store, meeting)
        if current is not None:
            on_agenda(store, ws, current, case, add)
        return store.add_action(case.id, agency, (who or "").strip() or None, text.strip(),
                                due, current)


def complete_action(store: Store, action_id: int, comment: str | None,
                    meeting: Meeting | None = None) -> Action:
    """Mark an action done; in an open meeting it counts as discussing the case."""
    with store.transaction():
        current = _meeting_if_any(store, meeting)
        action = store.action(action_id)
        if action.status == "done":
            raise InvalidInput(f"actie #{action.id} is al afgerond.")
        if current is not None and not any(i.case_id == action.case_id
                                           for i in store.items(current)):
            current = None  # ticked off between agenda items: not a discussion of that case
        return store.complete_action(action, (comment or "").strip() or None, current)


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


def close_meeting(store: Store, ws: Workspace, case_set: CaseSet) -> CloseResult:
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
                meeting = store.begin_close(current_meeting(store))
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
        if not _try_lock(fd):
            busy = store.closing_meeting() or store.open_meeting() or current_meeting(store)
            raise MeetingClosing(busy.date, busy=True)
        yield
    finally:
        os.close(fd)  # lets go of the lock


def _try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file without waiting; False when another has it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _text(value: object) -> str:
    from overleg.frontmatter import format_value

    return format_value(value)


def reopen_meeting(store: Store, reason: str) -> Meeting:
    """Reopen the most recent closed meeting; the reason is required and kept."""
    if not reason.strip():
        raise InvalidInput("geef met --reason op waarom de vergadering wordt heropend.")
    with store.transaction():
        if (closing := store.closing_meeting()) is not None:
            raise MeetingClosing(closing.date)
        if (open_one := store.open_meeting()) is not None:
            raise MeetingStillOpen(f"de vergadering van {dates.fmt(open_one.date)} is nog "
                                   "open; sluit die eerst.")
        meeting = store.latest_closed()
        if meeting is None:
            raise MeetingNotFound("er is geen gesloten vergadering om te heropenen.")
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

    @property
    def concept(self) -> bool:
        return self.meeting.approved_at is None


def minutes_view(store: Store, meeting: Meeting, cases_by_id: Mapping[str, Case],
                 config: Config) -> Minutes:
    """Everything the minutes of `meeting` say, item by item, in agenda order."""
    from overleg.agenda import agenda_view

    view = agenda_view(store, meeting, cases_by_id, config)
    discussed = store.discussed_cases(meeting)
    entries = store.entries(meeting)
    reviews = store.reviews(meeting)
    written = store.writebacks(meeting)
    new_actions = store.actions(meeting=meeting, status=None)
    meeting_dates = {m.id: m.date for m in store.meetings()}
    items = []
    for entry in view.entries:
        case_id = entry.slot.case_id
        own_reviews = [r for r in reviews if r.case_id == case_id]
        earlier = [shown for a in store.actions(case_id=case_id, status=None)
                   if (shown := _earlier_as_at(a, meeting, meeting_dates)) is not None]
        items.append(MinutesItem(
            entry=entry,
            notes=[e for e in entries if e.case_id == case_id and e.kind == "note"],
            decisions=[e for e in entries if e.case_id == case_id and e.kind == "decision"],
            new_actions=[a for a in new_actions if a.case_id == case_id],
            earlier_actions=earlier,
            next_review=next((r.next_date for r in reversed(own_reviews) if r.next_date), None),
            new_status=next((r.status for r in reversed(own_reviews) if r.status),
                            written.get(case_id, {}).get("status")),
            discussed=case_id in discussed,
        ))
    attendance = store.attendance(meeting)
    return Minutes(meeting, [a for a in attendance if a.present],
                   [a for a in attendance if not a.present], items)


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
