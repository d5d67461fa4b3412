"""Region coherence and references across registrations.

Only judged when both locations are known at preview (a resource's own ``location`` input, else its
resource group's when the program creates that group).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from landing_zone.preview.constraints.model import Check, Constraint, Finding
from landing_zone.preview.constraints.network import SUBNET_TOKENS, VNET_TOKENS, address_spaces, parent_vnets
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type

STORAGE_TYPES = ("azure-native:storage:StorageAccount", "azure:storage/account:Account")
VNET_TYPES = VNET_TOKENS
SUBNET_TYPES = SUBNET_TOKENS
_NOT_MONITORED = ("azure-native:resources:ResourceGroup", "pulumi:pulumi:Stack")
_VNET_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+$", re.IGNORECASE
)


def _label(resource: Resource) -> str:
    return f"{resource.registration.type.split(':')[-1]} '{resource.registration.name}'"


def _diagnostic_storage(resource: Resource, context: Context) -> Iterator[Finding]:
    target_prop = "resourceUri" if resource.token.startswith("azure-native:") else "targetResourceId"
    monitored = [m for m in context.referenced(resource, target_prop) if m.token not in _NOT_MONITORED]
    storage = context.referenced(resource, "storageAccountId", *STORAGE_TYPES)
    for target in monitored[:1]:
        target_location = context.location(target)
        for account in storage:
            account_location = context.location(account)
            if target_location and account_location and target_location != account_location:
                yield Finding(
                    "storageAccountId",
                    f"the destination storage account {_label(account)} is in {account_location}, but the monitored"
                    f" {_label(target)} is in {target_location}; a diagnostic setting's storage account must be in"
                    " the monitored resource's region",
                )


def _vnet_of(resource: Resource, prop: str, context: Context) -> list[Resource]:
    """The virtual network(s) behind a subnet reference: the VNet itself, or a Subnet resource's parent VNet."""
    found = context.referenced(resource, prop, *VNET_TYPES)
    for subnet in context.referenced(resource, prop, *SUBNET_TYPES):
        found.extend(v for v in parent_vnets(subnet, context) if v not in found)
    return found


def _private_endpoint_region(resource: Resource, context: Context) -> Iterator[Finding]:
    endpoint_location = context.location(resource)
    if endpoint_location is None:
        return
    prop = "subnet" if resource.token.startswith("azure-native:") else "subnetId"
    for vnet in _vnet_of(resource, prop, context):
        vnet_location = context.location(vnet)
        if vnet_location and vnet_location != endpoint_location:
            yield Finding(
                "location",
                f"the private endpoint is in {endpoint_location}, but its subnet's virtual network {_label(vnet)}"
                f" is in {vnet_location}; a private endpoint must be in its virtual network's region",
            )


def _peering(resource: Resource, context: Context) -> Iterator[Finding]:
    native = resource.token.startswith("azure-native:")
    remote_path = "remoteVirtualNetwork.id" if native else "remoteVirtualNetworkId"
    remote_top = "remoteVirtualNetwork" if native else "remoteVirtualNetworkId"
    if not resource.has(remote_path) and not resource.is_unknown(remote_top):
        yield Finding(remote_path, "the peering names no remote virtual network (the ID is missing or null)")
        return
    remote_id = resource.value(remote_path)
    remote_vnets = context.referenced(resource, remote_top, *VNET_TYPES)
    if remote_id is not None and remote_id.text is not None and not remote_vnets and not _VNET_ID.match(remote_id.text):
        yield Finding(remote_path, f"{remote_id.shown()} is not a virtual network resource ID")
        return
    local_vnets = context.referenced(resource, "virtualNetworkName", *VNET_TYPES)
    for local in local_vnets:
        for remote in remote_vnets:
            if remote is local:
                yield Finding(remote_path, "a virtual network cannot peer with itself")
                continue
            overlaps = [
                (a, b)
                for a in address_spaces(local)
                for b in address_spaces(remote)
                if a.version == b.version and a.overlaps(b)
            ]
            if overlaps:
                a, b = overlaps[0]
                yield Finding(
                    remote_path,
                    f"address spaces overlap ({a} in {_label(local)}, {b} in {_label(remote)}); Azure refuses to peer"
                    " virtual networks with overlapping address spaces",
                )


def _flow_log_storage(resource: Resource, context: Context) -> Iterator[Finding]:
    target_prop = "targetResourceId" if resource.token.startswith("azure-native:") else "networkSecurityGroupId"
    storage_prop = "storageId" if resource.token.startswith("azure-native:") else "storageAccountId"
    targets = [t for t in context.referenced(resource, target_prop) if t.token not in _NOT_MONITORED]
    for target in targets[:1]:
        target_location = context.location(target)
        for account in context.referenced(resource, storage_prop, *STORAGE_TYPES):
            account_location = context.location(account)
            if target_location and account_location and target_location != account_location:
                yield Finding(
                    storage_prop,
                    f"the flow log's storage account {_label(account)} is in {account_location}, but the target"
                    f" {_label(target)} is in {target_location}; flow logs write only to a storage account in the"
                    " target's region",
                )


NSG_TYPES = ("azure-native:network:NetworkSecurityGroup", "azure:network/networkSecurityGroup:NetworkSecurityGroup")
ROUTE_TABLE_TYPES = ("azure-native:network:RouteTable", "azure:network/routeTable:RouteTable")
NIC_TYPES = ("azure-native:network:NetworkInterface", "azure:network/networkInterface:NetworkInterface")
PUBLIC_IP_TYPES = ("azure-native:network:PublicIPAddress", "azure:network/publicIp:PublicIp")
SELF = ""


@dataclass(frozen=True)
class RegionPair:
    """One "must be in the same region" rule: per resource type, which side is which.

    ``sides`` maps a type token to (the subject's input, the other side's input); ``SELF`` means the
    resource itself. The other side is found through the input's dependencies, filtered to ``targets``.
    A subnet's region is its virtual network's.
    """

    id: str
    title: str
    reference: str
    sides: dict[str, tuple[str, str]]
    targets: tuple[str, ...]
    what: str


REGION_PAIRS = (
    # Subnet associations only: the subnet page's settings table says "The network security group must exist
    # in the same subscription and location as the virtual network". No Microsoft page found states the same
    # for a network interface's NSG, so NIC associations are not judged (a miss, never a false rejection).
    RegionPair(
        "region.network-security-group",
        "A network security group is in the region of the subnet (virtual network) it is associated with",
        "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet#add-a-subnet",
        {
            "azure-native:network:Subnet": (SELF, "networkSecurityGroup"),
            "azure-native:network:VirtualNetwork": (SELF, "subnets"),
            "azure:network/subnetNetworkSecurityGroupAssociation:SubnetNetworkSecurityGroupAssociation": (
                "subnetId",
                "networkSecurityGroupId",
            ),
        },
        NSG_TYPES,
        "network security group",
    ),
    # "You can only associate a route table to subnets in virtual networks that exist in the same Azure
    # location and subscription as the route table."
    RegionPair(
        "region.route-table",
        "A route table is in the region of the subnets it is associated with",
        "https://learn.microsoft.com/azure/virtual-network/manage-route-table#associate-a-route-table-to-a-subnet",
        {
            "azure-native:network:Subnet": (SELF, "routeTable"),
            "azure-native:network:VirtualNetwork": (SELF, "subnets"),
            "azure:network/subnetRouteTableAssociation:SubnetRouteTableAssociation": ("subnetId", "routeTableId"),
        },
        ROUTE_TABLE_TYPES,
        "route table",
    ),
    # "You can assign a network interface only to a virtual network in the same subscription and location as
    # the network interface."
    RegionPair(
        "region.network-interface-subnet",
        "A network interface is in its subnet's virtual network region",
        "https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#create-a-network-interface",
        {
            "azure-native:network:NetworkInterface": (SELF, "ipConfigurations"),
            "azure:network/networkInterface:NetworkInterface": (SELF, "ipConfigurations"),
        },
        (*SUBNET_TYPES, *VNET_TYPES),
        "virtual network",
    ),
    RegionPair(
        "region.network-interface-public-ip",
        "A public IP address is in the region of the network interface that uses it",
        # Location: "Must exist in the same location, also referred to as region, as the resource to which you'll
        # associate the Public IPs." (The NIC addresses page does not say it.)
        "https://learn.microsoft.com/azure/virtual-network/ip-services/virtual-network-public-ip-address#create-a-public-ip-address",
        {
            "azure-native:network:NetworkInterface": (SELF, "ipConfigurations"),
            "azure:network/networkInterface:NetworkInterface": (SELF, "ipConfigurations"),
        },
        PUBLIC_IP_TYPES,
        "public IP address",
    ),
    RegionPair(
        "region.virtual-machine-nic",
        "A virtual machine's network interfaces are in its region",
        # "The VM you add the network interface to must also be in the same location and subscription as the
        # network interface." (The add/remove page's Constraints list does not say it.)
        "https://learn.microsoft.com/azure/virtual-network/virtual-network-network-interface#create-a-network-interface",
        {
            "azure-native:compute:VirtualMachine": (SELF, "networkProfile"),
            "azure:compute/linuxVirtualMachine:LinuxVirtualMachine": (SELF, "networkInterfaceIds"),
            "azure:compute/windowsVirtualMachine:WindowsVirtualMachine": (SELF, "networkInterfaceIds"),
            "azure:compute/virtualMachine:VirtualMachine": (SELF, "networkInterfaceIds"),
        },
        NIC_TYPES,
        "network interface",
    ),
)
_SUBNETS_LOWER = {token.lower() for token in SUBNET_TYPES}


def _region_of(resource: Resource, context: Context) -> str | None:
    """A resource's known region; a subnet's is its virtual network's (when the network is in the run)."""
    if resource.token.lower() in _SUBNETS_LOWER:
        regions = {context.location(vnet) for vnet in parent_vnets(resource, context)}
        regions.discard(None)
        return regions.pop() if len(regions) == 1 else None
    return context.location(resource)


def _side(resource: Resource, prop: str, context: Context, targets: frozenset[str] = frozenset()) -> list[Resource]:
    """``resource`` itself (``SELF``) or what its input ``prop`` refers to, of the lowercase type ``targets`` if any."""
    if prop == SELF:
        return [resource]
    found = context.referenced(resource, prop)
    if targets:
        found = [other for other in found if other.token.lower() in targets]
    return found


def _pair_check(pair: RegionPair) -> Check:
    sides = {token.lower(): value for token, value in pair.sides.items()}
    targets = frozenset(token.lower() for token in pair.targets)

    def check(resource: Resource, context: Context) -> Iterator[Finding]:
        subject_prop, other_prop = sides[resource.token.lower()]
        subjects = _side(resource, subject_prop, context)
        if subject_prop != SELF:
            # An association's subject is the subnet or NIC it names (not the targets' own type).
            subjects = [s for s in subjects if s.token.lower() not in targets]
        for subject in subjects:
            subject_region = _region_of(subject, context)
            if subject_region is None:
                continue
            for other in _side(resource, other_prop, context, targets):
                other_region = _region_of(other, context)
                if other_region is not None and other_region != subject_region:
                    yield Finding(
                        other_prop,
                        f"the {pair.what} {_label(other)} is in {other_region}, but {_label(subject)} is in"
                        f" {subject_region}; they must be in the same region",
                    )

    return check


def region_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="region.diagnostic-storage",
        title="A diagnostic setting's storage account is in the monitored resource's region",
        reference="https://learn.microsoft.com/azure/azure-monitor/platform/diagnostic-settings#destination-limitations",
        types=frozenset(
            normalize_type(t)
            for t in ("azure-native:monitor:DiagnosticSetting", "azure:monitoring/diagnosticSetting:DiagnosticSetting")
        ),
        check=_diagnostic_storage,
    )
    yield Constraint(
        id="region.private-endpoint-subnet",
        title="A private endpoint is in its subnet's virtual network region",
        reference="https://learn.microsoft.com/azure/private-link/private-endpoint-overview#private-endpoint-properties",
        types=frozenset(("azure-native:network:PrivateEndpoint", "azure:privatelink/endpoint:Endpoint")),
        check=_private_endpoint_region,
    )
    yield Constraint(
        id="network.peering-remote",
        title="A peering names an existing remote virtual network whose address space does not overlap",
        reference="https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints",
        types=frozenset(
            ("azure-native:network:VirtualNetworkPeering", "azure:network/virtualNetworkPeering:VirtualNetworkPeering")
        ),
        check=_peering,
    )
    yield Constraint(
        id="region.flow-log-storage",
        title="A flow log's storage account is in the target's region",
        reference="https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview#considerations-for-vnet-flow-logs",
        types=frozenset(("azure-native:network:FlowLog", "azure:network/networkWatcherFlowLog:NetworkWatcherFlowLog")),
        check=_flow_log_storage,
    )
    for pair in REGION_PAIRS:
        yield Constraint(
            id=pair.id,
            title=pair.title,
            reference=pair.reference,
            types=frozenset(pair.sides),
            check=_pair_check(pair),
        )
