"""`overleg schedule`: the next meeting dates, and the series as an iCalendar file."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from overleg.cli.common import err, out, print_json, session
from overleg.cli.options import output_path


def schedule(
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=520,
                                       help="Hoeveel vergaderingen tonen.")] = 6,
    ics: Annotated[Path | None, typer.Option(
        "--ics", help="Schrijf de vergaderreeks als één terugkerende afspraak naar dit "
        ".ics-bestand (voor Outlook en andere agenda's).", metavar="BESTAND", parser=output_path,
        show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Uitvoer als JSON.")] = False,
) -> None:
    """Toon de volgende vergaderdata volgens 'schema' in overleg.toml.

    Voorbeeld: overleg schedule --count 10 --ics uit/overleg.ics
    """
    from overleg.schedule import series_calendar, upcoming

    config = session().workspace().config
    start = _first_day()
    slots = upcoming(config, start, count)
    if as_json:
        print_json([{"date": s.day.isoformat(), "start": f"{s.start:%H:%M}",
                     "end": f"{s.end:%H:%M}"} for s in slots])
    elif not slots:
        out("Geen vergaderdata meer volgens het schema.")
    else:
        for slot in slots:
            out(str(slot))
    if ics is not None:
        from overleg.files import write_output

        write_output(ics, series_calendar(config, start))
        err(f"Vergaderreeks geschreven naar {ics} (importeer het bestand in uw agenda).")


def _first_day() -> date:
    """Today, or tomorrow when today's meeting is closed already: a finished meeting is not
    the next one."""
    import sqlite3

    from overleg.agenda import next_unheld
    from overleg.dates import today

    try:
        store = session().store()
    except (OSError, sqlite3.Error):  # a read-only workspace: the schedule alone
        return today()
    return next_unheld(store, today())
