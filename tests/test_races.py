"""Races around a meeting's state (issue 13): `meeting close` against recording commands, two
closes at once, two starts at once, the run screen after another terminal closed the meeting,
and a close cut off by kill -9 while it writes the case files back.

The invariant: a recording command either fails with a clear message or its effect is in
the case file; a close happens once. The multi-process checks are plain functions returning
their figures, so bench/reliability.py runs them with larger counts.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from overleg import meeting as m
from overleg.casecache import load_cases
from overleg.errors import MeetingClosed, MeetingClosing, OverlegError, StaleCaseFile
from overleg.live import Walk, parse_line
from overleg.store import Store
from overleg.workspace import init_workspace, load_workspace

# Recordings act on the open meeting only when it is today's: these tests hold it on 1-12.
pytestmark = pytest.mark.usefixtures("meeting_day")

ROOT = Path(__file__).resolve().parent.parent
OVERLEG = str(Path(sys.executable).parent / "overleg")
D = "2026-12-01"
DAY = date(2026, 12, 1)
CLOSING = ("de vergadering van 01-12-2026 wordt gesloten; er kan niets meer in worden "
           "vastgelegd. Is het sluiten afgebroken, maak het dan af met 'overleg meeting close'.")
CLOSED = ("de vergadering van 01-12-2026 is gesloten en kan niet meer worden gewijzigd. "
          "Heropen haar met 'overleg meeting reopen --reason ...'.")
BUSY = ("de vergadering van 01-12-2026 wordt op dit moment gesloten door een andere opdracht. "
        "Wacht tot die klaar is; daarna is ze gesloten.")


def fout(message: str) -> str:
    """A message as the CLI prints it on stderr."""
    return f"Fout: {message}\n"


# --- a workspace with a large meeting -----------------------------------------------------

def case_id(n: int) -> str:
    return f"R-{n:04d}"


def case_text(n: int) -> str:
    return (f"---\nid: {case_id(n)}\ninitialen: A.{n}.\ngeboortejaar: 1990\n"
            "status: aangemeld\naangemeld_op: 2026-11-02\naangemeld_door: RN\n"
            "partners: [RN, POL]\n"
            "triage:\n  datum: 2026-11-03\n  uitkomst: casusoverleg\n  criteria: [a, b, c]\n"
            "---\n"
            f"# A.{n}. (1990)\n\n## Vraag aan het overleg\nWat is nodig?\n")


def large_workspace(ws: Path, cases: int) -> list[str]:
    """A workspace with the example configuration and `cases` new case files (each on the
    agenda of every meeting, as a new case); their ids in agenda order."""
    init_workspace(ws, example=False)
    shutil.copyfile(ROOT / "examples" / "overleg.toml", ws / "overleg.toml")
    for n in range(cases):
        (ws / "casussen" / f"{case_id(n)}.md").write_text(case_text(n))
    return [case_id(n) for n in range(cases)]


def large_meeting(ws: Path, cases: int, discussed: int) -> list[str]:
    """`large_workspace` with the meeting of D open and a note on the first `discussed`
    cases, so closing it writes `discussed` case files back."""
    ids = large_workspace(ws, cases)
    workspace = load_workspace(ws)
    store = Store.open(workspace.db_path, actor="test")
    try:
        meeting, _ = m.start_meeting(store, workspace, load_cases(workspace, store).cases, DAY)
        with store.transaction():  # one commit, not one per note: set-up only
            for case in ids[:discussed]:
                store.add_entry(meeting, case, "note", f"Besproken {case}.")
    finally:
        store.close()
    return ids


def case_file(ws: Path, case: str) -> Path:
    return ws / "casussen" / f"{case}.md"


def status_of(ws: Path, case: str) -> str:
    """The status the case file holds now."""
    found = re.search(r"(?m)^status: (\S+)$", case_file(ws, case).read_text())
    return found[1] if found else ""


# --- what the database holds ----------------------------------------------------------------

def query(ws: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    with sqlite3.connect(ws / "overleg.db") as conn:
        return conn.execute(sql, params).fetchall()


def meeting_states(ws: Path) -> dict[str, str]:
    return {str(d): str(s) for d, s in query(ws, "SELECT date, status FROM meetings")}


def close_lines(ws: Path) -> int:
    return int(query(ws, "SELECT count(*) FROM audit WHERE action = 'meeting.close'")[0][0])


def doubled_writebacks(ws: Path) -> int:
    """Write-back rows of a (meeting, case, key) beyond the first: a key written twice."""
    return int(query(ws, "SELECT count(*) - count(DISTINCT meeting_id || '|' || case_id || '|' "
                         "|| key) FROM writebacks")[0][0])


# --- processes --------------------------------------------------------------------------------

def env_for(ws: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OVERLEG_WORKSPACE=str(ws), OVERLEG_TODAY=D, NO_COLOR="1",
               COLUMNS="120")
    env.pop("FORCE_COLOR", None)
    return env


def cli(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed overleg, run to its end."""
    return subprocess.run([OVERLEG, *args], env=env_for(ws), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


def spawn(ws: Path, *args: str, stdin: int | None = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen([OVERLEG, *args], env=env_for(ws), stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def together(ws: Path, *commands: Sequence[str]) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands side by side, each in its own process, released by one barrier."""
    barrier = threading.Barrier(len(commands))
    results: list[subprocess.CompletedProcess[str] | None] = [None] * len(commands)

    def one(index: int) -> None:
        barrier.wait()
        results[index] = cli(ws, *commands[index])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(commands))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def lined_up(ws: Path, *commands: Sequence[str],
             hold: float = 1.0) -> list[subprocess.CompletedProcess[str]]:
    """Run the commands side by side, lined up on the database: this process holds the write
    lock while they start, so each reads what it reads and then waits at its first write;
    `hold` seconds later the lock goes and they go on together. (Process start-up alone
    spreads them further apart than a window of a few milliseconds is wide.)"""
    conn = sqlite3.connect(ws / "overleg.db", isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        procs = [spawn(ws, *command) for command in commands]
        time.sleep(hold)
        conn.execute("ROLLBACK")
    finally:
        conn.close()
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    return results


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def wait_for_writes(ws: Path, first: str, closer: subprocess.Popen[str]) -> None:
    """Until the close has written its first case file back (or ended)."""
    wait_until(lambda: status_of(ws, first) != "aangemeld" or closer.poll() is not None)


def sane(result: subprocess.CompletedProcess[str]) -> bool:
    """No traceback and no "database is locked" reached the user."""
    return "Traceback" not in result.stderr and "locked" not in result.stderr.lower()


@dataclass
class Figures:
    """What one race did; `lost` and `bad` must stay 0."""

    runs: int = 0
    refused: int = 0  # recordings refused with the meeting's state
    written: int = 0  # recordings that went through and are in the case file
    lost: int = 0  # recordings that exited 0 and are not in the case file; closes doubled
    bad: int = 0  # unclear messages, tracebacks, "locked", states other than expected
    finished: int = 0  # closes that were done before their kill landed
    unrecorded: int = 0  # files a killed close wrote without committing their writeback row
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def fail(self, note: str) -> None:
        self.bad += 1
        self.notes.append(note[-400:])


def check_close(ws: Path, close: subprocess.CompletedProcess[str] | None, cases: Sequence[str],
                figures: Figures) -> None:
    """After a close: it went through once, wrote no key twice and left each case file with
    the status the meeting gave it (actief, or nazorg where a review set it)."""
    if close is not None and (close.returncode != 0 or not sane(close)):
        figures.fail(f"close: {close.returncode} {close.stderr}")
    if meeting_states(ws).get(D) != "closed":
        figures.fail(f"meeting state after the close: {meeting_states(ws)}")
    figures.lost += abs(close_lines(ws) - 1) + doubled_writebacks(ws)
    reviewed = {str(c) for (c,) in query(ws, "SELECT case_id FROM reviews")}
    for case in cases:
        expected = "nazorg" if case in reviewed else "actief"
        if status_of(ws, case) != expected:
            figures.lost += 1
            figures.notes.append(f"{case}: status {status_of(ws, case)}, not {expected}")


# --- (1) recording while the meeting closes -------------------------------------------------

def close_race(root: Path, rounds: int, cases: int, recorders: int) -> Figures:
    """`meeting review ID --status nazorg` in `recorders` processes while a large meeting
    closes: in even rounds all released together with the close, in odd rounds once the close
    is writing files. Half of them are on cases discussed before (written first), half on
    cases on the agenda but not discussed yet. Each review is refused with the meeting's state
    or its status is in the case file."""
    figures = Figures()
    started = time.monotonic()
    for round_ in range(rounds):
        ws = root / f"race-{round_}"
        late = recorders // 2
        ids = large_meeting(ws, cases, cases - late)
        targets = [*ids[:recorders - late], *ids[cases - late:]]
        reviews = [("meeting", "review", c, "--status", "nazorg") for c in targets]
        if round_ % 2 == 0:
            close, *results = together(ws, ("meeting", "close"), *reviews)
        else:
            closer = spawn(ws, "meeting", "close")
            wait_for_writes(ws, ids[0], closer)
            results = together(ws, *reviews)
            stdout, stderr = closer.communicate(timeout=300)
            close = subprocess.CompletedProcess(closer.args, closer.returncode, stdout, stderr)
        for case, result in zip(targets, results, strict=True):
            figures.runs += 1
            if result.returncode == 0 and sane(result):
                figures.written += 1
                if status_of(ws, case) != "nazorg":
                    figures.lost += 1
                    figures.notes.append(f"{case}: review exited 0, file says "
                                         f"{status_of(ws, case)}")
            elif result.returncode == 1 and result.stderr in (fout(CLOSING), fout(CLOSED)):
                figures.refused += 1
            else:
                figures.fail(f"review {case}: {result.returncode} {result.stderr}")
        check_close(ws, close, ids[:cases - late], figures)
    figures.seconds = time.monotonic() - started
    return figures


@pytest.mark.slow
def test_a_recording_during_a_close_is_refused_or_written_back(tmp_path):
    figures = close_race(tmp_path, rounds=2, cases=100, recorders=4)
    assert (figures.lost, figures.bad) == (0, 0), figures.notes
    assert figures.runs == 8
    # The reviews released while the files were being written were refused as closing.
    assert figures.refused >= 1, figures


# --- (2) two closes at once -------------------------------------------------------------------

def double_close(root: Path, rounds: int, cases: int) -> Figures:
    """Two `meeting close` of the same large meeting at once: exactly one goes through, the
    other is refused (closing now, or closed); one close line, no key written twice."""
    figures = Figures()
    started = time.monotonic()
    for round_ in range(rounds):
        ws = root / f"twee-{round_}"
        ids = large_meeting(ws, cases, cases)
        results = together(ws, ("meeting", "close"), ("meeting", "close"))
        figures.runs += 1
        won = [r for r in results if r.returncode == 0]
        lost = [r for r in results if r.returncode != 0]
        if len(won) != 1:
            figures.lost += 1
            figures.notes.append(f"{len(won)} closes exited 0")
        for result in lost:
            if result.returncode == 1 and result.stderr in (fout(BUSY), fout(CLOSED)):
                figures.refused += 1
            else:
                figures.fail(f"second close: {result.returncode} {result.stderr}")
        check_close(ws, won[0] if len(won) == 1 else None, ids, figures)
    figures.seconds = time.monotonic() - started
    return figures


@pytest.mark.slow
def test_of_two_closes_at_once_exactly_one_succeeds(tmp_path):
    figures = double_close(tmp_path, rounds=1, cases=100)
    assert (figures.lost, figures.bad, figures.refused) == (0, 0, 1), figures.notes


# --- (3) two starts at once -------------------------------------------------------------------

def double_start(root: Path, rounds: int) -> Figures:
    """`meeting start` for two dates at once, lined up so that both have looked for an open
    meeting before either writes: exactly one meeting is open, the other start is refused
    naming it. (The case folder is empty: reading it writes nothing, so the first write of
    a start is its own.)"""
    figures = Figures()
    started = time.monotonic()
    dates = ("2026-12-01", "2026-12-08")
    for round_ in range(rounds):
        ws = root / f"start-{round_}"
        large_workspace(ws, 0)
        Store.open(ws / "overleg.db").close()
        results = lined_up(ws, *[("meeting", "start", "--date", d) for d in dates])
        figures.runs += 1
        states = meeting_states(ws)
        opened = [d for d in dates if states.get(d) == "open"]
        won = [d for d, r in zip(dates, results, strict=True) if r.returncode == 0]
        if len(opened) != 1 or won != opened:
            figures.lost += 1
            figures.notes.append(f"open: {opened}, exited 0: {won}")
            continue
        loser = next(r for r in results if r.returncode != 0)
        other = next(d for d in dates if d != opened[0])
        refusal = fout(f"de vergadering van {opened[0][8:]}-{opened[0][5:7]}-2026 is nog open "
                       f"(niet die van {other[8:]}-{other[5:7]}-2026). Sluit die eerst met "
                       "'overleg meeting close', of werk erin verder met --date "
                       f"{opened[0][8:]}-{opened[0][5:7]}-2026.")
        if (loser.returncode, loser.stderr) != (1, refusal) or len(states) != 1:
            figures.fail(f"second start: {loser.returncode} {loser.stderr} {states}")
        else:
            figures.refused += 1
    figures.seconds = time.monotonic() - started
    return figures


@pytest.mark.slow
def test_of_two_starts_for_different_dates_exactly_one_opens(tmp_path):
    figures = double_start(tmp_path, rounds=1)
    assert (figures.lost, figures.bad, figures.refused) == (0, 0, 1), figures.notes


# --- (4) kill -9 while the case files are written back ------------------------------------------

def write_phase(root: Path, cases: int) -> float:
    """Seconds an unbroken close of a meeting of `cases` spends writing files back (from its
    first file to its end)."""
    ws = root / "ijk"
    ids = large_meeting(ws, cases, cases)
    closer = spawn(ws, "meeting", "close")
    wait_for_writes(ws, ids[0], closer)
    began = time.monotonic()
    closer.communicate(timeout=300)
    return time.monotonic() - began


def killed_close(root: Path, rounds: int, cases: int, seed: int) -> Figures:
    """SIGKILL `meeting close` of a large meeting while it writes the case files back: the
    first round just after its first file, the others at a random moment of that phase (its
    length measured first). The meeting stays `closing`, a recording is refused saying how to
    finish, and the next close finishes it without writing any file twice."""
    import random

    rng = random.Random(seed)
    figures = Figures()
    started = time.monotonic()
    life = write_phase(root, cases) if rounds > 1 else 0.0
    for round_ in range(rounds):
        ws = root / f"kill-{round_}"
        ids = large_meeting(ws, cases, cases)
        closer = spawn(ws, "meeting", "close")
        wait_for_writes(ws, ids[0], closer)
        time.sleep(rng.uniform(0, 0.8 * life) if round_ else 0)
        closer.send_signal(signal.SIGKILL)
        closer.communicate()
        figures.runs += 1
        if meeting_states(ws).get(D) != "closing":  # it finished before the kill landed
            figures.finished += 1
            check_close(ws, None, ids, figures)
            continue
        written = [c for c in ids if status_of(ws, c) == "actief"]
        figures.written += len(written)
        recorded = {str(c) for (c,) in query(ws, "SELECT DISTINCT case_id FROM writebacks")}
        figures.unrecorded += len(set(written) - recorded)
        inodes = {c: case_file(ws, c).stat().st_ino for c in written}
        note = cli(ws, "meeting", "note", ids[-1], "Na het afbreken.")
        if (note.returncode, note.stderr) != (1, fout(CLOSING)):
            figures.fail(f"note while closing: {note.returncode} {note.stderr}")
        else:
            figures.refused += 1
        again = cli(ws, "meeting", "close")
        if not again.stderr.startswith("Het eerder afgebroken sluiten is afgemaakt.\n"):
            figures.fail(f"finishing close: {again.stderr}")
        check_close(ws, again, ids, figures)
        rewritten = [c for c, inode in inodes.items() if case_file(ws, c).stat().st_ino != inode]
        figures.lost += len(rewritten)
        if rewritten:
            figures.notes.append(f"written twice: {rewritten[:5]}")
    figures.seconds = time.monotonic() - started
    return figures


@pytest.mark.slow
def test_a_close_killed_while_writing_back_is_finished_by_the_next_one(tmp_path):
    figures = killed_close(tmp_path, rounds=1, cases=120, seed=13)
    assert (figures.lost, figures.bad, figures.refused) == (0, 0, 1), figures.notes
    assert 0 < figures.written < 120  # the kill landed half-way through the files


# --- (5) the run screen after another terminal closed the meeting --------------------------------

LATE_LINES = ["b Te laat besluit", "n Te laat notitie", "a POL +2w Te laat actie",
              "a POL/K. Bakker 15-12 Te laat actie met naam", "k 1", "v +6w", "s nazorg"]


def example_meeting(run) -> None:
    """The example workspace's meeting of D open, and action #1 (on 2026-014, the first item)
    agreed before it."""
    for args in (("action", "add", "2026-014", "--owner", "POL", "--due", "2026-11-27",
                  "Wijkagent belt"),
                 ("meeting", "start", "--date", D)):
        result = run(*args)
        assert result.exit_code == 0, result.output


def nothing_late_stored(ws: Path) -> None:
    """Only the first note is in the database: no late entry, review or action anywhere, and
    action #1 still open."""
    assert query(ws, "SELECT kind, text FROM entries") == [("note", "Eerste notitie")]
    assert query(ws, "SELECT count(*) FROM reviews") == [(0,)]
    assert query(ws, "SELECT id, status, meeting_id FROM actions") == [(1, "open", None)]
    assert query(ws, "SELECT count(*) FROM attendance WHERE name = 'M. de Wit'") == [(0,)]


@pytest.mark.slow
def test_the_run_screen_refuses_every_line_after_another_terminal_closed(example_ws, run):
    example_meeting(run)
    screen = spawn(example_ws, "meeting", "run", stdin=subprocess.PIPE)
    assert screen.stdin is not None
    screen.stdin.write("POL K. Bakker\n\nn Eerste notitie\n")
    screen.stdin.flush()
    assert wait_until(lambda: query(example_ws, "SELECT count(*) FROM entries") == [(1,)])
    closed = cli(example_ws, "meeting", "close")  # the other terminal
    assert closed.returncode == 0, closed.stderr
    screen.stdin.write("".join(f"{line}\n" for line in LATE_LINES))
    _, stderr = screen.communicate(timeout=60)
    assert screen.returncode == 1
    # The same message for every kind of line, an action too.
    assert stderr == "".join(f"Fout: regel {n}: {CLOSED}\n"
                             for n in range(4, 4 + len(LATE_LINES)))
    nothing_late_stored(example_ws)
    assert status_of_file(example_ws / "casussen" / "2026-014-jdv.md") == "actief"


def status_of_file(path: Path) -> str:
    found = re.search(r"(?m)^status: (\S+)$", path.read_text())
    return found[1] if found else ""


@pytest.mark.parametrize("state", ["closing", "closed"])
def test_a_walk_refuses_every_kind_of_line_once_the_meeting_is_closed_elsewhere(
        example_ws, run, state):
    from overleg.agenda import agenda_view
    from overleg.live import Attendee, record_attendance

    example_meeting(run)
    ws = load_workspace(example_ws)
    store = Store.open(ws.db_path, actor="voorzitter")
    other = Store.open(ws.db_path, actor="andere terminal")
    try:
        meeting = store.open_meeting()
        assert meeting is not None
        entries = agenda_view(store, meeting, load_cases(ws).by_id(), ws.config).entries
        walk = Walk(store, ws, meeting, entries)
        assert walk.current is not None and walk.current.slot.case_id == "2026-014"

        def line(text: str) -> str:
            return walk.handle(parse_line(text, list(ws.config.partners), ws.config.schema))

        assert line("n Eerste notitie").text == "Notitie #1 vastgelegd."
        if state == "closing":
            other.begin_close(meeting)
        else:
            m.close_meeting(other, ws, load_cases(ws))
        expected = CLOSING if state == "closing" else CLOSED
        for text in LATE_LINES:
            with pytest.raises(OverlegError) as caught:
                line(text)
            assert caught.value.message == expected, text
        with pytest.raises(OverlegError) as caught:
            record_attendance(store, ws, Attendee("VZ", "M. de Wit", False), meeting)
        assert caught.value.message == expected
    finally:
        store.close()
        other.close()
    nothing_late_stored(example_ws)


# --- the store and the core check the state inside the change's transaction ----------------------

@pytest.mark.parametrize("state", ["closing", "closed"])
def test_the_store_checks_the_meeting_as_the_database_has_it_now(example_ws, run, state):
    example_meeting(run)
    store = Store.open(example_ws / "overleg.db")
    try:
        seen = store.open_meeting()  # read while it was open ...
        assert seen is not None
        if state == "closing":  # ... then another terminal began closing it, or closed it
            store.begin_close(seen)
        else:
            assert run("meeting", "close").exit_code == 0
        writes = [
            lambda: store.attend(seen, "POL", "K. Bakker", True),
            lambda: store.add_entry(seen, "2026-014", "note", "Tekst"),
            lambda: store.add_review(seen, "2026-014", date(2027, 1, 12), None),
            lambda: store.add_action("2026-014", "POL", None, "Tekst", date(2026, 12, 15), seen),
            lambda: store.complete_action(store.action(1), None, seen),
            lambda: store.update_item(seen, store.items(seen)[0], "agenda.drop", dropped=1),
        ]
        for write in writes:
            with pytest.raises((MeetingClosing, MeetingClosed)) as caught:
                write()
            assert caught.value.message == (CLOSING if state == "closing" else CLOSED)
    finally:
        store.close()
    assert query(example_ws, "SELECT count(*) FROM entries") == [(0,)]
    assert query(example_ws, "SELECT id, status FROM actions") == [(1, "open")]


@pytest.mark.usefixtures("meeting_day")
def test_close_makes_every_new_file_in_memory_before_it_writes_one(example_ws, run):
    example_meeting(run)
    for args in (("meeting", "note", "2026-014", "Besproken."),  # aangemeld -> actief
                 ("meeting", "decide", "2026-022", "Besluit.")):  # agenda: ja -> nee
        assert run(*args).exit_code == 0
    folder = example_ws / "casussen"
    first, broken = folder / "2026-014-jdv.md", folder / "2026-022-kb.md"
    ws = load_workspace(example_ws)
    store = Store.open(ws.db_path, actor="test")
    try:
        case_set = load_cases(ws)  # read while both files were fine; then one broke
        good = broken.read_bytes()
        broken.write_bytes(good.replace(b"initialen: K.B.", b"initialen: K.B.\xff"))
        before = first.read_bytes()
        with pytest.raises(StaleCaseFile) as caught:
            m.close_meeting(store, ws, case_set)
        assert caught.value.message.startswith(
            "de vergadering is niet gesloten; deze casussen kunnen niet worden bijgewerkt: "
            'casus "2026-022" (casussen/2026-022-kb.md ')
        assert caught.value.message.endswith(
            "). Herstel de bestanden (zie 'overleg cases check') en sluit opnieuw.")
        # Nothing written, and the meeting is open again: recording goes on.
        assert first.read_bytes() == before
        meeting = store.meeting(DAY)
        assert meeting is not None and meeting.status == "open"
        assert store.writebacks(meeting) == {}
        assert "meeting.close" not in [e.action for e in store.audit_log()]
        m.record(store, ws, case_set.by_id()["2026-014"], "note", "Nog iets.")
        broken.write_bytes(good)
        result = m.close_meeting(store, ws, load_cases(ws))
    finally:
        store.close()
    assert (result.resumed, result.written) == (False, {"2026-014": ["status"],
                                                        "2026-022": ["agenda"]})
    assert status_of_file(first) == "actief"


def set_closing(ws: Path) -> None:
    """The meeting of D `closing`, as a close that was cut off leaves it."""
    store = Store.open(ws / "overleg.db")
    try:
        meeting = store.meeting(DAY)
        assert meeting is not None
        store.begin_close(meeting)
    finally:
        store.close()


@pytest.mark.parametrize("args", [
    ("meeting", "note", "2026-014", "Tekst"),
    ("meeting", "decide", "2026-014", "Tekst"),
    ("meeting", "review", "2026-014", "--status", "nazorg"),
    ("meeting", "attend", "POL", "K. Bakker"),
    ("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "Tekst"),
    ("action", "done", "1"),
    ("meeting", "start", "--date", "2026-12-08"),
    ("meeting", "reopen", "--reason", "vergeten"),
    ("meeting", "run"),
    ("agenda", "build", "--date", D),
    ("agenda", "add", "2026-033", "--date", D),
    ("minutes",),
], ids=lambda a: " ".join(a[:2]))
@pytest.mark.usefixtures("meeting_day")
def test_every_command_says_a_closing_meeting_is_being_closed(example_ws, run, args):
    example_meeting(run)
    assert run("meeting", "note", "2026-014", "Besproken.").exit_code == 0
    set_closing(example_ws)
    before = query(example_ws, "SELECT count(*) FROM audit")
    result = run(*args, input="")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", fout(CLOSING))
    assert query(example_ws, "SELECT count(*) FROM audit") == before


@pytest.mark.usefixtures("meeting_day")
def test_the_next_close_finishes_a_close_that_was_cut_off(example_ws, run):
    example_meeting(run)
    assert run("meeting", "note", "2026-014", "Besproken.").exit_code == 0
    set_closing(example_ws)
    result = run("meeting", "close")
    assert (result.exit_code, result.stderr) == (0, (
        "Het eerder afgebroken sluiten is afgemaakt.\n"
        "2026-014: status bijgewerkt in het casusbestand.\n"))
    assert meeting_states(example_ws) == {D: "closed"}
    assert close_lines(example_ws) == 1
    # The close's lock file stays next to the database, owner-only like it.
    assert (example_ws / f"overleg.db{m.CLOSE_LOCK_SUFFIX}").stat().st_mode & 0o777 == 0o600
    result = run("meeting", "close")
    assert (result.exit_code, result.stderr) == (1, fout(CLOSED))


@pytest.mark.usefixtures("meeting_day")
def test_a_second_close_is_refused_while_the_first_holds_the_lock(example_ws, run):
    example_meeting(run)
    assert run("meeting", "note", "2026-014", "Besproken.").exit_code == 0
    with open(example_ws / f"overleg.db{m.CLOSE_LOCK_SUFFIX}", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # a close at work in another process
        result = run("meeting", "close")
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", fout(BUSY))
        assert meeting_states(example_ws) == {D: "open"}
    assert run("meeting", "close").exit_code == 0  # the lock let go, the close goes through
