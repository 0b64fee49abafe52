"""Word documents (.docx) built from the same views the templates get: agenda, minutes, actions.

Per-partner filtering is never done here: the views go through the disclosure gate's
`documents.partner_agenda`, `partner_minutes` and `partner_actions`, exactly as for Markdown,
HTML and text. Every string that reaches the document passes `_clean`, which masks a BSN and drops
the control characters XML cannot hold. python-docx is imported inside the functions:
start-up time of the other commands is measured.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg import dates
from overleg.errors import InvalidInput
from overleg.privacy import clean

if TYPE_CHECKING:
    from overleg.agenda import AgendaEntry, AgendaView
    from overleg.cases import Case
    from overleg.config import Config, Partner
    from overleg.meeting import Minutes, MinutesItem
    from overleg.model import Action
    from overleg.workspace import Workspace

FONT = "Arial"
ACCENT = (0x1F, 0x3A, 0x5F)  # dark blue for headings
RED = (0xC0, 0x00, 0x00)
GREY = (0x70, 0x70, 0x70)
ACTION_COLUMNS = ("nr.", "eigenaar", "uitvoerder", "deadline", "actie")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _clean(value: object) -> str:
    """Text as it may appear in a document: BSN masked, no XML-invalid characters."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return clean(_NOT_XML.sub("", text))


def _day(value: date | None) -> str:
    return dates.fmt(value) if value is not None else ""


def _long(value: date) -> str:
    text = dates.fmt_long(value)
    return text[:1].upper() + text[1:]


class _Doc:
    """A python-docx Document with the few building blocks our documents use."""

    def __init__(self, config: Config, title: str, concept: bool = False) -> None:
        from docx import Document
        from docx.shared import Cm

        self.config = config
        self.doc = Document()
        self._styles()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4, not US Letter
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(2.2))
        section.top_margin = section.bottom_margin = Cm(2.0)
        self._properties(title)
        if concept:
            header = section.header.paragraphs[0]
            header.alignment = 2  # right
            self._run(header, "CONCEPT", bold=True, color=RED)
        self._footer()

    # --- set-up ------------------------------------------------------------------

    def _styles(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt, RGBColor

        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(10)
        normal.paragraph_format.space_after = Pt(4)
        rpr = normal.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        lang = OxmlElement("w:lang")  # last in w:rPr's schema order, after w:sz
        lang.set(qn("w:val"), "nl-NL")  # Dutch spelling check in Word and LibreOffice
        rpr.append(lang)
        for name, size in (("Title", 18), ("Heading 1", 14), ("Heading 2", 12),
                           ("Heading 3", 10.5)):
            style = styles[name]
            style.font.name = FONT
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.italic = False
            style.font.color.rgb = RGBColor(*ACCENT)
            fmt = style.paragraph_format
            fmt.space_before = Pt(14 if name == "Heading 1" else 10 if name == "Heading 2"
                                  else 6 if name == "Heading 3" else 0)
            fmt.space_after = Pt(6 if name == "Title" else 3)
            fmt.keep_with_next = True
        # The template's Title has a thick bottom border and theme font; keep it plain.
        title_ppr = styles["Title"].element.get_or_add_pPr()
        for border in title_ppr.findall(qn("w:pBdr")):
            title_ppr.remove(border)
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
            fonts = styles[name].element.get_or_add_rPr().get_or_add_rFonts()
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                if fonts.get(qn(attr)) is not None:
                    del fonts.attrib[qn(attr)]
            for attr in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(attr), FONT)

    def _properties(self, title: str) -> None:
        props = self.doc.core_properties
        props.title = _clean(title)
        props.subject = _clean(self.config.naam)
        props.author = props.last_modified_by = "overleg"
        props.comments = ""  # python-docx's default names itself here
        props.keywords = "vertrouwelijk"
        props.language = "nl-NL"
        stamp = datetime.combine(dates.today(), datetime.min.time())
        props.created = props.modified = stamp
        props.revision = 1

    def _footer(self) -> None:
        from docx.shared import Pt

        footer = self.doc.sections[0].footer.paragraphs[0]
        text = self.config.geheimhouding or "alleen voor de deelnemers aan dit overleg."
        run = self._run(footer, f"Vertrouwelijk: {text} Niet doorsturen.", italic=True)
        run.font.size = Pt(8)
        if self.config.doel or self.config.grondslag:
            basis = self.doc.sections[0].footer.add_paragraph()
            self._run(basis, f"Doel: {self.config.doel}. Grondslag: {self.config.grondslag}."
                      ).font.size = Pt(8)
        self._page_numbers()

    def _page_numbers(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        page = self.doc.sections[0].footer.add_paragraph()
        page.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for part in ("Pagina ", "PAGE", " van ", "NUMPAGES"):
            if part.isupper():
                self._field(page, part)
            else:
                self._run(page, part).font.size = Pt(8)

    def _field(self, paragraph: Any, instruction: str) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        paragraph._p.append(field)
        run = paragraph.add_run("1")
        run.font.size = Pt(8)
        field.append(run._r)  # the cached value, shown until the field is updated

    # --- content -----------------------------------------------------------------

    def _run(self, paragraph: Any, text: object, *, bold: bool = False, italic: bool = False,
             color: tuple[int, int, int] | None = None) -> Any:
        from docx.shared import RGBColor

        run = paragraph.add_run(_clean(text))
        run.bold = bold or None
        run.italic = italic or None
        if color is not None:
            run.font.color.rgb = RGBColor(*color)
        return run

    def title(self, text: str) -> None:
        self.doc.add_paragraph(_clean(text), style="Title")

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_paragraph(_clean(text), style=f"Heading {level}")

    def para(self, text: object = "", *, bold: bool = False, italic: bool = False,
             color: tuple[int, int, int] | None = None) -> Any:
        paragraph = self.doc.add_paragraph()
        if text:
            self._run(paragraph, text, bold=bold, italic=italic, color=color)
        return paragraph

    def field(self, label: str, value: object) -> None:
        """A 'label: value' line with the label in bold."""
        paragraph = self.doc.add_paragraph()
        self._run(paragraph, f"{label}: ", bold=True)
        self._run(paragraph, value)

    def bullet(self, text: object, *, bold_prefix: str = "") -> None:
        paragraph = self.doc.add_paragraph(style="List Bullet")
        if bold_prefix:
            self._run(paragraph, bold_prefix, bold=True)
        self._run(paragraph, text)

    def concept(self, text: str) -> None:
        from docx.shared import Pt

        paragraph = self.para()
        run = self._run(paragraph, "CONCEPT", bold=True, color=RED)
        run.font.size = Pt(14)
        self._run(paragraph, f" — {text}", bold=True, color=RED)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]],
              widths: Sequence[float] = (), red_rows: frozenset[int] = frozenset(),
              grey_rows: frozenset[int] = frozenset()) -> None:
        """A bordered table with a shaded header row repeated on every page; `red_rows`
        (overdue) in red, `grey_rows` (not fitting in time) in grey."""
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        header_row = table.rows[0]
        tr_pr = header_row._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(header_row.cells, headers, strict=True):
            self._cell(cell, text, bold=True)
            shading = OxmlElement("w:shd")
            shading.set(qn("w:val"), "clear")
            shading.set(qn("w:color"), "auto")
            shading.set(qn("w:fill"), "D9E2EC")
            cell._tc.get_or_add_tcPr().append(shading)
        for index, values in enumerate(rows):
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                self._cell(cell, value,
                           color=RED if index in red_rows else GREY if index in grey_rows
                           else None)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)  # the grid LibreOffice reads
            for row in table.rows:  # and the cell widths Word reads
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.space_after = Pt(1)
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    def _cell(self, cell: Any, value: object, *, bold: bool = False,
              color: tuple[int, int, int] | None = None) -> None:
        self._run(cell.paragraphs[0], value, bold=bold, color=color)

    def data(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# --- the agenda --------------------------------------------------------------------------

def agenda_docx(ws: Workspace, view: AgendaView, partner: str | None = None) -> bytes:
    """The agenda as a Word document: the full one, or one partner's (render.partner_agenda)."""
    from overleg.agenda import meeting_end
    from overleg.documents import partner_agenda

    config = ws.config
    info: Partner | None = None
    if partner is not None:
        code = config.partner_code(partner)
        view = partner_agenda(view, code)
        info = config.partners[code]
    meeting = view.meeting
    doc = _Doc(config, f"Agenda {config.naam} {dates.fmt(meeting.date)}")
    if info is not None:
        doc.title(f"Agenda voor {info.naam}")
        doc.para(config.naam, bold=True)
    else:
        doc.title(f"Agenda {config.naam}")
    doc.field("Datum", f"{_long(meeting.date)} ({dates.fmt(meeting.date)})")
    doc.field("Tijd", f"{config.begintijd:%H:%M}–{meeting_end(config):%H:%M}")
    if config.locatie:
        doc.field("Locatie", config.locatie)
    if config.voorzitter:
        doc.field("Voorzitter", config.voorzitter)
    if info is not None:
        doc.para(f"Op deze agenda staan alleen de punten waarbij {info.naam} partner is, met "
                 "de tijd waarop ze naar verwachting aan de beurt zijn. Schuif aan op die tijd.")
    if config.geheimhouding:
        doc.para(config.geheimhouding, italic=True)
    if not view.entries:
        doc.para(f"Er staan op deze agenda geen punten voor {info.naam}." if info is not None
                 else "Er staan geen punten op deze agenda.")
        return doc.data()
    doc.heading("Overzicht", 1)
    late = frozenset(i for i, e in enumerate(view.entries) if not e.slot.fits)
    doc.table(("nr.", "tijd", "casus", "persoon", "reden", "min."),
              [(str(e.slot.position), f"{e.slot.start:%H:%M}–{e.slot.end:%H:%M}",
                e.slot.case_id, e.case.label if e.case else "", _entry_reasons(e),
                str(e.slot.minutes)) for e in view.entries],
              widths=(1.0, 2.4, 2.0, 2.8, 7.2, 1.2), grey_rows=late)
    if info is None:
        summary = f"Totaal {view.total_minutes} minuten; het overleg duurt {config.duur} minuten."
        if late:
            summary += (f" {len(late)} {'punt past' if len(late) == 1 else 'punten passen'} "
                        "niet in de tijd.")
        doc.para(summary)
    doc.heading("Agendapunten", 1)
    for entry in view.entries:
        _agenda_item(doc, entry, meeting.date, config)
    return doc.data()


def _entry_reasons(entry: AgendaEntry) -> str:
    from overleg.agenda import reasons_text

    return reasons_text(entry.slot)


def _reasons_field(doc: _Doc, entry: AgendaEntry) -> None:
    """'Reden: ...' or 'Redenen: ...', the chair's reason for adding the item included."""
    from overleg.agenda import reasons_heading

    doc.field(reasons_heading(entry.slot), _entry_reasons(entry))


def _heading(position: int, case_id: str, case: Case | None) -> str:
    return f"{position}. Casus {case_id}" + (f" — {case.label}" if case else "")


def _agenda_item(doc: _Doc, entry: AgendaEntry, on: date, config: Config) -> None:
    slot, case = entry.slot, entry.case
    doc.heading(_heading(slot.position, slot.case_id, case), 2)
    doc.field("Tijd", f"{slot.start:%H:%M}–{slot.end:%H:%M} ({slot.minutes} minuten)")
    if not slot.fits:
        doc.para("Past niet in de tijd: dit punt komt alleen aan bod als er tijd overblijft.",
                 bold=True, color=RED)
    _reasons_field(doc, entry)
    if case is None:
        doc.para("Het casusbestand ontbreekt of bevat fouten; zie 'overleg cases check'.",
                 italic=True)
        return
    if case.regie:
        regie = f"{config.partner_name(case.regie)} ({case.regie})"
        doc.field("Regie", regie + (f", casusregisseur {case.regisseur}"
                                    if case.regisseur else ""))
    elif case.regisseur:
        doc.field("Casusregisseur", case.regisseur)
    doc.field("Vraag aan het overleg", case.question or "(geen vraag in het casusbestand)")
    if entry.answers:  # the information round: the chair's documents only
        from overleg.uitvraag import answers_summary

        for line in answers_summary(entry.answers, slot.case_id, width=10_000):
            doc.para(line)
    if entry.open_actions:
        doc.heading("Open acties", 3)
        overdue = frozenset(i for i, a in enumerate(entry.open_actions) if a.overdue(on))
        doc.table((*ACTION_COLUMNS, "status"),
                  [(*_action_cells(a), "verlopen" if a.overdue(on) else "open")
                   for a in entry.open_actions],
                  widths=(1.0, 2.0, 2.6, 2.4, 6.0, 2.6), red_rows=overdue)


def _action_cells(action: Action) -> tuple[str, str, str, str, str]:
    return (str(action.id), action.owner, action.who or "", _day(action.due), action.text)


# --- the minutes -------------------------------------------------------------------------

def minutes_docx(ws: Workspace, minutes: Minutes, partner: str | None = None,
                 actions: Sequence[Action] = ()) -> bytes:
    """The minutes as a Word document: the chair's, or one partner's (render.partner_minutes)
    with its action list (`actions`, from render.partner_actions)."""
    from overleg.documents import partner_minutes

    config = ws.config
    info: Partner | None = None
    if partner is not None:
        code = config.partner_code(partner)
        minutes = partner_minutes(minutes, code)
        info = config.partners[code]
    meeting = minutes.meeting
    doc = _Doc(config, f"Verslag {config.naam} {dates.fmt(meeting.date)}", minutes.concept)
    doc.title(f"Verslag {config.naam}")
    where = [_long(meeting.date)]
    if config.locatie:
        where.append(config.locatie)
    if config.voorzitter:
        where.append(f"voorzitter {config.voorzitter}")
    doc.para(" · ".join(where), bold=True)
    if minutes.concept:
        doc.concept("dit verslag is een concept tot het in het volgende overleg is vastgesteld.")
    elif meeting.approved_at:
        doc.para(f"Vastgesteld op {dates.fmt(date.fromisoformat(meeting.approved_at[:10]))}.",
                 italic=True)
    changed = minutes.changed_after_approval
    if changed is not None and changed.approved_on is not None:
        reason = "" if info is not None else f", reden: {changed.reason}"
        doc.para(f"Gewijzigd na vaststelling op {dates.fmt(changed.approved_on)}: heropend op "
                 f"{dates.fmt(changed.on)}{reason}.", italic=True)
    for reopened in () if info is not None else minutes.reopenings:
        if reopened is not changed:
            doc.para(f"Heropend op {dates.fmt(reopened.on)}, reden: {reopened.reason}.",
                     italic=True)
    if info is not None:
        doc.para(f"Verslag voor {info.naam} ({info.code}): alleen de casussen waarin "
                 f"{info.code} partner is.")
    doc.heading("Aanwezig", 1)
    for a in minutes.present:
        doc.bullet(f"{config.partner_name(a.agency)}: {a.name}{minutes.times(a)}",
                   bold_prefix=f"{a.agency} ")
    if not minutes.present:
        doc.para("Geen aanwezigheid vastgelegd.", italic=True)
    if minutes.absent:
        doc.field("Afgemeld", ", ".join(f"{a.name} ({a.agency})" for a in minutes.absent))
    if meeting.geheimhouding_read:
        doc.para(f"De geheimhoudingsverklaring is voorgelezen: {config.geheimhouding}",
                 italic=True)
    else:
        doc.para("De geheimhoudingsverklaring is niet vastgelegd als voorgelezen.", italic=True)
    if minutes.items:
        doc.heading("Besproken casussen", 1)
    for item in minutes.items:
        _minutes_item(doc, item, meeting.date, config)
    if not minutes.items:
        doc.para("Er stonden geen casussen op de agenda"
                 + (f" waarin {info.code} partner is." if info is not None else "."))
    if info is not None:
        doc.heading(f"Actielijst {info.naam}", 1)
        _action_list(doc, info, actions, dates.today())
    return doc.data()


def _minutes_item(doc: _Doc, item: MinutesItem, on: date, config: Config) -> None:
    slot, case = item.entry.slot, item.entry.case
    doc.heading(_heading(slot.position, item.case_id, case), 2)
    if case is None:
        doc.para("Het casusbestand is niet (meer) gevonden.", italic=True)
    else:
        _reasons_field(doc, item.entry)
        doc.field("Regie", (case.regie or "—") + (f" (casusregisseur {case.regisseur})"
                                                    if case.regisseur else ""))
        informed = ("onbekend" if case.geinformeerd is None else "ja" if case.geinformeerd
                    else f"nee — {case.reden_niet_geinformeerd}")
        doc.field("Betrokkene geïnformeerd", informed)
        if case.question:
            doc.field("Vraag aan het overleg", case.question)
        if item.entry.answers:
            from overleg.uitvraag import informed_by

            if brought := informed_by(item.entry.answers):
                doc.field("Informatie ingebracht door", ", ".join(
                    f"{config.partner_name(code)} ({code})" for code in brought))
    if not item.discussed:
        doc.para("Niet besproken; de casus komt terug op de volgende agenda (aangehouden).",
                 italic=True)
    if item.notes:
        doc.heading("Bespreking", 3)
        for note in item.notes:
            doc.bullet(note.text)
    if item.decisions:
        doc.heading("Besluiten", 3)
        for decision in item.decisions:
            doc.bullet(decision.text)
    if item.new_actions:
        doc.heading("Nieuwe acties", 3)
        doc.table(ACTION_COLUMNS, [_action_cells(a) for a in item.new_actions],
                  widths=(1.0, 2.0, 3.0, 2.4, 8.2))
    if item.earlier_actions:
        doc.heading("Eerdere acties", 3)
        late = frozenset(i for i, a in enumerate(item.earlier_actions)
                         if a.status == "open" and a.due < on)
        doc.table((*ACTION_COLUMNS, "status"),
                  [(*_action_cells(a), _earlier_status(a, on)) for a in item.earlier_actions],
                  widths=(1.0, 2.0, 2.6, 2.4, 6.0, 2.6), red_rows=late)
    if item.next_review:
        doc.field("Volgende bespreking", _day(item.next_review))
    if item.new_status:
        doc.field("Status", item.new_status)


def _earlier_status(action: Action, on: date) -> str:
    if action.status == "done":
        return "afgerond" + (f" ({action.done_comment})" if action.done_comment else "")
    if action.status == "cancelled":
        return f"vervallen ({action.done_comment})"
    return "te laat" if action.due < on else "open"


# --- action lists ------------------------------------------------------------------------

def actions_docx(ws: Workspace, actions: Sequence[Action], on: date,
                 partner: str | None = None,
                 cases_by_id: Mapping[str, Case] | None = None) -> bytes:
    """An action list as a Word document: a partner's open actions on its own cases
    (render.partner_actions, overdue first), or the chair's list of `actions` as given."""
    from overleg.documents import partner_actions

    config = ws.config
    if partner is not None:
        info = config.partners[config.partner_code(partner)]
        shown = partner_actions(actions, info.code, cases_by_id or {}, on)
        doc = _Doc(config, f"Actielijst {info.naam} {dates.fmt(on)}")
        doc.title(f"Actielijst {info.naam}")
        doc.para(config.naam, bold=True)
        _action_list(doc, info, shown, on)
        return doc.data()
    doc = _Doc(config, f"Actielijst {config.naam} {dates.fmt(on)}")
    doc.title(f"Actielijst {config.naam}")
    doc.para(f"Stand op {dates.fmt_long(on)}; te late acties eerst.", bold=True)
    ordered = sorted(actions, key=lambda a: (not a.overdue(on), a.due, a.id))
    if not ordered:
        doc.para("Geen acties.", italic=True)
        return doc.data()
    late = frozenset(i for i, a in enumerate(ordered) if a.overdue(on))
    doc.table(("nr.", "casus", "eigenaar", "uitvoerder", "deadline", "actie", "status"),
              [(str(a.id), a.case_id, a.owner, a.who or "", _day(a.due), a.text,
                _state(a, on)) for a in ordered],
              widths=(1.0, 2.0, 2.0, 2.6, 2.4, 4.6, 2.0), red_rows=late)
    return doc.data()


def _state(action: Action, on: date) -> str:
    if action.done_on is not None:
        return f"afgerond {_day(action.done_on)}"
    if action.status == "cancelled":
        return f"vervallen: {action.done_comment}"
    return "TE LAAT" if action.overdue(on) else "open"


def _action_list(doc: _Doc, info: Partner, actions: Sequence[Action], on: date) -> None:
    doc.para(f"Open acties van {info.code} op {dates.fmt(on)}, te late eerst.")
    if not actions:
        doc.para("Geen open acties.", italic=True)
        return
    late = frozenset(i for i, a in enumerate(actions) if a.overdue(on))
    doc.table(("nr.", "casus", "uitvoerder", "deadline", "actie", "status"),
              [(str(a.id), a.case_id, a.who or "", _day(a.due), a.text, _state(a, on))
               for a in actions],
              widths=(1.0, 2.0, 2.6, 2.4, 6.6, 2.0), red_rows=late)


def require_output(output: Path | None, example: str) -> Path:
    """A Word document is a file: --format docx needs -o (binary data never goes to a terminal)."""
    if output is None:
        raise InvalidInput(f"--format docx maakt een Word-bestand; geef met -o aan waar het "
                           f"heen moet, bijv. -o {example}.")
    return output


# --- access requests (inzage) --------------------------------------------------------------

class _PersonDoc(_Doc):
    """A document for the person the data is about: not the table's confidentiality footer."""

    def _footer(self) -> None:
        from docx.shared import Pt

        footer = self.doc.sections[0].footer.paragraphs[0]
        self._run(footer, "Vertrouwelijk: dit overzicht is alleen voor u bestemd.",
                  italic=True).font.size = Pt(8)
        self._page_numbers()


if TYPE_CHECKING:
    from overleg.inzage import Package


def inzage_docx(ws: Workspace, package: Package) -> bytes:
    """An access request's package as a Word document, with the sections of
    templates/inzage.md."""
    config = ws.config
    made = package.made_on
    doc = _PersonDoc(config, f"Inzage in uw gegevens {config.naam} {dates.fmt(made)}")
    doc.title("Inzage in uw gegevens")
    doc.para(config.naam + (f" · {config.locatie}" if config.locatie else ""), bold=True)
    doc.field("Opgemaakt op", f"{_long(made)} ({dates.fmt(made)})")
    doc.field("Betreft", ", ".join(f"casus {c.id}" + (f" ({c.label})" if c.label else "")
                                   for c in package.cases))
    doc.para("U heeft gevraagd welke gegevens het casusoverleg over u bewaart (inzageverzoek, "
             "artikel 15 van de Algemene verordening gegevensbescherming). In dit overzicht "
             "staat alles wat in het overleg over u is vastgelegd: de gegevens van uw "
             "aanmelding, de tekst van uw casusbestand, de overleggen waarin uw situatie aan de "
             "orde was met wat daar is besproken en besloten, de afspraken (acties) die zijn "
             "gemaakt, en welke organisaties uw gegevens hebben ontvangen en wanneer. "
             "Medewerkers staan er niet met hun naam in, alleen met hun organisatie. Gegevens "
             "over andere personen staan er niet in.")
    doc.heading("Waarom wij uw gegevens verwerken", 1)
    if config.doel:
        doc.field("Doel", config.doel)
    if config.grondslag:
        doc.field("Grondslag", config.grondslag)
    if not config.doel and not config.grondslag:
        doc.field("Doel en grondslag", "zoals vastgelegd in het convenant van het Zorg- en "
                  "Veiligheidshuis")
    doc.field("Bewaartermijn", f"de gegevens uit het overleg worden bewaard tot "
              f"{config.bewaartermijn} jaar nadat uw casus is afgesloten; daarna worden ze "
              "verwijderd" if config.bewaartermijn else
              "zoals vastgelegd in het convenant van het Zorg- en Veiligheidshuis")
    for case in package.cases:
        doc.heading(f"Casus {case.id}" + (f" — {case.label}" if case.label else ""), 1)
        if case.found:
            doc.heading("Gegevens van de aanmelding", 2)
            for label, value in case.fields:
                doc.field(label, value)
            doc.heading("Tekst van het casusbestand", 2)
            for line in case.text.split("\n") if case.text else ["(geen tekst)"]:
                if line[:1] == "#" and line.lstrip("#")[:1] == " ":  # a Markdown heading
                    doc.para(line.lstrip("#").strip(), bold=True)
                elif line.strip():
                    doc.para(line)
        else:
            doc.para("Het casusbestand van deze casus bestaat niet meer. Hieronder staat wat "
                     "het overleg nog over deze casus bewaart.", italic=True)
        doc.heading("Besprekingen in het casusoverleg", 2)
        for meeting in case.meetings:
            doc.heading(f"Overleg van {dates.fmt(meeting.date)} ({meeting.state})", 3)
            if meeting.reasons:
                doc.field("Op de agenda", ", ".join(meeting.reasons))
            if meeting.dropped:
                doc.para("Van de agenda gehaald; niet besproken.", italic=True)
            for note in meeting.notes:
                doc.bullet(note, bold_prefix="Besproken: ")
            for decision in meeting.decisions:
                doc.bullet(decision, bold_prefix="Besluit: ")
            for review in meeting.reviews:
                parts = ([f"volgende bespreking op {dates.fmt(review.next_date)}"]
                         if review.next_date else []) + (
                    [f"status {review.status}"] if review.status else [])
                doc.bullet("; ".join(parts), bold_prefix="Afgesproken: ")
            for superseded in meeting.superseded:
                doc.bullet(superseded, bold_prefix="Bewaard, niet meer geldig: ")
        if not case.meetings:
            doc.para("Uw casus heeft nog niet op de agenda van een overleg gestaan.")
        doc.heading("Acties", 2)
        if case.actions:
            doc.table(("nr.", "actie", "organisatie", "deadline", "stand", "afgesproken"),
                      [(str(a.id), a.text, a.owner, _day(a.due),
                        a.status + (f" op {_day(a.done_on)}" if a.done_on else "")
                        + (f" ({a.comment})" if a.comment else ""),
                        f"overleg van {_day(a.meeting)}" if a.meeting else "buiten een overleg")
                       for a in case.actions],
                      widths=(1.0, 5.0, 3.6, 2.2, 2.6, 2.2))
        else:
            doc.para("Er zijn geen acties over deze casus afgesproken.")
    doc.heading("Wie uw gegevens ontving", 1)
    several = len(package.cases) > 1
    mailed = {"verstuurd": "verstuurd", "opgesteld": "klaargezet om te versturen"}
    for recipient in package.recipients:
        doc.heading(recipient.name + (f" ({recipient.role})" if recipient.role else ""), 2)
        headers = ("datum", "stuk", "overleg", "per e-mail") + (("casus",) if several else ())
        doc.table(headers,
                  [(_day(x.day), x.document, _day(x.meeting), mailed.get(x.mailed, "nee"))
                   + ((", ".join(x.cases),) if several else ()) for x in recipient.receipts],
                  widths=(2.4, 5.0, 2.4, 3.8) + ((3.0,) if several else ()))
    if not package.recipients:
        doc.para("Uw gegevens zijn niet aan andere organisaties verstrekt.")
    doc.heading("Uw rechten", 1)
    doc.para("Kloppen uw gegevens niet of zijn ze onvolledig, dan kunt u vragen ze te verbeteren "
             "of aan te vullen. U kunt ook bezwaar maken tegen het gebruik van uw gegevens. "
             "Bent u het niet eens met hoe wij met uw gegevens omgaan, dan kunt u een klacht "
             "indienen bij de Autoriteit Persoonsgegevens.")
    return doc.data()
