"""Exemptions: a named rule, a resource (URN or glob on URN or name), a written reason, an expiry date.

Configured per rule, in the same JSON the CLI takes with ``--policy-pack-config``::

    {"keyvault-purge-protection": {"exemptions": [
        {"resource": "*legacy-vault*", "reason": "Migrating to the hardened vault by Q3; tracked in RISK-42.",
         "expires": "2027-06-30", "approvedBy": "CISO"}]}}

The CLI validates the schema (so an exemption without a reason, or with a reason shorter than 20
characters, is itself an error). The schema cannot say everything: a reason of 20 spaces or an
expiry of ``2026-02-30`` fits it, so `exemptions_from` refuses them too (`InvalidExemptionError`:
the policy errors and the preview fails) rather than silently dropping the exemption. An active exemption turns the violation into a "not applicable"
verdict carrying the reason and expiry (the compliance report lists it as exempted); an expired one
enforces the rule again and says so in the violation.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

#: The schema of the ``exemptions`` setting every rule accepts.
EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "resource": {
                "type": "string",
                "minLength": 1,
                "description": "A URN, or a glob matched against URN and name.",
            },
            "reason": {
                "type": "string",
                "minLength": 20,
                "pattern": "\\S",
                "description": "Why the rule does not apply; auditors read it.",
            },
            "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD"},
            "approvedBy": {"type": "string", "pattern": "\\S"},
        },
        "required": ["resource", "reason", "expires"],
        "additionalProperties": False,
    },
}
#: Override "today" for a reproducible audit of a past or future date (YYYY-MM-DD).
EVALUATION_DATE_VARIABLE = "PHI_GUARDRAILS_EVALUATION_DATE"
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class InvalidExemptionError(ValueError):
    """An exemption the schema let through but that cannot be honoured: never dropped silently."""


@dataclass(frozen=True)
class Exemption:
    resource: str
    reason: str
    expires: date
    approved_by: str | None = None

    def matches(self, urn: str, name: str) -> bool:
        if self.resource == urn:
            return True
        return fnmatch.fnmatchcase(urn, self.resource) or fnmatch.fnmatchcase(name, self.resource)

    def describe(self) -> str:
        approver = f", approved by {self.approved_by}" if self.approved_by else ""
        return f"exempted until {self.expires.isoformat()}{approver}: {self.reason}"


def _calendar_date(text: str) -> date | None:
    """A strict YYYY-MM-DD date that exists (``2026-02-30`` does not); None otherwise."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def evaluation_date() -> date:
    override = os.environ.get(EVALUATION_DATE_VARIABLE)
    if not override:
        return datetime.now(UTC).date()
    parsed = _calendar_date(override.strip())
    if parsed is None:
        raise InvalidExemptionError(f"{EVALUATION_DATE_VARIABLE} must be a real date written YYYY-MM-DD")
    return parsed


def exemptions_from(config: Mapping[str, Any] | None) -> list[Exemption]:
    """The rule's exemptions; raises `InvalidExemptionError` naming the entry and key for one that is unusable."""
    entries: Sequence[Any] = (config or {}).get("exemptions") or []
    result = []
    for index, entry in enumerate(entries):
        where = f"exemptions[{index}]"
        if not isinstance(entry, Mapping):
            raise InvalidExemptionError(f"{where} must be an object with resource, reason and expires")
        resource, reason, expires = entry.get("resource"), entry.get("reason"), entry.get("expires")
        approver = entry.get("approvedBy")
        if not isinstance(resource, str) or not resource.strip():
            raise InvalidExemptionError(f"{where}.resource must name a URN or a glob")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidExemptionError(f"{where}.reason is missing or blank; write why the rule does not apply")
        expiry = _calendar_date(expires) if isinstance(expires, str) else None
        if expiry is None:
            raise InvalidExemptionError(f"{where}.expires must be a real date written YYYY-MM-DD")
        if approver is not None and (not isinstance(approver, str) or not approver.strip()):
            raise InvalidExemptionError(f"{where}.approvedBy must name who accepted the risk, or be left out")
        result.append(Exemption(resource=resource, reason=reason.strip(), expires=expiry, approved_by=approver))
    return result


def find(exemptions: Sequence[Exemption], urn: str, name: str) -> tuple[Exemption | None, Exemption | None]:
    """The active exemption for a resource, and else the latest expired one (for the message)."""
    today = evaluation_date()
    matching = [exemption for exemption in exemptions if exemption.matches(urn, name)]
    active = next((exemption for exemption in matching if exemption.expires >= today), None)
    expired = max(
        (exemption for exemption in matching if exemption.expires < today), key=lambda e: e.expires, default=None
    )
    return active, expired
