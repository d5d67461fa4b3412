"""policy_pack/RULES.md is generated from the pack; it must match what the pack enforces."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from phi_guardrails import all_policies
from phi_guardrails import rules as registry
from phi_guardrails.citations import ACCESS_CONTROL
from phi_guardrails.docs import render
from phi_guardrails.framework import ResourceRule, StackRule, Target
from pulumi_policy import EnforcementLevel, Severity

RULES_MD = Path(__file__).resolve().parents[1] / "policy_pack" / "RULES.md"


def test_rules_md_is_current() -> None:
    assert RULES_MD.read_text() == render(), "regenerate: cd policy_pack && python -m phi_guardrails.docs > RULES.md"


def test_every_policy_is_documented() -> None:
    text = RULES_MD.read_text()
    for policy in all_policies():
        assert f"## `{policy.name}`" in text


# --- the rule registry: discovered, never silently dropping a module's rules ---------------------------------


def _rule(rule_id: str) -> ResourceRule:
    return ResourceRule(
        id=rule_id,
        description="d",
        citation=ACCESS_CONTROL,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="r",
        targets=(Target(("azure-native:storage:StorageAccount",), lambda view: ()),),
    )


def _stack_rule(rule_id: str) -> StackRule:
    return StackRule(
        id=rule_id,
        description="d",
        citation=ACCESS_CONTROL,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="r",
        check=lambda context: (),
    )


def _module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(f"phi_guardrails.rules.{name}")
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


def test_registry_discovers_every_module_in_name_order() -> None:
    on_disk = sorted(p.stem for p in Path(registry.__file__).parent.glob("*.py") if p.stem != "__init__")
    assert registry.module_names() == on_disk
    exported = [
        rule.id
        for name in on_disk
        for rule in getattr(__import__(f"phi_guardrails.rules.{name}", fromlist=["_"]), "RULES", ())
    ]
    assert [rule.id for rule in registry.RULES] == exported


def test_registry_collects_in_the_given_order() -> None:
    a, b, s = _rule("a-rule"), _rule("b-rule"), _stack_rule("s-rule")
    rules, stack = registry.collect([_module("m1", RULES=(b,)), _module("m2", RULES=(a,), STACK_RULES=(s,))])
    assert [rule.id for rule in rules] == ["b-rule", "a-rule"]
    assert stack == (s,)


def test_a_module_with_rules_but_no_exports_fails_loudly() -> None:
    with pytest.raises(registry.RuleRegistryError, match=r"orphan.*\['lost-rule'\].*exports no RULES"):
        registry.collect([_module("orphan", LOST=_rule("lost-rule"))])
    with pytest.raises(registry.RuleRegistryError, match="exports no RULES"):
        registry.collect([_module("orphan", ALL=(_rule("in-a-tuple"),))])


def test_a_defined_rule_missing_from_the_exports_fails_loudly() -> None:
    kept, forgotten = _rule("kept"), _rule("forgotten")
    with pytest.raises(registry.RuleRegistryError, match=r"does not export.*\['forgotten'\]"):
        registry.collect([_module("half", KEPT=kept, FORGOTTEN=forgotten, RULES=(kept,))])


def test_wrong_kinds_and_duplicates_fail_loudly() -> None:
    with pytest.raises(registry.RuleRegistryError, match="not StackRule"):
        registry.collect([_module("mixed", STACK_RULES=(_rule("resource-in-stack"),))])
    with pytest.raises(registry.RuleRegistryError, match="not ResourceRule"):
        registry.collect([_module("mixed", RULES=(_stack_rule("stack-in-resources"),))])
    with pytest.raises(registry.RuleRegistryError, match="must be a tuple"):
        registry.collect([_module("single", RULES=_rule("not-a-tuple"))])
    with pytest.raises(registry.RuleRegistryError, match=r"duplicate rule ids: \['twice'\]"):
        registry.collect([_module("m1", RULES=(_rule("twice"),)), _module("m2", RULES=(_rule("twice"),))])


def test_a_helper_module_without_rules_is_fine() -> None:
    assert registry.collect([_module("helpers", CONSTANT=3)]) == ((), ())
