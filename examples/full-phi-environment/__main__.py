"""Everything from one validated config: the LandingZone composition and its inventory as stack outputs."""

import pulumi

from landing_zone.composition import LandingZone
from landing_zone.config import parse_config

config = parse_config(
    pulumi.Config().require_object("landingZone"), source=f"Pulumi.{pulumi.get_stack()}.yaml: landingZone"
)
zone = LandingZone("phi", config)
for name, value in zone.outputs.items():
    pulumi.export(name, value)
