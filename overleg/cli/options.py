"""Options with a fixed set of values, as Enums: click checks them (a wrong value is a usage
error, exit 2, said in Dutch by cli.app) and the help lists them. Where the output uses a
Dutch word for a value (`afgerond` for done), that word is accepted too."""

from __future__ import annotations

from enum import StrEnum


class DocumentFormat(StrEnum):
    """Agenda, minutes and access-request documents."""

    md = "md"
    html = "html"
    txt = "txt"
    docx = "docx"


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    all = "all"
    afgerond = "afgerond"  # as `action list` shows a done action
    alle = "alle"

    @property
    def canonical(self) -> str:
        return {"afgerond": "done", "alle": "all"}.get(self.value, self.value)


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
