"""What a chair met in a real meeting (issue 14): case lookups that do not dead-end, `volgende`
on a meeting day, removing a planned meeting made by mistake, and the minutes' reasons."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

MEETING = "2026-12-01"  # a Tuesday: the example meeting
NEXT = "08-12-2026"


@pytest.fixture
def on_meeting_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLEG_TODAY", MEETING)


def ok(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output


def case_file(case_id: str, extra: str = "", partners: str = "[POL, GGZ]") -> str:
    return ("---\n"
            f"id: {case_id}\n"
            "initialen: A.B.\n"
            "status: actief\n"
            "aangemeld_op: 2026-11-02\n"
            "aangemeld_door: POL\n"
            f"partners: {partners}\n"
            f"{extra}"
            "---\n# A.B.\n\n## Vraag aan het overleg\nWat nu?\n")


def write(ws: Path, name: str, text: str | bytes) -> None:
    path = ws / "casussen" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


# --- case lookups ---------------------------------------------------------------------------

def test_cases_show_takes_the_last_part_of_an_id(run, example_ws: Path) -> None:
    whole = run("cases", "show", "2026-014")
    part = run("cases", "show", "014")
    ok(part)
    assert part.stdout == whole.stdout


def test_a_part_that_fits_more_ids_lists_them(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_file("2025-014"))
    write(empty_ws, "b.md", case_file("2026-014"))
    for args in (("cases", "show", "014"),
                 ("action", "add", "014", "--owner", "POL", "--due", "15-12-2026", "Bellen")):
        result = run(*args)
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == ("Fout: '014' past bij meer casussen (2025-014, 2026-014); typ "
                                 "het hele id.\n")
    ok(run("cases", "show", "2026-014"))


def test_every_id_argument_takes_the_last_part(run, example_ws: Path) -> None:
    ok(run("action", "add", "014", "--owner", "POL", "--due", "15-12-2026", "Buurtonderzoek"))
    actions = json.loads(run("action", "list", "--json").stdout)
    assert [a["case"] for a in actions if a["text"] == "Buurtonderzoek"] == ["2026-014"]
    ok(run("agenda", "build", "--date", MEETING))
    result = run("agenda", "drop", "014", "--date", MEETING)
    assert (result.exit_code, result.stderr) == (
        0, "Casus 2026-014 is van de agenda van 01-12-2026 gehaald.\n")
    result = run("agenda", "move", "041", "1", "--date", MEETING)
    assert (result.exit_code, result.stderr) == (
        0, "Casus 2026-041 staat nu op punt 1 van de agenda van 01-12-2026.\n")
    result = run("agenda", "add", "014", "--date", MEETING, "--reason", "toch bespreken")
    assert result.stderr.startswith("Casus 2026-014 staat op de agenda van 01-12-2026")


def test_a_part_on_the_agenda_that_fits_two_items(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_file("2025-014", "agenda: ja\n"))
    write(empty_ws, "b.md", case_file("2026-014", "agenda: ja\n"))
    ok(run("agenda", "build", "--date", MEETING))
    result = run("agenda", "drop", "014", "--date", MEETING)
    assert (result.exit_code, result.stderr) == (
        1, "Fout: '014' past bij meer casussen op de agenda (2025-014, 2026-014); typ het hele "
           "id.\n")


BROKEN_LIST = ("casussen/a.md:7: ongeldige YAML in de front matter: een lijst tussen [ ] is "
               "niet goed afgesloten: zet komma's tussen de waarden en een ']' aan het eind")


@pytest.mark.parametrize("typed", ["2026-001", "001"])
def test_a_case_with_broken_yaml_is_reported_as_its_file_error(run, empty_ws: Path,
                                                              typed: str) -> None:
    write(empty_ws, "a.md", case_file("2026-001", partners="[POL, GGZ"))
    write(empty_ws, "b.md", case_file("2026-002"))
    expected = (f'Fout: casus "2026-001" kan niet worden gelezen: {BROKEN_LIST}. Herstel het '
                "bestand; zie 'overleg cases check'.\n")
    result = run("cases", "show", typed)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)
    # (exit 1: a case file with errors may leave the agenda incomplete)
    assert run("agenda", "build", "--date", MEETING).stdout.startswith("Agenda 01-12-2026")
    for args in (("agenda", "add", typed, "--date", MEETING),
                 ("action", "add", typed, "--owner", "POL", "--due", "15-12-2026", "Bellen")):
        result = run(*args)
        assert result.exit_code == 1
        # The findings of the case folder first (as every command reports them), then why
        # this command stops: never "bestaat niet".
        assert result.stderr.splitlines()[0] == BROKEN_LIST
        assert result.stderr.endswith(expected)
        assert "bestaat niet" not in result.stderr


def test_a_broken_file_without_a_readable_id_is_found_by_its_name(run, empty_ws: Path) -> None:
    write(empty_ws, "2026-007-ab.md", case_file("2026-007").encode().replace(b"A.B.", b"\xe9"))
    result = run("cases", "show", "2026-007")
    assert result.exit_code == 1
    assert result.stderr == (
        'Fout: casus "2026-007" kan niet worden gelezen: casussen/2026-007-ab.md:3: het bestand '
        "is geen UTF-8-tekst; sla het op als UTF-8. Herstel het bestand; zie 'overleg cases "
        "check'.\n")
    assert run("cases", "show", "007").stderr == result.stderr.replace('"2026-007"', '"007"')
    result = run("cases", "show", "2026-0")
    assert result.stderr == "Fout: casus \"2026-0\" bestaat niet. Zie 'overleg cases list'.\n"


def test_more_errors_in_the_file_are_counted(run, empty_ws: Path) -> None:
    write(empty_ws, "a.md", case_file("2026-001", "status: nazorg\nbespreken: 31-02-2026\n"))
    result = run("cases", "show", "2026-001")
    assert result.stderr == (
        'Fout: casus "2026-001" kan niet worden gelezen: casussen/a.md:8: sleutel \'status\' '
        "staat er twee keer in (eerder op regel 4) (en nog 1 fout in dat bestand). Herstel het "
        "bestand; zie 'overleg cases check'.\n")


# --- volgende and the schedule on a meeting day ---------------------------------------------

def first_line(result) -> str:  # type: ignore[no-untyped-def]
    return result.stdout.splitlines()[0]


@pytest.mark.usefixtures("on_meeting_day")
def test_volgende_on_a_meeting_day_is_next_week(run, example_ws: Path) -> None:
    result = run("agenda", "build", "--date", "volgende")
    ok(result)
    assert first_line(result) == f"Agenda {NEXT} (gepland)"


@pytest.mark.usefixtures("on_meeting_day")
def test_volgende_during_and_after_the_meeting(run, example_ws: Path) -> None:
    assert first_line(run("schedule", "-n", "1")) == "di 01-12-2026  09:30–11:30"
    ok(run("meeting", "start"))
    assert first_line(run("schedule", "-n", "1")) == "di 01-12-2026  09:30–11:30"  # still on
    assert first_line(run("agenda", "build", "--date", "volgende")) == f"Agenda {NEXT} (gepland)"
    ok(run("meeting", "close"))
    # Today's meeting is over: it is neither 'volgende', nor the default, nor listed first.
    result = run("agenda", "build", "--date", "volgende")
    ok(result)
    assert first_line(result) == f"Agenda {NEXT} (gepland)"
    assert first_line(run("agenda", "show")) == f"Agenda {NEXT} (gepland)"
    assert run("schedule", "-n", "2").stdout == ("di 08-12-2026  09:30–11:30\n"
                                                 "di 15-12-2026  09:30–11:30\n")
    assert json.loads(run("schedule", "-n", "1", "--json").stdout)[0]["date"] == "2026-12-08"


@pytest.mark.usefixtures("on_meeting_day")
def test_without_a_date_after_the_close_agenda_build_takes_the_next_meeting(
        run, example_ws: Path) -> None:
    ok(run("meeting", "start"))
    ok(run("meeting", "close"))
    result = run("agenda", "build")
    ok(result)
    assert first_line(result) == f"Agenda {NEXT} (gepland)"


def test_volgende_is_after_a_meeting_still_open(run, example_ws: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERLEG_TODAY", MEETING)
    ok(run("meeting", "start"))
    monkeypatch.setenv("OVERLEG_TODAY", "2026-12-08")  # last week's meeting was never closed
    assert first_line(run("agenda", "build", "--date", "volgende")) == (
        "Agenda 15-12-2026 (gepland)")


# --- removing a planned meeting made by mistake ---------------------------------------------

def meeting_dates(run) -> list[str]:  # type: ignore[no-untyped-def]
    return [m["date"] for m in json.loads(run("meeting", "list", "--json").stdout)]


def test_a_planned_meeting_made_by_mistake_can_be_removed(run, example_ws: Path) -> None:
    result = run("agenda", "build", "--date", "2020-01-01")
    ok(result)
    assert result.stderr.splitlines()[0] == (
        "Let op: woensdag 1 januari 2020 ligt in het verleden. Was dat een vergissing, "
        "verwijder de vergadering dan met 'overleg agenda delete --date 2020-01-01'.")
    items = len(json.loads(run("agenda", "show", "--date", "2020-01-01", "--json").stdout)
                ["items"])
    question = (f"Geplande vergadering van woensdag 1 januari 2020 ({items} punten) "
                "verwijderen? [j/N] ")
    result = run("agenda", "delete", "--date", "2020-01-01", input="n\n")
    assert (result.exit_code, result.stderr) == (1, question + "Niets verwijderd.\n")
    assert meeting_dates(run) == ["2020-01-01"]
    result = run("agenda", "delete", "--date", "1-1-2020", input="j\n")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "", question + "Geplande vergadering van 01-01-2020 verwijderd, met haar agenda.\n")
    assert meeting_dates(run) == []
    log = json.loads(run("log", "--json").stdout)
    assert {k: log[-1][k] for k in ("action", "case", "meeting")} == {
        "action": "agenda.delete", "case": None, "meeting": "2020-01-01"}
    assert "geplande vergadering verwijderd" in run("log").stdout
    result = run("agenda", "delete", "--date", "2020-01-01", "--yes")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: er is geen vergadering op 01-01-2020; er is niets te verwijderen. Zie "
           "'overleg meeting list'.\n")


def test_agenda_delete_with_yes_asks_nothing_and_a_new_build_starts_afresh(
        run, example_ws: Path) -> None:
    ok(run("agenda", "build", "--date", MEETING))
    ok(run("agenda", "drop", "2026-014", "--date", MEETING))
    result = run("agenda", "delete", "--date", MEETING, "--yes")
    assert (result.exit_code, result.stderr) == (
        0, "Geplande vergadering van 01-12-2026 verwijderd, met haar agenda.\n")
    ok(run("agenda", "build", "--date", MEETING, "--keep"))
    cases = [i["case"] for i in json.loads(run("agenda", "show", "--json").stdout)["items"]]
    assert "2026-014" in cases  # the drop went with the deleted meeting


@pytest.mark.usefixtures("on_meeting_day")
def test_a_meeting_that_has_started_is_never_removed(run, example_ws: Path) -> None:
    ok(run("meeting", "start"))
    for state, then in (("is geopend", ("meeting", "close")), ("is gesloten", None)):
        result = run("agenda", "delete", "--date", MEETING, input="j\n")
        assert (result.exit_code, result.stderr) == (
            1, f"Fout: de vergadering van 01-12-2026 {state}; alleen een geplande vergadering "
               "(nog niet gestart) kan worden verwijderd. Wat in een vergadering is "
               "vastgelegd, blijft bewaard.\n")
        assert meeting_dates(run) == [MEETING]
        if then:
            ok(run(*then))
    assert all(e["action"] != "agenda.delete" for e in json.loads(run("log", "--json").stdout))


def test_the_store_deletes_only_a_planned_meeting(example_ws: Path) -> None:
    from datetime import date

    from overleg.store import Store

    store = Store.open(example_ws / "overleg.db", actor="test")
    try:
        meeting = store.create_meeting(date(2026, 12, 8))
        store.set_meeting_status(meeting, "open", "meeting.start")
        assert store.delete_planned_meeting(meeting) is False  # it started meanwhile
        assert store.meeting(date(2026, 12, 8)) is not None
    finally:
        store.close()


# --- the minutes: Reden/Redenen and the reason a case was added -----------------------------

GGZ_REASON = "toegevoegd door de voorzitter: vraag van de GGZ"


@pytest.fixture
def minutes_ws(run, example_ws: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example meeting with 2026-033 (partners POL, GGZ, GEM) added with a reason, and
    2026-014 dropped and put back with one."""
    monkeypatch.setenv("OVERLEG_TODAY", MEETING)
    ok(run("agenda", "build"))
    ok(run("agenda", "add", "2026-033", "--reason", "vraag van de GGZ"))
    ok(run("agenda", "drop", "2026-014"))
    ok(run("agenda", "add", "2026-014", "--reason", "toch vandaag"))
    ok(run("meeting", "start"))
    ok(run("meeting", "note", "2026-033", "Besproken."))
    ok(run("meeting", "close"))
    return example_ws


def reason_lines(text: str) -> list[str]:
    return [line.strip(" -") for line in text.splitlines()
            if re.match(r"\s*-? ?Reden(en)?: ", line)]


def test_the_reason_given_with_agenda_add_is_in_the_minutes(run, minutes_ws: Path) -> None:
    md = run("minutes").stdout
    assert f"- Reden: {GGZ_REASON}\n" in md
    assert "- Redenen: nieuwe aanmelding; toegevoegd door de voorzitter: toch vandaag\n" in md
    assert f"   Reden: {GGZ_REASON}\n" in run("minutes", "--format", "txt").stdout
    assert (f'font-size:13px;">Reden</td><td style="padding:2px 0;font-size:13px;">'
            f"{GGZ_REASON}</td>") in run("minutes", "--format", "html").stdout
    # Per partner: only with that partner's items (GGZ is a partner of 2026-033, RN is not).
    for fmt in ("md", "txt", "html"):
        assert GGZ_REASON in run("minutes", "--partner", "GGZ", "--format", fmt).stdout
        assert "vraag van de GGZ" not in run("minutes", "--partner", "RN", "--format",
                                             fmt).stdout


def test_reden_for_one_reason_redenen_for_more(run, minutes_ws: Path) -> None:
    for fmt in ("md", "txt"):
        lines = reason_lines(run("minutes", "--format", fmt).stdout)
        lines += reason_lines(run("agenda", "render", "--date", MEETING, "--format",
                                  fmt).stdout)
        assert any(line.startswith("Reden: ") for line in lines)
        assert any(line.startswith("Redenen: ") for line in lines)
        for line in lines:
            label, text = line.split(": ", 1)
            count = len(re.split(r", |; ", text.split(": ")[0]))
            assert label == ("Reden" if count == 1 else "Redenen"), line
    html = run("minutes", "--format", "html").stdout
    assert ">Redenen</td>" in html and ">Reden</td>" in html


def test_the_agenda_shows_the_reason_of_an_item_put_back(run, minutes_ws: Path) -> None:
    md = run("agenda", "render", "--date", MEETING).stdout
    assert "- Redenen: nieuwe aanmelding; toegevoegd door de voorzitter: toch vandaag\n" in md
    assert f"- Reden: {GGZ_REASON}\n" in md


def test_the_word_minutes_say_reden_and_carry_the_reason(run, minutes_ws: Path,
                                                        tmp_path: Path) -> None:
    import docx as python_docx

    out = tmp_path / "verslag.docx"
    ok(run("minutes", "--format", "docx", "-o", str(out)))
    lines = [p.text for p in python_docx.Document(str(out)).paragraphs]
    assert f"Reden: {GGZ_REASON}" in lines
    assert "Redenen: nieuwe aanmelding; toegevoegd door de voorzitter: toch vandaag" in lines
    assert not any(line.startswith("Redenen: ") and ", " not in line and "; " not in line
                   for line in lines)
