"""The reference landing zone: what the root ``Pulumi.yaml`` program builds from one `LandingZoneConfig`.

Built so far, in first-deploy order:

1. a provider pinned to the configured subscription and tenant, and the resource groups;
2. the hub (firewall, Bastion, DDoS plan) and the spokes, peered and routed through the firewall;
3. the private DNS zones, linked to the hub and every spoke;
4. the Key Vault (Premium, RBAC, purge protection, reached through a hub private endpoint) and the
   deploying principal's "Key Vault Crypto Officer" grant, which Azure requires before any key;
5. the customer-managed key of the audit-log archive, with its user-assigned identity;
6. the audit-log workspace and its immutable, CMK-encrypted archive (private endpoint in the hub),
   then what needs it: the vault's and the hub's diagnostics, and flow logs on every VNet;
7. Microsoft Defender for Cloud.

The PHI data services join here as their components land.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.customer_managed_key import CustomerManagedKey, CustomerManagedKeyArgs
from components.defender import DefenderForCloud, DefenderForCloudArgs
from components.hub_network import HubNetwork, HubNetworkArgs
from components.interfaces import PrivateEndpointArgs, Waiver
from components.key_vault import KeyVault, KeyVaultArgs
from components.log_workspace import LogWorkspace, LogWorkspaceArgs, flow_log_target
from components.private_dns_zones import PrivateDnsZones, PrivateDnsZonesArgs
from components.spoke_network import SpokeNetwork, SpokeNetworkArgs
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

    def resource_group(logical_name: str, workload: str) -> Any:
        return resources.ResourceGroup(
            logical_name,
            resource_group_name=namer.name("resource_group", workload),
            location=region,
            tags=tags,
            opts=pulumi.ResourceOptions(provider=provider, protect=True),
        )

    security_group = resource_group("security", "security")
    network_group = resource_group("network", "network")
    ddos_waiver = _waiver(config.network.ddos_protection.waiver) if not config.network.ddos_protection.enabled else None
    hub = HubNetwork(
        "hub",
        HubNetworkArgs(
            resource_group_name=network_group.name,
            location=region,
            vnet_name=namer.name("virtual_network", "hub"),
            hub=config.network.hub,
            ddos_protection_waiver=ddos_waiver,
            tags=tags,
        ),
        opts=with_provider,
    )
    spokes = []
    for spoke_config in config.network.spokes:
        spoke_group = resource_group(f"spoke-{spoke_config.name}", f"spoke-{spoke_config.name}")
        spokes.append(
            SpokeNetwork(
                f"spoke-{spoke_config.name}",
                SpokeNetworkArgs(
                    resource_group_name=spoke_group.name,
                    location=region,
                    vnet_name=namer.name("virtual_network", spoke_config.name),
                    spoke=spoke_config,
                    hub_vnet_id=hub.vnet_id,
                    hub_vnet_name=hub.vnet_name,
                    hub_resource_group_name=network_group.name,
                    firewall_private_ip=hub.firewall_private_ip,
                    ddos_plan_id=hub.ddos_plan_id,
                    ddos_protection_waiver=ddos_waiver,
                    tags=tags,
                ),
                opts=with_provider,
            )
        )
    dns = PrivateDnsZones(
        "dns",
        PrivateDnsZonesArgs(
            resource_group_name=network_group.name,
            region=region,
            virtual_network_ids={"hub": hub.vnet_id, **{spoke.settings.spoke.name: spoke.vnet_id for spoke in spokes}},
            tags=tags,
        ),
        opts=with_provider,
    )
    shared_endpoints_subnet = hub.subnet_ids[config.network.hub.private_endpoint_subnet]

    vault = KeyVault(
        "phi",
        KeyVaultArgs(
            resource_group_name=security_group.name,
            location=region,
            tenant_id=config.tenant_id,
            subscription_id=config.subscription_id,
            vault_name=namer.name("key_vault", "phi"),
            allow_trusted_azure_services=Waiver(reason=CMK_BYPASS_REASON),
            private_endpoint=PrivateEndpointArgs(
                subnet_id=shared_endpoints_subnet, private_dns_zone_ids=dns.endpoint_zone_ids(["vault"])
            ),
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
            archive_private_endpoint=PrivateEndpointArgs(
                subnet_id=shared_endpoints_subnet, private_dns_zone_ids=dns.endpoint_zone_ids(["blob"])
            ),
            tags=tags,
        ),
        opts=with_provider,
    )
    vault.add_diagnostics(logs.diagnostics)
    hub.add_diagnostics(logs.diagnostics)
    watcher = config.network.network_watcher
    flow_logs = flow_log_target(logs, watcher.name or f"NetworkWatcher_{region}", watcher.resource_group_name)
    for network in (hub, *spokes):
        network.add_flow_logs(flow_logs)
    DefenderForCloud(
        "defender",
        DefenderForCloudArgs(subscription_id=config.subscription_id, alert_emails=list(config.alerts.emails)),
        opts=with_provider,
    )
    return {
        "securityResourceGroupName": security_group.name,
        "hubVnetId": hub.vnet_id,
        "firewallPrivateIp": hub.firewall_private_ip,
        "spokeSubnetIds": {spoke.settings.spoke.name: spoke.subnet_ids for spoke in spokes},
        "privateDnsZoneIds": dns.zone_ids,
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
