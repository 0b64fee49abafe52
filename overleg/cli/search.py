"""`overleg zoek`: search what the meetings recorded (notes, decisions, actions, questions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from overleg.cli import completion
from overleg.cli.common import console, emit, out, print_json, session

if TYPE_CHECKING:
    from overleg.cli.common import Session
    from overleg.search import Hit


def zoek(
    text: Annotated[str, typer.Argument(metavar="TEKST", help="Waarop u zoekt: één of meer "
                                        "woorden (alle moeten voorkomen; een woord vindt ook "
                                        "langere vormen, 'zorgmachtiging' ook "
                                        "'zorgmachtigingen').")],
    case_id: Annotated[str | None, typer.Option("--case", metavar="ID", help="Alleen in deze "
                                                "casus.", autocompletion=completion.case_ids,
                                                show_default=False)] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="Alleen wat deze partner "
                                                "mag zien (zijn casussen); komt in het "
                                                "register van verstrekkingen.",
                                                autocompletion=completion.partners,
                                                show_default=False)] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATUM", help="Vanaf deze "
                                              "datum, bijv. 1-1-2026.",
                                              show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Zoek in notities, besluiten, acties en de vragen op eerdere agenda's.

    Nieuwste eerst, met datum, casus, soort en een fragment met de gevonden woorden.
    Hoofdletters en accenten tellen niet mee. Ingetrokken en gecorrigeerde regels en
    vervallen acties worden niet gevonden.

    Voorbeeld: overleg zoek zorgmachtiging --since 1-1-2026
    """
    from overleg.search import hit_record, search

    s = session()
    src = s.sources()
    options: dict[str, Any] = {"text": text, "case": _case_id(s, case_id) if case_id else None,
                               "since": s.day(since) if since else None}
    if partner is not None:  # a partner's copy goes through the gate, on record
        from overleg.documents import Request

        code = src.ws.config.partner_code(partner)
        emit(src, Request("zoek", "json" if as_json else "txt", code, None, options), None, "")
        return
    hits = search(src.store, src.cases, text, case_id=options["case"], since=options["since"])
    if as_json:
        print_json([hit_record(h) for h in hits])
    elif not hits:
        out("Niets gevonden.")
    else:
        _table(hits)


def _case_id(s: Session, typed: str) -> str:
    """The case of --case: by its file (whole id or last part), else the id as typed (the
    records of a case whose file is gone are still searched)."""
    from overleg.errors import CaseNotFound

    try:
        return s.case(typed).id
    except CaseNotFound:
        return typed.strip()


def _table(hits: list[Hit]) -> None:
    from rich.table import Table
    from rich.text import Text

    from overleg.dates import fmt
    from overleg.search import KIND_LABELS, MARK_OFF, MARK_ON

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("datum", "casus", "soort", "fragment"):
        table.add_column(column, no_wrap=column != "fragment", ratio=1 if column == "fragment"
                         else None)
    for hit in hits:
        fragment = Text()
        for n, part in enumerate(hit.snippet.replace(MARK_OFF, MARK_ON).split(MARK_ON)):
            fragment.append(part, style="bold reverse" if n % 2 else "")
        table.add_row(Text(fmt(hit.day)), Text(hit.case_id),
                      Text(f"{KIND_LABELS[hit.kind]} #{hit.id}"), fragment)
    console().print(table)
    out(f"{len(hits)} gevonden.")


def register(app: typer.Typer) -> None:
    app.command("zoek")(zoek)
