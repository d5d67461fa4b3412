"""Which private DNS zones a private endpoint for each sub-resource (group ID) must register in.

The table is data (``data/private_link_zones.json``, from Microsoft's "Azure Private Endpoint private DNS
zone values" page), one entry per sub-resource the kinds catalog offers. Kept inside the pack so it stays
self-contained; a test keeps the landing zone's own zones equal to these. A ``{placeholder}`` in a zone
name stands for one DNS label (a region name or geo-code, a managed instance's DNS prefix).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_DATA = json.loads((Path(__file__).resolve().parent / "data" / "private_link_zones.json").read_text("utf-8"))
SOURCE: str = _DATA["source"]
PRIVATE_LINK_ZONES: dict[str, tuple[str, ...]] = {group: tuple(zones) for group, zones in _DATA["zones"].items()}
_PLACEHOLDER = re.compile(r"\\\{[A-Za-z]+\\\}")


def _zone_pattern(zone: str) -> str:
    """A zone name as a regular expression: each placeholder matches one DNS label."""
    return _PLACEHOLDER.sub("[a-z0-9-]+", re.escape(zone.lower()))


def zone_matches(sub_resource: str, zone_name: str) -> bool | None:
    """Whether ``zone_name`` is a right zone for ``sub_resource``; None when the sub-resource is not catalogued."""
    expected = PRIVATE_LINK_ZONES.get(sub_resource) or next(
        (zones for key, zones in PRIVATE_LINK_ZONES.items() if key.lower() == sub_resource.lower()), None
    )
    if expected is None:
        return None
    name = zone_name.lower().rstrip(".")
    return any(re.fullmatch(_zone_pattern(zone), name) for zone in expected)
