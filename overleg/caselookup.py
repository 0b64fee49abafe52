"""Finding a case by what a user typed: its id, a unique last part of it, or the file with
errors that holds it (so a broken file is named, never "bestaat niet")."""

from __future__ import annotations

import re
from pathlib import Path

from overleg.cases import Case, CaseSet
from overleg.errors import CaseNotFound, InvalidCaseFile, InvalidInput


def find_case(case_set: CaseSet, case_id: str) -> Case:
    """The case with that id, or with a unique last part of it ('014' for 2026-014, as
    `g 014` in the meeting screen). CaseNotFound when there is none; InvalidInput when
    the part fits more ids; InvalidCaseFile naming the file's first error when the id
    (or part) belongs to a case file with errors, by its `id:` line or its file name."""
    text = case_id.strip()
    for case in case_set.cases:
        if case.id == text:
            return case
    broken = _broken(case_set, text, exact=True)
    if not broken:
        matches: dict[str, Case | tuple[str, str]] = {c.id: c for c in case_set.cases
                                                      if text and c.id.endswith(text)}
        for path, named in _broken(case_set, text, exact=False).items():
            matches.setdefault(named or path, (path, named))
        if len(matches) > 1:
            raise InvalidInput(f"'{text}' past bij meer casussen ({', '.join(matches)}); "
                               "typ het hele id.")
        if matches:
            found = next(iter(matches.values()))
            if isinstance(found, Case):
                return found
            broken = dict([found])
    if broken:
        path = next(iter(broken))
        errors = sorted((f for f in case_set.errors if f.path == path), key=lambda f: f.line)
        more = (f" (en nog {len(errors) - 1} {'fout' if len(errors) == 2 else 'fouten'} in "
                "dat bestand)" if len(errors) > 1 else "")
        shown_id = broken[path] or text
        raise InvalidCaseFile(f'casus "{shown_id}" kan niet worden gelezen: {errors[0]}'
                              f"{more}. Herstel het bestand; zie 'overleg cases check'.")
    raise CaseNotFound(f'casus "{text}" bestaat niet. Zie \'overleg cases list\'.')

def _broken(case_set: CaseSet, text: str, exact: bool) -> dict[str, str]:
    """Files with errors whose id (from an `id:` line) or file name names `text`: exactly,
    or with `text` as the last part (`exact=False`); path -> the id when known."""
    found: dict[str, str] = {}
    if not text:
        return found
    named = re.compile(rf"(?<![A-Za-z0-9]){re.escape(text)}(?![A-Za-z0-9])")
    for finding in case_set.errors:
        known = finding.case_id
        stem = Path(finding.path).stem
        if exact:
            hit = known == text or stem == text or (
                not known and stem.startswith(text) and bool(named.match(stem)))
        else:
            hit = known.endswith(text) if known else bool(named.search(stem))
        if hit:
            found.setdefault(finding.path, known)
    return found
