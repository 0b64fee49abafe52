"""Options with a fixed set of values, as Enums: click checks them (a wrong value is a usage
error, exit 2, said in Dutch by cli.app) and the help lists them. Where the output uses a
Dutch word for a value (`afgerond` for done), that word is accepted too. Also the checks of
numbers and output paths that click makes before a command runs (usage errors too)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

# The largest action, request or agenda position number typed (`min=1, max=MAX_NUMBER` on the
# argument): SQLite's integers end at 2**63 - 1, and a larger number is an OverflowError.
# Nine digits, as in a `k 12` line of `meeting run`.
MAX_NUMBER = 999_999_999


def output_name(value: str) -> str:
    """The parser of a `-o` option: refuses an empty value, which would mean the current
    folder (`Path("")` is `.`)."""
    import typer

    if not value.strip():
        raise typer.BadParameter("mag niet leeg zijn; geef een bestand of map.")
    return value


def output_path(value: str) -> Path:
    """`output_name` as a Path."""
    return Path(output_name(value))


class DocumentFormat(StrEnum):
    """Agenda, minutes and access-request documents."""

    md = "md"
    html = "html"
    txt = "txt"
    docx = "docx"


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"
    all = "all"
    afgerond = "afgerond"  # as `action list` shows a done action
    vervallen = "vervallen"  # ... and a cancelled one
    alle = "alle"

    @property
    def canonical(self) -> str:
        return {"afgerond": "done", "vervallen": "cancelled", "alle": "all"}.get(self.value,
                                                                                 self.value)


class ActionExport(StrEnum):
    """`action list --format`: a register export or a Word action list."""

    xlsx = "xlsx"
    csv = "csv"
    docx = "docx"


class MailKind(StrEnum):
    agenda = "agenda"
    minutes = "minutes"
    verslag = "verslag"  # as the documents call the minutes

    @property
    def canonical(self) -> str:
        return "minutes" if self is MailKind.verslag else self.value


class CaseStatus(StrEnum):
    aangemeld = "aangemeld"
    actief = "actief"
    nazorg = "nazorg"
    afgesloten = "afgesloten"
