"""Dutch and relative dates, and the meeting schedule; the only module that imports dateutil.

Common date forms are read by regular expressions; dateutil is imported lazily, only for
month arithmetic and the RRULE schedule, so start-up stays fast.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from overleg.errors import InvalidDate

if TYPE_CHECKING:
    from dateutil.rrule import rrule

MONTHS: tuple[str, ...] = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
WEEKDAYS: tuple[str, ...] = (
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
)

MIN_YEAR, MAX_YEAR = 1900, 2200
_HINT = "gebruik bijv. 2026-12-01, 1-12-2026 of 1 december 2026"
_HINT_REL = "gebruik bijv. 2026-12-01, 1-12-2026, 15-12, morgen, +2w, over 2 weken of dinsdag"

# re.ASCII: \d must not accept Arabic-Indic or other Unicode digits.
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_NUMERIC = re.compile(r"(\d{4}|\d{1,2})([-/.])(\d{1,2})\2(\d{1,4})", re.ASCII)
_DAY_MONTH = re.compile(r"(\d{1,2})[-/.](\d{1,2})", re.ASCII)
_LONG = re.compile(r"(\d{1,2}) ([a-z]+)\.?(?: (\d{1,4}))?", re.ASCII)
_WEEKDAY_PREFIX = re.compile(r"([a-z]+)\.?,? (.+)", re.ASCII)
_OFFSET = re.compile(r"(?:([+-]) ?|over )(\d{1,5}|een|één) ?([a-z]+)", re.ASCII)
_TIME = re.compile(r"(\d{1,2})[:.](\d{2})", re.ASCII)

_KEYWORDS = {"vandaag": 0, "morgen": 1, "overmorgen": 2, "gisteren": -1}
_WEEKDAY_NAMES = {n: i for i, name in enumerate(WEEKDAYS) for n in (name, name[:2])}
# Any prefix of three letters or more tells the Dutch months apart (jan, feb, maa, jun, jul...).
_MONTH_NAMES = {"mrt": 3} | {
    name[:k]: i + 1 for i, name in enumerate(MONTHS) for k in range(3, len(name) + 1)
}
_UNITS = {
    **dict.fromkeys(("d", "dag", "dagen"), "days"),
    **dict.fromkeys(("w", "wk", "week", "weken"), "weeks"),
    **dict.fromkeys(("m", "mnd", "maand", "maanden"), "months"),
}
# A Monday that is also 1 January: week, month and year blocks of a schedule line up on it.
_EPOCH = date(1900, 1, 1)
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def today() -> date:
    """Today, or the ISO date in $OVERLEG_TODAY when it is set."""
    if not (raw := os.environ.get("OVERLEG_TODAY", "").strip()):
        return date.today()
    bad = InvalidDate(
        f"$OVERLEG_TODAY = '{raw}' is geen geldige datum (gebruik jjjj-mm-dd, bijv. 2026-11-28)"
    )
    if not _ISO.fullmatch(raw):
        raise bad
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad from None


_system_today = today  # parse_date's keyword argument `today` shadows the function


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _invalid(text: str, hint: str) -> InvalidDate:
    return InvalidDate(f"'{text.strip()}' is geen geldige datum ({hint})")


def _out_of_range(text: str) -> InvalidDate:
    return InvalidDate(f"'{text.strip()}' valt buiten de jaren {MIN_YEAR}..{MAX_YEAR}")


def _in_range(d: date, text: str) -> date:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise _out_of_range(text)
    return d


def _parts(s: str, text: str) -> tuple[int | None, int, int] | None:
    """(year or None, month, day) of an absolute form, None when `s` is no such form."""
    if m := _NUMERIC.fullmatch(s):
        first, _, month, last = m.groups()
        if len(first) == 4:  # year first is always year-month-day, never dayfirst
            return int(first), int(month), int(last)
        if len(last) == 4:
            return int(last), int(month), int(first)
    elif m := _DAY_MONTH.fullmatch(s):
        return None, int(m[2]), int(m[1])
    elif (m := _LONG.fullmatch(s)) and (month_no := _MONTH_NAMES.get(m[2])):
        if m[3] is None:
            return None, month_no, int(m[1])
        if len(m[3]) == 4:
            return int(m[3]), month_no, int(m[1])
    else:
        return None
    raise InvalidDate(
        f"'{text.strip()}' is geen geldige datum: schrijf het jaar met vier cijfers"
        " (bijv. 1-12-2026)"
    )


def _absolute(s: str, text: str, base: date | None) -> date:
    """A written date; without a year the first one from `base` on (refused when base is None)."""
    hint = _HINT if base is None else _HINT_REL
    weekday = None
    # Accept what fmt_long and fmt_short write ('dinsdag 1 december 2026', 'di 01-12-2026').
    if (m := _WEEKDAY_PREFIX.fullmatch(s)) and m[1] in _WEEKDAY_NAMES:
        weekday, s = _WEEKDAY_NAMES[m[1]], m[2]
    parts = _parts(s, text)
    if parts is None:
        raise _invalid(text, hint)
    year, month, day = parts
    if year is not None:
        try:
            d = _in_range(date(year, month, day), text)
        except ValueError:
            raise _invalid(text, hint) from None
    elif base is not None:
        d = _next_day_month(month, day, base, text)
    else:
        raise InvalidDate(
            f"'{text.strip()}' is geen geldige datum: het jaar ontbreekt (bijv. 1-12-2026)"
        )
    if weekday is not None and d.weekday() != weekday:
        raise InvalidDate(f"'{text.strip()}' klopt niet: {fmt(d)} is een {weekday_name(d)}")
    return d


def parse_strict(text: str) -> date:
    """A written date (ISO or Dutch day-first, no relative forms), as in a case file."""
    if not (s := _norm(text)):
        raise InvalidDate(f"geen datum opgegeven ({_HINT})")
    return _absolute(s, text, None)


def _shift(base: date, n: int, unit: str, text: str) -> date:
    try:
        if unit == "months":
            from dateutil.relativedelta import relativedelta

            return _in_range(base + relativedelta(months=n), text)
        return _in_range(base + timedelta(**{unit: n}), text)
    except (OverflowError, ValueError):
        raise _out_of_range(text) from None


def _next_day_month(month: int, day: int, base: date, text: str) -> date:
    # Nine years always reach a leap year (1900 and 2100 skip one), so 29-02 is found.
    for year in range(base.year, base.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= base:
            return _in_range(candidate, text)
    raise _invalid(text, _HINT_REL)


def parse_date(text: str, *, today: date | None = None, schedule: str | None = None,
               after: date | None = None) -> date:
    """A date as the chair types it: absolute, or relative to `today` (see DESIGN.md 5).

    `volgende` is the first date of `schedule` strictly after today, and after `after` too
    (the open meeting's date): on a meeting day, or while a meeting is open, the next one."""
    base = today if today is not None else _system_today()
    s = _norm(text)
    if not s:
        raise InvalidDate(f"geen datum opgegeven ({_HINT_REL})")
    if s in _KEYWORDS:
        return _shift(base, _KEYWORDS[s], "days", text)
    if s == "volgende":
        if schedule is None:
            raise InvalidDate(
                "'volgende' kan niet: er staat geen 'schema' in overleg.toml"
                " (bijv. schema = \"FREQ=WEEKLY;BYDAY=TU\")"
            )
        last = max(base, after) if after is not None else base
        found = next_meeting(schedule, _shift(last, 1, "days", text))
        if found is None:
            raise InvalidDate(f"'volgende': het schema heeft na {fmt(last)} geen datum meer")
        return found
    if s in _WEEKDAY_NAMES:  # strictly after today: 'dinsdag' on a Tuesday is next week
        return _shift(base, (_WEEKDAY_NAMES[s] - base.weekday() - 1) % 7 + 1, "days", text)
    if (m := _OFFSET.fullmatch(s)) and m[3] in _UNITS:
        n = 1 if m[2] in ("een", "één") else int(m[2])
        return _shift(base, -n if m[1] == "-" else n, _UNITS[m[3]], text)
    return _absolute(s, text, base)


def _anchor(freq: str, interval: int, start: date) -> datetime:
    """The start of the block of `interval` periods, counted from _EPOCH, that holds `start`."""
    start = max(start, _EPOCH)
    if freq in ("DAILY", "WEEKLY"):
        step = interval * (7 if freq == "WEEKLY" else 1)
        d = _EPOCH + timedelta(days=(start - _EPOCH).days // step * step)
    else:
        step = interval * (12 if freq == "YEARLY" else 1)
        months = ((start.year - _EPOCH.year) * 12 + start.month - 1) // step * step
        d = date(_EPOCH.year + months // 12, months % 12 + 1, 1)
    return datetime(d.year, d.month, d.day)


def _compile(schedule: str, start: date) -> tuple[rrule | None, str | None]:
    from dateutil.rrule import rrule, rrulestr

    # A meeting date is a calendar date: a time zone on DTSTART only breaks comparisons.
    text = re.sub(r"DTSTART;TZID=[^:]*:", "DTSTART:", schedule, flags=re.IGNORECASE)
    # dateutil chokes on 'FREQ=WEEKLY; BYDAY=TU;', an easy slip in a hand-edited toml file.
    text = re.sub(r"[ \t]*;[ \t]*", ";", text).strip().strip(";")
    upper = text.upper()
    if not text:
        return None, "het schema is leeg"
    freq = re.search(r"FREQ=(\w+)", upper)
    interval = re.search(r"INTERVAL=(\d+)", upper)
    has_start = "DTSTART" in upper
    try:
        anchor = datetime(1900, 1, 1) if has_start or freq is None else _anchor(
            freq[1], int(interval[1]) if interval else 1, start
        )
        rule = rrulestr(text, dtstart=anchor, ignoretz=True)
    except Exception as exc:  # dateutil raises ValueError, TypeError, KeyError... for bad rules
        # Its English messages mostly quote the faulty part ("invalid 'BYDAY': XX"): name that.
        part = re.search(r"'(\w+)'", str(exc))
        where = f" (fout bij {part[1].upper()})" if part else ""
        return None, f"geen geldige RRULE{where}; bijv. FREQ=WEEKLY;BYDAY=TU"
    if not isinstance(rule, rrule) or freq is None:
        return None, "gebruik één RRULE-regel, eventueel met een DTSTART-regel"
    if freq[1] not in _FREQS:
        return None, "FREQ moet DAILY, WEEKLY, MONTHLY of YEARLY zijn"
    if not has_start and "COUNT=" in upper:
        return None, "COUNT kan alleen met een DTSTART-regel; gebruik UNTIL"
    if not has_start and freq[1] == "WEEKLY" and "BYDAY=" not in upper:
        return None, "noem de dag, bijv. FREQ=WEEKLY;BYDAY=TU"
    return rule, None


def check_schedule(schedule: str) -> str | None:
    """None when `schedule` is a usable RRULE, else a short Dutch reason."""
    return _compile(schedule, _EPOCH)[1]


def meeting_dates(schedule: str, start: date, count: int) -> list[date]:
    """The first `count` meeting dates on or after `start`.

    Without a DTSTART line the schedule is anchored on the fixed date 1900-01-01 (a Monday,
    1 January), not on `start`: with INTERVAL=2 the same alternate weeks (months, ...) are
    meetings whatever date one counts from. A DTSTART line in the schedule sets the anchor
    (and the first meeting) instead: 'DTSTART:20261208\\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU'.
    """
    rule, reason = _compile(schedule, start)
    if rule is None:
        raise InvalidDate(f"schema '{schedule}' is ongeldig: {reason}")
    found: list[date] = []
    if count <= 0:
        return found
    # xafter with inc=True at midnight includes a meeting later on `start` itself.
    for dt in rule.xafter(datetime(start.year, start.month, start.day), inc=True):
        if not found or dt.date() != found[-1]:  # BYHOUR may repeat a day
            found.append(dt.date())
        if len(found) == count:
            break
    return found


def next_meeting(schedule: str, on_or_after: date) -> date | None:
    """The first meeting date on or after `on_or_after`, None when the schedule has ended."""
    found = meeting_dates(schedule, on_or_after, 1)
    return found[0] if found else None


def parse_time(text: str) -> time:
    """A clock time: '09:30', '9:30' or '9.30'."""
    m = _TIME.fullmatch(text.strip())
    if m and int(m[1]) < 24 and int(m[2]) < 60:
        return time(int(m[1]), int(m[2]))
    raise InvalidDate(f"'{text.strip()}' is geen geldige tijd (gebruik bijv. 09:30)")


def fmt(d: date) -> str:
    """dd-mm-jjjj, as documents write dates: '01-12-2026'."""
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def fmt_long(d: date) -> str:
    """'dinsdag 1 december 2026'."""
    return f"{weekday_name(d)} {d.day} {MONTHS[d.month - 1]} {d.year}"


def fmt_short(d: date) -> str:
    """'di 01-12-2026', for echoing a deadline back to the chair."""
    return f"{weekday_name(d)[:2]} {fmt(d)}"


def weekday_name(d: date) -> str:
    """The Dutch weekday name: 'dinsdag'."""
    return WEEKDAYS[d.weekday()]


def add_months(d: date, months: int) -> date:
    """`d` plus whole calendar months; the day is capped at the month's last ('31-01' + 1 is
    '28-02' or '29-02'), as a legal term of "one month" counts."""
    from dateutil.relativedelta import relativedelta

    result: date = d + relativedelta(months=months)
    return result
