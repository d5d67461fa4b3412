"""Azure Synapse workspaces: private, managed virtual network, Entra-only, customer-managed key.

Types read: ``azure-native:synapse:Workspace`` (any API version) and the classic ``azure:synapse/workspace:Workspace``.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/synapse-analytics/security/connectivity-settings (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-managed-vnet (managedVirtualNetwork 'default')
- https://learn.microsoft.com/azure/synapse-analytics/sql/active-directory-authentication#microsoft-entra-only-authentication
- https://learn.microsoft.com/azure/synapse-analytics/security/workspaces-encryption (encryption.cmk.key)

``synapse-managed-virtual-network`` is advisory by default. A managed workspace virtual network is an
option chosen at creation ("When you create your Azure Synapse workspace, you can choose to associate it to
a Azure Virtual Network", https://learn.microsoft.com/azure/synapse-analytics/security/synapse-workspace-managed-vnet).
It isolates data integration and Spark; dedicated and serverless SQL pools are multi-tenant and sit outside it
either way (same page), so a SQL-only workspace reached through private endpoints with public access disabled
(mandatory here) gains nothing from it. Workspaces that run Spark or pipelines on PHI should have it. The built-in policy 2d9dbfa3 (default effect Audit) is in neither the
HIPAA HITRUST nor the Microsoft cloud security benchmark initiative (Azure/azure-policy). A pack config can
make it mandatory.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import all_of, must_be_false, must_be_set, must_be_true, must_equal, must_not_be_set
from phi_guardrails.framework import Target
from phi_guardrails.service_checks import service_rule

NATIVE_WORKSPACE = ("azure-native:synapse:Workspace",)
CLASSIC_WORKSPACE = ("azure:synapse/workspace:Workspace",)

RULES = (
    service_rule(
        "synapse-public-network-access-disabled",
        description="Synapse workspaces must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add private endpoints (groups 'Sql', 'SqlOnDemand', 'Dev').",
        targets=(
            Target(
                NATIVE_WORKSPACE, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_WORKSPACE, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("38d8df46-cf4e-4073-8e03-48c24b29de0d",),
    ),
    service_rule(
        "synapse-managed-virtual-network",
        description="Synapse workspaces should use a managed virtual network (set at creation) so Spark and pipelines reach data privately (advisory: an option Microsoft's baselines do not require).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set managedVirtualNetwork='default' at creation (classic: managedVirtualNetworkEnabled=true).",
        targets=(
            Target(
                NATIVE_WORKSPACE, must_equal("managedVirtualNetwork", "default", "no managed virtual network is used")
            ),
            Target(CLASSIC_WORKSPACE, must_be_true("managedVirtualNetworkEnabled", "the managed virtual network")),
        ),
        azure_policy_ids=("2d9dbfa3-927b-4cf0-9d0f-08747f971650",),
        checkov_ids=("CKV_AZURE_58",),
    ),
    service_rule(
        "synapse-entra-only-authentication",
        description="Synapse workspaces must use Entra-only authentication: no SQL administrator password.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.CRITICAL,
        remediation="Set azureADOnlyAuthentication=true (classic: azureadAuthenticationOnly=true) and remove sqlAdministratorLoginPassword.",
        targets=(
            Target(
                NATIVE_WORKSPACE,
                all_of(
                    must_be_true("azureADOnlyAuthentication", "Entra-only authentication"),
                    must_not_be_set("sqlAdministratorLoginPassword", "a SQL administrator password exists"),
                ),
            ),
            Target(
                CLASSIC_WORKSPACE,
                all_of(
                    must_be_true("azureadAuthenticationOnly", "Entra-only authentication"),
                    must_not_be_set("sqlAdministratorLoginPassword", "a SQL administrator password exists"),
                ),
            ),
        ),
        azure_policy_ids=("6ea81a52-5ca7-4575-9669-eaa910b7edf8", "2158ddbe-fefa-408e-b43f-d4faef8ff3b8"),
    ),
    service_rule(
        "synapse-customer-managed-key",
        description="Synapse workspaces holding PHI must add a customer-managed key layer to their data encryption (set at creation).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation="Set encryption.cmk.key {name, keyVaultUrl} with a workspace identity that can unwrap it (classic: customerManagedKey.keyVersionlessId).",
        targets=(
            Target(
                NATIVE_WORKSPACE,
                must_be_set("encryption.cmk.key.keyVaultUrl", "data is not encrypted with a customer-managed key"),
            ),
            Target(
                CLASSIC_WORKSPACE,
                must_be_set("customerManagedKey.keyVersionlessId", "data is not encrypted with a customer-managed key"),
            ),
        ),
        azure_policy_ids=("f7d52b2d-e161-4dfa-a82b-55e564167385",),
        checkov_ids=("CKV_AZURE_240",),
    ),
)
