"""`PhiSqlServer`: an Azure SQL logical server and its databases, fit to hold PHI.

- Entra-only authentication with an Entra group as administrator: no SQL login or password exists.
- Minimum TLS 1.2; public network access disabled; reached through a private endpoint (``sqlServer``).
- TDE with the customer-managed key as the server's encryption protector, through a user-assigned
  identity, set when the server is created (no window without CMK) and declared explicitly as a
  server key plus encryption protector with automatic rotation to new key versions.
- Auditing to the log workspace at server and database level (Azure Monitor target, diagnostic
  settings on ``master`` and each database); Microsoft Defender for SQL alerts and vulnerability
  assessment (express configuration).
- Each database: zone redundant, geo-zone-redundant backup storage, short-term retention and
  long-term retention (weekly, monthly, yearly).
- Server and databases are ``protect``-ed; the server is locked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
from pydantic import Field, model_validator

from components.diagnostics import attach_diagnostics
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
from landing_zone.config import EntraGroup

TYPE_TOKEN = "landingzone:data:PhiSqlServer"
#: Key sizes Azure SQL accepts for a TDE protector in Key Vault
#: (https://learn.microsoft.com/azure/azure-sql/database/transparent-data-encryption-byok-overview#requirements-for-configuring-customer-managed-tde).
TDE_KEY_SIZES = (2048, 3072)
#: What SQL auditing records: logins, permission and schema changes, and every statement batch.
AUDIT_ACTION_GROUPS = (
    "SUCCESSFUL_DATABASE_AUTHENTICATION_GROUP",
    "FAILED_DATABASE_AUTHENTICATION_GROUP",
    "BATCH_COMPLETED_GROUP",
    "DATABASE_PERMISSION_CHANGE_GROUP",
    "DATABASE_PRINCIPAL_CHANGE_GROUP",
    "DATABASE_ROLE_MEMBER_CHANGE_GROUP",
    "SCHEMA_OBJECT_PERMISSION_CHANGE_GROUP",
)


class SqlDatabaseArgs(StrictArgs):
    """One database on the server."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
    sku: str = Field(default="GP_Gen5_2", description="Azure SQL SKU name, for example GP_Gen5_2 or BC_Gen5_4.")
    zone_redundant: bool = True
    backup_storage_redundancy: Literal["GeoZone", "Geo", "Zone"] = "GeoZone"
    short_term_retention_days: int = Field(default=35, ge=7, le=35)
    weekly_retention: str = "P5W"
    monthly_retention: str = "P12M"
    yearly_retention: str = "P6Y"
    week_of_year: int = Field(default=1, ge=1, le=52)


class PhiSqlServerArgs(StatefulArgs):
    """Arguments of `PhiSqlServer`."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    server_name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$", description="1-63 lowercase letters, digits, hyphens; global"
    )
    tenant_id: str
    administrators: EntraGroup
    customer_managed_key: CustomerManagedKeyRef
    databases: Sequence[SqlDatabaseArgs] = ()
    alert_emails: Sequence[str] = Field(min_length=1, description="Who receives Defender for SQL alerts.")
    diagnostics: DiagnosticsArgs
    private_endpoint: PrivateEndpointArgs | None = None
    allow_public_network_access: Waiver | None = None
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> PhiSqlServerArgs:
        if self.customer_managed_key.key_uri_with_version is None:
            raise ValueError("customer_managed_key needs key_uri_with_version (SQL TDE pins a key version)")
        size = self.customer_managed_key.key_size
        if size is not None and size not in TDE_KEY_SIZES:
            raise ValueError(
                f"Azure SQL TDE accepts only RSA or RSA-HSM keys of 2048 or 3072 bits, not {size}: use a 3072-bit key"
            )
        if self.private_endpoint is None and self.allow_public_network_access is None:
            raise ValueError(
                "a server with public access disabled needs private_endpoint (or allow_public_network_access)"
            )
        return self


class PhiSqlServer(pulumi.ComponentResource):
    """A hardened SQL server and its databases. Outputs: ``resource_id``, ``server_name``, ``fqdn``."""

    resource_id: pulumi.Output[str]
    server_name: str
    fqdn: str

    def __init__(
        self, name: str, args: PhiSqlServerArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings = args if args is not None else validate_args(PhiSqlServerArgs, f"PhiSqlServer '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import sql

        cmk = settings.customer_managed_key
        group = settings.resource_group_name
        tags = {
            **settings.tags,
            **waiver_tags(
                {
                    "publicNetworkAccess": settings.allow_public_network_access,
                    "lock": settings.lock_waiver if settings.lock is None else None,
                }
            ),
        }
        child = pulumi.ResourceOptions(parent=self)
        self.server = sql.Server(
            name,
            server_name=settings.server_name,
            resource_group_name=group,
            location=settings.location,
            version="12.0",
            minimal_tls_version="1.2",
            public_network_access="Enabled" if settings.allow_public_network_access else "Disabled",
            identity={"type": "UserAssigned", "user_assigned_identities": [cmk.identity_resource_id]},
            primary_user_assigned_identity_id=cmk.identity_resource_id,
            key_id=cmk.key_uri_with_version,
            administrators={
                "administrator_type": "ActiveDirectory",
                "azure_ad_only_authentication": True,
                "principal_type": "Group",
                "login": settings.administrators.display_name,
                "sid": settings.administrators.object_id,
                "tenant_id": settings.tenant_id,
            },
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect, depends_on=list(cmk.depends_on)),
        )
        server_name = self.server.name
        sql.ServerAzureADOnlyAuthentication(
            f"{name}-entra-only",
            authentication_name="Default",
            azure_ad_only_authentication=True,
            server_name=server_name,
            resource_group_name=group,
            opts=child,
        )
        key_name = pulumi.Output.from_input(cmk.key_uri_with_version).apply(_server_key_name)
        server_key = sql.ServerKey(
            f"{name}-tde-key",
            key_name=key_name,
            server_name=server_name,
            resource_group_name=group,
            server_key_type="AzureKeyVault",
            uri=cmk.key_uri_with_version,
            opts=child,
        )
        sql.EncryptionProtector(
            f"{name}-tde-protector",
            encryption_protector_name="current",
            server_name=server_name,
            resource_group_name=group,
            server_key_type="AzureKeyVault",
            server_key_name=server_key.name,
            auto_rotation_enabled=True,
            opts=child,
        )
        sql.ServerBlobAuditingPolicy(
            f"{name}-auditing",
            blob_auditing_policy_name="default",
            server_name=server_name,
            resource_group_name=group,
            state="Enabled",
            is_azure_monitor_target_enabled=True,
            audit_actions_and_groups=list(AUDIT_ACTION_GROUPS),
            opts=child,
        )
        sql.ServerSecurityAlertPolicy(
            f"{name}-defender",
            security_alert_policy_name="Default",
            server_name=server_name,
            resource_group_name=group,
            state="Enabled",
            email_account_admins=True,
            email_addresses=list(settings.alert_emails),
            opts=child,
        )
        sql.SqlVulnerabilityAssessmentsSetting(
            f"{name}-vulnerability-assessment",
            vulnerability_assessment_name="default",
            server_name=server_name,
            resource_group_name=group,
            state="Enabled",
            opts=child,
        )
        master_id = pulumi.Output.concat(self.server.id, "/databases/master")
        attach_diagnostics(f"{name}-master", master_id, settings.diagnostics, parent=self)
        for database in settings.databases:
            self._database(name, database, settings, server_name)
        self.resource_id = self.server.id
        self.server_name = settings.server_name
        self.fqdn = f"{settings.server_name}.database.windows.net"
        if settings.lock is not None:
            lock_resource(name, self.server.id, settings.lock, settings.server_name, self)
        if settings.private_endpoint is not None:
            add_private_endpoints(
                name,
                target_id=self.server.id,
                target_name=settings.server_name,
                sub_resources=["sqlServer"],
                endpoint=settings.private_endpoint,
                resource_group_name=group,
                location=settings.location,
                tags=dict(settings.tags),
                parent=self,
            )
        self.register_outputs({"resource_id": self.resource_id, "server_name": self.server_name, "fqdn": self.fqdn})

    def _database(
        self, name: str, database: SqlDatabaseArgs, settings: PhiSqlServerArgs, server_name: pulumi.Output[str]
    ) -> None:
        from pulumi_azure_native import sql

        logical = f"{name}-{database.name.lower()}"
        group = settings.resource_group_name
        db = sql.Database(
            logical,
            database_name=database.name,
            server_name=server_name,
            resource_group_name=group,
            location=settings.location,
            sku={"name": database.sku},
            zone_redundant=database.zone_redundant,
            requested_backup_storage_redundancy=database.backup_storage_redundancy,
            tags=dict(settings.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect),
        )
        child = pulumi.ResourceOptions(parent=db)
        sql.BackupShortTermRetentionPolicy(
            f"{logical}-short-term",
            policy_name="default",
            database_name=db.name,
            server_name=server_name,
            resource_group_name=group,
            retention_days=database.short_term_retention_days,
            opts=child,
        )
        sql.LongTermRetentionPolicy(
            f"{logical}-long-term",
            policy_name="default",
            database_name=db.name,
            server_name=server_name,
            resource_group_name=group,
            weekly_retention=database.weekly_retention,
            monthly_retention=database.monthly_retention,
            yearly_retention=database.yearly_retention,
            week_of_year=database.week_of_year,
            opts=child,
        )
        sql.DatabaseBlobAuditingPolicy(
            f"{logical}-auditing",
            blob_auditing_policy_name="default",
            database_name=db.name,
            server_name=server_name,
            resource_group_name=group,
            state="Enabled",
            is_azure_monitor_target_enabled=True,
            audit_actions_and_groups=list(AUDIT_ACTION_GROUPS),
            opts=child,
        )
        attach_diagnostics(logical, db.id, settings.diagnostics, parent=self)


def _server_key_name(key_uri_with_version: str) -> str:
    """Azure names a Key Vault server key ``<vault>_<key>_<version>``."""
    host, _, path = key_uri_with_version.removeprefix("https://").partition("/")
    parts = path.strip("/").split("/")
    if len(parts) < 3:
        raise ValueError(f"not a versioned Key Vault key URI: {key_uri_with_version}")
    return f"{host.split('.')[0]}_{parts[1]}_{parts[2]}"
