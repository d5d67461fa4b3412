"""HIPAA Security Rule guardrails for Azure, as Pulumi policies.

`all_policies()` returns one Pulumi policy per rule in `RULES`. Every rule cites the HIPAA
safeguard it implements (`citations.py`), has a severity, a default enforcement level and
remediation steps, and reads resources written with azure-native (any API version) or the
classic azure provider.
"""

from __future__ import annotations

from pulumi_policy import Policy

from phi_guardrails.framework import ResourceRule, StackRule
from phi_guardrails.rules import RULES, STACK_RULES

PACK_NAME = "azure-phi-guardrails"
PACK_DESCRIPTION = "HIPAA Security Rule guardrails for Azure resources that hold or protect PHI."


def all_policies() -> list[Policy]:
    """Every rule of the pack as a Pulumi policy, in a stable order: resource rules, then stack rules."""
    return [rule.to_policy() for rule in RULES] + [rule.to_policy() for rule in STACK_RULES]


__all__ = ["PACK_DESCRIPTION", "PACK_NAME", "RULES", "STACK_RULES", "ResourceRule", "StackRule", "all_policies"]
