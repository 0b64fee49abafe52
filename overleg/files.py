"""Writing files safely: atomic replacement, owner-only outputs, and creating a new file only.

Each write goes through a temporary file in the target's folder, so a crash or a full disk
leaves the old file or the new one, never half of it; one a kill -9 leaves behind has a
name of its own and is swept later. Every file overleg creates is owner-only (0600).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

# Our temporary files: `.<name>.<random>.overleg.tmp` next to the file they replace. A kill -9
# between creating and renaming one leaves it behind, holding a whole case: the case folder
# is swept of stale ones each time it is read (remove_stale_temporaries).
TEMP_SUFFIX = ".overleg.tmp"
# What versions before TEMP_SUFFIX left behind: tempfile.mkstemp's `.<name>.md.<8>.tmp`.
_LEGACY_TEMP = re.compile(r"\..+\.md\.[a-z0-9_]{8}\.tmp")
STALE_SECONDS = 60  # a write takes well under a second; older than this, nobody is writing it


def _temporary(path: Path) -> tuple[int, str]:
    """A new, empty temporary file next to `path` (mode 0600), as (fd, its path)."""
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file overleg writes (or wrote, in older versions)."""
    return name.startswith(".") and (name.endswith(TEMP_SUFFIX) or bool(
        name.endswith(".tmp") and _LEGACY_TEMP.fullmatch(name)))


def remove_stale_temporaries(entries: Iterable[os.DirEntry[str]],
                             older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete the temporary files among `entries` not touched for `older_than` seconds (left
    by a write that was killed); the ones removed. One that cannot be removed is left."""
    removed = []
    limit = time.time() - older_than
    for entry in entries:
        if not is_temporary(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(
                    follow_symlinks=False).st_mtime < limit:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone meanwhile, or a read-only share: try again next time
            continue
    return removed


def new_file_mode(folder: Path) -> int:
    """The mode of a new case file in `folder`: owner-only (0600), unless the folder is set up
    as a team folder (setgid, as `chmod g+s` marks one): then the group keeps the read and
    write bits the folder gives it. Others never get any."""
    try:
        folder_mode = folder.stat().st_mode
    except OSError:
        return 0o600
    if not folder_mode & stat.S_ISGID:
        return 0o600
    return 0o600 | (folder_mode & 0o060)


def _fill(fd: int, tmp: str, data: bytes, mode: int) -> None:
    """Write the temporary file whole and to disk, with its final mode, before it is moved."""
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, mode)


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write via a temporary file in the same folder and rename, so a crash leaves old or new.

    An existing file keeps its mode; a new one is owner-only unless `mode` says otherwise.
    """
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o600
    try:
        fd, tmp = _temporary(path)
    except OSError as exc:  # name the file the user asked for, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        _fill(fd, tmp, data, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # disk full: name the file being written, not nothing
        raise


def atomic_write_through(path: Path, data: bytes) -> Path:
    """Replace the file `path` names, atomically: through a symbolic link (a share mounted
    elsewhere, say) the file it points to is replaced next to itself and the link stays.
    The file written."""
    target = Path(os.path.realpath(path))
    atomic_write(target, data)
    return target


def _make_dirs(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)


def write_output(path: Path, text: str | bytes) -> Path:
    """Write a document atomically, readable by the owner only (missing folders made 0700)."""
    _make_dirs(path.parent)
    data = text.encode("utf-8") if isinstance(text, str) else text
    atomic_write(path, data, mode=0o600)
    return path


class AppearedMeanwhile(FileExistsError):
    """The file was found by the check that replaces the hard link where there is none."""


def create_new(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write a new file whole or not at all, never replacing one: FileExistsError if it is there.

    The data is written to a temporary file and hard-linked into place, which fails instead
    of replacing a file that appeared meanwhile. On a file system without hard links (some
    shares) it checks, then moves; a file found then raises AppearedMeanwhile.
    """
    fd, tmp = _temporary(path)
    try:
        _fill(fd, tmp, data, mode)
        try:
            os.link(tmp, path)  # atomic, and refuses to replace an existing file
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (some shares): check, then move
            if path.exists():
                raise AppearedMeanwhile(str(path)) from None
            os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


# Python's strerror is English: what a user reads of an OSError, in Dutch.
_OS_REASONS = {
    "ENOENT": "bestaat niet", "EACCES": "geen toegang (rechten)",
    "EPERM": "geen toestemming (rechten)", "EISDIR": "is een map, geen bestand",
    "ENOTDIR": "een deel van het pad is geen map", "ENOSPC": "de schijf is vol",
    "EDQUOT": "de schijfruimte (quota) is op", "EROFS": "de schijf is alleen-lezen",
    "EIO": "leesfout of schrijffout van de schijf", "ELOOP": "te veel symbolische koppelingen",
    "ENAMETOOLONG": "de naam is te lang", "EEXIST": "bestaat al", "EBUSY": "is in gebruik",
    "EMFILE": "te veel open bestanden", "ENFILE": "te veel open bestanden",
    "ESTALE": "de netwerkschijf is niet meer bereikbaar", "EFBIG": "het bestand is te groot",
    "ETXTBSY": "is in gebruik", "EXDEV": "kan niet naar een andere schijf worden verplaatst",
    "ENOTEMPTY": "de map is niet leeg", "EINVAL": "ongeldige naam of bewerking",
}


def os_reason(exc: OSError) -> str:
    """An OSError's reason in Dutch ('bestaat niet', 'geen toegang (rechten)', ...)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name, f"systeemfout {name}" if name else "systeemfout")


def try_lock(fd: int) -> bool:
    """Take an exclusive lock on the open file without waiting; False when another has it.
    The system lets go of it when the process ends, however it ends (kill -9 too)."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
