"""Address rules ARM checks when a virtual network is written, and diagnostic settings' destinations."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator
from functools import cache

from landing_zone.preview.constraints.data import load
from landing_zone.preview.constraints.links import parents
from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type

#: Subnets Azure services require at a minimum size (largest prefix length allowed), by subnet name.
_MINIMUM_SIZES = {
    "azurefirewallsubnet": 26,
    "azurebastionsubnet": 26,
    "azurefirewallmanagementsubnet": 26,
    "routeserversubnet": 27,
}
#: Any IPv4 subnet is /29 or larger; an IPv6 subnet is exactly /64 (virtual network FAQ).
_SMALLEST_IPV4 = 29
_IPV6_SUBNET = 64
VNET_TOKENS = ("azure-native:network:VirtualNetwork", "azure:network/virtualNetwork:VirtualNetwork")
SUBNET_TOKENS = ("azure-native:network:Subnet", "azure:network/subnet:Subnet")
AnyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_DESTINATIONS = {
    "azure-native:monitor:DiagnosticSetting": (
        "workspaceId",
        "storageAccountId",
        "eventHubAuthorizationRuleId",
        "marketplacePartnerId",
    ),
    "azure-native:monitor:SubscriptionDiagnosticSetting": (
        "workspaceId",
        "storageAccountId",
        "eventHubAuthorizationRuleId",
        "marketplacePartnerId",
    ),
    "azure:monitoring/diagnosticSetting:DiagnosticSetting": (
        "logAnalyticsWorkspaceId",
        "storageAccountId",
        "eventhubAuthorizationRuleId",
        "partnerSolutionId",
    ),
}


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def address_spaces(vnet: Resource) -> list[AnyNetwork]:
    """A virtual network's known address spaces (either provider)."""
    path = "addressSpace.addressPrefixes[]" if vnet.token.startswith("azure-native:") else "addressSpaces[]"
    return [n for _, v in vnet.values(path) if (n := _network(str(v.value)))]


def _inline_subnets(vnet: Resource) -> Iterator[tuple[str, str, AnyNetwork]]:
    """(wire path, subnet name, prefix) of each known prefix of a virtual network's inline subnets."""
    subnets = vnet.inputs.get("subnets")
    for index, subnet in enumerate(subnets if isinstance(subnets, list) else []):
        if not isinstance(subnet, dict):
            continue
        name = subnet.get("name") if isinstance(subnet.get("name"), str) else f"#{index}"
        single = subnet.get("addressPrefix")
        many = subnet.get("addressPrefixes")
        for key, prefix in [
            ("addressPrefix", single),
            *(("addressPrefixes", p) for p in (many if isinstance(many, list) else [])),
        ]:
            network = _network(prefix) if isinstance(prefix, str) else None
            if network is not None:
                yield f"subnets[{index}].{key}", str(name), network


def _standalone_prefixes(subnet: Resource) -> Iterator[tuple[str, str, AnyNetwork]]:
    """(wire path, subnet name, prefix) of each known prefix of a Subnet resource (either provider)."""
    name_value = subnet.value("subnetName") or subnet.value("name")
    name = name_value.text if name_value is not None and name_value.text else subnet.registration.name
    for prop, value in [*subnet.values("addressPrefix"), *subnet.values("addressPrefixes[]")]:
        network = _network(str(value.value))
        if network is not None:
            yield prop, name, network


def _subnets(resource: Resource, context: Context) -> Iterator[Finding]:
    spaces = address_spaces(resource)
    seen: list[tuple[str, AnyNetwork]] = []
    for prop, name, network in _inline_subnets(resource):
        if spaces and not any(network.version == s.version and network.subnet_of(s) for s in spaces):  # type: ignore[arg-type]
            yield Finding(
                prop, f"subnet '{name}' ({network}) is outside the address space ({', '.join(map(str, spaces))})"
            )
        for other_name, other in seen:
            if other.version == network.version and other.overlaps(network):
                yield Finding(prop, f"subnet '{name}' ({network}) overlaps subnet '{other_name}' ({other})")
        seen.append((name, network))


def _size_problem(name: str, network: AnyNetwork) -> str | None:
    if network.version == 6:
        if network.prefixlen != _IPV6_SUBNET:
            return f"subnet '{name}' ({network}): an IPv6 subnet must be exactly /64"
        return None
    minimum = _MINIMUM_SIZES.get(name.lower(), _SMALLEST_IPV4)
    if network.prefixlen > minimum:
        return f"subnet '{name}' must be /{minimum} or larger; it is /{network.prefixlen}"
    return None


def _subnet_sizes(resource: Resource, context: Context) -> Iterator[Finding]:
    prefixes = _inline_subnets(resource) if resource.token.lower() in _VNET_LOWER else _standalone_prefixes(resource)
    for prop, name, network in prefixes:
        problem = _size_problem(name, network)
        if problem is not None:
            yield Finding(prop, problem)


def parent_vnets(subnet: Resource, context: Context) -> list[Resource]:
    """The virtual network a Subnet resource's ``virtualNetworkName`` names (by dependency or literal name)."""
    return parents(subnet, context, "virtualNetworkName", *VNET_TOKENS)


def _subnet_placement(resource: Resource, context: Context) -> Iterator[Finding]:
    """A Subnet resource lies inside its virtual network and overlaps none of the network's other subnets."""
    mine = list(_standalone_prefixes(resource))
    if not mine:
        return
    for vnet in parent_vnets(resource, context):
        spaces = address_spaces(vnet)
        siblings = [(f"subnet '{name}'", net) for _, name, net in _inline_subnets(vnet)]
        for other in context.resources:
            if other is resource:
                break  # only subnets registered before this one: each overlap is reported once
            if other.token.lower() in _SUBNET_LOWER and vnet in parent_vnets(other, context):
                siblings.extend((f"subnet '{name}'", net) for _, name, net in _standalone_prefixes(other))
        for prop, name, network in mine:
            if spaces and not any(network.version == s.version and network.subnet_of(s) for s in spaces):  # type: ignore[arg-type]
                shown = ", ".join(map(str, spaces))
                yield Finding(
                    prop, f"subnet '{name}' ({network}) is outside the virtual network's address space ({shown})"
                )
            for label, other_net in siblings:
                if other_net.version == network.version and other_net.overlaps(network):
                    yield Finding(prop, f"subnet '{name}' ({network}) overlaps {label} ({other_net})")


_VNET_LOWER = {token.lower() for token in VNET_TOKENS}
_SUBNET_LOWER = {token.lower() for token in SUBNET_TOKENS}


def _destination(resource: Resource, context: Context) -> Iterator[Finding]:
    names = _DESTINATIONS.get(resource.token, ())
    if any(resource.has(name) for name in names):
        return
    yield Finding(
        names[0],
        f"a diagnostic setting needs at least one destination ({', '.join(names)}); none is set",
    )


_CONNECTION_LISTS = {
    "azure-native:network:PrivateEndpoint": (
        ("privateLinkServiceConnections", "privateLinkServiceConnections[].groupIds[]"),
        ("manualPrivateLinkServiceConnections", "manualPrivateLinkServiceConnections[].groupIds[]"),
    ),
    "azure:privatelink/endpoint:Endpoint": (
        ("privateServiceConnection", "privateServiceConnection.subresourceNames[]"),
    ),
}


@cache
def _offered() -> dict[str, list[str]]:
    """Private-link target type (normalized, lowercase) -> its sub-resources, read once from the data table."""
    return {normalize_type(token).lower(): groups for token, groups in load("private_link")["targets"].items()}


_CONNECTION_LISTS_LOWER = {token.lower(): lists for token, lists in _CONNECTION_LISTS.items()}


def _group_ids(resource: Resource, context: Context) -> Iterator[Finding]:
    """Each connection's groupIds are sub-resources its target offers (checked when the target is in the run)."""
    offered = _offered()
    lists = _CONNECTION_LISTS_LOWER.get(resource.token.lower(), ())
    for list_name, path in lists:
        targets = [t for t in context.referenced(resource, list_name) if t.token.lower() in offered]
        if len({t.token.lower() for t in targets}) != 1:
            continue  # no target in the run, or several kinds under one input: cannot tell which is whose
        target = targets[0]
        groups = offered[target.token.lower()]
        lowered = {group.lower() for group in groups}
        for prop, value in resource.values(path):
            if value.text is not None and value.text.lower() not in lowered:
                yield Finding(
                    prop,
                    f"{value.shown()} is not a private link sub-resource of {target.registration.type.split(':')[-1]}"
                    f" '{target.registration.name}' (it offers {', '.join(groups)})",
                )


NSG_TOKENS = ("azure-native:network:NetworkSecurityGroup", "azure:network/networkSecurityGroup:NetworkSecurityGroup")
RULE_TOKENS = ("azure-native:network:SecurityRule", "azure:network/networkSecurityRule:NetworkSecurityRule")
_PORT_INPUTS = ("sourcePortRange", "destinationPortRange", "sourcePortRanges[]", "destinationPortRanges[]")
_RULE_LOWER = frozenset(token.lower() for token in RULE_TOKENS)
_PORT = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def _port_problem(text: str) -> str | None:
    if text.strip() == "*":
        return None
    match = _PORT.match(text)
    if match is None:
        return "is not a port, a port range (low-high) or '*'"
    low, high = int(match.group(1)), int(match.group(2) or match.group(1))
    if not 0 <= low <= high <= 65535:
        return "is not within 0-65535 (low-high, low first)"
    return None


def _rule_ports(resource: Resource, prefix: str) -> Iterator[Finding]:
    for name in _PORT_INPUTS:
        for prop, value in resource.values(prefix + name):
            if value.text is not None and (problem := _port_problem(value.text)) is not None:
                yield Finding(prop, f"port {value.shown()} {problem}")


def _security_rules(resource: Resource, context: Context) -> Iterator[Finding]:
    """Ports are 0-65535; within one NSG, no two rules of the same direction share a priority."""
    if resource.token.lower() in _RULE_LOWER:
        yield from _rule_ports(resource, "")
        return
    yield from _rule_ports(resource, "securityRules[].")
    rules = resource.inputs.get("securityRules")
    seen: dict[tuple[str, float], str] = {}
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        direction, priority = rule.get("direction"), rule.get("priority")
        if not isinstance(direction, str) or not isinstance(priority, int | float) or isinstance(priority, bool):
            continue
        key = (direction.lower(), float(priority))
        name = rule.get("name") if isinstance(rule.get("name"), str) else f"#{index}"
        if key in seen:
            yield Finding(
                f"securityRules[{index}].priority",
                f"rule '{name}' has the priority {int(priority)} of rule '{seen[key]}' in the same direction",
            )
        else:
            seen[key] = str(name)


def network_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="network.subnet-addresses",
        title="Subnets lie inside the virtual network's address space, do not overlap, and service subnets are large enough",
        reference="https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet#add-a-subnet",
        types=frozenset(VNET_TOKENS),
        check=_subnets,
    )
    yield Constraint(
        id="network.security-rules",
        title="Security rule ports are 0-65535 and no two rules of one direction share a priority",
        reference="https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview#security-rules",
        types=frozenset((*NSG_TOKENS, *RULE_TOKENS)),
        check=_security_rules,
    )
    yield Constraint(
        id="network.subnet-size",
        title="Subnets are /29 or larger (IPv6 exactly /64), and service subnets meet their service's minimum",
        reference="https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#how-small-and-how-large-can-virtual-networks-and-subnets-be",
        types=frozenset((*VNET_TOKENS, *SUBNET_TOKENS)),
        check=_subnet_sizes,
    )
    yield Constraint(
        id="network.subnet-placement",
        title="A subnet resource lies inside its virtual network's address space and overlaps no other subnet",
        reference="https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet#add-a-subnet",
        types=frozenset(SUBNET_TOKENS),
        check=_subnet_placement,
    )
    yield Constraint(
        id="monitor.diagnostic-destination",
        title="A diagnostic setting sends to at least one destination",
        reference="https://learn.microsoft.com/azure/azure-monitor/platform/diagnostic-settings#destinations",
        types=frozenset(_DESTINATIONS),
        check=_destination,
    )
    yield Constraint(
        id="network.private-endpoint-group",
        title="A private endpoint names a sub-resource (groupId) its target offers",
        reference=load("private_link")["source"],
        types=frozenset(_CONNECTION_LISTS),
        check=_group_ids,
    )
