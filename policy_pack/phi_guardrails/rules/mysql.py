"""Azure Database for MySQL flexible server: private, Entra-only, TLS enforced, customer-managed key.

Types read: ``azure-native:dbformysql:Server`` and ``:Configuration`` (any API version), and the classic
``azure:mysql/flexibleServer:FlexibleServer`` and ``flexibleServerConfiguration``. Entra-only
authentication is the ``aad_auth_only`` server parameter, a separate resource, so that control is a
stack rule following the edge from parameter to server.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/mysql/flexible-server/concepts-networking-private-link (network.publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/mysql/flexible-server/concepts-networking-vnet (delegated subnet: no public endpoint)
- https://learn.microsoft.com/azure/mysql/flexible-server/how-to-connect-tls-ssl (require_secure_transport, tls_version)
- https://learn.microsoft.com/azure/mysql/flexible-server/concepts-azure-ad-authentication (aad_auth_only 'ON')
- https://learn.microsoft.com/azure/mysql/flexible-server/concepts-customer-managed-key (dataEncryption.type 'AzureKeyVault')
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_set, must_equal
from phi_guardrails.framework import (
    Check,
    ResourceView,
    StackContext,
    StackResource,
    StackRule,
    Target,
    equals_ignoring_case,
)
from phi_guardrails.service_checks import any_of, service_rule

NATIVE_SERVER = ("azure-native:dbformysql:Server",)
CLASSIC_SERVER = ("azure:mysql/flexibleServer:FlexibleServer",)
NATIVE_CONFIGURATION = ("azure-native:dbformysql:Configuration",)
CLASSIC_CONFIGURATION = ("azure:mysql/flexibleServerConfiguration:FlexibleServerConfiguration",)
#: The configuration's name and value properties, per provider.
CONFIGURATION_FIELDS = {
    NATIVE_CONFIGURATION[0]: ("configurationName", "value"),
    CLASSIC_CONFIGURATION[0]: ("name", "value"),
}
WEAK_TLS = ("tlsv1", "tlsv1.1")


def _secure_transport(name_path: str, value_path: str) -> Check:
    def check(configuration: ResourceView) -> Iterable[str]:
        name = str(configuration.get(name_path) or "").lower()
        value = configuration.get(value_path)
        if name == "require_secure_transport" and equals_ignoring_case(value, "off"):
            yield "unencrypted connections are allowed (require_secure_transport must stay 'ON')"
        if name == "tls_version" and isinstance(value, str):
            versions = {part.strip().lower() for part in value.split(",")}
            if versions & set(WEAK_TLS):
                yield "TLS older than 1.2 is accepted (tls_version must list only TLSv1.2 and later)"

    return check


def _server_name(context: StackContext, server: StackResource) -> str:
    name = context.read(server, "serverName", required=False) or context.read(server, "name", required=False)
    return str(name or server.name).lower()


def _entra_only(context: StackContext) -> Iterable[tuple[str, str]]:
    enabled: set[str] = set()
    enabled_names: set[str] = set()
    for type_token, (name_path, value_path) in CONFIGURATION_FIELDS.items():
        for configuration in context.of_type(type_token):
            name = str(context.read(configuration, name_path, required=False) or "").lower()
            if name != "aad_auth_only" or not equals_ignoring_case(context.read(configuration, value_path), "on"):
                continue
            enabled.update(configuration.depends_on_via("serverName", "serverId"))
            server = context.read(configuration, "serverName", required=False) or context.read(
                configuration, "serverId", required=False
            )
            if isinstance(server, str):
                enabled_names.add(server.rstrip("/").rsplit("/", 1)[-1].lower())

    def entra_only(server: StackResource) -> Iterable[str]:
        if server.urn in enabled or _server_name(context, server) in enabled_names:
            return
        yield (
            "password authentication is not disabled: no server parameter sets aad_auth_only to 'ON' "
            "(after an Entra administrator is assigned)"
        )

    yield from context.findings(context.of_type(*NATIVE_SERVER, *CLASSIC_SERVER), entra_only)


RULES = (
    service_rule(
        "mysql-public-network-access-disabled",
        description="MySQL flexible servers must have no public access: VNet integration or a private endpoint only.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set network.publicNetworkAccess='Disabled' and add a private endpoint (group 'mysqlServer'), or delegate a subnet (network.delegatedSubnetResourceId; classic: delegatedSubnetId or publicNetworkAccess='Disabled').",
        targets=(
            Target(
                NATIVE_SERVER,
                any_of(
                    must_equal("network.publicNetworkAccess", "Disabled", "public network access is not disabled"),
                    must_be_set("network.delegatedSubnetResourceId", "the server is not VNet-integrated"),
                ),
            ),
            Target(
                CLASSIC_SERVER,
                any_of(
                    must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
                    must_be_set("delegatedSubnetId", "the server is not VNet-integrated"),
                ),
            ),
        ),
        azure_policy_ids=("c9299215-ae47-4f50-9c54-8a392f68a052",),
    ),
    service_rule(
        "mysql-customer-managed-key",
        description="MySQL flexible servers holding PHI must encrypt data with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation="Set dataEncryption {type: 'AzureKeyVault', primaryKeyURI, primaryUserAssignedIdentityId} (classic: customerManagedKey.keyVaultKeyId).",
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
    service_rule(
        "mysql-secure-transport",
        description="MySQL flexible servers must keep require_secure_transport on and accept only TLS 1.2 or later.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Do not set require_secure_transport to 'OFF'; set tls_version to 'TLSv1.2' (or 'TLSv1.2,TLSv1.3').",
        targets=(
            Target(NATIVE_CONFIGURATION, _secure_transport("configurationName", "value")),
            Target(CLASSIC_CONFIGURATION, _secure_transport("name", "value")),
        ),
    ),
)

STACK_RULES = (
    StackRule(
        id="mysql-entra-only-authentication",
        description="MySQL flexible servers must accept Entra ID authentication only (server parameter aad_auth_only 'ON').",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Assign an Entra administrator (dbformysql:AzureADAdministrator) and add a dbformysql:Configuration "
            "aad_auth_only with value 'ON' and source 'user-override' (classic: mysql.FlexibleServerConfiguration)."
        ),
        check=_entra_only,
        resource_types=NATIVE_SERVER + CLASSIC_SERVER,
        azure_policy_ids=("40e85574-ef33-47e8-a854-7a65c7500560",),
    ),
)
