"""S/MIME for the e-mails to partners: their certificates, the sender's signing key, and each
message signed and encrypted so that only its partner (and the sender) can read it.

Imported only when a mailing encrypts or signs, and by `mail --check`: `cryptography` costs
more at import than a whole command that does not need it (docs/performance.md).

A message is signed first (multipart/signed, SHA-256, the sender's certificate and chain
inside), then enveloped (CMS EnvelopedData, AES-256-CBC) to every usable certificate of the
partner and to the sender's own certificate, so that the sent copy stays readable. The key
is carried with RSA PKCS#1 v1.5: `cryptography`'s PKCS7EnvelopeBuilder offers no RSA-OAEP
and no key agreement (EC certificates). The outer headers (From, To, Subject, Date,
Message-ID, X-Unsent) stay readable; the subject never carries case data.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from email.generator import BytesGenerator
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from overleg.errors import MailError
from overleg.mailing import resolve

if TYPE_CHECKING:
    from overleg.config import Config

MAX_FILE_BYTES = 1_000_000  # a certificate or PKCS#12 file is a few kB
EXPIRY_WARNING_DAYS = 30  # `mail --check` warns when a certificate ends this soon


# --- certificates ------------------------------------------------------------------------

@dataclass(frozen=True)
class CertInfo:
    """One certificate from a configured file, and why it cannot be used (None: usable)."""

    file: str  # as written in overleg.toml
    subject: str
    emails: tuple[str, ...]
    valid_from: date | None
    valid_until: date | None
    problem: str | None
    certificate: x509.Certificate | None = field(default=None, repr=False, compare=False)

    @property
    def usable(self) -> bool:
        return self.problem is None


def moment(today: date) -> datetime:
    """The time certificates are checked at: now, on overleg's today ($OVERLEG_TODAY)."""
    return datetime.combine(today, datetime.now().time()).astimezone(UTC)


def read_file(path: Path, shown: str) -> bytes:
    """The bytes of a certificate or key file, or MailError naming it (in Dutch)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise MailError(f"{shown}: kan niet gelezen worden ({_os_reason(exc)})") from None
    if len(data) > MAX_FILE_BYTES:
        raise MailError(f"{shown}: is te groot voor een certificaat (meer dan 1 MB)")
    return data


def load_certificates(path: Path, shown: str) -> list[x509.Certificate]:
    """Every certificate in a file: PEM (one or more), DER, or a PKCS#7 bundle (.p7b)."""
    data = read_file(path, shown)
    try:
        if b"-----BEGIN PKCS7-----" in data:
            found = pkcs7.load_pem_pkcs7_certificates(data)
        elif b"-----BEGIN" in data:
            found = x509.load_pem_x509_certificates(data)
        else:
            try:
                found = [x509.load_der_x509_certificate(data)]
            except ValueError:
                found = pkcs7.load_der_pkcs7_certificates(data)
    except ValueError:
        found = []
    if not found:
        raise MailError(f"{shown}: bevat geen leesbaar certificaat (PEM of DER)")
    return list(found)


def describe(cert: x509.Certificate, shown: str, at: datetime, purpose: str) -> CertInfo:
    """A certificate and, checked at `at` for `purpose` (encrypt | sign), what is wrong."""
    from overleg.dates import fmt

    until = cert.not_valid_after_utc
    since = cert.not_valid_before_utc
    try:
        subject = _subject(cert)
    except ValueError:
        subject = "(onleesbare naam)"
    label = f"{shown}: certificaat '{subject}'"
    try:  # cryptography reads extensions and keys only when asked, and may fail then
        emails = _emails(cert)
        key: object = cert.public_key()
        usage = _wrong_usage(cert, purpose)
        is_ca = _is_ca(cert)
    except (ValueError, UnsupportedAlgorithm):
        return CertInfo(shown, subject, (), since.date(), until.date(),
                        f"{label} (geldig tot {fmt(until.date())}) is beschadigd of heeft een "
                        "sleutel die overleg niet kent", cert)
    problem = None
    if at < since:
        problem = f"{label} is pas geldig vanaf {fmt(since.date())}"
    elif at > until:
        problem = f"{label} is verlopen op {fmt(until.date())}"
    elif is_ca:
        problem = (f"{label} (geldig tot {fmt(until.date())}) is een CA-certificaat, niet "
                   "het certificaat van een ontvanger")
    elif purpose == "encrypt" and not isinstance(key, rsa.RSAPublicKey):
        problem = (f"{label} (geldig tot {fmt(until.date())}) heeft geen RSA-sleutel; overleg "
                   "kan alleen naar RSA-certificaten versleutelen")
    elif purpose == "sign" and not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        problem = (f"{label} (geldig tot {fmt(until.date())}) heeft geen RSA- of EC-sleutel "
                   "om mee te ondertekenen")
    elif usage:
        problem = f"{label} (geldig tot {fmt(until.date())}) {usage}"
    return CertInfo(shown, subject, emails, since.date(), until.date(), problem, cert)


def _wrong_usage(cert: x509.Certificate, purpose: str) -> str | None:
    """Why the certificate's key usage does not allow `purpose` (None: it does)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if usage is not None:
        if purpose == "encrypt" and not usage.key_encipherment:
            return ("is niet bedoeld om naar te versleutelen (sleutelgebruik zonder "
                    "keyEncipherment)")
        if purpose == "sign" and not (usage.digital_signature or usage.content_commitment):
            return "is niet bedoeld om mee te ondertekenen (sleutelgebruik zonder digitalSignature)"
    try:
        extended = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    if (ExtendedKeyUsageOID.EMAIL_PROTECTION not in extended
            and ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE not in extended):
        return "is niet bedoeld voor e-mail (extendedKeyUsage zonder emailProtection)"
    return None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _subject(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        return str(names[0].value)
    return cert.subject.rfc4514_string() or "(geen naam)"


def _emails(cert: x509.Certificate) -> tuple[str, ...]:
    found = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)]
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found += names.get_values_for_type(x509.RFC822Name)
    except x509.ExtensionNotFound:
        pass
    return tuple(dict.fromkeys(found))


def _os_reason(exc: OSError) -> str:
    """An OSError in Dutch (Python's strerror is English)."""
    if isinstance(exc, FileNotFoundError):
        return "het bestand bestaat niet"
    if isinstance(exc, PermissionError):
        return "geen toestemming om het te lezen"
    if isinstance(exc, IsADirectoryError):
        return "dat is een map, geen bestand"
    return "leesfout"


# --- the sender's key ----------------------------------------------------------------------

@dataclass(frozen=True)
class Signer:
    """The sender's key and certificate (from `[mail] ondertekenen`), and the chain with it."""

    info: CertInfo
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def certificate(self) -> x509.Certificate:
        assert self.info.certificate is not None
        return self.info.certificate

    @property
    def own_copy(self) -> bool:
        """Whether the sender's certificate can also be a recipient (an RSA key)."""
        return isinstance(self.certificate.public_key(), rsa.RSAPublicKey)


def load_signer(path: Path, shown: str, passphrase: Callable[[], str | None],
                at: datetime) -> Signer:
    """Open the PKCS#12 file: without a password first, else with `passphrase()`."""
    data = read_file(path, shown)
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, None)
    except UnsupportedAlgorithm:
        raise MailError(f"{shown}: het PKCS#12-bestand is versleuteld met een verouderde "
                        "methode; exporteer het opnieuw (met AES-256)") from None
    except ValueError:
        secret = passphrase()
        if secret is None:
            raise MailError(f"{shown}: het PKCS#12-bestand vraagt een wachtwoord; zet "
                            "$OVERLEG_SMIME_PASSWORD of typ het als erom gevraagd wordt"
                            ) from None
        try:
            key, cert, chain = pkcs12.load_key_and_certificates(data, secret.encode("utf-8"))
        except (ValueError, UnsupportedAlgorithm):
            raise MailError(f"{shown}: kan het PKCS#12-bestand niet openen: het wachtwoord "
                            "klopt niet ($OVERLEG_SMIME_PASSWORD) of het is geen PKCS#12-"
                            "bestand (.p12/.pfx)") from None
    if key is None or cert is None:
        raise MailError(f"{shown}: het PKCS#12-bestand bevat niet zowel een sleutel als een "
                        "certificaat")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise MailError(f"{shown}: de sleutel is geen RSA- of EC-sleutel; daarmee kan overleg "
                        "niet ondertekenen")
    info = describe(cert, shown, at, "sign")
    if info.problem:
        raise MailError(info.problem)
    return Signer(info, key, tuple(chain))


# --- what a mailing does per partner ------------------------------------------------------------

@dataclass(frozen=True)
class PartnerSecurity:
    """How one partner's message leaves: encrypted to `recipients`, in clear, or not at all."""

    partner: str
    certificates: tuple[CertInfo, ...]  # everything read from its files, usable or not
    problems: tuple[str, ...]  # files that could not be read, in Dutch
    encrypt: bool
    refused: str | None = None  # why it is not reached (versleutelen = verplicht)

    @property
    def recipients(self) -> tuple[x509.Certificate, ...]:
        return tuple(c.certificate for c in self.certificates
                     if c.usable and c.certificate is not None)

    def uncovered(self, addresses: Sequence[str]) -> list[str]:
        """Addresses that no usable certificate names (they receive what they cannot read)."""
        named = {e.lower() for c in self.certificates if c.usable for e in c.emails}
        return [a for a in addresses if a.lower() not in named]


@dataclass(frozen=True)
class Security:
    """The mailing's protection: the policy, the sender's key, and every partner's plan."""

    policy: str  # verplicht | waar_mogelijk | nee
    signer: Signer | None
    partners: Mapping[str, PartnerSecurity]

    def protector(self, code: str) -> Callable[[EmailMessage], EmailMessage] | None:
        """What makes `code`'s message safe to leave (None: it leaves as it is)."""
        plan = self.partners[code]
        if plan.refused:
            raise AssertionError(f"{code} is not reached; its message is never made")
        recipients = list(plan.recipients) if plan.encrypt else []
        if recipients and self.signer is not None and self.signer.own_copy:
            recipients.append(self.signer.certificate)
        signer = self.signer
        if not recipients and signer is None:
            return None
        return lambda message: protect(message, recipients, signer)


def partner_security(config: Config, root: Path, code: str, at: datetime) -> PartnerSecurity:
    """Read a partner's certificate files and decide, by `[mail] versleutelen`, what happens:
    encrypted when a certificate is usable; without one, in clear only under `waar_mogelijk`
    and only when the partner has no certificate configured at all (a configured one that
    cannot be used is a fault to repair, not a partner that reads mail in clear)."""
    partner = config.partners[code]
    policy = config.mail.versleutelen
    found: list[CertInfo] = []
    problems: list[str] = []
    for name in partner.certificaat:
        try:
            certificates = load_certificates(resolve(root, name), name)
        except MailError as exc:
            problems.append(exc.message)
            continue
        found += [describe(c, name, at, "encrypt") for c in certificates]
    plan = PartnerSecurity(code, tuple(found), tuple(problems), encrypt=False)
    if policy == "nee":
        return plan
    if any(c.usable for c in found):
        return replace(plan, encrypt=True)
    if not partner.certificaat:
        if policy == "waar_mogelijk":
            return plan
        return replace(plan, refused=f"geen certificaat: zet 'certificaat' in [partners.{code}] "
                                     f"(versleutelen = \"{policy}\")")
    reasons = "; ".join(problems + [c.problem for c in found if c.problem])
    return replace(plan, refused=f"geen bruikbaar certificaat: {reasons}")


def mail_security(config: Config, root: Path, codes: Sequence[str], today: date,
                  passphrase: Callable[[], str | None]) -> Security:
    """The protection of a mailing to `codes`: the sender's key opened (when `[mail]
    ondertekenen` names one) and each partner's certificates read and checked."""
    at = moment(today)
    signer = None
    if config.mail.ondertekenen:
        name = config.mail.ondertekenen
        signer = load_signer(resolve(root, name), name, passphrase, at)
    partners = {code: partner_security(config, root, code, at) for code in codes}
    return Security(config.mail.versleutelen, signer, partners)


@dataclass(frozen=True)
class Check:
    """`mail --check`: the protection of a mailing to every partner, and what is wrong with
    the sender's key (then no signer)."""

    security: Security
    signer_problem: str | None


def check_security(config: Config, root: Path, today: date,
                   passphrase: Callable[[], str | None]) -> Check:
    """Every partner's certificates and the sender's key, read and checked as `mail` would."""
    try:
        security = mail_security(config, root, list(config.partners), today, passphrase)
        return Check(security, None)
    except MailError as exc:  # the sender's key: the partners are read all the same
        at = moment(today)
        partners = {code: partner_security(config, root, code, at) for code in config.partners}
        return Check(Security(config.mail.versleutelen, None, partners), exc.message)


def expiring(info: CertInfo, today: date) -> bool:
    """A usable certificate that ends within EXPIRY_WARNING_DAYS."""
    return (info.usable and info.valid_until is not None
            and (info.valid_until - today).days <= EXPIRY_WARNING_DAYS)


def check_lines(checked: Check, config: Config, today: date, written: Collection[str],
                smtp_password_set: bool) -> tuple[list[str], bool]:
    """The report of `mail --check`, line by line, and whether every partner with an address
    is reached and the sender's key can be used. `written`: the keys set in [mail]."""
    from overleg.dates import fmt

    security, policy = checked.security, config.mail.versleutelen
    origin = ""
    if "versleutelen" not in written:
        origin = (" (standaard, want een partner heeft een certificaat)" if policy != "nee"
                  else " (standaard zonder certificaten)")
    lines = [f"Versleutelen: {policy}{origin}"]
    signer = security.signer
    if checked.signer_problem:
        lines.append(f"Ondertekenen: FOUT: {checked.signer_problem}")
    elif signer is not None:
        lines.append(f"Ondertekenen: {signer.info.file}: '{signer.info.subject}', geldig tot "
                     f"{_day(signer.info.valid_until, fmt)}")
    else:
        lines.append("Ondertekenen: nee (geen 'ondertekenen' in [mail])")
    lines.append(f"Mailserver: {server_line(config, smtp_password_set)}")
    warnings: list[str] = []
    if signer is not None and expiring(signer.info, today):
        warnings.append(f"{signer.info.file}: het eigen certificaat verloopt op "
                        f"{_day(signer.info.valid_until, fmt)}")
    ok = not checked.signer_problem
    for code, partner in config.partners.items():
        plan = security.partners[code]
        lines += ["", f"{code}  {partner.naam}", f"    aan: {', '.join(partner.email) or '-'}"]
        lines += [f"    certificaat: {problem}" for problem in plan.problems]
        for info in plan.certificates:
            lines.append(f"    certificaat: {info.problem}" if info.problem else
                         f"    certificaat: {info.file}: '{info.subject}', geldig tot "
                         f"{_day(info.valid_until, fmt)}")
            if expiring(info, today):
                warnings.append(f"{info.file} ({code}) verloopt op "
                                f"{_day(info.valid_until, fmt)}")
        if not partner.certificaat:
            lines.append("    certificaat: geen")
        if not partner.email:
            lines.append("    gevolg: NIET BEREIKT: geen e-mailadres in overleg.toml")
        elif plan.refused:
            ok = False
            what = "geen bruikbaar certificaat" if partner.certificaat else "geen certificaat"
            lines.append(f"    gevolg: NIET BEREIKT: {what} (versleutelen = \"{policy}\")")
        else:
            lines.append(f"    gevolg: {consequence(plan.encrypt, signer is not None)}")
            warnings += [f"{address} ({code}) staat in geen van zijn certificaten; kan dat "
                         "adres het bericht openen?"
                         for address in (plan.uncovered(partner.email) if plan.encrypt else [])]
    if signer is None and any(p.encrypt for p in security.partners.values()):
        warnings.append("zonder 'ondertekenen' in [mail] kan de afzender de verzonden "
                        "berichten en de concepten zelf niet openen")
    if warnings:
        lines += ["", *(f"Let op: {w}." for w in warnings)]
    return lines, ok


def consequence(encrypted: bool, signed: bool) -> str:
    """What happens to a partner's message, in Dutch."""
    if encrypted:
        return "versleuteld (S/MIME, AES-256)" + (" en ondertekend" if signed else "")
    return "onversleuteld" + (", wel ondertekend" if signed else "")


def server_line(config: Config, smtp_password_set: bool) -> str:
    """The submission profile: server, how the connection is protected, the login."""
    mail = config.mail
    how = {"tls": "TLS vanaf het begin (smtp_tls = \"tls\")",
           "starttls": "STARTTLS (smtp_tls = \"starttls\")",
           "geen": "zonder versleuteling (starttls = false: alleen naar localhost)"}
    line = f"{mail.smtp_host}:{mail.smtp_port}, {how[mail.security]}"
    if mail.security != "geen":
        line += "; het certificaat van de server wordt altijd gecontroleerd"
        if mail.ca_bestand:
            line += f" (ook tegen {mail.ca_bestand})"
    if mail.gebruiker:
        given = "gezet" if smtp_password_set else "NIET gezet"
        line += f"; inloggen als {mail.gebruiker} ($OVERLEG_SMTP_PASSWORD {given})"
    return line


def _day(day: date | None, fmt: Callable[[date], str]) -> str:
    return fmt(day) if day else "?"


# --- the message --------------------------------------------------------------------------------

def protect(message: EmailMessage, recipients: Sequence[x509.Certificate],
            signer: Signer | None) -> EmailMessage:
    """The message signed by `signer` (if any), then encrypted to `recipients` (if any). The
    headers outside the MIME body stay as they were."""
    inner = _entity(message)
    if signer is not None:
        inner = _sign(inner, signer)
    if not recipients:
        return _with_body(message, inner)
    builder = pkcs7.PKCS7EnvelopeBuilder().set_data(inner)
    builder = builder.set_content_encryption_algorithm(algorithms.AES256)
    for certificate in recipients:
        builder = builder.add_recipient(certificate)
    enveloped = builder.encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    outer = _headers_of(message)
    outer.policy = message.policy.clone(max_line_length=76)  # base64 lines of 76
    outer.set_content(enveloped, maintype="application", subtype="pkcs7-mime", cte="base64",
                      disposition="attachment", filename="smime.p7m",
                      params={"smime-type": "enveloped-data", "name": "smime.p7m"})
    outer.policy = message.policy
    return outer


def _entity(message: EmailMessage) -> bytes:
    """The MIME body of a message (its Content-* headers and parts) in canonical form: CRLF
    line ends and 7-bit (8-bit text parts become base64), as it is signed and encrypted."""
    body = copy.deepcopy(message)
    for name in list(body.keys()):
        if not name.lower().startswith("content-"):
            del body[name]
    out = io.BytesIO()
    BytesGenerator(out, policy=message.policy.clone(linesep="\r\n", cte_type="7bit")
                   ).flatten(body)
    return out.getvalue()


def _sign(entity: bytes, signer: Signer) -> bytes:
    """A multipart/signed entity: `entity` as it is, and a detached SHA-256 signature."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(entity)
    builder = builder.add_signer(signer.certificate, signer.key, hashes.SHA256())
    for certificate in signer.chain:  # after add_signer, which starts a new list
        builder = builder.add_certificate(certificate)
    return builder.sign(serialization.Encoding.SMIME,
                        [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


def _headers_of(message: EmailMessage) -> EmailMessage:
    """A new message with the headers of `message` that are not about its MIME body."""
    outer = EmailMessage(policy=message.policy)
    for name, value in message.items():
        if not name.lower().startswith("content-") and name.lower() != "mime-version":
            outer[name] = value
    return outer


def _with_body(message: EmailMessage, entity: bytes) -> EmailMessage:
    """The headers of `message` around a signed entity whose bytes must stay exactly as they
    were signed: its body is kept as text, never parsed into parts and generated again."""
    head, _, body = entity.partition(b"\r\n\r\n")
    outer = _headers_of(message)
    outer["MIME-Version"] = "1.0"
    for line in head.decode("ascii").split("\r\n"):
        name, _, value = line.partition(":")
        if name.lower().startswith("content-"):
            outer[name] = value.strip()
    # Stored with LF; the SMTP bytes get CRLF again (overleg.mail.wire_bytes), which is the
    # form that was signed.
    outer.set_payload(body.decode("ascii").replace("\r\n", "\n"))
    return outer
