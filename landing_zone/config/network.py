"""Network configuration: hub and spokes, their subnets and NSG rules, firewall, Bastion, DDoS protection.

Rules enforced here, each reported at its own path:

- CIDR syntax; subnets inside their VNet; no overlap between subnets of a VNet, nor between any two
  address spaces across hub and spokes.
- The hub has an ``AzureFirewallSubnet`` (/26 or larger) and, with Bastion, an ``AzureBastionSubnet``.
- NSG rules never open management ports (22, 3389, 5985, 5986) inbound, and never allow inbound
  traffic from the Internet: any source covering a public address however it is written
  (``0.0.0.0/1`` plus ``128.0.0.0/1``, ``52.0.0.0/8``, ``::/0``) or a tag meaning it (``Internet``,
  ``*``, ``Any``, ``AzureCloud``). Sources are evaluated as address sets with ``ipaddress``; the
  policy pack holds a copy of `is_internet_source` (it imports nothing from here) and a test keeps
  the two equal.
  Administrators reach workloads through Bastion, which the default VNet rules already allow.
- Turning DDoS Network Protection off takes a written waiver.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import Field, field_validator, model_validator

from landing_zone.config._base import Location, Model, ResourceLabel, SubnetCidr, VnetCidr, Waiver, raise_problems
from landing_zone.errors import format_location

#: Ports an attacker scans first: SSH, RDP, WinRM over HTTP and HTTPS.
MANAGEMENT_PORTS = (22, 3389, 5985, 5986)
#: Address space not reachable from the Internet: RFC 1918, CGNAT, loopback, link-local; IPv6 unique-local,
#: link-local and loopback. Everything else is public (copy of the pack's list in rules/network.py).
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
#: Service tags (and NSG wildcards) that stand for every address or for public address space
#: (learn.microsoft.com/azure/virtual-network/service-tags-overview).
INTERNET_TAGS = frozenset({"*", "any", "internet", "azurecloud"})
#: Subnets Azure reserves for its own services; Azure forbids (or breaks with) NSGs on most of them.
AZURE_RESERVED_SUBNETS = frozenset(
    {"GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet", "AzureBastionSubnet"}
)
FIREWALL_SUBNET = "AzureFirewallSubnet"
DEFAULT_ENDPOINT_SUBNET = "private-endpoints"
BASTION_SUBNET = "AzureBastionSubnet"


def port_ranges(spec: str) -> list[tuple[int, int]]:
    """``"*"``, ``"443"`` or ``"8000-8080"`` as inclusive ranges; raises ValueError for anything else."""
    text = spec.strip()
    if text in ("*", "Any", "any"):
        return [(0, 65535)]
    low, _, high = text.partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        raise ValueError(f"'{spec}' is not a port, a range like 8000-8080, or '*'") from None
    if not (0 <= first <= last <= 65535):
        raise ValueError(f"'{spec}' is outside 0-65535 or reversed")
    return [(first, last)]


def opens_management_port(specs: Iterable[str]) -> bool:
    return any(
        first <= port <= last for spec in specs for first, last in port_ranges(spec) for port in MANAGEMENT_PORTS
    )


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


class NsgRuleConfig(Model):
    """One NSG security rule from config. Dangerous inbound rules are rejected, not just warned about."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$", description="1-80 letters, digits, '.', '_', '-'")
    priority: int = Field(ge=100, le=4095, description="100-4095 (4096 is the landing zone's explicit deny)")
    direction: Literal["Inbound", "Outbound"]
    access: Literal["Allow", "Deny"]
    protocol: Literal["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"]
    source_address_prefixes: list[str] = Field(min_length=1)
    source_port_ranges: list[str] = Field(default_factory=lambda: ["*"])
    destination_address_prefixes: list[str] = Field(min_length=1)
    destination_port_ranges: list[str] = Field(min_length=1)
    description: str | None = Field(default=None, max_length=140)

    @field_validator("source_port_ranges", "destination_port_ranges")
    @classmethod
    def _ports(cls, values: list[str]) -> list[str]:
        for value in values:
            port_ranges(value)
        return values

    @model_validator(mode="after")
    def _no_dangerous_inbound(self) -> NsgRuleConfig:
        problems: list[tuple[Location, str]] = []
        if self.direction == "Inbound" and self.access == "Allow":
            if any(is_internet_source(prefix) for prefix in self.source_address_prefixes):
                problems.append(
                    (
                        ("sourceAddressPrefixes",),
                        "inbound rules may not allow traffic from the Internet (a source covering public addresses, or "
                        "Internet, *, Any, AzureCloud); "
                        "publish through the firewall or an application gateway instead",
                    )
                )
            if opens_management_port(self.destination_port_ranges):
                problems.append(
                    (
                        ("destinationPortRanges",),
                        "inbound rules may not open management ports 22, 3389, 5985 or 5986; use Azure Bastion",
                    )
                )
        raise_problems("NsgRuleConfig", problems)
        return self


class SubnetConfig(Model):
    """One subnet of a virtual network."""

    name: str = Field(
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$",
        description="1-80 letters, digits, '.', '_' or '-', starting alphanumeric and not ending in '.' or '-'",
    )
    cidr: SubnetCidr
    nsg_rules: list[NsgRuleConfig] = Field(default_factory=list)
    delegation: str | None = Field(
        default=None,
        pattern=r"^Microsoft\.[A-Za-z]+/[A-Za-z]+$",
        description="A service delegation such as Microsoft.DBforPostgreSQL/flexibleServers",
    )

    @model_validator(mode="after")
    def _rules_fit(self) -> SubnetConfig:
        problems: list[tuple[Location, str]] = []
        if self.nsg_rules and self.name in AZURE_RESERVED_SUBNETS:
            problems.append(
                (("nsgRules",), f"{self.name} is reserved by Azure; the landing zone manages its NSG, if any")
            )
        seen_names: set[str] = set()
        seen_priorities: set[tuple[str, int]] = set()
        for index, rule in enumerate(self.nsg_rules):
            if rule.name.lower() in seen_names:
                problems.append((("nsgRules", index, "name"), f"duplicate rule name '{rule.name}'"))
            if (rule.direction, rule.priority) in seen_priorities:
                problems.append(
                    (("nsgRules", index, "priority"), f"duplicate {rule.direction.lower()} priority {rule.priority}")
                )
            seen_names.add(rule.name.lower())
            seen_priorities.add((rule.direction, rule.priority))
        raise_problems("SubnetConfig", problems)
        return self


class VirtualNetworkConfig(Model):
    """Address space and subnets of one virtual network."""

    address_space: list[VnetCidr] = Field(min_length=1)
    subnets: list[SubnetConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _subnets_fit(self) -> VirtualNetworkConfig:
        problems: list[tuple[Location, str]] = []
        spaces = [ipaddress.ip_network(cidr) for cidr in self.address_space]
        problems.extend(
            (("addressSpace", index), message) for index, message in _overlaps(self.address_space, "address space")
        )
        seen_names: dict[str, int] = {}
        for index, subnet in enumerate(self.subnets):
            key = subnet.name.lower()
            if key in seen_names:
                problems.append((("subnets", index, "name"), f"duplicate subnet name '{subnet.name}'"))
            seen_names.setdefault(key, index)
            network = ipaddress.ip_network(subnet.cidr)
            if not any(network.version == space.version and network.subnet_of(space) for space in spaces):  # type: ignore[arg-type]
                problems.append(
                    (("subnets", index, "cidr"), f"{subnet.cidr} is not inside the address space {self.address_space}")
                )
        problems.extend(
            (("subnets", index, "cidr"), message)
            for index, message in _overlaps([subnet.cidr for subnet in self.subnets], "subnet")
        )
        raise_problems("VirtualNetworkConfig", problems)
        return self

    def subnet(self, name: str) -> SubnetConfig | None:
        return next((subnet for subnet in self.subnets if subnet.name == name), None)


class FirewallConfig(Model):
    """Azure Firewall in the hub. Premium adds TLS inspection and intrusion detection (IDPS)."""

    tier: Literal["Standard", "Premium"] = "Standard"
    intrusion_detection: Literal["Alert", "Deny"] | None = Field(
        default=None, description="IDPS mode; requires tier Premium."
    )

    @model_validator(mode="after")
    def _idps_needs_premium(self) -> FirewallConfig:
        if self.intrusion_detection is not None and self.tier != "Premium":
            raise_problems("FirewallConfig", [(("intrusionDetection",), "intrusion detection needs tier: Premium")])
        return self


class HubConfig(VirtualNetworkConfig):
    """The hub: firewall, optional Bastion, and the subnet for shared services' private endpoints."""

    firewall: FirewallConfig = Field(default_factory=FirewallConfig)
    bastion: bool = True
    private_endpoint_subnet: str = Field(default="shared-services", description="Hub subnet for shared endpoints.")

    @model_validator(mode="after")
    def _required_subnets(self) -> HubConfig:
        problems: list[tuple[Location, str]] = []
        required = [(FIREWALL_SUBNET, "the hub firewall")]
        if self.bastion:
            required.append((BASTION_SUBNET, "Azure Bastion (bastion: true)"))
        for name, purpose in required:
            subnet = self.subnet(name)
            if subnet is None:
                problems.append((("subnets",), f"{name} (/26 or larger) is required for {purpose}"))
            elif ipaddress.ip_network(subnet.cidr).prefixlen > 26:
                index = self.subnets.index(subnet)
                problems.append((("subnets", index, "cidr"), f"{name} must be /26 or larger"))
        if self.subnet(self.private_endpoint_subnet) is None:
            problems.append((("privateEndpointSubnet",), f"no hub subnet named '{self.private_endpoint_subnet}'"))
        raise_problems("HubConfig", problems)
        return self

    @property
    def firewall_private_ip(self) -> str:
        """Azure Firewall takes the first usable address of AzureFirewallSubnet (Azure reserves .0 to .3)."""
        subnet = self.subnet(FIREWALL_SUBNET)
        assert subnet is not None, "validated above"
        return str(ipaddress.ip_network(subnet.cidr)[4])


class SpokeConfig(VirtualNetworkConfig):
    """A workload spoke, peered to the hub, routed through the firewall."""

    name: ResourceLabel
    private_endpoint_subnet: str | None = Field(
        default=None, description="Subnet for private endpoints; default: the subnet named 'private-endpoints', if any."
    )

    @model_validator(mode="after")
    def _endpoint_subnet(self) -> SpokeConfig:
        problems: list[tuple[Location, str]] = []
        if self.private_endpoint_subnet is not None and self.subnet(self.private_endpoint_subnet) is None:
            problems.append(
                (("privateEndpointSubnet",), f"no subnet named '{self.private_endpoint_subnet}' in this spoke")
            )
        problems.extend(
            (("subnets", index, "name"), f"{subnet.name} belongs in the hub, not in a spoke")
            for index, subnet in enumerate(self.subnets)
            if subnet.name in AZURE_RESERVED_SUBNETS
        )
        raise_problems("SpokeConfig", problems)
        return self

    @property
    def endpoint_subnet_name(self) -> str | None:
        """The subnet that hosts this spoke's private endpoints, or None when the spoke has none."""
        if self.private_endpoint_subnet is not None:
            return self.private_endpoint_subnet
        return DEFAULT_ENDPOINT_SUBNET if self.subnet(DEFAULT_ENDPOINT_SUBNET) is not None else None


class DdosProtectionConfig(Model):
    """DDoS Network Protection on hub and spokes. Off only with a written waiver."""

    enabled: bool = True
    waiver: Waiver | None = None

    @model_validator(mode="after")
    def _off_needs_waiver(self) -> DdosProtectionConfig:
        if not self.enabled and self.waiver is None:
            raise_problems(
                "DdosProtectionConfig", [(("enabled",), "turning DDoS protection off needs ddosProtection.waiver")]
            )
        return self


class NetworkWatcherConfig(Model):
    """The regional Network Watcher flow logs attach to (Azure creates ``NetworkWatcher_<region>`` by default)."""

    name: str | None = Field(default=None, description="Default: NetworkWatcher_<primary region>.")
    resource_group_name: str = "NetworkWatcherRG"


class NetworkConfig(Model):
    """Hub-and-spoke topology. No two address spaces anywhere may overlap."""

    hub: HubConfig
    spokes: list[SpokeConfig] = Field(default_factory=list)
    ddos_protection: DdosProtectionConfig = Field(default_factory=DdosProtectionConfig)
    network_watcher: NetworkWatcherConfig = Field(default_factory=NetworkWatcherConfig)

    @model_validator(mode="after")
    def _no_overlap_across_networks(self) -> NetworkConfig:
        problems: list[tuple[Location, str]] = []
        owners: list[tuple[Location, str, str]] = [
            (("hub", "addressSpace", index), cidr, "the hub") for index, cidr in enumerate(self.hub.address_space)
        ]
        names: dict[str, int] = {}
        for spoke_index, spoke in enumerate(self.spokes):
            if spoke.name in names:
                problems.append(
                    (
                        ("spokes", spoke_index, "name"),
                        f"duplicate spoke name '{spoke.name}' (also spokes[{names[spoke.name]}])",
                    )
                )
            names.setdefault(spoke.name, spoke_index)
            owners.extend(
                (("spokes", spoke_index, "addressSpace", index), cidr, f"spoke '{spoke.name}'")
                for index, cidr in enumerate(spoke.address_space)
            )
        for position, (location, cidr, owner) in enumerate(owners):
            network = ipaddress.ip_network(cidr)
            for other_location, other_cidr, other_owner in owners[:position]:
                if other_owner != owner and network.overlaps(ipaddress.ip_network(other_cidr)):  # type: ignore[arg-type]
                    problems.append(
                        (
                            location,
                            f"{cidr} of {owner} overlaps {other_cidr} of {other_owner} "
                            f"({format_location(other_location)})",
                        )
                    )
        raise_problems("NetworkConfig", problems)
        return self


def _overlaps(cidrs: Sequence[str], what: str) -> Iterable[tuple[int, str]]:
    """Index and message for each block that overlaps an earlier one in the same list."""
    networks = [ipaddress.ip_network(cidr) for cidr in cidrs]
    for index, network in enumerate(networks):
        for earlier_index, earlier in enumerate(networks[:index]):
            if network.version == earlier.version and network.overlaps(earlier):  # type: ignore[arg-type]
                yield index, f"{what} {cidrs[index]} overlaps {cidrs[earlier_index]} ([{earlier_index}])"
                break
