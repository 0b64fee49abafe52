"""A mailing: which meeting it is about, every partner's draft through the disclosure gate,
and sending them with each accepted message on the register."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from overleg.documents import Request, Sources, disclose, mail_recipients, record_sent
from overleg.errors import MeetingNotFound

if TYPE_CHECKING:
    from overleg.config import MailConfig
    from overleg.mail import Batch, Delivery, Outgoing
    from overleg.model import Meeting
    from overleg.store import Store


def mailing_meeting(store: Store, kind: str, day: date | None, today: date) -> Meeting:
    """The meeting a mailing is about: --date, else the next planned one (agenda) or the
    most recent closed one (minutes)."""
    from overleg.meeting import closed_meeting

    if kind != "agenda":
        return closed_meeting(store, day)
    from overleg.agenda import meeting_for

    meeting = meeting_for(store, day) if day else store.next_planned(today)
    if meeting is None:
        raise MeetingNotFound("er is geen geplande vergadering. Maak de agenda met "
                              "'overleg agenda build' of kies er een met --date.")
    return meeting


def sent_before(store: Store, batch: Batch) -> list[str]:
    """Partners of the batch that already received this mailing."""
    already = store.mailings(batch.meeting, batch.kind)
    return [o.partner for o in batch.messages if o.partner in already]


def send_mailing(store: Store, batch: Batch, mail: MailConfig, password: str | None,
                 on_result: Callable[[Delivery], None]) -> int:
    """Send every message of the batch; each one the server accepts goes on the register
    at once. Returns how many were not sent."""
    from overleg.mail import send_all

    by_partner = {o.partner: o for o in batch.messages}
    failures = 0

    def record(delivery: Delivery) -> None:
        nonlocal failures
        if delivery.ok:
            record_delivery(store, by_partner[delivery.partner], batch.meeting, batch.kind)
        else:
            failures += 1
        on_result(delivery)

    send_all(batch.messages, mail, password, record)
    return failures


def mail_drafts(src: Sources, meeting: Meeting, of: str, folder: Path) -> Batch:
    """Every partner's e-mail of a mailing (`of`: agenda or minutes) as an .eml draft in
    `folder`, each through the gate; partners without an address are not reached."""
    from overleg.mail import Batch, Outgoing

    reached, not_reached = mail_recipients(src, meeting, of)
    stem = f"{'agenda' if of == 'agenda' else 'verslag'}-{meeting.date.isoformat()}"
    messages = []
    for code in reached:
        done = disclose(src, Request("mail", "eml", code, meeting, {"of": of}),
                        folder / f"{stem}-{code}.eml")
        assert done.message is not None
        messages.append(Outgoing(code, src.ws.config.partners[code].email, done.message,
                                 done.path, done))
    return Batch(meeting, of, messages, not_reached)


def record_delivery(store: Store, outgoing: Outgoing, meeting: Meeting, of: str) -> None:
    """A message the server accepted: the mailing (for re-send warnings) and its own row in
    the register (format `smtp`, the addresses it went to), in one transaction."""
    from overleg.mail import sent_bytes

    assert outgoing.disclosed is not None, "a sent message was drafted through the gate"
    with store.transaction():
        store.record_mailing(meeting, of, outgoing.partner, outgoing.recipients)
        record_sent(store, outgoing.disclosed, outgoing.recipients,
                    sent_bytes(outgoing.message), of)
