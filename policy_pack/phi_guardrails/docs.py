"""Render ``RULES.md``: every rule of the pack with its citation, severity, default enforcement and remediation.

Run from the pack folder: ``python -m phi_guardrails.docs > RULES.md``. A test fails when the
committed file differs from what the pack itself says, so the document can never go stale.
"""

from __future__ import annotations

from phi_guardrails import PACK_NAME
from phi_guardrails.framework import ResourceRule, StackRule
from phi_guardrails.rules import RULES, STACK_RULES


def _types(rule: ResourceRule | StackRule) -> str:
    if "*" in rule.resource_types:
        return "every resource type"
    return "<br>".join(f"`{token}`" for token in rule.resource_types) or "(whole stack)"


def _config(rule: ResourceRule | StackRule) -> str:
    """The rule's own settings as published (``exemptions`` is described once, above the table)."""
    properties = {name: spec for name, spec in rule.schema().properties.items() if name != "exemptions"}
    if not properties:
        return "—"
    return "<br>".join(
        f"`{name}` (default {spec.get('default', 'unset')})" for name, spec in sorted(properties.items())
    )


def render() -> str:
    """The Markdown document, generated from the rule objects the pack enforces."""
    lines = [
        f"# {PACK_NAME}: rules",
        "",
        "Generated from the pack by `python -m phi_guardrails.docs` (run in `policy_pack/`); do not edit by hand.",
        "Every rule cites the HIPAA Security Rule (45 CFR Part 164 Subpart C) paragraph it implements.",
        "Mandatory rules block `pulumi up`; advisory rules warn. Override per rule with `--policy-pack-config`.",
        "Every rule also takes `exemptions`: a list of `{resource, reason, expires, approvedBy}` (resource is a URN",
        "or a glob on URN or name; reason at least 20 characters; expires YYYY-MM-DD). An active exemption turns the",
        "violation into a 'not applicable' verdict with its reason; an expired one enforces the rule again.",
        "",
        "| Rule | Kind | Citation | Severity | Default | Resource types | Settings |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    rules: list[ResourceRule | StackRule] = [*RULES, *STACK_RULES]
    for rule in rules:
        kind = "resource" if isinstance(rule, ResourceRule) else "stack"
        lines.append(
            f"| `{rule.id}` | {kind} | {rule.citation.reference} ({rule.citation.title}) | {rule.severity.value} "
            f"| {rule.enforcement.value} | {_types(rule)} | {_config(rule)} |"
        )
    lines.append("")
    for rule in rules:
        related = ", ".join(citation.reference for citation in rule.related)
        lines.extend(
            [
                f"## `{rule.id}`",
                "",
                rule.description,
                "",
                f"- Citation: {rule.citation.reference}, {rule.citation.title}"
                + (f"; related: {related}" if related else ""),
                f"- Severity: {rule.severity.value}; default enforcement: {rule.enforcement.value}",
                f"- Remediation: {rule.remediation}",
                "",
            ]
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
