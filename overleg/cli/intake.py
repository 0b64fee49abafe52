"""`overleg cases new`: ask for a new case's fields, one question at a time, and write the file.

On a terminal the questions are read with prompt_toolkit (Tab completes agency codes and
the fixed choices); otherwise each answer is one line of stdin, so the form can be scripted.
Questions go to stderr, the result line to stdout. A wrong answer is explained and asked
again; end of input before the last answer stops without writing anything.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from overleg.cli.common import err, out, session

if TYPE_CHECKING:
    from overleg.config import Config

_YES = {"ja", "j", "yes", "y", "true"}
_NO = {"nee", "n", "no", "false"}


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    check: Callable[[str], str]  # the answer -> the value to store, or InvalidInput
    default: str = ""
    choices: Sequence[tuple[str, str]] = ()  # (value, description) offered with Tab


def _required(message: str) -> Callable[[str], str]:
    def check(answer: str) -> str:
        from overleg.errors import InvalidInput

        if not answer:
            raise InvalidInput(message)
        return answer

    return check


def _one_of(options: Sequence[str], what: str) -> Callable[[str], str]:
    def check(answer: str) -> str:
        from overleg.errors import InvalidInput

        if answer.lower() not in options:
            raise InvalidInput(f"{what} '{answer}' bestaat niet. Kies uit: {', '.join(options)}.")
        return answer.lower()

    return check


def _year(answer: str) -> str:
    from overleg.dates import today
    from overleg.errors import InvalidInput

    if not answer:
        return ""
    if not re.fullmatch(r"\d{4}", answer) or not 1900 <= int(answer) <= today().year:
        raise InvalidInput(f"geboortejaar '{answer}' is geen jaartal van 1900 tot en met "
                           f"{today().year}; laat het leeg als het onbekend is.")
    return answer


def _informed(answer: str) -> str:
    from overleg.errors import InvalidInput

    if not answer:
        return ""
    if answer.lower() in _YES | _NO:
        return "ja" if answer.lower() in _YES else "nee"
    raise InvalidInput(f"'{answer}' is geen ja of nee; laat het leeg als het onbekend is.")


def questions(config: Config, suggested_id: str, taken: set[str]) -> list[Question]:
    """The form, in the order of a referral."""
    from overleg.cases import ID_RE, PRIORITIES, STATUSES
    from overleg.errors import InvalidInput

    def case_id(answer: str) -> str:
        from overleg.privacy import resembles_bsn

        if resembles_bsn(answer):  # never echoed: it would sit in the scrollback
            raise InvalidInput("dit id lijkt op een BSN (elfproef); kies een ander id.")
        if not ID_RE.match(answer):
            raise InvalidInput(f"id '{answer}' kan niet: gebruik letters, cijfers, '-', '_' "
                               "en '.', bijv. 2026-042.")
        if answer in taken:
            raise InvalidInput(f'id "{answer}" is al in gebruik. Kies een ander id.')
        return answer

    def code(answer: str) -> str:
        return config.partner_code(answer) if answer else ""

    def codes(answer: str) -> str:
        found = [config.partner_code(c) for c in re.split(r"[\s,;]+", answer) if c]
        return ", ".join(dict.fromkeys(found))

    referrer = _required("vul de code in van de partner die aanmeldt, bijv. POL.")
    partners = [(c, p.naam) for c, p in config.partners.items()]
    statuses = [s for s in STATUSES if s != "afgesloten"]  # a new case is not closed yet
    return [
        Question("id", "Id", case_id, suggested_id),
        Question("initialen", "Initialen (bijv. J.d.V.)",
                 _required("vul de initialen in, bijv. J.d.V.")),
        Question("geboortejaar", "Geboortejaar (leeg = onbekend)", _year),
        Question("status", "Status", _one_of(statuses, "status"), "aangemeld",
                 [(s, "") for s in statuses]),
        Question("prioriteit", "Prioriteit", _one_of(PRIORITIES, "prioriteit"), "midden",
                 [(p, "") for p in PRIORITIES]),
        Question("aangemeld_door", "Aangemeld door (partnercode)", lambda a: code(referrer(a)),
                 "", partners),
        Question("regie", "Regie (partnercode, leeg = nog niet belegd)", code, "", partners),
        Question("partners", "Partners (codes, gescheiden door spaties of komma's)", codes, "",
                 partners),
        Question("geinformeerd", "Is de betrokkene geïnformeerd? (ja/nee, leeg = onbekend)",
                 _informed, "", [("ja", ""), ("nee", "")]),
        Question("reden_niet_geinformeerd", "Waarom niet?",
                 _required("vul in waarom de betrokkene niet is geïnformeerd.")),
        Question("vraag", "Vraag aan het overleg", lambda a: a),
    ]


def run_form() -> None:
    """Ask every question, validate the whole file, and write it (never overwriting)."""
    from dataclasses import replace

    from overleg.cases import create_case_file, next_case_id
    from overleg.dates import today
    from overleg.spreadsheet import case_text

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
    from overleg.errors import InvalidInput, OverlegError

    while True:
        answer = ask(question)
        if answer is None:
            raise OverlegError("invoer gestopt voor alle vragen beantwoord waren; er is geen "
                               "casusbestand geschreven.")
        answer = " ".join(answer.split()) or question.default
        try:
            return question.check(answer)
        except InvalidInput as exc:
            err(f"Fout: {exc.message}")


def _label(question: Question) -> str:
    return f"{question.prompt} [{question.default}]: " if question.default else \
        f"{question.prompt}: "


def _line_reader(question: Question) -> str | None:
    """One line of stdin per answer (scripts, tests); the question on stderr."""
    typer.echo(_label(question), nl=False, err=True)
    line = sys.stdin.readline()
    if not line:
        typer.echo("", err=True)
        return None
    return line.rstrip("\r\n")


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
