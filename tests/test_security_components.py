"""Security-core components: exact wire inputs under default args, ordering edges, protect and locks, early errors.

Every program here is recorded under the mocks exactly as Pulumi would register it; the same
registrations are then analyzed by the policy pack, which must stay silent for our components.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pulumi.runtime.rpc import UNKNOWN

from components.customer_managed_key import CustomerManagedKey, ExistingVault
from components.defender import DefenderForCloud
from components.interfaces import PrivateEndpointArgs, RoleAssignmentArgs, Waiver
from components.key_vault import KeyVault
from components.log_workspace import DEFAULT_AUDIT_TABLES, LogWorkspace
from components.storage_account import PhiStorageAccount
from landing_zone.errors import ConfigError
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramError, ProgramRun, record
from landing_zone.testing import TEST_TAGS as TAGS

SUB = "3f2c9a51-0000-4000-8000-000000000002"
TENANT = "72f988bf-0000-4000-8000-000000000001"
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
PE_SUBNET = (
    f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-data/subnets/pe"
)
ZONES = {
    "vault": f"/subscriptions/{SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net",
    "blob": f"/subscriptions/{SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net",
}
CMK_REASON = "CMK consumers unwrap their keys over Azure's trusted-service path."


def vault(**overrides: Any) -> KeyVault:
    arguments: dict[str, Any] = {
        "resource_group_name": "rg-sec",
        "location": "eastus2",
        "tenant_id": TENANT,
        "vault_name": "kvcontosodeveus2phid2qv",
        "subscription_id": SUB,
        "allow_trusted_azure_services": Waiver(reason=CMK_REASON, approver="CISO"),
        "tags": TAGS,
        **overrides,
    }
    return KeyVault("phi", **arguments)


def cmk(key_vault: Any = None, name: str = "logs", **overrides: Any) -> CustomerManagedKey:
    arguments: dict[str, Any] = {
        "key_vault": key_vault,
        "key_name": f"cmk-{name}",
        "identity_name": f"id-{name}-cmk",
        "location": "eastus2",
        "identity_resource_group_name": "rg-sec",
        "subscription_id": SUB,
        "created_at": CREATED,
        "tags": TAGS,
        **overrides,
    }
    return CustomerManagedKey(name, **arguments)


def security_core() -> None:
    """Vault, deployer grant, CMK, log workspace with archive, Defender: the reference program's core."""
    key_vault = vault(private_endpoint=PrivateEndpointArgs(subnet_id=PE_SUBNET, private_dns_zone_ids=ZONES))
    key_vault.grant_crypto_officer("deployer", "9a1c0000-0000-4000-8000-00000000beef")
    key = cmk(key_vault)
    logs = LogWorkspace(
        "audit",
        resource_group_name="rg-sec",
        location="eastus2",
        workspace_name="log-contoso-dev-eus2-audit",
        archive_account_name="stcontosodeveus2audit01",
        customer_managed_key=key.reference,
        subscription_id=SUB,
        archive_private_endpoint=PrivateEndpointArgs(subnet_id=PE_SUBNET, private_dns_zone_ids=ZONES),
        tags=TAGS,
    )
    key_vault.add_diagnostics(logs.diagnostics)
    DefenderForCloud("defender", subscription_id=SUB, alert_emails=["secops@contoso.example", "oncall@contoso.example"])


@pytest.fixture(scope="module")
def core_run() -> ProgramRun:
    return record(security_core)


def named(run: ProgramRun, type_token: str, name: str) -> Registration:
    matches = [r for r in run.by_type(type_token) if r.name == name]
    assert len(matches) == 1, f"expected one {type_token} named {name}, found {len(matches)}"
    return matches[0]


class TestCustomerManagedKey:
    def test_key_wire_inputs(self, core_run: ProgramRun) -> None:
        key = core_run.one("azure-native:keyvault:Key")
        assert key.inputs == {
            "keyName": "cmk-logs",
            "vaultName": "kvcontosodeveus2phid2qv",
            "resourceGroupName": "rg-sec",
            "properties": {
                "kty": "RSA-HSM",
                "keySize": 3072.0,
                "keyOps": ["wrapKey", "unwrapKey"],
                "attributes": {
                    "enabled": True,
                    "expires": float(int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())),
                    "exportable": False,
                },
                "rotationPolicy": {
                    "attributes": {"expiryTime": "P730D"},
                    "lifetimeActions": [
                        {"action": {"type": "rotate"}, "trigger": {"timeAfterCreate": "P365D"}},
                        {"action": {"type": "notify"}, "trigger": {"timeBeforeExpiry": "P30D"}},
                    ],
                },
            },
            "tags": TAGS,
        }
        assert key.protect is True
        assert key.ignore_changes == ["properties.attributes.expires"]

    def test_key_waits_for_the_vault_and_the_deployers_grant(self, core_run: ProgramRun) -> None:
        key = core_run.one("azure-native:keyvault:Key")
        officer = named(core_run, "azure-native:authorization:RoleAssignment", "deployer")
        assert core_run.one("azure-native:keyvault:Vault").urn in key.dependencies
        assert officer.urn in key.dependencies

    def test_identity_and_unwrap_role_on_the_key_scope(self, core_run: ProgramRun) -> None:
        identity = core_run.one("azure-native:managedidentity:UserAssignedIdentity")
        key = core_run.one("azure-native:keyvault:Key")
        unwrap = named(core_run, "azure-native:authorization:RoleAssignment", "logs-unwrap")
        assert identity.inputs == {
            "resourceName": "id-logs-cmk",
            "resourceGroupName": "rg-sec",
            "location": "eastus2",
            "tags": TAGS,
        }
        assert identity.protect is True
        assert unwrap.inputs["roleDefinitionId"] == (
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"
        )
        assert unwrap.inputs["principalType"] == "ServicePrincipal"
        assert unwrap.inputs["roleAssignmentName"] == UNKNOWN, "named after the identity, which is unknown at preview"
        assert unwrap.property_dependencies["scope"] == [key.urn], "the role is scoped to the one key"
        assert unwrap.property_dependencies["principalId"] == [identity.urn]

    def test_consumer_is_created_after_identity_and_role_assignment(self, core_run: ProgramRun) -> None:
        account = core_run.one("azure-native:storage:StorageAccount")
        identity = core_run.one("azure-native:managedidentity:UserAssignedIdentity")
        unwrap = named(core_run, "azure-native:authorization:RoleAssignment", "logs-unwrap")
        assert {identity.urn, unwrap.urn} <= set(account.dependencies)
        encryption = account.inputs["encryption"]
        assert encryption["keyVaultProperties"] == {
            "keyName": "cmk-logs",
            "keyVaultUri": "https://kvcontosodeveus2phid2qv.vault.azure.net/",
        }, "versionless: no keyVersion, so rotation needs no change on the consumer"

    def test_consumers_wait_for_the_grant_to_propagate(self, core_run: ProgramRun) -> None:
        """RBAC caches assignments: a consumer created right after the grant can fail with
        KeyVaultAuthenticationFailure, so a time:Sleep sits between the grant and every consumer."""
        unwrap = named(core_run, "azure-native:authorization:RoleAssignment", "logs-unwrap")
        sleep = named(core_run, "time:index/sleep:Sleep", "logs-rbac-propagation")
        assert sleep.inputs == {"createDuration": "120s", "triggers": {"roleAssignmentId": UNKNOWN}}
        assert sleep.property_dependencies["triggers"] == [unwrap.urn] and unwrap.urn in sleep.dependencies
        archive = core_run.one("azure-native:storage:StorageAccount")
        assert sleep.urn in archive.dependencies

    def test_the_wait_can_be_turned_off(self) -> None:
        run = record(lambda: cmk(vault(), rbac_propagation_seconds=0))
        assert run.by_type("time:index/sleep:Sleep") == []

    @pytest.mark.parametrize(
        ("overrides", "field", "message"),
        [
            ({"key_size": 2048}, "key_size", "2048-bit RSA keys are not allowed"),
            ({"rotation_period_days": 720}, "", "at least 30 days shorter than expiry_days"),
            ({"hsm_backed": False}, "", "software_key_waiver"),
            ({"key_vault": "kv-by-name"}, "key_vault", "KeyVault component or an ExistingVault"),
        ],
    )
    def test_invalid_args_fail_before_registration(self, overrides: dict[str, Any], field: str, message: str) -> None:
        with pytest.raises(ProgramError) as caught:
            existing = ExistingVault(vault_name="kv-existing", resource_group_name="rg")
            record(lambda: cmk(**{"key_vault": existing, **overrides}))
        error = caught.value.cause
        assert isinstance(error, ConfigError)
        assert any(p.path == field and message in p.message for p in error.problems), error.problems
        assert [r.type for r in caught.value.registrations] == ["pulumi:pulumi:Stack"]

    def test_existing_vault_gives_literal_uris(self) -> None:
        holder: dict[str, CustomerManagedKey] = {}
        run = record(
            lambda: holder.setdefault("k", cmk(ExistingVault(vault_name="kv-existing", resource_group_name="rg")))
        )
        reference = holder["k"].reference
        assert reference.vault_uri == "https://kv-existing.vault.azure.net/"
        assert reference.versionless_key_uri == "https://kv-existing.vault.azure.net/keys/cmk-logs"
        assert run.one("azure-native:keyvault:Key").inputs["resourceGroupName"] == "rg"


class TestKeyVaultInterfaces:
    def test_one_private_endpoint_with_exactly_one_zone_group(self, core_run: ProgramRun) -> None:
        endpoint = named(core_run, "azure-native:network:PrivateEndpoint", "phi-pep-vault")
        groups = [g for g in core_run.by_type("azure-native:network:PrivateDnsZoneGroup") if g.parent == endpoint.urn]
        assert len(groups) == 1
        assert groups[0].inputs["privateDnsZoneConfigs"] == [{"name": "vault", "privateDnsZoneId": ZONES["vault"]}]
        assert endpoint.inputs["subnet"] == {"id": PE_SUBNET}
        assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["vault"]
        assert endpoint.inputs["privateEndpointName"] == "pep-kvcontosodeveus2phid2qv-vault"

    def test_vault_diagnostics_go_to_the_workspace_and_archive(self, core_run: ProgramRun) -> None:
        setting = named(core_run, "azure-native:monitor:DiagnosticSetting", "phi-diag")
        workspace = core_run.one("azure-native:operationalinsights:Workspace")
        archive = core_run.one("azure-native:storage:StorageAccount")
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
        assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]
        assert setting.property_dependencies["workspaceId"] == [workspace.urn]
        assert setting.property_dependencies["storageAccountId"] == [archive.urn]
        assert setting.property_dependencies["resourceUri"] == [core_run.one("azure-native:keyvault:Vault").urn]

    def test_trusted_services_waiver_sets_bypass_and_is_recorded(self, core_run: ProgramRun) -> None:
        vault_registration = core_run.one("azure-native:keyvault:Vault")
        assert vault_registration.inputs["properties"]["networkAcls"]["bypass"] == "AzureServices"
        assert vault_registration.inputs["properties"]["networkAcls"]["defaultAction"] == "Deny"
        assert vault_registration.inputs["tags"]["waiver:trustedServicesBypass"] == CMK_REASON

    def test_grants_are_scoped_narrowly(self) -> None:
        def program() -> None:
            key_vault = vault()
            key_vault.grant_secrets_user("app-secret", "/subscriptions/x/secrets/db", "principal-app")
            key_vault.grant_crypto_service_encryption_user("sql-key", "/subscriptions/x/keys/sql", "principal-sql")

        run = record(program)
        secret = named(run, "azure-native:authorization:RoleAssignment", "app-secret")
        key = named(run, "azure-native:authorization:RoleAssignment", "sql-key")
        assert secret.inputs["scope"] == "/subscriptions/x/secrets/db"
        assert secret.inputs["roleDefinitionId"].endswith("4633458b-17de-408a-b874-0445c86b69e6")
        assert key.inputs["scope"] == "/subscriptions/x/keys/sql"
        assert key.inputs["roleDefinitionId"].endswith("e147488a-f6f5-4113-8e2d-b22465e65bf6")

    def test_role_assignments_interface(self) -> None:
        admins = RoleAssignmentArgs(principal_id="group-oid", role="Key Vault Reader", principal_type="Group")
        run = record(lambda: vault(role_assignments=[admins]))
        assignment = run.one("azure-native:authorization:RoleAssignment")
        assert assignment.inputs["principalType"] == "Group"
        assert assignment.inputs["roleDefinitionId"].endswith("21090545-7ca7-4776-b22c-e363652d74d2")

    def test_owner_can_never_be_granted(self) -> None:
        owner = RoleAssignmentArgs(principal_id="someone", role="Owner")
        with pytest.raises(ProgramError, match="too broad"):
            record(lambda: vault(role_assignments=[owner]))

    def test_role_assignments_need_the_subscription(self) -> None:
        with pytest.raises(ProgramError) as caught:
            record(
                lambda: vault(
                    subscription_id=None, role_assignments=[RoleAssignmentArgs(principal_id="p", role="Reader")]
                )
            )
        assert "subscription_id" in str(caught.value.cause)

    def test_missing_zone_for_a_sub_resource_is_an_error(self) -> None:
        endpoint = PrivateEndpointArgs(subnet_id=PE_SUBNET, private_dns_zone_ids={"blob": ZONES["blob"]})
        with pytest.raises(ProgramError) as caught:
            record(lambda: vault(private_endpoint=endpoint))
        assert "no private DNS zone ID for sub-resource 'vault'" in str(caught.value.cause)


class TestLogWorkspace:
    def test_workspace_wire_inputs(self, core_run: ProgramRun) -> None:
        workspace = core_run.one("azure-native:operationalinsights:Workspace")
        assert workspace.inputs == {
            "workspaceName": "log-contoso-dev-eus2-audit",
            "resourceGroupName": "rg-sec",
            "location": "eastus2",
            "sku": {"name": "PerGB2018"},
            "retentionInDays": 90.0,
            "features": {"disableLocalAuth": True, "enableLogAccessUsingOnlyResourcePermissions": True},
            "publicNetworkAccessForIngestion": "Enabled",
            "publicNetworkAccessForQuery": "Enabled",
            "tags": TAGS,
        }
        assert workspace.protect is True

    def test_audit_tables_keep_six_years(self, core_run: ProgramRun) -> None:
        tables = core_run.by_type("azure-native:operationalinsights:Table")
        assert sorted(t.inputs["tableName"] for t in tables) == sorted(DEFAULT_AUDIT_TABLES)
        assert {t.inputs["totalRetentionInDays"] for t in tables} == {2191.0}, "six years as Log Analytics counts them"

    def test_archive_is_immutable_for_the_retention_period(self, core_run: ProgramRun) -> None:
        account = core_run.one("azure-native:storage:StorageAccount")
        assert account.inputs["immutableStorageWithVersioning"] == {
            "enabled": True,
            "immutabilityPolicy": {
                "immutabilityPeriodSinceCreationInDays": 2191.0,
                "state": "Unlocked",
                "allowProtectedAppendWrites": True,
            },
        }
        blob = core_run.one("azure-native:storage:BlobServiceProperties")
        assert blob.inputs["restorePolicy"] == {"enabled": False}, "point-in-time restore excludes version-level WORM"

    def test_flow_logs_are_never_pointed_at_the_worm_archive(self) -> None:
        from components.log_workspace import flow_log_target

        def program() -> None:
            logs = LogWorkspace(
                "audit",
                resource_group_name="rg-sec",
                location="eastus2",
                workspace_name="log-contoso-dev-eus2-audit",
                archive_account_name="stcontosodeveus2audit01",
                customer_managed_key=cmk(vault()).reference,
                subscription_id=SUB,
                tags=TAGS,
            )
            flow_log_target(logs, "NetworkWatcher_eastus2")

        with pytest.raises(ProgramError, match="flow logs need the LogWorkspace's flow-log account"):
            record(program)

    def test_export_and_activity_log_reach_the_archive(self, core_run: ProgramRun) -> None:
        archive = core_run.one("azure-native:storage:StorageAccount")
        export = core_run.one("azure-native:operationalinsights:DataExport")
        activity = core_run.one("azure-native:monitor:SubscriptionDiagnosticSetting")
        assert export.inputs["tableNames"] == [
            "AzureActivity",
            "StorageBlobLogs",
            "StorageFileLogs",
            "StorageQueueLogs",
            "StorageTableLogs",
            "LAQueryLogs",
        ], "AzureDiagnostics cannot be exported; it reaches the archive through the diagnostic settings"
        assert export.inputs["enable"] is True
        assert export.property_dependencies["resourceId"] == [archive.urn]
        assert {c["category"] for c in activity.inputs["logs"]} >= {"Administrative", "Security", "Policy"}
        assert activity.property_dependencies["storageAccountId"] == [archive.urn]

    def test_workspace_and_archive_are_locked(self, core_run: ProgramRun) -> None:
        locks = {lock.name: lock for lock in core_run.by_type("azure-native:authorization:ManagementLockByScope")}
        assert {"audit-lock", "audit-archive-lock", "phi-lock"} <= set(locks)
        assert all(lock.inputs["level"] == "CanNotDelete" for lock in locks.values())

    def test_private_link_scope_closes_public_access(self) -> None:
        scope_id = (
            f"/subscriptions/{SUB}/resourceGroups/rg-mon/providers/microsoft.insights/privateLinkScopes/ampls-hub"
        )

        def program() -> None:
            key = cmk(ExistingVault(vault_name="kv-existing", resource_group_name="rg"))
            LogWorkspace(
                "audit",
                resource_group_name="rg-sec",
                location="eastus2",
                workspace_name="log-audit",
                archive_account_name="starchive01",
                customer_managed_key=key.reference,
                subscription_id=SUB,
                private_link_scope_id=scope_id,
            )

        run = record(program)
        workspace = run.one("azure-native:operationalinsights:Workspace")
        assert workspace.inputs["publicNetworkAccessForIngestion"] == "Disabled"
        assert workspace.inputs["publicNetworkAccessForQuery"] == "Disabled"
        link = run.one("azure-native:monitor:PrivateLinkScopedResource")
        assert (link.inputs["scopeName"], link.inputs["resourceGroupName"]) == ("ampls-hub", "rg-mon")

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"total_retention_days": 365}, "needs retention_waiver"),
            ({"interactive_retention_days": 10}, "greater than or equal to 30"),
            ({"audit_tables": []}, "audit_tables cannot be empty"),
            ({"lock": None}, "lock_waiver"),
        ],
    )
    def test_invalid_args_are_rejected(self, overrides: dict[str, Any], message: str) -> None:
        def program() -> None:
            key = cmk(ExistingVault(vault_name="kv-existing", resource_group_name="rg"))
            arguments: dict[str, Any] = {
                "resource_group_name": "rg",
                "location": "eastus2",
                "workspace_name": "log-audit",
                "archive_account_name": "starchive01",
                "customer_managed_key": key.reference,
                "subscription_id": SUB,
                **overrides,
            }
            LogWorkspace("audit", **arguments)

        with pytest.raises(ProgramError) as caught:
            record(program)
        assert message in str(caught.value.cause)

    def test_retention_waiver_and_immutability_waiver_are_recorded(self) -> None:
        def program() -> None:
            key = cmk(ExistingVault(vault_name="kv-existing", resource_group_name="rg"))
            LogWorkspace(
                "audit",
                resource_group_name="rg",
                location="eastus2",
                workspace_name="log-sandbox",
                archive_account_name="stsandbox01",
                customer_managed_key=key.reference,
                subscription_id=SUB,
                total_retention_days=365,
                retention_waiver=Waiver(
                    reason="Synthetic data only; no PHI ever enters this sandbox.", approver="CISO"
                ),
                immutability_waiver=Waiver(
                    reason="Sandbox archives are deleted with the environment.", approver="CISO"
                ),
            )

        run = record(program)
        workspace = run.one("azure-native:operationalinsights:Workspace")
        archive = run.one("azure-native:storage:StorageAccount")
        assert workspace.inputs["tags"]["waiver:retention"].startswith("Synthetic data only")
        assert "immutableStorageWithVersioning" not in archive.inputs
        assert archive.inputs["tags"]["waiver:immutability"].startswith("Sandbox archives")


class TestPhiStorageAccount:
    def test_account_wire_inputs(self, core_run: ProgramRun) -> None:
        inputs = core_run.one("azure-native:storage:StorageAccount").inputs
        expected = {
            "kind": "StorageV2",
            "sku": {"name": "Standard_GZRS"},
            "enableHttpsTrafficOnly": True,
            "minimumTlsVersion": "TLS1_2",
            "allowBlobPublicAccess": False,
            "allowSharedKeyAccess": False,
            "defaultToOAuthAuthentication": True,
            "allowCrossTenantReplication": False,
            "allowedCopyScope": "PrivateLink",
            "isSftpEnabled": False,
            "isLocalUserEnabled": False,
            "publicNetworkAccess": "Enabled",  # trusted services (diagnostics, export) write to the archive
            "networkRuleSet": {
                "defaultAction": "Deny",
                "bypass": "AzureServices",
                "ipRules": [],
                "virtualNetworkRules": [],
            },
        }
        assert {key: inputs[key] for key in expected} == expected
        encryption = inputs["encryption"]
        assert encryption["keySource"] == "Microsoft.Keyvault"
        assert encryption["requireInfrastructureEncryption"] is True
        assert {service["keyType"] for service in encryption["services"].values()} == {"Account"}
        assert inputs["identity"]["type"] == "UserAssigned"

    def test_diagnostics_on_account_metrics_and_service_logs(self, core_run: ProgramRun) -> None:
        account = named(core_run, "azure-native:monitor:DiagnosticSetting", "audit-archive-diag")
        blob = named(core_run, "azure-native:monitor:DiagnosticSetting", "audit-archive-blob-diag")
        assert account.inputs["logs"] == [], "a storage account emits metrics; its services emit the logs"
        assert blob.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]

    def test_phi_store_defaults_without_immutability(self) -> None:
        def program() -> None:
            key = cmk(ExistingVault(vault_name="kv-existing", resource_group_name="rg"))
            PhiStorageAccount(
                "phi",
                resource_group_name="rg",
                location="eastus2",
                account_name="stphi01",
                customer_managed_key=key.reference,
                private_endpoint=PrivateEndpointArgs(subnet_id=PE_SUBNET, private_dns_zone_ids=ZONES),
            )

        run = record(program)
        account = run.one("azure-native:storage:StorageAccount")
        blob = run.one("azure-native:storage:BlobServiceProperties")
        assert account.inputs["networkRuleSet"]["bypass"] == "None"
        assert "immutableStorageWithVersioning" not in account.inputs
        assert blob.inputs["restorePolicy"] == {"enabled": True, "days": 30.0}
        assert blob.inputs["deleteRetentionPolicy"] == {"enabled": True, "days": 35.0, "allowPermanentDelete": False}
        assert blob.inputs["isVersioningEnabled"] is True and blob.inputs["changeFeed"]["enabled"] is True
        assert [e.name for e in run.by_type("azure-native:network:PrivateEndpoint")] == ["phi-pep-blob"]

    def test_restore_window_must_fit_inside_soft_delete(self) -> None:
        def program() -> None:
            key = cmk(ExistingVault(vault_name="kv-existing", resource_group_name="rg"))
            PhiStorageAccount(
                "phi",
                resource_group_name="rg",
                location="eastus2",
                account_name="stphi01",
                customer_managed_key=key.reference,
                point_in_time_restore_days=40,
            )

        with pytest.raises(ProgramError, match="point_in_time_restore_days must be shorter"):
            record(program)


class TestDefender:
    def test_plans_are_standard_with_storage_extensions(self, core_run: ProgramRun) -> None:
        plans = {p.inputs["pricingName"]: p.inputs for p in core_run.by_type("azure-native:security:Pricing")}
        assert set(plans) == {
            "StorageAccounts",
            "KeyVaults",
            "SqlServers",
            "OpenSourceRelationalDatabases",
            "Arm",
            "CloudPosture",
        }
        assert {p["pricingTier"] for p in plans.values()} == {"Standard"}
        assert {p["scopeId"] for p in plans.values()} == {f"/subscriptions/{SUB}"}
        storage = plans["StorageAccounts"]
        assert storage["subPlan"] == "DefenderForStorageV2"
        assert storage["extensions"] == [
            {
                "name": "OnUploadMalwareScanning",
                "isEnabled": "True",
                "additionalExtensionProperties": {"CapGBPerMonthPerStorageAccount": "5000"},
            },
            {"name": "SensitiveDataDiscovery", "isEnabled": "True"},
        ]

    def test_security_contact_notifies_on_high_severity(self, core_run: ProgramRun) -> None:
        contact = core_run.one("azure-native:security:SecurityContact").inputs
        assert contact["emails"] == "secops@contoso.example;oncall@contoso.example"
        assert contact["isEnabled"] is True
        assert {"sourceType": "Alert", "minimalSeverity": "High"} in contact["notificationsSources"]

    @pytest.mark.parametrize(
        ("emails", "message"), [([], "at least 1 item"), (["not-an-email"], "not an email address")]
    )
    def test_alert_contacts_are_required(self, emails: list[str], message: str) -> None:
        with pytest.raises(ProgramError) as caught:
            record(lambda: DefenderForCloud("defender", subscription_id=SUB, alert_emails=emails))
        assert message in str(caught.value.cause)


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "update"])
def test_security_core_passes_every_rule(analyze_every_rule: Callable[..., PackResult], dry_run: bool) -> None:
    result = analyze_every_rule(record(security_core, dry_run=dry_run).registrations)
    assert [(d.policy, d.urn, d.message) for d in result.diagnostics] == []
