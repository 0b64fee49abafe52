"""The input boundary for text: what comes in from outside (command-line arguments, lines on
stdin or the terminal, overleg.toml values) is checked here before the core stores or prints it.

Python decodes the command line, and stdin where the locale says so, with surrogate escapes:
a byte that is not UTF-8 (a Latin-1 `é` pasted from an old document) becomes a lone
surrogate that SQLite, files and the terminal cannot encode. Such text is refused with a
message that asks to type it again, never half stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from overleg.errors import InvalidInput

_SURROGATE = re.compile("[\ud800-\udfff]")
# What a one-line value may not hold: C0 controls (tab and line feed included), DEL, C1
# controls (NEL among them), the Unicode line and paragraph separators, and the
# bidirectional embeddings, overrides and isolates.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# The same, but a line feed (and a CR before it) allowed: a value of several lines.
_CONTROL_BUT_LINES = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
                                "\u202a-\u202e\u2066-\u2069]")


def is_valid_text(value: str) -> bool:
    """True when `value` can be encoded as UTF-8 (it holds no surrogate escapes)."""
    return value.isascii() or _SURROGATE.search(value) is None


def valid_text(value: str, what: str = "deze regel", it: str = "hem") -> str:
    """`value` itself when it is valid text, else InvalidInput: `<what> is geen geldige tekst
    (UTF-8); typ <it> opnieuw`."""
    if is_valid_text(value):
        return value
    raise InvalidInput(f"{what} is geen geldige tekst (UTF-8); typ {it} opnieuw.")


def check_arguments(args: Sequence[str]) -> None:
    """InvalidInput naming the first command-line argument that is not valid text: by its
    position after `overleg` (and the option before it), never by its content."""
    for index, arg in enumerate(args):
        if is_valid_text(arg):
            continue
        option, _, _ = arg.partition("=")
        if arg.startswith("--") and "=" in arg and is_valid_text(option):
            what = f"de waarde van {option}"
        elif index and args[index - 1].startswith("-") and is_valid_text(args[index - 1]):
            what = f"argument {index + 1} (na {args[index - 1]})"
        else:
            what = f"argument {index + 1}"
        raise InvalidInput(f"{what} is geen geldige tekst (UTF-8); typ het opnieuw.")


def control_character(value: str, lines: bool = False) -> str | None:
    """A description of the first line break or control character in `value`, or None.

    With `lines`, line feeds (and CRLF) are allowed: a value of several lines."""
    match = (_CONTROL_BUT_LINES if lines else _CONTROL).search(value)
    if match is None:
        return None
    char = match.group()
    if char in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        return f"een regelovergang (U+{ord(char):04X})"
    return f"een stuurteken (U+{ord(char):04X})"


def size_text(size: int) -> str:
    """A file size as a Dutch reader writes it: `900 bytes`, `1 MB`, `3,1 GB` (units of 1024)."""
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    if unit == "bytes":
        return f"{size} bytes"
    text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
    return f"{text.replace('.', ',')} {unit}"
