"""overleg.toml -> frozen dataclasses (the workspace around it: overleg.workspace)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from overleg.errors import ConfigError, InvalidInput, OverlegError
from overleg.text import control_character

# \Z, not $: `$` also matches before a final newline, so "POL\n" would pass.
CODE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,15}\Z")

_KEYS: dict[str, set[str]] = {
    "overleg": {
        "naam", "locatie", "voorzitter", "geheimhouding", "schema", "begintijd", "duur",
        "bewaartermijn", "toezicht_dagen", "casussen", "doel", "grondslag",
        "uit_bewaren_dagen", "triage", "terugkoppeling_werkdagen",
    },
    "minuten": {"nieuw", "standaard"},
    "mail": {"afzender", "smtp_host", "smtp_port", "starttls", "gebruiker", "smtp_tls",
             "ca_bestand", "ondertekenen", "versleutelen"},
    "partner": {"naam", "email", "certificaat", "taak", "oin"},
}


# `[mail] versleutelen`: S/MIME for every message, where a partner has a certificate, or never.
ENCRYPTION_POLICIES = ("verplicht", "waar_mogelijk", "nee")
# `[mail] smtp_tls`: STARTTLS on the submission port, or TLS from the first byte (port 465).
SMTP_TLS = ("starttls", "tls")


@dataclass(frozen=True)
class Partner:
    code: str
    naam: str
    email: tuple[str, ...] = ()
    certificaat: tuple[str, ...] = ()  # certificate files (PEM or DER), as written in the toml
    taak: str = ""  # the partner's statutory task, stated in an information request (uitvraag)
    oin: str | None = None  # Organisatie-identificatienummer (20 digits): the Uitkomst export


@dataclass(frozen=True)
class MailConfig:
    afzender: str = ""
    smtp_host: str = "localhost"
    smtp_port: int = 587
    starttls: bool = True  # False: no TLS at all, only to a loopback server (for tests)
    gebruiker: str | None = None
    smtp_tls: str = "starttls"  # starttls | tls (implicit TLS); see `security`
    ca_bestand: str | None = None  # extra CA certificates to trust for the server (PEM)
    ondertekenen: str | None = None  # the sender's PKCS#12: signing key and own certificate
    versleutelen: str = "nee"  # verplicht | waar_mogelijk | nee (ENCRYPTION_POLICIES)

    @property
    def security(self) -> str:
        """How the connection to the server is protected: tls, starttls or geen."""
        return self.smtp_tls if self.starttls else "geen"


@dataclass(frozen=True)
class Config:
    naam: str
    partners: dict[str, Partner]
    locatie: str = ""
    voorzitter: str = ""
    geheimhouding: str = ""
    schema: str | None = None
    begintijd: time = time(9, 30)
    duur: int = 120
    bewaartermijn: int | None = None
    toezicht_dagen: int = 30
    uit_bewaren_dagen: int = 30  # purge removes documents in uit/ older than this
    casussen: str = "casussen"
    minuten_nieuw: int = 15
    minuten_standaard: int = 10
    mail: MailConfig = field(default_factory=MailConfig)
    doel: str = ""  # purpose of the processing, in every document's footer and the register
    grondslag: str = ""  # its legal basis
    triage: bool = False  # referrals are triaged before they reach the agenda (issue 16)
    terugkoppeling_werkdagen: int = 5  # working days in which a referrer hears the outcome

    def partner_code(self, code: str) -> str:
        """A configured agency code (typed in any letter case), or InvalidInput naming them."""
        return match_code(code, self.partners)

    def partner_name(self, code: str) -> str:
        """The agency's full name, or the code itself when unknown."""
        partner = self.partners.get(code)
        return partner.naam if partner else code


def match_code(code: str, known: Iterable[str]) -> str:
    """`code` as one of the `known` agency codes, exactly as written or else whatever its
    letter case, or InvalidInput."""
    known = list(known)
    wanted = code.strip()
    if wanted in known:
        return wanted
    for candidate in known:
        if candidate.lower() == wanted.lower():
            return candidate
    raise InvalidInput(f"partner '{code}' staat niet in overleg.toml. "
                       f"Bekend: {', '.join(known)}.")


def load_config(path: Path) -> Config:
    """Read and validate overleg.toml; errors name the file and line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}:1: het bestand is geen UTF-8-tekst; sla het op als "
                          "UTF-8") from None
    except OSError as exc:
        from overleg.files import os_reason

        raise ConfigError(f"{path.name}: kan niet gelezen worden ({os_reason(exc)})") from None
    return parse_config(text, path.name)


def parse_config(text: str, name: str = "overleg.toml") -> Config:
    """Validate the text of an overleg.toml."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+)", str(exc))
        end = max(1, len(text.splitlines())) if "(at end of document)" in str(exc) else 1
        line = match.group(1) if match else str(end)
        reason = re.sub(r"\s*\(at (line|end of document).*\)$", "", str(exc))
        raise ConfigError(f"{name}:{line}: ongeldige TOML: {toml_reason(reason)}") from None
    return _Validator(text, name).config(data)


_QUOTES = "zet tekst tussen aanhalingstekens (naam = \"...\")"
# tomllib's messages (without their position) in Dutch; the first that matches wins.
_TOML_REASONS: tuple[tuple[str, str], ...] = (
    (r"Invalid value", f"ongeldige waarde: {_QUOTES}; getallen en true/false zonder"),
    (r"Expected '=' after a key", f"na een sleutel hoort '=' (sleutel = waarde); {_QUOTES}"),
    (r"Expected newline or end of document",
     f"na de waarde staat nog iets op de regel; {_QUOTES}"),
    (r"Unterminated string", "een aanhalingsteken wordt geopend maar niet gesloten"),
    (r"Unescaped '\\'", "een '\\' in tekst tussen dubbele aanhalingstekens; schrijf '\\\\' of "
                        "gebruik enkele aanhalingstekens"),
    (r"Invalid hex value|Unicode scalar", "een ongeldige \\u-code in tekst"),
    (r"Unclosed array", "een lijst [ ] is niet afgesloten met ']'"),
    (r"Unclosed inline table", "een tabel { } is niet afgesloten met '}'"),
    (r"Expected '\]\]'", "de tabelnaam mist ']]' aan het eind"),
    (r"Expected '\]' at the end of a table", "de tabelnaam mist ']' aan het eind"),
    (r"Cannot declare (.+) twice", "de tabel staat er twee keer in"),
    (r"Cannot overwrite a value|Duplicate inline table key",
     "een sleutel staat er twee keer in"),
    (r"immutable namespace|Cannot redefine namespace",
     "deze tabel of sleutel is al eerder vastgelegd"),
    (r"Invalid initial character for a key", "een sleutel begint met een teken dat niet mag"),
    (r"Invalid date or datetime", "ongeldige datum of tijd"),
    (r"Illegal character|Found invalid character", "een teken dat hier niet mag (een stuurteken?)"),
    (r"Invalid statement", "ongeldige regel: verwacht 'sleutel = waarde' of een [tabel]"),
    (r"Expected '(.+)'", "hier ontbreekt iets (controleer aanhalingstekens en haakjes)"),
)


def toml_reason(message: str) -> str:
    """A tomllib error message in Dutch."""
    for pattern, reason in _TOML_REASONS:
        if re.search(pattern, message):
            return reason
    return "de regel is niet te lezen; controleer aanhalingstekens, haakjes en '='"


class _Validator:
    def __init__(self, text: str, name: str) -> None:
        self.lines = text.splitlines()
        self.name = name

    def line_of(self, section: str, key: str | None = None) -> int:
        """The line of `key` in [section] (or of the section header itself)."""
        current = ""
        header_line = 1
        # A header may spell a control character as an escape: [partners."POL\n"].
        escaped = section.encode("unicode_escape").decode("ascii")
        for number, raw in enumerate(self.lines, start=1):
            stripped = raw.strip()
            # A header may carry a comment: '[minuten]   # standaardtijd per agendapunt'.
            if header := re.match(r"\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", stripped):
                current = re.sub(r"\s*\.\s*", ".", header.group(1)).replace('"', "")
                if current in (section, escaped):
                    header_line = number
                    if key is None:
                        return number
                continue
            if current == section and key and re.match(rf"{re.escape(key)}\s*=", stripped):
                return number
        return header_line

    def fail(self, section: str, key: str | None, message: str) -> OverlegError:
        return ConfigError(f"{self.name}:{self.line_of(section, key)}: {message}")

    def check_keys(self, section: str, table: Any, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(table, dict):
            raise self.fail(section, None, f"[{section}] moet een tabel zijn")
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                if not section and isinstance(table[key], dict):
                    raise self.fail(key, None, f"onbekende tabel [{key}] (toegestaan: {known})")
                where = f"in [{section}]" if section else "vóór de eerste [tabel]"
                raise self.fail(section, key, f"onbekende sleutel '{key}' {where} "
                                              f"(toegestaan: {known})")
        return table

    def text(self, section: str, table: dict[str, Any], key: str, default: str = "",
             lines: bool = False) -> str:
        """A text value; one line without control characters (several lines with `lines`):
        it goes into mail headers, file names and the terminal."""
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.fail(section, key, f"'{key}' moet tekst zijn (tussen aanhalingstekens)")
        if problem := control_character(value, lines):
            fix = "haal het weg" if lines else "schrijf de waarde op één regel, zonder stuurtekens"
            raise self.fail(section, key, f"'{key}' bevat {problem}; {fix}")
        return value

    def number(self, section: str, table: dict[str, Any], key: str, default: int | None,
               low: int, high: int) -> int | None:
        value = table.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(section, key, f"'{key}' = {value!r} moet een geheel getal van "
                                          f"{low} tot en met {high} zijn")
        return value

    def config(self, data: dict[str, Any]) -> Config:
        from overleg import dates

        self.check_keys("", data, {"overleg", "minuten", "partners", "mail"})
        if "overleg" not in data:
            raise ConfigError(f"{self.name}:1: de tabel [overleg] ontbreekt")
        o = self.check_keys("overleg", data["overleg"], _KEYS["overleg"])
        naam = self.text("overleg", o, "naam")
        if not naam.strip():
            raise self.fail("overleg", "naam", "'naam' van het overleg ontbreekt")
        schema = o.get("schema")
        if schema is not None:
            schema = self.text("overleg", o, "schema", lines=True)  # RRULE + DTSTART line
            if problem := dates.check_schedule(schema):
                raise self.fail("overleg", "schema", f"'schema' = '{schema}' is ongeldig: "
                                                     f"{problem}")
        begin = self.text("overleg", o, "begintijd", "09:30")
        try:
            begintijd = dates.parse_time(begin)
        except OverlegError:
            raise self.fail("overleg", "begintijd", f"'begintijd' = '{begin}' is geen tijd "
                                                    "(schrijf bijv. \"09:30\")") from None
        m = self.check_keys("minuten", data.get("minuten", {}), _KEYS["minuten"])
        return Config(
            naam=naam,
            locatie=self.text("overleg", o, "locatie"),
            voorzitter=self.text("overleg", o, "voorzitter"),
            geheimhouding=self.text("overleg", o, "geheimhouding"),
            schema=schema,
            begintijd=begintijd,
            duur=self.number("overleg", o, "duur", 120, 5, 24 * 60) or 120,
            bewaartermijn=self.number("overleg", o, "bewaartermijn", None, 0, 100),
            toezicht_dagen=self.number("overleg", o, "toezicht_dagen", 30, 0, 366) or 0,
            uit_bewaren_dagen=self.number("overleg", o, "uit_bewaren_dagen", 30, 1,
                                          3650) or 30,
            casussen=self.text("overleg", o, "casussen", "casussen") or "casussen",
            doel=self.text("overleg", o, "doel"),
            grondslag=self.text("overleg", o, "grondslag"),
            triage=self.flag("overleg", o, "triage", False),
            terugkoppeling_werkdagen=self.number("overleg", o, "terugkoppeling_werkdagen", 5,
                                                 1, 60) or 5,
            minuten_nieuw=self.number("minuten", m, "nieuw", 15, 1, 240) or 15,
            minuten_standaard=self.number("minuten", m, "standaard", 10, 1, 240) or 10,
            partners=(partners := self.partners(data.get("partners", {}))),
            mail=self.mail(data.get("mail", {}),
                           any(p.certificaat for p in partners.values())),
        )

    def partners(self, table: Any) -> dict[str, Partner]:
        if not isinstance(table, dict):
            raise self.fail("partners", None, "[partners] moet tabellen bevatten, "
                                              "zoals [partners.RN]")
        partners: dict[str, Partner] = {}
        folded: dict[str, str] = {}  # lower case -> the code as written
        for code, entry in table.items():
            section = f"partners.{code}"
            if not CODE_RE.fullmatch(code):
                # repr: a code with a line break shows it as \n, on one line.
                raise self.fail(section, None, f"partnercode {code!r} mag alleen letters, "
                                               "cijfers, '-' en '_' bevatten")
            # Codes are typed in any letter case (match_code): two that differ only in
            # case would make 'pol' mean either partner.
            if (other := folded.setdefault(code.lower(), code)) != code:
                raise self.fail(section, None, f"partnercode '{code}' verschilt alleen in "
                                               f"hoofdletters van '{other}' (regel "
                                               f"{self.line_of(f'partners.{other}')}); "
                                               "kies één schrijfwijze")
            entry = self.check_keys(section, entry, _KEYS["partner"])
            naam = self.text(section, entry, "naam")
            if not naam.strip():
                raise self.fail(section, None, f"partner '{code}' heeft geen 'naam'")
            email = entry.get("email", [])
            if isinstance(email, str):
                email = [email]
            if not isinstance(email, list) or not all(
                isinstance(a, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", a)
                and control_character(a) is None for a in email
            ):
                raise self.fail(section, "email", f"'email' van '{code}' moet een lijst van "
                                                  "e-mailadressen zijn")
            oin = entry.get("oin")
            if oin is not None and not (isinstance(oin, str) and re.fullmatch(r"\d{20}", oin)):
                raise self.fail(section, "oin", f"'oin' van '{code}' moet een OIN van 20 "
                                                'cijfers zijn, als tekst: oin = "000000..."')
            partners[code] = Partner(code, naam, tuple(email),
                                     self.files(section, entry, "certificaat"),
                                     self.text(section, entry, "taak"), oin)
        return partners

    def files(self, section: str, table: dict[str, Any], key: str) -> tuple[str, ...]:
        """A file name or a list of them (relative to the workspace, or absolute)."""
        value = table.get(key, [])
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip()
                                                  for n in names):
            raise self.fail(section, key, f"'{key}' moet een bestandsnaam zijn (tekst), of "
                                          "een lijst van bestandsnamen")
        for name in names:
            if problem := control_character(name):
                raise self.fail(section, key, f"'{key}' bevat {problem}; haal het weg")
        return tuple(names)

    def flag(self, section: str, table: dict[str, Any], key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(section, key, f"'{key}' moet true of false zijn (zonder "
                                          "aanhalingstekens)")
        return value

    def choice(self, section: str, table: dict[str, Any], key: str, default: str,
               allowed: tuple[str, ...]) -> str:
        value = table.get(key, default)
        if value not in allowed:
            raise self.fail(section, key, f"'{key}' = {value!r} is ongeldig; kies uit "
                                          + ", ".join(f'"{a}"' for a in allowed))
        return str(value)

    def mail(self, table: Any, any_certificate: bool = False) -> MailConfig:
        m = self.check_keys("mail", table, _KEYS["mail"])
        starttls = m.get("starttls", True)
        if not isinstance(starttls, bool):
            raise self.fail("mail", "starttls", "'starttls' moet true of false zijn")
        smtp_tls = self.choice("mail", m, "smtp_tls", "starttls", SMTP_TLS)
        if not starttls and "smtp_tls" in m:
            raise self.fail("mail", "starttls", "'starttls = false' (geen versleuteling, alleen "
                                                "naar localhost) en 'smtp_tls' gaan niet samen; "
                                                "haal er een weg")
        gebruiker = m.get("gebruiker")
        optional = {key: self.text("mail", m, key) if key in m else None
                    for key in ("ca_bestand", "ondertekenen")}
        for key, value in optional.items():
            if value is not None and not value.strip():
                raise self.fail("mail", key, f"'{key}' is leeg; geef een bestandsnaam of haal "
                                             "de regel weg")
        # Once any partner has a certificate, nothing goes out in clear unless the chair says so.
        policy = self.choice("mail", m, "versleutelen",
                             "verplicht" if any_certificate else "nee", ENCRYPTION_POLICIES)
        return MailConfig(
            afzender=self.text("mail", m, "afzender"),
            smtp_host=self.text("mail", m, "smtp_host", "localhost"),
            smtp_port=self.number("mail", m, "smtp_port", 465 if smtp_tls == "tls" else 587,
                                  1, 65535) or 587,
            starttls=starttls,
            gebruiker=self.text("mail", m, "gebruiker") if gebruiker is not None else None,
            smtp_tls=smtp_tls,
            ca_bestand=optional["ca_bestand"],
            ondertekenen=optional["ondertekenen"],
            versleutelen=policy,
        )
