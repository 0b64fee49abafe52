"""Dutch all the way (issue 14): what click, typer, PyYAML, Jinja, tomllib, csv and the OS say
reaches the user in Dutch, still naming the file and line where there is one."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pytest
import yaml

from overleg.cli.app import _os_message
from overleg.cli.help import usage_in_dutch
from overleg.frontmatter import yaml_reason
from overleg.render import jinja_reason

# Words of the English messages that must never reach a user.
ENGLISH = re.compile(r"\b(is not|not in the range|Missing|Invalid|Got|unexpected extra|"
                     r"Option|requires|Choose|Possible|Did you mean|expected|found|"
                     r"allowed|while|undefined|Encountered|Jinja|named|token|Unterminated|"
                     r"Cannot|Expected|got|does not|No such|division)\b")


def english_in(text: str) -> list[str]:
    return ENGLISH.findall(text)


def case_file(case_id: str, extra: str = "") -> str:
    return ("---\n"
            f"id: {case_id}\n"
            "initialen: A.B.\n"
            "status: actief\n"
            "aangemeld_op: 2026-11-02\n"
            "aangemeld_door: POL\n"
            "partners: [POL, GGZ]\n"
            f"{extra}"
            "---\n# A.B.\n\n## Vraag aan het overleg\nWat nu?\n")


# --- click and typer ------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "stderr"), [
    (("agenda", "add", "2026-014", "--minutes", "0"),
     "Fout: ongeldige waarde voor '--minutes': 0; het moet een getal van 1 tot en met 240 "
     "zijn.\nZie 'overleg agenda add --help'.\n"),
    (("schedule", "-n", "0"),
     "Fout: ongeldige waarde voor '--count' / '-n': 0; het moet een getal van 1 tot en met "
     "520 zijn.\nZie 'overleg schedule --help'.\n"),
    (("agenda", "move", "2026-014", "1000000000"),
     "Fout: ongeldige waarde voor 'POSITIE': 1000000000; het moet een getal van ten hoogste "
     "999999999 zijn.\nZie 'overleg agenda move --help'.\n"),
    (("cases", "list", "extra"),
     "Fout: te veel argumenten: extra\nZie 'overleg cases list --help'.\n"),
    # The parser's own errors name the command being parsed, not the root.
    (("agenda", "add", "2026-014", "--minutes"),
     "Fout: de optie --minutes vraagt een waarde.\nZie 'overleg agenda add --help'.\n"),
    (("cases", "list", "--json=ja"),
     "Fout: de optie --json neemt geen waarde.\nZie 'overleg cases list --help'.\n"),
    (("action", "list", "--statu", "open"),
     "Fout: onbekende optie --statu (mogelijke opties: --status)\n"
     "Zie 'overleg action list --help'.\n"),
    (("agenda", "add", "2026-014", "--minutes", "veel"),
     "Fout: ongeldige waarde voor '--minutes': 'veel' is geen geheel getal.\n"
     "Zie 'overleg agenda add --help'.\n"),
])
def test_usage_errors_in_dutch(run, example_ws: Path, args: tuple[str, ...],
                               stderr: str) -> None:
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


@pytest.mark.parametrize(("english", "dutch"), [
    ("Invalid value for 'X': 3 is not in the range x>=5.",
     "ongeldige waarde voor 'X': 3; het moet een getal van ten minste 5 zijn."),
    ("Invalid value for 'X': 3 is not in the range x>5.",
     "ongeldige waarde voor 'X': 3; het moet een getal groter dan 5 zijn."),
    ("Invalid value for 'X': 9 is not in the range 0<x<5.",
     "ongeldige waarde voor 'X': 9; het moet een getal groter dan 0 en kleiner dan 5 zijn."),
    ("Invalid value for 'X': 9 is not in the range 0<=x<5.",
     "ongeldige waarde voor 'X': 9; het moet een getal van ten minste 0 en kleiner dan 5 "
     "zijn."),
    ("Invalid value for 'X': 1.5 is not in the range 2.5<=x<=3.5.",
     "ongeldige waarde voor 'X': 1.5; het moet een getal van 2.5 tot en met 3.5 zijn."),
    ("Missing argument 'FORMAAT'. Choose from:\n\tmd,\n\thtml.",
     "het argument FORMAAT ontbreekt. Kies uit: md, html."),
    ("Missing parameter: name", "er ontbreekt een waarde voor name"),
    ("Missing command.", "er ontbreekt een opdracht."),
    ("Got unexpected extra arguments (a b)", "te veel argumenten: a b"),
    ("Option '--x' requires 2 arguments.", "de optie --x vraagt 2 waarden."),
    ("Invalid value for '--x': 'nee?' is not a valid boolean. Recognized values: ja, nee",
     "ongeldige waarde voor '--x': 'nee?' is geen ja/nee-waarde. Geldig: ja, nee"),
    ("Invalid value for '--x': 'a' is not a valid float.",
     "ongeldige waarde voor '--x': 'a' is geen getal."),
    ("Invalid value for 'PAD': File 'a.md' does not exist.",
     "ongeldige waarde voor 'PAD': 'a.md' bestaat niet."),
])
def test_click_messages_in_dutch(english: str, dutch: str) -> None:
    assert usage_in_dutch(english) == dutch
    assert english_in(dutch) == []


def test_help_screens_show_dutch_value_types(run, example_ws: Path) -> None:
    text = run("agenda", "add", "--help").stdout
    assert "<getal> [1 t/m 240]" in text and "<tekst>" in text
    assert "<int" not in text and "<str>" not in text and "<=x<=" not in text
    # Drawing the help changed nothing for click's own messages afterwards.
    result = run("agenda", "add", "2026-014", "--minutes", "veel")
    assert "'veel' is geen geheel getal." in result.stderr


# --- YAML in case files ---------------------------------------------------------------------

BROKEN_YAML = [
    ("thema: [overlast, zorg\nwijk: Zuid\n", 8,
     "een lijst tussen [ ] is niet goed afgesloten: zet komma's tussen de waarden en een ']' "
     "aan het eind"),
    ("wijk: Zuid: park\n", 8,
     "een ': ' in een waarde, of een sleutel die inspringt: zet zo'n waarde tussen "
     "aanhalingstekens en begin elke sleutel aan het begin van de regel"),
    ('wijk: "Zuid\n', 8, "een aanhalingsteken wordt geopend maar niet gesloten"),
    ("wijk: @thuis\n", 8,
     "een waarde begint met '@', en dat mag niet; zet de waarde tussen aanhalingstekens"),
    ("wijk\nthema: x\n", 8, "een regel zonder dubbele punt: schrijf 'sleutel: waarde'"),
    ("wijk: 'Zuid' park\n", 8,
     "hier verwacht de front matter een nieuwe regel 'sleutel: waarde': staat er tekst achter "
     "een waarde tussen aanhalingstekens, of springt een regel verkeerd in?"),
    ("\tthema: x\n", 8, "een tab in de inspringing; gebruik spaties"),
    ("wijk: *zuid\n", 8,
     "een '*' aan het begin van een waarde (YAML leest dat als verwijzing); zet de waarde "
     "tussen aanhalingstekens"),
]


@pytest.mark.parametrize(("extra", "line", "reason"), BROKEN_YAML,
                         ids=[r[2][:30] for r in BROKEN_YAML])
def test_yaml_errors_in_case_files_are_dutch_with_file_and_line(run, empty_ws: Path,
                                                               extra: str, line: int,
                                                               reason: str) -> None:
    (empty_ws / "casussen" / "a.md").write_text(case_file("2026-001", extra), encoding="utf-8")
    result = run("cases", "check")
    assert result.exit_code == 1
    assert result.stdout == f"casussen/a.md:{line}: ongeldige YAML in de front matter: {reason}\n"


SAMPLES = ["a: [b, c\nd: e\n", "a: b: c\n", 'a: "b\n', "a: @b\n", "a\nb: c\n", "a: 'b' c\n",
           "\ta: b\n", "a: *b\n", "a: {b: c\n", "a: &x 1\nb: &x 2\n", 'a: "\\q"\n',
           "a: b\n- c\n", "%a: b\n", "a: |0\n", "a: b\x07c\n", "a: & b\n", "a: ? b\n"]


@pytest.mark.parametrize("loader", ["CBaseLoader", "BaseLoader"])
@pytest.mark.parametrize("text", SAMPLES)
def test_no_yaml_error_is_english(text: str, loader: str) -> None:
    # The C loader (libyaml) and the pure-Python one word their errors differently.
    with pytest.raises(yaml.YAMLError) as raised:
        yaml.compose(text, Loader=getattr(yaml, loader))
    reason = yaml_reason(raised.value)
    assert english_in(reason) == [], reason
    assert "niet te lezen" not in reason  # each sample has its own reason


def test_write_back_refusal_names_the_yaml_error_in_dutch() -> None:
    from overleg.errors import StaleCaseFile
    from overleg.frontmatter import planned_write_back

    raw = case_file("2026-001", "wijk: Zuid: park\n").encode()
    with pytest.raises(StaleCaseFile) as raised:
        planned_write_back(raw, "2026-001", {"agenda": False}, name="a.md")
    assert raised.value.message.startswith(
        "casus \"2026-001\": a.md: de front matter is geen geldige YAML meer: een ': ' in een "
        "waarde")
    assert english_in(raised.value.message) == []


# --- Jinja in workspace templates -----------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("a\n{% for x in entries %}\n{% endif %}\n",
     "templates/agenda.md:3: onbekende opdracht {% endif %}; verwacht werd {% endfor %} of "
     "{% else %}; het blok {% for %} is nog niet afgesloten"),
    ("{% if partner %}{% for x in entries %}{% endif %}\n",
     "templates/agenda.md:1: {% endif %} staat op de verkeerde plek (blokken verkeerd "
     "genest); eerst komt {% endfor %} of {% else %}; het blok {% for %} is nog niet "
     "afgesloten"),
    ("{{ meeting.date meeting }}\n",
     "templates/agenda.md:1: verwacht werd '}}', maar er staat 'meeting'"),
    ("a\nb\n{{ meeting.date\n", "templates/agenda.md:3: het sjabloon houdt op; verwacht werd '}}'"),
    ("{{ meeting.onbekend }}\n", "templates/agenda.md:1: 'onbekend' bestaat niet bij deze waarde"),
    ("{{ x }\n", "templates/agenda.md:1: onverwacht '}'"),
    ("{% include 'weg.md' %}\n",
     "templates/agenda.md:1: het ingesloten sjabloon templates/weg.md bestaat niet"),
])
def test_template_errors_in_dutch(run, example_ws: Path, text: str, message: str) -> None:
    assert run("agenda", "build", "--date", "2026-12-01").exit_code == 0
    (example_ws / "templates" / "agenda.md").write_text(text, encoding="utf-8")
    result = run("agenda", "render", "--date", "2026-12-01")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Fout: {message} (fout in het sjabloon)\n"


@pytest.mark.parametrize("message", [
    "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or "
    "'else'. The innermost block that needs to be closed is 'for'.",
    "'dict object' has no attribute 'x'", "'int object' has no element 3",
    "No test named 'even2'.", "tag name expected", "expected name or number",
    "Block names in Jinja have to be valid Python identifiers", "can't assign to 'const'",
    "unexpected char '$' at 3", "unexpected ']', expected ')'", "Expected an expression, got "
    "'end of statement block'", "iets heel anders",
])
def test_no_jinja_message_is_english(message: str) -> None:
    assert english_in(jinja_reason(message)) == []


# --- overleg.toml, spreadsheets, the file system --------------------------------------------

def test_toml_errors_in_dutch(run, example_ws: Path) -> None:
    toml = example_ws / "overleg.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[proef]\nwaarde = ja\n",
                    encoding="utf-8")
    result = run("cases", "list")
    assert result.exit_code == 1
    assert re.fullmatch(r"Fout: overleg\.toml:\d+: ongeldige TOML: ongeldige waarde: zet tekst "
                        r"tussen aanhalingstekens \(naam = \"\.\.\.\"\); getallen en true/false "
                        r"zonder\n", result.stderr), result.stderr


def test_an_unreadable_csv_says_why_in_dutch(run, empty_ws: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "aanmeldingen.csv"
    sheet.write_text("id;initialen;status;aangemeld_op;aangemeld_door;partners\n"
                     f'2026-201;A.B.;aangemeld;2026-11-02;POL;"{"x" * 140_000}"\n',
                     encoding="utf-8")
    result = run("cases", "import", str(sheet))
    assert result.exit_code == 1
    assert result.stderr == f"Fout: {sheet}:2: onleesbare CSV (een cel is te groot)\n"


@pytest.mark.parametrize(("exc", "message"), [
    (OSError(errno.ENOENT, "No such file or directory", "/w/uit/x.md"),
     "/w/uit/x.md: bestaat niet"),
    (OSError(errno.ELOOP, "Too many levels of symbolic links", "/w/a"),
     "/w/a: te veel symbolische koppelingen"),
    (OSError(errno.EXDEV, "Invalid cross-device link"),
     "kan niet naar een andere schijf worden verplaatst"),
    (OSError(errno.ENOTSUP, "Operation not supported", "/w/a"), "/w/a: systeemfout ENOTSUP"),
])
def test_other_os_errors_are_dutch_too(exc: OSError, message: str) -> None:
    assert _os_message(exc) == message
