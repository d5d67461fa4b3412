"""The private-link DNS zones this project uses, by private-link sub-resource (group ID).

Each PaaS endpoint resolves through a ``privatelink.*`` zone that is created once and linked to every
VNet that must resolve it (hub and spokes), without auto-registration. Some zones are per region
(Azure Backup uses the region geo-code). Source: Azure "Private endpoint DNS zone values", 2026-11.
"""

from __future__ import annotations

from collections.abc import Iterable

from landing_zone.regions import REGIONS

#: Sub-resource (the ``groupIds`` value of a private endpoint) -> the zones its endpoint registers in.
PRIVATE_LINK_ZONES: dict[str, tuple[str, ...]] = {
    "vault": ("privatelink.vaultcore.azure.net",),
    "blob": ("privatelink.blob.core.windows.net",),
    "dfs": ("privatelink.dfs.core.windows.net",),
    "file": ("privatelink.file.core.windows.net",),
    "queue": ("privatelink.queue.core.windows.net",),
    "table": ("privatelink.table.core.windows.net",),
    "sqlServer": ("privatelink.database.windows.net",),
    "postgresqlServer": ("privatelink.postgres.database.azure.com",),
    "azuremonitor": (
        "privatelink.monitor.azure.com",
        "privatelink.oms.opinsights.azure.com",
        "privatelink.ods.opinsights.azure.com",
        "privatelink.agentsvc.azure-automation.net",
        "privatelink.blob.core.windows.net",
    ),
    "AzureBackup": (
        "privatelink.{geo}.backup.windowsazure.com",
        "privatelink.blob.core.windows.net",
        "privatelink.queue.core.windows.net",
    ),
}
#: What a PHI landing zone resolves privately by default.
DEFAULT_SUB_RESOURCES = (
    "vault",
    "blob",
    "dfs",
    "file",
    "queue",
    "table",
    "sqlServer",
    "postgresqlServer",
    "azuremonitor",
    "AzureBackup",
)


def zones_for(sub_resource: str, region: str) -> tuple[str, ...]:
    """The zone names for one sub-resource in one region (region-specific zones filled in)."""
    if sub_resource not in PRIVATE_LINK_ZONES:
        raise ValueError(f"no private DNS zone is known for sub-resource '{sub_resource}'")
    geo = REGIONS[region].short if region in REGIONS else region
    return tuple(zone.format(geo=geo) for zone in PRIVATE_LINK_ZONES[sub_resource])


def all_zones(sub_resources: Iterable[str], region: str) -> list[str]:
    """Every distinct zone the given sub-resources need, in first-seen order."""
    seen: dict[str, None] = {}
    for sub_resource in sub_resources:
        for zone in zones_for(sub_resource, region):
            seen.setdefault(zone, None)
    return list(seen)
