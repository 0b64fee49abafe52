"""Workspace-level commands: init, demo, purge."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli.common import out
from overleg.cli.options import output_path
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from overleg.retention import Expired, Purged, PurgePlan


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
    out_dir: Annotated[Path, typer.Option("--out", metavar="MAP", parser=output_path,
                                          help="Map voor de resultaten.")] = Path("uit"),
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
    "agenda.move": "agendapunt verplaatst", "agenda.delete": "geplande vergadering verwijderd",
    "purge": "gegevens opgeschoond",
    "case.create.new": "casus aangemaakt", "case.create.import": "casus geïmporteerd",
    "purge.file": "casusbestand verwijderd", "purge.document": "document verwijderd",
    "purge.reopen": "reden van heropening verwijderd",
    "inzage.open": "inzageverzoek ontvangen", "inzage.extend": "inzagetermijn verlengd",
    "inzage.close": "inzageverzoek afgehandeld", "meeting.depart": "vertrokken",
    "case.request": "op verzoek geagendeerd", "triage.feedback": "triage teruggekoppeld",
    "triage.casusoverleg": "triage: naar het casusoverleg", "triage.advies": "triage: advies",
    "triage.doorverwezen": "triage: doorverwezen", "triage.afgewezen": "triage: afgewezen",
}
_KINDS = {"attendance": "aanwezigheid", "note": "notitie", "decision": "besluit",
          "review": "vervolgafspraak"}
_FIELDS = {"owner": "eigenaar", "who": "uitvoerder", "due": "deadline", "text": "tekst"}

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
    return _correction_label(parts) or action


def _correction_label(parts: list[str]) -> str | None:
    """'besluit #12 gecorrigeerd', 'actie #7 gewijzigd (deadline, tekst)', ... (kind and
    number only: the log never holds the text)."""
    if parts[0] == "meeting" and len(parts) == 4 and parts[1] in ("correct", "withdraw"):
        done = "gecorrigeerd" if parts[1] == "correct" else "ingetrokken"
        return f"{_KINDS.get(parts[2], parts[2])} #{parts[3]} {done}"
    if parts[0] == "action" and len(parts) >= 3 and parts[1] in ("edit", "cancel", "reopen"):
        if parts[1] == "edit":
            fields = ", ".join(_FIELDS.get(f, f) for f in parts[3:])
            return f"actie #{parts[2]} gewijzigd ({fields})"
        return f"actie #{parts[2]} {'vervallen' if parts[1] == 'cancel' else 'weer open'}"
    return None


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
    yes: Annotated[bool, typer.Option("--yes", help="Schoon de vergadergegevens en documenten "
                                      "op zonder te vragen; casusbestanden gaan alleen weg na "
                                      "een tweede bevestiging.")] = False,
) -> None:
    """Schoon vergadergegevens op van casussen die langer dan de bewaartermijn gesloten zijn.

    Ook de stukken met die casussen en documenten in uit/ ouder dan uit_bewaren_dagen.

    Voorbeeld: overleg purge --dry-run
    """
    from overleg.cli.common import confirm, err, fail, session
    from overleg.dates import today
    from overleg.retention import plan_purge
    from overleg.retention import purge as purge_records

    if dry_run and yes:
        raise fail("kies --dry-run of --yes, niet allebei.")
    s = session()
    plan = plan_purge(s.store(), s.cases(), s.workspace(), today())
    if plan.empty:
        out(f"Niets op te schonen: geen casus is langer dan "
            f"{s.workspace().config.bewaartermijn} jaar gesloten.")
        _warn_unreadable(plan)
        return
    _show_plan(plan)
    if dry_run:
        err("Proefdraai: er is niets verwijderd. Gebruik --yes om op te schonen.")
        return
    if not yes and not confirm(_question(plan)):
        err("Niets verwijderd.")
        raise typer.Exit(ExitStatus.ERROR)
    _report(plan, purge_records(s.store(), plan))
    _offer_file_deletion(plan.expired)


def _show_plan(plan: PurgePlan) -> None:
    """The cases, documents and reopen reasons that would go, and what stays behind."""
    from overleg.cli.common import err, session

    ws = session().workspace()
    if plan.expired:
        _expired_table(plan.expired)
    if any(e.case is None for e in plan.expired):
        out("Zonder casusbestand telt de bewaartermijn vanaf de laatste datum in de database "
            "(vergadering, deadline of volgende bespreking).")
    if plan.documents:
        out(f"Documenten die verdwijnen ({len(plan.documents)}):")
        for path in plan.documents:
            out(f"  {ws.rel(path)}")
    if plan.reopenings:
        out(f"Met hun vergadering verdwijnen {plan.reopenings} reden(en) van heropening.")
    if plan.elsewhere:
        err("Buiten de werkmap staan nog stukken met deze casussen; overleg verwijdert ze niet, "
            "ruim ze zelf op: " + ", ".join(str(p) for p in plan.elsewhere))
    _warn_unreadable(plan)


def _warn_unreadable(plan: PurgePlan) -> None:
    from overleg.cli.common import err

    if plan.unreadable:
        err(f"Let op: {plan.unreadable} casusbestand(en) zonder leesbaar id; gegevens zonder "
            "casusbestand blijven staan tot 'overleg cases check' geen fouten meer meldt.")


def _question(plan: PurgePlan) -> str:
    parts = [f"vergadergegevens van {len(plan.expired)} casus(sen)"] if plan.expired else []
    if plan.documents:
        parts.append(f"{len(plan.documents)} document(en)")
    what = " en ".join(parts)
    return f"{what[0].upper()}{what[1:]} definitief verwijderen?"


def _report(plan: PurgePlan, done: Purged) -> None:
    if plan.expired:
        out(f"{done.rows} vergaderregel(s) van {len(plan.expired)} casus(sen) verwijderd; het "
            "logboek houdt bij dat dit is gebeurd.")
    if plan.documents:
        out(f"{len(done.documents)} document(en) verwijderd.")


def _expired_table(expired: list[Expired]) -> None:
    from rich.table import Table

    from overleg.cli.common import console, plain, session
    from overleg.dates import fmt

    ws = session().workspace()
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("casus", "gesloten", "bewaren tot", "wat verdwijnt", "bestand"):
        table.add_column(column, no_wrap=column != "wat verdwijnt")
    for e in expired:
        closed, file = ((fmt(e.closed), ws.rel(e.case.path)) if e.case is not None else
                        ("onbekend", f"geen; laatst {fmt(e.closed)}"))
        table.add_row(*plain(e.case_id, closed, fmt(e.until), _records(e.records), file))
    console().print(table)


def _offer_file_deletion(expired: list[Expired]) -> None:
    """The case files of purged cases go only after a second, explicit yes."""
    from overleg.cli.common import confirm, err, session
    from overleg.retention import delete_case_files

    s = session()
    files = [e.case.path for e in expired if e.case is not None and e.case.path.exists()]
    if not files:
        return
    out("Deze casusbestanden mogen nu weg: " + ", ".join(s.workspace().rel(p) for p in files))
    if not confirm(f"Ook de {len(files)} casusbestand(en) verwijderen?"):
        err("Casusbestanden niet verwijderd.")
        return
    done = delete_case_files(s.store(), expired)
    for path in done.changed:
        err(f"{s.workspace().rel(path)} is veranderd sinds het werd getoond (opnieuw actief of "
            "bewerkt) en is niet verwijderd.")
    out(f"{len(done.deleted)} casusbestand(en) verwijderd.")


def register(app: typer.Typer) -> None:
    # `log` is a command group (log, log verify), built when used: overleg.cli.log.
    app.command("init")(workspace_init)
    app.command("demo")(demo)
    app.command("purge")(purge)
