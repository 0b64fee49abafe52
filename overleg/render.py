"""Documents from Jinja templates: the environment, its filters, per-partner views.

Templates come from the workspace's `templates/` first, then the built-in ones. Case
text only ever reaches a template as a value: it is printed as written (never rendered
as template code), escaped in HTML, and a BSN in it is masked in every output.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Sequence
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from overleg import dates
from overleg.config import Config
from overleg.documents import partner_actions, partner_agenda, partner_minutes
from overleg.errors import InvalidInput, OverlegError, TemplateError
from overleg.privacy import clean
from overleg.workspace import Workspace, package_dir

__all__ = ["partner_actions", "partner_agenda", "partner_minutes"]  # the gate's, re-exported

if TYPE_CHECKING:
    from collections.abc import Sequence

    import jinja2

    from overleg.agenda import AgendaView
    from overleg.meeting import Minutes
    from overleg.model import Action

FORMATS = ("md", "html", "txt")

_environments: dict[Path, tuple[Config, tuple[str, ...], jinja2.Environment]] = {}


def _finalize(value: Any) -> Any:
    """Applied to every printed value: controls stripped, BSN masked; None prints as nothing."""
    from markupsafe import Markup

    if value is None:
        return ""
    if isinstance(value, Markup):
        return Markup(clean(str(value)))
    if isinstance(value, str):
        return clean(value)
    return value


def _datum(value: date | None) -> str:
    return dates.fmt(value) if value is not None else ""


def _datum_lang(value: date | None) -> str:
    return dates.fmt_long(value) if value is not None else ""


def _tijd(value: time | None) -> str:
    return f"{value.hour:02d}:{value.minute:02d}" if value is not None else ""


def _reden(code: str) -> str:
    from overleg.agenda import REASON_LABELS

    return REASON_LABELS.get(code, code)


def _redenen(slot: Any) -> str:
    """An agenda item's reasons, the chair's reason for adding it included."""
    from overleg.agenda import reasons_text

    return reasons_text(slot)


def _redenkop(slot: Any) -> str:
    """'Reden' or 'Redenen', as many as `redenen` lists."""
    from overleg.agenda import reasons_heading

    return reasons_heading(slot)


def _nl2br(value: str) -> Any:
    """HTML: escape the text and keep its line breaks as <br>."""
    from markupsafe import Markup, escape

    return Markup("<br>\n").join(escape(line) for line in str(value).split("\n"))


def _uitvraag(answers: Any, width: int = 76) -> list[str]:
    """The information round's lines of one item (answers of one case; chair only)."""
    from overleg.uitvraag import answers_summary

    answers = list(answers)
    return answers_summary(answers, answers[0].case_id, width) if answers else []


def _informed_by(answers: Any) -> list[str]:
    from overleg.uitvraag import informed_by

    return informed_by(answers)


def environment(ws: Workspace) -> jinja2.Environment:
    """The Jinja environment of a workspace (cached per workspace within the process)."""
    # Jinja re-checks a loaded template's own file only: an override added (or removed) in
    # the workspace since then would go unseen by a long-lived process without this key.
    own = _own_templates(ws.templates_dir)
    cached = _environments.get(ws.root)
    if cached is not None and cached[0] == ws.config and cached[1] == own:
        return cached[2]
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(ws.templates_dir), str(package_dir("templates"))]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    config = ws.config
    env.filters.update(
        datum=_datum,
        datum_lang=_datum_lang,
        tijd=_tijd,
        reden=_reden,
        redenen=_redenen,
        redenkop=_redenkop,
        partner=config.partner_name,
        nl2br=_nl2br,
        uitvraag=_uitvraag,
        ingebracht=lambda answers: ", ".join(
            f"{config.partner_name(code)} ({code})" for code in _informed_by(answers)),
    )
    _environments[ws.root] = (config, own, env)
    return env


def _own_templates(folder: Path) -> tuple[str, ...]:
    """The workspace's template file names, to notice an override that appears or goes."""
    import os

    try:
        return tuple(sorted(entry.name for entry in os.scandir(folder)))
    except OSError:
        return ()


def render_template(ws: Workspace, name: str, context: dict[str, Any]) -> str:
    """Render template `name` (workspace override first); template errors become OverlegError
    in Dutch, naming the template file and line."""
    import jinja2

    env = environment(ws)
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"templates/{exc.name or name}:{exc.lineno}: "
                           f"{jinja_reason(exc.message or '')} (fout in het sjabloon)") from None
    except jinja2.TemplateNotFound:
        raise TemplateError(f"sjabloon templates/{name} bestaat niet") from None
    except UnicodeDecodeError:
        raise TemplateError(f"templates/{name}: het sjabloon is geen UTF-8-tekst; sla het op "
                           "als UTF-8") from None
    try:
        return template.render(context)
    except OverlegError:
        raise
    except jinja2.TemplateSyntaxError as exc:  # in a template it includes or extends
        raise TemplateError(f"templates/{exc.name or name}:{exc.lineno}: "
                           f"{jinja_reason(exc.message or '')} (fout in het sjabloon)") from None
    except Exception as exc:  # the template's own code failed: 1/0, an undefined name, ...
        raise TemplateError(f"{_template_frame(env, exc, name)}: {_template_detail(exc)} "
                           "(fout in het sjabloon)") from None


def _template_frame(env: jinja2.Environment, exc: BaseException, name: str) -> str:
    """'templates/NAME:LINE' of the innermost template frame of a rendering error."""
    folders = [Path(p).resolve() for p in getattr(env.loader, "searchpath", [])]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        for folder in folders:
            if path.is_relative_to(folder) and frame.lineno:
                return f"templates/{path.relative_to(folder).as_posix()}:{frame.lineno}"
    return f"templates/{name}"


def _template_detail(exc: Exception) -> str:
    import jinja2

    if isinstance(exc, UnicodeDecodeError):
        return "een ingesloten sjabloon is geen UTF-8-tekst; sla het op als UTF-8"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"het ingesloten sjabloon templates/{exc.name} bestaat niet"
    if isinstance(exc, ZeroDivisionError):
        return "deling door nul"
    return jinja_reason(str(getattr(exc, "message", None) or exc))


# Jinja's token names in its messages, as a template writer sees them.
_TOKENS = {"end of print statement": "'}}'", "end of statement block": "'%}'",
           "end of template": "het einde van het sjabloon", "name": "een naam",
           "string": "een tekst tussen aanhalingstekens", "integer": "een getal",
           "float": "een getal", "operator": "een teken", "begin of print statement": "'{{'",
           "begin of statement block": "'{%'", "end of comment": "'#}'", "comma": "','",
           "colon": "':'", "dot": "'.'", "assign": "'='", "pipe": "'|'"}


def _token(text: str) -> str:
    return _TOKENS.get(text, f"'{text}'")


def _tags(text: str) -> str:
    """"'elif' or 'else' or 'endif'" -> "'elif', 'else' of 'endif'"."""
    names = re.findall(r"'([^']+)'", text)
    quoted = [f"{{% {n} %}}" for n in names]
    return ", ".join(quoted[:-1]) + f" of {quoted[-1]}" if len(quoted) > 1 else "".join(quoted)


_JINJA: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (r"'([^']+)' is undefined",
     lambda m: f"'{m[1]}' bestaat niet: dit sjabloon kent geen waarde met die naam"),
    (r"(?:'[^']*'|\S+ object) has no attribute '([^']+)'",
     lambda m: f"'{m[1]}' bestaat niet bij deze waarde"),
    (r"(?:'[^']*'|\S+ object) has no element (.+)",
     lambda m: f"element {m[1]} bestaat niet bij deze waarde"),
    (r"No (filter|test) named '([^']+)'\.?",
     lambda m: f"{'filter' if m[1] == 'filter' else 'test'} '{m[2]}' bestaat niet"),
    (r"unexpected end of template, expected '([^']+)'\.?",
     lambda m: f"het sjabloon houdt op; verwacht werd {_token(m[1])}"),
    (r"expected token '([^']+)', got '([^']*)'",
     lambda m: f"verwacht werd {_token(m[1])}, maar er staat {_token(m[2])}"),
    (r"Expected an expression, got '([^']*)'",
     lambda m: f"hier ontbreekt een waarde (er staat {_token(m[1])})"),
    (r"unexpected '(.)', expected '(.)'",
     lambda m: f"onverwacht '{m[1]}'; verwacht werd '{m[2]}'"),
    (r"unexpected char '(.+)' at \d+", lambda m: f"het teken '{m[1]}' mag hier niet staan"),
    (r"unexpected '([^']+)'", lambda m: f"onverwacht {_token(m[1])}"),
    (r"tag name expected", lambda m: "na '{%' ontbreekt de naam van de opdracht"),
    (r"expected name or number", lambda m: "na de punt ontbreekt een naam of getal"),
    (r"expected subscript expression", lambda m: "tussen [ ] ontbreekt wat er gekozen wordt"),
    (r"invalid syntax for function call expression",
     lambda m: "de aanroep tussen ( ) is niet goed geschreven"),
    (r"Invalid character in identifier", lambda m: "een naam bevat een teken dat niet mag"),
    (r"block '([^']+)' defined twice", lambda m: f"blok '{m[1]}' staat er twee keer in"),
    (r"Block names in Jinja have to be valid",
     lambda m: "een bloknaam mag geen '-' bevatten; gebruik '_'"),
    (r"can't assign to", lambda m: "hier kan geen waarde worden toegekend"),
    (r"non-default argument follows default argument",
     lambda m: "een argument zonder standaardwaarde staat na een met standaardwaarde"),
    (r"You cannot chain multiple tests with is", lambda m: "'is' kan maar één keer"),
)


def jinja_reason(message: str) -> str:
    """A Jinja error message in Dutch (syntax and undefined names; other failures generally)."""
    message = message.strip()
    tag = re.match(r"(?:Encountered unknown tag '([^']+)'|Unexpected end of template)\.", message)
    if tag:
        parts = [f"onbekende opdracht {{% {tag[1]} %}}" if tag[1] else
                 "het sjabloon houdt op terwijl er nog een blok open is"]
        if nested := re.search(r"currently looking for (.+?)\.(?: The|$)", message):
            parts = [f"{{% {tag[1]} %}} staat op de verkeerde plek (blokken verkeerd genest); "
                     f"eerst komt {_tags(nested[1])}"]
        elif looking := re.search(r"looking for the following tags: (.+?)\.(?: The|$)", message):
            parts.append(f"verwacht werd {_tags(looking[1])}")
        if block := re.search(r"needs to be closed is '([^']+)'", message):
            parts.append(f"het blok {{% {block[1]} %}} is nog niet afgesloten")
        return "; ".join(parts)
    for pattern, dutch in _JINJA:
        if found := re.search(pattern, message):
            return dutch(found)
    return "het sjabloon kan hier niet worden ingevuld (controleer deze regel)"


def render_agenda(ws: Workspace, view: AgendaView, fmt: str, partner: str | None = None) -> str:
    """The agenda as a document (md, html or txt): the full one, or one partner's."""
    from overleg.agenda import meeting_end

    if fmt not in FORMATS:
        raise InvalidInput(f"formaat '{fmt}' bestaat niet; kies uit {', '.join(FORMATS)}.")
    config = ws.config
    partner_info = None
    if partner is not None:
        code = config.partner_code(partner)
        view = partner_agenda(view, code)
        partner_info = config.partners[code]
    context = {
        "overleg": config,
        "meeting": view.meeting,
        "agenda": view,
        "entries": view.entries,
        "partner": partner_info,
        "begintijd": config.begintijd,
        "eindtijd": meeting_end(config),
        "vandaag": dates.today(),
    }
    return render_template(ws, f"agenda.{fmt}", context)


# --- minutes and action lists ------------------------------------------------------------

def render_minutes(ws: Workspace, minutes: Minutes, fmt: str, partner: str | None = None,
                   actions: Sequence[Action] = ()) -> str:
    """The minutes as a document (md, html or txt): the chair's, or one partner's with its
    action list."""
    if fmt not in FORMATS:
        raise InvalidInput(f"formaat '{fmt}' bestaat niet. Kies uit: {', '.join(FORMATS)}.")
    config = ws.config
    if partner is not None:
        partner = config.partner_code(partner)
        minutes = partner_minutes(minutes, partner)
    return render_template(ws, f"verslag.{fmt}", {
        "overleg": config,
        "minutes": minutes,
        "concept": minutes.concept,
        "approved": date.fromisoformat(minutes.meeting.approved_at[:10])
        if minutes.meeting.approved_at else None,
        "partner": config.partners[partner] if partner else None,
        "acties": list(actions),
        "vandaag": dates.today(),
    })


# --- the information round (uitvraag) -----------------------------------------------------

def render_uitvraag(ws: Workspace, meeting: Any, partner: str, form: str,
                    entries: Sequence[Any], fmt: str) -> str:
    """A partner's information request (txt or html: the e-mail's body), for its cases only."""
    from overleg.uitvraag import PERSON_ROLE

    config = ws.config
    return render_template(ws, f"uitvraag.{fmt}", {
        "overleg": config,
        "meeting": meeting,
        "partner": config.partners[config.partner_code(partner)],
        "form": form,
        "entries": list(entries),
        "rol": PERSON_ROLE,
        "vandaag": dates.today(),
    })
