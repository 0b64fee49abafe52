"""Benchmarks for docs/performance.md, run by hand: `make bench`.

Every figure is a ratio to a baseline measured in the same run, with runs interleaved
(A B A B ...) so that machine noise hits both sides alike; medians of N runs.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from gen import make_workspace  # noqa: E402

BIN = Path(sys.executable).parent
PY = sys.executable
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
BASELINE_SCRIPT = """
import os, sys, yaml
for entry in os.scandir(sys.argv[1]):
    text = open(entry.path, encoding="utf-8").read()
    yaml.load(text.split("---", 2)[1], Loader=yaml.CSafeLoader)
"""


def verdict(ok: bool, target: str) -> str:
    return f"{target} {'ok' if ok else 'MISSED'}"


def timed(argv: list[str], env: dict[str, str], before: Callable[[], None] | None = None,
          ) -> float:
    if before:
        before()
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{argv} failed: {result.stderr.decode()[-500:]}")
    return elapsed


def interleaved(cases: dict[str, tuple[list[str], Callable[[], None] | None]],
                env: dict[str, str], runs: int = RUNS) -> dict[str, float]:
    """Median seconds per command, the commands run in turn `runs` times."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (argv, before) in cases.items():
            samples[name].append(timed(argv, env, before))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="overleg-bench-"))
    env = {**os.environ, "OVERLEG_TODAY": "2026-12-01", "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("OVERLEG_WORKSPACE", None)
    rows: list[tuple[str, float, float, str, str]] = []
    try:
        rows += startup(tmp, env)
        rows += big_folder(tmp, env)
        rows += documents(tmp)
        rows += overdue(tmp, env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{RUNS} interleaved runs each, medians; {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}\n")
    print("| measurement | seconds | baseline (s) | ratio | target |")
    print("|---|---:|---:|---:|---|")
    for name, value, base, ratio_text, target in rows:
        print(f"| {name} | {value:.3f} | {base:.3f} | {ratio_text} | {target} |")


def startup(tmp: Path, env: dict[str, str]) -> list[tuple[str, float, float, str, str]]:
    ws = tmp / "voorbeeld"
    subprocess.run([str(BIN / "overleg"), "init", str(ws), "--example"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([str(BIN / "overleg"), "-w", str(ws), "meeting", "start", "--date",
                    "2026-12-01"], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    overleg = [str(BIN / "overleg"), "-w", str(ws)]
    commands: dict[str, tuple[list[str], Callable[[], None] | None]] = {
        "python -c pass": ([PY, "-c", "pass"], None),
        "overleg --version": ([str(BIN / "overleg"), "--version"], None),
        "overleg -w WS --version (through typer)": ([*overleg, "--version"], None),
        "sqlite-utils --version": ([str(BIN / "sqlite-utils"), "--version"], None),
        "overleg --help": ([str(BIN / "overleg"), "--help"], None),
        "overleg action add (open meeting)": ([*overleg, "action", "add", "2026-014", "--owner",
                                               "POL", "--due", "+2w", "Bench-actie"], None),
    }
    med = interleaved(commands, env)
    base = med["python -c pass"]
    peer = med["sqlite-utils --version"]

    def row(name: str, target: float, against: float = base,
            label: str = "") -> tuple[str, float, float, str, str]:
        ratio = med[name] / against
        return (label or name, med[name], against, f"{ratio:.2f}x",
                f"<= {target:g}x {'ok' if ratio <= target else 'MISSED'}")

    return [
        ("python -c pass (baseline)", base, base, "1.00x", ""),
        row("overleg --version", 8),
        row("overleg -w WS --version (through typer)", 8),
        row("overleg --version", 1, peer, "overleg --version vs sqlite-utils --version"),
        row("overleg -w WS --version (through typer)", 1, peer,
            "overleg -w WS --version vs sqlite-utils --version"),
        row("overleg action add (open meeting)", 14),
        row("overleg --help", 16),
    ]


def big_folder(tmp: Path, env: dict[str, str]) -> list[tuple[str, float, float, str, str]]:
    ws = make_workspace(tmp / "groot", 10_000)
    script = tmp / "baseline.py"
    script.write_text(BASELINE_SCRIPT)
    build = [str(BIN / "overleg"), "-w", str(ws), "agenda", "build", "--date", "2026-12-01",
             "--json"]

    def drop_cache() -> None:
        db = ws / "overleg.db"
        if db.exists():
            with sqlite3.connect(db) as conn:
                conn.execute("DELETE FROM case_snapshot")

    subprocess.run(build, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)  # creates the database
    runs = max(5, RUNS // 2)
    med = interleaved({
        "baseline": ([PY, str(script), str(ws / "casussen")], None),
        "cold": (build, drop_cache),
        "warm": (build, None),
    }, env, runs)
    base = med["baseline"]
    items = len(__import__("json").loads(subprocess.run(
        build, env=env, capture_output=True, check=True).stdout)["items"])
    return [
        ("read 10,000 files + CSafeLoader (baseline)", base, base, "1.00x", ""),
        (f"agenda build, 10,000 files, cold ({items} items)", med["cold"], base,
         f"{med['cold'] / base:.2f}x", verdict(med["cold"] <= 1.3 * base, "<= 1.3x")),
        (f"agenda build, 10,000 files, warm ({items} items)", med["warm"], base,
         f"{med['warm'] / base:.2f}x", verdict(med["warm"] <= 0.35 * base, "<= 0.35x")),
    ]


def documents(tmp: Path) -> list[tuple[str, float, float, str, str]]:
    """Every document of a 40-item meeting for 12 partners, in-process."""
    os.environ["OVERLEG_TODAY"] = "2026-11-28"
    from datetime import date

    from overleg.agenda import agenda_view, build_agenda
    from overleg.casecache import load_cases
    from overleg.meeting import minutes_view
    from overleg.render import partner_actions, render_agenda, render_minutes
    from overleg.store import Store
    from overleg.workspace import load_workspace

    ws_root = make_workspace(tmp / "veertig", 40)
    toml = ws_root / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    for code in ("RvdK", "PI", "SH"):
        text += (f'\n[partners.{code}]\nnaam = "Partner {code}"\n'
                 f'email = ["{code.lower()}@x.example"]\n')
    toml.write_text(text, encoding="utf-8")
    ws = load_workspace(ws_root)
    store = Store.open(ws.db_path)
    case_set = load_cases(ws)
    for case in case_set.cases:  # all 40 on the agenda: ask for each
        path = case.path
        path.write_text(path.read_text(encoding="utf-8").replace("agenda: nee", "agenda: ja")
                        .replace("status: afgesloten", "status: actief"), encoding="utf-8")
    case_set = load_cases(ws)
    meeting, _ = build_agenda(store, case_set.cases, date(2026, 12, 1), ws.config)
    by_id = case_set.by_id()
    partners = list(ws.config.partners)
    assert len(partners) == 12, partners
    assert len(store.items(meeting)) == 40, len(store.items(meeting))

    def render_all() -> int:
        view = agenda_view(store, meeting, by_id, ws.config)
        minutes = minutes_view(store, meeting, by_id, ws.config)
        actions = store.actions(status="open")
        documents = []
        for fmt in ("md", "html", "txt"):
            documents += [render_agenda(ws, view, fmt), render_minutes(ws, minutes, fmt)]
            for code in partners:
                documents += [render_agenda(ws, view, fmt, code),
                              render_minutes(ws, minutes, fmt, code, partner_actions(
                                  actions, code, by_id, date(2026, 12, 1)))]
        sizes.append(sum(map(len, documents)))
        return len(documents)

    sizes: list[int] = []
    start = time.perf_counter()
    render_all()  # the first run compiles the templates, as a real command does
    first = time.perf_counter() - start
    times = []
    for _ in range(5):
        start = time.perf_counter()
        count = render_all()
        times.append(time.perf_counter() - start)
    store.close()
    value = statistics.median(times)
    name = f"render all {count} documents ({sizes[-1] // 1000} kB), 40 items, 12 partners"
    return [(f"{name}, first run incl. template compilation", first, 1.0,
             f"{first:.2f}x of 1 s", verdict(first <= 1, "<= 1 s")),
            (f"{name}, later runs (median of 5)", value, 1.0,
             f"{value:.2f}x of 1 s", verdict(value <= 1, "<= 1 s"))]


def overdue(tmp: Path, env: dict[str, str]) -> list[tuple[str, float, float, str, str]]:
    """`action list --overdue` with 50,000 actions: the index answers, not a full scan."""
    ws = tmp / "acties"
    subprocess.run([str(BIN / "overleg"), "init", str(ws), "--example"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    from overleg.store import Store

    store = Store.open(ws / "overleg.db")
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO actions (case_id, owner, text, due, created_at) VALUES (?, ?, ?, ?, ?)",
            [("2026-014", "POL", f"actie {n}", f"{2026 + n % 3}-{1 + n % 12:02d}-{1 + n % 28:02d}",
              "2026-01-01T00:00:00") for n in range(50_000)])
    plan = " / ".join(row[3] for row in store.conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM actions a WHERE a.status = 'open' AND a.due < ? "
        "ORDER BY a.due, a.id", ("2026-11-28",)))
    store.close()
    overleg = [str(BIN / "overleg"), "-w", str(ws)]
    med = interleaved({
        "python -c pass": ([PY, "-c", "pass"], None),
        "overdue": ([*overleg, "action", "list", "--overdue", "--json"], None),
    }, env, max(5, RUNS // 2))
    ratio = med["overdue"] / med["python -c pass"]
    return [(f"action list --overdue --json, 50,000 actions [{plan}]", med["overdue"],
             med["python -c pass"], f"{ratio:.1f}x", "index, no full scan " +
             ("ok" if "USING INDEX" in plan or "USING COVERING INDEX" in plan else "MISSED"))]


if __name__ == "__main__":
    main()
