"""`overleg demo`: the whole flow on a copy of examples/, and what it writes where."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

import pytest

from overleg.config import parse_config

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "expected"
CODES = list(parse_config((HERE.parent / "examples" / "overleg.toml")
                          .read_text(encoding="utf-8")).partners)
MAILED = [code for code in CODES if code != "VZ"]  # VZ has no e-mail address

pytestmark = pytest.mark.slow  # every test runs the whole demo

TABLE = [
    ["Demo: wat is waar geschreven"],
    ["wat", "waar"],
    ["voorbeeldwerkmap (probeer: overleg -w uit/werkmap agenda show)", "uit/werkmap"],
    ["agenda (voorzitter, md)", "uit/agenda-2026-12-01.md"],
    ["agenda (voorzitter, html)", "uit/agenda-2026-12-01.html"],
    ["agenda per partner (9x html)", "uit/per-partner"],
    ["verslag (voorzitter, md)", "uit/verslag-2026-12-01.md"],
    ["verslag (voorzitter, html)", "uit/verslag-2026-12-01.html"],
    ["verslag (voorzitter, txt)", "uit/verslag-2026-12-01.txt"],
    ["verslag per partner (9x html)", "uit/per-partner"],
    ["verslag (voorzitter, Word)", "uit/verslag-2026-12-01.docx"],
    ["vergaderreeks voor de agenda (.ics)", "uit/vergaderreeks.ics"],
    ["e-mails als concept (8x .eml; niet bereikt: VZ)", "uit/mail"],
]
FILES = sorted([
    "agenda-2026-12-01.md", "agenda-2026-12-01.html",
    "verslag-2026-12-01.md", "verslag-2026-12-01.html", "verslag-2026-12-01.txt",
    "verslag-2026-12-01.docx", "vergaderreeks.ics",
    *(f"per-partner/agenda-2026-12-01-{code}.html" for code in CODES),
    *(f"per-partner/verslag-2026-12-01-{code}.html" for code in CODES),
    *(f"mail/verslag-2026-12-01-{code}.eml" for code in MAILED),
])


def written(out: Path) -> list[str]:
    """Every file the demo wrote next to its workspace, relative to `out`."""
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and "werkmap" not in p.relative_to(out).parts)


def test_demo_prints_the_table_and_writes_the_listed_files(run, tmp_path):
    result = run("demo", "--out", "uit")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert [re.split(r"\s{2,}", line.strip()) for line in result.stdout.splitlines()] == TABLE
    out = tmp_path / "uit"
    assert written(out) == FILES
    for name in FILES:
        assert (out / name).stat().st_mode & 0o777 == 0o600, name
    for folder in (out, out / "per-partner", out / "mail"):
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert (out / "werkmap" / "overleg.db").stat().st_mode & 0o777 == 0o600


def test_demo_documents_are_the_reviewed_ones(run, tmp_path):
    """The chair's minutes and VT's HTML minutes are the golden files of test_minutes."""
    assert run("demo", "--out", "uit").exit_code == 0
    out = tmp_path / "uit"
    for fmt in ("md", "html", "txt"):
        assert (out / f"verslag-2026-12-01.{fmt}").read_text(encoding="utf-8") == (
            EXPECTED / f"verslag.{fmt}").read_text(encoding="utf-8"), fmt
    assert (out / "per-partner" / "verslag-2026-12-01-VT.html").read_text(encoding="utf-8") == (
        EXPECTED / "verslag-VT.html").read_text(encoding="utf-8")
    agenda = (out / "agenda-2026-12-01.md").read_text(encoding="utf-8")
    assert agenda.startswith("# Agenda Casusoverleg Zorg en Veiligheid Den Haag Zuid")
    # 2026-021 was not discussed on 17-11: it is back, carried over.
    item = agenda.split("· 2026-021 · G.T. (1963)\n")[1].split("\n## ")[0]
    assert "- Redenen: evaluatie, aangehouden\n" in item


def test_demo_mail_drafts_parse(run, tmp_path):
    assert run("demo", "--out", "uit").exit_code == 0
    for code in MAILED:
        path = tmp_path / "uit" / "mail" / f"verslag-2026-12-01-{code}.eml"
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["X-Unsent"] == "1"
        assert message["Subject"] == ("Verslag en acties Casusoverleg Zorg en Veiligheid "
                                      "Den Haag Zuid 01-12-2026")
        assert message.get_body(("plain",)) is not None


def test_demo_twice_in_the_same_folder_starts_afresh(run, tmp_path):
    assert run("demo", "--out", "uit").exit_code == 0
    result = run("demo", "--out", "uit")
    assert result.exit_code == 0, result.stderr
    assert written(tmp_path / "uit") == FILES
    meetings = run("-w", "uit/werkmap", "meeting", "list", "--json")
    assert [(m["date"], m["status"]) for m in json.loads(meetings.stdout)] == [
        ("2026-11-17", "closed"), ("2026-12-01", "closed")]
