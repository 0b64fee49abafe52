"""File safety: owner-only database and outputs whatever the umask, atomic outputs that never
leave half a file, and clear Dutch messages (never a traceback) on a full disk or a
read-only workspace."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from overleg.store import Store

# Recordings act on the open meeting only when it is today's: these tests hold it on 1-12.
pytestmark = pytest.mark.usefixtures("meeting_day")

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


@pytest.mark.slow
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


@pytest.mark.usefixtures("meeting_day")
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
TOO_BIG = ("Fout: het bestand wordt te groot voor de schijf of de ingestelde limiet ({}); er "
           "is niets half weggeschreven. Maak ruimte en probeer opnieuw.\n")


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
    # the message names the file being written (not overleg's temporary file)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", TOO_BIG.format(good))
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
        "Fout: de database kon niet worden bijgewerkt: is de schijf vol? Deze "
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
    assert result.stderr.startswith("Fout: de database kan niet worden geopend of beschreven. ")
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
    assert result.stderr == ("Fout: overleg.db is beschadigd of geen database. Zet een "
                             "reservekopie terug; de casusbestanden zelf zijn niet aangetast.\n")


# --- case files: owner-only, written through links, no temporary file left behind --------

NEW_CASE = "".join(f"{a}\n" for a in ("", "K.L.", "1985", "", "", "RN", "", "RN, POL", "ja",
                                      "Vraag?"))
SHEET = ("id;initialen;status;aangemeld_op;aangemeld_door;partners\n"
         "2026-050;A.B.;aangemeld;2026-11-01;RN;RN, POL\n")


@pytest.mark.parametrize(("mask", "folder_mode", "file_mode"), [
    (0o000, None, 0o600), (0o022, None, 0o600), (0o077, None, 0o600),
    (0o022, 0o2770, 0o660),  # a team folder (setgid): its group keeps the bits it has there
], ids=["umask000", "umask022", "umask077", "teammap"])
def test_new_and_imported_case_files_are_owner_only(empty_ws, run, tmp_path, mask,
                                                    folder_mode, file_mode):
    folder = empty_ws / "casussen"
    if folder_mode is not None:
        folder.chmod(folder_mode)
    sheet = tmp_path / "aanmeldingen.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    old = os.umask(mask)
    try:
        new = run("cases", "new", input=NEW_CASE)
        imported = run("cases", "import", str(sheet), "--yes")
    finally:
        os.umask(old)
    assert new.exit_code == 0, new.stderr
    assert imported.exit_code == 0, imported.stderr
    assert {p.name: mode(p) for p in folder.iterdir()} == {
        "2026-001.md": file_mode, "2026-050.md": file_mode}


@pytest.mark.usefixtures("meeting_day")
def test_a_symlinked_case_file_stays_a_link_and_its_file_gets_the_new_state(example_ws, run,
                                                                           tmp_path):
    share = tmp_path / "share"  # a share mounted elsewhere, its file linked into casussen/
    share.mkdir()
    link = example_ws / "casussen" / "2026-014-jdv.md"
    real = share / link.name
    shutil.move(link, real)
    link.symlink_to(real)
    closed_meeting(run)  # 2026-014 was discussed: aangemeld -> actief
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert b"\nstatus: actief\n" in real.read_bytes()
    assert sorted(p.name for p in share.iterdir()) == [real.name]
    # Later edits to the real file are what overleg sees.
    real.write_bytes(real.read_bytes().replace(b"\nstatus: actief\n", b"\nstatus: nazorg\n"))
    listed = run("cases", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert [c["status"] for c in json.loads(listed.stdout) if c["id"] == "2026-014"] == [
        "nazorg"]


def test_stale_temporary_files_in_the_case_folder_are_swept(example_ws, run):
    folder = example_ws / "casussen"
    whole_case = (folder / "2026-014-jdv.md").read_bytes()
    long_ago, now = time.time() - 120, time.time()
    left_behind = {
        ".2026-014-jdv.md.k2j3h4g5.overleg.tmp": long_ago,  # ours, killed mid-write: swept
        ".2026-014-jdv.md.abcd_123.tmp": long_ago,          # what older versions left: swept
        ".2026-022-kb.md.x9y8z7w6.overleg.tmp": now,        # a write under way: kept
        ".notities.tmp": long_ago,                          # not ours: kept
        ".2026-014-jdv.md.swp": long_ago,                   # an editor's: kept
    }
    for name, at in left_behind.items():
        (folder / name).write_bytes(whole_case)
        os.utime(folder / name, (at, at))
    assert run("cases", "list").exit_code == 0
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == [
        ".2026-014-jdv.md.swp", ".2026-022-kb.md.x9y8z7w6.overleg.tmp", ".notities.tmp"]


KILLED_WRITE = """\
import os, signal, sys
from pathlib import Path
from overleg import files
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # killed just before rename
files.atomic_write(Path(sys.argv[1]), b"nieuw")
"""


def test_a_write_killed_before_its_rename_leaves_a_temporary_file_that_is_swept(example_ws,
                                                                               run):
    path = example_ws / "casussen" / "2026-014-jdv.md"
    before = path.read_bytes()
    result = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(path)], timeout=60)
    assert result.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    (left,) = [p for p in path.parent.iterdir() if p.name.startswith(".")]
    assert left.name.startswith(".2026-014-jdv.md.") and left.name.endswith(".overleg.tmp")
    assert run("cases", "list").exit_code == 0
    assert left.exists()  # fresh: it could be a write in another terminal
    os.utime(left, (time.time() - 120,) * 2)
    assert run("cases", "list").exit_code == 0
    assert not left.exists()
    assert path.read_bytes() == before
