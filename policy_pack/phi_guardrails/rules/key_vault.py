"""Key Vault and its keys: the keys encrypt PHI, so losing or exposing them loses or exposes PHI.

Types read: ``azure-native:keyvault:Vault`` and ``azure-native:keyvault:Key`` (any API version), and the
classic provider's ``azure:keyvault/keyVault:KeyVault`` and ``azure:keyvault/key:Key``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, Severity

from phi_guardrails import citations
from phi_guardrails.framework import (
    ResourceRule,
    ResourceView,
    StackContext,
    StackResource,
    StackRule,
    Target,
    as_number,
    entries,
    equals_ignoring_case,
    is_false,
    is_mapping,
    is_true,
    setting,
)

NATIVE_VAULT = ("azure-native:keyvault:Vault",)
CLASSIC_VAULT = ("azure:keyvault/keyVault:KeyVault",)
NATIVE_KEY = ("azure-native:keyvault:Key",)
CLASSIC_KEY = ("azure:keyvault/key:Key",)
HSM_KEY_TYPES = ("RSA-HSM", "EC-HSM", "oct-HSM")


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


def _native_soft_delete(vault: ResourceView) -> Iterable[str]:
    minimum = setting(vault, "minimumRetentionDays", 90)
    if is_false(vault.get("properties.enableSoftDelete")):
        yield "soft delete is disabled (properties.enableSoftDelete); deleted keys could not be recovered"
    retention = as_number(vault.get("properties.softDeleteRetentionInDays"))
    if retention is not None and retention < minimum:
        yield f"soft-delete retention is shorter than the required {minimum:.0f} days (properties.softDeleteRetentionInDays)"


def _classic_soft_delete(vault: ResourceView) -> Iterable[str]:
    retention = as_number(vault.get("softDeleteRetentionDays"))
    minimum = setting(vault, "minimumRetentionDays", 90)
    if retention is not None and retention < minimum:
        yield f"soft-delete retention is shorter than the required {minimum:.0f} days (softDeleteRetentionDays)"


def _native_acl_deny(vault: ResourceView) -> Iterable[str]:
    if not equals_ignoring_case(vault.get("properties.networkAcls.defaultAction"), "Deny"):
        yield (
            "network ACLs do not deny by default (properties.networkAcls.defaultAction must be 'Deny'; "
            "Azure's default is 'Allow')"
        )


def _classic_acl_deny(vault: ResourceView) -> Iterable[str]:
    if not equals_ignoring_case(vault.get("networkAcls.defaultAction"), "Deny"):
        yield "network ACLs do not deny by default (networkAcls.defaultAction must be 'Deny')"


def _key_type_hsm(key: ResourceView, path: str) -> Iterable[str]:
    kty = key.get(path)
    if not any(equals_ignoring_case(kty, allowed) for allowed in HSM_KEY_TYPES):
        yield f"the key is not HSM-backed ({path} must be RSA-HSM or EC-HSM)"


def _key_size(key: ResourceView, type_path: str, size_path: str) -> Iterable[str]:
    kty = key.get(type_path)
    if not (isinstance(kty, str) and kty.upper().startswith("RSA")):
        return
    minimum = setting(key, "minimumRsaKeySize", 3072)
    size = as_number(key.get(size_path))
    if size is None:
        yield f"the RSA key size is not set ({size_path}); Azure's default is 2048 bits, below the {minimum:.0f}-bit floor"
    elif size < minimum:
        yield f"the RSA key is smaller than {minimum:.0f} bits ({size_path})"


def _native_key_expiry(key: ResourceView) -> Iterable[str]:
    if not key.has("properties.attributes.expires") and not key.has("properties.rotationPolicy.attributes.expiryTime"):
        yield (
            "the key never expires: set properties.attributes.expires or a rotation policy expiry "
            "(properties.rotationPolicy.attributes.expiryTime)"
        )


def _classic_key_expiry(key: ResourceView) -> Iterable[str]:
    if not key.has("expirationDate") and not key.has("rotationPolicy.expireAfter"):
        yield "the key never expires: set expirationDate or rotationPolicy.expireAfter"


def _native_key_rotation(key: ResourceView) -> Iterable[str]:
    actions = entries(key.get("properties.rotationPolicy.lifetimeActions"))
    kinds = {str((action.get("action") or {}).get("type", "")).lower() for action in actions if is_mapping(action)}
    if "rotate" not in kinds:
        yield "the key has no automatic rotation (properties.rotationPolicy.lifetimeActions needs a 'rotate' action)"


def _classic_key_rotation(key: ResourceView) -> Iterable[str]:
    if not key.get("rotationPolicy.automatic"):
        yield "the key has no automatic rotation (rotationPolicy.automatic)"


def _vaults_holding_keys_are_premium(context: StackContext) -> Iterable[tuple[str, str]]:
    vaults = context.of_type(*NATIVE_VAULT, *CLASSIC_VAULT)
    holding: set[str] = set()
    for key in context.of_type(*NATIVE_KEY):
        holding.update(key.depends_on_via("vaultName"))
        name = context.read(key, "vaultName", required=False)
        holding.update(
            v.urn for v in vaults if isinstance(name, str) and context.read(v, "vaultName", required=False) == name
        )
    for key in context.of_type(*CLASSIC_KEY):
        holding.update(key.depends_on_via("keyVaultId"))

    def premium(vault: StackResource) -> Iterable[str]:
        sku = vault.view.first("properties.sku.name", "skuName")
        if vault.urn in holding and not equals_ignoring_case(sku, "premium"):
            yield "this vault holds keys but is not Premium; HSM-backed keys need the Premium SKU"

    yield from context.findings(vaults, premium)


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="keyvault-purge-protection",
        azure_policy_ids=("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53",),
        checkov_ids=("CKV_AZURE_110", "CKV_AZURE_42"),
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
        azure_policy_ids=("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5",),
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
        azure_policy_ids=("405c5871-3e91-4644-8a63-58e19d68ff5b",),
        checkov_ids=("CKV_AZURE_189",),
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
    ResourceRule(
        id="keyvault-soft-delete",
        azure_policy_ids=("1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d",),
        checkov_ids=("CKV_AZURE_111",),
        description="Key Vaults must keep soft delete on, with at least the configured retention (default 90 days).",
        citation=citations.DATA_BACKUP_PLAN,
        related=(citations.ENCRYPTION_AT_REST,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Leave properties.enableSoftDelete unset or true and set properties.softDeleteRetentionInDays to 90.",
        targets=(Target(NATIVE_VAULT, _native_soft_delete), Target(CLASSIC_VAULT, _classic_soft_delete)),
        config_schema=PolicyConfigSchema(
            properties={"minimumRetentionDays": {"type": "integer", "minimum": 7, "maximum": 90, "default": 90}}
        ),
        # A non-production vault may keep Key Vault's shortest window (7 days; Azure accepts 7-90) so its name is
        # free a week after `pulumi destroy`; soft delete itself stays required. Purge protection is not relaxed.
        # https://learn.microsoft.com/en-us/azure/key-vault/general/soft-delete-overview
        nonprod_relaxable=True,
        nonprod_settings=(("minimumRetentionDays", 7),),
    ),
    ResourceRule(
        id="keyvault-network-acl-deny",
        azure_policy_ids=("55615ac9-af46-4a59-874e-391cc3dfb490",),
        checkov_ids=("CKV_AZURE_109",),
        description="Key Vault network ACLs must deny by default; only private endpoints (and trusted services) get in.",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set properties.networkAcls.defaultAction='Deny' (azure-native) or networkAcls.defaultAction='Deny' "
            "(classic). Vaults holding customer-managed keys also need bypass='AzureServices' so Storage, SQL "
            "and PostgreSQL can unwrap their keys."
        ),
        targets=(Target(NATIVE_VAULT, _native_acl_deny), Target(CLASSIC_VAULT, _classic_acl_deny)),
    ),
    ResourceRule(
        id="keyvault-key-hsm-backed",
        azure_policy_ids=("587c79fe-dd04-4a5e-9d0b-f89598c7261b",),
        checkov_ids=("CKV_AZURE_112",),
        description="Keys that protect PHI must be HSM-backed (RSA-HSM or EC-HSM).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set properties.kty='RSA-HSM' (azure-native) or keyType='RSA-HSM' (classic) in a Premium vault.",
        targets=(
            Target(NATIVE_KEY, lambda key: _key_type_hsm(key, "properties.kty")),
            Target(CLASSIC_KEY, lambda key: _key_type_hsm(key, "keyType")),
        ),
    ),
    ResourceRule(
        id="keyvault-key-size",
        azure_policy_ids=("82067dbb-e53b-4e06-b631-546d197452d9",),
        description="RSA keys must be at least the configured size (default 3072 bits).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set properties.keySize (azure-native) or keySize (classic) to 3072 or 4096.",
        targets=(
            Target(NATIVE_KEY, lambda key: _key_size(key, "properties.kty", "properties.keySize")),
            Target(CLASSIC_KEY, lambda key: _key_size(key, "keyType", "keySize")),
        ),
        config_schema=PolicyConfigSchema(
            properties={"minimumRsaKeySize": {"type": "integer", "enum": [2048, 3072, 4096], "default": 3072}}
        ),
    ),
    ResourceRule(
        id="keyvault-key-expiry",
        azure_policy_ids=("152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0",),
        checkov_ids=("CKV_AZURE_40",),
        description="Keys must have an expiry so a compromised or forgotten key cannot be used forever.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set properties.rotationPolicy.attributes.expiryTime (for example 'P730D') and/or "
            "properties.attributes.expires; classic: rotationPolicy.expireAfter or expirationDate."
        ),
        targets=(Target(NATIVE_KEY, _native_key_expiry), Target(CLASSIC_KEY, _classic_key_expiry)),
    ),
    ResourceRule(
        id="keyvault-key-rotation-policy",
        azure_policy_ids=("d8cf8476-a2ec-4916-896e-992351803c44",),
        description="Keys must rotate automatically, well before they expire.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Add properties.rotationPolicy.lifetimeActions with {action: {type: 'rotate'}, trigger: "
            "{timeAfterCreate: 'P365D'}} and a 'notify' action before expiry; classic: rotationPolicy.automatic."
        ),
        targets=(Target(NATIVE_KEY, _native_key_rotation), Target(CLASSIC_KEY, _classic_key_rotation)),
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        id="keyvault-premium-sku-for-keys",
        description="A Key Vault that holds keys for PHI encryption must be Premium (HSM-backed keys).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set properties.sku.name='premium' (azure-native) or skuName='premium' (classic) on the vault.",
        check=_vaults_holding_keys_are_premium,
        resource_types=NATIVE_VAULT + CLASSIC_VAULT,
    ),
)
