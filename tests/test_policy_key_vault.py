"""Key Vault rules: silence for a hardened vault, the right violation for each misconfiguration, any spelling.

Vaults are registered under the recording mocks exactly as a user's program would register them
(azure-native classes, a versioned azure-native token, the classic azure provider's token), then
the pack analyzes them in-process through the same servicer the gRPC server wraps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi_azure_native import keyvault, resources

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record

HARDENED = {
    "tenantId": "72f988bf-0000-4000-8000-000000000001",
    "sku": {"family": "A", "name": "premium"},
    "enablePurgeProtection": True,
    "enableRbacAuthorization": True,
    "enableSoftDelete": True,
    "softDeleteRetentionInDays": 90,
    "publicNetworkAccess": "Disabled",
    "networkAcls": {"defaultAction": "Deny", "bypass": "None"},
}
CLASSIC_HARDENED = {
    "tenantId": "72f988bf-0000-4000-8000-000000000001",
    "skuName": "premium",
    "purgeProtectionEnabled": True,
    "rbacAuthorizationEnabled": True,
    "publicNetworkAccessEnabled": False,
    "networkAcls": {"defaultAction": "Deny", "bypass": "None"},
    "softDeleteRetentionDays": 90,
    "resourceGroupName": "rg",
    "location": "eastus2",
}
KEY_VAULT_RULES = {
    "keyvault-purge-protection",
    "keyvault-rbac-authorization",
    "keyvault-public-network-access-disabled",
}


def native_vault(**changes: Any) -> Callable[[], None]:
    def program() -> None:
        properties = {**HARDENED, **changes}
        properties = {key: value for key, value in properties.items() if value is not None}
        keyvault.Vault("kv", resource_group_name="rg", vault_name="kv-demo", properties=properties)  # type: ignore[arg-type]

    return program


def raw(type_token: str, props: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        pulumi.CustomResource(type_token, "kv", {key: value for key, value in props.items() if value is not None})

    return program


def verdicts(result: PackResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


def analyze_program(program: Callable[[], None], analyze: Callable[..., PackResult]) -> PackResult:
    return analyze(record(program).registrations)


def test_a_hardened_vault_passes_every_rule(analyze: Callable[..., PackResult]) -> None:
    assert analyze_program(native_vault(), analyze).diagnostics == []


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"enablePurgeProtection": False}, "keyvault-purge-protection"),
        ({"enablePurgeProtection": None}, "keyvault-purge-protection"),
        ({"enableRbacAuthorization": False}, "keyvault-rbac-authorization"),
        ({"enableRbacAuthorization": None}, "keyvault-rbac-authorization"),
        (
            {"accessPolicies": [{"tenantId": "t", "objectId": "o", "permissions": {"keys": ["get"]}}]},
            "keyvault-rbac-authorization",
        ),
        ({"publicNetworkAccess": "Enabled"}, "keyvault-public-network-access-disabled"),
        ({"publicNetworkAccess": None}, "keyvault-public-network-access-disabled"),
    ],
)
def test_each_misconfiguration_fails_its_rule_only(
    analyze: Callable[..., PackResult], changes: dict[str, Any], rule: str
) -> None:
    result = analyze_program(native_vault(**changes), analyze)
    assert verdicts(result) == {rule: ["mandatory"]}
    diagnostic = result.diagnostics[0]
    assert diagnostic.urn == "urn:pulumi:test::test::azure-native:keyvault:Vault::kv"
    assert diagnostic.severity in {"high", "critical"}


def test_disabled_spelled_in_any_case_passes(analyze: Callable[..., PackResult]) -> None:
    assert analyze_program(native_vault(publicNetworkAccess="disabled"), analyze).diagnostics == []


def test_versioned_azure_native_tokens_are_checked(analyze: Callable[..., PackResult]) -> None:
    props = {"resourceGroupName": "rg", "properties": {**HARDENED, "enablePurgeProtection": False}}
    result = analyze_program(raw("azure-native:keyvault/v20230701:Vault", props), analyze)
    assert verdicts(result) == {"keyvault-purge-protection": ["mandatory"]}


def test_classic_provider_vaults_are_checked(analyze: Callable[..., PackResult]) -> None:
    assert analyze_program(raw("azure:keyvault/keyVault:KeyVault", CLASSIC_HARDENED), analyze).diagnostics == []
    bad = {
        **CLASSIC_HARDENED,
        "purgeProtectionEnabled": None,
        "rbacAuthorizationEnabled": None,
        "publicNetworkAccessEnabled": None,
    }
    result = analyze_program(raw("azure:keyvault/keyVault:KeyVault", bad), analyze)
    assert verdicts(result) == {rule: ["mandatory"] for rule in KEY_VAULT_RULES}


def test_older_classic_rbac_spelling_is_accepted(analyze: Callable[..., PackResult]) -> None:
    props = {**CLASSIC_HARDENED, "rbacAuthorizationEnabled": None, "enableRbacAuthorization": True}
    assert analyze_program(raw("azure:keyvault/keyVault:KeyVault", props), analyze).diagnostics == []


def test_a_value_unknown_at_preview_is_reported_not_passed(analyze: Callable[..., PackResult]) -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", location="eastus2")
        keyvault.Vault(
            "kv",
            resource_group_name=group.name,
            properties={**HARDENED, "publicNetworkAccess": group.id},  # type: ignore[dict-item]
        )

    result = analyze_program(program, analyze)
    assert verdicts(result) == {"keyvault-public-network-access-disabled": ["advisory"]}
    message = result.diagnostics[0].message
    assert "during preview" in message
    assert "properties.publicNetworkAccess of azure-native:keyvault:Vault 'kv' is not known until apply" in message
    assert result.diagnostics[0].urn.endswith("azure-native:keyvault:Vault::kv")


def test_messages_never_echo_property_values(analyze: Callable[..., PackResult]) -> None:
    result = analyze_program(native_vault(publicNetworkAccess="Enabled-SECRET-LOOKING"), analyze)
    assert result.diagnostics
    assert all("SECRET-LOOKING" not in diagnostic.message for diagnostic in result.diagnostics)


def test_other_resource_types_are_ignored(analyze: Callable[..., PackResult]) -> None:
    result = analyze_program(lambda: resources.ResourceGroup("rg", location="eastus2"), analyze)
    assert result.diagnostics == []


def test_every_rule_carries_citation_severity_and_remediation(analyze: Callable[..., PackResult]) -> None:
    result = analyze([])
    assert {policy.name for policy in result.policies} >= KEY_VAULT_RULES
    for policy in result.policies:
        assert policy.framework.name == "HIPAA Security Rule"
        assert policy.framework.reference.startswith("45 CFR 164.")
        assert policy.framework.specification
        assert policy.remediation_steps
        assert policy.severity != 0
