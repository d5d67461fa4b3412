"""How a preview reads: a resource tree and policy verdicts like ``pulumi preview``, and the ``--json`` document."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TextIO

from landing_zone.preview.engine import PreviewResult
from landing_zone.preview.recorder import ROOT_STACK_TYPE, Registration

_LEVEL_ORDER = {"mandatory": 0, "advisory": 1, "remediate": 2, "disabled": 3}


def to_json(result: PreviewResult) -> dict[str, Any]:
    """The stable machine-readable shape other tools read (documented in the README)."""
    return {
        "project": result.run.project,
        "stack": result.run.stack,
        "resources": [registration.to_json() for registration in result.resources],
        "policyViolations": [diagnostic.to_json() for diagnostic in result.violations],
        "summary": {
            "resources": len(result.resources),
            "mandatory": len(result.mandatory),
            "advisory": len(result.advisory),
        },
    }


def render(result: PreviewResult, out: TextIO, *, policies_enabled: bool = True) -> None:
    """Print the tree, the verdicts grouped by pack and policy, and a summary."""
    out.write(f"Previewing update ({result.run.stack}) offline: no Pulumi CLI, no Azure\n\n")
    _render_tree(result.resources, out)
    if policies_enabled:
        _render_policies(result, out)
    _render_summary(result, out, policies_enabled)


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
            rows.append((f"{indent}{branch}{registration.type}", registration.name, f"create{flags}"))
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
    return f"{registration.type}: {registration.name}"


def _render_policies(result: PreviewResult, out: TextIO) -> None:
    by_urn = {r.urn: r for r in result.resources}
    out.write("Policies:\n")
    for pack in result.packs:
        pack_diagnostics = [d for d in pack.diagnostics if d.enforcement_level in ("mandatory", "advisory")]
        mark = "❌" if any(d.blocking for d in pack_diagnostics) else ("⚠️ " if pack_diagnostics else "✅")
        out.write(f"    {mark} {pack.name}@v{pack.version} (local: {pack.path})\n")
        for warning in pack.warnings:
            out.write(f"        warning: {warning}\n")
        grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for diagnostic in pack_diagnostics:
            grouped[(diagnostic.enforcement_level, diagnostic.policy)].append(diagnostic)
        for (level, policy), items in sorted(grouped.items(), key=lambda item: (_LEVEL_ORDER[item[0][0]], item[0][1])):
            severity = f" ({items[0].severity})" if items[0].severity else ""
            out.write(f"        - [{level}]{severity}  {policy}  ({len(items)})\n")
            for diagnostic in items:
                out.write(f"          {_resource_label(diagnostic.urn, by_urn)}\n")
                for line in _message_lines(diagnostic.message, diagnostic.description):
                    out.write(f"            {line}\n")
    out.write("\n")


def _message_lines(message: str, description: str) -> Iterable[str]:
    """The specific part of a violation message (the SDK prefixes the policy description)."""
    text = message.removeprefix(description).strip() or description
    return text.splitlines()


def _render_summary(result: PreviewResult, out: TextIO, policies_enabled: bool) -> None:
    resources = [r for r in result.resources if r.type != ROOT_STACK_TYPE]
    custom = sum(1 for r in resources if r.custom and not r.type.startswith("pulumi:providers:"))
    out.write("Resources:\n")
    others = len(resources) - custom
    counts = f"{custom} cloud resources, {others} components and providers, 1 stack"
    out.write(f"    + {len(result.resources)} to create ({counts})\n")
    if policies_enabled:
        out.write(
            f"\nPolicy verdicts: {len(result.mandatory)} mandatory, {len(result.advisory)} advisory"
            f" from {len(result.packs)} pack(s)\n"
        )
        if result.mandatory:
            out.write("Preview FAILED: mandatory policy violations would block `pulumi up`.\n")
        else:
            out.write("Preview passed: no mandatory policy violations.\n")
