"""Shared fixtures: every test gets its own workspace under tmp_path and a fixed "today"."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import typer.testing
from hypothesis import settings
from typer.testing import CliRunner

from overleg.cli.app import app
from overleg.workspace import init_workspace

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TODAY = "2026-11-28"  # a Saturday; the example meeting is Tuesday 2026-12-01
MEETING_DAY = "2026-12-01"  # `meeting_day`: the tests that hold that meeting

# Hypothesis profiles: `dev` (few examples) for the inner loop, `ci` with hypothesis' usual
# 100 and a reproduction blob on failure. $HYPOTHESIS_PROFILE names one; otherwise `ci` when
# $CI is set (as on the CI runner), else `dev`. A test that pins max_examples in its own
# @settings keeps that number under both profiles: the pinned runs that take more than
# about a second are marked slow, so `make quick` leaves them out and `make test` runs them.
settings.register_profile("ci", max_examples=100, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() not in ("", "0", "false") else "dev"))

# CliRunner.invoke has typer build the whole click command tree again on every call (each
# command's type hints evaluated: some 20 ms a call, nearly half the time of `make quick`).
# The installed program builds it once per process; the suite builds it once per session.
typer.testing._get_command = functools.cache(typer.testing._get_command)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OVERLEG_TODAY", TODAY)
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("OVERLEG_SMTP_PASSWORD", raising=False)
    # No test may pick up a workspace outside tmp_path.
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(tmp_path / "geen-werkmap"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def meeting_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is the day of the meeting most tests hold (1 December 2026): recordings act on
    the open meeting only when it is today's."""
    monkeypatch.setenv("OVERLEG_TODAY", MEETING_DAY)


@pytest.fixture
def example_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the example workspace, selected as the workspace."""
    ws = tmp_path / "werkmap"
    init_workspace(ws, example=True)
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
    return ws


@pytest.fixture
def empty_ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new workspace with the example config but no case files."""
    ws = tmp_path / "leeg"
    init_workspace(ws, example=False)
    shutil.copyfile(EXAMPLES / "overleg.toml", ws / "overleg.toml")
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
    return ws


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's workspace after its two meetings (run once per session; tests get a copy)."""
    from overleg.demo import run_demo

    out = tmp_path_factory.mktemp("demo") / "uit"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OVERLEG_TODAY", TODAY)
        run_demo(out)
    return out / "werkmap"


@pytest.fixture
def demo_ws(demo_source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo's workspace: meetings of 17-11 and 01-12 closed."""
    ws = tmp_path / "werkmap"
    shutil.copytree(demo_source, ws)
    monkeypatch.setenv("OVERLEG_WORKSPACE", str(ws))
    return ws


class Run:
    """The real CLI in-process: `run("cases", "list")` -> result with exit_code, stdout, stderr."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None):  # noqa: A002
        return self.runner.invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def run() -> Callable[..., object]:
    return Run()
