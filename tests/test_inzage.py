"""`overleg inzage`: a person's access request. The package holds everything about their case
(and nothing of another case or any professional's name), every organisation that received it
by name, and makes exactly one register row; the request's term is tracked."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY, Run

from overleg.casecache import load_cases
from overleg.workspace import init_workspace, load_workspace

CASE = "2026-014"
OTHER = "2026-005"
NOTE = "Buren melden opnieuw geschreeuw in het trappenhuis."
DECISION_1 = "GGZ start een verkennend onderzoek."
DECISION_2 = "Wijkteam neemt contact op met de zus."
ACTION = "Huisbezoek afleggen"
COMMENT = "Meneer was thuis"
OTHER_NOTE = "Strafzaak loopt nog bij het parket."
OTHER_ACTION = "Dossier opvragen bij het parket"
# Names of professionals: attendance, the `who` of an action, the casusregisseur of 2026-014,
# the chair in overleg.toml and the person who typed the entries (--as).
PROFESSIONALS = ("K. Bakker", "S. Öztürk", "B. Jansen", "A. de Vries", "T. Kramer",
                 "M. El Idrissi")
# The organisations 2026-014's minutes were mailed to (its partners, regie included).
RECIPIENTS = ("Reclassering Nederland", "Politie Eenheid Den Haag, basisteam Zuid",
              "Gemeente Den Haag, Zorg en Veiligheid", "GGZ Hofstad, FACT-team Zuid",
              "Wijkteam Escamp")
NOT_RECIPIENTS = ("Openbaar Ministerie", "Veilig Thuis", "Woonstichting Zuidwaarts",
                  "Verslavingszorg")


def ok(result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout


@pytest.fixture(scope="module")
def two_meetings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example workspace after two meetings with 2026-014 on the agenda, and the minutes of
    both mailed (as drafts) to every partner; made once, through the CLI."""
    ws = tmp_path_factory.mktemp("inzage") / "werkmap"
    init_workspace(ws, example=True)
    run = Run()
    steps = [
        ("meeting", "start", "--date", "2026-12-01"),
        ("meeting", "attend", "POL", "K. Bakker"),
        ("meeting", "attend", "RN", "M. El Idrissi", "--absent"),
        ("--as", "T. Kramer", "meeting", "note", CASE, NOTE),
        ("meeting", "decide", CASE, DECISION_1),
        ("meeting", "note", OTHER, OTHER_NOTE),
        ("action", "add", CASE, "--owner", "GGZ", "--who", "S. Öztürk", "--due", "15-12-2026",
         ACTION),
        ("action", "add", OTHER, "--owner", "OM", "--due", "15-12-2026", OTHER_ACTION),
        ("meeting", "review", CASE, "--next", "8-12-2026"),
        ("meeting", "close"),
        ("mail", "--date", "2026-12-01"),
        ("meeting", "start", "--date", "2026-12-08"),
        ("action", "done", "1", "--comment", COMMENT),
        ("meeting", "decide", CASE, DECISION_2),
        ("meeting", "review", CASE, "--status", "actief", "--next", "12-1-2027"),
        ("meeting", "close"),
        ("mail", "--date", "2026-12-08"),
    ]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERLEG_TODAY", TODAY)
        mp.setenv("OVERLEG_WORKSPACE", str(ws))
        for args in steps:
            if args[:2] == ("meeting", "start"):  # recordings act on today's meeting
                mp.setenv("OVERLEG_TODAY", args[3])
            result = run(*args)
            assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return ws


@pytest.fixture
def ws(two_meetings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "werkmap"
    shutil.copytree(two_meetings, copy)
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(copy))
    return copy


def register(ws: Path) -> list[dict]:
    conn = sqlite3.connect(ws / "overleg.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM disclosures ORDER BY id")]
    finally:
        conn.close()


def docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def package(run, ws: Path, fmt: str, *ids: str) -> str:
    """The package as text a reader sees (HTML unescaped)."""
    import html

    out = ws / "uit" / f"inzage.{fmt}"
    result = run("inzage", *ids, "--format", fmt, "-o", str(out))
    assert (result.exit_code, result.stdout) == (0, ""), result.stderr
    assert result.stderr.startswith(f"Inzage geschreven naar {out}.\n")
    data = out.read_bytes()
    return docx_text(data) if fmt == "docx" else html.unescape(data.decode("utf-8"))


def other_tokens(ws: Path) -> Iterator[str]:
    """Ids, initials and questions of every other case, and the text recorded about one."""
    for case in load_cases(load_workspace(ws)).cases:
        if case.id != CASE:
            yield case.id
            yield case.initialen
            if case.question:
                yield case.question
    yield OTHER_NOTE
    yield OTHER_ACTION


# --- the package -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_the_package_holds_everything_about_the_case(run, ws, fmt):
    text = package(run, ws, fmt, CASE)
    assert "Inzage in uw gegevens" in text
    assert "Casusoverleg Zorg en Veiligheid Den Haag Zuid" in text
    assert "Veiligheidshuis Haaglanden, zaal 2" in text
    assert "zaterdag 28 november 2026" in text.lower()
    for expected in (CASE, "J.d.V.", "1991", "Zuiderpark", "verward, overlast",
                     NOTE, DECISION_1, DECISION_2, ACTION, COMMENT, "afgerond",
                     "15-12-2026", "01-12-2026", "08-12-2026", "12-01-2027", "actief",
                     "nieuwe aanmelding", "evaluatie",
                     # the case file's text, as written (case text is data)
                     "Meneer woont sinds 2024 alleen", "Beste {{ naam }}, <b>dit is je",
                     "Is een verkennend onderzoek naar een zorgmachtiging (Wvggz) nodig",
                     # purpose, legal basis and retention from overleg.toml
                     "Afstemmen van een gezamenlijke aanpak per persoon",
                     "Wet gegevensverwerking door samenwerkingsverbanden (Wgs)",
                     "bewaard tot 2 jaar nadat uw casus is afgesloten",
                     "Wie uw gegevens ontving"):
        assert expected in text, expected
    for name in RECIPIENTS:
        assert name in text, name
    for name in NOT_RECIPIENTS:
        assert name not in text, name


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_nothing_of_another_case_and_no_professional_by_name(run, ws, fmt):
    text = package(run, ws, fmt, CASE)
    for token in other_tokens(ws):
        assert token not in text, token
    for name in PROFESSIONALS:
        assert name not in text, name


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_one_register_row_with_exactly_the_requested_cases(run, ws, fmt):
    before = register(ws)
    package(run, ws, fmt, CASE)
    rows = register(ws)[len(before):]
    assert [(r["kind"], r["format"], r["partner"], json.loads(r["cases"])) for r in rows] == [
        ("inzage", fmt, None, [CASE])]
    assert rows[0]["file"] == f"uit/inzage.{fmt}"
    result = run("verstrekkingen", "--case", CASE)
    assert "betrokkene" in result.stdout and f"inzage ({fmt})" in result.stdout


def test_the_recipients_are_listed_with_what_and_when(run, ws):
    text = package(run, ws, "md", CASE)
    section = text.split("## Wie uw gegevens ontving\n", 1)[1].split("\n## ", 1)[0]
    headings = [line[4:] for line in section.splitlines() if line.startswith("### ")]
    assert headings == list(RECIPIENTS)  # in the order of overleg.toml
    for meeting in ("01-12-2026", "08-12-2026"):  # each mailed on the day of its meeting
        line = (f"- {meeting}: verslag en actielijst van het overleg van {meeting}, per e-mail "
                "(klaargezet om te versturen)")
        assert section.count(line) == len(RECIPIENTS), line


def test_the_meetings_are_told_in_order_with_their_reasons(run, ws):
    text = package(run, ws, "md", CASE)
    first = text.index("#### Overleg van 01-12-2026 (gehouden)")
    second = text.index("#### Overleg van 08-12-2026 (gehouden)")
    assert first < text.index(NOTE) < text.index(DECISION_1) < second < text.index(DECISION_2)
    assert text[first:second].count("- Op de agenda: nieuwe aanmelding") == 1
    assert "- Afgesproken: volgende bespreking op 12-01-2027; status actief" in text
    assert ("- Actie 1: Huisbezoek afleggen — GGZ Hofstad, FACT-team Zuid; deadline "
            "15-12-2026; afgerond op ") in text


def test_a_person_with_two_cases_gets_both_and_only_those(run, ws):
    before = register(ws)
    text = package(run, ws, "md", CASE, OTHER)
    assert OTHER_NOTE in text and NOTE in text and "L.M." in text
    assert "Openbaar Ministerie, parket Den Haag" in text  # a partner of 2026-005 only
    (row,) = register(ws)[len(before):]
    assert json.loads(row["cases"]) == [CASE, OTHER]
    for case in load_cases(load_workspace(ws)).cases:
        if case.id not in (CASE, OTHER):
            assert case.id not in text and case.initialen not in text


def test_a_case_id_as_on_the_agenda(run, ws):
    before = register(ws)
    ok(run("inzage", "014"))
    (row,) = register(ws)[len(before):]
    assert json.loads(row["cases"]) == [CASE]


def test_to_the_screen_without_output(run, ws):
    result = run("inzage", CASE)
    assert result.exit_code == 0
    assert result.stdout.startswith("# Inzage in uw gegevens\n")
    assert register(ws)[-1]["file"] is None


def test_a_deleted_case_file_still_yields_its_records(run, ws):
    (ws / "casussen" / "2026-005-lm.md").unlink()
    text = package(run, ws, "md", OTHER)
    assert "Het casusbestand van deze casus bestaat niet meer" in text
    assert OTHER_NOTE in text and OTHER_ACTION in text
    assert "Openbaar Ministerie, parket Den Haag" in text
    assert json.loads(register(ws)[-1]["cases"]) == [OTHER]


def test_an_unknown_case_is_an_error(run, ws):
    before = register(ws)
    result = run("inzage", "2099-999")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ('Fout: casus "2099-999" bestaat niet en overleg bewaart er niets '
                             "over. Zie 'overleg cases list'.\n")
    assert register(ws) == before


def test_a_broken_case_file_is_refused_rather_than_left_out(run, ws):
    (ws / "casussen" / "kapot.md").write_text("---\nid: 2026-099\ninitialen: X.Y.\n---\n",
                                              encoding="utf-8")
    result = run("inzage", "2026-099")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        'Fout: het casusbestand van "2026-099" bevat fouten; zonder dat bestand is het '
        "inzagepakket niet volledig. Herstel het eerst: zie 'overleg cases check'.\n")


def test_docx_needs_an_output_file(run, ws):
    result = run("inzage", CASE, "--format", "docx")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: --format docx maakt een Word-bestand; geef met -o aan waar "
                             "het heen moet, bijv. -o uit/inzage.docx.\n")


def test_an_unknown_format(run, ws):
    result = run("inzage", "--format", "txt", CASE)
    assert result.exit_code == 1
    assert result.stderr == "Fout: formaat 'txt' bestaat niet. Kies uit: md, html, docx.\n"


def test_a_bsn_in_the_case_file_is_masked(run, ws):
    path = next((ws / "casussen").glob("2026-014-*.md"))
    path.write_text(path.read_text(encoding="utf-8") + "\nBSN 111222333.\n", encoding="utf-8")
    for fmt in ("md", "html", "docx"):
        text = package(run, ws, fmt, CASE)
        assert "111222333" not in text and "BSN *********." in text


def test_the_html_escapes_case_text(run, ws):
    out = ws / "uit" / "inzage.html"
    ok(run("inzage", CASE, "--format", "html", "-o", str(out)))
    data = out.read_text(encoding="utf-8")
    assert "&lt;b&gt;dit is je laatste waarschuwing&lt;/b&gt;" in data
    assert "<b>dit" not in data


# --- the register rows as the person reads them ------------------------------------------------

def test_a_sent_email_is_one_receipt_and_other_cases_are_not_named():
    from overleg.config import Config, Partner
    from overleg.inzage import Receipt, recipients
    from overleg.model import Disclosure

    config = Config(naam="Casusoverleg Test", partners={
        "POL": Partner("POL", "Politie Test"), "GGZ": Partner("GGZ", "GGZ Test")})

    def row(n: int, partner: str | None, kind: str, fmt: str, file: str | None = None,
            cases: tuple[str, ...] = ("2026-014", "2026-099")) -> Disclosure:
        return Disclosure(n, f"2026-12-0{n}T10:00:00", "iemand", partner, ("a@b.example",),
                          kind, fmt, date(2026, 12, 1), cases, "", "", file, "0" * 64)

    rows = [row(1, "GGZ", "mail", "eml", "uit/mail/verslag-2026-12-01-GGZ.eml"),
            row(2, "GGZ", "mail", "smtp"),
            row(3, "POL", "minutes", "md"), row(3, "POL", "minutes", "html"),
            row(4, None, "agenda", "md"), row(5, None, "inzage", "md", cases=("2026-014",))]
    found = recipients(config, rows, ["2026-014"])
    assert [(r.name, r.code, r.role) for r in found] == [
        ("Politie Test", "POL", ""), ("GGZ Test", "GGZ", ""),
        ("Casusoverleg Test", None, "voorzitter van het overleg"),
        ("Uzelf", None, "eerder inzageverzoek")]
    one = date(2026, 12, 1)
    assert found[0].receipts == (Receipt(date(2026, 12, 3), "verslag", one, ("2026-014",), ""),)
    assert found[1].receipts == (
        Receipt(date(2026, 12, 2), "verslag en actielijst", one, ("2026-014",), "verstuurd"),)


# --- the term --------------------------------------------------------------------------------

def log_actions(run) -> list[tuple[str, str | None]]:
    return [(e["action"], e["case"]) for e in json.loads(ok(run("log", "--json")))]


def test_tracking_a_request_from_open_to_close(run, ws, monkeypatch):
    assert ok(run("inzage", "list")) == "Geen inzageverzoeken.\n"
    result = run("inzage", "open", CASE, "--received", "20-11-2026")
    assert ok(result) == ("Inzageverzoek #1 geregistreerd voor casus 2026-014 (ontvangen "
                          "20-11-2026). Uiterlijk beantwoorden op zo 20-12-2026.\n")
    record = {"id": 1, "cases": [CASE], "received": "2026-11-20", "due": "2026-12-20",
              "status": "open", "extended_until": None}
    result = run("inzage", "list", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == [record]
    assert ("inzage.open", CASE) in log_actions(run)

    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-21")
    late = ("Te laat: inzageverzoek #1 (termijn 20-12-2026) is niet binnen de termijn "
            "beantwoord. Maak het pakket met 'overleg inzage ID...'.\n")
    result = run("inzage", "list", "--json")
    assert (result.exit_code, result.stderr) == (1, late)
    assert json.loads(result.stdout) == [record]
    result = run("inzage", "list")
    assert result.exit_code == 1
    assert "TE LAAT" in result.stdout and result.stderr == late

    result = run("inzage", "extend", "1", "--until", "21-2-2027", "--reason", "Veel stukken")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: de termijn mag hoogstens tot drie maanden na ontvangst "
                             "worden verlengd: uiterlijk 20-02-2027 (ontvangen 20-11-2026). "
                             "21-02-2027 is te laat.\n")
    result = run("inzage", "extend", "1", "--until", "19-12-2026", "--reason", "Veel stukken")
    assert result.stderr == ("Fout: 19-12-2026 ligt niet na de huidige termijn (20-12-2026); "
                             "verlengen kan alleen naar een latere datum.\n")
    assert "inzage.extend" not in {a for a, _ in log_actions(run)}

    result = run("inzage", "extend", "1", "--until", "20-2-2027", "--reason", "Veel stukken")
    assert ok(result) == "Inzageverzoek #1: termijn verlengd tot za 20-02-2027.\n"
    assert result.stderr.startswith("Let op: de eerste termijn liep af op 20-12-2026")
    result = run("inzage", "list", "--json")
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout) == [record | {"extended_until": "2027-02-20"}]
    assert ("inzage.extend", CASE) in log_actions(run)

    out = ws / "uit" / "inzage.html"
    result = run("inzage", CASE, "--format", "html", "-o", str(out))
    assert result.stderr == (f"Inzage geschreven naar {out}.\nSluit inzageverzoek #1 af als "
                             "het pakket is verstuurd: 'overleg inzage close 1'.\n")
    result = run("inzage", "close", "1")
    assert ok(result) == "Inzageverzoek #1 is afgesloten.\n"
    assert json.loads(ok(run("inzage", "list", "--json")))[0]["status"] == "closed"
    result = run("inzage", "close", "1")
    assert (result.exit_code, result.stderr) == (1, "Fout: inzageverzoek #1 is al afgesloten.\n")
    actions = log_actions(run)
    assert ("inzage.close", CASE) in actions
    order = [a for a, _ in actions if "inzage" in a]
    assert order[:2] == ["inzage.open", "inzage.extend"] and order[3:] == ["inzage.close"]
    assert order[2].startswith("render.inzage.")  # the package's register row, logged


def test_the_term_is_one_calendar_month(run, ws):
    assert "Uiterlijk beantwoorden op vr 28-02-2025." in ok(
        run("inzage", "open", CASE, "--received", "31-1-2025"))
    from overleg.inzage import due_date, latest_extension

    assert due_date(date(2026, 1, 31)) == date(2026, 2, 28)
    assert latest_extension(date(2026, 11, 30)) == date(2027, 2, 28)


def test_list_orders_overdue_first_then_by_deadline(run, ws, monkeypatch):
    ok(run("inzage", "open", CASE, "--received", "25-11-2026"))
    ok(run("inzage", "open", OTHER, "--received", "1-10-2026"))
    ok(run("inzage", "open", "2026-017", "--received", "10-11-2026"))
    ok(run("inzage", "close", "3"))
    result = run("inzage", "list", "--json")
    assert result.exit_code == 1
    assert [r["id"] for r in json.loads(result.stdout)] == [2, 1, 3]


def test_close_without_a_package_warns(run, ws):
    ok(run("inzage", "open", CASE, "--received", "vandaag"))
    result = run("inzage", "close", "1")
    assert result.exit_code == 0
    assert result.stderr == ("Let op: sinds de ontvangst is voor deze casus geen inzagepakket "
                             "gemaakt ('overleg inzage 2026-014').\n")


def test_unknown_request_and_case(run, ws):
    result = run("inzage", "close", "9")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: inzageverzoek #9 bestaat niet. Zie 'overleg inzage list'.\n")
    result = run("inzage", "open", "2099-999", "--received", "1-11-2026")
    assert result.exit_code == 1 and "2099-999" in result.stderr


# --- the command group ---------------------------------------------------------------------------

def test_help_lists_the_package_and_every_sub_command(run, ws):
    result = run("inzage", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "Gebruik: overleg inzage ID... [--format md|html|docx] [-o BESTAND]" in text
    assert "of: overleg inzage OPDRACHT [ARGUMENTEN]..." in text
    for name in ("open", "list", "extend", "close"):
        assert f"│ {name} " in result.stdout
    assert "package" not in result.stdout
    result = run("inzage", CASE, "--help")
    assert result.exit_code == 0
    assert "Gebruik: overleg inzage [OPTIES] ID..." in result.stdout
    assert "--format" in result.stdout


def test_a_usage_error_points_at_the_group_help(run, ws):
    result = run("inzage", CASE, "--bogus")
    assert (result.exit_code, result.stderr) == (
        2, "Fout: onbekende optie --bogus\nZie 'overleg inzage --help'.\n")
