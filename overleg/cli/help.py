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
from collections.abc import Iterator
from contextlib import contextmanager
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
    ("typer.rich_utils", "RANGE_STRING", "number ranges in help: drawn from _describe_range"),
    ("typer._click.types", "_NumberRangeBase", "its _describe_range gives a help screen's "
     "'[1<=x<=240]': '[1 t/m 240]' is set on a copy of the type"),
)

HELP_TEXTS = {
    "--help": "Toon deze hulp en stop.",
    "--install-completion": "Zet tab-aanvulling aan voor deze shell (bash, zsh of fish).",
    "--show-completion": "Toon het script voor tab-aanvulling, om het zelf te installeren.",
}

_NUMBER = r"-?\d+(?:\.\d+)?"
# click's range check: "0 is not in the range 1<=x<=240." (or x>=1, x<10, 0<x<=5 ...)
_RANGE = re.compile(rf"(?P<value>\S+) is not in the range (?:(?P<lo>{_NUMBER})(?P<lop><=?))?x"
                    rf"(?:(?P<hop>[<>]=?)(?P<hi>{_NUMBER}))?\.?")

_USAGE_PHRASES = [
    (r"^Missing argument '(.+?)'\.", r"het argument \1 ontbreekt."),
    (r"^Missing option '(.+?)'\.", r"de optie \1 ontbreekt."),
    (r"^Missing parameter: (\S+)", r"er ontbreekt een waarde voor \1"),
    (r"^Missing parameter", r"er ontbreekt een waarde"),
    (r"^Missing command\.", r"er ontbreekt een opdracht."),
    (r"\s*Choose from:\s*", r" Kies uit: "),
    (r",\n\t", r", "),
    (r"^No such option: (\S+)", r"onbekende optie \1"),
    (r"\(Possible options: (.*)\)", r"(mogelijke opties: \1)"),
    (r"^No such command '(.+?)'\.", r"onbekende opdracht '\1'."),
    (r"^Got unexpected extra arguments? \((.*)\)", r"te veel argumenten: \1"),
    (r"^Got unexpected extra argument\(s\) \((.*)\)", r"te veel argumenten: \1"),
    (r"^Invalid value for (.+?): ", r"ongeldige waarde voor \1: "),
    (r"^Invalid value: ", r"ongeldige waarde: "),
    (r"^Option '(.+?)' requires an argument\.", r"de optie \1 vraagt een waarde."),
    (r"^Option '(.+?)' requires (\d+) arguments\.", r"de optie \1 vraagt \2 waarden."),
    (r"^Option '(.+?)' does not take a value\.", r"de optie \1 neemt geen waarde."),
    (r"^Argument '(.+?)' takes (\d+) values\.", r"het argument \1 vraagt \2 waarden."),
    (r"Takes (\d+) values but (\d+) given\.", r"vraagt \1 waarden, maar kreeg er \2."),
    (r"(\d+) values are required, but (\d+) given\.", r"\1 waarden nodig, maar \2 gegeven."),
    (r"^Value must be an iterable\.", r"de waarde moet een lijst zijn."),
    (r" is not one of ", r" is niet een van "),
    (r" is not a valid int(eger)?( range)?\.?", r" is geen geheel getal."),  # range: min/max
    (r" is not a valid float( range)?\.?", r" is geen getal."),
    (r" is not a valid boolean\. Recognized values: ", r" is geen ja/nee-waarde. Geldig: "),
    (r" is not a valid boolean", r" is geen ja/nee-waarde"),
    (r" is not a valid UUID\.", r" is geen geldige UUID."),
    (r"(File|Directory|Path) '(.+?)' does not exist\.", r"'\2' bestaat niet."),
    (r"(File|Directory|Path) '(.+?)' is a file\.", r"'\2' is een bestand, geen map."),
    (r"(File|Directory|Path) '(.+?)' is a directory\.", r"'\2' is een map, geen bestand."),
    (r"(File|Directory|Path) '(.+?)' is not readable\.", r"'\2' is niet leesbaar."),
    (r"(File|Directory|Path) '(.+?)' is not writable\.", r"'\2' is niet beschrijfbaar."),
    (r"Did you mean ", r"Bedoelde u "),
]
_USAGE_WORDS = (("[OPTIONS]", "[OPTIES]"), ("COMMAND [ARGS]...", "OPDRACHT [ARGUMENTEN]..."))


def _range_in_dutch(match: re.Match[str]) -> str:
    """'0 is not in the range 1<=x<=240.' -> '0; het moet een getal van 1 tot en met 240 zijn.'"""
    lo, lop, hop, hi = match["lo"], match["lop"], match["hop"], match["hi"]
    if lo is None and hop in (">", ">="):  # x>=1: a lower bound written after the x
        lo, lop, hop, hi = hi, "<=" if hop == ">=" else "<", None, None
    if lo is not None and hi is not None and lop == hop == "<=":
        bounds = f"van {lo} tot en met {hi}"
    else:
        low = None if lo is None else f"van ten minste {lo}" if lop == "<=" else f"groter dan {lo}"
        high = None if hi is None else f"van ten hoogste {hi}" if hop == "<=" else (
            f"kleiner dan {hi}")
        if low and high:
            high = high.removeprefix("van ")
        bounds = " en ".join(part for part in (low, high) if part)
    return f"{match['value']}; het moet een getal {bounds} zijn."


def usage_in_dutch(message: str) -> str:
    """Click's usage messages in Dutch (every message its types and parser give)."""
    message = _RANGE.sub(_range_in_dutch, message)
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


# The value types a help screen shows ('<str>', '<int range> [1<=x<=240]'), in Dutch.
_TYPE_NAMES = {"str": "tekst", "int": "getal", "int range": "getal", "float": "getal",
               "float range": "getal", "path": "pad", "filename": "bestand",
               "datetime": "datum en tijd", "boolean": "ja/nee"}


def _range_words(low: Any, high: Any, low_open: bool, high_open: bool) -> str:
    """The bounds of a number option as its help shows them: '1 t/m 240', 'ten minste 1'."""
    if low is not None and high is not None and not (low_open or high_open):
        return f"{low} t/m {high}"
    words = []
    if low is not None:
        words.append(f"groter dan {low}" if low_open else f"ten minste {low}")
    if high is not None:
        words.append(f"kleiner dan {high}" if high_open else f"ten hoogste {high}")
    return " en ".join(words)


@contextmanager
def dutch_types(command: Any, ctx: Any) -> Iterator[None]:
    """While a help screen is drawn, each parameter's type under its Dutch name (a copy: the
    type itself stays as it is, for click's messages)."""
    import copy

    swapped = []
    for param in command.get_params(ctx):
        dutch = _TYPE_NAMES.get(getattr(param.type, "name", ""))
        if dutch is None:
            continue
        typed = copy.copy(param.type)
        typed.name = dutch
        if hasattr(typed, "_describe_range"):  # private: see PRIVATE_API
            words = _range_words(typed.min, typed.max, typed.min_open, typed.max_open)
            typed._describe_range = lambda words=words: words
        swapped.append((param, param.type))
        param.type = typed
    try:
        yield
    finally:
        for param, original in swapped:
            param.type = original


def _parse_args(parse: Any, ctx: Any, args: Any) -> Any:
    """A usage error of the parser names no command (click raises it without a context):
    give it the one being parsed, so the message points at that command's --help."""
    try:
        return parse(ctx, args)
    except UsageError as exc:
        if exc.ctx is None:
            exc.ctx = ctx
        raise


def _usage(command: Any, ctx: Any, formatter: Any) -> None:
    pieces = " ".join(command.collect_usage_pieces(ctx))
    for english, dutch in _USAGE_WORDS:
        pieces = pieces.replace(english, dutch)
    formatter.write_usage(ctx.command_path, pieces, prefix="Gebruik: ")


class DutchCommand(TyperCommand):
    """A command whose help screen and usage line are Dutch."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        dutch_help(self, ctx)
        with dutch_types(self, ctx):
            super().format_help(ctx, formatter)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        result: list[str] = _parse_args(super().parse_args, ctx, args)
        return result


class DutchGroup(TyperGroup):
    """A command group whose help is Dutch, and whose sub-commands are made Dutch too as
    they are looked up (typer builds every command as a plain TyperCommand/TyperGroup)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        dutch_help(self, ctx)
        with dutch_types(self, ctx):
            super().format_help(ctx, formatter)

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        _usage(self, ctx, formatter)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        result: list[str] = _parse_args(super().parse_args, ctx, args)
        return result

    def get_command(self, ctx: Any, name: str) -> Any:
        command = super().get_command(ctx, name)
        if type(command) is TyperCommand:
            command.__class__ = DutchCommand
        elif type(command) is TyperGroup:
            command.__class__ = DutchGroup
        return command
