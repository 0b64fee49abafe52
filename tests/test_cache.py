"""The parsed-case cache: a changed file is always read again; the fast reader equals YAML's."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from overleg.casecache import load_cases
from overleg.frontmatter import simple_front_matter, split_front_matter
from overleg.store import Store
from overleg.workspace import load_workspace


def cases_of(ws_root: Path) -> dict[str, object]:
    ws = load_workspace(ws_root)
    store = Store.open(ws.db_path)
    try:
        case_set = load_cases(ws, store)
    finally:
        store.close()
    return {c.id: c for c in case_set.cases} | {"findings": [str(f) for f in case_set.findings]}


def cached_rows(ws_root: Path) -> int:
    import pickle

    with sqlite3.connect(ws_root / "overleg.db") as conn:
        (data,) = conn.execute("SELECT data FROM case_snapshot").fetchone()
    return len(pickle.loads(data))


def test_a_warm_read_equals_a_cold_read(example_ws):
    cold = cases_of(example_ws)
    assert cached_rows(example_ws) == 17
    warm = cases_of(example_ws)
    assert warm == cold
    assert warm == {c.id: c for c in load_cases(load_workspace(example_ws)).cases} | {
        "findings": []}


def test_an_edit_is_seen_even_with_the_same_size_and_mtime_restored_differently(example_ws):
    cases_of(example_ws)
    path = example_ws / "casussen" / "2026-014-jdv.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("prioriteit: hoog", "prioriteit: laag"), encoding="utf-8")
    assert cases_of(example_ws)["2026-014"].prioriteit == "laag"


def test_touch_without_change_keeps_the_case(example_ws):
    before = cases_of(example_ws)
    path = example_ws / "casussen" / "2026-014-jdv.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert cases_of(example_ws)["2026-014"] == before["2026-014"]


def test_a_same_size_edit_with_a_new_mtime_is_read_again(example_ws):
    cases_of(example_ws)
    path = example_ws / "casussen" / "2026-014-jdv.md"
    text = path.read_text(encoding="utf-8")
    assert "prioriteit: hoog" in text
    edited = text.replace("prioriteit: hoog", "prioriteit: laag")  # same length
    assert len(edited) == len(text)
    mtime = path.stat().st_mtime_ns
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(mtime + 5_000_000, mtime + 5_000_000))
    assert cases_of(example_ws)["2026-014"].prioriteit == "laag"


def test_delete_and_rename(example_ws):
    cases_of(example_ws)
    folder = example_ws / "casussen"
    (folder / "2026-033-ye.md").unlink()
    (folder / "2026-014-jdv.md").rename(folder / "hernoemd.md")
    after = cases_of(example_ws)
    assert "2026-033" not in after
    assert after["2026-014"].path == folder / "hernoemd.md"
    assert cached_rows(example_ws) == 16


def test_a_broken_file_stays_broken_from_the_cache(example_ws):
    path = example_ws / "casussen" / "2026-014-jdv.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: aangemeld",
                                                             "status: kwijt"), encoding="utf-8")
    first = cases_of(example_ws)
    second = cases_of(example_ws)
    assert "2026-014" not in second
    assert second["findings"] == first["findings"]
    assert any("'status' = 'kwijt' is onbekend" in f for f in second["findings"])


def test_a_config_change_invalidates_the_cache(example_ws):
    assert "2026-041" in cases_of(example_ws)
    toml = example_ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index("[partners.WT]")
    end = text.index("[partners.", start + 1)
    toml.write_text(text[:start] + text[end:], encoding="utf-8")  # WT is no partner any more
    after = cases_of(example_ws)
    assert "2026-041" not in after
    assert any("'WT'" in f for f in after["findings"])


def test_a_tampered_cache_row_cannot_run_code(example_ws):
    import pickle

    cases_of(example_ws)
    marker = example_ws / "gehackt"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    evil = pickle.dumps({"x": Evil()})
    assert b"touch" in evil and b"system" in evil
    with sqlite3.connect(example_ws / "overleg.db") as conn:
        conn.execute("UPDATE case_snapshot SET data = ?", (evil,))
    after = cases_of(example_ws)  # the forged snapshot is ignored: every file read again
    assert not marker.exists()
    assert "2026-014" in after and after["findings"] == []
    assert cached_rows(example_ws) == 17  # and replaced by an honest one


# --- the fast front-matter reader -----------------------------------------------------------

RAW_WORD = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"),
                                          exclude_characters="\r\n\x85\u2028\u2029"),
                   min_size=0, max_size=12)
# Mostly words of the kind case files hold, so the fast reader answers often.
PLAIN_WORD = st.from_regex(r"[A-Za-zÀ-ÿ0-9][A-Za-zÀ-ÿ0-9 .()/'-]{0,12}", fullmatch=True)
WORD = st.one_of(PLAIN_WORD, PLAIN_WORD, PLAIN_WORD, RAW_WORD)
KEY = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)


@st.composite
def front_matter(draw) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["plain", "list", "block", "nested", "comment", "raw"]))
        key = draw(KEY)
        if kind == "plain":
            lines.append(f"{key}: {draw(WORD)}")
        elif kind == "list":
            lines.append(f"{key}: [{', '.join(draw(st.lists(WORD, max_size=3)))}]")
        elif kind == "block":
            lines.append(f"{key}:")
            lines += [f"  - {w}" for w in draw(st.lists(WORD, min_size=1, max_size=3))]
        elif kind == "nested":
            lines.append(f"{key}:")
            lines += [f"  {k}: {w}" for k, w in draw(st.lists(st.tuples(KEY, WORD),
                                                              min_size=1, max_size=3))]
        elif kind == "comment":
            lines.append(f"# {draw(WORD)}")
        else:
            lines.append(draw(WORD))
    return lines


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(front_matter())
@example(["A: \xa0"])  # a no-break space is content to YAML, not white space
@example(["A: x\t"])
@example(["a: [x\xa0, y]"])
def test_the_fast_reader_agrees_with_yaml_wherever_it_answers(lines):
    fast = simple_front_matter(lines)
    if fast is None:
        return
    text = "\n".join(lines)
    assert fast[0] == yaml.load(text, Loader=yaml.CBaseLoader) or (
        fast[0] == {} and yaml.load(text, Loader=yaml.CBaseLoader) is None)


def test_the_fast_reader_takes_the_example_files():
    from overleg.workspace import package_dir

    taken = 0
    for path in sorted((package_dir("examples") / "casussen").glob("*.md")):
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        lines = split_front_matter(text)[0]
        fast = simple_front_matter(lines)
        if fast is not None:
            taken += 1
            assert fast[0] == yaml.load("\n".join(lines), Loader=yaml.CBaseLoader)
    assert taken >= 15


# --- stat keys: inode and ctime too; entries that cannot be used are read again ----------

@pytest.fixture(autouse=True)
def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests edit files right after writing them: without this every entry would be
    too recent to reuse, and the tests would not reach the cache at all."""
    import overleg.casecache

    monkeypatch.setattr(overleg.casecache, "_RACY_NS", 0)


def next_tick() -> None:
    """Let the file system's clock move on, so an edit gets a new ctime (coarse clocks tick
    every few milliseconds)."""
    import time

    time.sleep(0.02)


CASE_014 = "casussen/2026-014-jdv.md"
WITHOUT_POL = ("partners: [RN, POL, GGZ, WT]", "partners: [RN, GGZ,      WT]")  # same size


def partners_listed(run, case_id: str = "2026-014") -> list[str]:
    result = run("cases", "list", "--json")
    assert result.exit_code == 0, result.output
    return next(c["partners"] for c in json.loads(result.stdout) if c["id"] == case_id)


def test_a_same_size_edit_with_the_mtime_restored_is_seen(run, example_ws: Path) -> None:
    """`touch -r` (or an editor keeping the time) after an edit: size and mtime as before."""
    path = example_ws / CASE_014
    assert "POL" in partners_listed(run)
    before = path.stat()
    next_tick()
    path.write_text(path.read_text(encoding="utf-8").replace(*WITHOUT_POL), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    assert partners_listed(run) == ["RN", "GGZ", "WT", "GEM"]


def test_a_copy_keeping_size_and_mtime_is_seen(run, example_ws: Path, tmp_path: Path) -> None:
    """`cp -p` of an edited copy over the case file: same inode, size and mtime."""
    path = example_ws / CASE_014
    assert "POL" in partners_listed(run)
    before = path.stat()
    edited = tmp_path / "bewerkt.md"
    edited.write_text(path.read_text(encoding="utf-8").replace(*WITHOUT_POL), encoding="utf-8")
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    next_tick()
    shutil.copy2(edited, path)
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    assert "POL" not in partners_listed(run)


def test_a_file_renamed_into_place_keeping_size_and_mtime_is_seen(run, example_ws: Path) -> None:
    """`rsync -t`: a temporary file with the old mtime renamed over the case file."""
    path = example_ws / CASE_014
    assert "POL" in partners_listed(run)
    before = path.stat()
    temporary = path.with_name(".2026-014-jdv.md.tmp")
    temporary.write_text(path.read_text(encoding="utf-8").replace(*WITHOUT_POL),
                         encoding="utf-8")
    os.utime(temporary, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(temporary, path)
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert "POL" not in partners_listed(run)


def snapshot_of(ws_root: Path) -> dict[str, tuple]:
    import pickle

    with sqlite3.connect(ws_root / "overleg.db") as conn:
        (data,) = conn.execute("SELECT data FROM case_snapshot").fetchone()
    return pickle.loads(data)


def save_snapshot(ws_root: Path, snapshot: dict[str, object]) -> None:
    import pickle

    with sqlite3.connect(ws_root / "overleg.db") as conn:
        conn.execute("UPDATE case_snapshot SET data = ?", (pickle.dumps(snapshot),))


def _without(state: dict, key: str) -> dict:
    return {k: v for k, v in state.items() if k != key}


def _looped() -> list:
    found: list = []
    found.append(found)
    return found


# entry -> what a damaged or foreign snapshot might hold instead (size, mtime, inode and
# ctime kept, so the entry is taken as the file's)
DAMAGE = {
    "older shape": lambda e: (e[0], e[1], e[4], e[5]),
    "no tuple": lambda e: list(e),
    "a field missing": lambda e: (*e[:4], _without(e[4], "question"), e[5]),
    "a field too many": lambda e: (*e[:4], {**e[4], "nieuw": 1}, e[5]),
    "partners as text": lambda e: (*e[:4], {**e[4], "partners": "RN"}, e[5]),
    "a partner as a number": lambda e: (*e[:4], {**e[4], "partners": ("RN", 5)}, e[5]),
    "a date as status": lambda e: (*e[:4], {**e[4], "status": date(2026, 1, 1)}, e[5]),
    "toezicht half": lambda e: (*e[:4], {**e[4], "toezicht": (None,)}, e[5]),
    "state as a list": lambda e: (*e[:4], [1, 2], e[5]),
    "findings as text": lambda e: (*e[:4], e[4], "geen"),
    "a finding of the wrong types": lambda e: (*e[:4], e[4], [("1", 2, "x", None)]),
    "findings in a loop": lambda e: (*e[:4], e[4], _looped()),
}


@pytest.mark.parametrize("damage", list(DAMAGE.values()), ids=list(DAMAGE))
def test_a_damaged_entry_means_the_file_is_read_again(example_ws: Path, damage) -> None:
    cold = {c.id: c for c in load_cases(load_workspace(example_ws)).cases} | {"findings": []}
    cases_of(example_ws)
    key = str(example_ws / CASE_014)
    snapshot = snapshot_of(example_ws)
    honest = snapshot[key]
    assert len(honest) == 6 and honest[:4] == (lambda s: (s.st_size, s.st_mtime_ns, s.st_ino,
                                                          s.st_ctime_ns))(os.stat(key))
    save_snapshot(example_ws, {**snapshot, key: damage(honest)})
    assert cases_of(example_ws) == cold  # no AttributeError, no wrong data
    assert snapshot_of(example_ws)[key] == honest  # and the entry is honest again


def test_the_stored_state_has_every_case_field_in_order() -> None:
    from dataclasses import fields

    from overleg.casecache import _STATE_TYPES
    from overleg.cases import Case

    assert tuple(_STATE_TYPES) == tuple(f.name for f in fields(Case) if f.name != "path")


def test_a_file_changed_just_before_a_load_is_read_again_next_time(
        example_ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within one timestamp tick a file can change again without its stat changing: an
    entry of a file changed in the last two seconds is saved, but not reused."""
    import overleg.casecache

    monkeypatch.setattr(overleg.casecache, "_RACY_NS", 2_000_000_000)  # the default
    parsed: list[str] = []
    real = overleg.casecache.parse_case

    def counting(raw, path, shown, config):
        parsed.append(shown)
        return real(raw, path, shown, config)

    monkeypatch.setattr(overleg.casecache, "parse_case", counting)
    for _ in range(2):  # the example files were copied just now
        parsed.clear()
        cases_of(example_ws)
        assert len(parsed) == 17
    assert {entry[3] for entry in snapshot_of(example_ws).values()} == {-1}
    monkeypatch.setattr(overleg.casecache, "_RACY_NS", 0)  # as if two seconds went by
    cases_of(example_ws)
    parsed.clear()
    cases_of(example_ws)
    assert parsed == []
