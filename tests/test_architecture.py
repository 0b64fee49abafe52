"""The house rules the layout promises (README, docs/design.md): thin commands, one room per
concern, the pure modules free of the store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "overleg"


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, its docstring not counted."""
    body = node.body
    first = body[0]
    if (len(body) > 1 and isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        first = body[1]
    return (node.end_lineno or node.lineno) - first.lineno + 1


def test_every_function_in_cli_is_thin():
    """parse -> one core call -> print: a function past ~25 lines belongs in the core."""
    fat = []
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                    and (n := _body_lines(node)) > 26):
                fat.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {n} lines")
    assert fat == []


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("module", ["agenda.py", "render.py"])
def test_the_pure_modules_never_import_the_store(module):
    assert "overleg.store" not in _imports(PACKAGE / module)


def test_cases_module_holds_one_concern():
    assert len((PACKAGE / "cases.py").read_text(encoding="utf-8").splitlines()) < 420


def test_no_sql_outside_the_store_and_its_migrations():
    allowed = {"store.py", "migrations.py", "logchain.py"}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM", "CREATE TABLE"):
            if f'"{word}' in text or f"'{word}" in text:
                offenders.append(f"{path.relative_to(ROOT)}: {word.strip()}")
    assert offenders == []
