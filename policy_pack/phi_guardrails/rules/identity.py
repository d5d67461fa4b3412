"""Privileged access: no standing grants that can hand out access, and no custom roles with wildcard actions.

Standing grants. A role assignment is permanent (standing) access; a PIM eligibility
(``authorization:PimRoleEligibilitySchedule``, classic ``azure:pim/eligibleRoleAssignment``) must be
activated, time-bound and justified, so it is not read here. A classic PIM *active* assignment
(``azure:pim/activeRoleAssignment``) is standing unless ``schedule.expiration`` bounds it; it has no
``principalType``, so it is treated as Azure's default (User). A standing grant of a role that can
assign roles (Owner, User Access Administrator, Role Based Access Control Administrator; the dated
table in ``data/privileged_roles.json``) to a user or group (``principalType`` User, Group or
ForeignGroup, or missing: Azure's default is User) at subscription, management-group or root scope
fails unless an ABAC ``condition`` constrains it (Microsoft's pattern for delegating role
assignment management: learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-overview).
Role GUIDs come from learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged;
the classic provider may name the role instead (``roleDefinitionName``). A scope that is not a
literal ARM ID is reported as such (fail closed) rather than passed.

Custom roles. A custom role definition (``authorization:RoleDefinition``, classic
``azure:authorization/roleDefinition:RoleDefinition``) must not grant ``*`` or a provider-root
wildcard such as ``*/write``, ``*/delete`` or ``*/action`` in ``actions`` or ``dataActions``, whatever its
``notActions`` (an allow-list with exceptions is still everything not yet excluded, including
operations Azure adds later). ``*/read`` is allowed: it is the Reader pattern. Wildcards under a
named provider (``Microsoft.Storage/*``) are allowed; the Azure RBAC guidance is least privilege,
and such roles are reviewed with the ``Audit usage of custom RBAC roles`` built-in policy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.framework import ResourceRule, ResourceView, Target, entries, is_mapping, peek

NATIVE_ASSIGNMENT = ("azure-native:authorization:RoleAssignment",)
CLASSIC_ASSIGNMENT = ("azure:authorization/assignment:Assignment",)
#: A PIM *active* assignment (classic provider) is standing access unless its schedule expires.
CLASSIC_PIM_ACTIVE = ("azure:pim/activeRoleAssignment:ActiveRoleAssignment",)
NATIVE_ROLE_DEFINITION = ("azure-native:authorization:RoleDefinition",)
CLASSIC_ROLE_DEFINITION = ("azure:authorization/roleDefinition:RoleDefinition",)

#: Principal types a person stands behind; a missing principalType defaults to User in Azure.
HUMAN_PRINCIPALS = frozenset({"user", "group", "foreigngroup"})
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_SUBSCRIPTION_SCOPE = re.compile(r"^/subscriptions/[^/]+$", re.IGNORECASE)
_MANAGEMENT_GROUP_SCOPE = re.compile(r"^/providers/microsoft\.management/managementgroups/[^/]+$", re.IGNORECASE)
_NARROWER_SCOPE = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+(/.*)?$", re.IGNORECASE)


@cache
def privileged_roles() -> dict[str, dict[str, Any]]:
    """The dated table of privileged built-in roles, by lower-case GUID."""
    document = json.loads((Path(__file__).resolve().parents[1] / "data" / "privileged_roles.json").read_text("utf-8"))
    return {str(role["id"]).lower(): role for role in document["roles"]}


def _access_granting() -> dict[str, dict[str, Any]]:
    return {guid: role for guid, role in privileged_roles().items() if role["grantsAccess"]}


def role_of(definition_id: Any, definition_name: Any = None) -> dict[str, Any] | None:
    """The privileged built-in role a grant names (by the GUID ending its ID, or by name), or None."""
    if isinstance(definition_id, str) and definition_id.strip():
        match = _GUID.search(definition_id.rstrip("/").rsplit("/", 1)[-1])
        if match:
            return _access_granting().get(match.group(0).lower())
    if isinstance(definition_name, str):
        wanted = definition_name.strip().lower()
        return next((role for role in _access_granting().values() if role["name"].lower() == wanted), None)
    return None


def scope_level(scope: str) -> str | None:
    """``root``, ``management group``, ``subscription`` or ``narrower`` for a literal ARM scope; None otherwise."""
    text = scope.strip()
    trimmed = text.rstrip("/")
    if text == "/":
        return "root"
    if _MANAGEMENT_GROUP_SCOPE.match(trimmed):
        return "management group"
    if _SUBSCRIPTION_SCOPE.match(trimmed):
        return "subscription"
    if _NARROWER_SCOPE.match(trimmed):
        return "narrower"
    return None


def _standing_grant(view: ResourceView) -> Iterable[str]:
    role = role_of(view.get("roleDefinitionId"), view.get("roleDefinitionName"))
    if role is None:
        return
    principal_type = view.get("principalType")
    if isinstance(principal_type, str) and principal_type.strip().lower() not in HUMAN_PRINCIPALS:
        return
    condition = view.get("condition")
    if isinstance(condition, str) and condition.strip():
        return
    scope = view.get("scope")
    who = (
        "a user or group" if principal_type else "a principal whose principalType is not set (Azure's default is User)"
    )
    if not isinstance(scope, str) or not scope.strip():
        yield (
            f"a standing '{role['name']}' grant to {who} has no literal scope, so the pack cannot tell whether it "
            "covers a subscription or management group; set scope to the ARM ID"
        )
        return
    level = scope_level(scope)
    if level is None:
        yield (
            f"a standing '{role['name']}' grant to {who} has a scope that is not an ARM ID the pack recognises, "
            "so it cannot tell whether it covers a subscription or management group"
        )
    elif level != "narrower":
        yield (
            f"a standing '{role['name']}' grant to {who} at {level} scope without an ABAC condition; "
            "make it PIM-eligible or constrain it with a condition"
        )


def _pim_active(view: ResourceView) -> Iterable[str]:
    """An active PIM assignment with an expiry is time-bound (just in time); without one it is standing."""
    if any(view.has(f"schedule.expiration.{field}") for field in ("durationDays", "durationHours", "endDateTime")):
        return
    yield from _standing_grant(view)


def _wildcard(action: Any) -> bool:
    """``*`` or a provider-root wildcard other than ``*/read`` (``*/write``, ``*/delete``, ``*/action``, ``*/*``)."""
    if not isinstance(action, str):
        return False
    text = action.strip().lower()
    return text == "*" or (text.startswith("*/") and text != "*/read")


def _wildcard_actions(view: ResourceView) -> Iterable[str]:
    for index, permission in enumerate(entries(view.get("permissions"))):
        if not is_mapping(permission):
            continue
        for field in ("actions", "dataActions"):
            values = peek(permission, field)
            if values is None:
                values = next((peek(permission, key) for key in permission if str(key).lower() == field.lower()), None)
            if any(_wildcard(action) for action in entries(values)):
                yield (
                    f"permissions[{index}].{field} grants a wildcard at the provider root ('*' or '*/<operation>' other "
                    "than '*/read'); list the operations the role needs"
                )


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="no-standing-privileged-access",
        description=(
            "No standing Owner, User Access Administrator or Role Based Access Control Administrator grant to a user or "
            "group at subscription, management-group or root scope without an ABAC condition; use PIM eligibility."
        ),
        citation=citations.ACCESS_MANAGEMENT,
        related=(citations.WORKFORCE_SECURITY, citations.ACCESS_CONTROL),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Replace the role assignment with a PIM eligibility (authorization:PimRoleEligibilitySchedule, classic "
            "azure.pim.EligibleRoleAssignment) so the role is activated just in time, or constrain a Role Based Access "
            "Control Administrator grant with a condition limiting which roles it may assign; grant workload teams "
            "narrower roles at resource-group scope."
        ),
        targets=(
            Target(NATIVE_ASSIGNMENT + CLASSIC_ASSIGNMENT, _standing_grant),
            Target(CLASSIC_PIM_ACTIVE, _pim_active),
        ),
    ),
    ResourceRule(
        id="no-wildcard-custom-roles",
        description=(
            "Custom role definitions must not grant '*' or a provider-root wildcard ('*/write', '*/delete', "
            "'*/action') in actions or dataActions; '*/read' is allowed."
        ),
        citation=citations.ACCESS_MANAGEMENT,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "List the operations the role needs (for example Microsoft.Storage/storageAccounts/read), or use a built-in "
            "role; grant Owner-like access only through PIM."
        ),
        targets=(Target(NATIVE_ROLE_DEFINITION + CLASSIC_ROLE_DEFINITION, _wildcard_actions),),
        azure_policy_ids=("a451c1ef-c6ca-483d-87ed-f49761e3ffb5",),
        checkov_ids=("CKV_AZURE_39",),
    ),
)
