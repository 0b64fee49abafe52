"""`overleg demo`: the whole flow on a fresh copy of the example workspace.

Two meetings of the example table: 17 November (recorded here, so that 1 December has
overdue actions and a carried-over case) and 1 December, with agendas, minutes and
e-mail drafts for every partner written to the output folder.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from overleg.casecache import load_cases
from overleg.cases import Case
from overleg.store import Store
from overleg.workspace import Workspace, init_workspace, load_workspace

if TYPE_CHECKING:
    from overleg.documents import Sources

FIRST = date(2026, 11, 17)
SECOND = date(2026, 12, 1)
# Referred after 17 November in the story: not on that agenda.
LATER = ("2026-014", "2026-022", "2026-027", "2026-038", "2026-041")


def run_demo(out_dir: Path) -> list[tuple[str, Path]]:
    """Run the demo into `out_dir`; returns (what, where) for everything written."""
    workspace = out_dir / "werkmap"
    if workspace.exists():
        shutil.rmtree(workspace)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    init_workspace(workspace, example=True)
    ws = load_workspace(workspace)
    store = Store.open(ws.db_path, actor="demo")
    try:
        _first_meeting(ws, store)
        written = [("voorbeeldwerkmap (probeer: overleg -w " + str(workspace) + " agenda show)",
                    workspace)]
        written += _second_meeting(ws, store, out_dir)
    finally:
        store.close()
    return written


def _first_meeting(ws: Workspace, store: Store) -> None:
    from overleg import meeting
    from overleg.agenda import build_agenda, drop_from_agenda

    cases = load_cases(ws).by_id()
    build_agenda(store, list(cases.values()), FIRST, ws.config)
    planned = store.meeting(FIRST)
    assert planned is not None
    for case_id in LATER:
        drop_from_agenda(store, planned, case_id)
    meeting.start_meeting(store, ws, list(cases.values()), FIRST)
    for code, name in (("GEM", "A. de Vries"), ("POL", "K. Bakker"), ("RN", "M. El Idrissi"),
                       ("GGZ", "S. Öztürk"), ("WT", "L. Visser"), ("WC", "J. Post")):
        meeting.attend(store, ws, code, name, day=FIRST)
    meeting.attend(store, ws, "OM", "P. de Groot", present=False, day=FIRST)
    meeting.record(store, ws, cases["2026-005"], "decision",
                   "Politie stemt de aanpak af met het OM; GGZ blijft betrokken.", day=FIRST)
    meeting.add_action(store, ws, cases["2026-005"], "POL", "K. Bakker", date(2026, 11, 27),
                       "Proces-verbaal van de laatste incidenten delen met OM", day=FIRST)
    meeting.review(store, ws, cases["2026-005"], date(2027, 1, 12), None, day=FIRST)
    meeting.record(store, ws, cases["2026-017"], "decision",
                   "Woningcorporatie onderzoekt een regeling voor de huurachterstand.", day=FIRST)
    meeting.add_action(store, ws, cases["2026-017"], "WC", "J. Post", date(2026, 11, 24),
                       "Voorstel betalingsregeling opstellen", day=FIRST)
    meeting.review(store, ws, cases["2026-017"], date(2027, 1, 26), None, day=FIRST)
    for case_id in ("2026-003", "2026-009", "2026-031", "2026-024", "2026-019"):
        if any(i.case_id == case_id for i in store.items(planned)):
            meeting.record(store, ws, cases[case_id], "note",
                           "Kort besproken; geen nieuwe zorgen.", day=FIRST)
    # 2026-021 stays undiscussed: it is carried over to 1 December.
    meeting.close_meeting(store, ws, load_cases(ws))


def _second_meeting(ws: Workspace, store: Store, out_dir: Path) -> list[tuple[str, Path]]:
    from overleg import meeting
    from overleg.agenda import build_agenda
    from overleg.documents import Request, disclose

    written: list[tuple[str, Path]] = []
    case_set = load_cases(ws)
    cases = case_set.by_id()
    planned, _ = build_agenda(store, case_set.cases, SECOND, ws.config)
    src = _sources(ws, store)
    stem = f"agenda-{SECOND.isoformat()}"
    for fmt in ("md", "html"):
        path = out_dir / f"{stem}.{fmt}"
        disclose(src, Request("agenda", fmt, None, planned), path)
        written.append((f"agenda (voorzitter, {fmt})", path))
    for code in ws.config.partners:
        path = out_dir / "per-partner" / f"{stem}-{code}.html"
        disclose(src, Request("agenda", "html", code, planned), path)
    written.append((f"agenda per partner ({len(ws.config.partners)}x html)", path.parent))

    meeting.approve_minutes(store, FIRST)
    meeting.start_meeting(store, ws, case_set.cases, SECOND)
    for code, name in (("GEM", "A. de Vries"), ("POL", "K. Bakker"), ("RN", "M. El Idrissi"),
                       ("GGZ", "S. Öztürk"), ("WT", "L. Visser"), ("VT", "R. Smit"),
                       ("OM", "P. de Groot")):
        meeting.attend(store, ws, code, name, day=SECOND)
    meeting.attend(store, ws, "WC", "J. Post", present=False, day=SECOND)
    _script(ws, store, cases)
    meeting.close_meeting(store, ws, load_cases(ws))
    written += _documents(ws, store, out_dir)
    return written


def _script(ws: Workspace, store: Store, cases: dict[str, Case]) -> None:
    from overleg import meeting

    c = cases
    meeting.record(store, ws, c["2026-014"], "note",
                   "GGZ ziet signalen van een psychose; meneer houdt contact af.", day=SECOND)
    meeting.record(store, ws, c["2026-014"], "decision",
                   "GGZ start een verkennend onderzoek naar een zorgmachtiging.", day=SECOND)
    meeting.add_action(store, ws, c["2026-014"], "GGZ", "S. Öztürk", date(2026, 12, 15),
                       "Verkennend onderzoek zorgmachtiging starten", day=SECOND)
    meeting.add_action(store, ws, c["2026-014"], "WT", None, date(2026, 12, 8),
                       "Contact met de zus leggen", day=SECOND)
    meeting.review(store, ws, c["2026-014"], date(2027, 1, 12), None, day=SECOND)
    meeting.record(store, ws, c["2026-027"], "decision",
                   "Veilig Thuis en politie stemmen het veiligheidsplan af.", day=SECOND)
    meeting.add_action(store, ws, c["2026-027"], "VT", None, date(2026, 12, 11),
                       "Veiligheidsplan actualiseren met de melder", day=SECOND)
    meeting.review(store, ws, c["2026-027"], date(2026, 12, 15), None, day=SECOND)
    meeting.record(store, ws, c["2026-019"], "decision",
                   "Reclassering adviseert over nazorg na het einde van het toezicht.", day=SECOND)
    meeting.review(store, ws, c["2026-019"], date(2026, 12, 15), "actief", day=SECOND)
    for action in store.actions(case_id="2026-005"):
        meeting.complete_action(store, action.id, "Gedeeld met OM", day=SECOND)
    meeting.review(store, ws, c["2026-005"], date(2027, 1, 12), "nazorg", day=SECOND)
    meeting.record(store, ws, c["2026-017"], "note",
                   "De betalingsregeling is nog niet rond; woningcorporatie afwezig.", day=SECOND)
    meeting.review(store, ws, c["2026-009"], date(2027, 2, 2), None, day=SECOND)
    meeting.record(store, ws, c["2026-041"], "decision",
                   "Wijkteam neemt de regie; GGZ sluit aan bij het eerste huisbezoek.", day=SECOND)
    meeting.add_action(store, ws, c["2026-041"], "WT", None, date(2026, 12, 10),
                       "Huisbezoek samen met GGZ", day=SECOND)


def _sources(ws: Workspace, store: Store) -> Sources:
    """The gate's sources, with the meeting's own date as "today": the demo reads the same
    whenever it is run."""
    from overleg.documents import Sources

    return Sources(ws, store, load_cases(ws).by_id(), SECOND)


def _documents(ws: Workspace, store: Store, out_dir: Path) -> list[tuple[str, Path]]:
    from overleg.documents import Request, disclose
    from overleg.files import write_output
    from overleg.mailing import mail_drafts
    from overleg.schedule import series_calendar

    meeting = store.meeting(SECOND)
    assert meeting is not None
    src = _sources(ws, store)
    stem = f"verslag-{SECOND.isoformat()}"
    written = []
    for fmt in ("md", "html", "txt"):
        path = out_dir / f"{stem}.{fmt}"
        disclose(src, Request("minutes", fmt, None, meeting), path)
        written.append((f"verslag (voorzitter, {fmt})", path))
    per_partner = out_dir / "per-partner"
    for code in ws.config.partners:
        disclose(src, Request("minutes", "html", code, meeting),
                 per_partner / f"{stem}-{code}.html")
    written.append((f"verslag per partner ({len(ws.config.partners)}x html)", per_partner))
    path = out_dir / f"{stem}.docx"
    disclose(src, Request("minutes", "docx", None, meeting), path)
    written.append(("verslag (voorzitter, Word)", path))
    written.append(("vergaderreeks voor de agenda (.ics)",
                    write_output(out_dir / "vergaderreeks.ics",
                                 series_calendar(ws.config, SECOND))))
    drafts = mail_drafts(src, meeting, "minutes", out_dir / "mail")
    written.append((f"e-mails als concept ({len(drafts.messages)}x .eml; niet bereikt: "
                    f"{', '.join(drafts.not_reached) or 'niemand'})", out_dir / "mail"))
    return written
