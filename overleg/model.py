"""The domain's records: meetings, agenda items, actions, entries and the rest.

Plain dataclasses (frozen, but for `History`, which the store fills in) with no behaviour
beyond a date check or two. The store makes them from rows; agenda selection, rendering
and the documents read them without importing the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Meeting:
    id: int
    date: date
    status: str  # planned | open | closing | closed
    opened_at: str | None = None
    closed_at: str | None = None
    approved_at: str | None = None
    geheimhouding_read: bool = False
    current_case: str | None = None  # the item the live screen is on
    current_since: str | None = None  # since when (None: the screen is not running)


@dataclass(frozen=True)
class Item:
    id: int
    meeting_id: int
    case_id: str
    position: int
    reasons: tuple[str, ...]
    minutes: int
    added: bool = False  # put on by the chair, not by the rules
    dropped: bool = False
    note: str = ""  # the chair's reason for adding it
    spent: int = 0  # seconds the live screen has been on this item
    question: str = ""  # the case's question as the agenda stated it (searched by `zoek`)


@dataclass(frozen=True)
class Action:
    id: int
    case_id: str
    owner: str
    who: str | None
    text: str
    due: date
    status: str  # open | done | cancelled ("vervallen")
    meeting_id: int | None
    meeting_date: date | None = None
    done_at: str | None = None
    done_meeting_id: int | None = None
    done_comment: str | None = None
    created_at: str | None = None
    condition: str | None = None  # when the action is to be carried out (Uitkomst Overleg)

    def overdue(self, on: date) -> bool:
        return self.status == "open" and self.due < on

    @property
    def done_on(self) -> date | None:
        """The day it was finished (None while open, and for a cancelled action)."""
        return date.fromisoformat(self.done_at[:10]) if self.status == "done" and \
            self.done_at else None

    @property
    def cancel_reason(self) -> str | None:
        return self.done_comment if self.status == "cancelled" else None


# The states of a numbered record (attendance, note, decision, review): a correction makes a
# new record that replaces the old one (`corrected`); a withdrawn one is gone from documents.
RECORD_STATES = ("active", "corrected", "withdrawn")


@dataclass(frozen=True)
class Entry:
    id: int
    meeting_id: int
    case_id: str
    kind: str  # note | decision
    text: str
    at: str
    state: str = "active"
    replaces: int | None = None


@dataclass(frozen=True)
class Review:
    id: int
    meeting_id: int
    case_id: str
    next_date: date | None
    status: str | None
    at: str
    state: str = "active"
    replaces: int | None = None


@dataclass(frozen=True)
class Attendance:
    id: int
    meeting_id: int
    agency: str
    name: str
    present: bool
    at: str | None = None
    left_at: str | None = None
    state: str = "active"
    replaces: int | None = None

    @property
    def here(self) -> bool:
        """At the table now: present and not left."""
        return self.present and self.left_at is None


@dataclass(frozen=True)
class Record:
    """One numbered record of a meeting as `meeting entries` lists it."""

    id: int
    meeting_id: int
    kind: str  # attendance | note | decision | review
    case_id: str | None
    text: str
    state: str  # active | corrected | withdrawn
    replaces: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Reopening:
    at: str
    reason: str
    approved_at: str | None  # the approval this reopening undid, if the minutes were approved

    @property
    def on(self) -> date:
        return date.fromisoformat(self.at[:10])

    @property
    def approved_on(self) -> date | None:
        return date.fromisoformat(self.approved_at[:10]) if self.approved_at else None


@dataclass(frozen=True)
class ActionChange:
    """An edit or cancellation of an action, with the values it had before."""

    action_id: int
    kind: str  # edit | cancel
    old: dict[str, str | None]
    reason: str | None
    at: str
    meeting_id: int | None


@dataclass(frozen=True)
class AuditEntry:
    at: str
    who: str
    action: str
    case_id: str | None
    meeting: str | None


@dataclass(frozen=True)
class Disclosure:
    """One row of the register of disclosures: what left for whom, when, and why."""

    id: int
    at: str
    who: str
    partner: str | None  # None: the chair (or, for an access request, the person)
    addresses: tuple[str, ...]
    kind: str  # agenda | minutes | actions | mail | inzage | export
    format: str  # md | html | txt | docx | xlsx | csv | json | eml | smtp
    meeting: date | None
    cases: tuple[str, ...]
    purpose: str
    basis: str
    file: str | None
    sha256: str


@dataclass(frozen=True)
class AccessRequest:
    """A person's request to see what overleg holds about them (AVG art. 15)."""

    id: int
    cases: tuple[str, ...]
    received: date
    due: date
    status: str  # open | closed
    extended_until: date | None = None
    extend_reason: str | None = None
    closed_at: str | None = None

    @property
    def deadline(self) -> date:
        return self.extended_until or self.due

    def overdue(self, on: date) -> bool:
        return self.status == "open" and self.deadline < on


@dataclass
class History:
    """What earlier meetings mean for agenda selection, per case id."""

    discussed: dict[str, list[date]] = field(default_factory=dict)
    on_closed_agenda: dict[str, list[date]] = field(default_factory=dict)
    open_actions: dict[str, list[Action]] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    """One case asked of one partner in the information round (uitvraag), and its answer."""

    case_id: str
    partner: str
    form: str  # the form id printed on the partner's form
    asked_at: str
    answer: str | None = None  # None: asked | known | not_known | declined
    information: str | None = None
    contact: str | None = None
    answered_at: str | None = None
