"""`overleg cases new`: ask for a new case's fields, one question at a time, and write the file.

On a terminal the questions are read with prompt_toolkit (Tab completes agency codes and
the fixed choices); otherwise each answer is one line of stdin, so the form can be scripted.
Questions go to stderr, the result line to stdout. A wrong answer is explained and asked
again; end of input before the last answer stops without writing anything.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from overleg.caseform import Question, questions
from overleg.cli.common import err, out, session

if TYPE_CHECKING:
    from collections.abc import Callable

def run_form() -> None:
    """Ask every question, validate the whole file, and write it (never overwriting)."""
    from dataclasses import replace

    from overleg.cases import create_case_file, next_case_id
    from overleg.dates import today
    from overleg.frontmatter import case_text

    s = session()
    ws = s.workspace()
    case_set = s.cases(report=False)
    taken = {c.id for c in case_set.cases} | ({f.case_id for f in case_set.findings} - {""})
    taken |= {p.stem for p in ws.cases_dir.glob("*.md")}  # a file name is taken as well
    ask = _terminal_reader() if sys.stdin.isatty() and sys.stdout.isatty() else _line_reader
    values: dict[str, str] = {"aangemeld_op": today().isoformat()}
    for question in questions(ws.config, next_case_id(taken, today().year), taken):
        if question.key == "reden_niet_geinformeerd" and values.get("geinformeerd") != "nee":
            continue
        if question.key == "partners":  # aangemeld_door and regie are partners anyway
            question = replace(question, default=_default_partners(values))
        values[question.key] = _answer(question, ask)
    case = create_case_file(ws, values["id"], case_text(values), taken)
    s.store().log_case_created(case.id, "new")
    out(f"Casus {case.id} is aangemaakt: {ws.rel(case.path)}")
    err("Beschrijf de situatie in het bestand; controleer het met 'overleg cases check'.")


def _default_partners(values: dict[str, str]) -> str:
    codes = [values.get("aangemeld_door", ""), values.get("regie", "")]
    return " ".join(dict.fromkeys(c for c in codes if c))


def _answer(question: Question, ask: Callable[[Question], str | None]) -> str:
    """Ask until the answer passes the question's check; EOF stops the whole form."""
    from overleg.errors import InputEnded, InvalidInput
    from overleg.text import valid_text

    while True:
        answer = ask(question)
        if answer is None:
            raise InputEnded("invoer gestopt voor alle vragen beantwoord waren; er is geen "
                               "casusbestand geschreven.")
        answer = " ".join(answer.split()) or question.default
        try:
            return question.check(valid_text(answer, "dit antwoord", "het"))
        except InvalidInput as exc:
            err(f"Fout: {exc.message}")


def _label(question: Question) -> str:
    return f"{question.prompt} [{question.default}]: " if question.default else \
        f"{question.prompt}: "


def _line_reader(question: Question) -> str | None:
    """One line of stdin per answer (scripts, tests); the question on stderr."""
    from overleg.cli.common import stdin_line

    typer.echo(_label(question), nl=False, err=True)
    line = stdin_line()
    if line is None:
        typer.echo("", err=True)
    return line


def _terminal_reader() -> Callable[[Question], str | None]:
    """prompt_toolkit: Tab completes agency codes and the fixed choices; Ctrl-D stops."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory

    prompt_session: PromptSession[str] = PromptSession(history=InMemoryHistory())

    def read(question: Question) -> str | None:
        try:
            return prompt_session.prompt(_label(question), completer=_completer(question),
                                         complete_while_typing=bool(question.choices))
        except EOFError:
            return None

    return read


def _completer(question: Question) -> Any:
    if not question.choices:
        return None
    from prompt_toolkit.completion import WordCompleter

    return WordCompleter([value for value, _ in question.choices], ignore_case=True,
                         meta_dict={value: text for value, text in question.choices if text},
                         sentence=False)
