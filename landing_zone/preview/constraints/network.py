"""Address rules ARM checks when a virtual network is written, and diagnostic settings' destinations."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.data import load
from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type

#: Subnets Azure services require at a minimum size (largest prefix length allowed).
_MINIMUM_SIZES = {"azurefirewallsubnet": 26, "azurebastionsubnet": 26, "azurefirewallmanagementsubnet": 26}
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


def _subnets(resource: Resource, context: Context) -> Iterator[Finding]:
    spaces = [n for _, v in resource.values("addressSpace.addressPrefixes[]") if (n := _network(str(v.value)))]
    seen: list[tuple[str, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
    subnets = resource.inputs.get("subnets")
    for index, subnet in enumerate(subnets if isinstance(subnets, list) else []):
        if not isinstance(subnet, dict):
            continue
        name = subnet.get("name") if isinstance(subnet.get("name"), str) else f"#{index}"
        prefixes = [subnet.get("addressPrefix"), *(subnet.get("addressPrefixes") or [])]
        for prefix in prefixes:
            network = _network(prefix) if isinstance(prefix, str) else None
            if network is None:
                continue
            prop = f"subnets[{index}].addressPrefix"
            if spaces and not any(network.version == s.version and network.subnet_of(s) for s in spaces):  # type: ignore[arg-type]
                yield Finding(
                    prop, f"subnet '{name}' ({network}) is outside the address space ({', '.join(map(str, spaces))})"
                )
            for other_name, other in seen:
                if other.version == network.version and other.overlaps(network):
                    yield Finding(prop, f"subnet '{name}' ({network}) overlaps subnet '{other_name}' ({other})")
            minimum = _MINIMUM_SIZES.get(str(name).lower())
            if minimum is not None and network.version == 4 and network.prefixlen > minimum:
                yield Finding(prop, f"subnet '{name}' must be /{minimum} or larger; it is /{network.prefixlen}")
            seen.append((str(name), network))


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


def _group_ids(resource: Resource, context: Context) -> Iterator[Finding]:
    """Each connection's groupIds are sub-resources its target offers (checked when the target is in the run)."""
    offered = {normalize_type(token).lower(): groups for token, groups in load("private_link")["targets"].items()}
    lists = next((v for k, v in _CONNECTION_LISTS.items() if k.lower() == resource.token.lower()), ())
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


def network_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="network.subnet-addresses",
        title="Subnets lie inside the virtual network's address space, do not overlap, and service subnets are large enough",
        reference="https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet#add-a-subnet",
        types=frozenset(("azure-native:network:VirtualNetwork",)),
        check=_subnets,
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
