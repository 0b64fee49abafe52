"""Minutes (verslag): what they say, item by item, on the demo's meetings; golden files."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from overleg.meeting import _earlier_as_at
from overleg.model import Action, Meeting
from overleg.store import Store

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
FIRST, SECOND, THIRD = date(2026, 11, 17), date(2026, 12, 1), date(2026, 12, 15)
FORMATS = ("md", "html", "txt")
CONCEPT = "*Dit verslag is een concept tot het in het volgende overleg is vastgesteld.*"


def ok(result) -> str:
    assert result.exit_code == 0, result.stderr
    return result.stdout


def section(md: str, case_id: str) -> list[str]:
    """The non-empty lines of one item of Markdown minutes, its heading first."""
    lines = md.splitlines()
    start = next(n for n, line in enumerate(lines)
                 if line.startswith("## ") and f" Casus {case_id}" in line)
    end = next((n for n in range(start + 1, len(lines))
                if lines[n].startswith(("## ", "---"))), len(lines))
    return [line for line in lines[start:end] if line]


def markdown_html(md: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(md)


# --- golden files: the demo's second meeting (01-12-2026) -------------------------------

@pytest.mark.parametrize("partner", [None, "VT"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_minutes_match_golden_file(run, demo_ws, fmt, partner):
    args = ["minutes", "--format", fmt, *(["--partner", partner] if partner else [])]
    text = ok(run(*args))
    path = EXPECTED / (f"verslag-{partner}.{fmt}" if partner else f"verslag.{fmt}")
    if os.environ.get("OVERLEG_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


class _TagStack(HTMLParser):
    VOID = {"meta", "br", "hr", "img"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.wrong: list[tuple[str, tuple[int, int]]] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.wrong.append((tag, self.getpos()))


@pytest.mark.parametrize("partner", [None, "VT"])
def test_html_minutes_are_one_balanced_document(run, demo_ws, partner):
    html = ok(run("minutes", "--format", "html", *(["--partner", partner] if partner else [])))
    parser = _TagStack()
    parser.feed(html)
    assert (parser.open, parser.wrong) == ([], [])
    assert html.count("<html") == html.count("<body") == 1
    assert "<style" not in html and "<link" not in html  # inline CSS only, for e-mail


# --- what the minutes say ----------------------------------------------------------------

def test_attendance_apologies_and_confidentiality_come_first(run, demo_ws):
    md = ok(run("minutes"))
    lines = md.splitlines()
    assert lines[0] == "# Verslag Casusoverleg Zorg en Veiligheid Den Haag Zuid — CONCEPT"
    top = lines[lines.index("## Aanwezig"):lines.index("## 1. Casus 2026-014 — J.d.V. (1991)")]
    assert [line for line in top if line] == [
        "## Aanwezig",
        "- GEM (Gemeente Den Haag, Zorg en Veiligheid): A. de Vries",
        "- GGZ (GGZ Hofstad, FACT-team Zuid): S. Öztürk",
        "- OM (Openbaar Ministerie, parket Den Haag): P. de Groot",
        "- POL (Politie Eenheid Den Haag, basisteam Zuid): K. Bakker",
        "- RN (Reclassering Nederland): M. El Idrissi",
        "- VT (Veilig Thuis Haaglanden): R. Smit",
        "- WT (Wijkteam Escamp): L. Visser",
        "**Afgemeld:** J. Post (WC)",
        "De geheimhoudingsverklaring is voorgelezen: *Wat hier wordt besproken blijft binnen "
        "dit overleg. Deel alleen wat nodig is voor de aanpak van de casus.*",
    ]


def test_item_with_notes_decisions_new_actions_review_and_status(run, demo_ws):
    assert section(ok(run("minutes")), "2026-014") == [
        "## 1. Casus 2026-014 — J.d.V. (1991)",
        "- Reden: nieuwe aanmelding",
        "- Regie: GEM (casusregisseur B. Jansen)",
        "- Betrokkene geïnformeerd: ja",
        "**Vraag aan het overleg:** Is een verkennend onderzoek naar een zorgmachtiging "
        "(Wvggz) nodig, of is er nog ruimte voor vrijwillige zorg via GGZ & wijkteam?",
        "**Bespreking**",
        "- GGZ ziet signalen van een psychose; meneer houdt contact af.",
        "**Besluiten**",
        "- GGZ start een verkennend onderzoek naar een zorgmachtiging.",
        "**Nieuwe acties**",
        "| # | eigenaar | wie | deadline | actie |",
        "|---|---|---|---|---|",
        "| 4 | WT |  | 08-12-2026 | Contact met de zus leggen |",
        "| 3 | GGZ | S. Öztürk | 15-12-2026 | Verkennend onderzoek zorgmachtiging starten |",
        # aangemeld -> actief when a new case is discussed (written back at close)
        "**Volgende bespreking:** 12-01-2027 · **Status:** actief",
    ]


def test_item_not_informed_says_why(run, demo_ws):
    assert section(ok(run("minutes")), "2026-027")[1:4] == [
        "- Redenen: op verzoek, evaluatie",
        "- Regie: VT (casusregisseur D. Pinas)",
        "- Betrokkene geïnformeerd: nee — lopend onderzoek",
    ]


def test_earlier_actions_late_and_done_in_this_meeting(run, demo_ws):
    md = ok(run("minutes"))
    assert section(md, "2026-017")[-3:] == [
        "- De betalingsregeling is nog niet rond; woningcorporatie afwezig.",
        "**Eerdere acties**",
        "- #2 WC/J. Post: Voorstel betalingsregeling opstellen — **te laat** "
        "(deadline 24-11-2026)",
    ]
    assert section(md, "2026-005")[-3:] == [
        "**Eerdere acties**",
        "- #1 POL/K. Bakker: Proces-verbaal van de laatste incidenten delen met OM — "
        "afgerond (Gedeeld met OM)",
        "**Volgende bespreking:** 12-01-2027 · **Status:** nazorg",
    ]


def test_undiscussed_items_are_carried_over(run, demo_ws):
    md = ok(run("minutes"))
    held = "*Niet besproken; de casus komt terug op de volgende agenda (aangehouden).*"
    undiscussed = {"2026-038", "2026-022", "2026-024", "2026-031", "2026-021", "2026-003"}
    for case_id in ("2026-014", "2026-027", "2026-019", "2026-041", "2026-017", "2026-038",
                    "2026-005", "2026-022", "2026-024", "2026-031", "2026-021", "2026-003",
                    "2026-009"):
        assert (held in section(md, case_id)) is (case_id in undiscussed), case_id
    assert section(md, "2026-038") == [
        "## 6. Casus 2026-038 — M.B. (1987)",
        "- Reden: nieuwe aanmelding",
        "- Regie: VT (casusregisseur D. Pinas)",
        "- Betrokkene geïnformeerd: nee — veiligheid melder",
        "**Vraag aan het overleg:** Hoe gaan VT en wijkteam met mevrouw in gesprek zonder de "
        "melder in gevaar te brengen, en is bij een volgend incident een tijdelijk huisverbod "
        "haalbaar?",
        held,
    ]
    txt = ok(run("minutes", "--format", "txt"))
    assert txt.count("   Niet besproken; komt terug op de volgende agenda (aangehouden).\n") == 6
    html = ok(run("minutes", "--format", "html"))
    assert html.count(">Niet besproken; de casus komt terug op de volgende agenda "
                      "(aangehouden).</p>") == 6


def test_concept_until_approved_then_vastgesteld(run, demo_ws):
    assert CONCEPT in ok(run("minutes"))
    assert ">CONCEPT</p>" in ok(run("minutes", "--format", "html"))
    ok(run("meeting", "approve", "--date", "2026-12-01"))
    store = Store.open(demo_ws / "overleg.db")
    approved = store.meeting(SECOND).approved_at
    store.close()
    assert approved is not None
    shown = date.fromisoformat(approved[:10]).strftime("%d-%m-%Y")
    md, html, txt = (ok(run("minutes", "--format", fmt)) for fmt in FORMATS)
    assert "CONCEPT" not in md + html + txt
    assert md.splitlines()[0] == "# Verslag Casusoverleg Zorg en Veiligheid Den Haag Zuid"
    assert f"\n*Vastgesteld op {shown}.*\n" in md
    assert f">Vastgesteld op {shown}.</p>" in html
    assert f"\nVastgesteld op {shown}.\n" in txt
    # The earlier meeting was approved by the demo before the second one started.
    assert "*Vastgesteld op " in ok(run("minutes", "--date", "2026-11-17"))


def test_markdown_renders_as_a_document(run, demo_ws):
    html = markdown_html(ok(run("minutes")))
    assert html.count("<h2>") == 14  # Aanwezig and 13 items
    assert html.count("<table>") == 3  # the new actions of 2026-014, -027 and -041
    assert html.count("<tr>") == 3 + 4  # a header row per table and four actions
    assert f"<p><em>{CONCEPT.strip('*')}</em></p>" in html
    assert "|" not in html  # every table line became a table


def test_partner_markdown_keeps_its_paragraphs_apart(run, demo_ws):
    html = markdown_html(ok(run("minutes", "--partner", "VT")))
    assert ("<p>Verslag voor <strong>Veilig Thuis Haaglanden</strong> (VT): alleen de "
            "casussen waarin VT partner is.</p>\n"
            f"<p><em>{CONCEPT.strip('*')}</em></p>") in html
    assert html.count("<h2>") == 4  # Aanwezig, two items, the action list


def test_partner_minutes_name_only_its_items_and_its_action_list(run, demo_ws):
    md = ok(run("minutes", "--partner", "VT"))
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == ["## Aanwezig", "## 2. Casus 2026-027 — S.H. (1984)",
                        "## 6. Casus 2026-038 — M.B. (1987)",
                        "## Actielijst Veilig Thuis Haaglanden"]
    assert md.split("## Actielijst Veilig Thuis Haaglanden\n")[1].splitlines()[:4] == [
        "",
        "Open acties van VT op 28-11-2026, te late eerst.",
        "",
        "- #5 casus 2026-027: Veiligheidsplan actualiseren met de melder — deadline 11-12-2026",
    ]


def test_partner_action_list_puts_late_ones_first_and_marks_them(run, demo_ws, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-09")
    md = ok(run("minutes", "--partner", "WT"))
    actions = md.split("## Actielijst Wijkteam Escamp\n")[1].split("\n---")[0]
    assert [line for line in actions.splitlines() if line.startswith("- ")] == [
        "- **TE LAAT** #4 casus 2026-014: Contact met de zus leggen — deadline 08-12-2026",
        "- #6 casus 2026-041: Huisbezoek samen met GGZ — deadline 10-12-2026",
    ]
    txt = ok(run("minutes", "--partner", "WT", "--format", "txt"))
    assert ("  #4 casus 2026-014, deadline 08-12-2026 (TE LAAT): Contact met de zus leggen\n"
            "  #6 casus 2026-041, deadline 10-12-2026: Huisbezoek samen met GGZ\n") in txt


# --- minutes are a record: later events do not change them ------------------------------

def test_minutes_stay_as_they_were_after_a_later_meeting(run, demo_ws, monkeypatch):
    before = {fmt: ok(run("minutes", "--date", "2026-12-01", "--format", fmt))
              for fmt in FORMATS}
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-15")
    ok(run("meeting", "start", "--date", "2026-12-15"))
    ok(run("action", "done", "2", "--comment", "Regeling getroffen"))
    ok(run("meeting", "close"))
    for fmt in FORMATS:
        assert ok(run("minutes", "--date", "2026-12-01", "--format", fmt)) == before[fmt]
    third = ok(run("minutes"))  # the most recent closed meeting: 15-12
    assert third.startswith("# Verslag Casusoverleg Zorg en Veiligheid Den Haag Zuid — "
                            "CONCEPT\n\n**Dinsdag 15 december 2026**")
    assert section(third, "2026-017")[-2:] == [
        "**Eerdere acties**",
        "- #2 WC/J. Post: Voorstel betalingsregeling opstellen — afgerond (Regeling getroffen)",
    ]
    assert section(third, "2026-014")[-3:] == [
        "**Eerdere acties**",
        "- #4 WT: Contact met de zus leggen — **te laat** (deadline 08-12-2026)",
        "- #3 GGZ/S. Öztürk: Verkennend onderzoek zorgmachtiging starten — open, deadline "
        "15-12-2026",
    ]


def test_action_done_after_the_meeting_does_not_change_its_minutes(run, demo_ws):
    before = {fmt: ok(run("minutes", "--format", fmt)) for fmt in FORMATS}
    ok(run("action", "done", "2", "--comment", "Alsnog gedaan"))
    for fmt in FORMATS:
        assert ok(run("minutes", "--format", fmt)) == before[fmt]


M_OPENED, M_CLOSED = "2026-12-01T09:30:00", "2026-12-01T11:30:00"
MEETING = Meeting(2, SECOND, "closed", M_OPENED, M_CLOSED)
DATES = {1: FIRST, 2: SECOND, 3: THIRD}
BASE = Action(7, "2026-014", "POL", None, "Bellen", date(2026, 11, 27), "open", 1, FIRST,
              created_at="2026-11-17T10:00:00")


def done(at: str, in_meeting: int | None = None) -> dict[str, object]:
    return {"status": "done", "done_at": at, "done_meeting_id": in_meeting,
            "done_comment": "klaar"}


@pytest.mark.parametrize(("changes", "shown"), [
    ({}, "as is"),  # open, from an earlier meeting
    ({"meeting_id": 2, "meeting_date": SECOND}, None),  # a new action of this meeting
    ({"meeting_id": 3, "meeting_date": THIRD}, None),  # agreed later
    ({"meeting_id": None, "meeting_date": None, "created_at": "2026-11-20T08:00:00"}, "as is"),
    ({"meeting_id": None, "meeting_date": None, "created_at": M_OPENED}, "as is"),
    ({"meeting_id": None, "meeting_date": None, "created_at": "2026-12-02T08:00:00"}, None),
    (done("2026-12-01T10:00:00", 2), "as is"),  # done at this table
    (done("2026-11-20T10:00:00", 1), None),  # done in an earlier meeting
    (done("2026-12-15T10:00:00", 3), "open"),  # done in a later meeting
    (done("2026-11-30T10:00:00"), None),  # done between meetings, before this one
    (done(M_CLOSED), "open"),  # done right after the close
    (done("2026-12-03T10:00:00"), "open"),
])
def test_earlier_action_as_it_stood_at_the_meeting(changes, shown):
    action = dataclasses.replace(BASE, **changes)  # type: ignore[arg-type]
    result = _earlier_as_at(action, MEETING, DATES)
    if shown is None:
        assert result is None
    elif shown == "as is":
        assert result == action
    else:
        assert result == dataclasses.replace(action, status="open", done_at=None,
                                             done_meeting_id=None, done_comment=None)


def test_earlier_action_of_a_meeting_still_open(run, example_ws):
    """Rendering during the meeting (--date): nothing is 'after' it yet."""
    ok(run("action", "add", "2026-014", "--owner", "POL", "--due", "2026-11-30", "Bellen"))
    ok(run("meeting", "start", "--date", "2026-12-01"))
    md = ok(run("minutes", "--date", "2026-12-01"))
    assert section(md, "2026-014")[-2:] == [
        "**Eerdere acties**", "- #1 POL: Bellen — **te laat** (deadline 30-11-2026)"]


# --- odd input -----------------------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_typed_text_is_data_and_tables_stay_tables(run, example_ws):
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("meeting", "note", "2026-014", "<b>vet</b> {{ 7*7 }} & {% if x %}"))
    ok(run("action", "add", "2026-014", "--owner", "GGZ", "--who", "S. | Ö", "--due",
           "2026-12-15", "Bel | mail\nnu"))
    ok(run("meeting", "close"))
    md = ok(run("minutes"))
    assert "- <b>vet</b> {{ 7*7 }} & {% if x %}\n" in md
    assert "| 1 | GGZ | S. \\| Ö | 15-12-2026 | Bel \\| mail nu |\n" in md
    rendered = markdown_html(md)
    assert rendered.count("<tr>") == 2
    assert ("<td>1</td>\n<td>GGZ</td>\n<td>S. | Ö</td>\n<td>15-12-2026</td>\n"
            "<td>Bel | mail nu</td>") in rendered
    html = ok(run("minutes", "--format", "html"))
    assert "<li>&lt;b&gt;vet&lt;/b&gt; {{ 7*7 }} &amp; {% if x %}</li>" in html
    assert "<b>vet" not in html


@pytest.mark.usefixtures("meeting_day")
def test_empty_attendance_and_a_vanished_case_file(run, example_ws):
    ok(run("meeting", "start", "--date", "2026-12-01"))
    ok(run("meeting", "decide", "2026-014", "Afwachten"))
    ok(run("meeting", "close"))
    (example_ws / "casussen" / "2026-014-jdv.md").unlink()
    md = ok(run("minutes"))
    assert "## Aanwezig\n\n- Geen aanwezigheid vastgelegd.\n" in md
    assert section(md, "2026-014") == [
        "## 1. Casus 2026-014", "*Het casusbestand is niet (meer) gevonden.*",
        "**Besluiten**", "- Afwachten", "**Status:** actief"]
    # Without its case file nobody can tell whose case it was: no partner gets it.
    for partner in ("GEM", "GGZ", "POL", "RN", "WT"):
        assert "2026-014" not in ok(run("minutes", "--partner", partner))
