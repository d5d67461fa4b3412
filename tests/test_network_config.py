"""Network configuration rules: dangerous NSG rules, required hub subnets, firewall and DDoS settings."""

from __future__ import annotations

from typing import Any

import pytest

from landing_zone.config import parse_config
from landing_zone.errors import ConfigError

SAFE_RULE = {
    "name": "allow-app-from-hub",
    "priority": 200,
    "direction": "Inbound",
    "access": "Allow",
    "protocol": "Tcp",
    "sourceAddressPrefixes": ["10.10.1.0/24"],
    "destinationAddressPrefixes": ["10.11.1.0/24"],
    "destinationPortRanges": ["443"],
}


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return {problem.path: problem.message for problem in caught.value.problems}


def with_rule(config_data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    config_data["network"]["spokes"][0]["subnets"][1]["nsgRules"] = [{**SAFE_RULE, **changes}]
    return config_data


RULE_PATH = "network.spokes[0].subnets[1].nsgRules[0]"


def test_a_narrow_rule_is_accepted(config_data: dict[str, Any]) -> None:
    config = parse_config(with_rule(config_data))
    assert config.network.spokes[0].subnets[1].nsg_rules[0].destination_port_ranges == ["443"]


@pytest.mark.parametrize("source", ["Internet", "*", "Any", "0.0.0.0/0", "::/0", "INTERNET"])
def test_inbound_from_the_internet_is_rejected_in_any_spelling(config_data: dict[str, Any], source: str) -> None:
    problems = problems_of(with_rule(config_data, sourceAddressPrefixes=[source]))
    assert problems[f"{RULE_PATH}.sourceAddressPrefixes"].startswith(
        "inbound rules may not allow traffic from the Internet"
    )


@pytest.mark.parametrize("ports", [["22"], ["3389"], ["5985"], ["5986"], ["20-25"], ["*"], ["443", "3380-3390"]])
def test_management_ports_are_rejected_even_from_inside(config_data: dict[str, Any], ports: list[str]) -> None:
    problems = problems_of(with_rule(config_data, destinationPortRanges=ports))
    assert "management ports" in problems[f"{RULE_PATH}.destinationPortRanges"]


def test_outbound_and_deny_rules_may_name_anything(config_data: dict[str, Any]) -> None:
    outbound = with_rule(config_data, direction="Outbound", sourceAddressPrefixes=["*"], destinationPortRanges=["22"])
    assert parse_config(outbound)
    deny = with_rule(config_data, access="Deny", sourceAddressPrefixes=["Internet"], destinationPortRanges=["*"])
    assert parse_config(deny)


@pytest.mark.parametrize("ports", [["70000"], ["90-80"], ["http"]])
def test_bad_port_syntax_is_rejected(config_data: dict[str, Any], ports: list[str]) -> None:
    assert f"{RULE_PATH}.destinationPortRanges" in problems_of(with_rule(config_data, destinationPortRanges=ports))


def test_duplicate_priorities_in_one_direction_are_rejected(config_data: dict[str, Any]) -> None:
    subnet = config_data["network"]["spokes"][0]["subnets"][1]
    subnet["nsgRules"] = [SAFE_RULE, {**SAFE_RULE, "name": "second"}]
    assert (
        problems_of(config_data)["network.spokes[0].subnets[1].nsgRules[1].priority"]
        == "duplicate inbound priority 200"
    )


def test_rules_on_azure_reserved_subnets_are_rejected(config_data: dict[str, Any]) -> None:
    config_data["network"]["hub"]["subnets"][0]["nsgRules"] = [SAFE_RULE]
    assert "reserved by Azure" in problems_of(config_data)["network.hub.subnets[0].nsgRules"]


def test_hub_needs_its_firewall_and_bastion_subnets(config_data: dict[str, Any]) -> None:
    config_data["network"]["hub"]["subnets"] = [{"name": "shared-services", "cidr": "10.10.1.0/24"}]
    with pytest.raises(ConfigError) as caught:
        parse_config(config_data)
    messages = [p.message for p in caught.value.problems if p.path == "network.hub.subnets"]
    assert messages == [
        "AzureFirewallSubnet (/26 or larger) is required for the hub firewall",
        "AzureBastionSubnet (/26 or larger) is required for Azure Bastion (bastion: true)",
    ]


def test_bastion_subnet_is_only_required_with_bastion(config_data: dict[str, Any]) -> None:
    config_data["network"]["hub"]["subnets"] = [
        {"name": "AzureFirewallSubnet", "cidr": "10.10.0.0/26"},
        {"name": "shared-services", "cidr": "10.10.1.0/24"},
    ]
    assert "AzureBastionSubnet" in problems_of(config_data)["network.hub.subnets"]
    config_data["network"]["hub"]["bastion"] = False
    assert parse_config(config_data).network.hub.bastion is False


def test_firewall_subnet_must_be_at_least_a_slash_26(config_data: dict[str, Any]) -> None:
    config_data["network"]["hub"]["subnets"][0]["cidr"] = "10.10.0.0/27"
    assert problems_of(config_data)["network.hub.subnets[0].cidr"] == "AzureFirewallSubnet must be /26 or larger"


def test_firewall_private_ip_is_the_first_usable_address(config_data: dict[str, Any]) -> None:
    assert parse_config(config_data).network.hub.firewall_private_ip == "10.10.0.4"


def test_intrusion_detection_needs_premium(config_data: dict[str, Any]) -> None:
    config_data["network"]["hub"]["firewall"] = {"intrusionDetection": "Deny"}
    assert (
        problems_of(config_data)["network.hub.firewall.intrusionDetection"] == "intrusion detection needs tier: Premium"
    )
    config_data["network"]["hub"]["firewall"] = {"tier": "Premium", "intrusionDetection": "Deny"}
    assert parse_config(config_data).network.hub.firewall.intrusion_detection == "Deny"


def test_ddos_off_needs_a_waiver(config_data: dict[str, Any]) -> None:
    config_data["network"]["ddosProtection"] = {"enabled": False}
    assert "ddosProtection.waiver" in problems_of(config_data)["network.ddosProtection.enabled"]
    config_data["network"]["ddosProtection"]["waiver"] = {
        "reason": "Sandbox with synthetic data only.",
        "approvedBy": "CISO",
    }
    assert parse_config(config_data).network.ddos_protection.enabled is False


def test_spoke_endpoint_subnet_defaults_and_must_exist(config_data: dict[str, Any]) -> None:
    assert parse_config(config_data).network.spokes[0].endpoint_subnet_name == "private-endpoints"
    config_data["network"]["spokes"][0]["privateEndpointSubnet"] = "endpoints"
    assert "no subnet named 'endpoints'" in problems_of(config_data)["network.spokes[0].privateEndpointSubnet"]


def test_reserved_subnets_belong_in_the_hub(config_data: dict[str, Any]) -> None:
    config_data["network"]["spokes"][0]["subnets"].append({"name": "AzureFirewallSubnet", "cidr": "10.11.2.0/26"})
    assert "belongs in the hub" in problems_of(config_data)["network.spokes[0].subnets[2].name"]


def test_delegation_syntax(config_data: dict[str, Any]) -> None:
    config_data["network"]["spokes"][0]["subnets"][1]["delegation"] = "Microsoft.DBforPostgreSQL/flexibleServers"
    assert (
        parse_config(config_data).network.spokes[0].subnets[1].delegation == "Microsoft.DBforPostgreSQL/flexibleServers"
    )
    config_data["network"]["spokes"][0]["subnets"][1]["delegation"] = "postgres"
    assert "network.spokes[0].subnets[1].delegation" in problems_of(config_data)
