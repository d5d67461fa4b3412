"""Azure Database for PostgreSQL flexible server: private, Entra-only, CMK-encrypted, geo-backed-up, TLS enforced.

Types read: ``azure-native:dbforpostgresql:Server`` and ``:Configuration`` (any API version), and the classic
``azure:postgresql/flexibleServer:FlexibleServer`` and ``flexibleServerConfiguration``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import all_of, must_be_false, must_be_set, must_be_true, must_equal, must_not_be_set
from phi_guardrails.framework import Check, ResourceRule, ResourceView, Target, equals_ignoring_case

NATIVE_SERVER = ("azure-native:dbforpostgresql:Server",)
CLASSIC_SERVER = ("azure:postgresql/flexibleServer:FlexibleServer",)
NATIVE_CONFIGURATION = ("azure-native:dbforpostgresql:Configuration",)
CLASSIC_CONFIGURATION = ("azure:postgresql/flexibleServerConfiguration:FlexibleServerConfiguration",)
WEAK_TLS = ("TLSv1", "TLSv1.1")


def _native_public(server: ResourceView) -> Iterable[str]:
    if server.has("network.delegatedSubnetResourceId"):
        return  # VNet-integrated servers have no public endpoint at all
    yield from must_equal("network.publicNetworkAccess", "Disabled", "public network access is not disabled")(server)


def _secure_transport(name_path: str, value_path: str) -> Check:
    def check(configuration: ResourceView) -> Iterable[str]:
        name = str(configuration.get(name_path) or "").lower()
        value = configuration.get(value_path)
        if name == "require_secure_transport" and equals_ignoring_case(value, "off"):
            yield "unencrypted connections are allowed (require_secure_transport must stay 'on')"
        if name == "ssl_min_protocol_version" and any(equals_ignoring_case(value, weak) for weak in WEAK_TLS):
            yield "TLS older than 1.2 is accepted (ssl_min_protocol_version must be TLSv1.2 or later)"

    return check


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="postgres-public-network-access-disabled",
        azure_policy_ids=("5e1de0e3-42cb-4ebc-a86d-61d0c619ca48",),
        description="PostgreSQL flexible servers must have no public access: VNet integration or a private endpoint only.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set network.publicNetworkAccess='Disabled' (or delegate a subnet); classic: publicNetworkAccessEnabled=false.",
        targets=(
            Target(NATIVE_SERVER, _native_public),
            Target(CLASSIC_SERVER, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
    ),
    ResourceRule(
        id="postgres-password-auth-disabled",
        azure_policy_ids=("fa498b91-8a7e-4710-9578-da944c68d1fe",),
        description="PostgreSQL flexible servers must authenticate with Entra ID only; password authentication off, no admin password.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set authConfig {activeDirectoryAuth: 'Enabled', passwordAuth: 'Disabled'} and remove administratorLoginPassword.",
        targets=(
            Target(
                NATIVE_SERVER,
                all_of(
                    must_equal("authConfig.passwordAuth", "Disabled", "password authentication is not disabled"),
                    must_equal("authConfig.activeDirectoryAuth", "Enabled", "Entra authentication is not enabled"),
                    must_not_be_set("administratorLoginPassword", "an administrator password exists"),
                ),
            ),
            Target(
                CLASSIC_SERVER,
                all_of(
                    must_be_false("authentication.passwordAuthEnabled", "password authentication"),
                    must_be_true("authentication.activeDirectoryAuthEnabled", "Entra authentication"),
                    must_not_be_set("administratorPassword", "an administrator password exists"),
                ),
            ),
        ),
    ),
    ResourceRule(
        id="postgres-customer-managed-key",
        azure_policy_ids=("12c74c95-0efd-48da-b8d9-2a7d68470c92",),
        description="PostgreSQL flexible servers holding PHI must encrypt data with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set dataEncryption {type: 'AzureKeyVault', primaryKeyURI, primaryUserAssignedIdentityId} (classic: customerManagedKey).",
        targets=(
            Target(
                NATIVE_SERVER,
                must_equal("dataEncryption.type", "AzureKeyVault", "data is not encrypted with a customer-managed key"),
            ),
            Target(
                CLASSIC_SERVER,
                must_be_set("customerManagedKey.keyVaultKeyId", "data is not encrypted with a customer-managed key"),
            ),
        ),
    ),
    ResourceRule(
        id="postgres-geo-redundant-backup",
        azure_policy_ids=("cee2f9fd-3968-44be-a863-bd62c9884423",),
        checkov_ids=("CKV_AZURE_136",),
        description="PostgreSQL flexible servers must keep geo-redundant backups for disaster recovery.",
        citation=citations.DISASTER_RECOVERY,
        related=(citations.DATA_BACKUP_PLAN,),
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set backup.geoRedundantBackup='Enabled' at creation, with a geo-backup key and identity in the paired region.",
        targets=(
            Target(NATIVE_SERVER, must_equal("backup.geoRedundantBackup", "Enabled", "geo-redundant backup is off")),
            Target(CLASSIC_SERVER, must_be_true("geoRedundantBackupEnabled", "geo-redundant backup")),
        ),
    ),
    ResourceRule(
        id="postgres-secure-transport",
        azure_policy_ids=("c29c38cb-74a7-4505-9a06-e588ab86620a", "a43d5475-c569-45ce-a268-28fa79f4e87a"),
        checkov_ids=("CKV_AZURE_147",),
        description="PostgreSQL flexible servers must keep require_secure_transport on and TLS 1.2 as the minimum.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Do not set require_secure_transport to 'off'; set ssl_min_protocol_version to 'TLSv1.2'.",
        targets=(
            Target(NATIVE_CONFIGURATION, _secure_transport("configurationName", "value")),
            Target(CLASSIC_CONFIGURATION, _secure_transport("name", "value")),
        ),
    ),
)
