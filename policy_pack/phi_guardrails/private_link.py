"""Which private DNS zones a private endpoint for each sub-resource (group ID) must register in.

Kept inside the pack so it stays self-contained; a test keeps it equal to the landing zone's catalog.
``{geo}`` stands for a region geo-code (Azure Backup zones are per region).
"""

from __future__ import annotations

import re

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


def zone_matches(sub_resource: str, zone_name: str) -> bool | None:
    """Whether ``zone_name`` is a right zone for ``sub_resource``; None when the sub-resource is not catalogued."""
    expected = PRIVATE_LINK_ZONES.get(sub_resource) or next(
        (zones for key, zones in PRIVATE_LINK_ZONES.items() if key.lower() == sub_resource.lower()), None
    )
    if expected is None:
        return None
    name = zone_name.lower().rstrip(".")
    return any(re.fullmatch(re.escape(zone.lower()).replace(r"\{geo\}", "[a-z0-9]+"), name) for zone in expected)
