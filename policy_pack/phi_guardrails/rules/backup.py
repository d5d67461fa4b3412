"""Backup vaults of both kinds a stack may use: immutable, soft delete on, CMK-encrypted, not public.

Types read: ``azure-native:dataprotection:BackupVault`` and ``azure-native:recoveryservices:Vault`` (any
API version), and the classic ``azure:dataprotection/backupVault:BackupVault`` and
``azure:recoveryservices/vault:Vault``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_set, must_equal
from phi_guardrails.framework import Check, ResourceRule, ResourceView, Target, equals_ignoring_case, is_false

DATA_PROTECTION_VAULT = ("azure-native:dataprotection:BackupVault",)
RECOVERY_VAULT = ("azure-native:recoveryservices:Vault",)
CLASSIC_DATA_PROTECTION_VAULT = ("azure:dataprotection/backupVault:BackupVault",)
CLASSIC_RECOVERY_VAULT = ("azure:recoveryservices/vault:Vault",)
IMMUTABLE = ("Unlocked", "Locked")


def _soft_delete_not_off(path: str, off_values: tuple[str, ...]) -> Check:
    def check(vault: ResourceView) -> Iterable[str]:
        value = vault.get(path)
        if is_false(value) or any(equals_ignoring_case(value, off) for off in off_values):
            yield f"soft delete is off ({path}); deleted backups would be gone at once"

    return check


def _data_protection_cmk(vault: ResourceView) -> Iterable[str]:
    if not equals_ignoring_case(vault.get("properties.securitySettings.encryptionSettings.state"), "Enabled"):
        yield "backup data is not encrypted with a customer-managed key (properties.securitySettings.encryptionSettings.state)"
    elif not vault.has("properties.securitySettings.encryptionSettings.keyVaultProperties.keyUri"):
        yield "the customer-managed key is not named (encryptionSettings.keyVaultProperties.keyUri)"


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="backup-vault-immutable",
        azure_policy_ids=("2514263b-bc0d-4b06-ac3e-f262c0979018", "d6f6f560-14b7-49a4-9fc8-d2c3a9807868"),
        description="Backup vaults must be immutable (Unlocked, or Locked once retention is agreed) so backups cannot be deleted early.",
        citation=citations.DATA_BACKUP_PLAN,
        related=(citations.INTEGRITY,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set immutabilitySettings.state to 'Unlocked' (then 'Locked' in production; irreversible).",
        targets=(
            Target(
                DATA_PROTECTION_VAULT,
                must_equal(
                    "properties.securitySettings.immutabilitySettings.state", IMMUTABLE, "the vault is not immutable"
                ),
            ),
            Target(
                RECOVERY_VAULT,
                must_equal(
                    "properties.securitySettings.immutabilitySettings.state", IMMUTABLE, "the vault is not immutable"
                ),
            ),
            Target(
                CLASSIC_DATA_PROTECTION_VAULT + CLASSIC_RECOVERY_VAULT,
                must_equal("immutability", IMMUTABLE, "the vault is not immutable"),
            ),
        ),
    ),
    ResourceRule(
        id="backup-vault-soft-delete",
        azure_policy_ids=("9798d31d-6028-4dee-8643-46102185c016", "31b8092a-36b8-434b-9af7-5ec844364148"),
        description="Backup vaults must keep soft delete on.",
        citation=citations.DATA_BACKUP_PLAN,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set soft delete to 'AlwaysOn' (irreversible) or 'On'.",
        targets=(
            Target(
                DATA_PROTECTION_VAULT,
                _soft_delete_not_off("properties.securitySettings.softDeleteSettings.state", ("Off",)),
            ),
            Target(
                RECOVERY_VAULT,
                _soft_delete_not_off("properties.securitySettings.softDeleteSettings.softDeleteState", ("Disabled",)),
            ),
            Target(CLASSIC_DATA_PROTECTION_VAULT, _soft_delete_not_off("softDelete", ("Off",))),
            Target(CLASSIC_RECOVERY_VAULT, _soft_delete_not_off("softDeleteEnabled", ())),
        ),
    ),
    ResourceRule(
        id="backup-vault-customer-managed-key",
        azure_policy_ids=("d6588149-9f06-462c-a076-56aece45b5ba", "2e94d99a-8a36-4563-bc77-810d8893b671"),
        description="Backup vaults holding PHI backups must encrypt them with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set the vault's encryption settings to a Key Vault key and a user-assigned identity (infrastructure encryption too).",
        targets=(
            Target(DATA_PROTECTION_VAULT, _data_protection_cmk),
            Target(
                RECOVERY_VAULT,
                must_be_set(
                    "properties.encryption.keyVaultProperties.keyUri",
                    "backup data is not encrypted with a customer-managed key",
                ),
            ),
            Target(
                CLASSIC_RECOVERY_VAULT,
                must_be_set("encryption.keyId", "backup data is not encrypted with a customer-managed key"),
            ),
        ),
    ),
    ResourceRule(
        id="backup-vault-public-network-access-disabled",
        azure_policy_ids=("9ebbbba3-4d65-4da9-bb67-b22cfaaff090",),
        description="Recovery Services vaults must not be reachable from public networks.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set properties.publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and use private endpoints.",
        targets=(
            Target(
                RECOVERY_VAULT,
                must_equal("properties.publicNetworkAccess", "Disabled", "public network access is not disabled"),
            ),
            Target(CLASSIC_RECOVERY_VAULT, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
    ),
)
