"""Privacy: a BSN is masked in every output kind; a partner's documents never name another
partner's cases (a hypothesis property); case text and config values are data, never
template code, and are escaped in HTML."""

from __future__ import annotations

import email
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from email import policy
from pathlib import Path

import pytest
from conftest import Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overleg.config import parse_config
from overleg.workspace import Workspace, init_workspace

D = "2026-12-01"
MASK = "*********"


def a_bsn(start: int) -> str:
    """The first 9-digit number from `start` on that passes the eleven-test (elfproef)."""
    n = start
    while True:
        digits = f"{n:09d}"
        total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
        if (total - int(digits[8])) % 11 == 0:
            return digits
        n += 1


BSN = a_bsn(271_828_182)
BSN2 = a_bsn(314_159_265)


def test_the_test_bsns_pass_the_eleven_test():
    from overleg.cases import is_bsn, mask_bsn

    assert is_bsn(BSN) and is_bsn(BSN2)
    assert not is_bsn(f"{int(BSN) + 1:09d}")
    assert mask_bsn(f"bsn {BSN}.") == f"bsn {MASK}."


@dataclass
class Prepared:
    ws: Path
    run: Run

    def __call__(self, *args: str, input: str | None = None):  # noqa: A002
        result = self.run("-w", str(self.ws), *args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result


@pytest.fixture(scope="module")
def module_env() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERLEG_TODAY", "2026-12-01")  # the day of the meetings held here
        mp.setenv("COLUMNS", "120")
        mp.setenv("NO_COLOR", "1")
        mp.delenv("FORCE_COLOR", raising=False)
        yield mp


# --- BSN masking: one test per output kind ---------------------------------------------

BSN_CASE = f"""\
---
id: 2026-077
initialen: B.S.
geboortejaar: 1980
status: aangemeld
prioriteit: hoog
aangemeld_op: 2026-01-05
aangemeld_door: POL
regisseur: R. Egie
partners: [POL, GGZ]
geinformeerd: nee
reden_niet_geinformeerd: zie dossier {BSN}
triage:
  uitkomst: casusoverleg
  criteria: [a, b, c]
---
# B.S. (1980)

## Situatie
Volgens de aanmelding is zijn BSN {BSN} en staat hij nergens ingeschreven.

## Vraag aan het overleg
Kan de gemeente inschrijving regelen voor BSN {BSN}?
"""


@pytest.fixture(scope="module")
def bsn_ws(tmp_path_factory, module_env) -> Prepared:
    """The example workspace plus a case holding a BSN in its question, body and front
    matter; a closed meeting that recorded it in a note, decision, action and reason."""
    ws = tmp_path_factory.mktemp("bsn") / "werkmap"
    init_workspace(ws, example=True)
    (ws / "casussen" / "bsn.md").write_text(BSN_CASE, encoding="utf-8")
    cli = Prepared(ws, Run())
    cli("agenda", "build", "--date", D)
    cli("agenda", "add", "2026-033", "--date", D, "--reason", f"melding over {BSN2}")
    cli("meeting", "start", "--date", D)
    cli("meeting", "attend", "POL", "K. Bakker")
    cli("meeting", "note", "2026-077", f"Notitie: nummer {BSN2} gecontroleerd.")
    cli("meeting", "decide", "2026-077", f"Besluit over {BSN2}.")
    cli("action", "add", "2026-077", "--owner", "POL", "--who", f"agent {BSN2}", "--due",
        "+2w", f"Controleer {BSN2} in de BRP")
    cli("action", "add", "2026-077", "--owner", "GGZ", "--due", "+1w", f"Bel over {BSN}")
    cli("meeting", "close")
    return cli


def _flat(text: str) -> str:
    """Text without white space, so a BSN wrapped over two lines is still found."""
    return re.sub(r"\s+", "", text)


def _assert_masked(text: str, at_least: int = 1) -> None:
    assert BSN not in _flat(text) and BSN2 not in _flat(text)
    assert text.count(MASK) >= at_least


OUTPUTS = {
    "cases show": (("cases", "show", "2026-077"), 3),
    "agenda show": (("agenda", "show", "--date", D), 1),
    "action list": (("action", "list", "--partner", "POL"), 2),
    "action list --json": (("action", "list", "--json"), 3),
    "log": (("log",), 0),
    **{f"agenda render {fmt}{' ' + p if p else ''}": (
        ("agenda", "render", "--date", D, "--format", fmt, *(("--partner", p) if p else ())),
        2)
       for fmt in ("md", "html", "txt") for p in (None, "GGZ")},
    **{f"minutes {fmt}{' ' + p if p else ''}": (
        ("minutes", "--format", fmt, *(("--partner", p) if p else ())), 6)
       for fmt in ("md", "html", "txt") for p in (None, "POL")},
}


@pytest.mark.parametrize("kind", list(OUTPUTS))
def test_a_bsn_is_masked_in_every_output_kind(bsn_ws, kind):
    args, at_least = OUTPUTS[kind]
    result = bsn_ws(*args)
    _assert_masked(result.stdout + result.stderr, at_least)
    assert "2026-077" in result.stdout


def test_the_database_keeps_what_was_typed(bsn_ws):
    # Masking is an output rule: the record itself is not rewritten.
    with sqlite3.connect(bsn_ws.ws / "overleg.db") as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM entries ORDER BY id")]
    assert texts == [f"Notitie: nummer {BSN2} gecontroleerd.", f"Besluit over {BSN2}."]


@pytest.mark.parametrize("kind", ["agenda", "minutes"])
def test_a_bsn_is_masked_in_every_part_of_the_mail(bsn_ws, tmp_path, kind):
    out = tmp_path / kind
    bsn_ws("mail", "--kind", kind, "--date", D, "-o", str(out))
    eml = (out / f"{'agenda' if kind == 'agenda' else 'verslag'}-{D}-POL.eml").read_bytes()
    assert BSN.encode() not in eml and BSN2.encode() not in eml
    message = email.message_from_bytes(eml, policy=policy.default)
    parts = [p for p in message.walk() if not p.is_multipart()]
    kinds = sorted(p.get_content_type() for p in parts)
    assert kinds == (["text/html", "text/plain"] if kind == "agenda"
                     else ["text/calendar", "text/html", "text/plain"])
    for part in parts:
        content = part.get_content()
        text = content.decode() if isinstance(content, bytes) else content
        text = text.replace("\r\n ", "").replace("\n ", "")  # iCalendar folds long lines
        _assert_masked(text)
        assert "2026-077" in text


@pytest.mark.usefixtures("meeting_day")
def test_a_bsn_is_masked_on_the_live_screen(tmp_path, run, monkeypatch):
    ws = tmp_path / "live"
    init_workspace(ws, example=True)
    (ws / "casussen" / "bsn.md").write_text(BSN_CASE, encoding="utf-8")
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
    for args in (("agenda", "build", "--date", D), ("meeting", "start", "--date", D)):
        assert run(*args).exit_code == 0
    lines = f"POL K. Bakker\n\nn notitie {BSN2}\na POL/{BSN2} +2w bel {BSN2}\n"
    result = run("meeting", "run", input=lines)
    assert result.exit_code == 0, result.stderr
    assert "2026-077" in result.stdout
    # The question, the reason the person was not informed, and the action's echo.
    _assert_masked(result.stdout + result.stderr, 3)
    with sqlite3.connect(ws / "overleg.db") as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone() == (1,)
        assert conn.execute("SELECT who, text FROM actions").fetchall() == [
            (BSN2, f"bel {BSN2}")]


def test_a_bsn_in_a_broken_front_matter_value_is_masked_in_cases_check(empty_ws, run):
    (empty_ws / "casussen" / "x.md").write_text(
        BSN_CASE.replace("status: aangemeld", f"status: {BSN}"), encoding="utf-8")
    result = run("cases", "check")
    assert result.exit_code == 1
    _assert_masked(result.stdout + result.stderr, 1)
    assert f"'status' = '{MASK}' is onbekend" in result.stdout


# --- the per-partner filter, as a property --------------------------------------------

CODES = ("AA", "BB", "CC", "DD", "EE")
PROPERTY_TOML = "\n".join(
    ['[overleg]', 'naam = "Eigenschapstest"', 'geheimhouding = "Geheim."',
     'begintijd = "09:00"', "duur = 600"]
    + [f'[partners.{c}]\nnaam = "Partner {c}"\nemail = ["{c.lower()}@x.example"]'
       for c in CODES]) + "\n"
PROPERTY_CONFIG = parse_config(PROPERTY_TOML)


@dataclass(frozen=True)
class CaseSpec:
    members: tuple[str, ...]  # listed partners
    regie: str | None
    on_agenda: bool
    note: bool
    decision: bool
    action_owner: str | None
    drop_after: str | None  # a partner removed from the case file after the meeting


@st.composite
def tables(draw) -> list[CaseSpec]:
    specs = []
    for _ in range(draw(st.integers(1, 6))):
        members = tuple(draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=4,
                                      unique=True)))
        regie = draw(st.sampled_from((None, *CODES)))
        everyone = tuple(dict.fromkeys((*members, *((regie,) if regie else ()))))
        specs.append(CaseSpec(
            members, regie, draw(st.booleans()), draw(st.booleans()), draw(st.booleans()),
            draw(st.sampled_from((None, *everyone))),
            draw(st.sampled_from((None, *members[1:])))))
    return specs


def tokens(i: int) -> dict[str, str]:
    """Strings that belong to case i only (no token is part of another)."""
    return {"id": f"ZX{i}Q", "initialen": f"I{i}Q.W.", "question": f"VRAAG{i}QQ",
            "note": f"NOTE{i}QQ", "decision": f"BESL{i}QQ", "action": f"ACTIE{i}QQ"}


def case_bytes(i: int, spec: CaseSpec, members: tuple[str, ...]) -> bytes:
    t = tokens(i)
    regie = f"regie: {spec.regie}\n" if spec.regie else ""
    return (f"---\nid: {t['id']}\ninitialen: {t['initialen']}\ngeboortejaar: 1990\n"
            f"status: actief\naangemeld_op: 2026-01-0{1 + i % 9}\naangemeld_door: "
            f"{members[0]}\n{regie}partners: [{', '.join(members)}]\n"
            f"agenda: {'ja' if spec.on_agenda else 'nee'}\n---\n# {t['initialen']}\n\n"
            f"## Vraag aan het overleg\n{t['question']}\n").encode()


@dataclass
class LeakResult:
    documents: int = 0  # partner documents checked
    leaks: int = 0
    detail: str = ""


def check_partner_filter(root: Path, specs: list[CaseSpec], formats: tuple[str, ...] = (
        "md", "html", "txt"), mail: bool = True, full: list[str] | None = None) -> LeakResult:
    """Record a meeting over `specs`, then render every partner's agenda, minutes and mail:
    none may contain an id, initials, question or typed text of a case the partner is not
    in; each must name the partner's own cases on the agenda."""
    from overleg.agenda import build_agenda
    from overleg.cases import parse_case
    from overleg.documents import Request, Sources, disclose
    from overleg.mailing import mail_drafts
    from overleg.meeting import add_action, record, start_meeting
    from overleg.store import Store

    ws = Workspace(root, PROPERTY_CONFIG)
    config = ws.config

    def load(drop: bool) -> list:
        cases = []
        for i, spec in enumerate(specs):
            members = tuple(m for m in spec.members if not (drop and m == spec.drop_after))
            case, findings = parse_case(case_bytes(i, spec, members), root / f"{i}.md",
                                        f"casussen/{i}.md", config)
            assert case is not None, findings
            cases.append(case)
        return cases

    cases = load(drop=False)
    store = Store(sqlite3.connect(":memory:", isolation_level=None))
    day = date(2026, 12, 1)
    build_agenda(store, cases, day, config)
    meeting, _ = start_meeting(store, ws, cases, day)
    for i, (spec, case) in enumerate(zip(specs, cases, strict=True)):
        if not spec.on_agenda:
            continue
        t = tokens(i)
        if spec.note:
            record(store, ws, case, "note", t["note"], meeting=meeting)
        if spec.decision:
            record(store, ws, case, "decision", t["decision"], meeting=meeting)
        if spec.action_owner:
            add_action(store, ws, case, spec.action_owner, None, date(2026, 12, 15), t["action"],
                       meeting=meeting)
    meeting = store.meeting_by_id(meeting.id)
    cases = load(drop=True)  # partners left some cases after the meeting
    by_id = {c.id: c for c in cases}
    src = Sources(ws, store, by_id, day)  # every document through the disclosure gate
    result = LeakResult()
    for code in CODES:
        documents = []
        for fmt in formats:
            for kind in ("agenda", "minutes"):
                documents.append(disclose(src, Request(kind, fmt, code, meeting)).data
                                 .decode("utf-8"))
        listings = [disclose(src, Request("actions", fmt, code, None, {"status": "all"}))
                    .data.decode("utf-8") for fmt in ("json", "csv")]
        if mail:
            for kind in ("agenda", "minutes"):
                batch = mail_drafts(src, meeting, kind, root / "uit" / "mail")
                for outgoing in batch.messages:
                    if outgoing.partner == code:
                        documents.append(_message_text(outgoing.message))
        for document in documents + listings:
            result.documents += 1
            problems = leaks_in(document, code, cases, specs)
            if document in listings:  # an action list names only the cases with actions
                problems = [p for p in problems if " misses " not in p]
            if problems:
                result.leaks += len(problems)
                result.detail = problems[0]
    if full is not None:
        full.append(disclose(src, Request("agenda", formats[0], None, meeting)).data
                    .decode("utf-8"))
    store.close()
    return result


def leaks_in(document: str, code: str, cases: list, specs: list[CaseSpec]) -> list[str]:
    """What `document`, made for partner `code`, shows that it should not (or misses)."""
    problems = []
    for i, case in enumerate(cases):
        found = [v for v in tokens(i).values() if v in document]
        if code not in case.partners and found:
            problems.append(f"{code} sees {found} of case {i} ({case.partners})")
        elif code in case.partners and specs[i].on_agenda and tokens(i)["id"] not in document:
            problems.append(f"{code} misses case {i} ({case.partners})")  # filter too strict
    return problems


def _message_text(message) -> str:
    parts = []
    for part in message.walk():
        if not part.is_multipart():
            content = part.get_content()
            parts.append(content.decode() if isinstance(content, bytes) else content)
    return "\n".join(parts).replace("\r\n ", "").replace("\n ", "")


@pytest.fixture(scope="module")
def property_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("eigenschap")


@pytest.mark.slow
@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(specs=tables(), fmt=st.sampled_from(("md", "html", "txt")), mail=st.booleans())
def test_no_partner_document_names_a_case_of_another_partner(property_root, module_env,
                                                             specs, fmt, mail):
    result = check_partner_filter(property_root, specs, (fmt,), mail)
    assert result.leaks == 0, result.detail
    assert result.documents >= 2 * len(CODES)


def test_the_leak_scan_is_not_blind(property_root, module_env):
    """Scanned as if it were AA's, the chair's full agenda shows BB's case: a leak."""
    specs = [CaseSpec(("AA",), None, True, True, False, None, None),
             CaseSpec(("BB",), None, True, False, False, None, None)]
    full: list[str] = []
    assert check_partner_filter(property_root, specs, ("md",), False, full).leaks == 0
    from overleg.cases import parse_case

    cases = [parse_case(case_bytes(i, s, s.members), Path("x"), "x", PROPERTY_CONFIG)[0]
             for i, s in enumerate(specs)]
    assert leaks_in(full[0], "AA", cases, specs) == [
        "AA sees ['ZX1Q', 'I1Q.W.', 'VRAAG1QQ'] of case 1 (('BB',))"]
    assert leaks_in(full[0], "BB", cases, specs) == [
        "BB sees ['ZX0Q', 'I0Q.W.', 'VRAAG0QQ'] of case 0 (('AA',))"]


# --- template injection ---------------------------------------------------------------

INJECT = "INJ {{ 7*7 }} {% for x in y %} <script>alert(1)</script> END"
INJECT_HTML = ("INJ {{ 7*7 }} {% for x in y %} &lt;script&gt;alert(1)&lt;/script&gt; END")


@pytest.fixture(scope="module")
def hostile_ws(tmp_path_factory, module_env) -> Prepared:
    """Injection attempts in case text, typed text and every config value."""
    ws = tmp_path_factory.mktemp("inject") / "werkmap"
    init_workspace(ws, example=True)
    toml = ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    for key in ("naam", "locatie", "voorzitter", "geheimhouding"):
        text = re.sub(rf'(?m)^{key} = ".*"$', f'{key} = "{key.upper()} {INJECT}"', text,
                      count=1)
    text = text.replace('naam = "Politie Eenheid Den Haag, basisteam Zuid"',
                        f'naam = "POLITIE {INJECT}"')
    toml.write_text(text, encoding="utf-8")
    (ws / "casussen" / "inject.md").write_text(f"""\
---
id: 2026-066
initialen: H.K.
geboortejaar: 1975
status: aangemeld
prioriteit: hoog
aangemeld_op: 2026-01-05
aangemeld_door: POL
regisseur: "REGISSEUR {INJECT}"
partners: [POL, GGZ]
geinformeerd: nee
reden_niet_geinformeerd: "REDEN {INJECT}"
triage:
  uitkomst: casusoverleg
  criteria: [a, b, c]
---
# H.K.

## Vraag aan het overleg
VRAAG {INJECT}
""", encoding="utf-8")
    cli = Prepared(ws, Run())
    cli("agenda", "build", "--date", D)
    cli("agenda", "add", "2026-033", "--date", D, "--reason", f"TOEGEVOEGD {INJECT}")
    cli("meeting", "start", "--date", D)
    cli("meeting", "attend", "POL", f"AANWEZIG {INJECT}")
    cli("meeting", "note", "2026-066", f"NOTITIE {INJECT}")
    cli("meeting", "decide", "2026-066", f"BESLUIT {INJECT}")
    cli("action", "add", "2026-066", "--owner", "POL", "--due", "+2w", f"ACTIE {INJECT}")
    cli("meeting", "close")
    return cli


# Which injected values each document shows (the agenda has no notes, decisions or attendance).
AGENDA_PARTS = ("NAAM", "LOCATIE", "VOORZITTER", "GEHEIMHOUDING", "REGISSEUR", "VRAAG",
                "TOEGEVOEGD")
MINUTES_PARTS = ("GEHEIMHOUDING", "REGISSEUR", "REDEN", "VRAAG", "NOTITIE", "BESLUIT",
                 "ACTIE", "AANWEZIG")


@pytest.mark.parametrize("doc", ["agenda", "minutes"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
@pytest.mark.parametrize("partner", [None, "POL"])
def test_template_code_in_data_prints_as_written_and_html_escapes_it(hostile_ws, doc, fmt,
                                                                     partner):
    args = (("agenda", "render", "--date", D) if doc == "agenda" else ("minutes",))
    result = hostile_ws(*args, "--format", fmt, *(("--partner", partner) if partner else ()))
    out = result.stdout
    expected = INJECT_HTML if fmt == "html" else INJECT
    parts = AGENDA_PARTS if doc == "agenda" else MINUTES_PARTS
    if partner:
        parts = (*parts, "POLITIE")
    for part in parts:
        assert f"{part} {expected}" in out, part
    assert "INJ 49" not in out
    if fmt == "html":
        assert "<script>" not in out
        assert "alert(1)</script>" not in out


def test_template_code_in_data_stays_data_in_the_mail(hostile_ws, tmp_path):
    hostile_ws("mail", "-o", str(tmp_path))
    message = email.message_from_bytes((tmp_path / f"verslag-{D}-POL.eml").read_bytes(),
                                       policy=policy.default)
    assert message["Subject"] == f"Verslag en acties NAAM {INJECT} 01-12-2026"
    html = message.get_body(("html",)).get_content()
    plain = message.get_body(("plain",)).get_content()
    assert f"NOTITIE {INJECT_HTML}" in html and "<script>" not in html
    assert f"NOTITIE {INJECT}" in plain and "INJ 49" not in plain + html


def test_template_code_in_data_stays_data_on_the_terminal(hostile_ws):
    shown = hostile_ws("cases", "show", "2026-066").stdout
    # The terminal renders the case's Markdown, so only the template code is checked here.
    assert "VRAAG INJ {{ 7*7 }} {% for x in y %}" in shown
    assert "REGISSEUR INJ {{ 7*7 }} {% for x in y %} <script>alert(1)</script> END" in shown
    listed = json.loads(hostile_ws("action", "list", "--json").stdout)
    assert [a["text"] for a in listed if a["case"] == "2026-066"] == [f"ACTIE {INJECT}"]
