"""Network rules on hand-written resources: every spelling of "the Internet", allow-all rules, subnets
without NSGs, stray public IPs, endpoints without (or with two) DNS zone groups, firewall threat intel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from phi_guardrails.rules import network as pack_network

from landing_zone.config import network as config_network
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
        bare = one("azure:privatelink/endpoint:Endpoint", "pe", {"subnetId": "/s"})
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


# --- address math: "the Internet" is any source covering public addresses, however it is written --------------

#: (source, covers public address space)
SOURCE_CASES = [
    ("Internet", True),
    ("INTERNET", True),
    ("*", True),
    ("Any", True),
    ("AzureCloud", True),
    ("AzureCloud.EastUS", True),
    ("0.0.0.0/0", True),
    ("0.0.0.0", True),
    ("0.0.0.0/1", True),
    ("128.0.0.0/1", True),
    ("52.0.0.0/8", True),
    ("203.0.113.7", True),
    ("203.0.113.7/32", True),
    ("8.0.0.0/7", True),
    ("10.0.0.0/7", True),  # 10/8 plus the public 11/8
    ("172.0.0.0/8", True),  # wider than 172.16/12
    (" 52.0.0.0/8 ", True),
    ("::/0", True),
    ("::", True),
    ("2000::/3", True),
    ("2001:db8::1", True),
    ("::ffff:0:0/96", True),  # every IPv4 address, mapped into IPv6
    ("10.0.0.0/8", False),
    ("10.1.2.3", False),
    ("172.16.0.0/12", False),
    ("172.31.255.0/24", False),
    ("192.168.0.0/16", False),
    ("100.64.0.0/10", False),  # CGNAT
    ("127.0.0.1", False),
    ("169.254.169.254", False),
    ("fd00::/8", False),
    ("fe80::/64", False),
    ("::1", False),
    ("VirtualNetwork", False),
    ("AzureLoadBalancer", False),
    ("GatewayManager", False),
    ("", False),
    ("not-an-address", False),
]


@pytest.mark.parametrize(("source", "public"), SOURCE_CASES, ids=[case[0] or "empty" for case in SOURCE_CASES])
def test_pack_and_config_agree_on_what_is_the_internet(source: str, public: bool) -> None:
    assert pack_network.is_internet_source(source) is public
    assert config_network.is_internet_source(source) is public


def test_the_two_copies_share_their_data() -> None:
    assert pack_network.NON_PUBLIC_NETWORKS == config_network.NON_PUBLIC_NETWORKS
    assert pack_network.INTERNET_TAGS == config_network.INTERNET_TAGS


@pytest.mark.parametrize(
    ("sources", "everything"),
    [
        (["*"], True),
        (["0.0.0.0/1", "128.0.0.0/1"], True),
        (["::/1", "8000::/1"], True),
        (["0.0.0.0/1"], False),
        (["Internet"], False),  # public space only, not every address
        (["10.0.0.0/8", "0.0.0.0/0"], True),
        (["10.0.0.0/8"], False),
    ],
)
def test_covers_every_address(sources: list[str], everything: bool) -> None:
    assert pack_network.covers_every_address(sources) is everything


@pytest.mark.parametrize(
    ("specs", "ranges"),
    [
        (["3389"], [(3389, 3389)]),
        (["3000-4000"], [(3000, 4000)]),
        (["*"], [(0, 65535)]),
        (["Any", "x", "9-1"], [(0, 65535)]),
    ],
)
def test_port_specs_are_ranges(specs: list[str], ranges: list[tuple[int, int]]) -> None:
    assert pack_network.port_ranges(specs) == ranges


# The same rule on every provider shape: inline on a native or classic NSG, a native SecurityRule, a classic
# NetworkSecurityRule.
SHAPES = {
    "native-nsg": nsg,
    "classic-nsg": lambda props: nsg(props, token="azure:network/networkSecurityGroup:NetworkSecurityGroup"),
    "native-rule": lambda props: one("azure-native:network:SecurityRule", "r", props),
    "classic-rule": lambda props: one("azure:network/networkSecurityRule:NetworkSecurityRule", "r", props),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "weakened",
    [
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": "22"},
        {
            "sourceAddressPrefix": None,
            "sourceAddressPrefixes": ["0.0.0.0/1", "128.0.0.0/1"],
            "destinationPortRange": "3389",
        },
        {
            "sourceAddressPrefix": None,
            "sourceAddressPrefixes": ["10.0.0.0/8", "203.0.113.7/32"],
            "destinationPortRange": "3389",
        },
        {"sourceAddressPrefix": "AzureCloud", "destinationPortRange": "5986"},
        {"sourceAddressPrefix": "2000::/3", "destinationPortRange": "22"},
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": "3000-4000"},
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": None, "destinationPortRanges": ["443", "5432"]},
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": "1433"},
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": "6379-6380"},
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": "Any"},
    ],
    ids=[
        "public-range-ssh",
        "split-halves-rdp",
        "list-with-public-ip",
        "azurecloud-winrm",
        "ipv6-ssh",
        "range-rdp",
        "list-postgres",
        "sql",
        "redis",
        "any-port",
    ],
)
def test_public_sources_to_sensitive_ports_fail_on_every_shape(
    analyze: Analyze, shape: str, weakened: dict[str, Any]
) -> None:
    hardened = rule(destinationPortRange="22")
    assert verdicts(analyze, SHAPES[shape](hardened)) == {}
    assert verdicts(analyze, SHAPES[shape](rule(**weakened))) == {"nsg-internet-inbound": ["mandatory"]}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "safe",
    [
        {"sourceAddressPrefix": "100.64.0.0/10", "destinationPortRange": "22"},
        {"sourceAddressPrefix": "fd00::/8", "destinationPortRange": "3389"},
        {
            "sourceAddressPrefix": None,
            "sourceAddressPrefixes": ["10.0.0.0/8", "172.16.0.0/12"],
            "destinationPortRange": "5432",
        },
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": "443"},
        {"sourceAddressPrefix": None},  # the property missing: no source, nothing exposed
        {"sourceAddressPrefix": "52.0.0.0/8", "destinationPortRange": None},  # no destination port
    ],
    ids=["cgnat", "ula", "private-list-postgres", "public-https", "no-source", "no-port"],
)
def test_private_sources_and_other_ports_pass_on_every_shape(
    analyze: Analyze, shape: str, safe: dict[str, Any]
) -> None:
    assert verdicts(analyze, SHAPES[shape](rule(**safe))) == {}


def test_other_casings_of_keys_and_values(analyze: Analyze) -> None:
    shouty = {
        "Direction": "inbound",
        "Access": "ALLOW",
        "Protocol": "tcp",
        "SourceAddressPrefixes": ["52.0.0.0/8"],
        "DestinationPortRange": "3389",
    }
    assert verdicts(analyze, nsg(shouty)) == {"nsg-internet-inbound": ["mandatory"]}
    assert verdicts(analyze, one("azure-native:network:SecurityRule", "r", shouty)) == {
        "nsg-internet-inbound": ["mandatory"]
    }


def test_allow_all_by_address_math(analyze: Analyze) -> None:
    halves = rule(protocol="*", sourceAddressPrefix=None, sourceAddressPrefixes=["0.0.0.0/1", "128.0.0.0/1"],
                  destinationAddressPrefix="0.0.0.0/0", destinationPortRange="0-65535")  # fmt: skip
    assert verdicts(analyze, nsg(halves)) == {
        "nsg-internet-inbound": ["mandatory"],
        "nsg-allow-all-inbound": ["mandatory"],
    }
    one_half = rule(
        protocol="*", sourceAddressPrefix="10.0.0.0/8", destinationAddressPrefix="*", destinationPortRange="*"
    )
    assert verdicts(analyze, nsg(one_half)) == {}


@pytest.mark.parametrize("source", ["52.0.0.0/8", "0.0.0.0/1", "203.0.113.7/32", "2000::/3", "AzureCloud"])
def test_the_config_validator_rejects_public_ranges(config_data: dict[str, Any], source: str) -> None:
    from landing_zone.config import parse_config
    from landing_zone.errors import ConfigError

    rule_config = {
        "name": "from-partner",
        "priority": 200,
        "direction": "Inbound",
        "access": "Allow",
        "protocol": "Tcp",
        "sourceAddressPrefixes": ["10.10.1.0/24", source],
        "destinationAddressPrefixes": ["10.11.1.0/24"],
        "destinationPortRanges": ["443"],
    }
    config_data["network"]["spokes"][0]["subnets"][1]["nsgRules"] = [rule_config]
    with pytest.raises(ConfigError) as caught:
        parse_config(config_data)
    messages = {problem.path: problem.message for problem in caught.value.problems}
    path = "network.spokes[0].subnets[1].nsgRules[0].sourceAddressPrefixes"
    assert messages[path].startswith("inbound rules may not allow traffic from the Internet")
    config_data["network"]["spokes"][0]["subnets"][1]["nsgRules"] = [
        {**rule_config, "sourceAddressPrefixes": ["100.64.0.0/10"]}
    ]
    assert parse_config(config_data)
