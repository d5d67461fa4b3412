"""The KeyVault component: exact wire inputs under default args, protect and lock, waivers, early errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.interfaces import LockArgs, Waiver
from components.key_vault import KeyVault, KeyVaultArgs
from landing_zone.errors import ConfigError
from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import ProgramError, ProgramRun, record
from landing_zone.testing import TEST_TAGS as TAGS

TENANT = "72f988bf-0000-4000-8000-000000000001"


def build(**overrides: Any) -> ProgramRun:
    arguments: dict[str, Any] = {
        "resource_group_name": "rg-contoso-dev-eus2-security",
        "location": "eastus2",
        "tenant_id": TENANT,
        "vault_name": "kvcontosodeveus2phid2qv",
        "tags": TAGS,
        **overrides,
    }
    return record(lambda: KeyVault("phi", **arguments))


def test_vault_wire_inputs_under_default_args() -> None:
    run = build()
    vault = run.one("azure-native:keyvault:Vault")
    assert vault.inputs == {
        "resourceGroupName": "rg-contoso-dev-eus2-security",
        "location": "eastus2",
        "vaultName": "kvcontosodeveus2phid2qv",
        "tags": TAGS,
        "properties": {
            "tenantId": TENANT,
            "sku": {"family": "A", "name": "premium"},
            "enableRbacAuthorization": True,
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": 90.0,
            "enablePurgeProtection": True,
            "enabledForDeployment": False,
            "enabledForDiskEncryption": False,
            "enabledForTemplateDeployment": False,
            "publicNetworkAccess": "Disabled",
            "networkAcls": {"defaultAction": "Deny", "bypass": "None", "ipRules": [], "virtualNetworkRules": []},
        },
    }
    assert vault.protect is True
    assert vault.parent == run.one("landingzone:security:KeyVault").urn


def test_vault_is_locked_against_deletion() -> None:
    run = build()
    vault = run.one("azure-native:keyvault:Vault")
    lock = run.one("azure-native:authorization:ManagementLockByScope")
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["lockName"] == "kvcontosodeveus2phid2qv-cannotdelete"
    assert lock.property_dependencies["scope"] == [vault.urn], "the lock waits for the vault it protects"


def test_component_type_token_is_stable() -> None:
    assert build().one("landingzone:security:KeyVault").name == "phi"


def test_hardening_is_known_at_preview_even_when_names_are_outputs() -> None:
    from pulumi_azure_native import resources

    def program() -> None:
        group = resources.ResourceGroup("rg", location="eastus2")
        KeyVault("phi", resource_group_name=group.id, location="eastus2", tenant_id=TENANT, vault_name="kv-demo-01")

    properties = record(program).one("azure-native:keyvault:Vault").inputs["properties"]
    assert properties["enablePurgeProtection"] is True
    assert properties["publicNetworkAccess"] == "Disabled"


def test_waivers_weaken_only_what_they_name_and_are_recorded_in_tags() -> None:
    reason = "Vendor scanner reaches the vault from a fixed IP during onboarding."
    run = build(allow_public_network_access=Waiver(reason=reason, approver="CISO"))
    vault = run.one("azure-native:keyvault:Vault")
    assert vault.inputs["properties"]["publicNetworkAccess"] == "Enabled"
    assert vault.inputs["properties"]["networkAcls"]["defaultAction"] == "Deny"
    assert vault.inputs["properties"]["networkAcls"]["bypass"] == "None"
    assert vault.inputs["tags"]["waiver:publicNetworkAccess"] == reason


def test_removing_the_lock_needs_a_waiver() -> None:
    with pytest.raises(ProgramError) as caught:
        build(lock=None)
    assert isinstance(caught.value.cause, ConfigError)
    assert "lock_waiver" in str(caught.value.cause)
    run = build(
        lock=None, lock_waiver=Waiver(reason="Ephemeral CI vault destroyed after each pipeline run.", approver="CISO")
    )
    assert run.by_type("azure-native:authorization:ManagementLockByScope") == []


def test_read_only_lock_can_be_chosen() -> None:
    run = build(lock=LockArgs(kind="ReadOnly"))
    assert run.one("azure-native:authorization:ManagementLockByScope").inputs["level"] == "ReadOnly"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"vault_name": "kv--double"}, "vault_name", "consecutive hyphens"),
        ({"vault_name": "1starts-with-digit"}, "vault_name", "should match pattern"),
        ({"soft_delete_retention_days": 3}, "soft_delete_retention_days", "greater than or equal to 7"),
        ({"sku": "standard"}, "", "standard_sku_waiver"),
        ({"sku": "free"}, "sku", "'premium' or 'standard'"),
        ({"unknown_option": True}, "unknown_option", "Extra inputs are not permitted"),
    ],
)
def test_invalid_args_fail_before_anything_is_registered(overrides: dict[str, Any], field: str, message: str) -> None:
    arguments = {"resource_group_name": "rg", "location": "eastus2", "tenant_id": TENANT, "vault_name": "kv-ok-01"}
    with pytest.raises(ProgramError) as caught:
        record(lambda: KeyVault("phi", **{**arguments, **overrides}))
    error = caught.value.cause
    assert isinstance(error, ConfigError)
    assert any(problem.path == field and message in problem.message for problem in error.problems), error.problems
    assert [r.type for r in caught.value.registrations] == ["pulumi:pulumi:Stack"], "nothing half-created"


def test_args_model_can_be_built_up_front() -> None:
    args = KeyVaultArgs(resource_group_name="rg", location="eastus2", tenant_id=TENANT, vault_name="kv-ok-01")
    run = record(lambda: KeyVault("phi", args))
    assert run.one("azure-native:keyvault:Vault").inputs["vaultName"] == "kv-ok-01"


def test_component_output_passes_every_rule(analyze_every_rule: Callable[..., PackResult]) -> None:
    assert analyze_every_rule(build().registrations).diagnostics == []
