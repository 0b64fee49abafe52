"""The root `overleg` app: global options, sub-apps and the one place errors become exit codes."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Annotated, Any

import typer

from overleg import __version__
from overleg.cli import admin, documents, export, figures, register, search
from overleg.cli import schedule as schedule_cli
from overleg.cli.common import err, new_session, session
from overleg.cli.help import HELP_TEXTS, DutchGroup, UsageError, usage_in_dutch
from overleg.errors import ExitStatus, OverlegError


class _Root(DutchGroup):
    """Turns every core error into `Fout: ...` on stderr and a named exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except OverlegError as exc:
            err(f"Fout: {exc.message}")
            raise typer.Exit(exc.exit_code) from None
        except UsageError as exc:  # a sub-command's usage: said in Dutch, exit code 2
            where = exc.ctx.command_path if exc.ctx else "overleg"
            err(f"Fout: {usage_in_dutch(exc.format_message())}\nZie '{where} --help'.")
            raise typer.Exit(ExitStatus.USAGE) from None
        except KeyboardInterrupt:
            err("Afgebroken.")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None
        except sqlite3.DatabaseError as exc:  # OperationalError and a damaged file alike
            err(f"Fout: {_db_message(exc)}")
            raise typer.Exit(ExitStatus.ERROR) from None
        except BrokenPipeError:  # `overleg ... | head`: the reader has seen enough
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            raise typer.Exit(ExitStatus.SUCCESS) from None
        except (OSError, UnicodeError) as exc:  # UnicodeError: past the text boundary
            err(f"Fout: {_os_message(exc) if isinstance(exc, OSError) else _NOT_TEXT}")
            raise typer.Exit(ExitStatus.ERROR) from None
        finally:
            session().close()

    def make_context(self, info_name: Any, args: Any, parent: Any = None, **extra: Any) -> Any:
        """Usage errors in the root's own options (`overleg --bogus`), in Dutch too; an
        argument that is not valid text (bytes that are not UTF-8) is one as well."""
        try:
            if not all(arg.isascii() for arg in args):  # only then pay for the check's import
                from overleg.text import check_arguments

                check_arguments(args)
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            err(f"Fout: {usage_in_dutch(exc.format_message())}\nZie 'overleg --help'.")
            raise typer.Exit(ExitStatus.USAGE) from None
        except OverlegError as exc:
            err(f"Fout: {exc.message}")
            raise typer.Exit(ExitStatus.USAGE) from None

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands in the order of a meeting: the help screen's panels follow it."""
        names = [n for n in super().list_commands(ctx) if n not in GROUPS]
        for group in GROUPS:  # built or not, a group keeps its place
            after = GROUP_AFTER.get(group)
            names.insert(names.index(after) + 1 if after in names else len(names), group)
        return sorted(names, key=lambda name: PANEL_ORDER.index(panel_of(name)))

    def get_command(self, ctx: Any, name: str) -> Any:
        """Command groups are built when first asked for: a command pays only for its own."""
        if name in GROUPS and name not in self.commands:
            group = typer.main.get_group(_group_app(name))
            group.name = name
            group.rich_help_panel = panel_of(name)
            self.commands[name] = group
        return super().get_command(ctx, name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """`overleg --help` drawn with plain rich parts: typer's help module alone costs
        more start-up than the rest of a command (docs/performance.md)."""
        _root_help(self, ctx)



def _db_message(exc: sqlite3.DatabaseError) -> str:
    """A Dutch reading of SQLite's English error; a change that failed is rolled back whole.
    SQLite's own words are left out where the Dutch says it all (they stay for the rest: our
    triggers speak Dutch)."""
    text = str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return ("de database is bezet door een ander overleg-commando; deze wijziging is niet "
                "opgeslagen. Probeer het opnieuw.")
    if "disk is full" in low or "disk i/o error" in low:
        return ("de database kon niet worden bijgewerkt: is de schijf vol? Deze wijziging is "
                "niet opgeslagen, alles van eerder wel. Maak ruimte en probeer het opnieuw.")
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return ("de database kan niet worden geopend of beschreven. Staat de werkmap op een "
                "alleen-lezen schijf, of ontbreken schrijfrechten? Controleer de rechten op de "
                "werkmap en overleg.db; deze wijziging is niet opgeslagen.")
    if "not a database" in low or "malformed" in low:
        return ("overleg.db is beschadigd of geen database. Zet een reservekopie terug; de "
                "casusbestanden zelf zijn niet aangetast.")
    return f"de database is niet te gebruiken ({text}). Probeer het opnieuw."


# Undecodable bytes that came past the text boundary (overleg.text) some other way.
_NOT_TEXT = ("er kwam tekst binnen die geen geldige tekst (UTF-8) is. Typ hem opnieuw, of sla "
             "het bestand op als UTF-8.")


def _os_message(exc: OSError) -> str:
    """A Dutch reading of an OSError, naming the file as the user named it."""
    path = _path_of(exc)
    where = f" ({path})" if path else ""
    if exc.errno == errno.EISDIR and path:
        return (f"{path} is een map, geen bestand: -o moet een bestand zijn. Geef bij -o de naam "
                "van een bestand (in die map, als u wilt).")
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
    from overleg.files import os_reason

    return f"{path}: {os_reason(exc)}" if path else os_reason(exc)


def _path_of(exc: OSError) -> str | None:
    """The file an OSError is about: never our temporary file (files.TEMP_SUFFIX), but the
    file it was to replace, as the error's second name or read from the temporary's name."""
    from overleg.files import TEMP_SUFFIX, is_temporary

    first, second = exc.filename, exc.filename2
    if first is None:
        return None
    name = os.fsdecode(first) if isinstance(first, str | bytes) else str(first)
    folder, base = os.path.split(name)
    if not is_temporary(base):
        return name
    if second is not None:
        return os.fsdecode(second) if isinstance(second, str | bytes) else str(second)
    # `.<name>.<random><suffix>`: the random part of mkstemp has no dots.
    target = base[1:].removesuffix(TEMP_SUFFIX).removesuffix(".tmp").rsplit(".", 1)[0]
    return os.path.join(folder, target)


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


# Command groups, imported and built only when used (see _Root.get_command).
GROUPS = {"cases": "overleg.cli.cases", "agenda": "overleg.cli.agenda",
          "meeting": "overleg.cli.meeting", "action": "overleg.cli.action",
          "templates": "overleg.cli.templates", "inzage": "overleg.cli.inzage",
          "log": "overleg.cli.log", "triage": "overleg.cli.triage",
          "uitvraag": "overleg.cli.uitvraag"}
# Where a group stands among the commands of its panel (else: after them, in GROUPS order).
GROUP_AFTER = {"log": "demo", "triage": "cases", "uitvraag": "agenda"}


def _group_app(name: str) -> typer.Typer:
    import importlib

    sub: typer.Typer = importlib.import_module(GROUPS[name]).app
    return sub


documents.register(app)
admin.register(app)
register.register(app)
export.register(app)
search.register(app)
figures.register(app)
app.command("schedule")(schedule_cli.schedule)


# --- the help screen -----------------------------------------------------------------------
# `overleg --help` groups the commands in the order of a meeting; anything not named here
# (new commands included) is "Beheer".
PANELS = {"cases": "Voorbereiden", "triage": "Voorbereiden", "agenda": "Voorbereiden",
          "uitvraag": "Voorbereiden", "meeting": "Vergaderen",
          "action": "Vergaderen", "minutes": "Na afloop", "mail": "Na afloop"}
PANEL_ORDER = ("Voorbereiden", "Vergaderen", "Na afloop", "Beheer")


def panel_of(name: str | None) -> str:
    return PANELS.get(name or "", "Beheer")


for _info in app.registered_commands:
    _info.rich_help_panel = panel_of(_info.name)



def _root_help(group: _Root, ctx: Any) -> None:
    """The root help screen: usage, options and the commands in the order of a meeting."""
    from rich.text import Text

    from overleg.cli.common import console

    con = console()
    con.print()
    con.print(Text(" Gebruik: overleg [OPTIES] OPDRACHT [ARGUMENTEN]...", style="bold"))
    con.print()
    con.print(Text(f" {group.help or ''}".rstrip()))
    con.print()
    con.print(_panel("Opties", _root_options(group, ctx)))
    by_panel = _commands_by_panel(group, ctx)
    width = max(len(name) for rows in by_panel.values() for name, _, _ in rows)
    for title in PANEL_ORDER:
        if by_panel.get(title):  # one width for every panel: the commands line up
            con.print(_panel(title, [(n.ljust(width), m, h) for n, m, h in by_panel[title]]))


def _panel(title: str, rows: list[tuple[str, str, str]]) -> Any:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column(style="yellow", no_wrap=True)
    table.add_column()
    for first, second, third in rows:
        table.add_row(Text(first), Text(second), Text(third))
    return Panel(table, title=title, title_align="left", box=box.ROUNDED, border_style="dim",
                 padding=(0, 1))


def _root_options(group: _Root, ctx: Any) -> list[tuple[str, str, str]]:
    options = []
    for param in group.get_params(ctx):
        if getattr(param, "hidden", False) or not param.opts:
            continue
        longs = [o for o in param.opts if o.startswith("--")]
        shorts = [o for o in param.opts if not o.startswith("--")]
        metavar = "" if getattr(param, "is_flag", False) else (param.metavar or "")
        help_text = HELP_TEXTS.get(longs[0] if longs else "", getattr(param, "help", "") or "")
        options.append((", ".join([*longs, *shorts]), metavar, help_text))
    return options


def _commands_by_panel(group: _Root, ctx: Any) -> dict[str, list[tuple[str, str, str]]]:
    """(name, "", first help line) per command, by help panel; groups are not built for it."""
    by_panel: dict[str, list[tuple[str, str, str]]] = {}
    for name in group.list_commands(ctx):
        if name in GROUPS and name not in group.commands:
            short = (_group_app(name).info.help or "").strip().split("\n")[0]
        else:
            short = group.commands[name].get_short_help_str(limit=200)
        by_panel.setdefault(panel_of(name), []).append((name, "", short))
    return by_panel




def main() -> None:
    """Console-script entry point."""
    app()
