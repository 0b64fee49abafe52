"""`overleg zoek`: full-text search over what meetings recorded, and the snippets it shows.

The index is SQLite FTS5 (made by migration m008_search with sqlite-utils' `enable_fts`,
kept in step by its triggers); the query runs in `Store.search`. This module turns what a
user typed into a query that is always valid FTS5 (every word quoted, as a prefix), keeps
what the recipient may see (`documents.may_see`), and cuts a snippet around the hits from
the *cleaned* text (BSNs masked first), so a snippet edge can never leave part of a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from overleg.errors import InvalidInput

if TYPE_CHECKING:
    from overleg.cases import Case
    from overleg.store import Store

KIND_LABELS = {"note": "notitie", "decision": "besluit", "action": "actie",
               "question": "vraag"}
# Word characters as the unicode61 tokenizer sees them: letters and digits (not `_`).
_WORD = re.compile(r"[^\W_]+")
# Hits in a snippet: marked with characters no cleaned text holds (private use area).
MARK_ON, MARK_OFF = "\ue000", "\ue001"
SNIPPET_CHARS = 160
MAX_HITS = 200


@dataclass(frozen=True)
class Hit:
    """One record that matched: its kind, number, case, day and a marked snippet."""

    kind: str  # note | decision | action | question
    id: int
    case_id: str
    day: date
    snippet: str  # cleaned text around the hits, hits between MARK_ON and MARK_OFF
    text: str  # the whole cleaned text (an action's condition after it)


def query_words(text: str) -> list[str]:
    """The words of a search: runs of letters and digits, in order, without repeats."""
    return list(dict.fromkeys(w.casefold() for w in _WORD.findall(text)))


def fts_query(text: str) -> str:
    """An FTS5 query that finds every word of `text` as a prefix (`zorgmachtiging` also
    finds `zorgmachtigingen`): each word a quoted string, so no operator or quote the user
    typed can make it invalid. InvalidInput when there is no word at all."""
    words = query_words(text)
    if not words:
        raise InvalidInput(f"'{text.strip()}' bevat geen woord om op te zoeken; zoek op "
                           "letters of cijfers, bijv. overleg zoek zorgmachtiging")
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words)


def fold(text: str) -> str:
    """Lower case without diacritics, as the index compares words (remove_diacritics 2)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(store: Store, cases: Mapping[str, Case], text: str, *, partner: str | None = None,
           case_id: str | None = None, since: date | None = None) -> list[Hit]:
    """What matches `text`, newest first: for `partner` only the cases it may see. An agenda
    question that came back unchanged on later agendas is shown once, at its latest date."""
    from overleg.documents import may_see
    from overleg.privacy import clean

    scope: list[str] | None = None
    if partner is not None:
        scope = [cid for cid, case in cases.items() if may_see(partner, case)]
    if case_id is not None:
        scope = [case_id] if scope is None or case_id in scope else []
    rows = store.search(fts_query(text), case_ids=scope, since=since)
    words = [fold(w) for w in query_words(text)]
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if row["kind"] == "question":
            key = (row["case_id"], row["text"])
            if key in seen:
                continue
            seen.add(key)
        body = clean(_body(row))
        hits.append(Hit(row["kind"], row["id"], row["case_id"],
                        date.fromisoformat(row["day"]), snippet(body, words), body))
        if len(hits) >= MAX_HITS:
            break
    return hits


def _body(row: Mapping[str, Any]) -> str:
    text = str(row["text"])
    return f"{text} (voorwaarde: {row['condition']})" if row.get("condition") else text


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """`text` around its first hit, at most about `width` characters, cut at word edges
    (an ellipsis where cut), every word that starts with one of `words` marked."""
    spans = [m.span() for m in _WORD.finditer(text)
             if any(fold(m.group()).startswith(w) for w in words)]
    start, end = 0, len(text)
    if len(text) > width:
        first = spans[0][0] if spans else 0
        start = max(0, first - width // 3)
        end = min(len(text), start + width)
        start = _edge(text, start, back=True)
        end = _edge(text, end, back=False)
    out: list[str] = ["…" if start > 0 else ""]
    at = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out += [text[at:s], MARK_ON, text[s:e], MARK_OFF]
        at = e
    out += [text[at:end], "…" if end < len(text) else ""]
    return " ".join("".join(out).split())


def _edge(text: str, at: int, back: bool) -> int:
    """The nearest word edge (a space) from `at`, looking back or forward."""
    if at <= 0 or at >= len(text):
        return at
    if back:
        found = text.rfind(" ", 0, at)
        return 0 if found < 0 else found + 1
    found = text.find(" ", at)
    return len(text) if found < 0 else found


def marked(snippet_text: str, on: str, off: str) -> str:
    """A snippet with its hit marks written as `on` and `off` (e.g. `**`)."""
    return snippet_text.replace(MARK_ON, on).replace(MARK_OFF, off)


def hit_record(hit: Hit) -> dict[str, Any]:
    """One hit in the `zoek --json` shape; the snippet marks hits with `**`."""
    return {"date": hit.day.isoformat(), "case": hit.case_id, "kind": hit.kind, "id": hit.id,
            "snippet": marked(hit.snippet, "**", "**"), "text": hit.text}


def hits_text(hits: Sequence[Hit]) -> str:
    """The hits as plain text (a partner's copy): date, case, kind, then the snippet."""
    from overleg.dates import fmt

    lines = []
    for hit in hits:
        lines.append(f"{fmt(hit.day)}  {hit.case_id}  {KIND_LABELS[hit.kind]} #{hit.id}")
        lines.append(f"    {marked(hit.snippet, '**', '**')}")
    lines.append(f"{len(hits)} gevonden." if hits else "Niets gevonden.")
    return "\n".join(lines) + "\n"
