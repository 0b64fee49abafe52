"""File safety: owner-only database and outputs whatever the umask, atomic outputs that never
leave half a file, and clear Dutch messages (never a traceback) on a full disk or a
read-only workspace."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from overleg.store import Store

D = "2026-12-01"
OVERLEG = str(Path(sys.executable).parent / "overleg")


@pytest.fixture(params=[0o000, 0o022], ids=["umask000", "umask022"])
def umask(request) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def closed_meeting(run) -> None:
    for args in [("agenda", "build", "--date", D), ("meeting", "start", "--date", D),
                 ("meeting", "note", "2026-014", "besproken"), ("meeting", "close")]:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)


# --- owner-only -------------------------------------------------------------------------

def test_database_and_its_wal_files_are_owner_only(example_ws, run, umask):
    assert run("agenda", "build", "--date", D).exit_code == 0
    db = example_ws / "overleg.db"
    assert mode(db) == 0o600
    store = Store.open(db)  # while a connection writes, the -wal and -shm files exist
    try:
        store.create_meeting(date(2026, 12, 8))
        files = sorted(p.name for p in example_ws.glob("overleg.db*"))
        assert files == ["overleg.db", "overleg.db-shm", "overleg.db-wal"]
        assert {name: mode(example_ws / name) for name in files} == dict.fromkeys(files, 0o600)
    finally:
        store.close()


def test_a_database_made_readable_by_others_is_closed_again(example_ws, run):
    assert run("agenda", "build", "--date", D).exit_code == 0
    db = example_ws / "overleg.db"
    db.chmod(0o644)
    assert run("agenda", "show", "--date", D).exit_code == 0
    assert mode(db) == 0o600


def test_everything_under_uit_is_owner_only(example_ws, run, umask):
    closed_meeting(run)
    uit = example_ws / "uit"
    for args in [
        ("agenda", "render", "--date", D, "--partner", "POL", "-o", f"{uit}/agenda/POL.md"),
        ("agenda", "render", "--date", D, "--format", "html", "-o", f"{uit}/agenda/alles.html"),
        ("minutes", "--format", "txt", "-o", f"{uit}/verslagen/2026/12/verslag.txt"),
        ("minutes", "--partner", "GGZ", "--format", "html", "-o", f"{uit}/verslagen/GGZ.html"),
        ("mail",),
        ("mail", "--kind", "agenda", "--date", D, "-o", f"{uit}/mail/agenda"),
    ]:
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    files, folders = [], [example_ws / "uit"]
    for root, dirs, names in os.walk(example_ws / "uit"):
        folders += [Path(root) / d for d in dirs]
        files += [Path(root) / n for n in names]
    assert len(files) == 4 + 8 + 8
    assert {str(p): mode(p) for p in files} == dict.fromkeys(map(str, files), 0o600)
    assert {str(p): mode(p) for p in folders} == dict.fromkeys(map(str, folders), 0o700)


def test_an_existing_output_readable_by_others_becomes_owner_only(example_ws, run):
    closed_meeting(run)
    target = example_ws / "verslag.md"
    target.write_text("oud\n", encoding="utf-8")
    target.chmod(0o644)
    assert run("minutes", "-o", str(target)).exit_code == 0
    assert mode(target) == 0o600
    assert target.read_text(encoding="utf-8").startswith("# Verslag")


# --- a half-written output never replaces a good one ------------------------------------

def limited(limit: int):
    """A preexec_fn capping the size of any file the child writes (RLIMIT_FSIZE): a write
    past it fails with EFBIG, as a full disk fails with ENOSPC."""
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def cli(*args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([OVERLEG, *args], capture_output=True, text=True, timeout=60,
                          preexec_fn=limited(limit) if limit else None)


def big_case(ws: Path) -> None:
    """A requested case whose question alone is about 120 kB, so its documents are too."""
    question = "\n".join(f"Regel {n}: " + "lange vraag " * 8 for n in range(1, 1300))
    (ws / "casussen" / "groot.md").write_text(
        "---\nid: 2026-090\ninitialen: G.R.\ngeboortejaar: 1970\nstatus: actief\n"
        "aangemeld_op: 2026-10-01\naangemeld_door: POL\npartners: [POL]\nagenda: ja\n---\n"
        f"# G.R.\n\n## Vraag aan het overleg\n{question}\n", encoding="utf-8")


LIMIT = 64 * 1024  # above SQLite's 32 kB -shm file, below the documents
TOO_BIG = ("Fout: het bestand wordt te groot voor de schijf of de ingestelde limiet; er is "
           "niets half weggeschreven. Maak ruimte en probeer opnieuw.\n")


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ("agenda", "render", "--date", D, "-o", "uit/stuk.md"),
    ("minutes", "--date", D, "--format", "html", "-o", "uit/stuk.md"),
], ids=["agenda", "minutes"])
def test_a_failed_write_leaves_the_old_output_and_no_temporary_file(example_ws, run, args):
    big_case(example_ws)
    closed_meeting(run)
    good = example_ws / "uit" / "stuk.md"
    good.parent.mkdir(mode=0o700)
    good.write_bytes(b"GOED: de vorige versie\n")
    args = tuple(str(example_ws / a) if a.startswith("uit/") else a for a in args)
    result = cli(*args, limit=LIMIT)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", TOO_BIG)
    assert good.read_bytes() == b"GOED: de vorige versie\n"
    assert sorted(p.name for p in good.parent.iterdir()) == ["stuk.md"]
    # Without the limit the same command writes the whole document over it.
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert good.stat().st_size > LIMIT
    assert sorted(p.name for p in good.parent.iterdir()) == ["stuk.md"]


@pytest.mark.slow
def test_a_full_disk_while_recording_loses_no_earlier_entry(example_ws, run):
    for args in [("agenda", "build", "--date", D), ("meeting", "start", "--date", D)]:
        assert run(*args).exit_code == 0
    for n in range(5):
        assert run("meeting", "note", "2026-014", f"notitie {n}").exit_code == 0
    huge = "x" * 120_000  # its WAL frames cannot be written under the limit
    result = cli("meeting", "note", "2026-014", huge, limit=LIMIT)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "Fout: de database kon niet worden bijgewerkt (disk I/O error): is de schijf vol? Deze "
        "wijziging is niet opgeslagen, alles van eerder wel. Maak ruimte en probeer het "
        "opnieuw.\n")
    with sqlite3.connect(example_ws / "overleg.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        texts = [r[0] for r in conn.execute("SELECT text FROM entries ORDER BY id")]
    assert texts == [f"notitie {n}" for n in range(5)]
    # With room again the next entry goes in as usual.
    assert cli("meeting", "note", "2026-014", "daarna").returncode == 0


# --- a read-only workspace ----------------------------------------------------------------

def _unshare_works() -> bool:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null || "
                            "mount -t tmpfs none /mnt"], capture_output=True, timeout=10)
    return probe.returncode == 0


def read_only(ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run overleg with the workspace read-only: a read-only bind mount in a private mount
    namespace as root (chmod does not stop root), file modes otherwise."""
    if os.geteuid() == 0:
        script = ('mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && '
                  'exec "$@"')
        return subprocess.run(["unshare", "-m", "sh", "-c", script, str(ws), OVERLEG, *args],
                              capture_output=True, text=True, timeout=60)
    paths = [ws, ws / "overleg.db", ws / "uit"]
    saved = {p: mode(p) for p in paths if p.exists()}
    try:
        for p in saved:
            p.chmod(0o400 if p.is_file() else 0o500)
        return cli(*args)
    finally:
        for p, m in saved.items():
            p.chmod(m)


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0 and not _unshare_works(),
                    reason="as root only a read-only mount stops writes, and this machine "
                    "cannot make one (no unshare/mount or no CAP_SYS_ADMIN)")
@pytest.mark.parametrize("args", [
    ("meeting", "note", "2026-014", "tekst"),
    ("action", "add", "2026-014", "--owner", "POL", "--due", "+2w", "tekst"),
    ("meeting", "close"),
    ("agenda", "render", "--date", D, "--partner", "POL", "-o", "werkmap/uit/agenda-POL.md"),
], ids=["note", "action", "close", "render"])
def test_a_read_only_workspace_gives_a_dutch_message_and_changes_nothing(example_ws, run,
                                                                        args):
    for setup in [("agenda", "build", "--date", D), ("meeting", "start", "--date", D),
                  ("meeting", "note", "2026-014", "eerder")]:
        assert run(*setup).exit_code == 0
    (example_ws / "uit").mkdir(mode=0o700)
    before = (example_ws / "overleg.db").read_bytes()
    cases = {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()}
    result = read_only(example_ws, *args)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("Fout: de database kan niet worden geopend of beschreven (")
    assert result.stderr.endswith("Staat de werkmap op een alleen-lezen schijf, of ontbreken "
                                  "schrijfrechten? Controleer de rechten op de werkmap en "
                                  "overleg.db; deze wijziging is niet opgeslagen.\n")
    assert "Traceback" not in result.stderr
    assert (example_ws / "overleg.db").read_bytes() == before
    assert {p.name: p.read_bytes() for p in (example_ws / "casussen").iterdir()} == cases
    assert list((example_ws / "uit").iterdir()) == []


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0 and not _unshare_works(),
                    reason="as root only a read-only mount stops writes, and this machine "
                    "cannot make one (no unshare/mount or no CAP_SYS_ADMIN)")
def test_an_output_on_a_read_only_disk_gives_a_dutch_message(example_ws, run, tmp_path):
    closed_meeting(run)
    target = tmp_path / "alleen-lezen"
    target.mkdir()
    if os.geteuid() == 0:
        script = ('mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && '
                  'exec "$@"')
        result = subprocess.run(["unshare", "-m", "sh", "-c", script, str(target), OVERLEG,
                                 "minutes", "-o", str(target / "v.md")],
                                capture_output=True, text=True, timeout=60)
        expected = (f"Fout: de schijf is alleen-lezen ({target / 'v.md'}). Kies een werkmap of "
                    "uitvoerbestand op een schijf waarop geschreven kan worden.\n")
    else:
        target.chmod(0o500)
        try:
            result = cli("minutes", "-o", str(target / "v.md"))
        finally:
            target.chmod(0o700)
        expected = (f"Fout: geen schrijf- of leesrechten ({target / 'v.md'}). Controleer de "
                    "rechten op de map of het bestand.\n")
    assert (result.returncode, result.stdout, result.stderr) == (1, "", expected)
    assert list(target.iterdir()) == []


def test_a_damaged_database_gives_a_dutch_message(example_ws, run):
    (example_ws / "overleg.db").write_bytes(b"dit is geen database" * 100)
    result = run("agenda", "show", "--date", D)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Fout: overleg.db is beschadigd of geen database (file is not a "
                             "database). Zet een reservekopie terug; de casusbestanden zelf "
                             "zijn niet aangetast.\n")
