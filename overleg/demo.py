"""`overleg demo`: the whole flow on a fresh copy of the example workspace."""

from __future__ import annotations

import shutil
from pathlib import Path

from overleg.cases import load_cases
from overleg.config import init_workspace, load_workspace


def run_demo(out_dir: Path) -> list[tuple[str, Path]]:
    """Run the demo into `out_dir`; returns (what, where) for everything written."""
    workspace = out_dir / "werkmap"
    if workspace.exists():
        shutil.rmtree(workspace)
    out_dir.mkdir(parents=True, exist_ok=True)
    init_workspace(workspace, example=True)
    ws = load_workspace(workspace)
    case_set = load_cases(ws)
    written = [("voorbeeldwerkmap", workspace)]
    listing = out_dir / "casussen.txt"
    listing.write_text("".join(f"{c.id}\t{c.label}\t{c.status}\n" for c in case_set.cases),
                       encoding="utf-8")
    written.append((f"{len(case_set.cases)} casussen", listing))
    return written
