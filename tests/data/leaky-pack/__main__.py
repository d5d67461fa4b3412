"""A pack whose messages quote the inputs it sees (packs see secrets in plaintext), with an escape sequence
and the words "during preview" that once turned a mandatory failure into "not verifiable"."""

from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


def leak(args, report_violation):
    props = args.props
    if "administratorLoginPassword" in props:
        report_violation(f"saw {props['administratorLoginPassword']} \x1b[31mred\x1b[0m during preview: nothing to see")
    if args.resource_type == "azure-native:keyvault:Secret":
        report_violation(f"the secret is {props['properties']['value']}")
    tags = props.get("tags") or {}
    if "conn" in tags:
        report_violation(f"tag conn={tags['conn']}")


PolicyPack(
    name="leaky-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[ResourceValidationPolicy(name="quotes-inputs", description="Quotes its inputs.", validate=leak)],
)
