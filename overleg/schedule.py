"""The meeting series: upcoming dates from `schema`, and one recurring iCalendar event.

The series is written as a single VEVENT with the schema's RRULE, so Outlook, Google and
Thunderbird import it as one recurring appointment instead of a pile of loose ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from icalendar import Timezone

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from overleg import dates
from overleg.config import Config
from overleg.errors import ConfigError, InvalidDate

TZID = "Europe/Amsterdam"
# RRULE parts that would give other times than `begintijd` or a second start on one day;
# the meeting time comes from `begintijd` alone.
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


@dataclass(frozen=True)
class Occurrence:
    """One meeting: its date and its start and end (begintijd + duur)."""

    day: date
    start: datetime
    end: datetime

    def __str__(self) -> str:
        """'di 01-12-2026  09:30–11:30'."""
        return f"{dates.fmt_short(self.day)}  {self.start:%H:%M}–{self.end:%H:%M}"


def require_schema(config: Config) -> str:
    """The schedule of overleg.toml, or ConfigError saying how to add one."""
    if not config.schema:
        raise ConfigError("er staat geen 'schema' in [overleg] van overleg.toml, dus er zijn "
                          "geen vergaderdata. Zet er een in, bijv. "
                          "schema = \"FREQ=WEEKLY;BYDAY=TU\" (elke dinsdag).")
    return config.schema


def upcoming(config: Config, start: date, count: int) -> list[Occurrence]:
    """The next `count` meetings on or after `start`."""
    schema = require_schema(config)
    length = timedelta(minutes=config.duur)
    slots = []
    for day in dates.meeting_dates(schema, start, count):
        begin = datetime.combine(day, config.begintijd)
        slots.append(Occurrence(day, begin, begin + length))
    return slots


def _rule_text(schema: str) -> str:
    """The RRULE of a schema, without a DTSTART line, 'RRULE:' prefix or stray spaces."""
    lines = [line.strip() for line in schema.splitlines()]
    rule = next(line for line in lines if line and not line.upper().startswith("DTSTART"))
    rule = re.sub(r"^RRULE:", "", rule, flags=re.IGNORECASE)
    return re.sub(r"[ \t]*;[ \t]*", ";", rule).strip().strip(";")


def _last_meeting(schema: str, first: date, parts: dict[str, list[object]]) -> date | None:
    """The last meeting of a series that ends (UNTIL or COUNT), None when it never ends."""
    if "COUNT" in parts:
        # COUNT counts from the schema's DTSTART, not from `first`: take what is left of it.
        remaining = dates.meeting_dates(schema, first, int(str(parts["COUNT"][0])))
        return remaining[-1] if remaining else first
    if "UNTIL" in parts:
        until = parts["UNTIL"][0]
        return until.date() if isinstance(until, datetime) else until  # type: ignore[return-value]
    return None


def _timezone() -> Timezone:
    """VTIMEZONE for Europe/Amsterdam by rule (as Outlook writes it): valid for every year,
    so a series without an end keeps the right summer and winter times."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    zone = Timezone()
    zone.add("tzid", TZID)
    zone.add("x-lic-location", TZID)
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def series_uid(config: Config) -> str:
    """The same UID for every export of this overleg, so a second import updates the series."""
    digest = hashlib.sha256(config.naam.strip().encode("utf-8")).hexdigest()[:16]
    return f"overleg-reeks-{digest}@overleg"


def series_calendar(config: Config, start: date) -> bytes:
    """One recurring VEVENT for the meetings from `start` on: the schema's RRULE, DTSTART at
    the first meeting's begintijd in Europe/Amsterdam, DURATION from `duur`."""
    from zoneinfo import ZoneInfo

    from icalendar import Calendar, Event, vRecur

    schema = require_schema(config)
    found = upcoming(config, start, 1)
    if not found:
        raise InvalidDate(f"het schema '{schema}' heeft vanaf {dates.fmt(start)} geen "
                          "vergaderdatum meer; pas 'schema' in overleg.toml aan.")
    first = found[0]
    zone = ZoneInfo(TZID)
    parts = dict(vRecur.from_ical(_rule_text(schema)))
    last = _last_meeting(schema, first.day, parts)
    for key in ("COUNT", "UNTIL", *_TIME_PARTS):
        parts.pop(key, None)
    if last is not None:
        # With a DTSTART in a time zone, RFC 5545 wants UNTIL in UTC: the last meeting's start.
        end = datetime.combine(last, config.begintijd, zone).astimezone(ZoneInfo("UTC"))
        parts["UNTIL"] = [end]
    calendar = Calendar()
    calendar.add("prodid", "-//overleg//casusoverleg//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", config.naam)
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(_timezone())
    event = Event()
    event.add("uid", series_uid(config))
    event.add("dtstamp", datetime.now(ZoneInfo("UTC")).replace(microsecond=0))
    event.add("dtstart", datetime.combine(first.day, config.begintijd, zone))
    event.add("duration", timedelta(minutes=config.duur))
    event.add("rrule", vRecur(parts))
    event.add("summary", config.naam)
    if config.locatie:
        event.add("location", config.locatie)
    if config.voorzitter:
        event.add("description", f"Voorzitter: {config.voorzitter}.")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
