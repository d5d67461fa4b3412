"""The reference landing-zone program that ``Pulumi.yaml`` points at (``main: landing_zone/program``).

Reads the ``landingZone`` object from stack config, validates all of it before registering
anything, and builds the landing zone. Invalid config stops the run with every problem listed.
"""

import pulumi

from landing_zone.config import parse_config
from landing_zone.reference import build

raw_config = pulumi.Config().get_object("landingZone")
if raw_config is None:
    raise pulumi.RunError(
        f"stack config has no 'landingZone' object; see Pulumi.dev.yaml for a complete example "
        f"(stack: {pulumi.get_stack()})"
    )
config = parse_config(raw_config, source=f"Pulumi.{pulumi.get_stack()}.yaml: landingZone")
for output_name, value in build(config).items():
    pulumi.export(output_name, value)
