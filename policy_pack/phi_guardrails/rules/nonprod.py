"""The report of every non-production relaxation: a weakening must be visible wherever the verdict is read.

Rules marked ``nonprod_relaxable`` (protect, delete locks, the Key Vault soft-delete window, an immutable
log archive) are relaxed for resources that `phi_guardrails.environment.decide` declares non-production.
This advisory rule reports one violation per relaxed resource, naming the rules relaxed there and why
(the tag, the stack name), so the relaxation shows as a warning under ``pulumi preview`` and as a
weakening (published tag ``weakening``) in the offline preview's console, JSON and reports.

Making this rule ``mandatory`` in the pack config forbids the relaxation: every resource that would be
relaxed then blocks the deployment, naming the rules it would escape.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.environment import decide
from phi_guardrails.framework import ResourceRule, StackContext, StackRule, canonical_type

RULE_ID = "nonprod-relaxations"


def relaxable_rules() -> list[ResourceRule | StackRule]:
    """The pack's rules marked ``nonprod_relaxable``, read from the registry when a stack is analysed.

    Imported here, not at module level: the registry imports this module while it discovers rules.
    """
    from phi_guardrails.rules import RULES, STACK_RULES

    return [rule for rule in (*RULES, *STACK_RULES) if rule.nonprod_relaxable]


def _covers(rule: ResourceRule | StackRule, resource_type: str) -> bool:
    if isinstance(rule, ResourceRule):
        return rule.target_for(resource_type) is not None
    return canonical_type(resource_type) in rule.resource_types


def _how(rule: ResourceRule | StackRule) -> str:
    settings = getattr(rule, "nonprod_settings", ())
    if settings:
        return f"{rule.id} (with {', '.join(f'{name} {value}' for name, value in settings)})"
    return rule.id


def _relaxations(context: StackContext) -> Iterable[tuple[str, str]]:
    rules = relaxable_rules()
    for resource in context.resources:
        relaxed = [rule for rule in rules if _covers(rule, resource.type)]
        if not relaxed:
            continue
        relaxation = decide(resource.urn, resource.view.props, context.stack_tags)
        if relaxation.applies:
            yield (
                resource.urn,
                f"relaxed for a non-production stack on this resource: {', '.join(_how(rule) for rule in relaxed)}"
                f"\nreason: {relaxation.why} (make '{RULE_ID}' mandatory in the policy pack config to forbid it)",
            )


STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        id=RULE_ID,
        description=(
            "Reports each resource of a non-production stack on which deletion blockers (protect, delete locks, the "
            "Key Vault soft-delete window, log-archive immutability) are relaxed, so `pulumi destroy` completes. "
            "Relaxed only for a resource tagged environmentClass nonprod (or untagged in a stack tagged so) in a stack "
            "whose name has no production word (prod, production, prd, live). Mandatory forbids the relaxation."
        ),
        citation=citations.DATA_BACKUP_PLAN,
        related=(citations.INTEGRITY,),
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation=(
            "Nothing to do for a stack that is really non-production. For a stack that holds PHI, tag it and its "
            "resources environmentClass prod (landing zone: environmentClass: prod), or name it as production; to "
            "forbid relaxations for a whole organisation, set this rule to mandatory in the policy group's config."
        ),
        check=_relaxations,
        reports_weakenings=True,
    ),
)
