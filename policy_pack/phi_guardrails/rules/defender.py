"""Microsoft Defender for Cloud: a declared plan must be the Standard tier (Free detects nothing).

Types read: ``azure-native:security:Pricing`` (any API version) and the classic provider's
``azure:securitycenter/subscriptionPricing:SubscriptionPricing``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.framework import ResourceRule, ResourceView, Target, equals_ignoring_case

NATIVE_PRICING = ("azure-native:security:Pricing",)
CLASSIC_PRICING = ("azure:securitycenter/subscriptionPricing:SubscriptionPricing",)


def _tier(path: str) -> Callable[[ResourceView], Iterable[str]]:
    def check(pricing: ResourceView) -> Iterable[str]:
        if not equals_ignoring_case(pricing.get(path), "Standard"):
            yield f"the Defender plan is not on the Standard tier ({path}); the Free tier raises no threat alerts"

    return check


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="defender-plan-standard",
        azure_policy_ids=("a1181c5f-672a-477a-979a-7d58aa086233",),
        checkov_ids=("CKV_AZURE_19",),
        description="Microsoft Defender plans protecting PHI resources must run at the Standard tier.",
        citation=citations.INCIDENT_PROCEDURES,
        related=(citations.ACTIVITY_REVIEW,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set pricingTier='Standard' (azure-native) or tier='Standard' (classic) for the plan.",
        targets=(Target(NATIVE_PRICING, _tier("pricingTier")), Target(CLASSIC_PRICING, _tier("tier"))),
    ),
)
