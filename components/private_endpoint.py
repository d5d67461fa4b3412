"""`add_private_endpoints`: one private endpoint per private-link sub-resource, each with exactly one DNS zone group.

A second DNS zone group on the same endpoint fails in Azure, so each endpoint gets one group with
one zone config: the ``privatelink.*`` zone for that sub-resource, passed in by ID (the zones are
created once, by the network layer, and linked to every VNet that resolves them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from components.interfaces import PrivateEndpointArgs
from landing_zone.errors import ConfigError, Problem


def add_private_endpoints(
    name: str,
    *,
    target_id: pulumi.Input[str],
    target_name: str,
    sub_resources: Sequence[str],
    endpoint: PrivateEndpointArgs,
    resource_group_name: pulumi.Input[str],
    location: str,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> list[Any]:
    """Create an endpoint for each of ``sub_resources`` (``vault``, ``blob``, ...) of the target resource."""
    from pulumi_azure_native import network

    missing = [sub for sub in sub_resources if sub not in endpoint.private_dns_zone_ids]
    if missing:
        raise ConfigError(
            [
                Problem("private_endpoint.private_dns_zone_ids", f"no private DNS zone ID for sub-resource '{sub}'")
                for sub in missing
            ],
            source=name,
        )
    endpoints = []
    for sub_resource in sub_resources:
        endpoint_name = f"pep-{target_name[: 64 - len(sub_resource) - 5]}-{sub_resource.lower()}"
        private_endpoint = network.PrivateEndpoint(
            f"{name}-pep-{sub_resource.lower()}",
            private_endpoint_name=endpoint_name,
            resource_group_name=endpoint.resource_group_name or resource_group_name,
            location=endpoint.location or location,
            subnet={"id": endpoint.subnet_id},  # a plain reference: SubnetArgs would add its SDK defaults
            custom_network_interface_name=f"{endpoint_name}-nic",
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=endpoint_name,
                    private_link_service_id=target_id,
                    group_ids=[sub_resource],
                )
            ],
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        network.PrivateDnsZoneGroup(
            f"{name}-pep-{sub_resource.lower()}-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=private_endpoint.name,
            resource_group_name=endpoint.resource_group_name or resource_group_name,
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(
                    name=f"{sub_resource.lower()}-{index}" if index else sub_resource.lower(),
                    private_dns_zone_id=zone_id,
                )
                for index, zone_id in enumerate(_zone_ids(endpoint.private_dns_zone_ids[sub_resource]))
            ],
            opts=pulumi.ResourceOptions(parent=private_endpoint),
        )
        endpoints.append(private_endpoint)
    return endpoints


def _zone_ids(value: Any) -> list[Any]:
    """One zone ID, or several for sub-resources that register in more than one zone."""
    return list(value) if isinstance(value, (list, tuple)) else [value]
