"""The LandingZone composition as Azure would receive it: the deployment defects of issue 10, fixed.

Each test records the full environment (examples/full-phi-environment) under the mocks and asserts
the wire-format inputs, dependency edges and resource options the fix relies on.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.roles import BUILT_IN_ROLES, assignment_name
from landing_zone.composition import LandingZone
from landing_zone.config import parse_config
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramRun, record

ROOT = Path(__file__).resolve().parents[1]
FULL = yaml.safe_load((ROOT / "examples" / "full-phi-environment" / "Pulumi.prod.yaml").read_text())["config"][
    "full-phi-environment:landingZone"
]
SUB = FULL["subscriptionId"]
#: The compositions built by `landing_zone`, for tests of their plain (known at preview) outputs.
ZONES: list[LandingZone] = []
DEPLOYERS = "5b3f2c9a-0000-4000-8000-0000000000e1"
STATEFUL = (
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Key",
    "azure-native:storage:StorageAccount",
    "azure-native:sql:Server",
    "azure-native:sql:Database",
    "azure-native:dbforpostgresql:Server",
    "azure-native:operationalinsights:Workspace",
    "azure-native:dataprotection:BackupVault",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:resources:ResourceGroup",
    "azure-native:network:VirtualNetwork",
)


def landing_zone(dry_run: bool = True, **changes: Any) -> ProgramRun:
    data = copy.deepcopy(FULL)
    data.update(changes)
    config = parse_config(data)

    return record(lambda: ZONES.append(LandingZone("phi", config)), dry_run=dry_run)


@pytest.fixture(scope="module")
def full() -> ProgramRun:
    return landing_zone()


def diffed_inputs(registration: Registration) -> dict[str, Any]:
    """The inputs Pulumi diffs: without the paths the resource's ``ignore_changes`` names (a key's expiry)."""
    inputs = copy.deepcopy(registration.inputs)
    for path in registration.ignore_changes:
        *parents, last = path.split(".")
        node: Any = inputs
        for part in parents:
            node = node.get(part, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(last, None)
    return inputs


def named(run: ProgramRun, type_token: str, name: str) -> Registration:
    (match,) = [r for r in run.by_type(type_token) if r.name == name]
    return match


def by_suffix(run: ProgramRun, type_token: str, suffix: str) -> Registration:
    (match,) = [r for r in run.by_type(type_token) if r.name.endswith(suffix)]
    return match


class TestDeployerGrant:
    """principalType is always sent; the name follows scope+role+principal so a new deployer never collides;
    the grant sits on the (never locked) security resource group, so a former deployer's grant can be deleted."""

    def test_default_deployer_is_the_client_as_a_service_principal(self, full: ProgramRun) -> None:
        grant = named(full, "azure-native:authorization:RoleAssignment", "deployer-crypto-officer")
        assert grant.inputs["principalType"] == "ServicePrincipal"
        assert grant.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["Key Vault Crypto Officer"])
        client = grant.inputs["principalId"]
        assert grant.inputs["roleAssignmentName"] == assignment_name(
            SUB, "deployer-crypto-officer", BUILT_IN_ROLES["Key Vault Crypto Officer"], client
        )

    def test_one_grant_on_the_security_group_that_every_key_waits_for(self, full: ProgramRun) -> None:
        grant = named(full, "azure-native:authorization:RoleAssignment", "deployer-crypto-officer")
        security = named(full, "azure-native:resources:ResourceGroup", "security")
        assert grant.property_dependencies["scope"] == [security.urn]
        assert grant.provider and "landing-zone" in grant.provider, "the provider pinned to the subscription"
        officers = [
            r
            for r in full.by_type("azure-native:authorization:RoleAssignment")
            if r.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["Key Vault Crypto Officer"])
        ]
        assert officers == [grant], "a second assignment of the same role to the same principal would conflict"
        keys = full.by_type("azure-native:keyvault:Key")
        assert len(keys) == 6 and all(grant.urn in key.dependencies for key in keys)

    def test_no_lock_covers_the_grant(self, full: ProgramRun) -> None:
        grant = named(full, "azure-native:authorization:RoleAssignment", "deployer-crypto-officer")
        locked = {
            urn
            for lock in full.by_type("azure-native:authorization:ManagementLockByScope")
            for urn in lock.property_dependencies["scope"]
        }
        assert grant.property_dependencies["scope"][0] not in locked
        assert all("ResourceGroup" not in urn for urn in locked), "resource groups are never locked"

    def test_a_configured_deployment_group(self) -> None:
        run = landing_zone(deployer={"objectId": DEPLOYERS, "principalType": "Group"})
        grant = named(run, "azure-native:authorization:RoleAssignment", "deployer-crypto-officer")
        assert grant.inputs["principalType"] == "Group"
        assert grant.inputs["principalId"] == DEPLOYERS
        assert grant.inputs["roleAssignmentName"] == assignment_name(
            SUB, "deployer-crypto-officer", BUILT_IN_ROLES["Key Vault Crypto Officer"], DEPLOYERS
        )

    def test_a_changed_deployer_replaces_no_stateful_resource_and_never_reuses_the_assignment_name(self) -> None:
        """Issue 13 item 3: a new deployer identity or group object ID touches only the role assignment."""
        before = landing_zone(deployer={"objectId": DEPLOYERS, "principalType": "Group"})
        after = landing_zone(deployer={"objectId": "5b3f2c9a-0000-4000-8000-0000000000e2", "principalType": "Group"})
        old_inputs = {r.urn: diffed_inputs(r) for r in before.registrations}
        new_inputs = {r.urn: diffed_inputs(r) for r in after.registrations}
        assert set(old_inputs) == set(new_inputs), "no resource is renamed"
        changed = {r.urn for r in after.registrations if old_inputs[r.urn] != new_inputs[r.urn]}
        (grant_urn,) = changed
        assert grant_urn.endswith("RoleAssignment::deployer-crypto-officer"), "only the grant changes"
        old, new = (
            named(run, "azure-native:authorization:RoleAssignment", "deployer-crypto-officer")
            for run in (before, after)
        )
        assert old.inputs["roleAssignmentName"] != new.inputs["roleAssignmentName"], (
            "create-before-delete never collides"
        )

    def test_a_changed_group_object_id_replaces_no_stateful_resource(self) -> None:
        """Issue 13 item 3: a re-created Entra group (new object ID, same name) changes only its own grant."""
        subscription = copy.deepcopy(FULL["subscription"])
        before = landing_zone(subscription=subscription)
        subscription["access"][0]["group"]["objectId"] = "5b3f2c9a-0000-4000-8000-0000000000f1"
        after = landing_zone(subscription=subscription)
        old_inputs = {r.urn: diffed_inputs(r) for r in before.registrations}
        changed = [r for r in after.registrations if old_inputs[r.urn] != diffed_inputs(r)]
        assert [r.type for r in changed] == ["azure-native:authorization:RoleAssignment"]
        (grant,) = changed
        assert grant.inputs["principalId"] == "5b3f2c9a-0000-4000-8000-0000000000f1"
        assert grant.inputs["roleAssignmentName"] != old_inputs[grant.urn]["roleAssignmentName"]


class TestRbacPropagation:
    def test_every_cmk_consumer_waits_for_its_grant_to_propagate(self, full: ProgramRun) -> None:
        consumers = {
            "storage": by_suffix(full, "azure-native:storage:StorageAccount", "phi-storage"),
            "sql": full.one("azure-native:sql:Server"),
            "postgres": full.one("azure-native:dbforpostgresql:Server"),
            "backup": full.one("azure-native:dataprotection:BackupVault"),
            "audit-logs": by_suffix(full, "azure-native:storage:StorageAccount", "audit-archive"),
        }
        for key, consumer in consumers.items():
            sleep = named(full, "time:index/sleep:Sleep", f"{key}-rbac-propagation")
            grant = named(full, "azure-native:authorization:RoleAssignment", f"{key}-unwrap")
            assert sleep.inputs == {
                "createDuration": "120s",
                "triggers": {"roleAssignmentId": sleep.inputs["triggers"]["roleAssignmentId"]},
            }
            assert sleep.property_dependencies["triggers"] == [grant.urn]
            assert sleep.urn in consumer.dependencies, key


class TestLogs:
    def test_the_paired_region_vault_logs_to_the_workspace_only(self, full: ProgramRun) -> None:
        settings = [r for r in full.by_type("azure-native:monitor:DiagnosticSetting") if r.name == "phi-paired-diag"]
        assert len(settings) == 1
        assert "storageAccountId" not in settings[0].inputs, "a storage destination must be in the vault's region"
        assert settings[0].inputs["workspaceId"]
        primary = named(full, "azure-native:monitor:DiagnosticSetting", "phi-diag")
        archive = by_suffix(full, "azure-native:storage:StorageAccount", "audit-archive")
        assert primary.property_dependencies["storageAccountId"] == [archive.urn]

    def test_the_archive_admits_trusted_services_behind_a_deny_all_firewall(self, full: ProgramRun) -> None:
        for suffix in ("audit-archive", "audit-flow-logs"):
            account = by_suffix(full, "azure-native:storage:StorageAccount", suffix).inputs
            assert account["publicNetworkAccess"] == "Enabled"
            assert account["networkRuleSet"] == {
                "defaultAction": "Deny",
                "bypass": "AzureServices",
                "ipRules": [],
                "virtualNetworkRules": [],
            }
            assert account["allowSharedKeyAccess"] is False
        phi = by_suffix(full, "azure-native:storage:StorageAccount", "phi-storage").inputs
        assert phi["publicNetworkAccess"] == "Disabled" and phi["networkRuleSet"]["bypass"] == "None"

    def test_flow_logs_go_to_a_non_worm_account_with_an_identity(self, full: ProgramRun) -> None:
        flow_account = by_suffix(full, "azure-native:storage:StorageAccount", "audit-flow-logs")
        assert "immutableStorageWithVersioning" not in flow_account.inputs
        identity = named(full, "azure-native:managedidentity:UserAssignedIdentity", "audit-flow-logs-identity")
        writer = named(full, "azure-native:authorization:RoleAssignment", "audit-flow-logs-writer")
        wait = named(full, "time:index/sleep:Sleep", "audit-flow-logs-rbac-propagation")
        assert writer.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["Storage Blob Data Contributor"])
        assert writer.inputs["principalType"] == "ServicePrincipal"
        assert writer.property_dependencies["scope"] == [flow_account.urn]
        logs = full.by_type("azure-native:network:FlowLog")
        assert len(logs) == 3
        for log in logs:
            assert log.property_dependencies["storageId"] == [flow_account.urn]
            assert log.inputs["identity"]["type"] == "UserAssigned"
            assert log.property_dependencies["identity"] == [identity.urn]
            assert {writer.urn, wait.urn} <= set(log.dependencies)
        lifecycle = full.one("azure-native:storage:ManagementPolicy")
        assert lifecycle.inputs["policy"]["rules"][0]["definition"]["actions"] == {
            "version": {"delete": {"daysAfterCreationGreaterThan": 7}}
        }

    def test_data_export_leaves_out_tables_it_cannot_export(self, full: ProgramRun) -> None:
        export = full.one("azure-native:operationalinsights:DataExport")
        assert "AzureDiagnostics" not in export.inputs["tableNames"]
        tables = {t.inputs["tableName"]: t.inputs for t in full.by_type("azure-native:operationalinsights:Table")}
        assert tables["AzureDiagnostics"]["totalRetentionInDays"] == 2556

    def test_total_retention_reaches_tables_and_archive(self, full: ProgramRun) -> None:
        assert {t.inputs["totalRetentionInDays"] for t in full.by_type("azure-native:operationalinsights:Table")} == {
            2556
        }
        archive = by_suffix(full, "azure-native:storage:StorageAccount", "audit-archive")
        assert (
            archive.inputs["immutableStorageWithVersioning"]["immutabilityPolicy"][
                "immutabilityPeriodSinceCreationInDays"
            ]
            == 2556
        )


class TestBackup:
    def test_blob_operational_backup_owns_restore_and_waits_for_the_blob_service(self, full: ProgramRun) -> None:
        blob = by_suffix(full, "azure-native:storage:BlobServiceProperties", "phi-storage-blob")
        assert "restorePolicy" not in blob.inputs
        assert blob.ignore_changes == ["restorePolicy", "deleteRetentionPolicy"]
        instance = named(full, "azure-native:dataprotection:BackupInstance", "phi-backup-phi-storage")
        assert blob.urn in instance.dependencies

    def test_postgres_vaulted_backup_gets_reader_on_the_servers_resource_group(self, full: ProgramRun) -> None:
        reader = named(full, "azure-native:authorization:RoleAssignment", "phi-backup-phi-postgres-backup-reader")
        group = named(full, "azure-native:resources:ResourceGroup", "data")
        vault = full.one("azure-native:dataprotection:BackupVault")
        assert reader.inputs["roleDefinitionId"].endswith(BUILT_IN_ROLES["Reader"])
        assert reader.inputs["principalType"] == "ServicePrincipal"
        assert reader.property_dependencies["scope"] == [group.urn]
        assert reader.property_dependencies["principalId"] == [vault.urn]
        ltr = named(full, "azure-native:authorization:RoleAssignment", "phi-backup-phi-postgres-backup-role")
        assert ltr.inputs["roleDefinitionId"].endswith("c088a766-074b-43ba-90d4-1fb21feae531")
        instance = named(full, "azure-native:dataprotection:BackupInstance", "phi-backup-phi-postgres")
        assert {reader.urn, ltr.urn} <= set(instance.dependencies)


class TestSubscriptionBaseline:
    def test_initiative_parameters_and_budget_start(self, full: ProgramRun) -> None:
        hitrust = named(full, "azure-native:authorization:PolicyAssignment", "subscription-hipaa-hitrust")
        assert set(hitrust.inputs["parameters"]) >= {
            "installedApplicationsOnWindowsVM",
            "DeployDiagnosticSettingsforNetworkSecurityGroupsstoragePrefix",
            "DeployDiagnosticSettingsforNetworkSecurityGroupsrgName",
            "CertificateThumbprints",
        }
        budget = full.one("azure-native:consumption:Budget")
        assert budget.inputs["timePeriod"]["startDate"].endswith("-01T00:00:00Z")
        assert budget.ignore_changes == ["timePeriod.startDate"]

    def test_postgres_post_deploy_steps_are_exported(self, full: ProgramRun) -> None:
        zone = next(zone for zone in ZONES if zone.config.environment_class == "prod")
        restart, extension = zone.outputs["postgresPostDeploySteps"]
        server = full.one("azure-native:dbforpostgresql:Server").inputs["serverName"]
        assert restart.startswith(f"az postgres flexible-server restart --resource-group <group> --name {server}")
        assert "CREATE EXTENSION IF NOT EXISTS pgaudit;" in extension


class TestEnvironmentClass:
    def test_production_keeps_protect_and_locks(self, full: ProgramRun) -> None:
        assert all(
            r.protect
            for r in full.registrations
            if r.type in STATEFUL and r.type != "azure-native:managedidentity:UserAssignedIdentity"
        )
        locks = full.by_type("azure-native:authorization:ManagementLockByScope")
        assert len(locks) >= 7 and {lock.inputs["level"] for lock in locks} == {"CanNotDelete"}
        assert {r.inputs["tags"]["environmentClass"] for r in full.by_type("azure-native:keyvault:Vault")} == {"prod"}

    def test_nonprod_deploys_without_protect_or_locks_and_says_so(self) -> None:
        logging = {
            **FULL["logging"],
            "immutability": {
                "enabled": False,
                "waiver": {"reason": "sandbox stack destroyed after each test run", "approvedBy": "platform lead"},
            },
        }
        run = landing_zone(environmentClass="nonprod", logging=logging)
        assert [r.urn for r in run.registrations if r.protect] == []
        assert run.by_type("azure-native:authorization:ManagementLockByScope") == []
        for vault in run.by_type("azure-native:keyvault:Vault"):
            assert vault.inputs["tags"]["environmentClass"] == "nonprod"
            assert vault.inputs["tags"]["waiver:lock"].startswith("environmentClass is nonprod")
            assert vault.inputs["properties"]["softDeleteRetentionInDays"] == 7
            assert vault.inputs["properties"]["enablePurgeProtection"] is True, "purge protection cannot be undone"
