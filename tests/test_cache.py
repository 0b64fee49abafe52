"""The parsed-case cache: a changed file is always read again; the fast reader equals YAML's."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from overleg.cases import load_cases, simple_front_matter, split_front_matter
from overleg.config import load_workspace
from overleg.store import Store


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
    from overleg.config import package_dir

    taken = 0
    for path in sorted((package_dir("examples") / "casussen").glob("*.md")):
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        lines = split_front_matter(text)[0]
        fast = simple_front_matter(lines)
        if fast is not None:
            taken += 1
            assert fast[0] == yaml.load("\n".join(lines), Loader=yaml.CBaseLoader)
    assert taken >= 15
