"""Retention (bewaartermijn): which cases' meeting records and which documents may go, and
removing them so that nothing of them stays behind (database pages, snapshot, uit/)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from overleg.cases import Case, CaseSet
from overleg.config import Config
from overleg.errors import ConfigError
from overleg.store import Store
from overleg.workspace import CONFIG_NAME, Workspace


@dataclass(frozen=True)
class Expired:
    """A case whose retention ended: closed longer ago than the bewaartermijn, or an orphan
    (meeting records in the store, no case file) whose last date there is that long ago."""

    case_id: str
    case: Case | None  # None: an orphan
    closed: date  # afgesloten_op; for an orphan its last date in the store
    until: date  # the end of the retention period
    records: dict[str, int]  # table -> rows held for the case
    digest: str = ""  # SHA-256 of the case file as listed ("" when it could not be read)

    @property
    def total(self) -> int:
        return sum(self.records.values())


@dataclass(frozen=True)
class PurgePlan:
    """Everything `purge` would remove on a day, and what it leaves for the user."""

    expired: list[Expired]
    documents: list[Path]  # in uit/ past uit_bewaren_dagen, or last written with a purged case
    elsewhere: list[Path]  # documents with a purged case outside the workspace: not removed
    reopenings: int  # reopen reasons that go with their meeting
    unreadable: int  # case files without a readable id, which keep orphans from expiring

    @property
    def empty(self) -> bool:
        return not (self.expired or self.documents)


@dataclass(frozen=True)
class Purged:
    rows: int  # meeting records (reopen reasons included) removed
    documents: list[Path]  # documents removed


@dataclass(frozen=True)
class CaseFiles:
    deleted: list[Path]
    changed: list[Path]  # changed since they were listed (re-activated, edited): kept


def retention_end(closed: date, years: int) -> date:
    """`closed` plus whole years (29 February becomes 28 February)."""
    try:
        return closed.replace(year=closed.year + years)
    except ValueError:
        return closed.replace(year=closed.year + years, day=28)


def _years(config: Config) -> int:
    if config.bewaartermijn is None:
        raise ConfigError("er is geen 'bewaartermijn' ingesteld in [overleg] van overleg.toml; "
                          "zonder afgesproken termijn wordt niets opgeschoond. Zet bijv. "
                          "bewaartermijn = 2 (jaren, volgens het convenant).")
    return config.bewaartermijn


def plan_purge(store: Store, case_set: CaseSet, ws: Workspace, on: date) -> PurgePlan:
    """What a purge on `on` removes: expired cases (closed ones and orphans), the documents
    that held them or outlived uit_bewaren_dagen, and the reopen reasons that go with them."""
    expired = expired_cases(store, case_set.cases, ws.config, on)
    orphans, unreadable = orphaned_cases(store, case_set, ws.config, on)
    expired = sorted(expired + orphans, key=lambda e: e.case_id)
    ids = [e.case_id for e in expired]
    held = [_in_workspace(ws, name) for name in store.files_holding(ids)] if ids else []
    inside = {path for path in held if _removable(ws, path)}
    elsewhere = sorted({path for path in held if not _inside(ws, path) and path.is_file()})
    return PurgePlan(expired, sorted(inside | set(old_documents(ws, on))), elsewhere,
                     store.reopenings_purged_with(ids) if ids else 0, unreadable)


def expired_cases(store: Store, cases: Sequence[Case], config: Config, on: date) -> list[Expired]:
    """Closed cases whose retention period has ended on `on`, with what the store holds."""
    years = _years(config)
    found = []
    for case in sorted(cases, key=lambda c: c.id):
        if case.status != "afgesloten" or case.afgesloten_op is None:
            continue
        until = retention_end(case.afgesloten_op, years)
        if until < on:
            found.append(Expired(case.id, case, case.afgesloten_op, until,
                                 store.case_record_counts(case.id), _file_digest(case.path)))
    return found


def orphaned_cases(store: Store, case_set: CaseSet, config: Config,
                   on: date) -> tuple[list[Expired], int]:
    """Case ids with meeting records but no case file whose last date in the store is longer
    ago than the bewaartermijn, and how many unreadable case files held them back.

    A file with errors still names its id (then it is no orphan); one whose id cannot be read
    at all (or a missing case folder) might be any orphan's, so then none expires.
    """
    years = _years(config)
    known = {c.id for c in case_set.cases} | {f.case_id for f in case_set.findings}
    found = [Expired(case_id, None, last, retention_end(last, years),
                     store.case_record_counts(case_id))
             for case_id, last in store.case_last_dates().items()
             if case_id not in known and retention_end(last, years) < on]
    unreadable = len({f.path for f in case_set.errors if not f.case_id})
    return ([], unreadable) if found and unreadable else (found, 0)


def old_documents(ws: Workspace, on: date) -> list[Path]:
    """Files under uit/ last changed more than uit_bewaren_dagen days before `on`. Symlinks
    are not followed, and a workspace inside uit/ (the demo's) is left alone."""
    import os
    import stat

    limit = on - timedelta(days=ws.config.uit_bewaren_dagen)
    found = []
    for folder, folders, files in os.walk(ws.out_dir):
        if CONFIG_NAME in files:
            folders.clear()
            continue
        for name in files:
            path = Path(folder, name)
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and date.fromtimestamp(info.st_mtime) < limit:
                found.append(path)
    return sorted(found)


def purge(store: Store, plan: PurgePlan) -> Purged:
    """Remove what the plan lists: the expired cases' meeting records (with the reopen
    reasons and the case snapshot, in one transaction), then the documents, each logged as
    `purge.document`. Then the database is compacted, so no removed text stays in its files."""
    counts = store.purge_cases([e.case_id for e in plan.expired]) if plan.expired else {}
    removed = [path for path in plan.documents if _remove(store, path, "purge.document")]
    if plan.expired:
        store.compact()
    return Purged(sum(counts.values()), removed)


def delete_case_files(store: Store, expired: Sequence[Expired]) -> CaseFiles:
    """Delete the case files of purged cases, each logged as `purge.file`.

    Each file is read again just before: one whose bytes changed since it was listed (say,
    re-activated while the question waited) stays. The log line and the deletion share one
    transaction: a file that cannot be deleted leaves no line saying it was.
    """
    deleted, changed = [], []
    for e in expired:
        if e.case is None or not e.case.path.exists():
            continue
        if _file_digest(e.case.path) != e.digest or not e.digest:
            changed.append(e.case.path)
        elif _remove(store, e.case.path, "purge.file", e.case_id):
            deleted.append(e.case.path)
    if deleted:
        store.forget_case_snapshot()  # a command in between may have saved the case again
        store.compact()
    return CaseFiles(deleted, changed)


def _remove(store: Store, path: Path, action: str, case_id: str | None = None) -> bool:
    """Delete a file with its audit line; False when it was already gone."""
    with suppress(FileNotFoundError), store.transaction():
        store.audit(action, case_id)
        path.unlink()
        return True
    return False


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _in_workspace(ws: Workspace, name: str) -> Path:
    """A register file name as a path: relative names are the workspace's."""
    path = Path(name)
    return path if path.is_absolute() else ws.root / path


def _inside(ws: Workspace, path: Path) -> bool:
    return path.resolve().is_relative_to(ws.root.resolve())


def _removable(ws: Workspace, path: Path) -> bool:
    """A regular file in the workspace that is a document: never the database, the config,
    a case file or a template."""
    if path.is_symlink() or not path.is_file() or not _inside(ws, path):
        return False
    real = path.resolve()
    db = ws.db_path.resolve()
    if real in {db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm"),
                (ws.root / CONFIG_NAME).resolve()}:
        return False
    return not any(real.is_relative_to(folder.resolve())
                   for folder in (ws.cases_dir, ws.templates_dir))
