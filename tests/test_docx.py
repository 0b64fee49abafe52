"""Word documents: read back with python-docx; per-partner filtering as for the other formats."""

from __future__ import annotations

import json
import re
import stat
import zipfile
from pathlib import Path

import docx as python_docx
import pytest
from conftest import TODAY
from hypothesis import given, settings
from hypothesis import strategies as st

from overleg.casecache import load_cases, read_body
from overleg.cases import question_of
from overleg.docx import _clean
from overleg.workspace import load_workspace

Q_014 = ("Is een verkennend onderzoek naar een zorgmachtiging (Wvggz) nodig, of is er nog "
         "ruimte voor vrijwillige zorg via GGZ & wijkteam?")
AGENDA = ["2026-014", "2026-027", "2026-019", "2026-005", "2026-017", "2026-041", "2026-038",
          "2026-022", "2026-024", "2026-031", "2026-021", "2026-003", "2026-009"]
PARTNERS = ("RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC", "VZ")

# Every test builds Word files and reads them back with python-docx.
pytestmark = pytest.mark.slow


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


@pytest.fixture
def meeting(example_ws: Path, run, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The example meeting of 1 December, recorded through the CLI and closed (on that day;
    the tests read the documents on 28 November, as before)."""
    ok(run("action", "add", "2026-005", "--owner", "POL", "--who", "K. Bakker", "--due",
           "20-11-2026", "Proces-verbaal delen met OM"))  # 1: earlier, overdue
    ok(run("agenda", "build", "--date", "2026-12-01"))
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-01")
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("meeting", "attend", "POL", "K. Bakker"))
    ok(run("meeting", "attend", "GGZ", "S. Öztürk"))
    ok(run("meeting", "attend", "WC", "J. Post", "--absent"))
    ok(run("meeting", "note", "2026-014", "GGZ ziet signalen van een psychose."))
    ok(run("meeting", "decide", "2026-014", "GGZ start een verkennend onderzoek."))
    ok(run("action", "add", "2026-014", "--owner", "GGZ", "--who", "S. Öztürk", "--due",
           "15-12-2026", "Verkennend onderzoek starten"))  # 2
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "14-12-2026",
           "Buurtonderzoek"))  # 3
    ok(run("meeting", "review", "2026-014", "--next", "12-01-2027", "--status", "actief"))
    ok(run("meeting", "decide", "2026-041", "Wijkteam neemt de regie."))
    ok(run("action", "add", "2026-041", "--owner", "WT", "--due", "10-12-2026",
           "Huisbezoek samen met GGZ"))  # 4
    ok(run("meeting", "close"))
    monkeypatch.setenv("OVERLEG_TODAY", TODAY)
    return example_ws


def body(path: Path) -> list[str]:
    """The document body in order: a paragraph's text, a table as '| a | b |' rows."""
    lines: list[str] = []
    for block in python_docx.Document(str(path)).iter_inner_content():
        if isinstance(block, python_docx.table.Table):
            lines += ["| " + " | ".join(c.text for c in row.cells) + " |" for row in block.rows]
        else:
            lines.append(block.text)
    return lines


def all_text(path: Path) -> str:
    """Every piece of text in the document: body, tables, headers, footers, properties."""
    document = python_docx.Document(str(path))
    parts = body(path)
    for section in document.sections:
        for part in (section.header, section.footer):
            parts += [p.text for p in part.paragraphs]
    props = document.core_properties
    parts += [props.title or "", props.subject or "", props.author or "", props.comments or ""]
    return "\n".join(parts)


def headings(path: Path, level: int = 2) -> list[str]:
    return [p.text for p in python_docx.Document(str(path)).paragraphs
            if p.style.name == f"Heading {level}"]


def block(lines: list[str], start: str, count: int) -> list[str]:
    index = lines.index(start)
    return lines[index:index + count]


def case_data(run) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    return {c["id"]: c for c in json.loads(run("cases", "list", "--json").stdout)}


def question(ws: Path, case_id: str) -> str:
    """The text under '## Vraag aan het overleg' in the case's file, as written."""
    cases = {c.id: c for c in load_cases(load_workspace(ws)).cases}
    return question_of(read_body(cases[case_id])).strip()


# --- minutes -------------------------------------------------------------------------------

def test_minutes_docx_reads_back_as_the_minutes(meeting: Path, run, tmp_path: Path) -> None:
    target = tmp_path / "verslag.docx"
    result = run("minutes", "--format", "docx", "-o", str(target))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"Verslag geschreven naar {target}.\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    lines = body(target)
    assert lines[:4] == [
        "Verslag Casusoverleg Zorg en Veiligheid Den Haag Zuid",
        "Dinsdag 1 december 2026 · Veiligheidshuis Haaglanden, zaal 2 · voorzitter A. de Vries",
        "CONCEPT — dit verslag is een concept tot het in het volgende overleg is vastgesteld.",
        "Aanwezig",
    ]
    assert block(lines, "Aanwezig", 5) == [
        "Aanwezig", "GGZ GGZ Hofstad, FACT-team Zuid: S. Öztürk",
        "POL Politie Eenheid Den Haag, basisteam Zuid: K. Bakker", "Afgemeld: J. Post (WC)",
        "De geheimhoudingsverklaring is voorgelezen: Wat hier wordt besproken blijft binnen "
        "dit overleg. Deel alleen wat nodig is voor de aanpak van de casus.",
    ]
    assert block(lines, "1. Casus 2026-014 — J.d.V. (1991)", 17) == [
        "1. Casus 2026-014 — J.d.V. (1991)",
        "Reden: nieuwe aanmelding",
        "Regie: GEM (casusregisseur B. Jansen)",
        "Betrokkene geïnformeerd: ja",
        f"Vraag aan het overleg: {Q_014}",
        "Bespreking",
        "GGZ ziet signalen van een psychose.",
        "Besluiten",
        "GGZ start een verkennend onderzoek.",
        "Nieuwe acties",
        "| nr. | eigenaar | uitvoerder | deadline | actie |",
        "| 3 | POL |  | 14-12-2026 | Buurtonderzoek |",
        "| 2 | GGZ | S. Öztürk | 15-12-2026 | Verkennend onderzoek starten |",
        "",
        "Volgende bespreking: 12-01-2027",
        "Status: actief",
        "2. Casus 2026-027 — S.H. (1984)",
    ]
    assert block(lines, "4. Casus 2026-005 — L.M. (1986)", 10)[5:] == [
        "Niet besproken; de casus komt terug op de volgende agenda (aangehouden).",
        "Eerdere acties",
        "| nr. | eigenaar | uitvoerder | deadline | actie | status |",
        "| 1 | POL | K. Bakker | 20-11-2026 | Proces-verbaal delen met OM | te laat |",
        "",
    ]
    assert [h.split(" — ")[0] for h in headings(target)] == [
        f"{n}. Casus {case_id}" for n, case_id in enumerate(AGENDA, start=1)]


def test_concept_mark_is_red_and_in_every_page_header(meeting: Path, run,
                                                      tmp_path: Path) -> None:
    target = tmp_path / "verslag.docx"
    ok(run("minutes", "--format", "docx", "-o", str(target)))
    document = python_docx.Document(str(target))
    mark = next(p for p in document.paragraphs if p.text.startswith("CONCEPT"))
    assert all(r.bold and str(r.font.color.rgb) == "C00000" for r in mark.runs)
    header = document.sections[0].header.paragraphs
    assert [p.text for p in header] == ["CONCEPT"]
    assert header[0].runs[0].bold
    footer = [p.text for p in document.sections[0].footer.paragraphs]
    assert footer[0] == ("Vertrouwelijk: Wat hier wordt besproken blijft binnen dit overleg. "
                         "Deel alleen wat nodig is voor de aanpak van de casus. Niet doorsturen.")


def test_approved_minutes_carry_no_concept_mark(meeting: Path, run, tmp_path: Path) -> None:
    ok(run("meeting", "approve", "--date", "2026-12-01"))
    target = tmp_path / "verslag.docx"
    ok(run("minutes", "--format", "docx", "-o", str(target)))
    assert "CONCEPT" not in all_text(target)
    assert re.fullmatch(r"Vastgesteld op \d\d-\d\d-\d{4}\.", body(target)[2])


def test_partner_minutes_hold_exactly_the_markdown_items(meeting: Path, run,
                                                         tmp_path: Path) -> None:
    target = tmp_path / "verslag-POL.docx"
    result = run("minutes", "--partner", "pol", "--format", "docx", "-o", str(target))
    assert result.exit_code == 0, result.output
    markdown = run("minutes", "--partner", "POL").stdout
    in_markdown = re.findall(r"^## \d+\. Casus (\S+)", markdown, flags=re.MULTILINE)
    in_word = [re.match(r"\d+\. Casus (\S+)", h).group(1) for h in headings(target)]  # type: ignore[union-attr]
    assert in_word == in_markdown == ["2026-014", "2026-027", "2026-019", "2026-005",
                                      "2026-038", "2026-022", "2026-021"]
    lines = body(target)
    assert "Verslag voor Politie Eenheid Den Haag, basisteam Zuid (POL): alleen de casussen " \
           "waarin POL partner is." in lines
    assert block(lines, "Actielijst Politie Eenheid Den Haag, basisteam Zuid", 5) == [
        "Actielijst Politie Eenheid Den Haag, basisteam Zuid",
        "Open acties van POL op 28-11-2026, te late eerst.",
        "| nr. | casus | uitvoerder | deadline | actie | status |",
        "| 1 | 2026-005 | K. Bakker | 20-11-2026 | Proces-verbaal delen met OM | TE LAAT |",
        "| 3 | 2026-014 |  | 14-12-2026 | Buurtonderzoek | open |",
    ]


def test_a_partner_document_never_names_another_case(meeting: Path, run,
                                                     tmp_path: Path) -> None:
    """For every partner: its minutes, agenda and action list name none of the cases it is
    not a partner of (no id, no initials, no question)."""
    cases = case_data(run)
    questions = {case_id: question(meeting, case_id) for case_id in cases}
    ok(run("agenda", "build", "--date", "2026-12-15"))
    for partner in PARTNERS:
        minutes, agenda, actions = (tmp_path / f"{partner}-{kind}.docx" for kind in "val")
        ok(run("minutes", "--partner", partner, "--format", "docx", "-o", str(minutes)))
        ok(run("agenda", "render", "--date", "2026-12-15", "--partner", partner, "--format",
               "docx", "-o", str(agenda)))
        ok(run("action", "list", "--partner", partner, "--format", "docx", "-o", str(actions)))
        others = [c for c in cases.values() if partner not in c["partners"]]
        assert others  # every example partner is left out of some case
        for path in (minutes, agenda, actions):
            text = all_text(path)
            for case in others:
                assert case["id"] not in text, (path.name, case["id"])
                assert f"{case['initialen']} (" not in text, (path.name, case["id"])
                assert questions[str(case["id"])] not in text, (path.name, case["id"])


def test_decision_text_never_reaches_another_partner(meeting: Path, run,
                                                     tmp_path: Path) -> None:
    target = tmp_path / "verslag-POL.docx"
    ok(run("minutes", "--partner", "POL", "--format", "docx", "-o", str(target)))
    text = all_text(target)
    assert "GGZ start een verkennend onderzoek." in text  # 2026-014: POL is a partner
    assert "Wijkteam neemt de regie." not in text  # 2026-041: POL is not
    assert "Huisbezoek samen met GGZ" not in text


# --- agenda and action lists ---------------------------------------------------------------

def test_agenda_docx(example_ws: Path, run, tmp_path: Path) -> None:
    ok(run("action", "add", "2026-005", "--owner", "POL", "--due", "20-11-2026", "PV delen"))
    ok(run("agenda", "build", "--date", "2026-12-01"))
    target = tmp_path / "agenda.docx"
    result = run("agenda", "render", "--date", "2026-12-01", "--format", "docx", "-o",
                 str(target))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"Agenda geschreven naar {target}.\n"
    lines = body(target)
    assert lines[:6] == [
        "Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid",
        "Datum: Dinsdag 1 december 2026 (01-12-2026)",
        "Tijd: 09:30–11:30",
        "Locatie: Veiligheidshuis Haaglanden, zaal 2",
        "Voorzitter: A. de Vries",
        "Wat hier wordt besproken blijft binnen dit overleg. Deel alleen wat nodig is voor de "
        "aanpak van de casus.",
    ]
    assert block(lines, "Overzicht", 3) == [
        "Overzicht", "| nr. | tijd | casus | persoon | reden | min. |",
        "| 1 | 09:30–09:45 | 2026-014 | J.d.V. (1991) | nieuwe aanmelding | 15 |",
    ]
    assert "| 13 | 11:50–12:00 | 2026-009 | P.W. (1969) | evaluatie | 10 |" in lines
    assert "Totaal 150 minuten; het overleg duurt 120 minuten. 3 punten passen niet in de tijd." \
        in lines
    item = block(lines, "4. Casus 2026-005 — L.M. (1986)", 9)
    assert item == [
        "4. Casus 2026-005 — L.M. (1986)",
        "Tijd: 10:05–10:15 (10 minuten)",
        "Redenen: evaluatie, acties verlopen",
        "Regie: Gemeente Den Haag, Zorg en Veiligheid (GEM), casusregisseur B. Jansen",
        f"Vraag aan het overleg: {question(example_ws, '2026-005')}",
        "Open acties",
        "| nr. | eigenaar | uitvoerder | deadline | actie | status |",
        "| 1 | POL |  | 20-11-2026 | PV delen | verlopen |",
        "",
    ]
    assert "Past niet in de tijd: dit punt komt alleen aan bod als er tijd overblijft." in lines
    assert "CONCEPT" not in all_text(target)


def test_partner_agenda_docx_matches_the_markdown_agenda(example_ws: Path, run,
                                                         tmp_path: Path) -> None:
    ok(run("agenda", "build", "--date", "2026-12-01"))
    target = tmp_path / "agenda-VT.docx"
    ok(run("agenda", "render", "--partner", "VT", "--format", "docx", "-o", str(target)))
    markdown = run("agenda", "render", "--partner", "VT").stdout
    in_markdown = re.findall(r"^## \d+\. \S+ · (\S+)", markdown, flags=re.MULTILINE)
    in_word = [re.match(r"\d+\. Casus (\S+)", h).group(1) for h in headings(target)]  # type: ignore[union-attr]
    assert in_word == in_markdown == ["2026-027", "2026-038"]
    assert body(target)[:2] == ["Agenda voor Veilig Thuis Haaglanden",
                                "Casusoverleg Zorg en Veiligheid Den Haag Zuid"]


def test_partner_action_list_docx(meeting: Path, run, tmp_path: Path) -> None:
    target = tmp_path / "acties-POL.docx"
    result = run("action", "list", "--partner", "POL", "--format", "docx", "-o", str(target))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"Actielijst geschreven naar {target}.\n"
    assert body(target) == [
        "Actielijst Politie Eenheid Den Haag, basisteam Zuid",
        "Casusoverleg Zorg en Veiligheid Den Haag Zuid",
        "Open acties van POL op 28-11-2026, te late eerst.",
        "| nr. | casus | uitvoerder | deadline | actie | status |",
        "| 1 | 2026-005 | K. Bakker | 20-11-2026 | Proces-verbaal delen met OM | TE LAAT |",
        "| 3 | 2026-014 |  | 14-12-2026 | Buurtonderzoek | open |",
        "",
    ]
    table = python_docx.Document(str(target)).tables[0]
    late = table.rows[1].cells[5].paragraphs[0].runs[0]
    assert str(late.font.color.rgb) == "C00000"
    assert table.rows[2].cells[5].paragraphs[0].runs[0].font.color.rgb is None


def test_chair_action_list_docx_follows_the_filters(meeting: Path, run,
                                                     tmp_path: Path) -> None:
    ok(run("action", "done", "2"))
    target = tmp_path / "acties.docx"
    ok(run("action", "list", "--status", "all", "-o", str(target)))  # .docx: the format
    assert body(target)[1:] == [
        "Stand op zaterdag 28 november 2026; te late acties eerst.",
        "| nr. | casus | eigenaar | uitvoerder | deadline | actie | status |",
        "| 1 | 2026-005 | POL | K. Bakker | 20-11-2026 | Proces-verbaal delen met OM | TE LAAT |",
        "| 4 | 2026-041 | WT |  | 10-12-2026 | Huisbezoek samen met GGZ | open |",
        "| 3 | 2026-014 | POL |  | 14-12-2026 | Buurtonderzoek | open |",
        "| 2 | 2026-014 | GGZ | S. Öztürk | 15-12-2026 | Verkennend onderzoek starten | "
        "afgerond 28-11-2026 |",
        "",
    ]


@pytest.mark.parametrize(("args", "example"), [
    (("agenda", "render", "--date", "2026-12-01", "--format", "docx"), "uit/agenda.docx"),
    (("minutes", "--format", "docx"), "uit/verslag.docx"),
    (("action", "list", "--partner", "POL", "--format", "docx"), "uit/acties.docx"),
])
def test_docx_needs_an_output_file(meeting: Path, run, tmp_path: Path,
                                   args: tuple[str, ...], example: str) -> None:
    before = sorted(tmp_path.rglob("*"))
    result = run(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("Fout: --format docx maakt een Word-bestand; geef met -o aan waar "
                             f"het heen moet, bijv. -o {example}.\n")
    assert sorted(tmp_path.rglob("*")) == before


def test_unknown_minutes_format_names_docx(meeting: Path, run) -> None:
    result = run("minutes", "--format", "pdf")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("Fout: ongeldige waarde voor '--format': 'pdf' is niet een "
                                    "van 'md', 'html', 'txt', 'docx'.")


# --- what goes into a document ---------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_bsn_is_masked_everywhere(example_ws: Path, run, tmp_path: Path) -> None:
    path = example_ws / "casussen" / "2026-014-jdv.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Is een verkennend", "BSN 123456782. Is een verkennend"), encoding="utf-8")
    ok(run("agenda", "build", "--date", "2026-12-01"))
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("meeting", "decide", "2026-014", "Melding met BSN 123456782 doorgezet."))
    ok(run("meeting", "close"))
    agenda, minutes = tmp_path / "a.docx", tmp_path / "v.docx"
    ok(run("agenda", "render", "--date", "2026-12-01", "--format", "docx", "-o", str(agenda)))
    ok(run("minutes", "--format", "docx", "-o", str(minutes)))
    for target in (agenda, minutes):
        assert "BSN *********. Is een verkennend" in all_text(target)
        with zipfile.ZipFile(target) as archive:
            for name in archive.namelist():
                assert b"123456782" not in archive.read(name), (target.name, name)
    assert "Melding met BSN ********* doorgezet." in body(minutes)


@pytest.mark.usefixtures("meeting_day")
def test_control_characters_and_template_syntax_print_as_text(example_ws: Path, run,
                                                               tmp_path: Path) -> None:
    ok(run("agenda", "build", "--date", "2026-12-01"))
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("meeting", "decide", "2026-014", "Een\x0b besluit {{ 1 + 1 }} <b>vet</b>\x1b[31m"))
    ok(run("meeting", "close"))
    target = tmp_path / "v.docx"
    ok(run("minutes", "--format", "docx", "-o", str(target)))
    assert "Een besluit {{ 1 + 1 }} <b>vet</b>[31m" in body(target)


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(st.text())
def test_any_text_fits_in_a_document(text: str) -> None:
    """Whatever a case file or a chair types, python-docx takes the cleaned text as it is."""
    document = python_docx.Document()
    cleaned = _clean(text)
    document.add_paragraph(cleaned)
    assert document.paragraphs[0].text == cleaned
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\r]", cleaned)
