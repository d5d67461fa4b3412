"""Built-in role GUIDs (learn.microsoft.com/azure/role-based-access-control/built-in-roles, "ID" column) and the
refusal of the roles that grant everything, by name or by GUID in any case."""

from __future__ import annotations

import pytest

from components.roles import BUILT_IN_ROLES, FORBIDDEN_ROLES, assignment_name, role_guid

#: Each GUID as the built-in roles reference lists it (checked 2026-12; the same in every tenant).
DOCUMENTED = {
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


def test_every_built_in_role_guid_is_the_documented_one() -> None:
    assert BUILT_IN_ROLES == DOCUMENTED


def test_the_forbidden_roles_are_owner_and_the_real_user_access_administrator() -> None:
    assert FORBIDDEN_ROLES == {
        "Owner": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    }


@pytest.mark.parametrize(
    "role",
    [
        "Owner",
        "User Access Administrator",
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "18D7D88D-D35E-4FB5-A5C3-7773C20A72D9",
    ],
)
def test_forbidden_roles_are_refused_by_name_or_guid(role: str) -> None:
    with pytest.raises(ValueError, match="too broad"):
        role_guid(role)


def test_assignment_names_follow_scope_role_and_principal() -> None:
    base = assignment_name("sub", "deployer-crypto-officer", DOCUMENTED["Key Vault Crypto Officer"], "p1")
    assert base == assignment_name("sub", "deployer-crypto-officer", DOCUMENTED["Key Vault Crypto Officer"], "p1")
    assert base != assignment_name("sub", "deployer-crypto-officer", DOCUMENTED["Key Vault Crypto Officer"], "p2")
    assert base != assignment_name("sub", "other-scope", DOCUMENTED["Key Vault Crypto Officer"], "p1")
