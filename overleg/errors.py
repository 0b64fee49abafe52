"""The few typed errors the core raises; the CLI turns them into Dutch messages."""

from __future__ import annotations


class OverlegError(Exception):
    """A user or data error with a Dutch message fit to show as is."""

    exit_code = 1

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


class InvalidInput(OverlegError):
    """An argument or value that does not fit (unknown agency, bad status, ...)."""


class AccessRequestNotFound(OverlegError):
    """No access request (inzageverzoek) with that number."""


class DisclosureRefused(OverlegError):
    """A document would contain a case its recipient may not see (need-to-know)."""
