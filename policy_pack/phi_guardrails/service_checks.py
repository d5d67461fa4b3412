"""Shared shapes of the workload-service rules (App Service, AKS, Cosmos DB, ...).

Most controls a PHI workload needs are the same across services, spelled differently per service
and provider: "public network access is off", "local (key) authentication is off", "TLS 1.2 or
later", "data at rest under a customer-managed key". The check factories in `phi_guardrails.checks`
read one property; the helpers here combine them the way the service modules need:

- `service_rule` builds a mandatory `ResourceRule` with its crosswalk IDs (one call per control);
- `any_of` passes when any alternative passes (a VNet-injected server has no public endpoint at all);
- `first_of` reports only the first failing requirement (no key source, so no key name either);
- `when` applies a check only to resources it is meaningful for (customer-managed keys on Premium);
- `not_true` fails only an explicit true (for settings whose Azure default is already off);
- `forbidden` fails any resource of a type that is itself a bypass of Entra ID (a SAS policy, a registry token).

Messages never echo property values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails.citations import Citation
from phi_guardrails.framework import (
    Check,
    ResourceRule,
    ResourceView,
    StackContext,
    StackResource,
    Target,
    UnverifiableError,
    equals_ignoring_case,
    is_true,
    peek,
)

Predicate = Callable[[ResourceView], bool]


def service_rule(
    rule_id: str,
    *,
    description: str,
    citation: Citation,
    severity: Severity,
    remediation: str,
    targets: Sequence[Target],
    azure_policy_ids: Sequence[str] = (),
    checkov_ids: Sequence[str] = (),
    related: Sequence[Citation] = (),
    enforcement: EnforcementLevel = EnforcementLevel.MANDATORY,
) -> ResourceRule:
    """A per-resource control. Service rules block by default; the pack config can relax or raise any of them.

    ``enforcement`` is advisory only for hardening Microsoft's baselines recommend but do not require of a HIPAA
    workload (a subscription feature, a setting with documented secure alternatives): the rule's docstring says why.
    """
    return ResourceRule(
        id=rule_id,
        description=description,
        citation=citation,
        severity=severity,
        enforcement=enforcement,
        remediation=remediation,
        targets=tuple(targets),
        related=tuple(related),
        azure_policy_ids=tuple(azure_policy_ids),
        checkov_ids=tuple(checkov_ids),
    )


def any_of(*checks: Check) -> Check:
    """Passes when any check passes; otherwise the first check's messages (the primary requirement).

    An alternative that reads a value unknown at preview neither passes nor fails: when no other alternative
    passes, the unknown is raised, so the rule reports "cannot be verified" instead of a guess.
    """

    def check(view: ResourceView) -> Iterable[str]:
        first: list[str] | None = None
        unknown: UnverifiableError | None = None
        for part in checks:
            try:
                messages = list(part(view))
            except UnverifiableError as error:
                unknown = unknown or error
                continue
            if not messages:
                return
            if first is None:
                first = messages
        if unknown is not None:
            raise unknown
        yield from first or []

    return check


def first_of(*checks: Check) -> Check:
    """The messages of the first check that fails, and only those (a missing block needs one message, not one per field)."""

    def check(view: ResourceView) -> Iterable[str]:
        for part in checks:
            messages = list(part(view))
            if messages:
                yield from messages
                return

    return check


def when(predicate: Predicate, inner: Check) -> Check:
    """``inner`` only for resources matching ``predicate`` (for example, Premium namespaces)."""

    def check(view: ResourceView) -> Iterable[str]:
        if predicate(view):
            yield from inner(view)

    return check


def not_true(path: str, what: str) -> Check:
    """Fails only an explicit true: for settings whose Azure default is already off (absent passes)."""

    def check(view: ResourceView) -> Iterable[str]:
        if is_true(view.get(path)):
            yield f"{what} is enabled ({path} must be false or unset)"

    return check


def forbidden(what: str) -> Check:
    """Fails every resource of the target's types: the resource itself is the weakness (a shared-key credential)."""

    def check(view: ResourceView) -> Iterable[str]:
        yield f"{what} is declared; it issues credentials that bypass Entra ID"

    return check


def companions_by_target(
    context: StackContext, types: Sequence[str], edge: str, accept: Callable[[StackResource], bool]
) -> tuple[set[str], set[str]]:
    """The targets of companion resources (``types``) that ``accept`` (for example: a TDE protector naming a key).

    Returns the URNs reached through the ``edge`` property and, for hand-written stacks that pass a literal
    resource ID, the lower-cased last segment of that ID (the target's name).
    """
    urns: set[str] = set()
    names: set[str] = set()
    for companion in context.of_type(*types):
        if not accept(companion):
            continue
        urns.update(companion.depends_on_via(edge))
        target = context.read(companion, edge, required=False)
        if isinstance(target, str) and "/" in target:
            names.add(target.rstrip("/").rsplit("/", 1)[-1].lower())
    return urns, names


def named_by_companion(context: StackContext, resource: StackResource, companions: tuple[set[str], set[str]]) -> bool:
    """Whether ``resource`` is one of the targets `companions_by_target` found: by URN, else by its known name."""
    urns, names = companions
    if resource.urn in urns:
        return True
    name = context.name_of(resource)
    return name is not None and name in names


def is_set(*paths: str) -> Predicate:
    """True when any of ``paths`` is set (an unknown-at-preview value counts as set)."""
    return lambda view: any(view.has(path) for path in paths)


def sku_is(*names: str, paths: Sequence[str] = ("sku.name", "sku", "skuName")) -> Predicate:
    """True when the resource's SKU name (native ``sku.name``, classic ``sku``/``skuName``) is one of ``names``."""

    def predicate(view: ResourceView) -> bool:
        for path in paths:
            value = view.get(path)
            if isinstance(value, str):
                return any(equals_ignoring_case(value, name) for name in names)
        return False

    return predicate


def field(value: Any, *keys: str) -> Any:
    """A nested field of a list item (``peek`` by key path), matching keys case-insensitively like `ResourceView.get`.

    Unknown-at-preview and missing both read as None (list items are hints, not verified properties).
    """
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        exact = peek(value, key)
        if exact is None:
            lowered = key.lower()
            exact = next(
                (peek(value, candidate) for candidate in value if str(candidate).lower() == lowered),
                None,
            )
        value = exact
    return value
