"""S/MIME: partner certificates, the sender's PKCS#12, the `versleutelen` policy, encrypted
drafts, `mail --check`, and the mail/partner keys of overleg.toml. The PKI is made in the
test (tests/smime_pki.py), each RSA key once per session."""

from __future__ import annotations

import email
import email.policy
import shutil
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
import smime_pki as pki

from overleg.config import parse_config
from overleg.errors import ConfigError, MailError
from overleg.mail import build_message
from overleg.store import Store

HERE = Path(__file__).resolve().parent
EXAMPLE = parse_config((HERE.parent / "examples" / "overleg.toml").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 28)
REACHED = list(pki.ADDRESSES)  # the demo's minutes of 01-12-2026 go to every partner but VZ
SUBJECT = "Verslag en acties Casusoverleg Zorg en Veiligheid Den Haag Zuid 01-12-2026"
openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def body(message: EmailMessage, kind: str = "plain") -> str:
    """A text part as the reader sees it (signed content is canonical: CRLF line ends)."""
    part = message.get_body((kind,))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


def signer(tmp_path: Path):
    from overleg.smime import load_signer, moment

    path = tmp_path / "afzender.p12"
    path.write_bytes(pki.sender_p12())
    return load_signer(path, "certs/afzender.p12", lambda: pki.P12_PASSWORD, moment(TODAY))


# --- one message --------------------------------------------------------------------------

def test_a_message_opens_with_its_partners_key_and_the_senders_only(tmp_path):
    from overleg.smime import protect

    text = "Casus 2026-014 — J.d.V. — alleen voor POL ë\n"
    plain = build_message(EXAMPLE, "POL", SUBJECT, text, f"<p>{text}</p>\n", b"BEGIN:VCALENDAR")
    message = protect(plain, [pki.partner("POL").cert, pki.sender().cert], signer(tmp_path))
    data = message.as_bytes()
    assert b"2026-014" not in data and b"J.d.V." not in data
    outer = parse(data)
    assert [(k, str(v)) for k, v in outer.items()][:6] == [
        (k, str(v)) for k, v in plain.items()][:6]  # From, To, Subject, Date, Message-ID, X-Unsent
    assert outer.get_content_type() == "application/pkcs7-mime"
    assert outer.get_param("smime-type") == "enveloped-data"
    assert max(len(line) for line in data.splitlines()) <= 998
    inner = pki.decrypt(data, "POL")
    assert pki.decrypt(data, "afzender") == inner  # the sent copy stays readable
    with pytest.raises(ValueError):
        pki.decrypt(data, "RN")
    content = parse(pki.signed_content(inner))
    assert body(content) == text
    assert body(content, "html") == f"<p>{text}</p>\n"
    (ics,) = content.iter_attachments()
    assert ics.get_filename() == "acties.ics"


@openssl
def test_the_signature_verifies_inside_and_without_encryption(tmp_path):
    from overleg.mail import wire_bytes
    from overleg.smime import protect

    plain = build_message(EXAMPLE, "RN", SUBJECT, "tekst ë\n.punt\n", "<p>html</p>\n")
    key = signer(tmp_path)
    inner = pki.decrypt(protect(plain, [pki.partner("RN").cert], key).as_bytes(), "RN")
    vouched = parse(pki.verify_with_openssl(inner, tmp_path))
    assert body(vouched) == "tekst ë\n.punt\n"
    # Signed only (waar_mogelijk without a certificate): the draft file and the SMTP bytes.
    signed = protect(plain, [], key)
    for data in (signed.as_bytes(), wire_bytes(signed)):
        assert parse(data).get_content_type() == "multipart/signed"
        vouched = parse(pki.verify_with_openssl(data, tmp_path))
        assert body(vouched) == "tekst ë\n.punt\n"


def test_encrypted_without_a_signature():
    from overleg.smime import protect

    plain = build_message(EXAMPLE, "RN", SUBJECT, "t\n", "<p>t</p>\n")
    inner = parse(pki.decrypt(protect(plain, [pki.partner("RN").cert], None).as_bytes(), "RN"))
    assert inner.get_content_type() == "multipart/alternative"
    assert body(inner) == "t\n"


# --- certificates that must be refused -------------------------------------------------------

LABEL = "certs/pol.pem: certificaat 'POL casusoverleg'"


@pytest.mark.parametrize("kind, problem", [
    ("expired", f"{LABEL} is verlopen op 01-03-2026"),
    ("not_yet", f"{LABEL} is pas geldig vanaf 01-06-2027"),
    ("usage", f"{LABEL} (geldig tot 01-01-2040) is niet bedoeld om naar te versleutelen "
              "(sleutelgebruik zonder keyEncipherment)"),
    ("purpose", f"{LABEL} (geldig tot 01-01-2040) is niet bedoeld voor e-mail "
                "(extendedKeyUsage zonder emailProtection)"),
    ("ec", f"{LABEL} (geldig tot 01-01-2040) heeft geen RSA-sleutel; overleg kan alleen naar "
           "RSA-certificaten versleutelen"),
    ("ca", "certs/pol.pem: certificaat 'overleg test-CA' (geldig tot 01-01-2040) is een "
           "CA-certificaat, niet het certificaat van een ontvanger"),
    ("garbage", "certs/pol.pem: bevat geen leesbaar certificaat (PEM of DER)"),
    ("missing", "certs/pol.pem: kan niet gelezen worden (het bestand bestaat niet)"),
])
def test_an_unusable_certificate_is_refused_naming_the_file_and_the_date(tmp_path, kind,
                                                                         problem):
    from overleg.smime import moment, partner_security

    (tmp_path / "certs").mkdir()
    if kind != "missing":
        (tmp_path / "certs" / "pol.pem").write_bytes(pki.bad(kind))
    config = parse_config(_with_certificate(EXAMPLE_TEXT, "POL"))
    assert config.mail.versleutelen == "verplicht"  # the default once a partner has one
    plan = partner_security(config, tmp_path, "POL", moment(TODAY))
    assert (plan.encrypt, plan.recipients) == (False, ())
    assert plan.refused == f"geen bruikbaar certificaat: {problem}"


def test_der_and_a_bundle_with_an_old_certificate(tmp_path):
    from cryptography.hazmat.primitives.serialization import Encoding

    from overleg.smime import moment, partner_security

    (tmp_path / "certs").mkdir()
    config = parse_config(_with_certificate(EXAMPLE_TEXT, "POL"))
    (tmp_path / "certs" / "pol.pem").write_bytes(pki.partner("POL").cert.public_bytes(Encoding.DER))
    plan = partner_security(config, tmp_path, "POL", moment(TODAY))
    assert plan.encrypt and plan.recipients == (pki.partner("POL").cert,)
    assert plan.uncovered(pki.ADDRESSES["POL"] + ("ander@politie.example",)) == [
        "ander@politie.example"]
    # A renewal kept in the same file: the expired one is listed, the valid one used.
    (tmp_path / "certs" / "pol.pem").write_bytes(pki.bad("expired") + pki.partner("POL").pem())
    plan = partner_security(config, tmp_path, "POL", moment(TODAY))
    assert plan.recipients == (pki.partner("POL").cert,)
    assert [c.problem for c in plan.certificates] == [f"{LABEL} is verlopen op 01-03-2026", None]


# --- configuration -----------------------------------------------------------------------------

EXAMPLE_TEXT = (HERE.parent / "examples" / "overleg.toml").read_text(encoding="utf-8")


def _with_certificate(text: str, code: str, value: str | None = None) -> str:
    header = f"[partners.{code}]\n"
    line = f"certificaat = {value or chr(34) + 'certs/' + code.lower() + '.pem' + chr(34)}\n"
    return text.replace(header, header + line)


def _mail(text: str, extra: str) -> str:
    return text.replace("[mail]\n", "[mail]\n" + extra)


def test_the_new_keys_and_their_defaults():
    assert (EXAMPLE.mail.versleutelen, EXAMPLE.mail.smtp_tls, EXAMPLE.mail.security) == (
        "nee", "starttls", "starttls")
    assert EXAMPLE.partners["POL"].certificaat == ()
    config = parse_config(_mail(_with_certificate(EXAMPLE_TEXT, "POL", '["a.pem", "b.cer"]'),
                                'smtp_tls = "tls"\nca_bestand = "certs/ca.pem"\n'
                                'ondertekenen = "certs/afzender.p12"\n'
                                'versleutelen = "waar_mogelijk"\n').replace(
                                    "smtp_port = 587\n", ""))
    mail = config.mail
    assert (mail.smtp_tls, mail.security, mail.smtp_port) == ("tls", "tls", 465)
    assert (mail.ca_bestand, mail.ondertekenen, mail.versleutelen) == (
        "certs/ca.pem", "certs/afzender.p12", "waar_mogelijk")
    assert config.partners["POL"].certificaat == ("a.pem", "b.cer")
    assert parse_config(EXAMPLE_TEXT.replace("starttls = true", "starttls = false")
                        ).mail.security == "geen"


@pytest.mark.parametrize("edit, message", [
    (lambda t: _mail(t, 'versleutelen = "altijd"\n'),
     "overleg.toml:90: 'versleutelen' = 'altijd' is ongeldig; kies uit \"verplicht\", "
     "\"waar_mogelijk\", \"nee\""),
    (lambda t: _mail(t, 'smtp_tls = "ssl"\n'),
     "overleg.toml:90: 'smtp_tls' = 'ssl' is ongeldig; kies uit \"starttls\", \"tls\""),
    (lambda t: _mail(t.replace("starttls = true", "starttls = false"), 'smtp_tls = "tls"\n'),
     "overleg.toml:98: 'starttls = false' (geen versleuteling, alleen naar localhost) en "
     "'smtp_tls' gaan niet samen; haal er een weg"),
    (lambda t: _mail(t, 'ca_bestand = ""\n'),
     "overleg.toml:90: 'ca_bestand' is leeg; geef een bestandsnaam of haal de regel weg"),
    (lambda t: _with_certificate(t, "POL", "3"),
     "overleg.toml:56: 'certificaat' moet een bestandsnaam zijn (tekst), of een lijst van "
     "bestandsnamen"),
    (lambda t: _with_certificate(t, "POL", '["a.pem", ""]'),
     "overleg.toml:56: 'certificaat' moet een bestandsnaam zijn (tekst), of een lijst van "
     "bestandsnamen"),
])
def test_a_wrong_value_names_the_file_and_line(edit, message):
    with pytest.raises(ConfigError) as caught:
        parse_config(edit(EXAMPLE_TEXT))
    assert caught.value.message == message


# --- the sender's PKCS#12 ---------------------------------------------------------------------

def test_the_pkcs12_is_opened_without_asking_when_it_has_no_password(tmp_path):
    from overleg.smime import load_signer, moment

    path = tmp_path / "a.p12"
    path.write_bytes(pki.sender_p12(None))

    def never() -> str:
        raise AssertionError("asked for a password")

    key = load_signer(path, "a.p12", never, moment(TODAY))
    assert key.certificate == pki.sender().cert and key.chain == (pki.ca().cert,)


@pytest.mark.parametrize("given, message", [
    (None, "certs/afzender.p12: het PKCS#12-bestand vraagt een wachtwoord; zet "
           "$OVERLEG_SMIME_PASSWORD of typ het als erom gevraagd wordt"),
    ("fout", "certs/afzender.p12: kan het PKCS#12-bestand niet openen: het wachtwoord klopt "
             "niet ($OVERLEG_SMIME_PASSWORD) of het is geen PKCS#12-bestand (.p12/.pfx)"),
])
def test_a_pkcs12_that_does_not_open(tmp_path, given, message):
    from overleg.smime import load_signer, moment

    path = tmp_path / "afzender.p12"
    path.write_bytes(pki.sender_p12())
    with pytest.raises(MailError) as caught:
        load_signer(path, "certs/afzender.p12", lambda: given, moment(TODAY))
    assert caught.value.message == message


# --- through the CLI: drafts ----------------------------------------------------------------

def minutes_of(run, code: str) -> str:
    result = run("minutes", "--partner", code, "--format", "txt")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def register(ws: Path) -> list[tuple[str | None, str, str]]:
    store = Store.open(ws / "overleg.db")
    try:
        return [(r.partner, r.format, r.file or "") for r in store.disclosures()
                if r.who != "demo"]
    finally:
        store.close()


@pytest.mark.slow
def test_every_draft_is_encrypted_to_its_partner_and_holds_exactly_its_minutes(
        run, demo_ws, monkeypatch):
    certificates = pki.all_partners()
    del certificates["WC"]
    pki.install(demo_ws, certificates, p12=pki.sender_p12())
    monkeypatch.setenv("OVERLEG_SMIME_PASSWORD", pki.P12_PASSWORD)
    result = run("mail", "-o", "concepten")
    assert result.exit_code == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    rows = [row for row in rows if row[0] in ("partner", *REACHED, "VZ")]  # GEM's 2nd line
    assert [row[0] for row in rows] == ["partner", *REACHED[:-1], "WC", "VZ"]
    assert rows[1][:3] == ["RN", "toezicht.denhaag@reclassering.example", "versleuteld"]
    assert result.stderr == (
        "Elke e-mail is ondertekend met het certificaat uit 'ondertekenen' in [mail].\n"
        "Let op: WC niet bereikt: geen certificaat: zet 'certificaat' in [partners.WC] "
        "(versleutelen = \"verplicht\").\n"
        "Concepten staan in concepten. Verstuur met --send.\n")
    drafts = {p.stem.rsplit("-", 1)[1]: p.read_bytes() for p in Path("concepten").glob("*.eml")}
    assert sorted(drafts) == sorted(REACHED[:-1])  # no draft for WC at all
    for code, data in drafts.items():
        assert b"2026-0" not in data  # not one case id in clear on disk
        assert parse(data)["X-Unsent"] == "1"
        inner = pki.decrypt(data, code)
        content = parse(pki.signed_content(inner))
        assert body(content) == minutes_of(run, code), code
        other = REACHED[(REACHED.index(code) + 1) % 7]
        with pytest.raises(ValueError):
            pki.decrypt(data, other)
    assert [r[:2] for r in register(demo_ws) if r[1] == "eml"] == [
        (code, "eml") for code in REACHED[:-1]]


def test_a_configured_certificate_that_cannot_be_used_keeps_the_partner_from_clear_text(
        run, demo_ws):
    # waar_mogelijk: in clear only to a partner without any certificate configured.
    pki.install(demo_ws, {"RN": pki.partner("RN").pem(), "POL": pki.bad("expired")},
                mail={"versleutelen": '"waar_mogelijk"'})
    result = run("mail", "-o", "concepten")
    assert result.exit_code == 0, result.stderr
    assert ("Let op: POL niet bereikt: geen bruikbaar certificaat: certs/pol.pem: certificaat "
            "'POL casusoverleg' is verlopen op 01-03-2026.\n") in result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["POL"].split() == ["POL", "NIET", "BEREIKT:", "geen", "bruikbaar",
                                    "certificaat"]
    assert "versleuteld" in lines["RN"].split() and "ONVERSLEUTELD" in lines["GEM"].split()
    folder = Path("concepten")
    assert not (folder / "verslag-2026-12-01-POL.eml").exists()
    assert parse((folder / "verslag-2026-12-01-RN.eml").read_bytes()).get_content_type() == (
        "application/pkcs7-mime")
    gem = parse((folder / "verslag-2026-12-01-GEM.eml").read_bytes())
    assert body(gem) == minutes_of(run, "GEM")


def test_versleutelen_nee_sends_in_clear_whatever_the_certificates(run, demo_ws):
    pki.install(demo_ws, {"RN": pki.bad("garbage")}, mail={"versleutelen": '"nee"'})
    result = run("mail", "-o", "concepten")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["partner", "aan", "bestand"]
    draft = parse(Path("concepten/verslag-2026-12-01-RN.eml").read_bytes())
    assert draft.get_content_type() == "multipart/alternative"


def test_an_old_draft_in_clear_is_removed_when_the_partner_is_no_longer_reached(run, demo_ws):
    assert run("mail", "-o", "concepten").exit_code == 0  # no certificates: drafts in clear
    old = Path("concepten/verslag-2026-12-01-POL.eml")
    assert old.exists()
    pki.install(demo_ws, {"POL": pki.bad("not_yet")})
    result = run("mail", "-o", "concepten")
    assert result.exit_code == 0
    assert not old.exists()
    assert ("Let op: POL niet bereikt: geen bruikbaar certificaat: certs/pol.pem: certificaat "
            "'POL casusoverleg' is pas geldig vanaf 01-06-2027; het oude concept "
            "verslag-2026-12-01-POL.eml is verwijderd.\n") in result.stderr


@pytest.mark.parametrize("password, env, code, message", [
    ("fout", True, 1, "Fout: certs/afzender.p12: kan het PKCS#12-bestand niet openen: het "
                      "wachtwoord klopt niet ($OVERLEG_SMIME_PASSWORD) of het is geen "
                      "PKCS#12-bestand (.p12/.pfx)\n"),
    (pki.P12_PASSWORD, False, 0, "Wachtwoord van certs/afzender.p12: "),  # asked, typed
    (None, False, 1, "Wachtwoord van certs/afzender.p12: Fout: certs/afzender.p12: het "
                     "PKCS#12-bestand vraagt een wachtwoord; zet $OVERLEG_SMIME_PASSWORD of "
                     "typ het als erom gevraagd wordt\n"),
])
def test_the_password_of_the_pkcs12_comes_from_the_environment_or_a_prompt(
        run, demo_ws, monkeypatch, password, env, code, message):
    pki.install(demo_ws, {"RN": pki.partner("RN").pem()}, p12=pki.sender_p12())
    if env:
        monkeypatch.setenv("OVERLEG_SMIME_PASSWORD", password)
    typed = f"{password}\n" if password and not env else None
    result = run("mail", "-o", "concepten", input=typed)
    assert result.exit_code == code
    assert result.stderr.startswith(message)
    written = sorted(p.name for p in Path("concepten").glob("*.eml")) if code == 0 else []
    assert len(written) == (1 if code == 0 else 0)  # only RN has a certificate (verplicht)
    assert (len([r for r in register(demo_ws) if r[1] == "eml"]) == 1) is (code == 0)


# --- mail --check -----------------------------------------------------------------------------

def test_check_lists_every_partner_and_what_happens(run, demo_ws, monkeypatch):
    certificates = pki.all_partners()
    certificates["GGZ"] = pki.bad("expired")
    del certificates["WC"]
    pki.install(demo_ws, certificates, p12=pki.sender_p12(),
                mail={"smtp_tls": '"tls"', "smtp_port": "465",
                      "ca_bestand": '"certs/ca.pem"'})
    monkeypatch.setenv("OVERLEG_SMIME_PASSWORD", pki.P12_PASSWORD)
    before = (demo_ws / "overleg.db").read_bytes()
    result = run("mail", "--check")
    assert result.exit_code == 1  # GGZ and WC have an address but would not be reached
    text = result.stdout
    assert text.startswith(
        "Versleutelen: verplicht (standaard, want een partner heeft een certificaat)\n"
        "Ondertekenen: certs/afzender.p12: 'Casusoverleg Zorg en Veiligheid', geldig tot "
        "01-01-2040\n"
        "Mailserver: localhost:465, TLS vanaf het begin (smtp_tls = \"tls\"); het certificaat "
        "van de server wordt altijd gecontroleerd (ook tegen certs/ca.pem); inloggen als "
        "casusoverleg ($OVERLEG_SMTP_PASSWORD NIET gezet)\n\n"
        "RN  Reclassering Nederland\n"
        "    aan: toezicht.denhaag@reclassering.example\n"
        "    certificaat: certs/rn.pem: 'RN casusoverleg', geldig tot 01-01-2040\n"
        "    gevolg: versleuteld (S/MIME, AES-256) en ondertekend\n\n")
    assert ("GGZ  GGZ Hofstad, FACT-team Zuid\n"
            "    aan: fact.zuid@ggz-hofstad.example\n"
            "    certificaat: certs/ggz.pem: certificaat 'POL casusoverleg' is verlopen op "
            "01-03-2026\n"
            "    gevolg: NIET BEREIKT: geen bruikbaar certificaat (versleutelen = "
            "\"verplicht\")\n") in text
    assert ("    certificaat: geen\n"
            "    gevolg: NIET BEREIKT: geen certificaat (versleutelen = \"verplicht\")\n") in text
    assert text.endswith("VZ  Verslavingszorg Haaglanden\n    aan: -\n    certificaat: geen\n"
                         "    gevolg: NIET BEREIKT: geen e-mailadres in overleg.toml\n")
    assert (demo_ws / "overleg.db").read_bytes() == before  # nothing written, nothing sent
    assert not (demo_ws / "uit" / "mail").exists()


def test_check_of_a_workspace_without_certificates(run, example_ws):
    result = run("mail", "--check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "Versleutelen: nee (standaard zonder certificaten)",
        "Ondertekenen: nee (geen 'ondertekenen' in [mail])",
        "Mailserver: localhost:587, STARTTLS (smtp_tls = \"starttls\"); het certificaat van de "
        "server wordt altijd gecontroleerd; inloggen als casusoverleg ($OVERLEG_SMTP_PASSWORD "
        "NIET gezet)"]
    assert "    gevolg: onversleuteld\n" in result.stdout


@pytest.mark.parametrize("args, message", [
    (("--check", "--send"), "Fout: --check verstuurt niets; gebruik het zonder --send en "
                            "--again.\n"),
    (("--again", "POL"), "Fout: --again hoort bij --send: overleg mail --send --again CODE.\n"),
])
def test_options_that_do_not_go_together(run, demo_ws, args, message):
    result = run("mail", *args)
    assert (result.exit_code, result.stderr) == (1, message)


# --- start-up: cryptography only where it is needed ------------------------------------------

def imported_by(ws: Path, *args: str) -> set[str]:
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "overleg"
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env |= {"OVERLEG_WORKSPACE": str(ws), "NO_COLOR": "1",
            "OVERLEG_SMIME_PASSWORD": pki.P12_PASSWORD}
    done = subprocess.run([sys.executable, "-X", "importtime", str(script), *args],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
            if line.startswith("import time:")}


@pytest.mark.slow
def test_cryptography_is_imported_only_when_mail_signs_or_encrypts(demo_ws, tmp_path):
    plain = imported_by(demo_ws, "mail", "-o", str(tmp_path / "a"))
    assert "overleg" in plain and "cryptography" not in plain
    pki.install(demo_ws, {"RN": pki.partner("RN").pem()})
    assert "cryptography" in imported_by(demo_ws, "mail", "-o", str(tmp_path / "b"))
