"""The reference landing zone: what the root ``Pulumi.yaml`` program builds from one `LandingZoneConfig`.

Built so far, in first-deploy order:

1. a provider pinned to the configured subscription and tenant;
2. the security resource group;
3. the Key Vault (Premium, RBAC, purge protection, private only) and the deploying principal's
   "Key Vault Crypto Officer" grant, which Azure requires before any key can be created in it;
4. the customer-managed key of the audit-log archive, with its user-assigned identity;
5. the audit-log workspace and its immutable, CMK-encrypted archive, the activity-log export, and
   the vault's own diagnostics (attached after the workspace: the archive's key lives in the vault);
6. Microsoft Defender for Cloud.

Network (private endpoints and DNS) and the PHI data services join here as their components land.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.customer_managed_key import CustomerManagedKey, CustomerManagedKeyArgs
from components.defender import DefenderForCloud, DefenderForCloudArgs
from components.interfaces import Waiver
from components.key_vault import KeyVault, KeyVaultArgs
from components.log_workspace import LogWorkspace, LogWorkspaceArgs
from landing_zone.config import LandingZoneConfig
from landing_zone.naming import Namer, standard_tags

#: Logical names are part of every URN: renaming one replaces the resource. Keep them stable.
PROVIDER_NAME = "landing-zone"
CMK_BYPASS_REASON = "CMK consumers (Storage, SQL, PostgreSQL) unwrap their keys over Azure's trusted-service path."


def build(config: LandingZoneConfig) -> dict[str, Any]:
    """Register the landing zone's resources and return the outputs a workload team needs."""
    from pulumi_azure_native import Provider, authorization, resources

    namer = Namer.for_config(config)
    tags = standard_tags(config)
    region = config.regions.primary
    provider = Provider(
        PROVIDER_NAME, subscription_id=config.subscription_id, tenant_id=config.tenant_id, location=region
    )
    with_provider = pulumi.ResourceOptions(providers=[provider])
    deployer = authorization.get_client_config_output(opts=pulumi.InvokeOptions(provider=provider))

    security_group = resources.ResourceGroup(
        "security",
        resource_group_name=namer.name("resource_group", "security"),
        location=region,
        tags=tags,
        opts=pulumi.ResourceOptions(provider=provider, protect=True),
    )
    vault = KeyVault(
        "phi",
        KeyVaultArgs(
            resource_group_name=security_group.name,
            location=region,
            tenant_id=config.tenant_id,
            subscription_id=config.subscription_id,
            vault_name=namer.name("key_vault", "phi"),
            allow_trusted_azure_services=Waiver(reason=CMK_BYPASS_REASON),
            tags=tags,
        ),
        opts=with_provider,
    )
    vault.grant_crypto_officer("deployer-crypto-officer", deployer.object_id, principal_type=None)
    logs_key = CustomerManagedKey(
        "audit-logs",
        CustomerManagedKeyArgs(
            key_vault=vault,
            key_name="cmk-audit-logs",
            identity_name=namer.name("user_assigned_identity", "audit-logs-cmk"),
            location=region,
            identity_resource_group_name=security_group.name,
            subscription_id=config.subscription_id,
            key_size=config.keys.key_size,
            hsm_backed=config.keys.hsm_backed,
            software_key_waiver=None
            if config.keys.hsm_backed
            else Waiver(reason="keys.hsmBacked is false in stack config"),
            expiry_days=config.keys.expiry_days,
            rotation_period_days=config.keys.rotation_period_days,
            notify_before_expiry_days=config.keys.notify_before_expiry_days,
            tags=tags,
        ),
        opts=with_provider,
    )
    immutability = config.logging.immutability
    logs = LogWorkspace(
        "audit",
        LogWorkspaceArgs(
            resource_group_name=security_group.name,
            location=region,
            workspace_name=namer.name("log_analytics_workspace", "audit"),
            archive_account_name=namer.name("storage_account", "auditlogs"),
            customer_managed_key=logs_key.reference,
            subscription_id=config.subscription_id,
            interactive_retention_days=config.logging.interactive_retention_days,
            total_retention_days=config.logging.total_retention_days,
            retention_waiver=_waiver(config.logging.retention_waiver),
            immutability_locked=immutability.locked,
            immutability_waiver=None if immutability.enabled else _waiver(immutability.waiver),
            tags=tags,
        ),
        opts=with_provider,
    )
    vault.add_diagnostics(logs.diagnostics)
    DefenderForCloud(
        "defender",
        DefenderForCloudArgs(subscription_id=config.subscription_id, alert_emails=list(config.alerts.emails)),
        opts=with_provider,
    )
    return {
        "securityResourceGroupName": security_group.name,
        "keyVaultId": vault.resource_id,
        "keyVaultName": vault.vault_name,
        "keyVaultUri": vault.vault_uri,
        "auditLogsKeyUri": logs_key.reference.versionless_key_uri,
        "auditLogsKeyIdentityId": logs_key.reference.identity_resource_id,
        "logWorkspaceId": logs.workspace_id,
        "logArchiveStorageAccountId": logs.archive_storage_account_id,
    }


def _waiver(config_waiver: Any) -> Waiver | None:
    """A component waiver carrying the config waiver's reason and approver."""
    if config_waiver is None:
        return None
    return Waiver(reason=f"{config_waiver.reason} (approved by {config_waiver.approved_by})")
