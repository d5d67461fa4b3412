"""`HubNetwork`: the hub VNet with Azure Firewall, optional Bastion, and the DDoS protection plan.

- The firewall runs a firewall policy with threat intelligence in Deny mode, DNS proxy on, and no
  allow rules: everything is denied until a rule collection allows it. Premium adds intrusion
  detection (IDPS) in the configured mode. Its private IP is the first usable address of
  ``AzureFirewallSubnet`` (Azure assigns it deterministically), so spokes route to a literal.
- Bastion (optional, on by default) is how administrators reach workloads: no public IP ever sits on
  a workload VM.
- A DDoS Network Protection plan is created and attached to the hub (and handed to spokes). Turning
  it off takes a written waiver, recorded in the hub's tags.
- Flow logs and diagnostics attach after the log workspace exists (`add_flow_logs`, `add_diagnostics`),
  because the workspace's archive depends on keys reached through this network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import Field, model_validator

from components.diagnostics import attach_diagnostics
from components.interfaces import DiagnosticsArgs, FlowLogArgs, StrictArgs, Waiver, validate_args, waiver_tags
from components.virtual_network import build_virtual_network, flow_log, route_table
from landing_zone.config.network import BASTION_SUBNET, FIREWALL_SUBNET, HubConfig

TYPE_TOKEN = "landingzone:network:HubNetwork"


class HubNetworkArgs(StrictArgs):
    """Arguments of `HubNetwork`. Child names derive from ``vnet_name`` (``vnet-x`` -> ``afw-x``, ...)."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    vnet_name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$")
    hub: HubConfig
    ddos_protection_waiver: Waiver | None = Field(default=None, description="Skips the DDoS plan; reason required.")
    availability_zones: Sequence[str] = ("1", "2", "3")
    protect: bool = True
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _names_fit(self) -> HubNetworkArgs:
        if len(self.base_name) > 50:
            raise ValueError(
                "vnet_name is too long to derive firewall and Bastion names from (50 characters after 'vnet-')"
            )
        return self

    @property
    def base_name(self) -> str:
        return self.vnet_name.removeprefix("vnet-")


class HubNetwork(pulumi.ComponentResource):
    """Hub VNet, firewall, Bastion, DDoS plan. Outputs: ``vnet_id``, ``subnet_ids``, ``firewall_private_ip``, ``ddos_plan_id``."""

    vnet_id: pulumi.Output[str]
    subnet_ids: dict[str, pulumi.Output[str]]
    firewall_private_ip: str
    ddos_plan_id: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: HubNetworkArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings = args if args is not None else validate_args(HubNetworkArgs, f"HubNetwork '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import network

        self._name = name
        self.settings = settings
        base = settings.base_name
        hub = settings.hub
        tags = {**settings.tags, **waiver_tags({"ddosProtection": settings.ddos_protection_waiver})}
        child = pulumi.ResourceOptions(parent=self)
        self.firewall_private_ip = hub.firewall_private_ip

        self.ddos_plan = None
        if settings.ddos_protection_waiver is None:
            self.ddos_plan = network.DdosProtectionPlan(
                f"{name}-ddos",
                ddos_protection_plan_name=f"ddos-{base}",
                resource_group_name=settings.resource_group_name,
                location=settings.location,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, protect=settings.protect),
            )
        self.ddos_plan_id = self.ddos_plan.id if self.ddos_plan is not None else None
        routes = route_table(
            name,
            parent=self,
            route_table_name=f"rt-{base}",
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            firewall_private_ip=self.firewall_private_ip,
            tags=tags,
        )
        self.vnet, self.nsgs, self.subnet_ids = build_virtual_network(
            name,
            parent=self,
            vnet_name=settings.vnet_name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            address_space=hub.address_space,
            subnets=hub.subnets,
            route_table_id=routes.id,
            ddos_plan_id=self.ddos_plan_id,
            tags=tags,
            protect=settings.protect,
        )
        self.vnet_id = self.vnet.id
        self.vnet_name = settings.vnet_name

        self.firewall_policy = network.FirewallPolicy(
            f"{name}-firewall-policy",
            firewall_policy_name=f"afwp-{base}",
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            sku={"tier": hub.firewall.tier},
            threat_intel_mode="Deny",
            dns_settings={"enable_proxy": True},
            intrusion_detection={"mode": hub.firewall.intrusion_detection}
            if hub.firewall.intrusion_detection
            else None,
            tags=tags,
            opts=child,
        )
        self.firewall_public_ip = self._public_ip(f"{name}-firewall-pip", f"pip-afw-{base}", tags)
        self.firewall = network.AzureFirewall(
            f"{name}-firewall",
            azure_firewall_name=f"afw-{base}",
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            sku={"name": "AZFW_VNet", "tier": hub.firewall.tier},
            firewall_policy={"id": self.firewall_policy.id},  # threat intelligence is set on the policy
            ip_configurations=[
                {
                    "name": "ipconfig",
                    "subnet": {"id": self.subnet_ids[FIREWALL_SUBNET]},
                    "public_ip_address": {"id": self.firewall_public_ip.id},
                }
            ],
            zones=list(settings.availability_zones),
            tags=tags,
            opts=child,
        )
        self.bastion = None
        self.bastion_public_ip = None
        if hub.bastion:
            self.bastion_public_ip = self._public_ip(f"{name}-bastion-pip", f"pip-bas-{base}", tags)
            self.bastion = network.BastionHost(
                f"{name}-bastion",
                bastion_host_name=f"bas-{base}",
                resource_group_name=settings.resource_group_name,
                location=settings.location,
                sku={"name": "Standard"},
                enable_shareable_link=False,
                enable_tunneling=True,
                enable_file_copy=False,
                ip_configurations=[
                    {
                        "name": "ipconfig",
                        "subnet": {"id": self.subnet_ids[BASTION_SUBNET]},
                        "public_ip_address": {"id": self.bastion_public_ip.id},
                    }
                ],
                tags=tags,
                opts=child,
            )
        self.register_outputs(
            {
                "vnet_id": self.vnet_id,
                "subnet_ids": self.subnet_ids,
                "firewall_private_ip": self.firewall_private_ip,
                "ddos_plan_id": self.ddos_plan_id,
            }
        )

    def _public_ip(self, logical_name: str, physical_name: str, tags: Mapping[str, str]) -> Any:
        from pulumi_azure_native import network

        return network.PublicIPAddress(
            logical_name,
            public_ip_address_name=physical_name,
            resource_group_name=self.settings.resource_group_name,
            location=self.settings.location,
            sku={"name": "Standard", "tier": "Regional"},
            public_ip_allocation_method="Static",
            public_ip_address_version="IPv4",
            zones=list(self.settings.availability_zones),
            tags=dict(tags),
            opts=pulumi.ResourceOptions(parent=self),
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

    def add_diagnostics(self, diagnostics: DiagnosticsArgs) -> list[Any]:
        """Firewall and Bastion logs, and the public IPs' DDoS mitigation logs, to the workspace."""
        settings = attach_diagnostics(f"{self._name}-firewall", self.firewall.id, diagnostics, parent=self)
        settings += attach_diagnostics(
            f"{self._name}-firewall-pip", self.firewall_public_ip.id, diagnostics, parent=self
        )
        if self.bastion is not None and self.bastion_public_ip is not None:
            settings += attach_diagnostics(f"{self._name}-bastion", self.bastion.id, diagnostics, parent=self)
            settings += attach_diagnostics(
                f"{self._name}-bastion-pip", self.bastion_public_ip.id, diagnostics, parent=self
            )
        return settings
