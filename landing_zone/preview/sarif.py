"""SARIF 2.1.0 for GitHub code scanning and any SARIF viewer: ``landing-zone preview --report findings.sarif``.

One run of one tool (``landing-zone``). Its rules are the packs' policies, each with its HIPAA
citation, description, remediation and severity (``properties.security-severity``, which GitHub
uses to rank alerts). Results are what a reviewer acts on:

- a failed rule (``level`` ``error`` when mandatory, ``warning`` when advisory);
- a value the rule could not verify at preview (``note``; ``properties.status`` ``unverifiable``);
- an exempted resource (the failure, carried with an accepted ``external`` suppression and its reason);
- a value Azure would reject (``error``, rule ``azure-rejects/<constraint>``);
- a weakening of the gate (``warning``, rule ``gate-weakening/<kind>``; ``properties.weakening``);
- a remediation a pack applied (``note``, rule ``policy-remediation/<pack>/<policy>``): the program as
  written does not comply, and what Azure receives differs from it. The message names the property
  paths changed, never the values; SARIF's ``fixes`` (§3.55) describe edits to a source file, which a
  remediation is not.

Every result is ``kind: fail``. SARIF 2.1.0 §3.27.9: "If level has any value other than "none" and kind
is present, then kind SHALL have the value "fail"" (and §3.27.10: any other kind forces ``level: none``).
GitHub code scanning filters alerts by a result's ``level`` and uses only the properties its "SARIF support
for code scanning" page lists, ``kind`` not among them (docs.github.com/code-security), so ``kind: review``
at ``level: none`` would strip an unverifiable value or a weakening of the severity a reviewer filters on. Each is a problem the
gate did not clear, so it is a ``fail`` at ``note`` or ``warning`` level; what sets it apart stays in the
result's properties.

Each result's location is where the program constructed the resource: the SDK sends that
``sourcePosition`` with every registration (``Registration.source_uri``/``source_line``). Paths
under the working directory are written relative to ``%SRCROOT%`` so code scanning links them to
the pull request's files; the resource itself is the result's logical location (its URN).

Built from the same scrubbed `ComplianceReport` as the other formats; no secret reaches it.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from landing_zone.preview.compliance import EXEMPTED, FAIL, UNVERIFIABLE, ComplianceReport, Rule, Verdict
from landing_zone.preview.engine import PreviewResult
from landing_zone.preview.redact import without_controls

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: GitHub ranks code-scanning alerts by this property (0.1-10): critical > 9, high 7-8.9, medium 4-6.9, low < 4.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "": "5.0"}
_SRCROOT = "%SRCROOT%"


def render(report: ComplianceReport, result: PreviewResult | None = None) -> str:
    return json.dumps(without_controls(document(report, result)), indent=2, ensure_ascii=False) + "\n"


def document(report: ComplianceReport, result: PreviewResult | None = None) -> dict[str, Any]:
    """The SARIF log as JSON data."""
    root = Path.cwd()
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}

    def rule_index(descriptor: dict[str, Any]) -> int:
        if descriptor["id"] not in index:
            index[descriptor["id"]] = len(rules)
            rules.append(descriptor)
        return index[descriptor["id"]]

    for rule in report.rules:
        rule_index(_rule(rule))
    results: list[dict[str, Any]] = []
    fallback = _physical(report.project_file, 1, root) if report.project_file else None
    for rule in report.rules:
        for verdict in rule.verdicts:
            if verdict.status in (FAIL, UNVERIFIABLE, EXEMPTED):
                results.append(_result(rule, verdict, index[rule.name], root, fallback))
    resources = {r.urn: r for r in (result.resources if result is not None else [])}
    for rejection in report.rejections:
        constraint = rejection.get("constraint", "") or "constraint"
        position = rule_index(
            {
                "id": f"azure-rejects/{constraint}",
                "name": "AzureWouldReject",
                "shortDescription": {"text": f"Azure would reject this value ({constraint})"},
                "fullDescription": {"text": "Azure Resource Manager or the azure-native provider refuses this value."},
                "help": {"text": rejection.get("reference", "") or "See the constraint's Microsoft reference."},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["azure", "deployment"], "reference": rejection.get("reference", "")},
            }
        )
        urn = rejection.get("urn", "")
        message = f"{rejection.get('property', '')}: {rejection.get('message', '')}".strip(": ")
        results.append(
            {
                "ruleId": f"azure-rejects/{constraint}",
                "ruleIndex": position,
                "level": "error",
                "kind": "fail",
                "message": {"text": message or "Azure would reject this deployment"},
                "locations": [_location(urn, resources.get(urn), root, fallback)],
                "partialFingerprints": {"landingZone/v1": _fingerprint("azure-rejects", constraint, urn, message)},
            }
        )
    for weakening in report.weakenings:
        kind = weakening.get("kind", "") or "weakening"
        position = rule_index(
            {
                "id": f"gate-weakening/{kind}",
                "name": "GateWeakening",
                "shortDescription": {"text": f"The policy gate is weakened ({kind})"},
                "fullDescription": {
                    "text": "An exemption, lowered or disabled rule, date override or waiver in code: "
                    "the preview passes something the pack as shipped would not pass."
                },
                "help": {"text": "Check the reason and approver; remove the weakening when it is no longer needed."},
                "defaultConfiguration": {"level": "warning"},
                "properties": {"tags": ["gate", "weakening"]},
            }
        )
        # a waiver is written in a resource's tags (GATE's source reads "tags of <urn>"): point at that resource
        source = weakening.get("source", "")
        urn = source.removeprefix("tags of ") if source.startswith("tags of urn:") else ""
        text = "; ".join(
            f"{label}: {weakening[key]}"
            for key, label in (
                ("policy", "rule"),
                ("target", "target"),
                ("detail", "detail"),
                ("reason", "reason"),
                ("approver", "approver"),
                ("source", "source"),
            )
            if weakening.get(key)
        )
        results.append(
            {
                "ruleId": f"gate-weakening/{kind}",
                "ruleIndex": position,
                "level": "warning",
                "kind": "fail",  # §3.27.9: a level other than "none" takes kind "fail"
                "message": {"text": text or kind},
                "locations": [_location(urn, resources.get(urn), root, fallback)],
                "partialFingerprints": {"landingZone/v1": _fingerprint("gate-weakening", kind, text)},
                "properties": {"weakening": kind},
            }
        )
    for remediation in report.remediations:
        rule_id = f"policy-remediation/{remediation['pack'].rsplit('@', 1)[0]}/{remediation['policy']}"
        position = rule_index(
            {
                "id": rule_id,
                "name": "PolicyRemediation",
                "shortDescription": {"text": f"A policy pack changed this resource's inputs ({remediation['policy']})"},
                "fullDescription": {
                    "text": "A remediate-level policy replaced inputs before the packs judged the resource: Azure "
                    "receives the remediated values, not the ones the program wrote."
                },
                "help": {"text": "Write the remediated values in the program, or accept the remediation."},
                "defaultConfiguration": {"level": "note"},
                "properties": {"tags": ["policy", "remediation"], "policyPack": remediation["pack"]},
            }
        )
        urn = remediation["urn"]
        text = (
            f"{remediation['resource']}: {remediation['pack']} remediation '{remediation['policy']}' changed "
            f"{remediation['changed']}; Azure receives the remediated values, not the program's"
        )
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": position,
                "level": "note",
                "kind": "fail",
                "message": {"text": text},
                "locations": [_location(urn, resources.get(urn), root, fallback)],
                "partialFingerprints": {
                    "landingZone/v1": _fingerprint("policy-remediation", rule_id, urn, remediation["changed"])
                },
                "properties": {"changed": remediation["changed"], "policyPack": remediation["pack"]},
            }
        )
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "landing-zone",
                        "version": _version(),
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {_SRCROOT: {"uri": root.as_uri() + "/"}},
                "automationDetails": {"id": f"landing-zone-preview/{report.project}/{report.stack}/"},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "properties": {"provenance": dict(report.provenance)},
                    }
                ],
                "results": results,
                "properties": {"project": report.project, "stack": report.stack, "verdict": report.verdict},
            }
        ],
    }


def _rule(rule: Rule) -> dict[str, Any]:
    level = "error" if rule.enforcement == "mandatory" else ("warning" if rule.enforcement == "advisory" else "note")
    citation = f"{rule.citation} {rule.citation_title}".strip()
    help_text = f"{rule.remediation}\n\nHIPAA Security Rule: {citation}." if rule.remediation else f"HIPAA: {citation}."
    descriptor: dict[str, Any] = {
        "id": rule.name,
        "name": "".join(part.title() for part in rule.name.replace("_", "-").split("-")) or rule.name,
        "shortDescription": {"text": rule.description or rule.name},
        "fullDescription": {"text": f"{rule.description} ({citation})".strip()},
        "help": {"text": help_text, "markdown": _help_markdown(rule, citation)},
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": ["security", "hipaa", rule.citation],
            "security-severity": SECURITY_SEVERITY.get(rule.severity, "5.0"),
            "precision": "very-high",
            "problem.severity": "error" if rule.severity in ("critical", "high") else "warning",
            "citation": rule.citation,
            "safeguard": rule.citation_title,
            "severity": rule.severity,
            "enforcement": rule.enforcement,
            "remediation": rule.remediation,
            "policyPack": rule.pack,
        },
    }
    if rule.url:
        descriptor["helpUri"] = rule.url
    elif rule.citation.startswith("45 CFR "):
        descriptor["helpUri"] = _ecfr(rule.citation)
    return descriptor


def _help_markdown(rule: Rule, citation: str) -> str:
    """GitHub renders this in the alert; the text is the pack's, escaped so it cannot add links or HTML."""
    from landing_zone.preview.compliance import md

    lines = [f"**{md(rule.description)}**", "", f"HIPAA Security Rule: {md(citation)}"]
    if rule.remediation:
        lines += ["", f"Remediation: {md(rule.remediation)}"]
    lines += ["", f"Severity {md(rule.severity or 'unrated')}, enforcement {md(rule.enforcement)}."]
    return "\n".join(lines)


def _ecfr(citation: str) -> str:
    """The eCFR page of a 45 CFR section (``45 CFR 164.312(a)(1)`` -> section 164.312)."""
    section = citation.removeprefix("45 CFR ").split("(", 1)[0].strip()
    return f"https://www.ecfr.gov/current/title-45/section-{section}"


def _result(rule: Rule, verdict: Verdict, position: int, root: Path, fallback: dict[str, Any] | None) -> dict[str, Any]:
    level = "error" if rule.enforcement == "mandatory" else "warning"
    where = verdict.azure_name or verdict.resource_name
    label = verdict.resource_id or (f"{verdict.resource_type} '{where}'" if verdict.urn else "the stack")
    entry: dict[str, Any] = {
        "ruleId": rule.name,
        "ruleIndex": position,
        "level": level,
        "kind": "fail",
        "message": {"text": f"{label}: {verdict.detail or rule.description}"},
        "locations": [_location_from_verdict(verdict, root, fallback)],
        "partialFingerprints": {"landingZone/v1": _fingerprint(rule.name, verdict.urn)},
        "properties": {
            "status": verdict.status,
            "resourceType": verdict.resource_type,
            "azureName": verdict.azure_name,
            "resourceId": verdict.resource_id,
            "evidence": {path: value for path, value in verdict.evidence},
        },
    }
    if verdict.status == UNVERIFIABLE:
        entry["level"] = "note"  # kind stays "fail" (§3.27.9); properties.status says it awaits review
        entry["message"] = {"text": f"{label}: not verifiable at preview: {verdict.detail}"}
    elif verdict.status == EXEMPTED:
        entry["message"] = {"text": f"{label}: exempted from '{rule.name}': {rule.description}"}
        entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": verdict.detail}]
    return entry


def _location_from_verdict(verdict: Verdict, root: Path, fallback: dict[str, Any] | None) -> dict[str, Any]:
    """Where the program built the resource; the project file for a stack-wide verdict or when the SDK sent none."""
    location: dict[str, Any] = {}
    path, _, line = verdict.source.rpartition(":")
    if path and line.isdigit() and int(line) > 0:
        location["physicalLocation"] = _physical(path, int(line), root)
    elif fallback is not None:
        location["physicalLocation"] = fallback
    logical = {"name": verdict.resource_name, "kind": "resource"}
    if verdict.urn:
        logical["fullyQualifiedName"] = verdict.urn
    location["logicalLocations"] = [logical]
    return location


def _location(urn: str, registration: Any, root: Path, fallback: dict[str, Any] | None) -> dict[str, Any]:
    location: dict[str, Any] = {}
    uri = getattr(registration, "source_uri", "") if registration is not None else ""
    line = getattr(registration, "source_line", 0) if registration is not None else 0
    if uri and line > 0:
        location["physicalLocation"] = _physical(uri.removeprefix("file://"), line, root)
    elif fallback is not None:
        location["physicalLocation"] = fallback
    if urn:
        location["logicalLocations"] = [
            {"name": urn.rsplit("::", 1)[-1], "fullyQualifiedName": urn, "kind": "resource"}
        ]
    else:
        location["logicalLocations"] = [{"name": "(stack)", "kind": "module"}]
    return location


def _physical(path: str, line: int, root: Path) -> dict[str, Any]:
    file = Path(path)
    if not file.is_absolute():
        file = root / file
    if file.is_relative_to(root):
        artifact = {"uri": file.relative_to(root).as_posix(), "uriBaseId": _SRCROOT}
    else:
        artifact = {"uri": file.as_uri()}
    return {"artifactLocation": artifact, "region": {"startLine": line}}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _version() -> str:
    try:
        return metadata.version("pulumi-azure-phi-landing-zone")
    except metadata.PackageNotFoundError:
        return "0.0.0"


__all__ = ["document", "render"]
