"""The few typed errors the core raises, and the exit codes; the CLI turns errors into
Dutch messages and codes in one place (overleg.cli.app)."""

from __future__ import annotations

from datetime import date
from enum import IntEnum


class ExitStatus(IntEnum):
    """Every exit code overleg uses."""

    SUCCESS = 0
    ERROR = 1  # a user or data error, said in a message
    USAGE = 2  # the command line itself is wrong
    INTERRUPTED = 130  # Ctrl-C


class OverlegError(Exception):
    """A user or data error with a Dutch message fit to show as is."""

    exit_code = ExitStatus.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WorkspaceNotFound(OverlegError):
    """No overleg.toml where one was expected."""


class ConfigError(OverlegError):
    """overleg.toml is missing a value or holds a wrong one."""


class InvalidDate(OverlegError):
    """A date the user typed (or a case file holds) cannot be read."""


class InvalidCaseFile(OverlegError):
    """A case file cannot be used (see `cases check` for all findings)."""


class CaseNotFound(OverlegError):
    """No case file with that id."""


class StaleCaseFile(OverlegError):
    """A case file changed on disk between reading and writing it back."""


class MeetingNotFound(OverlegError):
    """No meeting (open, planned or closed) where one was needed."""


class MeetingClosed(OverlegError):
    """A closed meeting is read-only until it is reopened."""

    def __init__(self, day: date) -> None:
        super().__init__(f"de vergadering van {day:%d-%m-%Y} is gesloten en kan niet meer "
                         "worden gewijzigd. Heropen haar met 'overleg meeting reopen "
                         "--reason ...'.")
        self.day = day


class MeetingClosing(OverlegError):
    """The meeting is being closed (or a close was interrupted): nothing more goes into it.

    `busy`: another `meeting close` is at work right now (said to a second close)."""

    def __init__(self, day: date, busy: bool = False) -> None:
        if busy:
            message = (f"de vergadering van {day:%d-%m-%Y} wordt op dit moment gesloten door "
                       "een andere opdracht. Wacht tot die klaar is; daarna is ze gesloten.")
        else:
            message = (f"de vergadering van {day:%d-%m-%Y} wordt gesloten; er kan niets meer "
                       "in worden vastgelegd. Is het sluiten afgebroken, maak het dan af met "
                       "'overleg meeting close'.")
        super().__init__(message)
        self.day = day
        self.busy = busy


class MeetingStillOpen(OverlegError):
    """Another meeting is open where none may be (start, reopen)."""


class OtherMeetingOpen(MeetingStillOpen):
    """The open meeting is not the one meant: not today's, and --date did not name it. Says
    which meeting is open and the two ways out."""

    def __init__(self, open_day: date, meant: date) -> None:
        super().__init__(
            f"de vergadering van {open_day:%d-%m-%Y} is nog open (niet die van "
            f"{meant:%d-%m-%Y}). Sluit die eerst met 'overleg meeting close', of werk erin "
            f"verder met --date {open_day:%d-%m-%Y}.")
        self.open_day = open_day


class MeetingStarted(OverlegError):
    """The agenda of a meeting that has started can no longer be rebuilt or reordered."""


class WorkspaceExists(OverlegError):
    """`init` in a folder that already holds an overleg.toml."""


class ActionNotFound(OverlegError):
    """No action with that number."""


class TemplateError(OverlegError):
    """A template cannot be found, read or rendered (named as templates/NAME:LINE)."""


class MailError(OverlegError):
    """The mail server cannot be reached, refuses us, or would be reached unsafely."""


class InputEnded(OverlegError):
    """Standard input ended before every question was answered."""


class AccessRequestClosed(OverlegError):
    """An access request that is closed cannot change."""


class InvalidInput(OverlegError):
    """An argument or value that does not fit (unknown agency, bad status, ...)."""


class AccessRequestNotFound(OverlegError):
    """No access request (inzageverzoek) with that number."""


class DisclosureRefused(OverlegError):
    """A document would contain a case its recipient may not see (need-to-know)."""
