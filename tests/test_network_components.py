"""Network components: wire inputs, peering both ways, NSG and route on every subnet, DNS zones and links, endpoints."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from components.hub_network import HubNetwork
from components.interfaces import FlowLogArgs, PrivateEndpointArgs, Waiver
from components.key_vault import KeyVault
from components.private_dns_zones import PrivateDnsZones
from components.spoke_network import SpokeNetwork
from landing_zone.config import parse_config
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramError, ProgramRun, record
from landing_zone.private_dns import DEFAULT_SUB_RESOURCES, all_zones
from landing_zone.testing import TEST_TAGS as TAGS

SUB = "3f2c9a51-0000-4000-8000-000000000002"
RULE = {
    "name": "allow-https-from-hub",
    "priority": 200,
    "direction": "Inbound",
    "access": "Allow",
    "protocol": "Tcp",
    "sourceAddressPrefixes": ["10.10.1.0/24"],
    "destinationAddressPrefixes": ["10.11.1.0/24", "10.11.0.0/24"],
    "destinationPortRanges": ["443"],
}
FLOW_LOGS = FlowLogArgs(
    storage_account_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/starchive",
    workspace_resource_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log",
    workspace_customer_id="8d4c0000-0000-4000-8000-000000000001",
    workspace_region="eastus2",
    network_watcher_name="NetworkWatcher_eastus2",
)


def network_program(config_data: dict[str, Any], ddos_waiver: Waiver | None = None) -> Callable[[], None]:
    config_data["network"]["spokes"][0]["subnets"][1]["nsgRules"] = [RULE]
    network = parse_config(config_data).network

    def program() -> None:
        hub = HubNetwork("hub", resource_group_name="rg-net", location="eastus2", vnet_name="vnet-contoso-dev-eus2-hub",
                         hub=network.hub, ddos_protection_waiver=ddos_waiver, tags=TAGS)  # fmt: skip
        spoke = SpokeNetwork(
            "spoke-data",
            resource_group_name="rg-data",
            location="eastus2",
            vnet_name="vnet-contoso-dev-eus2-data",
            spoke=network.spokes[0],
            hub_vnet_id=hub.vnet_id,
            hub_vnet_name=hub.vnet_name,
            hub_resource_group_name="rg-net",
            firewall_private_ip=hub.firewall_private_ip,
            ddos_plan_id=hub.ddos_plan_id,
            ddos_protection_waiver=ddos_waiver,
            tags=TAGS,
        )
        dns = PrivateDnsZones("dns", resource_group_name="rg-net", region="eastus2",
                              virtual_network_ids={"hub": hub.vnet_id, "data": spoke.vnet_id}, tags=TAGS)  # fmt: skip
        vault = KeyVault(
            "phi", resource_group_name="rg-sec", location="eastus2", tenant_id="t", vault_name="kvdemo01", tags=TAGS
        )
        from components.private_endpoint import add_private_endpoints

        add_private_endpoints(
            "phi-storage",
            target_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stphi",
            target_name="stphi",
            sub_resources=["blob", "file", "queue", "table", "dfs"],
            endpoint=PrivateEndpointArgs(
                subnet_id=spoke.endpoint_subnet_id,
                private_dns_zone_ids=dns.endpoint_zone_ids(["blob", "file", "queue", "table", "dfs"]),
            ),
            resource_group_name="rg-data",
            location="eastus2",
            tags=TAGS,
            parent=vault,
        )
        for net in (hub, spoke):
            net.add_flow_logs(FLOW_LOGS)

    return program


@pytest.fixture(scope="module")
def network_run(dev_config: dict[str, Any]) -> ProgramRun:
    return record(network_program(copy.deepcopy(dev_config)))


def named(run: ProgramRun, type_token: str, name: str) -> Registration:
    (match,) = [r for r in run.by_type(type_token) if r.name == name]
    return match


class TestHub:
    def test_every_non_reserved_subnet_has_an_nsg_and_the_firewall_route(self, network_run: ProgramRun) -> None:
        hub = named(network_run, "azure-native:network:VirtualNetwork", "hub")
        subnets = {s["name"]: s for s in hub.inputs["subnets"]}
        assert set(subnets) == {"AzureFirewallSubnet", "AzureBastionSubnet", "shared-services"}
        assert "networkSecurityGroup" not in subnets["AzureFirewallSubnet"]
        assert "routeTable" not in subnets["AzureFirewallSubnet"] and "routeTable" not in subnets["AzureBastionSubnet"]
        assert "networkSecurityGroup" in subnets["AzureBastionSubnet"]
        assert set(subnets["shared-services"]) >= {"networkSecurityGroup", "routeTable"}
        assert subnets["shared-services"]["privateEndpointNetworkPolicies"] == "Enabled"
        assert subnets["shared-services"]["defaultOutboundAccess"] is False
        assert hub.inputs["addressSpace"] == {"addressPrefixes": ["10.10.0.0/22"]}
        assert hub.inputs["enableDdosProtection"] is True
        assert hub.property_dependencies["ddosProtectionPlan"] == [
            network_run.one("azure-native:network:DdosProtectionPlan").urn
        ]
        assert hub.protect is True

    def test_firewall_policy_denies_threats_and_proxies_dns(self, network_run: ProgramRun) -> None:
        policy = network_run.one("azure-native:network:FirewallPolicy")
        assert policy.inputs == {
            "firewallPolicyName": "afwp-contoso-dev-eus2-hub",
            "resourceGroupName": "rg-net",
            "location": "eastus2",
            "sku": {"tier": "Standard"},
            "threatIntelMode": "Deny",
            "dnsSettings": {"enableProxy": True},
            "tags": TAGS,
        }

    def test_firewall_uses_its_subnet_public_ip_and_policy(self, network_run: ProgramRun) -> None:
        firewall = network_run.one("azure-native:network:AzureFirewall")
        assert firewall.inputs["sku"] == {"name": "AZFW_VNet", "tier": "Standard"}
        assert firewall.inputs["zones"] == ["1", "2", "3"]
        pip = named(network_run, "azure-native:network:PublicIPAddress", "hub-firewall-pip")
        assert pip.inputs["sku"] == {"name": "Standard", "tier": "Regional"}
        assert pip.inputs["publicIPAllocationMethod"] == "Static"
        assert set(firewall.property_dependencies["ipConfigurations"]) == {
            named(network_run, "azure-native:network:VirtualNetwork", "hub").urn,
            pip.urn,
        }

    def test_bastion_has_azure_required_rules_and_the_explicit_deny(self, network_run: ProgramRun) -> None:
        nsg = named(network_run, "azure-native:network:NetworkSecurityGroup", "hub-nsg-azurebastionsubnet")
        names = [rule["name"] for rule in nsg.inputs["securityRules"]]
        assert names[:4] == [
            "AllowHttpsInbound",
            "AllowGatewayManagerInbound",
            "AllowAzureLoadBalancerInbound",
            "AllowBastionHostCommunication",
        ]
        assert names[-1] == "DenyInternetInbound"
        bastion = network_run.one("azure-native:network:BastionHost")
        assert bastion.inputs["enableShareableLink"] is False

    def test_ddos_waiver_removes_the_plan_and_is_recorded(self, config_data: dict[str, Any]) -> None:
        waiver = Waiver(reason="Sandbox with synthetic data; approved by the CISO.", approver="CISO")
        run = record(network_program(config_data, ddos_waiver=waiver))
        assert run.by_type("azure-native:network:DdosProtectionPlan") == []
        hub = named(run, "azure-native:network:VirtualNetwork", "hub")
        assert hub.inputs["enableDdosProtection"] is False
        assert hub.inputs["tags"]["waiver:ddosProtection"] == waiver.reason


class TestSpoke:
    def test_nsg_has_config_rules_then_the_explicit_internet_deny(self, network_run: ProgramRun) -> None:
        nsg = named(network_run, "azure-native:network:NetworkSecurityGroup", "spoke-data-nsg-workloads")
        rules = nsg.inputs["securityRules"]
        assert rules[0] == {
            "name": "allow-https-from-hub",
            "priority": 200.0,
            "direction": "Inbound",
            "access": "Allow",
            "protocol": "Tcp",
            "sourceAddressPrefix": "10.10.1.0/24",
            "sourcePortRange": "*",
            "destinationAddressPrefixes": ["10.11.1.0/24", "10.11.0.0/24"],
            "destinationPortRange": "443",
        }
        assert rules[-1]["name"] == "DenyInternetInbound"
        assert (rules[-1]["priority"], rules[-1]["access"], rules[-1]["sourceAddressPrefix"]) == (
            4096.0,
            "Deny",
            "Internet",
        )

    def test_route_table_sends_everything_to_the_firewall(self, network_run: ProgramRun) -> None:
        routes = named(network_run, "azure-native:network:RouteTable", "spoke-data-routes")
        assert routes.inputs["disableBgpRoutePropagation"] is True
        assert routes.inputs["routes"] == [
            {
                "name": "default-via-firewall",
                "addressPrefix": "0.0.0.0/0",
                "nextHopType": "VirtualAppliance",
                "nextHopIpAddress": "10.10.0.4",
            }
        ]
        vnet = named(network_run, "azure-native:network:VirtualNetwork", "spoke-data")
        assert all({"networkSecurityGroup", "routeTable"} <= set(subnet) for subnet in vnet.inputs["subnets"])

    def test_peering_both_ways_with_explicit_settings(self, network_run: ProgramRun) -> None:
        to_hub = named(network_run, "azure-native:network:VirtualNetworkPeering", "spoke-data-to-hub")
        from_hub = named(network_run, "azure-native:network:VirtualNetworkPeering", "spoke-data-from-hub")
        hub = named(network_run, "azure-native:network:VirtualNetwork", "hub")
        spoke = named(network_run, "azure-native:network:VirtualNetwork", "spoke-data")
        explicit = {
            "allowVirtualNetworkAccess": True,
            "allowForwardedTraffic": True,
            "allowGatewayTransit": False,
            "useRemoteGateways": False,
        }
        assert {key: to_hub.inputs[key] for key in explicit} == explicit
        assert {key: from_hub.inputs[key] for key in explicit} == explicit
        assert to_hub.property_dependencies["remoteVirtualNetwork"] == [hub.urn]
        assert from_hub.property_dependencies["remoteVirtualNetwork"] == [spoke.urn]
        assert from_hub.inputs["virtualNetworkName"] == "vnet-contoso-dev-eus2-hub"
        assert from_hub.inputs["resourceGroupName"] == "rg-net"

    def test_spoke_attaches_the_hub_ddos_plan(self, network_run: ProgramRun) -> None:
        spoke = named(network_run, "azure-native:network:VirtualNetwork", "spoke-data")
        plan = network_run.one("azure-native:network:DdosProtectionPlan")
        assert spoke.property_dependencies["ddosProtectionPlan"] == [plan.urn]

    def test_spoke_without_plan_or_waiver_is_rejected(self, config_data: dict[str, Any]) -> None:
        spoke_config = parse_config(config_data).network.spokes[0]

        def program() -> None:
            SpokeNetwork("spoke", resource_group_name="rg", location="eastus2", vnet_name="vnet-x", spoke=spoke_config,
                         hub_vnet_id="/hub", hub_vnet_name="vnet-hub", hub_resource_group_name="rg", firewall_private_ip="10.0.0.4")  # fmt: skip

        with pytest.raises(ProgramError, match="ddos_plan_id is required"):
            record(program)

    def test_flow_logs_go_to_the_archive_with_traffic_analytics(self, network_run: ProgramRun) -> None:
        logs = {log.name: log for log in network_run.by_type("azure-native:network:FlowLog")}
        assert set(logs) == {"hub-flow-log", "spoke-data-flow-log"}
        spoke_log = logs["spoke-data-flow-log"]
        assert spoke_log.inputs["storageId"] == FLOW_LOGS.storage_account_id
        assert spoke_log.inputs["networkWatcherName"] == "NetworkWatcher_eastus2"
        assert spoke_log.inputs["resourceGroupName"] == "NetworkWatcherRG"
        assert spoke_log.inputs["format"] == {"type": "JSON", "version": 2.0}
        analytics = spoke_log.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
        assert analytics["enabled"] is True and analytics["workspaceId"] == FLOW_LOGS.workspace_customer_id
        assert spoke_log.property_dependencies["targetResourceId"] == [
            named(network_run, "azure-native:network:VirtualNetwork", "spoke-data").urn
        ]


class TestPrivateDns:
    def test_each_zone_once_linked_to_every_vnet_without_registration(self, network_run: ProgramRun) -> None:
        zones = network_run.by_type("azure-native:privatedns:PrivateZone")
        names = [zone.inputs["privateZoneName"] for zone in zones]
        assert sorted(names) == sorted(all_zones(DEFAULT_SUB_RESOURCES, "eastus2"))
        assert len(names) == len(set(names))
        assert "privatelink.eus2.backup.windowsazure.com" in names
        links = network_run.by_type("azure-native:privatedns:VirtualNetworkLink")
        assert len(links) == 2 * len(zones)
        assert {link.inputs["registrationEnabled"] for link in links} == {False}
        assert {link.inputs["location"] for link in links} | {zone.inputs["location"] for zone in zones} == {"global"}

    @pytest.mark.parametrize("sub_resource", ["blob", "file", "queue", "table", "dfs"])
    def test_one_zone_group_per_endpoint_with_the_right_zone(self, network_run: ProgramRun, sub_resource: str) -> None:
        endpoint = named(network_run, "azure-native:network:PrivateEndpoint", f"phi-storage-pep-{sub_resource}")
        groups = [
            g for g in network_run.by_type("azure-native:network:PrivateDnsZoneGroup") if g.parent == endpoint.urn
        ]
        assert len(groups) == 1
        (zone_urn,) = groups[0].property_dependencies["privateDnsZoneConfigs"]
        zone = next(z for z in network_run.by_type("azure-native:privatedns:PrivateZone") if z.urn == zone_urn)
        assert zone.inputs["privateZoneName"] == f"privatelink.{sub_resource}.core.windows.net"
        spoke = named(network_run, "azure-native:network:VirtualNetwork", "spoke-data")
        assert endpoint.property_dependencies["subnet"] == [spoke.urn]


@pytest.mark.parametrize("dry_run", [True, False], ids=["preview", "update"])
def test_network_passes_every_rule(
    config_data: dict[str, Any], analyze_every_rule: Callable[..., PackResult], dry_run: bool
) -> None:
    result = analyze_every_rule(record(network_program(config_data), dry_run=dry_run).registrations)
    assert [(d.policy, d.urn, d.message) for d in result.diagnostics] == []


def test_pack_and_landing_zone_agree_on_private_link_zones() -> None:
    from phi_guardrails.private_link import PRIVATE_LINK_ZONES as PACK_ZONES

    from landing_zone.private_dns import PRIVATE_LINK_ZONES

    # The pack knows every catalogued service's zones; the landing zone deploys a subset, with the same names.
    assert {group: PACK_ZONES[group] for group in PRIVATE_LINK_ZONES} == PRIVATE_LINK_ZONES
