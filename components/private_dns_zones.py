"""`PrivateDnsZones`: each private-link zone created once and linked to the hub and every spoke.

Zones come from the catalog in `landing_zone.private_dns` (region-specific ones, such as Azure
Backup's, filled in for the landing zone's region). Links never auto-register VM records: these
zones hold only the records private endpoints' zone groups write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import Field

from components.interfaces import StrictArgs, validate_args
from landing_zone.private_dns import DEFAULT_SUB_RESOURCES, all_zones, zones_for

TYPE_TOKEN = "landingzone:network:PrivateDnsZones"


class PrivateDnsZonesArgs(StrictArgs):
    """Arguments of `PrivateDnsZones`."""

    resource_group_name: Any
    region: str = Field(description="Region for region-specific zones (Azure Backup).")
    virtual_network_ids: Mapping[str, Any] = Field(description="Label (hub, spoke name) -> VNet ID to link.")
    sub_resources: Sequence[str] = DEFAULT_SUB_RESOURCES
    tags: Mapping[str, str] = Field(default_factory=dict)


class PrivateDnsZones(pulumi.ComponentResource):
    """The zones and their VNet links. ``endpoint_zone_ids(subs)`` feeds a `PrivateEndpointArgs`."""

    zone_ids: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: PrivateDnsZonesArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        settings = args if args is not None else validate_args(PrivateDnsZonesArgs, f"PrivateDnsZones '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import privatedns

        self.settings = settings
        self.zone_ids = {}
        for zone_name in all_zones(settings.sub_resources, settings.region):
            label = _label(zone_name)
            zone = privatedns.PrivateZone(
                f"{name}-{label}",
                private_zone_name=zone_name,
                resource_group_name=settings.resource_group_name,
                location="global",
                tags=dict(settings.tags),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.zone_ids[zone_name] = zone.id
            for vnet_label, vnet_id in settings.virtual_network_ids.items():
                privatedns.VirtualNetworkLink(
                    f"{name}-{label}-{vnet_label}",
                    virtual_network_link_name=f"link-{vnet_label}",
                    private_zone_name=zone.name,
                    resource_group_name=settings.resource_group_name,
                    location="global",
                    virtual_network={"id": vnet_id},
                    registration_enabled=False,
                    tags=dict(settings.tags),
                    opts=pulumi.ResourceOptions(parent=zone),
                )
        self.register_outputs({"zone_ids": self.zone_ids})

    def endpoint_zone_ids(self, sub_resources: Sequence[str]) -> dict[str, Any]:
        """Sub-resource -> zone ID (or list of IDs), ready for `PrivateEndpointArgs.private_dns_zone_ids`."""
        result: dict[str, Any] = {}
        for sub_resource in sub_resources:
            ids = [self.zone_ids[zone] for zone in zones_for(sub_resource, self.settings.region)]
            result[sub_resource] = ids[0] if len(ids) == 1 else ids
        return result


def _label(zone_name: str) -> str:
    """A short, stable logical name for a zone: ``privatelink.blob.core.windows.net`` -> ``blob-core-windows-net``."""
    return re.sub(r"[^a-z0-9]+", "-", zone_name.removeprefix("privatelink.").lower()).strip("-")
