"""How a preview reads: a resource tree and policy verdicts like ``pulumi preview``, and the ``--json`` document.

Both are scrubbed of every secret of the run (`landing_zone.preview.redact`) and the console is
stripped of escape sequences and control characters: names, types and messages come from the
program and the packs, and are untrusted.

Remediations are shown as the CLI shows them (``[remediate]  <policy>`` under its pack, before the
violations, since they ran first) with the property paths each changed and never a value, and are
counted in the summary: a remediated resource is deployed with inputs the program did not write.
"""

from __future__ import annotations

import dataclasses
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from landing_zone.preview.engine import PreviewResult
from landing_zone.preview.recorder import ROOT_STACK_TYPE, Registration
from landing_zone.preview.redact import Redactor, mask_properties, one_line, strip_controls, without_controls

_LEVEL_ORDER = {"mandatory": 0, "advisory": 1, "remediate": 2, "disabled": 3}


def to_json(result: PreviewResult, redactor: Redactor | None = None) -> dict[str, Any]:
    """The stable machine-readable shape other tools read (documented in the README), with no secret in it."""
    redactor = redactor or Redactor.for_result(result)
    weakenings = [_plain(item) for item in getattr(result, "weakenings", []) or []]
    rejections = [_plain(item) for item in getattr(result, "azure_rejections", []) or []]
    remediations = all_remediations(result)
    document = {
        "project": result.run.project,
        "stack": result.run.stack,
        "resources": [_resource_json(registration) for registration in result.resources],
        "policyViolations": [_diagnostic_json(diagnostic) for diagnostic in result.violations],
        "remediations": [remediation.to_json() for remediation in remediations],
        "weakenings": weakenings,
        "azureRejections": rejections,
        "summary": {
            "resources": len(result.resources),
            "mandatory": len(result.mandatory),
            "advisory": len(result.advisory),
            "unverifiable": sum(1 for d in result.violations if getattr(d, "kind", "") == "unverifiable"),
            "remediations": len(remediations),
            "weakenings": len(weakenings),
            "azureRejections": len(rejections),
        },
    }
    return without_controls(redactor.scrub_data(document))


def all_remediations(result: PreviewResult) -> list[Any]:
    """Every pack's remediations, in the order they ran for each pack (packs in the order given)."""
    return [remediation for pack in result.packs for remediation in getattr(pack, "remediations", []) or []]


def _resource_json(registration: Registration) -> dict[str, Any]:
    document = registration.to_json()
    document["inputs"] = mask_properties(registration.inputs, registration.type)
    if getattr(registration, "source_uri", ""):
        document["sourcePosition"] = {"uri": registration.source_uri, "line": registration.source_line}
    return document


def _diagnostic_json(diagnostic: Any) -> dict[str, Any]:
    document = diagnostic.to_json()
    document["kind"] = getattr(diagnostic, "kind", "violation")
    return document


def _plain(item: Any) -> Any:
    """A weakening or rejection record as JSON: dataclass fields in camelCase, mappings as they are."""
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {_camel(f.name): _plain(getattr(item, f.name)) for f in dataclasses.fields(item)}
    if isinstance(item, Mapping):
        return {str(key): _plain(value) for key, value in item.items()}
    if isinstance(item, list | tuple | set | frozenset):
        return [_plain(value) for value in item]
    if item is None or isinstance(item, bool | int | float | str):
        return item
    return str(item)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def render(
    result: PreviewResult, out: TextIO, *, policies_enabled: bool = True, redactor: Redactor | None = None
) -> None:
    """Print the tree, the verdicts grouped by pack and policy, and a summary: scrubbed, with no escape sequences."""
    buffer = io.StringIO()
    buffer.write(f"Previewing update ({one_line(result.run.stack)}) offline: no Pulumi CLI, no Azure\n\n")
    _render_tree(result.resources, buffer)
    if policies_enabled:
        _render_policies(result, buffer)
    _render_summary(result, buffer, policies_enabled)
    redactor = redactor or Redactor.for_result(result)
    out.write(strip_controls(redactor.scrub(buffer.getvalue())))


def _render_tree(registrations: list[Registration], out: TextIO) -> None:
    visible = [
        r for r in registrations if not (r.type.startswith("pulumi:providers:") and r.name.startswith("default"))
    ]
    children: dict[str | None, list[Registration]] = defaultdict(list)
    urns = {r.urn for r in visible}
    for registration in visible:
        parent = registration.parent if registration.parent in urns else None
        children[parent].append(registration)
    rows: list[tuple[str, str, str]] = []

    def walk(parent: str | None, indent: str) -> None:
        siblings = children.get(parent, [])
        for index, registration in enumerate(siblings):
            last = index == len(siblings) - 1
            branch = "" if parent is None else ("└─ " if last else "├─ ")
            flags = " [protect]" if registration.protect else ""
            rows.append(
                (f"{indent}{branch}{one_line(registration.type)}", one_line(registration.name), f"create{flags}")
            )
            walk(registration.urn, indent + ("" if parent is None else ("   " if last else "│  ")))

    walk(None, "")
    width_type = max([len("Type"), *(len(row[0]) for row in rows)])
    width_name = max([len("Name"), *(len(row[1]) for row in rows)])
    out.write(f"     {'Type':<{width_type}}  {'Name':<{width_name}}  Plan\n")
    for type_text, name, plan in rows:
        out.write(f" +   {type_text:<{width_type}}  {name:<{width_name}}  {plan}\n")
    out.write("\n")


def _resource_label(urn: str, by_urn: dict[str, Registration]) -> str:
    registration = by_urn.get(urn)
    if registration is None:
        return urn if urn else "(stack)"
    return one_line(f"{registration.type}: {registration.name}")


def _render_policies(result: PreviewResult, out: TextIO) -> None:
    by_urn = {r.urn: r for r in result.resources}
    out.write("Policies:\n")
    for pack in result.packs:
        pack_diagnostics = [d for d in pack.diagnostics if d.enforcement_level in ("mandatory", "advisory")]
        flagged = pack_diagnostics or getattr(pack, "remediations", [])
        mark = "❌" if any(d.blocking for d in pack_diagnostics) else ("⚠️ " if flagged else "✅")
        out.write(f"    {mark} {one_line(pack.name)}@v{one_line(pack.version)} (local: {one_line(str(pack.path))})\n")
        for warning in pack.warnings:
            out.write(f"        warning: {one_line(warning)}\n")
        _render_remediations(getattr(pack, "remediations", []) or [], by_urn, out)
        grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for diagnostic in pack_diagnostics:
            grouped[(diagnostic.enforcement_level, diagnostic.policy)].append(diagnostic)
        for (level, policy), items in sorted(grouped.items(), key=lambda item: (_LEVEL_ORDER[item[0][0]], item[0][1])):
            severity = f" ({items[0].severity})" if items[0].severity else ""
            out.write(f"        - [{level}]{severity}  {one_line(policy)}  ({len(items)})\n")
            for diagnostic in items:
                out.write(f"          {_resource_label(diagnostic.urn, by_urn)}\n")
                for line in _message_lines(diagnostic.message, diagnostic.description):
                    out.write(f"            {line}\n")
    out.write("\n")


def _render_remediations(remediations: list[Any], by_urn: dict[str, Registration], out: TextIO) -> None:
    """Each remediation under its policy, with the paths it changed: shown first, since they ran first."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for remediation in remediations:
        grouped[remediation.policy].append(remediation)
    for policy, items in grouped.items():
        out.write(f"        - [remediate]  {one_line(policy)}  ({len(items)})\n")
        for remediation in items:
            out.write(f"          {_resource_label(remediation.urn, by_urn)}\n")
            out.write(f"            changed: {', '.join(one_line(path) for path in remediation.changed)}\n")


def _message_lines(message: str, description: str) -> Iterable[str]:
    """The specific part of a violation message (the SDK prefixes the policy description)."""
    text = message.removeprefix(description).strip() or description
    return [one_line(line) for line in text.splitlines()]


def _render_summary(result: PreviewResult, out: TextIO, policies_enabled: bool) -> None:
    resources = [r for r in result.resources if r.type != ROOT_STACK_TYPE]
    custom = sum(1 for r in resources if r.custom and not r.type.startswith("pulumi:providers:"))
    out.write("Resources:\n")
    others = len(resources) - custom
    counts = f"{custom} cloud resources, {others} components and providers, 1 stack"
    out.write(f"    + {len(result.resources)} to create ({counts})\n")
    _render_weakenings(result, out)
    remediations = all_remediations(result)
    if remediations:
        noun = "remediation" if len(remediations) == 1 else "remediations"
        out.write(
            f"\nRemediations: {len(remediations)} {noun} changed what would be deployed: those resources go to"
            " Azure with inputs the program did not write (listed under Policies, in --json and the report)\n"
        )
    _render_rejections(result, out)
    if policies_enabled:
        out.write(
            f"\nPolicy verdicts: {len(result.mandatory)} mandatory, {len(result.advisory)} advisory"
            f" from {len(result.packs)} pack(s)\n"
        )
        if result.mandatory:
            out.write("Preview FAILED: mandatory policy violations would block `pulumi up`.\n")
        elif not getattr(result, "azure_rejections", []):
            out.write("Preview passed: no mandatory policy violations.\n")
    if getattr(result, "azure_rejections", []):
        out.write("Preview FAILED: Azure would reject this deployment (see above).\n")


def _render_weakenings(result: PreviewResult, out: TextIO) -> None:
    """One line counting every weakening by kind, then one line each: none may pass unseen."""
    weakenings = list(getattr(result, "weakenings", []) or [])
    if not weakenings:
        return
    kinds: dict[str, int] = defaultdict(int)
    for weakening in weakenings:
        kinds[str(getattr(weakening, "kind", "weakening"))] += 1
    breakdown = ", ".join(f"{count} {one_line(kind)}" for kind, count in sorted(kinds.items()))
    out.write(f"\nWeakenings: {len(weakenings)} ({breakdown}); each is listed in --json and the report\n")
    for weakening in weakenings:
        parts = [getattr(weakening, "policy", ""), getattr(weakening, "target", ""), getattr(weakening, "detail", "")]
        text = " ".join(one_line(str(part)) for part in parts if part)
        reason = getattr(weakening, "reason", "") or ""
        approver = getattr(weakening, "approver", "") or ""
        who = f" (approved by {one_line(str(approver))})" if approver else " (no approver)"
        out.write(
            f"    ! {one_line(str(getattr(weakening, 'kind', '')))}: {text}: {one_line(str(reason)) or 'no reason'}{who}\n"
        )


def _render_rejections(result: PreviewResult, out: TextIO) -> None:
    """One line counting what Azure would reject, then one line each."""
    rejections = list(getattr(result, "azure_rejections", []) or [])
    if not rejections:
        return
    by_urn = {r.urn: r for r in result.resources}
    count = f"{len(rejections)} propert{'y' if len(rejections) == 1 else 'ies'}"
    out.write(f"\nAzure would reject this deployment: {count} (exit 3)\n")
    for rejection in rejections:
        label = _resource_label(str(getattr(rejection, "urn", "")), by_urn)
        prop = one_line(str(getattr(rejection, "property", "")))
        out.write(f"    x {label}: {prop}: {one_line(str(getattr(rejection, 'message', '')))}\n")
        constraint, reference = getattr(rejection, "constraint", ""), getattr(rejection, "reference", "")
        if constraint or reference:
            out.write(f"      [{one_line(str(constraint))}] {one_line(str(reference))}\n")
