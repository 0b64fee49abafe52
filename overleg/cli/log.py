"""`overleg log [--case ID] [--json]` and `overleg log verify`: the audit log and its check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from overleg.cli.admin import audit_log
from overleg.errors import ExitStatus

if TYPE_CHECKING:
    from overleg.logchain import ChainCheck

# Without a sub-command the group shows the log, as `overleg log` always did.
app = typer.Typer(help=audit_log.__doc__, invoke_without_command=True, no_args_is_help=False,
                  subcommand_metavar="[OPDRACHT]")
app.callback()(audit_log)

NAMES = {"audit": "logboek", "disclosures": "register van verstrekkingen"}
# A noted hash shorter than this could match by chance.
NOTED_MIN = 16


def _lines(n: int) -> str:
    return f"{n} regel{'' if n == 1 else 's'}"


def _short(check: ChainCheck) -> str:
    return f"{check.last_hash[:16]}…" if check.last_hash else "(leeg)"


@app.command("verify")
def log_verify(
    noted: Annotated[str | None, typer.Option(
        "--hash", metavar="HASH", show_default=False,
        help="Een eerder genoteerde hash (minstens de eerste 16 tekens): controleer dat die "
             "regel er nog is.")] = None,
) -> None:
    """Controleer dat logboek en register van verstrekkingen niet zijn aangetast.

    Elke regel draagt een hash over zijn inhoud en de hash van de regel ervoor. Een regel
    die is gewijzigd, gewist of tussengevoegd breekt die keten, ook als dat buiten overleg
    om in de database is gedaan. Het weghalen van de nieuwste regels ziet u alleen aan een
    eerder genoteerde laatste hash: geef die mee met --hash.

    Voorbeeld: overleg log verify --hash 3f2a9c0d1e2b4a5f
    """
    from overleg.cli.common import err, fail, session

    if noted is not None:
        noted = noted.strip().lower()
        if len(noted) < NOTED_MIN or noted.strip("0123456789abcdef"):
            raise fail(f"--hash '{noted}' is geen hash zoals 'overleg log verify' die toont; "
                       f"geef minstens de eerste {NOTED_MIN} tekens (0-9, a-f).")
    check = session().store().verify_logs(noted)
    broken = [c for c in (check.audit, check.disclosures) if not c.ok]
    for c in broken:
        err(f"Fout: {NAMES[c.table]} is aangetast bij regel {c.broken_at} (tabel "
            f"{c.table}): {c.problem}.")
    if broken:
        err("Zet een reservekopie van overleg.db terug, of laat uitzoeken wie de database "
            "buiten overleg om heeft veranderd.")
        raise typer.Exit(ExitStatus.ERROR)
    if noted is not None and check.noted_at is None:
        raise fail(f"de genoteerde hash {noted[:16]}… staat niet (meer) in het logboek of "
                   "het register: de nieuwste regels zijn weggehaald, of de hash is verkeerd "
                   "overgenomen.")
    _report(check, noted)


def _report(check: Any, noted: str | None) -> None:
    """An intact log: the counts, the last hashes, and what a noted hash proves."""
    from overleg.cli.common import out

    # Counts and our own hashes only: printed whole (a hash is never a BSN to mask).
    typer.echo(f"Logboek in orde: {_lines(check.audit.rows)}, register van verstrekkingen: "
               f"{_lines(check.disclosures.rows)}. Laatste hash logboek: {_short(check.audit)}, "
               f"register: {_short(check.disclosures)}.")
    if check.noted_at is not None:
        table, row = check.noted_at
        out(f"De genoteerde hash {noted[:16] if noted else ''}… staat bij regel {row} van het "
            f"{NAMES[table]}: tot en met die regel is niets weggehaald of veranderd.")
    else:
        out("Noteer deze hashes ergens buiten deze computer: alleen daarmee ziet u later of de "
            "nieuwste regels zijn weggehaald (overleg log verify --hash <hash>).")
