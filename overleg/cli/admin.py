"""Workspace-level commands: init, demo, purge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli.common import out
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from overleg.retention import Expired


def workspace_init(
    path: Annotated[Path, typer.Argument(help="Map voor de nieuwe werkmap.")] = Path("."),
    example: Annotated[bool, typer.Option("--example", help="Neem de voorbeeldcasussen "
                                          "(fictief) over.")] = False,
) -> None:
    """Maak een nieuwe werkmap met overleg.toml, casussen/ en templates/.

    Voorbeeld: overleg init mijn-overleg --example
    """
    from overleg.workspace import init_workspace

    init_workspace(path, example)
    out(f"Werkmap gemaakt in {path.resolve()}.")  # not "in .." for `overleg init .`
    out(f"Pas {path / 'overleg.toml'} aan (partners, e-mailadressen) en zet casussen in "
        f"{path / 'casussen'}.")
    if example:
        out(f"Probeer: overleg -w {path} agenda build --date 2026-12-01")


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Map voor de resultaten.")] = Path("uit"),
) -> None:
    """Doorloop het hele overleg op een kopie van de voorbeeldwerkmap.

    Voorbeeld: overleg demo --out uit
    """
    from overleg.demo import run_demo

    results = run_demo(out_dir)
    from rich.table import Table

    from overleg.cli.common import console, plain

    table = Table(title="Demo: wat is waar geschreven", box=None, header_style="bold")
    table.add_column("wat")
    table.add_column("waar")
    for what, where in results:
        table.add_row(*plain(what, str(where)))
    console().print(table)




ACTION_LABELS = {
    "meeting.plan": "vergadering gepland", "meeting.start": "vergadering geopend",
    "meeting.close": "vergadering gesloten", "meeting.reopen": "vergadering heropend",
    "meeting.approve": "verslag vastgesteld", "meeting.geheimhouding": "geheimhouding voorgelezen",
    "meeting.attend": "aanwezigheid", "meeting.note": "notitie", "meeting.decision": "besluit",
    "meeting.review": "vervolg/status", "action.add": "actie toegevoegd",
    "action.done": "actie afgerond", "case.writeback": "casusbestand bijgewerkt",
    "agenda.build": "agenda gemaakt", "agenda.rebuild": "agenda vervangen",
    "agenda.rebuild_keep": "agenda herberekend", "agenda.add": "op agenda gezet",
    "agenda.restore": "terug op agenda", "agenda.drop": "van agenda gehaald",
    "agenda.move": "agendapunt verplaatst", "purge": "gegevens opgeschoond",
    "case.create.new": "casus aangemaakt", "case.create.import": "casus geïmporteerd",
    "purge.file": "casusbestand verwijderd",
    "inzage.open": "inzageverzoek ontvangen", "inzage.extend": "inzagetermijn verlengd",
    "inzage.close": "inzageverzoek afgehandeld",
}

# What `purge` removes per case, as (singular, plural); keys of Store.case_record_counts.
RECORD_LABELS = {
    "agenda_items": ("agendapunt", "agendapunten"), "notes": ("notitie", "notities"),
    "decisions": ("besluit", "besluiten"), "reviews": ("vervolgafspraak", "vervolgafspraken"),
    "actions": ("actie", "acties"), "writebacks": ("terugschrijving", "terugschrijvingen"),
}


def _records(records: dict[str, int]) -> str:
    """'2 agendapunten, 1 notitie, 3 acties' (kinds without records left out)."""
    parts = [f"{n} {RECORD_LABELS[k][n != 1]}" for k, n in records.items() if n]
    return ", ".join(parts) or "geen vergaderregels"


def _label(action: str) -> str:
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    parts = action.split(".")
    if parts[0] == "render" and len(parts) == 3:
        what = {"agenda": "agenda", "minutes": "verslag", "actions": "actielijst",
                "inzage": "inzage"}.get(parts[1], parts[1])
        return f"{what} voor {parts[2]} gemaakt"
    if parts[:2] == ["render", "mail"] and len(parts) == 4:
        return f"e-mail ({parts[2]}) voor {parts[3]} klaargezet"
    if parts[:2] == ["mail", "sent"] and len(parts) == 4:
        return f"e-mail ({parts[2]}) verstuurd aan {parts[3]}"
    return action


def audit_log(
    ctx: typer.Context,
    case_id: Annotated[str | None, typer.Option("--case", help="Alleen regels over deze "
                                                "casus.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon het logboek: wie wat wanneer veranderde (zonder de getypte tekst).

    'overleg log verify' controleert dat het logboek en het register van verstrekkingen
    niet buiten overleg om zijn veranderd.

    Voorbeeld: overleg log --case 2026-014
    """
    if ctx.invoked_subcommand is not None:  # `overleg log verify`: the group's callback
        return
    from overleg.cli.common import console, plain, print_json, session

    entries = session().store().audit_log(case_id)
    if as_json:
        print_json([{"at": e.at, "who": e.who, "action": e.action, "case": e.case_id,
                     "meeting": e.meeting} for e in entries])
        return
    if not entries:
        out("Het logboek is leeg." if case_id is None else f"Geen logregels voor {case_id}.")
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold", pad_edge=False)
    # Time, case and meeting are never cut off; a long 'wie' or 'wat' wraps instead.
    for column, width in (("tijd", 19), ("wie", None), ("wat", None), ("casus", 8),
                          ("vergadering", 10)):
        table.add_column(column, no_wrap=width is not None, min_width=width)
    for e in entries:
        table.add_row(*plain(e.at.replace("T", " "), e.who, _label(e.action), e.case_id or "",
                             e.meeting or ""))
    console().print(table)


def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Laat alleen zien wat zou "
                                          "verdwijnen.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Schoon de vergadergegevens op zonder te "
                                      "vragen; casusbestanden gaan alleen weg na een tweede "
                                      "bevestiging.")] = False,
) -> None:
    """Schoon vergadergegevens op van casussen die langer dan de bewaartermijn gesloten zijn.

    Voorbeeld: overleg purge --dry-run
    """
    from overleg.cli.common import confirm, err, fail, session
    from overleg.dates import today
    from overleg.retention import expired_cases
    from overleg.retention import purge as purge_records

    if dry_run and yes:
        raise fail("kies --dry-run of --yes, niet allebei.")
    s = session()
    ws = s.workspace()
    expired = expired_cases(s.store(), s.cases().cases, ws.config, today())
    if not expired:
        out(f"Niets op te schonen: geen casus is langer dan {ws.config.bewaartermijn} jaar "
            "gesloten.")
        return
    _expired_table(expired)
    if dry_run:
        err("Proefdraai: er is niets verwijderd. Gebruik --yes om op te schonen.")
        return
    if not yes and not confirm(f"Vergadergegevens van {len(expired)} casus(sen) "
                               "definitief verwijderen?"):
        err("Niets verwijderd.")
        raise typer.Exit(ExitStatus.ERROR)
    removed = purge_records(s.store(), expired)
    out(f"{removed} vergaderregel(s) van {len(expired)} casus(sen) verwijderd; het logboek "
        "houdt bij dat dit is gebeurd.")
    _offer_file_deletion(expired)


def _expired_table(expired: list[Expired]) -> None:
    from rich.table import Table

    from overleg.cli.common import console, plain, session
    from overleg.dates import fmt

    ws = session().workspace()
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("casus", "gesloten", "bewaren tot", "wat verdwijnt", "bestand"):
        table.add_column(column, no_wrap=column != "wat verdwijnt")
    for e in expired:
        table.add_row(*plain(e.case.id, fmt(e.case.afgesloten_op) if e.case.afgesloten_op
                             else "", fmt(e.until), _records(e.records), ws.rel(e.case.path)))
    console().print(table)


def _offer_file_deletion(expired: list[Expired]) -> None:
    """The case files of purged cases go only after a second, explicit yes."""
    from overleg.cli.common import confirm, err, session
    from overleg.retention import delete_case_files

    s = session()
    files = [e.case.path for e in expired if e.case.path.exists()]
    if not files:
        return
    out("Deze casusbestanden mogen nu weg: " + ", ".join(s.workspace().rel(p) for p in files))
    if confirm(f"Ook de {len(files)} casusbestand(en) verwijderen?"):
        deleted = delete_case_files(s.store(), expired)
        out(f"{len(deleted)} casusbestand(en) verwijderd.")
    else:
        err("Casusbestanden niet verwijderd.")


def register(app: typer.Typer) -> None:
    # `log` is a command group (log, log verify), built when used: overleg.cli.log.
    app.command("init")(workspace_init)
    app.command("demo")(demo)
    app.command("purge")(purge)
