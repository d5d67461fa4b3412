"""Data the governance rules read, shipped inside the pack: the BAA service catalog, regions, taggable types."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from phi_guardrails.framework import canonical_type

_DATA = Path(__file__).resolve().parent / "data"

#: US public-cloud regions: the default data-residency boundary for US PHI.
US_REGIONS = (
    "eastus",
    "eastus2",
    "centralus",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "westus",
    "westus2",
    "westus3",
)
#: Resource types that accept tags even when a program sets none (so a missing tag set is visible).
CORE_TAGGABLE_TYPES = frozenset(
    {
        "azure-native:resources:ResourceGroup",
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:Key",
        "azure-native:storage:StorageAccount",
        "azure-native:sql:Server",
        "azure-native:sql:Database",
        "azure-native:dbforpostgresql:Server",
        "azure-native:operationalinsights:Workspace",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:network:VirtualNetwork",
        "azure-native:network:NetworkSecurityGroup",
        "azure-native:network:PrivateEndpoint",
        "azure-native:network:PublicIPAddress",
        "azure-native:network:AzureFirewall",
        "azure-native:dataprotection:BackupVault",
        "azure-native:recoveryservices:Vault",
        "azure:core/resourceGroup:ResourceGroup",
        "azure:keyvault/keyVault:KeyVault",
        "azure:storage/account:Account",
        "azure:mssql/server:Server",
        "azure:postgresql/flexibleServer:FlexibleServer",
    }
)


@cache
def baa_catalog() -> dict[str, Any]:
    """The versioned catalog of services covered by Microsoft's HIPAA BAA (see its ``source`` and ``reviewed``)."""
    return json.loads((_DATA / "baa_services.json").read_text(encoding="utf-8"))


def service_module(resource_type: str) -> str | None:
    """``azure-native:storage:StorageAccount`` -> ``storage``; ``azure:storage/account:Account`` -> ``storage``."""
    parts = canonical_type(resource_type).split(":")
    if len(parts) != 3 or parts[0] not in ("azure-native", "azure"):
        return None
    return parts[1].split("/")[0].lower()


def covered_service(resource_type: str, additions: list[str] | tuple[str, ...] = ()) -> str | None:
    """The BAA-covered service a resource type belongs to, or None when it is not in the catalog."""
    module = service_module(resource_type)
    if module is None:
        return None
    for service in baa_catalog()["services"]:
        if module in service["modules"]:
            return str(service["name"])
    for addition in additions:
        if resource_type.startswith(addition) or module == addition.lower():
            return f"{addition} (catalog addition)"
    return None
