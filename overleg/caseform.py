"""The questions of `cases new`: a new case's fields in the order of a referral, each with
its check (an answer becomes the value to store, or InvalidInput saying what is wrong)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


def _case_id(taken: set[str]) -> Callable[[str], str]:
    from overleg.cases import ID_RE
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

    return case_id


def _codes(config: Config) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """Checks for one agency code (or none) and for a list of them."""
    def code(answer: str) -> str:
        return config.partner_code(answer) if answer else ""

    def codes(answer: str) -> str:
        found = [config.partner_code(c) for c in re.split(r"[\s,;]+", answer) if c]
        return ", ".join(dict.fromkeys(found))

    return code, codes


def questions(config: Config, suggested_id: str, taken: set[str]) -> list[Question]:
    """The form, in the order of a referral."""
    from overleg.cases import PRIORITIES, STATUSES

    code, codes = _codes(config)
    referrer = _required("vul de code in van de partner die aanmeldt, bijv. POL.")
    partners = [(c, p.naam) for c, p in config.partners.items()]
    statuses = [s for s in STATUSES if s != "afgesloten"]  # a new case is not closed yet
    return [
        Question("id", "Id", _case_id(taken), suggested_id),
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
