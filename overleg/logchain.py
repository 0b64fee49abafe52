"""Hash chains over the audit log and the register of disclosures: tamper-evident, not tamper-proof.

Every row carries `hash` = SHA-256 hex of the previous row's hash ("" before the first row)
followed by the row's canonical form: a JSON array of its column values in table order, id
first, `separators=(",", ":")` and `ensure_ascii=False`. Changing, removing, inserting or
re-hashing a row breaks the chain at that row or the next, even after the triggers that
forbid such changes are dropped. Two things a chain cannot see on its own: removal of the
newest rows (compare with a last hash noted earlier), and a writer who recomputes every hash
from the changed row on (the noted hash shows that too).

Pure: the store feeds rows in and writes hashes out; this module has no SQL.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Column order of each chained table: the canonical form follows it, so it never changes. A
# column added to either table later stays out of its chain (or the old hashes break).
AUDIT_COLUMNS = ("id", "at", "who", "action", "case_id", "meeting")
DISCLOSURE_COLUMNS = ("id", "at", "who", "partner", "addresses", "kind", "format", "meeting",
                      "cases", "purpose", "basis", "file", "sha256")
CHAINED = {"audit": AUDIT_COLUMNS, "disclosures": DISCLOSURE_COLUMNS}


def canonical(values: Sequence[Any]) -> str:
    """A row's content as one fixed string: JSON array of its values (blobs as hex)."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"),
                      default=lambda v: v.hex() if isinstance(v, bytes) else str(v))


def row_hash(previous: str, values: Sequence[Any]) -> str:
    """The hash of a row: SHA-256 hex over the previous row's hash and its canonical form."""
    return hashlib.sha256((previous + canonical(values)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    """One table's verdict: how many rows, the last hash, and the first row that is wrong."""

    table: str  # audit | disclosures
    rows: int
    last_hash: str  # "" for an empty table
    broken_at: int | None = None  # id of the first row that does not match
    problem: str = ""  # what is wrong there, in Dutch

    @property
    def ok(self) -> bool:
        return self.broken_at is None


@dataclass(frozen=True)
class LogCheck:
    """Both chains, and where a hash noted earlier was found (table, row id), if asked."""

    audit: ChainCheck
    disclosures: ChainCheck
    noted: str | None = None
    noted_at: tuple[str, int] | None = None

    @property
    def ok(self) -> bool:
        return self.audit.ok and self.disclosures.ok and (self.noted is None
                                                          or self.noted_at is not None)


def check_chain(table: str, rows: Iterable[Sequence[Any]],
                row_check: Callable[[Sequence[Any]], str | None] | None = None,
                noted: str | None = None) -> tuple[ChainCheck, int | None]:
    """Walk `rows` (id, *content, hash; in id order) and return the verdict, plus the id of
    the row whose hash starts with `noted`. `row_check` adds a check of a row's own (a
    problem text, or None when it is fine), made once its hash is known to be right."""
    count, previous, last_id = 0, "", 0
    broken: tuple[int, str] | None = None
    noted_at: int | None = None
    for row in rows:
        count += 1
        row_id, stored = row[0], row[-1]
        if noted and noted_at is None and isinstance(stored, str) and stored.startswith(noted):
            noted_at = row_id
        if broken is None:
            broken = _first_problem(row, row_id, stored, previous, last_id, row_check)
        last_id, previous = row_id, stored if isinstance(stored, str) else ""
    if broken is None:
        return ChainCheck(table, count, previous), noted_at
    return ChainCheck(table, count, previous, broken[0], broken[1]), noted_at


def _first_problem(row: Sequence[Any], row_id: Any, stored: Any, previous: str, last_id: int,
                   row_check: Callable[[Sequence[Any]], str | None] | None,
                   ) -> tuple[int, str] | None:
    if not isinstance(row_id, int) or row_id <= last_id:
        return (row_id, "deze regel hoort niet in de reeks (nummer 1, 2, 3, ...): "
                        "hij is er buiten overleg om tussen gezet")
    if row_id != last_id + 1:
        where = f"na regel {last_id} volgt regel {row_id}" if last_id else \
            f"de eerste regel is regel {row_id}"
        return (last_id + 1, f"de regel ontbreekt; {where} (een regel gewist, of een regel met "
                             "een gekozen nummer ingevoegd)")
    if not stored:
        return (row_id, "de regel heeft geen hash: hij is buiten overleg om toegevoegd")
    if stored != row_hash(previous, row[:-1]):
        return (row_id, "de hash past niet bij de inhoud van de regel en de hash van de regel "
                        "ervoor (de regel is gewijzigd, vervangen of ingevoegd, of een hash is "
                        "aangepast)")
    problem = row_check(row) if row_check else None
    return (row_id, problem) if problem else None


def check_register(rows: Iterable[Sequence[Any]], links: dict[int, list[str]],
                   noted: str | None = None) -> tuple[ChainCheck, int | None]:
    """The register's chain, and that `links` (disclosure_cases: id -> case ids) names, for
    every row, exactly the cases of its `cases` column, and no other row."""
    cases_at = DISCLOSURE_COLUMNS.index("cases")
    left = dict(links)

    def same_cases(row: Sequence[Any]) -> str | None:
        linked = Counter(left.pop(row[0], []))
        try:
            cases = json.loads(row[cases_at])
        except (TypeError, ValueError):
            cases = None
        if not isinstance(cases, list):
            return "de kolom cases is geen lijst van casussen"
        listed = Counter(str(c) for c in cases)
        if linked == listed:
            return None
        parts = [f"{label}: {', '.join(sorted(diff.elements()))}"
                 for label, diff in (("erbij", linked - listed), ("ontbreekt", listed - linked))
                 if diff]
        return ("de koppeltabel disclosure_cases wijkt af van de casussen in de regel "
                f"({'; '.join(parts)})")

    check, noted_at = check_chain("disclosures", rows, same_cases, noted)
    if check.ok and left:
        stray = min(left)
        check = ChainCheck(check.table, check.rows, check.last_hash, stray,
                           f"de koppeltabel disclosure_cases verwijst naar regel {stray}, die "
                           "niet in het register staat")
    return check, noted_at
