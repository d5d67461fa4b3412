"""The kinds catalog (policy_pack/phi_guardrails/data/kinds/) and the SDK type data the pack ships.

The catalog drives the stack rules, so these tests hold it to its schema, keep the shipped SDK data
equal to what the installed azure-native SDK really emits, and prove the rules reach every kind.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pulumi
import pytest
from phi_guardrails import catalogs
from phi_guardrails.catalogs import CatalogError, Kind, load_kinds
from phi_guardrails.framework import ANY_TYPE
from phi_guardrails.rules import RULES, STACK_RULES, coverage

from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import TEST_TAGS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "policy_pack" / "phi_guardrails" / "data"
KIND_FILES = sorted((DATA / "kinds").glob("*.json"))
SCHEMA = json.loads((DATA / "kinds.schema.json").read_text())


def _sdk_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sdk_types", ROOT / "policy_pack" / "tools" / "sdk_types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SDK_TOOL = _sdk_tool()


@pytest.fixture(scope="module")
def sdk_tokens() -> dict[str, bool]:
    """Every resource token of the installed azure-native SDK -> whether its class takes ``tags``."""
    return SDK_TOOL.scan(SDK_TOOL.sdk_root())


# --- the catalog's shape -----------------------------------------------------------------------------------


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", KIND_FILES, ids=lambda path: path.name)
def test_every_kind_file_matches_the_schema(path: Path) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(path.read_text()))


def test_the_loader_reads_every_record_of_every_file() -> None:
    records = [record for path in KIND_FILES for record in json.loads(path.read_text())]
    assert [kind.kind for kind in catalogs.kinds()] == [record["kind"] for record in records]
    storage = catalogs.kind_of("azure-native:storage/v20230101:StorageAccount")
    assert storage is not None and storage.kind == "storage-account" and storage.file == "storage.json"
    assert catalogs.kind_of("azure:storage/account:Account") is storage
    assert catalogs.kind_of("azure-native:nothing:Here") is None


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"holdsPhi": "yes"}, "'holdsPhi' must be true or false"),
        ({"native": ["azure-native:storage/v20230101:StorageAccount"]}, "without API version"),
        ({"classic": ["storage:Account"]}, "not a classic azure provider token"),
        ({"defenderPlan": ""}, "'defenderPlan' must be a plan name or null"),
        ({"privateLinkGroupIds": "blob"}, "'privateLinkGroupIds' must be a list"),
        ({"colour": "blue"}, "unknown keys ['colour']"),
        ({"native": [], "classic": []}, "at least one type token"),
    ],
)
def test_a_malformed_record_fails_loudly_naming_file_and_kind(
    tmp_path: Path, record: dict[str, Any], message: str
) -> None:
    good = json.loads((DATA / "kinds" / "storage.json").read_text())[0]
    (tmp_path / "broken.json").write_text(json.dumps([{**good, **record}]))
    with pytest.raises(CatalogError) as caught:
        load_kinds(tmp_path)
    assert "broken.json" in str(caught.value) and message in str(caught.value)


def test_duplicate_kinds_and_tokens_fail_loudly(tmp_path: Path) -> None:
    good = json.loads((DATA / "kinds" / "storage.json").read_text())[0]
    (tmp_path / "a.json").write_text(json.dumps([good]))
    (tmp_path / "b.json").write_text(json.dumps([{**good, "kind": "other"}]))
    with pytest.raises(CatalogError, match="belongs to both 'storage-account' and 'other'"):
        load_kinds(tmp_path)
    (tmp_path / "b.json").write_text(json.dumps([{**good, "native": ["azure-native:x:Y"], "classic": []}]))
    with pytest.raises(CatalogError, match="kind 'storage-account' is defined twice"):
        load_kinds(tmp_path)
    (tmp_path / "b.json").write_text("[")
    with pytest.raises(CatalogError, match=r"b\.json: not readable JSON"):
        load_kinds(tmp_path)


def test_every_phi_kind_can_be_made_private_and_logged() -> None:
    for kind in catalogs.kinds():
        if kind.holds_phi:
            assert kind.private_link_group_ids or kind.vnet_integration, kind.kind
            assert kind.diagnostic_categories, kind.kind


# --- the SDK data: generated from the installed SDK, and every rule target exists in it ----------------------


def test_shipped_sdk_type_data_is_what_the_installed_sdk_generates() -> None:
    shipped = (DATA / "azure_native_types.json").read_text()
    assert shipped == SDK_TOOL.render(SDK_TOOL.document()), (
        "regenerate: .venv/bin/python policy_pack/tools/sdk_types.py"
    )


def test_the_sdk_scan_sees_tags_where_the_classes_take_them(sdk_tokens: dict[str, bool]) -> None:
    import inspect

    from pulumi_azure_native import containerservice, network, storage

    for cls in (storage.StorageAccount, storage.LocalUser, containerservice.ManagedCluster, network.SecurityRule):
        token = cls._get_type_token() if hasattr(cls, "_get_type_token") else None
        token = token or f"azure-native:{cls.__module__.split('.')[1]}:{cls.__name__}"
        takes_tags = "tags" in inspect.signature(cls._internal_init).parameters
        assert sdk_tokens[token] is takes_tags, token
    assert len(sdk_tokens) > 2000


def _all_rule_tokens() -> list[tuple[str, str]]:
    pairs = [(rule.id, token) for rule in RULES for token in rule.resource_types]
    pairs += [(rule.id, token) for rule in STACK_RULES for token in rule.resource_types]
    return [(rule_id, token) for rule_id, token in pairs if token != ANY_TYPE]


def test_every_native_rule_target_is_a_resource_the_sdk_emits(sdk_tokens: dict[str, bool]) -> None:
    """Catches a target the SDK never emits (azure-native 3.x Cosmos is cosmosdb:DatabaseAccount, not documentdb)."""
    missing = [
        (rule_id, token)
        for rule_id, token in _all_rule_tokens()
        if token.startswith("azure-native:") and token not in sdk_tokens
    ]
    assert missing == []


def test_every_native_catalog_token_is_a_resource_the_sdk_emits(sdk_tokens: dict[str, bool]) -> None:
    missing = [(kind.kind, token) for kind in catalogs.kinds() for token in kind.native if token not in sdk_tokens]
    assert missing == []


def test_the_check_above_would_catch_documentdb(sdk_tokens: dict[str, bool]) -> None:
    assert "azure-native:documentdb:DatabaseAccount" not in sdk_tokens
    assert "azure-native:cosmosdb:DatabaseAccount" in sdk_tokens


def test_every_classic_rule_target_is_a_well_formed_classic_token() -> None:
    """The classic SDK is not installed here: its tokens must at least have the provider's shape."""
    for rule_id, token in _all_rule_tokens():
        if token.startswith("azure:"):
            module, _, name = token.removeprefix("azure:").partition(":")
            assert "/" in module and name[:1].isupper(), (rule_id, token)


# --- the stack rules derive from the catalog -------------------------------------------------------------------


def test_stack_rule_type_lists_come_from_the_catalog() -> None:
    assert catalogs.phi_types() == coverage.PHI_DATA
    assert catalogs.stateful_types() == coverage.STATEFUL
    assert catalogs.cmk_consumer_types() == coverage.CMK_CONSUMERS
    assert catalogs.defender_plans() == coverage.DEFENDER_PLANS
    by_id = {rule.id: rule for rule in STACK_RULES}
    for rule_id in ("phi-audit-logs-to-workspace", "phi-private-connectivity", "phi-delete-lock"):
        assert by_id[rule_id].resource_types == catalogs.phi_types()
    assert by_id["stateful-resources-protected"].resource_types == catalogs.stateful_types()


def test_type_lists_follow_a_new_record(monkeypatch: pytest.MonkeyPatch) -> None:
    extra = Kind(
        kind="example",
        service="Example",
        native=("azure-native:example:Thing",),
        classic=(),
        holds_phi=True,
        stateful=True,
        cmk_consumer=True,
        defender_plan="ExamplePlan",
        private_link_group_ids=("thing",),
        diagnostic_categories=("Audit",),
    )
    monkeypatch.setattr(catalogs, "kinds", lambda: (*catalogs.load_kinds(DATA / "kinds"), extra))
    for tokens in (catalogs.phi_types(), catalogs.stateful_types(), catalogs.cmk_consumer_types()):
        assert "azure-native:example:Thing" in tokens
    assert catalogs.defender_plans()["ExamplePlan"] == ("azure-native:example:Thing",)


def test_taggable_types_are_every_sdk_class_that_takes_tags(sdk_tokens: dict[str, bool]) -> None:
    taggable = catalogs.taggable_types()
    assert {token for token, tags in sdk_tokens.items() if tags} <= taggable
    assert not {token for token, tags in sdk_tokens.items() if not tags} & taggable
    assert "azure:storage/account:Account" in taggable  # classic tokens of taggable kinds
    assert taggable == catalogs.CORE_TAGGABLE_TYPES


# --- behaviour: the rules reach kinds the old hand lists missed ------------------------------------------------

Program = Callable[[], None]


def _verdicts(program: Program, rules: tuple[str, ...]) -> dict[str, list[str]]:
    from landing_zone.preview.engine import enforce

    # Resource rules stay on: stack rules read what Analyze sent the pack (input-only names such as a Defender
    # plan's pricingName), which the pack only sees through an enabled resource rule, as under the CLI.
    others = [rule.id for rule in STACK_RULES if rule.id not in rules]
    config = {rule: PolicyConfig("disabled") for rule in others}
    result: PackResult = enforce(record(program).registrations, ROOT / "policy_pack", config=config)
    found: dict[str, list[str]] = {}
    for diagnostic in result.diagnostics:
        if diagnostic.policy in rules:
            found.setdefault(diagnostic.policy, []).append(diagnostic.urn.rsplit("::", 1)[-1])
    return found


@pytest.mark.parametrize(
    ("token", "props"),
    [
        ("azure-native:containerservice:ManagedCluster", {"resourceName": "aks"}),
        ("azure-native:containerinstance:ContainerGroup", {"containerGroupName": "cg"}),
        ("azure-native:web:WebApp", {"name": "app"}),
        ("azure-native:containerregistry:Registry", {"registryName": "acr"}),
        ("azure-native:cosmosdb:DatabaseAccount", {"accountName": "cosmos"}),
        ("azure-native:synapse:Workspace", {"workspaceName": "syn"}),
        ("azure-native:containerservice/v20240801:ManagedCluster", {"resourceName": "aks"}),
    ],
)
def test_required_tags_reads_every_taggable_kind_untagged(token: str, props: dict[str, Any]) -> None:
    def untagged() -> None:
        pulumi.CustomResource(token, "subject", props)

    def tagged() -> None:
        pulumi.CustomResource(token, "subject", {**props, "tags": dict(TEST_TAGS)})

    assert _verdicts(untagged, ("required-tags",)) == {"required-tags": ["subject"]}
    assert _verdicts(tagged, ("required-tags",)) == {}


def test_required_tags_skips_resources_that_take_no_tags() -> None:
    def program() -> None:
        pulumi.CustomResource("azure-native:network:SecurityRule", "rule", {"priority": 100})
        pulumi.CustomResource("azure-native:storage:LocalUser", "user", {"username": "u"})

    assert _verdicts(program, ("required-tags",)) == {}


def test_stateful_resources_protected_reaches_every_stateful_kind() -> None:
    """Every stateful kind in the catalog, unprotected, fails the rule on both providers."""
    stateful = [kind for kind in catalogs.kinds() if kind.stateful]
    assert stateful
    for kind in stateful:
        tokens = kind.tokens

        def program(tokens: tuple[str, ...] = tokens) -> None:
            for index, token in enumerate(tokens):
                pulumi.CustomResource(token, f"r{index}", {})

        found = _verdicts(program, ("stateful-resources-protected",))
        assert sorted(found.get("stateful-resources-protected", [])) == sorted(
            f"r{index}" for index in range(len(tokens))
        ), kind.kind


def test_an_unprotected_cosmos_account_fails_when_the_catalog_holds_cosmos() -> None:
    kind = catalogs.kind_of("azure-native:cosmosdb:DatabaseAccount")
    if kind is None:
        pytest.skip("no Cosmos DB record in the kinds catalog yet")
    assert kind.stateful

    def program() -> None:
        pulumi.CustomResource("azure-native:cosmosdb:DatabaseAccount", "cosmos", {"accountName": "c"})

    assert _verdicts(program, ("stateful-resources-protected",)) == {"stateful-resources-protected": ["cosmos"]}


def _bare(tokens: tuple[str, ...], extra: Callable[[], None] | None = None) -> Program:
    def program() -> None:
        for index, token in enumerate(tokens):
            pulumi.CustomResource(token, f"r{index}", {"location": "eastus2"})
        if extra is not None:
            extra()

    return program


@pytest.mark.parametrize("kind", [kind for kind in catalogs.kinds() if kind.holds_phi], ids=lambda kind: kind.kind)
def test_every_phi_kind_must_be_logged_private_and_locked(kind: Kind) -> None:
    """The stack-wide PHI rules reach every PHI-holding kind of the catalog, on both providers."""
    rules = ("phi-audit-logs-to-workspace", "phi-private-connectivity", "phi-delete-lock")
    found = _verdicts(_bare(kind.tokens), rules)
    expected = sorted(f"r{index}" for index in range(len(kind.tokens)))
    assert {rule: sorted(names) for rule, names in found.items()} == dict.fromkeys(rules, expected)


@pytest.mark.parametrize(
    "plan", sorted({kind.defender_plan for kind in catalogs.kinds() if kind.defender_plan}), ids=str
)
def test_every_defender_plan_is_required_by_the_kinds_present(plan: str) -> None:
    kinds_with_plan = [kind for kind in catalogs.kinds() if kind.defender_plan == plan]
    tokens = kinds_with_plan[0].native[:1] or kinds_with_plan[0].classic[:1]

    def pricing() -> None:
        pulumi.CustomResource("azure-native:security:Pricing", "plan", {"pricingName": plan, "pricingTier": "Standard"})

    missing = _verdicts(_bare(tokens), ("defender-plans-for-phi-types",))
    assert missing == {"defender-plans-for-phi-types": [""]}
    assert _verdicts(_bare(tokens, pricing), ("defender-plans-for-phi-types",)) == {}


def test_the_private_dns_zone_table_names_only_catalogued_group_ids() -> None:
    """private_link.py keeps DNS zone names (a different fact); its group IDs must be ones catalog kinds offer."""
    from phi_guardrails.private_link import PRIVATE_LINK_ZONES

    offered = {group.lower() for kind in catalogs.kinds() for group in kind.private_link_group_ids}
    assert {group.lower() for group in PRIVATE_LINK_ZONES} <= offered


def test_every_kind_is_a_baa_covered_service() -> None:
    """Every catalogued kind is a BAA-covered service on both providers, so tagging it PHI is allowed
    (the classic provider names some modules differently: ``azure:cognitive``, ``azure:containerapp``)."""
    missing = [
        (kind.kind, token)
        for kind in catalogs.kinds()
        for token in kind.tokens
        if catalogs.covered_service(token) is None
    ]
    assert missing == []


def test_the_pack_loads_without_the_sdk_or_this_repository() -> None:
    """The pack ships its data: loading every rule imports neither the azure-native SDK nor our own packages."""
    import subprocess
    import sys

    script = (
        "import sys, phi_guardrails, phi_guardrails.docs; phi_guardrails.all_policies();"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pulumi_azure_native', 'landing_zone', 'components'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT / "policy_pack", capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "policy_pack")},
    )  # fmt: skip
    assert result.stdout.strip() == "[]"
