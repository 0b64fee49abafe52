"""Tab completion: completers for case ids, partner codes, meeting dates and open actions.

Typer calls a completer while the shell waits for suggestions, so each one is quick, reads
the workspace named by `-w` on the command line (else $OVERLEG_WORKSPACE or the nearest
overleg.toml), and never raises or prints: anything that goes wrong means no suggestions.
Suggestions carry ids, codes and dates, never initials or case text (they end up on screen).
This module is imported by the command modules at start-up: keep its top level light.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from overleg.cli.common import Session

Suggestion = tuple[str, str]  # (value, help shown by zsh and fish)

_MEETING_STATUS = {"planned": "gepland", "open": "open", "closing": "wordt gesloten",
                   "closed": "gesloten"}


def _workspace_option(ctx: Any) -> Path | None:
    """The -w/--workspace typed on the command line being completed, if any."""
    while ctx is not None:
        value = getattr(ctx, "params", {}).get("workspace")
        if value:
            return Path(value).expanduser()
        ctx = getattr(ctx, "parent", None)
    return None


@contextmanager
def _session(ctx: Any) -> Iterator[Session]:
    from overleg.cli.common import Session

    session = Session(_workspace_option(ctx), "tab")
    try:
        yield session
    finally:
        session.close()


def _quietly(find: Callable[[Session, str], list[Suggestion]]) -> Callable[..., list[Suggestion]]:
    """A typer completer around `find`: no workspace, a broken file or a locked database
    give no suggestions instead of an error in the middle of the user's command line."""

    def complete(ctx: Any, incomplete: str) -> list[Suggestion]:
        try:
            with _session(ctx) as session:
                return find(session, incomplete or "")
        except Exception:  # noqa: BLE001 - a completer must never fail
            return []

    complete.__name__ = find.__name__
    complete.__doc__ = find.__doc__
    return complete


def _case_ids(session: Session, incomplete: str) -> list[Suggestion]:
    """Ids of the workspace's case files, closed cases last."""
    ws = session.workspace()
    if ws.db_path.is_file():  # the parsed-case cache lives in the database
        cases = session.cases(report=False).cases
    else:
        from overleg.casecache import load_cases

        cases = load_cases(ws).cases  # do not create a database for a Tab press
    found = sorted((c for c in cases if c.id.startswith(incomplete)),
                   key=lambda c: (c.status == "afgesloten", c.id))
    return [(c.id, f"{c.status}, prioriteit {c.prioriteit}") for c in found]


def _partners(session: Session, incomplete: str) -> list[Suggestion]:
    """Agency codes from overleg.toml, with their names (typer matches them case-sensitively)."""
    return [(code, partner.naam) for code, partner in session.workspace().config.partners.items()
            if code.startswith(incomplete)]


def _meeting_dates(session: Session, incomplete: str) -> list[Suggestion]:
    """Dates of the meetings in the database, newest first (no database: none)."""
    if not session.workspace().db_path.is_file():
        return []  # do not create a database for a Tab press
    meetings = sorted(session.store().meetings(), key=lambda m: m.date, reverse=True)
    return [(m.date.isoformat(), _MEETING_STATUS.get(m.status, m.status)) for m in meetings
            if m.date.isoformat().startswith(incomplete)]


def _open_actions(session: Session, incomplete: str) -> list[Suggestion]:
    """Numbers of the open actions, with case, owner and deadline (not the text)."""
    if not session.workspace().db_path.is_file():
        return []
    from overleg.dates import fmt

    return [(str(a.id), f"{a.case_id} {a.owner} deadline {fmt(a.due)}")
            for a in session.store().actions(status="open") if str(a.id).startswith(incomplete)]


def _statuses(session: Session, incomplete: str) -> list[Suggestion]:
    """The case statuses."""
    from overleg.cases import STATUSES

    return [(s, "") for s in STATUSES if s.startswith(incomplete)]


case_ids = _quietly(_case_ids)
partners = _quietly(_partners)
meeting_dates = _quietly(_meeting_dates)
open_actions = _quietly(_open_actions)
statuses = _quietly(_statuses)
