"""Azure built-in roles by name, and role assignments with deterministic names at the narrowest scope.

Role definition GUIDs are Azure's, the same in every tenant: checked against
https://learn.microsoft.com/azure/role-based-access-control/built-in-roles (the "ID" column) and,
for the HITRUST/HIPAA remediation roles, against the ``roleDefinitionIds`` of the initiative's
member definitions in github.com/Azure/azure-policy.

Assignment names are GUIDs derived from the assignment's logical name (which fixes its scope), the
role and the principal, as ``guid(scope, principal, role)`` does in Bicep. Re-running a program never
creates a duplicate, and a change of principal (a new deployer, a new group) yields a *new* name:
Pulumi creates the new assignment before deleting the old one, and the two never collide
(Azure refuses a second assignment under an existing name with a different principal).

``principal_type`` is always sent. Azure's API defaults it to ``User``; a service principal or group
sent without it fails with ``UnmatchedPrincipalType``, and the type also lets ARM skip the Entra
lookup that fails right after a new identity is created
(https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import pulumi

PrincipalType = Literal["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"]
#: Built-in role name -> role definition GUID
#: (learn.microsoft.com/azure/role-based-access-control/built-in-roles, verified 2026-12).
BUILT_IN_ROLES: dict[str, str] = {
    "Key Vault Administrator": "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "Key Vault Crypto Officer": "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    "Key Vault Reader": "21090545-7ca7-4776-b22c-e363652d74d2",
    "Key Vault Secrets Officer": "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    "Log Analytics Reader": "73c42c96-874c-492b-b04d-ab87d138a893",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Security Reader": "39bc4728-0917-49c7-9d2c-d95423bc2eb4",
    "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
    "Monitoring Contributor": "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    "Log Analytics Contributor": "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
    "Virtual Machine Contributor": "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Storage Account Backup Contributor": "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1",
    "PostgreSQL Flexible Server Long Term Retention Backup Role": "c088a766-074b-43ba-90d4-1fb21feae531",
}
#: Roles that must never be assigned by a component: they grant everything, including granting.
#: (Owner and User Access Administrator, learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged.)
FORBIDDEN_ROLES = {
    "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
}

_NAMESPACE = uuid.UUID("6f1e3a52-3c1b-4b8e-9a57-2f4d1c0b7e11")


def role_guid(role: str) -> str:
    """The GUID of a built-in role given by name or GUID. Owner and User Access Administrator are refused."""
    if role in FORBIDDEN_ROLES or role.lower() in FORBIDDEN_ROLES.values():
        raise ValueError(f"role '{role}' is too broad for a PHI landing zone; grant a narrower role")
    if role in BUILT_IN_ROLES:
        return BUILT_IN_ROLES[role]
    try:
        return str(uuid.UUID(role))
    except ValueError:
        raise ValueError(f"unknown role '{role}'; use a name from BUILT_IN_ROLES or a role definition GUID") from None


def role_definition_id(subscription_id: str, role: str) -> str:
    """The full role definition ID as Azure returns it (so there is no perpetual diff)."""
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/{role_guid(role)}"


def assignment_name(*logical_parts: str) -> str:
    """A stable GUID for a role assignment, from names that do not change between runs."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(logical_parts)))


def principal_assignment_name(
    subscription_id: str, name: str, role: str, principal_id: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The assignment's name from its logical name (its scope), its role and its principal.

    Known at preview when the principal is (a configured group or deployer object ID); otherwise it
    is known once the identity exists.
    """
    guid = role_guid(role)
    return pulumi.Output.from_input(principal_id).apply(
        lambda principal: assignment_name(subscription_id, name, guid, str(principal).lower())
    )


def assign_role(
    name: str,
    *,
    scope: pulumi.Input[str],
    principal_id: pulumi.Input[str],
    role: str,
    subscription_id: str,
    principal_type: PrincipalType,
    description: str | None = None,
    parent: pulumi.Resource | None = None,
    depends_on: list[pulumi.Resource] | None = None,
    provider: pulumi.ProviderResource | None = None,
) -> Any:
    """Create one role assignment. ``name`` is the logical name; it and the principal seed the assignment's GUID."""
    from pulumi_azure_native import authorization

    if principal_type not in ("User", "Group", "ServicePrincipal", "ForeignGroup", "Device"):
        raise ValueError(f"principal_type must be User, Group or ServicePrincipal, not {principal_type!r}")
    return authorization.RoleAssignment(
        name,
        scope=scope,
        principal_id=principal_id,
        principal_type=principal_type,
        role_definition_id=role_definition_id(subscription_id, role),
        role_assignment_name=principal_assignment_name(subscription_id, name, role, principal_id),
        description=description,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=depends_on or [], provider=provider),
    )
