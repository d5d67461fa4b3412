"""Key Vault key rotation policy bounds.

Key Vault refuses a rotation policy whose expiry is shorter than 28 days, that rotates or notifies
less than 7 days after creation or before expiry, or that rotates after the key has expired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$", re.IGNORECASE)


def days(text: str) -> float | None:
    """Days in an ISO 8601 date duration (P1Y, P6M, P30D, P1Y6M); None when it is not one."""
    match = _DURATION.match(text)
    if match is None or not any(match.groups()):
        return None
    years, months, weeks, day_count = (int(group or 0) for group in match.groups())
    return years * 365 + months * 30 + weeks * 7 + day_count


def _duration(resource: Resource, path: str) -> tuple[str, float] | None:
    for prop, value in resource.values(path):
        if value.text is not None and (count := days(value.text)) is not None:
            return prop, count
    return None


def _rotation(resource: Resource, context: Context) -> Iterator[Finding]:
    base = "properties.rotationPolicy"
    expiry = _duration(resource, f"{base}.attributes.expiryTime")
    if expiry is not None and expiry[1] < 28:
        yield Finding(expiry[0], "the rotation policy's expiry time must be at least 28 days")
    actions = [raw for _, raw, _ in resource.raw(f"{base}.lifetimeActions")]
    for index, action in enumerate(actions[0] if actions and isinstance(actions[0], list) else []):
        if not isinstance(action, dict):
            continue
        trigger = action.get("trigger") if isinstance(action.get("trigger"), dict) else {}
        what = action.get("action") if isinstance(action.get("action"), dict) else {}
        kind = str(what.get("type", "")).lower()
        for field in ("timeAfterCreate", "timeBeforeExpiry"):
            text = trigger.get(field)
            count = days(text) if isinstance(text, str) else None
            if count is None:
                continue
            prop = f"{base}.lifetimeActions[{index}].trigger.{field}"
            if count < 7:
                yield Finding(prop, f"{field} must be at least 7 days ({text})")
            elif expiry is not None and kind == "rotate" and field == "timeAfterCreate" and count > expiry[1] - 7:
                yield Finding(prop, f"rotation after {text} falls less than 7 days before the key expires")
            elif expiry is not None and field == "timeBeforeExpiry" and count >= expiry[1]:
                yield Finding(prop, f"{text} before expiry is not within the key's lifetime")


def rotation_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="keyvault.key-rotation-policy",
        title="Key rotation policy: expiry at least 28 days, triggers at least 7 days from creation or expiry",
        reference="https://learn.microsoft.com/azure/key-vault/keys/how-to-configure-key-rotation#key-rotation-policy",
        types=frozenset(("azure-native:keyvault:Key",)),
        check=_rotation,
    )
