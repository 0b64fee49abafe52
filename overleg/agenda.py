"""The agenda: rule-based selection, order and time slots (pure), and agenda edits on a Store.

The top half is pure: cases, the history of earlier meetings, a date and the config go
in, an ordered list comes out (DESIGN 4). The bottom half is a thin layer of operations
on a Store (build, view, add, drop, move) that the `agenda` and `meeting` commands share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any, Protocol

from overleg import dates
from overleg.cases import PRIORITIES, Case
from overleg.config import Config
from overleg.errors import (
    InvalidInput,
    MeetingClosed,
    MeetingNotFound,
    MeetingStarted,
)
from overleg.model import Action, Answer, History, Item, Meeting
from overleg.triage import awaits_triage

REASON_LABELS: dict[str, str] = {
    "new": "nieuwe aanmelding",
    "requested": "op verzoek",
    "review": "evaluatie",
    "actions_due": "acties verlopen",
    "supervision_ending": "toezicht loopt af",
    "carried_over": "aangehouden",
}
_PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}


# --- pure: selection and order ---------------------------------------------------------

@dataclass(frozen=True)
class Selected:
    """A case the rules put on the agenda of one date."""

    case_id: str
    reasons: tuple[str, ...]  # in REASON_LABELS order
    trigger: date  # the earliest trigger date of its reasons
    minutes: int


def minutes_for(case: Case, config: Config) -> int:
    """An item's time box: the case's `minuten`, else `nieuw` for a new case, else `standaard`."""
    if case.minuten is not None:
        return case.minuten
    return config.minuten_nieuw if case.status == "aangemeld" else config.minuten_standaard


def reasons_for(case: Case, history: History, on: date, config: Config) -> dict[str, date]:
    """reason code -> trigger date, for every reason of DESIGN 4 that holds for `case` on `on`.

    Only history of meetings before `on` counts; later entries in `history` are ignored.
    With triage on, a referral (`aangemeld`) waits for the outcome casusoverleg.
    """
    if case.status == "afgesloten" or awaits_triage(case, config):
        return {}
    discussed = sorted(d for d in history.discussed.get(case.id, ()) if d < on)
    last_discussed = discussed[-1] if discussed else None

    def discussed_since(start: date) -> bool:
        return last_discussed is not None and last_discussed >= start

    found: dict[str, date] = {}
    if case.status == "aangemeld":
        found["new"] = case.aangemeld_op
    if case.agenda:
        found["requested"] = on
    if case.bespreken is not None and case.bespreken <= on \
            and not discussed_since(case.bespreken):
        found["review"] = case.bespreken
    due = [a.due for a in history.open_actions.get(case.id, ())
           if a.status == "open" and a.due <= on
           and (a.meeting_date is None or a.meeting_date < on)]
    if due:
        found["actions_due"] = min(due)
    einde = case.toezicht.einde if case.toezicht else None
    window = timedelta(days=config.toezicht_dagen)
    if einde is not None and on < einde <= on + window \
            and not discussed_since(einde - window):
        found["supervision_ending"] = einde
    # Carried over since the first closed meeting after the last discussion (the longest wait).
    postponed = sorted(d for d in history.on_closed_agenda.get(case.id, ())
                       if d < on and (last_discussed is None or d > last_discussed))
    if postponed:
        found["carried_over"] = postponed[0]
    return {code: found[code] for code in REASON_LABELS if code in found}


def select_agenda(cases: Iterable[Case], history: History, on: date,
                  config: Config) -> list[Selected]:
    """The cases on the agenda of `on`, ordered by priority, earliest trigger date, then id."""
    selected: list[tuple[int, Selected]] = []
    for case in cases:
        found = reasons_for(case, history, on, config)
        if found:
            rank = _PRIORITY_RANK.get(case.prioriteit, _PRIORITY_RANK["midden"])
            selected.append((rank, Selected(case.id, tuple(found), min(found.values()),
                                            minutes_for(case, config))))
    selected.sort(key=lambda pair: (pair[0], pair[1].trigger, pair[1].case_id))
    return [s for _, s in selected]


# --- pure: time slots ------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    """An agenda item with its place in time."""

    position: int  # 1..n in agenda order
    case_id: str
    reasons: tuple[str, ...]
    minutes: int
    start: time
    end: time
    fits: bool  # ends no later than begintijd + duur
    added: bool  # put on by the chair
    note: str  # the chair's reason for adding it


ADDED_LABEL = "toegevoegd door de voorzitter"


def slot_reasons(slot: Slot) -> list[str]:
    """Why an item is on the agenda, as the documents list it: the rules' reasons, then the
    chair's addition with the reason given (`agenda add --reason`)."""
    reasons = [REASON_LABELS.get(code, code) for code in slot.reasons]
    if slot.added or slot.note or not reasons:
        reasons.append(f"{ADDED_LABEL}: {slot.note}" if slot.note else ADDED_LABEL)
    return reasons


def reasons_text(slot: Slot) -> str:
    """'evaluatie, acties verlopen; toegevoegd door de voorzitter: vraag van de GGZ'."""
    rules = [REASON_LABELS.get(code, code) for code in slot.reasons]
    extra = slot_reasons(slot)[len(rules):]
    return "; ".join(part for part in (", ".join(rules), *extra) if part)


def reasons_heading(slot: Slot) -> str:
    """'Reden' for one reason, 'Redenen' for more."""
    return "Reden" if len(slot_reasons(slot)) == 1 else "Redenen"


def _clock(minutes: int) -> time:
    minutes %= 24 * 60
    return time(minutes // 60, minutes % 60)


def meeting_end(config: Config) -> time:
    """The scheduled end of a meeting: begintijd + duur."""
    return _clock(config.begintijd.hour * 60 + config.begintijd.minute + config.duur)


def time_slots(items: Sequence[Item], config: Config) -> list[Slot]:
    """Start and end times for `items` in the order given, counted from `begintijd`."""
    begin = config.begintijd.hour * 60 + config.begintijd.minute
    limit = begin + config.duur
    slots: list[Slot] = []
    at = begin
    for position, item in enumerate(items, start=1):
        end = at + item.minutes
        slots.append(Slot(position, item.case_id, item.reasons, item.minutes, _clock(at),
                          _clock(end), end <= limit, item.added, item.note))
        at = end
    return slots


# --- operations on a Store -------------------------------------------------------------
# Thin: each reads what it needs, checks the meeting's state and makes one logged change.

class AgendaStore(Protocol):
    """What the agenda operations use of a store: overleg.store.Store is one. A Protocol
    keeps this module free of the store (and of SQL) while the operations stay typed."""

    def transaction(self) -> AbstractContextManager[object]: ...
    def meeting(self, on: date) -> Meeting | None: ...
    def create_meeting(self, on: date) -> Meeting: ...
    def delete_planned_meeting(self, meeting: Meeting) -> bool: ...
    def mailings(self, meeting: Meeting, kind: str) -> dict[str, str]: ...
    def open_meeting(self) -> Meeting | None: ...
    def next_planned(self, on_or_after: date) -> Meeting | None: ...
    def history(self, before: date) -> History: ...
    def items(self, meeting: Meeting, include_dropped: bool = False) -> list[Item]: ...
    def replace_items(self, meeting: Meeting, items: Sequence[Item], action: str) -> None: ...
    def insert_item(self, meeting: Meeting, item: Item, action: str) -> None: ...
    def update_item(self, meeting: Meeting, item: Item, action: str,
                    **changes: Any) -> None: ...
    def reorder(self, meeting: Meeting, case_ids: Sequence[str]) -> None: ...
    def actions(self, *, status: str | None = "open",
                case_ids: Sequence[str] | None = None) -> list[Action]: ...
    def audit(self, action: str, case_id: str | None = None,
              meeting: date | None = None) -> None: ...


@dataclass(frozen=True)
class AgendaEntry:
    """One agenda line with everything a document or screen needs."""

    slot: Slot
    case: Case | None  # None when the case file vanished or broke since the agenda was built
    open_actions: list[Action]  # open actions from earlier meetings (or none), by deadline
    # The information round's answers (uitvraag): filled in for the chair's documents only.
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True)
class AgendaView:
    """A stored agenda with its time slots, cases and open actions."""

    meeting: Meeting
    entries: list[AgendaEntry]
    total_minutes: int
    end: time  # when the last item ends
    fits: bool  # total_minutes <= duur


def _fmt(on: date) -> str:
    return dates.fmt(on)


def _refuse_closed(meeting: Meeting, what: str) -> None:
    if meeting.status == "closed":
        raise MeetingClosed(meeting.date)


def _refuse_started(meeting: Meeting, what: str) -> None:
    _refuse_closed(meeting, what)
    if meeting.status == "open":
        raise MeetingStarted(f"de vergadering van {_fmt(meeting.date)} is al begonnen; {what}. "
                           "Dat kan alleen zolang de agenda gepland is.")


def _items_from(selected: Sequence[Selected]) -> list[Item]:
    return [Item(0, 0, s.case_id, position, s.reasons, s.minutes)
            for position, s in enumerate(selected, start=1)]


def build_agenda(store: AgendaStore, cases: Sequence[Case], on: date, config: Config,
                 keep: bool = False) -> tuple[Meeting, bool]:
    """Select and store the planned agenda of `on`; (meeting, True when it replaced one).

    Without `keep` the stored agenda is replaced by the rule selection. With `keep` the
    selection is redone but the chair's edits survive: items the chair added stay (with
    their minutes), dropped items stay dropped, and every item that remains keeps its
    relative order; cases newly selected by the rules follow at the end in rule order.
    Rule items no longer selected leave the agenda; all items get fresh reasons.
    """
    with store.transaction():  # one write transaction: a second `build` waits for this one
        meeting = store.meeting(on)
        existed = meeting is not None
        if meeting is None:
            meeting = store.create_meeting(on)
        else:
            _refuse_started(meeting, "de agenda kan niet opnieuw worden opgebouwd")
        selected = select_agenda(cases, store.history(before=on), on, config)
        old = store.items(meeting, include_dropped=True)
        if keep and old:
            items, action = _keep_edits(old, selected), "agenda.rebuild_keep"
        else:
            items, action = _items_from(selected), "agenda.rebuild" if existed else "agenda.build"
        # Each item keeps the question its case asks now: what the agenda put to the table.
        questions = {case.id: case.question for case in cases}
        items = [replace(item, question=questions.get(item.case_id, item.question))
                 for item in items]
        store.replace_items(meeting, items, action)
    return meeting, existed


def _keep_edits(old: Sequence[Item], selected: Sequence[Selected]) -> list[Item]:
    by_id = {s.case_id: s for s in selected}
    known = {item.case_id for item in old}
    kept: list[Item] = []
    for item in old:
        rule = by_id.get(item.case_id)
        reasons = rule.reasons if rule else ()
        if item.dropped:
            kept.append(replace(item, reasons=reasons or item.reasons))
        elif item.added:
            kept.append(replace(item, reasons=reasons))
        elif rule is not None:
            kept.append(replace(item, reasons=rule.reasons, minutes=rule.minutes))
    kept += [item for item in _items_from(selected) if item.case_id not in known]
    # Live items first, in their kept order; dropped ones after them, as stored.
    live = [i for i in kept if not i.dropped]
    gone = [i for i in kept if i.dropped]
    return [replace(item, position=n) for n, item in enumerate(live + gone, start=1)]


def agenda_view(store: AgendaStore, meeting: Meeting, cases_by_id: Mapping[str, Case],
                config: Config) -> AgendaView:
    """The stored agenda of `meeting` with time slots, cases and their earlier open actions."""
    slots = time_slots(store.items(meeting), config)
    ids = [slot.case_id for slot in slots]
    actions: dict[str, list[Action]] = {}
    for action in store.actions(status="open", case_ids=ids):
        if action.meeting_date is None or action.meeting_date < meeting.date:
            actions.setdefault(action.case_id, []).append(action)
    entries = [AgendaEntry(slot, cases_by_id.get(slot.case_id), actions.get(slot.case_id, []))
               for slot in slots]
    total = sum(slot.minutes for slot in slots)
    begin = config.begintijd.hour * 60 + config.begintijd.minute
    return AgendaView(meeting, entries, total, _clock(begin + total), total <= config.duur)


def _find(store: AgendaStore, meeting: Meeting, case_id: str) -> Item:
    """The item of `case_id` (the whole id, or a unique last part such as '014')."""
    items = store.items(meeting, include_dropped=True)
    text = case_id.strip()
    item = next((i for i in items if i.case_id == text), None)
    if item is None:
        matches = [i for i in items if text and i.case_id.endswith(text)]
        if len(matches) > 1:
            raise InvalidInput(f"'{text}' past bij meer casussen op de agenda "
                               f"({', '.join(i.case_id for i in matches)}); typ het hele id.")
        item = matches[0] if matches else None
    iso = meeting.date.isoformat()
    if item is None:
        raise InvalidInput(f'casus "{text}" staat niet op de agenda van '
                           f"{_fmt(meeting.date)}. Zie 'overleg agenda show --date {iso}'.")
    if item.dropped:
        raise InvalidInput(f'casus "{item.case_id}" is al van de agenda van '
                           f"{_fmt(meeting.date)} gehaald. Zet hem terug met 'overleg agenda "
                           f"add {item.case_id} --date {iso}'.")
    return item


def add_to_agenda(store: AgendaStore, meeting: Meeting, case: Case, config: Config,
                  reason: str | None, minutes: int | None) -> Item:
    """Put a case on a planned or open agenda, at the end (a dropped item is restored).

    The item carries the rule reasons the case has on the meeting date (often none) and
    the chair's `reason` as its note; minutes default as for a selected item.
    """
    _refuse_closed(meeting, "er kan niets meer op de agenda")
    items = store.items(meeting, include_dropped=True)
    live = [i for i in items if not i.dropped]
    existing = next((i for i in items if i.case_id == case.id), None)
    if existing is not None and not existing.dropped:
        raise InvalidInput(f'casus "{case.id}" staat al op de agenda van '
                           f"{_fmt(meeting.date)} (punt {live.index(existing) + 1}).")
    position = len(live) + 1
    with store.transaction():
        if existing is not None:
            changes: dict[str, object] = {"dropped": 0, "position": position}
            if minutes is not None:
                changes["minutes"] = minutes
            if reason is not None:
                changes["note"] = reason
            store.update_item(meeting, existing, "agenda.restore", **changes)
        else:
            found = reasons_for(case, store.history(before=meeting.date), meeting.date, config)
            item = Item(0, meeting.id, case.id, position, tuple(found),
                        minutes if minutes is not None else minutes_for(case, config),
                        added=True, note=reason or "", question=case.question)
            store.insert_item(meeting, item, "agenda.add")
        store.reorder(meeting, [i.case_id for i in live] + [case.id])
    return next(i for i in store.items(meeting) if i.case_id == case.id)


def drop_from_agenda(store: AgendaStore, meeting: Meeting, case_id: str) -> Item:
    """Take an item off a planned agenda; it stays dropped when the agenda is rebuilt --keep.
    The item as it was (its case id in full)."""
    _refuse_started(meeting, "punten kunnen niet meer van de agenda")
    item = _find(store, meeting, case_id)
    rest = [i.case_id for i in store.items(meeting) if i.case_id != item.case_id]
    with store.transaction():
        store.update_item(meeting, item, "agenda.drop", dropped=1, position=len(rest) + 1)
        store.reorder(meeting, rest)
    return item


def move_on_agenda(store: AgendaStore, meeting: Meeting, case_id: str, position: int) -> Item:
    """Move an item of a planned agenda to `position` (1..n); the others shift up or down.
    The item as it was (its case id in full)."""
    _refuse_started(meeting, "de volgorde ligt vast")
    item = _find(store, meeting, case_id)
    order = [i.case_id for i in store.items(meeting) if i.case_id != item.case_id]
    if not 1 <= position <= len(order) + 1:
        raise InvalidInput(f"positie {position} bestaat niet: de agenda van "
                           f"{_fmt(meeting.date)} heeft {len(order) + 1} punten; kies 1 tot "
                           f"en met {len(order) + 1}.")
    order.insert(position - 1, item.case_id)
    with store.transaction():
        store.reorder(meeting, order)
        store.audit("agenda.move", item.case_id, meeting.date)
    return item


_NOT_PLANNED = {"open": "is geopend", "closing": "wordt gesloten", "closed": "is gesloten"}


def delete_agenda(store: AgendaStore, meeting: Meeting) -> list[str]:
    """Remove a planned meeting made by mistake, with its agenda; the partners its agenda was
    mailed to (they are not told). A meeting that has started is refused: what a meeting
    recorded is never erased."""
    if meeting.status != "planned":
        state = _NOT_PLANNED.get(meeting.status, "is begonnen")
        raise MeetingStarted(f"de vergadering van {_fmt(meeting.date)} {state}; alleen een "
                             "geplande vergadering (nog niet gestart) kan worden verwijderd. "
                             "Wat in een vergadering is vastgelegd, blijft bewaard.")
    mailed = list(store.mailings(meeting, "agenda"))
    if not store.delete_planned_meeting(meeting):
        raise MeetingStarted(f"de vergadering van {_fmt(meeting.date)} is intussen gestart of "
                             "gewijzigd en is niet verwijderd. Zie 'overleg meeting list'.")
    return mailed


def meeting_for(store: AgendaStore, on: date) -> Meeting:
    """The stored meeting of `on`, or MeetingNotFound saying how to build its agenda."""
    meeting = store.meeting(on)
    if meeting is None:
        raise MeetingNotFound(f"geen agenda voor {_fmt(on)}; maak er een met "
                              f"'overleg agenda build --date {on.isoformat()}'")
    return meeting


def default_date(store: AgendaStore, config: Config) -> date:
    """What a command without --date means: the open meeting, else the next planned one,
    else the next date of the schedule, else today (all on or after today; after today
    when today's meeting is over)."""
    if (meeting := store.open_meeting()) is not None:
        return meeting.date
    today = dates.today()
    if (meeting := store.next_planned(today)) is not None:
        return meeting.date
    start = next_unheld(store, today)
    if config.schema and (found := dates.next_meeting(config.schema, start)) is not None:
        return found
    return today


def next_unheld(store: AgendaStore, today: date) -> date:
    """Where the coming meetings start: today, or tomorrow when today's meeting is closed
    (or being closed) already."""
    held = store.meeting(today)
    if held is not None and held.status in ("closing", "closed"):
        return today + timedelta(days=1)
    return today
