"""Catalog of Azure public-cloud regions: canonical names, short codes and Azure's region pairs.

Kept as data so that configuration validation (data residency), naming and the region-specific
private DNS zones agree on one list. Short codes follow Azure's own region geo-codes (the ones in
``privatelink.<geo>.backup.windowsazure.com``), so they can name both resources and zones. Source: Azure "regions list" and "cross-region replication" documentation,
as of 2026-11. A region missing here is rejected by the configuration model; add it here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    """One Azure region: its ARM name, a short code used in resource names, and its pair."""

    name: str
    short: str
    pair: str | None


_REGIONS: tuple[Region, ...] = (
    Region("eastus", "eus", "westus"),
    Region("eastus2", "eus2", "centralus"),
    Region("westus", "wus", "eastus"),
    Region("westus2", "wus2", "westcentralus"),
    Region("westus3", "wus3", "eastus"),
    Region("centralus", "cus", "eastus2"),
    Region("northcentralus", "ncus", "southcentralus"),
    Region("southcentralus", "scus", "northcentralus"),
    Region("westcentralus", "wcus", "westus2"),
    Region("canadacentral", "cnc", "canadaeast"),
    Region("canadaeast", "cne", "canadacentral"),
    Region("brazilsouth", "brs", "southcentralus"),
    Region("brazilsoutheast", "bse", "brazilsouth"),
    Region("mexicocentral", "mxc", None),
    Region("northeurope", "ne", "westeurope"),
    Region("westeurope", "we", "northeurope"),
    Region("uksouth", "uks", "ukwest"),
    Region("ukwest", "ukw", "uksouth"),
    Region("francecentral", "frc", "francesouth"),
    Region("francesouth", "frs", "francecentral"),
    Region("germanywestcentral", "gwc", "germanynorth"),
    Region("germanynorth", "gn", "germanywestcentral"),
    Region("switzerlandnorth", "szn", "switzerlandwest"),
    Region("switzerlandwest", "szw", "switzerlandnorth"),
    Region("norwayeast", "nwe", "norwaywest"),
    Region("norwaywest", "nww", "norwayeast"),
    Region("swedencentral", "sdc", "swedensouth"),
    Region("swedensouth", "sds", "swedencentral"),
    Region("polandcentral", "plc", None),
    Region("italynorth", "itn", None),
    Region("spaincentral", "spc", None),
    Region("israelcentral", "ilc", None),
    Region("qatarcentral", "qac", None),
    Region("uaenorth", "uan", "uaecentral"),
    Region("uaecentral", "uac", "uaenorth"),
    Region("southafricanorth", "san", "southafricawest"),
    Region("southafricawest", "saw", "southafricanorth"),
    Region("eastasia", "ea", "southeastasia"),
    Region("southeastasia", "sea", "eastasia"),
    Region("japaneast", "jpe", "japanwest"),
    Region("japanwest", "jpw", "japaneast"),
    Region("koreacentral", "krc", "koreasouth"),
    Region("koreasouth", "krs", "koreacentral"),
    Region("australiaeast", "ae", "australiasoutheast"),
    Region("australiasoutheast", "ase", "australiaeast"),
    Region("australiacentral", "acl", "australiacentral2"),
    Region("australiacentral2", "acl2", "australiacentral"),
    Region("centralindia", "inc", "southindia"),
    Region("southindia", "ins", "centralindia"),
    Region("westindia", "inw", "southindia"),
    Region("jioindiawest", "jiw", "jioindiacentral"),
    Region("jioindiacentral", "jic", "jioindiawest"),
    Region("newzealandnorth", "nzn", None),
)

REGIONS: dict[str, Region] = {region.name: region for region in _REGIONS}


def normalize_region(value: str) -> str:
    """Return the ARM name for any common spelling: ``East US 2``, ``east-us-2``, ``EASTUS2``."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


def lookup_region(value: str) -> Region | None:
    """The catalog entry for a region in any common spelling, or None when it is not a real region."""
    return REGIONS.get(normalize_region(value))
