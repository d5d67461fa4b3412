"""`SpokeNetwork`: a workload VNet peered to the hub, every subnet behind an NSG and routed through the firewall.

- Peered in both directions with every setting explicit: VNet access and forwarded traffic allowed,
  gateway transit off unless the hub offers a gateway, no remote gateways used by the spoke.
- Each subnet gets its NSG (explicit deny from the Internet, plus the screened rules from config) and
  the spoke's route table (0.0.0.0/0 to the hub firewall's private IP, BGP propagation off).
- The private-endpoint subnet has network policies enabled, so NSGs and routes apply to endpoints.
- The hub's DDoS protection plan is attached unless a written waiver says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import Field, model_validator

from components.interfaces import FlowLogArgs, StrictArgs, Waiver, validate_args, waiver_tags
from components.virtual_network import build_virtual_network, flow_log, route_table
from landing_zone.config.network import SpokeConfig

TYPE_TOKEN = "landingzone:network:SpokeNetwork"


class SpokeNetworkArgs(StrictArgs):
    """Arguments of `SpokeNetwork`."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    vnet_name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$")
    spoke: SpokeConfig
    hub_vnet_id: Any
    hub_vnet_name: Any = Field(description="The hub VNet's name (a string, or a StackReference output).")
    hub_resource_group_name: Any
    firewall_private_ip: Any = Field(
        description="The hub firewall's private IP (HubNetwork.firewall_private_ip or a stack output)."
    )
    ddos_plan_id: Any = Field(default=None, description="The hub's DDoS protection plan ID.")
    ddos_protection_waiver: Waiver | None = None
    hub_gateway_transit: bool = Field(default=False, description="True when the hub has a VPN/ExpressRoute gateway.")
    protect: bool = True
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _ddos(self) -> SpokeNetworkArgs:
        if self.ddos_plan_id is None and self.ddos_protection_waiver is None:
            raise ValueError("ddos_plan_id is required (the hub's plan); pass ddos_protection_waiver to go without")
        return self


class SpokeNetwork(pulumi.ComponentResource):
    """A spoke VNet and its peerings. Outputs: ``vnet_id``, ``subnet_ids``, ``endpoint_subnet_id``."""

    vnet_id: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    endpoint_subnet_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: SpokeNetworkArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings = args if args is not None else validate_args(SpokeNetworkArgs, f"SpokeNetwork '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import network

        self._name = name
        self.settings = settings
        base = settings.vnet_name.removeprefix("vnet-")
        tags = {**settings.tags, **waiver_tags({"ddosProtection": settings.ddos_protection_waiver})}
        routes = route_table(
            name,
            parent=self,
            route_table_name=f"rt-{base}",
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            firewall_private_ip=settings.firewall_private_ip,
            tags=tags,
        )
        self.vnet, self.nsgs, self.subnet_ids = build_virtual_network(
            name,
            parent=self,
            vnet_name=settings.vnet_name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            address_space=settings.spoke.address_space,
            subnets=settings.spoke.subnets,
            route_table_id=routes.id,
            ddos_plan_id=None if settings.ddos_protection_waiver else settings.ddos_plan_id,
            tags=tags,
            protect=settings.protect,
        )
        self.vnet_id = self.vnet.id
        self.vnet_name = settings.vnet_name
        endpoint_subnet = settings.spoke.endpoint_subnet_name
        self.endpoint_subnet_id = self.subnet_ids[endpoint_subnet] if endpoint_subnet else None

        self.to_hub = network.VirtualNetworkPeering(
            f"{name}-to-hub",
            virtual_network_peering_name=f"peer-{base}-to-hub",
            virtual_network_name=self.vnet.name,
            resource_group_name=settings.resource_group_name,
            remote_virtual_network={"id": settings.hub_vnet_id},
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            allow_gateway_transit=False,
            use_remote_gateways=settings.hub_gateway_transit,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.from_hub = network.VirtualNetworkPeering(
            f"{name}-from-hub",
            virtual_network_peering_name=f"peer-hub-to-{base}",
            virtual_network_name=settings.hub_vnet_name,
            resource_group_name=settings.hub_resource_group_name,
            remote_virtual_network={"id": self.vnet.id},
            allow_virtual_network_access=True,
            allow_forwarded_traffic=True,
            allow_gateway_transit=settings.hub_gateway_transit,
            use_remote_gateways=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.to_hub]),
        )
        self.register_outputs(
            {"vnet_id": self.vnet_id, "subnet_ids": self.subnet_ids, "endpoint_subnet_id": self.endpoint_subnet_id}
        )

    def add_flow_logs(self, target: FlowLogArgs) -> Any:
        """VNet flow logs to the archive and traffic analytics to the workspace."""
        return flow_log(
            self._name,
            parent=self,
            vnet=self.vnet,
            vnet_name=self.vnet_name,
            location=self.settings.location,
            target=target,
            tags=self.settings.tags,
        )
