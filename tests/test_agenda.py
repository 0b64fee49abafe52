"""Agenda selection, order and time slots (pure), and the agenda operations on a real Store."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overleg import agenda
from overleg.agenda import (
    REASON_LABELS,
    Selected,
    add_to_agenda,
    agenda_view,
    build_agenda,
    default_date,
    drop_from_agenda,
    meeting_for,
    move_on_agenda,
    reasons_for,
    select_agenda,
    time_slots,
)
from overleg.casecache import load_cases
from overleg.cases import Case, Toezicht
from overleg.config import Config, Partner, parse_config
from overleg.errors import InvalidInput, MeetingClosed, MeetingNotFound, OverlegError
from overleg.frontmatter import write_back
from overleg.model import History, Item, Meeting
from overleg.store import Store
from overleg.workspace import load_workspace

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# The rules of DESIGN 4 as such: triage (on in the example workspace) is tested in
# tests/test_triage.py.
CONFIG = dataclasses.replace(parse_config((EXAMPLES / "overleg.toml").read_text(encoding="utf-8")),
                 triage=False)
D = date(2026, 12, 1)  # the meeting date used throughout
NOV17 = date(2026, 11, 17)


def make_case(case_id: str = "2026-100", **changes: object) -> Case:
    """A valid active case without any reason to be on the agenda, changed as asked."""
    base = Case(id=case_id, initialen="X.Y.", status="actief", aangemeld_op=date(2026, 1, 5),
                aangemeld_door="RN", partners=("RN", "POL"), path=Path(f"{case_id}.md"),
                geboortejaar=1980, bespreken=date(2027, 3, 1))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def toezicht(einde: date) -> Toezicht:
    return Toezicht(einde, ("meldplicht",))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "test.db", actor="test")
    yield s
    s.close()


def test_reason_labels_in_design_order():
    assert list(REASON_LABELS.items()) == [
        ("new", "nieuwe aanmelding"),
        ("requested", "op verzoek"),
        ("review", "evaluatie"),
        ("actions_due", "acties verlopen"),
        ("supervision_ending", "toezicht loopt af"),
        ("carried_over", "aangehouden"),
    ]


# --- every reason without history ------------------------------------------------------

NO_HISTORY = [
    ("nothing", {}, {}),
    ("new", {"status": "aangemeld", "aangemeld_op": date(2026, 11, 19)},
     {"new": date(2026, 11, 19)}),
    ("new even when registered after D", {"status": "aangemeld", "aangemeld_op": date(2026, 12, 5)},
     {"new": date(2026, 12, 5)}),
    ("requested", {"agenda": True}, {"requested": D}),
    ("review on D", {"bespreken": D}, {"review": D}),
    ("review overdue", {"bespreken": date(2026, 10, 6)}, {"review": date(2026, 10, 6)}),
    ("review after D", {"bespreken": date(2026, 12, 2)}, {}),
    ("no review date", {"bespreken": None}, {}),
    ("supervision ends in N days", {"toezicht": toezicht(date(2026, 12, 31))},
     {"supervision_ending": date(2026, 12, 31)}),
    ("supervision ends tomorrow", {"toezicht": toezicht(date(2026, 12, 2))},
     {"supervision_ending": date(2026, 12, 2)}),
    ("supervision ends in N+1 days", {"toezicht": toezicht(date(2027, 1, 1))}, {}),
    ("supervision ends on D", {"toezicht": toezicht(D)}, {}),
    ("supervision ended", {"toezicht": toezicht(date(2026, 11, 1))}, {}),
    ("supervision without end", {"toezicht": Toezicht(None, ("meldplicht",))}, {}),
    ("closed case never", {"status": "afgesloten", "agenda": True, "bespreken": D,
                           "afgesloten_op": date(2026, 11, 1),
                           "toezicht": toezicht(date(2026, 12, 10))}, {}),
    ("nazorg counts", {"status": "nazorg", "bespreken": date(2026, 11, 24)},
     {"review": date(2026, 11, 24)}),
    ("several, in label order", {"status": "aangemeld", "aangemeld_op": date(2026, 11, 2),
                                 "agenda": True, "bespreken": date(2026, 11, 30),
                                 "toezicht": toezicht(date(2026, 12, 20))},
     {"new": date(2026, 11, 2), "requested": D, "review": date(2026, 11, 30),
      "supervision_ending": date(2026, 12, 20)}),
]


@pytest.mark.parametrize(("changes", "expected"), [(c, e) for _, c, e in NO_HISTORY],
                         ids=[name for name, _, _ in NO_HISTORY])
def test_reasons_without_history(changes, expected):
    found = reasons_for(make_case(**changes), History(), D, CONFIG)
    assert found == expected
    assert list(found) == [code for code in REASON_LABELS if code in expected]


@pytest.mark.parametrize(("days", "einde", "expected"), [
    (10, date(2026, 12, 11), True),
    (10, date(2026, 12, 12), False),
    (0, date(2026, 12, 2), False),
])
def test_supervision_window_follows_toezicht_dagen(days, einde, expected):
    config = dataclasses.replace(CONFIG, toezicht_dagen=days)
    found = reasons_for(make_case(toezicht=toezicht(einde)), History(), D, config)
    assert ("supervision_ending" in found) is expected


# --- reasons that depend on earlier meetings, recorded through the Store ---------------

def meeting_on(store: Store, on: date, *case_ids: str, dropped: tuple[str, ...] = ()) -> Meeting:
    """A planned meeting with these cases on its agenda (and some dropped)."""
    meeting = store.create_meeting(on)
    items = [Item(0, meeting.id, cid, n, ("review",), 10) for n, cid in enumerate(case_ids, 1)]
    items += [Item(0, meeting.id, cid, 90 + n, ("new",), 10, dropped=True)
              for n, cid in enumerate(dropped)]
    store.replace_items(meeting, items, "test.items")
    return meeting


def close(store: Store, meeting: Meeting) -> Meeting:
    return store.set_meeting_status(meeting, "closed", "meeting.close")


def discuss(store: Store, meeting: Meeting, case_id: str, how: str = "note") -> None:
    if how in ("note", "decision"):
        store.add_entry(meeting, case_id, how, "tekst")
    elif how == "review":
        store.add_review(meeting, case_id, date(2027, 2, 1), None)
    elif how == "action":
        store.add_action(case_id, "POL", None, "doen", date(2027, 2, 1), meeting)
    elif how == "action_done":
        action = store.add_action(case_id, "POL", None, "doen", date(2027, 2, 1), None)
        store.complete_action(action, None, meeting)


@pytest.mark.parametrize("how", ["note", "decision", "review", "action", "action_done"])
def test_each_kind_of_record_counts_as_discussed(store, how):
    meeting = meeting_on(store, date(2026, 11, 24), "2026-100")
    discuss(store, meeting, "2026-100", how)
    close(store, meeting)
    case = make_case(bespreken=date(2026, 11, 24))
    assert reasons_for(case, store.history(before=D), D, CONFIG) == {}


def test_action_done_outside_a_meeting_is_no_discussion(store):
    meeting = close(store, meeting_on(store, date(2026, 11, 24), "2026-100"))
    action = store.add_action("2026-100", "POL", None, "doen", date(2027, 2, 1), None)
    store.complete_action(action, None, None)
    case = make_case(bespreken=date(2026, 11, 24))
    assert reasons_for(case, store.history(before=D), D, CONFIG) == {
        "review": date(2026, 11, 24), "carried_over": meeting.date}


Scenario = Callable[[Store], None]


def _review_discussed_after(store: Store) -> None:
    discuss(store, meeting_on(store, date(2026, 11, 17), "2026-100"), "2026-100")


def _review_discussed_on_bespreken(store: Store) -> None:
    discuss(store, meeting_on(store, date(2026, 11, 10), "2026-100"), "2026-100")


def _review_discussed_before(store: Store) -> None:
    discuss(store, meeting_on(store, date(2026, 11, 3), "2026-100"), "2026-100")


def _review_discussed_on_d(store: Store) -> None:
    discuss(store, meeting_on(store, D, "2026-100"), "2026-100")


def _action_due(store: Store) -> None:
    meeting = meeting_on(store, date(2026, 11, 3), "2026-100")
    store.add_action("2026-100", "POL", None, "later", date(2026, 11, 30), meeting)
    store.add_action("2026-100", "RN", None, "eerst", date(2026, 11, 20), meeting)
    store.add_action("2026-100", "RN", None, "na D", date(2026, 12, 8), meeting)


def _action_due_on_d(store: Store) -> None:
    store.add_action("2026-100", "POL", None, "zonder overleg", D, None)


def _action_due_after_d(store: Store) -> None:
    store.add_action("2026-100", "POL", None, "na D", date(2026, 12, 2), None)


def _action_done(store: Store) -> None:
    action = store.add_action("2026-100", "POL", None, "af", date(2026, 11, 20), None)
    store.complete_action(action, "klaar", None)


def _action_of_later_meeting(store: Store) -> None:
    meeting = meeting_on(store, date(2026, 12, 8), "2026-100")
    store.add_action("2026-100", "POL", None, "later overleg", date(2026, 11, 30), meeting)


def _supervision_discussed_in_window(store: Store) -> None:
    discuss(store, meeting_on(store, date(2026, 11, 20), "2026-100"), "2026-100")


def _supervision_discussed_before_window(store: Store) -> None:
    discuss(store, meeting_on(store, date(2026, 11, 19), "2026-100"), "2026-100")


def _carried_over(store: Store) -> None:
    close(store, meeting_on(store, date(2026, 11, 17), "2026-100"))


def _carried_over_twice(store: Store) -> None:
    close(store, meeting_on(store, date(2026, 11, 10), "2026-100"))
    close(store, meeting_on(store, date(2026, 11, 17), "2026-100"))


def _carried_over_after_discussion(store: Store) -> None:
    first = meeting_on(store, date(2026, 11, 3), "2026-100")
    discuss(store, first, "2026-100")
    close(store, first)
    close(store, meeting_on(store, date(2026, 11, 10), "2026-100"))
    close(store, meeting_on(store, date(2026, 11, 17), "2026-100"))


def _discussed_at_closed_meeting(store: Store) -> None:
    meeting = meeting_on(store, date(2026, 11, 17), "2026-100")
    discuss(store, meeting, "2026-100", "decision")
    close(store, meeting)


def _discussed_since(store: Store) -> None:
    close(store, meeting_on(store, date(2026, 11, 10), "2026-100"))
    discuss(store, meeting_on(store, date(2026, 11, 17)), "2026-100", "note")


def _on_open_agenda_only(store: Store) -> None:
    meeting = meeting_on(store, date(2026, 11, 17), "2026-100")
    store.set_meeting_status(meeting, "open", "meeting.start")


def _dropped_from_closed_agenda(store: Store) -> None:
    close(store, meeting_on(store, date(2026, 11, 17), dropped=("2026-100",)))


def _closed_on_d(store: Store) -> None:
    close(store, meeting_on(store, D, "2026-100"))


HISTORY = [
    ("review discussed after bespreken", {"bespreken": date(2026, 11, 10)},
     _review_discussed_after, {}),
    ("review discussed on bespreken", {"bespreken": date(2026, 11, 10)},
     _review_discussed_on_bespreken, {}),
    ("review discussed before bespreken", {"bespreken": date(2026, 11, 10)},
     _review_discussed_before, {"review": date(2026, 11, 10)}),
    ("review: a meeting on D is not history", {"bespreken": date(2026, 11, 10)},
     _review_discussed_on_d, {"review": date(2026, 11, 10)}),
    ("actions due: earliest deadline", {}, _action_due, {"actions_due": date(2026, 11, 20)}),
    ("actions due on D, no meeting", {}, _action_due_on_d, {"actions_due": D}),
    ("action due after D", {}, _action_due_after_d, {}),
    ("done action", {}, _action_done, {}),
    ("action of a later meeting", {}, _action_of_later_meeting, {}),
    ("supervision discussed in window", {"toezicht": toezicht(date(2026, 12, 20))},
     _supervision_discussed_in_window, {}),
    ("supervision discussed before window", {"toezicht": toezicht(date(2026, 12, 20))},
     _supervision_discussed_before_window, {"supervision_ending": date(2026, 12, 20)}),
    ("carried over", {}, _carried_over, {"carried_over": date(2026, 11, 17)}),
    ("carried over twice: the first", {}, _carried_over_twice,
     {"carried_over": date(2026, 11, 10)}),
    ("carried over since the last discussion", {}, _carried_over_after_discussion,
     {"carried_over": date(2026, 11, 10)}),
    ("discussed at the closed meeting", {}, _discussed_at_closed_meeting, {}),
    ("discussed since", {}, _discussed_since, {}),
    ("open meeting does not carry over", {}, _on_open_agenda_only, {}),
    ("dropped item does not carry over", {}, _dropped_from_closed_agenda, {}),
    ("closed meeting on D is not history", {}, _closed_on_d, {}),
]


@pytest.mark.parametrize(("changes", "scenario", "expected"),
                         [(c, s, e) for _, c, s, e in HISTORY],
                         ids=[name for name, _, _, _ in HISTORY])
def test_reasons_with_history(store, changes, scenario, expected):
    scenario(store)
    found = reasons_for(make_case(**changes), store.history(before=D), D, CONFIG)
    assert found == expected


# --- order -----------------------------------------------------------------------------

def ids(selected: list[Selected]) -> list[str]:
    return [s.case_id for s in selected]


TIE_BREAKS = [
    ("priority beats an earlier trigger",
     make_case("2026-200", prioriteit="laag", bespreken=date(2026, 1, 1)),
     make_case("2026-100", prioriteit="hoog", agenda=True), ["2026-100", "2026-200"]),
    ("midden between hoog and laag",
     make_case("2026-300", prioriteit="laag", agenda=True),
     make_case("2026-200", prioriteit="midden", agenda=True), ["2026-200", "2026-300"]),
    ("earliest trigger within a priority",
     make_case("2026-100", agenda=True),
     make_case("2026-200", bespreken=date(2026, 11, 30)), ["2026-200", "2026-100"]),
    ("the earliest of a case's reasons counts",
     make_case("2026-100", bespreken=date(2026, 11, 20)),
     make_case("2026-200", agenda=True, status="aangemeld", aangemeld_op=date(2026, 11, 2)),
     ["2026-200", "2026-100"]),
    ("id as text on equal trigger",
     make_case("2026-9", agenda=True), make_case("2026-10", agenda=True),
     ["2026-10", "2026-9"]),
    ("id as text: case matters",
     make_case("a-1", agenda=True), make_case("B-1", agenda=True), ["B-1", "a-1"]),
]


@pytest.mark.parametrize(("first", "second", "expected"), [(a, b, e) for _, a, b, e in TIE_BREAKS],
                         ids=[name for name, _, _, _ in TIE_BREAKS])
def test_tie_breaks(first, second, expected):
    assert ids(select_agenda([first, second], History(), D, CONFIG)) == expected
    assert ids(select_agenda([second, first], History(), D, CONFIG)) == expected


def test_selected_carries_reasons_trigger_and_minutes():
    cases = [make_case("2026-100", status="aangemeld", aangemeld_op=date(2026, 11, 2),
                       agenda=True),
             make_case("2026-101", status="aangemeld", aangemeld_op=date(2026, 11, 3),
                       minuten=25),
             make_case("2026-102", bespreken=D),
             make_case("2026-103", bespreken=D, minuten=5)]
    assert select_agenda(cases, History(), D, CONFIG) == [
        Selected("2026-100", ("new", "requested"), date(2026, 11, 2), 15),
        Selected("2026-101", ("new",), date(2026, 11, 3), 25),
        Selected("2026-102", ("review",), D, 10),
        Selected("2026-103", ("review",), D, 5),
    ]


_dates = st.dates(min_value=date(2026, 6, 1), max_value=date(2027, 3, 1))
_cases = st.builds(
    lambda n, status, prio, agenda_, bespreken, einde, aangemeld: make_case(
        f"2026-{n:03d}", status=status, prioriteit=prio, agenda=agenda_, bespreken=bespreken,
        toezicht=toezicht(einde) if einde else None, aangemeld_op=aangemeld),
    st.integers(0, 999), st.sampled_from(["aangemeld", "actief", "nazorg", "afgesloten"]),
    st.sampled_from(["hoog", "midden", "laag"]), st.booleans(), st.none() | _dates,
    st.none() | _dates, _dates)
_case_lists = st.lists(_cases, max_size=25, unique_by=lambda c: c.id)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(cases=_case_lists, data=st.data())
def test_order_is_total_and_deterministic(cases, data):
    expected = select_agenda(cases, History(), D, CONFIG)
    shuffled = data.draw(st.permutations(cases))
    assert select_agenda(shuffled, History(), D, CONFIG) == expected
    rank = {"hoog": 0, "midden": 1, "laag": 2}
    by_id = {c.id: c for c in cases}
    keys = [(rank[by_id[s.case_id].prioriteit], s.trigger, s.case_id) for s in expected]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert {s.case_id for s in expected} == {
        c.id for c in cases if c.status != "afgesloten" and reasons_for(c, History(), D, CONFIG)}


# --- time slots ------------------------------------------------------------------------

def items(*minutes: int) -> list[Item]:
    return [Item(n, 1, f"2026-{n:03d}", n, ("review",), m) for n, m in enumerate(minutes, 1)]


def test_time_slots_count_from_begintijd_and_mark_what_does_not_fit():
    slots = time_slots(items(15, 45, 60, 1), CONFIG)
    assert [(s.position, s.start, s.end, s.fits) for s in slots] == [
        (1, time(9, 30), time(9, 45), True),
        (2, time(9, 45), time(10, 30), True),
        (3, time(10, 30), time(11, 30), True),  # ends exactly at begintijd + duur: fits
        (4, time(11, 30), time(11, 31), False),
    ]


def test_time_slots_keep_item_details_and_renumber():
    source = [Item(7, 1, "2026-050", 4, (), 12, added=True, note="spoed"),
              Item(8, 1, "2026-051", 9, ("new", "requested"), 15)]
    assert time_slots(source, CONFIG) == [
        agenda.Slot(1, "2026-050", (), 12, time(9, 30), time(9, 42), True, True, "spoed"),
        agenda.Slot(2, "2026-051", ("new", "requested"), 15, time(9, 42), time(9, 57), True,
                    False, ""),
    ]


def test_time_slots_late_start_wraps_the_clock():
    config = dataclasses.replace(CONFIG, begintijd=time(23, 30), duur=40)
    slots = time_slots(items(30, 20), config)
    assert [(s.start, s.end, s.fits) for s in slots] == [
        (time(23, 30), time(0, 0), True), (time(0, 0), time(0, 20), False)]


def test_time_slots_of_nothing():
    assert time_slots([], CONFIG) == []


# --- the example workspace -------------------------------------------------------------

def example_cases(tmp_path: Path) -> tuple[list[Case], Config, Path]:
    from overleg.workspace import init_workspace

    root = tmp_path / "werkmap"
    init_workspace(root, example=True)
    ws = load_workspace(root)
    case_set = load_cases(ws)
    assert case_set.errors == []
    return case_set.cases, ws.config, root


def test_example_without_history(tmp_path):
    cases, config, _ = example_cases(tmp_path)
    selected = select_agenda(cases, History(), D, config)
    assert [(s.case_id, s.reasons, s.minutes) for s in selected] == [
        ("2026-014", ("new",), 15),
        ("2026-027", ("requested", "review"), 10),
        ("2026-019", ("supervision_ending",), 10),
        ("2026-005", ("review",), 10),  # bespreken 17-11: not yet discussed without history
        ("2026-017", ("review",), 10),
        ("2026-041", ("new",), 20),
        ("2026-038", ("new",), 15),
        ("2026-022", ("requested",), 10),
        ("2026-024", ("review", "supervision_ending"), 10),
        ("2026-031", ("review",), 10),
        ("2026-021", ("review",), 10),
        ("2026-003", ("review",), 10),
        ("2026-009", ("review",), 10),
    ]


def test_example_after_the_meeting_of_17_november(tmp_path, store):
    """The scenario of examples/README.md, recorded through the Store."""
    cases, config, root = example_cases(tmp_path)
    meeting, replaced = build_agenda(store, cases, NOV17, config)
    assert replaced is False
    assert [i.case_id for i in store.items(meeting)] == [
        "2026-027", "2026-014", "2026-005", "2026-017", "2026-022", "2026-041", "2026-038",
        "2026-021"]
    for late in ("2026-014", "2026-038", "2026-041", "2026-022", "2026-027"):
        drop_from_agenda(store, meeting, late)
    store.set_meeting_status(meeting, "open", "meeting.start")
    for case_id, owner, due, next_review in (("2026-005", "POL", date(2026, 11, 27),
                                              date(2027, 1, 12)),
                                             ("2026-017", "WC", date(2026, 11, 24),
                                              date(2027, 1, 26))):
        store.add_entry(meeting, case_id, "decision", "besluit")
        store.add_action(case_id, owner, None, "actie", due, meeting)
        store.add_review(meeting, case_id, next_review, None)
        path = next(c.path for c in cases if c.id == case_id)
        write_back(path, case_id, {"bespreken": next_review})  # what closing writes back
    close(store, meeting)

    cases = load_cases(load_workspace(root)).cases
    meeting, replaced = build_agenda(store, cases, D, config)
    view = agenda_view(store, meeting, {c.id: c for c in cases}, config)
    assert [(e.slot.case_id, e.slot.reasons, e.slot.start.strftime("%H:%M"), e.slot.fits)
            for e in view.entries] == [
        ("2026-014", ("new",), "09:30", True),
        ("2026-027", ("requested", "review"), "09:45", True),
        ("2026-019", ("supervision_ending",), "09:55", True),
        ("2026-041", ("new",), "10:05", True),
        ("2026-017", ("actions_due",), "10:25", True),
        ("2026-038", ("new",), "10:35", True),
        ("2026-005", ("actions_due",), "10:50", True),
        ("2026-022", ("requested",), "11:00", True),
        ("2026-024", ("review", "supervision_ending"), "11:10", True),
        ("2026-031", ("review",), "11:20", True),
        ("2026-021", ("review", "carried_over"), "11:30", False),
        ("2026-003", ("review",), "11:40", False),
        ("2026-009", ("review",), "11:50", False),
    ]
    assert (view.total_minutes, view.end, view.fits) == (150, time(12, 0), False)
    assert [(a.case_id, a.owner, a.due) for e in view.entries for a in e.open_actions] == [
        ("2026-017", "WC", date(2026, 11, 24)), ("2026-005", "POL", date(2026, 11, 27))]


# --- build, keep, add, drop, move ------------------------------------------------------

A = make_case("2026-001", prioriteit="hoog", agenda=True)
B = make_case("2026-002", agenda=True)
C = make_case("2026-003", prioriteit="laag", agenda=True)
X = make_case("2026-050")  # no reason of its own


def live(store: Store, on: date = D) -> list[str]:
    meeting = store.meeting(on)
    assert meeting is not None
    return [i.case_id for i in store.items(meeting)]


def test_build_creates_a_planned_meeting_and_replaces_on_rebuild(store):
    meeting, replaced = build_agenda(store, [C, B, A], D, CONFIG)
    assert (meeting.date, meeting.status, replaced) == (D, "planned", False)
    assert [(i.case_id, i.position, i.reasons, i.minutes, i.added, i.dropped)
            for i in store.items(meeting)] == [
        ("2026-001", 1, ("requested",), 10, False, False),
        ("2026-002", 2, ("requested",), 10, False, False),
        ("2026-003", 3, ("requested",), 10, False, False)]
    add_to_agenda(store, meeting, X, CONFIG, "spoed", None)
    drop_from_agenda(store, meeting, "2026-001")
    again, replaced = build_agenda(store, [C, B, A], D, CONFIG)
    assert (again.id, replaced) == (meeting.id, True)
    assert live(store) == ["2026-001", "2026-002", "2026-003"]
    assert [e.action for e in store.audit_log()] == [
        "meeting.plan", "agenda.build", "agenda.add", "agenda.drop", "agenda.rebuild"]


def test_build_of_an_empty_selection_still_plans_the_meeting(store):
    meeting, _ = build_agenda(store, [X], D, CONFIG)
    assert store.items(meeting) == []


@pytest.mark.parametrize(("status", "error", "message"), [
    ("open", OverlegError, "de vergadering van 01-12-2026 is al begonnen; de agenda kan niet "
     "opnieuw worden opgebouwd. Dat kan alleen zolang de agenda gepland is."),
    ("closed", MeetingClosed, "de vergadering van 01-12-2026 is gesloten en kan niet meer "
     "worden gewijzigd. Heropen haar met 'overleg meeting reopen --reason ...'."),
])
def test_build_refuses_a_started_or_closed_meeting(store, status, error, message):
    meeting, _ = build_agenda(store, [A], D, CONFIG)
    store.set_meeting_status(meeting, status, "test")
    with pytest.raises(error) as raised:
        build_agenda(store, [A, B], D, CONFIG)
    assert str(raised.value) == message
    assert live(store) == ["2026-001"]


def test_keep_retains_additions_drops_and_order(store):
    meeting, _ = build_agenda(store, [A, B, C], D, CONFIG)
    add_to_agenda(store, meeting, X, CONFIG, "vraag GGZ", 25)
    drop_from_agenda(store, meeting, "2026-002")
    move_on_agenda(store, meeting, "2026-003", 1)
    assert live(store) == ["2026-003", "2026-001", "2026-050"]
    # Since then: A no longer qualifies, a new case E does, B and C still do.
    a_gone = dataclasses.replace(A, agenda=False)
    e_new = make_case("2026-004", prioriteit="hoog", status="aangemeld",
                      aangemeld_op=date(2026, 11, 30))
    f_new = make_case("2026-005", agenda=True)
    _, replaced = build_agenda(store, [a_gone, B, C, e_new, f_new], D, CONFIG, keep=True)
    assert replaced is True
    kept = store.items(meeting, include_dropped=True)
    assert [(i.case_id, i.position, i.reasons, i.minutes, i.added, i.dropped, i.note)
            for i in kept] == [
        ("2026-003", 1, ("requested",), 10, False, False, ""),
        ("2026-050", 2, (), 25, True, False, "vraag GGZ"),
        ("2026-004", 3, ("new",), 15, False, False, ""),
        ("2026-005", 4, ("requested",), 10, False, False, ""),
        ("2026-002", 5, ("requested",), 10, False, True, ""),
    ]
    assert store.audit_log()[-1].action == "agenda.rebuild_keep"


def test_keep_on_a_new_meeting_is_a_plain_build(store):
    meeting, replaced = build_agenda(store, [B, A], D, CONFIG, keep=True)
    assert replaced is False
    assert live(store) == ["2026-001", "2026-002"]


def test_add_puts_the_case_last_with_its_rule_reasons(store):
    meeting, _ = build_agenda(store, [A], D, CONFIG)
    late = make_case("2026-060", status="aangemeld", aangemeld_op=date(2026, 11, 30))
    item = add_to_agenda(store, meeting, late, CONFIG, None, None)
    assert (item.case_id, item.position, item.reasons, item.minutes, item.added, item.note) == (
        "2026-060", 2, ("new",), 15, True, "")
    item = add_to_agenda(store, meeting, X, CONFIG, "op verzoek van de voorzitter", 5)
    assert (item.position, item.reasons, item.minutes, item.note) == (
        3, (), 5, "op verzoek van de voorzitter")
    assert store.audit_log()[-1].case_id == "2026-050"


def test_add_refuses_a_case_already_on_the_agenda(store):
    meeting, _ = build_agenda(store, [A, B], D, CONFIG)
    with pytest.raises(InvalidInput) as raised:
        add_to_agenda(store, meeting, B, CONFIG, None, None)
    assert str(raised.value) == 'casus "2026-002" staat al op de agenda van 01-12-2026 (punt 2).'


def test_add_restores_a_dropped_item_at_the_end(store):
    meeting, _ = build_agenda(store, [A, B, C], D, CONFIG)
    drop_from_agenda(store, meeting, "2026-001")
    item = add_to_agenda(store, meeting, A, CONFIG, None, 20)
    assert (item.position, item.reasons, item.minutes, item.added, item.dropped) == (
        3, ("requested",), 20, False, False)
    assert live(store) == ["2026-002", "2026-003", "2026-001"]
    assert store.audit_log()[-1].action == "agenda.restore"


def test_add_works_on_an_open_meeting_not_a_closed_one(store):
    meeting, _ = build_agenda(store, [A], D, CONFIG)
    meeting = store.set_meeting_status(meeting, "open", "meeting.start")
    add_to_agenda(store, meeting, X, CONFIG, None, None)
    assert live(store) == ["2026-001", "2026-050"]
    meeting = close(store, meeting)
    with pytest.raises(MeetingClosed) as raised:
        add_to_agenda(store, meeting, B, CONFIG, None, None)
    assert str(raised.value) == ("de vergadering van 01-12-2026 is gesloten en kan niet meer "
                                 "worden gewijzigd. Heropen haar met 'overleg meeting reopen "
                                 "--reason ...'.")


def test_drop_renumbers_the_rest(store):
    meeting, _ = build_agenda(store, [A, B, C], D, CONFIG)
    drop_from_agenda(store, meeting, "2026-002")
    assert [(i.case_id, i.position) for i in store.items(meeting)] == [
        ("2026-001", 1), ("2026-003", 2)]
    assert [(i.case_id, i.dropped) for i in store.items(meeting, include_dropped=True)] == [
        ("2026-001", False), ("2026-003", False), ("2026-002", True)]


@pytest.mark.parametrize(("case_id", "message"), [
    ("2026-099", "casus \"2026-099\" staat niet op de agenda van 01-12-2026. Zie 'overleg "
                 "agenda show --date 2026-12-01'."),
    ("2026-002", "casus \"2026-002\" is al van de agenda van 01-12-2026 gehaald. Zet hem "
                 "terug met 'overleg agenda add 2026-002 --date 2026-12-01'."),
])
def test_drop_and_move_refuse_unknown_or_dropped_items(store, case_id, message):
    meeting, _ = build_agenda(store, [A, B], D, CONFIG)
    drop_from_agenda(store, meeting, "2026-002")
    for operation in (lambda: drop_from_agenda(store, meeting, case_id),
                      lambda: move_on_agenda(store, meeting, case_id, 1)):
        with pytest.raises(InvalidInput) as raised:
            operation()
        assert str(raised.value) == message


@pytest.mark.parametrize("status", ["open", "closed"])
def test_drop_and_move_only_on_a_planned_agenda(store, status):
    meeting, _ = build_agenda(store, [A, B], D, CONFIG)
    meeting = store.set_meeting_status(meeting, status, "test")
    for operation, what in ((lambda: drop_from_agenda(store, meeting, "2026-001"),
                             "punten kunnen niet meer van de agenda"),
                            (lambda: move_on_agenda(store, meeting, "2026-001", 2),
                             "de volgorde ligt vast")):
        with pytest.raises(OverlegError) as raised:
            operation()
        if status == "open":
            assert str(raised.value) == (f"de vergadering van 01-12-2026 is al begonnen; {what}."
                                         " Dat kan alleen zolang de agenda gepland is.")
        else:
            assert isinstance(raised.value, MeetingClosed)
    assert live(store) == ["2026-001", "2026-002"]


@pytest.mark.parametrize(("case_id", "position", "expected"), [
    ("2026-003", 1, ["2026-003", "2026-001", "2026-002"]),
    ("2026-001", 3, ["2026-002", "2026-003", "2026-001"]),
    ("2026-002", 2, ["2026-001", "2026-002", "2026-003"]),
])
def test_move(store, case_id, position, expected):
    meeting, _ = build_agenda(store, [A, B, C], D, CONFIG)
    move_on_agenda(store, meeting, case_id, position)
    assert live(store) == expected
    assert [i.position for i in store.items(meeting)] == [1, 2, 3]
    assert (store.audit_log()[-1].action, store.audit_log()[-1].case_id) == ("agenda.move", case_id)


@pytest.mark.parametrize("position", [0, 4, -1])
def test_move_refuses_a_position_off_the_agenda(store, position):
    meeting, _ = build_agenda(store, [A, B, C], D, CONFIG)
    with pytest.raises(InvalidInput) as raised:
        move_on_agenda(store, meeting, "2026-001", position)
    assert str(raised.value) == (f"positie {position} bestaat niet: de agenda van 01-12-2026 "
                                 "heeft 3 punten; kies 1 tot en met 3.")


# --- view, meeting_for, default_date ---------------------------------------------------

def test_view_shows_open_actions_of_earlier_meetings_only(store):
    earlier = meeting_on(store, NOV17, "2026-001")
    store.add_action("2026-001", "POL", "J. Agent", "eerder", date(2026, 11, 30), earlier)
    store.add_action("2026-001", "RN", None, "zonder overleg", date(2026, 11, 20), None)
    done = store.add_action("2026-001", "RN", None, "af", date(2026, 11, 10), None)
    store.complete_action(done, None, None)
    close(store, earlier)
    meeting, _ = build_agenda(store, [A, B], D, CONFIG)
    meeting = store.set_meeting_status(meeting, "open", "meeting.start")
    store.add_action("2026-001", "POL", None, "nu besloten", date(2026, 12, 15), meeting)
    view = agenda_view(store, meeting, {"2026-001": A}, CONFIG)
    assert [(e.slot.case_id, e.case) for e in view.entries] == [("2026-001", A), ("2026-002", None)]
    assert [a.text for a in view.entries[0].open_actions] == ["zonder overleg", "eerder"]
    assert view.entries[1].open_actions == []
    assert (view.total_minutes, view.end, view.fits) == (20, time(9, 50), True)


def test_meeting_for_says_how_to_build_one(store):
    with pytest.raises(MeetingNotFound) as raised:
        meeting_for(store, D)
    assert str(raised.value) == ("geen agenda voor 01-12-2026; maak er een met 'overleg agenda "
                                 "build --date 2026-12-01'")
    meeting, _ = build_agenda(store, [], D, CONFIG)
    assert meeting_for(store, D) == meeting


def test_default_date_prefers_open_then_planned_then_schedule_then_today(store):
    no_schedule = dataclasses.replace(CONFIG, schema=None)
    assert default_date(store, no_schedule) == date(2026, 11, 28)
    assert default_date(store, CONFIG) == date(2026, 12, 1)  # next Tuesday from Saturday
    store.create_meeting(date(2026, 12, 8))
    store.create_meeting(date(2026, 11, 24))  # planned but in the past
    assert default_date(store, CONFIG) == date(2026, 12, 8)
    opened = store.create_meeting(date(2026, 11, 10))
    store.set_meeting_status(opened, "open", "meeting.start")
    assert default_date(store, CONFIG) == date(2026, 11, 10)


def test_minutes_for_uses_override_then_new_then_standard():
    config = Config(naam="x", partners={"RN": Partner("RN", "Reclassering")},
                    minuten_nieuw=30, minuten_standaard=7)
    assert agenda.minutes_for(make_case(status="aangemeld"), config) == 30
    assert agenda.minutes_for(make_case(), config) == 7
    assert agenda.minutes_for(make_case(status="aangemeld", minuten=3), config) == 3
