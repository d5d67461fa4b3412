"""`BackupVault`: an Azure Backup vault (Data Protection) for the PHI stores' backups (164.308(a)(7)(ii)(A)).

- Immutability from config: ``Unlocked`` or ``Locked``. Locking is irreversible: a locked vault's
  backups cannot be deleted before their retention ends and the setting cannot be turned off. Lock
  production vaults once retention is agreed.
- Soft delete ``AlwaysOn`` (also irreversible): deleted backups are kept for the soft-delete period.
- The customer-managed key encrypts backup data, through a user-assigned identity; infrastructure
  (double) encryption on; geo-redundant storage with cross-region restore.
- Backup policies and instances: operational backup of each PHI storage account's blobs, and weekly
  vaulted backups of each PostgreSQL flexible server, with retention from config. The vault's
  system-assigned identity gets the roles Azure Backup needs on each data source: "Storage Account
  Backup Contributor" on a storage account
  (https://learn.microsoft.com/azure/backup/blob-backup-configure-manage#grant-permissions-to-the-backup-vault-on-storage-accounts);
  "PostgreSQL Flexible Server Long Term Retention Backup Role" on a server and Reader on the
  server's resource group
  (https://learn.microsoft.com/azure/backup/backup-azure-database-postgresql-flex-overview#permissions-for-an-azure-database-for-postgresql-flexible-server-backup).
  Each instance waits for its grants and for ``BackupSource.depends_on`` (a storage account's blob
  service properties: operational backup rewrites them, and concurrent writes conflict).
- Backup vaults have no public data-plane endpoint to close; the vault is ``protect``-ed and locked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
from pydantic import Field, model_validator

from components.interfaces import CustomerManagedKeyRef, StatefulArgs, StrictArgs, validate_args, waiver_tags
from components.locks import lock_resource
from components.roles import assign_role

TYPE_TOKEN = "landingzone:data:BackupVault"
STORAGE_BACKUP_ROLE = "e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1"  # Storage Account Backup Contributor
POSTGRES_BACKUP_ROLE = (
    "c088a766-074b-43ba-90d4-1fb21feae531"  # PostgreSQL Flexible Server Long Term Retention Backup Role
)
BLOB_DATASOURCE = "Microsoft.Storage/storageAccounts/blobServices"
POSTGRES_DATASOURCE = "Microsoft.DBforPostgreSQL/flexibleServers"


class BackupSource(StrictArgs):
    """A data source to protect: its logical label, resource ID, physical name and region."""

    label: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,40}$")
    resource_id: Any
    resource_name: str
    location: str
    resource_group_id: Any = Field(
        default=None, description="The source's resource group ID (PostgreSQL: the vault needs Reader there)."
    )
    depends_on: Sequence[pulumi.Resource] = Field(
        default=(), description="What must exist before backup is configured (blob service properties)."
    )


class BackupVaultArgs(StatefulArgs):
    """Arguments of `BackupVault`."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    vault_name: str = Field(
        pattern=r"^[A-Za-z][A-Za-z0-9-]{0,48}[A-Za-z0-9]$", description="2-50 letters, digits, hyphens"
    )
    subscription_id: str
    customer_managed_key: CustomerManagedKeyRef
    immutability: Literal["Unlocked", "Locked"] = "Unlocked"
    soft_delete_retention_days: int = Field(default=14, ge=14, le=180)
    redundancy: Literal["GeoRedundant", "ZoneRedundant"] = "GeoRedundant"
    retention_days: int = Field(default=35, ge=7, le=3650, description="How long backups are kept.")
    storage_accounts: Sequence[BackupSource] = ()
    postgres_servers: Sequence[BackupSource] = ()
    postgres_backup_weekday_anchor: str = Field(
        default="2026-01-04T02:00:00+00:00", description="First Sunday 02:00 UTC; weekly backups repeat from it."
    )
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _cross_region_restore(self) -> BackupVaultArgs:
        if self.redundancy != "GeoRedundant" and self.postgres_servers:
            raise ValueError("cross-region restore needs redundancy='GeoRedundant'")
        missing = [source.label for source in self.postgres_servers if source.resource_group_id is None]
        if missing:
            raise ValueError(
                f"postgres_servers {missing} need resource_group_id: vaulted backup needs Reader on the server's "
                "resource group"
            )
        return self


class BackupVault(pulumi.ComponentResource):
    """The vault, its policies and backup instances. Outputs: ``resource_id``, ``vault_name``."""

    resource_id: pulumi.Output[str]
    vault_name: str

    def __init__(
        self, name: str, args: BackupVaultArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings = args if args is not None else validate_args(BackupVaultArgs, f"BackupVault '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import dataprotection as dp

        cmk = settings.customer_managed_key
        self._resource_group = settings.resource_group_name
        self._tags = dict(settings.tags)
        tags = {**settings.tags, **waiver_tags({"lock": settings.lock_waiver if settings.lock is None else None})}
        self.vault = dp.BackupVault(
            name,
            vault_name=settings.vault_name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            identity=dp.DppIdentityDetailsArgs(
                type="SystemAssigned,UserAssigned", user_assigned_identities=[cmk.identity_resource_id]
            ),
            properties=dp.BackupVaultArgs(
                storage_settings=[dp.StorageSettingArgs(datastore_type="VaultStore", type=settings.redundancy)],
                feature_settings=dp.FeatureSettingsArgs(
                    cross_region_restore_settings=dp.CrossRegionRestoreSettingsArgs(
                        state="Enabled" if settings.redundancy == "GeoRedundant" else "Disabled"
                    )
                ),
                security_settings=dp.SecuritySettingsArgs(
                    immutability_settings=dp.ImmutabilitySettingsArgs(state=settings.immutability),
                    soft_delete_settings=dp.SoftDeleteSettingsArgs(
                        state="AlwaysOn", retention_duration_in_days=settings.soft_delete_retention_days
                    ),
                    encryption_settings=dp.EncryptionSettingsArgs(
                        state="Enabled",
                        infrastructure_encryption="Enabled",
                        key_vault_properties=dp.CmkKeyVaultPropertiesArgs(key_uri=cmk.versionless_key_uri),
                        kek_identity=dp.CmkKekIdentityArgs(
                            identity_type="UserAssigned", identity_id=cmk.identity_resource_id
                        ),
                    ),
                ),
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect, depends_on=list(cmk.depends_on)),
        )
        self.resource_id = self.vault.id
        self.vault_name = settings.vault_name
        principal = self.vault.identity.apply(lambda identity: identity.principal_id if identity else None)
        retention = f"P{settings.retention_days}D"
        if settings.storage_accounts:
            blob_policy = self._policy(
                f"{name}-blob-policy",
                "blob-operational",
                BLOB_DATASOURCE,
                [_retention_rule("OperationalStore", retention)],
            )
            for source in settings.storage_accounts:
                role = assign_role(
                    f"{name}-{source.label}-backup-role",
                    scope=source.resource_id,
                    principal_id=principal,
                    role=STORAGE_BACKUP_ROLE,
                    subscription_id=settings.subscription_id,
                    principal_type="ServicePrincipal",
                    description="Lets the backup vault run operational blob backup on this account",
                    parent=self,
                )
                self._instance(
                    name,
                    source,
                    datasource=BLOB_DATASOURCE,
                    resource_type="Microsoft.Storage/storageAccounts",
                    policy=blob_policy,
                    roles=[role, *source.depends_on],
                )
        if settings.postgres_servers:
            schedule = f"R/{settings.postgres_backup_weekday_anchor}/P1W"
            postgres_policy = self._policy(
                f"{name}-postgres-policy",
                "postgres-weekly",
                POSTGRES_DATASOURCE,
                [_weekly_backup_rule(schedule), _retention_rule("VaultStore", retention)],
            )
            for source in settings.postgres_servers:
                role = assign_role(
                    f"{name}-{source.label}-backup-role",
                    scope=source.resource_id,
                    principal_id=principal,
                    role=POSTGRES_BACKUP_ROLE,
                    subscription_id=settings.subscription_id,
                    principal_type="ServicePrincipal",
                    description="Lets the backup vault take long-term backups of this server",
                    parent=self,
                )
                roles = [role, *source.depends_on]
                if source.resource_group_id is not None:
                    roles.append(
                        assign_role(
                            f"{name}-{source.label}-backup-reader",
                            scope=source.resource_group_id,
                            principal_id=principal,
                            role="Reader",
                            subscription_id=settings.subscription_id,
                            principal_type="ServicePrincipal",
                            description="Lets the backup vault read the server's resource group (vaulted backup)",
                            parent=self,
                        )
                    )
                self._instance(
                    name,
                    source,
                    datasource=POSTGRES_DATASOURCE,
                    resource_type=POSTGRES_DATASOURCE,
                    policy=postgres_policy,
                    roles=roles,
                )
        if settings.lock is not None:
            lock_resource(name, self.vault.id, settings.lock, settings.vault_name, self)
        self.register_outputs({"resource_id": self.resource_id, "vault_name": self.vault_name})

    def _policy(self, logical: str, policy_name: str, datasource: str, rules: list[Any]) -> Any:
        from pulumi_azure_native import dataprotection as dp

        return dp.BackupPolicy(
            logical,
            backup_policy_name=policy_name,
            vault_name=self.vault.name,
            resource_group_name=self._group(),
            properties=dp.BackupPolicyArgs(
                object_type="BackupPolicy", datasource_types=[datasource], policy_rules=rules
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _instance(
        self, name: str, source: BackupSource, *, datasource: str, resource_type: str, policy: Any, roles: list[Any]
    ) -> Any:
        from pulumi_azure_native import dataprotection as dp

        return dp.BackupInstance(
            f"{name}-{source.label}",
            backup_instance_name=f"{source.resource_name}-{source.label}"[:60],
            vault_name=self.vault.name,
            resource_group_name=self._group(),
            properties=dp.BackupInstanceArgs(
                object_type="BackupInstance",
                friendly_name=source.resource_name,
                data_source_info=dp.DatasourceArgs(
                    object_type="Datasource",
                    datasource_type=datasource,
                    resource_id=source.resource_id,
                    resource_uri=source.resource_id,
                    resource_name=source.resource_name,
                    resource_type=resource_type,
                    resource_location=source.location,
                ),
                policy_info=dp.PolicyInfoArgs(policy_id=policy.id),
            ),
            tags=self._tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=roles),
        )

    def _group(self) -> Any:
        return self._resource_group


def _data_store(kind: str) -> Any:
    from pulumi_azure_native import dataprotection as dp

    return dp.DataStoreInfoBaseArgs(object_type="DataStoreInfoBase", data_store_type=kind)


def _retention_rule(store: str, duration: str) -> Any:
    from pulumi_azure_native import dataprotection as dp

    return dp.AzureRetentionRuleArgs(
        object_type="AzureRetentionRule",
        name="Default",
        is_default=True,
        lifecycles=[
            dp.SourceLifeCycleArgs(
                delete_after=dp.AbsoluteDeleteOptionArgs(object_type="AbsoluteDeleteOption", duration=duration),
                source_data_store=_data_store(store),
                target_data_store_copy_settings=[],
            )
        ],
    )


def _weekly_backup_rule(schedule: str) -> Any:
    from pulumi_azure_native import dataprotection as dp

    return dp.AzureBackupRuleArgs(
        object_type="AzureBackupRule",
        name="BackupWeekly",
        backup_parameters=dp.AzureBackupParamsArgs(object_type="AzureBackupParams", backup_type="Full"),
        data_store=_data_store("VaultStore"),
        trigger=dp.ScheduleBasedTriggerContextArgs(
            object_type="ScheduleBasedTriggerContext",
            schedule=dp.BackupScheduleArgs(repeating_time_intervals=[schedule], time_zone="UTC"),
            tagging_criteria=[
                dp.TaggingCriteriaArgs(
                    is_default=True, tagging_priority=99, tag_info=dp.RetentionTagArgs(tag_name="Default")
                )
            ],
        ),
    )
