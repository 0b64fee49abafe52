"""`overleg cases ...`: list, show and check the case files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from overleg.cli import completion
from overleg.cli.common import console, out, plain, print_json, session
from overleg.cli.options import CaseStatus
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from overleg.cases import Case
    from overleg.spreadsheet import ImportPlan

app = typer.Typer(help="Casusbestanden bekijken en controleren.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")]


@app.command("list")
def cases_list(
    status: Annotated[CaseStatus | None, typer.Option(
        "--status", help="Alleen casussen met deze status.", case_sensitive=False)] = None,
    partner: Annotated[str | None, typer.Option("--partner", autocompletion=completion.partners,
                                                help="Alleen casussen waarin "
                                                "deze partner zit (code, bijv. POL).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Toon alle casussen, ook afgesloten.

    Voorbeeld: overleg cases list --status actief --partner POL
    """
    from overleg.cases import filter_cases

    s = session()
    ws = s.workspace()
    code = ws.config.partner_code(partner) if partner is not None else None
    case_set = s.cases()
    cases = filter_cases(case_set.cases, status.value if status else None, code)
    if as_json:
        print_json([{"id": c.id, "initialen": c.initialen, "status": c.status,
                     "prioriteit": c.prioriteit, "partners": list(c.partners),
                     "file": ws.rel(c.path)} for c in cases])
    elif not cases:
        out("Geen casussen.")
    else:
        _cases_table(cases)
    if case_set.errors:
        raise typer.Exit(ExitStatus.ERROR)


def _cases_table(cases: list[Case]) -> None:
    from rich.table import Table

    from overleg.dates import fmt

    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("id", "persoon", "status", "prio", "regie", "partners", "bespreken"):
        table.add_column(column, no_wrap=column != "partners")
    for c in cases:
        table.add_row(*plain(c.id, c.label, c.status, c.prioriteit, c.regie or "",
                             ",".join(c.partners), fmt(c.bespreken) if c.bespreken else ""),
                      style="dim" if c.status == "afgesloten" else None)
    console().print(table)


@app.command("show")
def cases_show(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                           autocompletion=completion.case_ids)],
) -> None:
    """Toon één casus: de gegevens en de tekst.

    Voorbeeld: overleg cases show 2026-014
    """
    from rich.table import Table

    from overleg.casecache import read_body
    from overleg.privacy import clean

    s = session()
    case = s.case(case_id, report=False)
    shown = s.workspace().rel(case.path)
    body = read_body(case, shown)  # before printing anything: the file may have grown since
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in _fields(case, shown):
        if value:
            table.add_row(*plain(key, value))
    con = console()
    con.print(table)
    con.print()
    # Markdown for the layout, but case text is data: inline HTML prints as written, and no
    # control character reaches the terminal.
    _print_markdown(con, clean(body).strip().replace("&", "&amp;").replace("<", "&lt;"))


def _print_markdown(con: Console, body: str) -> None:
    """`body` as Markdown, drawn in pieces when it is long (markdown_pieces)."""
    from rich.markdown import Markdown

    pieces = markdown_pieces(body)
    if len(pieces) == 1:
        con.print(Markdown(body))
        return
    for index, (piece, blank_before) in enumerate(pieces):
        with con.capture() as drawn:
            con.print(Markdown(piece))
        # rich opens a document that starts with a list with an empty line: between pieces
        # there is one only where the text has a blank line.
        text = drawn.get().lstrip("\n") if index else drawn.get()
        con.file.write(("\n" if blank_before else "") + text)


# Characters of Markdown drawn at once. Parsing and drawing one document grow faster than its
# length (markdown-it's inline state, rich's lists and line splitting), so a long case text
# is drawn in pieces: the time grows with the text, not with its square.
PIECE = 16 * 1024


def markdown_pieces(body: str, size: int = PIECE) -> list[tuple[str, bool]]:
    """`body` cut into pieces of about `size` characters, each with whether a blank line
    comes before it. A cut falls on a blank line outside fenced code; a block longer than
    four pieces (one list or paragraph) is cut at a line end, a code fence closed before the
    cut and opened again after it; a line longer than that, at a space."""
    if len(body) <= size:
        return [(body, False)]
    pieces: list[tuple[str, bool]] = []
    lines: list[str] = []
    length = 0
    fence = ""  # the fence of the open code block (``` or ~~~), if any
    blank_before = False
    for line in (part for whole in body.split("\n") for part in _parts(whole, 4 * size)):
        if length >= size and not fence and not line.strip():
            pieces.append(("\n".join(lines), blank_before))
            lines, length, blank_before = [], 0, True
            continue
        if lines and length + len(line) > 4 * size:
            pieces.append(("\n".join([*lines, fence] if fence else lines), blank_before))
            lines, length, blank_before = [fence] if fence else [], 0, False
        lines.append(line)
        length += len(line) + 1
        marker = line.lstrip()[:3]
        if marker == fence or (not fence and marker in ("```", "~~~")):
            fence = "" if fence else marker
    pieces.append(("\n".join(lines), blank_before))
    return [(text, blank) for text, blank in pieces if text.strip()]


def _parts(line: str, limit: int) -> list[str]:
    """`line` in parts of at most `limit` characters, cut at a space where there is one."""
    parts = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(line[:cut])
        line = line[cut:].lstrip(" ")
    parts.append(line)
    return parts


def _fields(case: Case, shown_path: str) -> list[tuple[str, str]]:
    """The case's front matter as `cases show` lists it (empty values are left out)."""
    from overleg.dates import fmt

    return [
        ("id", case.id), ("persoon", case.label), ("wijk", case.wijk),
        ("thema", ", ".join(case.thema)), ("status", case.status),
        ("prioriteit", case.prioriteit), ("aangemeld", f"{fmt(case.aangemeld_op)} door "
                                                      f"{case.aangemeld_door}"),
        ("regie", case.regie or ""), ("regisseur", case.regisseur),
        ("partners", " ".join(case.partners)),
        ("geïnformeerd", {True: "ja", False: f"nee ({case.reden_niet_geinformeerd})",
                          None: ""}[case.geinformeerd]),
        ("bespreken", fmt(case.bespreken) if case.bespreken else ""),
        ("agenda", f"ja (verzoek van {case.verzoek_door})" if case.agenda and case.verzoek_door
         else "ja" if case.agenda else ""),
        ("toezicht", _toezicht(case)),
        ("afgesloten", fmt(case.afgesloten_op) if case.afgesloten_op else ""),
        ("bestand", shown_path),
    ]


def _toezicht(case: object) -> str:
    from overleg.dates import fmt

    toezicht = getattr(case, "toezicht", None)
    if toezicht is None:
        return ""
    einde = f"tot {fmt(toezicht.einde)}" if toezicht.einde else ""
    return " ".join(p for p in (einde, ", ".join(toezicht.voorwaarden)) if p)


@app.command("new")
def cases_new() -> None:
    """Maak een nieuw casusbestand: vraagt de gegevens een voor een (Tab vult codes aan).

    Het id wordt voorgesteld (het volgende vrije jjjj-nnn van dit jaar); het bestand wordt
    gecontroleerd voordat het wordt geschreven en overschrijft nooit een bestaand bestand.
    Zonder terminal leest het elk antwoord als een regel van stdin.

    Voorbeeld: overleg cases new
    """
    from overleg.cli.intake import run_form

    run_form()


@app.command("check")
def cases_check() -> None:
    """Controleer alle casusbestanden; exitcode 1 bij een fout.

    Voorbeeld: overleg cases check
    """
    s = session()
    case_set = s.cases(report=False)
    for finding in sorted(case_set.findings, key=lambda f: (f.path, f.line)):
        label = "" if finding.error else "waarschuwing: "
        out(f"{finding.path}:{finding.line}: {label}{finding.message}")
    files = case_set.files
    errors = len(case_set.errors)
    warnings = len(case_set.findings) - errors
    summary = f"{files} casusbestand{'en' if files != 1 else ''} gecontroleerd: "
    summary += f"{errors} fout{'en' if errors != 1 else ''}, "
    summary += f"{warnings} waarschuwing{'en' if warnings != 1 else ''}."
    typer.echo(summary, err=True)
    if errors:
        raise typer.Exit(ExitStatus.ERROR)


@app.command("request")
def cases_request(
    case_id: Annotated[str, typer.Argument(metavar="ID", help="Id van de casus.",
                                           autocompletion=completion.case_ids)],
    by: Annotated[str, typer.Option("--by", metavar="CODE", help="De partner die het vraagt "
                                    "(een partner van de casus).",
                                    autocompletion=completion.partners)],
    question: Annotated[str | None, typer.Option("--question", metavar="TEKST", help="De vraag "
                                                 "aan het overleg; komt onder '## Vraag aan "
                                                 "het overleg'.")] = None,
) -> None:
    """Vraag de casus aan voor het volgende overleg (agenda: ja, verzoek_door, de vraag).

    Alleen die regels van het casusbestand veranderen; de rest blijft zoals het was.

    Voorbeeld: overleg cases request 2026-014 --by RN --question "Is een zorgmachtiging nodig?"
    """
    from overleg.triage import request_case

    s = session()
    case = s.case(case_id)
    changed = request_case(s.store(), case, s.workspace().config, by, question)
    where = s.workspace().rel(case.path)
    if changed:
        out(f'Casus "{case.id}" staat op de agenda van het volgende overleg, op verzoek van '
            f"{s.workspace().config.partner_code(by)} ({where}: {', '.join(changed)}).")
    else:
        out(f'Casus "{case.id}" was al aangevraagd; {where} is niet gewijzigd.')


@app.command("import")
def cases_import(
    file: Annotated[str, typer.Argument(metavar="BESTAND", help="Een .xlsx- of .csv-bestand; "
                                        "de eerste rij bevat de kolomnamen (id, initialen, "
                                        "status, aangemeld_op, aangemeld_door, partners, ...).")],
    yes: Annotated[bool, typer.Option("--yes", help="Schrijf de casusbestanden echt (zonder "
                                      "--yes alleen een proefdraai).")] = False,
) -> None:
    """Maak casusbestanden uit een spreadsheet; zonder --yes alleen een proefdraai.

    Bestaande casussen worden nooit overschreven; elke rij wordt gecontroleerd als in
    'overleg cases check'. Problemen staan er als BESTAND:RIJ: melding.

    Voorbeeld: overleg cases import aanmeldingen.xlsx --yes
    """
    from pathlib import Path

    from overleg.spreadsheet import import_cases

    s = session()
    plan, written = import_cases(s.workspace(), s.store(), s.cases(report=False), Path(file),
                                 file, write=yes)
    if plan.create:
        _import_table(plan)
    _import_report(plan, written, yes)
    if plan.errors:
        raise typer.Exit(ExitStatus.ERROR)


def _import_table(plan: ImportPlan) -> None:
    from rich.table import Table

    ws = session().workspace()
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("rij", "id", "status", "partners", "bestand"):
        table.add_column(column, no_wrap=column != "partners")
    for new in plan.create:
        table.add_row(*plain(str(new.row), new.case.id, new.case.status,
                             ",".join(new.case.partners), ws.rel(new.path)))
    console().print(table)


def _import_report(plan: ImportPlan, written: list[Path], yes: bool) -> None:
    """Findings as BESTAND:RIJ: melding, then one line of what happened."""
    from overleg.cli.common import err

    ws = session().workspace()
    for finding in sorted([*plan.findings, *plan.skipped], key=lambda f: f.line):
        warn = not finding.error and finding not in plan.skipped
        err(f"{finding.path}:{finding.line}: {'waarschuwing: ' if warn else ''}"
            f"{finding.message}")
    failed = plan.failed_rows
    rest = (f", {len(plan.skipped)} overgeslagen (bestaat al), {failed} "
            f"{'rij' if failed == 1 else 'rijen'} met fouten")
    if yes:
        n = len(written)
        err(f"{n} {'casusbestand' if n == 1 else 'casusbestanden'} geschreven in "
            f"{ws.rel(ws.cases_dir)}/{rest}.")
    else:
        n = len(plan.create)
        err(f"Proefdraai: {n} {'casus zou' if n == 1 else 'casussen zouden'} worden "
            f"aangemaakt{rest}. Er is niets geschreven; schrijf ze met --yes.")
