"""`overleg meeting run`: the chair's live screen, one agenda item at a time.

On a terminal it reads lines with prompt_toolkit (in-memory history only: typed case text
never goes to a history file), completes partner codes and action ids, and keeps the
item's time box in the bottom toolbar. Without a terminal (a pipe, a test) it reads plain
lines from stdin with the same grammar and echoes, so a meeting can be scripted. Every
line is committed by the core before its echo is printed, against the meeting as the database
has it at that moment: once another terminal closes it, every line is refused with the same
message and nothing is stored outside it.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from overleg.cli.common import err, session

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from overleg.agenda import AgendaEntry
    from overleg.live import Walk
    from overleg.store import Store

Reader = Callable[[str], "str | None"]  # prompt -> line, None at end of input


def run_screen() -> None:
    """Walk the open meeting's agenda until the chair quits or passes the last item."""
    from overleg.agenda import agenda_view
    from overleg.cli.common import console
    from overleg.live import Walk, resume_index
    from overleg.meeting import current_meeting

    s = session()
    ws, store = s.workspace(), s.store()
    meeting = current_meeting(store)
    entries = agenda_view(store, meeting, s.cases().by_id(), ws.config).entries
    walk = Walk(store, ws, meeting, entries, resume_index(store, meeting, entries))
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    screen = Screen(walk, console(), interactive)
    screen.reader = _terminal_reader(screen) if interactive else _pipe_reader
    code = screen.run()
    if code:
        raise typer.Exit(code)


class Screen:
    """The loop around a Walk: shows items, reads lines, prints echoes and errors."""

    def __init__(self, walk: Walk, con: Console, interactive: bool) -> None:
        self.walk = walk
        self.con = con
        self.interactive = interactive
        self.reader: Reader = _pipe_reader
        self.line_no = 0
        self.failed = False
        self.attending = False

    # --- the loop -----------------------------------------------------------------

    def run(self) -> int:
        """0 when done, 1 when a scripted line failed, 130 after Ctrl-C."""
        try:
            self.intro()
            if not self.walk.store.attendance(self.walk.meeting) and not self.attendance():
                return self.stop()
            if 0 < self.walk.index < len(self.walk.entries):
                self.say(f"Verder bij punt {self.walk.index + 1}: het eerste punt dat nog niet "
                         "is besproken.")
            self.show()
            self.loop()
        except KeyboardInterrupt:
            self.stop()
            return 130
        return self.stop()

    def loop(self) -> None:
        """Read, parse, record and echo lines until the chair quits or input ends."""
        from overleg.live import parse_line

        partners = list(self.walk.ws.config.partners)
        schedule = self.walk.ws.config.schema
        while (line := self.read(self.prompt())) is not None:
            before = self.walk.index
            command = self.attempt(parse_line, line, partners, schedule)
            if command is None:
                continue
            if command.kind == "quit":
                break
            echo = self.attempt(self.walk.handle, command)
            if echo:
                self.say(echo, style=None if command.kind == "help" else "bold green")
            if self.walk.index != before:
                self.show()

    def attendance(self) -> bool:
        """Record attendance lines until an empty line; False when the chair quits."""
        from overleg.live import ATTENDANCE_HELP, parse_attendance, record_attendance

        self.attending = True
        config = self.walk.ws.config
        self.print(_title(f"Aanwezigheid — {config.naam}"))
        if config.geheimhouding:
            self.print(_text(f"Lees voor: \u201c{config.geheimhouding}\u201d"))
        self.print(_text(ATTENDANCE_HELP))
        partners = list(config.partners)
        while (line := self.read("aanwezig> ")) is not None:
            word = line.strip().lower()
            if not word:
                self.attending = False
                return True
            if word == "q":
                return False
            if word == "?":
                self.say(ATTENDANCE_HELP)
            elif attendee := self.attempt(parse_attendance, line, partners):
                echo = self.attempt(record_attendance, self.walk.store, self.walk.ws, attendee,
                                    self.walk.meeting)
                if echo:
                    self.say(echo, style="bold green")
        return False

    def read(self, prompt: str) -> str | None:
        """The next line (counted, for error messages of a script); None at the end. A line
        that is not valid text is refused on its own, and the next one is read."""
        from overleg.errors import InvalidInput

        while True:
            try:
                line = self.reader(prompt)
            except InvalidInput as exc:
                self.line_no += 1
                self.error(exc.message)
                continue
            self.line_no += line is not None
            return line

    def attempt(self, step: Callable[..., Any], *args: Any) -> Any:
        """Run one step; a user error is shown (nothing was recorded) and gives None."""
        from overleg.errors import OverlegError

        try:
            return step(*args)
        except OverlegError as exc:
            self.error(exc.message)
        except sqlite3.OperationalError as exc:
            self.error(f"de database is niet te gebruiken ({exc}). Er is niets vastgelegd; "
                       "probeer het opnieuw.")
        return None

    def stop(self) -> int:
        """Say where the run stopped and where the next one resumes; the exit code."""
        from overleg.live import resume_index

        walk = self.walk
        entry = None if self.attending else walk.current
        where = f" bij punt {entry.slot.position} ({entry.slot.case_id})" if entry else ""
        message = f"Gestopt{where}. Alles wat is bevestigd, is opgeslagen."
        resume = resume_index(walk.store, walk.meeting, walk.entries)
        if resume < len(walk.entries):
            message += (f" 'overleg meeting run' gaat verder bij punt {resume + 1} "
                        f"({walk.entries[resume].slot.case_id}).")
        self.say(message)
        return 1 if self.failed else 0

    # --- output -------------------------------------------------------------------

    def intro(self) -> None:
        """The meeting's date and size, once at the start."""
        from overleg.dates import fmt_long

        walk = self.walk
        self.print(_title(f"Vergadering van {fmt_long(walk.meeting.date)} · "
                          f"{len(walk.entries)} agendapunten · typ ? voor hulp"))

    def print(self, renderable: Any) -> None:
        """Text lines: wrapped at word boundaries on a terminal, whole lines when scripted."""
        self.con.print(renderable, soft_wrap=not self.interactive)

    def prompt(self) -> str:
        entry = self.walk.current
        return f"{entry.slot.case_id}> " if entry is not None else "einde> "

    def say(self, message: str, style: str | None = None) -> None:
        self.print(_text(message, style))

    def error(self, message: str) -> None:
        """Errors: inline on a terminal; on stderr with the line number when scripted."""
        if self.interactive:
            self.print(_text(f"Fout: {message}", "bold red"))
        else:
            self.failed = True
            err(f"Fout: regel {self.line_no}: {message}")

    def show(self) -> None:
        """The current item's panel, or the end of the agenda."""
        entry = self.walk.current
        if entry is None:
            self.print(_end_text(self.walk))
        else:
            self.con.print(item_panel(self.walk, entry))

    def toolbar(self) -> list[tuple[str, str]]:
        """The bottom line: item, elapsed against its time box, clock and planned end."""
        from overleg.agenda import meeting_end
        from overleg.live import timebox

        walk = self.walk
        now = datetime.now().strftime("%H:%M")
        end = meeting_end(walk.ws.config).strftime("%H:%M")
        clock = [("", f" │ klok {now}, einde overleg {end} │ ? hulp ")]
        entry = walk.current
        if entry is None:
            return [("", f" einde van de agenda ({len(walk.entries)} punten)"), *clock]
        text, over = timebox(walk.elapsed(), entry.slot.minutes)
        slot = entry.slot
        return [
            ("", f" punt {slot.position}/{len(walk.entries)} {slot.case_id} │ "),
            ("class:over" if over else "class:time", text + (" TE LANG" if over else "")),
            ("", f" │ gepland {slot.start:%H:%M}–{slot.end:%H:%M}"),
            *clock,
        ]


# --- rendering ------------------------------------------------------------------------

def _text(value: str, style: str | None = None) -> Any:
    """Literal text for rich (never markup), cleaned: no control characters, BSNs masked."""
    from rich.text import Text

    from overleg.privacy import clean

    return Text(clean(value), style=style or "")


def _title(value: str) -> Any:
    return _text(value, "bold")


def _lines(rows: Iterable[tuple[str, str]]) -> Any:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for key, value in rows:
        grid.add_row(_text(key), _text(value))
    return grid


def item_panel(walk: Walk, entry: AgendaEntry) -> RenderableType:
    """One agenda item: the case, why it is here, the question, actions, what is recorded."""
    from rich.console import Group
    from rich.panel import Panel

    from overleg.agenda import REASON_LABELS

    slot, case = entry.slot, entry.case
    label = f" · {case.label}" if case else ""
    title = _text(f"Punt {slot.position}/{len(walk.entries)} · {slot.case_id}{label}", "bold")
    when = f"{slot.start:%H:%M}–{slot.end:%H:%M} · {slot.minutes} min"
    subtitle = _text(when + ("" if slot.fits else " · past niet in de tijd"))
    reasons = ", ".join(REASON_LABELS.get(r, r) for r in slot.reasons) or "toegevoegd"
    if slot.note:
        reasons += f" ({slot.note})"
    parts: list[Any] = []
    if case is None:
        parts.append(_text("Het casusbestand ontbreekt of bevat fouten; hier kan niets "
                           "worden vastgelegd. Zie 'overleg cases check'.", "bold red"))
        parts.append(_lines([("redenen", reasons)]))
    else:
        parts.append(_lines(_case_rows(case, reasons)))
    parts += _action_lines(walk.store, walk, slot.case_id)
    parts += _recorded_lines(walk, slot.case_id)
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left",
                 subtitle_align="right")


def _case_rows(case: Any, reasons: str) -> list[tuple[str, str]]:
    from overleg.dates import fmt

    regie = (case.regie or "") + (f" · regisseur {case.regisseur}" if case.regisseur else "")
    informed = {True: "ja", False: f"nee ({case.reden_niet_geinformeerd})", None: ""}
    rows = [
        ("status", f"{case.status} · prioriteit {case.prioriteit}"),
        ("redenen", reasons),
        ("regie", regie),
        ("partners", " ".join(case.partners)),
        ("geïnformeerd", informed[case.geinformeerd]),
        ("toezicht", f"tot {fmt(case.toezicht.einde)}" if case.toezicht and
         case.toezicht.einde else ""),
        ("vraag", case.question or "(geen vraag in het casusbestand)"),
    ]
    return [(key, value) for key, value in rows if value]


def _action_lines(store: Store, walk: Walk, case_id: str) -> list[Any]:
    """The case's open actions from earlier meetings, overdue ones marked."""
    from overleg.dates import fmt_short, today

    day = today()
    earlier = [a for a in store.actions(case_id=case_id, status="open")
               if a.meeting_id != walk.meeting.id]
    if not earlier:
        return [_text(""), _text("Geen open acties uit eerdere overleggen.", "dim")]
    lines = [_text(""), _title("Open acties")]
    for a in earlier:
        owner = f"{a.owner}/{a.who}" if a.who else a.owner
        late = a.overdue(day)
        mark = "  TE LAAT" if late else ""
        lines.append(_text(f"  #{a.id}  {owner}  {fmt_short(a.due)}{mark}  {a.text}",
                           "bold red" if late else None))
    return lines


def _recorded_lines(walk: Walk, case_id: str) -> list[Any]:
    """What this meeting already recorded for the case (shown again on resume)."""
    from overleg.dates import fmt_short

    store, meeting = walk.store, walk.meeting
    lines = [f"  besluit: {e.text}" if e.kind == "decision" else f"  notitie: {e.text}"
             for e in store.entries(meeting, case_id)]
    for a in store.actions(case_id=case_id, status=None, meeting=meeting):
        owner = f"{a.owner}/{a.who}" if a.who else a.owner
        lines.append(f"  actie #{a.id} voor {owner}, deadline {fmt_short(a.due)}: {a.text}")
    lines += [f"  actie #{a.id} afgerond" for a in store.actions_done_in(meeting)
              if a.case_id == case_id]
    for r in store.reviews(meeting, case_id):
        if r.next_date:
            lines.append(f"  volgende bespreking {fmt_short(r.next_date)}")
        if r.status:
            lines.append(f"  status wordt {r.status}")
    if not lines:
        return []
    return [_text(""), _title("Vastgelegd in dit overleg"), *(_text(line) for line in lines)]


def _end_text(walk: Walk) -> Any:
    from rich.console import Group

    left = walk.undiscussed()
    total = len(walk.entries)
    if left:
        status = (f"Niet besproken ({len(left)} van {total}; wordt aangehouden): "
                  + ", ".join(left) + ".")
    else:
        status = f"Alle {total} punten zijn besproken."
    return Group(
        _title("Einde van de agenda."),
        _text(status),
        _text("Sluit de vergadering met 'overleg meeting close'. Ga terug met t of g ID, "
              "of stop met q."),
    )


# --- input ----------------------------------------------------------------------------

def _pipe_reader(prompt: str) -> str | None:
    """A line from stdin (no prompt, no line editor), None at the end of input; InvalidInput
    for a line that is not valid text (UTF-8)."""
    from overleg.cli.common import stdin_line
    from overleg.text import valid_text

    line = stdin_line()
    return None if line is None else valid_text(line)


def _terminal_reader(screen: Screen) -> Reader:
    """prompt_toolkit on a terminal: in-memory history, completion, a live toolbar."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.styles import Style

    style = Style.from_dict({
        "bottom-toolbar": "noreverse bg:#303030 #ffffff",
        "bottom-toolbar.text": "",
        "time": "bold",
        "over": "bold reverse bg:ansired #ffffff",
    })
    prompt_session: PromptSession[str] = PromptSession(
        history=InMemoryHistory(),  # never a FileHistory: typed case text stays in memory
        completer=_completer(screen),
        complete_while_typing=False,
        bottom_toolbar=screen.toolbar,  # type: ignore[arg-type]  # a callable is allowed
        refresh_interval=1,
        style=style,
    )

    def read(prompt: str) -> str | None:
        try:
            return prompt_session.prompt(prompt)
        except EOFError:
            return None

    return _checked(read)


def _checked(read: Reader) -> Reader:
    """`read` with every line it returns checked as text: prompt_toolkit decodes the terminal
    with surrogate escapes, so a Latin-1 byte arrives as one; InvalidInput for such a line."""
    from overleg.text import valid_text

    def checked(prompt: str) -> str | None:
        line = read(prompt)
        return None if line is None else valid_text(line)

    return checked


def _completer(screen: Screen) -> Any:
    """Tab completes agency codes after 'a ' (and in attendance), action ids after 'k '."""
    import re

    from prompt_toolkit.completion import Completer, Completion

    class LiveCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Any:
            before = document.text_before_cursor
            if screen.attending:
                match = re.fullmatch(r"\s*-?(\S*)", before)
                choices = _agencies(screen.walk, list(screen.walk.ws.config.partners))
            elif match := re.fullmatch(r"\s*[aA]\s+(\S*)", before):
                choices = _owner_choices(screen.walk)
            elif match := re.fullmatch(r"\s*[kK]\s+#?(\d*)", before):
                choices = _action_choices(screen.walk)
            else:
                return
            if match is None:
                return
            typed = match.group(1)
            for choice, meta in choices:
                if choice.lower().startswith(typed.lower()):
                    yield Completion(choice, start_position=-len(typed), display_meta=meta)

    return LiveCompleter()


def _agencies(walk: Walk, codes: list[str]) -> list[tuple[str, str]]:
    return [(code, walk.ws.config.partner_name(code)) for code in codes]


def _owner_choices(walk: Walk) -> list[tuple[str, str]]:
    """The current case's partners (an action owner must be one), else every agency."""
    entry = walk.current
    if entry is not None and entry.case is not None:
        return _agencies(walk, list(entry.case.partners))
    return _agencies(walk, list(walk.ws.config.partners))


def _action_choices(walk: Walk) -> list[tuple[str, str]]:
    """The current case's open actions: id, with owner and deadline as a hint."""
    from overleg.dates import fmt

    entry = walk.current
    if entry is None:
        return []
    return [(str(a.id), f"{a.owner} {fmt(a.due)}")
            for a in walk.store.actions(case_id=entry.slot.case_id, status="open")]
