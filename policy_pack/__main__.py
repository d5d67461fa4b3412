"""Entry point the Pulumi CLI runs: ``pulumi preview --policy-pack policy_pack``.

Self-contained on purpose: it imports only pulumi-policy and its own ``phi_guardrails`` package,
so any team can point their stack at this folder or publish it with ``pulumi policy publish``.
"""

from phi_guardrails import PACK_DESCRIPTION, PACK_NAME, all_policies
from phi_guardrails.conversion_cache import install
from pulumi_policy import EnforcementLevel, PolicyPack

install()  # the SDK converts a resource's properties once per call instead of once per policy
PolicyPack(
    name=PACK_NAME,
    description=PACK_DESCRIPTION,
    display_name="Azure PHI guardrails (HIPAA Security Rule)",
    provider="azure",
    tags=["hipaa", "azure", "phi", "security"],
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=all_policies(),
)
