"""Help screens and usage errors in Dutch, through typer's documented route: `cls=` group and
command classes (`DutchGroup`, `DutchCommand`).

Typer has no setting for its own words ("Options", "[default: ...]", click's usage errors).
What cannot be reached through a documented route is touched here and only here, each listed
in `PRIVATE_API` with what breaks without it; tests/test_help.py checks every entry against
the installed typer, so an upgrade that moves one fails loudly instead of turning the help
English.
"""

from __future__ import annotations

import os
import re
from typing import Any

from typer._click.exceptions import UsageError  # private: typer vendors click (see below)
from typer.core import TyperCommand, TyperGroup

__all__ = ["DutchCommand", "DutchGroup", "UsageError", "usage_in_dutch"]

# (module, attribute, why we need it). Checked by tests/test_help.py.
PRIVATE_API = (
    ("typer._click.exceptions", "UsageError",
     "to catch a usage error of any command and say it in Dutch with exit code 2"),
    ("typer.rich_utils", "ARGUMENTS_PANEL_TITLE", "help panel titles in Dutch"),
    ("typer.rich_utils", "OPTIONS_PANEL_TITLE", "help panel titles in Dutch"),
    ("typer.rich_utils", "COMMANDS_PANEL_TITLE", "help panel titles in Dutch"),
    ("typer.rich_utils", "DEFAULT_STRING", "'[standaard: ...]' instead of '[default: ...]'"),
    ("typer.rich_utils", "REQUIRED_LONG_STRING", "'[verplicht]' instead of '[required]'"),
    ("typer.rich_utils", "COLOR_SYSTEM", "no colour in help under NO_COLOR"),
)

HELP_TEXTS = {
    "--help": "Toon deze hulp en stop.",
    "--install-completion": "Zet tab-aanvulling aan voor deze shell (bash, zsh of fish).",
    "--show-completion": "Toon het script voor tab-aanvulling, om het zelf te installeren.",
}

_USAGE_PHRASES = [
    (r"^Missing argument '(.+?)'\.", r"het argument \1 ontbreekt."),
    (r"^Missing option '(.+?)'\.", r"de optie \1 ontbreekt."),
    (r"^Missing parameter", r"er ontbreekt een waarde"),
    (r"^No such option: (\S+)", r"onbekende optie \1"),
    (r"^No such command '(.+?)'\.", r"onbekende opdracht '\1'."),
    (r"^Got unexpected extra arguments? \((.*)\)", r"te veel argumenten: \1"),
    (r"^Invalid value for (.+?): ", r"ongeldige waarde voor \1: "),
    (r"^Invalid value: ", r"ongeldige waarde: "),
    (r"^Option '(.+?)' requires an argument\.", r"de optie \1 vraagt een waarde."),
    (r" is not one of ", r" is niet een van "),
    (r" is not a valid int(eger)?( range)?\.?", r" is geen geheel getal."),  # range: min/max
    (r" is not in the range ", r" valt buiten het bereik "),
    (r" is not a valid boolean", r" is geen ja/nee-waarde"),
    (r"Did you mean ", r"Bedoelde u "),
]
_USAGE_WORDS = (("[OPTIONS]", "[OPTIES]"), ("COMMAND [ARGS]...", "OPDRACHT [ARGUMENTEN]..."))


def usage_in_dutch(message: str) -> str:
    """Click's usage messages in Dutch (the common ones; the rest as click wrote them)."""
    for english, dutch in _USAGE_PHRASES:
        message = re.sub(english, dutch, message)
    return message


def dutch_help(command: Any, ctx: Any) -> None:
    """Make typer's own words Dutch just before a help screen is drawn (typer.rich_utils is
    imported only then: start-up time is measured)."""
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
            if name in HELP_TEXTS:
                param.help = HELP_TEXTS[name]


def _usage(command: Any, ctx: Any, formatter: Any) -> None:
    pieces = " ".join(command.collect_usage_pieces(ctx))
    for english, dutch in _USAGE_WORDS:
        pieces = pieces.replace(english, dutch)
    formatter.write_usage(ctx.command_path, pieces, prefix="Gebruik: ")


class DutchCommand(TyperCommand):
    """A command whose help screen and usage line are Dutch."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        dutch_help(self, ctx)
        super().format_help(ctx, formatter)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)


class DutchGroup(TyperGroup):
    """A command group whose help is Dutch, and whose sub-commands are made Dutch too as
    they are looked up (typer builds every command as a plain TyperCommand/TyperGroup)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        dutch_help(self, ctx)
        super().format_help(ctx, formatter)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)

    def get_command(self, ctx: Any, name: str) -> Any:
        command = super().get_command(ctx, name)
        if type(command) is TyperCommand:
            command.__class__ = DutchCommand
        elif type(command) is TyperGroup:
            command.__class__ = DutchGroup
        return command
