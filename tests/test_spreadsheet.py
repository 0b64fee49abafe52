"""Spreadsheets: `overleg cases import FILE.xlsx|.csv` and `overleg action list --format
xlsx|csv`, through the real CLI on real files."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overleg.cases import parse_case
from overleg.config import parse_config
from overleg.frontmatter import COLUMNS, yaml_scalar

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = parse_config((ROOT / "examples" / "overleg.toml").read_text(encoding="utf-8"))

HEADER = ["id", "initialen", "geboortejaar", "wijk", "thema", "status", "prioriteit",
          "aangemeld_op", "aangemeld_door", "regie", "regisseur", "partners", "geinformeerd",
          "reden_niet_geinformeerd", "bespreken", "agenda", "verzoek_door", "minuten", "vraag",
          "situatie", "toezicht.einde", "toezicht.voorwaarden", "afgesloten_op"]

# Ten fictional referrals as a chair's spreadsheet holds them: date cells and Dutch dates,
# lists with ',' or ';', booleans as cells, numbers as numbers, empty cells.
TEN = [
    ["2026-101", "A.B.", 1990, "Zuiderpark", "verward, overlast", "aangemeld", "hoog",
     datetime(2026, 11, 2), "POL", "GEM", "B. Jansen", "RN, POL, GGZ", False,
     "lopend onderzoek: politie", datetime(2026, 12, 1), True, "POL", 20,
     "Is een zorgmachtiging nodig?", "Meneer is verward.\nBuren melden overlast."],
    ["2026-102", "C.d.E.", 1985, "Moerwijk", "schulden", "aangemeld", None, "3 november 2026",
     "WT", "WT", None, "GEM;GGZ", True, None, None, None, None, None,
     "Wie organiseert het huisbezoek?", None],
    ["2026-103", "F.G.", 2001, "Bouwlust", "huiselijk geweld; verslaving", "actief", "midden",
     "4-11-2026", "VT", "VT", "S. Öztürk", "VT, POL, RN", True, None, "15-12-2026", False,
     None, 15, "Is het veiligheidsplan genoeg?", "Melding van de buren in oktober.",
     datetime(2027, 1, 15), "meldplicht; contactverbod"],
    ["2026-104", "H.", None, "Zuiderpark", None, "aangemeld", "laag", date(2026, 11, 5), "RN",
     None, None, "RN", None, None, None, None, None, None, None, None],
    ["2026-105", "I.J.K.", 1977, "Morgenstond", "dreigende huisuitzetting", "actief", "hoog",
     "2026-10-20", "WC", "GEM", "T. Bakker", "WC, GEM", True, None, datetime(2026, 12, 8),
     None, None, None, "Kan de ontruiming worden uitgesteld?", None],
    ["2026-106", "L.M.", 1969, "Moerwijk", "overlast", "nazorg", "laag", "1-9-2026", "POL",
     "POL", None, "POL, WT", True, None, "12 januari 2027", None, None, 10, None,
     "Sinds de verhuizing geen meldingen."],
    ["2026-107", "N.O.", 1994, "Bouwlust", "zorgmijding", "aangemeld", None, "6-11-2026",
     "GGZ", "GGZ", None, "GGZ;VZ", False, "gevaar voor escalatie", None, "ja", "GGZ", None,
     "Welke partner kan contact leggen?", None],
    ["2026-108", "P.Q.", 1958, "Zuiderpark", "vervuiling, schulden", "actief", "midden",
     "2026-09-14", "WT", "GEM", "L. Hoekstra", "WT, GEM, GGZ", True, None, "2026-12-01",
     None, None, None, None, None],
    ["2026-109", "R.S.", 1982, "Morgenstond", "radicalisering", "aangemeld", "hoog",
     "9-11-2026", "OM", "OM", None, "OM, POL", False, "strafrechtelijk onderzoek", None,
     None, None, 25, "Moeten we nu al iets doen?", "Signalen van de school van de zoon."],
    ["2026-110", "T.U.", 1973, "Moerwijk", "overlast", "afgesloten", "laag", "2026-03-02",
     "POL", "POL", None, "POL", True, None, None, None, None, None, None, None, None, None,
     "30 oktober 2026"],
]

FILE_101 = """\
---
id: 2026-101
initialen: A.B.
geboortejaar: 1990
wijk: Zuiderpark
thema: [verward, overlast]
status: aangemeld
prioriteit: hoog
aangemeld_op: 2026-11-02
aangemeld_door: POL
regie: GEM
regisseur: B. Jansen
partners: [RN, POL, GGZ]
geinformeerd: nee
reden_niet_geinformeerd: "lopend onderzoek: politie"
bespreken: 2026-12-01
agenda: ja
verzoek_door: POL
minuten: 20
---
# A.B. (1990)

## Situatie
Meneer is verward.
Buren melden overlast.

## Vraag aan het overleg
Is een zorgmachtiging nodig?
"""

FILE_104 = """\
---
id: 2026-104
initialen: H.
wijk: Zuiderpark
status: aangemeld
prioriteit: laag
aangemeld_op: 2026-11-05
aangemeld_door: RN
partners: [RN]
---
# H.

## Situatie

## Vraag aan het overleg
"""

TABLE = """\
rij  id        status      partners        bestand
2    2026-101  aangemeld   RN,POL,GGZ,GEM  casussen/2026-101.md
3    2026-102  aangemeld   GEM,GGZ,WT      casussen/2026-102.md
4    2026-103  actief      VT,POL,RN       casussen/2026-103.md
5    2026-104  aangemeld   RN              casussen/2026-104.md
6    2026-105  actief      WC,GEM          casussen/2026-105.md
7    2026-106  nazorg      POL,WT          casussen/2026-106.md
8    2026-107  aangemeld   GGZ,VZ          casussen/2026-107.md
9    2026-108  actief      WT,GEM,GGZ      casussen/2026-108.md
10   2026-109  aangemeld   OM,POL          casussen/2026-109.md
11   2026-110  afgesloten  POL             casussen/2026-110.md
"""


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER) -> Path:  # type: ignore[type-arg]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Aanmeldingen"
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def as_text(cell: object) -> str:
    """A cell as a person types it in a CSV file."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "ja" if cell else "nee"
    if isinstance(cell, datetime):
        return f"{cell.day}-{cell.month}-{cell.year}"
    return str(cell)


def write_csv(path: Path, rows: list[list], delimiter: str = ";", bom: bool = True,  # type: ignore[type-arg]
              newline: str = "\r\n", header: list[str] = HEADER, prefix: str = "") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows([as_text(c) for c in row] for row in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (prefix + out.getvalue()).encode())
    return path


def table(stdout: str) -> str:
    """A rich table as printed, without the padding at the end of its lines."""
    return "".join(line.rstrip() + "\n" for line in stdout.splitlines())


def case_files(ws: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ws / "casussen").glob("*.md"))}


# --- ten cases from a spreadsheet -------------------------------------------------------------

def test_ten_cases_from_xlsx_dry_run_then_written_and_accepted_by_check(run, empty_ws,
                                                                        tmp_path):
    sheet = write_xlsx(tmp_path / "aanmeldingen.xlsx", TEN)
    result = run("cases", "import", str(sheet))
    assert result.exit_code == 0, result.stderr
    assert table(result.stdout) == TABLE
    assert result.stderr == ("Proefdraai: 10 casussen zouden worden aangemaakt, 0 overgeslagen "
                             "(bestaat al), 0 rijen met fouten. Er is niets geschreven; schrijf "
                             "ze met --yes.\n")
    assert case_files(empty_ws) == {}

    result = run("cases", "import", str(sheet), "--yes")
    assert result.exit_code == 0, result.stderr
    assert table(result.stdout) == TABLE
    assert result.stderr == ("10 casusbestanden geschreven in casussen/, 0 overgeslagen "
                             "(bestaat al), 0 rijen met fouten.\n")
    files = case_files(empty_ws)
    assert sorted(files) == [f"2026-1{n:02d}.md" for n in range(1, 11)]
    assert files["2026-101.md"].decode() == FILE_101
    assert files["2026-104.md"].decode() == FILE_104

    check = run("cases", "check")
    assert (check.exit_code, check.stdout) == (0, "")
    assert check.stderr == "10 casusbestanden gecontroleerd: 0 fouten, 0 waarschuwingen.\n"
    listed = run("cases", "list", "--json")
    assert [c["id"] for c in json.loads(listed.stdout)] == [
        f"2026-1{n:02d}" for n in range(1, 11)]


def test_the_imported_cases_take_part_in_the_agenda(run, empty_ws, tmp_path):
    toml = empty_ws / "overleg.toml"  # the rules of DESIGN 4 alone: without triage
    toml.write_text(toml.read_text(encoding="utf-8").replace("triage = true", "triage = false"),
                    encoding="utf-8")
    run("cases", "import", str(write_xlsx(tmp_path / "a.xlsx", TEN)), "--yes")
    result = run("agenda", "build", "--date", "2026-12-01", "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    # 2026-105 (bespreken 08-12), -103 (toezicht ends after 30 days), -106 and the closed
    # -110 are not due; the rest in order of priority and trigger date.
    assert [(i["case"], i["reasons"]) for i in items] == [
        ("2026-101", ["new", "requested", "review"]),
        ("2026-109", ["new"]),
        ("2026-102", ["new"]),
        ("2026-107", ["new", "requested"]),
        ("2026-108", ["review"]),
        ("2026-104", ["new"]),
    ]


@pytest.mark.parametrize(("delimiter", "bom", "newline", "prefix"), [
    (";", True, "\r\n", ""),   # what Dutch Excel writes as 'CSV UTF-8'
    (",", False, "\n", ""),
    (";", False, "\n", "sep=;\r\n"),  # Excel's separator hint on the first line
])
def test_a_csv_gives_the_same_case_files_as_the_xlsx(run, empty_ws, tmp_path, delimiter, bom,
                                                    newline, prefix):
    run("cases", "import", str(write_xlsx(tmp_path / "a.xlsx", TEN)), "--yes")
    from_xlsx = case_files(empty_ws)
    for name in from_xlsx:
        (empty_ws / "casussen" / name).unlink()
    sheet = write_csv(tmp_path / "a.csv", TEN, delimiter, bom, newline, prefix=prefix)
    result = run("cases", "import", str(sheet), "--yes")
    assert result.exit_code == 0, result.stderr
    assert table(result.stdout) == TABLE
    assert case_files(empty_ws) == from_xlsx
    assert run("cases", "check").exit_code == 0


def test_column_names_ignore_letter_case_accents_and_spaces(run, empty_ws, tmp_path):
    header = [h.upper() for h in HEADER]
    header[HEADER.index("aangemeld_op")] = "Aangemeld op"
    header[HEADER.index("geinformeerd")] = "Geïnformeerd"
    header.append("Kleur dossier")
    row = [*TEN[0], *[None] * (len(HEADER) - len(TEN[0])), "rood"]
    sheet = write_csv(tmp_path / "a.csv", [row], header=header)
    result = run("cases", "import", str(sheet), "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        f"{sheet}:1: waarschuwing: kolom 'kleur_dossier' is onbekend en wordt niet "
        "overgenomen\n")
    assert case_files(empty_ws) == {"2026-101.md": FILE_101.encode()}


# --- never overwrite ----------------------------------------------------------------------------

def test_existing_cases_are_skipped_and_never_overwritten(run, example_ws, tmp_path):
    (example_ws / "casussen" / "2026-102.md").write_text("geen front matter\n", encoding="utf-8")
    before = case_files(example_ws)
    rows = [TEN[0], ["2026-014", *TEN[0][1:]], TEN[1], TEN[2]]
    sheet = write_xlsx(tmp_path / "a.xlsx", rows)
    for args in ((), ("--yes",)):
        result = run("cases", "import", str(sheet), *args)
        assert result.exit_code == 0, result.stderr
        assert result.stderr.splitlines()[:2] == [
            f'{sheet}:3: casus "2026-014" bestaat al; rij overgeslagen, er is niets overschreven',
            f'{sheet}:4: casus "2026-102" bestaat al (casussen/2026-102.md); rij overgeslagen, '
            "er is niets overschreven",
        ]
    after = case_files(example_ws)
    assert {k: v for k, v in after.items() if k in before} == before
    assert sorted(set(after) - set(before)) == ["2026-101.md", "2026-103.md"]
    # Importing the same sheet again creates nothing new and still overwrites nothing.
    result = run("cases", "import", str(sheet), "--yes")
    assert result.stderr.endswith("0 casusbestanden geschreven in casussen/, 4 overgeslagen "
                                  "(bestaat al), 0 rijen met fouten.\n")
    assert case_files(example_ws) == after


# --- bad rows ---------------------------------------------------------------------------------

BAD = [
    TEN[0],
    ["2026-201", "X.", 1880, None, None, "onbekend", None, "31-02-2026", "XX", None, None,
     "RN, ABC", None, None, None, None, None, None, None, None],
    ["2026-202", "Y.", 1990, None, None, "aangemeld", None, "2026-11-01", "RN", None, None,
     None, "misschien", None, None, None, None, 999, None, None],
    [None, "Z.", 1990, None, None, "aangemeld", None, "2026-11-01", "RN", None, None, "RN"],
    ["2026/203", "Z.", 1990, None, None, "aangemeld", None, "2026-11-01", "RN", None, None,
     "RN"],
    ["2026-101", "A.", 1990, None, None, "aangemeld", None, "2026-11-01", "RN", None, None,
     "RN"],
    ["2026-204", "W.", 1990, None, None, "aangemeld", None, 45992, "RN", None, None, "RN",
     False],
    TEN[1],
]


def test_bad_rows_are_reported_with_their_row_numbers(run, empty_ws, tmp_path):
    sheet = write_xlsx(tmp_path / "fout.xlsx", BAD)
    s = str(sheet)
    expected = [
        f"{s}:3: 'status' = 'onbekend' is onbekend (kies uit: aangemeld, actief, nazorg, "
        "afgesloten)",
        f"{s}:3: 'geboortejaar' = '1880' moet een getal van 1900 tot en met 2026 zijn",
        f"{s}:3: 'aangemeld_op' = '31-02-2026' is geen geldige datum (gebruik 2026-12-01, "
        "1-12-2026 of 1 december 2026)",
        f"{s}:3: 'aangemeld_door' = 'XX' is geen partner uit overleg.toml (bekend: RN, POL, "
        "GEM, OM, GGZ, VT, WT, WC, VZ)",
        f"{s}:3: 'partners' bevat 'ABC', geen partner uit overleg.toml (bekend: RN, POL, GEM, "
        "OM, GGZ, VT, WT, WC, VZ)",
        f"{s}:4: verplichte sleutel 'partners' ontbreekt",
        f"{s}:4: 'geinformeerd' = 'misschien' moet ja of nee zijn",
        f"{s}:4: 'minuten' = '999' moet een getal van 1 tot en met 240 zijn",
        f"{s}:5: de kolom 'id' is leeg; elke casus heeft een id (bijv. 2026-042)",
        f"{s}:6: 'id' = '2026/203' mag alleen letters, cijfers, '-', '_' en '.' bevatten",
        f"{s}:7: id '2026-101' staat ook op rij 2; elke casus krijgt één rij",
        f"{s}:8: 'aangemeld_op' = '45992' is geen geldige datum (gebruik 2026-12-01, "
        "1-12-2026 of 1 december 2026)",
        f"{s}:8: 'geinformeerd' is nee: vul ook 'reden_niet_geinformeerd' in",
    ]
    result = run("cases", "import", s)
    assert result.exit_code == 1
    assert table(result.stdout).splitlines()[1:] == [
        "2    2026-101  aangemeld  RN,POL,GGZ,GEM  casussen/2026-101.md",
        "9    2026-102  aangemeld  GEM,GGZ,WT      casussen/2026-102.md",
    ]
    assert sorted(result.stderr.splitlines()[:-1]) == sorted(expected)
    assert result.stderr.splitlines()[-1] == (
        "Proefdraai: 2 casussen zouden worden aangemaakt, 0 overgeslagen (bestaat al), 6 "
        "rijen met fouten. Er is niets geschreven; schrijf ze met --yes.")
    assert case_files(empty_ws) == {}
    # With --yes the good rows are written, the bad ones not; the exit code still says so.
    result = run("cases", "import", s, "--yes")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == ("2 casusbestanden geschreven in casussen/, 0 "
                                              "overgeslagen (bestaat al), 6 rijen met fouten.")
    assert sorted(case_files(empty_ws)) == ["2026-101.md", "2026-102.md"]
    assert run("cases", "check").exit_code == 0


def test_messages_never_carry_initials(run, empty_ws, tmp_path):
    rows = [["2026-301", "Q.R.S.", 1880, None, None, "aangemeld", None, "2026-11-01", "RN",
             None, None, "RN"]]
    result = run("cases", "import", str(write_xlsx(tmp_path / "a.xlsx", rows)))
    assert result.exit_code == 1
    assert "Q.R.S." not in result.output


# --- the file itself ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "message"), [
    ("oud.xls", b"\xd0\xcf\x11\xe0", "{f}:1: het oude Excel-formaat .xls wordt niet gelezen. Sla "
     "het bestand in Excel op als .xlsx of als CSV UTF-8."),
    ("lijst.txt", b"id;initialen\n", "{f}:1: kies een .xlsx- of .csv-bestand (niet '.txt')."),
    ("kapot.xlsx", b"dit is geen zip", "{f}:1: is geen leesbaar Excel-bestand (.xlsx). Sla het "
     "in Excel opnieuw op als .xlsx, of als CSV UTF-8."),
    ("ansi.csv", "id;initialen\n2026-1;É.\n".encode("cp1252"), "{f}:2: het bestand is geen "
     "UTF-8-tekst. Sla het in Excel op als 'CSV UTF-8 (door komma's gescheiden)'."),
    ("leeg.csv", b"\xef\xbb\xbf\r\n;;\r\n", "{f}:1: het bestand is leeg. De eerste rij moet de "
     "kolomnamen bevatten (id, initialen, geboortejaar, wijk, thema, status, ...)."),
    ("kort.csv", b"id;initialen;status\n2026-1;A.;actief\n", "{f}:1: verplichte kolom(men) "
     "ontbreken: aangemeld_op, aangemeld_door, partners. De eerste rij moet de kolomnamen "
     f"bevatten: {', '.join(COLUMNS)}."),
    ("dubbel.csv", ";".join([*HEADER, "ID"]).encode(), "{f}:1: kolom 'id' staat er twee keer "
     "in; haal er één weg."),
])
def test_a_file_that_cannot_be_imported(run, empty_ws, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run("cases", "import", str(path), "--yes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Fout: {message.format(f=path)}\n"
    assert case_files(empty_ws) == {}


def test_a_missing_file(run, empty_ws):
    result = run("cases", "import", "weg.xlsx")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: bestand 'weg.xlsx' bestaat niet. Geef een .xlsx- of .csv-bestand.\n")


# --- what goes into the front matter ----------------------------------------------------------

_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                max_size=40).filter(lambda t: t == t.strip() and t.lower() not in
                                    ("~", "null"))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_any_text_in_a_cell_reads_back_as_written(text):
    raw = ("---\nid: 2026-1\ninitialen: A.\nstatus: actief\naangemeld_op: 2026-11-01\n"
           f"aangemeld_door: RN\npartners: [RN]\nwijk: {yaml_scalar(text)}\n---\n").encode()
    case, findings = parse_case(raw, Path("x.md"), "x.md", EXAMPLE)
    assert [f for f in findings if f.error] == []
    assert case is not None and case.wijk == text


# --- the action register out ------------------------------------------------------------------

def actions_ws(run) -> None:  # type: ignore[no-untyped-def]
    """The example meeting of 01-12-2026 with three actions, one overdue and one done."""
    for args in (("meeting", "start", "--date", "2026-12-01"),
                 ("action", "add", "2026-014", "--owner", "GGZ", "--who", "S. Öztürk", "--due",
                  "15-12", "Verkennend onderzoek starten"),
                 ("action", "add", "2026-022", "--owner", "POL", "--due", "2026-11-20",
                  "=HYPERLINK(\"http://x\") en +31 bellen"),
                 ("action", "add", "2026-014", "--owner", "WT", "--due", "2026-12-08",
                  "Contact met de zus"),
                 ("action", "done", "3"), ("meeting", "close")):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)


@pytest.mark.usefixtures("meeting_day")
def test_export_xlsx_round_trip(run, example_ws, tmp_path):
    actions_ws(run)
    target = tmp_path / "uit" / "acties.xlsx"
    result = run("action", "list", "--status", "all", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", f"3 actie(s) geschreven naar {target}.\n")
    assert target.stat().st_mode & 0o777 == 0o600
    book = openpyxl.load_workbook(target)
    sheet = book.active
    assert sheet.title == "Acties"
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows == [
        ["nummer", "casus", "eigenaar", "uitvoerder", "actie", "deadline", "status",
         "vergadering", "te laat", "afgerond op", "toelichting"],
        [2, "2026-022", "POL", None, "=HYPERLINK(\"http://x\") en +31 bellen",
         datetime(2026, 11, 20), "open", datetime(2026, 12, 1), "ja", None, None],
        [3, "2026-014", "WT", None, "Contact met de zus", datetime(2026, 12, 8), "afgerond",
         datetime(2026, 12, 1), "nee", datetime(2026, 12, 1), None],
        [1, "2026-014", "GGZ", "S. Öztürk", "Verkennend onderzoek starten",
         datetime(2026, 12, 15), "open", datetime(2026, 12, 1), "nee", None, None],
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet["F2"].number_format == "DD-MM-YYYY" and sheet["F2"].is_date
    assert sheet["E2"].data_type == "s"  # text that looks like a formula stays text


@pytest.mark.usefixtures("meeting_day")
def test_export_csv_file_for_dutch_excel_and_plain_csv_on_stdout(run, example_ws, tmp_path):
    actions_ws(run)
    target = tmp_path / "acties.csv"
    result = run("action", "list", "-o", str(target))  # the format from the extension
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"2 actie(s) geschreven naar {target}.\n"
    data = target.read_bytes()
    assert data == (
        "\ufeffnummer;casus;eigenaar;uitvoerder;actie;deadline;status;vergadering;te laat;"
        "afgerond op;toelichting\r\n"
        "2;2026-022;POL;;\"'=HYPERLINK(\"\"http://x\"\") en +31 bellen\";20-11-2026;open;"
        "01-12-2026;ja;;\r\n"
        "1;2026-014;GGZ;S. Öztürk;Verkennend onderzoek starten;15-12-2026;open;01-12-2026;nee"
        ";;\r\n").encode("utf-8")
    result = run("action", "list", "--partner", "GGZ", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "nummer;casus;eigenaar;uitvoerder;actie;deadline;status;vergadering;te laat;"
        "afgerond op;toelichting\n"
        "1;2026-014;GGZ;S. Öztürk;Verkennend onderzoek starten;15-12-2026;open;01-12-2026;nee"
        ";;\n")
    overdue = run("action", "list", "--overdue", "--format", "csv")
    assert [line.split(";")[0] for line in overdue.stdout.splitlines()] == ["nummer", "2"]


@pytest.mark.parametrize(("args", "message"), [
    (("--format", "xlsx"), "--format xlsx schrijft een bestand: geef het met -o, bijv. "
                           "-o acties.xlsx."),
    (("-o", "acties.txt"), "kies het formaat met --format xlsx, csv of docx (uit "
                           "'acties.txt' is het niet af te leiden)."),
    (("--json", "--format", "csv"), "kies --json of --format, niet allebei."),
])
def test_export_errors(run, example_ws, args, message):
    result = run("action", "list", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Fout: {message}\n")
    assert not (example_ws / "acties.txt").exists()


def test_export_format_is_a_fixed_choice(run, example_ws):
    result = run("action", "list", "--format", "pdf", "-o", "a.pdf")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Fout: ongeldige waarde voor '--format': 'pdf' is niet een "
                                    "van 'xlsx', 'csv', 'docx'.")
    assert not (example_ws / "a.pdf").exists()


def test_imported_cases_are_in_the_audit_log_and_a_dry_run_logs_nothing(run, empty_ws,
                                                                         tmp_path):
    sheet = write_xlsx(tmp_path / "a.xlsx", TEN)
    run("cases", "import", str(sheet))
    assert json.loads(run("log", "--json").stdout) == []
    run("cases", "import", str(sheet), "--yes")
    log = json.loads(run("log", "--json").stdout)
    assert sorted(e["case"] for e in log) == sorted(row[0] for row in TEN)
    assert {e["action"] for e in log} == {"case.create.import"}
