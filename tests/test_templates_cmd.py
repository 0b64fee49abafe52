"""`overleg templates list|copy`, and a broken workspace template as a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILTIN = ["agenda.html", "agenda.md", "agenda.txt", "inzage.html", "inzage.md",
           "uitvraag.html", "uitvraag.txt", "verslag.html", "verslag.md", "verslag.txt"]
NAMES = ", ".join(BUILTIN)


def builtin_names() -> list[str]:
    return sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_file())


def listing(own: set[str]) -> str:
    width = max(map(len, builtin_names()))
    return "".join(f"{n:<{width}}  "
                   f"{'eigen versie: templates/' + n if n in own else 'ingebouwd'}\n"
                   for n in builtin_names())


def test_the_built_in_templates_are_the_ones_listed_here():
    assert set(BUILTIN) <= set(builtin_names())


# --- list and copy ----------------------------------------------------------------------------

def test_list_shows_every_built_in_template(run, example_ws):
    result = run("templates", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == listing(set())
    assert "agenda.md      ingebouwd\n" in result.stdout
    assert result.stderr == ""


def test_copy_puts_the_built_in_template_in_the_workspace(run, example_ws):
    result = run("templates", "copy", "verslag.html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ("templates/verslag.html gemaakt. Pas het aan; overleg gebruikt "
                             "voortaan deze versie.\n")
    copied = example_ws / "templates" / "verslag.html"
    assert copied.read_bytes() == (ROOT / "templates" / "verslag.html").read_bytes()
    result = run("templates", "list")
    assert result.stdout == listing({"verslag.html"})
    assert "verslag.html   eigen versie: templates/verslag.html\n" in result.stdout
    assert json.loads(run("templates", "list", "--json").stdout) == [
        {"name": n, "overridden": n == "verslag.html"} for n in builtin_names()]


def test_copy_creates_the_templates_folder_when_missing(run, example_ws):
    (example_ws / "templates").rmdir()
    assert run("templates", "copy", "agenda.txt").exit_code == 0
    assert (example_ws / "templates" / "agenda.txt").is_file()


def test_copy_refuses_to_overwrite_without_force(run, example_ws):
    own = example_ws / "templates" / "agenda.md"
    own.write_text("mijn eigen agenda\n", encoding="utf-8")
    result = run("templates", "copy", "agenda.md")
    assert result.exit_code == 1
    assert result.stderr == ("Fout: templates/agenda.md bestaat al in de werkmap; er is niets "
                             "veranderd. Gebruik --force om het te vervangen door het "
                             "ingebouwde sjabloon.\n")
    assert own.read_text(encoding="utf-8") == "mijn eigen agenda\n"
    assert run("templates", "copy", "agenda.md", "--force").exit_code == 0
    assert own.read_bytes() == (ROOT / "templates" / "agenda.md").read_bytes()


@pytest.mark.parametrize("name", ["agenda", "notulen.md", "../overleg.toml", ""])
def test_copy_of_an_unknown_name_lists_the_names(run, example_ws, name):
    result = run("templates", "copy", name)
    assert result.exit_code == 1
    assert result.stderr == f"Fout: sjabloon '{name}' bestaat niet. Kies uit: {NAMES}.\n"
    assert sorted(p.name for p in (example_ws / "templates").iterdir()) == []


def test_a_workspace_template_without_a_built_in_counterpart_is_pointed_out(run, example_ws):
    (example_ws / "templates" / "kop.md").write_text("kop\n", encoding="utf-8")
    result = run("templates", "list")
    assert result.stdout == listing(set())
    assert result.stderr == ("templates/kop.md: geen ingebouwd sjabloon met deze naam; het "
                             "wordt alleen gebruikt als een ander sjabloon het insluit.\n")


def test_a_copied_template_renders_exactly_as_the_built_in_one(run, example_ws):
    assert run("agenda", "build", "--date", "2026-12-01").exit_code == 0
    before = run("agenda", "render", "--date", "2026-12-01").stdout
    run("templates", "copy", "agenda.md")
    own = example_ws / "templates" / "agenda.md"
    assert run("agenda", "render", "--date", "2026-12-01").stdout == before
    own.write_text(own.read_text(encoding="utf-8").replace("# Agenda {{", "# Onze agenda {{"),
                   encoding="utf-8")
    after = run("agenda", "render", "--date", "2026-12-01").stdout
    assert after == before.replace("# Agenda Casusoverleg", "# Onze agenda Casusoverleg")
    assert after != before


# --- a broken workspace template ------------------------------------------------------------

BROKEN = [
    ("regel 1\nregel 2\n{% if partner %}\nopen blok\n",
     "templates/agenda.md:4: het sjabloon houdt op terwijl er nog een blok open is; verwacht "
     "werd {% elif %}, {% else %} of {% endif %}; het blok {% if %} is nog niet afgesloten"),
    ("regel 1\n{{ onbekend.veld }}\n", "templates/agenda.md:2: 'onbekend' bestaat niet: dit "
                                       "sjabloon kent geen waarde met die naam"),
    ("regel 1\n\n{{ 1 / 0 }}\n", "templates/agenda.md:3: deling door nul"),
    ("{{ entries | onbekend_filter }}\n",
     "templates/agenda.md:1: filter 'onbekend_filter' bestaat niet"),
    ("a\n{{ 'tekst' | datum }}\n", "templates/agenda.md:2: 'day' bestaat niet bij deze waarde"),
]


@pytest.mark.parametrize(("text", "message"), BROKEN, ids=[m[20:45] for _, m in BROKEN])
def test_a_broken_agenda_template_names_file_and_line(run, example_ws, text, message):
    assert run("agenda", "build", "--date", "2026-12-01").exit_code == 0
    (example_ws / "templates" / "agenda.md").write_text(text, encoding="utf-8")
    result = run("agenda", "render", "--date", "2026-12-01")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"Fout: {message} (fout in het sjabloon)\n"
    # The other formats still use the built-in templates.
    assert run("agenda", "render", "--date", "2026-12-01", "--format", "txt").exit_code == 0


def test_an_error_in_an_included_template_names_that_template(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    own = example_ws / "templates"
    (own / "agenda.md").write_text("kop\n{% include 'blok.md' %}\n", encoding="utf-8")
    (own / "blok.md").write_text("a\nb\n{% for %}\n", encoding="utf-8")
    result = run("agenda", "render", "--date", "2026-12-01")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: templates/blok.md:3: hier ontbreekt een waarde (er staat '%}') "
           "(fout in het sjabloon)\n")
    (own / "blok.md").write_text("a\n\n\n{{ 1 / 0 }}\n", encoding="utf-8")
    result = run("agenda", "render", "--date", "2026-12-01")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: templates/blok.md:4: deling door nul (fout in het sjabloon)\n")


def test_a_template_that_is_not_utf8(run, example_ws):
    run("agenda", "build", "--date", "2026-12-01")
    (example_ws / "templates" / "agenda.md").write_bytes(b"Agenda \xe9\xe9n\n")
    result = run("agenda", "render", "--date", "2026-12-01")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: templates/agenda.md: het sjabloon is geen UTF-8-tekst; sla het op als UTF-8\n")


@pytest.mark.usefixtures("meeting_day")
def test_a_broken_minutes_template_is_an_error_not_a_traceback(run, example_ws):
    for args in (("meeting", "start", "--date", "2026-12-01"),
                 ("meeting", "note", "2026-014", "Besproken."), ("meeting", "close")):
        assert run(*args).exit_code == 0
    assert run("minutes").exit_code == 0
    (example_ws / "templates" / "verslag.md").write_text(
        "# Verslag\n\n{% for item in minutes.items %}\n{{ item.onbekend }}\n{% endfor %}\n",
        encoding="utf-8")
    result = run("minutes")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Fout: templates/verslag.md:4: ")
    assert result.stderr.endswith(" 'onbekend' bestaat niet bij deze waarde (fout in het "
                                  "sjabloon)\n")
    assert "Traceback" not in result.output
    (example_ws / "templates" / "verslag.md").write_text("{% endfor %}\n", encoding="utf-8")
    result = run("minutes", "--partner", "GGZ")
    assert (result.exit_code, result.stderr) == (
        1, "Fout: templates/verslag.md:1: onbekende opdracht {% endfor %} (fout in het "
           "sjabloon)\n")
