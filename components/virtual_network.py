"""What hub and spokes share: a VNet whose every subnet has an NSG and a route through the firewall.

Subnets are declared inline in the VNet, in one request, each with its NSG and route table from the
start: a subnet never exists, even briefly, without its NSG, and a later VNet update cannot drop
subnets declared elsewhere. Every NSG carries an explicit, visible ``DenyInternetInbound`` rule at
priority 4096 on top of the rules from config (which the config model has already screened).
Private-endpoint network policies are enabled on every subnet so NSGs and routes apply to endpoints.

Subnets Azure reserves for its services get no NSG (``GatewaySubnet``, ``AzureFirewallSubnet``,
``AzureFirewallManagementSubnet``, ``RouteServerSubnet``) or Azure's required Bastion rules
(``AzureBastionSubnet``), and no route table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from components.interfaces import FlowLogArgs
from landing_zone.config.network import BASTION_SUBNET, NsgRuleConfig, SubnetConfig

#: Subnets on which Azure refuses (or breaks with) a network security group.
NO_NSG_SUBNETS = frozenset(
    {"GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet"}
)
#: Subnets that must not get the landing zone's user-defined route.
NO_ROUTE_SUBNETS = NO_NSG_SUBNETS | {BASTION_SUBNET}
DENY_INTERNET_PRIORITY = 4096


def _prefix_fields(field: str, values: Sequence[str]) -> dict[str, Any]:
    """Azure takes one value (service tag, ``*``) in the singular field and IP lists in the plural one."""
    return (
        {field: values[0]}
        if len(values) == 1
        else {f"{field}es" if field.endswith("prefix") else f"{field}s": list(values)}
    )


def security_rule(rule: NsgRuleConfig) -> dict[str, Any]:
    """A config NSG rule in wire shape (snake_case args for the SDK); unset optional fields are left out."""
    rule_args = {
        "name": rule.name,
        "priority": rule.priority,
        "direction": rule.direction,
        "access": rule.access,
        "protocol": rule.protocol,
        "description": rule.description,
        **_prefix_fields("source_address_prefix", rule.source_address_prefixes),
        **_prefix_fields("source_port_range", rule.source_port_ranges),
        **_prefix_fields("destination_address_prefix", rule.destination_address_prefixes),
        **_prefix_fields("destination_port_range", rule.destination_port_ranges),
    }
    return {key: value for key, value in rule_args.items() if value is not None}


DENY_INTERNET_INBOUND: dict[str, Any] = {
    "name": "DenyInternetInbound",
    "priority": DENY_INTERNET_PRIORITY,
    "direction": "Inbound",
    "access": "Deny",
    "protocol": "*",
    "source_address_prefix": "Internet",
    "source_port_range": "*",
    "destination_address_prefix": "*",
    "destination_port_range": "*",
    "description": "Landing-zone baseline: nothing enters from the Internet except through the firewall.",
}


def _rule(
    name: str,
    priority: int,
    direction: str,
    *,
    source: str,
    destination: str,
    ports: Sequence[str],
    protocol: str = "Tcp",
) -> dict[str, Any]:
    return {
        "name": name,
        "priority": priority,
        "direction": direction,
        "access": "Allow",
        "protocol": protocol,
        "source_address_prefix": source,
        "source_port_range": "*",
        "destination_address_prefix": destination,
        **_prefix_fields("destination_port_range", list(ports)),
    }


#: The rules Azure Bastion requires on AzureBastionSubnet (Azure Bastion "NSG access" documentation).
BASTION_RULES: tuple[dict[str, Any], ...] = (
    _rule("AllowHttpsInbound", 120, "Inbound", source="Internet", destination="*", ports=["443"]),
    _rule("AllowGatewayManagerInbound", 130, "Inbound", source="GatewayManager", destination="*", ports=["443"]),
    _rule("AllowAzureLoadBalancerInbound", 140, "Inbound", source="AzureLoadBalancer", destination="*", ports=["443"]),
    _rule(
        "AllowBastionHostCommunication",
        150,
        "Inbound",
        source="VirtualNetwork",
        destination="VirtualNetwork",
        ports=["8080", "5701"],
        protocol="*",
    ),
    _rule(
        "AllowSshRdpOutbound",
        100,
        "Outbound",
        source="*",
        destination="VirtualNetwork",
        ports=["22", "3389"],
        protocol="*",
    ),
    _rule("AllowAzureCloudOutbound", 110, "Outbound", source="*", destination="AzureCloud", ports=["443"]),
    _rule(
        "AllowBastionCommunication",
        120,
        "Outbound",
        source="VirtualNetwork",
        destination="VirtualNetwork",
        ports=["8080", "5701"],
        protocol="*",
    ),
    _rule("AllowHttpOutbound", 130, "Outbound", source="*", destination="Internet", ports=["80"]),
)


def build_virtual_network(
    name: str,
    *,
    parent: pulumi.Resource,
    vnet_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    address_space: Sequence[str],
    subnets: Sequence[SubnetConfig],
    route_table_id: pulumi.Input[str] | None,
    ddos_plan_id: pulumi.Input[str] | None,
    tags: Mapping[str, str],
    protect: bool,
) -> tuple[Any, dict[str, Any], dict[str, pulumi.Output[str]]]:
    """The VNet, its NSGs by subnet name, and its subnet IDs by name."""
    from pulumi_azure_native import network

    base = vnet_name.removeprefix("vnet-")
    nsgs: dict[str, Any] = {}
    for subnet in subnets:
        if subnet.name in NO_NSG_SUBNETS:
            continue
        rules = (
            list(BASTION_RULES) if subnet.name == BASTION_SUBNET else [security_rule(rule) for rule in subnet.nsg_rules]
        )
        nsgs[subnet.name] = network.NetworkSecurityGroup(
            f"{name}-nsg-{subnet.name.lower()}",
            network_security_group_name=f"nsg-{base}-{subnet.name.lower()}"[:80],
            resource_group_name=resource_group_name,
            location=location,
            security_rules=[*rules, DENY_INTERNET_INBOUND],
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=parent),
        )

    def subnet_args(subnet: SubnetConfig) -> dict[str, Any]:
        args: dict[str, Any] = {
            "name": subnet.name,
            "address_prefix": subnet.cidr,
            "private_endpoint_network_policies": "Enabled",
            "private_link_service_network_policies": "Enabled",
        }
        if subnet.name not in NO_ROUTE_SUBNETS:
            args["default_outbound_access"] = False  # private subnet: egress only through the firewall
        if subnet.name in nsgs:
            args["network_security_group"] = {"id": nsgs[subnet.name].id}
        if route_table_id is not None and subnet.name not in NO_ROUTE_SUBNETS:
            args["route_table"] = {"id": route_table_id}
        if subnet.delegation:
            args["delegations"] = [{"name": subnet.delegation.split("/")[-1], "service_name": subnet.delegation}]
        return args

    vnet = network.VirtualNetwork(
        name,
        virtual_network_name=vnet_name,
        resource_group_name=resource_group_name,
        location=location,
        address_space={"address_prefixes": list(address_space)},
        subnets=[subnet_args(subnet) for subnet in subnets],
        enable_ddos_protection=ddos_plan_id is not None,
        ddos_protection_plan={"id": ddos_plan_id} if ddos_plan_id is not None else None,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent, protect=protect),
    )
    subnet_ids = {subnet.name: pulumi.Output.concat(vnet.id, "/subnets/", subnet.name) for subnet in subnets}
    return vnet, nsgs, subnet_ids


def route_table(
    name: str,
    *,
    parent: pulumi.Resource,
    route_table_name: str,
    resource_group_name: pulumi.Input[str],
    location: str,
    firewall_private_ip: pulumi.Input[str],
    tags: Mapping[str, str],
) -> Any:
    """Send everything leaving the subnet (0.0.0.0/0) to the hub firewall; no BGP routes around it."""
    from pulumi_azure_native import network

    return network.RouteTable(
        f"{name}-routes",
        route_table_name=route_table_name,
        resource_group_name=resource_group_name,
        location=location,
        disable_bgp_route_propagation=True,
        routes=[
            {
                "name": "default-via-firewall",
                "address_prefix": "0.0.0.0/0",
                "next_hop_type": "VirtualAppliance",
                "next_hop_ip_address": firewall_private_ip,
            }
        ],
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def flow_log(
    name: str,
    *,
    parent: pulumi.Resource,
    vnet: Any,
    vnet_name: str,
    location: str,
    target: FlowLogArgs,
    tags: Mapping[str, str] | None = None,
) -> Any:
    """A VNet flow log to the archive, with traffic analytics into the workspace."""
    from pulumi_azure_native import network

    return network.FlowLog(
        f"{name}-flow-log",
        flow_log_name=f"fl-{vnet_name}"[:80],
        network_watcher_name=target.network_watcher_name,
        resource_group_name=target.network_watcher_resource_group_name,
        location=location,
        target_resource_id=vnet.id,
        storage_id=target.storage_account_id,
        identity=(
            {"type": "UserAssigned", "user_assigned_identities": [target.identity_resource_id]}
            if target.identity_resource_id is not None
            else None
        ),
        enabled=True,
        format={"type": "JSON", "version": 2},
        retention_policy={"enabled": False, "days": 0},
        flow_analytics_configuration={
            "network_watcher_flow_analytics_configuration": {
                "enabled": True,
                "workspace_id": target.workspace_customer_id,
                "workspace_region": target.workspace_region,
                "workspace_resource_id": target.workspace_resource_id,
                "traffic_analytics_interval": target.traffic_analytics_interval_minutes,
            }
        },
        tags=dict(tags or {}),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(target.depends_on)),
    )
