"""`PhiPostgresServer`: an Azure Database for PostgreSQL flexible server fit to hold PHI.

- Private access only: either VNet integration (a subnet delegated to
  ``Microsoft.DBforPostgreSQL/flexibleServers`` and a private DNS zone) or a private endpoint
  (``postgresqlServer``); public network access is disabled either way.
- Entra authentication on, password authentication off: no administrator password exists. An Entra
  group is the administrator.
- Data encryption with the customer-managed key through a user-assigned identity (versionless key
  URI, so rotation needs no change). With geo-redundant backup on (the default), a second identity
  and key in the paired region encrypt the geo-backup: Azure requires both, and refuses one without
  the other.
- ``require_secure_transport`` on with TLS 1.2 minimum; connection, disconnection and pgaudit logging.
  Parameters are applied one after another (the server accepts one change at a time), the pgaudit
  library allow-listed (``azure.extensions``) and preloaded before ``pgaudit.log`` is set.
- Two steps no ARM call can take, so they are a documented post-deploy step (README, "After the
  first pulumi up"): ``shared_preload_libraries`` is a static parameter and takes effect only after
  a server restart, and pgaudit records nothing until ``CREATE EXTENSION pgaudit;`` runs in the
  database (https://learn.microsoft.com/azure/postgresql/extensions/how-to-load-libraries,
  https://learn.microsoft.com/azure/postgresql/security/security-audit). `POST_DEPLOY_STEPS` lists
  them and the component exports them as ``post_deploy_steps``.
- Backup retention from config, geo-redundant; optional zone-redundant high availability;
  diagnostics; ``protect`` and a lock.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    validate_args,
    waiver_tags,
)
from components.locks import lock_resource
from components.private_endpoint import add_private_endpoints
from landing_zone.config import EntraGroup

TYPE_TOKEN = "landingzone:data:PhiPostgresServer"
POSTGRES_DELEGATION = "Microsoft.DBforPostgreSQL/flexibleServers"


class VnetIntegrationArgs(StrictArgs):
    """Private access by VNet integration: a delegated subnet and a ``*.postgres.database.azure.com`` zone."""

    delegated_subnet_id: Any
    private_dns_zone_id: Any


class PhiPostgresServerArgs(StatefulArgs):
    """Arguments of `PhiPostgresServer`. Exactly one of ``vnet_integration`` and ``private_endpoint``."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    server_name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", description="3-63 lowercase letters, digits, hyphens; global"
    )
    tenant_id: str
    administrators: EntraGroup
    customer_managed_key: CustomerManagedKeyRef
    geo_redundant_backup: bool = True
    geo_backup_key: CustomerManagedKeyRef | None = Field(
        default=None, description="Key and identity in the paired region."
    )
    backup_retention_days: int = Field(default=35, ge=7, le=35)
    version: Literal["14", "15", "16", "17"] = "16"
    sku_name: str = "Standard_D2ds_v5"
    sku_tier: Literal["Burstable", "GeneralPurpose", "MemoryOptimized"] = "GeneralPurpose"
    storage_size_gb: int = Field(default=128, ge=32, le=32768)
    zone_redundant_ha: bool = False
    pgaudit_log: str = Field(default="ddl,role,write", description="pgaudit.log classes, comma separated.")
    vnet_integration: VnetIntegrationArgs | None = None
    private_endpoint: PrivateEndpointArgs | None = None
    diagnostics: DiagnosticsArgs
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> PhiPostgresServerArgs:
        if (self.vnet_integration is None) == (self.private_endpoint is None):
            raise ValueError("choose exactly one private access: vnet_integration or private_endpoint")
        if self.geo_redundant_backup and self.geo_backup_key is None:
            raise ValueError("geo_redundant_backup needs geo_backup_key: a key and identity in the paired region")
        if not self.geo_redundant_backup and self.geo_backup_key is not None:
            raise ValueError("geo_backup_key is only used with geo_redundant_backup")
        return self


#: What an operator runs once after the first deployment (and after any change of shared_preload_libraries).
POST_DEPLOY_STEPS = (
    "az postgres flexible-server restart --resource-group <group> --name <server>   # loads pgaudit (static parameter)",
    "psql 'host=<server>.postgres.database.azure.com dbname=<db> user=<entra-admin-group> sslmode=require' "
    "-c 'CREATE EXTENSION IF NOT EXISTS pgaudit;'   # in every database that holds PHI",
)


#: Server parameters a PHI server needs, applied in this order.
def server_parameters(pgaudit_log: str) -> list[tuple[str, str]]:
    return [
        ("require_secure_transport", "on"),
        ("ssl_min_protocol_version", "TLSv1.2"),
        ("log_connections", "on"),
        ("log_disconnections", "on"),
        ("azure.extensions", "PGAUDIT"),
        ("shared_preload_libraries", "pgaudit,pg_stat_statements"),
        ("pgaudit.log", pgaudit_log),
    ]


class PhiPostgresServer(pulumi.ComponentResource):
    """A hardened PostgreSQL flexible server. Outputs: ``resource_id``, ``server_name``, ``fqdn``."""

    resource_id: pulumi.Output[str]
    server_name: str
    fqdn: str

    def __init__(
        self,
        name: str,
        args: PhiPostgresServerArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        settings = (
            args if args is not None else validate_args(PhiPostgresServerArgs, f"PhiPostgresServer '{name}'", kwargs)
        )
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import dbforpostgresql

        cmk, geo = settings.customer_managed_key, settings.geo_backup_key
        group = settings.resource_group_name
        tags = {**settings.tags, **waiver_tags({"lock": settings.lock_waiver if settings.lock is None else None})}
        identities = [cmk.identity_resource_id] + ([geo.identity_resource_id] if geo is not None else [])
        encryption: dict[str, Any] = {
            "type": "AzureKeyVault",
            "primary_key_uri": cmk.versionless_key_uri,
            "primary_user_assigned_identity_id": cmk.identity_resource_id,
        }
        if geo is not None:
            encryption["geo_backup_key_uri"] = geo.versionless_key_uri
            encryption["geo_backup_user_assigned_identity_id"] = geo.identity_resource_id
        network: dict[str, Any] = {"public_network_access": "Disabled"}
        if settings.vnet_integration is not None:
            network["delegated_subnet_resource_id"] = settings.vnet_integration.delegated_subnet_id
            network["private_dns_zone_arm_resource_id"] = settings.vnet_integration.private_dns_zone_id
        self.server = dbforpostgresql.Server(
            name,
            server_name=settings.server_name,
            resource_group_name=group,
            location=settings.location,
            version=settings.version,
            sku={"name": settings.sku_name, "tier": settings.sku_tier},
            storage={"storage_size_gb": settings.storage_size_gb, "auto_grow": "Enabled"},
            auth_config={
                "active_directory_auth": "Enabled",
                "password_auth": "Disabled",
                "tenant_id": settings.tenant_id,
            },
            # the identity map is keyed by resource ID, so it is known once the identities exist
            identity=pulumi.Output.all(*identities).apply(
                lambda ids: {"type": "UserAssigned", "user_assigned_identities": {identity: {} for identity in ids}}
            ),
            data_encryption=encryption,
            backup={
                "backup_retention_days": settings.backup_retention_days,
                "geo_redundant_backup": "Enabled" if settings.geo_redundant_backup else "Disabled",
            },
            high_availability={"mode": "ZoneRedundant" if settings.zone_redundant_ha else "Disabled"},
            network=network,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=settings.protect,
                depends_on=[*cmk.depends_on, *(geo.depends_on if geo is not None else ())],
            ),
        )
        admin = dbforpostgresql.Administrator(
            f"{name}-entra-admin",
            server_name=self.server.name,
            resource_group_name=group,
            object_id=settings.administrators.object_id,
            principal_name=settings.administrators.display_name,
            principal_type="Group",
            tenant_id=settings.tenant_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        previous: pulumi.Resource = admin
        for parameter, value in server_parameters(settings.pgaudit_log):
            previous = dbforpostgresql.Configuration(
                f"{name}-{parameter.replace('_', '-').replace('.', '-')}",
                configuration_name=parameter,
                server_name=self.server.name,
                resource_group_name=group,
                value=value,
                source="user-override",
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous]),
            )
        self.resource_id = self.server.id
        self.server_name = settings.server_name
        self.fqdn = f"{settings.server_name}.postgres.database.azure.com"
        attach_diagnostics(name, self.server.id, settings.diagnostics, parent=self)
        if settings.lock is not None:
            lock_resource(name, self.server.id, settings.lock, settings.server_name, self)
        if settings.private_endpoint is not None:
            add_private_endpoints(
                name,
                target_id=self.server.id,
                target_name=settings.server_name,
                sub_resources=["postgresqlServer"],
                endpoint=settings.private_endpoint,
                resource_group_name=group,
                location=settings.location,
                tags=dict(settings.tags),
                parent=self,
            )
        self.post_deploy_steps = [step.replace("<server>", settings.server_name) for step in POST_DEPLOY_STEPS]
        self.register_outputs(
            {
                "resource_id": self.resource_id,
                "server_name": self.server_name,
                "fqdn": self.fqdn,
                "post_deploy_steps": self.post_deploy_steps,
            }
        )
