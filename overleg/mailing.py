"""A mailing: which meeting it is about, every partner's draft through the disclosure gate
(signed and encrypted where `[mail]` says so), and sending that resumes.

Sending keeps every message on record from before its first byte leaves until the server's
answer: `pending`, then `awaiting` just before the end of its data goes out, then `sent`,
`partial`, `failed`, or, found by the next run after a crash while awaiting, `doubt`. Each
step is one transaction with its register row and audit line (documents.record_sent). A
rerun sends only what was not accepted, says what it skips, and sends a message in doubt
or accepted before only with `--again`. One `mail --send` at a time (a lock file).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg.documents import Request, Sources, disclose, mail_recipients, record_sent
from overleg.errors import MailError, MeetingNotFound
from overleg.files import try_lock

if TYPE_CHECKING:
    from overleg.config import Config, MailConfig
    from overleg.mail import Batch, Delivery, Outgoing
    from overleg.model import Meeting
    from overleg.smime import Security
    from overleg.store import Store
    from overleg.workspace import Workspace

SEND_LOCK_SUFFIX = "-mail"  # overleg.db-mail: held by the one `mail --send` at work


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


def resolve(root: Path, name: str) -> Path:
    """A file named in overleg.toml (certificates, keys, CAs): relative to the workspace, or
    absolute (~ expanded)."""
    path = Path(name).expanduser()
    return path if path.is_absolute() else root / path


# --- drafts --------------------------------------------------------------------------------

def uses_smime(config: Config) -> bool:
    """Whether a mailing signs or encrypts (and so needs the `cryptography` package)."""
    return bool(config.mail.ondertekenen) or (
        config.mail.versleutelen != "nee"
        and any(p.certificaat for p in config.partners.values()))


def mail_drafts(src: Sources, meeting: Meeting, of: str, folder: Path,
                passphrase: Callable[[], str | None] | None = None) -> Batch:
    """Every partner's e-mail of a mailing (`of`: agenda or minutes) as an .eml draft in
    `folder`, each through the gate; partners without an address are not reached, nor are
    those that `[mail] versleutelen` refuses to send to in clear (their old draft, if any,
    is removed: a draft on disk holds no case data in clear where encryption is asked for).
    `passphrase`: asked for the sender's PKCS#12 when it has a password."""
    from overleg.mail import Batch, Outgoing

    config = src.ws.config
    reached, not_reached = mail_recipients(src, meeting, of)
    security: Security | None = None
    if uses_smime(config):
        from overleg.smime import mail_security

        security = mail_security(config, src.ws.root, reached, src.today,
                                 passphrase or (lambda: None))
    stem = f"{'agenda' if of == 'agenda' else 'verslag'}-{meeting.date.isoformat()}"
    messages = []
    refused: list[tuple[str, str]] = []
    for code in reached:
        path = folder / f"{stem}-{code}.eml"
        options: dict[str, Any] = {"of": of}
        encrypted = signed = False
        if security is not None:
            plan = security.partners[code]
            if plan.refused:
                why = plan.refused
                if path.is_file():
                    path.unlink()
                    why += f"; het oude concept {path.name} is verwijderd"
                refused.append((code, why))
                continue
            options["protect"] = security.protector(code)
            encrypted, signed = plan.encrypt, security.signer is not None
        done = disclose(src, Request("mail", "eml", code, meeting, options), path)
        assert done.message is not None
        messages.append(Outgoing(code, config.partners[code].email, done.message, done.path,
                                 done, encrypted, signed))
    return Batch(meeting, of, messages, not_reached, refused, protected=security is not None)


# --- what a rerun sends -------------------------------------------------------------------

@dataclass(frozen=True)
class Interrupted:
    """A message whose sending a crash cut off, found (and settled) by this run."""

    partner: str
    state: str  # failed: cut off before it was handed over | doubt: the server may have it
    at: str  # when that attempt began


@dataclass(frozen=True)
class SendPlan:
    """What `mail --send` does with a batch."""

    messages: list[Outgoing]  # to send; a message accepted by some addresses: to the rest
    skipped: list[tuple[str, str]]  # (partner, why) in Dutch
    interrupted: list[Interrupted]
    again: list[str]  # partners sent to a second time (--again)
    rest_only: dict[str, tuple[str, ...]]  # partner -> addresses that had it already


def settle_interrupted(store: Store, meeting: Meeting, kind: str) -> list[Interrupted]:
    """Messages a crash left pending or awaiting: pending ones never reached the server
    whole (failed, sent again); awaiting ones are in doubt. Each gets its register row and
    audit line now. Call under `sending_lock`, or a running send looks like a crash."""
    found = []
    for row in store.mailing_rows(meeting, kind):
        if row["state"] not in ("pending", "awaiting"):
            continue
        doubt = row["state"] == "awaiting"
        attempt = store.disclosures(disclosure_id=row["disclosure_id"])[0]
        with store.transaction():
            if doubt:
                store.settle_mailing(row["id"], "doubt", detail="afgebroken terwijl de server "
                                     "het bericht ontving; onbekend of het is aangekomen")
            else:
                store.settle_mailing(row["id"], "failed", detail="afgebroken voordat het "
                                     "bericht helemaal was overgedragen")
            record_sent(store, attempt, row["recipients"], row["sha256"], kind,
                        "doubt" if doubt else "failed")
        found.append(Interrupted(row["partner"], "doubt" if doubt else "failed",
                                 row["sent_at"]))
    return found


def plan_sending(store: Store, batch: Batch, again: Collection[str] = ()) -> SendPlan:
    """Which messages of the batch go: not those the server accepted before (for every
    address) or that are in doubt, unless the partner is in `again`; a message accepted by
    some of its addresses goes to the others only."""
    history: dict[str, list[dict[str, Any]]] = {}
    for row in store.mailing_rows(batch.meeting, batch.kind):
        history.setdefault(row["partner"], []).append(row)
    plan = SendPlan([], [], [], [], {})
    for outgoing in batch.messages:
        code = outgoing.partner
        accepted: set[str] = set()
        doubt_since = last = ""
        for row in history.get(code, []):  # oldest first: a later send settles a doubt
            if row["state"] in ("sent", "partial"):
                accepted |= set(row["accepted"])
                last = row["settled_at"] or row["sent_at"]
                doubt_since = "" if row["state"] == "sent" else doubt_since
            elif row["state"] == "doubt":
                doubt_since = row["sent_at"]
        if code in again:
            plan.messages.append(outgoing)
            if accepted or doubt_since:
                plan.again.append(code)
            continue
        if doubt_since:
            plan.skipped.append((code, f"in twijfel sinds {when(doubt_since)}: misschien "
                                       f"al aangekomen; opnieuw met --again {code}"))
            continue
        rest = tuple(a for a in outgoing.recipients if a not in accepted)
        if not rest:
            plan.skipped.append((code, f"al verstuurd op {when(last)}; opnieuw met "
                                       f"--again {code}"))
            continue
        if accepted:
            plan.rest_only[code] = tuple(a for a in outgoing.recipients if a in accepted)
            outgoing = replace(outgoing, recipients=rest)
        plan.messages.append(outgoing)
    return plan


def when(stamp: str) -> str:
    """'2026-12-02T10:01:33' as '02-12-2026 10:01'."""
    from overleg.dates import fmt

    return f"{fmt(date.fromisoformat(stamp[:10]))} {stamp[11:16]}" if stamp else "?"


@contextmanager
def sending_lock(ws: Workspace) -> Iterator[None]:
    """Hold the send lock for the whole of a `mail --send`, or refuse: two at once would
    both send what neither has on record yet (and each would take the other's messages at
    work for a crash). The lock goes with the process, also after kill -9."""
    path = ws.db_path.with_name(ws.db_path.name + SEND_LOCK_SUFFIX)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not try_lock(fd):
            raise MailError("er wordt al verstuurd door een andere opdracht ('overleg mail "
                            "--send'); wacht tot die klaar is en probeer het dan opnieuw.")
        yield
    finally:
        os.close(fd)



# --- sending -------------------------------------------------------------------------------

def send_mailing(store: Store, batch: Batch, messages: Sequence[Outgoing], mail: MailConfig,
                 password: str | None, on_result: Callable[[Delivery], None],
                 ca_file: Path | None = None) -> int:
    """Send `messages` (of `batch`, as `plan_sending` chose them), each on record from before
    it leaves until the server's answer. Returns how many were not accepted whole."""
    from overleg.mail import send_all

    recorder = _Recorder(store, batch)
    failures = 0

    def settle(delivery: Delivery) -> None:
        nonlocal failures
        recorder.settle(delivery)
        failures += not delivery.ok
        on_result(delivery)

    send_all(messages, mail, password, settle, recorder, ca_file)
    return failures


class _Recorder:
    """The Tracker of a send: each step of each message as one transaction."""

    def __init__(self, store: Store, batch: Batch) -> None:
        self.store = store
        self.batch = batch
        self.current: dict[str, tuple[int, Any, str, tuple[str, ...]]] = {}

    def begin(self, outgoing: Outgoing) -> None:
        from overleg.mail import sent_bytes

        assert outgoing.disclosed is not None, "a sent message was drafted through the gate"
        digest = hashlib.sha256(sent_bytes(outgoing.message)).hexdigest()
        store, batch = self.store, self.batch
        with store.transaction():
            attempt = record_sent(store, outgoing.disclosed.row, outgoing.recipients, digest,
                                  batch.kind, "attempt")
            mailing_id = store.begin_mailing(batch.meeting, batch.kind, outgoing.partner,
                                             outgoing.recipients,
                                             str(outgoing.message["Message-ID"] or ""),
                                             digest, attempt.id)
        self.current[outgoing.partner] = (mailing_id, attempt, digest, outgoing.recipients)

    def ending(self, outgoing: Outgoing) -> None:
        self.store.mailing_awaiting(self.current[outgoing.partner][0])

    def settle(self, delivery: Delivery) -> None:
        mailing_id, attempt, digest, recipients = self.current.pop(delivery.partner)
        store, kind = self.store, self.batch.kind
        with store.transaction():
            store.settle_mailing(mailing_id, delivery.outcome, delivery.accepted,
                                 delivery.detail)
            if delivery.accepted:
                record_sent(store, attempt, delivery.accepted, digest, kind, "sent")
            if delivery.doubt:
                record_sent(store, attempt, recipients, digest, kind, "doubt")
            elif rest := [a for a in recipients if a not in delivery.accepted]:
                record_sent(store, attempt, rest, digest, kind, "failed")
