"""`overleg meeting run`: the chair's live screen, one agenda item at a time.

On a terminal it reads lines with prompt_toolkit (in-memory history only: typed case text
never goes to a history file), completes partner codes and action ids, and keeps the
item's time box and how far the meeting runs behind in the bottom toolbar; Ctrl-C clears
the line being typed, a second one on an empty line quits. Without a terminal (a pipe, a
test) it reads plain lines from stdin with the same grammar and echoes, so a meeting can be
scripted. Every line is committed by the core before its echo is printed, against the
meeting as the database has it at that moment: once another terminal closes it, every line
is refused with the same message and nothing is stored outside it.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import typer

from overleg.cli.common import err, session

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from overleg.agenda import AgendaEntry, Slot
    from overleg.live import Echo, Walk
    from overleg.store import Store

Reader = Callable[[str], "str | None"]  # prompt -> line, None at end of input


class Interrupted(Exception):
    """Ctrl-C at the prompt, with the text that was being typed (it is cleared)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def run_screen(on: str | None = None) -> None:
    """Walk the agenda of today's open meeting (or that of `on`, a --date) until the chair
    quits or passes the last item."""
    from overleg.agenda import agenda_view
    from overleg.cli.common import console
    from overleg.live import Walk
    from overleg.meeting import meeting_of

    s = session()
    ws, store = s.workspace(), s.store()
    meeting = meeting_of(store, s.day(on) if on else None)
    cases = s.cases()
    entries = agenda_view(store, meeting, cases.by_id(), ws.config).entries
    walk = Walk.resume(store, ws, meeting, entries, cases)
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
        self.begun = False  # an item is shown (after the attendance before the first one)
        self.armed = False  # a Ctrl-C was pressed: another one on an empty line quits

    # --- the loop -----------------------------------------------------------------

    def run(self) -> int:
        """0 when done, 1 when a scripted line failed, 130 after Ctrl-C."""
        try:
            self.intro()
            if self.walk.needs_attendance():
                self.start_attendance(first=True)
            else:
                self.begin()
            self.loop()
        except KeyboardInterrupt:
            self.stop()
            return 130
        return self.stop()

    def begin(self) -> None:
        """Show the item the walk is on (where the last run was cut off, else the first not
        yet discussed) and start its timer."""
        from overleg.live import fmt_clock

        walk = self.walk
        self.attempt(walk.begin)
        self.begun = True
        if walk.resumed and not walk.at_end:
            self.say(f"Verder bij punt {walk.index + 1}: daar was de bespreking gebleven (al "
                     f"{fmt_clock(walk.elapsed())} op dit punt).")
        elif 0 < walk.index < len(walk.entries):
            self.say(f"Verder bij punt {walk.index + 1}: het eerste punt dat nog niet is "
                     "besproken.")
        self.show()

    def loop(self) -> None:
        """Read lines until the chair quits or input ends: attendance or meeting lines."""
        while (line := self.read(self.prompt())) is not None:
            handled = self.attendance_line(line) if self.attending else self.meeting_line(line)
            if not handled:
                break

    def meeting_line(self, line: str) -> bool:
        """Parse, record and echo one line on the current item; False when the chair quits."""
        from overleg.live import parse_line

        walk = self.walk
        config = walk.ws.config
        command = self.attempt(parse_line, line, list(config.partners), config.schema,
                               walk.meeting.date)
        if command is None:
            return True
        if command.kind == "quit":
            return False
        if command.kind == "attendance":
            self.start_attendance(first=False)
            return True
        before = walk.index
        echo = self.attempt(walk.handle, command)
        if echo is not None:
            self.echo(echo, plain=command.kind == "help")
        if walk.index != before:
            self.show()
        return True

    def start_attendance(self, first: bool) -> None:
        """Attendance mode: before the first item (with the statement to read out), or when
        the chair asks for it (`p`), until an empty line."""
        from overleg.live import ATTENDANCE_HELP, present_line

        self.attending = True
        config = self.walk.ws.config
        if not first:
            self.say("Aanwezigheid aanvullen: CODE NAAM (aanwezig), -CODE NAAM (afgemeld) of "
                     "c NR TEKST; een lege regel gaat terug naar het punt.")
            self.say(present_line(self.walk.store, self.walk.meeting))
            return
        self.print(_title(f"Aanwezigheid — {config.naam}"))
        if config.geheimhouding:
            self.print(_text(f"Lees voor: \u201c{config.geheimhouding}\u201d"))
        self.print(_text(ATTENDANCE_HELP))

    def attendance_line(self, line: str) -> bool:
        """One attendance line; an empty line ends attendance. False when the chair quits."""
        from overleg.live import ATTENDANCE_HELP, parse_attendance, record_attendance

        walk = self.walk
        word = line.strip().lower()
        if word == "q":
            return False
        if not word:
            self.end_attendance()
        elif word == "?":
            self.say(ATTENDANCE_HELP)
        elif re.match(r"c\s+#?\d", word):
            return self.meeting_line(line)
        elif attendee := self.attempt(parse_attendance, line, list(walk.ws.config.partners)):
            echo = self.attempt(record_attendance, walk.store, walk.ws, attendee, walk.meeting)
            if echo is not None:
                self.echo(echo)
        return True

    def end_attendance(self) -> None:
        """An empty line: on to the first item, or back to the one the chair was on."""
        from overleg.live import present_line

        self.attending = False
        if not self.begun:
            self.begin()
            return
        self.say(present_line(self.walk.store, self.walk.meeting))
        self.warn(self.walk.absent_partners())

    def read(self, prompt: str) -> str | None:
        """The next line (counted, for error messages of a script); None at the end. A line
        that is not valid text is refused on its own, and the next one is read. Ctrl-C clears
        the line; a second one on an empty line quits (KeyboardInterrupt)."""
        from overleg.errors import InvalidInput

        while True:
            try:
                line = self.reader(prompt)
            except InvalidInput as exc:
                self.line_no += 1
                self.error(exc.message)
                continue
            except Interrupted as exc:
                self.interrupted(exc.text)
                continue
            self.armed = False
            self.line_no += line is not None
            return line

    def interrupted(self, typed: str) -> None:
        """Ctrl-C: the typed line is gone (nothing recorded); the second one quits."""
        if self.armed and not typed.strip():
            raise KeyboardInterrupt
        self.armed = True
        cleared = "Regel gewist; er is niets vastgelegd. " if typed.strip() else ""
        self.say(f"{cleared}Ctrl-C nogmaals of q om te stoppen.", style="yellow")

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
        """Keep the item's time, say where the run stopped and where the next one resumes;
        the exit code."""
        from overleg.dates import fmt, today
        from overleg.live import resume_index

        walk = self.walk
        self.attempt(walk.stop)
        entry = walk.current if self.begun else None
        where = f" bij punt {entry.slot.position} ({entry.slot.case_id})" if entry else ""
        message = f"Gestopt{where}. Alles wat is bevestigd, is opgeslagen."
        resume = resume_index(walk.store, walk.meeting, walk.entries)
        command = "overleg meeting run" + ("" if walk.meeting.date == today()
                                           else f" --date {fmt(walk.meeting.date)}")
        if resume < len(walk.entries):
            message += (f" '{command}' gaat verder bij punt {resume + 1} "
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
        if self.attending:
            return "aanwezig> "
        return f"{entry.slot.case_id}> " if entry is not None else "einde> "

    def say(self, message: str, style: str | None = None) -> None:
        self.print(_text(message, style))

    def echo(self, echo: Echo, plain: bool = False) -> None:
        """A line's echo (green: it is recorded), the lines after it, then its warnings."""
        if echo.text:
            self.say(echo.text, style=None if plain else "bold green")
        for line in echo.more:
            self.say(line)
        self.warn(echo.warnings)

    def warn(self, messages: Iterable[str]) -> None:
        """Warnings where a slip is likely: "Let op: ..." after the echo, on stdout also when
        scripted (they belong with the echo; they never fail the script)."""
        for message in messages:
            self.say(f"Let op: {message}", style="bold yellow")

    def error(self, message: str) -> None:
        """Errors: inline on a terminal; on stderr with the line number when scripted."""
        if self.interactive:
            self.print(_text(f"Fout: {message}", "bold red"))
        else:
            self.failed = True
            err(f"Fout: regel {self.line_no}: {message}")

    def show(self) -> None:
        """The current item's panel (and a warning when none of its partners is present), or
        the end of the agenda."""
        entry = self.walk.current
        if entry is None:
            self.print(_end_text(self.walk))
            return
        self.con.print(item_panel(self.walk, entry))
        self.warn(self.walk.absent_partners())

    def toolbar(self) -> list[tuple[str, str]]:
        """The bottom line: item, elapsed against its time box, planned times shifted by the
        delay, behind or on schedule, clock and (expected) end."""
        from overleg.agenda import meeting_end
        from overleg.live import behind_text, shifted, timebox, wall_clock

        walk = self.walk
        now = wall_clock()
        delay = walk.delay(now)
        end = meeting_end(walk.ws.config)
        ends = (f"einde overleg {end:%H:%M}" if not delay else
                f"einde overleg {shifted(end, delay):%H:%M} (gepland {end:%H:%M})")
        clock = [("", f" │ klok {now:%H:%M}, {ends} │ ? hulp ")]
        entry = walk.current
        if not self.begun:
            return [("", " aanwezigheid"), *clock]
        if entry is None:
            return [("", f" einde van de agenda ({len(walk.entries)} punten)"), *clock]
        text, over = timebox(walk.elapsed(), entry.slot.minutes)
        slot = entry.slot
        late = [] if delay is None else [("class:late" if delay else "",
                                          f" │ {behind_text(delay)}")]
        return [
            ("", f" punt {slot.position}/{len(walk.entries)} {slot.case_id} │ "),
            ("class:over" if over else "class:time", text + (" TE LANG" if over else "")),
            ("", f" │ {_planned(slot, delay)}"), *late, *clock,
        ]


def _planned(slot: Slot, delay: int | None) -> str:
    """'gepland 10:05–10:15', or shifted by the delay: 'nu 10:12–10:22 (gepland 10:05–10:15)'."""
    from overleg.live import shifted

    planned = f"{slot.start:%H:%M}–{slot.end:%H:%M}"
    if not delay:
        return f"gepland {planned}"
    return (f"nu {shifted(slot.start, delay):%H:%M}–{shifted(slot.end, delay):%H:%M} "
            f"(gepland {planned})")


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
    """One agenda item: the case, why it is here, the question, last time's decisions,
    actions, what is recorded."""
    from rich.console import Group
    from rich.panel import Panel

    from overleg.agenda import reasons_text, slot_reasons

    slot, case = entry.slot, entry.case
    label = f" · {case.label}" if case else ""
    title = _text(f"Punt {slot.position}/{len(walk.entries)} · {slot.case_id}{label}", "bold")
    subtitle = _text(_when(walk, slot) + ("" if slot.fits else " · past niet in de tijd"))
    reasons = ("reden" if len(slot_reasons(slot)) == 1 else "redenen", reasons_text(slot))
    parts: list[Any] = []
    if case is None:
        parts.append(_text("Het casusbestand ontbreekt of bevat fouten; hier kan niets "
                           "worden vastgelegd. Zie 'overleg cases check'.", "bold red"))
        parts.append(_lines([reasons]))
    else:
        parts.append(_lines(_case_rows(case, reasons)))
    parts += _answer_lines(walk, slot.case_id)
    parts += _previous_lines(walk)
    parts += _action_lines(walk.store, walk, slot.case_id)
    parts += _recorded_lines(walk, slot.case_id)
    return Panel(Group(*parts), title=title, subtitle=subtitle, title_align="left",
                 subtitle_align="right")


def _answer_lines(walk: Walk, case_id: str) -> list[Any]:
    """What the partners said in the information round (uitvraag), when the case was in it."""
    from overleg.uitvraag import answers_summary

    lines = answers_summary(walk.store.uitvraag_answers(walk.meeting), case_id, width=74)
    return [_text(""), *(_text(line) for line in lines)] if lines else []


def _when(walk: Walk, slot: Slot) -> str:
    """'10:05–10:15 · 10 min · op schema', or shifted: '10:12–10:22 · 10 min · 7 min achter
    (gepland 10:05–10:15)'; without the schedule part for a meeting of another day."""
    from overleg.live import behind_text, shifted, wall_clock

    delay = walk.delay(wall_clock())
    planned = f"{slot.start:%H:%M}–{slot.end:%H:%M}"
    if not delay:
        return f"{planned} · {slot.minutes} min" + ("" if delay is None else " · op schema")
    return (f"{shifted(slot.start, delay):%H:%M}–{shifted(slot.end, delay):%H:%M} · "
            f"{slot.minutes} min · {behind_text(delay)} (gepland {planned})")


def _case_rows(case: Any, reasons: tuple[str, str]) -> list[tuple[str, str]]:
    from overleg.dates import fmt

    regie = (case.regie or "") + (f" · regisseur {case.regisseur}" if case.regisseur else "")
    informed = {True: "ja", False: f"nee ({case.reden_niet_geinformeerd})", None: ""}
    rows = [
        ("status", f"{case.status} · prioriteit {case.prioriteit}"),
        reasons,
        ("regie", regie),
        ("partners", " ".join(case.partners)),
        ("geïnformeerd", informed[case.geinformeerd]),
        ("toezicht", f"tot {fmt(case.toezicht.einde)}" if case.toezicht and
         case.toezicht.einde else ""),
        ("vraag", case.question or "(geen vraag in het casusbestand)"),
    ]
    return [(key, value) for key, value in rows if value]


def _previous_lines(walk: Walk) -> list[Any]:
    """A returning case: what the last meeting that decided on it decided."""
    from overleg.dates import fmt

    day, decisions = walk.previous_decisions()
    if day is None or not decisions:
        return []
    heading = f"Vorige keer ({fmt(day)}) besloten:"
    if len(decisions) == 1:
        return [_text(""), _text(f"{heading} {decisions[0]}")]
    return [_text(""), _text(heading), *(_text(f"  - {d}") for d in decisions)]


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
    """What this meeting recorded for the case as it stands, with the numbers (shown again
    on resume); withdrawn lines and actions undone are gone."""
    from overleg.live import action_text, review_text

    store, meeting = walk.store, walk.meeting
    lines = [f"  {'besluit' if e.kind == 'decision' else 'notitie'} #{e.id}: {e.text}"
             for e in store.entries(meeting, case_id)]
    lines += ["  " + action_text(a)[0].lower() + action_text(a)[1:]
              for a in store.actions(case_id=case_id, status=None, meeting=meeting)
              if a.status != "cancelled"]
    for a in store.actions_done_in(meeting):
        if a.case_id == case_id and not (a.status == "cancelled" and a.meeting_id == meeting.id):
            lines.append(f"  actie #{a.id} {'afgerond' if a.status == 'done' else 'vervallen'}")
    for r in store.reviews(meeting, case_id):
        parts = [review_text(r.next_date, None)] if r.next_date else []
        parts += [f"status wordt {r.status}"] if r.status else []
        lines.append(f"  {', '.join(parts)} (#{r.id})")
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


_TOOLBAR_STYLE = {
    "bottom-toolbar": "noreverse bg:#303030 #ffffff",
    "bottom-toolbar.text": "",
    "time": "bold",
    "over": "bold reverse bg:ansired #ffffff",
    "late": "bold #ffd75f",  # behind schedule
}


def _terminal_reader(screen: Screen) -> Reader:
    """prompt_toolkit on a terminal: in-memory history, completion, a live toolbar; Ctrl-C
    raises Interrupted with the line being typed (the screen clears it, and quits on the
    second one)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import InMemoryHistory
    from prompt_toolkit.styles import Style

    style = Style.from_dict(_TOOLBAR_STYLE)
    prompt_session: PromptSession[str] = PromptSession(
        history=InMemoryHistory(),  # never a FileHistory: typed case text stays in memory
        completer=_completer(screen),
        complete_while_typing=False,
        bottom_toolbar=screen.toolbar,  # type: ignore[arg-type]  # a callable is allowed
        refresh_interval=1,
        style=style,
        key_bindings=_interrupt_binding(),
    )

    def read(prompt: str) -> str | None:
        try:
            return prompt_session.prompt(prompt)
        except EOFError:
            return None

    return _checked(read)


def _interrupt_binding() -> Any:
    """Ctrl-C leaves the prompt with Interrupted and the text typed so far (never a bare
    KeyboardInterrupt: the screen decides whether it clears the line or quits)."""
    from prompt_toolkit.key_binding import KeyBindings

    bindings = KeyBindings()

    @bindings.add("c-c")
    def _interrupt(event: Any) -> None:
        event.app.exit(exception=Interrupted(event.current_buffer.text), style="class:aborting")

    return bindings


def _checked(read: Reader) -> Reader:
    """`read` with every line it returns checked as text: prompt_toolkit decodes the terminal
    with surrogate escapes, so a Latin-1 byte arrives as one; InvalidInput for such a line."""
    from overleg.text import valid_text

    def checked(prompt: str) -> str | None:
        line = read(prompt)
        return None if line is None else valid_text(line)

    return checked


def _completer(screen: Screen) -> Any:
    """Tab completes agency codes after 'a ', '+' and '-' (and in attendance), action ids
    after 'k ' and 'x '."""
    from prompt_toolkit.completion import Completer, Completion

    class LiveCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Any:
            found = _choices(screen, document.text_before_cursor)
            if found is None:
                return
            typed, choices = found
            for choice, meta in choices:
                if choice.lower().startswith(typed.lower()):
                    yield Completion(choice, start_position=-len(typed), display_meta=meta)

    return LiveCompleter()


def _choices(screen: Screen, before: str) -> tuple[str, list[tuple[str, str]]] | None:
    """(the part typed, the choices for it) at the cursor, or None when nothing completes."""
    walk = screen.walk
    every = list(walk.ws.config.partners)
    if screen.attending:
        match = re.fullmatch(r"\s*[-+]?(\S*)", before)
        return (match.group(1), _agencies(walk, every)) if match else None
    if match := re.fullmatch(r"\s*[aA]\s+(\S*)", before):
        return match.group(1), _owner_choices(walk)
    if match := re.fullmatch(r"\s*[kKxX]\s+#?(\d*)", before):
        return match.group(1), _action_choices(walk)
    if match := re.fullmatch(r"\s*\+(\S*)", before):
        return match.group(1), _agencies(walk, every)
    if match := re.fullmatch(r"\s*-(\S*)", before):
        here = sorted({a.agency for a in walk.store.attendance(walk.meeting) if a.here})
        return match.group(1), _agencies(walk, here)
    return None


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
