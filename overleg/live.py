"""The live meeting screen's core: the short-line grammar, executing a line, the walk.

`overleg meeting run` reads short lines (`b tekst`, `a POL +2w tekst`, `k 12`, ...). This
module turns a line into a `Command`, performs it on the Store through `overleg.meeting`
and returns the Dutch echo; `Walk` keeps track of where the chair is on the agenda. Nothing
here prints or prompts: `overleg.cli.run` does the screen.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from overleg import dates
from overleg.cases import STATUSES, Case
from overleg.config import match_code
from overleg.errors import CaseNotFound, InvalidDate, InvalidInput
from overleg.model import Meeting
from overleg.store import Store
from overleg.workspace import Workspace

if TYPE_CHECKING:
    from overleg.agenda import AgendaEntry

HELP = """\
Korte regels tijdens de vergadering:
  b TEKST                  besluit
  n TEKST                  notitie (samenvatting van de bespreking)
  a CODE DATUM TEKST       actie voor een partner, bijv.  a POL +2w Huisbezoek
  a CODE/NAAM DATUM TEKST  actie met de naam van de uitvoerder, bijv.
                           a GGZ/S. Öztürk 15-12 Gesprek met huisarts
                           (de naam loopt tot het eerste woord dat een datum is)
  k NR [TOELICHTING]       actie NR is afgerond, bijv.  k 12 Gesprek gevoerd
  v DATUM                  volgende bespreking, bijv.  v 12-01  of  v +6w
  s STATUS                 nieuwe status: aangemeld, actief, nazorg of afgesloten
  (lege regel)             naar het volgende punt
  g ID                     naar het punt van casus ID (ook het laatste deel: g 014)
  t                        terug naar het vorige punt
  ?                        deze hulp
  q                        stoppen (ook Ctrl-D of Ctrl-C)
Datums: 15-12, 2026-12-15, 1 december, +2w, +10d, over 2 weken, dinsdag,
volgende (het volgende overleg volgens het schema).
Tab vult partnercodes (na 'a ') en actienummers (na 'k ') aan.
Wat is bevestigd, staat meteen opgeslagen; 'overleg meeting run' gaat later verder
bij het eerste punt dat nog niet is besproken."""

ATTENDANCE_HELP = """\
Aanwezigheid, één regel per persoon:
  CODE NAAM     aanwezig, bijv.  POL K. Bakker
  -CODE NAAM    afgemeld, bijv.  -VZ M. de Wit
  (lege regel)  verder naar de agendapunten
  q             stoppen"""

_RECORDING = ("decision", "note", "action", "done", "review", "status")
_USAGE = {
    "b": "na 'b' hoort de tekst van het besluit, bijv. b GGZ doet een verkennend onderzoek",
    "n": "na 'n' hoort de tekst van de notitie, bijv. n Zorgen over de woonsituatie gedeeld",
    "a": "schrijf a CODE DATUM TEKST, bijv. a POL +2w Huisbezoek "
         "(of a GGZ/S. Öztürk 15-12 Gesprek)",
    "k": "na 'k' hoort het nummer van de actie, bijv. k 12 (of k 12 Gesprek gevoerd)",
    "v": "na 'v' hoort de datum van de volgende bespreking, bijv. v 12-01 of v +6w",
    "s": f"na 's' hoort de nieuwe status: {', '.join(STATUSES)}",
    "g": "na 'g' hoort het id van een casus op de agenda, bijv. g 2026-014",
}
_A_HINT = "Schrijf" + _USAGE["a"].removeprefix("schrijf")
_UNKNOWN = ("onbekende regel: begin met b, n, a, k, v of s en een spatie, of gebruik g, t, "
            "q of een lege regel. Typ ? voor hulp. Er is niets vastgelegd.")
_MAX_DATE_WORDS = 3  # 'over 2 weken', '1 december 2026', 'di 15-12-2026'


@dataclass(frozen=True)
class Command:
    """One parsed line of the live screen."""

    kind: str  # decision note action done review status | next back goto help quit
    text: str = ""
    owner: str | None = None
    who: str | None = None
    due: date | None = None
    action_id: int | None = None
    day: date | None = None
    status: str | None = None
    case_id: str | None = None

    @property
    def records(self) -> bool:
        """True when the command writes to the meeting (and needs an agenda item)."""
        return self.kind in _RECORDING


@dataclass(frozen=True)
class Attendee:
    """One line of the attendance phase."""

    code: str
    name: str
    present: bool


def parse_line(line: str, partners: Sequence[str], schedule: str | None) -> Command:
    """A short line of the live screen -> Command; InvalidInput/InvalidDate when it doesn't fit."""
    stripped = line.strip()
    if not stripped:
        return Command("next")
    verb, *more = stripped.split(None, 1)  # any whitespace after the letter, a tab too
    verb, rest = verb.lower(), (more[0].strip() if more else "")
    if verb in ("?", "t", "q"):
        if rest:
            raise InvalidInput(f"'{verb}' heeft niets achter zich nodig. Typ ? voor hulp.")
        return Command({"?": "help", "t": "back", "q": "quit"}[verb])
    if verb not in _USAGE:
        raise InvalidInput(_UNKNOWN)
    if not rest:
        raise InvalidInput(f"{_USAGE[verb]}. Er is niets vastgelegd.")
    if verb in ("b", "n"):
        return Command("decision" if verb == "b" else "note", text=rest)
    if verb == "a":
        return _parse_action(rest, partners, schedule)
    if verb == "k":
        number, _, comment = rest.partition(" ")
        if not re.fullmatch(r"#?\d{1,9}", number, re.ASCII):
            raise InvalidInput(f"'{number}' is geen actienummer; {_USAGE['k']}.")
        return Command("done", action_id=int(number.lstrip("#")), text=comment.strip())
    if verb == "v":
        return Command("review", day=_date(rest, schedule))
    if verb == "s":
        status = rest.lower()
        if status not in STATUSES:
            raise InvalidInput(f"status '{rest}' bestaat niet. Kies uit: {', '.join(STATUSES)}.")
        return Command("status", status=status)
    if " " in rest:
        raise InvalidInput(f"{_USAGE['g']}.")
    return Command("goto", case_id=rest)


def _date(text: str, schedule: str | None) -> date:
    return dates.parse_date(text, schedule=schedule)


def _date_at(words: Sequence[str], start: int,
             schedule: str | None) -> tuple[date, int] | None:
    """(date, words used) for the longest date of up to three words at `start`, else None."""
    for count in range(min(_MAX_DATE_WORDS, len(words) - start), 0, -1):
        try:
            return _date(" ".join(words[start:start + count]), schedule), count
        except InvalidDate:
            continue
    return None


def _parse_action(rest: str, partners: Sequence[str], schedule: str | None) -> Command:
    """`CODE DATUM TEKST` or `CODE/NAAM DATUM TEKST` (the name ends at the first date)."""
    words = rest.split()
    owner_spec, name_words = words[0], []
    code, slash, first_name = owner_spec.partition("/")
    owner = match_code(code, partners)
    if slash:
        # The name runs from just after '/' up to the first word that starts a date.
        if not first_name or _date_at([first_name], 0, schedule) is not None:
            raise InvalidInput(f"na '{owner}/' ontbreekt de naam van de uitvoerder. "
                               f"{_A_HINT}.")
        name_words = [first_name]
        start = 1
        while start < len(words) and _date_at(words, start, schedule) is None:
            name_words.append(words[start])
            start += 1
        if start == len(words):
            raise InvalidInput(f"geen deadline gevonden na '{owner}/': de naam loopt tot de "
                               f"eerste datum. {_A_HINT}.")
    else:
        start = 1
        if start == len(words):
            raise InvalidInput(f"na '{owner}' ontbreken de deadline en de tekst. "
                               f"{_A_HINT}.")
    found = _date_at(words, start, schedule)
    if found is None:
        raise _bad_deadline(owner, words[start], schedule)
    due, used = found
    text = " ".join(words[start + used:])
    if not text:
        raise InvalidInput(f"de actie voor {owner} heeft geen tekst; beschrijf na de deadline "
                           "wat er moet gebeuren.")
    who = " ".join(name_words) or None
    return Command("action", text=text, owner=owner, who=who, due=due)


def _bad_deadline(owner: str, word: str, schedule: str | None) -> InvalidDate:
    reason = f"'{word}' is geen datum"
    try:
        _date(word, schedule)
    except InvalidDate as exc:  # its message says what is wrong with the date
        reason = exc.message
    return InvalidDate(f"na '{owner}' hoort de deadline: {reason}. {_A_HINT}.")


def parse_attendance(line: str, partners: Sequence[str]) -> Attendee | None:
    """`CODE NAAM` (present) or `-CODE NAAM` (afgemeld); None for an empty line."""
    stripped = line.strip()
    if not stripped:
        return None
    code, _, name = stripped.partition(" ")
    present = not code.startswith("-")
    code = code.lstrip("-")
    if not code:
        raise InvalidInput("schrijf -CODE NAAM voor een afmelding, bijv. -VZ M. de Wit.")
    agency = match_code(code, partners)
    if not name.strip():
        raise InvalidInput(f"na '{agency}' hoort de naam van de deelnemer, bijv. "
                           f"{agency} K. Bakker.")
    return Attendee(agency, " ".join(name.split()), present)


def record_attendance(store: Store, ws: Workspace, attendee: Attendee,
                      meeting: Meeting | None = None) -> str:
    """Record one attendance line (in `meeting`, while it is open); returns the echo."""
    from overleg.meeting import attend

    agency = attend(store, ws, attendee.code, attendee.name, attendee.present, meeting)
    return f"{attendee.name} ({agency}) {'aanwezig' if attendee.present else 'afgemeld'}."


def execute(store: Store, ws: Workspace, case: Case, command: Command,
            meeting: Meeting | None = None) -> str:
    """Record `command` on `case` in `meeting` (default: the open one), committed; returns the
    Dutch echo.

    The meeting is checked as the database has it at this line, inside the line's own write
    transaction: once another terminal closed it (or is closing it), every kind of line is
    refused with the same message, an action too (never stored outside the meeting)."""
    from overleg.meeting import recording_meeting

    if command.kind not in _RECORDING:
        raise ValueError(f"not a recording command: {command.kind}")
    with store.transaction():
        return _execute(store, ws, case, command, recording_meeting(store, meeting))


def _execute(store: Store, ws: Workspace, case: Case, command: Command,
             meeting: Meeting) -> str:
    from overleg import meeting as m

    if command.kind in ("decision", "note"):
        m.record(store, ws, case, command.kind, command.text, meeting=meeting)
        return "Besluit vastgelegd." if command.kind == "decision" else "Notitie vastgelegd."
    if command.kind == "action":
        assert command.owner is not None and command.due is not None
        action = m.add_action(store, ws, case, command.owner, command.who, command.due,
                              command.text, meeting=meeting)
        person = f"/{action.who}" if action.who else ""
        due = dates.fmt_short(action.due)
        return f"Actie #{action.id} voor {action.owner}{person}, deadline {due}"
    if command.kind == "done":
        assert command.action_id is not None
        action = store.action(command.action_id)
        if action.case_id != case.id:
            raise InvalidInput(
                f'actie #{action.id} hoort bij casus "{action.case_id}", niet bij dit punt '
                f'("{case.id}"). Ga erheen met g {action.case_id}. Er is niets vastgelegd.')
        m.complete_action(store, action.id, command.text or None, meeting)
        return f"Actie #{action.id} afgerond."
    if command.kind == "review":
        assert command.day is not None
        m.review(store, ws, case, command.day, None, meeting=meeting)
        return f"Volgende bespreking {dates.fmt_short(command.day)}."
    if command.kind == "status":
        assert command.status is not None
        m.review(store, ws, case, None, command.status, meeting=meeting)
        return f"Status wordt {command.status}."
    raise ValueError(f"not a recording command: {command.kind}")


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
    raise InvalidInput(f'casus "{case_id}" staat niet op de agenda van deze vergadering.')


def fmt_clock(seconds: float) -> str:
    """Elapsed time as mm:ss ('03:12'); hours count on in minutes ('75:00')."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def timebox(seconds: float, minutes: int) -> tuple[str, bool]:
    """('03:12 / 10:00', over) for an item's elapsed time against its time box."""
    return f"{fmt_clock(seconds)} / {fmt_clock(minutes * 60)}", seconds > minutes * 60


@dataclass
class Walk:
    """Where the chair is on the agenda: the current item, the way back, time per item.

    `index == len(entries)` is the end: every item has been passed.
    """

    store: Store
    ws: Workspace
    meeting: Meeting
    entries: list[AgendaEntry]
    index: int = 0
    clock: Callable[[], float] = time.monotonic
    came_from: list[int] = field(default_factory=list)
    spent: dict[int, float] = field(default_factory=dict)
    _since: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._since = self.clock()

    @property
    def current(self) -> AgendaEntry | None:
        return self.entries[self.index] if self.index < len(self.entries) else None

    @property
    def at_end(self) -> bool:
        return self.index >= len(self.entries)

    def elapsed(self) -> float:
        """Seconds spent on the current item in this run (returning to it adds up)."""
        return self.spent.get(self.index, 0.0) + self.clock() - self._since

    def move(self, index: int, remember: bool = True) -> None:
        """Go to item `index` (len(entries) is the end)."""
        index = max(0, min(index, len(self.entries)))
        now = self.clock()
        self.spent[self.index] = self.spent.get(self.index, 0.0) + now - self._since
        self._since = now
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

    def handle(self, command: Command) -> str:
        """Carry out a parsed line; returns the echo ('' for a move; see `index`)."""
        if command.kind == "next":
            self.move(self.index + 1)
        elif command.kind == "back":
            self.back()
        elif command.kind == "goto":
            assert command.case_id is not None
            self.move(find_item(self.entries, command.case_id))
        elif command.kind == "help":
            return HELP
        elif command.kind == "quit":
            return ""
        else:
            return execute(self.store, self.ws, self.case(), command, self.meeting)
        return ""
