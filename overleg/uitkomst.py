"""The outcome of a meeting in the national Uitkomst Overleg format (`export --format uitkomst`).

The format is the `UitkomstOverleg.yaml` of samen-onder-handbereik/specificaties (OpenAPI
3.0, version 0.1): a Casusoverleg (id, datum, startTijd, eindTijd, notulen) about one Zaak
(id, startDatum) with its Acties (omschrijving, conditie, belegdBij: the Organisatie by
naam and OIN) and Besluiten. overleg writes the page the API's `GET /v1/casusoverleg`
returns (`GepagineerdCasusoverlegLijst`): one Casusoverleg per case discussed in the
meeting, as the chair's system would hand it to a partner's case system.

Left out on purpose, and said so in the README:
- `heeftBetrekkingOp` (the Betrokkene: BSN, name, address): overleg holds a person only as
  initials and year of birth, and never lets a BSN leave. The receiving system knows the
  person by the case id (`Zaak.id`).
- the read-only `url` fields: a resource's address on the serving API, assigned by it.
- what the format has no field for: deadlines, the person who carries out an action,
  reviews, attendance, status changes.
`startTijd` and `eindTijd` are `Time` objects whose only fields are `id` and `url`; overleg
puts the item's planned time ("09:30") in `id`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from overleg.errors import InvalidInput

if TYPE_CHECKING:
    from overleg.cases import Case
    from overleg.config import Config
    from overleg.model import Action, Entry, Meeting
    from overleg.store import Store

PAGE_SIZE = 100  # GepagineerdBase.paginaGrootte: at most 100


def casusoverleg_id(meeting: Meeting, case_id: str) -> str:
    """The id of one case's discussion in one meeting: `2026-12-01/2026-014`."""
    return f"{meeting.date.isoformat()}/{case_id}"


def uitkomst(store: Store, cases: Mapping[str, Case], config: Config, meeting: Meeting,
             partner: str | None = None) -> dict[str, Any]:
    """The meeting's outcome as a GepagineerdCasusoverlegLijst: the cases discussed (that
    `partner` may see), in agenda order, each a Casusoverleg with its Zaak."""
    from overleg.agenda import time_slots
    from overleg.documents import may_see

    slots = time_slots(store.items(meeting), config)
    discussed = store.discussed_cases(meeting)
    order = [s.case_id for s in slots] + sorted(discussed - {s.case_id for s in slots})
    times = {s.case_id: (s.start, s.end) for s in slots}
    entries = store.entries(meeting)
    actions = [a for a in store.actions(status=None, meeting=meeting) if a.status != "cancelled"]
    results = []
    for case_id in order:
        case = cases.get(case_id)
        if case_id not in discussed or case is None or not may_see(partner, case):
            continue
        start, end = times.get(case_id, (config.begintijd, config.begintijd))
        results.append(_casusoverleg(meeting, case, config, f"{start:%H:%M}", f"{end:%H:%M}",
                                     [e for e in entries if e.case_id == case_id],
                                     [a for a in actions if a.case_id == case_id]))
    if len(results) > PAGE_SIZE:
        raise InvalidInput(f"de vergadering van {meeting.date:%d-%m-%Y} heeft meer dan "
                           f"{PAGE_SIZE} besproken casussen; dat past niet op één pagina van "
                           "het formaat Uitkomst Overleg.")
    return {"pagina": 1, "paginaGrootte": PAGE_SIZE, "totaalAantal": len(results),
            "resultaten": results}


def _casusoverleg(meeting: Meeting, case: Case, config: Config, start: str, end: str,
                  entries: list[Entry], actions: list[Action]) -> dict[str, Any]:
    from overleg.privacy import clean

    overleg_id = casusoverleg_id(meeting, case.id)
    notes = [clean(e.text) for e in entries if e.kind == "note"]
    return {
        "id": overleg_id,
        "datum": meeting.date.isoformat(),
        "startTijd": {"id": start},
        "eindTijd": {"id": end},
        "notulen": "\n".join(notes),
        "betreft": {
            "id": case.id,
            "startDatum": case.aangemeld_op.isoformat(),
            "heeftActie": [_actie(a, overleg_id, config) for a in actions],
            "heeftBesluit": [{"id": str(e.id), "omschrijving": clean(e.text),
                              "idCasusoverleg": overleg_id}
                             for e in entries if e.kind == "decision"],
        },
    }


def _actie(action: Action, overleg_id: str, config: Config) -> dict[str, Any]:
    from overleg.privacy import clean

    partner = config.partners.get(action.owner)
    organisation: dict[str, str] = {"naam": partner.naam if partner else action.owner}
    if partner is not None and partner.oin:
        organisation["oin"] = partner.oin
    return {"id": str(action.id), "omschrijving": clean(action.text),
            "conditie": clean(action.condition or ""), "idCasusoverleg": overleg_id,
            "belegdBij": organisation}
