"""The compliance report an auditor reads: every rule, every resource it checked, and the verdict.

Built from what the policy pack told the engine over the Analyzer protocol: each policy's HIPAA
citation (its compliance framework), the resource types it checks (its ``type:`` tags), its
violations, its "not applicable" verdicts (exemptions, with their reasons) and its "cannot verify at
preview" advisories. Statuses:

- ``pass``: the rule checked the resource and found nothing;
- ``fail``: a violation (mandatory or advisory, as enforced);
- ``exempted``: an active exemption, with its reason, approver and expiry;
- ``not verifiable at preview``: a value the rule needs is only known after apply.

Markdown by default; ``.html`` and ``.csv`` by the file's extension.
"""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from landing_zone.preview.engine import PreviewResult
from landing_zone.preview.recorder import Registration

PASS, FAIL, EXEMPTED, UNVERIFIABLE = "pass", "fail", "exempted", "not verifiable at preview"
CLASSIFICATION_TAGS = ("dataclassification", "data-classification", "data_classification", "classification")


@dataclass(frozen=True)
class Verdict:
    """One rule's verdict on one resource (or on the stack as a whole, with an empty URN)."""

    citation: str
    citation_title: str
    rule: str
    severity: str
    enforcement: str
    urn: str
    resource_type: str
    resource_name: str
    status: str
    detail: str


@dataclass
class ComplianceReport:
    project: str
    stack: str
    generated: str
    packs: list[str]
    verdicts: list[Verdict] = field(default_factory=list)
    phi_inventory: list[Registration] = field(default_factory=list)

    def counts(self, verdicts: list[Verdict] | None = None) -> dict[str, int]:
        totals = {PASS: 0, FAIL: 0, EXEMPTED: 0, UNVERIFIABLE: 0}
        for verdict in verdicts if verdicts is not None else self.verdicts:
            totals[verdict.status] += 1
        return totals


def canonical_type(token: str) -> str:
    """``azure-native:keyvault/v20230701:Vault`` -> ``azure-native:keyvault:Vault`` (the pack's own rule)."""
    parts = token.split(":")
    if len(parts) == 3 and parts[0] in ("azure-native", "azure-nextgen") and "/" in parts[1]:
        module, _, version = parts[1].partition("/")
        if version.startswith("v") and version[1:2].isdigit():
            return f"{parts[0]}:{module}:{parts[2]}"
    return token


def _is_checkable(registration: Registration) -> bool:
    return registration.custom and not registration.type.startswith("pulumi:")


def _specific(message: str, description: str) -> str:
    return message.removeprefix(description).strip() or description


def build(result: PreviewResult) -> ComplianceReport:
    """Turn a preview's verdicts into per-rule, per-resource statuses."""
    resources = [r for r in result.resources if _is_checkable(r)]
    report = ComplianceReport(
        project=result.run.project,
        stack=result.run.stack,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        packs=[f"{pack.name}@{pack.version}" for pack in result.packs],
        phi_inventory=[r for r in resources if _classification(r) == "phi"],
    )
    for pack in result.packs:
        disabled = {name for name, config in pack.config.items() if config.enforcement_level == "disabled"}
        by_key: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for diagnostic in pack.diagnostics:
            by_key[(diagnostic.policy, diagnostic.urn)].append(diagnostic)
        exemptions: dict[tuple[str, str], str] = {}
        for entry in pack.not_applicable:
            for urn, reason in _exempted_entries(entry.urn, entry.reason):
                exemptions[(entry.policy, urn)] = reason
        for policy in pack.policies:
            if policy.name in disabled:
                continue
            types = {tag.removeprefix("type:") for tag in policy.tags if tag.startswith("type:")}
            level = pack.config.get(policy.name).enforcement_level if policy.name in pack.config else "advisory"
            severity = {1: "low", 2: "medium", 3: "high", 4: "critical"}.get(policy.severity, "")

            rule = {
                "citation": policy.framework.reference,
                "citation_title": policy.framework.specification,
                "rule": policy.name,
                "severity": severity,
                "enforcement": level,
            }
            for resource in resources:
                if not ("*" in types or canonical_type(resource.type) in types):
                    continue
                status, detail = _status(
                    by_key.get((policy.name, resource.urn), []),
                    exemptions.get((policy.name, resource.urn)),
                    policy.description,
                )
                report.verdicts.append(
                    Verdict(
                        **rule,
                        urn=resource.urn,
                        resource_type=resource.type,
                        resource_name=resource.name,
                        status=status,
                        detail=detail,
                    )
                )
            stack_level = by_key.get((policy.name, ""), [])
            if stack_level or (policy.name, "") in exemptions or not types:
                status, detail = _status(stack_level, exemptions.get((policy.name, "")), policy.description)
                report.verdicts.append(
                    Verdict(**rule, urn="", resource_type="", resource_name="(stack)", status=status, detail=detail)
                )
    return report


def _status(diagnostics: list[Any], exemption: str | None, description: str) -> tuple[str, str]:
    failures = [d for d in diagnostics if "during preview" not in d.message]
    unknown = [d for d in diagnostics if "during preview" in d.message]
    if failures:
        return FAIL, " / ".join(_specific(d.message, description) for d in failures)
    if exemption:
        return EXEMPTED, exemption
    if unknown:
        return UNVERIFIABLE, unknown[0].message.split("during preview: ", 1)[-1]
    return PASS, ""


def _exempted_entries(urn: str, reason: str) -> list[tuple[str, str]]:
    """A resource rule's reason is about its own resource; a stack rule lists ``urn: reason`` pairs,
    or gives one reason for the whole stack (a subscription control delegated to its ``baselineStack``)."""
    if urn or not reason.startswith("urn:pulumi:"):
        return [(urn, reason)]
    pairs = []
    for part in reason.split("; urn:pulumi:"):
        text = part if part.startswith("urn:pulumi:") else f"urn:pulumi:{part}"
        target, _, detail = text.partition(": exempted")
        pairs.append((target, f"exempted{detail}"))
    return pairs


def _classification(registration: Registration) -> str | None:
    tags = registration.inputs.get("tags")
    if not isinstance(tags, dict):
        return None
    for key, value in tags.items():
        if key.lower() in CLASSIFICATION_TAGS and isinstance(value, str):
            return value.lower()
    return None


def render_markdown(report: ComplianceReport) -> str:
    lines = [
        f"# HIPAA Security Rule compliance report: {report.project} / {report.stack}",
        "",
        f"Generated {report.generated} by an offline `pulumi preview` with policy packs {', '.join(report.packs)}.",
        "Statuses: **pass** (checked, compliant), **fail** (violation), **exempted** (written exemption with expiry),",
        "**not verifiable at preview** (the value is only known after deployment; re-checked by `pulumi up`).",
        "",
        "## Summary by safeguard",
        "",
        "| Citation | Safeguard | Rules | Pass | Fail | Exempted | Not verifiable |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    grouped = _by_citation(report)
    for (citation, title), verdicts in grouped.items():
        totals = report.counts(verdicts)
        rules = len({v.rule for v in verdicts})
        lines.append(
            f"| {citation} | {title} | {rules} | {totals[PASS]} | {totals[FAIL]} | {totals[EXEMPTED]} | {totals[UNVERIFIABLE]} |"
        )
    totals = report.counts()
    lines += [
        "",
        f"Overall: {totals[PASS]} pass, {totals[FAIL]} fail, {totals[EXEMPTED]} exempted, {totals[UNVERIFIABLE]} not verifiable.",
        "",
    ]
    for (citation, title), verdicts in grouped.items():
        lines += [f"## {citation}: {title}", ""]
        for rule in sorted({v.rule for v in verdicts}):
            rule_verdicts = [v for v in verdicts if v.rule == rule]
            first = rule_verdicts[0]
            lines += [
                f"### `{rule}` ({first.severity or 'unrated'}, {first.enforcement})",
                "",
                "| Resource | Type | Status | Detail |",
                "| --- | --- | --- | --- |",
            ]
            lines += [
                f"| {_md(v.resource_name)} | {_md(v.resource_type)} | {v.status} | {_md(v.detail)} |"
                for v in rule_verdicts
            ]
            lines.append("")
    lines += [
        "## Inventory of PHI-classified resources",
        "",
        "| Name | Type | Location | URN |",
        "| --- | --- | --- | --- |",
    ]
    for resource in report.phi_inventory:
        location = resource.inputs.get("location", "")
        lines.append(
            f"| {_md(resource.name)} | {resource.type} | {location if isinstance(location, str) else ''} | {_md(resource.urn)} |"
        )
    if not report.phi_inventory:
        lines.append("| (none) | | | |")
    return "\n".join(lines) + "\n"


def render_csv(report: ComplianceReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "citation",
            "safeguard",
            "rule",
            "severity",
            "enforcement",
            "resource_urn",
            "resource_type",
            "resource_name",
            "status",
            "detail",
        ]
    )
    for v in report.verdicts:
        writer.writerow(
            [
                v.citation,
                v.citation_title,
                v.rule,
                v.severity,
                v.enforcement,
                v.urn,
                v.resource_type,
                v.resource_name,
                v.status,
                v.detail,
            ]
        )
    return buffer.getvalue()


def render_html(report: ComplianceReport) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>HIPAA compliance report: {html.escape(report.project)} / {html.escape(report.stack)}</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}"
        ".fail{background:#fdd}.pass{background:#dfd}.exempted{background:#ffd}.unverifiable{background:#eee}</style>",
        "</head><body>",
        f"<h1>HIPAA Security Rule compliance report: {html.escape(report.project)} / {html.escape(report.stack)}</h1>",
        f"<p>Generated {html.escape(report.generated)} with policy packs {html.escape(', '.join(report.packs))}.</p>",
    ]
    for (citation, title), verdicts in _by_citation(report).items():
        parts.append(f"<h2>{html.escape(citation)}: {html.escape(title)}</h2>")
        parts.append("<table><tr><th>Rule</th><th>Resource</th><th>Type</th><th>Status</th><th>Detail</th></tr>")
        for v in verdicts:
            css = "unverifiable" if v.status == UNVERIFIABLE else v.status
            parts.append(
                f"<tr class='{css}'><td>{html.escape(v.rule)}</td><td>{html.escape(v.resource_name)}</td>"
                f"<td>{html.escape(v.resource_type)}</td><td>{html.escape(v.status)}</td><td>{html.escape(v.detail)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Inventory of PHI-classified resources</h2><table><tr><th>Name</th><th>Type</th><th>URN</th></tr>")
    parts += [
        f"<tr><td>{html.escape(r.name)}</td><td>{html.escape(r.type)}</td><td>{html.escape(r.urn)}</td></tr>"
        for r in report.phi_inventory
    ]
    parts.append("</table></body></html>")
    return "\n".join(parts) + "\n"


def write(result: PreviewResult, path: str | Path) -> ComplianceReport:
    """Build the report and write it in the format the file name asks for (.md, .html/.htm, .csv)."""
    report = build(result)
    target = Path(path)
    suffix = target.suffix.lower()
    text = (
        render_html(report)
        if suffix in (".html", ".htm")
        else render_csv(report)
        if suffix == ".csv"
        else render_markdown(report)
    )
    target.write_text(text, encoding="utf-8")
    return report


def _by_citation(report: ComplianceReport) -> dict[tuple[str, str], list[Verdict]]:
    grouped: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
    for verdict in report.verdicts:
        grouped[(verdict.citation, verdict.citation_title)].append(verdict)
    return dict(sorted(grouped.items()))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
