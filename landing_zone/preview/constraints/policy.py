"""Built-in policy and initiative assignments against their definitions' parameter metadata.

ARM refuses an assignment that leaves out a parameter without ``defaultValue``, names a parameter
the definition does not declare, or passes a value outside ``allowedValues``. The metadata of the
built-ins we assign is shipped as dated data (``data/policy_definitions.json``); a definition not
in that file is not judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from landing_zone.preview.constraints.data import load
from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, is_unknown, normalize_type, unwrap

ASSIGNMENT_TYPES = (
    "azure-native:authorization:PolicyAssignment",
    "azure:core/subscriptionPolicyAssignment:SubscriptionPolicyAssignment",
    "azure:core/resourceGroupPolicyAssignment:ResourceGroupPolicyAssignment",
    "azure:core/resourcePolicyAssignment:ResourcePolicyAssignment",
    "azure:management/groupPolicyAssignment:GroupPolicyAssignment",
)


def definition_for(definition_id: str) -> Mapping[str, Any] | None:
    """The shipped metadata of a built-in, by its full ID or bare name (GUID)."""
    definitions: Mapping[str, Any] = load("policy_definitions")["definitions"]
    name = definition_id.rstrip("/").rsplit("/", 1)[-1].lower()
    for key, definition in definitions.items():
        if (key.lower() == name and f"/{definition['kind'].lower()}/" in definition_id.lower() + "/") or (
            key.lower() == name and "/" not in definition_id
        ):
            return definition
    return None


def _parameters(resource: Resource) -> dict[str, Any] | None:
    """Parameter name -> value (None when unknown); None when the whole parameters input is unknown."""
    raw_values = [raw for _, raw, _ in resource.raw("parameters")]
    if not raw_values or raw_values[0] is None:
        return {}
    raw = raw_values[0]
    if is_unknown(raw):
        return None
    if isinstance(raw, str):  # classic provider: a JSON document
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, Mapping):
        return None
    found: dict[str, Any] = {}
    for name, wrapped in raw.items():
        entry, _ = unwrap(wrapped)
        value, _ = unwrap(entry.get("value") if isinstance(entry, Mapping) else None)
        found[name] = None if is_unknown(value) else value
    return found


def _check(resource: Resource, context: Context) -> Iterator[Finding]:
    definition_id = resource.value("policyDefinitionId")
    if definition_id is None or definition_id.text is None:
        return
    definition = definition_for(definition_id.text)
    if definition is None:
        return
    given = _parameters(resource)
    if given is None:
        return
    declared: Mapping[str, Any] = definition["parameters"]
    declared_lower = {name.lower(): name for name in declared}
    label = f"'{definition['displayName']}' (version {definition['version']})"
    missing = [
        name
        for name, meta in declared.items()
        if not meta["hasDefault"] and name.lower() not in {g.lower() for g in given}
    ]
    if missing:
        yield Finding(
            "parameters",
            f"{label} has parameters without a default that the assignment does not set: {', '.join(missing)}",
        )
    for name, value in given.items():
        canonical = declared_lower.get(name.lower())
        if canonical is None:
            yield Finding(f"parameters.{name}", f"{label} declares no parameter '{name}'")
            continue
        allowed = declared[canonical].get("allowedValues")
        if allowed is None or value is None:
            continue
        values = value if isinstance(value, list) and declared[canonical]["type"].lower() == "array" else [value]
        allowed_text = {json.dumps(item).lower() for item in allowed}
        for item in values:
            if json.dumps(item).lower() not in allowed_text:
                yield Finding(f"parameters.{name}", f"{label}: '{name}' must be one of {', '.join(map(str, allowed))}")


def policy_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="policy.assignment-parameters",
        title="Built-in policy assignment parameters match the definition",
        reference=load("policy_definitions")["reference"],
        types=frozenset(normalize_type(token) for token in ASSIGNMENT_TYPES),
        check=_check,
    )
