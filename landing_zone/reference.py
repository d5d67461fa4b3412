"""The reference landing zone: what the root ``Pulumi.yaml`` program builds from one `LandingZoneConfig`.

It is the `LandingZone` composition (see `landing_zone.composition` for what it builds and in which
order) and the stack outputs a workload team needs.
"""

from __future__ import annotations

from typing import Any

from landing_zone.composition import LandingZone
from landing_zone.config import LandingZoneConfig

#: Logical name of the composition: part of every URN below it. Keep it stable.
LANDING_ZONE_NAME = "phi"


def build(config: LandingZoneConfig) -> dict[str, Any]:
    """Register the landing zone's resources and return the outputs a workload team needs."""
    return LandingZone(LANDING_ZONE_NAME, config).outputs
