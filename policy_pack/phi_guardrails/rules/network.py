"""Network: nothing reaches PHI from the Internet except through controlled, inspected paths.

Types read: NSGs and security rules, VNets and subnets, public IPs, private endpoints and their DNS
zone groups, firewalls and firewall policies, in azure-native (any API version) and the classic
azure provider.

Sources are address sets, not spellings (`is_internet_source`): a source is "the Internet" when it
covers any public address, however it is written (``0.0.0.0/1`` plus ``128.0.0.0/1``, ``52.0.0.0/8``,
``::/0``, a list in ``sourceAddressPrefixes``) or when its service tag means it (``Internet``, ``*``,
``Any``, ``AzureCloud``: every Azure customer). Public means outside RFC 1918, CGNAT (100.64.0.0/10),
loopback and link-local (IPv4), and outside unique-local, link-local and loopback (IPv6). Destination
ports are ranges (``3389``, ``3000-4000``, ``*``, lists), checked against management and database ports.
The config validator (landing_zone/config/network.py) holds a copy of the same small function, because
the pack imports nothing from the repository; a test keeps the two equal on a table of cases.
Service tags: learn.microsoft.com/azure/virtual-network/service-tags-overview; NSG rule fields:
learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from phi_guardrails import citations
from phi_guardrails.framework import (
    ResourceRule,
    ResourceView,
    StackContext,
    StackResource,
    StackRule,
    Target,
    entries,
    equals_ignoring_case,
    is_mapping,
    is_true,
    peek,
)
from phi_guardrails.private_link import zone_matches
from phi_guardrails.untrusted import quoted

MANAGEMENT_PORTS = (22, 3389, 5985, 5986)
#: Database and cache ports: SQL Server, MySQL, PostgreSQL, Redis (plain and TLS), MongoDB and Cosmos DB's
#: MongoDB API, Cassandra (Cosmos DB's Cassandra API).
DATABASE_PORTS = (1433, 3306, 5432, 6379, 6380, 27017, 10255, 9042)

# --- address math (a copy lives in landing_zone/config/network.py; tests keep them equal) -------------------
#: Address space that is not reachable from the Internet: RFC 1918, CGNAT, loopback, link-local; IPv6
#: unique-local, link-local and loopback. Everything else is public.
NON_PUBLIC_NETWORKS = tuple(
    ipaddress.ip_network(block)
    for block in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)
#: Service tags (and NSG wildcards) that stand for every address or for public address space.
INTERNET_TAGS = frozenset({"*", "any", "internet", "azurecloud"})


def is_internet_source(prefix: str) -> bool:
    """True when an NSG source covers any public address: a wildcard, the Internet or AzureCloud tags
    (AzureCloud.<region> too), ``0.0.0.0`` (NSG reads it as any), or a CIDR/address not wholly inside the
    non-public blocks. Other service tags (VirtualNetwork, AzureLoadBalancer...) and unparsable text are not."""
    text = prefix.strip().lower()
    if text in INTERNET_TAGS or text.startswith("azurecloud.") or text in ("0.0.0.0", "::"):
        return True
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    # The non-public blocks are disjoint and no two of them merge into a larger CIDR, so a network is
    # entirely non-public exactly when it lies inside one of them.
    return not any(network.version == block.version and network.subnet_of(block) for block in NON_PUBLIC_NETWORKS)  # type: ignore[arg-type]


def covers_every_address(prefixes: Iterable[str]) -> bool:
    """True when the sources together are every IPv4 or every IPv6 address (``*``, ``0.0.0.0/1`` + ``128.0.0.0/1``)."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for prefix in prefixes:
        text = prefix.strip().lower()
        if text in ("*", "any", "0.0.0.0", "::"):
            return True
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue
        (v4 if isinstance(network, ipaddress.IPv4Network) else v6).append(network)  # type: ignore[arg-type]
    return any(
        [network.prefixlen for network in ipaddress.collapse_addresses(group)] == [0] for group in (v4, v6) if group
    )


def port_ranges(specs: Iterable[str]) -> list[tuple[int, int]]:
    """``"*"``, ``"Any"``, ``"443"``, ``"8000-8080"`` as inclusive ranges; text that is none of these is skipped."""
    ranges: list[tuple[int, int]] = []
    for spec in specs:
        text = spec.strip()
        if text.lower() in ("*", "any"):
            ranges.append((0, 65535))
            continue
        low, _, high = text.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            continue
        if 0 <= first <= last <= 65535:
            ranges.append((first, last))
    return ranges


def opens_port(ranges: Iterable[tuple[int, int]], ports: Iterable[int]) -> bool:
    wanted = tuple(ports)
    return any(first <= port <= last for first, last in ranges for port in wanted)


NO_NSG_SUBNETS = frozenset(
    name.lower()
    for name in ("GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet")
)

NATIVE_NSG = ("azure-native:network:NetworkSecurityGroup",)
NATIVE_RULE = ("azure-native:network:SecurityRule",)
CLASSIC_NSG = ("azure:network/networkSecurityGroup:NetworkSecurityGroup",)
CLASSIC_RULE = ("azure:network/networkSecurityRule:NetworkSecurityRule",)
NATIVE_VNET = ("azure-native:network:VirtualNetwork",)
NATIVE_SUBNET = ("azure-native:network:Subnet",)
CLASSIC_VNET = ("azure:network/virtualNetwork:VirtualNetwork",)
CLASSIC_SUBNET = ("azure:network/subnet:Subnet",)
CLASSIC_NSG_ASSOCIATION = ("azure:network/subnetNetworkSecurityGroupAssociation:SubnetNetworkSecurityGroupAssociation",)
NATIVE_PUBLIC_IP = ("azure-native:network:PublicIPAddress",)
CLASSIC_PUBLIC_IP = ("azure:network/publicIp:PublicIp",)
NATIVE_ENDPOINT = ("azure-native:network:PrivateEndpoint",)
NATIVE_ZONE_GROUP = ("azure-native:network:PrivateDnsZoneGroup",)
CLASSIC_ENDPOINT = ("azure:privatelink/endpoint:Endpoint",)
NATIVE_ZONE = ("azure-native:privatedns:PrivateZone",)
NATIVE_FIREWALL = ("azure-native:network:AzureFirewall",)
NATIVE_FIREWALL_POLICY = ("azure-native:network:FirewallPolicy",)
CLASSIC_FIREWALL = ("azure:network/firewall:Firewall",)
CLASSIC_FIREWALL_POLICY = ("azure:network/firewallPolicy:FirewallPolicy",)
#: Resources allowed to hold a public IP, and the inputs through which they take it.
PUBLIC_IP_HOLDERS: Mapping[str, tuple[str, ...]] = {
    "azure-native:network:AzureFirewall": ("ipConfigurations", "managementIpConfiguration"),
    "azure-native:network:BastionHost": ("ipConfigurations",),
    "azure-native:network:VirtualNetworkGateway": ("ipConfigurations",),
    "azure-native:network:NatGateway": ("publicIpAddresses",),
    "azure-native:network:ApplicationGateway": ("frontendIPConfigurations",),
    "azure:network/firewall:Firewall": ("ipConfigurations", "managementIpConfiguration"),
    "azure:compute/bastionHost:BastionHost": ("ipConfiguration",),
    "azure:network/virtualNetworkGateway:VirtualNetworkGateway": ("ipConfigurations",),
    "azure:network/natGatewayPublicIpAssociation:NatGatewayPublicIpAssociation": ("publicIpAddressId",),
    "azure:network/applicationGateway:ApplicationGateway": ("frontendIpConfigurations",),
}


def _field(rule: Mapping[str, Any], key: str) -> Any:
    """A rule field by name, exactly or case-insensitively (hand-written rules vary in casing)."""
    if key in rule:
        return rule.get(key)
    return next((rule.get(name) for name in rule if isinstance(name, str) and name.lower() == key.lower()), None)


def _values(rule: Mapping[str, Any], singular: str) -> list[str]:
    """A rule's singular and plural forms together (``sourceAddressPrefix`` and ``sourceAddressPrefixes``).

    A singular value that is itself a list (some hand-written programs pass one) counts as its items.
    """
    plural = f"{singular}es" if singular.endswith("Prefix") else f"{singular}s"
    single = _field(rule, singular)
    values = [*entries(single), *entries(_field(rule, plural))]
    if not entries(single):
        values.insert(0, single)
    return [str(value) for value in values if value not in (None, "")]


def _inbound_allow(rule: Mapping[str, Any]) -> bool:
    return equals_ignoring_case(_field(rule, "direction"), "Inbound") and equals_ignoring_case(
        _field(rule, "access"), "Allow"
    )


def _all_ports(ports: list[tuple[int, int]]) -> bool:
    return any(low <= 0 and high >= 65535 for low, high in ports)


def _internet_exposure(rule: Mapping[str, Any]) -> str | None:
    if not _inbound_allow(rule):
        return None
    if not any(is_internet_source(source) for source in _values(rule, "sourceAddressPrefix")):
        return None
    ports = port_ranges(_values(rule, "destinationPortRange"))
    if _all_ports(ports):
        return "allows inbound traffic from the Internet (a source covering public addresses) to every port"
    if opens_port(ports, MANAGEMENT_PORTS):
        return (
            "allows inbound traffic from the Internet (a source covering public addresses) to a management port "
            "(22, 3389, 5985 or 5986)"
        )
    if opens_port(ports, DATABASE_PORTS):
        return (
            "allows inbound traffic from the Internet (a source covering public addresses) to a database port "
            f"({', '.join(str(port) for port in DATABASE_PORTS)})"
        )
    return None


def _allow_all(rule: Mapping[str, Any]) -> str | None:
    if not _inbound_allow(rule):
        return None
    protocol = _field(rule, "protocol")
    protocol_any = equals_ignoring_case(protocol, "*") or equals_ignoring_case(protocol, "All")
    if (
        protocol_any
        and covers_every_address(_values(rule, "sourceAddressPrefix"))
        and covers_every_address(_values(rule, "destinationAddressPrefix"))
        and _all_ports(port_ranges(_values(rule, "destinationPortRange")))
    ):
        return "allows all inbound traffic (any source, any destination, any port, any protocol)"
    return None


def _check_rules(finding: Any) -> Any:
    """Apply a per-rule finding to an NSG's inline rules and to standalone security-rule resources."""

    def nsg(view: ResourceView) -> Iterable[str]:
        for index, rule in enumerate(entries(view.get("securityRules"))):
            if is_mapping(rule):
                message = finding(rule)
                if message:
                    yield f"securityRules[{index}] {message}"

    def standalone(view: ResourceView) -> Iterable[str]:
        properties = {key: view.get(key) for key in _RULE_KEYS}
        message = finding(properties)
        if message:
            yield f"this rule {message}"

    return nsg, standalone


_RULE_KEYS = (
    "direction",
    "access",
    "protocol",
    "sourceAddressPrefix",
    "sourceAddressPrefixes",
    "destinationAddressPrefix",
    "destinationAddressPrefixes",
    "destinationPortRange",
    "destinationPortRanges",
)
_exposure_nsg, _exposure_rule = _check_rules(_internet_exposure)
_allow_all_nsg, _allow_all_rule = _check_rules(_allow_all)


def _vnet_ddos(view: ResourceView) -> Iterable[str]:
    if not is_true(view.get("enableDdosProtection")) or not view.has("ddosProtectionPlan.id"):
        yield "DDoS Network Protection is not enabled with a plan (enableDdosProtection and ddosProtectionPlan.id)"


def _classic_vnet_ddos(view: ResourceView) -> Iterable[str]:
    if not is_true(view.get("ddosProtectionPlan.enable")) or not view.has("ddosProtectionPlan.id"):
        yield "DDoS Network Protection is not enabled with a plan (ddosProtectionPlan.enable and ddosProtectionPlan.id)"


def _threat_intel(path: str) -> Any:
    def check(view: ResourceView) -> Iterable[str]:
        if not equals_ignoring_case(view.get(path), "Deny"):
            yield f"threat-intelligence filtering does not block ({path} must be 'Deny'; the default only alerts)"

    return check


def _firewall_without_policy(policy_path: str, mode_path: str) -> Any:
    def check(view: ResourceView) -> Iterable[str]:
        if view.has(policy_path):
            return  # the firewall policy carries the mode, and is checked on its own
        if not equals_ignoring_case(view.get(mode_path), "Deny"):
            yield f"the firewall has no policy and its threat-intelligence mode is not 'Deny' ({mode_path})"

    return check


def _subnets_have_nsgs(context: StackContext) -> Iterable[tuple[str, str]]:
    def inline(vnet: StackResource) -> Iterable[str]:
        for index, subnet in enumerate(entries(context.value(vnet, "subnets"))):
            if not is_mapping(subnet):
                continue
            name = str(subnet.get("name") or "")
            if name.lower() in NO_NSG_SUBNETS:
                continue
            if not _present(subnet, "networkSecurityGroup"):
                yield f"subnets[{index}] has no network security group"

    def standalone(subnet: StackResource) -> Iterable[str]:
        name = str(context.value(subnet, "subnetName") or context.value(subnet, "name") or "")
        if name.lower() not in NO_NSG_SUBNETS and not subnet.view.has("networkSecurityGroup.id"):
            yield "this subnet has no network security group"

    yield from context.findings(context.of_type(*NATIVE_VNET), inline)
    yield from context.findings(context.of_type(*NATIVE_SUBNET), standalone)
    associated: set[str] = set()
    for association in context.of_type(*CLASSIC_NSG_ASSOCIATION):
        associated.update(association.depends_on_via("subnetId"))

    def classic(subnet: StackResource) -> Iterable[str]:
        name = str(context.value(subnet, "name") or "")
        if name.lower() not in NO_NSG_SUBNETS and subnet.urn not in associated:
            yield "this subnet has no SubnetNetworkSecurityGroupAssociation"

    yield from context.findings(context.of_type(*CLASSIC_SUBNET), classic)


def _present(mapping: Mapping[str, Any], key: str) -> bool:
    """Set to something, or to a value unknown at preview (it will be an NSG, just not a known one yet)."""
    try:
        value = mapping.get(key)
    except UnknownValueError:
        return True
    if is_mapping(value):
        return len(value) > 0  # compare by size: comparing contents would read values unknown at preview
    return value is not None and value != ""


def _public_ips_are_attached_to_edge_services(context: StackContext) -> Iterable[tuple[str, str]]:
    held: set[str] = set()
    for holder_type, properties in PUBLIC_IP_HOLDERS.items():
        for holder in context.of_type(holder_type):
            held.update(holder.depends_on_via(*properties))

    def attached(public_ip: StackResource) -> Iterable[str]:
        if public_ip.urn not in held:
            yield (
                "this public IP is not attached to a firewall, Bastion host, VPN/ExpressRoute gateway, NAT gateway or "
                "application gateway; workloads holding PHI must not be reachable from the Internet directly"
            )

    yield from context.findings(context.of_type(*NATIVE_PUBLIC_IP, *CLASSIC_PUBLIC_IP), attached)


def _endpoints_have_one_zone_group(context: StackContext) -> Iterable[tuple[str, str]]:
    groups_by_endpoint: dict[str, list[StackResource]] = {}
    for group in context.of_type(*NATIVE_ZONE_GROUP):
        targets = set(group.depends_on_via("privateEndpointName"))
        if group.raw.parent is not None and group.raw.parent.urn in context.by_urn:
            parent = context.by_urn[group.raw.parent.urn]
            if parent.type in NATIVE_ENDPOINT:
                targets.add(parent.urn)
        for urn in targets:
            groups_by_endpoint.setdefault(urn, []).append(group)
    zone_names = {zone.urn: context.name_of(zone, "privateZoneName") for zone in context.of_type(*NATIVE_ZONE)}

    def one_group(endpoint: StackResource) -> Iterable[str]:
        groups = groups_by_endpoint.get(endpoint.urn, [])
        if not groups:
            yield "this private endpoint has no private DNS zone group, so its FQDN still resolves to the public IP"
            return
        if len(groups) > 1:
            yield "this private endpoint has more than one private DNS zone group; Azure rejects the second"
        sub_resources = [
            str(group_id)
            for connection in entries(context.value(endpoint, "privateLinkServiceConnections"))
            + entries(context.value(endpoint, "manualPrivateLinkServiceConnections"))
            if is_mapping(connection)
            for group_id in entries(connection.get("groupIds"))
        ]
        for group in groups:
            zone_urns = group.depends_on_via("privateDnsZoneConfigs")
            names = [zone_names[urn] for urn in zone_urns if isinstance(zone_names.get(urn), str)]
            literal_ids = [
                peek(config, "privateDnsZoneId") for config in entries(context.value(group, "privateDnsZoneConfigs"))
            ]
            names += [
                zone_id.rstrip("/").rsplit("/", 1)[-1]
                for zone_id in literal_ids
                if isinstance(zone_id, str) and "/" in zone_id
            ]
            for sub_resource in sub_resources:
                verdicts = [zone_matches(sub_resource, name) for name in names]
                if names and None not in verdicts and not any(verdicts):
                    yield f"the DNS zone group does not use a private DNS zone for the {quoted(sub_resource)} sub-resource"

    yield from context.findings(context.of_type(*NATIVE_ENDPOINT), one_group)

    def classic(endpoint: StackResource) -> Iterable[str]:
        if not endpoint.view.has("privateDnsZoneGroup.privateDnsZoneIds"):
            yield "this private endpoint has no privateDnsZoneGroup"

    yield from context.findings(context.of_type(*CLASSIC_ENDPOINT), classic)


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="nsg-internet-inbound",
        azure_policy_ids=("22730e10-96f6-4aac-ad84-9383d35b5917",),
        checkov_ids=("CKV_AZURE_9", "CKV_AZURE_10"),
        description=(
            "NSGs must not allow inbound traffic from the Internet (any source covering public addresses, or the "
            "Internet/*/Any/AzureCloud tags) to management ports, database ports or every port."
        ),
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Remove the rule. Reach machines through Azure Bastion (allowed by the default VNet rules) and publish "
            "applications through Azure Firewall or an application gateway with WAF."
        ),
        targets=(
            Target(NATIVE_NSG + CLASSIC_NSG, _exposure_nsg),
            Target(NATIVE_RULE + CLASSIC_RULE, _exposure_rule),
        ),
    ),
    ResourceRule(
        id="nsg-allow-all-inbound",
        azure_policy_ids=("9daedab3-fb2d-461e-b861-71790eead4f6",),
        description="NSGs must not contain allow-all inbound rules (any source, destination, port and protocol).",
        citation=citations.ACCESS_CONTROL,
        related=(citations.TRANSMISSION_SECURITY,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Replace the rule with rules naming the sources, destinations, ports and protocols actually needed.",
        targets=(
            Target(NATIVE_NSG + CLASSIC_NSG, _allow_all_nsg),
            Target(NATIVE_RULE + CLASSIC_RULE, _allow_all_rule),
        ),
    ),
    ResourceRule(
        id="vnet-ddos-protection",
        azure_policy_ids=("94de2ad3-e0c1-4caf-ad78-5d47bbc83d3d",),
        description="Virtual networks should be covered by a DDoS Network Protection plan.",
        citation=citations.DISASTER_RECOVERY,
        related=(citations.TRANSMISSION_SECURITY,),
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation=(
            "Set enableDdosProtection=true and ddosProtectionPlan.id to the hub's plan (classic: ddosProtectionPlan "
            "{id, enable: true}). Make this rule mandatory with --policy-pack-config where your risk analysis requires it."
        ),
        targets=(Target(NATIVE_VNET, _vnet_ddos), Target(CLASSIC_VNET, _classic_vnet_ddos)),
    ),
    ResourceRule(
        id="firewall-threat-intel-deny",
        azure_policy_ids=("da79a7e2-8aa1-45ed-af81-ba050c153564",),
        checkov_ids=("CKV_AZURE_216",),
        description="Azure Firewall threat-intelligence filtering must block (Deny), not only alert.",
        citation=citations.INCIDENT_PROCEDURES,
        related=(citations.TRANSMISSION_SECURITY,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set threatIntelMode='Deny' on the firewall policy (classic: threatIntelligenceMode='Deny').",
        targets=(
            Target(NATIVE_FIREWALL_POLICY, _threat_intel("threatIntelMode")),
            Target(CLASSIC_FIREWALL_POLICY, _threat_intel("threatIntelligenceMode")),
            Target(NATIVE_FIREWALL, _firewall_without_policy("firewallPolicy.id", "threatIntelMode")),
            Target(CLASSIC_FIREWALL, _firewall_without_policy("firewallPolicyId", "threatIntelMode")),
        ),
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        id="subnet-nsg-required",
        azure_policy_ids=("e71308d3-144b-4262-b144-efdc3cc90517",),
        checkov_ids=("CKV2_AZURE_31",),
        description="Every subnet (except those Azure reserves: gateway, firewall, route server) must have a network security group.",
        citation=citations.ACCESS_CONTROL,
        related=(citations.TRANSMISSION_SECURITY,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Associate an NSG with the subnet in the same request that creates it (networkSecurityGroup.id).",
        check=_subnets_have_nsgs,
        resource_types=NATIVE_VNET + NATIVE_SUBNET + CLASSIC_SUBNET,
    ),
    StackRule(
        id="public-ip-restricted",
        azure_policy_ids=("83a86a26-fd1f-447c-b59d-e51f44264114",),
        checkov_ids=("CKV_AZURE_119",),
        description="Public IPs may only sit on Azure Firewall, Bastion, VPN/ExpressRoute gateways, NAT or application gateways.",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Remove the public IP; reach the workload through the hub firewall (DNAT) or Bastion.",
        check=_public_ips_are_attached_to_edge_services,
        resource_types=NATIVE_PUBLIC_IP + CLASSIC_PUBLIC_IP,
    ),
    StackRule(
        id="private-endpoint-dns-zone-group",
        description="Every private endpoint must have exactly one private DNS zone group, using the zone for its sub-resource.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Add one network:PrivateDnsZoneGroup per endpoint whose privateDnsZoneConfigs point at the privatelink zone "
            "for the endpoint's groupIds (for example privatelink.vaultcore.azure.net for 'vault')."
        ),
        check=_endpoints_have_one_zone_group,
        resource_types=NATIVE_ENDPOINT + CLASSIC_ENDPOINT,
    ),
)
