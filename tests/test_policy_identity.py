"""Privileged access rules on hand-written resources, both providers: standing privileged grants and wildcard roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from phi_guardrails.rules import identity

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import with_changes

Analyze = Callable[..., PackResult]

SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000001"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMIN = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
RBAC_ADMIN = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


def role_id(guid: str, scope: str = SUBSCRIPTION) -> str:
    return f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


# A grant that is fine as written (narrow scope); each test weakens one thing.
NATIVE_GRANT = {
    "principalId": "11111111-1111-1111-1111-111111111111",
    "principalType": "Group",
    "roleDefinitionId": role_id(OWNER),
    "scope": f"{SUBSCRIPTION}/resourceGroups/rg-app",
}
CLASSIC_GRANT = {
    "principalId": "11111111-1111-1111-1111-111111111111",
    "principalType": "Group",
    "roleDefinitionName": "Owner",
    "scope": f"{SUBSCRIPTION}/resourceGroups/rg-app",
}
NATIVE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
CLASSIC_ASSIGNMENT = "azure:authorization/assignment:Assignment"


def one(token: str, props: dict[str, Any]) -> Callable[[], None]:
    return lambda: pulumi.CustomResource(token, "subject", props)


def verdicts(analyze: Analyze, program: Callable[[], None]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in analyze(record(program).registrations).diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


def messages(analyze: Analyze, program: Callable[[], None]) -> list[str]:
    return [diagnostic.message for diagnostic in analyze(record(program).registrations).diagnostics]


FAILS = {"no-standing-privileged-access": ["mandatory"]}


@pytest.mark.parametrize(("token", "grant"), [(NATIVE_ASSIGNMENT, NATIVE_GRANT), (CLASSIC_ASSIGNMENT, CLASSIC_GRANT)])
def test_a_resource_group_grant_is_silent(analyze: Analyze, token: str, grant: dict[str, Any]) -> None:
    assert verdicts(analyze, one(token, grant)) == {}


@pytest.mark.parametrize(
    "change",
    [
        {"scope": SUBSCRIPTION},
        {"scope": SUBSCRIPTION + "/"},
        {"scope": SUBSCRIPTION.upper()},
        {"scope": "/providers/Microsoft.Management/managementGroups/contoso"},
        {"scope": "/"},
        {"scope": SUBSCRIPTION, "principalType": "User"},
        {"scope": SUBSCRIPTION, "principalType": "user"},
        {"scope": SUBSCRIPTION, "principalType": None},  # missing: Azure's default is User
        {"scope": SUBSCRIPTION, "roleDefinitionId": role_id(USER_ACCESS_ADMIN)},
        {"scope": SUBSCRIPTION, "roleDefinitionId": role_id(RBAC_ADMIN)},
        {
            "scope": SUBSCRIPTION,
            "roleDefinitionId": f"/providers/Microsoft.Authorization/roleDefinitions/{OWNER.upper()}",
        },
        {"scope": SUBSCRIPTION, "condition": "   "},
        {"scope": "subscriptions/abc"},  # not an ARM ID: said so, not passed
        {"scope": None},  # the property missing
    ],
    ids=[
        "subscription",
        "trailing-slash",
        "upper-case",
        "management-group",
        "root",
        "user",
        "user-lower",
        "principal-type-missing",
        "uaa",
        "rbac-admin",
        "tenant-role-id-upper",
        "blank-condition",
        "garbled-scope",
        "scope-missing",
    ],
)
def test_native_standing_privileged_grants_fail(analyze: Analyze, change: dict[str, Any]) -> None:
    assert verdicts(analyze, one(NATIVE_ASSIGNMENT, with_changes(NATIVE_GRANT, change))) == FAILS


@pytest.mark.parametrize(
    "change",
    [
        {"scope": SUBSCRIPTION},
        {"scope": SUBSCRIPTION, "roleDefinitionName": "owner"},
        {"scope": SUBSCRIPTION, "roleDefinitionName": "User Access Administrator"},
        {"scope": SUBSCRIPTION, "roleDefinitionName": "Role Based Access Control Administrator"},
        {"scope": SUBSCRIPTION, "roleDefinitionName": None, "roleDefinitionId": role_id(OWNER)},
        {"scope": "/providers/Microsoft.Management/managementGroups/contoso", "principalType": None},
    ],
    ids=["subscription", "name-lower", "uaa", "rbac-admin", "by-id", "management-group-default-type"],
)
def test_classic_standing_privileged_grants_fail(analyze: Analyze, change: dict[str, Any]) -> None:
    assert verdicts(analyze, one(CLASSIC_ASSIGNMENT, with_changes(CLASSIC_GRANT, change))) == FAILS


@pytest.mark.parametrize(
    "change",
    [
        {"scope": SUBSCRIPTION, "principalType": "ServicePrincipal"},
        {"scope": SUBSCRIPTION, "roleDefinitionId": role_id(READER)},
        {"scope": SUBSCRIPTION, "roleDefinitionId": role_id(CONTRIBUTOR)},
        {"scope": SUBSCRIPTION, "roleDefinitionId": role_id("99999999-9999-9999-9999-999999999999")},
        {
            "scope": SUBSCRIPTION,
            "roleDefinitionId": role_id(RBAC_ADMIN),
            "condition": "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})))",
            "conditionVersion": "2.0",
        },
        {"scope": f"{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"},
    ],
    ids=["service-principal", "reader", "contributor", "custom-role", "rbac-admin-with-condition", "resource-scope"],
)
def test_grants_that_are_not_standing_privileged_access_pass(analyze: Analyze, change: dict[str, Any]) -> None:
    assert verdicts(analyze, one(NATIVE_ASSIGNMENT, with_changes(NATIVE_GRANT, change))) == {}


def test_pim_eligibility_at_subscription_scope_is_fine(analyze: Analyze) -> None:
    eligible = {**NATIVE_GRANT, "scope": SUBSCRIPTION, "principalType": None}
    assert verdicts(analyze, one("azure-native:authorization:PimRoleEligibilitySchedule", eligible)) == {}


def test_the_message_names_the_role_and_scope_without_echoing_ids(analyze: Analyze) -> None:
    (message,) = messages(analyze, one(NATIVE_ASSIGNMENT, with_changes(NATIVE_GRANT, {"scope": SUBSCRIPTION})))
    assert "'Owner'" in message and "subscription scope" in message and "PIM" in message
    assert "11111111" not in message and "00000000" not in message
    (garbled,) = messages(analyze, one(NATIVE_ASSIGNMENT, with_changes(NATIVE_GRANT, {"scope": "subscriptions/x"})))
    assert "not an ARM ID" in garbled


def test_a_scope_unknown_at_preview_is_not_verifiable_rather_than_passed(analyze: Analyze) -> None:
    def program() -> None:
        group = pulumi.CustomResource("azure-native:resources:ResourceGroup", "rg", {"location": "eastus2"})
        pulumi.CustomResource(NATIVE_ASSIGNMENT, "subject", {**NATIVE_GRANT, "scope": group.id})

    result = analyze(record(program).registrations)
    found = [(d.policy, d.kind) for d in result.diagnostics]
    assert found == [("no-standing-privileged-access", "unverifiable")]


def test_the_role_table_matches_azure_built_in_ids() -> None:
    data = json.loads(
        (Path(identity.__file__).resolve().parents[1] / "data" / "privileged_roles.json").read_text("utf-8")
    )
    by_name = {role["name"]: role["id"] for role in data["roles"]}
    assert by_name["Owner"] == OWNER
    assert by_name["User Access Administrator"] == USER_ACCESS_ADMIN
    assert by_name["Role Based Access Control Administrator"] == RBAC_ADMIN
    assert data["source"].startswith("https://learn.microsoft.com/azure/role-based-access-control/built-in-roles")
    assert data["reviewed"]


# --- custom roles -------------------------------------------------------------------------------------------

NATIVE_ROLE = {
    "roleName": "app-operator",
    "scope": SUBSCRIPTION,
    "assignableScopes": [SUBSCRIPTION],
    "permissions": [
        {
            "actions": ["Microsoft.Web/sites/restart/action", "*/read", "Microsoft.Storage/*"],
            "notActions": [],
            "dataActions": ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
        }
    ],
}
CLASSIC_ROLE = {
    "name": "app-operator",
    "scope": SUBSCRIPTION,
    "assignableScopes": [SUBSCRIPTION],
    "permissions": [{"actions": ["Microsoft.Web/sites/restart/action", "*/read"], "notActions": []}],
}
ROLE_FAILS = {"no-wildcard-custom-roles": ["mandatory"]}


@pytest.mark.parametrize(
    ("token", "role"),
    [
        ("azure-native:authorization:RoleDefinition", NATIVE_ROLE),
        ("azure:authorization/roleDefinition:RoleDefinition", CLASSIC_ROLE),
    ],
)
def test_a_least_privilege_custom_role_is_silent(analyze: Analyze, token: str, role: dict[str, Any]) -> None:
    assert verdicts(analyze, one(token, role)) == {}
    assert verdicts(analyze, one(token, {**role, "permissions": None})) == {}  # the property missing


@pytest.mark.parametrize(
    "actions",
    [["*"], [" * "], ["*/write"], ["*/DELETE"], ["*/action"], ["*/*"], ["Microsoft.Web/sites/read", "*"]],
)
@pytest.mark.parametrize(
    ("token", "role"),
    [
        ("azure-native:authorization:RoleDefinition", NATIVE_ROLE),
        ("azure:authorization/roleDefinition:RoleDefinition", CLASSIC_ROLE),
    ],
)
def test_wildcard_actions_fail_on_both_providers(
    analyze: Analyze, token: str, role: dict[str, Any], actions: list[str]
) -> None:
    weakened = {**role, "permissions": [{**role["permissions"][0], "actions": actions}]}
    assert verdicts(analyze, one(token, weakened)) == ROLE_FAILS


def test_wildcard_with_not_actions_still_fails_and_data_actions_count(analyze: Analyze) -> None:
    contributor_like = {
        **NATIVE_ROLE,
        "permissions": [{"actions": ["*"], "notActions": ["Microsoft.Authorization/*/Write"]}],
    }
    assert verdicts(analyze, one("azure-native:authorization:RoleDefinition", contributor_like)) == ROLE_FAILS
    data_star = {**NATIVE_ROLE, "permissions": [{"actions": [], "DataActions": ["*"]}]}
    assert verdicts(analyze, one("azure-native:authorization:RoleDefinition", data_star)) == ROLE_FAILS
    (message,) = messages(analyze, one("azure-native:authorization:RoleDefinition", data_star))
    assert "permissions[0].dataActions grants a wildcard" in message


PIM_ACTIVE = "azure:pim/activeRoleAssignment:ActiveRoleAssignment"


@pytest.mark.parametrize(
    "expiration", [{"durationHours": 8}, {"durationDays": 30}, {"endDateTime": "2027-01-01T00:00:00Z"}]
)
def test_a_time_bound_pim_active_assignment_is_fine_and_a_permanent_one_is_standing(
    analyze: Analyze, expiration: dict[str, Any]
) -> None:
    active = {
        "principalId": "p",
        "roleDefinitionId": role_id(OWNER),
        "scope": SUBSCRIPTION,
        "justification": "break glass",
    }
    assert verdicts(analyze, one(PIM_ACTIVE, {**active, "schedule": {"expiration": expiration}})) == {}
    assert (
        verdicts(analyze, one(PIM_ACTIVE, {**active, "schedule": {"startDateTime": "2026-12-01T00:00:00Z"}})) == FAILS
    )
    assert verdicts(analyze, one(PIM_ACTIVE, active)) == FAILS  # the property missing
    narrow = {**active, "scope": f"{SUBSCRIPTION}/resourceGroups/rg-app"}
    assert verdicts(analyze, one(PIM_ACTIVE, narrow)) == {}
