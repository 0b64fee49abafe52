"""Warnings where a chair's slip is likely: a recording that is allowed but probably not meant.

Each function returns Dutch sentences (empty when all is well) that the CLI prints on stderr
as "Let op: ..." and the live screen shows under the echo. A warning never stops the
recording and never changes an exit code.
"""

from __future__ import annotations

from datetime import date

from overleg import dates
from overleg.cases import Case
from overleg.model import Meeting, Review
from overleg.store import Store


def deadline(due: date, number: int | None = None) -> list[str]:
    """A deadline in the past is overdue from birth (`number`: the action's, for the advice)."""
    if due < dates.today():
        return [f"de deadline {dates.fmt(due)} ligt in het verleden; de actie staat meteen "
                f"als te laat. Pas hem aan met 'overleg action edit {number or 'NR'} --due "
                "DATUM'."]
    return []


def review_date(next_date: date, schedule: str | None) -> list[str]:
    """A next review that is not a meeting date of the schedule, or more than a year away."""
    found: list[str] = []
    if next_date > dates.add_months(dates.today(), 12):
        found.append(f"de volgende bespreking {dates.fmt(next_date)} ligt meer dan een jaar "
                     "vooruit.")
    if schedule and dates.next_meeting(schedule, next_date) != next_date:
        nearest = dates.next_meeting(schedule, next_date)
        hint = f"; het eerstvolgende overleg is {dates.fmt(nearest)}" if nearest else ""
        found.append(f"{dates.fmt(next_date)} is geen vergaderdatum volgens het schema{hint}.")
    return found


def closing_case(store: Store, case_id: str, screen: bool = False) -> list[str]:
    """A case closed while it still has open actions (`screen`: the advice in the live
    screen's short lines, else as commands)."""
    still = store.actions(case_id=case_id, status="open")
    if not still:
        return []
    numbers = ", ".join(f"#{a.id}" for a in still)
    done, cancel = (("'k NR'", "'x NR REDEN'") if screen else
                    ("'overleg action done NR'", "'overleg action cancel NR --reason ...'"))
    return [f'casus "{case_id}" wordt afgesloten maar heeft nog {len(still)} open '
            f"actie(s): {numbers}. Rond ze af ({done}) of laat ze vervallen ({cancel})."]


def closed_case(store: Store, case: Case, meeting: Meeting | None) -> list[str]:
    """An action on a case that is closed, or that this meeting is closing."""
    closing = meeting is not None and any(
        r.status == "afgesloten" for r in store.reviews(meeting, case.id))
    if case.status == "afgesloten" or closing:
        return [f'casus "{case.id}" is afgesloten; klopt het dat er nog een actie bij komt?']
    return []


def review(store: Store, config_schedule: str | None, result: Review,
           screen: bool = False) -> list[str]:
    """What a recorded review may have got wrong: its date, or closing with open actions."""
    found = review_date(result.next_date, config_schedule) if result.next_date else []
    if result.status == "afgesloten":
        found += closing_case(store, result.case_id, screen)
    return found
