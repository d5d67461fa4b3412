"""AnalyzeStack receives exactly what ``pulumi preview`` sends it, and the stack rules give the CLI's verdict on it.

Under the CLI each resource's AnalyzeStack properties are its provider's preview Create answer
(`landing_zone.preview.stack_outputs` cites the sources): azure-native echoes declared outputs from
inputs of the same name and leaves the rest unknown, so input-only path parameters (``accountName``,
``resourceGroupName``) are absent; the classic provider returns its planned state. Stack rules then
correlate resources through property dependencies, echoed outputs and the inputs Analyze sent the pack.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_azure as classic
import pytest
from google.protobuf import json_format
from phi_guardrails.rules import RULES, STACK_RULES
from pulumi_azure_native import authorization, keyvault, managedidentity, resources, storage

from landing_zone.preview.engine import enforce
from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult, stack_resource
from landing_zone.preview.provider_check import preview_outputs, sdk_resource
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, Registration
from landing_zone.preview.runner import ProgramRun, record

PACK_DIR = Path(__file__).resolve().parents[1] / "policy_pack"
NATIVE_ACCOUNT = "azure-native:storage:StorageAccount"
CLASSIC_ACCOUNT = "azure:storage/account:Account"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def analyze_stack_properties(run: ProgramRun, token: str) -> dict[str, Any]:
    """The properties one resource has in the AnalyzeStack request the engine sends."""
    by_urn = {registration.urn: registration for registration in run.registrations}
    return json_format.MessageToDict(stack_resource(run.one(token), by_urn).properties)


def secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIG: SECRET_VALUE_SIG, "value": value}


class TestAzureNativeOutputs:
    def test_input_only_keys_absent_computed_unknown_echoed_present(self) -> None:
        def program() -> None:
            group = resources.ResourceGroup("rg", resource_group_name="rg-phi", location="eastus2")
            storage.StorageAccount(
                "sa",
                resource_group_name=group.name,
                account_name="stphi01",
                kind="StorageV2",
                sku=storage.SkuArgs(name="Standard_GRS"),
                minimum_tls_version="TLS1_2",
                tags={"team": "phi", "token": pulumi.Output.secret("s3cr3t")},
            )

        properties = analyze_stack_properties(record(program), NATIVE_ACCOUNT)
        declared = set(sdk_resource(NATIVE_ACCOUNT).outputs)  # type: ignore[union-attr]
        assert set(properties) == declared, "exactly the outputs the type declares"
        assert {"accountName", "resourceGroupName"}.isdisjoint(properties)
        assert properties["location"] == UNKNOWN, "Check's default from a group whose name is unknown at preview"
        echoed = {key: properties[key] for key in ("kind", "minimumTlsVersion", "sku", "tags", "azureApiVersion")}
        assert echoed == {
            "kind": "StorageV2",
            "minimumTlsVersion": "TLS1_2",
            "sku": {"name": "Standard_GRS", "tier": UNKNOWN},
            # annotateSecrets: the leaf that was secret going in is secret coming out
            "tags": {"team": "phi", "token": secret("s3cr3t")},
            "azureApiVersion": sdk_resource(NATIVE_ACCOUNT).api_version,  # type: ignore[union-attr]
        }
        for computed in ("name", "id", "primaryEndpoints", "provisioningState", "allowSharedKeyAccess"):
            assert properties.get(computed, UNKNOWN) == UNKNOWN, computed
        assert "id" not in properties, "azure-native declares no id output"

    def test_a_whole_secret_input_keeps_its_output_secret(self) -> None:
        def program() -> None:
            storage.StorageAccount(
                "sa",
                resource_group_name="rg-phi",
                account_name="stphi02",
                kind="StorageV2",
                sku=pulumi.Output.secret(storage.SkuArgs(name="Standard_GRS")),
                minimum_tls_version=pulumi.Output.secret("TLS1_2"),
            )

        properties = analyze_stack_properties(record(program), NATIVE_ACCOUNT)
        assert properties["minimumTlsVersion"] == secret("TLS1_2")
        # The provider gets the plain object and answers its shape (tier unknown); the engine re-marks it secret.
        assert properties["sku"] == secret({"name": "Standard_GRS", "tier": UNKNOWN})

    def test_a_property_the_schema_fixes_to_a_constant_is_that_constant(self) -> None:
        # previewOutputs.go: ``prop.Const`` wins over the input and over "unknown".
        answer = preview_outputs("azure-native:blueprint:PolicyAssignmentArtifact", {"displayName": "x"})
        assert (answer["kind"], answer["displayName"], answer["name"]) == ("policyAssignment", "x", UNKNOWN)


class TestClassicOutputs:
    def test_planned_state_echoes_inputs_with_id_and_computed_outputs_unknown(self) -> None:
        def program() -> None:
            classic.storage.Account(
                "csa",
                name="stclassic01",
                resource_group_name="rg-phi",
                location="eastus2",
                account_tier="Standard",
                account_replication_type="GRS",
                min_tls_version="TLS1_2",
            )

        properties = analyze_stack_properties(record(program), CLASSIC_ACCOUNT)
        echoed = {
            key: properties[key]
            for key in ("name", "resourceGroupName", "location", "accountTier", "accountReplicationType")
        }
        assert echoed == {
            "name": "stclassic01",
            "resourceGroupName": "rg-phi",
            "location": "eastus2",
            "accountTier": "Standard",
            "accountReplicationType": "GRS",
        }
        assert properties["minTlsVersion"] == "TLS1_2"
        assert properties["id"] == UNKNOWN
        assert properties["primaryBlobEndpoint"] == UNKNOWN, "computed-only outputs are unknown at preview"
        assert properties["primaryAccessKey"] == secret(UNKNOWN), "additionalSecretOutputs still apply"
        assert properties["accessTier"] is None, "an input the program left unset is null"


# --- stack rules on those outputs ------------------------------------------------------------------------

LOCK_RULE = "phi-delete-lock"
NOT_LOCKED = "no CanNotDelete lock protects this resource (or its resource group) from deletion"


def lock_verdicts(program: Callable[[], None], *, resource_rules: bool = True, in_process: bool = True) -> list[str]:
    """The ``phi-delete-lock`` violations (resource names), the other stack rules off; resource rules on or off."""
    run = record(program)
    config = {rule.id: PolicyConfig("disabled") for rule in STACK_RULES if rule.id != LOCK_RULE}
    config[LOCK_RULE] = PolicyConfig("mandatory")
    if not resource_rules:
        config.update({rule.id: PolicyConfig("disabled") for rule in RULES})
    result: PackResult = enforce(run.registrations, PACK_DIR, config=config, in_process=in_process)
    return sorted(
        d.urn.rsplit("::", 1)[-1] + ("" if NOT_LOCKED in d.message else f": {d.message}")
        for d in result.diagnostics
        if d.policy == LOCK_RULE
    )


def native_stack(group_name: str | None, lock_group: str, account: str) -> Callable[[], None]:
    """A PHI storage account and a group-level CanNotDelete lock; ``lock_group`` 'same', 'other' or a literal name."""

    def program() -> None:
        group = resources.ResourceGroup(f"{account}-rg", resource_group_name=group_name, location="eastus2")
        other = resources.ResourceGroup(f"{account}-other", location="eastus2")
        account_group: Any = group.name if group_name is None else group_name
        storage.StorageAccount(
            account,
            resource_group_name=account_group,
            account_name=f"st{account}",
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_GRS"),
        )
        locked: Any = {"same": account_group, "other": other.name}.get(lock_group, lock_group)
        authorization.ManagementLockAtResourceGroupLevel(
            f"{account}-lock", resource_group_name=locked, level="CanNotDelete"
        )

    return program


class TestGroupLockByPropertyDependency:
    def test_auto_named_group_locked_passes_and_a_lock_on_another_group_fails(self) -> None:
        # Both names are outputs unknown at preview: only the property dependencies say which group.
        assert lock_verdicts(native_stack(None, "same", "deps1")) == []
        assert lock_verdicts(native_stack(None, "other", "deps2")) == ["deps2"]

    def test_the_analyze_stack_request_carries_the_edge_the_rule_uses(self) -> None:
        run = record(native_stack(None, "same", "deps3"))
        by_urn = {registration.urn: registration for registration in run.registrations}
        lock = stack_resource(run.one("azure-native:authorization:ManagementLockAtResourceGroupLevel"), by_urn)
        account = stack_resource(run.one(NATIVE_ACCOUNT), by_urn)
        group_urn = next(r.urn for r in run.by_type("azure-native:resources:ResourceGroup") if r.name == "deps3-rg")
        assert list(lock.propertyDependencies["resourceGroupName"].urns) == [group_urn]
        assert list(account.propertyDependencies["resourceGroupName"].urns) == [group_urn]
        assert "resourceGroupName" not in json_format.MessageToDict(lock.properties)


class TestGroupLockByLiteralName:
    def test_literal_names_are_correlated_through_the_inputs_analyze_sent(self) -> None:
        # AnalyzeStack has no resourceGroupName for either resource; the pack saw it in Analyze.
        run = record(native_stack("rg-literal", "rg-literal", "lit1"))
        assert "resourceGroupName" not in analyze_stack_properties(run, NATIVE_ACCOUNT)
        assert lock_verdicts(native_stack("rg-literal", "rg-literal", "lit1")) == []
        assert lock_verdicts(native_stack("rg-literal", "rg-elsewhere", "lit2")) == ["lit2"]

    def test_the_pack_process_keeps_what_analyze_sent_as_under_the_cli(self) -> None:
        # The pack started as the CLI starts it (its own process, Analyze then AnalyzeStack over gRPC).
        assert lock_verdicts(native_stack("rg-proc", "RG-PROC", "proc1"), in_process=False) == []
        assert lock_verdicts(native_stack("rg-proc", "rg-other", "proc2"), in_process=False) == ["proc2"]
        assert lock_verdicts(native_stack(None, "same", "proc3"), in_process=False) == []

    def test_without_analyzed_inputs_a_literal_group_fails_closed(self) -> None:
        # Every resource rule off: the pack is sent no inputs, and the outputs name no group. The relationship
        # cannot be verified, so the PHI account is reported, never passed; property dependencies still work.
        assert lock_verdicts(native_stack("rg-closed", "rg-closed", "closed1"), resource_rules=False) == ["closed1"]
        assert lock_verdicts(native_stack(None, "same", "closed2"), resource_rules=False) == []


def classic_stack(scope: str, account: str) -> Callable[[], None]:
    """A classic PHI storage account and a classic lock on a resource group: by output ('group'), by the group's
    literal ARM ID ('literal'), or on another group ('other')."""

    def program() -> None:
        group = classic.core.ResourceGroup(f"{account}-rg", name=f"rg-{account}", location="eastus2")
        other = classic.core.ResourceGroup(f"{account}-other", name=f"rg-{account}-other", location="eastus2")
        classic.storage.Account(
            account,
            name=f"st{account}",
            resource_group_name=f"rg-{account}",
            location="eastus2",
            account_tier="Standard",
            account_replication_type="GRS",
        )
        lock_scope: Any = {
            "group": group.id,
            "literal": f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-{account}",
            "other": other.id,
        }[scope]
        classic.management.Lock(f"{account}-lock", scope=lock_scope, lock_level="CanNotDelete")

    return program


class TestClassicGroupLock:
    @pytest.mark.parametrize("resource_rules", [True, False], ids=["analyzed", "outputs-only"])
    def test_a_lock_scoped_to_the_accounts_group_covers_it(self, resource_rules: bool) -> None:
        # The classic provider echoes resourceGroupName and a literal scope, so even without analyzed inputs
        # the group is known; a lock scoped to the group by its output is reached by property dependency.
        assert lock_verdicts(classic_stack("literal", "cl1"), resource_rules=resource_rules) == []
        assert lock_verdicts(classic_stack("other", "cl2"), resource_rules=resource_rules) == ["cl2"]

    def test_a_lock_on_the_group_output_covers_an_account_named_into_it(self) -> None:
        assert lock_verdicts(classic_stack("group", "cl3")) == []


def test_remediated_inputs_are_previewed_again() -> None:
    """After a remediation the engine calls Create with the remediated inputs; `Registration.repreview` follows."""

    def program() -> None:
        storage.StorageAccount(
            "sa",
            resource_group_name="rg",
            account_name="strepreview",
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_GRS"),
            minimum_tls_version="TLS1_0",
        )

    registration: Registration = record(program).one(NATIVE_ACCOUNT)
    assert registration.outputs["minimumTlsVersion"] == "TLS1_0"
    remediated = json_format.ParseDict(
        {**registration.checked_inputs, "minimumTlsVersion": "TLS1_2"}, type(registration.outputs_struct)()
    )
    registration.checked_struct = remediated
    registration.repreview()
    assert registration.outputs["minimumTlsVersion"] == "TLS1_2"
    assert "accountName" not in registration.outputs


def test_an_unset_property_unknown_in_the_outputs_never_passes_a_presence_check() -> None:
    """azure-native answers an optional input left unset unknown. With the analyzed inputs the pack sees it is
    unset (a violation); with none (every resource rule off) it cannot tell, and reports that, never a pass."""

    def server(name: str) -> Callable[[], None]:
        def program() -> None:
            pulumi.CustomResource(
                "azure-native:dbforpostgresql:Server",
                name,  # one URN per run: an in-process pack keeps what Analyze sent in earlier runs
                {"serverName": f"{name}-phi", "resourceGroupName": "rg-phi", "location": "eastus2"},
            )

        return program

    assert analyze_stack_properties(record(server("pg0")), "azure-native:dbforpostgresql:Server")["network"] == UNKNOWN
    rule = "phi-private-connectivity"
    others = {r.id: PolicyConfig("disabled") for r in STACK_RULES if r.id != rule}
    verdicts = []
    for name, resource_rules in (("pg1", True), ("pg2", False)):
        config = dict(others) if resource_rules else {**others, **{r.id: PolicyConfig("disabled") for r in RULES}}
        result = enforce(record(server(name)).registrations, PACK_DIR, config=config)
        verdicts.append(sorted(d.enforcement_level for d in result.diagnostics if d.policy == rule))
    assert verdicts == [["mandatory"], ["advisory"]]


CMK_RULE = "cmk-key-protected-and-granted"
CRYPTO_SERVICE_USER = "/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"


def cmk_verdicts(program: Callable[[], None], *, in_process: bool = True) -> list[tuple[str, str]]:
    """The ``cmk-key-protected-and-granted`` diagnostics (enforcement level, message), the other stack rules off."""
    config = {rule.id: PolicyConfig("disabled") for rule in STACK_RULES if rule.id != CMK_RULE}
    config[CMK_RULE] = PolicyConfig("mandatory")
    result = enforce(record(program).registrations, PACK_DIR, config=config, in_process=in_process)
    return sorted((d.enforcement_level, d.message) for d in result.diagnostics if d.policy == CMK_RULE)


def literal_key_name_stack(
    name: str, *, purge_protection: bool, key_name: str, vault_uri: str | None = None
) -> Callable[[], None]:
    """A storage account whose CMK is named by a literal ``keyName`` and the vault URI output of a vault in the
    stack (the way workload teams write it): under the CLI the URI is unknown at preview, the vault is known
    by property dependency, and the key by its literal name in that vault. ``vault_uri`` writes the URI literally."""

    def program() -> None:
        identity = managedidentity.UserAssignedIdentity(f"{name}-id", resource_group_name="rg-cmk")
        vault = keyvault.Vault(
            f"{name}-kv",
            vault_name=f"kv-{name}",
            resource_group_name="rg-cmk",
            properties={
                "tenant_id": SUBSCRIPTION,
                "sku": {"family": "A", "name": "premium"},
                "enable_rbac_authorization": True,
                "enable_purge_protection": purge_protection or None,
            },
        )
        key = keyvault.Key(
            f"{name}-key", key_name=f"cmk-{name}", vault_name=vault.name, resource_group_name="rg-cmk", properties={}
        )
        grant = authorization.RoleAssignment(
            f"{name}-grant",
            principal_id=identity.principal_id,
            principal_type="ServicePrincipal",
            role_definition_id=CRYPTO_SERVICE_USER,
            scope=key.id,
        )
        storage.StorageAccount(
            name,
            resource_group_name="rg-cmk",
            account_name=f"st{name}",
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_GRS"),
            identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
            encryption={
                "key_source": "Microsoft.Keyvault",
                "identity": {"user_assigned_identity": identity.id},
                "key_vault_properties": {
                    "key_name": key_name,
                    "key_vault_uri": vault_uri or vault.properties.vault_uri,
                },
            },
            opts=pulumi.ResourceOptions(depends_on=[grant]),
        )

    return program


class TestCmkKeyNamedLiterallyInAStackVault:
    def test_the_vault_output_and_literal_key_name_find_the_key(self) -> None:
        run = record(literal_key_name_stack("cmkuri0", purge_protection=True, key_name="cmk-cmkuri0"))
        encryption = analyze_stack_properties(run, NATIVE_ACCOUNT)["encryption"]
        assert encryption["keyVaultProperties"]["keyVaultUri"] == UNKNOWN, "unknown at preview, as under the CLI"
        assert cmk_verdicts(literal_key_name_stack("cmkuri1", purge_protection=True, key_name="cmk-cmkuri1")) == []
        assert (
            cmk_verdicts(
                literal_key_name_stack("cmkuri2", purge_protection=True, key_name="CMK-CMKURI2"), in_process=False
            )
            == []
        )

    def test_the_key_found_is_checked_not_skipped(self) -> None:
        verdicts = cmk_verdicts(literal_key_name_stack("cmkuri3", purge_protection=False, key_name="cmk-cmkuri3"))
        assert [level for level, _ in verdicts] == ["mandatory"]
        assert verdicts[0][1].endswith("lives in a vault without purge protection ('cmkuri3-kv')")

    def test_a_literal_vault_uri_finds_the_key_whose_vault_name_is_an_output(self) -> None:
        # The key's vaultName is the vault's name output (unknown at preview): the vault it came from names it.
        uri = "https://kv-cmkuri5.vault.azure.net"
        found = cmk_verdicts(
            literal_key_name_stack("cmkuri5", purge_protection=False, key_name="cmk-cmkuri5", vault_uri=uri)
        )
        assert [level for level, _ in found] == ["mandatory"], "the key is found, so its vault is checked"
        assert found[0][1].endswith("lives in a vault without purge protection ('cmkuri5-kv')")
        other = "https://kv-elsewhere.vault.azure.net/"
        verdicts = cmk_verdicts(
            literal_key_name_stack("cmkuri6", purge_protection=True, key_name="cmk-cmkuri6", vault_uri=other)
        )
        assert [level for level, _ in verdicts] == ["advisory"]

    def test_a_key_name_no_stack_key_has_is_unverifiable_and_says_what_to_do(self) -> None:
        verdicts = cmk_verdicts(literal_key_name_stack("cmkuri4", purge_protection=True, key_name="cmk-elsewhere"))
        assert [level for level, _ in verdicts] == ["advisory"]
        assert "no key of this stack matches its key settings" in verdicts[0][1]
        assert "name its vault by the vault resource's output" in verdicts[0][1]


def classic_separate_key_stack(name: str, *, grant_on_key: bool) -> Callable[[], None]:
    """A classic account keyed by a separate storage.CustomerManagedKey: the key's vault and the identity's grant
    are checked on that resource (the account itself names no key)."""

    def program() -> None:
        identity = classic.authorization.UserAssignedIdentity(
            f"{name}-id", name=f"id-{name}", resource_group_name="rg-cmk", location="eastus2"
        )
        vault = classic.keyvault.KeyVault(
            f"{name}-kv",
            name=f"kv-{name}",
            resource_group_name="rg-cmk",
            location="eastus2",
            tenant_id=SUBSCRIPTION,
            sku_name="premium",
            purge_protection_enabled=True,
        )
        key = classic.keyvault.Key(
            f"{name}-key", name=f"cmk-{name}", key_vault_id=vault.id, key_type="RSA-HSM", key_opts=["unwrapKey"]
        )
        classic.authorization.Assignment(
            f"{name}-grant",
            scope=key.resource_versionless_id if grant_on_key else vault.id,
            role_definition_id=CRYPTO_SERVICE_USER,
            principal_id=identity.principal_id,
            principal_type="ServicePrincipal",
        )
        account = classic.storage.Account(
            name,
            name=f"st{name}",
            resource_group_name="rg-cmk",
            location="eastus2",
            account_tier="Standard",
            account_replication_type="GRS",
            identity={"type": "UserAssigned", "identity_ids": [identity.id]},
        )
        classic.storage.CustomerManagedKey(
            f"{name}-cmk",
            storage_account_id=account.id,
            key_vault_id=vault.id,
            key_name=key.name,
            user_assigned_identity_id=identity.id,
        )

    return program


def test_a_classic_separate_customer_managed_key_is_checked_for_its_grant() -> None:
    assert cmk_verdicts(classic_separate_key_stack("sepkey1", grant_on_key=True)) == []
    verdicts = cmk_verdicts(classic_separate_key_stack("sepkey2", grant_on_key=False))
    assert [level for level, _ in verdicts] == ["mandatory"]
    assert verdicts[0][1].endswith("holds no key-scoped role (Key Vault Crypto Service Encryption User)")
