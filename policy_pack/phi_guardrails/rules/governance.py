"""Rules for any resource in any stack: data residency, required tags, BAA-covered services, no secrets in the clear.

Settings (``--policy-pack-config``): ``data-residency.allowedRegions`` (default: US regions),
``required-tags.tags`` (default: dataClassification, owner, environment), ``phi-baa-covered-service``'s
``classificationTag``, ``phiValues`` and ``catalogAdditions``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, Severity
from pulumi_policy.proxy import UnknownValueError

from phi_guardrails import citations
from phi_guardrails.catalogs import CORE_TAGGABLE_TYPES, US_REGIONS, baa_catalog, covered_service
from phi_guardrails.framework import ANY_TYPE as EVERY_TYPE
from phi_guardrails.framework import ResourceRule, ResourceView, Target, entries, is_mapping
from phi_guardrails.untrusted import quoted

#: Every type: these rules read whatever a stack registers.
ANY_TYPE = (EVERY_TYPE,)
DEFAULT_REQUIRED_TAGS = ("dataClassification", "owner", "environment")
CLASSIFICATION_TAG_SPELLINGS = ("dataclassification", "data-classification", "data_classification", "classification")
_NON_LOCATIONS = {"global", ""}

#: Shapes of values that are secrets wherever they appear (high confidence; no generic entropy guessing).
SECRET_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    (
        "an account or shared access key",
        re.compile(r"(AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{20,}={0,2}", re.IGNORECASE),
    ),
    ("a SAS signature", re.compile(r"[?&]sig=[A-Za-z0-9%+/]{20,}", re.IGNORECASE)),
    ("a password in a connection string", re.compile(r"(?:^|;)\s*(password|pwd)\s*=\s*[^;\s]{3,}", re.IGNORECASE)),
    ("credentials in a URL", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)),
    ("a JSON web token", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
    ("an Entra client secret", re.compile(r"[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{31,34}")),
)
SECRET_TAG_NAMES = re.compile(
    r"(password|passwd|secret|token|apikey|api-key|connectionstring|accesskey)", re.IGNORECASE
)
#: In a tag any credential assignment counts, however short its value (``AccountKey=abc``): tags are
#: readable by every Reader and copied into every preview artifact, so there is no "too short to matter".
TAG_CREDENTIAL_ASSIGNMENT = re.compile(
    r"(?:^|[;&?\s])(accountkey|sharedaccesskey|sharedaccesssignature|password|pwd|clientsecret|client_secret|sig)"
    r"\s*=\s*[^;&\s]",
    re.IGNORECASE,
)


def _normalize_region(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def _residency(view: ResourceView) -> Iterable[str]:
    location = view.get("location")
    if not isinstance(location, str) or _normalize_region(location) in _NON_LOCATIONS:
        return
    allowed = [_normalize_region(str(region)) for region in (view.config.get("allowedRegions") or US_REGIONS)]
    if _normalize_region(location) not in allowed:
        yield "the resource's region is outside the allowed regions (location); PHI must stay where the data-residency policy says"


def _tags(view: ResourceView) -> Mapping[str, Any] | None:
    tags = view.get("tags")
    return tags if is_mapping(tags) else None


def _is_taggable(view: ResourceView) -> bool:
    return view.type in CORE_TAGGABLE_TYPES or view.has("tags")


def _required_tags(view: ResourceView) -> Iterable[str]:
    if not view.type.startswith(("azure-native:", "azure:")) or not _is_taggable(view):
        return
    required = [str(tag) for tag in (view.config.get("tags") or DEFAULT_REQUIRED_TAGS)]
    present = {str(key).lower(): value for key, value in (_tags(view) or {}).items()}
    missing = [tag for tag in required if not str(present.get(tag.lower()) or "").strip()]
    if missing:
        yield f"required tags are missing or empty: {', '.join(missing)}"


def _classification(view: ResourceView, tag_name: str) -> str | None:
    tags = _tags(view) or {}
    spellings = {tag_name.lower(), *CLASSIFICATION_TAG_SPELLINGS}
    for key, value in tags.items():
        if str(key).lower() in spellings and isinstance(value, str):
            return value.strip().lower()
    return None


def _baa_covered(view: ResourceView) -> Iterable[str]:
    tag_name = str(view.config.get("classificationTag") or "dataClassification")
    phi_values = {str(value).lower() for value in (view.config.get("phiValues") or ["phi"])}
    if _classification(view, tag_name) not in phi_values:
        return
    additions = [str(addition) for addition in entries(view.config.get("catalogAdditions"))]
    if covered_service(view.type, additions) is None:
        catalog = baa_catalog()
        yield (
            f"this resource is tagged as PHI but its service is not in the HIPAA BAA catalog "
            f"(version {catalog['version']}, reviewed {catalog['reviewed']}); only BAA-covered services may hold PHI"
        )


def _strings(value: Any, path: str) -> Iterable[tuple[str, str]]:
    """Every string in a property tree with its path; values unknown at preview are skipped (nothing to scan yet)."""
    if isinstance(value, str):
        yield path, value
        return
    if is_mapping(value):
        children = [(str(key), key) for key in value]
    elif isinstance(value, Sequence) and not isinstance(value, bytes):
        children = [(f"[{index}]", index) for index in range(len(value))]
    else:
        return
    for label, key in children:
        try:
            item = value[key]
        except UnknownValueError:
            continue
        child_path = f"{path}{label}" if label.startswith("[") else (f"{path}.{label}" if path else label)
        yield from _strings(item, child_path)


def _secret_kind(text: str) -> str | None:
    return next((kind for kind, pattern in SECRET_SHAPES if pattern.search(text)), None)


def _no_secrets_in_tags(view: ResourceView) -> Iterable[str]:
    for key, value in (_tags(view) or {}).items():
        name_kind = _secret_kind(str(key)) or (
            "a credential assignment" if TAG_CREDENTIAL_ASSIGNMENT.search(str(key)) else None
        )
        if name_kind:  # the secret is in the tag's name: never echo it
            yield f"a tag name holds {name_kind}; tags are readable by anyone with Reader access"
            continue
        if SECRET_TAG_NAMES.search(str(key)) and isinstance(value, str) and value.strip():
            yield f"tag {quoted(key)} looks like it holds a credential; tags are readable by anyone with Reader access"
            continue
        kind = _secret_kind(value) if isinstance(value, str) else None
        if kind is None and isinstance(value, str) and TAG_CREDENTIAL_ASSIGNMENT.search(value):
            kind = "a credential assignment (such as AccountKey= or Password=)"
        if kind:
            yield f"tag {quoted(key)} holds {kind}; tags are readable by anyone with Reader access"


def _no_plaintext_secrets(view: ResourceView) -> Iterable[str]:
    for path, text in _strings(view.props, ""):
        if path.split(".")[0].lower() == "tags":
            continue  # tags have their own, mandatory rule
        kind = _secret_kind(text)
        if kind:
            yield (
                f"{quoted(path, 120)} holds {kind}; unless it is a Pulumi secret it is stored in plaintext in the state. "
                "Prefer managed identities; otherwise pass it with pulumi.Output.secret or a Key Vault reference"
            )


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="data-residency",
        description="Every resource with a location must be in the allowed regions (default: US regions).",
        citation=citations.BUSINESS_ASSOCIATES,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Deploy in an allowed region, or add the region to data-residency.allowedRegions after legal review.",
        targets=(Target(ANY_TYPE, _residency),),
        config_schema=PolicyConfigSchema(
            properties={
                "allowedRegions": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "default": list(US_REGIONS),
                }
            }
        ),
    ),
    ResourceRule(
        id="required-tags",
        description="Every taggable resource must carry the required tags (default: dataClassification, owner, environment).",
        citation=citations.ACCESS_MANAGEMENT,
        related=(citations.ACTIVITY_REVIEW,),
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Add the tags; our components set them from the landing-zone config (tags section).",
        targets=(Target(ANY_TYPE, _required_tags),),
        config_schema=PolicyConfigSchema(
            properties={"tags": {"type": "array", "items": {"type": "string"}, "default": list(DEFAULT_REQUIRED_TAGS)}}
        ),
    ),
    ResourceRule(
        id="phi-baa-covered-service",
        description="Resources classified as PHI must be services covered by Microsoft's HIPAA Business Associate Agreement.",
        citation=citations.BUSINESS_ASSOCIATES,
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Move the PHI to a BAA-covered service, or, once Microsoft lists the service as in scope, add it to "
            "phi-baa-covered-service.catalogAdditions (for example 'azure-native:cdn')."
        ),
        targets=(Target(ANY_TYPE, _baa_covered),),
        config_schema=PolicyConfigSchema(
            properties={
                "classificationTag": {"type": "string", "default": "dataClassification"},
                "phiValues": {"type": "array", "items": {"type": "string"}, "default": ["phi"]},
                "catalogAdditions": {"type": "array", "items": {"type": "string"}, "default": []},
            }
        ),
    ),
    ResourceRule(
        id="no-secrets-in-tags",
        description="Tags must never hold keys, passwords, tokens or connection strings.",
        citation=citations.ACCESS_CONTROL,
        related=(citations.ENTITY_AUTHENTICATION,),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the value from the tag and rotate the credential: it has been visible to every reader.",
        targets=(Target(ANY_TYPE, _no_secrets_in_tags),),
    ),
    ResourceRule(
        id="no-plaintext-secrets",
        description="Inputs should not carry secret-shaped values (keys, connection strings, passwords, tokens) in plaintext.",
        citation=citations.ACCESS_CONTROL,
        related=(citations.ENTITY_AUTHENTICATION,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.ADVISORY,
        remediation=(
            "Use managed identities and Entra ID instead of keys; where a secret is unavoidable, pass it with "
            "pulumi.Output.secret (encrypted in state) or reference it from Key Vault."
        ),
        targets=(Target(ANY_TYPE, _no_plaintext_secrets),),
    ),
)
