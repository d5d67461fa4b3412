"""Every rule of the pack, discovered: each module in this package exports ``RULES`` and/or ``STACK_RULES``.

Nobody lists modules here by hand, so a new service module is picked up by being added to the
folder. Discovery fails loudly instead of dropping rules silently:

- a module that builds rule objects at module level but exports neither ``RULES`` nor ``STACK_RULES``;
- a module-level rule (or tuple of rules) missing from its module's exports;
- a ``ResourceRule`` in ``STACK_RULES`` or a ``StackRule`` in ``RULES``;
- two rules with the same id.

Modules are read in name order, so the pack's policy order (and ``RULES.md``) is stable.
Modules without rules (shared helpers) are allowed and contribute nothing.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from phi_guardrails.framework import ResourceRule, StackRule

AnyRule = ResourceRule | StackRule


class RuleRegistryError(RuntimeError):
    """A rule module is malformed: its rules would otherwise be dropped or enforced twice."""


def _rules_in(value: Any) -> list[AnyRule]:
    """Rule objects held by a module attribute: the rule itself, or those in a tuple/list/set of rules."""
    if isinstance(value, (ResourceRule, StackRule)):
        return [value]
    if isinstance(value, (tuple, list, set, frozenset)):
        return [item for item in value if isinstance(item, (ResourceRule, StackRule))]
    return []


def _exported(module: ModuleType, name: str, kind: type) -> tuple[Any, ...]:
    value = getattr(module, name, ())
    if not isinstance(value, (tuple, list)):
        raise RuleRegistryError(
            f"{module.__name__}.{name} must be a tuple of {kind.__name__}, not {type(value).__name__}"
        )
    wrong = [getattr(item, "id", repr(item)) for item in value if not isinstance(item, kind)]
    if wrong:
        raise RuleRegistryError(f"{module.__name__}.{name} holds items that are not {kind.__name__}: {wrong}")
    return tuple(value)


def collect(modules: Iterable[ModuleType]) -> tuple[tuple[ResourceRule, ...], tuple[StackRule, ...]]:
    """The exported rules of ``modules`` (in the order given), after the checks listed in the module docstring."""
    resource_rules: list[ResourceRule] = []
    stack_rules: list[StackRule] = []
    for module in modules:
        exports_rules = hasattr(module, "RULES")
        exports_stack = hasattr(module, "STACK_RULES")
        own = _exported(module, "RULES", ResourceRule)
        own_stack = _exported(module, "STACK_RULES", StackRule)
        exported_ids = {id(rule) for rule in (*own, *own_stack)}
        defined = {
            id(rule): rule
            for attribute, value in vars(module).items()
            if attribute not in ("RULES", "STACK_RULES") and not isinstance(value, ModuleType)
            for rule in _rules_in(value)
            # only rules this module defines (an imported rule belongs to the module that exports it)
        }
        if defined and not (exports_rules or exports_stack):
            raise RuleRegistryError(
                f"{module.__name__} defines rules ({sorted(rule.id for rule in defined.values())}) but exports no "
                "RULES or STACK_RULES tuple, so the pack would silently drop them"
            )
        missing = sorted(rule.id for key, rule in defined.items() if key not in exported_ids)
        if missing and not _imported_from_elsewhere(module, missing):
            raise RuleRegistryError(
                f"{module.__name__} defines rules it does not export in RULES/STACK_RULES: {missing}"
            )
        resource_rules.extend(own)
        stack_rules.extend(own_stack)
    ids = [rule.id for rule in (*resource_rules, *stack_rules)]
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicates:
        raise RuleRegistryError(f"duplicate rule ids: {duplicates}")
    return tuple(resource_rules), tuple(stack_rules)


def _imported_from_elsewhere(module: ModuleType, rule_ids: list[str]) -> bool:
    """True when every unexported rule is exported by another rule module (imported for reuse, not defined here)."""
    others = {
        rule.id
        for other in _modules()
        if other is not module
        for rule in (*getattr(other, "RULES", ()), *getattr(other, "STACK_RULES", ()))
    }
    return all(rule_id in others for rule_id in rule_ids)


def module_names() -> list[str]:
    """The rule modules of this package, in name order."""
    return sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.ispkg)


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in module_names()]


RULES: tuple[ResourceRule, ...]
STACK_RULES: tuple[StackRule, ...]
RULES, STACK_RULES = collect(_modules())
