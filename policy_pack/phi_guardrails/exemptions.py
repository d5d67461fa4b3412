"""Exemptions: a named rule, a resource (URN or glob on URN or name), a written reason, an expiry date.

Configured per rule, in the same JSON the CLI takes with ``--policy-pack-config``::

    {"keyvault-purge-protection": {"exemptions": [
        {"resource": "*legacy-vault*", "reason": "Migrating to the hardened vault by Q3; tracked in RISK-42.",
         "expires": "2027-06-30", "approvedBy": "CISO"}]}}

The CLI validates the schema (so an exemption without a reason, or with a reason shorter than 20
characters, is itself an error). An active exemption turns the violation into a "not applicable"
verdict carrying the reason and expiry (the compliance report lists it as exempted); an expired one
enforces the rule again and says so in the violation.
"""

from __future__ import annotations

import fnmatch
import os
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
                "description": "Why the rule does not apply; auditors read it.",
            },
            "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "YYYY-MM-DD"},
            "approvedBy": {"type": "string"},
        },
        "required": ["resource", "reason", "expires"],
        "additionalProperties": False,
    },
}
#: Override "today" for a reproducible audit of a past or future date (YYYY-MM-DD).
EVALUATION_DATE_VARIABLE = "PHI_GUARDRAILS_EVALUATION_DATE"


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


def evaluation_date() -> date:
    override = os.environ.get(EVALUATION_DATE_VARIABLE)
    return date.fromisoformat(override) if override else datetime.now(UTC).date()


def exemptions_from(config: Mapping[str, Any] | None) -> list[Exemption]:
    entries: Sequence[Any] = (config or {}).get("exemptions") or []
    result = []
    for entry in entries:
        try:
            result.append(
                Exemption(
                    resource=str(entry["resource"]),
                    reason=str(entry["reason"]),
                    expires=date.fromisoformat(str(entry["expires"])),
                    approved_by=entry.get("approvedBy"),
                )
            )
        except (KeyError, ValueError, TypeError):
            continue  # the CLI's schema validation rejects malformed entries before the pack runs
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
