"""`overleg verstrekkingen`: the register of disclosures, for the chair and the FG."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from overleg.cli import completion
from overleg.cli.common import console, out, plain, print_json, session

if TYPE_CHECKING:
    from overleg.model import Disclosure

KIND_LABELS = {"agenda": "agenda", "minutes": "verslag", "actions": "actielijst",
               "mail": "e-mail", "inzage": "inzage", "export": "export"}


def disclosure_record(row: Disclosure) -> dict[str, Any]:
    """One register row in the `verstrekkingen --json` shape."""
    return {"at": row.at, "who": row.who, "partner": row.partner, "kind": row.kind,
            "format": row.format, "meeting": row.meeting.isoformat() if row.meeting else None,
            "cases": list(row.cases), "file": row.file, "sha256": row.sha256,
            "addresses": list(row.addresses), "purpose": row.purpose, "basis": row.basis}


def verstrekkingen(
    case_id: Annotated[str | None, typer.Option("--case", help="Alleen verstrekkingen met "
                                                "deze casus.",
                                                autocompletion=completion.case_ids)] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen wat deze partner "
                                                "ontving.",
                                                autocompletion=completion.partners)] = None,
    since: Annotated[str | None, typer.Option("--since", help="Vanaf deze datum, bijv. "
                                              "1-1-2026.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon het register van verstrekkingen: wie welke casussen ontving, wanneer en waarom.

    Voorbeeld: overleg verstrekkingen --partner POL --since 1-11-2026
    """
    from overleg.dates import parse_date

    s = session()
    code = s.workspace().config.partner_code(partner) if partner else None
    rows = s.store().disclosures(case_id=case_id, partner=code,
                                 since=parse_date(since) if since else None)
    if as_json:
        print_json([disclosure_record(r) for r in rows])
        return
    if not rows:
        out("Geen verstrekkingen.")
        return
    _table(rows)


def _table(rows: list[Disclosure]) -> None:
    from rich.table import Table

    from overleg.dates import fmt

    config = session().workspace().config
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column, wrap in (("tijd", False), ("door", True), ("aan", False), ("wat", False),
                         ("vergadering", False), ("casussen", True)):
        table.add_column(column, no_wrap=not wrap, ratio=1 if column == "casussen" else None)
    for r in rows:
        when = f"{fmt(date.fromisoformat(r.at[:10]))} {r.at[11:16]}"
        recipient = r.partner or ("betrokkene" if r.kind == "inzage" else "voorzitter")
        how = "verstuurd" if r.format == "smtp" else r.format
        table.add_row(*plain(when, r.who, recipient, f"{KIND_LABELS.get(r.kind, r.kind)} ({how})",
                             fmt(r.meeting) if r.meeting else "", ", ".join(r.cases) or "-"))
    console().print(table)
    codes = sorted({r.partner for r in rows if r.partner})
    for code in codes:
        out(f"{code} = {config.partner_name(code)}")
    out(f"{len(rows)} verstrekking(en). Bestanden, adressen, doel en grondslag: zie --json.")


def register(app: typer.Typer) -> None:
    app.command("verstrekkingen")(verstrekkingen)
