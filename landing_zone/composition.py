"""`LandingZone`: a complete PHI environment from one `LandingZoneConfig`, in first-deploy order.

1. Subscription baseline: a provider pinned to the subscription, Azure Policy (HITRUST/HIPAA, allowed
   locations), budget, group access (no standing Owner).
2. Network: resource groups, the hub (firewall, Bastion, DDoS plan), spokes peered and routed through
   the firewall, private DNS zones linked to every VNet.
3. Security core: the Key Vault (private endpoint in the hub) and the deployer's "Key Vault Crypto
   Officer" grant on the security resource group (Azure RBAC vaults require it before any key; see
   `_deployer_grant`), the audit-log key, the log workspace
   and its immutable archive, then what needs them: vault and hub diagnostics, flow logs, Defender.
4. PHI data services from ``dataServices``: storage, SQL, PostgreSQL (with a key in a vault in the
   paired region for geo-backups), and the backup vault protecting storage and PostgreSQL. Each has
   its own customer-managed key and identity, a private endpoint in the data spoke, and diagnostics.

Every logical name below is part of a URN: renaming one replaces the resource. Keep them stable.

``environmentClass: nonprod`` deploys the same hardening without Pulumi ``protect`` and without
delete locks (each component records the waiver in its tags), with a 7-day Key Vault soft-delete
window, so ``pulumi destroy`` completes without manual steps. Every resource is tagged
``environmentClass`` so the policy pack can refuse that for production stacks holding PHI. What no
tool can undo is listed in the README ("Tearing down a non-production stack").
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.backup_vault import BackupSource, BackupVault, BackupVaultArgs
from components.customer_managed_key import CustomerManagedKey, CustomerManagedKeyArgs
from components.defender import DefenderForCloud, DefenderForCloudArgs
from components.hub_network import HubNetwork, HubNetworkArgs
from components.interfaces import DESIGN_APPROVER, CustomerManagedKeyRef, PrivateEndpointArgs, Waiver
from components.key_vault import KeyVault, KeyVaultArgs
from components.log_workspace import LogWorkspace, LogWorkspaceArgs, flow_log_target
from components.postgres_server import PhiPostgresServer, PhiPostgresServerArgs
from components.private_dns_zones import PrivateDnsZones, PrivateDnsZonesArgs
from components.roles import assign_role
from components.spoke_network import SpokeNetwork, SpokeNetworkArgs
from components.sql_server import PhiSqlServer, PhiSqlServerArgs, SqlDatabaseArgs
from components.storage_account import PhiStorageAccount, PhiStorageAccountArgs
from components.subscription import PhiSubscription, PhiSubscriptionArgs
from landing_zone.config import LandingZoneConfig
from landing_zone.errors import ConfigError, Problem
from landing_zone.naming import Namer, standard_tags

TYPE_TOKEN = "landingzone:index:LandingZone"
PROVIDER_NAME = "landing-zone"
CMK_BYPASS_REASON = "CMK consumers (Storage, SQL, PostgreSQL) unwrap their keys over Azure's trusted-service path."
NONPROD_LOCK_REASON = "environmentClass is nonprod in stack config: the stack must be destroyable without manual steps"
#: Key Vault's shortest soft-delete window, for non-production vaults (purge protection stays on).
NONPROD_SOFT_DELETE_DAYS = 7
STORAGE_SUB_RESOURCES = ("blob", "dfs", "file", "queue", "table")


class LandingZone(pulumi.ComponentResource):
    """A whole PHI environment. ``outputs`` is the inventory a workload team needs."""

    outputs: dict[str, Any]

    def __init__(self, name: str, config: LandingZoneConfig, opts: pulumi.ResourceOptions | None = None) -> None:
        _check_deployable(config)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import Provider, authorization

        self.config = config
        self.namer = Namer.for_config(config)
        self.tags = {**standard_tags(config), "environmentClass": config.environment_class}
        self.production = config.environment_class == "prod"
        self.region = config.regions.primary
        self.provider = Provider(
            PROVIDER_NAME,
            subscription_id=config.subscription_id,
            tenant_id=config.tenant_id,
            location=self.region,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.child = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        self.deployer = authorization.get_client_config_output(opts=pulumi.InvokeOptions(provider=self.provider))
        self.outputs = {}
        self._deployer_assignment: Any = None
        self._subscription()
        self._network()
        self._security()
        self._data_services()
        self.register_outputs(self.outputs)

    # -- helpers --------------------------------------------------------------------------------
    def _stateful(self) -> dict[str, Any]:
        """Lock and protect arguments for every stateful component: the defaults in production, off otherwise."""
        if self.production:
            return {}
        return {
            "lock": None,
            "lock_waiver": Waiver(reason=NONPROD_LOCK_REASON, approver="the stack config's owner"),
            "protect": False,
        }

    def _group(self, logical_name: str, workload: str) -> Any:
        from pulumi_azure_native import resources

        return resources.ResourceGroup(
            logical_name,
            resource_group_name=self.namer.name("resource_group", workload),
            location=self.region,
            tags=self.tags,
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider, protect=self.production),
        )

    def _key(self, logical: str, vault: KeyVault, group: Any, location: str | None = None) -> CustomerManagedKeyRef:
        keys = self.config.keys
        key = CustomerManagedKey(
            logical,
            CustomerManagedKeyArgs(
                key_vault=vault,
                key_name=f"cmk-{logical}",
                identity_name=self.namer.name("user_assigned_identity", f"{logical}-cmk"),
                location=location or self.region,
                identity_resource_group_name=group.name,
                subscription_id=self.config.subscription_id,
                key_size=keys.key_size,
                hsm_backed=keys.hsm_backed,
                software_key_waiver=None
                if keys.hsm_backed
                else Waiver(reason="keys.hsmBacked is false in stack config", approver="the stack config's owner"),
                expiry_days=keys.expiry_days,
                rotation_period_days=keys.rotation_period_days,
                notify_before_expiry_days=keys.notify_before_expiry_days,
                protect=self.production,
                tags=self.tags,
            ),
            opts=self.child,
        )
        return key.reference

    def _vault(self, logical: str, region: str) -> KeyVault:
        vault = KeyVault(
            logical,
            KeyVaultArgs(
                resource_group_name=self.security_group.name,
                location=region,
                tenant_id=self.config.tenant_id,
                subscription_id=self.config.subscription_id,
                vault_name=Namer.for_config(self.config, region).name("key_vault", "phi"),
                allow_trusted_azure_services=Waiver(reason=CMK_BYPASS_REASON, approver=DESIGN_APPROVER),
                private_endpoint=PrivateEndpointArgs(
                    subnet_id=self.shared_endpoints_subnet,
                    private_dns_zone_ids=self.dns.endpoint_zone_ids(["vault"]),
                    location=self.region,
                ),
                tags=self.tags,
                **self._stateful(),
                **({} if self.production else {"soft_delete_retention_days": NONPROD_SOFT_DELETE_DAYS}),
            ),
            opts=self.child,
        )
        vault.add_key_prerequisite(self._deployer_grant())
        return vault

    def _deployer_grant(self) -> Any:
        """The deployer's "Key Vault Crypto Officer", once, on the security resource group that holds the vaults.

        - The principal type is always explicit: Azure defaults it to ``User`` and refuses a service
          principal or group sent as one (``UnmatchedPrincipalType``).
        - Its name follows scope, role and principal, so a new deployer gets a new assignment that never
          collides with the old one.
        - It sits on the resource group, not on a vault: a ``CanNotDelete`` lock on a vault also locks the
          role assignments on it (learn.microsoft.com/azure/azure-resource-manager/management/lock-resources),
          so a vault-scoped grant of a former deployer could never be deleted. The group holds only this
          landing zone's vaults (primary and paired), the same vaults a per-vault grant would cover; the
          role carries Key Vault data actions only. Resource groups are never locked here.
        """
        if self._deployer_assignment is None:
            deployer = self.config.deployer
            self._deployer_assignment = assign_role(
                "deployer-crypto-officer",
                scope=self.security_group.id,
                principal_id=deployer.object_id if deployer.object_id is not None else self.deployer.object_id,
                role="Key Vault Crypto Officer",
                subscription_id=self.config.subscription_id,
                principal_type=deployer.principal_type,
                description="Lets the deploying principal create and rotate the landing zone's keys",
                parent=self,
                provider=self.provider,
            )
        return self._deployer_assignment

    # -- stages ---------------------------------------------------------------------------------
    def _subscription(self) -> None:
        settings = self.config.subscription
        self.subscription = PhiSubscription(
            "subscription",
            PhiSubscriptionArgs(
                subscription_id=self.config.subscription_id,
                display_name=f"{self.config.prefix}-{self.config.environment}-phi",
                management_group_id=settings.management_group_id,
                location=self.region,
                allowed_locations=list(self.config.regions.allowed),
                hipaa_initiative_parameters=settings.hipaa_initiative_parameters,
                **(
                    {"hipaa_remediation_roles": settings.hipaa_remediation_roles}
                    if settings.hipaa_remediation_roles is not None
                    else {}
                ),
                budget=settings.budget,
                alert_emails=list(self.config.alerts.emails),
                access=list(settings.access),
            ),
            opts=self.child,
        )

    def _network(self) -> None:
        config, tags = self.config, self.tags
        self.security_group = self._group("security", "security")
        self.network_group = self._group("network", "network")
        ddos_waiver = (
            _waiver(config.network.ddos_protection.waiver) if not config.network.ddos_protection.enabled else None
        )
        self.hub = HubNetwork(
            "hub",
            HubNetworkArgs(
                resource_group_name=self.network_group.name,
                location=self.region,
                vnet_name=self.namer.name("virtual_network", "hub"),
                hub=config.network.hub,
                ddos_protection_waiver=ddos_waiver,
                protect=self.production,
                tags=tags,
            ),
            opts=self.child,
        )
        self.spokes: list[SpokeNetwork] = []
        for spoke_config in config.network.spokes:
            spoke_group = self._group(f"spoke-{spoke_config.name}", f"spoke-{spoke_config.name}")
            self.spokes.append(
                SpokeNetwork(
                    f"spoke-{spoke_config.name}",
                    SpokeNetworkArgs(
                        resource_group_name=spoke_group.name,
                        location=self.region,
                        vnet_name=self.namer.name("virtual_network", spoke_config.name),
                        spoke=spoke_config,
                        hub_vnet_id=self.hub.vnet_id,
                        hub_vnet_name=self.hub.vnet_name,
                        hub_resource_group_name=self.network_group.name,
                        firewall_private_ip=self.hub.firewall_private_ip,
                        ddos_plan_id=self.hub.ddos_plan_id,
                        ddos_protection_waiver=ddos_waiver,
                        protect=self.production,
                        tags=tags,
                    ),
                    opts=self.child,
                )
            )
        self.dns = PrivateDnsZones(
            "dns",
            PrivateDnsZonesArgs(
                resource_group_name=self.network_group.name,
                region=self.region,
                virtual_network_ids={
                    "hub": self.hub.vnet_id,
                    **{s.settings.spoke.name: s.vnet_id for s in self.spokes},
                },
                tags=tags,
            ),
            opts=self.child,
        )
        self.shared_endpoints_subnet = self.hub.subnet_ids[config.network.hub.private_endpoint_subnet]
        self.outputs.update(
            hubVnetId=self.hub.vnet_id,
            hubVnetName=self.hub.vnet_name,
            networkResourceGroupName=self.network_group.name,
            ddosProtectionPlanId=self.hub.ddos_plan_id,
            firewallPrivateIp=self.hub.firewall_private_ip,
            spokeSubnetIds={s.settings.spoke.name: s.subnet_ids for s in self.spokes},
            privateDnsZoneIds=self.dns.zone_ids,
        )

    def _security(self) -> None:
        config = self.config
        self.vault = self._vault("phi", self.region)
        logs_key = self._key("audit-logs", self.vault, self.security_group)
        immutability = config.logging.immutability
        self.logs = LogWorkspace(
            "audit",
            LogWorkspaceArgs(
                resource_group_name=self.security_group.name,
                location=self.region,
                workspace_name=self.namer.name("log_analytics_workspace", "audit"),
                archive_account_name=self.namer.name("storage_account", "auditlogs"),
                customer_managed_key=logs_key,
                subscription_id=config.subscription_id,
                interactive_retention_days=config.logging.interactive_retention_days,
                total_retention_days=config.logging.total_retention_days,
                retention_waiver=_waiver(config.logging.retention_waiver),
                immutability_locked=immutability.locked,
                immutability_waiver=None if immutability.enabled else _waiver(immutability.waiver),
                archive_private_endpoint=PrivateEndpointArgs(
                    subnet_id=self.shared_endpoints_subnet, private_dns_zone_ids=self.dns.endpoint_zone_ids(["blob"])
                ),
                flow_log_account_name=self.namer.name("storage_account", "flowlogs"),
                flow_log_identity_name=self.namer.name("user_assigned_identity", "flow-logs"),
                tags=self.tags,
                **self._stateful(),
            ),
            opts=self.child,
        )
        self.vault.add_diagnostics(self.logs.diagnostics)
        self.hub.add_diagnostics(self.logs.diagnostics)
        watcher = config.network.network_watcher
        flow_logs = flow_log_target(
            self.logs, watcher.name or f"NetworkWatcher_{self.region}", watcher.resource_group_name
        )
        for network in (self.hub, *self.spokes):
            network.add_flow_logs(flow_logs)
        DefenderForCloud(
            "defender",
            DefenderForCloudArgs(subscription_id=config.subscription_id, alert_emails=list(config.alerts.emails)),
            opts=self.child,
        )
        self.outputs.update(
            keyVaultId=self.vault.resource_id,
            keyVaultUri=self.vault.vault_uri,
            auditLogsKeyUri=logs_key.versionless_key_uri,
            auditLogsKeyIdentityId=logs_key.identity_resource_id,
            logWorkspaceId=self.logs.workspace_id,
            logWorkspaceCustomerId=self.logs.workspace_customer_id,
            logArchiveStorageAccountId=self.logs.archive_storage_account_id,
            # where other stacks' VNet flow logs go (not WORM), and the identity Network Watcher writes with
            flowLogStorageAccountId=flow_logs.storage_account_id,
            flowLogIdentityId=flow_logs.identity_resource_id,
        )

    def _data_services(self) -> None:
        services = self.config.data_services
        if not (services.storage.enabled or services.sql.enabled or services.postgres.enabled):
            return
        spoke = next(s for s in self.spokes if s.endpoint_subnet_id is not None)
        group = self._group("data", "data")

        def endpoint(*sub_resources: str) -> PrivateEndpointArgs:
            return PrivateEndpointArgs(
                subnet_id=spoke.endpoint_subnet_id, private_dns_zone_ids=self.dns.endpoint_zone_ids(list(sub_resources))
            )

        storage = postgres = None
        if services.storage.enabled:
            storage = PhiStorageAccount(
                "phi-storage",
                PhiStorageAccountArgs(
                    resource_group_name=group.name,
                    location=self.region,
                    account_name=self.namer.name("storage_account", "phi"),
                    customer_managed_key=self._key("storage", self.vault, group),
                    private_endpoint_sub_resources=STORAGE_SUB_RESOURCES,
                    private_endpoint=endpoint(*STORAGE_SUB_RESOURCES),
                    diagnostics=self.logs.diagnostics,
                    operational_backup=services.backup.enabled,
                    tags=self.tags,
                    **self._stateful(),
                ),
                opts=self.child,
            )
            self.outputs["phiStorageAccountId"] = storage.resource_id
        if services.sql.enabled:
            assert services.sql.administrators is not None  # the config model requires it
            sql = PhiSqlServer(
                "phi-sql",
                PhiSqlServerArgs(
                    resource_group_name=group.name,
                    location=self.region,
                    server_name=self.namer.name("sql_server", "phi"),
                    tenant_id=self.config.tenant_id,
                    administrators=services.sql.administrators,
                    customer_managed_key=self._key("sql", self.vault, group),
                    databases=[SqlDatabaseArgs(name="phi")],
                    alert_emails=list(self.config.alerts.emails),
                    diagnostics=self.logs.diagnostics,
                    private_endpoint=endpoint("sqlServer"),
                    tags=self.tags,
                    **self._stateful(),
                ),
                opts=self.child,
            )
            self.outputs["sqlServerFqdn"] = sql.fqdn
        if services.postgres.enabled:
            assert services.postgres.administrators is not None  # the config model requires it
            geo_key = None
            if services.postgres.geo_redundant_backup:
                paired = self.config.regions.paired_region
                assert paired is not None  # _check_deployable
                paired_vault = self._vault("phi-paired", paired)
                # the archive is in the primary region; a diagnostic storage destination must be in the vault's
                paired_vault.add_diagnostics(self.logs.diagnostics_for(paired))
                geo_key = self._key("postgres-geo", paired_vault, group, location=paired)
            postgres = PhiPostgresServer(
                "phi-postgres",
                PhiPostgresServerArgs(
                    resource_group_name=group.name,
                    location=self.region,
                    server_name=self.namer.name("postgresql_server", "phi"),
                    tenant_id=self.config.tenant_id,
                    administrators=services.postgres.administrators,
                    customer_managed_key=self._key("postgres", self.vault, group),
                    geo_redundant_backup=services.postgres.geo_redundant_backup,
                    geo_backup_key=geo_key,
                    private_endpoint=endpoint("postgresqlServer"),
                    diagnostics=self.logs.diagnostics,
                    tags=self.tags,
                    **self._stateful(),
                ),
                opts=self.child,
            )
            self.outputs["postgresServerFqdn"] = postgres.fqdn
            self.outputs["postgresPostDeploySteps"] = postgres.post_deploy_steps
        if services.backup.enabled and (storage is not None or postgres is not None):
            backup = BackupVault(
                "phi-backup",
                BackupVaultArgs(
                    resource_group_name=group.name,
                    location=self.region,
                    vault_name=self.namer.name("backup_vault", "phi"),
                    subscription_id=self.config.subscription_id,
                    customer_managed_key=self._key("backup", self.vault, group),
                    retention_days=services.backup.retention_days,
                    storage_accounts=[
                        BackupSource(
                            label="phi-storage",
                            resource_id=storage.resource_id,
                            resource_name=storage.account_name,
                            location=self.region,
                            resource_group_id=group.id,
                            depends_on=[storage.blob_service],
                        )
                    ]
                    if storage is not None
                    else [],
                    postgres_servers=[
                        BackupSource(
                            label="phi-postgres",
                            resource_id=postgres.resource_id,
                            resource_name=postgres.server_name,
                            location=self.region,
                            resource_group_id=group.id,
                        )
                    ]
                    if postgres is not None
                    else [],
                    tags=self.tags,
                    **self._stateful(),
                ),
                opts=self.child,
            )
            self.outputs["backupVaultId"] = backup.resource_id


def _check_deployable(config: LandingZoneConfig) -> None:
    """What the composition needs beyond the config model's own rules, checked before anything registers."""
    problems = []
    services = config.data_services
    wants_data = services.storage.enabled or services.sql.enabled or services.postgres.enabled
    if wants_data and not any(spoke.endpoint_subnet_name for spoke in config.network.spokes):
        problems.append(
            Problem("network.spokes", "data services need a spoke with a private-endpoint subnet ('private-endpoints')")
        )
    if services.postgres.enabled and services.postgres.geo_redundant_backup and config.regions.paired_region is None:
        problems.append(Problem("regions.paired", "geo-redundant PostgreSQL backups need a paired region"))
    if config.subscription.billing_scope is not None:
        problems.append(
            Problem(
                "subscription.billingScope",
                "vend the subscription with PhiSubscription in a bootstrap stack, then set subscriptionId here",
            )
        )
    if problems:
        raise ConfigError(problems, source="landingZone")


def _waiver(config_waiver: Any) -> Waiver | None:
    """A component waiver carrying the config waiver's reason and approver."""
    if config_waiver is None:
        return None
    return Waiver(reason=config_waiver.reason, approver=config_waiver.approved_by)
