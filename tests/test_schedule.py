"""`overleg schedule`: the next meeting dates and the series as one recurring iCalendar
event; and the all-day deadlines of `overleg mail`'s .ics."""

from __future__ import annotations

import email
import email.policy
import itertools
import json
import stat
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

AMS = ZoneInfo("Europe/Amsterdam")
SCHEMA_LINE = 'schema = "FREQ=WEEKLY;BYDAY=TU"'

LISTING = """\
di 01-12-2026  09:30–11:30
di 08-12-2026  09:30–11:30
di 15-12-2026  09:30–11:30
di 22-12-2026  09:30–11:30
di 29-12-2026  09:30–11:30
di 05-01-2027  09:30–11:30
"""


def set_schema(ws: Path, line: str) -> None:
    """Replace the example's schema line in overleg.toml (an empty line removes it)."""
    toml = ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    assert SCHEMA_LINE in text
    toml.write_text(text.replace(SCHEMA_LINE, line), encoding="utf-8")


def series(path: Path):  # type: ignore[no-untyped-def]
    """The calendar of an .ics file and its one VEVENT."""
    calendar = Calendar.from_ical(path.read_bytes())
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def occurrences(event, limit: int = 50) -> list[datetime]:  # type: ignore[no-untyped-def]
    """The event's starts as a calendar program expands them (at most `limit`)."""
    start = event.decoded("dtstart")
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    return list(itertools.islice(rule, limit))


# --- the listing ----------------------------------------------------------------------------

def test_schedule_lists_the_next_six_meetings_from_today(run, example_ws):
    result = run("schedule")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == LISTING
    assert result.stderr == ""


def test_schedule_count_and_json(run, example_ws):
    assert run("schedule", "--count", "2").stdout == LISTING[:54]
    result = run("schedule", "-n", "2", "--json")
    assert json.loads(result.stdout) == [
        {"date": "2026-12-01", "start": "09:30", "end": "11:30"},
        {"date": "2026-12-08", "start": "09:30", "end": "11:30"},
    ]


def test_a_meeting_on_today_itself_is_listed(run, example_ws, monkeypatch):
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-01")
    assert run("schedule", "-n", "1").stdout == "di 01-12-2026  09:30–11:30\n"


def test_start_time_and_length_come_from_the_config(run, example_ws):
    toml = example_ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('begintijd = "09:30"', 'begintijd = "13:15"')
                    .replace("duur = 120", "duur = 95"), encoding="utf-8")
    assert run("schedule", "-n", "1").stdout == "di 01-12-2026  13:15–14:50\n"


def test_count_must_be_positive(run, example_ws):
    result = run("schedule", "--count", "0")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_without_a_schema_the_error_says_how_to_add_one(run, example_ws, tmp_path):
    set_schema(example_ws, "")
    for args in (("schedule",), ("schedule", "--ics", str(tmp_path / "x.ics"))):
        result = run(*args)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr == (
            "Fout: er staat geen 'schema' in [overleg] van overleg.toml, dus er zijn geen "
            "vergaderdata. Zet er een in, bijv. schema = \"FREQ=WEEKLY;BYDAY=TU\" (elke "
            "dinsdag).\n")
    assert not (tmp_path / "x.ics").exists()


def test_a_schedule_that_has_ended(run, example_ws, tmp_path):
    set_schema(example_ws, 'schema = "FREQ=WEEKLY;BYDAY=TU;UNTIL=20261101"')
    result = run("schedule")
    assert (result.exit_code, result.stdout) == (0, "Geen vergaderdata meer volgens het "
                                                    "schema.\n")
    result = run("schedule", "--ics", str(tmp_path / "x.ics"))
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "Fout: het schema 'FREQ=WEEKLY;BYDAY=TU;UNTIL=20261101' heeft vanaf 28-11-2026 geen "
        "vergaderdatum meer; pas 'schema' in overleg.toml aan.\n")


# --- the series as iCalendar -------------------------------------------------------------------

def test_ics_is_one_recurring_event_with_the_schemas_rule(run, example_ws, tmp_path):
    target = tmp_path / "agenda" / "overleg.ics"
    result = run("schedule", "--ics", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == LISTING
    assert result.stderr == (f"Vergaderreeks geschreven naar {target} (importeer het bestand "
                             "in uw agenda).\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    calendar, event = series(target)
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["method"]) == "PUBLISH"
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert event["dtstart"].to_ical() == b"20261201T093000"
    assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 9, 30, tzinfo=AMS)
    assert event.decoded("duration") == timedelta(minutes=120)
    assert str(event["summary"]) == "Casusoverleg Zorg en Veiligheid Den Haag Zuid"
    assert str(event["location"]) == "Veiligheidshuis Haaglanden, zaal 2"
    assert "dtend" not in event and "count" not in event["rrule"]
    assert [d.date() for d in occurrences(event, 6)] == [
        date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22),
        date(2026, 12, 29), date(2027, 1, 5)]


def test_vtimezone_gives_amsterdam_winter_and_summer_time(run, example_ws, tmp_path):
    run("schedule", "--ics", str(tmp_path / "s.ics"))
    calendar, _ = series(tmp_path / "s.ics")
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Amsterdam"
    tz = zone.to_tz()
    for moment in (datetime(2026, 12, 1, 9, 30), datetime(2027, 6, 8, 9, 30),
                   datetime(2031, 3, 25, 9, 30), datetime(2031, 3, 31, 9, 30),
                   datetime(2040, 10, 30, 9, 30)):
        assert moment.replace(tzinfo=tz).utcoffset() == moment.replace(
            tzinfo=AMS).utcoffset(), moment


def test_uid_is_stable_across_exports(run, example_ws, tmp_path, monkeypatch):
    run("schedule", "--ics", str(tmp_path / "a.ics"))
    monkeypatch.setenv("OVERLEG_TODAY", "2027-02-03")
    run("schedule", "--ics", str(tmp_path / "b.ics"))
    (_, first), (_, second) = series(tmp_path / "a.ics"), series(tmp_path / "b.ics")
    assert str(first["uid"]) == str(second["uid"])
    assert str(first["uid"]).startswith("overleg-reeks-")
    assert second.decoded("dtstart") == datetime(2027, 2, 9, 9, 30, tzinfo=AMS)


@pytest.mark.parametrize(("schema", "rule", "expected"), [
    # Every other Tuesday, anchored as `meeting_dates` anchors it (not on today).
    ('"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"', b"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", None),
    ('"FREQ=MONTHLY;BYDAY=1TH"', b"FREQ=MONTHLY;BYDAY=1TH", None),
    ('"FREQ=WEEKLY; BYDAY=TU,TH;"', b"FREQ=WEEKLY;BYDAY=TU,TH", None),
    # An end date: UNTIL becomes the last meeting's start in UTC, as RFC 5545 wants.
    ('"FREQ=WEEKLY;BYDAY=TU;UNTIL=20261222"',
     b"FREQ=WEEKLY;UNTIL=20261222T083000Z;BYDAY=TU",
     [date(2026, 12, 1), date(2026, 12, 8), date(2026, 12, 15), date(2026, 12, 22)]),
    # COUNT counts from the schema's DTSTART: only the meetings still to come remain.
    ('"DTSTART:20261103\\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=5"',
     b"FREQ=WEEKLY;UNTIL=20261229T083000Z;INTERVAL=2;BYDAY=TU",
     [date(2026, 12, 1), date(2026, 12, 15), date(2026, 12, 29)]),
])
def test_the_calendar_series_holds_the_same_dates_as_the_listing(run, example_ws, tmp_path,
                                                                schema, rule, expected):
    set_schema(example_ws, f"schema = {schema}")
    result = run("schedule", "--count", "12", "--json", "--ics", str(tmp_path / "s.ics"))
    assert result.exit_code == 0, result.stderr
    listed = [date.fromisoformat(m["date"]) for m in json.loads(result.stdout)]
    _, event = series(tmp_path / "s.ics")
    assert event["rrule"].to_ical() == rule
    starts = occurrences(event, 12)
    assert all(s.time() == time(9, 30) and s.tzinfo == AMS for s in starts)
    assert [s.date() for s in starts] == listed
    if expected is not None:
        assert listed == expected


# --- the deadlines in `overleg mail` ------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_mail_ics_has_all_day_deadlines_with_case_id_and_task_never_initials(run, example_ws):
    def ok(*args: str) -> None:
        result = run(*args)
        assert result.exit_code == 0, result.stderr

    ok("meeting", "start", "--date", "2026-12-01")
    ok("action", "add", "2026-014", "--owner", "WT", "--who", "S. Öztürk", "--due", "15-12",
       "Huisbezoek afleggen")
    ok("action", "add", "2026-022", "--owner", "WT", "--due", "2026-12-20", "Buren spreken")
    ok("meeting", "close")
    ok("mail")
    message = email.message_from_bytes(
        (example_ws / "uit" / "mail" / "verslag-2026-12-01-WT.eml").read_bytes(),
        policy=email.policy.default)
    (attachment,) = message.iter_attachments()
    raw = attachment.get_content().encode()
    events = Calendar.from_ical(raw).walk("VEVENT")
    assert [(e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"])) for e in events] == [
        (date(2026, 12, 15), date(2026, 12, 16), "Actie #1 casus 2026-014: Huisbezoek afleggen"),
        (date(2026, 12, 20), date(2026, 12, 21), "Actie #2 casus 2026-022: Buren spreken"),
    ]
    assert all(type(e.decoded("dtstart")) is date for e in events)  # all-day, not a time
    assert b"VALUE=DATE" in raw
    for initials in ("J.d.V.", "J.d.V", "K.B.", "1991", "1979"):  # 2026-014 and 2026-022
        assert initials.encode() not in raw
