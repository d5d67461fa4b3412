"""Data-service rules on hand-written resources: each misconfiguration fails its rule, the hardened form passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_azure as classic
import pytest

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import with_changes

Analyze = Callable[..., PackResult]

ACCOUNT = {
    "accountName": "stphi",
    "minimumTlsVersion": "TLS1_2",
    "allowBlobPublicAccess": False,
    "allowSharedKeyAccess": False,
    "publicNetworkAccess": "Disabled",
    "networkRuleSet": {"defaultAction": "Deny"},
    "allowCrossTenantReplication": False,
    "encryption": {
        "keySource": "Microsoft.Keyvault",
        "requireInfrastructureEncryption": True,
        "keyVaultProperties": {"keyVaultUri": "https://kv.vault.azure.net/", "keyName": "cmk"},
    },
}
CLASSIC_ACCOUNT = {
    "minTlsVersion": "TLS1_2",
    "allowNestedItemsToBePublic": False,
    "sharedAccessKeyEnabled": False,
    "publicNetworkAccessEnabled": False,
    "networkRules": {"defaultAction": "Deny"},
    "infrastructureEncryptionEnabled": True,
    "customerManagedKey": {"keyVaultKeyId": "https://kv.vault.azure.net/keys/cmk", "userAssignedIdentityId": "/id"},
    "blobProperties": {
        "versioningEnabled": True,
        "deleteRetentionPolicy": {"days": 35},
        "containerDeleteRetentionPolicy": {"days": 35},
    },
}
SQL_SERVER = {
    "serverName": "sql1",
    "minimalTlsVersion": "1.2",
    "publicNetworkAccess": "Disabled",
    "administrators": {
        "administratorType": "ActiveDirectory",
        "azureADOnlyAuthentication": True,
        "sid": "g",
        "login": "admins",
    },
    "keyId": "https://kv.vault.azure.net/keys/cmk/0123",
}
CLASSIC_SQL = {
    "minimumTlsVersion": "1.2",
    "publicNetworkAccessEnabled": False,
    "azureadAdministrator": {"azureadAuthenticationOnly": True, "loginUsername": "admins", "objectId": "g"},
}
PG_SERVER = {
    "serverName": "pg1",
    "network": {"publicNetworkAccess": "Disabled"},
    "authConfig": {"activeDirectoryAuth": "Enabled", "passwordAuth": "Disabled"},
    "dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": "https://kv.vault.azure.net/keys/cmk"},
    "backup": {"geoRedundantBackup": "Enabled"},
}
CLASSIC_PG = {
    "publicNetworkAccessEnabled": False,
    "authentication": {"activeDirectoryAuthEnabled": True, "passwordAuthEnabled": False},
    "customerManagedKey": {"keyVaultKeyId": "https://kv.vault.azure.net/keys/cmk"},
    "geoRedundantBackupEnabled": True,
}
DP_VAULT = {
    "vaultName": "bv",
    "properties": {
        "securitySettings": {
            "immutabilitySettings": {"state": "Locked"},
            "softDeleteSettings": {"state": "AlwaysOn"},
            "encryptionSettings": {
                "state": "Enabled",
                "keyVaultProperties": {"keyUri": "https://kv.vault.azure.net/keys/cmk"},
            },
        }
    },
}
RS_VAULT = {
    "vaultName": "rsv",
    "properties": {
        "publicNetworkAccess": "Disabled",
        "securitySettings": {
            "immutabilitySettings": {"state": "Unlocked"},
            "softDeleteSettings": {"softDeleteState": "AlwaysON"},
        },
        "encryption": {"keyVaultProperties": {"keyUri": "https://kv.vault.azure.net/keys/cmk"}},
    },
}
CLASSIC_RS_VAULT = {
    "immutability": "Unlocked",
    "softDeleteEnabled": True,
    "publicNetworkAccessEnabled": False,
    "encryption": {"keyId": "https://kv/keys/k"},
}


def with_blob_service(type_token: str, props: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        resource = pulumi.CustomResource(type_token, "subject", props)
        if type_token == "azure-native:storage:StorageAccount":
            name = resource.urn.apply(lambda _: props["accountName"])
            pulumi.CustomResource(
                "azure-native:storage:BlobServiceProperties",
                "subject-blob",
                {
                    "accountName": name,
                    "isVersioningEnabled": True,
                    "deleteRetentionPolicy": {"enabled": True},
                    "containerDeleteRetentionPolicy": {"enabled": True},
                },
            )

    return program


def sql_with_companions(server: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        resource = pulumi.CustomResource("azure-native:sql:Server", "subject", server)
        name = resource.urn.apply(lambda _: "sql1")
        pulumi.CustomResource(
            "azure-native:sql:ServerBlobAuditingPolicy",
            "audit",
            {"serverName": name, "state": "Enabled", "isAzureMonitorTargetEnabled": True},
        )
        pulumi.CustomResource(
            "azure-native:sql:ServerSecurityAlertPolicy", "alerts", {"serverName": name, "state": "Enabled"}
        )

    return program


def verdicts(analyze: Analyze, program: Callable[[], None]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in analyze(record(program).registrations).diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


CASES = [
    ("native", "azure-native:storage:StorageAccount", ACCOUNT, {"enableHttpsTrafficOnly": False}, "storage-https-only"),
    ("native", "azure-native:storage:StorageAccount", ACCOUNT, {"minimumTlsVersion": "TLS1_0"}, "storage-minimum-tls"),
    ("native", "azure-native:storage:StorageAccount", ACCOUNT, {"minimumTlsVersion": None}, "storage-minimum-tls"),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"allowBlobPublicAccess": True},
        "storage-no-anonymous-access",
    ),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"allowSharedKeyAccess": None},
        "storage-shared-key-disabled",
    ),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"publicNetworkAccess": "Enabled"},
        "storage-public-network-access-disabled",
    ),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"networkRuleSet.defaultAction": "Allow"},
        "storage-network-default-deny",
    ),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"encryption.requireInfrastructureEncryption": None},
        "storage-infrastructure-encryption",
    ),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"encryption.keySource": "Microsoft.Storage"},
        "storage-customer-managed-key",
    ),
    (
        "native",
        "azure-native:storage:StorageAccount",
        ACCOUNT,
        {"allowCrossTenantReplication": True},
        "storage-cross-tenant-replication-disabled",
    ),
    (
        "classic",
        "azure:storage/account:Account",
        CLASSIC_ACCOUNT,
        {"allowNestedItemsToBePublic": None},
        "storage-no-anonymous-access",
    ),
    (
        "classic",
        "azure:storage/account:Account",
        CLASSIC_ACCOUNT,
        {"sharedAccessKeyEnabled": True},
        "storage-shared-key-disabled",
    ),
    (
        "classic",
        "azure:storage/account:Account",
        CLASSIC_ACCOUNT,
        {"customerManagedKey": None},
        "storage-customer-managed-key",
    ),
    (
        "classic",
        "azure:storage/account:Account",
        CLASSIC_ACCOUNT,
        {"blobProperties.versioningEnabled": False},
        "storage-blob-recovery",
    ),
    (
        "native",
        "azure-native:sql:Server",
        SQL_SERVER,
        {"administratorLoginPassword": "hunter2"},
        "sql-entra-only-authentication",
    ),
    (
        "native",
        "azure-native:sql:Server",
        SQL_SERVER,
        {"administrators.azureADOnlyAuthentication": False},
        "sql-entra-only-authentication",
    ),
    ("native", "azure-native:sql:Server", SQL_SERVER, {"minimalTlsVersion": "1.0"}, "sql-minimum-tls"),
    (
        "native",
        "azure-native:sql:Server",
        SQL_SERVER,
        {"publicNetworkAccess": "Enabled"},
        "sql-public-network-access-disabled",
    ),
    ("native", "azure-native:sql:Server", SQL_SERVER, {"keyId": None}, "sql-server-audited-cmk-defender"),
    (
        "classic",
        "azure:mssql/server:Server",
        CLASSIC_SQL,
        {"azureadAdministrator.azureadAuthenticationOnly": False},
        "sql-entra-only-authentication",
    ),
    (
        "classic",
        "azure:mssql/server:Server",
        CLASSIC_SQL,
        {"publicNetworkAccessEnabled": None},
        "sql-public-network-access-disabled",
    ),
    (
        "native",
        "azure-native:dbforpostgresql:Server",
        PG_SERVER,
        {"network.publicNetworkAccess": "Enabled"},
        "postgres-public-network-access-disabled",
    ),
    (
        "native",
        "azure-native:dbforpostgresql:Server",
        PG_SERVER,
        {"authConfig.passwordAuth": "Enabled"},
        "postgres-password-auth-disabled",
    ),
    (
        "native",
        "azure-native:dbforpostgresql:Server",
        PG_SERVER,
        {"administratorLoginPassword": "hunter2"},
        "postgres-password-auth-disabled",
    ),
    (
        "native",
        "azure-native:dbforpostgresql:Server",
        PG_SERVER,
        {"dataEncryption.type": "SystemManaged"},
        "postgres-customer-managed-key",
    ),
    (
        "native",
        "azure-native:dbforpostgresql:Server",
        PG_SERVER,
        {"backup.geoRedundantBackup": "Disabled"},
        "postgres-geo-redundant-backup",
    ),
    (
        "classic",
        "azure:postgresql/flexibleServer:FlexibleServer",
        CLASSIC_PG,
        {"authentication.passwordAuthEnabled": True},
        "postgres-password-auth-disabled",
    ),
    (
        "classic",
        "azure:postgresql/flexibleServer:FlexibleServer",
        CLASSIC_PG,
        {"geoRedundantBackupEnabled": None},
        "postgres-geo-redundant-backup",
    ),
    (
        "native",
        "azure-native:dataprotection:BackupVault",
        DP_VAULT,
        {"properties.securitySettings.immutabilitySettings.state": "Disabled"},
        "backup-vault-immutable",
    ),
    (
        "native",
        "azure-native:dataprotection:BackupVault",
        DP_VAULT,
        {"properties.securitySettings.softDeleteSettings.state": "Off"},
        "backup-vault-soft-delete",
    ),
    (
        "native",
        "azure-native:dataprotection:BackupVault",
        DP_VAULT,
        {"properties.securitySettings.encryptionSettings": None},
        "backup-vault-customer-managed-key",
    ),
    (
        "native",
        "azure-native:recoveryservices:Vault",
        RS_VAULT,
        {"properties.publicNetworkAccess": "Enabled"},
        "backup-vault-public-network-access-disabled",
    ),
    (
        "native",
        "azure-native:recoveryservices:Vault",
        RS_VAULT,
        {"properties.securitySettings.immutabilitySettings": None},
        "backup-vault-immutable",
    ),
    (
        "native",
        "azure-native:recoveryservices:Vault",
        RS_VAULT,
        {"properties.encryption": None},
        "backup-vault-customer-managed-key",
    ),
    (
        "classic",
        "azure:recoveryservices/vault:Vault",
        CLASSIC_RS_VAULT,
        {"softDeleteEnabled": False},
        "backup-vault-soft-delete",
    ),
]


def classic_sql_with_companions(server: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        resource = pulumi.CustomResource("azure:mssql/server:Server", "subject", server)
        pulumi.CustomResource(
            "azure:mssql/serverExtendedAuditingPolicy:ServerExtendedAuditingPolicy",
            "audit",
            {"serverId": resource.id, "logMonitoringEnabled": True},
        )
        pulumi.CustomResource(
            "azure:mssql/serverTransparentDataEncryption:ServerTransparentDataEncryption",
            "tde",
            {"serverId": resource.id, "keyVaultKeyId": "https://kv/keys/k/1"},
        )
        name = resource.urn.apply(lambda _: "sql1")
        pulumi.CustomResource(
            "azure:mssql/serverSecurityAlertPolicy:ServerSecurityAlertPolicy",
            "alerts",
            {"serverName": name, "state": "Enabled"},
        )

    return program


def program_for(type_token: str, props: dict[str, Any]) -> Callable[[], None]:
    if type_token == "azure-native:sql:Server":
        return sql_with_companions(props)
    if type_token == "azure:mssql/server:Server":
        return classic_sql_with_companions(props)
    return with_blob_service(type_token, props)


@pytest.mark.parametrize(
    ("type_token", "good", "changes", "rule"),
    [case[1:] for case in CASES],
    ids=[f"{c[4]}-{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_hardened_passes_and_each_break_fails_its_rule(
    analyze: Analyze, type_token: str, good: dict, changes: dict, rule: str
) -> None:
    assert verdicts(analyze, program_for(type_token, good)) == {}
    assert verdicts(analyze, program_for(type_token, with_changes(good, changes))) == {rule: ["mandatory"]}


def test_sql_server_without_companions_fails_the_stack_rule(analyze: Analyze) -> None:
    result = analyze(
        record(
            lambda: pulumi.CustomResource("azure-native:sql:Server", "bare", with_changes(SQL_SERVER, {"keyId": None}))
        ).registrations
    )
    messages = [d.message for d in result.diagnostics if d.policy == "sql-server-audited-cmk-defender"]
    assert len(result.diagnostics) == len(messages) == 3
    assert ["auditing" in messages[0], "customer-managed key" in messages[1], "Defender" in messages[2]] == [True] * 3


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("0.0.0.0", "0.0.0.0", "every Azure service"),
        ("0.0.0.0", "255.255.255.255", "whole Internet"),
        ("10.0.0.1", "10.0.0.1", None),
    ],
)
def test_sql_firewall_rules(analyze: Analyze, start: str, end: str, expected: str | None) -> None:
    props = {"serverName": "sql1", "startIpAddress": start, "endIpAddress": end}
    result = analyze(record(lambda: pulumi.CustomResource("azure-native:sql:FirewallRule", "fw", props)).registrations)
    messages = [d.message for d in result.diagnostics if d.policy == "sql-firewall-not-open"]
    assert (expected is None and not messages) or (len(messages) == 1 and expected in messages[0])


@pytest.mark.parametrize(
    ("name", "value", "fails"),
    [
        ("require_secure_transport", "off", True),
        ("require_secure_transport", "on", False),
        ("ssl_min_protocol_version", "TLSv1.1", True),
        ("log_connections", "off", False),
    ],
)
def test_postgres_transport_parameters(analyze: Analyze, name: str, value: str, fails: bool) -> None:
    props = {"serverName": "pg1", "configurationName": name, "value": value, "source": "user-override"}
    found = verdicts(analyze, lambda: pulumi.CustomResource("azure-native:dbforpostgresql:Configuration", "c", props))
    assert found == ({"postgres-secure-transport": ["mandatory"]} if fails else {})


def test_storage_account_without_blob_service_fails_recovery(analyze: Analyze) -> None:
    found = verdicts(analyze, lambda: pulumi.CustomResource("azure-native:storage:StorageAccount", "bare", ACCOUNT))
    assert found == {"storage-blob-recovery": ["mandatory"]}


@pytest.mark.parametrize("link", ["output", "literal-id", "other-account", "none"])
def test_classic_account_keyed_by_a_separate_customer_managed_key(analyze: Analyze, link: str) -> None:
    """The classic provider also sets an account's key with a separate storage.CustomerManagedKey naming the
    account (by output, or by a literal ARM ID in a hand-written stack); only a key naming this account counts."""

    subscription = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-phi/providers"
    props = with_changes(CLASSIC_ACCOUNT, {"customerManagedKey": None})

    def program() -> None:
        account = pulumi.CustomResource(
            "azure:storage/account:Account", f"keyed-{link}", {**props, "name": f"st{link}"}
        )
        other = pulumi.CustomResource(
            "azure:storage/account:Account", f"other-{link}", {**CLASSIC_ACCOUNT, "name": "o"}
        )
        target: Any = {
            "output": account.id,
            "literal-id": f"{subscription}/Microsoft.Storage/storageAccounts/st{link}",
            "other-account": other.id,
        }.get(link)
        if target is not None:
            classic.storage.CustomerManagedKey(
                f"cmk-{link}",
                storage_account_id=target,
                key_vault_id=f"{subscription}/Microsoft.KeyVault/vaults/kv",
                key_name="cmk",
                user_assigned_identity_id="/id",
            )

    result = analyze(record(program).registrations)
    found = [
        (d.urn.rsplit("::", 1)[-1], d.message) for d in result.diagnostics if d.policy == "storage-customer-managed-key"
    ]
    if link in ("output", "literal-id"):
        assert found == []
    else:
        assert len(found) == 1 and found[0][0] == f"keyed-{link}"
        assert "no storage.CustomerManagedKey with a key names this account" in found[0][1]


def test_violation_messages_never_echo_secrets(analyze: Analyze) -> None:
    result = analyze(
        record(
            program_for(
                "azure-native:sql:Server", with_changes(SQL_SERVER, {"administratorLoginPassword": "S3cr3t!Value"})
            )
        ).registrations
    )
    assert result.diagnostics and all("S3cr3t" not in d.message for d in result.diagnostics)
