"""The live meeting screen's core: the short-line grammar, executing a line, the walk.

`overleg meeting run` reads short lines (`b tekst`, `a POL +2w tekst`, `k 12`, ...). This
module turns a line into a `Command`, performs it on the Store through `overleg.meeting`
and returns the Dutch `Echo` (with any warnings); `Walk` keeps track of where the chair is
on the agenda, and of the time per item in the database, so that a restart (after kill -9
too) goes on at the item being discussed with its timer. Nothing here prints or prompts:
`overleg.cli.run` does the screen.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING

from overleg import dates
from overleg.cases import STATUSES, Case
from overleg.config import match_code
from overleg.errors import CaseNotFound, InvalidDate, InvalidInput
from overleg.model import Action, Meeting, Record
from overleg.store import Store
from overleg.workspace import Workspace

if TYPE_CHECKING:
    from overleg.agenda import AgendaEntry
    from overleg.cases import CaseSet

HELP = """\
Korte regels tijdens de vergadering:
  b TEKST                  besluit
  n TEKST                  notitie (samenvatting van de bespreking)
  a CODE DATUM TEKST       actie voor een partner, bijv.  a POL +2w Huisbezoek
  a CODE/NAAM DATUM TEKST  actie met de naam van de uitvoerder, bijv.
                           a GGZ/S. Öztürk 15-12 Gesprek met huisarts
                           (de naam loopt tot het eerste woord dat een datum is; een
                           naam als Morgen of Dinsdag hoort bij de naam als er daarna
                           nog een datum met cijfers komt: a POL/J. Morgen +1w Bellen)
  a ... TEKST voorwaarde: V   een actie met een voorwaarde (ook vw:), bijv.
                           a GGZ +2w Crisisdienst bellen vw: als hij de afspraak mist
  k NR [TOELICHTING]       actie NR is afgerond, bijv.  k 12 Gesprek gevoerd
  x NR REDEN               actie NR vervalt, bijv.  x 12 Niet meer nodig
  v DATUM                  volgende bespreking, bijv.  v 12-01  of  v +6w
  s STATUS                 nieuwe status: aangemeld, actief, nazorg of afgesloten
  u                        de laatste regel van dit punt ongedaan maken (ingetrokken;
                           een nieuwe actie vervalt, na k of x staat de actie weer open)
  c NR TEKST               regel NR corrigeren (het nummer uit 'Besluit #12 vastgelegd'),
                           bijv.  c 12 GGZ doet een onderzoek  of  c 3 VT R. Smit
  +CODE NAAM               komt later binnen, bijv.  +POL K. Bakker
  -CODE                    vertrekt (iedereen van die partner), bijv.  -POL
  p                        aanwezigheid aanvullen (ook: aanwezig), tot een lege regel
  + ID [REDEN]             casus ID op de agenda zetten en erheen gaan, bijv.  + 2026-033
  (lege regel)             naar het volgende punt
  g ID                     naar het punt van casus ID (ook het laatste deel: g 014)
  t                        terug naar het vorige punt
  ?                        deze hulp
  q                        stoppen (ook Ctrl-D, of twee keer Ctrl-C)
Ctrl-C wist de regel die je aan het typen bent; er is dan niets vastgelegd.
Datums: 15-12, 2026-12-15, 1 december, +2w, +10d, over 2 weken, dinsdag,
volgende (het volgende overleg volgens het schema, na deze vergadering).
Tab vult partnercodes (na 'a ', '+' en '-') en actienummers (na 'k ' en 'x ') aan.
Wat is bevestigd, staat meteen opgeslagen. Na een onderbreking (het scherm viel weg)
gaat 'overleg meeting run' verder bij het punt dat werd besproken, met zijn tijd; na q
bij het eerste punt dat nog niet is besproken."""

ATTENDANCE_HELP = """\
Aanwezigheid, één regel per persoon:
  CODE NAAM     aanwezig, bijv.  POL K. Bakker
  -CODE NAAM    afgemeld, bijv.  -VZ M. de Wit
  c NR TEKST    regel NR corrigeren, bijv.  c 3 VT R. Smit
  (lege regel)  verder naar de agendapunten
  q             stoppen"""

UNDO_REASON = "ongedaan gemaakt in het overleg"

# Lines that record on the current item's case (and need one).
_RECORDING = ("decision", "note", "action", "done", "cancel", "review", "status")
_USAGE = {
    "b": "na 'b' hoort de tekst van het besluit, bijv. b GGZ doet een verkennend onderzoek",
    "n": "na 'n' hoort de tekst van de notitie, bijv. n Zorgen over de woonsituatie gedeeld",
    "a": "schrijf a CODE DATUM TEKST, bijv. a POL +2w Huisbezoek "
         "(of a GGZ/S. Öztürk 15-12 Gesprek)",
    "k": "na 'k' hoort het nummer van de actie, bijv. k 12 (of k 12 Gesprek gevoerd)",
    "x": "na 'x' horen het nummer van de actie en de reden, bijv. x 12 Niet meer nodig",
    "v": "na 'v' hoort de datum van de volgende bespreking, bijv. v 12-01 of v +6w",
    "s": f"na 's' hoort de nieuwe status: {', '.join(STATUSES)}",
    "c": "na 'c' horen het nummer van de regel en de juiste tekst, bijv. c 12 GGZ doet een "
         "onderzoek",
    "g": "na 'g' hoort het id van een casus op de agenda, bijv. g 2026-014",
}
_BARE = {"?": "help", "t": "back", "q": "quit", "u": "undo", "p": "attendance",
         "aanwezig": "attendance"}
_A_HINT = "Schrijf" + _USAGE["a"].removeprefix("schrijf")
_UNKNOWN = ("onbekende regel: begin met b, n, a, k, x, v, s of c en een spatie, of gebruik u, "
            "p, +CODE, -CODE, g, t, q of een lege regel. Typ ? voor hulp. Er is niets "
            "vastgelegd.")
_PLUS_HINT = ("schrijf +CODE NAAM voor wie later binnenkomt (bijv. +POL K. Bakker), of + ID "
              "om een casus op de agenda te zetten (bijv. + 2026-033)")
_MAX_DATE_WORDS = 3  # 'over 2 weken', '1 december 2026', 'di 15-12-2026'
_NUMBER = re.compile(r"#?\d{1,9}", re.ASCII)


@dataclass(frozen=True)
class Command:
    """One parsed line of the live screen."""

    # decision note action done cancel review status | correct undo arrive depart add
    # attendance | next back goto help quit
    kind: str
    text: str = ""
    owner: str | None = None
    who: str | None = None
    due: date | None = None
    action_id: int | None = None
    day: date | None = None
    status: str | None = None
    case_id: str | None = None
    number: int | None = None  # the record `c NR` corrects
    condition: str | None = None  # an action's "voorwaarde: ..." (when it is to be done)

    @property
    def records(self) -> bool:
        """True when the command writes to the meeting on the current item's case."""
        return self.kind in _RECORDING


@dataclass(frozen=True)
class Attendee:
    """One line of the attendance phase."""

    code: str
    name: str
    present: bool


@dataclass(frozen=True)
class Echo:
    """What the screen says after a line: the resolved echo, plain lines after it (who is
    present), and warnings where a slip is likely ("Let op: ..."). `made` is what the line
    recorded, for `u`: ('record' | 'action' | 'done', number)."""

    text: str = ""
    more: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    made: tuple[str, int] | None = None


# --- the grammar --------------------------------------------------------------------------

def parse_line(line: str, partners: Sequence[str], schedule: str | None,
               after: date | None = None) -> Command:
    """A short line of the live screen -> Command; InvalidInput/InvalidDate when it doesn't
    fit. `after` is the meeting's date: `volgende` is the first schedule date after it."""
    stripped = line.strip()
    if not stripped:
        return Command("next")
    if stripped[0] in "+-":
        return _parse_presence(stripped, partners)
    verb, *more = stripped.split(None, 1)  # any whitespace after the letter, a tab too
    verb, rest = verb.lower(), (more[0].strip() if more else "")
    if verb in _BARE:
        if rest:
            raise InvalidInput(f"'{verb}' heeft niets achter zich nodig. Typ ? voor hulp.")
        return Command(_BARE[verb])
    if verb not in _USAGE:
        raise InvalidInput(_unknown(verb, partners))
    if not rest:
        raise InvalidInput(f"{_USAGE[verb]}. Er is niets vastgelegd.")
    if verb in ("b", "n"):
        return Command("decision" if verb == "b" else "note", text=rest)
    if verb == "a":
        return _parse_action(rest, partners, schedule, after)
    if verb in ("k", "x", "c"):
        return _parse_numbered(verb, rest)
    if verb == "v":
        return Command("review", day=_date(rest, schedule, after))
    if verb == "s":
        status = rest.lower()
        if status not in STATUSES:
            raise InvalidInput(f"status '{rest}' bestaat niet. Kies uit: {', '.join(STATUSES)}.")
        return Command("status", status=status)
    if " " in rest:
        raise InvalidInput(f"{_USAGE['g']}.")
    return Command("goto", case_id=rest)


def _unknown(verb: str, partners: Sequence[str]) -> str:
    """The refusal of an unknown line; an attendance line typed in the meeting gets a hint."""
    code = next((c for c in partners if c.lower() == verb), None)
    if code is not None:
        return (f"'{verb}' is een partnercode: schrijf +{code} NAAM voor wie later binnenkomt, "
                "of p om de aanwezigheid aan te vullen. Er is niets vastgelegd.")
    return _UNKNOWN


def _parse_numbered(verb: str, rest: str) -> Command:
    """`k NR [TOELICHTING]`, `x NR REDEN`, `c NR TEKST`."""
    number, _, text = rest.partition(" ")
    text = text.strip()
    what = "regelnummer" if verb == "c" else "actienummer"
    if not _NUMBER.fullmatch(number):
        raise InvalidInput(f"'{number}' is geen {what}; {_USAGE[verb]}.")
    value = int(number.lstrip("#"))
    if verb == "k":
        return Command("done", action_id=value, text=text)
    if not text:
        what = "de reden" if verb == "x" else "de juiste tekst"
        raise InvalidInput(f"na '{verb} {value}' hoort {what}; {_USAGE[verb]}. Er is niets "
                           "vastgelegd.")
    if verb == "x":
        return Command("cancel", action_id=value, text=text)
    return Command("correct", number=value, text=text)


def _parse_presence(line: str, partners: Sequence[str]) -> Command:
    """`+CODE NAAM` (arrives late), `-CODE` (leaves), `+ ID [REDEN]` (case onto the agenda)."""
    sign, rest = line[0], line[1:]
    if sign == "+" and rest[:1].isspace():
        case_id, _, reason = rest.strip().partition(" ")
        return Command("add", case_id=case_id, text=reason.strip())
    code, _, name = rest.partition(" ")
    if sign == "-":
        if not code or name.strip():
            raise InvalidInput("schrijf -CODE als iemand vertrekt (iedereen van die partner), "
                               "bijv. -POL; een afmelding leg je vast met p (aanwezigheid). "
                               "Er is niets vastgelegd.")
        return Command("depart", owner=match_code(code, partners))
    if not code:
        raise InvalidInput(f"{_PLUS_HINT}. Er is niets vastgelegd.")
    agency = match_code(code, partners)
    if not name.strip():
        raise InvalidInput(f"na '+{agency}' hoort de naam van wie binnenkomt, bijv. "
                           f"+{agency} K. Bakker. Er is niets vastgelegd.")
    return Command("arrive", owner=agency, who=" ".join(name.split()))


def _date(text: str, schedule: str | None, after: date | None = None) -> date:
    return dates.parse_date(text, schedule=schedule, after=after)


def _date_at(words: Sequence[str], start: int, schedule: str | None,
             after: date | None = None) -> tuple[date, int] | None:
    """(date, words used) for the longest date of up to three words at `start`, else None."""
    for count in range(min(_MAX_DATE_WORDS, len(words) - start), 0, -1):
        try:
            return _date(" ".join(words[start:start + count]), schedule, after), count
        except InvalidDate:
            continue
    return None


def _name_like(words: Sequence[str]) -> bool:
    """A date written like a name: capitalised, without digits (Morgen, Dinsdag, Volgende)."""
    return words[0][:1].isupper() and not any(ch.isdigit() for w in words for ch in w)


def _deadline_at(words: Sequence[str], start: int, schedule: str | None,
                 after: date | None) -> int:
    """Where the person's name (words[start:]) ends: at the first word that starts a date.
    A name-like date ('Morgen') is part of the name when a later date with digits ('+1w',
    '15-12') follows, with text after it: `a POL/J. Morgen +1w Bellen`."""
    for i in range(start, len(words)):
        found = _date_at(words, i, schedule, after)
        if found is None:
            continue
        if _name_like(words[i:i + found[1]]) and _digit_date_after(words, i + 1, schedule,
                                                                   after):
            continue
        return i
    return len(words)


def _digit_date_after(words: Sequence[str], start: int, schedule: str | None,
                      after: date | None) -> bool:
    """A date with a digit somewhere from `start` on, with words after it."""
    for j in range(start, len(words)):
        found = _date_at(words, j, schedule, after)
        if found is not None and j + found[1] < len(words) and any(
                ch.isdigit() for w in words[j:j + found[1]] for ch in w):
            return True
    return False


def _parse_action(rest: str, partners: Sequence[str], schedule: str | None,
                  after: date | None) -> Command:
    """`CODE DATUM TEKST` or `CODE/NAAM DATUM TEKST` (the name ends at the first date)."""
    owner_spec, *words = rest.split()
    code, slash, first_name = owner_spec.partition("/")
    owner = match_code(code, partners)
    name_words: list[str] = []
    if slash:
        words = [first_name, *words] if first_name else words
        start = _deadline_at(words, 0, schedule, after) if first_name else 0
        if start == 0:
            raise InvalidInput(f"na '{owner}/' ontbreekt de naam van de uitvoerder. "
                               f"{_A_HINT}.")
        if start == len(words):
            raise InvalidInput(f"geen deadline gevonden na '{owner}/': de naam loopt tot de "
                               f"eerste datum. {_A_HINT}.")
        name_words, words = words[:start], words[start:]
    elif not words:
        raise InvalidInput(f"na '{owner}' ontbreken de deadline en de tekst. {_A_HINT}.")
    found = _date_at(words, 0, schedule, after)
    if found is None:
        raise _bad_deadline(owner, words[0], schedule)
    due, used = found
    text, condition = _condition(" ".join(words[used:]))
    if not text:
        raise InvalidInput(f"de actie voor {owner} heeft geen tekst; beschrijf na de deadline "
                           "wat er moet gebeuren.")
    return Command("action", text=text, owner=owner, who=" ".join(name_words) or None,
                   due=due, condition=condition)


_CONDITION = re.compile(r"\s*\b(?:voorwaarde|vw)\s*:\s*", re.IGNORECASE)


def _condition(text: str) -> tuple[str, str | None]:
    """'Crisisdienst bellen voorwaarde: als hij de afspraak mist' -> (text, condition)."""
    text_part, *rest = _CONDITION.split(text, maxsplit=1)
    condition = rest[0].strip() if rest else ""
    if rest and not condition:
        raise InvalidInput("na 'voorwaarde:' hoort de voorwaarde, bijv. voorwaarde: als hij de "
                           "afspraak mist. Er is niets vastgelegd.")
    return text_part.strip(), condition or None


def _bad_deadline(owner: str, word: str, schedule: str | None) -> InvalidDate:
    reason = f"'{word}' is geen datum"
    try:
        _date(word, schedule)
    except InvalidDate as exc:  # its message says what is wrong with the date
        reason = exc.message
    return InvalidDate(f"na '{owner}' hoort de deadline: {reason}. {_A_HINT}.")


def parse_attendance(line: str, partners: Sequence[str]) -> Attendee | None:
    """`CODE NAAM` (present; `+CODE NAAM` too) or `-CODE NAAM` (afgemeld); None for an empty
    line."""
    stripped = line.strip()
    if not stripped:
        return None
    code, _, name = stripped.partition(" ")
    present = not code.startswith("-")
    code = code.lstrip("-+")
    if not code:
        raise InvalidInput("schrijf -CODE NAAM voor een afmelding, bijv. -VZ M. de Wit.")
    agency = match_code(code, partners)
    if not name.strip():
        raise InvalidInput(f"na '{agency}' hoort de naam van de deelnemer, bijv. "
                           f"{agency} K. Bakker.")
    return Attendee(agency, " ".join(name.split()), present)


# --- echoes -------------------------------------------------------------------------------

def action_text(action: Action) -> str:
    """The echo of an action in the screen: owner, person, deadline, text and condition."""
    from overleg.meeting import action_text as echo

    return echo(action)


def review_text(next_date: date | None, status: str | None) -> str:
    """'volgende bespreking di 12-01-2027, status nazorg'."""
    parts = [f"volgende bespreking {dates.fmt_short(next_date)}"] if next_date else []
    return ", ".join([*parts, *([f"status {status}"] if status else [])])


def record_text(store: Store, record: Record) -> str:
    """A numbered record as the chair recognises it: its text, a review's date and status."""
    if record.kind == "review":
        review = store.review_record(record.id)
        return review_text(review.next_date, review.status)
    return record.text


def present_line(store: Store, meeting: Meeting) -> str:
    """'Aanwezig: GEM A. de Vries, POL K. Bakker' (who is at the table now)."""
    here = [f"{a.agency} {a.name}" for a in store.attendance(meeting) if a.here]
    return "Aanwezig: " + (", ".join(here) or "niemand")


def record_attendance(store: Store, ws: Workspace, attendee: Attendee,
                      meeting: Meeting | None = None) -> Echo:
    """Record one attendance line (in `meeting`, while it is open); the echo with its #N."""
    from overleg.meeting import attend_record

    agency, number = attend_record(store, ws, attendee.code, attendee.name, attendee.present,
                                   meeting)
    state = "aanwezig" if attendee.present else "afgemeld"
    return Echo(f"{attendee.name} ({agency}) {state} (#{number}).")


# --- recording on the current item ----------------------------------------------------------

def execute(store: Store, ws: Workspace, case: Case, command: Command,
            meeting: Meeting | None = None) -> Echo:
    """Record `command` on `case` in `meeting` (default: the open one), committed; returns the
    Dutch echo with its number and any warnings.

    The meeting is checked as the database has it at this line, inside the line's own write
    transaction: once another terminal closed it (or is closing it), every kind of line is
    refused with the same message, an action too (never stored outside the meeting)."""
    from overleg.meeting import recording_meeting

    if command.kind not in _RECORDING:
        raise ValueError(f"not a recording command: {command.kind}")
    with store.transaction():
        return _execute(store, ws, case, command, recording_meeting(store, meeting))


def _execute(store: Store, ws: Workspace, case: Case, command: Command,
             meeting: Meeting) -> Echo:
    from overleg import checks
    from overleg import meeting as m

    if command.kind in ("decision", "note"):
        entry = m.record(store, ws, case, command.kind, command.text, meeting=meeting)
        word = "Besluit" if command.kind == "decision" else "Notitie"
        return Echo(f"{word} #{entry.id} vastgelegd.", made=("record", entry.id))
    if command.kind == "action":
        assert command.owner is not None and command.due is not None
        action = m.add_action(store, ws, case, command.owner, command.who, command.due,
                              command.text, meeting=meeting, condition=command.condition)
        warnings = checks.deadline(action.due, action.id) + checks.closed_case(store, case,
                                                                               meeting)
        return Echo(action_text(action), warnings=tuple(warnings),
                    made=("action", action.id))
    if command.kind in ("done", "cancel"):
        return _finish(store, case, command, meeting)
    review = m.review(store, ws, case, command.day, command.status, meeting=meeting)
    text = (f"Volgende bespreking {dates.fmt_short(review.next_date)}" if review.next_date
            else f"Status wordt {review.status}")
    return Echo(f"{text} (#{review.id}).",
                warnings=tuple(checks.review(store, ws.config.schema, review, screen=True)),
                made=("record", review.id))


def _finish(store: Store, case: Case, command: Command, meeting: Meeting) -> Echo:
    """`k NR` (done) or `x NR REDEN` (cancelled) for an action of this item's case, or of a
    case that is not on the agenda (then it is no discussion of that case)."""
    from overleg import meeting as m

    assert command.action_id is not None
    action = store.action(command.action_id)
    elsewhere = action.case_id != case.id
    if elsewhere and any(i.case_id == action.case_id for i in store.items(meeting)):
        raise InvalidInput(
            f'actie #{action.id} hoort bij casus "{action.case_id}", niet bij dit punt '
            f'("{case.id}"). Ga erheen met g {action.case_id}. Er is niets vastgelegd.')
    if command.kind == "done":
        m.complete_action(store, action.id, command.text or None, meeting)
        echo = f"Actie #{action.id} afgerond."
    else:
        m.cancel_action(store, action.id, command.text, meeting=meeting)
        echo = f"Actie #{action.id} vervalt: {command.text}."
    if elsewhere:
        echo += (f' Casus "{action.case_id}" staat niet op de agenda: dit telt niet als '
                 f"bespreking ervan (zet hem erop met + {action.case_id}).")
    return Echo(echo, made=(command.kind, action.id))


def resume_index(store: Store, meeting: Meeting, entries: Sequence[AgendaEntry]) -> int:
    """Index of the first agenda item not yet discussed; len(entries) when all are."""
    discussed = store.discussed_cases(meeting)
    return next((i for i, e in enumerate(entries) if e.slot.case_id not in discussed),
                len(entries))


def find_item(entries: Sequence[AgendaEntry], case_id: str) -> int:
    """Index of the item of `case_id` (the full id, or a unique last part like '014')."""
    ids = [e.slot.case_id for e in entries]
    if case_id in ids:
        return ids.index(case_id)
    matches = [i for i, known in enumerate(ids) if known.endswith(case_id)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(ids[i] for i in matches)
        raise InvalidInput(f"'{case_id}' past bij meer casussen ({names}); typ het hele id.")
    raise InvalidInput(f'casus "{case_id}" staat niet op de agenda van deze vergadering. '
                       f"Zet hem erop met + {case_id}.")


# --- clocks -------------------------------------------------------------------------------

def fmt_clock(seconds: float) -> str:
    """Elapsed time as mm:ss ('03:12'); hours count on in minutes ('75:00')."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def timebox(seconds: float, minutes: int) -> tuple[str, bool]:
    """('03:12 / 10:00', over) for an item's elapsed time against its time box."""
    return f"{fmt_clock(seconds)} / {fmt_clock(minutes * 60)}", seconds > minutes * 60


def wall_clock() -> datetime:
    """Now, on the day $OVERLEG_TODAY names (the meeting's day in a rehearsal)."""
    return datetime.combine(dates.today(), datetime.now().time())


def delay_minutes(now: clock_time, start: clock_time, elapsed: float, minutes: int) -> int:
    """Whole minutes the meeting runs behind, from the current item: the time since its
    planned start, less the part of its time box already used on it. The next item can
    begin no sooner than that; 0 when on schedule (or ahead)."""
    def seconds(t: clock_time) -> int:
        return t.hour * 3600 + t.minute * 60 + t.second

    late = seconds(now) - seconds(start) - min(max(int(elapsed), 0), minutes * 60)
    return max(0, late // 60)


def shifted(t: clock_time, minutes: int) -> clock_time:
    """A planned time moved on by the delay ('10:05' + 7 -> '10:12')."""
    return (datetime.combine(date(2000, 1, 1), t) + timedelta(minutes=minutes)).time()


def behind_text(delay: int) -> str:
    """'7 min achter' or 'op schema'."""
    return f"{delay} min achter" if delay > 0 else "op schema"


# --- the walk -----------------------------------------------------------------------------

@dataclass
class Walk:
    """Where the chair is on the agenda: the current item, the way back, time per item.

    `index == len(entries)` is the end: every item has been passed. The item the screen is
    on and the time spent per item are kept in the database at every move (`begin`, `move`,
    `stop`), so a restart resumes with them (`Walk.resume`).
    """

    store: Store
    ws: Workspace
    meeting: Meeting
    entries: list[AgendaEntry]
    index: int = 0
    clock: Callable[[], float] = time.monotonic
    cases: CaseSet | None = None  # every case, for `+ ID`
    resumed: bool = False  # the screen that ran before was cut off on this item
    came_from: list[int] = field(default_factory=list)
    spent: dict[str, float] = field(default_factory=dict)  # this run, by case id
    base: dict[str, float] = field(default_factory=dict)  # earlier runs, by case id
    lines: list[tuple[str, str, int]] = field(default_factory=list)  # for `u`
    _since: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._since = self.clock()

    @classmethod
    def resume(cls, store: Store, ws: Workspace, meeting: Meeting, entries: list[AgendaEntry],
               cases: CaseSet | None = None,
               clock: Callable[[], float] = time.monotonic) -> Walk:
        """A walk at the item the screen was on when it was cut off (kill -9, a crash),
        else at the first item not yet discussed; with the time earlier runs spent."""
        meeting = store.meeting_by_id(meeting.id)
        ids = [e.slot.case_id for e in entries]
        current = meeting.current_case
        resumed = current is not None and current in ids
        index = ids.index(current) if current is not None and resumed else resume_index(
            store, meeting, entries)
        base = {i.case_id: float(i.spent) for i in store.items(meeting)}
        return cls(store, ws, meeting, entries, index, clock, cases, resumed, base=base)

    @property
    def current(self) -> AgendaEntry | None:
        return self.entries[self.index] if self.index < len(self.entries) else None

    @property
    def at_end(self) -> bool:
        return self.index >= len(self.entries)

    def _case_id(self, index: int) -> str | None:
        return self.entries[index].slot.case_id if index < len(self.entries) else None

    def needs_attendance(self) -> bool:
        """Attendance first only before the first item: nothing recorded, no attendance, no
        item started yet (a restart never eats meeting lines as attendance)."""
        meeting = self.store.meeting_by_id(self.meeting.id)
        return not (self.store.attendance(meeting) or meeting.current_case
                    or any(i.spent for i in self.store.items(meeting))
                    or self.store.discussed_cases(meeting))

    def _place(self, case_id: str | None) -> None:
        """Tell the database which item the screen is on (None: none), while the meeting is
        open: a meeting closed in another terminal is left as it was closed."""
        if self.store.meeting_by_id(self.meeting.id).status == "open":
            self.store.set_current_item(self.meeting, case_id)

    def begin(self) -> None:
        """The first item is shown: the database knows where the screen is (the time of a
        screen that was cut off is added to its item), and the item's timer runs."""
        self._place(self._case_id(self.index))
        self.base = {i.case_id: float(i.spent) for i in self.store.items(self.meeting)}
        self.spent.clear()
        self._since = self.clock()

    def stop(self) -> None:
        """The screen stops: the current item's time is kept, and no item is current."""
        self._fold()
        self._place(None)

    def _fold(self) -> None:
        now = self.clock()
        case_id = self._case_id(self.index)
        if case_id is not None:
            self.spent[case_id] = self.spent.get(case_id, 0.0) + now - self._since
        self._since = now

    def elapsed(self) -> float:
        """Seconds spent on the current item, in this run and earlier ones (returning to it
        adds up)."""
        case_id = self._case_id(self.index)
        if case_id is None:
            return 0.0
        return (self.base.get(case_id, 0.0) + self.spent.get(case_id, 0.0)
                + self.clock() - self._since)

    def delay(self, now: datetime) -> int | None:
        """Minutes behind schedule at `now`; None when there is no schedule to be behind on
        (the end of the agenda, or a meeting of another day)."""
        entry = self.current
        if entry is None or now.date() != self.meeting.date:
            return None
        return delay_minutes(now.time(), entry.slot.start, self.elapsed(), entry.slot.minutes)

    def move(self, index: int, remember: bool = True) -> None:
        """Go to item `index` (len(entries) is the end)."""
        index = max(0, min(index, len(self.entries)))
        self._place(self._case_id(index))
        self._fold()
        if remember and index != self.index:
            self.came_from.append(self.index)
        self.index = index

    def back(self) -> None:
        """Back to the item shown before this one (else the item before it on the agenda)."""
        if self.came_from:
            target = self.came_from.pop()
        elif self.index > 0:
            target = self.index - 1
        else:
            raise InvalidInput("dit is het eerste punt; er is geen vorig punt.")
        self.move(target, remember=False)

    def undiscussed(self) -> list[str]:
        """Case ids on the agenda for which this meeting recorded nothing (yet)."""
        discussed = self.store.discussed_cases(self.meeting)
        return [e.slot.case_id for e in self.entries if e.slot.case_id not in discussed]

    def case(self) -> Case:
        """The case of the current item, or a clear error when there is none to record on."""
        entry = self.current
        if entry is None:
            raise InvalidInput("alle punten zijn langs geweest; ga terug met t of g ID om nog "
                               "iets vast te leggen, of stop met q. Er is niets vastgelegd.")
        if entry.case is None:
            raise CaseNotFound(f'casus "{entry.slot.case_id}" heeft geen geldig casusbestand; '
                               "hier kan niets worden vastgelegd. Zie 'overleg cases check'.")
        return entry.case

    def handle(self, command: Command) -> Echo:
        """Carry out a parsed line; returns the echo (empty for a move; see `index`)."""
        if command.kind == "next":
            self.move(self.index + 1)
        elif command.kind == "back":
            self.back()
        elif command.kind == "goto":
            assert command.case_id is not None
            self.move(find_item(self.entries, command.case_id))
        elif command.kind == "help":
            return Echo(HELP)
        elif command.kind in ("quit", "attendance"):
            return Echo()
        elif command.kind == "undo":
            return self.undo()
        elif command.kind == "correct":
            assert command.number is not None
            return self.correct(command.number, command.text)
        elif command.kind in ("arrive", "depart"):
            return self.presence(command)
        elif command.kind == "add":
            assert command.case_id is not None
            return self.add_case(command.case_id, command.text)
        else:
            return self._remember(execute(self.store, self.ws, self.case(), command,
                                          self.meeting))
        return Echo()

    def _remember(self, echo: Echo) -> Echo:
        entry = self.current
        if echo.made is not None and entry is not None:
            self.lines.append((entry.slot.case_id, *echo.made))
        return echo

    # --- corrections ------------------------------------------------------------------

    def undo(self) -> Echo:
        """Withdraw the last line recorded on this item that still stands: a note, decision
        or review is withdrawn, an action made here is cancelled (it leaves the minutes)."""
        case = self.case()
        standing = self._standing(case.id)
        for i in reversed([i for i, line in enumerate(self.lines) if line[0] == case.id]):
            _, kind, number = self.lines.pop(i)
            if kind in ("done", "cancel"):
                from overleg.meeting import reopen_action

                reopen_action(self.store, number, meeting=self.meeting)
                was = "afgerond" if kind == "done" else "vervallen"
                return Echo(f"Ongedaan gemaakt: actie #{number} is niet meer {was} en staat "
                            "weer open.")
            if (kind, number) in standing:
                return self._withdraw(kind, number)
        if not standing:  # after a restart: what the database has, newest first
            raise InvalidInput("bij dit punt staat in dit overleg niets (meer) dat ongedaan kan "
                               "worden gemaakt. Er is niets ingetrokken.")
        kind, number = max(standing, key=lambda key: (standing[key], key[0] == "action",
                                                      key[1]))
        return self._withdraw(kind, number)

    def _standing(self, case_id: str) -> dict[tuple[str, int], str]:
        """What `u` may take back on this item: (kind, number) -> when it was made."""
        found = {("record", e.id): e.at for e in self.store.entries(self.meeting, case_id)}
        found |= {("record", r.id): r.at for r in self.store.reviews(self.meeting, case_id)}
        found |= {("action", a.id): a.created_at or "" for a in self.store.actions(
            case_id=case_id, status="open", meeting=self.meeting)}
        return found

    def _withdraw(self, kind: str, number: int) -> Echo:
        from overleg.meeting import cancel_action, kind_name, withdraw_record

        if kind == "action":
            action = cancel_action(self.store, number, UNDO_REASON, meeting=self.meeting)
            text = action_text(action)
            return Echo(f"Ongedaan gemaakt: {text[0].lower()}{text[1:]} — vervallen, niet in "
                        "het verslag.")
        record = self.store.records(number=number)[0]
        text = record_text(self.store, record)
        withdraw_record(self.store, number, UNDO_REASON)
        return Echo(f"Ongedaan gemaakt: {kind_name(record.kind)} #{number} ({text}) is "
                    "ingetrokken.")

    def correct(self, number: int, text: str) -> Echo:
        """`c NR TEKST`: record NR replaced by a new one (the echo names both)."""
        from overleg import checks
        from overleg.meeting import correct_record, kind_name

        old = self.store.records(number=number)
        was = f" (was: {record_text(self.store, old[0])})" if old else ""
        new = correct_record(self.store, self.ws, number, text)
        echo = (f"{kind_name(new.kind).capitalize()} #{number} gecorrigeerd{was}; nu "
                f"#{new.id}: {record_text(self.store, new)}.")
        if new.kind == "attendance":
            return Echo(echo, more=(present_line(self.store, self.meeting),))
        warnings: list[str] = []
        if new.kind == "review":
            warnings = checks.review(self.store, self.ws.config.schema,
                                     self.store.review_record(new.id), screen=True)
        if new.case_id is not None:
            self.lines.append((new.case_id, "record", new.id))
        return Echo(echo, warnings=tuple(warnings))

    # --- who is at the table, what is on the agenda --------------------------------------

    def presence(self, command: Command) -> Echo:
        """`+CODE NAAM` arrives late, `-CODE` leaves; with who is present now."""
        from overleg.meeting import attend_record, depart

        assert command.owner is not None
        if command.kind == "arrive":
            assert command.who is not None
            agency, number = attend_record(self.store, self.ws, command.owner, command.who,
                                           True, self.meeting)
            echo = f"{command.who} ({agency}) aanwezig (#{number})."
        else:
            left = depart(self.store, self.ws, command.owner, self.meeting)
            echo = "Vertrokken: " + ", ".join(f"{a.name} ({a.agency})" for a in left) + "."
        return Echo(echo, more=(present_line(self.store, self.meeting),))

    def absent_partners(self) -> list[str]:
        """A warning when attendance is taken and none of the current case's partners is at
        the table."""
        entry = self.current
        if entry is None or entry.case is None or not entry.case.partners:
            return []
        attendance = self.store.attendance(self.meeting)
        if not any(a.present for a in attendance):
            return []  # no attendance taken: nothing to warn about
        if {a.agency for a in attendance if a.here} & set(entry.case.partners):
            return []
        return [f'geen van de partners van casus "{entry.slot.case_id}" '
                f"({', '.join(entry.case.partners)}) is aanwezig."]

    def add_case(self, case_id: str, reason: str) -> Echo:
        """`+ ID [REDEN]`: the case onto the agenda (at the end), and there."""
        from overleg.agenda import add_to_agenda, agenda_view
        from overleg.meeting import recording_meeting

        if self.cases is None:
            raise InvalidInput("hier kan geen casus op de agenda worden gezet.")
        case = self.cases.get(case_id)
        ids = [e.slot.case_id for e in self.entries]
        if case.id in ids:
            self.move(ids.index(case.id))
            return Echo(f'Casus "{case.id}" staat al op de agenda (punt {self.index + 1}).')
        with self.store.transaction():
            meeting = recording_meeting(self.store, self.meeting)
            add_to_agenda(self.store, meeting, case, self.ws.config, reason=reason or None,
                          minutes=None)
        self.entries = agenda_view(self.store, self.meeting, self.cases.by_id(),
                                   self.ws.config).entries
        self.move([e.slot.case_id for e in self.entries].index(case.id))
        slot = self.entries[self.index].slot
        return Echo(f'Casus "{case.id}" staat op de agenda als punt {slot.position} '
                    f"({slot.minutes} min).")

    def previous_decisions(self) -> tuple[date | None, list[str]]:
        """The decisions of the last earlier meeting that took any on the current case."""
        entry = self.current
        if entry is None:
            return None, []
        day, found = self.store.previous_decisions(entry.slot.case_id, before=self.meeting.date)
        return day, [e.text for e in found]
