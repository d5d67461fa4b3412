"""Security-core rules on hand-written resources: the right violation for each misconfiguration, silence otherwise.

Resources are registered as a user's program would send them (wire names, any API version, the
classic provider's tokens), so the rules are proven on stacks written without our components.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import with_changes

Analyze = Callable[..., PackResult]

GOOD_KEY = {
    "keyName": "cmk",
    "vaultName": "kv1",
    "resourceGroupName": "rg",
    "properties": {
        "kty": "RSA-HSM",
        "keySize": 3072,
        "attributes": {"expires": 1830297600},
        "rotationPolicy": {
            "attributes": {"expiryTime": "P730D"},
            "lifetimeActions": [{"action": {"type": "Rotate"}, "trigger": {"timeAfterCreate": "P365D"}}],
        },
    },
}
GOOD_VAULT_PROPERTIES = {
    "tenantId": "t",
    "sku": {"family": "A", "name": "premium"},
    "enablePurgeProtection": True,
    "enableRbacAuthorization": True,
    "softDeleteRetentionInDays": 90,
    "publicNetworkAccess": "Disabled",
    "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
}
GOOD_WORKSPACE = {
    "workspaceName": "log",
    "resourceGroupName": "rg",
    "retentionInDays": 90,
    "features": {"disableLocalAuth": True},
}
GOOD_SETTING = {
    "name": "diag",
    "resourceUri": "/x",
    "workspaceId": "/w",
    "logs": [{"categoryGroup": "allLogs", "enabled": True}],
}
GOOD_ACTIVITY = {
    "name": "activity",
    "workspaceId": "/w",
    "logs": [{"category": c, "enabled": True} for c in ("Administrative", "Security", "Policy")],
}
IMMUTABLE = {
    "enabled": True,
    "immutabilityPolicy": {"immutabilityPeriodSinceCreationInDays": 2190, "state": "Unlocked"},
}
#: A storage account that passes every account rule, so each test sees only the rule it is about.
HARDENED_ACCOUNT = {
    "accountName": "st1",
    "minimumTlsVersion": "TLS1_2",
    "allowSharedKeyAccess": False,
    "publicNetworkAccess": "Disabled",
    "networkRuleSet": {"defaultAction": "Deny"},
    "encryption": {
        "keySource": "Microsoft.Keyvault",
        "requireInfrastructureEncryption": True,
        "keyVaultProperties": {"keyVaultUri": "https://kv.vault.azure.net/", "keyName": "cmk"},
    },
}
BLOB_RECOVERY = {
    "isVersioningEnabled": True,
    "deleteRetentionPolicy": {"enabled": True},
    "containerDeleteRetentionPolicy": {"enabled": True},
}


def one(type_token: str, props: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        resource = pulumi.CustomResource(type_token, "subject", props)
        if type_token == "azure-native:storage:StorageAccount":  # blob recovery lives on the blob service
            name = resource.urn.apply(lambda _: props.get("accountName", "st1"))
            pulumi.CustomResource(
                "azure-native:storage:BlobServiceProperties", "subject-blob", {"accountName": name, **BLOB_RECOVERY}
            )

    return program


def verdicts(analyze: Analyze, program: Callable[[], None], **options: Any) -> dict[str, list[str]]:
    result = analyze(record(program).registrations, **options)
    found: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], str]] = [
    # (case id, type, good props, changes that break it, rule expected to fire)
    (
        "vault soft delete off",
        "azure-native:keyvault:Vault",
        {"properties": GOOD_VAULT_PROPERTIES},
        {"properties.enableSoftDelete": False},
        "keyvault-soft-delete",
    ),
    (
        "vault short soft delete",
        "azure-native:keyvault:Vault",
        {"properties": GOOD_VAULT_PROPERTIES},
        {"properties.softDeleteRetentionInDays": 7},
        "keyvault-soft-delete",
    ),
    (
        "vault acl allow",
        "azure-native:keyvault:Vault",
        {"properties": GOOD_VAULT_PROPERTIES},
        {"properties.networkAcls.defaultAction": "Allow"},
        "keyvault-network-acl-deny",
    ),
    (
        "vault acl missing",
        "azure-native:keyvault:Vault",
        {"properties": GOOD_VAULT_PROPERTIES},
        {"properties.networkAcls": None},
        "keyvault-network-acl-deny",
    ),
    ("key software", "azure-native:keyvault:Key", GOOD_KEY, {"properties.kty": "RSA"}, "keyvault-key-hsm-backed"),
    ("key 2048", "azure-native:keyvault:Key", GOOD_KEY, {"properties.keySize": 2048}, "keyvault-key-size"),
    ("key size default", "azure-native:keyvault:Key", GOOD_KEY, {"properties.keySize": None}, "keyvault-key-size"),
    (
        "key no expiry",
        "azure-native:keyvault:Key",
        GOOD_KEY,
        {"properties.attributes": None, "properties.rotationPolicy.attributes": None},
        "keyvault-key-expiry",
    ),
    (
        "key no rotation",
        "azure-native:keyvault:Key",
        GOOD_KEY,
        {"properties.rotationPolicy.lifetimeActions": [{"action": {"type": "Notify"}}]},
        "keyvault-key-rotation-policy",
    ),
    (
        "classic key software",
        "azure:keyvault/key:Key",
        {
            "keyType": "RSA-HSM",
            "keySize": 4096,
            "expirationDate": "2028-01-01T00:00:00Z",
            "rotationPolicy": {"automatic": {"timeAfterCreation": "P365D"}, "expireAfter": "P730D"},
        },
        {"keyType": "RSA"},
        "keyvault-key-hsm-backed",
    ),
    (
        "workspace local auth",
        "azure-native:operationalinsights:Workspace",
        GOOD_WORKSPACE,
        {"features.disableLocalAuth": None},
        "loganalytics-local-auth-disabled",
    ),
    (
        "workspace short retention",
        "azure-native:operationalinsights:Workspace",
        GOOD_WORKSPACE,
        {"retentionInDays": 30},
        "loganalytics-retention",
    ),
    (
        "classic workspace local auth",
        "azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace",
        {"retentionInDays": 90, "localAuthenticationEnabled": False},
        {"localAuthenticationEnabled": True},
        "loganalytics-local-auth-disabled",
    ),
    (
        "table short total",
        "azure-native:operationalinsights:Table",
        {"tableName": "AzureActivity", "workspaceName": "log", "totalRetentionInDays": 2190},
        {"totalRetentionInDays": 365},
        "loganalytics-retention",
    ),
    (
        "setting without workspace",
        "azure-native:monitor:DiagnosticSetting",
        GOOD_SETTING,
        {"workspaceId": None, "storageAccountId": "/s"},
        "diagnostic-settings-audit-to-workspace",
    ),
    (
        "setting without audit",
        "azure-native:monitor:DiagnosticSetting",
        GOOD_SETTING,
        {"logs": [{"category": "AuditEvent", "enabled": False}, {"categoryGroup": "allLogs", "enabled": False}]},
        "diagnostic-settings-audit-to-workspace",
    ),
    (
        "classic setting",
        "azure:monitoring/diagnosticSetting:DiagnosticSetting",
        {"logAnalyticsWorkspaceId": "/w", "enabledLogs": [{"categoryGroup": "audit"}]},
        {"logAnalyticsWorkspaceId": None},
        "diagnostic-settings-audit-to-workspace",
    ),
    (
        "activity log partial",
        "azure-native:monitor:SubscriptionDiagnosticSetting",
        GOOD_ACTIVITY,
        {"logs": [{"category": "Administrative", "enabled": True}]},
        "activity-log-to-workspace",
    ),
    (
        "immutability too short",
        "azure-native:storage:StorageAccount",
        {**HARDENED_ACCOUNT, "immutableStorageWithVersioning": IMMUTABLE},
        {"immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays": 30},
        "storage-immutability-period",
    ),
    (
        "immutability disabled",
        "azure-native:storage:StorageAccount",
        {**HARDENED_ACCOUNT, "immutableStorageWithVersioning": IMMUTABLE},
        {"immutableStorageWithVersioning.immutabilityPolicy.state": "Disabled"},
        "storage-immutability-period",
    ),
    (
        "container policy short",
        "azure-native:storage:BlobContainerImmutabilityPolicy",
        {"accountName": "st1", "containerName": "logs", "immutabilityPeriodSinceCreationInDays": 2190},
        {"immutabilityPeriodSinceCreationInDays": 7},
        "storage-immutability-period",
    ),
    (
        "defender free",
        "azure-native:security:Pricing",
        {"pricingName": "KeyVaults", "pricingTier": "Standard"},
        {"pricingTier": "Free"},
        "defender-plan-standard",
    ),
    (
        "classic defender free",
        "azure:securitycenter/subscriptionPricing:SubscriptionPricing",
        {"tier": "Standard", "resourceType": "KeyVaults"},
        {"tier": "Free"},
        "defender-plan-standard",
    ),
]


@pytest.mark.parametrize(
    ("type_token", "good", "changes", "rule"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_good_passes_and_each_break_fails_its_rule(
    analyze: Analyze, type_token: str, good: dict, changes: dict, rule: str
) -> None:
    assert verdicts(analyze, one(type_token, good)) == {}
    assert verdicts(analyze, one(type_token, with_changes(good, changes))) == {rule: ["mandatory"]}


def test_versioned_tokens_are_checked(analyze: Analyze) -> None:
    bad = with_changes(GOOD_KEY, {"properties.kty": "RSA"})
    assert verdicts(analyze, one("azure-native:keyvault/v20241101:Key", bad)) == {
        "keyvault-key-hsm-backed": ["mandatory"]
    }


def test_config_can_raise_the_floors(analyze: Analyze) -> None:
    config = {
        "keyvault-key-size": PolicyConfig("", {"minimumRsaKeySize": 4096}),
        "loganalytics-retention": PolicyConfig("", {"minimumInteractiveDays": 180}),
    }
    assert verdicts(analyze, one("azure-native:keyvault:Key", GOOD_KEY), config=config) == {
        "keyvault-key-size": ["mandatory"]
    }
    found = verdicts(analyze, one("azure-native:operationalinsights:Workspace", GOOD_WORKSPACE), config=config)
    assert found == {"loganalytics-retention": ["mandatory"]}


def test_messages_name_the_floor_but_never_the_value(analyze: Analyze) -> None:
    result = analyze(
        record(one("azure-native:operationalinsights:Table", {"totalRetentionInDays": 1234})).registrations
    )
    (diagnostic,) = result.diagnostics
    assert "2190" in diagnostic.message
    assert "1234" not in diagnostic.message


class TestPremiumVaultForKeys:
    @staticmethod
    def program(sku: str) -> Callable[[], None]:
        def run() -> None:
            properties = with_changes(GOOD_VAULT_PROPERTIES, {"sku.name": sku})
            vault = pulumi.CustomResource(
                "azure-native:keyvault:Vault", "vault", {"vaultName": "kv1", "properties": properties}
            )
            vault_name = vault.urn.apply(lambda _: "kv1")  # carries the dependency edge, as vault.name would
            pulumi.CustomResource("azure-native:keyvault:Key", "key", {**GOOD_KEY, "vaultName": vault_name})

        return run

    def test_premium_vault_holding_a_key_passes(self, analyze: Analyze) -> None:
        assert verdicts(analyze, self.program("premium")) == {}

    def test_standard_vault_holding_a_key_fails_on_the_vault(self, analyze: Analyze) -> None:
        result = analyze(record(self.program("standard")).registrations)
        (diagnostic,) = result.diagnostics
        assert diagnostic.policy == "keyvault-premium-sku-for-keys"
        assert diagnostic.urn.endswith("azure-native:keyvault:Vault::vault")

    def test_standard_vault_without_keys_is_not_flagged(self, analyze: Analyze) -> None:
        properties = with_changes(GOOD_VAULT_PROPERTIES, {"sku.name": "standard"})
        assert (
            verdicts(analyze, one("azure-native:keyvault:Vault", {"vaultName": "kv", "properties": properties})) == {}
        )


class TestLogArchiveImmutable:
    @staticmethod
    def program(
        account_props: dict[str, Any],
        writer: str = "azure-native:monitor:DiagnosticSetting",
        prop: str = "storageAccountId",
    ) -> Callable[[], None]:
        def run() -> None:
            props = {**HARDENED_ACCOUNT, "accountName": "starchive", **account_props}
            account = pulumi.CustomResource("azure-native:storage:StorageAccount", "archive", props)
            name = account.urn.apply(lambda _: "starchive")
            pulumi.CustomResource(
                "azure-native:storage:BlobServiceProperties", "archive-blob", {"accountName": name, **BLOB_RECOVERY}
            )
            pulumi.CustomResource(writer, "writer", {**GOOD_SETTING, prop: account.id})

        return run

    def test_immutable_archive_passes(self, analyze: Analyze) -> None:
        assert verdicts(analyze, self.program({"immutableStorageWithVersioning": IMMUTABLE})) == {}

    @pytest.mark.parametrize(
        ("writer", "prop"),
        [
            ("azure-native:monitor:DiagnosticSetting", "storageAccountId"),
            ("azure-native:monitor:SubscriptionDiagnosticSetting", "storageAccountId"),
            ("azure-native:operationalinsights:DataExport", "resourceId"),
        ],
    )
    def test_mutable_archive_fails_whoever_writes_to_it(self, analyze: Analyze, writer: str, prop: str) -> None:
        result = analyze(record(self.program({}, writer, prop)).registrations)
        archive = [d for d in result.diagnostics if d.policy == "log-archive-immutable"]
        assert len(archive) == 1 and archive[0].enforcement_level == "mandatory"
        assert archive[0].urn.endswith("azure-native:storage:StorageAccount::archive")

    def test_archive_matched_by_literal_id(self, analyze: Analyze) -> None:
        def run() -> None:
            pulumi.CustomResource(
                "azure-native:storage:StorageAccount", "archive", {**HARDENED_ACCOUNT, "accountName": "starchive"}
            )
            pulumi.CustomResource(
                "azure-native:storage:BlobServiceProperties",
                "archive-blob",
                {"accountName": "starchive", **BLOB_RECOVERY},
            )
            literal = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/starchive"
            pulumi.CustomResource(
                "azure-native:monitor:DiagnosticSetting", "writer", {**GOOD_SETTING, "storageAccountId": literal}
            )

        assert verdicts(analyze, run) == {"log-archive-immutable": ["mandatory"]}

    def test_unknown_immutability_is_reported_not_passed(self, analyze: Analyze) -> None:
        def run() -> None:
            other = pulumi.CustomResource(
                "azure-native:storage:StorageAccount", "mutable", {"accountName": "stmutable"}
            )
            pulumi.CustomResource(
                "azure-native:monitor:DiagnosticSetting", "writer-a", {**GOOD_SETTING, "storageAccountId": other.id}
            )
            unknown = pulumi.CustomResource(
                "azure-native:storage:StorageAccount",
                "unknown",
                {"accountName": "stunknown", "immutableStorageWithVersioning": {"enabled": other.id}},
            )
            pulumi.CustomResource(
                "azure-native:monitor:DiagnosticSetting", "writer-b", {**GOOD_SETTING, "storageAccountId": unknown.id}
            )

        result = analyze(record(run).registrations)
        levels = sorted(
            (d.enforcement_level, d.urn.rsplit("::", 1)[-1])
            for d in result.diagnostics
            if d.policy == "log-archive-immutable"
        )
        assert levels == [("advisory", ""), ("mandatory", "mutable")], "definite violation kept, unknown reported"
        advisory = next(d for d in result.diagnostics if d.enforcement_level == "advisory")
        assert (
            "immutableStorageWithVersioning.enabled of azure-native:storage:StorageAccount 'unknown'"
            in advisory.message
        )
