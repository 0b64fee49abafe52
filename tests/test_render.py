"""Jinja environment, filters, agenda documents (golden files) and the per-partner filter."""

from __future__ import annotations

import dataclasses
import os
import stat
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overleg.agenda import AgendaEntry, AgendaView, agenda_view, build_agenda, time_slots
from overleg.casecache import load_cases
from overleg.cases import Case
from overleg.config import parse_config
from overleg.errors import InvalidInput, OverlegError
from overleg.files import write_output
from overleg.model import Action, Item, Meeting
from overleg.render import (
    environment,
    partner_agenda,
    render_agenda,
)
from overleg.store import Store
from overleg.workspace import Workspace, load_workspace

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
CONFIG = parse_config((HERE.parent / "examples" / "overleg.toml").read_text(encoding="utf-8"))
D = date(2026, 12, 1)
BSN = "123456782"  # passes the eleven-test


def make_case(case_id: str, partners: tuple[str, ...] = ("RN", "POL"), **changes: object) -> Case:
    base = Case(id=case_id, initialen="X.Y.", status="actief", aangemeld_op=date(2026, 1, 5),
                aangemeld_door=partners[0], partners=partners, path=Path(f"{case_id}.md"),
                geboortejaar=1980, regie=partners[0], question="Wat doen we?")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def view_of(cases: list[Case], actions: dict[str, list[Action]] | None = None,
            added: dict[str, str] | None = None) -> AgendaView:
    """An agenda of these cases in this order, without a database."""
    added = added or {}
    items = [Item(n, 1, c.id, n, () if c.id in added else ("review",), 10,
                  added=c.id in added, note=added.get(c.id, "")) for n, c in enumerate(cases, 1)]
    slots = time_slots(items, CONFIG)
    entries = [AgendaEntry(s, c, (actions or {}).get(c.id, [])) for s, c in zip(slots, cases,
                                                                                strict=True)]
    total = sum(s.minutes for s in slots)
    return AgendaView(Meeting(1, D, "planned"), entries, total, time(9, 30), total <= 120)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    (root / "templates").mkdir(parents=True)
    return Workspace(root, CONFIG)


# --- environment and filters -----------------------------------------------------------

@pytest.mark.parametrize(("source", "expected"), [
    ("{{ d|datum }}", "01-12-2026"),
    ("{{ d|datum_lang }}", "dinsdag 1 december 2026"),
    ("{{ t|tijd }}", "09:05"),
    ("{{ 'supervision_ending'|reden }}", "toezicht loopt af"),
    ("{{ 'iets anders'|reden }}", "iets anders"),
    ("{{ 'POL'|partner }}", "Politie Eenheid Den Haag, basisteam Zuid"),
    ("{{ 'XX'|partner }}", "XX"),
    ("{{ none_value }}", ""),
    ("BSN {{ text }} en 123456782 letterlijk", "BSN ********* en 123456782 letterlijk"),
    ("{{ text ~ '0' }}", "1234567820"),
])
def test_filters_and_finalize(ws, source, expected):
    env = environment(ws)
    assert env.from_string(source).render(d=D, t=time(9, 5), text=BSN,
                                          none_value=None) == expected


def test_environment_is_cached_per_workspace_and_config(ws):
    env = environment(ws)
    assert environment(Workspace(ws.root, CONFIG)) is env
    other = Workspace(ws.root, dataclasses.replace(CONFIG, naam="Ander overleg"))
    assert environment(other) is not env


def test_autoescape_only_for_html(ws):
    env = environment(ws)
    (ws.templates_dir / "t.html").write_text("{{ x }}", encoding="utf-8")
    (ws.templates_dir / "t.md").write_text("{{ x }}", encoding="utf-8")
    assert env.get_template("t.html").render(x="<b>&") == "&lt;b&gt;&amp;"
    assert env.get_template("t.md").render(x="<b>&") == "<b>&"


def test_undefined_names_fail(ws):
    (ws.templates_dir / "agenda.md").write_text("a\nb {{ onbekend }}\n", encoding="utf-8")
    with pytest.raises(OverlegError) as raised:
        render_agenda(ws, view_of([]), "md")
    assert str(raised.value) == ("templates/agenda.md:2: 'onbekend' bestaat niet: dit sjabloon "
                                 "kent geen waarde met die naam (fout in het sjabloon)")


def test_broken_workspace_template_names_file_and_line(ws):
    (ws.templates_dir / "agenda.txt").write_text("een\ntwee\n{% for x in %}\n",
                                                 encoding="utf-8")
    with pytest.raises(OverlegError) as raised:
        render_agenda(ws, view_of([]), "txt")
    assert str(raised.value) == ("templates/agenda.txt:3: hier ontbreekt een waarde (er staat "
                                 "'%}') (fout in het sjabloon)")


def test_workspace_template_overrides_the_built_in_one(ws):
    (ws.templates_dir / "agenda.md").write_text(
        "Eigen agenda {{ meeting.date|datum }}: {{ entries|length }} punt(en)\n",
        encoding="utf-8")
    assert render_agenda(ws, view_of([make_case("2026-001")]), "md") == (
        "Eigen agenda 01-12-2026: 1 punt(en)\n")
    assert render_agenda(ws, view_of([make_case("2026-001")]), "txt").startswith(
        "Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid\n====")


def test_unknown_format_and_partner_are_refused(ws):
    with pytest.raises(InvalidInput) as raised:
        render_agenda(ws, view_of([]), "pdf")
    assert str(raised.value) == "formaat 'pdf' bestaat niet; kies uit md, html, txt."
    with pytest.raises(InvalidInput) as raised:
        render_agenda(ws, view_of([]), "md", partner="XYZ")
    assert str(raised.value) == ("partner 'XYZ' staat niet in overleg.toml. Bekend: RN, POL, "
                                 "GEM, OM, GGZ, VT, WT, WC, VZ.")
    assert CONFIG.partner_code("pol") == "POL"


# --- case text is data -----------------------------------------------------------------

TRICKY = ("Beste {{ naam }}, <b>let op</b> & {% if x %}niets{% endif %}\n"
          f"BSN {BSN} staat hier per ongeluk.")


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_case_text_prints_as_written_and_bsn_is_masked(ws, fmt):
    case = make_case("2026-001", question=TRICKY, initialen=f"Q. {BSN}",
                     regisseur=f"R. {BSN}")
    action = Action(1, "2026-001", "POL", f"W. {BSN}", f"Bel {BSN} <i>nu</i>",
                    date(2026, 11, 20), "open", None)
    view = view_of([case], {"2026-001": [action]}, added={"2026-001": f"melding {BSN}"})
    text = render_agenda(ws, view, fmt)
    assert BSN not in text
    assert text.count("*********") == 6
    assert "{{ naam }}" in text
    assert "{% if x %}niets{% endif %}" in text
    if fmt == "html":
        assert "&lt;b&gt;let op&lt;/b&gt; &amp;" in text
        assert "&lt;i&gt;nu&lt;/i&gt;" in text
        assert "<b>" not in text and "<i>" not in text
    else:
        assert "<b>let op</b> &" in text
        assert "<i>nu</i>" in text


def test_example_case_with_template_syntax_in_its_body(tmp_path):
    root = tmp_path / "werkmap"
    from overleg.workspace import init_workspace

    init_workspace(root, example=True)
    ws = load_workspace(root)
    case = load_cases(ws).get("2026-014")
    from overleg.casecache import read_body

    body = read_body(case)
    assert "{{ naam }}" in body
    case = dataclasses.replace(case, question=body)  # the whole text, as if it were asked
    html = render_agenda(ws, view_of([case]), "html")
    assert "Beste {{ naam }}, &lt;b&gt;dit is je laatste waarschuwing&lt;/b&gt;," in html
    md = render_agenda(ws, view_of([case]), "md")
    assert "Beste {{ naam }}, <b>dit is je laatste waarschuwing</b>," in md


# --- the partner filter ----------------------------------------------------------------

def test_partner_agenda_keeps_full_agenda_times():
    cases = [make_case("2026-001", ("RN",)), make_case("2026-002", ("POL", "GGZ")),
             make_case("2026-003", ("GGZ", "RN"))]
    view = view_of(cases)
    mine = partner_agenda(view, "GGZ")
    assert [(e.slot.position, e.slot.case_id, e.slot.start) for e in mine.entries] == [
        (2, "2026-002", time(9, 40)), (3, "2026-003", time(9, 50))]
    assert (mine.meeting, mine.total_minutes) == (view.meeting, view.total_minutes)


def test_partner_agenda_leaves_out_entries_without_a_case():
    view = view_of([make_case("2026-001", ("RN",))])
    broken = dataclasses.replace(view.entries[0], case=None)
    assert partner_agenda(dataclasses.replace(view, entries=[broken]), "RN").entries == []


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_partner_without_items_gets_a_clear_empty_agenda(ws, fmt):
    text = render_agenda(ws, view_of([make_case("2026-001", ("RN",))]), fmt, partner="VZ")
    assert "Agenda voor Verslavingszorg Haaglanden" in text
    assert "Er staan op deze agenda geen punten voor Verslavingszorg Haaglanden." in text
    assert "2026-001" not in text


CODES = list(CONFIG.partners)


@st.composite
def agendas(draw: st.DrawFn) -> tuple[list[Case], str]:
    count = draw(st.integers(1, 8))
    cases = []
    for n in range(count):
        partners = tuple(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4,
                                       unique=True)))
        filler = draw(st.text(alphabet="abc <>&{}%#*\n", max_size=20))
        cases.append(make_case(f"ZQ{n:02d}X", partners, initialen=f"I{n:02d}J.",
                               question=f"VRAAG{n:02d}Z {filler}"))
    return cases, draw(st.sampled_from(CODES))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                               HealthCheck.function_scoped_fixture])
@given(data=agendas())
def test_partner_render_never_names_another_partners_case(tmp_path, data):
    cases, partner = data
    ws = Workspace(tmp_path / "hyp", CONFIG)
    view = view_of(cases)
    for fmt in ("md", "txt", "html"):
        text = render_agenda(ws, view, fmt, partner=partner)
        for n, case in enumerate(cases):
            markers = (case.id, f"I{n:02d}J.", f"VRAAG{n:02d}Z")
            if partner in case.partners:
                assert all(m in text for m in markers), (fmt, case.id)
            else:
                assert not any(m in text for m in markers), (fmt, case.id)


# --- golden files: the example workspace on 01-12-2026 without history ----------------

@pytest.fixture
def example_view(example_ws: Path) -> tuple[Workspace, AgendaView]:
    ws = load_workspace(example_ws)
    cases = load_cases(ws).cases
    store = Store.open(ws.db_path, actor="test")
    try:
        meeting, _ = build_agenda(store, cases, D, ws.config)
        return ws, agenda_view(store, meeting, {c.id: c for c in cases}, ws.config)
    finally:
        store.close()


GOLDEN = [(fmt, partner) for partner in (None, "POL") for fmt in ("md", "txt", "html")]


@pytest.mark.parametrize(("fmt", "partner"), GOLDEN,
                         ids=[f"{p or 'volledig'}-{f}" for f, p in GOLDEN])
def test_example_agenda_matches_golden_file(example_view, fmt, partner):
    ws, view = example_view
    text = render_agenda(ws, view, fmt, partner)
    path = EXPECTED / (f"agenda-{partner}.{fmt}" if partner else f"agenda.{fmt}")
    if os.environ.get("OVERLEG_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_pol_agenda_holds_exactly_the_pol_cases(example_view):
    ws, view = example_view
    text = render_agenda(ws, view, "md", "POL")
    pol = {"2026-014", "2026-027", "2026-019", "2026-005", "2026-038", "2026-022", "2026-021"}
    for entry in view.entries:
        assert (f"· {entry.slot.case_id} ·" in text) is (entry.slot.case_id in pol)
        assert (entry.case is not None and entry.case.label in text) is (
            entry.slot.case_id in pol)


def test_html_is_one_self_contained_document(example_view):
    ws, view = example_view
    html = render_agenda(ws, view, "html")
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")
    assert html.endswith("</html>\n")
    for external in ("<link", "<script", "<img", "src=", "href=", "<style", "url("):
        assert external not in html


# --- write_output ----------------------------------------------------------------------

def test_write_output_is_private_and_makes_private_folders(tmp_path):
    target = tmp_path / "uit" / "2026" / "agenda.md"
    assert write_output(target, "tekst\n") == target
    assert target.read_text(encoding="utf-8") == "tekst\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "uit").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "uit" / "2026").stat().st_mode) == 0o700


def test_write_output_replaces_an_existing_file_and_takes_bytes(tmp_path):
    target = tmp_path / "agenda.html"
    target.write_text("oud", encoding="utf-8")
    target.chmod(0o644)
    write_output(target, "nieuw é".encode())
    assert target.read_bytes() == "nieuw é".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agenda.html"]
