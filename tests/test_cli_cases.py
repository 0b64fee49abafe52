"""`overleg cases list/show/check` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

KNOWN = "bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ"
EXAMPLE_IDS = [
    "2024-037", "2026-002", "2026-003", "2026-005", "2026-009", "2026-012", "2026-014",
    "2026-017", "2026-019", "2026-021", "2026-022", "2026-024", "2026-027", "2026-031",
    "2026-033", "2026-038", "2026-041",
]


def bsn_from(prefix: str) -> str:
    """A number that passes the eleven-test, computed here (never written down)."""
    total = sum(int(d) * w for d, w in zip(prefix, range(9, 1, -1), strict=True))
    assert total % 11 < 10
    return prefix + str(total % 11)


BSN = bsn_from("11122233")


def case_text(case_id: str, *, status: str = "actief", partners: str = "[RN, POL]",
              add: str = "", drop: str = "", body: str = "") -> str:
    """A case file; line 1 is '---', the keys are lines 2..7, `add` starts on line 8."""
    lines = [f"id: {case_id}", "initialen: A.B.", f"status: {status}",
             "aangemeld_op: 2026-11-02", "aangemeld_door: RN", f"partners: {partners}"]
    fm = "".join(f"{line}\n" for line in lines if not line.startswith(f"{drop}:") or not drop)
    return (f"---\n{fm}{add}---\n# A.B.\n\n## Situatie\nOverlast.\n{body}\n"
            "## Vraag aan het overleg\nWat nu?\n")


def words(text: str) -> list[str]:
    """Each line with its runs of spaces (table padding) made single."""
    return [" ".join(line.split()) for line in text.splitlines()]


def write(ws: Path, name: str, content: str | bytes) -> None:
    path = ws / "casussen" / name
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)


# --- cases list ------------------------------------------------------------------------------

def test_list_shows_every_case_of_the_examples(run, example_ws: Path) -> None:
    result = run("cases", "list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["id", "persoon", "status", "prio", "regie", "partners",
                                "bespreken"]
    assert [line.split()[0] for line in lines[1:]] == EXAMPLE_IDS
    assert result.stderr == ""


def test_list_table_rows(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_text("2026-001", add="geboortejaar: 1990\nregie: GEM\n"
                                                   "bespreken: 2026-12-01\nprioriteit: hoog\n"))
    write(empty_ws, "b.md", case_text("2026-002", status="afgesloten", partners="[VT]",
                                      add="afgesloten_op: 2026-10-15\n"))
    result = run("cases", "list")
    assert result.exit_code == 0
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        "id        persoon      status      prio    regie  partners    bespreken",
        "2026-001  A.B. (1990)  actief      hoog    GEM    RN,POL,GEM  01-12-2026",
        "2026-002  A.B.         afgesloten  midden         VT,RN",
    ]


def test_list_filters_by_status(run, example_ws: Path) -> None:
    result = run("cases", "list", "--status", "afgesloten")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == [
        "2024-037", "2026-002"]


def test_list_filters_by_partner(run, example_ws: Path) -> None:
    result = run("cases", "list", "--partner", "VZ")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == [
        "2026-009", "2026-024"]


def test_list_filters_combine(run, example_ws: Path) -> None:
    result = run("cases", "list", "--status", "nazorg", "--partner", "WC", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{
        "id": "2026-003", "initialen": "W.S.", "status": "nazorg", "prioriteit": "laag",
        "partners": ["RN", "GEM", "WC"], "file": "casussen/2026-003-ws.md",
    }]


def test_list_json_keys(run, example_ws: Path) -> None:
    result = run("cases", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [item["id"] for item in data] == EXAMPLE_IDS
    for item in data:
        assert list(item) == ["id", "initialen", "status", "prioriteit", "partners", "file"]
        assert all(isinstance(value, str) for key, value in item.items() if key != "partners")
        assert isinstance(item["partners"], list)
    by_id = {item["id"]: item for item in data}
    assert by_id["2026-041"]["file"] == "casussen/nieuwe-aanmelding-wijkteam.md"


def test_list_empty(run, empty_ws: Path) -> None:
    result = run("cases", "list")
    assert (result.exit_code, result.stdout) == (0, "Geen casussen.\n")
    assert run("cases", "list", "--json").stdout == "[]\n"


@pytest.mark.parametrize(("args", "message", "code"), [
    (("--status", "open"), "Fout: ongeldige waarde voor '--status': 'open' is niet een van "
                           "'aangemeld', 'actief', 'nazorg', 'afgesloten'.\n"
                           "Zie 'overleg cases list --help'.\n", 2),
    (("--partner", "GGD"), f"Fout: partner 'GGD' staat niet in overleg.toml. "
                           f"Bekend: {KNOWN.removeprefix('bekend: ')}.\n", 1),
])
def test_list_bad_filter(run, example_ws: Path, args: tuple[str, ...], message: str,
                         code: int) -> None:
    result = run("cases", "list", *args)
    assert result.exit_code == code
    assert result.stderr == message
    assert result.stdout == ""


def test_list_with_a_broken_file_lists_the_rest_and_fails(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_text("2026-001"))
    write(empty_ws, "b.md", case_text("2026-002", status="open"))
    result = run("cases", "list", "--json")
    assert result.exit_code == 1
    assert [item["id"] for item in json.loads(result.stdout)] == ["2026-001"]
    assert result.stderr == (
        "casussen/b.md:4: 'status' = 'open' is onbekend (kies uit: aangemeld, actief, nazorg, "
        "afgesloten)\n"
        "1 fout(en) in casusbestanden; die casussen doen niet mee. Zie 'overleg cases check'.\n")


# --- cases show ---------------------------------------------------------------------------

def test_show_unknown_id(run, example_ws: Path) -> None:
    result = run("cases", "show", "2099-001")
    assert result.exit_code == 1
    assert result.stderr == "Fout: casus \"2099-001\" bestaat niet. Zie 'overleg cases list'.\n"
    assert result.stdout == ""


@pytest.mark.parametrize(("add", "error"), [
    ("bespreken: 31-02-2026\n", "'bespreken' = '31-02-2026' is geen geldige datum (gebruik "
                                "2026-12-01, 1-12-2026 of 1 december 2026)"),
    ("status: nazorg\n", "sleutel 'status' staat er twee keer in (eerder op regel 4)"),
], ids=["bad date", "duplicate key"])
def test_show_id_of_a_broken_file(run, empty_ws: Path, add: str, error: str) -> None:
    # The file's own error, not "bestaat niet" (issue 14).
    write(empty_ws, "a.md", case_text("2026-001", add=add))
    result = run("cases", "show", "2026-001")
    assert result.exit_code == 1
    assert result.stderr == (f'Fout: casus "2026-001" kan niet worden gelezen: casussen/a.md:8: '
                             f"{error}. Herstel het bestand; zie 'overleg cases check'.\n")


def test_show_known_case(run, example_ws: Path) -> None:
    result = run("cases", "show", "2026-014")
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[:12] == [
        "id            2026-014",
        "persoon       J.d.V. (1991)",
        "wijk          Zuiderpark",
        "thema         verward, overlast",
        "status        aangemeld",
        "prioriteit    hoog",
        "aangemeld     19-11-2026 door RN",
        "regie         GEM",
        "regisseur     B. Jansen",
        "partners      RN POL GGZ WT GEM",
        "geïnformeerd  ja",
        "bestand       casussen/2026-014-jdv.md",
    ]
    assert "Vraag aan het overleg" in lines
    text = " ".join(result.stdout.split())
    assert ("Is een verkennend onderzoek naar een zorgmachtiging (Wvggz) nodig, of is er nog "
            "ruimte voor vrijwillige zorg via GGZ & wijkteam?") in text
    assert "Beste {{ naam }}," in text  # case text is never template code


def test_show_prints_markup_literally_and_masks_a_bsn(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_text(
        "2026-001", add="wijk: '[bold]Zuid[/bold]'\n",
        body=f"Zegt [red]x[/red] en [link=https://x.example]klik[/link]; BSN {BSN}.\n"))
    result = run("cases", "show", "2026-001")
    assert result.exit_code == 0, result.output
    assert "wijk [bold]Zuid[/bold]" in words(result.stdout)
    assert ("Zegt [red]x[/red] en [link=https://x.example]klik[/link]; BSN *********."
            in result.stdout)
    assert BSN not in result.stdout
    assert result.stderr == ""


def test_show_masks_a_bsn_in_the_front_matter(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_text("2026-001", add=f"regisseur: B. Jansen {BSN}\n"))
    result = run("cases", "show", "2026-001")
    assert result.exit_code == 0
    assert "regisseur B. Jansen *********" in words(result.stdout)
    assert BSN not in result.stdout


# --- cases check ----------------------------------------------------------------------------

def test_check_examples_is_clean(run, example_ws: Path) -> None:
    result = run("cases", "check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "17 casusbestanden gecontroleerd: 0 fouten, 0 waarschuwingen.\n"


def test_check_names_every_bad_file_with_its_line(run, empty_ws: Path) -> None:
    write(empty_ws, "goed.md", case_text("2026-001"))
    write(empty_ws, "geen-fm.md", "# Alleen tekst\n\nGeen gegevens.\n")
    write(empty_ws, "open-fm.md", "---\nid: 2026-003\ninitialen: A.B.\n\n# A.B.\n")
    write(empty_ws, "yaml.md", case_text("2026-004", add="wijk: Zuid: park\n"))
    write(empty_ws, "status.md", case_text("2026-005", status="open"))
    write(empty_ws, "datum.md", case_text("2026-006", add="bespreken: 31-02-2026\n"))
    write(empty_ws, "partner.md", case_text("2026-007", partners="[RN, GGD]"))
    write(empty_ws, "ontbreekt.md", case_text("2026-008", drop="initialen"))
    write(empty_ws, "latin1.md", case_text("2026-009", add="wijk: Café\n").encode("latin-1"))
    write(empty_ws, "utf16.md", case_text("2026-010").encode("utf-16"))
    write(empty_ws, "dubbel-a.md", case_text("2026-050"))
    write(empty_ws, "dubbel-b.md", case_text("2026-050"))
    write(empty_ws, "bsn.md", case_text("2026-011", body=f"BSN {BSN}\n"))
    write(empty_ws, "crlf.md", case_text("2026-012").replace("\n", "\r\n"))
    write(empty_ws, "bom.md", "\ufeff" + case_text("2026-013"))
    write(empty_ws, "cr.md", case_text("2026-014").replace("\n", "\r"))
    result = run("cases", "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "casussen/bsn.md:13: waarschuwing: mogelijk BSN (9 cijfers die de elfproef doorstaan); "
        "haal het uit het casusbestand. In elke uitvoer wordt het gemaskeerd.",
        "casussen/cr.md:1: losse CR-regeleinden; sla het op met LF- of CRLF-regeleinden",
        "casussen/datum.md:8: 'bespreken' = '31-02-2026' is geen geldige datum "
        "(gebruik 2026-12-01, 1-12-2026 of 1 december 2026)",
        "casussen/dubbel-a.md:2: id '2026-050' staat ook in casussen/dubbel-b.md",
        "casussen/dubbel-b.md:2: id '2026-050' staat ook in casussen/dubbel-a.md",
        "casussen/geen-fm.md:1: geen front matter: het bestand moet beginnen met een regel '---' "
        "en de gegevens moeten eindigen met een regel '---'",
        "casussen/latin1.md:8: het bestand is geen UTF-8-tekst; sla het op als UTF-8",
        "casussen/ontbreekt.md:1: verplichte sleutel 'initialen' ontbreekt",
        "casussen/open-fm.md:1: de front matter is niet afgesloten: zet een regel '---' onder de "
        "gegevens",
        f"casussen/partner.md:7: 'partners' bevat 'GGD', geen partner uit overleg.toml ({KNOWN})",
        "casussen/status.md:4: 'status' = 'open' is onbekend (kies uit: aangemeld, actief, "
        "nazorg, afgesloten)",
        "casussen/utf16.md:1: het bestand is geen UTF-8-tekst (bevat NUL-tekens; UTF-16?); "
        "sla het op als UTF-8",
        "casussen/yaml.md:8: ongeldige YAML in de front matter: een ': ' in een waarde, of een "
        "sleutel die inspringt: zet zo'n waarde tussen aanhalingstekens en begin elke sleutel "
        "aan het begin van de regel",
    ]
    assert result.stderr == "16 casusbestanden gecontroleerd: 12 fouten, 1 waarschuwing.\n"
    assert "Traceback" not in result.output


def test_check_warning_only_exits_zero(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_text("2026-001", add=f"kenmerk: {BSN}\n"))
    result = run("cases", "check")
    assert result.exit_code == 0
    assert result.stdout == (
        "casussen/a.md:8: waarschuwing: mogelijk BSN (9 cijfers die de elfproef doorstaan); "
        "haal het uit het casusbestand. In elke uitvoer wordt het gemaskeerd.\n")
    assert result.stderr == "1 casusbestand gecontroleerd: 0 fouten, 1 waarschuwing.\n"


def test_check_without_case_folder(run, empty_ws: Path) -> None:
    (empty_ws / "casussen").rmdir()
    result = run("cases", "check")
    assert result.exit_code == 1
    assert result.stdout == "casussen:1: de map met casussen bestaat niet\n"


def test_check_skips_a_folder_named_like_a_case(run, empty_ws: Path) -> None:
    (empty_ws / "casussen" / "map.md").mkdir()  # not a file: skipped, not crashed on
    write(empty_ws, "a.md", case_text("2026-001"))
    result = run("cases", "check")
    assert result.exit_code == 0
    assert result.stderr == "1 casusbestand gecontroleerd: 0 fouten, 0 waarschuwingen.\n"


def test_show_prints_html_and_template_syntax_in_the_body_as_written(run, example_ws):
    result = run("cases", "show", "2026-014")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert '"Beste {{ naam }}, <b>dit is je laatste waarschuwing</b>,' in text
    assert "GGZ & wijkteam" in text


def test_list_partner_in_any_letter_case(run, example_ws: Path) -> None:
    assert run("cases", "list", "--partner", "pol").stdout == run(
        "cases", "list", "--partner", "POL").stdout
