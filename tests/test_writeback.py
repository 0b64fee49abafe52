"""Write-back of a meeting's outcome into case files (DESIGN 4): one line per key, the rest
byte for byte as it was. Unit tests of `write_back`, then `meeting close` on the examples."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overleg.errors import StaleCaseFile
from overleg.files import atomic_write
from overleg.frontmatter import (
    format_value,
    planned_changes,
    planned_write_back,
    read_fields,
    write_back,
)

# --- write_back on a file of its own ------------------------------------------------------

FRONT = [
    "---",
    "id: 2026-900",
    "initialen: T.T.",
    "# opmerking: niet weghalen",
    "status: aangemeld      # nog niet besproken",
    "prioriteit: hoog",
    "agenda: ja",
    "agenda_notitie: ja",
    "# bespreken: 2026-01-01",
    "toezicht:",
    "  einde: 2027-01-15",
    "  voorwaarden: [meldplicht]",
    "partners: [RN, POL]",
    "---",
    "# T.T. (1990)",
    "",
    "status: aangemeld staat ook in de tekst",
    "bespreken: 2026-01-01",
]
UPDATES = {"status": "actief", "agenda": False, "bespreken": date(2027, 1, 12)}
AFTER = [
    "---",
    "id: 2026-900",
    "initialen: T.T.",
    "# opmerking: niet weghalen",
    "status: actief",
    "prioriteit: hoog",
    "agenda: nee",
    "agenda_notitie: ja",
    "# bespreken: 2026-01-01",
    "toezicht:",
    "  einde: 2027-01-15",
    "  voorwaarden: [meldplicht]",
    "partners: [RN, POL]",
    "bespreken: 2027-01-12",
    "---",
    "# T.T. (1990)",
    "",
    "status: aangemeld staat ook in de tekst",
    "bespreken: 2026-01-01",
]


def encode(lines: list[str], eol: str = "\n", bom: bool = False, final: bool = True) -> bytes:
    text = eol.join(lines) + (eol if final else "")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def case_file(folder: Path, data: bytes, name: str = "casus.md") -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("bom", [False, True], ids=["zonder-BOM", "BOM"])
@pytest.mark.parametrize("final", [True, False], ids=["slotregel", "geen-slotregel"])
def test_each_key_is_one_plain_line_and_every_other_byte_stays(tmp_path, eol, bom, final):
    path = case_file(tmp_path, encode(FRONT, eol, bom, final))
    assert write_back(path, "2026-900", UPDATES) == ["status", "agenda", "bespreken"]
    assert path.read_bytes() == encode(AFTER, eol, bom, final)


def test_nothing_to_change_leaves_the_file_alone(tmp_path):
    path = case_file(tmp_path, encode(AFTER))
    before = path.stat()
    assert write_back(path, "2026-900", UPDATES) == []
    after = path.stat()
    assert path.read_bytes() == encode(AFTER)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_equal_value_keeps_its_comment_and_quotes(tmp_path):
    lines = [*FRONT[:4], "status: 'actief'   # sinds oktober", *FRONT[5:]]
    path = case_file(tmp_path, encode(lines))
    assert write_back(path, "2026-900", {"status": "actief"}) == []
    assert path.read_bytes() == encode(lines)


def test_a_value_written_over_several_lines_is_replaced_whole(tmp_path):
    lines = ["---", "id: 2026-900", "bespreken:", "  2026-12-01", "agenda: nee", "---", ""]
    path = case_file(tmp_path, encode(lines, final=False))
    assert write_back(path, "2026-900", {"bespreken": date(2027, 1, 12)}) == ["bespreken"]
    assert path.read_bytes() == b"---\nid: 2026-900\nbespreken: 2027-01-12\nagenda: nee\n---\n"


def test_dots_close_the_front_matter_too(tmp_path):
    path = case_file(tmp_path, b"---\nid: 2026-900\nstatus: aangemeld\n...\nTekst\n")
    assert write_back(path, "2026-900", {"status": "actief", "agenda": False}) == [
        "status", "agenda"]
    assert path.read_bytes() == b"---\nid: 2026-900\nstatus: actief\nagenda: nee\n...\nTekst\n"


def test_a_quoted_id_is_the_same_id(tmp_path):
    path = case_file(tmp_path, b'---\nid: "2026-031"   # dossier\nagenda: ja\n---\n')
    assert write_back(path, "2026-031", {"agenda": False}) == ["agenda"]
    assert path.read_bytes() == b'---\nid: "2026-031"   # dossier\nagenda: nee\n---\n'


def test_mode_is_kept_and_no_temporary_file_is_left(tmp_path):
    path = case_file(tmp_path, encode(FRONT))
    path.chmod(0o640)
    write_back(path, "2026-900", UPDATES)
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casus.md"]


@pytest.mark.parametrize("data, message", [
    (b"---\nid: 2026-901\nstatus: aangemeld\n---\n",
     'casus "2026-900": casus.md heeft nu id "2026-901"; niets teruggeschreven. '
     "Controleer het bestand."),
    (b"id: 2026-900\nstatus: aangemeld\n",
     'casus "2026-900": casus.md heeft geen front matter meer; niets teruggeschreven'),
    (b"---\nid: 2026-900\nstatus: aangemeld\n",
     'casus "2026-900": casus.md heeft geen front matter meer; niets teruggeschreven'),
    (b"---\nid: 2026-900\ninitialen: \xe9\n---\n",
     'casus "2026-900": casus.md is geen UTF-8 meer; niets teruggeschreven'),
])
def test_a_file_that_changed_under_us_is_refused_untouched(tmp_path, data, message):
    path = case_file(tmp_path, data)
    with pytest.raises(StaleCaseFile) as caught:
        write_back(path, "2026-900", UPDATES)
    assert caught.value.message == message
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["casus.md"]


def test_a_vanished_file_is_refused(tmp_path):
    with pytest.raises(StaleCaseFile) as caught:
        write_back(tmp_path / "weg.md", "2026-900", UPDATES)
    assert caught.value.message == ('casus "2026-900": het bestand weg.md is verdwenen; '
                                    "niets teruggeschreven")
    assert list(tmp_path.iterdir()) == []


def test_format_value():
    assert [format_value(v) for v in (True, False, date(2027, 1, 5), "nazorg")] == [
        "ja", "nee", "2027-01-05", "nazorg"]


def test_atomic_write_creates_with_the_given_mode(tmp_path):
    atomic_write(tmp_path / "nieuw.md", b"x", mode=0o600)
    assert (tmp_path / "nieuw.md").read_bytes() == b"x"
    assert (tmp_path / "nieuw.md").stat().st_mode & 0o777 == 0o600


# Other front-matter lines: any key except the ones written back, any value, comments.
OTHER_LINE = st.one_of(
    st.from_regex(r"[a-z][a-z_]{0,11}: [A-Za-z0-9 .,:#'\[\]-]{0,24}", fullmatch=True).filter(
        lambda line: line.split(":", 1)[0] not in ("id", "status")),
    st.from_regex(r"#[^\r\n]{0,30}", fullmatch=True),
    st.from_regex(r"  [a-z]{1,8}: [a-z0-9 ]{0,10}", fullmatch=True),
)
BODY_LINE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
                    max_size=30)


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(before=st.lists(OTHER_LINE, max_size=6), after=st.lists(OTHER_LINE, max_size=6),
       body=st.lists(BODY_LINE, max_size=5), has_status=st.booleans(),
       eol=st.sampled_from(["\n", "\r\n"]), bom=st.booleans(), final=st.booleans())
def test_only_the_status_line_changes(before, after, body, has_status, eol, bom, final):
    # An indented line right after 'status:' would be part of its value: keep them apart.
    after = [line for line in after if not line.startswith(" ")] if has_status else after
    status = ["status: aangemeld"] if has_status else []
    lines = ["---", "id: 2026-900", *before, *status, *after, "---", *body]
    expected = ["---", "id: 2026-900", *before, *(["status: actief"] if has_status else []),
                *after, *([] if has_status else ["status: actief"]), "---", *body]
    data, _, problems = read_fields(lines[1:lines.index("---", 1)])
    with tempfile.TemporaryDirectory() as folder:
        path = case_file(Path(folder), encode(lines, eol, bom, final))
        if data is None or problems:  # not YAML, or a key twice: 'cases check' says so
            try:  # ... and write-back may refuse it, leaving it untouched
                write_back(path, "2026-900", {"status": "actief"})
            except StaleCaseFile:
                assert path.read_bytes() == encode(lines, eol, bom, final)
                return
            assert path.read_bytes() == encode(expected, eol, bom, final)
            return
        if data.get("status") != ("aangemeld" if has_status else None):
            return  # a quote left open takes the next lines in: the property test below
        assert write_back(path, "2026-900", {"status": "actief"}) == ["status"]
        assert path.read_bytes() == encode(expected, eol, bom, final)


# --- located from YAML's node positions ---------------------------------------------------

def front_matter(text: str, eol: str = "\n") -> bytes:
    """A case file with `text` as its front matter (LF in `text`) and a body that looks like
    front matter too."""
    return ("---\n" + text + "---\n# T.T. (1990)\n\nstatus: aangemeld\n").replace(
        "\n", eol).encode("utf-8")


BESPREKEN = date(2027, 1, 12)
# (front matter, updates, front matter after): only the written values change.
IN_PLACE = [
    pytest.param('id: 2026-900\n"agenda": ja\n', {"agenda": False},
                 'id: 2026-900\n"agenda": nee\n', id="dubbel-aangehaalde-sleutel"),
    pytest.param("id: 2026-900\n'agenda' : ja   # vraag van POL\n", {"agenda": False},
                 "id: 2026-900\n'agenda': nee\n", id="enkel-aangehaalde-sleutel"),
    pytest.param("id: 2026-900\nstatus: aangemeld\n  # ingevuld door RN\n# los\nagenda: ja\n",
                 {"status": "actief", "agenda": False},
                 "id: 2026-900\nstatus: actief\n  # ingevuld door RN\n# los\nagenda: nee\n",
                 id="commentaar-eronder"),
    pytest.param("id: 2026-900\nstatus   :    aangemeld\n", {"status": "actief"},
                 "id: 2026-900\nstatus: actief\n", id="spaties"),
    pytest.param("id: 2026-900\nstatus: 'aan\n  gemeld'   # c\nwijk: Zuid\n",
                 {"status": "actief"}, "id: 2026-900\nstatus: actief\nwijk: Zuid\n",
                 id="aanhalingstekens-over-twee-regels"),
    pytest.param("id: 2026-900\nbespreken: |\n  1-12-2026\n\n# daarna\nwijk: Zuid\n",
                 {"bespreken": BESPREKEN},
                 "id: 2026-900\nbespreken: 2027-01-12\n\n# daarna\nwijk: Zuid\n",
                 id="blokwaarde"),
    pytest.param("id: 2026-900\nbespreken: # twee data?\n  - 1-12-2026\n  - 8-12-2026\n"
                 "# daarna\n", {"bespreken": BESPREKEN},
                 "id: 2026-900\nbespreken: 2027-01-12\n# daarna\n", id="lijst-met-commentaar"),
    pytest.param("id: 2026-900\nagenda:\n", {"agenda": False}, "id: 2026-900\nagenda: nee\n",
                 id="lege-waarde"),
    pytest.param("id: 2026-900\nx: &a ja\nagenda: *a\n", {"agenda": False},
                 "id: 2026-900\nx: &a ja\nagenda: nee\n", id="verwijzing"),
    pytest.param("id: 2026-900\nstatus: &s aangemeld\n", {"status": "actief"},
                 "id: 2026-900\nstatus: actief\n", id="anker-zonder-verwijzing"),
    pytest.param("id: 2026-900\nwijk: Zuid\x07park\nstatus: aangemeld\n", {"status": "actief"},
                 "id: 2026-900\nwijk: Zuid\x07park\nstatus: actief\n", id="stuurteken-elders"),
    pytest.param("id: 2026-900\nagenda: ja\n", {"status": "actief", "bespreken": BESPREKEN},
                 "id: 2026-900\nagenda: ja\nstatus: actief\nbespreken: 2027-01-12\n",
                 id="ontbrekende-sleutels"),
    pytest.param('"id": 2026-900\nagenda: ja\n', {"agenda": False},
                 '"id": 2026-900\nagenda: nee\n', id="aangehaald-id"),
    pytest.param("{id: 2026-900, status: aangemeld, agenda: ja}\n",
                 {"status": "actief", "agenda": False, "bespreken": BESPREKEN},
                 "{id: 2026-900, status: actief, agenda: nee, bespreken: 2027-01-12}\n",
                 id="flow-mapping"),
    pytest.param("{id: 2026-900,\n 'status': aangemeld,   # nog niet besproken\n}\n",
                 {"status": "actief", "agenda": False},
                 "{id: 2026-900,\n 'status': actief, agenda: nee,   # nog niet besproken\n}\n",
                 id="flow-mapping-over-regels"),
    pytest.param("  id: 2026-900\n  status: aangemeld\n", {"status": "actief", "agenda": False},
                 "  id: 2026-900\n  status: actief\n  agenda: nee\n", id="ingesprongen"),
]


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["LF", "CRLF"])
@pytest.mark.parametrize("before, updates, after", IN_PLACE)
def test_write_back_finds_keys_where_yaml_does(tmp_path, eol, before, updates, after):
    raw, expected = front_matter(before, eol), front_matter(after, eol)
    assert planned_write_back(raw, "2026-900", updates) == expected
    path = case_file(tmp_path, raw)
    assert write_back(path, "2026-900", updates) == list(updates)
    assert path.read_bytes() == expected
    data, _, problems = read_fields(after.split("\n")[:-1])
    assert problems == []
    assert data is not None
    assert {k: data[k] for k in updates} == {k: format_value(v) for k, v in updates.items()}
    assert write_back(path, "2026-900", updates) == []  # written once, the same next time


# Front matter `cases check` refuses because closing could not write into it, and the line.
ANCHORED = ("de waarde heeft een YAML-anker (&) waar elders naar wordt verwezen, of een "
            "afwijkende vorm")
UNWRITABLE = [
    pytest.param("status: &s aangemeld\nwijk: *s\n", 9, "status",
                 ANCHORED,
                 id="anker-op-status"),
    pytest.param("status: aangemeld\n? agenda\n: ja\n", 10, "agenda",
                 ANCHORED,
                 id="complexe-sleutel"),
]
VALID = ("id: 2026-900\ninitialen: T.T.\naangemeld_op: 2026-11-02\naangemeld_door: RN\n"
         "partners: [RN]\nprioriteit: hoog\n# hierna het lastige stuk\n")


@pytest.mark.parametrize("text, line, key, reason", UNWRITABLE)
def test_front_matter_closing_cannot_write_is_an_error_of_cases_check(run, empty_ws, text,
                                                                      line, key, reason):
    raw = front_matter(VALID + text)
    path = case_file(empty_ws / "casussen", raw, "2026-900.md")
    result = run("cases", "check")
    assert (result.exit_code, result.stdout, result.stderr) == (1, (
        f"casussen/2026-900.md:{line}: '{key}' kan bij het sluiten van een vergadering niet "
        f"worden teruggeschreven ({reason}); schrijf het als een gewone regel '{key}: "
        "waarde'\n"), "1 casusbestand gecontroleerd: 1 fout, 0 waarschuwingen.\n")
    with pytest.raises(StaleCaseFile) as caught:  # and write-back refuses it the same way
        write_back(path, "2026-900", {"status": "actief", "agenda": False})
    assert caught.value.message == (
        f"casus \"2026-900\": '{key}' kan niet veilig in 2026-900.md worden teruggeschreven "
        f"({reason}); niets teruggeschreven. Schrijf het als een gewone regel '{key}: waarde' "
        "(zie 'overleg cases check').")
    assert path.read_bytes() == raw


@pytest.mark.parametrize("data, message", [
    (b'---\n"id": 2026-900\nstatus: a\n"status": b\n---\n',
     "casus \"2026-900\": casus.md: sleutel 'status' staat er twee keer in; niets "
     "teruggeschreven. Zie 'overleg cases check'."),
    (b"---\nid: 2026-900\nstatus: [aangemeld\n---\n",
     'casus "2026-900": casus.md: de front matter is geen geldige YAML meer: een lijst tussen '
     "[ ] is niet goed afgesloten: zet komma's tussen de waarden en een ']' aan het eind...; "
     "niets teruggeschreven. Zie 'overleg cases check'."),
    (b"---\ninitialen: T.T.\n---\n",
     'casus "2026-900": casus.md heeft geen id meer; niets teruggeschreven. Controleer het '
     "bestand."),
])
@pytest.mark.usefixtures("meeting_day")
def test_front_matter_that_broke_since_it_was_read_is_refused(tmp_path, data, message):
    path = case_file(tmp_path, data)
    with pytest.raises(StaleCaseFile) as caught:
        write_back(path, "2026-900", UPDATES)
    start, _, end = message.partition("...")
    assert caught.value.message.startswith(start) and caught.value.message.endswith(end)
    assert path.read_bytes() == data


@pytest.mark.parametrize("relative", [False, True], ids=["absoluut", "relatief"])
def test_a_symlinked_case_file_is_written_through_its_link(tmp_path, relative):
    share = tmp_path / "share"  # a share mounted elsewhere, linked into the case folder
    share.mkdir()
    real = case_file(share, encode(FRONT, "\r\n"))
    real.chmod(0o640)
    folder = tmp_path / "casussen"
    folder.mkdir()
    link = folder / "casus.md"
    link.symlink_to(os.path.relpath(real, folder) if relative else real)
    pointed = os.readlink(link)
    assert write_back(link, "2026-900", UPDATES) == ["status", "agenda", "bespreken"]
    assert link.is_symlink() and os.readlink(link) == pointed
    assert real.read_bytes() == encode(AFTER, "\r\n")
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(os.listdir(share)) == ["casus.md"]
    assert sorted(os.listdir(folder)) == ["casus.md"]
    # The real file is the case: an edit made to it later is what the next write reads.
    real.write_bytes(real.read_bytes().replace(b"status: actief", b"status: nazorg"))
    assert write_back(link, "2026-900", {"status": "nazorg", "agenda": False}) == []


def test_a_link_to_a_file_that_is_gone_is_refused(tmp_path):
    link = tmp_path / "casus.md"
    link.symlink_to(tmp_path / "elders.md")
    with pytest.raises(StaleCaseFile) as caught:
        write_back(link, "2026-900", UPDATES)
    assert caught.value.message == ('casus "2026-900": het bestand casus.md is verdwenen; '
                                    "niets teruggeschreven")
    assert link.is_symlink() and not (tmp_path / "elders.md").exists()


# Front matter with random quoting, spacing, comments and value shapes.
_WORD = st.from_regex(r"[a-z0-9][a-z0-9 .-]{0,10}[a-z0-9]|[a-z]", fullmatch=True)
_VALUE = st.one_of(
    _WORD,
    _WORD.map(lambda w: f'"{w}"'),
    _WORD.map(lambda w: f"'{w}'"),
    st.lists(_WORD.filter(lambda w: " " not in w), min_size=1, max_size=3).map(
        lambda ws: "[" + ", ".join(ws) + "]"),
    st.lists(_WORD, min_size=1, max_size=3).map(lambda ws: "".join(f"\n  - {w}" for w in ws)),
    st.lists(_WORD, min_size=1, max_size=3).map(lambda ws: "|" + "".join(
        f"\n  {w}" for w in ws)),
    st.lists(_WORD, min_size=1, max_size=2).map(lambda ws: "".join(f"\n  {w}" for w in ws)),
    st.just(""),
)
_ENTRY = st.tuples(st.sampled_from(["{}", '"{}"', "'{}'"]), st.sampled_from(["", " ", "   "]),
                   st.sampled_from([" ", "  "]), _VALUE,
                   st.sampled_from(["", "  # opmerking", " #"]),
                   st.lists(st.sampled_from(["# los", "#", "", "  # ingesprongen"]), max_size=2))
_KEYS = ["status", "agenda", "bespreken", "wijk", "regisseur", "x_1"]


def _entry(key: str, form: str, before: str, after: str, value: str, comment: str) -> str:
    head = form.format(key) + before + ":"
    if value.startswith("\n"):  # a block list or a value on the lines below
        return head + comment + value
    if value.startswith("|"):
        return head + after + "|" + comment + value[1:]
    return head + (after + value if value else "") + comment


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(keys=st.lists(st.sampled_from(_KEYS), unique=True, max_size=5), data=st.data(),
       updates=st.dictionaries(st.sampled_from(["status", "agenda", "bespreken"]),
                               st.sampled_from(["actief", "nazorg", True, False, BESPREKEN]),
                               min_size=1),
       eol=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_write_back_changes_exactly_the_written_values(keys, data, updates, eol, bom):
    lines = [data.draw(st.sampled_from(["id", '"id"', "'id'"])) + ": 2026-900"]
    for key in keys:
        form, before, after, value, comment, between = data.draw(_ENTRY)
        if value.startswith("|"):  # an indented comment there would be text of the value
            between = [b for b in between if not b.startswith(" ")]
        lines += [*_entry(key, form, before, after, value, comment).split("\n"), *between]
    # read_fields reads a block scalar at the very end without its final line break (there
    # is none before the ---), and with it once a key is added below: end on a plain line.
    lines.append("initialen: T.T.")
    old, _, problems = read_fields(lines)
    assert old is not None and problems == []  # a file `cases check` accepts ...
    text = "".join(f"{line}\n" for line in lines)
    raw = (b"\xef\xbb\xbf" if bom else b"") + front_matter(text, eol)
    written = {k: format_value(v) for k, v in updates.items()}
    new, changed = planned_changes(raw, "2026-900", updates)  # ... can always be written
    assert changed == [k for k, v in written.items() if old.get(k) != v]
    assert new.startswith(b"\xef\xbb\xbf") == bom
    text = new.decode("utf-8-sig")
    assert text.endswith(f"---{eol}# T.T. (1990){eol}{eol}status: aangemeld{eol}")
    if eol == "\r\n":  # every line written keeps the file's line ending
        assert "\n" not in text.replace("\r\n", "")
    front_lines = text.split(eol)[1:text.split(eol).index("---", 1)]
    fields, _, problems = read_fields(front_lines)
    assert problems == []
    assert fields is not None
    assert list(fields.items()) == list({**old, **written}.items())
    comments = [line for line in lines if line.lstrip().startswith("#")]
    assert [line for line in front_lines if line.lstrip().startswith("#")] == comments
    assert planned_changes(new, "2026-900", updates) == (new, [])


# --- meeting close on the example workspace ---------------------------------------------

FILES = {
    "2026-009": "2026-009-pw.md", "2026-014": "2026-014-jdv.md", "2026-022": "2026-022-kb.md",
    "2026-024": "2026-024-to.md", "2026-027": "2026-027-sh.md", "2026-031": "2026-031-avdb.md",
    "2026-038": "2026-038-mb.md", "2026-041": "nieuwe-aanmelding-wijkteam.md",
}
CLOSED = ("Vergadering van 01-12-2026 is gesloten. Maak het verslag met 'overleg minutes' en "
          "de e-mails met 'overleg mail'.\n")


def snapshot(ws: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ws / "casussen").iterdir())}


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def started(run) -> None:
    ok(run("meeting", "start", "--date", "2026-12-01"))


def writeback_lines(ws: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(ws / "overleg.db") as conn:
        return conn.execute("SELECT case_id, meeting FROM audit WHERE action = "
                            "'case.writeback' ORDER BY id").fetchall()


@pytest.mark.usefixtures("meeting_day")
def test_close_writes_the_new_state_of_each_discussed_case(run, example_ws):
    original = snapshot(example_ws)
    started(run)
    ok(run("meeting", "note", "2026-014", "Besproken."))                  # aangemeld -> actief
    ok(run("meeting", "review", "2026-014", "--next", "12-01-2027"))
    ok(run("meeting", "decide", "2026-022", "Woonstichting zet procedure door."))  # agenda: ja
    ok(run("meeting", "review", "2026-024", "--next", "2027-01-05"))      # CRLF
    ok(run("meeting", "review", "2026-009", "--status", "afgesloten"))    # BOM
    ok(run("meeting", "review", "2026-038", "--status", "nazorg"))        # not 'actief'
    ok(run("meeting", "note", "2026-041", "Besproken."))                  # no agenda key
    ok(run("meeting", "note", "2026-031", "Niets nieuws."))               # nothing to write
    result = run("meeting", "close")
    assert result.exit_code == 0
    assert result.stdout == CLOSED
    assert result.stderr == (
        "2026-009: status, afgesloten_op bijgewerkt in het casusbestand.\n"
        "2026-014: status, bespreken bijgewerkt in het casusbestand.\n"
        "2026-022: agenda bijgewerkt in het casusbestand.\n"
        "2026-024: bespreken bijgewerkt in het casusbestand.\n"
        "2026-038: status bijgewerkt in het casusbestand.\n"
        "2026-041: status bijgewerkt in het casusbestand.\n")
    now = snapshot(example_ws)
    expected = dict(original)
    expected["2026-014-jdv.md"] = original["2026-014-jdv.md"].replace(
        b"\nstatus: aangemeld\n", b"\nstatus: actief\n").replace(
        b"\nagenda: nee\n---\n", b"\nagenda: nee\nbespreken: 2027-01-12\n---\n")
    expected["2026-022-kb.md"] = original["2026-022-kb.md"].replace(
        b"(zie Afspraken eerder)\nagenda: ja\n", b"(zie Afspraken eerder)\nagenda: nee\n")
    expected["2026-024-to.md"] = original["2026-024-to.md"].replace(
        b"\r\nbespreken: 2026-12-01\r\n", b"\r\nbespreken: 2027-01-05\r\n")
    expected["2026-009-pw.md"] = original["2026-009-pw.md"].replace(
        b"\nstatus: actief\n", b"\nstatus: afgesloten\n").replace(
        b"\nagenda: nee\n---\n", b"\nagenda: nee\nafgesloten_op: 2026-12-01\n---\n")
    expected["2026-038-mb.md"] = original["2026-038-mb.md"].replace(
        b"\nstatus: aangemeld\n", b"\nstatus: nazorg\n")
    expected["nieuwe-aanmelding-wijkteam.md"] = original[
        "nieuwe-aanmelding-wijkteam.md"].replace(b"\nstatus: aangemeld\n", b"\nstatus: actief\n")
    for name in expected:
        assert now[name] == expected[name], name
    # The replacements above really changed something (and the BOM is still there).
    changed = {n for n in original if original[n] != now[n]}
    assert changed == {FILES[c] for c in ("2026-009", "2026-014", "2026-022", "2026-024",
                                          "2026-038", "2026-041")}
    assert now["2026-009-pw.md"].startswith(b"\xef\xbb\xbf---\n")
    assert writeback_lines(example_ws) == [(c, "2026-12-01") for c in (
        "2026-009", "2026-014", "2026-022", "2026-024", "2026-038", "2026-041")]
    check = run("cases", "check")
    assert (check.exit_code, check.stderr) == (
        0, "17 casusbestanden gecontroleerd: 0 fouten, 0 waarschuwingen.\n")


@pytest.mark.usefixtures("meeting_day")
def test_the_last_review_of_a_case_counts(run, example_ws):
    started(run)
    ok(run("meeting", "review", "2026-014", "--next", "2027-01-05", "--status", "nazorg"))
    ok(run("meeting", "review", "2026-014", "--next", "2027-01-12"))
    ok(run("meeting", "review", "2026-014", "--status", "actief"))
    ok(run("meeting", "close"))
    text = (example_ws / "casussen" / "2026-014-jdv.md").read_text()
    assert "\nstatus: actief\n" in text
    assert "\nagenda: nee\nbespreken: 2027-01-12\n---\n" in text


@pytest.mark.usefixtures("meeting_day")
def test_undiscussed_cases_are_untouched(run, example_ws):
    original = snapshot(example_ws)
    started(run)
    ok(run("meeting", "attend", "POL", "K. Bakker"))
    ok(run("meeting", "close"))
    assert snapshot(example_ws) == original
    assert writeback_lines(example_ws) == []


@pytest.mark.usefixtures("meeting_day")
def test_closing_again_after_reopen_writes_nothing_twice(run, example_ws):
    started(run)
    ok(run("meeting", "decide", "2026-022", "Besluit."))
    ok(run("meeting", "review", "2026-014", "--next", "2027-01-12"))
    ok(run("meeting", "close"))
    first = snapshot(example_ws)
    # Between the closes someone asks for 2026-022 again: that edit must survive.
    path = example_ws / "casussen" / "2026-022-kb.md"
    path.write_bytes(path.read_bytes().replace(b"\nagenda: nee\n", b"\nagenda: ja\n"))
    edited = snapshot(example_ws)
    ok(run("meeting", "reopen", "--reason", "Besluit aanvullen"))
    ok(run("meeting", "decide", "2026-022", "Aanvulling."))
    result = run("meeting", "close")
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", CLOSED)
    assert snapshot(example_ws) == edited
    assert edited != first
    assert writeback_lines(example_ws) == [("2026-014", "2026-12-01"),
                                           ("2026-022", "2026-12-01")]


@pytest.mark.usefixtures("meeting_day")
def test_a_review_recorded_after_reopen_is_written(run, example_ws):
    started(run)
    ok(run("meeting", "review", "2026-014", "--next", "2027-01-12"))
    ok(run("meeting", "close"))
    first = snapshot(example_ws)
    ok(run("meeting", "reopen", "--reason", "Datum verkeerd"))
    ok(run("meeting", "review", "2026-014", "--next", "2027-01-19"))
    result = run("meeting", "close")
    assert result.exit_code == 0
    assert result.stderr == "2026-014: bespreken bijgewerkt in het casusbestand.\n"
    now = snapshot(example_ws)
    assert now["2026-014-jdv.md"] == first["2026-014-jdv.md"].replace(
        b"\nbespreken: 2027-01-12\n", b"\nbespreken: 2027-01-19\n")
    assert {n: b for n, b in now.items() if n != "2026-014-jdv.md"} == {
        n: b for n, b in first.items() if n != "2026-014-jdv.md"}
    assert writeback_lines(example_ws) == [("2026-014", "2026-12-01")] * 2


@pytest.mark.usefixtures("meeting_day")
def test_an_edit_made_during_the_meeting_is_kept(run, example_ws):
    started(run)
    ok(run("meeting", "note", "2026-014", "Besproken."))
    path = example_ws / "casussen" / "2026-014-jdv.md"
    original = path.read_bytes()
    edited = original.replace(b"\nregisseur: B. Jansen\n", b"\nregisseur: C. de Boer\n")
    assert edited != original
    path.write_bytes(edited)
    ok(run("meeting", "close"))
    assert path.read_bytes() == edited.replace(b"\nstatus: aangemeld\n", b"\nstatus: actief\n")


@pytest.mark.usefixtures("meeting_day")
def test_a_status_changed_on_disk_during_the_meeting_is_not_overruled(run, example_ws):
    started(run)
    ok(run("meeting", "note", "2026-038", "Besproken."))
    path = example_ws / "casussen" / "2026-038-mb.md"
    edited = path.read_bytes().replace(b"\nstatus: aangemeld\n", b"\nstatus: nazorg\n")
    path.write_bytes(edited)
    result = run("meeting", "close")
    assert (result.exit_code, result.stderr) == (0, "")
    assert path.read_bytes() == edited


@pytest.mark.usefixtures("meeting_day")
def test_close_refuses_when_a_discussed_case_file_vanished(run, example_ws):
    started(run)
    ok(run("meeting", "decide", "2026-022", "Besluit."))
    ok(run("meeting", "note", "2026-014", "Besproken."))
    (example_ws / "casussen" / "2026-014-jdv.md").unlink()
    before = snapshot(example_ws)
    result = run("meeting", "close")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        'Fout: de vergadering is niet gesloten; deze casussen kunnen niet worden bijgewerkt: '
        'casus "2026-014" (geen geldig casusbestand gevonden). Herstel de bestanden (zie '
        "'overleg cases check') en sluit opnieuw.\n")
    # Nothing half done: 2026-022 (agenda: ja) not written, the meeting still open.
    assert snapshot(example_ws) == before
    assert writeback_lines(example_ws) == []
    assert '"status": "open"' in ok(run("meeting", "list", "--json"))


@pytest.mark.usefixtures("meeting_day")
def test_close_refuses_when_a_discussed_case_file_broke(run, example_ws):
    started(run)
    ok(run("meeting", "decide", "2026-022", "Besluit."))
    ok(run("meeting", "note", "2026-014", "Besproken."))
    path = example_ws / "casussen" / "2026-014-jdv.md"
    path.write_bytes(path.read_bytes().replace(b"\nstatus: aangemeld\n", b"\nstatus: kapot\n"))
    before = snapshot(example_ws)
    result = run("meeting", "close")
    assert result.exit_code == 1
    assert result.stderr == (
        "casussen/2026-014-jdv.md:7: 'status' = 'kapot' is onbekend (kies uit: aangemeld, "
        "actief, nazorg, afgesloten)\n"
        "1 fout(en) in casusbestanden; die casussen doen niet mee. Zie 'overleg cases "
        "check'.\n"
        'Fout: de vergadering is niet gesloten; deze casussen kunnen niet worden bijgewerkt: '
        'casus "2026-014" (geen geldig casusbestand gevonden). Herstel de bestanden (zie '
        "'overleg cases check') en sluit opnieuw.\n")
    assert snapshot(example_ws) == before
    # Repaired, the close goes through and writes both.
    path.write_bytes(path.read_bytes().replace(b"\nstatus: kapot\n", b"\nstatus: aangemeld\n"))
    result = run("meeting", "close")
    assert result.exit_code == 0
    assert result.stderr == ("2026-014: status bijgewerkt in het casusbestand.\n"
                             "2026-022: agenda bijgewerkt in het casusbestand.\n")


@pytest.mark.usefixtures("meeting_day")
def test_written_files_keep_their_mode(run, example_ws):
    path = example_ws / "casussen" / "2026-014-jdv.md"
    os.chmod(path, 0o600)
    started(run)
    ok(run("meeting", "note", "2026-014", "Besproken."))
    ok(run("meeting", "close"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in (example_ws / "casussen").iterdir()) == sorted(
        snapshot(example_ws))
    assert not [p for p in (example_ws / "casussen").iterdir() if p.name.startswith(".")]
