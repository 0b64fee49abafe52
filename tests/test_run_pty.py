"""`overleg meeting run` on a real pseudo-terminal: prompt_toolkit, Tab, kill -9, resume."""

from __future__ import annotations

import os
import re
import signal
import sys
from datetime import date
from pathlib import Path

import pexpect
import pytest

from overleg.store import Store
from overleg.workspace import load_workspace

OVERLEG = Path(sys.executable).parent / "overleg"
TIMEOUT = 10

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not OVERLEG.exists(), reason="overleg is not installed")]


def spawn(ws: Path) -> pexpect.spawn:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(ws.parent),
        "OVERLEG_WORKSPACE": str(ws),
        "OVERLEG_TODAY": "2026-12-01",  # the meeting's day: `meeting run` records in it
        "TERM": "xterm",
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
    }
    return pexpect.spawn(str(OVERLEG), ["meeting", "run"], env=env, encoding="utf-8",
                         dimensions=(40, 120), timeout=TIMEOUT)


def loose(text: str) -> str:
    """A pattern for `text` that still matches when the terminal wrapped it."""
    return r"\s+".join(re.escape(word) for word in text.split())


RESUMED_AT_3 = loose("Verder bij punt 3: daar was de bespreking gebleven (al") + r"\s+\d\d:\d\d"


def wait(child: pexpect.spawn, text: str, pattern: str | None = None) -> None:
    """Wait for `text` (or the regex `pattern`), answering cursor-position requests.

    prompt_toolkit asks the terminal where the cursor is (ESC [6n) before it draws the
    bottom toolbar; a real terminal answers, so the test answers too.
    """
    target = pattern if pattern is not None else re.escape(text)
    while child.expect([re.escape("\x1b[6n"), target]) == 0:
        child.send("\x1b[20;1R")


def say(child: pexpect.spawn, line: str, echo: str) -> None:
    """Type a line and wait for its echo (printed only after the commit), however wrapped."""
    child.sendline(line)
    wait(child, "", loose(echo))


def test_kill_9_mid_item_loses_nothing_that_was_echoed(example_ws: Path, run,
                                                       meeting_day) -> None:
    assert run("meeting", "start", "--date", "2026-12-01").exit_code == 0

    child = spawn(example_ws)
    try:
        wait(child, "aanwezig>")
        say(child, "POL K. Bakker", "K. Bakker (POL) aanwezig (#1).")
        child.sendline("")
        wait(child, "Punt 1/13 · 2026-014")
        wait(child, "2026-014>")
        wait(child, "", r"\d\d:\d\d / 15:00")  # the time box in the bottom toolbar
        say(child, "b GGZ start een verkennend onderzoek.", "Besluit #2 vastgelegd.")
        # Tab completes the only partner of 2026-014 that starts with w: WT.
        child.send("a w\t")
        wait(child, "a WT")
        say(child, " +2w Buurtgesprek", "Actie #1 voor WT, deadline di 15-12-2026: Buurtgesprek")
        say(child, "a GGZ/S. Öztürk 15-12 Gesprek met huisarts",
            "Actie #2 voor GGZ/S. Öztürk, deadline di 15-12-2026: Gesprek met huisarts")
        say(child, "k 99", "Fout: actie #99 bestaat niet.")
        child.sendline("")
        wait(child, "Punt 2/13 · 2026-027")
        wait(child, "2026-027>")
        say(child, "n Veiligheidsplan besproken.", "Notitie #3 vastgelegd.")
        say(child, "v 12-01", "Volgende bespreking di 12-01-2027 (#4).")
        child.sendline("")
        wait(child, "2026-019>")
        say(child, "s nazorg", "Status wordt nazorg (#5).")
        child.send("b Nog niet bevestigd")  # typed, never confirmed with Enter
        wait(child, "bevestigd")
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.signalstatus == signal.SIGKILL

    ws = load_workspace(example_ws)
    store = Store.open(ws.db_path)
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        assert [(e.case_id, e.kind, e.text) for e in store.entries(meeting)] == [
            ("2026-014", "decision", "GGZ start een verkennend onderzoek."),
            ("2026-027", "note", "Veiligheidsplan besproken."),
        ]
        assert [(a.id, a.case_id, a.owner, a.who, a.due, a.text)
                for a in store.actions(status=None)] == [
            (1, "2026-014", "WT", None, date(2026, 12, 15), "Buurtgesprek"),
            (2, "2026-014", "GGZ", "S. Öztürk", date(2026, 12, 15), "Gesprek met huisarts"),
        ]
        assert [(r.case_id, r.next_date, r.status) for r in store.reviews(meeting)] == [
            ("2026-027", date(2027, 1, 12), None), ("2026-019", None, "nazorg")]
        assert [(a.agency, a.name) for a in store.attendance(meeting)] == [("POL", "K. Bakker")]
    finally:
        store.close()

    # Restart: no attendance phase again, on at item 3, where the discussion was cut off
    # (not at item 4, the first not yet discussed), what was recorded shown again.
    child = spawn(example_ws)
    try:
        wait(child, "", RESUMED_AT_3)
        assert "aanwezig>" not in child.before
        wait(child, "Punt 3/13 · 2026-019")
        wait(child, "status wordt nazorg (#5)")
        wait(child, "2026-019>")
        say(child, "t", "Punt 2/13 · 2026-027")
        wait(child, "2026-027>")
        child.sendcontrol("c")  # once: a hint, the screen stays
        wait(child, "", loose("Ctrl-C nogmaals of q om te stoppen."))
        wait(child, "2026-027>")
        child.sendcontrol("c")
        wait(child, "", loose("Gestopt bij punt 2 (2026-027). Alles wat is bevestigd, is "
                              "opgeslagen. 'overleg meeting run' gaat verder bij punt 4 "
                              "(2026-005)."))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130


def test_a_whole_meeting_with_slips_ends_in_minutes_of_the_corrected_state(
        example_ws: Path, run, meeting_day) -> None:
    """A chair's meeting as it goes: a wrong attendee corrected, a decision withdrawn, an
    action edited and one cancelled, Ctrl-C mid-line, kill -9 and a restart at the item that
    was being discussed; then the minutes (every format, full and per partner) say exactly
    what stands."""
    assert run("meeting", "start").exit_code == 0

    child = spawn(example_ws)
    try:
        wait(child, "aanwezig>")
        say(child, "POL K. Bakker", "K. Bakker (POL) aanwezig (#1).")
        say(child, "VT R Smitt", "R Smitt (VT) aanwezig (#2).")
        say(child, "GGZ S. Öztürk", "S. Öztürk (GGZ) aanwezig (#3).")
        say(child, "-VZ M. de Wit", "M. de Wit (VZ) afgemeld (#4).")
        say(child, "c 2 VT R. Smit", "Aanwezigheid #2 gecorrigeerd (was: R Smitt (VT), "
                                     "aanwezig); nu #5: R. Smit (VT), aanwezig.")
        child.sendline("")
        wait(child, "2026-014>")
        say(child, "b GGZ start een verkennend onderzoek.", "Besluit #6 vastgelegd.")
        say(child, "b Verkeerde casus besloten", "Besluit #7 vastgelegd.")
        say(child, "u", "Ongedaan gemaakt: besluit #7 (Verkeerde casus besloten) is "
                        "ingetrokken.")
        say(child, "a GGZ/S. Öztürk 15-12 Gesprek met huisarts",
            "Actie #1 voor GGZ/S. Öztürk, deadline di 15-12-2026: Gesprek met huisarts")
        say(child, "a WT +1w Zus bellen", "Actie #2 voor WT, deadline di 08-12-2026: Zus bellen")
        # Corrected from another terminal while the screen runs.
        edited = run("action", "edit", "2", "--text", "Contact met de zus leggen", "--due",
                     "2026-12-11")
        assert edited.exit_code == 0, edited.output
        say(child, "a POL +2w Dubbele afspraak",
            "Actie #3 voor POL, deadline di 15-12-2026: Dubbele afspraak")
        say(child, "x 3 Dubbel met het wijkteam", "Actie #3 vervalt: Dubbel met het wijkteam.")
        child.send("b Dit wordt nooit bevestigd")
        wait(child, "bevestigd")
        child.sendcontrol("c")
        wait(child, "", loose("Regel gewist; er is niets vastgelegd. Ctrl-C nogmaals of q om te "
                              "stoppen."))
        say(child, "v 12-01", "Volgende bespreking di 12-01-2027 (#8).")
        child.sendline("")
        wait(child, "2026-027>")
        say(child, "n Veiligheidsplan besproken.", "Notitie #9 vastgelegd.")
        child.sendline("")
        wait(child, "2026-019>")
        say(child, "n Toezicht loopt in januari af.", "Notitie #10 vastgelegd.")
        child.send("b Half getypt")
        wait(child, "getypt")
        child.kill(signal.SIGKILL)
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)

    child = spawn(example_ws)
    try:
        wait(child, "", RESUMED_AT_3)
        wait(child, "2026-019>")
        say(child, "b Reclassering adviseert over nazorg.", "Besluit #11 vastgelegd.")
        say(child, "s nazorg", "Status wordt nazorg (#12).")
        child.sendline("q")
        wait(child, "", loose("Gestopt bij punt 3 (2026-019)."))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0

    closed = run("meeting", "close")
    assert closed.exit_code == 0, closed.output
    never = ("R Smitt", "Verkeerde casus", "Dubbele afspraak", "Zus bellen",
             "Dit wordt nooit bevestigd", "Half getypt")
    wants = {
        None: ["R. Smit", "GGZ start een verkennend onderzoek.", "Contact met de zus leggen",
               "11-12-2026", "Gesprek met huisarts", "Veiligheidsplan besproken.",
               "Toezicht loopt in januari af.", "Reclassering adviseert over nazorg."],
        "GGZ": ["R. Smit", "GGZ start een verkennend onderzoek.", "Contact met de zus leggen"],
        "VT": ["R. Smit", "Veiligheidsplan besproken."],
    }
    hidden = {"GGZ": ["Veiligheidsplan", "Reclassering adviseert"],
              "VT": ["Contact met de zus", "GGZ start een verkennend", "Reclassering adviseert"]}
    for partner, present in wants.items():
        for fmt in ("md", "html", "txt"):
            args = ["minutes", "--format", fmt] + (["--partner", partner] if partner else [])
            result = run(*args)
            assert result.exit_code == 0, result.output
            doc = result.stdout
            for text in present:
                assert text in doc, (partner, fmt, text)
            for text in (*never, *hidden.get(partner or "", [])):
                assert text not in doc, (partner, fmt, text)
