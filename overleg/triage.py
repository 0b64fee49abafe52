"""Before the meeting: a case worker's request, the triage of referrals and its deadline.

A request (`cases request`) and a triage decision (`triage decide`, `triage feedback`) are
written into the case file through the exact write-back (overleg.frontmatter), each with its
audit line. The triage outcome lives in the front matter as a `triage:` mapping:

    triage:
      datum: 2026-11-24
      uitkomst: casusoverleg        # casusoverleg | advies | doorverwezen | afgewezen
      criteria: [a, b, c]           # the national criteria that hold (a-d)
      reden: ...                    # optional; required for any outcome but casusoverleg
      naar: WT                      # optional: who gets the advice or the referral
      teruggekoppeld: 2026-11-25    # when the referrer was told (`triage feedback`)

The feedback deadline counts working days: no weekends, no Dutch public holidays (the
`holidays` package, imported only when a deadline is computed).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from overleg.errors import InvalidDate, InvalidInput

if TYPE_CHECKING:
    from overleg.cases import Case, Finding
    from overleg.config import Config
    from overleg.store import Store

OUTCOMES = ("casusoverleg", "advies", "doorverwezen", "afgewezen")
CRITERIA = ("a", "b", "c", "d")
CRITERIA_TEXT = {
    "a": "problemen op meer leefgebieden die leiden of kunnen leiden tot criminaliteit, "
         "overlast of verloedering",
    "b": "samenwerking over de ketens heen is nodig (ten minste drang en dwang)",
    "c": "de problemen raken het gezin of de directe omgeving, en andersom",
    "d": "een ernstig lokaal veiligheidsprobleem dat een ketenaanpak vraagt",
}
QUESTION_HEADING = "Vraag aan het overleg"
_KEYS = ("datum", "uitkomst", "criteria", "reden", "naar", "teruggekoppeld")


# --- working days ------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("NL", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a Dutch public holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (start itself does not count)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


# --- the triage mapping ------------------------------------------------------------------

@dataclass(frozen=True)
class Triage:
    """A case's `triage:` mapping as read (lenient: `cases check` reports what is wrong)."""

    datum: date | None
    uitkomst: str
    criteria: tuple[str, ...]
    reden: str = ""
    naar: str = ""
    teruggekoppeld: date | None = None

    def mapping(self) -> dict[str, Any]:
        """The mapping as it is written into the front matter."""
        return {"datum": self.datum, "uitkomst": self.uitkomst,
                "criteria": list(self.criteria) or None, "reden": self.reden or None,
                "naar": self.naar or None, "teruggekoppeld": self.teruggekoppeld}


def _date(value: Any) -> date | None:
    from overleg import dates

    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.parse_strict(value.strip())
    except InvalidDate:
        return None


def _criteria(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,\s]+", value) if v]
    if not isinstance(value, list):
        return ()
    return tuple(v.strip().lower() for v in value if isinstance(v, str) and v.strip())


def triage_of(case: Case) -> Triage | None:
    """The case's triage decision, or None when it has none."""
    raw = case.extra.get("triage")
    if not isinstance(raw, dict):
        return None
    text = {k: v.strip() if isinstance(v, str) else "" for k, v in raw.items()}
    return Triage(_date(raw.get("datum")), text.get("uitkomst", "").lower(),
                  _criteria(raw.get("criteria")), text.get("reden", ""), text.get("naar", ""),
                  _date(raw.get("teruggekoppeld")))


def check_triage(raw: Any, lines: Mapping[str, int],
                 partners: Iterable[str]) -> list[tuple[int, str, bool]]:
    """What is wrong with a `triage:` value, as (line, message, error); a casusoverleg
    outcome without criteria is a warning (the case still goes on the agenda)."""
    if raw is None or raw == "":
        return []
    line = lines.get("triage", 1)
    if not isinstance(raw, dict):
        return [(line, "'triage' moet sleutels hebben (datum, uitkomst, criteria, ...), elk "
                       "op een eigen ingesprongen regel", True)]
    found: list[tuple[int, str, bool]] = []

    def at(key: str) -> int:
        return lines.get(f"triage.{key}", line)

    for key in raw:
        if key not in _KEYS:
            found.append((at(key), f"'triage.{key}' is onbekend (bekend: {', '.join(_KEYS)})",
                          True))
    outcome = raw.get("uitkomst")
    if not isinstance(outcome, str) or outcome.strip().lower() not in OUTCOMES:
        found.append((at("uitkomst"), f"'triage.uitkomst' = '{outcome or ''}' is onbekend "
                                      f"(kies uit: {', '.join(OUTCOMES)})", True))
    for key in ("datum", "teruggekoppeld"):
        value = raw.get(key)
        if value not in (None, "") and _date(value) is None:
            found.append((at(key), f"'triage.{key}' = '{value}' is geen geldige datum "
                                   "(gebruik 2026-12-01, 1-12-2026 of 1 december 2026)", True))
    criteria = raw.get("criteria")
    letters = _criteria(criteria)
    if criteria not in (None, "", []) and (not letters or any(c not in CRITERIA
                                                               for c in letters)):
        found.append((at("criteria"), "'triage.criteria' moet een lijst van a, b, c en d zijn, "
                                      "bijv. [a, b, c]", True))
    naar = raw.get("naar")
    if naar not in (None, "") and naar not in set(partners):
        found.append((at("naar"), f"'triage.naar' = '{naar}' is geen partner uit "
                                  "overleg.toml", True))
    if isinstance(outcome, str) and outcome.strip().lower() == "casusoverleg" and not letters:
        found.append((at("uitkomst"), "triage-uitkomst casusoverleg zonder criteria: noem in "
                                      "'triage.criteria' welke van a, b, c en d gelden", False))
    return found


def parse_criteria(text: str) -> tuple[str, ...]:
    """'a,b,c' (or 'a b', 'ABC') -> ('a', 'b', 'c'); InvalidInput for anything but a-d."""
    parts = [p for p in re.split(r"[,\s;]+", text.strip().lower()) if p]
    if len(parts) == 1 and len(parts[0]) > 1 and set(parts[0]) <= set(CRITERIA):
        parts = list(parts[0])
    wrong = [p for p in parts if p not in CRITERIA]
    if wrong or not parts:
        raise InvalidInput(f"--criteria '{text}': noem de criteria die gelden als letters a, b, "
                           "c en d, gescheiden door komma's (bijv. --criteria a,b,c).")
    return tuple(sorted(set(parts)))


def qualifies(criteria: Sequence[str]) -> bool:
    """The national rule: (a, b and c together) or d."""
    return {"a", "b", "c"} <= set(criteria) or "d" in criteria


def awaits_triage(case: Case, config: Config) -> bool:
    """True when triage keeps a case off the agenda: triage is on and the case is `aangemeld`
    without the outcome casusoverleg."""
    if not config.triage or case.status != "aangemeld":
        return False
    found = triage_of(case)
    return found is None or found.uitkomst != "casusoverleg"


# --- the triage list -----------------------------------------------------------------------

@dataclass(frozen=True)
class Waiting:
    """A referral in `triage list`: awaiting a decision, or its referrer awaiting feedback."""

    case_id: str
    aangemeld_op: date
    waiting_days: int  # calendar days since the referral
    feedback_due: date
    status: str  # awaiting_triage | feedback_due
    overdue: bool

    def record(self) -> dict[str, Any]:
        """The `triage list --json` shape."""
        return {"case": self.case_id, "aangemeld_op": self.aangemeld_op.isoformat(),
                "waiting_days": self.waiting_days, "feedback_due": self.feedback_due.isoformat(),
                "status": self.status}


def triage_list(cases: Iterable[Case], config: Config, today: date) -> list[Waiting]:
    """Referrals awaiting triage (status aangemeld, no decision) and decisions whose referrer
    was not told yet; overdue first, then by deadline and id."""
    found = []
    for case in cases:
        decision = triage_of(case)
        if decision is None and case.status == "aangemeld":
            status = "awaiting_triage"
        elif decision is not None and decision.teruggekoppeld is None:
            status = "feedback_due"
        else:
            continue
        due = add_working_days(case.aangemeld_op, config.terugkoppeling_werkdagen)
        found.append(Waiting(case.id, case.aangemeld_op, (today - case.aangemeld_op).days, due,
                             status, today > due))
    return sorted(found, key=lambda w: (not w.overdue, w.feedback_due, w.case_id))


# --- writing into the case file --------------------------------------------------------------

def require_triage(config: Config) -> None:
    if not config.triage:
        raise InvalidInput("triage staat uit. Zet 'triage = true' in [overleg] van overleg.toml "
                           "(zie docs/configuratie.md).")


def _write(store: Store, case: Case, updates: Mapping[str, object], action: str,
           question: str | None = None) -> list[str]:
    """Write `updates` (and the question) into the case file, with its audit line, in one
    transaction: no line without the write, no write without the line."""
    from overleg.files import atomic_write_through
    from overleg.frontmatter import planned_changes, with_section

    name = case.path.name
    with store.transaction():
        try:
            raw = case.path.read_bytes()
        except FileNotFoundError:
            from overleg.errors import StaleCaseFile

            raise StaleCaseFile(f'casus "{case.id}": het bestand {name} is verdwenen; niets '
                                "geschreven") from None
        new, changed = planned_changes(raw, case.id, updates, name=name)
        if question is not None:
            from overleg.cases import question_of
            from overleg.frontmatter import decode, split_front_matter

            split = split_front_matter(decode(new))
            if split is None or question_of(split[1]) != question:
                new = with_section(new, QUESTION_HEADING, question, case_id=case.id, name=name)
                changed.append("vraag")
        if changed:
            store.audit(action, case.id)
            atomic_write_through(case.path, new)
    return changed


def check_question(text: str) -> str:
    """The text of `--question` as it goes under the heading, or InvalidInput."""
    from overleg.text import control_character, valid_text

    text = valid_text(text, "de vraag", "haar").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("--question is leeg; schrijf de vraag aan het overleg.")
    if problem := control_character(text, lines=True):
        raise InvalidInput(f"de vraag bevat {problem}; haal het weg.")
    if any(re.match(r"#{1,2}\s|---\s*$|\.\.\.\s*$", line) for line in text.split("\n")):
        raise InvalidInput("een regel van de vraag begint met '#', '---' of '...'; dat zou "
                           "een nieuwe kop of front matter worden. Schrijf het anders.")
    return text


def request_case(store: Store, case: Case, config: Config, by: str,
                 question: str | None = None) -> list[str]:
    """`cases request`: agenda: ja, verzoek_door and the question written into the case file;
    the keys that changed. `by` must be one of the case's partners (referrer and regie
    count)."""
    code = config.partner_code(by)
    if code not in case.partners:
        raise InvalidInput(f'{code} is geen partner van casus "{case.id}" (partners: '
                           f"{', '.join(case.partners)}); alleen een partner kan de casus "
                           "aanmelden voor het overleg.")
    if case.status == "afgesloten":
        raise InvalidInput(f'casus "{case.id}" is afgesloten en komt niet meer op de agenda.')
    text = check_question(question) if question is not None else None
    return _write(store, case, {"agenda": True, "verzoek_door": code}, "case.request", text)


def decide(store: Store, case: Case, config: Config, today: date, outcome: str,
           criteria: Sequence[str], reason: str = "", to: str | None = None) -> Triage:
    """`triage decide`: the decision written into the case file as its `triage:` mapping;
    any outcome but casusoverleg closes the case (status afgesloten, afgesloten_op)."""
    require_triage(config)
    if outcome not in OUTCOMES:
        raise InvalidInput(f"uitkomst '{outcome}' bestaat niet. Kies uit: {', '.join(OUTCOMES)}.")
    if case.status != "aangemeld":
        raise InvalidInput(f'casus "{case.id}" heeft status {case.status}: triage is voor '
                           "nieuwe aanmeldingen (status aangemeld).")
    if outcome == "casusoverleg" and not criteria:
        raise InvalidInput("bij casusoverleg horen de criteria die gelden: --criteria a,b,c "
                           "(of d).")
    reason = " ".join(reason.split())
    if outcome != "casusoverleg" and not reason:
        raise InvalidInput(f"bij uitkomst {outcome} hoort een reden voor de aanmelder: "
                           "--reason TEKST.")
    if outcome == "doorverwezen" and not to:
        raise InvalidInput("bij doorverwezen hoort de partner waarnaar: --to CODE.")
    code = config.partner_code(to) if to else ""
    earlier = triage_of(case)
    decision = Triage(today, outcome, tuple(criteria), reason, code,
                      earlier.teruggekoppeld if earlier else None)
    updates: dict[str, object] = {"triage": decision.mapping()}
    if outcome != "casusoverleg":
        updates.update({"status": "afgesloten", "afgesloten_op": today})
    _write(store, case, updates, f"triage.{outcome}")
    return decision


def record_feedback(store: Store, case: Case, config: Config, day: date) -> bool:
    """`triage feedback`: the referrer was told on `day`; False when that was on record."""
    require_triage(config)
    decision = triage_of(case)
    if decision is None:
        raise InvalidInput(f'casus "{case.id}" heeft nog geen triagebesluit; neem het eerst '
                           "met 'overleg triage decide'.")
    if decision.teruggekoppeld == day:
        return False
    from dataclasses import replace

    mapping = replace(decision, teruggekoppeld=day).mapping()
    # Keep what the file says beyond what this module knows (a hand-written key, say).
    raw = case.extra.get("triage")
    if isinstance(raw, dict):
        mapping = {**{k: v for k, v in raw.items() if k not in mapping}, **mapping}
    return bool(_write(store, case, {"triage": mapping}, "triage.feedback"))


def triage_findings(parser: Any, data: Mapping[str, Any]) -> list[Finding]:
    """The findings of a case file's `triage:` value, for the case parser (overleg.cases)."""
    from overleg.cases import Finding

    return [Finding(parser.shown, line, message, error, parser.case_id)
            for line, message, error in check_triage(data.get("triage"), parser.lines,
                                                     parser.config.partners)]
