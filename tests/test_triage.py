"""Before the meeting (issue 16): `cases request`, triage of referrals and its deadline in
working days, and what triage does to the agenda."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from overleg.agenda import reasons_for
from overleg.casecache import load_cases
from overleg.config import parse_config
from overleg.frontmatter import planned_changes, with_section
from overleg.model import History
from overleg.triage import add_working_days, parse_criteria, qualifies
from overleg.workspace import load_workspace

ROOT = Path(__file__).resolve().parent.parent
CONFIG = parse_config((ROOT / "examples" / "overleg.toml").read_text(encoding="utf-8"))


# --- working days --------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "days", "due"), [
    (date(2026, 11, 23), 5, date(2026, 11, 30)),   # a Monday: the next Monday
    (date(2026, 11, 27), 5, date(2026, 12, 4)),    # a Friday: the weekend does not count
    (date(2026, 11, 28), 5, date(2026, 12, 4)),    # a Saturday: Monday is day 1
    (date(2026, 11, 29), 1, date(2026, 11, 30)),   # a Sunday
    (date(2026, 4, 24), 5, date(2026, 5, 4)),      # Koningsdag (Monday 27 April) skipped
    (date(2025, 4, 25), 1, date(2025, 4, 28)),     # Koningsdag on Saturday 26 April 2025
    (date(2026, 12, 24), 1, date(2026, 12, 28)),   # Christmas (Fri 25, Sat 26) skipped
    (date(2026, 12, 17), 5, date(2026, 12, 24)),   # up to Christmas Eve, a working day
    (date(2026, 12, 21), 5, date(2026, 12, 29)),   # across both Christmas days
    (date(2026, 12, 31), 1, date(2027, 1, 4)),     # New Year's Day and a weekend
    (date(2026, 4, 2), 1, date(2026, 4, 7)),       # Good Friday, Easter Monday
    (date(2026, 5, 13), 1, date(2026, 5, 15)),     # Ascension Day
])
def test_the_feedback_deadline_counts_working_days(start, days, due):
    assert add_working_days(start, days) == due


@pytest.mark.slow
def test_holidays_are_imported_only_for_a_deadline(run, example_ws):
    import subprocess
    import sys

    code = ("import sys; from overleg.cli.app import app; from typer.testing import CliRunner;"
            "CliRunner().invoke(app, ['agenda', 'show']); print('holidays' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=example_ws, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(("typed", "letters"), [
    ("a,b,c", ("a", "b", "c")), ("c, a ,b", ("a", "b", "c")), ("D", ("d",)),
    ("abc", ("a", "b", "c")),
])
def test_criteria_as_typed(typed, letters):
    assert parse_criteria(typed) == letters


@pytest.mark.parametrize("typed", ["e", "a,x", ",", "1"])
def test_criteria_outside_a_to_d_are_refused(typed):
    from overleg.errors import InvalidInput

    with pytest.raises(InvalidInput, match="--criteria"):
        parse_criteria(typed)


def test_the_national_rule():
    assert qualifies(("a", "b", "c")) and qualifies(("d",)) and not qualifies(("a", "b"))


# --- exact write-back of a request and a decision -------------------------------------------

FILE = ("---\nid: 2026-060\ninitialen: T.T.\nstatus: aangemeld   # nieuw\naangemeld_op: "
        "2026-11-27\naangemeld_door: POL\npartners: [POL, GGZ]\n# opmerking\n---\n# T.T.\n\n"
        "## Situatie\nTekst.\n\n## Vraag aan het overleg\nOude vraag\nover twee regels.\n\n"
        "## Netwerk\nZus.\n")


def _variants(text: str) -> list[bytes]:
    lf = text.encode("utf-8")
    crlf = text.replace("\n", "\r\n").encode("utf-8")
    return [lf, crlf, b"\xef\xbb\xbf" + lf, b"\xef\xbb\xbf" + crlf]


@pytest.mark.parametrize("raw", _variants(FILE), ids=["lf", "crlf", "bom-lf", "bom-crlf"])
def test_a_request_changes_exactly_its_lines(raw):
    eol = b"\r\n" if b"\r\n" in raw else b"\n"
    new, changed = planned_changes(raw, "2026-060", {"agenda": True, "verzoek_door": "GGZ"})
    new = with_section(new, "Vraag aan het overleg", "Is een zorgmachtiging nodig?")
    assert changed == ["agenda", "verzoek_door"]
    expected = raw.replace(b"# opmerking" + eol + b"---",
                           b"# opmerking" + eol + b"agenda: ja" + eol + b"verzoek_door: GGZ" +
                           eol + b"---")
    expected = expected.replace(b"Oude vraag" + eol + b"over twee regels.",
                                b"Is een zorgmachtiging nodig?")
    assert new == expected


@pytest.mark.parametrize("raw", _variants(FILE), ids=["lf", "crlf", "bom-lf", "bom-crlf"])
def test_a_triage_decision_is_a_mapping_and_nothing_else_changes(raw):
    eol = b"\r\n" if b"\r\n" in raw else b"\n"
    decision = {"datum": date(2026, 11, 30), "uitkomst": "afgewezen", "criteria": ["a"],
                "reden": "geen ketenaanpak nodig: advies volstaat", "naar": None}
    new, _ = planned_changes(raw, "2026-060", {"triage": decision, "status": "afgesloten",
                                               "afgesloten_op": date(2026, 11, 30)})
    block = eol.join([b"triage:", b"  datum: 2026-11-30", b"  uitkomst: afgewezen",
                      b"  criteria: [a]", b'  reden: "geen ketenaanpak nodig: advies volstaat"',
                      b"afgesloten_op: 2026-11-30"])
    expected = raw.replace(b"status: aangemeld   # nieuw", b"status: afgesloten").replace(
        b"# opmerking" + eol + b"---", b"# opmerking" + eol + block + eol + b"---")
    assert new == expected
    # A second decision replaces the mapping where it stands.
    again, changed = planned_changes(new, "2026-060", {"triage": {**decision,
                                                                   "uitkomst": "advies"}})
    assert changed == ["triage"]
    assert again == new.replace(b"uitkomst: afgewezen", b"uitkomst: advies")


def test_a_question_section_is_added_when_missing():
    raw = b"---\r\nid: 1\r\n---\r\n# X\r\n\r\n## Situatie\r\nTekst."
    assert with_section(raw, "Vraag aan het overleg", "Vraag\nop twee regels") == (
        raw + b"\r\n\r\n## Vraag aan het overleg\r\nVraag\r\nop twee regels\r\n")


# --- the commands ---------------------------------------------------------------------------

def _file(ws: Path, case_id: str) -> Path:
    return next(p for p in (ws / "casussen").glob("*.md")
                if f"id: {case_id}\n" in p.read_text(encoding="utf-8"))


def test_cases_request_writes_audits_and_puts_it_on_the_agenda(run, example_ws):
    path = _file(example_ws, "2026-033")
    before = path.read_bytes()
    result = run("cases", "request", "2026-033", "--by", "ggz", "--question",
                 "Wie neemt de regie?")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('Casus "2026-033" staat op de agenda van het volgende '
                                    "overleg, op verzoek van GGZ")
    after = path.read_bytes()
    assert b"agenda: ja\n" in after and b"verzoek_door: GGZ\n" in after
    assert b"## Vraag aan het overleg\nWie neemt de regie?\n" in after
    assert len(after.splitlines()) - len(before.splitlines()) <= 2
    log = json.loads(run("log", "--case", "2026-033", "--json").stdout)
    assert log[-1]["action"] == "case.request"
    agenda = json.loads(run("agenda", "build", "--date", "2026-12-01", "--json").stdout)
    (item,) = [i for i in agenda["items"] if i["case"] == "2026-033"]
    assert "requested" in item["reasons"]
    shown = run("cases", "show", "2026-033").stdout
    assert "ja (verzoek van GGZ)" in shown
    # Asked again: nothing changes.
    result = run("cases", "request", "2026-033", "--by", "GGZ", "--question",
                 "Wie neemt de regie?")
    assert result.stdout == ('Casus "2026-033" was al aangevraagd; casussen/'
                             f'{path.name} is niet gewijzigd.\n')


def test_cases_request_by_an_agency_that_is_no_partner_is_refused(run, example_ws):
    path = _file(example_ws, "2026-014")
    before = path.read_bytes()
    result = run("cases", "request", "2026-014", "--by", "OM")
    assert result.exit_code == 1
    assert result.stderr.startswith('Fout: OM is geen partner van casus "2026-014"')
    assert "Traceback" not in result.output
    assert path.read_bytes() == before
    result = run("cases", "request", "2026-014", "--by", "RN", "--question", "## Kop\nx")
    assert result.exit_code == 1 and path.read_bytes() == before


NEW = ("---\nid: 2026-070\ninitialen: N.N.\nstatus: aangemeld\naangemeld_op: 2026-11-27\n"
       "aangemeld_door: POL\npartners: [POL, GGZ]\n---\n# N.N.\n")


def test_triage_list_decide_feedback(run, example_ws):
    (example_ws / "casussen" / "2026-070.md").write_text(NEW, encoding="utf-8")
    rows = json.loads(run("triage", "list", "--json").stdout)
    assert rows == [
        {"case": "2026-038", "aangemeld_op": "2026-11-25", "waiting_days": 3,
         "feedback_due": "2026-12-02", "status": "feedback_due"},
        {"case": "2026-070", "aangemeld_op": "2026-11-27", "waiting_days": 1,
         "feedback_due": "2026-12-04", "status": "awaiting_triage"}]
    agenda = json.loads(run("agenda", "build", "--date", "2026-12-01", "--json").stdout)
    assert "2026-070" not in {i["case"] for i in agenda["items"]}
    result = run("triage", "decide", "2026-070", "--outcome", "casusoverleg")
    assert result.exit_code == 1 and "--criteria" in result.stderr
    result = run("triage", "decide", "2026-070", "--outcome", "casusoverleg", "--criteria",
                 "a,b")
    assert result.exit_code == 0, result.stderr
    assert "Let op: de landelijke criteria vragen a, b en c samen, of d." in result.stderr
    text = (example_ws / "casussen" / "2026-070.md").read_text(encoding="utf-8")
    assert text == NEW.replace("---\n# N.N.", "triage:\n  datum: 2026-11-28\n  uitkomst: "
                               "casusoverleg\n  criteria: [a, b]\n---\n# N.N.")
    agenda = json.loads(run("agenda", "build", "--date", "2026-12-01", "--json").stdout)
    (item,) = [i for i in agenda["items"] if i["case"] == "2026-070"]
    assert item["reasons"] == ["new"]
    assert run("triage", "feedback", "2026-070", "--date", "30-11-2026").exit_code == 0
    assert "teruggekoppeld: 2026-11-30" in (example_ws / "casussen" / "2026-070.md").read_text(
        encoding="utf-8")
    assert "2026-070" not in {r["case"] for r in json.loads(run("triage", "list",
                                                                "--json").stdout)}
    actions = [e["action"] for e in json.loads(run("log", "--case", "2026-070",
                                                   "--json").stdout)]
    assert actions == ["triage.casusoverleg", "triage.feedback"]


def test_any_other_outcome_closes_the_case_with_its_reason(run, example_ws):
    (example_ws / "casussen" / "2026-070.md").write_bytes(NEW.replace("\n", "\r\n").encode())
    result = run("triage", "decide", "2026-070", "--outcome", "advies")
    assert result.exit_code == 1 and "--reason" in result.stderr
    result = run("triage", "decide", "2026-070", "--outcome", "doorverwezen", "--reason",
                 "zorg via de huisarts", "--to", "ggz")
    assert result.exit_code == 0, result.stderr
    raw = (example_ws / "casussen" / "2026-070.md").read_bytes()
    assert b"status: afgesloten\r\n" in raw and b"afgesloten_op: 2026-11-28\r\n" in raw
    assert b"  naar: GGZ\r\n  reden: zorg via de huisarts" not in raw  # key order as written
    assert b"  reden: zorg via de huisarts\r\n  naar: GGZ\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    case = {c["id"]: c for c in json.loads(run("cases", "list", "--json").stdout)}["2026-070"]
    assert case["status"] == "afgesloten"
    rows = json.loads(run("triage", "list", "--json").stdout)
    assert {"case": "2026-070", "aangemeld_op": "2026-11-27", "waiting_days": 1,
            "feedback_due": "2026-12-04", "status": "feedback_due"} in rows
    result = run("triage", "decide", "2026-070", "--outcome", "casusoverleg", "--criteria", "d")
    assert result.exit_code == 1 and "status afgesloten" in result.stderr


def test_overdue_referrals_come_first(run, example_ws, monkeypatch):
    (example_ws / "casussen" / "2026-070.md").write_text(NEW, encoding="utf-8")
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-03")
    rows = json.loads(run("triage", "list", "--json").stdout)
    assert [r["case"] for r in rows] == ["2026-038", "2026-070"]
    table = run("triage", "list").stdout
    assert "02-12-2026 VERLOPEN" in table


def test_triage_off_refuses_the_commands_and_keeps_referrals_on_the_agenda(run, example_ws):
    toml = example_ws / "overleg.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("triage = true", "triage = false"),
                    encoding="utf-8")
    result = run("triage", "list")
    assert result.exit_code == 1 and "triage staat uit" in result.stderr
    (example_ws / "casussen" / "2026-070.md").write_text(NEW, encoding="utf-8")
    agenda = json.loads(run("agenda", "build", "--date", "2026-12-01", "--json").stdout)
    assert "2026-070" in {i["case"] for i in agenda["items"]}


@pytest.mark.parametrize(("triage", "on_agenda"), [
    (None, False), ({"uitkomst": "casusoverleg", "criteria": ["a", "b", "c"]}, True),
    ({"uitkomst": "advies", "criteria": []}, False),
])
def test_agenda_selection_with_triage_on_and_off(example_ws, triage, on_agenda):
    case = next(c for c in load_cases(load_workspace(example_ws)).cases if c.id == "2026-038")
    extra = {} if triage is None else {"triage": triage}
    case = dataclasses.replace(case, extra=extra)
    on = reasons_for(case, History(), date(2026, 12, 1), CONFIG)
    off = reasons_for(case, History(), date(2026, 12, 1),
                      dataclasses.replace(CONFIG, triage=False))
    assert ("new" in on) is on_agenda
    assert "new" in off


def test_cases_check_reports_triage_problems(run, example_ws):
    (example_ws / "casussen" / "2026-070.md").write_text(NEW.replace(
        "---\n# N.N.", "triage:\n  uitkomst: casusoverleg\n---\n# N.N."), encoding="utf-8")
    (example_ws / "casussen" / "2026-071.md").write_text(NEW.replace("2026-070", "2026-071")
                                                         .replace("---\n# N.N.",
                                                                  "triage:\n  uitkomst: later\n"
                                                                  "  criteria: [x]\n---\n# N.N."),
                                                         encoding="utf-8")
    result = run("cases", "check")
    assert result.exit_code == 1
    assert ("casussen/2026-070.md:9: waarschuwing: triage-uitkomst casusoverleg zonder "
            "criteria: noem in 'triage.criteria' welke van a, b, c en d gelden") in result.stdout
    assert ("casussen/2026-071.md:9: 'triage.uitkomst' = 'later' is onbekend (kies uit: "
            "casusoverleg, advies, doorverwezen, afgewezen)") in result.stdout
    assert "casussen/2026-071.md:10: 'triage.criteria' moet een lijst" in result.stdout
