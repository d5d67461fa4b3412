"""Azure SQL: Entra-only, private, TLS 1.2, audited, TDE with a customer-managed key, Defender on.

Types read: ``azure-native:sql:*`` (any API version) and the classic ``azure:mssql/*`` resources.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal, must_not_be_set
from phi_guardrails.framework import (
    Check,
    ResourceRule,
    ResourceView,
    StackContext,
    StackResource,
    StackRule,
    Target,
    equals_ignoring_case,
)

NATIVE_SERVER = ("azure-native:sql:Server",)
CLASSIC_SERVER = ("azure:mssql/server:Server", "azure:sql/sqlServer:SqlServer")
NATIVE_FIREWALL = ("azure-native:sql:FirewallRule",)
CLASSIC_FIREWALL = ("azure:mssql/firewallRule:FirewallRule", "azure:sql/firewallRule:FirewallRule")
AUDITING = ("azure-native:sql:ServerBlobAuditingPolicy", "azure-native:sql:ExtendedServerBlobAuditingPolicy")
CLASSIC_AUDITING = ("azure:mssql/serverExtendedAuditingPolicy:ServerExtendedAuditingPolicy",)
PROTECTOR = ("azure-native:sql:EncryptionProtector",)
CLASSIC_PROTECTOR = ("azure:mssql/serverTransparentDataEncryption:ServerTransparentDataEncryption",)
ALERTS = ("azure-native:sql:ServerSecurityAlertPolicy",)
CLASSIC_ALERTS = ("azure:mssql/serverSecurityAlertPolicy:ServerSecurityAlertPolicy",)


def _native_entra_only(server: ResourceView) -> Iterable[str]:
    yield from must_not_be_set("administratorLoginPassword", "a SQL login password exists")(server)
    yield from must_be_true("administrators.azureADOnlyAuthentication", "Entra-only authentication")(server)


def _classic_entra_only(server: ResourceView) -> Iterable[str]:
    yield from must_not_be_set("administratorLoginPassword", "a SQL login password exists")(server)
    yield from must_be_true("azureadAdministrator.azureadAuthenticationOnly", "Entra-only authentication")(server)


def _firewall_open(start: str, end: str) -> Check:
    def check(rule: ResourceView) -> Iterable[str]:
        first, last = str(rule.get(start) or ""), str(rule.get(end) or "")
        if first == "0.0.0.0" and last == "0.0.0.0":
            yield "the rule admits every Azure service, including other customers' (0.0.0.0 - 0.0.0.0)"
        elif first == "0.0.0.0" and last == "255.255.255.255":
            yield "the rule admits the whole Internet (0.0.0.0 - 255.255.255.255)"

    return check


def _disabled_state(kind: str) -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if equals_ignoring_case(view.get("state"), "Disabled"):
            yield f"{kind} is disabled (state)"

    return check


def _servers_are_covered(context: StackContext) -> Iterable[tuple[str, str]]:
    def attached(types: tuple[str, ...], prop: str = "serverName") -> dict[str, list[StackResource]]:
        found: dict[str, list[StackResource]] = {}
        for resource in context.of_type(*types):
            for urn in resource.depends_on_via(prop, "serverId"):
                found.setdefault(urn, []).append(resource)
        return found

    auditing = attached(AUDITING + CLASSIC_AUDITING)
    protectors = attached(PROTECTOR + CLASSIC_PROTECTOR)
    alerts = attached(ALERTS + CLASSIC_ALERTS)

    def covered(server: StackResource) -> Iterable[str]:
        if not any(
            equals_ignoring_case(policy.view.get("state"), "Enabled") or policy.type in CLASSIC_AUDITING
            for policy in auditing.get(server.urn, [])
        ):
            yield "the server has no enabled auditing policy (ServerBlobAuditingPolicy with state 'Enabled')"
        native_key = server.view.has("keyId")
        classic_key = server.type in CLASSIC_SERVER and server.view.has("transparentDataEncryptionKeyVaultKeyId")
        protected_by_cmk = any(
            equals_ignoring_case(protector.view.get("serverKeyType"), "AzureKeyVault")
            or protector.view.has("keyVaultKeyId")
            for protector in protectors.get(server.urn, [])
        )
        if not (native_key or classic_key or protected_by_cmk):
            yield "TDE is not protected by a customer-managed key (EncryptionProtector serverKeyType 'AzureKeyVault' or keyId)"
        if not any(equals_ignoring_case(alert.view.get("state"), "Enabled") for alert in alerts.get(server.urn, [])):
            yield "Microsoft Defender for SQL alerts are not enabled (ServerSecurityAlertPolicy state 'Enabled')"

    yield from context.findings(context.of_type(*NATIVE_SERVER, *CLASSIC_SERVER), covered)


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="sql-entra-only-authentication",
        azure_policy_ids=("b3a22bc9-66de-45fb-98fa-00f5df42f41a", "abda6d70-9778-44e7-84a8-06713e6db027"),
        checkov_ids=("CKV2_AZURE_27",),
        description="Azure SQL servers must use Entra-only authentication: no SQL login, no password.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove administratorLoginPassword and set administrators {administratorType: 'ActiveDirectory', azureADOnlyAuthentication: true} with an Entra group.",
        targets=(Target(NATIVE_SERVER, _native_entra_only), Target(CLASSIC_SERVER, _classic_entra_only)),
    ),
    ResourceRule(
        id="sql-minimum-tls",
        azure_policy_ids=("32e6bbec-16b6-44c2-be37-c5b672d103cf",),
        checkov_ids=("CKV_AZURE_52",),
        description="Azure SQL servers must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set minimalTlsVersion='1.2' (classic: minimumTlsVersion='1.2').",
        targets=(
            Target(NATIVE_SERVER, must_equal("minimalTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted")),
            Target(
                CLASSIC_SERVER,
                must_equal("minimumTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted", absent="ok"),
            ),
        ),
    ),
    ResourceRule(
        id="sql-public-network-access-disabled",
        azure_policy_ids=("1b8ca024-1d5c-4dec-8995-b1a932b41780",),
        checkov_ids=("CKV_AZURE_113",),
        description="Azure SQL servers must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false).",
        targets=(
            Target(
                NATIVE_SERVER, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_SERVER, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
    ),
    ResourceRule(
        id="sql-firewall-not-open",
        checkov_ids=("CKV_AZURE_11", "CKV2_AZURE_34"),
        description="Azure SQL firewall rules must not admit all Azure services (0.0.0.0) or the whole Internet.",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Delete the rule; reach the server through its private endpoint.",
        targets=(
            Target(NATIVE_FIREWALL, _firewall_open("startIpAddress", "endIpAddress")),
            Target(CLASSIC_FIREWALL, _firewall_open("startIpAddress", "endIpAddress")),
        ),
    ),
    ResourceRule(
        id="sql-auditing-enabled",
        azure_policy_ids=("a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9",),
        checkov_ids=("CKV_AZURE_23",),
        description="Declared Azure SQL auditing and Defender alert policies must be enabled.",
        citation=citations.AUDIT_CONTROLS,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set state='Enabled' (and isAzureMonitorTargetEnabled=true) on the auditing and security alert policies.",
        targets=(
            Target((*AUDITING, "azure-native:sql:DatabaseBlobAuditingPolicy"), _disabled_state("auditing")),
            Target(ALERTS, _disabled_state("Defender for SQL alerting")),
            Target(
                PROTECTOR, must_equal("serverKeyType", "AzureKeyVault", "the TDE protector is a service-managed key")
            ),
        ),
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        id="sql-server-audited-cmk-defender",
        azure_policy_ids=(
            "a6fb4358-5bf4-4ad7-ba82-2cd2f41ce5e9",
            "0a370ff3-6cab-4e85-8995-295fd854c5b8",
            "abfb4388-5bf4-4ad7-ba82-2cd2f41ceae9",
        ),
        checkov_ids=("CKV_AZURE_23",),
        description="Every Azure SQL server must have auditing enabled, TDE protected by a customer-managed key, and Defender for SQL alerts.",
        citation=citations.AUDIT_CONTROLS,
        related=(citations.ENCRYPTION_AT_REST, citations.INCIDENT_PROCEDURES),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Add sql:ServerBlobAuditingPolicy (state Enabled, isAzureMonitorTargetEnabled), sql:ServerKey + "
            "sql:EncryptionProtector (serverKeyType AzureKeyVault) and sql:ServerSecurityAlertPolicy (state Enabled); "
            "our PhiSqlServer does all three."
        ),
        check=_servers_are_covered,
        resource_types=NATIVE_SERVER + CLASSIC_SERVER,
    ),
)
