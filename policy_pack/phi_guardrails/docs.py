"""Render ``RULES.md``: every rule of the pack with its citation, severity, default enforcement and remediation,
the crosswalk to Azure Policy built-ins and Checkov checks, and coverage by service.

Run from the pack folder: ``python -m phi_guardrails.docs > RULES.md``. A test fails when the
committed file differs from what the pack itself says, so the document can never go stale. Rules come
from the discovered registry and services from the kinds catalog, so new modules and records appear
without editing this file.
"""

from __future__ import annotations

from collections.abc import Sequence

from phi_guardrails import PACK_NAME
from phi_guardrails.catalogs import benchmarks, kinds
from phi_guardrails.crosswalk import checks_by_id, cited, coverage, policies_by_id
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


def _escape(text: str) -> str:
    """Table-safe text from the benchmark data (names written by other projects)."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


def _policy(guid: str) -> str:
    name = policies_by_id().get(guid, {}).get("name", "")
    return f"`{guid}` {_escape(name)}".strip()


def _check(check_id: str) -> str:
    name = checks_by_id().get(check_id, {}).get("name", "")
    return f"`{check_id}` {_escape(name)}".strip()


def _crosswalk(rules: Sequence[ResourceRule | StackRule]) -> list[str]:
    data = benchmarks()
    lines = [
        "## Crosswalk to Azure Policy and Checkov",
        "",
        "For each rule, the Azure Policy built-in definitions and Checkov checks that enforce the same control, where one",
        f"exists (Azure/azure-policy at {data['azurePolicy']['commit'][:12]}, {data['azurePolicy']['date']}; "
        f"bridgecrewio/checkov at {data['checkov']['commit'][:12]}, {data['checkov']['date']}; "
        "regenerate `data/benchmarks.json` with `policy_pack/tools/benchmarks.py`).",
        "",
        "| Rule | Azure Policy built-in definitions | Checkov checks |",
        "| --- | --- | --- |",
    ]
    for rule in rules:
        policies = "<br>".join(_policy(guid) for guid in rule.azure_policy_ids) or "—"
        checks = "<br>".join(_check(check) for check in rule.checkov_ids) or "—"
        lines.append(f"| `{rule.id}` | {policies} | {checks} |")
    lines.append("")
    return lines


def _kinds() -> list[str]:
    """The kinds catalog the stack rules read, so a reader sees why a resource is held to them."""
    lines = [
        "## Resource kinds",
        "",
        "From `phi_guardrails/data/kinds/` (one file per service). PHI kinds must be logged to a workspace, reached",
        "privately and delete-locked; stateful kinds protected; CMK consumers' keys purge-protected and granted; each",
        "Defender plan named here must be Standard when its kind is present.",
        "",
        "| Kind | Service | Tokens | PHI | Stateful | CMK | Defender plan | Private link group IDs |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind in kinds():
        flags = ["yes" if flag else "—" for flag in (kind.holds_phi, kind.stateful, kind.cmk_consumer)]
        tokens = "<br>".join(f"`{token}`" for token in kind.tokens)
        groups = ", ".join(f"`{group}`" for group in kind.private_link_group_ids) or "—"
        lines.append(
            f"| `{kind.kind}` | {_escape(kind.service)} | {tokens} | {' | '.join(flags)} "
            f"| {kind.defender_plan or '—'} | {groups} |"
        )
    lines.append("")
    return lines


def _coverage(rules: Sequence[ResourceRule | StackRule]) -> list[str]:
    data = benchmarks()
    initiative = data["hipaaInitiative"]
    our_policies, our_checks = cited(rules)
    rows = coverage(rules)
    lines = [
        "## Coverage by service",
        "",
        f"Per service of the kinds catalog: our rules, and the controls the {initiative['name']} initiative "
        f"(`{initiative['id']}`) and Checkov have for that service, with how many a rule of this pack matches",
        "(services sharing an azure-native module share a row; modules a rule reads without a kind record get their own).",
        "",
        "| Service | Kinds | Rules | HITRUST/HIPAA initiative: matched / total | Checkov: matched / total |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        matched_policies = sum(1 for guid in row.initiative if guid in our_policies)
        matched_checks = sum(1 for check in row.checks if check in our_checks)
        lines.append(
            f"| {row.name} | {', '.join(row.kinds) or '—'} | {len(row.rules)} "
            f"| {matched_policies} / {len(row.initiative)} | {matched_checks} / {len(row.checks)} |"
        )
    lines += ["", "### Controls no rule matches yet", ""]
    for row in rows:
        policies = [guid for guid in row.initiative if guid not in our_policies]
        checks = [check for check in row.checks if check not in our_checks]
        if not policies and not checks:
            continue
        lines.append(f"- {row.name}:")
        lines += [f"  - initiative {_policy(guid)}" for guid in policies]
        lines += [f"  - Checkov {_check(check)}" for check in checks]
    lines.append("")
    return lines


def _nonprod(rule: ResourceRule | StackRule) -> list[str]:
    """The line saying a deletion-blocker rule is relaxed for non-production resources (``environment.py``)."""
    if not rule.nonprod_relaxable:
        return []
    settings = getattr(rule, "nonprod_settings", ())
    how = (
        "enforced with " + ", ".join(f"`{name}` {value}" for name, value in settings)
        if settings
        else "reported not applicable"
    )
    return [
        f"- Non-production: {how} for resources tagged `environmentClass` nonprod (or untagged in a stack tagged so) "
        "in a stack whose name has no production word; each relaxation is reported by `nonprod-relaxations`."
    ]


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
    lines += _crosswalk(rules)
    lines += _coverage(rules)
    lines += _kinds()
    lines += ["## Rules", ""]
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
                *_nonprod(rule),
                f"- Azure Policy: {', '.join(_policy(guid) for guid in rule.azure_policy_ids) or 'no built-in equivalent'}; "
                f"Checkov: {', '.join(_check(check) for check in rule.checkov_ids) or 'no equivalent check'}",
                "",
            ]
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
