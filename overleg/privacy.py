"""What may reach a screen or a document: BSN detection and masking, control characters removed.

A BSN (burgerservicenummer) is nine digits passing the eleven-test (elfproef), written as
people write it: `123456782`, `1234.56.782`, `123 456 782`, `123-456-782` (spaces, no-break
spaces, dots or dashes between the groups), in any script's decimal digits, after any
non-digit (`BSN:123456782`, `bsn-123456782`), but never as part of a longer digit run.
"""

from __future__ import annotations

import re

MASK = "*********"

# One separator between groups: spaces (plain, no-break, figure, thin, narrow no-break),
# dots (ASCII, fullwidth) and dashes (ASCII, hyphen, non-breaking hyphen, figure dash,
# en dash, fullwidth hyphen-minus).
_SEP = "[ \u00a0\u2007\u2009\u202f.\uff0e\\-\u2010\u2011\u2012\u2013\uff0d]"
# Every place a BSN notation starts, as a zero-width match, so that candidates which
# overlap (`111 222 333 444` holds two 3-3-3 windows) are each tried: a window failing the
# eleven-test must not hide a passing one next to it. At one position at most one of the
# three forms can match (they differ in where the first separator is).
_CANDIDATE = re.compile(
    rf"(?<!\d)(?=(\d{{9}}|(\d{{4}}){_SEP}(\d\d){_SEP}(\d{{3}})"
    rf"|(\d{{3}}){_SEP}(\d{{3}}){_SEP}(\d{{3}}))(?!\d))")
# Cheap pre-check: nine digits with at most one separator between any two of them; for
# long ASCII text, str.translate and three substring searches are several times faster.
_MAYBE = re.compile(rf"\d(?:{_SEP}?\d){{8}}")
_ASCII_SHAPE = str.maketrans({**dict.fromkeys("0123456789", "0"), " ": ".", "-": "."})
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2)

# C0 controls except tab and line feed, DEL, C1 controls, and the bidirectional
# embeddings, overrides and isolates (they reorder what a terminal shows).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def is_bsn(digits: str) -> bool:
    """True for nine decimal digits (any script) passing the eleven-test (elfproef)."""
    if len(digits) != 9 or not digits.isdecimal():
        return False
    values = [int(d) for d in digits]
    if not any(values):
        return False
    total = sum(v * w for v, w in zip(values, _WEIGHTS, strict=False))
    return (total - values[8]) % 11 == 0


def has_nine_digits(text: str) -> bool:
    """True when `text` could hold a BSN: nine digits, single separators allowed between."""
    if len(text) > 64 and text.isascii():
        shape = text.translate(_ASCII_SHAPE)
        return "000000000" in shape or "0000.00.000" in shape or "000.000.000" in shape
    return _MAYBE.search(text) is not None


def _spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every BSN notation in `text`, left to right, never overlapping."""
    spans: list[tuple[int, int]] = []
    end = 0
    for match in _CANDIDATE.finditer(text):
        start = match.start(1)
        if start < end:
            continue  # inside a notation already found
        groups = match.groups()
        digits = groups[0] if groups[1] is None and groups[4] is None else \
            "".join(g for g in groups[1:] if g is not None)
        if is_bsn(digits):
            end = match.end(1)
            spans.append((start, end))
    return spans


def mask_bsn(text: str) -> str:
    """`text` with every BSN notation (separators included) replaced by `*********`."""
    if not has_nine_digits(text):
        return text
    spans = _spans(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts += (text[last:start], MASK)
        last = end
    parts.append(text[last:])
    return "".join(parts)


def bsn_lines(text: str) -> list[int]:
    """The 1-based numbers of the lines of `text` that hold a BSN, each once, ascending."""
    if not has_nine_digits(text):
        return []
    return sorted({text.count("\n", 0, start) + 1 for start, _ in _spans(text)})


def resembles_bsn(value: str) -> bool:
    """True when `value` holds a BSN notation or its digits, taken together, are a BSN."""
    if bsn_lines(value):
        return True
    return is_bsn("".join(c for c in value if c.isdecimal()))


def strip_controls(text: str) -> str:
    """`text` without terminal control characters (tab and line feed stay; CRLF becomes LF).

    An escape sequence such as `ESC ] 52 ; c ; ... BEL` (write the clipboard) or `ESC [ 2 J`
    loses its ESC and BEL, so what is left is printed as plain text, never interpreted.
    """
    if text.isprintable() or _CONTROLS.search(text) is None:  # isprintable: fast, common
        return text
    return _CONTROLS.sub("", text)  # a CR goes too: CRLF leaves its LF


DIGEST = re.compile(r"[0-9a-f]{64}")


def is_digest(text: str) -> bool:
    """True for a SHA-256 hex digest as overleg writes them: our own data, never case text,
    so it is printed whole (one in ~100 digests holds nine digits passing the eleven-test)."""
    return DIGEST.fullmatch(text) is not None


def clean(text: str) -> str:
    """`text` as it may be printed: control characters removed, then every BSN masked."""
    return mask_bsn(strip_controls(text))
