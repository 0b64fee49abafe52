"""The store under concurrent first use: creating the database never reaches the user as
"database is locked"."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

OPEN = ("import pathlib, sys, time\n"
        "from overleg.store import Store\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # all start together\n"
        "Store.open(pathlib.Path(sys.argv[1])).close()\n")


@pytest.mark.slow
def test_several_commands_creating_the_database_at_once_all_succeed(tmp_path: Path) -> None:
    failures = []
    for round_ in range(10):
        db = tmp_path / f"r{round_}.db"
        start = str(time.time() + 0.4)
        procs = [subprocess.Popen([sys.executable, "-c", OPEN, str(db), start],
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            if proc.returncode != 0:
                failures.append(err.strip().splitlines()[-1])
    assert failures == []


def test_the_database_is_in_wal_mode_once_created(tmp_path: Path) -> None:
    import sqlite3

    from overleg.store import Store

    Store.open(tmp_path / "a.db").close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
