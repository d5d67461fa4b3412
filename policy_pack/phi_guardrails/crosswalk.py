"""Which other tools' controls each rule matches, and how much of each service they cover.

A rule lists the Azure Policy built-in definitions (GUIDs) and Checkov checks (``CKV_AZURE_*``) that
enforce the same control (`ResourceRule.azure_policy_ids` / ``checkov_ids``). This module joins those
to ``data/benchmarks.json`` (every relevant built-in definition, the HITRUST/HIPAA initiative's
members, every Checkov Azure check, each keyed to azure-native modules) and to the kinds catalog, so
``docs.py`` can print, per service, the controls we cover against the controls the initiative and
Checkov have for it. Rows merge services that share an azure-native module (network kinds), and add a
row for each module a rule reads that no kind record covers (Defender pricing, diagnostic settings).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from phi_guardrails.catalogs import benchmarks, kind_of, kinds
from phi_guardrails.framework import ANY_TYPE, ResourceRule, StackRule

AnyRule = ResourceRule | StackRule
EVERY_RESOURCE = "Every resource (governance)"


def native_module(token: str) -> str | None:
    """``azure-native:storage:StorageAccount`` -> ``storage``; None for classic and other tokens."""
    parts = token.split(":")
    return parts[1].split("/")[0] if len(parts) == 3 and parts[0] == "azure-native" else None


def policies_by_id() -> dict[str, dict[str, Any]]:
    return {policy["id"]: policy for policy in benchmarks()["policies"]}


def checks_by_id() -> dict[str, dict[str, Any]]:
    return {check["id"]: check for check in benchmarks()["checks"]}


@dataclass
class Row:
    """One line of the coverage table: a service (or merged services) and the modules its controls live in."""

    name: str
    modules: set[str] = field(default_factory=set)
    kinds: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    initiative: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


def _service_rows() -> tuple[dict[str, Row], dict[str, Row], dict[str, str]]:
    """Rows by root service, rows by module, and each service's root (services sharing a module merge)."""
    service_modules: dict[str, set[str]] = {}
    service_kinds: dict[str, list[str]] = {}
    for kind in kinds():
        service_modules.setdefault(kind.service, set()).update(filter(None, map(native_module, kind.native)))
        service_kinds.setdefault(kind.service, []).append(kind.kind)
    parent = {service: service for service in service_modules}

    def root(service: str) -> str:
        while parent[service] != service:
            service = parent[service]
        return service

    owner: dict[str, str] = {}
    for service, modules in service_modules.items():
        for module in sorted(modules):
            if module in owner:
                parent[root(service)] = root(owner[module])
            else:
                owner[module] = service
    members: dict[str, list[str]] = {}
    for service in service_modules:
        members.setdefault(root(service), []).append(service)
    rows: dict[str, Row] = {}
    for group, services in members.items():
        row = Row(name=" / ".join(services))
        for service in services:
            row.modules |= service_modules[service]
            row.kinds += service_kinds[service]
        rows[group] = row
    roots = {service: root(service) for service in service_modules}
    return rows, {module: rows[roots[service]] for module, service in owner.items()}, roots


def coverage(rules: Sequence[AnyRule]) -> list[Row]:
    """The coverage rows, in catalog order, then modules without a kind record, then governance."""
    rows, row_of_module, roots = _service_rows()

    def root(service: str) -> str:
        return roots[service]

    def rows_for(rule: AnyRule) -> list[Row]:
        found: list[Row] = []
        for token in rule.resource_types:
            if token == ANY_TYPE:
                target = rows.setdefault(EVERY_RESOURCE, Row(name=EVERY_RESOURCE))
            else:
                kind = kind_of(token)
                module = native_module(token)
                if kind is not None:
                    target = rows[root(kind.service)]
                elif module is not None:
                    if module not in row_of_module:
                        row_of_module[module] = rows.setdefault(
                            f"module:{module}", Row(name=f"`{module}` (no kind record)", modules={module})
                        )
                    target = row_of_module[module]
                else:
                    continue
            if target not in found:
                found.append(target)
        return found

    for rule in rules:
        for row in rows_for(rule):
            row.rules.append(rule.id)
    initiative = set(benchmarks()["hipaaInitiative"]["policyDefinitionIds"])
    for policy in benchmarks()["policies"]:
        if policy["id"] in initiative:
            for row in {id(r): r for r in (row_of_module.get(m) for m in policy["modules"]) if r}.values():
                row.initiative.append(policy["id"])
    for check in benchmarks()["checks"]:
        for row in {id(r): r for r in (row_of_module.get(m) for m in check["modules"]) if r}.values():
            row.checks.append(check["id"])
    ordered = [row for key, row in rows.items() if not key.startswith("module:") and key != EVERY_RESOURCE]
    ordered += [row for key, row in rows.items() if key.startswith("module:")]
    ordered += [rows[EVERY_RESOURCE]] if EVERY_RESOURCE in rows else []
    return ordered


def cited(rules: Sequence[AnyRule]) -> tuple[set[str], set[str]]:
    """Every Azure Policy ID and every Checkov ID some rule cites."""
    policies = {guid for rule in rules for guid in rule.azure_policy_ids}
    checks = {check for rule in rules for check in rule.checkov_ids}
    return policies, checks
