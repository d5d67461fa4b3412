"""PHI data components: SQL, PostgreSQL and the backup vault, as the engine receives them.

Wire inputs under default args, the CMK identity and role assignment before each consumer, the
geo-backup key exactly when geo-redundant backup is on, no password anywhere, bad arguments rejected
before registration, and the policy pack silent on the result.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from components.backup_vault import BackupSource, BackupVault
from components.customer_managed_key import CustomerManagedKey, ExistingVault
from components.interfaces import DiagnosticsArgs, PrivateEndpointArgs
from components.postgres_server import PhiPostgresServer, VnetIntegrationArgs, server_parameters
from components.sql_server import PhiSqlServer, SqlDatabaseArgs
from landing_zone.config import EntraGroup
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramError, ProgramRun, record
from landing_zone.testing import TEST_TAGS as TAGS

SUB = "3f2c9a51-0000-4000-8000-000000000002"
TENANT = "72f988bf-0000-4000-8000-000000000001"
ADMINS = EntraGroup(object_id="5b3f2c9a-0000-4000-8000-000000000009", display_name="phi-db-admins")
DIAGNOSTICS = DiagnosticsArgs(
    workspace_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log"
)
ENDPOINT = PrivateEndpointArgs(
    subnet_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe",
    private_dns_zone_ids={
        "sqlServer": "/subscriptions/s/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/privatelink.database.windows.net",
        "postgresqlServer": "/subscriptions/s/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/privatelink.postgres.database.azure.com",
    },
)


def key(name: str, vault: str = "kv-primary", location: str = "eastus2") -> CustomerManagedKey:
    return CustomerManagedKey(
        name,
        key_vault=ExistingVault(vault_name=vault, resource_group_name="rg-sec"),
        key_name=f"cmk-{name}",
        identity_name=f"id-{name}",
        location=location,
        identity_resource_group_name="rg-sec",
        subscription_id=SUB,
        tags=TAGS,
    )


def sql(**overrides: Any) -> None:
    cmk = key("sql")
    arguments: dict[str, Any] = {
        "resource_group_name": "rg-data",
        "location": "eastus2",
        "server_name": "sql-contoso-dev-eus2-phi-ab12",
        "tenant_id": TENANT,
        "administrators": ADMINS,
        "customer_managed_key": cmk.reference,
        "databases": [SqlDatabaseArgs(name="clinical")],
        "alert_emails": ["secops@contoso.example"],
        "diagnostics": DIAGNOSTICS,
        "private_endpoint": ENDPOINT,
        "tags": TAGS,
        **overrides,
    }
    PhiSqlServer("sql", **arguments)


def postgres(geo: bool = True, **overrides: Any) -> None:
    arguments: dict[str, Any] = {
        "resource_group_name": "rg-data",
        "location": "eastus2",
        "server_name": "psql-contoso-dev-eus2-phi-ab12",
        "tenant_id": TENANT,
        "administrators": ADMINS,
        "customer_managed_key": key("pg").reference,
        "geo_redundant_backup": geo,
        "geo_backup_key": key("pg-geo", vault="kv-paired", location="centralus").reference if geo else None,
        "private_endpoint": ENDPOINT,
        "diagnostics": DIAGNOSTICS,
        "tags": TAGS,
        **overrides,
    }
    PhiPostgresServer("pg", **arguments)


def backup() -> None:
    server = PhiPostgresServer(
        "pg",
        resource_group_name="rg-data",
        location="eastus2",
        server_name="psql-phi",
        tenant_id=TENANT,
        administrators=ADMINS,
        customer_managed_key=key("pg").reference,
        geo_backup_key=key("pg-geo", vault="kv-paired", location="centralus").reference,
        private_endpoint=ENDPOINT,
        diagnostics=DIAGNOSTICS,
        tags=TAGS,
    )
    BackupVault(
        "backup",
        resource_group_name="rg-data",
        location="eastus2",
        vault_name="bvault-contoso-dev-eus2-phi",
        subscription_id=SUB,
        customer_managed_key=key("backup").reference,
        storage_accounts=[
            BackupSource(
                label="phi",
                resource_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stphi",
                resource_name="stphi",
                location="eastus2",
            )
        ],
        postgres_servers=[
            BackupSource(
                label="pg",
                resource_id=server.resource_id,
                resource_name="psql-phi",
                location="eastus2",
                resource_group_id="/subscriptions/s/resourceGroups/rg-data",
            )
        ],
        tags=TAGS,
    )


@pytest.fixture(scope="module")
def sql_run() -> ProgramRun:
    return record(sql)


@pytest.fixture(scope="module")
def pg_run() -> ProgramRun:
    return record(postgres, dry_run=False)


@pytest.fixture(scope="module")
def backup_run() -> ProgramRun:
    return record(backup)


def named(run: ProgramRun, type_token: str, name: str) -> Registration:
    (match,) = [r for r in run.by_type(type_token) if r.name == name]
    return match


class TestSqlServer:
    def test_a_4096_bit_tde_key_is_refused(self) -> None:
        """Azure SQL TDE takes RSA 2048 or 3072 only (transparent-data-encryption-byok-overview)."""

        def program() -> None:
            big = CustomerManagedKey(
                "big",
                key_vault=ExistingVault(vault_name="kv-primary", resource_group_name="rg-sec"),
                key_name="cmk-big",
                identity_name="id-big",
                location="eastus2",
                identity_resource_group_name="rg-sec",
                subscription_id=SUB,
                key_size=4096,
                tags=TAGS,
            )
            sql(customer_managed_key=big.reference)

        with pytest.raises(ProgramError, match="Azure SQL TDE accepts only RSA or RSA-HSM keys of 2048 or 3072 bits"):
            record(program)

    def test_server_wire_inputs(self, sql_run: ProgramRun) -> None:
        server = sql_run.one("azure-native:sql:Server")
        inputs = server.inputs
        assert "administratorLogin" not in inputs and "administratorLoginPassword" not in inputs
        assert inputs["administrators"] == {
            "administratorType": "ActiveDirectory",
            "azureADOnlyAuthentication": True,
            "principalType": "Group",
            "login": "phi-db-admins",
            "sid": "5b3f2c9a-0000-4000-8000-000000000009",
            "tenantId": TENANT,
        }
        assert (inputs["minimalTlsVersion"], inputs["publicNetworkAccess"], inputs["version"]) == (
            "1.2",
            "Disabled",
            "12.0",
        )
        assert inputs["identity"]["type"] == "UserAssigned"
        assert server.protect is True

    def test_server_waits_for_the_cmk_identity_and_role(self, sql_run: ProgramRun) -> None:
        server = sql_run.one("azure-native:sql:Server")
        identity = sql_run.one("azure-native:managedidentity:UserAssignedIdentity")
        unwrap = sql_run.one("azure-native:authorization:RoleAssignment")
        assert {identity.urn, unwrap.urn} <= set(server.dependencies)
        assert server.property_dependencies["keyId"] == [sql_run.one("azure-native:keyvault:Key").urn]

    def test_tde_protector_is_the_customer_managed_key_with_rotation(self, sql_run: ProgramRun) -> None:
        protector = sql_run.one("azure-native:sql:EncryptionProtector")
        server_key = sql_run.one("azure-native:sql:ServerKey")
        assert protector.inputs["serverKeyType"] == "AzureKeyVault"
        assert protector.inputs["autoRotationEnabled"] is True
        assert protector.property_dependencies["serverKeyName"] == [server_key.urn]
        assert server_key.inputs["serverKeyType"] == "AzureKeyVault"

    def test_entra_only_auditing_and_defender(self, sql_run: ProgramRun) -> None:
        assert (
            sql_run.one("azure-native:sql:ServerAzureADOnlyAuthentication").inputs["azureADOnlyAuthentication"] is True
        )
        auditing = sql_run.one("azure-native:sql:ServerBlobAuditingPolicy").inputs
        assert (auditing["state"], auditing["isAzureMonitorTargetEnabled"]) == ("Enabled", True)
        assert "FAILED_DATABASE_AUTHENTICATION_GROUP" in auditing["auditActionsAndGroups"]
        alerts = sql_run.one("azure-native:sql:ServerSecurityAlertPolicy").inputs
        assert (alerts["state"], alerts["emailAddresses"]) == ("Enabled", ["secops@contoso.example"])
        assert sql_run.one("azure-native:sql:SqlVulnerabilityAssessmentsSetting").inputs["state"] == "Enabled"

    def test_database_backups_and_auditing(self, sql_run: ProgramRun) -> None:
        database = sql_run.one("azure-native:sql:Database")
        assert (database.inputs["zoneRedundant"], database.inputs["requestedBackupStorageRedundancy"]) == (
            True,
            "GeoZone",
        )
        assert database.protect is True
        assert sql_run.one("azure-native:sql:BackupShortTermRetentionPolicy").inputs["retentionDays"] == 35.0
        ltr = sql_run.one("azure-native:sql:LongTermRetentionPolicy").inputs
        assert (ltr["weeklyRetention"], ltr["monthlyRetention"], ltr["yearlyRetention"]) == ("P5W", "P12M", "P6Y")
        assert sql_run.one("azure-native:sql:DatabaseBlobAuditingPolicy").inputs["state"] == "Enabled"
        settings = {s.name for s in sql_run.by_type("azure-native:monitor:DiagnosticSetting")}
        assert settings == {"sql-master-diag", "sql-clinical-diag"}

    def test_private_endpoint_and_lock(self, sql_run: ProgramRun) -> None:
        endpoint = sql_run.one("azure-native:network:PrivateEndpoint")
        assert endpoint.inputs["privateLinkServiceConnections"][0]["groupIds"] == ["sqlServer"]
        assert sql_run.one("azure-native:authorization:ManagementLockByScope").inputs["level"] == "CanNotDelete"

    def test_public_access_needs_an_endpoint_or_a_waiver(self) -> None:
        with pytest.raises(ProgramError, match="needs private_endpoint"):
            record(lambda: sql(private_endpoint=None))


class TestPostgresServer:
    def test_server_wire_inputs(self, pg_run: ProgramRun) -> None:
        inputs = pg_run.one("azure-native:dbforpostgresql:Server").inputs
        assert inputs["authConfig"] == {
            "activeDirectoryAuth": "Enabled",
            "passwordAuth": "Disabled",
            "tenantId": TENANT,
        }
        assert "administratorLoginPassword" not in inputs
        assert inputs["network"] == {"publicNetworkAccess": "Disabled"}
        assert inputs["backup"] == {"backupRetentionDays": 35.0, "geoRedundantBackup": "Enabled"}
        assert inputs["highAvailability"] == {"mode": "Disabled"}
        encryption = inputs["dataEncryption"]
        assert encryption["type"] == "AzureKeyVault"
        assert encryption["primaryKeyURI"] == "https://kv-primary.vault.azure.net/keys/cmk-pg"
        assert encryption["geoBackupKeyURI"] == "https://kv-paired.vault.azure.net/keys/cmk-pg-geo"
        assert len(inputs["identity"]["userAssignedIdentities"]) == 2

    def test_geo_backup_identity_and_key_exist_exactly_when_geo_backup_is_on(self) -> None:
        with_geo = record(postgres, dry_run=False)
        without = record(lambda: postgres(geo=False), dry_run=False)
        assert len(with_geo.by_type("azure-native:keyvault:Key")) == 2
        assert len(without.by_type("azure-native:keyvault:Key")) == 1
        plain = without.one("azure-native:dbforpostgresql:Server").inputs
        assert "geoBackupKeyURI" not in plain["dataEncryption"] and plain["backup"]["geoRedundantBackup"] == "Disabled"
        assert len(plain["identity"]["userAssignedIdentities"]) == 1

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"geo_backup_key": None}, "geo_redundant_backup needs geo_backup_key"),
            ({"private_endpoint": None}, "choose exactly one private access"),
            (
                {"vnet_integration": VnetIntegrationArgs(delegated_subnet_id="/s", private_dns_zone_id="/z")},
                "choose exactly one",
            ),
        ],
    )
    def test_invalid_args_are_rejected(self, overrides: dict[str, Any], message: str) -> None:
        with pytest.raises(ProgramError, match=message):
            record(lambda: postgres(**overrides))

    def test_parameters_are_applied_one_after_another(self, pg_run: ProgramRun) -> None:
        configurations = pg_run.by_type("azure-native:dbforpostgresql:Configuration")
        assert [(c.inputs["configurationName"], c.inputs["value"]) for c in configurations] == server_parameters(
            "ddl,role,write"
        )
        admin = pg_run.one("azure-native:dbforpostgresql:Administrator")
        previous = admin.urn
        for configuration in configurations:
            assert previous in configuration.dependencies
            previous = configuration.urn
        assert (admin.inputs["principalType"], admin.inputs["objectId"]) == ("Group", ADMINS.object_id)


class TestBackupVault:
    def test_vault_wire_inputs(self, backup_run: ProgramRun) -> None:
        vault = backup_run.one("azure-native:dataprotection:BackupVault")
        properties = vault.inputs["properties"]
        security = properties["securitySettings"]
        assert security["immutabilitySettings"] == {"state": "Unlocked"}
        assert security["softDeleteSettings"] == {"state": "AlwaysOn", "retentionDurationInDays": 14.0}
        assert security["encryptionSettings"]["state"] == "Enabled"
        assert security["encryptionSettings"]["infrastructureEncryption"] == "Enabled"
        assert security["encryptionSettings"]["keyVaultProperties"] == {
            "keyUri": "https://kv-primary.vault.azure.net/keys/cmk-backup"
        }
        assert properties["storageSettings"] == [{"datastoreType": "VaultStore", "type": "GeoRedundant"}]
        assert properties["featureSettings"] == {"crossRegionRestoreSettings": {"state": "Enabled"}}
        assert vault.inputs["identity"]["type"] == "SystemAssigned,UserAssigned"
        assert vault.protect is True

    def test_policies_and_instances_wait_for_their_roles(self, backup_run: ProgramRun) -> None:
        policies = {
            p.inputs["backupPolicyName"]: p for p in backup_run.by_type("azure-native:dataprotection:BackupPolicy")
        }
        assert set(policies) == {"blob-operational", "postgres-weekly"}
        assert policies["postgres-weekly"].inputs["properties"]["policyRules"][0]["trigger"]["schedule"][
            "repeatingTimeIntervals"
        ] == ["R/2026-01-04T02:00:00+00:00/P1W"]
        roles = {r.name: r for r in backup_run.by_type("azure-native:authorization:RoleAssignment")}
        assert (
            roles["backup-phi-backup-role"].inputs["roleDefinitionId"].endswith("e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1")
        )
        assert (
            roles["backup-pg-backup-role"].inputs["roleDefinitionId"].endswith("c088a766-074b-43ba-90d4-1fb21feae531")
        )
        for label in ("phi", "pg"):
            instance = named(backup_run, "azure-native:dataprotection:BackupInstance", f"backup-{label}")
            assert roles[f"backup-{label}-backup-role"].urn in instance.dependencies


#: Properties that carry secrets (settings such as ``passwordAuth: Disabled`` do not end with these).
SECRET_KEY = re.compile(r"(password|secret|connectionstring|accesskey|sastoken)$", re.IGNORECASE)
SECRET_VALUE = re.compile(r"(AccountKey=|Password=|SharedAccessSignature=|sig=)", re.IGNORECASE)


@pytest.mark.parametrize("program", [sql, postgres, backup], ids=["sql", "postgres", "backup"])
def test_no_password_or_connection_secret_anywhere(program: Callable[[], None]) -> None:
    run = record(program, dry_run=False)

    def keys(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [*value, *(k for item in value.values() for k in keys(item))]
        if isinstance(value, list):
            return [k for item in value for k in keys(item)]
        return []

    offending = {
        (r.type, k) for r in run.registrations for k in keys(r.inputs) + keys(r.outputs) if SECRET_KEY.search(k)
    }
    assert offending == set()
    assert not [r.urn for r in run.registrations if SECRET_VALUE.search(str(r.inputs) + str(r.outputs))]


@pytest.mark.parametrize("program", [sql, postgres, backup], ids=["sql", "postgres", "backup"])
@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "update"])
def test_data_components_pass_every_rule(
    analyze_every_rule: Callable[..., PackResult], program: Callable[[], None], dry_run: bool
) -> None:
    result = analyze_every_rule(record(program, dry_run=dry_run).registrations)
    assert [(d.policy, d.urn, d.message) for d in result.diagnostics] == []


def test_defaults_do_not_leak_between_runs() -> None:
    assert copy.deepcopy(server_parameters("read"))[-1] == ("pgaudit.log", "read")
