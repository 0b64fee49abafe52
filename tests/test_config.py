"""overleg.toml -> Config (with `overleg.toml:LINE: ...` errors)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from overleg.config import Config, MailConfig, Partner, load_config, parse_config
from overleg.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
# proefconfiguratie
[overleg]
naam = "Casusoverleg Zuid"
locatie = "Veiligheidshuis"
voorzitter = "A. de Vries"
geheimhouding = "Blijft binnen dit overleg."
schema = "FREQ=WEEKLY;BYDAY=TU"
begintijd = "09:30"
duur = 120
bewaartermijn = 2
toezicht_dagen = 21
casussen = "dossiers"

[minuten]                   # standaardtijd per agendapunt
nieuw = 20
standaard = 10

[partners.RN]
naam = "Reclassering Nederland"
email = ["toezicht@reclassering.example"]

[partners.POL]
naam = "Politie"
email = "wijkagent@politie.example"

[partners.VZ]
naam = "Verslavingszorg"

[mail]
afzender = "overleg@vh.example"
smtp_host = "mail.vh.example"
smtp_port = 25
starttls = false
gebruiker = "overleg"
"""


def test_good_config_values() -> None:
    assert parse_config(GOOD) == Config(
        naam="Casusoverleg Zuid",
        partners={
            "RN": Partner("RN", "Reclassering Nederland", ("toezicht@reclassering.example",)),
            "POL": Partner("POL", "Politie", ("wijkagent@politie.example",)),
            "VZ": Partner("VZ", "Verslavingszorg", ()),
        },
        locatie="Veiligheidshuis",
        voorzitter="A. de Vries",
        geheimhouding="Blijft binnen dit overleg.",
        schema="FREQ=WEEKLY;BYDAY=TU",
        begintijd=time(9, 30),
        duur=120,
        bewaartermijn=2,
        toezicht_dagen=21,
        casussen="dossiers",
        minuten_nieuw=20,
        minuten_standaard=10,
        mail=MailConfig(afzender="overleg@vh.example", smtp_host="mail.vh.example",
                        smtp_port=25, starttls=False, gebruiker="overleg"),
    )


def test_defaults_of_a_minimal_config() -> None:
    config = parse_config('[overleg]\nnaam = "X"\n')
    assert config == Config(naam="X", partners={})
    assert (config.begintijd, config.duur, config.toezicht_dagen, config.bewaartermijn) == (
        time(9, 30), 120, 30, None)
    assert (config.minuten_nieuw, config.minuten_standaard, config.casussen) == (
        15, 10, "casussen")
    assert config.mail == MailConfig()


def test_partner_name() -> None:
    config = parse_config(GOOD)
    assert config.partner_name("RN") == "Reclassering Nederland"
    assert config.partner_name("GGD") == "GGD"


@pytest.mark.parametrize("path", [ROOT / "examples" / "overleg.toml",
                                  ROOT / "overleg" / "data" / "overleg.toml"])
def test_shipped_configs_are_valid(path: Path) -> None:
    config = load_config(path)
    assert config.schema == "FREQ=WEEKLY;BYDAY=TU"
    assert {"RN", "POL", "GEM", "OM", "GGZ", "VT", "WT", "WC"} <= set(config.partners)


def edit(old: str, new: str) -> str:
    assert GOOD.count(old) == 1, old
    return GOOD.replace(old, new)


RRULE_HINT = "bijv. FREQ=WEEKLY;BYDAY=TU"
BAD = [
    ("unknown key in [overleg]", edit('duur = 120\n', 'duur = 120\nzaal = "2"\n'),
     "overleg.toml:10: onbekende sleutel 'zaal' in [overleg] (toegestaan: begintijd, "
     "bewaartermijn, casussen, doel, duur, geheimhouding, grondslag, locatie, naam, schema, "
     "terugkoppeling_werkdagen, toezicht_dagen, triage, uit_bewaren_dagen, voorzitter)"),
    ("unknown key in [minuten] (header with comment)",
     edit("nieuw = 20\n", "nieuw = 20\nlang = 30\n"),
     "overleg.toml:16: onbekende sleutel 'lang' in [minuten] (toegestaan: nieuw, standaard)"),
    ("unknown key in a partner", edit('naam = "Politie"\n', 'naam = "Politie"\ntel = "112"\n'),
     "overleg.toml:24: onbekende sleutel 'tel' in [partners.POL] (toegestaan: certificaat, "
     "email, naam, oin, taak)"),
    ("unknown key in [mail]", edit("smtp_port = 25\n", "smtp_port = 25\nwachtwoord = \"x\"\n"),
     "overleg.toml:33: onbekende sleutel 'wachtwoord' in [mail] (toegestaan: afzender, "
     "ca_bestand, gebruiker, ondertekenen, smtp_host, smtp_port, smtp_tls, starttls, "
     "versleutelen)"),
    ("unknown table", GOOD + "\n[agenda]\nx = 1\n",
     "overleg.toml:36: onbekende tabel [agenda] (toegestaan: mail, minuten, overleg, partners)"),
    ("key before the first table", "titel = \"x\"\n" + GOOD,
     "overleg.toml:1: onbekende sleutel 'titel' vóór de eerste [tabel] (toegestaan: mail, "
     "minuten, overleg, partners)"),
    ("bad RRULE day", edit("BYDAY=TU", "BYDAY=XX"),
     "overleg.toml:7: 'schema' = 'FREQ=WEEKLY;BYDAY=XX' is ongeldig: geen geldige RRULE "
     f"(fout bij BYDAY); {RRULE_HINT}"),
    ("RRULE without a day", edit("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY"),
     f"overleg.toml:7: 'schema' = 'FREQ=WEEKLY' is ongeldig: noem de dag, {RRULE_HINT}"),
    ("schema not text", edit('schema = "FREQ=WEEKLY;BYDAY=TU"', "schema = 2"),
     "overleg.toml:7: 'schema' moet tekst zijn (tussen aanhalingstekens)"),
    ("begintijd 25:00", edit('"09:30"', '"25:00"'),
     "overleg.toml:8: 'begintijd' = '25:00' is geen tijd (schrijf bijv. \"09:30\")"),
    ("begintijd in words", edit('"09:30"', '"half tien"'),
     "overleg.toml:8: 'begintijd' = 'half tien' is geen tijd (schrijf bijv. \"09:30\")"),
    ("begintijd a TOML time", edit('"09:30"', "09:30:00"),
     "overleg.toml:8: 'begintijd' moet tekst zijn (tussen aanhalingstekens)"),
    ("partner without naam", edit('naam = "Verslavingszorg"\n', ""),
     "overleg.toml:26: partner 'VZ' heeft geen 'naam'"),
    ("partner with empty naam", edit('naam = "Verslavingszorg"', 'naam = " "'),
     "overleg.toml:26: partner 'VZ' heeft geen 'naam'"),
    ("bad partner code", edit("[partners.VZ]", '[partners."V Z"]'),
     "overleg.toml:26: partnercode 'V Z' mag alleen letters, cijfers, '-' en '_' bevatten"),
    ("bad email", edit('["toezicht@reclassering.example"]', '["toezicht.reclassering"]'),
     "overleg.toml:20: 'email' van 'RN' moet een lijst van e-mailadressen zijn"),
    ("email a number", edit('email = "wijkagent@politie.example"', "email = 5"),
     "overleg.toml:24: 'email' van 'POL' moet een lijst van e-mailadressen zijn"),
    ("TOML syntax error", edit('voorzitter = "A. de Vries"', "voorzitter = A. de Vries"),
     "overleg.toml:5: ongeldige TOML: ongeldige waarde: zet tekst tussen aanhalingstekens "
     '(naam = "..."); getallen en true/false zonder'),
    ("TOML error at the end", GOOD + "starttls",
     "overleg.toml:35: ongeldige TOML: na een sleutel hoort '=' (sleutel = waarde); zet tekst "
     'tussen aanhalingstekens (naam = "...")'),
    ("missing [overleg]", GOOD[GOOD.index("[minuten]"):],
     "overleg.toml:1: de tabel [overleg] ontbreekt"),
    ("missing naam", edit('naam = "Casusoverleg Zuid"\n', ""),
     "overleg.toml:2: 'naam' van het overleg ontbreekt"),
    ("duur 0", edit("duur = 120", "duur = 0"),
     "overleg.toml:9: 'duur' = 0 moet een geheel getal van 5 tot en met 1440 zijn"),
    ("duur a day and more", edit("duur = 120", "duur = 1441"),
     "overleg.toml:9: 'duur' = 1441 moet een geheel getal van 5 tot en met 1440 zijn"),
    ("duur as text", edit("duur = 120", 'duur = "120"'),
     "overleg.toml:9: 'duur' = '120' moet een geheel getal van 5 tot en met 1440 zijn"),
    ("minuten 0", edit("standaard = 10", "standaard = 0"),
     "overleg.toml:16: 'standaard' = 0 moet een geheel getal van 1 tot en met 240 zijn"),
    ("bad port", edit("smtp_port = 25", "smtp_port = 70000"),
     "overleg.toml:32: 'smtp_port' = 70000 moet een geheel getal van 1 tot en met 65535 zijn"),
    ("starttls not a boolean", edit("starttls = false", 'starttls = "ja"'),
     "overleg.toml:33: 'starttls' moet true of false zijn"),
]


@pytest.mark.parametrize(("text", "message"), [row[1:] for row in BAD],
                         ids=[row[0] for row in BAD])
def test_bad_config(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value) == message


def test_config_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "overleg.toml"
    path.write_bytes(GOOD.replace("A. de Vries", "A. de Vriès").encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == ("overleg.toml:1: het bestand is geen UTF-8-tekst; sla het op "
                                 "als UTF-8")


def test_config_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "overleg.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert load_config(path) == parse_config(GOOD)


# --- partner codes that differ only in letter case ----------------------------------------

def test_two_partner_codes_differing_only_in_case_are_refused() -> None:
    text = edit('[partners.VZ]\nnaam = "Verslavingszorg"\n',
                '[partners.VZ]\nnaam = "Verslavingszorg"\n\n'
                '[partners.pol]\nnaam = "Politie Zuid"\n')
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value) == ("overleg.toml:29: partnercode 'pol' verschilt alleen in "
                                 "hoofdletters van 'POL' (regel 22); kies één schrijfwijze")


def test_the_case_collision_stops_every_command(run, empty_ws: Path) -> None:
    toml = empty_ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text + '\n[partners.Rn]\nnaam = "Nog een reclassering"\n', encoding="utf-8")
    line = len(text.splitlines()) + 2
    first = text.splitlines().index("[partners.RN]") + 1
    result = run("cases", "list")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"Fout: overleg.toml:{line}: partnercode 'Rn' verschilt alleen in "
                             f"hoofdletters van 'RN' (regel {first}); kies één schrijfwijze\n")


def test_match_code_takes_the_exact_code_first() -> None:
    from overleg.config import match_code

    assert match_code("pol", ["POL", "pol"]) == "pol"
    assert match_code(" POL ", ["pol", "POL"]) == "POL"
    assert match_code("Pol", ["RN", "POL"]) == "POL"


@pytest.mark.parametrize("value, expected", [(None, 30), ("1", 1), ("90", 90), ("3650", 3650)])
def test_uit_bewaren_dagen(value: str | None, expected: int) -> None:
    text = '[overleg]\nnaam = "X"\n' + (f"uit_bewaren_dagen = {value}\n" if value else "")
    assert parse_config(text).uit_bewaren_dagen == expected


@pytest.mark.parametrize("value", ["0", "3651", "-5", "true", '"30"', "2.5"])
def test_uit_bewaren_dagen_is_1_to_3650_days(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(f'[overleg]\nnaam = "X"\nuit_bewaren_dagen = {value}\n')
    shown = {"true": "True", '"30"': "'30'"}.get(value, value)
    assert caught.value.message == (f"overleg.toml:3: 'uit_bewaren_dagen' = {shown} moet een "
                                    "geheel getal van 1 tot en met 3650 zijn")
