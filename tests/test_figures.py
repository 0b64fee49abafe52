"""`overleg cijfers`: a generated year of meetings with known answers, and the small-number
suppression in every output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from overleg.cases import Case
from overleg.figures import (
    HIDDEN,
    Period,
    figures,
    figures_json,
    render_html,
    render_md,
    render_xlsx,
    tables,
)
from overleg.model import Item
from overleg.store import Store

ROOT = Path(__file__).resolve().parent.parent
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
AFTER = date(2027, 1, 15)  # "today": every deadline of the year has passed


def meeting_day(n: int) -> date:
    return date(2026, n % 12 + 1, 15)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """13 cases (10 referred by RN, 3 by POL), 12 monthly meetings and one in 2025: case i is
    first discussed in meeting i % 12, referred 10 + i days before (POL's: 30 days); the
    first six are closed 100 days after; an action each for GGZ (due two weeks on, done a
    day early for even i, three days late for odd i) and one for POL in the first three."""
    from overleg.workspace import load_workspace

    config = load_workspace(ROOT / "examples").config
    store = Store.open(tmp_path_factory.mktemp("cijfers") / "jaar.db")
    cases: list[Case] = []
    meetings = {}
    old = store.set_meeting_status(store.create_meeting(date(2025, 12, 16)), "open", "m")
    store.replace_items(old, [Item(0, 0, "2025-001", 1, ("new",), 10)], "a")
    store.set_meeting_status(old, "closed", "m")
    for n in range(12):
        meetings[n] = store.set_meeting_status(store.create_meeting(meeting_day(n)), "open", "m")
    done: list[tuple] = []
    for i in range(13):
        first = meeting_day(i % 12)
        rn = i < 10
        aangemeld = first - timedelta(days=10 + i if rn else 30)
        closed = first + timedelta(days=100) if i < 6 else None
        cases.append(Case(f"2026-{i:03d}", "X.Y.", "afgesloten" if closed else "actief",
                          aangemeld, "RN" if rn else "POL", ("RN", "POL", "GGZ"),
                          Path(f"{i}.md"), wijk="Moerwijk",
                          thema=("overlast",) if rn else ("schulden",), afgesloten_op=closed))
        meeting = meetings[i % 12]
        store.replace_items(meeting, [*store.items(meeting),
                                      Item(0, 0, cases[-1].id, 1, ("new",), 10)], "a")
        store.add_entry(meeting, cases[-1].id, "note", "Besproken.")
        action = store.add_action(cases[-1].id, "GGZ", None, "Actie", first + timedelta(14),
                                  meeting)
        done.append((action, first + timedelta(13 if i % 2 == 0 else 17)))
        if i < 3:
            store.add_action(cases[-1].id, "POL", None, "Actie", first + timedelta(7), meeting)
    feb = meetings[1]  # twelve more items, not discussed: the last one does not fit
    store.replace_items(feb, [*store.items(feb)] + [
        Item(0, 0, f"2026-{100 + k}", 2 + k, ("review",), 10) for k in range(12)], "a")
    for n in range(12):
        store.set_meeting_status(meetings[n], "closed", "m")
    for action, on in done:
        os.environ["OVERLEG_TODAY"] = on.isoformat()
        try:
            store.complete_action(action, None, None)
        finally:
            del os.environ["OVERLEG_TODAY"]
    yield store, cases, config
    store.close()


@pytest.fixture(scope="module")
def fig(year):
    store, cases, config = year
    return figures(store, cases, config, YEAR, AFTER)


def test_counts_per_partner_theme_wijk_and_meeting(fig):
    # case 12 was referred on 16-12-2025 (30 days before 15 January): not in this year
    assert fig.referrals == {"RN": 10, "POL": 2}
    assert fig.themes == {"overlast": 10, "schulden": 3}
    assert fig.wijken == {"Moerwijk": 13}
    assert sum(fig.meetings.values()) == 12 and set(fig.meetings) == {
        f"2026-{m:02d}" for m in range(1, 13)}
    assert (fig.items, fig.fitted, fig.carried_over) == (25, 24, 12)


def test_lead_times_median_and_spread(fig):
    to_first = fig.to_first.stats()
    assert to_first["n"] == 13
    assert to_first["median"] == 16  # 10..19 and three times 30
    assert (to_first["min"], to_first["max"]) == (10, 30)
    assert fig.first_to_closed.stats()["median"] == 100
    assert fig.first_to_closed.n == 6
    assert fig.to_closed.days == tuple(sorted(100 + 10 + i for i in range(6)))


def test_actions_per_owner_and_the_share_done_on_time(fig):
    assert fig.actions == {"GGZ": 13, "POL": 3}
    assert fig.on_time["GGZ"] == (7, 13)  # i = 0, 2, ..., 12 a day early
    assert fig.on_time["POL"] == (0, 3)  # open and past their deadline: not on time
    (row,) = [t for t in tables(fig, _config())
              if t.title.startswith("Acties op tijd")]
    assert ["GGZ (GGZ Hofstad, FACT-team Zuid)", 13, "54%"] in row.rows
    assert ["POL (Politie Eenheid Den Haag, basisteam Zuid)", HIDDEN, HIDDEN] in row.rows


def _config():
    from overleg.workspace import load_workspace

    return load_workspace(ROOT / "examples").config


def test_counts_under_five_are_hidden_in_every_output_but_exact_json(fig):
    config = _config()
    md = render_md(fig, config)
    assert "| POL (Politie Eenheid Den Haag, basisteam Zuid) | <5 |" in md
    assert "| schulden | <5 |" in md and "| overlast | 10 |" in md
    html = render_html(fig, config)
    assert "<td>schulden</td><td>&lt;5</td>" in html
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(fig, config)))
    cells = [[c for c in row] for sheet in book for row in sheet.iter_rows(values_only=True)]
    assert ["schulden", HIDDEN] in [list(r) for r in cells]
    assert figures_json(fig, config)["referrals"] == {"RN": 10, "POL": HIDDEN}
    assert figures_json(fig, config, exact=True)["referrals"] == {"RN": 10, "POL": 2}
    assert figures_json(fig, config)["lead_times"]["to_first_discussion"]["median"] == 16


def test_the_html_has_inline_charts_and_fetches_nothing(fig):
    html = render_html(fig, _config())
    assert html.count("<svg") == 4
    assert "<script src" not in html and "kozea.github.io" not in html
    assert html == render_html(fig, _config())  # equal figures, equal bytes


def test_no_output_names_a_person(run, demo_ws):
    from overleg.casecache import load_cases
    from overleg.workspace import load_workspace

    names = {c.initialen for c in load_cases(load_workspace(demo_ws)).cases}
    names |= {"A. de Vries", "K. Bakker", "S. Öztürk"}  # attendance and action owners' people
    for fmt in ("md", "html", "json"):
        result = run("cijfers", "--jaar", "2026", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        assert not [n for n in names if n in result.stdout], fmt


def test_the_command_writes_each_format(run, demo_ws, tmp_path):
    for name in ("c.md", "c.html", "c.xlsx", "c.json"):
        result = run("cijfers", "--jaar", "2026", "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.stderr
        assert (tmp_path / name).stat().st_mode & 0o077 == 0
    screen = run("cijfers", "--van", "1-11-2026", "--tot", "31-12-2026")
    assert screen.exit_code == 0 and "Aanmeldingen per aanmeldende partner" in screen.stdout
    assert "01-11-2026 t/m 31-12-2026" in screen.stdout
    exact = json.loads(run("cijfers", "--format", "json", "--exact").stdout)
    assert exact["exact"] is True and exact["meetings"]["held"] == 2


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--jaar", "2026", "--van", "1-1-2026"], 2, "kies --jaar of --van/--tot"),
    (["--exact"], 2, "--exact kan alleen met --format json"),
    (["--format", "xlsx"], 2, "geef -o"),
    (["-o", "cijfers.pdf"], 2, "geen formaat"),
    (["--van", "1-6-2026", "--tot", "1-1-2026"], 1, "--van ligt na --tot"),
])
def test_options_that_do_not_go_together(run, demo_ws, args, code, message):
    result = run("cijfers", *args)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_only_cijfers_imports_the_charting_library(demo_ws, tmp_path):
    script = Path(sys.executable).parent / "overleg"
    env = os.environ | {"OVERLEG_WORKSPACE": str(demo_ws)}

    def imported(*args: str) -> set[str]:
        done = subprocess.run([sys.executable, "-X", "importtime", str(script), *args],
                              capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr[-2000:]
        return {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
                if line.startswith("import time:")}

    assert "pygal" not in imported("zoek", "zorgmachtiging")
    assert "pygal" in imported("cijfers", "--format", "html", "-o", str(tmp_path / "c.html"))


def test_triage_outcomes_are_counted_by_the_date_of_the_decision(tmp_path):
    from overleg.workspace import load_workspace

    config = load_workspace(ROOT / "examples").config
    store = Store.open(tmp_path / "triage.db")

    def case(i: int, outcome: str, decided: str | None) -> Case:
        triage = {"uitkomst": outcome, "criteria": ["a", "b"]}
        if decided:
            triage["datum"] = decided
        return Case(f"2026-{i:03d}", "X.Y.", "aangemeld", date(2026, 2, 1), "RN",
                    ("RN", "POL"), Path(f"{i}.md"), extra={"triage": triage})

    cases = [*(case(i, "casusoverleg", "2026-02-03") for i in range(6)),
             case(6, "advies", "2026-02-04"), case(7, "advies", None),
             case(8, "afgewezen", "2025-12-30")]  # decided before the year: not counted
    try:
        fig = figures(store, cases, config, YEAR, AFTER)
    finally:
        store.close()
    assert fig.triage == {"casusoverleg": 6, "advies": 2}
