"""policy_pack/RULES.md is generated from the pack; it must match what the pack enforces."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from phi_guardrails import all_policies, catalogs, crosswalk
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


# --- the crosswalk and the coverage table ----------------------------------------------------------------------

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CHECK = re.compile(r"^CKV2?_AZURE_\d+$")


def test_every_crosswalk_id_is_a_real_control_in_the_shipped_benchmarks() -> None:
    policies, checks = crosswalk.policies_by_id(), crosswalk.checks_by_id()
    for rule in (*registry.RULES, *registry.STACK_RULES):
        for guid in rule.azure_policy_ids:
            assert GUID.match(guid) and guid in policies, (rule.id, guid)
        for check in rule.checkov_ids:
            assert CHECK.match(check) and check in checks, (rule.id, check)
        assert len(set(rule.azure_policy_ids)) == len(rule.azure_policy_ids), rule.id
        assert len(set(rule.checkov_ids)) == len(rule.checkov_ids), rule.id


def test_the_benchmark_data_is_dated_and_whole() -> None:
    data = catalogs.benchmarks()
    for source in ("azurePolicy", "checkov"):
        assert re.fullmatch(r"[0-9a-f]{40}", data[source]["commit"]) and data[source]["date"]
    assert data["hipaaInitiative"]["id"] == "a169a624-5599-4385-a696-c8d643089fab"
    policies = crosswalk.policies_by_id()
    members = data["hipaaInitiative"]["policyDefinitionIds"]
    assert len(members) > 500 and sum(guid not in policies for guid in members) <= 2  # deprecated members drop out
    assert policies["a451c1ef-c6ca-483d-87ed-f49761e3ffb5"]["name"] == "Audit usage of custom RBAC roles"
    assert crosswalk.checks_by_id()["CKV_AZURE_9"]["modules"] == ["network"]


def test_rules_md_has_a_crosswalk_row_and_details_for_every_rule() -> None:
    text = RULES_MD.read_text()
    for rule in (*registry.RULES, *registry.STACK_RULES):
        assert (
            f"\n| `{rule.id}` | " in text.split("## Crosswalk to Azure Policy and Checkov")[1].split("## Coverage")[0]
        )
        for guid in rule.azure_policy_ids:
            assert f"`{guid}` " in text
        for check in rule.checkov_ids:
            assert f"`{check}` " in text


def test_the_coverage_table_has_a_row_for_every_catalog_service() -> None:
    section = RULES_MD.read_text().split("## Coverage by service")[1].split("### Controls no rule matches yet")[0]
    for kind in catalogs.kinds():
        row = next(
            line for line in section.splitlines() if line.startswith("| ") and kind.service in line.split("|")[1]
        )
        assert kind.kind in row


def test_coverage_counts_matched_controls() -> None:
    rows = {row.name: row for row in crosswalk.coverage([*registry.RULES, *registry.STACK_RULES])}
    storage = rows["Azure Storage"]
    assert "storage-https-only" in storage.rules and "phi-delete-lock" in storage.rules
    assert "404c3081-a854-4457-ae30-26a93ef643f9" in storage.initiative  # Secure transfer to storage accounts
    assert "CKV_AZURE_3" in storage.checks
    assert "required-tags" in rows[crosswalk.EVERY_RESOURCE].rules
    assert "no-standing-privileged-access" in rows["`authorization` (no kind record)"].rules


#: A token no provider emits (Azure has no 'zztest' namespace), for the made-up service below.
MADE_UP_TOKEN = "azure-native:zztest:MadeUpService"


def test_a_new_rule_and_a_new_kind_appear_without_editing_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    from phi_guardrails import docs
    from phi_guardrails.catalogs import Kind

    # The made-up service is new only if the real catalog holds nothing like it.
    assert catalogs.kind_of(MADE_UP_TOKEN) is None
    assert not [k for k in catalogs.kinds() if k.kind.startswith("zz-test-") or k.service.startswith("ZZ Test")]
    rule = ResourceRule(
        id="example-new-rule",
        description="d",
        citation=ACCESS_CONTROL,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="r",
        targets=(Target((MADE_UP_TOKEN,), lambda view: ()),),
        azure_policy_ids=("a451c1ef-c6ca-483d-87ed-f49761e3ffb5",),
        checkov_ids=("CKV_AZURE_9",),
    )
    extra = Kind(
        kind="zz-test-made-up-service",  # no Azure service: it can never collide with a catalog record
        service="ZZ Test Made-up Service",
        native=(MADE_UP_TOKEN,),
        classic=(),
        holds_phi=True,
        stateful=True,
        cmk_consumer=True,
        defender_plan=None,
        private_link_group_ids=("fhir",),
        diagnostic_categories=("AuditLogs",),
    )
    monkeypatch.setattr(docs, "RULES", (*registry.RULES, rule))
    monkeypatch.setattr(crosswalk, "kinds", lambda: (*catalogs.kinds(), extra))
    monkeypatch.setattr(
        crosswalk, "kind_of", lambda token: extra if token == MADE_UP_TOKEN else catalogs.kind_of(token)
    )
    text = docs.render()
    assert "## `example-new-rule`" in text
    assert (
        "| `example-new-rule` | `a451c1ef-c6ca-483d-87ed-f49761e3ffb5` Audit usage of custom RBAC roles | `CKV_AZURE_9`"
        in text
    )
    assert "| ZZ Test Made-up Service | zz-test-made-up-service | 1 |" in text


def test_benchmark_names_are_escaped_in_tables() -> None:
    from phi_guardrails.docs import _escape

    assert _escape("a|b <script>") == "a\\|b &lt;script&gt;"


def test_rules_md_lists_every_kind_with_its_flags() -> None:
    section = RULES_MD.read_text().split("## Resource kinds")[1].split("## Rules")[0]
    for kind in catalogs.kinds():
        row = next(line for line in section.splitlines() if line.startswith(f"| `{kind.kind}` |"))
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert cells[3:6] == ["yes" if flag else "—" for flag in (kind.holds_phi, kind.stateful, kind.cmk_consumer)]
        assert cells[6] == (kind.defender_plan or "—")
        assert all(f"`{token}`" in cells[2] for token in kind.tokens)
