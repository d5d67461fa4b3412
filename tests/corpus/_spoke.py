"""Scaffolding the workload corpus stacks share: a spoke's private endpoints, audit logs, delete locks and CMK vault.

Each workload stack is a standalone Pulumi program; it imports this module from the corpus folder (its
parent) so the hardened parts every workload team writes the same way are written once. What a stack
gets wrong stays in the stack itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization, keyvault, monitor, network

ZONES = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones"
CENTRAL_WORKSPACE = (
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-platform-logs"
    "/providers/Microsoft.OperationalInsights/workspaces/log-platform-central"
)
TENANT = "72f988bf-0000-4000-8000-000000000001"
KEEP = pulumi.ResourceOptions(protect=True)


@dataclass(frozen=True)
class Spoke:
    """A workload's resource group in an existing landing zone spoke."""

    resource_group: str
    location: str
    endpoint_subnet: str
    tags: dict[str, str]

    def private_endpoint(self, name: str, target: pulumi.Output[str], group: str, zone: str) -> None:
        endpoint = network.PrivateEndpoint(
            f"pe-{name}",
            private_endpoint_name=f"pe-{name}",
            resource_group_name=self.resource_group,
            location=self.location,
            subnet={"id": self.endpoint_subnet},
            private_link_service_connections=[
                {"name": f"{name}-{group}", "private_link_service_id": target, "group_ids": [group]}
            ],
            tags=self.tags,
        )
        network.PrivateDnsZoneGroup(
            f"pe-{name}-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=endpoint.name,
            resource_group_name=self.resource_group,
            private_dns_zone_configs=[{"name": zone, "private_dns_zone_id": f"{ZONES}/{zone}"}],
        )

    def audit_logs(self, name: str, target: pulumi.Output[str]) -> None:
        monitor.DiagnosticSetting(
            f"diag-{name}",
            name="to-central-workspace",
            resource_uri=target,
            workspace_id=CENTRAL_WORKSPACE,
            logs=[{"category_group": "allLogs", "enabled": True}],
        )

    def delete_lock(self, name: str, target: pulumi.Output[str]) -> None:
        authorization.ManagementLockByScope(
            f"lock-{name}", lock_name="do-not-delete", scope=target, level="CanNotDelete", notes="PHI store"
        )

    def cmk_vault(self, vault: str, vault_name: str, key: str) -> tuple[keyvault.Vault, keyvault.Key]:
        """An Entra-only, purge-protected, private Premium vault and an HSM key that rotates."""
        created = keyvault.Vault(
            vault,
            vault_name=vault_name,
            resource_group_name=self.resource_group,
            location=self.location,
            properties={
                "tenant_id": TENANT,
                "sku": {"family": "A", "name": "premium"},
                "enable_rbac_authorization": True,
                "enable_purge_protection": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": 90,
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny", "bypass": "None"},
            },
            tags=self.tags,
            opts=KEEP,
        )
        cmk = keyvault.Key(
            key,
            key_name=key,
            vault_name=created.name,
            resource_group_name=self.resource_group,
            properties={
                "kty": "RSA-HSM",
                "key_size": 3072,
                "attributes": {"expires": 1893456000},
                "rotation_policy": {
                    "attributes": {"expiry_time": "P2Y"},
                    "lifetime_actions": [{"action": {"type": "rotate"}, "trigger": {"time_before_expiry": "P30D"}}],
                },
            },
            tags=self.tags,
            opts=KEEP,
        )
        return created, cmk
