"""Case files: parsing, every kind of finding, BSN masking, and the front-matter write-back."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overleg.casecache import load_cases
from overleg.cases import (
    Case,
    Toezicht,
    is_bsn,
    mask_bsn,
    parse_case,
    question_of,
)
from overleg.config import parse_config
from overleg.errors import StaleCaseFile
from overleg.frontmatter import write_back
from overleg.workspace import load_workspace

ROOT = Path(__file__).resolve().parent.parent
CONFIG = parse_config((ROOT / "examples" / "overleg.toml").read_text(encoding="utf-8"))
CODES = tuple(CONFIG.partners)
KNOWN = "bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ"
DATE_HINT = "gebruik 2026-12-01, 1-12-2026 of 1 december 2026"
SHOWN = "casussen/x.md"
PATH = Path("casussen/x.md")
# The hypothesis tests only read the environment the autouse fixture sets (a fixed "today").
FAST = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# Line 1 is '---'; these are lines 2..7; anything added starts on line 8.
BASE = [
    "id: 2026-014",
    "initialen: J.d.V.",
    "status: aangemeld",
    "aangemeld_op: 2026-11-02",
    "aangemeld_door: RN",
    "partners: [RN, POL]",
]
BODY = "# J.d.V.\n\n## Situatie\nOverlast.\n\n## Vraag aan het overleg\nIs zorg nodig?\n"


def front(drop: tuple[str, ...] = (), add: str = "", replace: dict[str, str] | None = None) -> str:
    """The front-matter text of BASE without the `drop` keys, `replace`d, plus `add` lines."""
    lines = []
    for line in BASE:
        key = line.split(":", 1)[0]
        if key in drop:
            continue
        lines.append(f"{key}: {replace[key]}" if replace and key in replace else line)
    return "\n".join(lines) + "\n" + add


def case_bytes(fm: str, body: str = BODY) -> bytes:
    return f"---\n{fm}---\n{body}".encode()


def parse(raw: bytes) -> tuple[Case | None, list[tuple[str, bool]]]:
    case, findings = parse_case(raw, PATH, SHOWN, CONFIG)
    return case, [(str(f), f.error) for f in findings]


def bsn_from(prefix: str) -> str:
    """A number that passes the eleven-test, made from 8 digits (computed, never written down)."""
    total = sum(int(d) * w for d, w in zip(prefix, range(9, 1, -1), strict=True))
    check = total % 11
    assert check < 10, "pick another prefix"
    return prefix + str(check)


BSN = bsn_from("11122233")
NOT_BSN = BSN[:8] + str((int(BSN[8]) + 1) % 10)


def test_base_file_is_clean() -> None:
    case, findings = parse(case_bytes(front()))
    assert findings == []
    assert case is not None
    assert (case.id, case.initialen, case.status, case.prioriteit) == (
        "2026-014", "J.d.V.", "aangemeld", "midden")
    assert case.aangemeld_op == date(2026, 11, 2)
    assert case.partners == ("RN", "POL")
    assert case.question == "Is zorg nodig?"
    assert case.path == PATH


def err(line: int, message: str) -> tuple[str, bool]:
    return (f"{SHOWN}:{line}: {message}", True)


def bad_date(line: int, key: str, value: str) -> tuple[str, bool]:
    return err(line, f"'{key}' = '{value}' is geen geldige datum ({DATE_HINT})")


FINDINGS = [
    ("missing front matter", b"# J.d.V.\n\nGeen gegevens.\n", [err(
        1, "geen front matter: het bestand moet beginnen met een regel '---' en de gegevens "
           "moeten eindigen met een regel '---'")]),
    ("unterminated front matter", f"---\n{front()}# J.d.V.\n".encode(), [err(
        1, "de front matter is niet afgesloten: zet een regel '---' onder de gegevens")]),
    ("invalid YAML", case_bytes(front(add="wijk: Zuid: park\n")), [err(
        8, "ongeldige YAML in de front matter: een ': ' in een waarde, of een sleutel die "
           "inspringt: zet zo'n waarde tussen aanhalingstekens en begin elke sleutel aan het "
           "begin van de regel")]),
    ("unclosed list points at its line", case_bytes(front(add="thema: [a, b\n")), [err(
        8, "ongeldige YAML in de front matter: een lijst tussen [ ] is niet goed afgesloten: "
           "zet komma's tussen de waarden en een ']' aan het eind")]),
    ("front matter is a list", b"---\n- a\n- b\n---\n", [err(
        2, "de front matter moet sleutels met waarden bevatten (sleutel: waarde)")]),
    *[(f"missing {key}", case_bytes(front(drop=(key,))), [err(
        1, f"verplichte sleutel '{key}' ontbreekt")])
      for key in ("id", "initialen", "status", "aangemeld_op", "aangemeld_door", "partners")],
    ("empty required value", case_bytes(front(replace={"initialen": "~"})), [err(
        3, "verplichte sleutel 'initialen' ontbreekt")]),
    ("bad status", case_bytes(front(replace={"status": "open"})), [err(
        4, "'status' = 'open' is onbekend (kies uit: aangemeld, actief, nazorg, afgesloten)")]),
    ("bad prioriteit", case_bytes(front(add="prioriteit: urgent\n")), [err(
        8, "'prioriteit' = 'urgent' is onbekend (kies uit: hoog, midden, laag)")]),
    ("impossible ISO date", case_bytes(front(add="bespreken: 2026-02-30\n")),
     [bad_date(8, "bespreken", "2026-02-30")]),
    ("ISO month 13", case_bytes(front(add="bespreken: 2026-13-01\n")),
     [bad_date(8, "bespreken", "2026-13-01")]),
    ("impossible Dutch date", case_bytes(front(replace={"aangemeld_op": "31-04-2026"})),
     [bad_date(5, "aangemeld_op", "31-04-2026")]),
    ("impossible long date", case_bytes(front(add="afgesloten_op: 30 februari 2026\n")),
     [bad_date(8, "afgesloten_op", "30 februari 2026")]),
    ("unknown aangemeld_door", case_bytes(front(replace={"aangemeld_door": "XX"})), [err(
        6, f"'aangemeld_door' = 'XX' is geen partner uit overleg.toml ({KNOWN})")]),
    ("unknown regie", case_bytes(front(add="regie: GGD\n")), [err(
        8, f"'regie' = 'GGD' is geen partner uit overleg.toml ({KNOWN})")]),
    ("unknown verzoek_door", case_bytes(front(add="agenda: ja\nverzoek_door: pol\n")), [err(
        9, f"'verzoek_door' = 'pol' is geen partner uit overleg.toml ({KNOWN})")]),
    ("unknown partner", case_bytes(front(replace={"partners": "[RN, XX]"})), [err(
        7, f"'partners' bevat 'XX', geen partner uit overleg.toml ({KNOWN})")]),
    ("afgesloten without afgesloten_op", case_bytes(front(replace={"status": "afgesloten"})),
     [err(4, "status 'afgesloten' vraagt ook 'afgesloten_op'")]),
    ("geinformeerd nee without reden", case_bytes(front(add="geinformeerd: nee\n")), [err(
        8, "'geinformeerd' is nee: vul ook 'reden_niet_geinformeerd' in")]),
    ("bad boolean", case_bytes(front(add="agenda: misschien\n")), [err(
        8, "'agenda' = 'misschien' moet ja of nee zijn")]),
    ("geboortejaar too early", case_bytes(front(add="geboortejaar: 1899\n")), [err(
        8, "'geboortejaar' = '1899' moet een getal van 1900 tot en met 2026 zijn")]),
    ("geboortejaar in the future", case_bytes(front(add="geboortejaar: 2027\n")), [err(
        8, "'geboortejaar' = '2027' moet een getal van 1900 tot en met 2026 zijn")]),
    ("minuten not a number", case_bytes(front(add="minuten: twintig\n")), [err(
        8, "'minuten' = 'twintig' moet een getal van 1 tot en met 240 zijn")]),
    ("minuten a superscript digit", case_bytes(front(add="minuten: ²\n")), [err(
        8, "'minuten' = '²' moet een getal van 1 tot en met 240 zijn")]),
    ("toezicht with bad einde", case_bytes(front(
        add="toezicht:\n  voorwaarden: [meldplicht]\n  einde: 2027-02-30\n")), [err(
        10, f"'toezicht.einde' = '2027-02-30' is geen geldige datum ({DATE_HINT})")]),
    ("toezicht einde a list", case_bytes(front(add="toezicht:\n  einde: [2027-01-15]\n")), [err(
        9, "'toezicht.einde' moet één datum zijn, geen lijst of tabel")]),
    ("toezicht not a table", case_bytes(front(add="toezicht: 2027-01-15\n")), [err(
        8, "'toezicht' moet sleutels 'einde' en 'voorwaarden' bevatten")]),
    ("duplicate key", case_bytes(front(add="status: actief\n")), [err(
        8, "sleutel 'status' staat er twee keer in (eerder op regel 4)")]),
    ("list where one value belongs", case_bytes(front(add="regie: [GEM, POL]\n")), [err(
        8, "'regie' moet één waarde zijn, geen lijst of tabel")]),
    ("bad id", case_bytes(front(replace={"id": "2026/014"})), [err(
        2, "'id' = '2026/014' mag alleen letters, cijfers, '-', '_' en '.' bevatten")]),
    ("complex key", case_bytes(front(add="? [a, b]\n: c\n")), [err(
        8, "een sleutel moet een eenvoudig woord zijn")]),
    ("self-referencing anchor", case_bytes(front(add="lus: &a [*a]\n")), [err(
        8, "'lus': de waarde is te diep genest of te groot (YAML-anker?)")]),
    ("anchor bomb", case_bytes(front(add="".join(
        f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]\n" for i in range(1, 5)),
        replace={"partners": "&b0 [RN, POL]"})), [err(
        11, "'b4': de waarde is te diep genest of te groot (YAML-anker?)")]),
    ("not UTF-8 (latin-1)", case_bytes(front(add="wijk: Zuid\n"),
                                       "## Situatie\nCafé\n").replace(b"\xc3\xa9", b"\xe9"),
     [err(11, "het bestand is geen UTF-8-tekst; sla het op als UTF-8")]),
    ("UTF-16", f"---\n{front()}---\n{BODY}".encode("utf-16"), [err(
        1, "het bestand is geen UTF-8-tekst (bevat NUL-tekens; UTF-16?); sla het op als UTF-8")]),
    ("lone CR line endings", case_bytes(front()).replace(b"\n", b"\r"), [err(
        1, "losse CR-regeleinden; sla het op met LF- of CRLF-regeleinden")]),
]


@pytest.mark.parametrize(("raw", "expected"), [row[1:] for row in FINDINGS],
                         ids=[row[0] for row in FINDINGS])
def test_finding(raw: bytes, expected: list[tuple[str, bool]]) -> None:
    case, found = parse(raw)
    assert found == expected
    assert case is None


def test_two_findings_in_one_file_are_both_reported() -> None:
    raw = case_bytes(front(replace={"status": "open"}, add="bespreken: 31-11-2026\n"))
    assert parse(raw)[1] == [
        err(4, "'status' = 'open' is onbekend (kies uit: aangemeld, actief, nazorg, afgesloten)"),
        bad_date(8, "bespreken", "31-11-2026"),
    ]


ACCEPTED_DATES = [
    ("2026-12-01", date(2026, 12, 1)),  # year-month-day, never 12 January
    ("2026-01-12", date(2026, 1, 12)),
    ("1 december 2026", date(2026, 12, 1)),
    ("3-11-2026", date(2026, 11, 3)),
    ("01-12-2026", date(2026, 12, 1)),
]


@pytest.mark.parametrize(("written", "expected"), ACCEPTED_DATES)
def test_dates_are_read_iso_or_dutch_day_first(written: str, expected: date) -> None:
    case, found = parse(case_bytes(front(add=f"bespreken: {written}\n")))
    assert found == []
    assert case is not None and case.bespreken == expected


@pytest.mark.parametrize(("written", "expected"), [
    ("0142", "0142"), ("2026-014", "2026-014"), ("'2026-014'", "2026-014"), ("1e3", "1e3"),
    ("0x1F", "0x1F"), ("2026.10", "2026.10"),
])
def test_id_is_kept_as_written(written: str, expected: str) -> None:
    case, found = parse(case_bytes(front(replace={"id": written})))
    assert found == []
    assert case is not None and case.id == expected


@pytest.mark.parametrize(("written", "expected"), [
    ("ja", True), ("nee", False), ("true", True), ("false", False), ("Ja", True),
])
def test_booleans(written: str, expected: bool) -> None:
    case, found = parse(case_bytes(front(add=f"agenda: {written}\n")))
    assert found == []
    assert case is not None and case.agenda is expected


def test_geinformeerd_nee_with_reden() -> None:
    case, found = parse(case_bytes(front(add="geinformeerd: nee\n"
                                              "reden_niet_geinformeerd: lopend onderzoek\n")))
    assert found == []
    assert case is not None
    assert (case.geinformeerd, case.reden_niet_geinformeerd) == (False, "lopend onderzoek")


def test_aangemeld_door_and_regie_count_as_partners() -> None:
    case, found = parse(case_bytes(front(replace={"aangemeld_door": "WT", "partners": "[RN]"},
                                         add="regie: GEM\n")))
    assert found == []
    assert case is not None
    assert case.partners == ("RN", "WT", "GEM")
    assert (case.aangemeld_door, case.regie) == ("WT", "GEM")


def test_partner_listed_twice_counts_once() -> None:
    case, _ = parse(case_bytes(front(replace={"partners": "[RN, POL, RN]"}, add="regie: POL\n")))
    assert case is not None and case.partners == ("RN", "POL")


def test_afgesloten_with_afgesloten_op() -> None:
    case, found = parse(case_bytes(front(replace={"status": "afgesloten"},
                                         add="afgesloten_op: 20-12-2026\n")))
    assert found == []
    assert case is not None and case.afgesloten_op == date(2026, 12, 20)


def test_every_field_of_the_design_example() -> None:
    fm = """id: 2026-014
initialen: J.d.V.
geboortejaar: 1991
wijk: Zuiderpark
thema: [verward, overlast]
status: aangemeld           # aangemeld | actief | nazorg | afgesloten
prioriteit: hoog            # hoog | midden | laag (default midden)
aangemeld_op: 2026-11-02
aangemeld_door: RN
regie: GEM                  # agency that holds the case direction
regisseur: B. Jansen        # casusregisseur (optional)
partners: [RN, POL, GGZ, WT]
geinformeerd: nee
reden_niet_geinformeerd: lopend onderzoek
bespreken: 2026-12-01
agenda: ja
verzoek_door: POL
minuten: 20
toezicht:
  einde: 2027-01-15
  voorwaarden: [meldplicht, contactverbod]
"""
    case, found = parse(case_bytes(fm))
    assert found == []
    assert case == Case(
        id="2026-014", initialen="J.d.V.", status="aangemeld", aangemeld_op=date(2026, 11, 2),
        aangemeld_door="RN", partners=("RN", "POL", "GGZ", "WT", "GEM"), path=PATH,
        geboortejaar=1991, wijk="Zuiderpark", thema=("verward", "overlast"), prioriteit="hoog",
        regie="GEM", regisseur="B. Jansen", geinformeerd=False,
        reden_niet_geinformeerd="lopend onderzoek", bespreken=date(2026, 12, 1), agenda=True,
        verzoek_door="POL", minuten=20,
        toezicht=Toezicht(date(2027, 1, 15), ("meldplicht", "contactverbod")),
        question="Is zorg nodig?", extra={},
    )
    assert case.label == "J.d.V. (1991)"


def test_unknown_keys_are_kept_in_extra() -> None:
    case, found = parse(case_bytes(front(add="huisarts: dr. K.\nnotities:\n  - een\n  - twee\n"
                                              "meta: {bron: mail}\n")))
    assert found == []
    assert case is not None
    assert case.extra == {"huisarts": "dr. K.", "notities": ["een", "twee"],
                          "meta": {"bron": "mail"}}


def test_bom_file_reads_fine() -> None:
    case, found = parse(b"\xef\xbb\xbf" + case_bytes(front()))
    assert found == []
    assert case is not None and case.id == "2026-014"


def test_crlf_file_reads_fine() -> None:
    case, found = parse(case_bytes(front(add="bespreken: 1-12-2026\n")).replace(b"\n", b"\r\n"))
    assert found == []
    assert case is not None
    assert case.bespreken == date(2026, 12, 1)
    assert case.question == "Is zorg nodig?"
    assert "\r" not in case.question


def test_crlf_finding_lines_count_like_lf() -> None:
    raw = case_bytes(front(add="prioriteit: urgent\n")).replace(b"\n", b"\r\n")
    assert parse(raw)[1] == [
        err(8, "'prioriteit' = 'urgent' is onbekend (kies uit: hoog, midden, laag)")]


# --- BSN ----------------------------------------------------------------------------------

BSN_WARNING = ("mogelijk BSN (9 cijfers die de elfproef doorstaan); haal het uit het "
               "casusbestand. In elke uitvoer wordt het gemaskeerd.")


def test_the_computed_numbers() -> None:
    assert is_bsn(BSN)
    assert not is_bsn(NOT_BSN)
    assert not is_bsn("000000000")
    assert not is_bsn(BSN[:8])


def test_bsn_in_body_is_a_warning_on_its_line() -> None:
    case, found = parse(case_bytes(front(), BODY + f"\nBSN {BSN} volgens de melding.\n"))
    assert found == [(f"{SHOWN}:17: {BSN_WARNING}", False)]
    assert case is not None  # a warning never stops the case from loading


def test_bsn_in_front_matter_is_a_warning() -> None:
    case, found = parse(case_bytes(front(add=f"kenmerk: {BSN}\n")))
    assert found == [(f"{SHOWN}:8: {BSN_WARNING}", False)]
    assert case is not None


def test_nine_digits_failing_the_eleven_test_give_no_warning() -> None:
    case, found = parse(case_bytes(front(), BODY + f"\nDossier {NOT_BSN}.\n"))
    assert found == []
    assert case is not None


@pytest.mark.parametrize(("text", "expected"), [
    (f"BSN {BSN}.", "BSN *********."),
    (f"BSN{BSN}", "BSN*********"),
    (f"{BSN} en {BSN}", "********* en *********"),
    (f"dossier {NOT_BSN}", f"dossier {NOT_BSN}"),
    (f"10 cijfers {BSN}1", f"10 cijfers {BSN}1"),
    (f"ervoor 1{BSN}", f"ervoor 1{BSN}"),
    ("000000000", "000000000"),
    ("geen cijfers", "geen cijfers"),
    ("", ""),
    (f"regel\n{BSN}\n", "regel\n*********\n"),
])
def test_mask_bsn(text: str, expected: str) -> None:
    assert mask_bsn(text) == expected


# --- the question --------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "expected"), [
    ("## Vraag aan het overleg\nIs zorg nodig?\n", "Is zorg nodig?"),
    ("## Situatie\nx\n## Vraag aan het overleg\n\nEen.\nTwee.\n\n## Netwerk\nZus.\n",
     "Een.\nTwee."),
    ("## Vraag aan het overleg\nEen.\n# Bijlage\nNiet dit.\n", "Een."),
    ("## Vraag aan het overleg\nEen.\n### Detail\nOok dit.\n## Volgende\nNiet.\n",
     "Een.\n### Detail\nOok dit."),
    ("## vraag aan het overleg?\nKlein geschreven.\n", "Klein geschreven."),
    ("## Vraag aan het overleg:\nMet dubbele punt.\n", "Met dubbele punt."),
    ("### Vraag aan het overleg\nTe diep.\n", ""),
    ("## Situatie\nGeen vraag.\n", ""),
    ("", ""),
])
def test_question_section(body: str, expected: str) -> None:
    assert question_of(body) == expected


# --- the folder: duplicate ids ---------------------------------------------------------------

def test_duplicate_ids_name_both_files(empty_ws: Path) -> None:
    folder = empty_ws / "casussen"
    (folder / "a.md").write_bytes(case_bytes(front()))
    (folder / "b.md").write_bytes(case_bytes("# een opmerking\n" + front()))
    (folder / "c.md").write_bytes(case_bytes(front(replace={"id": "2026-015"})))
    case_set = load_cases(load_workspace(empty_ws))
    assert [(str(f), f.error) for f in case_set.findings] == [
        ("casussen/a.md:2: id '2026-014' staat ook in casussen/b.md", True),
        ("casussen/b.md:3: id '2026-014' staat ook in casussen/a.md", True),
    ]
    assert [c.id for c in case_set.cases] == ["2026-015"]


def test_folder_skips_readme_hidden_and_other_files(empty_ws: Path) -> None:
    folder = empty_ws / "casussen"
    (folder / "a.md").write_bytes(case_bytes(front()))
    (folder / "README.md").write_text("# Uitleg\n", encoding="utf-8")
    (folder / ".a.md.swp.md").write_text("rommel", encoding="utf-8")
    (folder / "notitie.txt").write_text("rommel", encoding="utf-8")
    case_set = load_cases(load_workspace(empty_ws))
    assert case_set.findings == []
    assert [c.path.name for c in case_set.cases] == ["a.md"]


# --- hypothesis: the parser never raises -----------------------------------------------------

@pytest.mark.slow
@FAST
@given(st.one_of(st.binary(max_size=400),
                 st.binary(max_size=400).map(lambda b: b"---\n" + b),
                 st.text(max_size=300).map(lambda t: f"---\n{t}\n---\n{t}".encode())))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    case, findings = parse_case(raw, PATH, SHOWN, CONFIG)
    assert case is None or isinstance(case, Case)
    assert all(f.path == SHOWN and f.line >= 1 for f in findings)
    if case is not None:
        assert not any(f.error for f in findings)


KEYS = ("id", "initialen", "status", "aangemeld_op", "aangemeld_door", "partners", "regie",
        "verzoek_door", "geboortejaar", "prioriteit", "bespreken", "agenda", "geinformeerd",
        "reden_niet_geinformeerd", "minuten", "toezicht", "afgesloten_op", "thema", "einde")
leaves = st.one_of(
    st.text(max_size=20),
    st.sampled_from(CODES + ("aangemeld", "afgesloten", "ja", "nee", "~", "null", "", " ", "²",
                             "0142", "hoog", "2026-12-01", "1-12-2026", "31-02-2026", "&a",
                             "[*a]")),
    st.integers(-10, 3000), st.booleans(), st.none(), st.dates(), st.floats(allow_nan=False),
)
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=4)),
    max_leaves=12)
front_matters = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=10)), values,
                                max_size=12)


@pytest.mark.slow
@FAST
@given(front_matters)
def test_arbitrary_front_matter_never_raises(data: dict) -> None:
    raw = ("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n" + BODY).encode("utf-8")
    case, findings = parse_case(raw, PATH, SHOWN, CONFIG)
    if case is not None:
        assert [f for f in findings if f.error] == []
    else:
        assert [f for f in findings if f.error] != []


VALID = {"id": "2026-014", "initialen": "A.B.", "status": "actief", "aangemeld_op": "2026-11-02",
         "aangemeld_door": "RN", "partners": ["POL"]}


def check_invariant(data: dict) -> None:
    """A Case comes back exactly when there is no error finding; nothing raises."""
    raw = ("---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n").encode("utf-8")
    case, findings = parse_case(raw, PATH, SHOWN, CONFIG)
    assert (case is None) == any(f.error for f in findings), (data, findings)


@pytest.mark.slow
@FAST
@given(st.dictionaries(st.sampled_from(KEYS), values, min_size=1, max_size=2))
def test_one_odd_value_among_valid_keys_never_raises(data: dict) -> None:
    # The other keys stay valid, so the odd value reaches its validator (and past it).
    check_invariant(VALID | data)


AWKWARD = [None, "", " ", "~", "null", "NULL", "²", "١٩٩١", "0142", "-5", "1e3", "ja", "nee",
           "31-02-2026", "2026-13-01", "15-12", "RN", "XX", [], ["RN"], [None], [[]], ["~"],
           {}, {"einde": None}, {"einde": ["x"]}, {"einde": "2027-01-15"}, {"a": {"b": "c"}},
           date(2026, 12, 1), 3.5, True, 10**30]


def test_every_known_key_with_every_awkward_value() -> None:
    for key in KEYS:
        for value in AWKWARD:
            check_invariant(VALID | {key: value})


# --- hypothesis: valid cases round-trip --------------------------------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéëï.-' ",
                min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s and s.lower() not in ("null", "~") and not s.startswith(("-", "'")))
case_dates = st.dates(date(1990, 1, 1), date(2100, 12, 31))
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")
DATE_FORMS = (
    lambda d: d.isoformat(),
    lambda d: f"{d.day}-{d.month}-{d.year}",
    lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
)


@st.composite
def valid_cases(draw: st.DrawFn) -> dict:
    status = draw(st.sampled_from(("aangemeld", "actief", "nazorg", "afgesloten")))
    geinformeerd = draw(st.sampled_from((None, True, False)))
    fields = {
        "id": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True).filter(
            lambda s: s.lower() != "null")),
        "initialen": draw(words),
        "status": status,
        "aangemeld_op": draw(case_dates),
        "aangemeld_door": draw(st.sampled_from(CODES)),
        "partners": draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=5, unique=True)),
        "prioriteit": draw(st.sampled_from(("hoog", "midden", "laag"))),
        "geboortejaar": draw(st.none() | st.integers(1900, 2026)),
        "wijk": draw(st.none() | words),
        "regie": draw(st.none() | st.sampled_from(CODES)),
        "bespreken": draw(st.none() | case_dates),
        "agenda": draw(st.booleans()),
        "minuten": draw(st.none() | st.integers(1, 240)),
        "geinformeerd": geinformeerd,
        "reden_niet_geinformeerd": draw(words) if geinformeerd is False else None,
        "afgesloten_op": draw(case_dates) if status == "afgesloten" else None,
        "toezicht": draw(st.none() | st.tuples(case_dates, st.lists(words, max_size=3))),
    }
    form = draw(st.sampled_from(DATE_FORMS))
    return fields | {"_form": form}


def render(fields: dict) -> str:
    form = fields["_form"]
    lines = []
    for key, value in fields.items():
        if key == "_form" or value is None:
            continue
        if isinstance(value, bool):
            text = "ja" if value else "nee"
        elif isinstance(value, date):
            text = form(value)
        elif key == "partners":
            text = "[" + ", ".join(value) + "]"
        elif key == "toezicht":
            voorwaarden = yaml.safe_dump(value[1], default_flow_style=True).strip()
            lines.append(f"toezicht:\n  einde: {form(value[0])}\n  voorwaarden: {voorwaarden}")
            continue
        elif isinstance(value, str):
            text = yaml.safe_dump(value, allow_unicode=True).removesuffix("\n...\n").strip()
        else:
            text = str(value)
        lines.append(f"{key}: {text}")
    return "---\n" + "\n".join(lines) + "\n---\n" + BODY


@pytest.mark.slow
@FAST
@given(valid_cases())
def test_valid_cases_round_trip(fields: dict) -> None:
    case, findings = parse_case(render(fields).encode(), PATH, SHOWN, CONFIG)
    assert findings == []
    assert case is not None
    expected_partners = tuple(dict.fromkeys(
        [*fields["partners"], fields["aangemeld_door"], *([fields["regie"]] if fields["regie"]
                                                          else [])]))
    toezicht = fields["toezicht"]
    assert case == Case(
        id=fields["id"], initialen=fields["initialen"], status=fields["status"],
        aangemeld_op=fields["aangemeld_op"], aangemeld_door=fields["aangemeld_door"],
        partners=expected_partners, path=PATH, geboortejaar=fields["geboortejaar"],
        wijk=fields["wijk"] or "", prioriteit=fields["prioriteit"], regie=fields["regie"],
        geinformeerd=fields["geinformeerd"],
        reden_niet_geinformeerd=fields["reden_niet_geinformeerd"] or "",
        bespreken=fields["bespreken"], agenda=fields["agenda"], minuten=fields["minuten"],
        toezicht=Toezicht(toezicht[0], tuple(toezicht[1])) if toezicht else None,
        afgesloten_op=fields["afgesloten_op"], question="Is zorg nodig?",
    )


# --- write-back ---------------------------------------------------------------------------------

COMMENTED = (
    "---\n"
    "# casus van het wijkteam\n"
    "id: 2026-014   # niet wijzigen\n"
    "initialen: J.d.V.\n"
    "status: aangemeld           # aangemeld | actief | nazorg | afgesloten\n"
    "aangemeld_op: 2026-11-02\n"
    "aangemeld_door: RN\n"
    "partners: [RN, POL]\n"
    "bespreken: 1-12-2026       # volgende evaluatie\n"
    "agenda: ja\n"
    "---\n"
    "# J.d.V.\n"
    "\n"
    "status: dit is geen sleutel\n"
)
ENCODINGS = {
    "lf": lambda text: text.encode(),
    "crlf": lambda text: text.replace("\n", "\r\n").encode(),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
    "no-final-newline": lambda text: text.rstrip("\n").encode(),
}


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    folder = tmp_path / "casussen"
    folder.mkdir()
    return folder / "2026-014.md"


@pytest.mark.parametrize("style", ENCODINGS)
def test_write_back_replaces_lines_and_keeps_every_other_byte(case_file: Path,
                                                              style: str) -> None:
    encode = ENCODINGS[style]
    case_file.write_bytes(encode(COMMENTED))
    changed = write_back(case_file, "2026-014", {"status": "actief", "agenda": False,
                                                 "bespreken": date(2027, 1, 12)})
    assert changed == ["status", "agenda", "bespreken"]
    expected = (COMMENTED.replace("status: aangemeld           # aangemeld | actief | nazorg | "
                                  "afgesloten\n", "status: actief\n")
                .replace("agenda: ja\n", "agenda: nee\n")
                .replace("bespreken: 1-12-2026       # volgende evaluatie\n",
                         "bespreken: 2027-01-12\n"))
    assert case_file.read_bytes() == encode(expected)
    case, findings = parse_case(case_file.read_bytes(), case_file, "x", CONFIG)
    assert findings == []
    assert case is not None and (case.status, case.agenda, case.bespreken) == (
        "actief", False, date(2027, 1, 12))


@pytest.mark.parametrize("style", ENCODINGS)
def test_write_back_adds_a_missing_key_before_the_closing_line(case_file: Path,
                                                               style: str) -> None:
    encode = ENCODINGS[style]
    case_file.write_bytes(encode(COMMENTED))
    assert write_back(case_file, "2026-014", {"verzoek_door": "POL"}) == ["verzoek_door"]
    expected = COMMENTED.replace("agenda: ja\n---\n", "agenda: ja\nverzoek_door: POL\n---\n")
    assert case_file.read_bytes() == encode(expected)


def test_write_back_same_value_writes_nothing(case_file: Path) -> None:
    case_file.write_bytes(COMMENTED.encode())
    os.utime(case_file, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = case_file.stat()
    changed = write_back(case_file, "2026-014", {"agenda": True, "status": "aangemeld",
                                                 "aangemeld_op": date(2026, 11, 2)})
    assert changed == []
    after = case_file.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert case_file.read_bytes() == COMMENTED.encode()


def test_write_back_replaces_a_block_value_wholly(case_file: Path) -> None:
    text = COMMENTED.replace("bespreken: 1-12-2026       # volgende evaluatie\n",
                             "bespreken:\n  2026-12-01\n")
    text = text.replace("partners: [RN, POL]\n", "partners:\n  - RN\n  - POL\n")
    case_file.write_bytes(text.encode())
    assert write_back(case_file, "2026-014", {"bespreken": date(2027, 1, 12),
                                              "partners": "[RN, POL, GEM]"}) == [
        "bespreken", "partners"]
    expected = (text.replace("bespreken:\n  2026-12-01\n", "bespreken: 2027-01-12\n")
                .replace("partners:\n  - RN\n  - POL\n", "partners: [RN, POL, GEM]\n"))
    assert case_file.read_bytes() == expected.encode()


def test_write_back_refuses_when_the_id_changed_on_disk(case_file: Path) -> None:
    text = COMMENTED.replace("id: 2026-014   # niet wijzigen", "id: 2026-099")
    case_file.write_bytes(text.encode())
    with pytest.raises(StaleCaseFile) as caught:
        write_back(case_file, "2026-014", {"status": "actief"})
    assert str(caught.value) == ('casus "2026-014": 2026-014.md heeft nu id "2026-099"; niets '
                                 "teruggeschreven. Controleer het bestand.")
    assert case_file.read_bytes() == text.encode()


def test_write_back_refuses_a_file_that_disappeared(case_file: Path) -> None:
    with pytest.raises(StaleCaseFile) as caught:
        write_back(case_file, "2026-014", {"status": "actief"})
    assert str(caught.value) == ('casus "2026-014": het bestand 2026-014.md is verdwenen; '
                                 "niets teruggeschreven")


def test_write_back_keeps_the_file_mode_and_leaves_no_temp_files(case_file: Path) -> None:
    case_file.write_bytes(COMMENTED.encode())
    case_file.chmod(0o640)
    write_back(case_file, "2026-014", {"status": "nazorg"})
    assert stat.S_IMODE(case_file.stat().st_mode) == 0o640
    assert sorted(p.name for p in case_file.parent.iterdir()) == ["2026-014.md"]
    assert b"status: nazorg\n" in case_file.read_bytes()


def test_read_body_reads_the_markdown_below_the_front_matter(tmp_path):
    from overleg.casecache import read_body

    path = tmp_path / "c.md"
    path.write_bytes(b"\xef\xbb\xbf" + case_bytes(front()).replace(b"\n", b"\r\n"))
    case, found = parse(path.read_bytes())
    assert case is not None
    assert read_body(replace(case, path=path)) == BODY
