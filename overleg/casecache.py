"""The case folder read as a CaseSet, through a snapshot of earlier parses kept in the Store.

A file whose stat is unchanged since it was parsed is not read again: its case comes back
from the snapshot, which the restricted unpickler turns into dates and plain containers only,
and whose every entry is checked for the shape of a Case before it is used. A file above
MAX_CASE_BYTES is a finding, and no file is ever read past that size.
"""

from __future__ import annotations

import functools
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from overleg.cases import Case, CaseSet, Finding, Toezicht, parse_case
from overleg.config import Config
from overleg.errors import InvalidCaseFile
from overleg.files import os_reason, remove_stale_temporaries
from overleg.frontmatter import decode, parser_line, split_front_matter
from overleg.workspace import Workspace

# A case file is a summary for the table: one above this is a finding and is never read whole
# (a 3 GB file would be read into memory, and drawing its text grows with its size).
MAX_CASE_BYTES = 1024 * 1024


def too_large(size: int) -> str:
    """The finding for a case file of `size` bytes, above MAX_CASE_BYTES."""
    from overleg.text import size_text

    return (f"het bestand is groter dan {size_text(MAX_CASE_BYTES)} ({size_text(size)}) en wordt "
            "niet gelezen. Een casusbestand is een samenvatting voor het overleg: zet lange "
            "verslagen en bijlagen ergens anders en verwijs ernaar")


def read_case_bytes(path: Path) -> bytes | None:
    """The bytes of a case file, or None when it holds more than MAX_CASE_BYTES (of which at
    most one more is read)."""
    with path.open("rb") as handle:
        data = handle.read(MAX_CASE_BYTES + 1)
    return None if len(data) > MAX_CASE_BYTES else data


def read_body(case: Case, shown: str | None = None) -> str:
    """The Markdown below the front matter, read from the file now (it is not cached);
    InvalidCaseFile when the file has grown above MAX_CASE_BYTES since it was checked."""
    try:
        data = read_case_bytes(case.path)
        if data is None:
            where = shown or f"{case.path.parent.name}/{case.path.name}"
            raise InvalidCaseFile(f"{where}:1: {too_large(case.path.stat().st_size)}")
        text = decode(data)
    except (OSError, ValueError):
        return ""
    split = split_front_matter(text)
    return split[1] if split else ""


def case_files(folder: Path) -> list[Path]:
    """The Markdown files of the case folder, sorted by name (hidden files skipped)."""
    return [Path(entry.path) for entry in _scan(folder)]


def _scan(folder: Path, sweep: bool = False) -> list[os.DirEntry[str]]:
    """The case files' entries; with `sweep`, stale temporary files of a write that was
    killed (each a whole case) are removed on the way."""
    if not folder.is_dir():
        return []
    with os.scandir(folder) as scan:
        every = list(scan)
    entries = [e for e in every
               if e.name.endswith(".md") and not e.name.startswith(".")
               and e.name.lower() != "readme.md" and e.is_file()]
    if sweep:
        remove_stale_temporaries(e for e in every if e.name.endswith(".tmp"))
    entries.sort(key=lambda e: e.name)
    return entries


class CaseCache(Protocol):
    """A snapshot of the parsed case folder (the Store implements it)."""

    def case_snapshot(self, fingerprint: str) -> bytes | None: ...

    def save_case_snapshot(self, fingerprint: str, data: bytes) -> None: ...


# path -> (size, mtime_ns, inode, ctime_ns, case state without its path or None, findings
# as (line, message, error, case_id) tuples). A copy with `cp -p`, `rsync -t` or a
# `touch -r` after an edit keeps size and mtime, but the inode or the ctime changes.
_Entry = tuple[int, int, int, int, dict[str, Any] | None, list[tuple[int, str, bool, str]]]
_Snapshot = dict[str, _Entry]
# Part of the fingerprint: a snapshot of another shape, or made by a parser that judged
# files differently (3: front matter that closing a meeting could not write into), is
# never read. 4: a file above cases.MAX_CASE_BYTES is a finding. 5: YAML errors in Dutch,
# and the id of a file whose YAML cannot be read taken from its `id:` line.
_SNAPSHOT_FORMAT = 5
# A file changed this recently may change again within the same timestamp tick (2 s on
# FAT, a clock tick elsewhere) without its stat changing: its entry is saved but never
# reused, so the next load reads it again.
_RACY_NS = 2_000_000_000
_NOT_REUSABLE = -1


def load_cases(ws: Workspace, cache: CaseCache | None = None) -> CaseSet:
    """Read and validate every case file of the workspace.

    With a cache, a file whose size, modification time, inode and status-change time are
    unchanged since it was last parsed (under the same config and overleg version) is not
    read again. A cache entry that cannot be used as it is means the file is read again.
    """
    import gc

    # Tens of thousands of small objects and no cycles among them: the cyclic collector
    # would only walk them again and again (a fifth of a warm load of 10,000 files).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_cases(ws, cache)
    finally:
        if enabled:
            gc.enable()


def _load_cases(ws: Workspace, cache: CaseCache | None) -> CaseSet:
    import time

    cases: list[Case] = []
    findings: list[Finding] = []
    if not ws.cases_dir.is_dir():
        findings.append(Finding(ws.config.casussen, 1, "de map met casussen bestaat niet"))
        return CaseSet(cases, findings)
    prefix = ws.rel(ws.cases_dir)
    fingerprint = _fingerprint(ws.config)
    old: _Snapshot = _load_snapshot(cache.case_snapshot(fingerprint)) if cache else {}
    new: _Snapshot = {}
    changed = False
    racy_since = time.time_ns() - _RACY_NS
    entries = _scan(ws.cases_dir, sweep=True)
    # joinpath parses only the name; Path(entry.path) would parse the whole path again.
    child = ws.cases_dir.joinpath
    for entry in entries:
        shown = f"{prefix}/{entry.name}"
        path = child(entry.name)
        try:
            stat = entry.stat()  # before reading: a change after this is seen next time
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)
            hit = old.get(entry.path)
            if hit is not None and (reused := _reuse(hit, key, path, shown)) is not None:
                new[entry.path] = hit
                case, found = reused
            else:
                # Size checked before reading, and never more read than the limit and a byte.
                data = None if stat.st_size > MAX_CASE_BYTES else read_case_bytes(path)
                if data is None:
                    case, found = None, [_too_large(path, shown, stat.st_size)]
                else:
                    case, found = parse_case(data, path, shown, ws.config)
                if max(stat.st_mtime_ns, stat.st_ctime_ns) >= racy_since:
                    key = (*key[:3], _NOT_REUSABLE)
                new[entry.path] = (*key, _state_of(case),
                                   [(f.line, f.message, f.error, f.case_id) for f in found])
                changed = changed or not _same(hit, new[entry.path])
        except OSError as exc:
            findings.append(Finding(shown, 1, f"kan niet gelezen worden ({os_reason(exc)})"))
            continue
        findings.extend(found)
        if case is not None:
            cases.append(case)
    if cache is not None and (changed or new.keys() != old.keys()):
        import pickle

        cache.save_case_snapshot(fingerprint, pickle.dumps(new, protocol=5))
    return _drop_duplicates(ws, cases, findings, len(entries))


# `id: 2026-014` in the first lines of a file too large to read: its finding names the id, so
# `cases show 2026-014` says the file is broken rather than that the case does not exist.
_HEAD_BYTES = 64 * 1024
_HEAD_ID = re.compile(rb"^id:[ \t]*([\"']?)([A-Za-z0-9][A-Za-z0-9._-]{0,39})\1[ \t]*(?:#.*)?\r?$",
                      re.MULTILINE)


def _too_large(path: Path, shown: str, size: int) -> Finding:
    """The finding for a file above MAX_CASE_BYTES, with the id of its front matter when the
    first lines hold one; at most _HEAD_BYTES of it are read."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES).removeprefix(b"\xef\xbb\xbf")
    except OSError:
        head = b""
    case_id = ""
    if head.startswith(b"---"):
        end = head.find(b"\n---", 3)
        if match := _HEAD_ID.search(head, 0, end if end > 0 else len(head)):
            case_id = match.group(2).decode("ascii")
    return Finding(shown, 1, too_large(max(size, MAX_CASE_BYTES + 1)), True, case_id)


def _reuse(hit: Any, key: tuple[int, int, int, int], path: Path,
           shown: str) -> tuple[Case | None, list[Finding]] | None:
    """The case and findings of a snapshot entry for an unchanged file, or None: read it."""
    try:
        if type(hit) is not tuple or len(hit) != 6 or hit[:4] != key:
            return None
        state, found = hit[4], hit[5]
        if type(found) is not list:
            return None
        findings = []
        for item in found:  # usually none
            if type(item) is not tuple or tuple(map(type, item)) != _FINDING_TYPES:
                return None
            findings.append(Finding(shown, *item))
        if state is None:
            return None, findings
        if not _valid_state(state):
            return None
        return _case_from_state(state, path), findings
    except Exception:  # a cache, never the truth: whatever is wrong, read the file
        return None


def _same(old: Any, new: _Entry) -> bool:
    """True when a file read again gave the entry it had (one that stays racy, say): then
    the snapshot need not be written again."""
    try:
        return bool(old == new)
    except Exception:  # e.g. a forged, self-referencing entry
        return False


_NONE = type(None)
_FINDING_TYPES = (int, str, bool, str)  # line, message, error, case_id
# The type of every Case field but `path`, in field order, as _state_of stores it
# (Toezicht as a tuple).
_STATE_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,), "initialen": (str,), "status": (str,), "aangemeld_op": (date,),
    "aangemeld_door": (str,), "partners": (tuple,), "geboortejaar": (int, _NONE),
    "wijk": (str,), "thema": (tuple,), "prioriteit": (str,), "regie": (str, _NONE),
    "regisseur": (str,), "geinformeerd": (bool, _NONE), "reden_niet_geinformeerd": (str,),
    "bespreken": (date, _NONE), "agenda": (bool,), "verzoek_door": (str, _NONE),
    "minuten": (int, _NONE), "toezicht": (tuple, _NONE), "afgesloten_op": (date, _NONE),
    "question": (str,), "extra": (dict,),
}


_KEY_ORDER = tuple(_STATE_TYPES)  # Case's field order, as _state_of writes a state
_SIGNATURES: set[tuple[type, ...]] = set()  # the value types of states found valid


def _valid_state(state: Any) -> bool:
    """True when a stored case state has exactly the fields of a Case, of the right types.

    It runs for every file of a warm load: the types of a state's values are checked once
    per combination seen, the text items of its lists by str.join (C speed).
    """
    if type(state) is not dict or tuple(state) != _KEY_ORDER:
        return False
    signature = tuple(map(type, state.values()))
    if signature not in _SIGNATURES:
        if not all(t in types for t, types in zip(signature, _STATE_TYPES.values(),
                                                  strict=True)):
            return False
        _SIGNATURES.add(signature)
    try:
        "".join(state["partners"]) + "".join(state["thema"])
    except TypeError:  # an item that is not text
        return False
    toezicht = state["toezicht"]
    return toezicht is None or (
        len(toezicht) == 2 and type(toezicht[0]) in (date, _NONE)
        and type(toezicht[1]) is tuple and all(type(v) is str for v in toezicht[1]))


def _fingerprint(config: Config) -> str:
    """What a cached parse depends on besides the file: partner codes, version, the year, and
    the snapshot's own shape."""
    import zlib

    from overleg import __version__, dates

    shape = zlib.crc32(repr(_STATE_TYPES).encode())  # a field added or retyped: a new shape
    return (f"{__version__}|{_SNAPSHOT_FORMAT}.{shape:08x}|{dates.today().year}|"
            f"{','.join(sorted(config.partners))}")


def _state_of(case: Case | None) -> dict[str, Any] | None:
    """A case's fields without its path, in plain types (Toezicht as a tuple)."""
    if case is None:
        return None
    state = {k: v for k, v in case.__dict__.items() if k != "path"}
    if case.toezicht is not None:
        state["toezicht"] = (case.toezicht.einde, case.toezicht.voorwaarden)
    state["extra"] = dict(case.extra)
    return state


def _case_from_state(state: dict[str, Any] | None, path: Path) -> Case | None:
    if state is None:
        return None
    case = object.__new__(Case)  # frozen: fill its __dict__ as pickle itself would
    case.__dict__.update(state)
    case.__dict__["path"] = path
    if state["toezicht"] is not None:
        case.__dict__["toezicht"] = Toezicht(*state["toezicht"])
    return case


def _load_snapshot(data: bytes | None) -> _Snapshot:
    """The stored snapshot; the unpickler builds only dates and plain containers."""
    if not data:
        return {}
    import io

    try:
        snapshot = _unpickler()(io.BytesIO(data)).load()
    except Exception:  # unreadable or forged (any error the unpickler raises): read every file
        return {}
    return snapshot if type(snapshot) is dict else {}


@functools.cache
def _unpickler() -> type:
    import pickle

    class Restricted(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == ("datetime", "date"):
                return date
            raise pickle.UnpicklingError(f"{module}.{name} hoort niet in de cache")

    return Restricted


def _drop_duplicates(ws: Workspace, cases: list[Case], findings: list[Finding],
                     files: int) -> CaseSet:
    """Ids are unique across the folder: every file sharing one is an error, naming the others."""
    by_id: dict[str, list[Case]] = {}
    for case in cases:
        by_id.setdefault(case.id, []).append(case)
    for case_id, group in by_id.items():
        if len(group) < 2:
            continue
        for case in group:
            others = ", ".join(ws.rel(o.path) for o in group if o is not case)
            data = read_case_bytes(case.path)
            line = parser_line(data, "id") if data is not None else 1
            findings.append(Finding(ws.rel(case.path), line,
                                    f"id '{case_id}' staat ook in {others}", True, case_id))
    unique = [c for c in cases if len(by_id[c.id]) == 1]
    return CaseSet(unique, findings, files)
