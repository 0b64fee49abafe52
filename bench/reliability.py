"""The reliability checks of tests/test_reliability.py, tests/test_races.py and
tests/test_privacy.py with larger counts, run by hand; prints a table of figures and exits 1
on any loss or leak.

    .venv/bin/python bench/reliability.py            # the figures in docs/reliability.md
    .venv/bin/python bench/reliability.py --quick    # a tenth of the counts, about a minute

Every check is the same function the test suite calls; only the counts differ.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ.update(OVERLEG_TODAY="2026-12-01", NO_COLOR="1", COLUMNS="120")
os.environ.pop("FORCE_COLOR", None)

import test_privacy as privacy  # noqa: E402
import test_races as races  # noqa: E402
import test_reliability as reliability  # noqa: E402


def kills(tmp: Path, count: int, seed: int) -> dict[str, object]:
    ws = tmp / "kill"
    reliability.open_meeting(ws)
    f = reliability.kill_stream(ws, count, seed)
    return {"check": "kill -9 tijdens vastleggen", "runs": f.runs,
            "detail": f"{f.confirmed} bevestigd, {f.interrupted} afgebroken "
                      f"({f.killed_after_commit} na de commit)",
            "losses": f.lost, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def writers(tmp: Path, count: int, per: int, seed: int) -> dict[str, object]:
    ws = tmp / "writers"
    reliability.open_meeting(ws)
    f = reliability.parallel_writers(ws, count, per, seed)
    return {"check": f"{count} schrijvers tegelijk", "runs": f.runs,
            "detail": f"{f.confirmed} met exit 0, 0 keer 'locked'" if not f.bad
                      else f"{f.confirmed} met exit 0, {f.bad} fout of 'locked'",
            "losses": f.lost, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def close_race(tmp: Path, rounds: int, cases: int, recorders: int) -> dict[str, object]:
    f = races.close_race(tmp / "race", rounds, cases, recorders)
    return {"check": "vastleggen tijdens sluiten", "runs": f.runs,
            "detail": f"{rounds} keer sluiten van {cases} casussen: {f.written} teruggeschreven, "
                      f"{f.refused} geweigerd",
            "losses": f.lost, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def two_closes(tmp: Path, rounds: int, cases: int) -> dict[str, object]:
    f = races.double_close(tmp / "twee", rounds, cases)
    return {"check": "twee keer sluiten tegelijk", "runs": f.runs,
            "detail": f"{f.runs - f.lost} keer precies één gesloten, {f.refused} geweigerd",
            "losses": f.lost, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def two_starts(tmp: Path, rounds: int) -> dict[str, object]:
    f = races.double_start(tmp / "start", rounds)
    return {"check": "twee keer starten tegelijk", "runs": f.runs,
            "detail": f"{f.runs - f.lost} keer precies één open, {f.refused} geweigerd",
            "losses": f.lost, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def killed_close(tmp: Path, rounds: int, cases: int, seed: int) -> dict[str, object]:
    f = races.killed_close(tmp / "kill-close", rounds, cases, seed)
    return {"check": "kill -9 tijdens terugschrijven", "runs": f.runs,
            "detail": f"{f.runs - f.finished} afgebroken ({f.written} bestanden al geschreven, "
                      f"{f.unrecorded} zonder writeback-regel), {f.finished} al klaar; "
                      "elke keer afgemaakt",
            "losses": f.lost, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def fuzz(count: int, seed: int) -> dict[str, object]:
    r = reliability.fuzz_files(count, seed)
    f = r.figures
    return {"check": "casusbestanden (parse_case)", "runs": f.runs,
            "detail": f"{len(r.broken)} kapot, elk met fout en regel genoemd",
            "losses": 0, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def folder(tmp: Path, count: int, seed: int) -> dict[str, object]:
    from overleg.workspace import init_workspace

    ws = tmp / "folder"
    init_workspace(ws, example=True)
    f = reliability.check_folder(ws, count, seed)
    return {"check": "casusbestanden (cases check)", "runs": f.runs,
            "detail": f"{f.interrupted} kapot en genoemd, {f.confirmed} geldig",
            "losses": 0, "leaks": f.bad, "seconds": f.seconds, "notes": f.notes}


def partner_property(tmp: Path, examples: int, seed: int) -> dict[str, object]:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    root = tmp / "eigenschap"
    root.mkdir()
    totals = {"examples": 0, "documents": 0, "leaks": 0}
    notes: list[str] = []

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(specs=privacy.tables(), fmt=st.sampled_from(("md", "html", "txt")),
           mail=st.booleans())
    def check(specs, fmt, mail) -> None:  # type: ignore[no-untyped-def]
        result = privacy.check_partner_filter(root, specs, (fmt,), mail)
        totals["examples"] += 1
        totals["documents"] += result.documents
        if result.leaks:
            totals["leaks"] += result.leaks
            notes.append(result.detail)
        assert result.leaks == 0, result.detail

    started = time.monotonic()
    with contextlib.suppress(AssertionError):  # counted above; hypothesis re-raises it
        check()
    return {"check": "filter per partner (hypothesis)", "runs": totals["examples"],
            "detail": f"{totals['documents']} partnerdocumenten bekeken",
            "losses": 0, "leaks": totals["leaks"], "seconds": time.monotonic() - started,
            "notes": notes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument("--seed", type=int, default=20261201)
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    seed = args.seed
    started = time.monotonic()
    rows = []
    with tempfile.TemporaryDirectory(prefix="overleg-bench-") as name:
        tmp = Path(name)
        steps = [
            lambda: kills(tmp, 200 // scale, seed),
            lambda: writers(tmp, 8, 50 // scale, seed),
            lambda: close_race(tmp, max(1, 10 // scale), 200, 6),
            lambda: two_closes(tmp, max(1, 10 // scale), 200),
            lambda: two_starts(tmp, max(1, 10 // scale)),
            lambda: killed_close(tmp, max(2, 20 // scale), 200, seed),
            lambda: fuzz(20_000 // scale, seed),
            lambda: folder(tmp, 2_000 // scale, seed),
            lambda: partner_property(tmp, 1_000 // scale, seed),
        ]
        for step in steps:
            row = step()
            rows.append(row)
            print(f"  {row['check']}: {row['runs']} in {row['seconds']:.1f} s", flush=True)
    print()
    print(f"overleg reliability, {datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, seed {seed}")
    print()
    print(f"| {'check':<32} | {'runs':>6} | {'losses':>6} | {'leaks/errors':>12} | "
          f"{'seconds':>7} | detail")
    print(f"|{'-' * 34}|{'-' * 8}|{'-' * 8}|{'-' * 14}|{'-' * 9}|{'-' * 40}")
    for row in rows:
        print(f"| {row['check']:<32} | {row['runs']:>6} | {row['losses']:>6} | "
              f"{row['leaks']:>12} | {row['seconds']:>7.1f} | {row['detail']}")
    print()
    failed = [row for row in rows if row["losses"] or row["leaks"]]
    for row in failed:
        for note in row["notes"][:5]:  # type: ignore[attr-defined]
            print(f"{row['check']}: {note}")
    total = time.monotonic() - started
    print(f"{'FOUT' if failed else 'OK'}: {sum(r['losses'] for r in rows)} verloren, "  # type: ignore[misc]
          f"{sum(r['leaks'] for r in rows)} lekken of fouten, {total:.0f} s in totaal.")  # type: ignore[misc]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
