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
        "OVERLEG_TODAY": "2026-11-28",
        "TERM": "xterm",
        "NO_COLOR": "1",
        "LANG": "C.UTF-8",
    }
    return pexpect.spawn(str(OVERLEG), ["meeting", "run"], env=env, encoding="utf-8",
                         dimensions=(40, 120), timeout=TIMEOUT)


def loose(text: str) -> str:
    """A pattern for `text` that still matches when the terminal wrapped it."""
    return r"\s+".join(re.escape(word) for word in text.split())


def wait(child: pexpect.spawn, text: str, pattern: str | None = None) -> None:
    """Wait for `text` (or the regex `pattern`), answering cursor-position requests.

    prompt_toolkit asks the terminal where the cursor is (ESC [6n) before it draws the
    bottom toolbar; a real terminal answers, so the test answers too.
    """
    target = pattern if pattern is not None else re.escape(text)
    while child.expect([re.escape("\x1b[6n"), target]) == 0:
        child.send("\x1b[20;1R")


def say(child: pexpect.spawn, line: str, echo: str) -> None:
    """Type a line and wait for its echo (printed only after the commit)."""
    child.sendline(line)
    wait(child, echo)


def test_kill_9_mid_item_loses_nothing_that_was_echoed(example_ws: Path, run) -> None:
    assert run("meeting", "start", "--date", "2026-12-01").exit_code == 0

    child = spawn(example_ws)
    try:
        wait(child, "aanwezig>")
        say(child, "POL K. Bakker", "K. Bakker (POL) aanwezig.")
        child.sendline("")
        wait(child, "Punt 1/13 · 2026-014")
        wait(child, "2026-014>")
        wait(child, "", r"\d\d:\d\d / 15:00")  # the time box in the bottom toolbar
        say(child, "b GGZ start een verkennend onderzoek.", "Besluit vastgelegd.")
        # Tab completes the only partner of 2026-014 that starts with w: WT.
        child.send("a w\t")
        wait(child, "a WT")
        say(child, " +2w Buurtgesprek", "Actie #1 voor WT, deadline za 12-12-2026")
        say(child, "a GGZ/S. Öztürk 15-12 Gesprek met huisarts",
            "Actie #2 voor GGZ/S. Öztürk, deadline di 15-12-2026")
        say(child, "k 99", "Fout: actie #99 bestaat niet.")
        child.sendline("")
        wait(child, "Punt 2/13 · 2026-027")
        wait(child, "2026-027>")
        say(child, "n Veiligheidsplan besproken.", "Notitie vastgelegd.")
        say(child, "v 12-01", "Volgende bespreking di 12-01-2027.")
        child.sendline("")
        wait(child, "2026-019>")
        say(child, "s nazorg", "Status wordt nazorg.")
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
            (1, "2026-014", "WT", None, date(2026, 12, 12), "Buurtgesprek"),
            (2, "2026-014", "GGZ", "S. Öztürk", date(2026, 12, 15), "Gesprek met huisarts"),
        ]
        assert [(r.case_id, r.next_date, r.status) for r in store.reviews(meeting)] == [
            ("2026-027", date(2027, 1, 12), None), ("2026-019", None, "nazorg")]
        assert [(a.agency, a.name) for a in store.attendance(meeting)] == [("POL", "K. Bakker")]
    finally:
        store.close()

    # Restart: no attendance phase again, straight on at item 4 (items 1-3 are discussed).
    child = spawn(example_ws)
    try:
        wait(child, "", loose("Verder bij punt 4: het eerste punt dat nog niet is besproken."))
        assert "aanwezig>" not in child.before
        wait(child, "Punt 4/13 · 2026-005")
        wait(child, "2026-005>")
        say(child, "t", "Punt 3/13 · 2026-019")  # back: what was recorded shows again
        wait(child, "status wordt nazorg")
        wait(child, "2026-019>")
        child.sendcontrol("c")
        wait(child, "", loose("Gestopt bij punt 3 (2026-019). Alles wat is bevestigd, is "
                           "opgeslagen. 'overleg meeting run' gaat verder bij punt 4 (2026-005)."))
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
