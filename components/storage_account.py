"""`PhiStorageAccount`: a StorageV2 account fit to hold PHI (and the audit-log archive).

Secure by default, every setting explicit and known at preview: zone- or geo-zone-redundant
replication; HTTPS only with TLS 1.2; no anonymous blob access; shared-key access off (Entra ID
only); public network access disabled and network rules that deny by default; infrastructure
(double) encryption; the customer-managed key through a user-assigned identity, by versionless key
URI so rotation needs no change; cross-tenant replication, SFTP and local users off; blob versioning,
blob and container soft delete, change feed and point-in-time restore. Optional version-level
immutability (WORM) for archives. Private endpoints for each enabled sub-resource; diagnostics on the
account (metrics) and on each service (logs). The account is ``protect``-ed and locked.

Point-in-time restore and version-level immutability exclude each other (a WORM archive is never
restored in place), so restore is switched off when immutability is on.

Public network access is ``Disabled`` unless the account must admit Azure's trusted services (a log
archive that diagnostic settings, flow logs and data export write to): with ``Disabled`` only
private-endpoint traffic gets in and the trusted-service exception does not apply, so such an account
keeps ``Enabled`` behind a firewall that denies everything (no IP or network rules) except the
``AzureServices`` bypass
(https://learn.microsoft.com/azure/storage/common/storage-network-security-set-default-access).

With ``operational_backup`` the account's blobs are protected by an Azure Backup vault, which enables
point-in-time restore itself and sets its retention from the backup policy
(https://learn.microsoft.com/azure/backup/blob-backup-overview): the blob-service properties then
leave restore and soft-delete retention to Azure Backup (sent once, never fought over), and the
backup instance is created after them so the two never write the service at the same time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
from pydantic import Field, model_validator

from components.diagnostics import STORAGE_SERVICES, attach_diagnostics
from components.interfaces import (
    CustomerManagedKeyRef,
    DiagnosticsArgs,
    PrivateEndpointArgs,
    StatefulArgs,
    StrictArgs,
    Waiver,
    validate_args,
    waiver_tags,
)
from components.locks import lock_resource
from components.private_endpoint import add_private_endpoints

TYPE_TOKEN = "landingzone:data:PhiStorageAccount"
StorageSubResource = Literal["blob", "dfs", "file", "queue", "table"]


class ImmutabilityArgs(StrictArgs):
    """Version-level immutability (WORM) for every blob in the account.

    Azure creates the policy ``Unlocked``; ``locked=True`` is accepted only on an account whose policy
    already exists, and it is irreversible: a locked policy can only be lengthened, and the account
    cannot be deleted while any blob is under retention. Deploy unlocked first, lock in a later run.
    """

    period_days: int = Field(ge=1, le=146000)
    locked: bool = False
    allow_protected_append_writes: bool = True


class PhiStorageAccountArgs(StatefulArgs):
    """Arguments of `PhiStorageAccount`. Weakening a default takes a named argument and a `Waiver`."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    account_name: str = Field(pattern=r"^[a-z0-9]{3,24}$", description="3-24 lowercase letters and digits; global")
    customer_managed_key: CustomerManagedKeyRef
    replication: Literal["Standard_ZRS", "Standard_GZRS", "Standard_RAGZRS"] = "Standard_GZRS"
    access_tier: Literal["Hot", "Cool"] = "Hot"
    blob_soft_delete_days: int = Field(default=35, ge=7, le=365)
    container_soft_delete_days: int = Field(default=35, ge=7, le=365)
    change_feed_retention_days: int = Field(default=365, ge=1, le=146000)
    point_in_time_restore_days: int = Field(default=30, ge=1, le=364)
    operational_backup: bool = Field(
        default=False, description="A BackupVault protects the blobs (it owns point-in-time restore)."
    )
    previous_version_retention_days: int | None = Field(
        default=None,
        ge=1,
        le=146000,
        description="Delete blob versions this many days after they are superseded (a lifecycle rule); for "
        "accounts whose blobs are rewritten often, such as flow logs. None keeps every version.",
    )
    immutability: ImmutabilityArgs | None = None
    private_endpoint_sub_resources: Sequence[StorageSubResource] = ("blob",)
    allow_trusted_azure_services: Waiver | None = Field(
        default=None, description="Lets trusted Azure services (Azure Monitor, Backup) bypass the network rules."
    )
    diagnostics: DiagnosticsArgs | None = None
    private_endpoint: PrivateEndpointArgs | None = None
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> PhiStorageAccountArgs:
        if self.operational_backup and self.immutability is not None:
            raise ValueError("operational_backup needs point-in-time restore, which immutability excludes")
        if self.point_in_time_restore_days >= self.blob_soft_delete_days:
            raise ValueError("point_in_time_restore_days must be shorter than blob_soft_delete_days")
        return self


class PhiStorageAccount(pulumi.ComponentResource):
    """A hardened, CMK-encrypted storage account. Outputs: ``resource_id``, ``account_name``, ``blob_endpoint``."""

    resource_id: pulumi.Output[str]
    account_name: str
    blob_endpoint: str

    def __init__(
        self,
        name: str,
        args: PhiStorageAccountArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        settings = (
            args if args is not None else validate_args(PhiStorageAccountArgs, f"PhiStorageAccount '{name}'", kwargs)
        )
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import storage

        cmk = settings.customer_managed_key
        tags = {
            **settings.tags,
            **waiver_tags(
                {
                    "trustedServicesBypass": settings.allow_trusted_azure_services,
                    "lock": settings.lock_waiver if settings.lock is None else None,
                }
            ),
        }
        immutability = settings.immutability
        account_service = storage.EncryptionServiceArgs(enabled=True, key_type=storage.KeyType.ACCOUNT)
        self.account = storage.StorageAccount(
            name,
            account_name=settings.account_name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            kind=storage.Kind.STORAGE_V2,
            sku=storage.SkuArgs(name=settings.replication),
            access_tier=settings.access_tier,
            enable_https_traffic_only=True,
            minimum_tls_version=storage.MinimumTlsVersion.TLS1_2,
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            allow_cross_tenant_replication=False,
            allowed_copy_scope=storage.AllowedCopyScope.PRIVATE_LINK,
            is_sftp_enabled=False,
            is_local_user_enabled=False,
            is_hns_enabled=False,
            enable_nfs_v3=False,
            public_network_access=(
                storage.PublicNetworkAccess.ENABLED
                if settings.allow_trusted_azure_services
                else storage.PublicNetworkAccess.DISABLED
            ),
            network_rule_set=storage.NetworkRuleSetArgs(
                default_action=storage.DefaultAction.DENY,
                bypass=storage.Bypass.AZURE_SERVICES if settings.allow_trusted_azure_services else storage.Bypass.NONE,
                ip_rules=[],
                virtual_network_rules=[],
            ),
            identity=storage.IdentityArgs(
                type=storage.IdentityType.USER_ASSIGNED, user_assigned_identities=[cmk.identity_resource_id]
            ),
            encryption=storage.EncryptionArgs(
                key_source=storage.KeySource.MICROSOFT_KEYVAULT,
                require_infrastructure_encryption=True,
                key_vault_properties=storage.KeyVaultPropertiesArgs(key_name=cmk.key_name, key_vault_uri=cmk.vault_uri),
                encryption_identity=storage.EncryptionIdentityArgs(
                    encryption_user_assigned_identity=cmk.identity_resource_id
                ),
                services=storage.EncryptionServicesArgs(
                    blob=account_service, file=account_service, queue=account_service, table=account_service
                ),
            ),
            immutable_storage_with_versioning=(
                storage.ImmutableStorageAccountArgs(
                    enabled=True,
                    immutability_policy=storage.AccountImmutabilityPolicyPropertiesArgs(
                        immutability_period_since_creation_in_days=immutability.period_days,
                        state=(
                            storage.AccountImmutabilityPolicyState.LOCKED
                            if immutability.locked
                            else storage.AccountImmutabilityPolicyState.UNLOCKED
                        ),
                        allow_protected_append_writes=immutability.allow_protected_append_writes,
                    ),
                )
                if immutability is not None
                else None
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect, depends_on=list(cmk.depends_on)),
        )
        self.blob_service = storage.BlobServiceProperties(
            f"{name}-blob",
            account_name=self.account.name,
            resource_group_name=settings.resource_group_name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=settings.blob_soft_delete_days, allow_permanent_delete=False
            ),
            container_delete_retention_policy=storage.DeleteRetentionPolicyArgs(
                enabled=True, days=settings.container_soft_delete_days
            ),
            change_feed=storage.ChangeFeedArgs(enabled=True, retention_in_days=settings.change_feed_retention_days),
            restore_policy=(
                None
                if settings.operational_backup
                else storage.RestorePolicyPropertiesArgs(enabled=True, days=settings.point_in_time_restore_days)
                if immutability is None
                else storage.RestorePolicyPropertiesArgs(enabled=False)
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["restorePolicy", "deleteRetentionPolicy"] if settings.operational_backup else None,
            ),
        )
        if settings.previous_version_retention_days is not None:
            # Flow logs commit blocks to the same blob every minute; with versioning each commit keeps a
            # version. Superseded versions go after the retention; current blobs are untouched.
            # https://learn.microsoft.com/azure/storage/blobs/lifecycle-management-overview
            storage.ManagementPolicy(
                f"{name}-lifecycle",
                account_name=self.account.name,
                resource_group_name=settings.resource_group_name,
                management_policy_name="default",
                policy={
                    "rules": [
                        {
                            "name": "expire-superseded-versions",
                            "enabled": True,
                            "type": "Lifecycle",
                            "definition": {
                                "filters": {"blob_types": ["blockBlob"]},
                                "actions": {
                                    "version": {
                                        "delete": {
                                            "days_after_creation_greater_than": settings.previous_version_retention_days
                                        }
                                    }
                                },
                            },
                        }
                    ]
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.blob_service]),
            )
        self.resource_id = self.account.id
        self.account_name = settings.account_name
        self.blob_endpoint = f"https://{settings.account_name}.blob.core.windows.net/"
        if settings.lock is not None:
            lock_resource(name, self.account.id, settings.lock, settings.account_name, self)
        if settings.diagnostics is not None:
            attach_diagnostics(
                name,
                self.account.id,
                settings.diagnostics,
                parent=self,
                sub_resources=STORAGE_SERVICES,
                resource_logs=False,
                depends_on=[self.blob_service],
            )
        if settings.private_endpoint is not None:
            add_private_endpoints(
                name,
                target_id=self.account.id,
                target_name=settings.account_name,
                sub_resources=list(settings.private_endpoint_sub_resources),
                endpoint=settings.private_endpoint,
                resource_group_name=settings.resource_group_name,
                location=settings.location,
                tags=dict(settings.tags),
                parent=self,
            )
        self.register_outputs(
            {"resource_id": self.resource_id, "account_name": self.account_name, "blob_endpoint": self.blob_endpoint}
        )
