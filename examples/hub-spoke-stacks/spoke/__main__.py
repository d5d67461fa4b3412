"""A spoke in its own stack: peered to the hub stack, routed through its firewall, resolving its private DNS zones."""

import pulumi
from pulumi_azure_native import privatedns, resources

from components.interfaces import FlowLogArgs
from components.spoke_network import SpokeNetwork, SpokeNetworkArgs
from landing_zone.config import SpokeConfig
from landing_zone.private_dns import DEFAULT_SUB_RESOURCES, all_zones

config = pulumi.Config()
spoke = SpokeConfig.model_validate(config.require_object("spoke"))
tags = config.require_object("tags")
hub = pulumi.StackReference(config.require("hubStack"))
region = pulumi.Config("azure-native").require("location")

group = resources.ResourceGroup(
    f"spoke-{spoke.name}", location=region, tags=tags, opts=pulumi.ResourceOptions(protect=True)
)
network = SpokeNetwork(
    f"spoke-{spoke.name}",
    SpokeNetworkArgs(
        resource_group_name=group.name,
        location=region,
        vnet_name=f"vnet-{spoke.name}-{pulumi.get_stack()}",
        spoke=spoke,
        hub_vnet_id=hub.require_output("hubVnetId"),
        hub_vnet_name=hub.require_output("hubVnetName"),
        hub_resource_group_name=hub.require_output("networkResourceGroupName"),
        firewall_private_ip=hub.require_output("firewallPrivateIp"),
        ddos_plan_id=hub.require_output("ddosProtectionPlanId"),
        tags=tags,
    ),
)
for zone in all_zones(DEFAULT_SUB_RESOURCES, region):
    privatedns.VirtualNetworkLink(
        f"{spoke.name}-{zone.removeprefix('privatelink.').replace('.', '-')}",
        virtual_network_link_name=f"link-{spoke.name}",
        private_zone_name=zone,
        resource_group_name=hub.require_output("networkResourceGroupName"),
        location="global",
        virtual_network={"id": network.vnet_id},
        registration_enabled=False,
        tags=tags,
    )
# The hub's flow-log account (not WORM: flow logs rewrite their blobs every minute) and the identity Network
# Watcher writes with (the account takes no shared keys); the identity's grant lives in the hub stack.
network.add_flow_logs(
    FlowLogArgs(
        storage_account_id=hub.require_output("flowLogStorageAccountId"),
        identity_resource_id=hub.require_output("flowLogIdentityId"),
        workspace_resource_id=hub.require_output("logWorkspaceId"),
        workspace_customer_id=hub.require_output("logWorkspaceCustomerId"),
        workspace_region=region,
        network_watcher_name=f"NetworkWatcher_{region}",
    )
)
pulumi.export("subnetIds", network.subnet_ids)
