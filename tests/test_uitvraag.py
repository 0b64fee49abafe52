"""The information round (uitvraag, issue 16): forms and requests per partner through the
gate, filled-in forms read back, status, the chair's screens and minutes, need-to-know."""

from __future__ import annotations

import email
import io
import json
from email import policy
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from overleg.casecache import load_cases
from overleg.model import Answer
from overleg.uitvraag import answer_code, answers_summary, read_form
from overleg.workspace import load_workspace

MEETING = "2026-12-01"
NEXT = "2026-12-08"


def _cases(ws: Path) -> dict:
    return {c.id: c for c in load_cases(load_workspace(ws)).cases}


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _fill(form: Path, out: Path, answers: dict[str, tuple], extra: list | None = None) -> Path:
    """A partner filling in its form: per case id (bekend, informatie, contactpersoon)."""
    book = openpyxl.load_workbook(form)
    sheet = book.active
    for row in sheet.iter_rows():
        if row[0].value in answers:
            for cell, value in zip(row[3:6], answers[row[0].value], strict=True):
                cell.value = value
    for values in extra or []:
        sheet.append(values)
    book.save(out)
    return out


@pytest.fixture
def round_ws(run, example_ws: Path, tmp_path: Path) -> Path:
    """The example workspace with the agenda of 01-12 and 08-12 built and the round of 01-12
    written to tmp_path/uit."""
    for day in (MEETING, NEXT):
        assert run("agenda", "build", "--date", day).exit_code == 0
    result = run("uitvraag", "--date", MEETING, "-o", str(tmp_path / "uit"))
    assert result.exit_code == 0, result.stderr
    return example_ws


def test_each_partner_gets_only_its_cases(run, round_ws, tmp_path):
    cases = _cases(round_ws)
    agenda = json.loads(run("agenda", "show", "--date", MEETING, "--json").stdout)
    on_agenda = [i["case"] for i in agenda["items"]]
    forms = sorted((tmp_path / "uit").glob("*.xlsx"))
    assert forms
    for form in forms:
        code = form.stem.rsplit("-", 1)[1]
        data = read_form(form, form.name)
        assert data.form.startswith(f"UV-20261201-{code}-")
        mine = [c for c in on_agenda if code in cases[c].partners]
        assert [r.case_id for r in data.rows] == mine
        book = openpyxl.load_workbook(form)
        text = "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row
                         if v is not None)
        for case_id, case in cases.items():
            if case_id not in mine:
                assert case_id not in text
                assert not case.question or case.question not in text
    eml = (tmp_path / "uit" / f"uitvraag-{MEETING}-POL.eml").read_bytes()
    message = email.message_from_bytes(eml, policy=policy.default)
    assert message["X-Unsent"] == "1" and message["To"] == "wijkagenten.zuid@politie.example"
    body = message.get_body(("plain",)).get_content()
    assert "Uitvraag voor Politie Eenheid Den Haag, basisteam Zuid" in body
    assert "Rol: betrokkene" in body and "Grondslag:" in body
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"uitvraag-{MEETING}-POL.xlsx"
    rows = json.loads(run("verstrekkingen", "--partner", "POL", "--json").stdout)
    assert {(r["kind"], r["format"]) for r in rows} == {("uitvraag", "xlsx"), ("uitvraag", "eml")}
    # VZ has no address: a form, no draft.
    assert (tmp_path / "uit" / f"uitvraag-{MEETING}-VZ.xlsx").exists()
    assert not (tmp_path / "uit" / f"uitvraag-{MEETING}-VZ.eml").exists()


def test_the_round_trip(run, round_ws, tmp_path, monkeypatch):
    cases = _cases(round_ws)
    uit = tmp_path / "uit"
    not_pol = next(c for c in cases if "POL" not in cases[c].partners)
    pol = _fill(uit / f"uitvraag-{MEETING}-POL.xlsx", tmp_path / "pol.xlsx",
                {"2026-014": ("ja", "Zes meldingen van overlast sinds september.",
                              "wijkagent De Boer"),
                 "2026-027": ("nee", None, None)},
                extra=[[not_pol, "", "", "ja", "iets over een ander", ""]])
    ggz = _fill(uit / f"uitvraag-{MEETING}-GGZ.xlsx", tmp_path / "ggz.xlsx",
                {"2026-014": ("geweigerd", None, None)})
    # WT returns the form of the next meeting's round.
    assert run("uitvraag", "--date", NEXT, "-o", str(tmp_path / "volgende")).exit_code == 0
    wt = _fill(tmp_path / "volgende" / f"uitvraag-{NEXT}-WT.xlsx", tmp_path / "wt.xlsx",
               {"2026-014": ("ja", "Bekend bij het wijkteam.", None)})
    result = run("uitvraag", "import", "--date", MEETING, str(pol), str(ggz), str(wt))
    assert result.exit_code == 1
    row = 8 + len([c for c in json.loads(run("agenda", "show", "--date", MEETING,
                                                 "--json").stdout)["items"]
                   if "POL" in cases[c["case"]].partners])
    assert result.stderr.splitlines() == [
        f"{pol}:{row}: casus \"{not_pol}\": POL is geen partner van deze casus; rij niet "
        "ingelezen",
        f"{wt}:1: dit formulier hoort bij het overleg van 08-12-2026, niet bij dat van "
        "01-12-2026; niets ingelezen"]
    assert result.stdout == "3 antwoorden ingelezen, 0 al bekend, 2 problemen.\n"
    status = json.loads(run("uitvraag", "status", "--date", MEETING, "--json").stdout)
    mine = {(s["case"], s["partner"]): s for s in status if s["case"] == "2026-014"}
    assert mine[("2026-014", "POL")]["answer"] == "known"
    assert mine[("2026-014", "POL")]["information"] == "Zes meldingen van overlast sinds september."
    assert mine[("2026-014", "GGZ")]["answer"] == "declined"
    assert mine[("2026-014", "WT")] == {"case": "2026-014", "partner": "WT", "answer": "asked",
                                       "information": None, "answered_at": None}
    assert not any(s["case"] == not_pol and s["partner"] == "POL" for s in status)
    # Never overwritten without --replace; the same answer again is no problem.
    changed = _fill(pol, tmp_path / "pol2.xlsx", {"2026-014": ("nee", None, None)})
    result = run("uitvraag", "import", "--date", MEETING, str(changed))
    assert result.exit_code == 1 and "vervang het antwoord met --replace" in result.stderr
    result = run("uitvraag", "import", "--date", MEETING, str(ggz))
    assert result.exit_code == 0 and result.stdout.startswith("0 antwoorden ingelezen, 1 al")
    # The chair's agenda shows who answered; no partner's document does.
    chair = run("agenda", "render", "--date", MEETING, "--format", "txt").stdout
    assert "Uitvraag: bekend: POL; geweigerd: GGZ; geen antwoord:" in chair
    assert "Zes meldingen van overlast" in chair
    assert "Uitvraag: bekend: POL" in run("agenda", "show", "--date", MEETING).stdout
    for code in ("GGZ", "WT", "RN"):
        for fmt in ("txt", "html", "md"):
            text = run("agenda", "render", "--date", MEETING, "--partner", code, "--format",
                       fmt).stdout
            assert "Uitvraag" not in text and "Zes meldingen" not in text
    # The Word agenda too: the chair's shows the answers, a partner's does not.
    assert run("agenda", "render", "--date", MEETING, "--format", "docx", "-o",
               str(tmp_path / "agenda.docx")).exit_code == 0
    assert "Uitvraag: bekend: POL; geweigerd: GGZ" in _docx_text(tmp_path / "agenda.docx")
    assert run("agenda", "render", "--date", MEETING, "--partner", "GGZ", "--format", "docx",
               "-o", str(tmp_path / "agenda-ggz.docx")).exit_code == 0
    assert "Uitvraag" not in _docx_text(tmp_path / "agenda-ggz.docx")
    # The minutes: the chair's name who brought in information.
    monkeypatch.setenv("OVERLEG_TODAY", MEETING)
    assert run("meeting", "start").exit_code == 0
    # The live screen shows the answers on the item's panel.
    screen = run("meeting", "run", input="\ng 2026-014\nq\n").stdout
    assert "Uitvraag: bekend: POL; geweigerd: GGZ; geen antwoord:" in screen
    assert "Zes meldingen van overlast" in screen
    assert run("meeting", "note", "2026-014", "Besproken.").exit_code == 0
    assert run("meeting", "close").exit_code == 0
    minutes = run("minutes", "--date", MEETING, "--format", "txt").stdout
    assert "Informatie ingebracht door: Politie Eenheid Den Haag, basisteam Zuid (POL)" in minutes
    assert run("minutes", "--date", MEETING, "--format", "docx", "-o",
               str(tmp_path / "verslag.docx")).exit_code == 0
    assert "Politie Eenheid Den Haag, basisteam Zuid (POL)" in _docx_text(
        tmp_path / "verslag.docx").split("Informatie ingebracht door", 1)[1][:80]
    for code in ("GGZ", "RN"):
        text = run("minutes", "--date", MEETING, "--partner", code, "--format", "md").stdout
        assert "ingebracht" not in text and "Zes meldingen" not in text


def test_a_form_overleg_never_made_and_a_file_that_is_no_form(run, round_ws, tmp_path):
    uit = tmp_path / "uit"
    book = openpyxl.load_workbook(uit / f"uitvraag-{MEETING}-POL.xlsx")
    book.active["B1"] = "UV-20261201-POL-00000000"
    book.save(tmp_path / "vals.xlsx")
    (tmp_path / "leeg.xlsx").write_bytes(b"geen excel")
    (tmp_path / "a.csv").write_text("casus;bekend\n", encoding="utf-8")
    result = run("uitvraag", "import", "--date", MEETING, str(tmp_path / "vals.xlsx"),
                 str(tmp_path / "leeg.xlsx"), str(tmp_path / "a.csv"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a.csv'}:1: kies het ingevulde .xlsx-formulier")
    assert lines[1].startswith(f"{tmp_path / 'leeg.xlsx'}:1: is geen leesbaar Excel-bestand")
    assert lines[2] == (f"{tmp_path / 'vals.xlsx'}:1: formulier-id 'UV-20261201-POL-00000000' "
                        "is onbekend: dit formulier is niet door dit overleg gemaakt; niets "
                        "ingelezen")


def test_a_row_with_an_unreadable_answer(run, round_ws, tmp_path):
    form = _fill(tmp_path / "uit" / f"uitvraag-{MEETING}-POL.xlsx", tmp_path / "p.xlsx",
                 {"2026-014": ("misschien", None, None), "2026-027": (None, "wel info", None)})
    result = run("uitvraag", "import", "--date", MEETING, str(form))
    assert result.exit_code == 1
    assert (f"{form}:8: casus \"2026-014\": 'bekend' = 'misschien' moet ja, nee of geweigerd "
            "zijn; rij niet ingelezen") in result.stderr
    assert f"{form}:9: casus \"2026-027\": vul bij 'bekend' ja, nee of geweigerd in" in \
        result.stderr
    assert json.loads(run("uitvraag", "status", "--date", MEETING, "--json").stdout)[0][
        "answer"] == "asked"


def test_answers_summary_for_the_run_screen():
    answers = [Answer("2026-014", "POL", "f", "t", "known", "Zes meldingen.", "De Boer", "t"),
               Answer("2026-014", "GGZ", "f", "t", "declined"),
               Answer("2026-014", "WT", "f", "t", "not_known", None, None, "t"),
               Answer("2026-014", "RN", "f", "t"),
               Answer("2026-027", "VT", "f", "t", "known", "Niet dit punt.")]
    assert answers_summary(answers, "2026-014") == [
        "Uitvraag: bekend: POL; niet bekend: WT; geweigerd: GGZ; geen antwoord: RN",
        "POL: Zes meldingen. (contact: De Boer)"]
    assert answers_summary(answers, "2026-099") == []


@pytest.mark.parametrize(("typed", "code"), [
    ("ja", "known"), ("Bekend", "known"), (" NEE ", "not_known"), ("niet  bekend", "not_known"),
    ("Geweigerd.", "declined"), ("misschien", None)])
def test_what_a_partner_may_type(typed, code):
    assert answer_code(typed) == code


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@given(rows=st.lists(st.tuples(st.sampled_from(["ja", "nee", "geweigerd", "Bekend", None]),
                               st.one_of(st.none(), _TEXT, st.just("=HYPERLINK(\"x\")")),
                               st.one_of(st.none(), _TEXT)),
                     min_size=1, max_size=4))
def test_the_form_reader_gives_back_what_was_typed(tmp_path_factory, rows):
    from datetime import date

    from overleg.agenda import AgendaEntry, Slot
    from overleg.config import parse_config
    from overleg.model import Meeting
    from overleg.uitvraag import form_xlsx

    root = Path(__file__).resolve().parent.parent
    config = parse_config((root / "examples" / "overleg.toml").read_text(encoding="utf-8"))
    from datetime import time

    entries = [AgendaEntry(Slot(i, f"2026-{100 + i}", (), 10, time(9), time(9), True, False,
                                ""), None, []) for i in range(len(rows))]
    meeting = Meeting(1, date(2026, 12, 1), "planned")
    folder = tmp_path_factory.mktemp("form")
    path = folder / "f.xlsx"
    path.write_bytes(form_xlsx(config, meeting, "POL", "UV-X", entries))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    for (typed, info, contact), row in zip(rows, sheet.iter_rows(min_row=8), strict=False):
        row[3].value, row[4].value, row[5].value = typed, info, contact
        if isinstance(info, str) and info.startswith("="):
            row[4].data_type = "s"
    book.save(path)
    data = read_form(path, "f.xlsx")
    assert data.form == "UV-X"
    expected = []
    for i, (typed, info, contact) in enumerate(rows):
        info_text = info.strip() if info and info.strip() else None
        contact_text = contact.strip() if contact and contact.strip() else None
        if typed is None:
            if info_text or contact_text:
                assert any(f.line == 8 + i for f in data.findings)
            else:
                expected.append((f"2026-{100 + i}", None, None, None))
            continue
        expected.append((f"2026-{100 + i}", answer_code(typed), info_text, contact_text))
    assert [(r.case_id, r.answer, r.information, r.contact) for r in data.rows] == expected


def test_need_to_know_holds_for_every_partners_request(run, round_ws, tmp_path):
    """The gate's property for the new documents: every register row of the round names
    exactly the cases in its file, all of them the partner's own."""
    import sqlite3

    cases = _cases(round_ws)
    conn = sqlite3.connect(round_ws / "overleg.db")
    rows = conn.execute("SELECT partner, format, cases, file FROM disclosures WHERE kind = "
                        "'uitvraag'").fetchall()
    conn.close()
    assert rows
    for partner, fmt, listed, file in rows:
        listed = set(json.loads(listed))
        assert all(partner in cases[c].partners for c in listed)
        data = (round_ws / file).read_bytes() if not Path(file).is_absolute() else \
            Path(file).read_bytes()
        if fmt == "xlsx":
            book = openpyxl.load_workbook(io.BytesIO(data))
            text = "\n".join(str(v) for r in book.active.iter_rows(values_only=True) for v in r
                             if v is not None)
        else:
            message = email.message_from_bytes(data, policy=policy.default)
            text = message.get_body(("plain",)).get_content()
        assert {c for c in cases if c in text} == listed
