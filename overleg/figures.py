"""`overleg cijfers`: key figures of a period, for the annual report and the monitoring.

`figures()` counts from the case files and the store; every output then shows a count of
1 to 4 as "<5" (and a median or share over fewer than 5 as "<5"), except the chair's own
`--format json --exact`. No figure names a person: counts per partner, theme, wijk, month.
The HTML has inline SVG charts made with pygal, imported only here (`_charts`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from overleg.errors import InvalidInput

if TYPE_CHECKING:
    from overleg.cases import Case
    from overleg.config import Config
    from overleg.store import Store

SMALL = 5  # counts below this (but above 0) are shown as "<5"
HIDDEN = "<5"
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# Lead-time classes (days, upper bound inclusive) for the distribution chart: wide enough
# that few classes hold fewer than five cases.
LEAD_CLASSES = ((14, "0-14 dagen"), (30, "15-30"), (60, "31-60"), (90, "61-90"),
                (180, "91-180"), (None, "meer dan 180"))
UNKNOWN = "(onbekend)"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def label(self) -> str:
        from overleg.dates import fmt

        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:
            return str(self.start.year)
        return f"{fmt(self.start)} t/m {fmt(self.end)}"


def period_of(year: int | None, start: date | None, end: date | None, today: date) -> Period:
    """--jaar J, or --van/--tot (either may be left out), or this calendar year."""
    if year is not None:
        if not 1900 <= year <= 9999:
            raise InvalidInput(f"--jaar {year} is geen jaartal; bijv. --jaar {today.year}.")
        return Period(date(year, 1, 1), date(year, 12, 31))
    if start is None and end is None:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        raise InvalidInput("--van ligt na --tot; draai ze om.")
    return Period(start, end)


@dataclass(frozen=True)
class Spread:
    """Lead times in days: how many, median, quartiles, shortest and longest."""

    days: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.days)

    def stats(self) -> dict[str, float | int | None]:
        if not self.days:
            return {"n": 0, "median": None, "q1": None, "q3": None, "min": None, "max": None}
        q1, q3 = (statistics.quantiles(self.days, n=4, method="inclusive")[i] for i in (0, 2)) \
            if self.n > 1 else (self.days[0], self.days[0])
        return {"n": self.n, "median": statistics.median(self.days), "q1": q1, "q3": q3,
                "min": min(self.days), "max": max(self.days)}


@dataclass(frozen=True)
class Figures:
    period: Period
    referrals: dict[str, int]  # referring partner -> cases referred in the period
    triage: dict[str, int]  # outcome -> count of the triage decisions in the period
    themes: dict[str, int]  # theme -> cases open during the period
    wijken: dict[str, int]
    meetings: dict[str, int]  # month (YYYY-MM) -> closed meetings held
    items: int  # agenda items of those meetings
    fitted: int  # of which fitted the time
    carried_over: int  # of which were not discussed (held over)
    to_first: Spread  # aanmelding -> first discussion, for cases first discussed in the period
    first_to_closed: Spread  # first discussion -> afgesloten, for cases closed in the period
    to_closed: Spread  # aanmelding -> afgesloten, for cases closed in the period
    actions: dict[str, int]  # owner partner -> actions agreed in the period (not cancelled)
    on_time: dict[str, tuple[int, int]]  # owner -> (done on time, due in the period and due)


def _triage_outcomes(cases: Iterable[Case], period: Period) -> dict[str, int]:
    """Triage outcomes decided in the period (the `triage:` mapping's `datum`; without a date,
    by `aangemeld_op`)."""
    from overleg.triage import triage_of

    outcomes = []
    for case in cases:
        decided = triage_of(case)
        if decided is not None and decided.uitkomst and \
                (decided.datum or case.aangemeld_op) in period:
            outcomes.append(decided.uitkomst)
    return _count(outcomes)


def figures(store: Store, cases: Iterable[Case], config: Config, period: Period,
            today: date) -> Figures:
    """Count the period's figures from the case files and the meetings in the store."""
    from overleg.agenda import time_slots

    cases = list(cases)
    held = [m for m in store.meetings() if m.status == "closed" and m.date in period]
    items = fitted = carried = 0
    for meeting in held:
        slots = time_slots(store.items(meeting), config)
        discussed = store.discussed_cases(meeting)
        items += len(slots)
        fitted += sum(slot.fits for slot in slots)
        carried += sum(slot.case_id not in discussed for slot in slots)
    first = {case_id: min(days) for case_id, days in
             store.history(before=date.max).discussed.items() if days}
    return Figures(
        period=period,
        referrals=_count(c.aangemeld_door for c in cases if c.aangemeld_op in period),
        triage=_triage_outcomes(cases, period),
        themes=_count(t for c in _open_during(cases, period) for t in (c.thema or (UNKNOWN,))),
        wijken=_count(c.wijk or UNKNOWN for c in _open_during(cases, period)),
        meetings=dict(Counter(f"{m.date:%Y-%m}" for m in held)),
        items=items, fitted=fitted, carried_over=carried,
        to_first=_spread((first[c.id] - c.aangemeld_op).days for c in cases
                         if first.get(c.id) in period),
        first_to_closed=_spread((c.afgesloten_op - first[c.id]).days for c in cases
                                if c.afgesloten_op in period and c.id in first
                                and c.afgesloten_op is not None),
        to_closed=_spread((c.afgesloten_op - c.aangemeld_op).days for c in cases
                          if c.afgesloten_op is not None and c.afgesloten_op in period),
        **_action_figures(store, period, today))


def _open_during(cases: Sequence[Case], period: Period) -> list[Case]:
    return [c for c in cases if c.aangemeld_op <= period.end
            and (c.afgesloten_op is None or c.afgesloten_op >= period.start)]


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0])))


def _spread(days: Iterable[int]) -> Spread:
    return Spread(tuple(sorted(max(0, d) for d in days)))


def _action_figures(store: Store, period: Period, today: date) -> dict[str, Any]:
    """Actions agreed in the period per owner, and per owner how many of those due in the
    period (and due by today, or done) were done on time."""
    agreed: Counter[str] = Counter()
    on_time: dict[str, list[int]] = {}
    for action in store.actions(status=None):
        if action.status == "cancelled":
            continue
        made = action.meeting_date or (date.fromisoformat(action.created_at[:10])
                                       if action.created_at else None)
        if made in period:
            agreed[action.owner] += 1
        if action.due in period and (action.due < today or action.status == "done"):
            done, counted = on_time.setdefault(action.owner, [0, 0])
            timely = action.done_on is not None and action.done_on <= action.due
            on_time[action.owner] = [done + timely, counted + 1]
    return {"actions": _count(agreed.elements()),
            "on_time": {k: (v[0], v[1]) for k, v in sorted(on_time.items())}}


# --- what the outputs show ------------------------------------------------------------------

def shown(count: int, exact: bool = False) -> int | str:
    """A count as it may be shown: 1 to 4 as "<5" (0 stays 0: it names no one)."""
    return count if exact or count == 0 or count >= SMALL else HIDDEN


def share(done: int, counted: int, exact: bool = False) -> str:
    """A percentage, or "<5" when it is taken over fewer than five."""
    if counted == 0:
        return "-"
    if counted < SMALL and not exact:
        return HIDDEN
    return f"{round(100 * done / counted)}%"


def _days(value: float | int | None) -> str:
    return "-" if value is None else f"{value:g}".replace(".", ",")


def spread_row(label: str, spread: Spread, exact: bool = False) -> list[str]:
    """[label, n, median, q1-q3, min-max] as shown (suppressed under five cases)."""
    stats = spread.stats()
    if spread.n and spread.n < SMALL and not exact:
        return [label, HIDDEN, HIDDEN, HIDDEN, HIDDEN]
    return [label, str(spread.n), _days(stats["median"]),
            f"{_days(stats['q1'])}-{_days(stats['q3'])}" if spread.n else "-",
            f"{_days(stats['min'])}-{_days(stats['max'])}" if spread.n else "-"]


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: list[list[Any]]


def tables(fig: Figures, config: Config, exact: bool = False) -> list[Table]:
    """Every figure as a titled table, as md, html, xlsx and the terminal show them."""
    def name(code: str) -> str:
        return f"{code} ({config.partner_name(code)})" if code in config.partners else code

    def counts(title: str, what: str, data: Mapping[str, int], label=str) -> Table:
        # Largest first, but the hidden ones by name: their order would tell their sizes.
        order = sorted(data.items(), key=lambda kv: (shown(kv[1], exact) == HIDDEN,
                                                     0 if shown(kv[1], exact) == HIDDEN
                                                     else -kv[1], kv[0]))
        return Table(title, (what, "aantal"), [[label(k), shown(v, exact)] for k, v in order])

    fitted = fig.fitted
    meetings = sum(fig.meetings.values())
    per_meeting = f"{fig.items / meetings:.1f}".replace(".", ",") if meetings else "-"
    lead = Table("Doorlooptijden (dagen)", ("traject", "casussen", "mediaan", "middelste helft",
                                            "kortste-langste"),
                 [spread_row("aanmelding tot eerste bespreking", fig.to_first, exact),
                  spread_row("eerste bespreking tot afgesloten", fig.first_to_closed, exact),
                  spread_row("aanmelding tot afgesloten", fig.to_closed, exact)])
    on_time = [[name(k), shown(v[1], exact), share(v[0], v[1], exact)]
               for k, v in fig.on_time.items()]
    total_done = sum(v[0] for v in fig.on_time.values())
    total = sum(v[1] for v in fig.on_time.values())
    on_time.append(["totaal", shown(total, exact), share(total_done, total, exact)])
    return [
        counts("Aanmeldingen per aanmeldende partner", "partner", fig.referrals, name),
        Table("Triage-uitkomsten", ("uitkomst", "aantal"),
              [[k, shown(v, exact)] for k, v in fig.triage.items()]),
        counts("Casussen per thema", "thema", fig.themes),
        counts("Casussen per wijk", "wijk", fig.wijken),
        Table("Vergaderingen", ("", "aantal"), [
            ["gehouden", meetings], ["agendapunten", fig.items],
            ["agendapunten per vergadering", per_meeting],
            ["binnen de tijd gepland", shown(fitted, exact)],
            ["aangehouden (niet besproken)", shown(fig.carried_over, exact)]]),
        Table("Vergaderingen per maand", ("maand", "aantal"),
              [[_month(k), v] for k, v in sorted(fig.meetings.items())]),
        lead,
        counts("Acties per uitvoerende partner", "partner", fig.actions, name),
        Table("Acties op tijd afgerond (deadline in de periode)",
              ("partner", "acties", "op tijd"), on_time),
    ]


def _month(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def figures_json(fig: Figures, config: Config, exact: bool = False) -> dict[str, Any]:
    """The figures as JSON (stable keys); suppressed as every output is, unless `exact`."""
    def counts(data: Mapping[str, int]) -> dict[str, int | str]:
        return {k: shown(v, exact) for k, v in data.items()}

    def spread(s: Spread) -> dict[str, Any]:
        return s.stats() if exact or not s.n or s.n >= SMALL else {"n": HIDDEN}

    return {
        "period": {"from": fig.period.start.isoformat(), "to": fig.period.end.isoformat()},
        "exact": exact,
        "referrals": counts(fig.referrals), "triage": counts(fig.triage),
        "themes": counts(fig.themes), "wijken": counts(fig.wijken),
        "meetings": {"held": sum(fig.meetings.values()), "per_month": dict(
            sorted(fig.meetings.items())), "items": fig.items,
            "fitted": shown(fig.fitted, exact), "carried_over": shown(fig.carried_over, exact)},
        "lead_times": {"to_first_discussion": spread(fig.to_first),
                       "first_discussion_to_closed": spread(fig.first_to_closed),
                       "to_closed": spread(fig.to_closed)},
        "actions": counts(fig.actions),
        "on_time": {k: {"due": shown(v[1], exact), "on_time": shown(v[0], exact),
                        "share": share(v[0], v[1], exact)} for k, v in fig.on_time.items()},
    }


def render_md(fig: Figures, config: Config) -> str:
    """Markdown: a heading per table."""
    lines = [f"# Kerncijfers {config.naam}", "", f"Periode: {fig.period.label}. Aantallen "
             f"van 1 tot {SMALL} staan als \"{HIDDEN}\".", ""]
    for table in tables(fig, config):
        lines += [f"## {table.title}", ""]
        if not table.rows:
            lines += ["Geen gegevens in deze periode.", ""]
            continue
        lines.append("| " + " | ".join(table.headers) + " |")
        lines.append("|" + "|".join("---" for _ in table.headers) + "|")
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in table.rows]
        lines.append("")
    return "\n".join(lines)


def _md(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_xlsx(fig: Figures, config: Config) -> bytes:
    """One sheet per table."""
    from overleg.privacy import clean
    from overleg.spreadsheet import xlsx_book

    sheets = [(t.title.split(" (")[0], t.headers,
               [[clean(v) if isinstance(v, str) else v for v in row] for row in t.rows])
              for t in tables(fig, config)]
    return xlsx_book(sheets)


def render_html(fig: Figures, config: Config) -> str:
    """A page fit for a browser and for printing: the charts first, then every table."""
    from html import escape

    parts = [f"<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>"
             f"Kerncijfers {escape(config.naam)} {escape(fig.period.label)}</title><style>"
             "body{font-family:Arial,Helvetica,sans-serif;max-width:60em;margin:2em auto;"
             "color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}"
             "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;"
             "padding:.25em .6em;text-align:left}th{background:#eee}"
             ".chart{max-width:42em;page-break-inside:avoid}.small{color:#555}"
             "</style></head><body>",
             f"<h1>Kerncijfers {escape(config.naam)}</h1>",
             f"<p>Periode: {escape(fig.period.label)}. Aantallen van 1 tot {SMALL} staan als "
             f"&ldquo;{HIDDEN}&rdquo;; in de grafieken ontbreken die balken.</p>"]
    for title, svg in _charts(fig, config):
        parts.append(f"<h2>{escape(title)}</h2><div class=\"chart\">{svg}</div>")
    for table in tables(fig, config):
        parts.append(f"<h2>{escape(table.title)}</h2>")
        if not table.rows:
            parts.append("<p class=\"small\">Geen gegevens in deze periode.</p>")
            continue
        head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
        body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                       for row in table.rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _visible(value: int) -> int | None:
    """A bar's height, or None (no bar) for a count of 1 to 4."""
    return value if value == 0 or value >= SMALL else None


def lead_classes(spread: Spread) -> list[tuple[str, int]]:
    """How many lead times fall in each class of LEAD_CLASSES."""
    counts, lower = [], -1
    for upper, label in LEAD_CLASSES:
        top = upper if upper is not None else 10**9
        counts.append((label, sum(lower < d <= top for d in spread.days)))
        lower = top
    return counts


def months_of(period: Period) -> list[str]:
    """Every month (YYYY-MM) the period touches, in order."""
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _charts(fig: Figures, config: Config) -> list[tuple[str, str]]:
    """(title, inline SVG) per chart: bars per partner, lead-time distribution, meetings
    per month. pygal draws them; no script, no web font, nothing fetched from elsewhere."""
    import pygal
    from pygal.style import Style

    style = Style(background="white", plot_background="white", foreground="#222",
                  foreground_strong="#222", foreground_subtle="#999",
                  colors=("#1f5f8b", "#e08a1e", "#4c9a2a"), font_family="Arial, sans-serif",
                  label_font_size=13, major_label_font_size=13, value_font_size=12,
                  title_font_size=15, legend_font_size=13)
    options = {"style": style, "js": [], "disable_xml_declaration": True, "width": 760,
               "height": 360, "print_values": True, "show_legend": False,
               "explicit_size": False, "margin": 12}

    def bars(labels: Sequence[str], values: Sequence[int], horizontal: bool = False,
             x_title: str = "") -> str:
        chart = (pygal.HorizontalBar if horizontal else pygal.Bar)(
            x_title=x_title or None, **options)
        chart.uuid = f"cijfers-{len(charts) + 1}"  # stable ids: equal figures, equal bytes
        chart.x_labels = list(labels)
        chart.add("aantal", [_visible(v) for v in values])
        return str(chart.render(is_unicode=True))

    charts: list[tuple[str, str]] = []
    if fig.referrals:
        charts.append(("Aanmeldingen per aanmeldende partner",
                       bars(list(fig.referrals), list(fig.referrals.values()), True)))
    if fig.actions:
        charts.append(("Acties per uitvoerende partner",
                       bars(list(fig.actions), list(fig.actions.values()), True)))
    if fig.to_first.n:
        classes = lead_classes(fig.to_first)
        charts.append(("Doorlooptijd aanmelding tot eerste bespreking (casussen)",
                       bars([c[0] for c in classes], [c[1] for c in classes],
                            x_title="dagen")))
    months = months_of(fig.period)
    if fig.meetings:
        chart = pygal.Bar(**options)
        chart.uuid = f"cijfers-{len(charts) + 1}"
        chart.x_labels = [_month(m).split()[0] for m in months]
        chart.add("vergaderingen", [fig.meetings.get(m, 0) for m in months])
        charts.append(("Vergaderingen per maand", str(chart.render(is_unicode=True))))
    return charts

