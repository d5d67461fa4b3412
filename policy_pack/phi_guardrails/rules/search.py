"""Azure AI Search: private, Entra-only (API keys off), customer-managed keys enforced.

Types read: ``azure-native:search:Service`` (any API version) and the classic ``azure:search/service:Service``.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/search/service-create-private-endpoint (publicNetworkAccess 'disabled')
- https://learn.microsoft.com/azure/search/search-security-enable-roles#disable-api-key-authentication (disableLocalAuth)
- https://learn.microsoft.com/azure/search/search-security-manage-encryption-keys (encryptionWithCmk.enforcement 'Enabled')
"""

from __future__ import annotations

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
from phi_guardrails.framework import Target
from phi_guardrails.service_checks import service_rule

NATIVE_SERVICE = ("azure-native:search:Service",)
CLASSIC_SERVICE = ("azure:search/service:Service",)

RULES = (
    service_rule(
        "search-public-network-access-disabled",
        description="AI Search services must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'searchService').",
        targets=(
            Target(
                NATIVE_SERVICE, must_equal("publicNetworkAccess", "disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_SERVICE, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("ee980b6d-0eca-4501-8d54-f6290fd512c3",),
        checkov_ids=("CKV_AZURE_124",),
    ),
    service_rule(
        "search-local-auth-disabled",
        description="AI Search services must authorize with Entra ID only; API keys are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Set disableLocalAuth=true and remove authOptions (classic: localAuthenticationEnabled=false); grant Search data roles to identities.",
        targets=(
            Target(NATIVE_SERVICE, must_be_true("disableLocalAuth", "disabling of API-key authentication")),
            Target(CLASSIC_SERVICE, must_be_false("localAuthenticationEnabled", "API-key authentication")),
        ),
        azure_policy_ids=("6300012e-e9a4-4649-b41f-a85f5c43be91",),
    ),
    service_rule(
        "search-customer-managed-key-enforced",
        description="AI Search services holding PHI must enforce customer-managed keys on their indexes, synonym maps and other content.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation="Set encryptionWithCmk.enforcement='Enabled' (classic: customerManagedKeyEnforcementEnabled=true) and give each index an encryptionKey.",
        targets=(
            Target(
                NATIVE_SERVICE,
                must_equal("encryptionWithCmk.enforcement", "Enabled", "customer-managed keys are not enforced"),
            ),
            Target(
                CLASSIC_SERVICE,
                must_be_true("customerManagedKeyEnforcementEnabled", "customer-managed key enforcement"),
            ),
        ),
        azure_policy_ids=("76a56461-9dc0-40f0-82f5-2453283afa2f",),
    ),
)
