"""`overleg export --format uitkomst`: the national Uitkomst Overleg format, validated with
jsonschema against the published schema (tests/fixtures/UitkomstOverleg.yaml)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURE = Path(__file__).parent / "fixtures" / "UitkomstOverleg.yaml"
OIN = "00000001234567890000"  # fictional


def json_schema(root: str, write: bool = True, leave_out: tuple[str, ...] = ()) -> dict:
    """The OpenAPI component `root` as a JSON Schema (2020-12): every component under
    $defs, `nullable` as a null type. `write`: as a document sent to an API, where a readOnly
    property is not required (OpenAPI 3.0: its `required` applies to responses only).
    `leave_out`: (schema.property) requirements dropped on purpose."""
    spec = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))

    def convert(node: Any, name: str | None = None) -> Any:
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        node = {k: convert(v) for k, v in node.items() if k not in ("example", "nullable")}
        if "$ref" in node:
            node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
        if "required" in node and "properties" in node:
            node["required"] = [r for r in node["required"]
                                if not (write and node["properties"].get(r, {}).get("readOnly"))
                                and f"{name}.{r}" not in leave_out]
        return node

    defs = {}
    for name, schema in spec["components"]["schemas"].items():
        converted = convert(schema, name)
        if schema.get("nullable") and "type" in converted:
            converted["type"] = [converted["type"], "null"]
        defs[name] = converted
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": f"#/$defs/{root}", "$defs": defs}


def errors(document: Any, **options: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        json_schema("GepagineerdCasusoverlegLijst", **options),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return sorted(e.message for e in validator.iter_errors(document))


# overleg never holds nor sends the person (BSN, name, address): README, "Uitkomst Overleg".
PROFILE = {"leave_out": ("Actie.heeftBetrekkingOp",)}


def test_the_fixture_is_the_published_schema_with_its_source_noted():
    text = FIXTURE.read_text(encoding="utf-8")
    assert "samen-onder-handbereik/specificaties" in text and "Licence:" in text
    spec = yaml.safe_load(text)
    assert spec["info"]["title"] == "JZV - Uitkomst Overleg"
    assert {"Casusoverleg", "Zaak", "Actie", "Besluit", "Organisatie"} <= set(
        spec["components"]["schemas"])
    assert "conditie" in spec["components"]["schemas"]["Actie"]["required"]


@pytest.fixture
def uitkomst(run, demo_ws: Path):
    def export(*args: str) -> Any:
        result = run("export", "--format", "uitkomst", *args)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)
    return export


def test_the_demo_meetings_validate_against_the_national_schema(uitkomst):
    for day in ("2026-11-17", "2026-12-01"):
        document = uitkomst("--date", day)
        assert document["totaalAantal"] == len(document["resultaten"]) > 0
        assert errors(document, **PROFILE) == []
        # against the schema as published only the person overleg never sends is missing
        missing = errors(document)
        actions = sum(len(r["betreft"]["heeftActie"]) for r in document["resultaten"])
        assert missing == ["'heeftBetrekkingOp' is a required property"] * actions


def test_the_latest_closed_meeting_is_the_default(uitkomst):
    assert {r["datum"] for r in uitkomst()["resultaten"]} == {"2026-12-01"}


def test_a_round_trip_gives_back_every_decision_and_action_of_the_minutes(uitkomst, demo_ws):
    conn = sqlite3.connect(demo_ws / "overleg.db")
    for day in ("2026-11-17", "2026-12-01"):
        document = uitkomst("--date", day)
        decisions = {(z["betreft"]["id"], b["omschrijving"]) for z in document["resultaten"]
                     for b in z["betreft"]["heeftBesluit"]}
        actions = {(z["betreft"]["id"], a["omschrijving"]) for z in document["resultaten"]
                   for a in z["betreft"]["heeftActie"]}
        stored = set(conn.execute(
            "SELECT e.case_id, e.text FROM entries e JOIN meetings m ON m.id = e.meeting_id "
            "WHERE m.date = ? AND e.kind = 'decision' AND e.state = 'active'", (day,)))
        assert decisions == stored
        stored = set(conn.execute(
            "SELECT a.case_id, a.text FROM actions a JOIN meetings m ON m.id = a.meeting_id "
            "WHERE m.date = ? AND a.status != 'cancelled'", (day,)))
        assert actions == stored
        for casus in document["resultaten"]:
            assert casus["id"] == f"{day}/{casus['betreft']['id']}"
            for part in casus["betreft"]["heeftActie"] + casus["betreft"]["heeftBesluit"]:
                assert part["idCasusoverleg"] == casus["id"]
    conn.close()


def test_a_partner_gets_only_its_cases_with_the_oin_and_a_register_row(run, demo_ws, tmp_path):
    toml = demo_ws / "overleg.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '[partners.GGZ]\n', f'[partners.GGZ]\noin = "{OIN}"\n'), encoding="utf-8")
    out = tmp_path / "uit"
    out.mkdir()
    result = run("export", "--format", "uitkomst", "--partner", "pol", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    path = out / "uitkomst-2026-12-01-POL.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    from overleg.casecache import load_cases
    from overleg.workspace import load_workspace

    mine = {c.id for c in load_cases(load_workspace(demo_ws)).cases if "POL" in c.partners}
    shown = {r["betreft"]["id"] for r in document["resultaten"]}
    assert shown and shown <= mine
    chair = run("export", "--format", "uitkomst")
    assert {r["betreft"]["id"] for r in json.loads(chair.stdout)["resultaten"]} > shown
    assert errors(document, **PROFILE) == []
    conn = sqlite3.connect(demo_ws / "overleg.db")
    row = conn.execute("SELECT kind, format, partner, cases FROM disclosures "
                       "ORDER BY id DESC LIMIT 1 OFFSET 1").fetchone()
    assert row[:3] == ("export", "uitkomst", "POL") and set(json.loads(row[3])) == shown
    full = json.loads(chair.stdout)
    organisations = [a["belegdBij"] for r in full["resultaten"]
                     for a in r["betreft"]["heeftActie"]]
    assert {"naam": "GGZ Hofstad, FACT-team Zuid", "oin": OIN} in organisations
    assert all("oin" not in o for o in organisations if o["naam"] != "GGZ Hofstad, FACT-team Zuid")


def test_an_action_condition_is_the_schemas_conditie(run, example_ws, meeting_day):
    for args in (("agenda", "build"), ("meeting", "start"),
                 ("action", "add", "2026-014", "--owner", "GGZ", "--due", "+2w",
                  "--condition", "als hij de afspraak bij de huisarts mist",
                  "Crisisdienst inschakelen"),
                 ("meeting", "close")):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    document = json.loads(run("export", "--format", "uitkomst").stdout)
    (casus,) = [r for r in document["resultaten"] if r["betreft"]["id"] == "2026-014"]
    (actie,) = casus["betreft"]["heeftActie"]
    assert actie["conditie"] == "als hij de afspraak bij de huisarts mist"
    assert errors(document, **PROFILE) == []


def test_an_open_meeting_has_no_outcome_yet(run, example_ws, meeting_day):
    assert run("agenda", "build").exit_code == 0
    assert run("meeting", "start").exit_code == 0
    result = run("export", "--format", "uitkomst", "--date", "2026-12-01")
    assert result.exit_code == 1
    assert "niet gesloten" in result.stderr
    result = run("export", "--date", "2026-12-01")
    assert result.exit_code == 2 and "--format uitkomst" in result.stderr


def test_an_oin_is_twenty_digits(run, demo_ws):
    toml = demo_ws / "overleg.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "[partners.GGZ]\n", "[partners.GGZ]\noin = 1234\n"), encoding="utf-8")
    result = run("export", "--format", "uitkomst")
    assert result.exit_code == 1
    assert "'oin' van 'GGZ' moet een OIN van 20 cijfers zijn" in result.stderr
