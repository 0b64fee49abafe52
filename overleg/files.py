"""Writing files safely: atomic replacement, owner-only outputs, and creating a new file only.

Each write goes through a temporary file in the target's folder, so a crash or a full disk
leaves the old file or the new one, never half of it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write via a temporary file in the same folder and rename, so a crash leaves old or new."""
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o644
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # name the file the user asked for, not our temporary one
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def create_new(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write a new file whole or not at all, never replacing one: FileExistsError if it is there.

    The data is written to a temporary file and hard-linked into place, which fails instead
    of replacing a file that appeared meanwhile. On a file system without hard links (some
    shares) it checks, then moves; a file found then raises AppearedMeanwhile.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
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
