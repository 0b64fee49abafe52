"""Retention (bewaartermijn): which closed cases' meeting records may go, and removing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from overleg.cases import Case
from overleg.config import Config
from overleg.errors import ConfigError
from overleg.store import Store


@dataclass(frozen=True)
class Expired:
    case: Case
    until: date  # the end of the retention period
    records: dict[str, int]  # table -> rows held for the case

    @property
    def total(self) -> int:
        return sum(self.records.values())


def retention_end(closed: date, years: int) -> date:
    """`closed` plus whole years (29 February becomes 28 February)."""
    try:
        return closed.replace(year=closed.year + years)
    except ValueError:
        return closed.replace(year=closed.year + years, day=28)


def expired_cases(store: Store, cases: Sequence[Case], config: Config, on: date) -> list[Expired]:
    """Closed cases whose retention period has ended on `on`, with what the store holds."""
    if config.bewaartermijn is None:
        raise ConfigError("er is geen 'bewaartermijn' ingesteld in [overleg] van overleg.toml; "
                          "zonder afgesproken termijn wordt niets opgeschoond. Zet bijv. "
                          "bewaartermijn = 2 (jaren, volgens het convenant).")
    found = []
    for case in sorted(cases, key=lambda c: c.id):
        if case.status != "afgesloten" or case.afgesloten_op is None:
            continue
        until = retention_end(case.afgesloten_op, config.bewaartermijn)
        if until < on:
            found.append(Expired(case, until, store.case_record_counts(case.id)))
    return found


def purge(store: Store, expired: Sequence[Expired]) -> int:
    """Remove the meeting records of the expired cases; the number of rows removed."""
    return sum(sum(store.purge_case(e.case.id).values()) for e in expired)


def delete_case_files(store: Store, expired: Sequence[Expired]) -> list[Path]:
    """Delete the case files of purged cases, each logged as `purge.file`; the files deleted.

    The log line and the deletion share one transaction: a file that cannot be deleted
    leaves no line saying it was.
    """
    deleted = []
    for e in expired:
        if not e.case.path.exists():
            continue
        with store.transaction():
            store.audit("purge.file", e.case.id)
            e.case.path.unlink()
        deleted.append(e.case.path)
    return deleted
