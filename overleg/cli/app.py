"""The root `overleg` app: global options, sub-apps and the one place errors become exit codes."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from overleg import __version__
from overleg.cli import action, admin, agenda, cases, documents, meeting
from overleg.cli import schedule as schedule_cli
from overleg.cli import templates as templates_cli
from overleg.cli.common import err, new_session, session
from overleg.errors import OverlegError


class _Root(TyperGroup):
    """Turns every core error into `Fout: ...` on stderr and a named exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OverlegError as exc:
            err(f"Fout: {exc.message}")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err("Afgebroken.")
            raise typer.Exit(130) from None
        except sqlite3.DatabaseError as exc:  # OperationalError and a damaged file alike
            err(f"Fout: {_db_message(exc)}")
            raise typer.Exit(1) from None
        except OSError as exc:
            err(f"Fout: {_os_message(exc)}")
            raise typer.Exit(1) from None
        finally:
            session().close()

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands in the order of a meeting: the help screen's panels follow it."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: PANEL_ORDER.index(panel_of(name)))


def _db_message(exc: sqlite3.DatabaseError) -> str:
    """A Dutch reading of SQLite's English error; a change that failed is rolled back whole."""
    text = str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return (f"de database is bezet door een ander overleg-commando ({text}); deze wijziging "
                "is niet opgeslagen. Probeer het opnieuw.")
    if "disk is full" in low or "disk i/o error" in low:
        return (f"de database kon niet worden bijgewerkt ({text}): is de schijf vol? Deze "
                "wijziging is niet opgeslagen, alles van eerder wel. Maak ruimte en probeer "
                "het opnieuw.")
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return (f"de database kan niet worden geopend of beschreven ({text}). Staat de werkmap "
                "op een alleen-lezen schijf, of ontbreken schrijfrechten? Controleer de rechten "
                "op de werkmap en overleg.db; deze wijziging is niet opgeslagen.")
    if "not a database" in low or "malformed" in low:
        return (f"overleg.db is beschadigd of geen database ({text}). Zet een reservekopie "
                "terug; de casusbestanden zelf zijn niet aangetast.")
    return f"de database is niet te gebruiken ({text}). Probeer het opnieuw."


def _os_message(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"de schijf is vol{where}; er is niets half weggeschreven. Maak ruimte en "
                "probeer opnieuw.")
    if exc.errno == errno.EFBIG:
        return (f"het bestand wordt te groot voor de schijf of de ingestelde limiet{where}; er "
                "is niets half weggeschreven. Maak ruimte en probeer opnieuw.")
    if exc.errno == errno.EROFS:
        return (f"de schijf is alleen-lezen{where}. Kies een werkmap of uitvoerbestand op een "
                "schijf waarop geschreven kan worden.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (f"geen schrijf- of leesrechten{where}. Controleer de rechten op de map of het "
                "bestand.")
    return f"{exc.strerror or exc}{where}"


app = typer.Typer(
    cls=_Root,
    name="overleg",
    help="Assistent voor het casusoverleg van het Zorg- en Veiligheidshuis.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish)
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"overleg {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", metavar="PAD", help="Werkmap (anders "
                     "$OVERLEG_WORKSPACE of de dichtstbijzijnde map met overleg.toml).",
                     show_default=False),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", metavar="NAAM", help="Wie de wijziging doet (voor het logboek); "
                     "standaard de gebruiker van het systeem.", show_default=False),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Toon de versie en stop."),
    ] = False,
) -> None:
    """Assistent voor het casusoverleg van het Zorg- en Veiligheidshuis."""
    new_session(workspace, actor)


app.add_typer(cases.app, name="cases")
app.add_typer(agenda.app, name="agenda")
app.add_typer(meeting.app, name="meeting")
app.add_typer(action.app, name="action")
documents.register(app)
admin.register(app)
app.command("schedule")(schedule_cli.schedule)
app.add_typer(templates_cli.app, name="templates")


# --- the help screen -----------------------------------------------------------------------
# `overleg --help` groups the commands in the order of a meeting; anything not named here
# (new commands included) is "Beheer".
PANELS = {"cases": "Voorbereiden", "agenda": "Voorbereiden", "meeting": "Vergaderen",
          "action": "Vergaderen", "minutes": "Na afloop", "mail": "Na afloop"}
PANEL_ORDER = ("Voorbereiden", "Vergaderen", "Na afloop", "Beheer")


def panel_of(name: str | None) -> str:
    return PANELS.get(name or "", "Beheer")


for _info in (*app.registered_commands, *app.registered_groups):
    _info.rich_help_panel = panel_of(_info.name)

_HELP_TEXTS = {
    "--help": "Toon deze hulp en stop.",
    "--install-completion": "Zet tab-aanvulling aan voor deze shell (bash, zsh of fish).",
    "--show-completion": "Toon het script voor tab-aanvulling, om het zelf te installeren.",
}


def _dutch_help(command: Any, ctx: Any) -> None:
    """Typer has no setting for its own help texts: make them Dutch just before a help screen
    is drawn (typer.rich_utils is imported only then: start-up time is measured)."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "Argumenten"
    rich_utils.OPTIONS_PANEL_TITLE = "Opties"
    rich_utils.COMMANDS_PANEL_TITLE = "Opdrachten"
    rich_utils.DEFAULT_STRING = "[standaard: {}]"
    rich_utils.REQUIRED_LONG_STRING = "[verplicht]"
    if os.environ.get("NO_COLOR"):  # plain text, as from common.console()
        rich_utils.COLOR_SYSTEM = None
    for param in command.get_params(ctx):
        for name in param.opts:
            if name in _HELP_TEXTS:
                param.help = _HELP_TEXTS[name]


def _in_dutch(format_help: Any) -> Any:
    def format_help_in_dutch(self: Any, ctx: Any, formatter: Any) -> Any:
        _dutch_help(self, ctx)
        return format_help(self, ctx, formatter)

    format_help_in_dutch.dutch = True  # type: ignore[attr-defined]
    return format_help_in_dutch


# Every help screen (root, groups, commands; --help, -h or no arguments) passes here.
for _cls in (TyperGroup, TyperCommand):
    if not getattr(_cls.format_help, "dutch", False):
        _cls.format_help = _in_dutch(_cls.format_help)  # type: ignore[method-assign]


def main() -> None:
    """Console-script entry point."""
    app()
