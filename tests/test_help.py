"""Typer is reached through documented routes; what is not (overleg.cli.help.PRIVATE_API) is
checked here against the installed typer, so an upgrade that moves it fails loudly."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from overleg.cli.help import PRIVATE_API, DutchCommand, DutchGroup, usage_in_dutch

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("module", "name", "why"), PRIVATE_API)
def test_every_private_typer_name_we_touch_still_exists(module, name, why):
    assert hasattr(importlib.import_module(module), name), (
        f"typer moved {module}.{name}, needed {why}: update overleg/cli/help.py")


def test_the_dutch_classes_override_what_typer_draws():
    from typer.core import TyperCommand, TyperGroup

    for cls, base in ((DutchCommand, TyperCommand), (DutchGroup, TyperGroup)):
        for method in ("format_help", "format_usage"):
            assert getattr(base, method) is not getattr(cls, method), (cls, method)
    assert hasattr(TyperCommand, "collect_usage_pieces")


def test_no_module_but_cli_help_touches_typer_privates():
    offenders = []
    for path in sorted((ROOT / "overleg").rglob("*.py")):
        if path == ROOT / "overleg" / "cli" / "help.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(n.startswith(("typer._", "typer.rich_utils", "click")) for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_class_patching_at_import():
    from typer.core import TyperCommand, TyperGroup

    import overleg.cli.app  # noqa: F401

    assert not getattr(TyperGroup.format_help, "dutch", False)
    assert not getattr(TyperCommand.format_usage, "dutch", False)
    assert "overleg" not in (TyperCommand.format_usage.__module__ or "")


@pytest.mark.parametrize(("english", "dutch"), [
    ("Missing argument 'ID'.", "het argument ID ontbreekt."),
    ("No such option: --bogus", "onbekende optie --bogus"),
    ("Invalid value for '--minutes': 0 is not in the range 1<=x<=240.",
     "ongeldige waarde voor '--minutes': 0; het moet een getal van 1 tot en met 240 zijn."),
])
def test_usage_messages_in_dutch(english, dutch):
    assert usage_in_dutch(english) == dutch
