"""overleg.privacy: a BSN in every notation people write is found and masked, and no terminal
control character reaches the screen (through `cases check/show/list` as well)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from overleg.privacy import (
    MASK,
    bsn_lines,
    clean,
    has_nine_digits,
    is_bsn,
    mask_bsn,
    resembles_bsn,
    strip_controls,
)


def check_digit(first8: str) -> int:
    """The last digit that makes `first8` pass the eleven-test, or 10 when none does."""
    return sum(int(d) * w for d, w in zip(first8, range(9, 1, -1), strict=True)) % 11


def bsn_from(first8: str) -> str:
    """A number that passes the eleven-test, computed here (never written down)."""
    digit = check_digit(first8)
    assert digit < 10
    return first8 + str(digit)


def elfproef(digits: str) -> bool:
    """An independent eleven-test for the oracles below: nine ASCII digits, not all zero."""
    return (len(digits) == 9 and digits != "000000000"
            and check_digit(digits[:8]) == int(digits[8]))


B = bsn_from("27182818")
B2 = bsn_from("31415926")
WRONG = B[:8] + str((int(B[8]) + 1) % 10)  # the same number with a wrong check digit
assert is_bsn(B) and is_bsn(B2) and not is_bsn(WRONG)


def grouped(digits: str, form: str, sep: str = " ") -> str:
    """`digits` written as `form`: "9", "4-2-3" or "3-3-3", with `sep` between the groups."""
    if form == "9":
        return digits
    sizes = [int(n) for n in form.split("-")]
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start:start + size])
        start += size
    return sep.join(parts)


SCRIPTS = {"ascii": "0", "arabisch-indisch": "\u0660", "oost-arabisch": "\u06f0",
           "devanagari": "\u0966", "fullwidth": "\uff10"}


def in_script(digits: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(d)) for d in digits)


# --- notations, table-driven -----------------------------------------------------------

SEPARATORS = {"spatie": " ", "harde spatie": "\u00a0", "punt": ".", "streepje": "-"}

NOTATIONS = [
    *[(f"{form} met {name}", grouped(B, form, sep))
      for form in ("4-2-3", "3-3-3") for name, sep in SEPARATORS.items()],
    ("9 cijfers", B),
    *[(f"cijfers: {script}", in_script(B, zero)) for script, zero in SCRIPTS.items()],
    ("4-2-3 fullwidth met punt", grouped(in_script(B, "\uff10"), "4-2-3", ".")),
]


@pytest.mark.parametrize("notation", [n for _, n in NOTATIONS], ids=[i for i, _ in NOTATIONS])
@pytest.mark.parametrize(("before", "after"), [
    ("", ""), ("BSN ", "."), ("BSN:", ""), ("bsn-", " is bekend"), ("nr.", ","), ("a,", ";"),
    ("bsn", "x"), ("(", ")"), ("regel\n", "\nvolgende"),
], ids=["alleen", "zin", "dubbele punt", "streepje", "punt", "komma", "letters", "haakjes",
        "eigen regel"])
def test_every_notation_in_every_position_is_masked(notation: str, before: str,
                                                    after: str) -> None:
    assert mask_bsn(before + notation + after) == before + MASK + after
    assert has_nine_digits(before + notation + after)
    assert bsn_lines(before + notation + after) == [before.count("\n") + 1]


@pytest.mark.parametrize("text", [
    WRONG, grouped(WRONG, "4-2-3", "."), grouped(WRONG, "3-3-3"), in_script(WRONG, "\u0660"),
    "000000000", "0000.00.000", "000 000 000",
    f"1{B}", f"{B}0", f"12{B}34",  # inside a longer digit run
    f"1{grouped(B, '4-2-3', '.')}", f"{grouped(B, '3-3-3')}4",
    in_script("1", "\u0660") + in_script(B, "\u0660"),
    grouped(B, "3-3-3", "  "),  # two separators: not one notation
    grouped(B, "3-3-3", ","), grouped(B, "3-3-3", "/"), grouped(B, "3-3-3", "\t"),
    f"{B[:2]} {B[2:]}", f"{B[:5]}.{B[5:]}",  # groupings nobody uses for a BSN
    "geen cijfers", "",
], ids=lambda text: repr(text)[:40])
def test_what_is_not_a_bsn_stays(text: str) -> None:
    assert mask_bsn(text) == text
    assert bsn_lines(text) == []


def test_two_and_overlapping_numbers() -> None:
    assert mask_bsn(f"{B} en {grouped(B2, '3-3-3', '-')}") == f"{MASK} en {MASK}"
    # Two 3-3-3 windows share groups; the first fails the eleven-test, the second passes.
    first, second, third = B[:3], B[3:6], B[6:]
    head = next(f"{n:03d}" for n in range(100, 1000) if not is_bsn(f"{n:03d}{first}{second}"))
    assert mask_bsn(f"{head} {first} {second} {third}") == f"{head} {MASK}"


def test_bsn_lines_counts_each_line_once() -> None:
    text = f"a\nBSN {B} en {B2}\nniets\n{grouped(B, '4-2-3', '.')}\n{WRONG}"
    assert bsn_lines(text) == [2, 4]


def test_is_bsn_takes_decimal_digits_only() -> None:
    assert is_bsn(in_script(B, "\u0966"))
    assert not is_bsn("\u00b2" * 9)  # superscript two: str.isdigit, but no decimal digit
    assert not is_bsn(grouped(B, "4-2-3", "."))  # digits only; the notation is mask_bsn's job
    assert not is_bsn(B[:8])
    assert not is_bsn("000000000")


def test_the_check_before_the_scan_sees_long_ascii_text() -> None:
    filler = "Volgens de melding woont hij sinds 2019 in de wijk. " * 3
    for notation in (B, grouped(B, "4-2-3", "."), grouped(B, "3-3-3", "-"),
                     grouped(B, "3-3-3", "\u00a0")):
        assert has_nine_digits(filler + notation + filler)
        assert mask_bsn(filler + notation + filler) == filler + MASK + filler
    assert not has_nine_digits(filler)


@pytest.mark.parametrize(("value", "expected"), [
    (B, True), (grouped(B, "4-2-3", "."), True), (f"2026-{B}", True),
    ("-".join([B[:2], B[2:4], B[4:6], B[6:]]), True),  # its digits together are a BSN
    ("2026-014", False), (WRONG, False), ("2026-10007-a", True),
])
def test_resembles_bsn(value: str, expected: bool) -> None:
    assert resembles_bsn(value) is expected


def test_the_old_names_in_cases_are_the_privacy_functions() -> None:
    import overleg.cases
    import overleg.privacy

    for name in ("is_bsn", "mask_bsn", "has_nine_digits"):
        assert getattr(overleg.cases, name) is getattr(overleg.privacy, name)


# --- BSN properties ---------------------------------------------------------------------

SEPARATOR_CHARS = " \u00a0.-"


@st.composite
def bsns(draw: st.DrawFn) -> str:
    first8 = draw(st.integers(0, 99_999_999).map(lambda n: f"{n:08d}")
                  .filter(lambda d: check_digit(d) < 10 and d != "00000000"))
    return bsn_from(first8)


@st.composite
def notations(draw: st.DrawFn, digits: st.SearchStrategy[str]) -> str:
    number = draw(digits)
    zero = draw(st.sampled_from(sorted(SCRIPTS.values())))
    return grouped(in_script(number, zero), draw(st.sampled_from(["9", "4-2-3", "3-3-3"])),
                   draw(st.sampled_from(SEPARATOR_CHARS)))


AROUND = st.text(alphabet=st.sampled_from(list("abBSN:;,()-. \u00a0\n\t0123456789\u0661\uff13")),
                 max_size=20)


def bounded(before: str, after: str) -> tuple[str, str]:
    """Text around a notation that does not continue its digit run."""
    if before and before[-1].isdecimal():
        before += "x"
    if after and after[0].isdecimal():
        after = "x" + after
    return before, after


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(notations(bsns()), AROUND, AROUND)
def test_a_bsn_in_any_notation_and_any_text_is_masked(notation: str, before: str,
                                                      after: str) -> None:
    before, after = bounded(before, after)
    masked = mask_bsn(before + notation + after)
    assert notation not in masked
    assert MASK in masked
    assert mask_bsn(masked) == masked  # nothing is left to mask
    assert bsn_lines(masked) == []


@st.composite
def wrong_numbers(draw: st.DrawFn) -> str:
    number = draw(bsns())
    return number[:8] + str((int(number[8]) + draw(st.integers(1, 9))) % 10)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(notations(wrong_numbers()), notations(bsns()),
       st.text(alphabet="abc :-.()\n", max_size=10), st.text(alphabet="abc :-.()\n", max_size=10))
def test_a_wrong_check_digit_is_never_masked_a_right_one_next_to_it_is(
        wrong: str, right: str, before: str, after: str) -> None:
    assert mask_bsn(f"{before}{wrong} en {right}{after}") == f"{before}{wrong} en {MASK}{after}"


def might_hold_a_bsn(text: str) -> bool:
    """A generous oracle: any nine digits in a row once every separator is taken out."""
    digits = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else
                     "" if c in SEPARATOR_CHARS else "/" for c in text)
    return any(elfproef(run[i:i + 9]) for run in digits.split("/")
               for i in range(len(run) - 8))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789" * 3 + " .-\u00a0ab,\n\u0663\uff17")),
               max_size=30), st.integers(0, 30), notations(bsns()))
@example(f"x{WRONG}x", 0, B)
def test_text_without_a_bsn_is_unchanged_and_a_bsn_put_in_is_masked(text: str, at: int,
                                                                     notation: str) -> None:
    assume(not might_hold_a_bsn(text))
    assert mask_bsn(text) == text
    assert bsn_lines(text) == []
    # 'x' is neither digit nor separator: no notation reaches across it
    left, right = text[:at], text[at:]
    masked = mask_bsn(f"{left}x{notation}x{right}")
    assert masked == f"{left}x{MASK}x{right}"
    assert has_nine_digits(f"{left}x{notation}x{right}")  # the pre-check never hides one


# --- control characters -----------------------------------------------------------------

def is_control(char: str) -> bool:
    """What the terminal must never receive, from the definition (not from privacy.py)."""
    code = ord(char)
    return ((code < 0x20 and char not in "\t\n") or 0x7F <= code <= 0x9F
            or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069)


CONTROLS = [chr(c) for c in range(0x2070) if is_control(chr(c))]


@pytest.mark.parametrize(("text", "expected"), [
    ("kopie \x1b]52;c;aGFjaw==\x07 klaar", "kopie ]52;c;aGFjaw== klaar"),
    ("wis \x1b[2J scherm", "wis [2J scherm"),
    ("reset\x1bc", "resetc"),
    ("C1 \x9b2J en \x9d0;titel\x9c", "C1 2J en 0;titel"),
    ("omgekeerd \u202eJansen\u202c", "omgekeerd Jansen"),
    ("isolaat \u2066x\u2069", "isolaat x"),
    ("windows\r\nregel\r\n", "windows\nregel\n"),
    ("losse\rCR", "losseCR"),
    ("tab\tblijft\nen LF ook", "tab\tblijft\nen LF ook"),
    ("NUL\x00 BS\x08 DEL\x7f", "NUL BS DEL"),
    ("gewoon: café, coördinatie, \u00a0€ 12", "gewoon: café, coördinatie, \u00a0€ 12"),
], ids=lambda text: repr(text)[:30])
def test_strip_controls(text: str, expected: str) -> None:
    assert strip_controls(text) == expected


def test_every_control_character_is_removed() -> None:
    assert len(CONTROLS) == 30 + 33 + 5 + 4
    assert strip_controls("".join(CONTROLS)) == ""
    # strip_controls skips its regex for str.isprintable text: each of them must defeat that
    assert not any(c.isprintable() for c in CONTROLS)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(CONTROLS), st.characters()), max_size=40))
def test_strip_controls_removes_exactly_the_controls(text: str) -> None:
    stripped = strip_controls(text)
    assert stripped == "".join(c for c in text if not is_control(c))
    assert strip_controls(stripped) == stripped


def test_clean_strips_first_so_a_hidden_bsn_is_masked_too() -> None:
    hidden = f"{B[:4]}\x7f{B[4:6]}\u2066{B[6:]}"  # invisible on a terminal
    assert clean(f"BSN {hidden}.") == f"BSN {MASK}."
    assert clean("gewone tekst") == "gewone tekst"


# --- through the CLI ------------------------------------------------------------------------

def case_text(case_id: str, *, front: str = "initialen: A.B.\n", body: str = "") -> str:
    """A case file: line 1 '---', id on line 2, `front` from line 3, then the fixed keys."""
    return (f"---\nid: {case_id}\n{front}status: actief\naangemeld_op: 2026-11-02\n"
            f"aangemeld_door: RN\npartners: [RN, POL]\n---\n# A.B.\n\n## Situatie\n{body}"
            "\n## Vraag aan het overleg\nWat nu?\n")


def write(ws: Path, name: str, text: str) -> None:
    (ws / "casussen" / name).write_text(text, encoding="utf-8")


WARNING = ("waarschuwing: mogelijk BSN (9 cijfers die de elfproef doorstaan); haal het uit het "
           "casusbestand. In elke uitvoer wordt het gemaskeerd.")


def test_check_warns_about_every_notation_with_its_line(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_text("2026-001", front=f"initialen: A.B.\nkenmerk: bsn-{B}\n",
                                      body=(
        f"Volgens de melding BSN {grouped(B, '4-2-3', '.')}.\n"           # line 13
        f"Ook genoemd: {grouped(B2, '3-3-3')} en {grouped(B, '3-3-3', chr(0xA0))}\n"
        f"Dossier {grouped(B2, '3-3-3', '-')}; oud nummer {grouped(WRONG, '4-2-3', '.')}.\n"
        f"Telefoon 0612345678, ordernummer 1{B}.\n"                      # line 16: none
        f"In het Arabisch: {in_script(B, chr(0x660))}\n")))              # line 17
    result = run("cases", "check")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"casussen/a.md:{n}: {WARNING}"
                                          for n in (4, 13, 14, 15, 17)]
    assert result.stderr == "1 casusbestand gecontroleerd: 0 fouten, 5 waarschuwingen.\n"


def test_an_id_that_reads_as_a_bsn_is_refused_without_repeating_it(run, empty_ws: Path) -> None:
    spread = "-".join([B2[:4], B2[4:6], B2[6:8], B2[8]])  # not a notation, digits a BSN
    write(empty_ws, "a.md", case_text(B))
    write(empty_ws, "b.md", case_text(grouped(B2, "4-2-3", ".")))
    write(empty_ws, "c.md", case_text(spread))
    write(empty_ws, "d.md", case_text("2026-001"))
    refused = "'id' lijkt op een BSN (elfproef); kies een ander id"
    result = run("cases", "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"casussen/a.md:2: {WARNING}", f"casussen/a.md:2: {refused}",
        f"casussen/b.md:2: {WARNING}", f"casussen/b.md:2: {refused}",
        f"casussen/c.md:2: {refused}",
    ]
    assert result.stderr == "4 casusbestanden gecontroleerd: 3 fouten, 2 waarschuwingen.\n"
    listed = run("cases", "list", "--json")
    assert [c["id"] for c in json.loads(listed.stdout)] == ["2026-001"]
    for output in (result.output, listed.output):
        assert not re.search(r"\d{4}[.\-]?\d{2}[.\-]?\d{2}", output)  # no part of the numbers


ESCAPES = 'A.\\u202eB.\\e]52;c;aGFjaw==\\a\\x9b2J'  # YAML double-quoted escapes
SHOWN = "A.B.]52;c;aGFjaw==2J"


@pytest.fixture
def hostile(empty_ws: Path) -> Path:
    """A case whose front matter and body hold escape sequences and bidi overrides."""
    write(empty_ws, "a.md", case_text(
        "2026-001", front=f'initialen: "{ESCAPES}"\nregisseur: "B. \\u202eJansen"\n',
        body="Tekst \x1b]52;c;aGFjaw==\x07 en \x1b[2J klaar, \x9b31m rood \u2066x\u2069.\n"))
    return empty_ws


def assert_no_controls(text: str) -> None:
    assert [c for c in text if is_control(c)] == []


def test_show_passes_no_control_character(run, hostile: Path) -> None:
    result = run("cases", "show", "2026-001")
    assert result.exit_code == 0, result.output
    assert_no_controls(result.output)
    assert f"persoon {SHOWN}" in [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "regisseur B. Jansen" in " ".join(result.stdout.split())
    assert "Tekst ]52;c;aGFjaw== en [2J klaar, 31m rood x." in result.stdout


def test_list_passes_no_control_character(run, hostile: Path) -> None:
    table = run("cases", "list")
    assert table.exit_code == 0, table.output
    assert_no_controls(table.output)
    assert SHOWN in table.stdout
    as_json = run("cases", "list", "--json")
    assert_no_controls(as_json.output)
    assert "\\u001b" not in as_json.stdout and "\\u0007" not in as_json.stdout
    assert json.loads(as_json.stdout)[0]["initialen"] == SHOWN


def test_a_digest_is_printed_whole_in_json(run, example_ws, capsys):
    """`verstrekkingen --json` prints SHA-256 digests: one in ~100 holds nine digits that
    pass the eleven-test, and masking them would make the hash useless."""
    from overleg.cli.common import print_json
    from overleg.privacy import is_digest, mask_bsn

    digest = "9d032cf1ae43636b123456782" + "f" * 39
    assert is_digest(digest) and mask_bsn(digest) != digest
    print_json([{"sha256": digest, "text": "bsn 123456782", "hash": digest}])
    data = json.loads(capsys.readouterr().out)
    assert data == [{"sha256": digest, "text": "bsn *********", "hash": digest}]
    assert not is_digest(digest.upper()) and not is_digest(digest[:63])
