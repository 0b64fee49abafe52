"""Documents from Jinja templates: the environment, its filters, per-partner views.

Templates come from the workspace's `templates/` first, then the built-in ones. Case
text only ever reaches a template as a value: it is printed as written (never rendered
as template code), escaped in HTML, and a BSN in it is masked in every output.
"""

from __future__ import annotations

import traceback
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


def _nl2br(value: str) -> Any:
    """HTML: escape the text and keep its line breaks as <br>."""
    from markupsafe import Markup, escape

    return Markup("<br>\n").join(escape(line) for line in str(value).split("\n"))


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
        partner=config.partner_name,
        nl2br=_nl2br,
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
    """Render template `name` (workspace override first); template errors become OverlegError."""
    import jinja2

    env = environment(ws)
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"templates/{exc.name or name}:{exc.lineno}: {exc.message} "
                           "(fout in het sjabloon)") from None
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
        raise TemplateError(f"templates/{exc.name or name}:{exc.lineno}: {exc.message} "
                           "(fout in het sjabloon)") from None
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
    if isinstance(exc, UnicodeDecodeError):
        return "een ingesloten sjabloon is geen UTF-8-tekst; sla het op als UTF-8"
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__



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
