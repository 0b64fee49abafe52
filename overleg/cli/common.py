"""What every command shares: the session (workspace, actor), consoles and small printers."""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from rich.console import Console

    from overleg.cases import Case, CaseSet, Finding
    from overleg.documents import Disclosed, Request, Sources
    from overleg.store import Store
    from overleg.workspace import Workspace


@dataclass
class Session:
    """Per-invocation state set by the root callback; loaded lazily."""

    workspace_path: Path | None = None
    actor: str = ""
    _workspace: Workspace | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)
    _cases: CaseSet | None = field(default=None, repr=False)

    def workspace(self) -> Workspace:
        if self._workspace is None:
            from overleg.workspace import load_workspace

            self._workspace = load_workspace(self.workspace_path)
        return self._workspace

    def store(self) -> Store:
        if self._store is None:
            from overleg.store import Store

            self._store = Store.open(self.workspace().db_path, actor=self.actor)
        return self._store

    def cases(self, report: bool = True) -> CaseSet:
        """Every case of the workspace; errors in case files are reported on stderr once."""
        if self._cases is None:
            from overleg.casecache import load_cases

            try:
                cache: Store | None = self.store()
            except (OSError, sqlite3.Error):
                cache = None  # e.g. a read-only workspace: read every file instead
            self._cases = load_cases(self.workspace(), cache)
            if report and self._cases.errors:
                print_findings(self._cases.errors)
                err(f"{len(self._cases.errors)} fout(en) in casusbestanden; die casussen doen "
                    "niet mee. Zie 'overleg cases check'.")
        return self._cases

    def day(self, text: str) -> date:
        """A date the user typed (ISO, Dutch or relative). `volgende` is the first date of the
        schedule after today, and after the open meeting's date while one is open."""
        from overleg.dates import parse_date

        if " ".join(text.lower().split()) != "volgende":
            return parse_date(text)
        meeting = self.store().open_meeting()
        return parse_date(text, schedule=self.workspace().config.schema,
                          after=meeting.date if meeting is not None else None)

    def sources(self) -> Sources:
        """What the disclosure gate reads: workspace, store, cases by id, today."""
        from overleg.dates import today
        from overleg.documents import Sources

        return Sources(self.workspace(), self.store(), self.cases().by_id(), today())

    def case(self, case_id: str, report: bool = True) -> Case:
        """The case of an ID argument: the whole id or a unique last part ('014'), as `g 014`
        in the meeting screen; a part that fits more ids is refused with the matches, and an
        id of a case file with errors is said as that file's error (file:line: reason)."""
        return self.cases(report).get(case_id)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


_session = Session()


def session() -> Session:
    return _session


def new_session(workspace: Path | None, actor: str | None) -> Session:
    global _session
    _session.close()
    _session = Session(workspace, actor or default_actor())
    return _session


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "onbekend")


def console() -> Console:
    """A rich console on stdout: styles only on a terminal, and none at all under NO_COLOR
    (rich alone would drop the colours but keep bold and underline)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False,
                   color_system=None if os.environ.get("NO_COLOR") else "auto")


def plain(*values: str) -> list[Any]:
    """Cells for a rich table that print literally (case data is never markup), cleaned:
    no control characters, BSNs masked."""
    from rich.text import Text

    from overleg.privacy import clean

    return [Text(clean(v)) for v in values]


def err(message: str) -> None:
    """A plain message on stderr, printed literally (no markup), cleaned as `plain`."""
    from overleg.privacy import clean

    typer.echo(clean(message), err=True)


def out(message: str = "") -> None:
    """A plain line on stdout, cleaned as `plain`."""
    from overleg.privacy import clean

    typer.echo(clean(message))


# What a JSON text shows when a value held a control character: json.dumps escapes C0
# controls (\u001b, or \b \f \r for some); DEL, C1 and bidi controls it writes as they are.
_JSON_CONTROL_HINTS = ("\\u00", "\\b", "\\f", "\\r")


def print_json(data: Any) -> None:
    """JSON on stdout; every text value is cleaned (controls removed, BSNs masked), so the
    data is the same as in every other output. Our own SHA-256 digests print whole."""
    from overleg.privacy import clean, has_nine_digits, is_digest, strip_controls

    def cleaned(value: Any) -> Any:
        if isinstance(value, str):
            return value if is_digest(value) else clean(value)
        if isinstance(value, list | tuple):
            return [cleaned(v) for v in value]
        if isinstance(value, dict):
            return {cleaned(k) if isinstance(k, str) else k: cleaned(v)
                    for k, v in value.items()}
        return value

    text = json.dumps(data, ensure_ascii=False, indent=2)
    # Rare: only then walk the data to clean text values (a false alarm only costs a walk).
    if has_nine_digits(text) or strip_controls(text) is not text or any(
            hint in text for hint in _JSON_CONTROL_HINTS):
        text = json.dumps(cleaned(data), ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")


def print_findings(findings: list[Finding]) -> None:
    """Findings on stderr, sorted by file and line, warnings marked."""
    for finding in sorted(findings, key=lambda f: (f.path, f.line)):
        label = "" if finding.error else "waarschuwing: "
        err(f"{finding.path}:{finding.line}: {label}{finding.message}")


def confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal; anything but j/ja (or y/yes) is no, as is EOF."""
    typer.echo(f"{question} [j/N] ", nl=False, err=True)
    answer = stdin_line()
    if answer is None:
        typer.echo("", err=True)
        return False
    return answer.strip().lower() in ("j", "ja", "y", "yes")


def stdin_line() -> str | None:
    """One line of stdin without its line ending, None at the end of input.

    Bytes that are not UTF-8 (a Latin-1 paste) never stop the reading: stdin is switched to
    surrogate escapes before its first read, so such a line arrives whole and the next lines
    after it; overleg.text.valid_text then refuses that one line.
    """
    import contextlib
    import io

    stream = sys.stdin
    if isinstance(stream, io.TextIOWrapper) and stream.errors != "surrogateescape":
        # Already read from (decoded text waiting): it stays as it is.
        with contextlib.suppress(ValueError, io.UnsupportedOperation):
            stream.reconfigure(errors="surrogateescape")
    try:
        line = stream.readline()
    except UnicodeDecodeError:
        from overleg.errors import InvalidInput

        raise InvalidInput("deze regel is geen geldige tekst (UTF-8); typ hem opnieuw.") from None
    return line.rstrip("\r\n") if line else None


def emit(src: Sources, request: Request, output: Path | None, what: str) -> Disclosed:
    """Make a document through the disclosure gate: to `output` (saying so as `what
    geschreven naar ...`), else to stdout."""
    from overleg.documents import disclose

    done = disclose(src, request, output)
    if output is None:
        sys.stdout.write(done.data.decode("utf-8"))
        sys.stdout.flush()
    elif what:
        err(f"{what} geschreven naar {output}.")
    return done


def fail(message: str) -> typer.Exit:
    """Print `Fout: ...` and return the exit to raise (exit code 1)."""
    err(f"Fout: {message}")
    return typer.Exit(ExitStatus.ERROR)
