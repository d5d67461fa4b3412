"""Keep secrets out of every artifact the preview writes, and untrusted text out of every terminal.

Two kinds of masking, used together everywhere the preview writes (console, ``--json``, reports, SARIF):

- *Structural*: a value that sits under a secret-bearing property (``administratorLoginPassword``,
  a Key Vault secret's ``value``, ``primaryKey``, any ``connectionString``, ``sasToken``, ...) or
  that the SDK marked secret on the wire is replaced by ``[secret]``; so are the values of
  ``AccountKey=``, ``SharedAccessKey=``, ``Password=`` and SAS ``sig=`` pairs inside any string
  (tags included), and PEM private-key blocks.
- *Textual*: every value found that way is remembered for the run, and every piece of text the
  preview writes (a pack's violation message may quote an input) is scrubbed of each of them, in
  its plain, HTML-escaped, JSON-escaped and CSV-quoted spellings.

Packs see secrets in plaintext (the CLI sends them that way); this module is why no artifact does.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

MASK = "[secret]"
#: The SDK's secret envelope on the wire (``pulumi.runtime.rpc``), kept in JSON so readers know a value was secret.
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE_SIG = "1b47061264138c4ac30d75fd1eb44270"
#: The unknown-value sentinel at preview: not a secret, never masked.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: Property names (lower case, letters and digits only) whose value is a credential wherever they appear.
SECRET_PROPERTY_NAMES = frozenset(
    {
        "password",
        "adminpassword",
        "administratorpassword",
        "administratorloginpassword",
        "adminuserpassword",
        "secret",
        "clientsecret",
        "secretvalue",
        "keys",
        "key1",
        "key2",
        "primarykey",
        "secondarykey",
        "primaryaccesskey",
        "secondaryaccesskey",
        "accesskey",
        "accountkey",
        "storageaccountkey",
        "storageaccountaccesskey",
        "sharedaccesskey",
        "sharedkey",
        "privatekey",
        "privatekeypem",
        "sastoken",
        "sastokens",
        "sasurl",
        "token",
        "accesstoken",
        "authtoken",
        "apikey",
        "masterkey",
        "primarymasterkey",
        "secondarymasterkey",
        "certificatepassword",
        "pfxpassword",
        "sshprivatekey",
    }
)
#: Name endings that always carry a credential (``sqlAdminPassword``, ``primaryConnectionStrings``).
SECRET_NAME_ENDINGS = ("password", "passwd", "connectionstring", "connectionstrings", "sastoken", "clientsecret")
#: A resource type whose token names a secret (``azure-native:keyvault/v20230701:Secret``,
#: ``azure:keyvault/secret:Secret``) holds the secret itself in its ``value`` property.
SECRET_TYPE_MARKER = "secret"

#: ``Name=value`` pairs inside connection strings and SAS URLs, anywhere in any string.
_PAIR = re.compile(
    r"(?P<name>\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|sig|SharedSecretValue|ClientSecret)\s*=)"
    r"(?P<value>[^;&\s\"'<>|(),][^;&\s\"'<>|]*)",
    re.IGNORECASE,
)
_PEM = re.compile(
    r"-----BEGIN (?P<label>[A-Z0-9 ]*PRIVATE KEY)-----.*?(?:-----END (?P=label)-----|$)", re.DOTALL | re.IGNORECASE
)
#: ANSI/VT escape sequences (CSI, OSC, and two-character escapes) and the other terminal controls.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]")
#: C0 and C1 controls except tab and newline, DEL, and Unicode bidi overrides (they reorder what a reader sees).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Secrets shorter than this are scrubbed as whole words only (a short password would otherwise garble text).
_SHORT = 6
#: Shorter values, and literals every report prints, are never scrubbed from text (still masked in place).
_MIN_SECRET = 4
_NOT_SECRETS = frozenset({"true", "false", "null", "none", "enabled", "disabled"})


@lru_cache(maxsize=8192)  # asked of every property name of every registration, for every secret scan
def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_secret_property(name: str, resource_type: str = "") -> bool:
    """True when a property of this name (on this resource type) holds a credential."""
    key = normalise(name)
    if key in SECRET_PROPERTY_NAMES or key.endswith(SECRET_NAME_ENDINGS):
        return True
    return key == "value" and SECRET_TYPE_MARKER in resource_type.lower()


def _is_envelope(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == SECRET_VALUE_SIG


def _mask_leaf(value: Any) -> Any:
    """A credential's value as written: ``[secret]``, except what carries no secret (unknowns, null, booleans)."""
    if value is None or isinstance(value, bool) or value == UNKNOWN:
        return value
    return MASK


def mask_string(text: str) -> str:
    """Mask credential pairs and private keys inside one string (tags, URLs, connection strings)."""
    text = _PEM.sub(MASK, text)
    return _PAIR.sub(lambda match: f"{match.group('name')}{MASK}", text)


def mask_properties(value: Any, resource_type: str = "", _secret: bool = False) -> Any:
    """A copy of wire-format properties with every credential replaced by ``[secret]``.

    Secret envelopes keep their marker (readers see the value *was* secret); values under
    secret-bearing names and credential pairs inside strings are masked whatever their marking.
    """
    if _is_envelope(value):
        return {SECRET_SIG: SECRET_VALUE_SIG, "value": MASK}
    if isinstance(value, Mapping):
        return {
            key: mask_properties(item, resource_type, _secret or is_secret_property(str(key), resource_type))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_properties(item, resource_type, _secret) for item in value]
    if _secret:
        return _mask_leaf(value)
    if isinstance(value, str):
        return mask_string(value)
    return value


def secret_values(value: Any, resource_type: str = "", _secret: bool = False) -> Iterable[str]:
    """Every plaintext credential inside wire-format properties (what `mask_properties` hides)."""
    if _is_envelope(value):
        yield from _all_strings(value.get("value"))
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from secret_values(item, resource_type, _secret or is_secret_property(str(key), resource_type))
        return
    if isinstance(value, list | tuple):
        for item in value:
            yield from secret_values(item, resource_type, _secret)
        return
    if _secret:
        yield from _all_strings(value)
    elif isinstance(value, str):
        for match in _PAIR.finditer(value):
            yield match.group("value")
        for match in _PEM.finditer(value):
            yield match.group(0)


def _all_strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        if value != UNKNOWN:
            yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _all_strings(item)


def strip_controls(text: str) -> str:
    """Text safe for a terminal: escape sequences, control characters and bidi overrides removed (tab and newline stay)."""
    return _CONTROLS.sub("", _ANSI.sub("", text))


def without_controls(value: Any) -> Any:
    """Every string in a JSON-shaped value (keys too) through `strip_controls`: ``--json -`` and SARIF are read
    in terminals and viewers too, and a URN keeps the control characters its resource name had."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, dict):
        return {strip_controls(key): without_controls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_controls(item) for item in value]
    return value


def one_line(text: str) -> str:
    """An untrusted name or value on a single line, safe for a terminal."""
    return strip_controls(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))


class Redactor:
    """The secrets of one run, and the scrubbing every writer applies to its text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._long: set[str] = set()
        self._short: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Remember a secret for text scrubbing; values too short or too common to be one are left to the
        structural masking (scrubbing ``true`` or ``90`` from every text would garble the report)."""
        secret = secret.strip()
        if len(secret) < _MIN_SECRET or secret.lower() in _NOT_SECRETS or secret in (MASK, UNKNOWN):
            return
        target = self._short if len(secret) < _SHORT else self._long
        for spelling in _spellings(secret):
            (self._short if len(spelling) < _SHORT else target).add(spelling)

    @property
    def secrets(self) -> frozenset[str]:
        return frozenset(self._long | self._short)

    @classmethod
    def for_registrations(cls, registrations: Iterable[Any]) -> Redactor:
        """Everything secret in these registrations' inputs and outputs."""
        redactor = cls()
        for registration in registrations:
            redactor.learn_registration(registration)
        return redactor

    def learn_registration(self, registration: Any) -> None:
        """Remember every secret in one registration's inputs, checked inputs and outputs.

        The checked inputs hold what the provider's Check and the packs' remediations made of the inputs: a
        secret a remediation sets is there only (a component's outputs are its own).
        """
        for properties in (registration.inputs, getattr(registration, "checked_inputs", {}), registration.outputs):
            for secret in secret_values(properties, registration.type):
                self.add(secret)

    @classmethod
    def for_result(cls, result: Any) -> Redactor:
        """Everything secret in a preview: registered inputs and outputs, and the stack's secret config values."""
        run = getattr(result, "run", result)
        redactor = cls.for_registrations(getattr(run, "registrations", []))
        for secret in getattr(result, "secret_config_values", ()) or ():
            redactor.add(secret)
        return redactor

    def scrub(self, text: str) -> str:
        """``text`` with every known secret of the run, and every credential pair or private key, masked."""
        if not text:
            return text
        text = mask_string(text)
        for secret in sorted(self._long, key=len, reverse=True):
            if secret in text:
                text = text.replace(secret, MASK)
        for secret in self._short:
            if secret in text:
                text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
        return text

    def scrub_data(self, value: Any) -> Any:
        """Scrub every string (keys included) in a JSON-like document."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, Mapping):
            return {self.scrub(str(key)): self.scrub_data(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_data(item) for item in value]
        return value


def config_secrets(values: Mapping[str, str], secret_keys: Iterable[str] = ()) -> list[str]:
    """Stack config values that are credentials: keys marked secret, or named like one (``proj:sqlPassword``),
    and credential-named fields inside object values (they arrive as JSON)."""
    marked = set(secret_keys)
    found: list[str] = []
    for key, value in values.items():
        name = key.rsplit(":", 1)[-1]
        if key in marked or is_secret_property(name):
            found.append(value)
            continue
        try:
            document = json.loads(value)
        except (TypeError, ValueError):
            found.extend(secret_values(value))
            continue
        found.extend(_config_object_secrets(document))
    return [value for value in found if isinstance(value, str) and value]


def _config_object_secrets(value: Any, secret: bool = False) -> Iterable[str]:
    """Credentials inside a config object: the values of credential-named fields, and pairs or keys in strings.

    Unlike a resource's properties, a config object names its sections freely: ``landingZone.keys`` holds
    ``keySize: 3072``, not account keys. So a credential-named field whose value is an object is a section and
    its own fields are judged by their names; a credential-named field holding a value or a list is a secret.
    """
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _config_object_secrets(item, is_secret_property(str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _config_object_secrets(item, secret)
    elif secret:
        yield from _all_strings(value)
    elif isinstance(value, str):
        yield from secret_values(value)


class ScrubbingWriter:
    """A text stream that scrubs what it is given before passing it on (``contextlib.redirect_stderr``)."""

    def __init__(self, stream: Any, redactor: Redactor) -> None:
        self._stream = stream
        self._redactor = redactor

    def write(self, text: str) -> int:
        self._stream.write(self._redactor.scrub(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def _spellings(secret: str) -> set[str]:
    """The forms a secret takes once written: plain, HTML-escaped, JSON-escaped, CSV-quoted, Markdown-escaped."""
    return {
        secret,
        html.escape(secret),
        html.escape(secret, quote=False),
        json.dumps(secret)[1:-1],
        secret.replace('"', '""'),
        secret.replace("|", "\\|"),
    } - {""}


__all__ = [
    "MASK",
    "Redactor",
    "ScrubbingWriter",
    "config_secrets",
    "is_secret_property",
    "mask_properties",
    "mask_string",
    "one_line",
    "secret_values",
    "strip_controls",
    "without_controls",
]
