"""Key Vault: the vault holds the keys that encrypt PHI, so losing or exposing it loses or exposes PHI.

Types read: ``azure-native:keyvault:Vault`` (any API version) and the classic provider's
``azure:keyvault/keyVault:KeyVault``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.framework import ResourceRule, ResourceView, Target, equals_ignoring_case, is_true

NATIVE_VAULT = ("azure-native:keyvault:Vault",)
CLASSIC_VAULT = ("azure:keyvault/keyVault:KeyVault",)


def _native_purge_protection(vault: ResourceView) -> Iterable[str]:
    if not is_true(vault.get("properties.enablePurgeProtection")):
        yield (
            "purge protection is not enabled (properties.enablePurgeProtection); a deleted vault or key "
            "could be purged before the retention period ends, destroying the only way to decrypt PHI"
        )


def _classic_purge_protection(vault: ResourceView) -> Iterable[str]:
    if not is_true(vault.get("purgeProtectionEnabled")):
        yield "purge protection is not enabled (purgeProtectionEnabled)"


def _native_rbac(vault: ResourceView) -> Iterable[str]:
    if not is_true(vault.get("properties.enableRbacAuthorization")):
        yield (
            "Azure RBAC authorization is not enabled (properties.enableRbacAuthorization); vault access "
            "policies grant broad, vault-wide permissions that cannot be scoped to one key or secret"
        )
    if vault.get("properties.accessPolicies"):
        yield (
            "access policies are declared (properties.accessPolicies); grant access with Azure role assignments instead"
        )


def _classic_rbac(vault: ResourceView) -> Iterable[str]:
    if not is_true(vault.first("rbacAuthorizationEnabled", "enableRbacAuthorization")):
        yield "Azure RBAC authorization is not enabled (rbacAuthorizationEnabled)"
    if vault.get("accessPolicies"):
        yield "access policies are declared (accessPolicies); grant access with Azure role assignments instead"


def _native_public_access(vault: ResourceView) -> Iterable[str]:
    if not equals_ignoring_case(vault.get("properties.publicNetworkAccess"), "Disabled"):
        yield (
            "public network access is not disabled (properties.publicNetworkAccess must be 'Disabled'; "
            "Azure's default is 'Enabled'); reach the vault through a private endpoint"
        )


def _classic_public_access(vault: ResourceView) -> Iterable[str]:
    if vault.get("publicNetworkAccessEnabled") is not False:
        yield "public network access is not disabled (publicNetworkAccessEnabled must be false; the default is true)"


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="keyvault-purge-protection",
        description="Key Vaults must have purge protection enabled so keys that decrypt PHI cannot be destroyed.",
        citation=citations.ENCRYPTION_AT_REST,
        related=(citations.DATA_BACKUP_PLAN,),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set properties.enablePurgeProtection=true (azure-native) or purgeProtectionEnabled=true (classic). "
            "Purge protection cannot be turned off once on; the vault name stays reserved for the "
            "soft-delete retention period after deletion."
        ),
        targets=(
            Target(NATIVE_VAULT, _native_purge_protection),
            Target(CLASSIC_VAULT, _classic_purge_protection),
        ),
    ),
    ResourceRule(
        id="keyvault-rbac-authorization",
        description="Key Vaults must use Azure RBAC authorization, not access policies, for least-privilege access.",
        citation=citations.ACCESS_MANAGEMENT,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set properties.enableRbacAuthorization=true (azure-native) or rbacAuthorizationEnabled=true (classic), "
            "remove access policies, and grant roles such as 'Key Vault Crypto Service Encryption User' on the "
            "individual key."
        ),
        targets=(Target(NATIVE_VAULT, _native_rbac), Target(CLASSIC_VAULT, _classic_rbac)),
    ),
    ResourceRule(
        id="keyvault-public-network-access-disabled",
        description="Key Vaults must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set properties.publicNetworkAccess='Disabled' (azure-native) or publicNetworkAccessEnabled=false "
            "(classic), and reach the vault through a private endpoint with the privatelink.vaultcore.azure.net "
            "private DNS zone."
        ),
        targets=(Target(NATIVE_VAULT, _native_public_access), Target(CLASSIC_VAULT, _classic_public_access)),
    ),
)
