"""A pack whose rule crashes with an input value in its exception: the preview's error must not print it."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def crash(args, report_violation):
    if "administratorLoginPassword" in args.props:
        raise ValueError(f"cannot handle {args.props['administratorLoginPassword']}")


PolicyPack(
    name="crashing-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="crash", description="Crashes.", validate=crash)],
)
