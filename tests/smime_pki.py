"""A test PKI made with `cryptography`: a CA, a TLS certificate for 127.0.0.1, an S/MIME
certificate and key per partner, the sender's PKCS#12, and certificates that must be refused.
RSA keys are slow to make, so each is made once per test session (functools.cache) and the
bad certificates reuse one partner's key. Nothing here is a test."""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# The example workspace's partners and addresses (examples/overleg.toml); VZ has none.
ADDRESSES = {
    "RN": ("toezicht.denhaag@reclassering.example",),
    "POL": ("wijkagenten.zuid@politie.example",),
    "GEM": ("zorgenveiligheid@gemeente.example", "casusregie.escamp@gemeente.example"),
    "OM": ("zsm.denhaag@om.example",),
    "GGZ": ("fact.zuid@ggz-hofstad.example",),
    "VT": ("casusoverleg@veiligthuis.example",),
    "WT": ("wijkteam.escamp@wijkteam.example",),
    "WC": ("wijkconsulenten@zuidwaarts.example",),
}
SENDER = "casusoverleg@veiligheidshuis.example"
P12_PASSWORD = "p12-geheim"
# Valid around both the tests' today (2026-11-28) and the real clock.
FROM, UNTIL = datetime(2020, 1, 1, tzinfo=UTC), datetime(2040, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Identity:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@functools.cache
def key(name: str) -> rsa.RSAPrivateKey:
    """One 2048-bit RSA key per name, made once per session."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str, email: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "overleg test"),
             x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if email:
        parts.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    return x509.Name(parts)


@functools.cache
def ca() -> Identity:
    private = key("ca")
    name = _name("overleg test-CA")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(private.public_key()).serial_number(1)
            .not_valid_before(FROM).not_valid_after(UNTIL)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .sign(private, hashes.SHA256()))
    return Identity(private, cert)


def _usage(*, signature: bool = False, encipherment: bool = False,
           cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=signature, content_commitment=False,
                         key_encipherment=encipherment, data_encipherment=False,
                         key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
                         encipher_only=False, decipher_only=False)


def issue(subject: x509.Name, public_key: object, *, emails: tuple[str, ...] = (),
          hosts: tuple[str, ...] = (), not_before: datetime = FROM,
          not_after: datetime = UNTIL, usage: x509.KeyUsage | None = None,
          purposes: tuple[x509.ObjectIdentifier, ...] = (ExtendedKeyUsageOID.EMAIL_PROTECTION,),
          is_ca: bool = False) -> x509.Certificate:
    """A certificate signed by the test CA."""
    names: list[x509.GeneralName] = [x509.RFC822Name(e) for e in emails]
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca().cert.subject)
               .public_key(public_key).serial_number(x509.random_serial_number())  # type: ignore[arg-type]
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if purposes:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(purposes)), critical=False)
    return builder.sign(ca().key, hashes.SHA256())


@functools.cache
def partner(code: str) -> Identity:
    """The S/MIME identity of a partner: its own key, its addresses in the certificate."""
    private = key(code)
    cert = issue(_name(f"{code} casusoverleg"), private.public_key(), emails=ADDRESSES[code],
                 usage=_usage(signature=True, encipherment=True))
    return Identity(private, cert)


@functools.cache
def sender() -> Identity:
    private = key("afzender")
    cert = issue(_name("Casusoverleg Zorg en Veiligheid", SENDER), private.public_key(),
                 emails=(SENDER,), usage=_usage(signature=True, encipherment=True))
    return Identity(private, cert)


def sender_p12(password: str | None = P12_PASSWORD) -> bytes:
    me = sender()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode()) if password
        else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(b"afzender", me.key, me.cert, [ca().cert],
                                                 encryption)


@functools.cache
def server() -> Identity:
    """The TLS certificate of the test mail server on 127.0.0.1."""
    private = key("server")
    now = datetime.now(UTC)
    cert = issue(_name("127.0.0.1"), private.public_key(), hosts=("127.0.0.1", "localhost"),
                 not_before=now - timedelta(days=1), not_after=now + timedelta(days=30),
                 usage=_usage(signature=True, encipherment=True),
                 purposes=(ExtendedKeyUsageOID.SERVER_AUTH,))
    return Identity(private, cert)


def bad(kind: str) -> bytes:
    """A certificate (PEM) for POL's addresses that must be refused, or a file that is none."""
    public = key("POL").public_key()
    subject = _name("POL casusoverleg")
    emails = ADDRESSES["POL"]
    both = _usage(signature=True, encipherment=True)
    if kind == "garbage":
        return b"dit is geen certificaat\n"
    if kind == "expired":
        cert = issue(subject, public, emails=emails, usage=both,
                     not_after=datetime(2026, 3, 1, 12, tzinfo=UTC))
    elif kind == "not_yet":
        cert = issue(subject, public, emails=emails, usage=both,
                     not_before=datetime(2027, 6, 1, tzinfo=UTC))
    elif kind == "usage":
        cert = issue(subject, public, emails=emails, usage=_usage(signature=True))
    elif kind == "purpose":
        cert = issue(subject, public, emails=emails, usage=both,
                     purposes=(ExtendedKeyUsageOID.SERVER_AUTH,))
    elif kind == "ec":
        cert = issue(subject, ec.generate_private_key(ec.SECP256R1()).public_key(),
                     emails=emails, usage=_usage(signature=True))
    elif kind == "ca":
        return ca().pem()
    else:
        raise ValueError(kind)
    return cert.public_bytes(serialization.Encoding.PEM)


def install(ws: Path, certificates: dict[str, bytes], mail: dict[str, str] | None = None,
            p12: bytes | None = None) -> None:
    """Write certificate files into ws/certs and name them in overleg.toml: `certificates`
    maps a partner code to the bytes of its file; `mail` adds or replaces [mail] keys (as
    TOML values); `p12` becomes certs/afzender.p12 and `ondertekenen`."""
    folder = ws / "certs"
    folder.mkdir(exist_ok=True)
    toml = ws / "overleg.toml"
    text = toml.read_text(encoding="utf-8")
    for code, data in certificates.items():
        (folder / f"{code.lower()}.pem").write_bytes(data)
        header = f"[partners.{code}]\n"
        start = text.index(header) + len(header)
        text = text[:start] + f'certificaat = "certs/{code.lower()}.pem"\n' + text[start:]
    settings = dict(mail or {})
    if p12 is not None:
        (folder / "afzender.p12").write_bytes(p12)
        settings["ondertekenen"] = '"certs/afzender.p12"'
    for name, value in settings.items():
        text = re.sub(rf"(?m)^{name} = .*\n", "", text)
        text = text.replace("[mail]\n", f"[mail]\n{name} = {value}\n", 1)
    toml.write_text(text, encoding="utf-8")


def all_partners() -> dict[str, bytes]:
    return {code: partner(code).pem() for code in ADDRESSES}


def decrypt(data: bytes, code: str) -> bytes:
    """The inner entity of an encrypted message, opened with `code`'s key ('afzender': the
    sender's); ValueError when that key is not among its recipients."""
    from cryptography.hazmat.primitives.serialization import pkcs7

    who = sender() if code == "afzender" else partner(code)
    return pkcs7.pkcs7_decrypt_smime(data, who.cert, who.key, [])


def signed_content(entity: bytes) -> bytes:
    """The content of a multipart/signed entity, its bytes as signed (CRLF)."""
    import email
    import email.policy

    message = email.message_from_bytes(entity, policy=email.policy.default)
    assert message.get_content_type() == "multipart/signed", message.get_content_type()
    boundary = message.get_boundary()
    assert boundary is not None
    body = entity.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
    first = body.split(b"--" + boundary.encode() + b"\n", 2)[1]
    return first.rsplit(b"\n--", 1)[0].replace(b"\n", b"\r\n")


def verify_with_openssl(entity: bytes, folder: Path) -> bytes:
    """`openssl smime -verify` of a signed entity against the test CA: the content it
    vouches for (raises when the signature does not verify)."""
    import subprocess

    (folder / "ca.pem").write_bytes(ca().pem())
    (folder / "signed.eml").write_bytes(entity)
    done = subprocess.run(["openssl", "smime", "-verify", "-in", str(folder / "signed.eml"),
                           "-CAfile", str(folder / "ca.pem"), "-purpose", "any"],
                          capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode()
    assert b"Verification successful" in done.stderr
    return done.stdout
