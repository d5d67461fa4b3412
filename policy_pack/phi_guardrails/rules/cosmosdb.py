"""Azure Cosmos DB accounts: private, Entra-only (keys off), TLS 1.2, encrypted with a customer-managed key.

Types read: ``azure-native:cosmosdb:DatabaseAccount`` (any API version) and the classic
``azure:cosmosdb/account:Account``.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/cosmos-db/how-to-configure-private-endpoints (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#disable-local-auth (disableLocalAuth)
- https://learn.microsoft.com/azure/cosmos-db/self-serve-minimum-tls-enforcement (minimalTlsVersion 'Tls12')
- https://learn.microsoft.com/azure/cosmos-db/how-to-setup-customer-managed-keys (keyVaultKeyUri)
"""

from __future__ import annotations

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_set, must_be_true, must_equal
from phi_guardrails.framework import Target
from phi_guardrails.service_checks import any_of, service_rule

NATIVE_ACCOUNT = ("azure-native:cosmosdb:DatabaseAccount",)
CLASSIC_ACCOUNT = ("azure:cosmosdb/account:Account",)

RULES = (
    service_rule(
        "cosmosdb-public-network-access-disabled",
        description="Cosmos DB accounts must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'Sql').",
        targets=(
            Target(
                NATIVE_ACCOUNT, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_ACCOUNT, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("797b37f7-06b8-444c-b1ad-fc62867f335a",),
        checkov_ids=("CKV_AZURE_101",),
    ),
    service_rule(
        "cosmosdb-local-auth-disabled",
        description="Cosmos DB accounts must authorize with Entra ID only; account keys and resource tokens are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Set disableLocalAuth=true (classic: localAuthenticationDisabled=true) and grant Cosmos DB data-plane roles to identities.",
        targets=(
            Target(NATIVE_ACCOUNT, must_be_true("disableLocalAuth", "disabling of key authentication")),
            Target(
                CLASSIC_ACCOUNT,
                any_of(
                    must_be_true("localAuthenticationDisabled", "disabling of key authentication"),
                    must_be_false("localAuthenticationEnabled", "key authentication"),
                ),
            ),
        ),
        azure_policy_ids=("5450f5bd-9c72-4390-a9c4-a7aba4edfdd2",),
        checkov_ids=("CKV_AZURE_140",),
    ),
    service_rule(
        "cosmosdb-minimum-tls",
        description="Cosmos DB accounts must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set minimalTlsVersion='Tls12', or leave it unset: Tls12 is the default on both providers.",
        targets=(
            Target(
                NATIVE_ACCOUNT,
                must_equal("minimalTlsVersion", ("Tls12", "Tls13"), "TLS older than 1.2 is accepted", absent="ok"),
            ),
            Target(
                CLASSIC_ACCOUNT,
                must_equal("minimalTlsVersion", ("Tls12", "Tls13"), "TLS older than 1.2 is accepted", absent="ok"),
            ),
        ),
    ),
    service_rule(
        "cosmosdb-customer-managed-key",
        description="Cosmos DB accounts holding PHI must encrypt data at rest with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation="Set keyVaultKeyUri to a versionless Key Vault key URI at creation, with defaultIdentity naming a user-assigned identity that holds the key (classic: keyVaultKeyId).",
        targets=(
            Target(NATIVE_ACCOUNT, must_be_set("keyVaultKeyUri", "data is not encrypted with a customer-managed key")),
            Target(
                CLASSIC_ACCOUNT,
                any_of(
                    must_be_set("keyVaultKeyId", "data is not encrypted with a customer-managed key"),
                    must_be_set("managedHsmKeyId", "data is not encrypted with a customer-managed key"),
                ),
            ),
        ),
        azure_policy_ids=("1f905d99-2ab7-462c-a6b0-f709acca6c8f",),
        checkov_ids=("CKV_AZURE_100",),
    ),
)
