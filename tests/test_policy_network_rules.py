"""Network rules on hand-written resources: every spelling of "the Internet", allow-all rules, subnets
without NSGs, stray public IPs, endpoints without (or with two) DNS zone groups, firewall threat intel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record

Analyze = Callable[..., PackResult]
DDOS = {"enableDdosProtection": True, "ddosProtectionPlan": {"id": "/plan"}}


def rule(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "r",
        "priority": 100,
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "sourceAddressPrefix": "10.0.0.0/24",
        "sourcePortRange": "*",
        "destinationAddressPrefix": "*",
        "destinationPortRange": "443",
        **overrides,
    }


def one(token: str, name: str, props: dict[str, Any]) -> Callable[[], None]:
    """A program registering one hand-written resource."""
    return lambda: pulumi.CustomResource(token, name, props)


def verdicts(analyze: Analyze, program: Callable[[], None]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in analyze(record(program).registrations).diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


def nsg(*rules: dict[str, Any], token: str = "azure-native:network:NetworkSecurityGroup") -> Callable[[], None]:
    return lambda: pulumi.CustomResource(token, "nsg", {"securityRules": list(rules)})


@pytest.mark.parametrize("source", ["Internet", "*", "Any", "0.0.0.0/0", "0.0.0.0", "::/0", "internet"])
@pytest.mark.parametrize("port", ["22", "3389", "5985", "5986", "20-30", "3000-4000"])
def test_internet_to_management_ports_in_any_spelling(analyze: Analyze, source: str, port: str) -> None:
    assert verdicts(analyze, nsg(rule(sourceAddressPrefix=source, destinationPortRange=port))) == {
        "nsg-internet-inbound": ["mandatory"]
    }


def test_internet_via_plural_fields_and_to_every_port(analyze: Analyze) -> None:
    plural = rule(sourceAddressPrefix=None, sourceAddressPrefixes=["10.0.0.0/8", "0.0.0.0/0"],
                  destinationPortRange=None, destinationPortRanges=["443", "22"])  # fmt: skip
    assert verdicts(analyze, nsg(plural)) == {"nsg-internet-inbound": ["mandatory"]}
    every_port = rule(sourceAddressPrefix="Internet", destinationPortRange="*")
    assert verdicts(analyze, nsg(every_port)) == {"nsg-internet-inbound": ["mandatory"]}


@pytest.mark.parametrize(
    "safe",
    [
        rule(),
        rule(sourceAddressPrefix="Internet", destinationPortRange="443"),
        rule(sourceAddressPrefix="Internet", destinationPortRange="22", access="Deny"),
        rule(sourceAddressPrefix="*", destinationPortRange="22", direction="Outbound"),
        rule(sourceAddressPrefix="VirtualNetwork", destinationPortRange="22"),
    ],
    ids=["internal-https", "internet-https", "deny", "outbound", "vnet-ssh"],
)
def test_safe_rules_pass(analyze: Analyze, safe: dict[str, Any]) -> None:
    assert verdicts(analyze, nsg(safe)) == {}


def test_allow_all_inbound(analyze: Analyze) -> None:
    open_rule = rule(protocol="*", sourceAddressPrefix="*", destinationAddressPrefix="*", destinationPortRange="*")
    assert verdicts(analyze, nsg(open_rule)) == {
        "nsg-internet-inbound": ["mandatory"],
        "nsg-allow-all-inbound": ["mandatory"],
    }


def test_standalone_and_classic_rules(analyze: Analyze) -> None:
    bad = rule(sourceAddressPrefix="Internet", destinationPortRange="3389")
    assert verdicts(analyze, lambda: pulumi.CustomResource("azure-native:network:SecurityRule", "r", bad)) == {
        "nsg-internet-inbound": ["mandatory"]
    }
    assert verdicts(analyze, nsg(bad, token="azure:network/networkSecurityGroup:NetworkSecurityGroup")) == {
        "nsg-internet-inbound": ["mandatory"]
    }
    classic_rule = one("azure:network/networkSecurityRule:NetworkSecurityRule", "r", bad)
    assert verdicts(analyze, classic_rule) == {"nsg-internet-inbound": ["mandatory"]}


def test_messages_point_at_the_rule_without_echoing_it(analyze: Analyze) -> None:
    program = nsg(rule(), rule(name="open-rdp-SECRETNAME", sourceAddressPrefix="Internet", destinationPortRange="3389"))
    (diagnostic,) = analyze(record(program).registrations).diagnostics
    assert "securityRules[1]" in diagnostic.message and "SECRETNAME" not in diagnostic.message


class TestSubnetsHaveNsgs:
    @staticmethod
    def vnet(*subnets: dict[str, Any]) -> Callable[[], None]:
        return lambda: pulumi.CustomResource(
            "azure-native:network:VirtualNetwork", "vnet", {"subnets": list(subnets), **DDOS}
        )

    def test_inline_subnet_without_nsg_fails(self, analyze: Analyze) -> None:
        program = self.vnet(
            {"name": "apps", "addressPrefix": "10.0.1.0/24"}, {"name": "GatewaySubnet", "addressPrefix": "10.0.0.0/27"}
        )
        result = analyze(record(program).registrations)
        (diagnostic,) = result.diagnostics
        assert diagnostic.policy == "subnet-nsg-required" and "subnets[0]" in diagnostic.message

    def test_inline_subnet_with_nsg_passes(self, analyze: Analyze) -> None:
        program = self.vnet({"name": "apps", "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "/nsg"}})
        assert verdicts(analyze, program) == {}

    def test_nsg_id_unknown_at_preview_counts_as_present(self, analyze: Analyze) -> None:
        def program() -> None:
            group = pulumi.CustomResource("azure-native:network:NetworkSecurityGroup", "nsg", {})
            pulumi.CustomResource("azure-native:network:VirtualNetwork", "vnet",
                                  {"subnets": [{"name": "apps", "networkSecurityGroup": {"id": group.id}}], **DDOS})  # fmt: skip

        assert verdicts(analyze, program) == {}

    def test_standalone_subnet(self, analyze: Analyze) -> None:
        bare = one("azure-native:network:Subnet", "s", {"subnetName": "apps", "addressPrefix": "10.0.1.0/24"})
        assert verdicts(analyze, bare) == {"subnet-nsg-required": ["mandatory"]}
        firewall = one("azure-native:network:Subnet", "s", {"subnetName": "AzureFirewallSubnet"})
        assert verdicts(analyze, firewall) == {}

    def test_classic_subnet_needs_an_association(self, analyze: Analyze) -> None:
        def associated() -> None:
            subnet = pulumi.CustomResource("azure:network/subnet:Subnet", "s", {"name": "apps"})
            pulumi.CustomResource(
                "azure:network/subnetNetworkSecurityGroupAssociation:SubnetNetworkSecurityGroupAssociation",
                "a",
                {"subnetId": subnet.id, "networkSecurityGroupId": "/nsg"},
            )

        assert verdicts(analyze, associated) == {}
        lonely = one("azure:network/subnet:Subnet", "s", {"name": "apps"})
        assert verdicts(analyze, lonely) == {"subnet-nsg-required": ["mandatory"]}


class TestPublicIps:
    def test_firewall_and_bastion_ips_pass(self, analyze: Analyze) -> None:
        def program() -> None:
            fw_ip = pulumi.CustomResource("azure-native:network:PublicIPAddress", "fw-ip", {})
            bastion_ip = pulumi.CustomResource("azure-native:network:PublicIPAddress", "bas-ip", {})
            pulumi.CustomResource("azure-native:network:AzureFirewall", "fw",
                                  {"ipConfigurations": [{"publicIPAddress": {"id": fw_ip.id}}], "firewallPolicy": {"id": "/p"}})  # fmt: skip
            pulumi.CustomResource(
                "azure-native:network:BastionHost",
                "bas",
                {"ipConfigurations": [{"publicIPAddress": {"id": bastion_ip.id}}]},
            )

        assert verdicts(analyze, program) == {}

    def test_ip_on_a_vm_nic_fails(self, analyze: Analyze) -> None:
        def program() -> None:
            ip = pulumi.CustomResource("azure-native:network:PublicIPAddress", "vm-ip", {})
            pulumi.CustomResource(
                "azure-native:network:NetworkInterface",
                "nic",
                {"ipConfigurations": [{"publicIPAddress": {"id": ip.id}}]},
            )

        result = analyze(record(program).registrations)
        (diagnostic,) = result.diagnostics
        assert diagnostic.policy == "public-ip-restricted" and diagnostic.urn.endswith("PublicIPAddress::vm-ip")

    def test_classic_public_ip_unattached_fails(self, analyze: Analyze) -> None:
        lonely = one("azure:network/publicIp:PublicIp", "ip", {"allocationMethod": "Static"})
        assert verdicts(analyze, lonely) == {"public-ip-restricted": ["mandatory"]}


class TestPrivateEndpointZoneGroups:
    @staticmethod
    def program(groups: int, zone_name: str = "privatelink.vaultcore.azure.net") -> Callable[[], None]:
        def run() -> None:
            zone = pulumi.CustomResource(
                "azure-native:privatedns:PrivateZone", "zone", {"privateZoneName": zone_name, "location": "global"}
            )
            endpoint = pulumi.CustomResource(
                "azure-native:network:PrivateEndpoint",
                "pe",
                {
                    "privateEndpointName": "pe-kv",
                    "privateLinkServiceConnections": [{"groupIds": ["vault"], "privateLinkServiceId": "/kv"}],
                },
            )
            name = endpoint.urn.apply(lambda _: "pe-kv")
            for index in range(groups):
                pulumi.CustomResource(
                    "azure-native:network:PrivateDnsZoneGroup",
                    f"group-{index}",
                    {
                        "privateEndpointName": name,
                        "privateDnsZoneConfigs": [{"name": "z", "privateDnsZoneId": zone.id}],
                    },
                )

        return run

    def test_exactly_one_group_with_the_right_zone_passes(self, analyze: Analyze) -> None:
        assert verdicts(analyze, self.program(1)) == {}

    @pytest.mark.parametrize(("groups", "expected"), [(0, "no private DNS zone group"), (2, "more than one")])
    def test_missing_or_duplicate_groups_fail(self, analyze: Analyze, groups: int, expected: str) -> None:
        (diagnostic,) = analyze(record(self.program(groups)).registrations).diagnostics
        assert diagnostic.policy == "private-endpoint-dns-zone-group" and expected in diagnostic.message

    def test_the_wrong_zone_fails(self, analyze: Analyze) -> None:
        (diagnostic,) = analyze(record(self.program(1, "privatelink.blob.core.windows.net")).registrations).diagnostics
        assert "'vault' sub-resource" in diagnostic.message

    def test_classic_endpoint_needs_inline_zone_group(self, analyze: Analyze) -> None:
        bare = one("azure:network/privateEndpoint:PrivateEndpoint", "pe", {"subnetId": "/s"})
        assert verdicts(analyze, bare) == {"private-endpoint-dns-zone-group": ["mandatory"]}


@pytest.mark.parametrize(
    ("token", "props", "bad"),
    [
        ("azure-native:network:FirewallPolicy", {"threatIntelMode": "Deny"}, {"threatIntelMode": "Alert"}),
        (
            "azure:network/firewallPolicy:FirewallPolicy",
            {"threatIntelligenceMode": "Deny"},
            {"threatIntelligenceMode": "Off"},
        ),
        ("azure-native:network:AzureFirewall", {"firewallPolicy": {"id": "/policy"}}, {"threatIntelMode": "Alert"}),
    ],
)
def test_firewall_threat_intelligence(analyze: Analyze, token: str, props: dict[str, Any], bad: dict[str, Any]) -> None:
    assert verdicts(analyze, lambda: pulumi.CustomResource(token, "fw", props)) == {}
    assert verdicts(analyze, lambda: pulumi.CustomResource(token, "fw", bad)) == {
        "firewall-threat-intel-deny": ["mandatory"]
    }


def test_vnet_without_ddos_is_advisory(analyze: Analyze) -> None:
    covered = {"enableDdosProtection": True, "ddosProtectionPlan": {"id": "/plan"}}
    assert verdicts(analyze, lambda: pulumi.CustomResource("azure-native:network:VirtualNetwork", "v", covered)) == {}
    bare = one("azure-native:network:VirtualNetwork", "v", {})
    assert verdicts(analyze, bare) == {"vnet-ddos-protection": ["advisory"]}
    classic = one(
        "azure:network/virtualNetwork:VirtualNetwork", "v", {"ddosProtectionPlan": {"id": "/p", "enable": False}}
    )
    assert verdicts(analyze, classic) == {"vnet-ddos-protection": ["advisory"]}
