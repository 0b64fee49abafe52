"""Reliability under abuse: kill -9 while recording, several writers at once, and thousands
of broken case files. Each check is a plain function returning its figures, so
bench/reliability.py runs the same code with larger counts."""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overleg.config import load_config

ROOT = Path(__file__).resolve().parent.parent
OVERLEG = str(Path(sys.executable).parent / "overleg")
D = "2026-12-01"
ON_AGENDA = ["2026-014", "2026-027", "2026-019", "2026-005", "2026-017", "2026-041"]
OWNERS = {"2026-014": "POL", "2026-027": "VT", "2026-019": "RN", "2026-005": "GEM",
          "2026-017": "WC", "2026-041": "GGZ"}

# Real processes, kill -9, thousands of mutated files; the meeting is today's (1-12).
pytestmark = [pytest.mark.usefixtures("meeting_day"), pytest.mark.slow]


@dataclass
class Figures:
    """What one check did and found; `lost` and `bad` must stay 0."""

    runs: int = 0
    confirmed: int = 0  # commands that exited 0 (their entry must be there)
    interrupted: int = 0  # commands killed before they finished
    killed_after_commit: int = 0  # of those, killed after their entry was committed
    lost: int = 0  # confirmed entries missing afterwards (or duplicated)
    bad: int = 0  # integrity failures, "locked" messages, tracebacks, unnamed files
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def env_for(ws: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(OVERLEG_WORKSPACE=str(ws), OVERLEG_TODAY="2026-12-01", NO_COLOR="1")
    env.pop("FORCE_COLOR", None)
    return env


def open_meeting(ws: Path) -> None:
    """A copy of the example workspace with the meeting of 01-12-2026 open."""
    from overleg.workspace import init_workspace

    init_workspace(ws, example=True)
    for args in (("agenda", "build", "--date", D), ("meeting", "start", "--date", D)):
        subprocess.run([OVERLEG, *args], env=env_for(ws), check=True, capture_output=True,
                       timeout=60)


def recorded(ws: Path) -> list[str]:
    """Texts of every note, decision and action in the database."""
    with sqlite3.connect(ws / "overleg.db") as conn:
        return ([r[0] for r in conn.execute("SELECT text FROM entries")]
                + [r[0] for r in conn.execute("SELECT text FROM actions")])


def integrity(ws: Path) -> str:
    with sqlite3.connect(ws / "overleg.db") as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def entry_command(rng: random.Random, text: str) -> list[str]:
    case = rng.choice(ON_AGENDA)
    if rng.random() < 0.5:
        return [OVERLEG, "meeting", rng.choice(["note", "decide"]), case, text]
    return [OVERLEG, "action", "add", case, "--owner", OWNERS[case], "--due", "+2w", text]


def _check_entries(ws: Path, confirmed: list[str], figures: Figures) -> None:
    texts = recorded(ws)
    figures.lost = sum(1 for t in confirmed if texts.count(t) != 1)
    if integrity(ws) != "ok":
        figures.bad += 1
        figures.notes.append(f"integrity_check: {integrity(ws)}")


# --- (1) kill -9 ---------------------------------------------------------------------------

def kill_stream(ws: Path, kills: int, seed: int) -> Figures:
    """Start `kills` recording commands one after another and SIGKILL each at a random
    moment of its life (some finish first). Every command that exited 0 must have its entry,
    exactly once, and the database must pass integrity_check."""
    rng = random.Random(seed)
    figures = Figures()
    confirmed: list[str] = []
    killed: list[str] = []
    env = env_for(ws)
    started = time.monotonic()
    # How long one command lives here; the kills are spread over that life, half of them
    # over its last third, where the entry is written and committed.
    lives = []
    for n in range(3):
        begin = time.monotonic()
        subprocess.run(entry_command(rng, f"ijk-{seed}-{n}"), env=env, capture_output=True,
                       check=True, timeout=60)
        lives.append(time.monotonic() - begin)
        confirmed.append(f"ijk-{seed}-{n}")
    life = sorted(lives)[1]
    for n in range(kills):
        text = f"kill-{seed}-{n}"
        delay = rng.uniform(0, 1.2 * life) if n % 2 else rng.uniform(0.65 * life, 1.05 * life)
        proc = subprocess.Popen(entry_command(rng, text), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
        _, stderr = proc.communicate()
        figures.runs += 1
        if proc.returncode == 0:
            confirmed.append(text)
            figures.confirmed += 1
        elif proc.returncode == -signal.SIGKILL:
            figures.interrupted += 1
            killed.append(text)
        else:
            figures.bad += 1
            figures.notes.append(stderr.decode(errors="replace")[-300:])
    _check_entries(ws, confirmed, figures)
    texts = recorded(ws)
    figures.killed_after_commit = sum(1 for t in killed if t in texts)
    # An entry is there once or not at all, also when its command was killed.
    figures.lost += sum(1 for t in killed if texts.count(t) > 1)
    # The database is usable right after the last kill.
    after = subprocess.run([OVERLEG, "meeting", "note", ON_AGENDA[0], f"na-{seed}"], env=env,
                           capture_output=True, timeout=60)
    if after.returncode != 0 or f"na-{seed}" not in recorded(ws):
        figures.bad += 1
    figures.seconds = time.monotonic() - started
    return figures


def test_kill_9_at_random_moments_loses_no_confirmed_entry(tmp_path):
    ws = tmp_path / "werkmap"
    open_meeting(ws)
    figures = kill_stream(ws, kills=20, seed=20261201)
    assert (figures.lost, figures.bad) == (0, 0), figures.notes
    assert figures.runs == 20
    # Both outcomes happened, so the check saw commands die mid-way and commands finish.
    assert figures.confirmed >= 1 and figures.interrupted >= 1, figures


# --- (2) several writers at once -----------------------------------------------------------

def parallel_writers(ws: Path, writers: int, per_writer: int, seed: int) -> Figures:
    """`writers` processes side by side, each recording `per_writer` entries one after
    another. All must exit 0, none may say "locked", and every entry must be there once."""
    figures = Figures()
    env = env_for(ws)
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        rng = random.Random(seed * 100 + w)
        for n in range(per_writer):
            text = f"schrijver-{w}-{n}"
            proc = subprocess.run(entry_command(rng, text), env=env, capture_output=True,
                                  text=True, timeout=120)
            with lock:
                results.append((text, proc.returncode, proc.stderr))

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    figures.runs = len(results)
    confirmed = [text for text, code, _ in results if code == 0]
    figures.confirmed = len(confirmed)
    for text, code, stderr in results:
        if code != 0 or "locked" in stderr.lower() or "Traceback" in stderr:
            figures.bad += 1
            figures.notes.append(f"{text}: {code} {stderr[-300:]}")
    _check_entries(ws, confirmed, figures)
    figures.lost += figures.runs - figures.confirmed
    figures.seconds = time.monotonic() - started
    return figures


def test_four_writers_at_once_lose_nothing_and_never_see_locked(tmp_path):
    ws = tmp_path / "werkmap"
    open_meeting(ws)
    figures = parallel_writers(ws, writers=4, per_writer=8, seed=7)
    assert (figures.runs, figures.confirmed, figures.lost, figures.bad) == (32, 32, 0, 0), \
        figures.notes
    assert len(recorded(ws)) == 32


# --- (3) generated and mutated case files --------------------------------------------------

EXAMPLE_FILES = sorted((ROOT / "examples" / "casussen").glob("*.md"))
CONFIG = load_config(ROOT / "examples" / "overleg.toml")

JUNK_LINES = [
    "key: [niet afgesloten", "&a [*a, *a]", "? [complex, key]", "- lijst op topniveau", "id:",
    "\tmet: tab", ":", "'''", "{{ naam }}", "!!python/object/apply:os.system ['ls']",
    "<<: *nergens", "status: afgesloten", "partners: {RN: ja}", "toezicht: [1, 2]",
    "toezicht:\n  einde: [2027-01-01]", "geboortejaar: ²⁰⁰⁰", "aangemeld_op: 31-02-2026",
    "aangemeld_op: ٢٠٢٦-١١-٠٢", "id: 0142", "id: ../../etc/passwd", "bespreken: 2026-13-01",
    "prioriteit: no", "agenda: misschien", "minuten: -5", "minuten: 1e3", "regie: XXX",
    "a: &x [*x]", "b: !!binary aGFsbG8=", "\u202eid: omgekeerd", "wijk: \U0001f3e0 thuis",
    "geinformeerd: nee", "---", "...", "%YAML 1.2", "id: 2026-014", "initialen:",
    "afgesloten_op: gisteren", "thema: [a, [b, [c, [d]]]]", "x: " + "[" * 60 + "]" * 60,
    "bsn: 111222333", "\x00", "\x85next line", "key: 'niet afgesloten",
    "regisseur: [A. B., C. D.]", "wijk: {a: b}",
]
RAW_JUNK = [b"\xef\xbb\xbf", b"\r", b"\r\n", b"\x00", b"\xff\xfe", b"\xc3", b"\xe2\x80",
            b"\x1b[31m", b"\xf0\x9f\x98"]


def mutate(raw: bytes, rng: random.Random) -> bytes:
    """One to four random mutations: lines dropped, doubled, swapped or replaced, YAML
    traps inserted, values changed, bytes flipped or cut off."""
    for _ in range(rng.randint(1, 4)):
        lines = raw.split(b"\n")
        kind = rng.randrange(9)
        i = rng.randrange(len(lines))
        if kind == 0 and len(lines) > 1:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[i])
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3:
            lines.insert(i, rng.choice(JUNK_LINES).encode())
        elif kind == 4 and b":" in lines[i]:
            key = lines[i].split(b":", 1)[0]
            value = rng.choice(JUNK_LINES).split(":", 1)[-1]
            lines[i] = key + b":" + value.encode()
        elif kind == 5:
            raw = raw[:rng.randrange(len(raw) + 1)]
            continue
        elif kind == 6 and raw:
            pos = rng.randrange(len(raw))
            raw = raw[:pos] + bytes([rng.randrange(256)]) + raw[pos + 1:]
            continue
        elif kind == 7:
            pos = rng.randrange(len(raw) + 1)
            raw = raw[:pos] + rng.choice(RAW_JUNK) + raw[pos:]
            continue
        elif rng.random() < 0.5:
            lines = [line for line in lines if line.strip() != b"---"]
        else:
            lines = [b"---", *lines]
        raw = b"\n".join(lines)
    return raw


def generated(rng: random.Random, n: int) -> bytes:
    """A valid case file built from random parts."""
    partners = rng.sample(sorted(CONFIG.partners), rng.randint(1, 4))
    status = rng.choice(["aangemeld", "actief", "nazorg", "afgesloten"])
    lines = ["---", f"id: G-{n:05d}", f"initialen: {rng.choice('ABCDEFG')}.{n}.",
             f"geboortejaar: {rng.randint(1940, 2010)}", f"status: {status}",
             f"aangemeld_op: {rng.randint(1, 28)}-{rng.randint(1, 12)}-2026",
             f"aangemeld_door: {partners[0]}", f"partners: [{', '.join(partners)}]"]
    if status == "afgesloten":
        lines.append("afgesloten_op: 2026-11-01")
    if rng.random() < 0.5:
        lines.append(f"bespreken: {rng.randint(1, 28)} december 2026")
    if rng.random() < 0.3:
        lines += ["toezicht:", "  einde: 2027-01-15", "  voorwaarden: [meldplicht]"]
    lines += ["---", f"# Casus {n}", "", "## Vraag aan het overleg", f"Vraag {n}?", ""]
    return "\n".join(lines).encode()


@dataclass
class FuzzResult:
    figures: Figures
    broken: list[str]  # shown names of files that gave no case


def fuzz_files(count: int, seed: int) -> FuzzResult:
    """Parse `count` generated or mutated case files: never an exception; a file that gives
    no case has an error finding naming it with a line inside the file; a file that gives
    a case has no error finding."""
    from overleg.cases import parse_case

    rng = random.Random(seed)
    figures = Figures()
    broken: list[str] = []
    examples = [p.read_bytes() for p in EXAMPLE_FILES]
    started = time.monotonic()
    for n in range(count):
        base = rng.choice(examples) if rng.random() < 0.5 else generated(rng, n)
        raw = mutate(base, rng) if rng.random() < 0.85 else base
        shown = f"casussen/f{n:05d}.md"
        figures.runs += 1
        try:
            case, findings = parse_case(raw, Path(shown), shown, CONFIG)
        except Exception as exc:  # the one thing that must never happen
            figures.bad += 1
            figures.notes.append(f"{shown}: {type(exc).__name__}: {exc}")
            continue
        errors = [f for f in findings if f.error]
        last_line = raw.count(b"\n") + 1
        named = all(f.path == shown and 1 <= f.line <= last_line and f.message
                    for f in findings)
        if not named or (case is None) != bool(errors):
            figures.bad += 1
            figures.notes.append(f"{shown}: case={case is not None} findings={findings}")
        if case is None:
            broken.append(shown)
    figures.seconds = time.monotonic() - started
    return FuzzResult(figures, broken)


def test_thousands_of_mutated_case_files_never_raise_and_every_bad_one_is_named():
    result = fuzz_files(3000, seed=11)
    assert result.figures.bad == 0, result.figures.notes[:5]
    # The mutations do break most files, and leave some valid: both paths are exercised.
    assert 1000 < len(result.broken) < 2900


@pytest.mark.parametrize("line", ["regisseur: [A. B., C. D.]", "wijk: {a: b}",
                                  "regisseur:\n  - A. B.", "wijk:\n  x: y"])
def test_a_list_where_one_value_belongs_makes_the_file_broken(line):
    """Found by the fuzzer: these keys were checked after the case was already built."""
    from overleg.cases import parse_case

    raw = generated(random.Random(1), 1).replace(b"status:", f"{line}\nstatus:".encode())
    case, findings = parse_case(raw, Path("casussen/x.md"), "casussen/x.md", CONFIG)
    assert case is None
    assert [(f.line, f.message) for f in findings if f.error] == [
        (5, f"'{line.split(':')[0]}' moet één waarde zijn, geen lijst of tabel")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400), st.text(max_size=200))
def test_any_front_matter_text_gives_a_case_or_named_errors(front, body):
    from overleg.cases import parse_case

    for raw in (f"---\n{front}\n---\n{body}".encode(), f"{front}\n{body}".encode()):
        case, findings = parse_case(raw, Path("casussen/x.md"), "casussen/x.md", CONFIG)
        assert all(f.path == "casussen/x.md" and f.line >= 1 for f in findings)
        assert (case is None) == any(f.error for f in findings)


def check_folder(ws: Path, count: int, seed: int) -> Figures:
    """Put `count` generated or mutated files in a workspace's case folder and run the
    installed `overleg cases check`: no traceback, exit 1, every file that gives no case
    named with an error (and no other file), and a summary that adds up."""
    from overleg.casecache import case_files, load_cases
    from overleg.workspace import load_workspace

    folder = ws / "casussen"
    rng = random.Random(seed)
    examples = [p.read_bytes() for p in EXAMPLE_FILES]
    for n in range(count):
        base = (re.sub(rb"(?m)^id:.*$", f"id: E-{n}".encode(), rng.choice(examples), count=1)
                if rng.random() < 0.5 else generated(rng, n))
        (folder / f"f{n:05d}.md").write_bytes(mutate(base, rng))
    started = time.monotonic()
    result = subprocess.run([OVERLEG, "cases", "check"], env=env_for(ws), capture_output=True,
                            text=True, timeout=300)
    figures = Figures(runs=count, seconds=time.monotonic() - started)
    case_set = load_cases(load_workspace(ws))
    valid = {c.path.name for c in case_set.cases}
    every = {p.name for p in case_files(folder)}
    named = {m[1] for m in re.finditer(r"^casussen/([^:/]+):\d+: (?!waarschuwing: )",
                                       result.stdout, re.MULTILINE)}
    errors = len(case_set.errors)
    warnings = len(case_set.findings) - errors
    summary = (f"{len(every)} casusbestanden gecontroleerd: {errors} fout"
               f"{'en' if errors != 1 else ''}, {warnings} waarschuwing"
               f"{'en' if warnings != 1 else ''}.\n")
    figures.confirmed = len(valid)  # files that still gave a case
    figures.interrupted = len(every - valid)  # broken files (each must be named)
    figures.bad = len(named ^ (every - valid)) + ("Traceback" in result.stderr) + (
        result.returncode != 1) + (result.stderr != summary)
    if figures.bad:
        figures.notes.append(f"{sorted(named ^ (every - valid))[:5]} {result.stderr[-300:]}")
    return figures


def test_cases_check_names_every_broken_file_and_never_shows_a_traceback(example_ws):
    figures = check_folder(example_ws, 250, seed=5)
    assert figures.bad == 0, figures.notes
    assert figures.interrupted > 100  # many files are broken ...
    assert figures.confirmed > 20  # ... and some still valid
