"""overleg.meeting: recording a meeting on a real Store of the example workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from overleg import meeting as m
from overleg.casecache import load_cases
from overleg.cases import CaseSet
from overleg.errors import (
    InvalidInput,
    MeetingClosed,
    MeetingNotFound,
    OverlegError,
    StaleCaseFile,
)
from overleg.store import Store
from overleg.workspace import Workspace, load_workspace

DEC1 = date(2026, 12, 1)
NOV17 = date(2026, 11, 17)
NO_MEETING = "er is geen open vergadering. Start er een met 'overleg meeting start'."
# One message for the state, whoever notices it (never an ISO date).
READ_ONLY = ("de vergadering van 01-12-2026 is gesloten en kan niet meer worden gewijzigd. "
             "Heropen haar met 'overleg meeting reopen --reason ...'.")
STORE_READ_ONLY = READ_ONLY


class Table:
    """The example workspace, its cases and its database, as the core sees them."""

    def __init__(self, root: Path) -> None:
        self.ws: Workspace = load_workspace(root)
        self.store = Store.open(self.ws.db_path, actor="test")
        self.set: CaseSet = load_cases(self.ws)
        self.cases = self.set.by_id()

    def start(self, on: date = DEC1):
        return m.start_meeting(self.store, self.ws, self.set.cases, on)[0]

    def close(self) -> m.CloseResult:
        return m.close_meeting(self.store, self.ws, load_cases(self.ws))

    def actions_log(self) -> list[str]:
        return [e.action for e in self.store.audit_log()]


@pytest.fixture
def t(example_ws: Path) -> Iterator[Table]:
    table = Table(example_ws)
    yield table
    table.store.close()


def message(excinfo: pytest.ExceptionInfo[OverlegError]) -> str:
    return excinfo.value.message


# --- start -------------------------------------------------------------------------------

def test_start_builds_the_agenda_when_there_is_none(t):
    meeting, built = m.start_meeting(t.store, t.ws, t.set.cases, DEC1)
    assert built is True
    assert (meeting.date, meeting.status, meeting.geheimhouding_read) == (DEC1, "open", True)
    assert meeting.opened_at is not None
    assert [i.case_id for i in t.store.items(meeting)][:3] == ["2026-014", "2026-027",
                                                               "2026-019"]
    assert len(t.store.items(meeting)) == 13
    assert t.actions_log() == ["meeting.plan", "agenda.build", "meeting.start",
                               "meeting.geheimhouding"]


def test_start_opens_a_planned_agenda_as_it_is(t):
    from overleg.agenda import build_agenda, drop_from_agenda

    planned, _ = build_agenda(t.store, t.set.cases, DEC1, t.ws.config)
    drop_from_agenda(t.store, planned, "2026-014")
    meeting, built = m.start_meeting(t.store, t.ws, t.set.cases, DEC1)
    assert (built, meeting.id, meeting.status) == (False, planned.id, "open")
    assert "2026-014" not in [i.case_id for i in t.store.items(meeting)]
    assert len(t.store.items(meeting)) == 12


def test_start_again_of_the_open_meeting_is_harmless(t):
    first = t.start()
    again, built = m.start_meeting(t.store, t.ws, t.set.cases, DEC1)
    assert (again.id, again.status, built) == (first.id, "open", False)
    assert t.actions_log().count("meeting.start") == 1


@pytest.mark.usefixtures("meeting_day")
def test_start_refuses_while_another_meeting_is_open(t):
    t.start(NOV17)
    with pytest.raises(OverlegError) as caught:
        t.start(DEC1)
    assert message(caught) == (
        "de vergadering van 17-11-2026 is nog open (niet die van 01-12-2026). Sluit die eerst "
        "met 'overleg meeting close', of werk erin verder met --date 17-11-2026.")
    assert t.store.meeting(DEC1) is None


def test_start_refuses_a_closed_meeting(t):
    t.start()
    t.close()
    with pytest.raises(MeetingClosed) as caught:
        t.start()
    assert message(caught) == READ_ONLY


def test_without_geheimhouding_nothing_is_marked_read(t, example_ws):
    toml = example_ws / "overleg.toml"
    toml.write_text("\n".join(line for line in toml.read_text().splitlines()
                              if not line.startswith("geheimhouding")))
    table = Table(example_ws)
    try:
        assert table.start().geheimhouding_read is False
        assert "meeting.geheimhouding" not in table.actions_log()
    finally:
        table.store.close()


# --- no open meeting ---------------------------------------------------------------------

def test_recording_needs_an_open_meeting(t):
    case = t.cases["2026-014"]
    for record in (lambda: m.attend(t.store, t.ws, "POL", "K. Bakker"),
                   lambda: m.record(t.store, t.ws, case, "note", "Tekst"),
                   lambda: m.review(t.store, t.ws, case, date(2027, 1, 12), None),
                   lambda: m.close_meeting(t.store, t.ws, t.set)):
        with pytest.raises(MeetingNotFound) as caught:
            record()
        assert message(caught) == NO_MEETING


def test_after_close_recording_says_the_meeting_is_read_only(t):
    t.start()
    t.close()
    case = t.cases["2026-014"]
    for record in (lambda: m.attend(t.store, t.ws, "POL", "K. Bakker"),
                   lambda: m.record(t.store, t.ws, case, "decision", "Tekst"),
                   lambda: m.review(t.store, t.ws, case, None, "actief"),
                   lambda: m.close_meeting(t.store, t.ws, t.set)):
        with pytest.raises(MeetingClosed) as caught:
            record()
        assert message(caught) == READ_ONLY


def test_a_later_planned_meeting_means_start_not_reopen(t):
    t.start(NOV17)
    t.close()
    from overleg.agenda import build_agenda

    build_agenda(t.store, t.set.cases, DEC1, t.ws.config)
    with pytest.raises(MeetingNotFound) as caught:
        m.record(t.store, t.ws, t.cases["2026-014"], "note", "Tekst")
    assert message(caught) == NO_MEETING


def test_the_store_itself_refuses_writes_to_a_closed_meeting(t):
    meeting = t.start()
    t.close()
    closed = t.store.meeting_by_id(meeting.id)
    writes = [
        lambda: t.store.attend(closed, "POL", "K. Bakker", True),
        lambda: t.store.add_entry(closed, "2026-014", "note", "Tekst"),
        lambda: t.store.add_review(closed, "2026-014", date(2027, 1, 12), None),
        lambda: t.store.add_action("2026-014", "POL", None, "Tekst", date(2026, 12, 15),
                                   closed),
    ]
    for write in writes:
        with pytest.raises(MeetingClosed) as caught:
            write()
        assert message(caught) == STORE_READ_ONLY
    assert t.store.entries(closed) == [] and t.store.attendance(closed) == []


# --- attendance --------------------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_attend_records_and_toggles(t):
    meeting = t.start()
    assert m.attend(t.store, t.ws, "pol", "  K. Bakker ") == "POL"
    assert m.attend(t.store, t.ws, "OM", "P. de Groot", present=False) == "OM"
    m.attend(t.store, t.ws, "POL", "K. Bakker", present=False)
    m.attend(t.store, t.ws, "OM", "P. de Groot", present=True)
    assert [(a.agency, a.name, a.present) for a in t.store.attendance(meeting)] == [
        ("OM", "P. de Groot", True), ("POL", "K. Bakker", False)]


@pytest.mark.parametrize("code, name, text", [
    ("XX", "A. Bee", "partner 'XX' staat niet in overleg.toml. "
                     "Bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ."),
    ("POL", "   ", "geef de naam van de deelnemer op."),
])
@pytest.mark.usefixtures("meeting_day")
def test_attend_refusals(t, code, name, text):
    meeting = t.start()
    with pytest.raises(InvalidInput) as caught:
        m.attend(t.store, t.ws, code, name)
    assert message(caught) == text
    assert t.store.attendance(meeting) == []


# --- notes and decisions -----------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_note_and_decision_on_an_agenda_item(t):
    meeting = t.start()
    note = m.record(t.store, t.ws, t.cases["2026-014"], "note", "  Zorgen gedeeld.  ")
    decision = m.record(t.store, t.ws, t.cases["2026-014"], "decision", "GGZ onderzoekt.")
    assert [(e.id, e.case_id, e.kind, e.text) for e in t.store.entries(meeting)] == [
        (note.id, "2026-014", "note", "Zorgen gedeeld."),
        (decision.id, "2026-014", "decision", "GGZ onderzoekt.")]
    assert t.store.discussed_cases(meeting) == {"2026-014"}


@pytest.mark.usefixtures("meeting_day")
def test_a_case_off_the_agenda_is_refused_unless_added(t):
    meeting = t.start()
    case = t.cases["2026-033"]
    with pytest.raises(InvalidInput) as caught:
        m.record(t.store, t.ws, case, "note", "Tekst")
    assert message(caught) == ('casus "2026-033" staat niet op de agenda van 01-12-2026. '
                               "Gebruik --add om hem toe te voegen.")
    assert t.store.entries(meeting) == []
    m.record(t.store, t.ws, case, "note", "Tekst", add=True)
    last = t.store.items(meeting)[-1]
    assert (last.case_id, last.position, last.added) == ("2026-033", 14, True)
    # On the agenda now: no --add needed any more.
    m.record(t.store, t.ws, case, "decision", "Besluit")
    assert len(t.store.items(meeting)) == 14


@pytest.mark.usefixtures("meeting_day")
def test_a_dropped_item_is_refused_and_restored_by_add(t):
    from overleg.agenda import build_agenda, drop_from_agenda

    planned, _ = build_agenda(t.store, t.set.cases, DEC1, t.ws.config)
    drop_from_agenda(t.store, planned, "2026-009")
    meeting = t.start()
    with pytest.raises(InvalidInput):
        m.record(t.store, t.ws, t.cases["2026-009"], "note", "Tekst")
    m.record(t.store, t.ws, t.cases["2026-009"], "note", "Tekst", add=True)
    assert [i.case_id for i in t.store.items(meeting)][-1] == "2026-009"


@pytest.mark.usefixtures("meeting_day")
def test_empty_text_is_refused(t):
    meeting = t.start()
    with pytest.raises(InvalidInput) as caught:
        m.record(t.store, t.ws, t.cases["2026-014"], "decision", " \t ")
    assert message(caught) == "de tekst is leeg; typ wat er is besproken of besloten."
    assert t.store.entries(meeting) == []


# --- reviews -----------------------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_review_next_date_status_or_both(t):
    meeting = t.start()
    case = t.cases["2026-014"]
    one = m.review(t.store, t.ws, case, date(2027, 1, 12), None)
    two = m.review(t.store, t.ws, case, None, "Nazorg")
    three = m.review(t.store, t.ws, case, date(2027, 2, 9), "actief")
    assert [(r.id, r.next_date, r.status) for r in t.store.reviews(meeting)] == [
        (one.id, date(2027, 1, 12), None), (two.id, None, "nazorg"),
        (three.id, date(2027, 2, 9), "actief")]


@pytest.mark.parametrize("next_date, status, text", [
    (None, None, "geef --next DATUM en/of --status STATUS op."),
    (None, "gesloten", "status 'gesloten' bestaat niet. Kies uit: aangemeld, actief, nazorg, "
                       "afgesloten."),
    (DEC1, None, "de volgende bespreking (01-12-2026) moet na de vergadering van "
                 "01-12-2026 liggen."),
    (date(2026, 11, 24), "actief", "de volgende bespreking (24-11-2026) moet na de "
                                   "vergadering van 01-12-2026 liggen."),
])
@pytest.mark.usefixtures("meeting_day")
def test_review_refusals(t, next_date, status, text):
    meeting = t.start()
    with pytest.raises(InvalidInput) as caught:
        m.review(t.store, t.ws, t.cases["2026-014"], next_date, status)
    assert message(caught) == text
    assert t.store.reviews(meeting) == []


@pytest.mark.usefixtures("meeting_day")
def test_review_off_the_agenda(t):
    meeting = t.start()
    with pytest.raises(InvalidInput):
        m.review(t.store, t.ws, t.cases["2026-012"], date(2027, 1, 12), None)
    m.review(t.store, t.ws, t.cases["2026-012"], date(2027, 1, 12), None, add=True)
    assert t.store.discussed_cases(meeting) == {"2026-012"}


# --- actions -----------------------------------------------------------------------------

def test_action_owner_must_be_a_partner_of_the_case(t):
    t.start()
    with pytest.raises(InvalidInput) as caught:
        m.add_action(t.store, t.ws, t.cases["2026-014"], "VT", None, date(2026, 12, 15), "X")
    assert message(caught) == ('VT is geen partner van casus "2026-014" '
                               "(partners: RN, POL, GGZ, WT, GEM).")
    with pytest.raises(InvalidInput) as caught:
        m.add_action(t.store, t.ws, t.cases["2026-014"], "ABC", None, date(2026, 12, 15), "X")
    assert message(caught) == ("partner 'ABC' staat niet in overleg.toml. "
                               "Bekend: RN, POL, GEM, OM, GGZ, VT, WT, WC, VZ.")
    assert t.store.actions(status=None) == []


@pytest.mark.parametrize("case_id, owner", [
    ("2026-014", "GEM"),  # regie, not listed under partners
    ("2026-041", "WT"),   # aangemeld_door (and regie), not listed
    ("2026-014", "ggz"),  # listed; code typed in lower case
])
@pytest.mark.usefixtures("meeting_day")
def test_regie_and_aangemeld_door_count_as_partners(t, case_id, owner):
    meeting = t.start()
    action = m.add_action(t.store, t.ws, t.cases[case_id], owner, " S. Öztürk ",
                          date(2026, 12, 15), " Huisbezoek ")
    assert (action.case_id, action.owner, action.who, action.text, action.due,
            action.status, action.meeting_id, action.meeting_date) == (
        case_id, owner.upper(), "S. Öztürk", "Huisbezoek", date(2026, 12, 15), "open",
        meeting.id, DEC1)


def test_action_outside_a_meeting_has_no_meeting(t):
    action = m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", "  ", date(2026, 12, 4),
                          "Schuldhulp navragen")
    assert (action.id, action.who, action.meeting_id, action.meeting_date) == (1, None, None,
                                                                               None)
    assert t.store.meetings() == []


@pytest.mark.usefixtures("meeting_day")
def test_action_in_a_meeting_for_a_case_off_the_agenda(t):
    meeting = t.start()
    with pytest.raises(InvalidInput) as caught:
        m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", None, date(2026, 12, 4), "X")
    assert message(caught) == ('casus "2026-012" staat niet op de agenda van 01-12-2026. '
                               "Gebruik --add om hem toe te voegen.")
    action = m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", None, date(2026, 12, 4),
                          "X", add=True)
    assert action.meeting_id == meeting.id
    assert t.store.items(meeting)[-1].case_id == "2026-012"


def test_action_without_text_is_refused(t):
    with pytest.raises(InvalidInput) as caught:
        m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", None, date(2026, 12, 4), " ")
    assert message(caught) == "de actie heeft geen tekst; beschrijf wat er moet gebeuren."


@pytest.mark.usefixtures("meeting_day")
def test_complete_action_in_the_meeting_counts_as_discussing_the_case(t):
    early = m.add_action(t.store, t.ws, t.cases["2026-014"], "POL", None, date(2026, 11, 30),
                         "Buurtonderzoek")
    other = m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", None, date(2026, 12, 4),
                         "Schuldhulp")
    meeting = t.start()
    done = m.complete_action(t.store, early.id, "  Gedaan ")
    assert (done.status, done.done_meeting_id, done.done_comment) == ("done", meeting.id,
                                                                      "Gedaan")
    assert done.done_at is not None
    # 2026-012 is not on the agenda: ticked off between items, not a discussion.
    between = m.complete_action(t.store, other.id, None)
    assert (between.status, between.done_meeting_id, between.done_comment) == ("done", None,
                                                                               None)
    assert t.store.discussed_cases(meeting) == {"2026-014"}


def test_complete_action_twice_or_unknown(t):
    action = m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", None, date(2026, 12, 4),
                          "X")
    m.complete_action(t.store, action.id, None)
    with pytest.raises(InvalidInput) as caught:
        m.complete_action(t.store, action.id, None)
    assert message(caught) == "actie #1 is al afgerond."
    with pytest.raises(OverlegError) as caught:
        m.complete_action(t.store, 42, None)
    assert message(caught) == "actie #42 bestaat niet. Zie 'overleg action list'."


# --- what close writes back --------------------------------------------------------------

@pytest.mark.usefixtures("meeting_day")
def test_planned_writeback(t):
    meeting = t.start()
    c = t.cases
    m.record(t.store, t.ws, c["2026-014"], "note", "Besproken")        # aangemeld
    m.review(t.store, t.ws, c["2026-038"], None, "nazorg")             # aangemeld, own status
    m.review(t.store, t.ws, c["2026-027"], date(2026, 12, 15), None)   # agenda: ja
    m.review(t.store, t.ws, c["2026-009"], None, "afgesloten")
    m.review(t.store, t.ws, c["2026-024"], date(2026, 12, 2), None)
    m.review(t.store, t.ws, c["2026-031"], date(2027, 1, 5), "actief")  # already actief
    plan = {case_id: m.planned_writeback(t.store, meeting, c[case_id])
            for case_id in sorted(t.store.discussed_cases(meeting))}
    assert plan == {
        "2026-009": {"status": "afgesloten", "afgesloten_op": DEC1},
        "2026-014": {"status": "actief"},
        "2026-024": {"bespreken": date(2026, 12, 2)},
        "2026-027": {"agenda": False, "bespreken": date(2026, 12, 15)},
        "2026-031": {"bespreken": date(2027, 1, 5)},
        "2026-038": {"status": "nazorg"},
    }


@pytest.mark.usefixtures("meeting_day")
def test_same_review_date_as_the_file_writes_nothing(t):
    meeting = t.start()
    # 2026-033 has 'bespreken: 15 december 2026' in Dutch: the same date, nothing to write.
    m.review(t.store, t.ws, t.cases["2026-033"], date(2026, 12, 15), None, add=True)
    assert m.planned_writeback(t.store, meeting, t.cases["2026-033"]) == {}


@pytest.mark.usefixtures("meeting_day")
def test_close_result_and_log(t):
    t.start()
    m.record(t.store, t.ws, t.cases["2026-022"], "decision", "Besluit")
    m.review(t.store, t.ws, t.cases["2026-014"], date(2027, 1, 12), None)
    result = t.close()
    assert result.meeting.status == "closed" and result.meeting.closed_at is not None
    assert result.written == {"2026-014": ["status", "bespreken"], "2026-022": ["agenda"]}
    assert t.store.writebacks(result.meeting) == {
        "2026-014": {"status": "actief", "bespreken": "2027-01-12"},
        "2026-022": {"agenda": "nee"}}


@pytest.mark.usefixtures("meeting_day")
def test_close_with_a_case_file_that_vanished_since_it_was_read(t, example_ws):
    meeting = t.start()
    m.record(t.store, t.ws, t.cases["2026-022"], "decision", "Besluit")
    m.record(t.store, t.ws, t.cases["2026-014"], "note", "Besproken")
    stale = load_cases(t.ws)
    (example_ws / "casussen" / "2026-014-jdv.md").unlink()
    kb = (example_ws / "casussen" / "2026-022-kb.md").read_bytes()
    with pytest.raises(StaleCaseFile) as caught:
        m.close_meeting(t.store, t.ws, stale)
    assert message(caught) == (
        'de vergadering is niet gesloten; deze casussen kunnen niet worden bijgewerkt: '
        'casus "2026-014" (casussen/2026-014-jdv.md is verdwenen). Herstel de bestanden '
        "(zie 'overleg cases check') en sluit opnieuw.")
    assert (example_ws / "casussen" / "2026-022-kb.md").read_bytes() == kb
    assert t.store.meeting_by_id(meeting.id).status == "open"
    assert t.store.writebacks(meeting) == {}


# --- reopen, approve, list ---------------------------------------------------------------

def test_reopen_needs_a_reason_and_a_closed_meeting(t):
    with pytest.raises(MeetingNotFound) as caught:
        m.reopen_meeting(t.store, "Reden")
    assert message(caught) == "er is geen gesloten vergadering om te heropenen."
    t.start()
    with pytest.raises(OverlegError) as caught:
        m.reopen_meeting(t.store, "Reden")
    assert message(caught) == "de vergadering van 01-12-2026 is nog open; sluit die eerst."
    t.close()
    with pytest.raises(InvalidInput) as caught:
        m.reopen_meeting(t.store, "   ")
    assert message(caught) == "geef met --reason op waarom de vergadering wordt heropend."
    reopened = m.reopen_meeting(t.store, " Besluit onvolledig ")
    assert (reopened.date, reopened.status) == (DEC1, "open")
    rows = t.store.conn.execute("SELECT reason FROM reopenings").fetchall()
    assert rows == [("Besluit onvolledig",)]


def test_reopen_takes_the_latest_closed_meeting(t):
    t.start(NOV17)
    t.close()
    t.start(DEC1)
    t.close()
    assert m.reopen_meeting(t.store, "Reden").date == DEC1


def test_approve_only_a_closed_meeting_and_only_once(t):
    with pytest.raises(MeetingNotFound) as caught:
        m.approve_minutes(t.store, NOV17)
    assert message(caught) == ("er is geen vergadering op 17-11-2026. "
                               "Zie 'overleg meeting list'.")
    t.start(NOV17)
    with pytest.raises(InvalidInput) as caught:
        m.approve_minutes(t.store, NOV17)
    assert message(caught) == ("de vergadering van 17-11-2026 is nog niet gesloten; alleen "
                               "het verslag van een gesloten vergadering kan worden "
                               "vastgesteld.")
    t.close()
    approved = m.approve_minutes(t.store, NOV17)
    assert approved.approved_at is not None
    with pytest.raises(InvalidInput) as caught:
        m.approve_minutes(t.store, NOV17)
    assert message(caught) == "het verslag van 17-11-2026 is al vastgesteld."


@pytest.mark.usefixtures("meeting_day")
def test_meeting_summaries(t):
    assert m.meeting_summaries(t.store) == []
    t.start(NOV17)
    t.close()
    t.start(DEC1)
    m.record(t.store, t.ws, t.cases["2026-014"], "decision", "Een")
    m.record(t.store, t.ws, t.cases["2026-014"], "decision", "Twee")
    m.record(t.store, t.ws, t.cases["2026-014"], "note", "Notitie")
    m.add_action(t.store, t.ws, t.cases["2026-014"], "POL", None, date(2026, 12, 15), "Actie")
    m.add_action(t.store, t.ws, t.cases["2026-012"], "RN", None, date(2026, 12, 15), "Actie",
                 add=True)
    assert m.meeting_summaries(t.store) == [
        {"date": "2026-11-17", "status": "closed", "items": 8, "decisions": 0, "actions": 0},
        {"date": "2026-12-01", "status": "open", "items": 14, "decisions": 2, "actions": 2},
    ]


# --- the audit log -----------------------------------------------------------------------

SECRET = "Geheim-7Q"  # typed text that must never reach the log


@pytest.mark.usefixtures("meeting_day")
def test_every_change_has_a_log_line_without_the_text(t):
    before = m.add_action(t.store, t.ws, t.cases["2026-014"], "POL", f"{SECRET} wie",
                          date(2026, 11, 30), f"{SECRET} actie")
    t.start()
    m.attend(t.store, t.ws, "POL", f"{SECRET} naam")
    m.record(t.store, t.ws, t.cases["2026-014"], "note", f"{SECRET} notitie")
    m.record(t.store, t.ws, t.cases["2026-014"], "decision", f"{SECRET} besluit")
    m.review(t.store, t.ws, t.cases["2026-014"], date(2027, 1, 12), None)
    m.add_action(t.store, t.ws, t.cases["2026-033"], "GGZ", None, date(2026, 12, 15),
                 f"{SECRET} actie", add=True)
    m.complete_action(t.store, before.id, f"{SECRET} opmerking")
    t.close()
    m.reopen_meeting(t.store, f"{SECRET} reden")
    t.close()
    m.approve_minutes(t.store, DEC1)
    log = t.store.audit_log()
    assert [(e.action, e.case_id, e.meeting) for e in log] == [
        ("action.add", "2026-014", None),
        ("meeting.plan", None, "2026-12-01"),
        ("agenda.build", None, "2026-12-01"),
        ("meeting.start", None, "2026-12-01"),
        ("meeting.geheimhouding", None, "2026-12-01"),
        ("meeting.attend", None, "2026-12-01"),
        ("meeting.note", "2026-014", "2026-12-01"),
        ("meeting.decision", "2026-014", "2026-12-01"),
        ("meeting.review", "2026-014", "2026-12-01"),
        ("agenda.add", "2026-033", "2026-12-01"),
        ("action.add", "2026-033", "2026-12-01"),
        ("action.done", "2026-014", "2026-12-01"),
        ("case.writeback", "2026-014", "2026-12-01"),
        ("meeting.close", None, "2026-12-01"),
        ("meeting.reopen", None, "2026-12-01"),
        ("meeting.close", None, "2026-12-01"),
        ("meeting.approve", None, "2026-12-01"),
    ]
    assert {e.who for e in log} == {"test"}
    dump = "\n".join(str(row) for row in t.store.conn.execute("SELECT * FROM audit"))
    assert SECRET not in dump
    assert "J.d.V." not in dump
