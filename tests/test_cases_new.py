"""`overleg cases new`: the form, scripted through stdin, and once on a real terminal."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from overleg.casecache import load_cases
from overleg.cases import create_case_file, next_case_id, parse_case
from overleg.errors import InvalidCaseFile
from overleg.workspace import load_workspace

PROMPTS = ("Id [{id}]: Initialen (bijv. J.d.V.): Geboortejaar (leeg = onbekend): Status "
           "[aangemeld]: Prioriteit [midden]: Aangemeld door (partnercode): Regie (partnercode, "
           "leeg = nog niet belegd): Partners (codes, gescheiden door spaties of komma's){dflt}: "
           "Is de betrokkene geïnformeerd? (ja/nee, leeg = onbekend): ")
HINT = "Beschrijf de situatie in het bestand; controleer het met 'overleg cases check'.\n"


def answers(*lines: str) -> str:
    return "".join(f"{line}\n" for line in lines)


def test_a_new_case_with_the_suggested_id(example_ws: Path, run) -> None:
    result = run("cases", "new", input=answers(
        "", "K.L.", "1985", "", "hoog", "rn", "gem", "POL, ggz", "nee", "lopend onderzoek",
        "Moet er een melding bij Veilig Thuis komen?"))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Casus 2026-042 is aangemaakt: casussen/2026-042.md\n"
    assert result.stderr == (PROMPTS.format(id="2026-042", dflt=" [RN GEM]")
                             + "Waarom niet?: Vraag aan het overleg: " + HINT)
    assert (example_ws / "casussen" / "2026-042.md").read_text(encoding="utf-8") == (
        "---\n"
        "id: 2026-042\n"
        "initialen: K.L.\n"
        "geboortejaar: 1985\n"
        "status: aangemeld\n"
        "prioriteit: hoog\n"
        "aangemeld_op: 2026-11-28\n"
        "aangemeld_door: RN\n"
        "regie: GEM\n"
        "partners: [POL, GGZ]\n"
        "geinformeerd: nee\n"
        "reden_niet_geinformeerd: lopend onderzoek\n"
        "---\n"
        "# K.L. (1985)\n"
        "\n"
        "## Situatie\n"
        "\n"
        "## Vraag aan het overleg\n"
        "Moet er een melding bij Veilig Thuis komen?\n"
    )
    check = run("cases", "check")
    assert check.exit_code == 0
    assert check.stderr == "18 casusbestanden gecontroleerd: 0 fouten, 0 waarschuwingen.\n"
    assert re.search(r"\npartners +POL GGZ RN GEM *\n", run("cases", "show", "2026-042").stdout)


def test_the_new_case_goes_on_the_next_agenda(example_ws: Path, run) -> None:
    ok = run("cases", "new", input=answers("", "K.L.", "", "", "", "WT", "", "", "ja", ""))
    assert ok.exit_code == 0, ok.output
    # Triage is on in the example workspace: a referral reaches the agenda by its decision.
    assert run("triage", "decide", "2026-042", "--outcome", "casusoverleg",
               "--criteria", "a,b,c").exit_code == 0
    agenda = run("agenda", "build", "--date", "2026-12-01", "--json")
    items = {i["case"]: i["reasons"] for i in __import__("json").loads(agenda.stdout)["items"]}
    assert items["2026-042"] == ["new"]


def test_minimal_answers_take_the_defaults(empty_ws: Path, run) -> None:
    result = run("cases", "new", input=answers("", "A.B.", "", "", "", "VT", "", "", "", ""))
    assert result.exit_code == 0, result.output
    assert result.stdout == "Casus 2026-001 is aangemaakt: casussen/2026-001.md\n"
    text = (empty_ws / "casussen" / "2026-001.md").read_text(encoding="utf-8")
    assert text.split("---\n")[1] == ("id: 2026-001\ninitialen: A.B.\nstatus: aangemeld\n"
                                      "prioriteit: midden\naangemeld_op: 2026-11-28\n"
                                      "aangemeld_door: VT\npartners: [VT]\n")
    assert "Waarom niet?" not in result.stderr  # only asked after 'nee'


def test_a_wrong_answer_is_explained_and_asked_again(example_ws: Path, run) -> None:
    result = run("cases", "new", input=answers(
        "2026-014", "2026/1", "2026-100", "", "J.", "19x5", "2031", "1979", "afgesloten",
        "actief", "hoogst", "laag", "XYZ", "pol", "", "POL RN XX", "POL RN", "misschien",
        "ja", "Wat nu?"))
    assert result.exit_code == 0, result.output
    errors = [line for line in result.stderr.replace(": Fout:", ":\nFout:").splitlines()
              if line.startswith("Fout:")]
    assert errors == [
        'Fout: id "2026-014" is al in gebruik. Kies een ander id.',
        "Fout: id '2026/1' kan niet: gebruik letters, cijfers, '-', '_' en '.', bijv. 2026-042.",
        "Fout: vul de initialen in, bijv. J.d.V.",
        "Fout: geboortejaar '19x5' is geen jaartal van 1900 tot en met 2026; laat het leeg als "
        "het onbekend is.",
        "Fout: geboortejaar '2031' is geen jaartal van 1900 tot en met 2026; laat het leeg als "
        "het onbekend is.",
        "Fout: status 'afgesloten' bestaat niet. Kies uit: aangemeld, actief, nazorg.",
        "Fout: prioriteit 'hoogst' bestaat niet. Kies uit: hoog, midden, laag.",
        "Fout: partner 'XYZ' staat niet in overleg.toml. Bekend: RN, POL, GEM, OM, GGZ, VT, WT, "
        "WC, VZ.",
        "Fout: partner 'XX' staat niet in overleg.toml. Bekend: RN, POL, GEM, OM, GGZ, VT, WT, "
        "WC, VZ.",
        "Fout: 'misschien' is geen ja of nee; laat het leeg als het onbekend is.",
    ]
    assert result.stdout == "Casus 2026-100 is aangemaakt: casussen/2026-100.md\n"
    front = (example_ws / "casussen" / "2026-100.md").read_text(encoding="utf-8").split("---\n")[1]
    assert front == ("id: 2026-100\ninitialen: J.\ngeboortejaar: 1979\nstatus: actief\n"
                     "prioriteit: laag\naangemeld_op: 2026-11-28\naangemeld_door: POL\n"
                     "partners: [POL, RN]\ngeinformeerd: ja\n")


def test_an_existing_file_name_is_taken_too(example_ws: Path, run) -> None:
    (example_ws / "casussen" / "2026-050.md").write_text("kapot", encoding="utf-8")
    result = run("cases", "new", input=answers("2026-050", "2026-051", "A.", "", "", "", "WT",
                                               "", "", "", ""))
    assert result.exit_code == 0, result.output
    assert 'Fout: id "2026-050" is al in gebruik. Kies een ander id.' in result.stderr
    assert (example_ws / "casussen" / "2026-050.md").read_text(encoding="utf-8") == "kapot"
    assert (example_ws / "casussen" / "2026-051.md").is_file()


def test_end_of_input_writes_nothing(example_ws: Path, run) -> None:
    before = sorted(p.name for p in (example_ws / "casussen").iterdir())
    result = run("cases", "new", input=answers("", "K.L.", "1985"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.endswith("\nFout: invoer gestopt voor alle vragen beantwoord waren; er "
                                  "is geen casusbestand geschreven.\n")
    assert sorted(p.name for p in (example_ws / "casussen").iterdir()) == before


def test_awkward_text_is_quoted_and_reads_back(example_ws: Path, run) -> None:
    result = run("cases", "new", input=answers(
        "", "A: B.", "", "", "", "GGZ", "", "", "nee", '#1: "melding" - ja',
        "Wat doen we: {{ nu }}?"))
    assert result.exit_code == 0, result.output
    ws = load_workspace(example_ws)
    case = load_cases(ws).get("2026-042")
    assert case.initialen == "A: B."
    assert case.reden_niet_geinformeerd == '#1: "melding" - ja'
    assert case.question == "Wat doen we: {{ nu }}?"


@pytest.mark.parametrize(("taken", "expected"), [
    ([], "2026-001"),
    (["2026-009", "2026-010", "2025-099", "2027-500"], "2026-011"),
    (["2026-999"], "2026-1000"),
    (["2026-01", "x-2026-050", "2026-050-b"], "2026-001"),
])
def test_next_case_id(taken: list[str], expected: str) -> None:
    assert next_case_id(taken, 2026) == expected


def test_create_case_file_never_overwrites(example_ws: Path) -> None:
    ws = load_workspace(example_ws)
    text = ("---\nid: 2026-060\ninitialen: A.\nstatus: aangemeld\naangemeld_op: 2026-11-28\n"
            "aangemeld_door: WT\npartners: [WT]\n---\n")
    target = example_ws / "casussen" / "2026-060.md"
    target.write_bytes(b"eerder")  # appeared after the form checked the name
    with pytest.raises(InvalidCaseFile, match=r"^casussen/2026-060\.md bestaat al; er is niets "
                                              r"overschreven\. Kies een ander id\.$"):
        create_case_file(ws, "2026-060", text, taken=[])
    assert target.read_bytes() == b"eerder"
    assert not list((example_ws / "casussen").glob(".*.tmp"))
    target.unlink()
    case = create_case_file(ws, "2026-060", text, taken=[])
    assert case.id == "2026-060"
    assert parse_case(target.read_bytes(), target, "x", ws.config)[0] == case


def test_create_case_file_refuses_an_invalid_file(example_ws: Path) -> None:
    ws = load_workspace(example_ws)
    text = "---\nid: 2026-061\ninitialen: A.\nstatus: weg\n---\n"
    with pytest.raises(InvalidCaseFile) as raised:
        create_case_file(ws, "2026-061", text, taken=[])
    assert raised.value.message.startswith("de nieuwe casus 2026-061 is niet geldig en is niet "
                                           "geschreven: casussen/2026-061.md:")
    assert not (example_ws / "casussen" / "2026-061.md").exists()
    with pytest.raises(InvalidCaseFile, match='id "2026-014" is al in gebruik'):
        create_case_file(ws, "2026-014", text, taken=["2026-014"])



NEW_TEXT = ("---\nid: 2026-062\ninitialen: A.\nstatus: aangemeld\naangemeld_op: 2026-11-28\n"
            "aangemeld_door: WT\npartners: [WT]\n---\n")


@pytest.mark.parametrize(("umask", "folder_mode", "file_mode"), [
    (0o022, 0o755, 0o600),    # the folder as `init` or a file manager makes it
    (0o000, 0o777, 0o600),    # readable to all, but not marked as a team folder
    (0o077, 0o700, 0o600),
    (0o022, 0o2770, 0o660),   # a team folder (setgid): its group reads and writes
    (0o077, 0o2750, 0o640),   # ... or only reads, as the folder says
    (0o000, 0o2777, 0o660),   # others never get anything
], ids=["755", "777", "700", "team-2770", "team-2750", "team-2777"])
def test_a_new_case_file_is_owner_only_unless_the_folder_is_a_team_folder(
        example_ws: Path, umask: int, folder_mode: int, file_mode: int) -> None:
    ws = load_workspace(example_ws)
    folder = example_ws / "casussen"
    folder.chmod(folder_mode)
    old = os.umask(umask)
    try:
        create_case_file(ws, "2026-062", NEW_TEXT, taken=[])
    finally:
        os.umask(old)
        folder.chmod(0o755)
    assert (folder / "2026-062.md").stat().st_mode & 0o7777 == file_mode
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_missing_case_folder_is_made_owner_only(empty_ws: Path) -> None:
    ws = load_workspace(empty_ws)
    shutil.rmtree(empty_ws / "casussen")
    create_case_file(ws, "2026-062", NEW_TEXT, taken=[])
    assert (empty_ws / "casussen").stat().st_mode & 0o777 == 0o700
    assert (empty_ws / "casussen" / "2026-062.md").stat().st_mode & 0o777 == 0o600

@pytest.mark.slow
def test_on_a_terminal_tab_completes_the_partner_code(example_ws: Path, tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    script = Path(sys.executable).parent / "overleg"
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}
    env |= {"OVERLEG_WORKSPACE": str(example_ws), "OVERLEG_TODAY": "2026-11-28",
            "HOME": str(tmp_path), "TERM": "xterm"}
    child = pexpect.spawn(str(script), ["cases", "new"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(30, 120))

    def wait(text: str) -> None:
        """Wait for `text`, answering prompt_toolkit's cursor-position requests."""
        while child.expect([re.escape("\x1b[6n"), re.escape(text)]) == 0:
            child.send("\x1b[20;1R")

    try:
        for prompt, typed in (("Id", ""), ("Initialen", "T.T."), ("Geboortejaar", ""),
                              ("Status", ""), ("Prioriteit", "")):
            wait(prompt)
            child.sendline(typed)
        wait("Aangemeld door")
        child.send("PO")
        wait("Politie Eenheid")  # the menu of matching codes, with their names
        child.send("\t")  # takes the first (only) one
        child.send("\r")
        for prompt, typed in (("Regie", ""), ("Partners", ""), ("geïnformeerd", "ja"),
                              ("Vraag", "Wat nu?")):
            wait(prompt)
            child.sendline(typed)
        wait("Casus 2026-042 is aangemaakt: casussen/2026-042.md")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    text = (example_ws / "casussen" / "2026-042.md").read_text(encoding="utf-8")
    assert "\naangemeld_door: POL\n" in text


def test_the_new_case_is_in_the_audit_log(empty_ws: Path, run) -> None:
    result = run("cases", "new", input=answers("", "A.B.", "", "", "", "RN", "", "", "", ""))
    assert result.exit_code == 0, result.stderr
    log = json.loads(run("log", "--json").stdout)
    assert [(e["action"], e["case"]) for e in log] == [("case.create.new", "2026-001")]
    assert "A.B." not in run("log").stdout


def _bsn_from(first8: str) -> str:
    """A number that passes the eleven-test, computed here (never written down)."""
    digit = sum(int(d) * w for d, w in zip(first8, range(9, 1, -1), strict=True)) % 11
    assert digit < 10
    return first8 + str(digit)


def test_an_id_that_reads_as_a_bsn_is_refused_without_repeating_it(example_ws: Path,
                                                                  run) -> None:
    bsn = _bsn_from("27182818")
    spread = "-".join([bsn[:4], bsn[4:6], bsn[6:8], bsn[8]])  # masked nowhere: its digits are
    result = run("cases", "new", input=answers(bsn, spread, "2026-100", "A.B.", "", "", "",
                                               "VT", "", "", "", ""))
    assert result.exit_code == 0, result.output
    refused = "Fout: dit id lijkt op een BSN (elfproef); kies een ander id."
    assert result.stderr.count(refused) == 2
    assert bsn not in result.output and spread not in result.output
    assert result.stdout == "Casus 2026-100 is aangemaakt: casussen/2026-100.md\n"


def test_the_suggested_id_never_reads_as_a_bsn() -> None:
    from overleg.privacy import is_bsn

    assert is_bsn("202610007") and not is_bsn("202610008")
    assert next_case_id(["2026-10006"], 2026) == "2026-10008"
