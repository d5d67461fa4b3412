"""The kinds catalog (policy_pack/phi_guardrails/data/kinds/) and the SDK type data the pack ships.

The catalog drives the stack rules, so these tests hold it to its schema, keep the shipped SDK data
equal to what the installed azure-native SDK really emits, and prove the rules reach every kind.
"""

from __future__ import annotations

import importlib.util
import json
import re
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
    for rule_id, token in _all_rule_tokens():
        if token.startswith("azure:"):
            module, _, name = token.removeprefix("azure:").partition(":")
            assert "/" in module and name[:1].isupper(), (rule_id, token)


#: Classic tokens of pulumi-azure 5.x that 6.x removed; the pack keeps judging stacks still on 5.x.
CLASSIC_TOKENS_OF_OLDER_SDKS = frozenset({"azure:sql/sqlServer:SqlServer", "azure:sql/firewallRule:FirewallRule"})


@pytest.fixture(scope="module")
def classic_sdk_tokens() -> frozenset[str]:
    """Every resource token the installed classic SDK registers (read from its sources, without importing 1,500 modules)."""
    spec = importlib.util.find_spec("pulumi_azure")
    if spec is None or spec.origin is None:
        pytest.skip("pulumi-azure (a test extra) is not installed")
    pattern = re.compile(r"__init__\(\s*'(azure:[A-Za-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+)'")
    root = Path(spec.origin).parent
    return frozenset(token for path in root.rglob("*.py") for token in pattern.findall(path.read_text()))


def test_every_classic_token_is_a_resource_the_classic_sdk_emits(classic_sdk_tokens: frozenset[str]) -> None:
    """Catches a token no classic SDK registers: ``azure:network/privateEndpoint`` silently matched nothing
    (private endpoints are ``azure:privatelink/endpoint:Endpoint``), so no classic PHI store could pass."""
    used = {(rule_id, token) for rule_id, token in _all_rule_tokens() if token.startswith("azure:")}
    used |= {(kind.kind, token) for kind in catalogs.kinds() for token in kind.classic}
    missing = sorted(
        (owner, token)
        for owner, token in used
        if token not in classic_sdk_tokens and token not in CLASSIC_TOKENS_OF_OLDER_SDKS
    )
    assert missing == []
    assert "azure:privatelink/endpoint:Endpoint" in classic_sdk_tokens


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


# --- Azure Managed Redis (kinds managed-redis-cluster and managed-redis-database) ---------------------------------

_PHI_STACK_RULES = (
    "phi-audit-logs-to-workspace",
    "phi-private-connectivity",
    "phi-delete-lock",
    "cmk-key-protected-and-granted",
)
_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"


def _managed_redis_native(hardened: bool) -> None:
    """A cluster and its database on azure-native; hardened: a private endpoint (sub-resource 'redisEnterprise'),
    the database's logs sent to a workspace through a target built from the cluster's ID, a CanNotDelete lock on
    the cluster, and its customer-managed key in a purge-protected vault that its identity may unwrap with."""
    import pulumi_azure_native as native

    rg = "rg-claims"
    vault = native.keyvault.Vault(
        "kv", resource_group_name=rg,
        properties={"tenant_id": "00000000-0000-0000-0000-000000000000", "sku": {"family": "A", "name": "premium"},
                    "enable_purge_protection": True if hardened else None},
    )  # fmt: skip
    key = native.keyvault.Key("amr-kek", resource_group_name=rg, vault_name=vault.name, properties={"kty": "RSA"})
    identity = native.managedidentity.UserAssignedIdentity("amr-id", resource_group_name=rg)
    if hardened:
        native.authorization.RoleAssignment(
            "amr-unwrap", principal_id=identity.principal_id, principal_type="ServicePrincipal", scope=key.id,
            role_definition_id=f"/providers/Microsoft.Authorization/roleDefinitions/{_CRYPTO_SERVICE_ENCRYPTION_USER}",
        )  # fmt: skip
    cluster = native.redisenterprise.RedisEnterprise(
        "amr", resource_group_name=rg, sku={"name": "Balanced_B1"}, public_network_access="Disabled",
        identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
        encryption={"customer_managed_key_encryption": {
            "key_encryption_key_url": key.key_uri_with_version,
            "key_encryption_key_identity": {"identity_type": "userAssignedIdentity",
                                            "user_assigned_identity_resource_id": identity.id}}},
    )  # fmt: skip
    native.redisenterprise.Database(
        "amr-db", cluster_name=cluster.name, resource_group_name=rg, database_name="default",
        access_keys_authentication="Disabled", client_protocol="Encrypted",
    )  # fmt: skip
    if not hardened:
        return
    workspace = native.operationalinsights.Workspace("law", resource_group_name=rg)
    native.network.PrivateEndpoint(
        "amr-pe", resource_group_name=rg, subnet={"id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe"},
        private_link_service_connections=[{"name": "amr", "private_link_service_id": cluster.id, "group_ids": ["redisEnterprise"]}],
    )  # fmt: skip
    native.monitor.DiagnosticSetting(
        "amr-logs", resource_uri=cluster.id.apply(lambda cluster_id: f"{cluster_id}/databases/default"),
        workspace_id=workspace.id, logs=[{"category_group": "allLogs", "enabled": True}],
    )  # fmt: skip
    native.authorization.ManagementLockByScope("amr-lock", scope=cluster.id, level="CanNotDelete")


def _managed_redis_classic(hardened: bool) -> None:
    """The same on the classic provider, whose ManagedRedis holds its database inline (defaultDatabase)."""
    import pulumi_azure as classic

    rg, location = "rg-claims", "eastus2"
    vault = classic.keyvault.KeyVault(
        "kv", resource_group_name=rg, location=location, tenant_id="00000000-0000-0000-0000-000000000000",
        sku_name="premium", purge_protection_enabled=hardened,
    )  # fmt: skip
    key = classic.keyvault.Key(
        "amr-kek", key_vault_id=vault.id, key_type="RSA", key_size=3072, key_opts=["wrapKey", "unwrapKey"]
    )
    identity = classic.authorization.UserAssignedIdentity("amr-id", resource_group_name=rg, location=location)
    if hardened:
        classic.authorization.Assignment(
            "amr-unwrap", principal_id=identity.principal_id, scope=key.resource_id,
            role_definition_name="Key Vault Crypto Service Encryption User",
        )  # fmt: skip
    redis = classic.managedredis.ManagedRedis(
        "amr", resource_group_name=rg, location=location, sku_name="Balanced_B1", public_network_access="Disabled",
        identity={"type": "UserAssigned", "identity_ids": [identity.id]},
        customer_managed_key={"key_vault_key_id": key.id, "user_assigned_identity_id": identity.id},
        default_database={"access_keys_authentication_enabled": False, "client_protocol": "Encrypted"},
    )  # fmt: skip
    if not hardened:
        return
    workspace = classic.operationalinsights.AnalyticsWorkspace("law", resource_group_name=rg, location=location)
    classic.privatelink.Endpoint(
        "amr-pe", resource_group_name=rg, location=location,
        subnet_id="/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe",
        private_service_connection={"name": "amr", "private_connection_resource_id": redis.id,
                                    "subresource_names": ["redisEnterprise"], "is_manual_connection": False},
    )  # fmt: skip
    classic.monitoring.DiagnosticSetting(
        "amr-logs", target_resource_id=redis.id.apply(lambda redis_id: f"{redis_id}/databases/default"),
        log_analytics_workspace_id=workspace.id, enabled_logs=[{"category_group": "allLogs"}],
    )  # fmt: skip
    classic.management.Lock("amr-lock", scope=redis.id, lock_level="CanNotDelete")


def test_managed_redis_is_catalogued_with_its_documented_private_link_and_logs() -> None:
    from phi_guardrails.private_link import zone_matches

    for token in ("azure-native:redisenterprise:RedisEnterprise", "azure:managedredis/managedRedis:ManagedRedis"):
        kind = catalogs.kind_of(token)
        assert kind is not None and kind.kind == "managed-redis-cluster", token
        assert kind.holds_phi and kind.cmk_consumer and not kind.stateful
        assert kind.private_link_group_ids == ("redisEnterprise",)
        assert kind.diagnostic_categories == ("ConnectionEvents",)
    database = catalogs.kind_of("azure-native:redisenterprise:Database")
    assert database is not None and not database.holds_phi  # checked through its cluster
    assert zone_matches("redisEnterprise", "privatelink.redis.azure.net")
    assert not zone_matches("redisEnterprise", "privatelink.redis.cache.windows.net")  # Azure Cache for Redis's


@pytest.mark.parametrize("program", [_managed_redis_native, _managed_redis_classic], ids=["native", "classic"])
def test_an_unhardened_managed_redis_trips_the_phi_stack_rules_and_a_hardened_one_passes(
    program: Callable[[bool], None],
) -> None:
    def on_redis(hardened: bool) -> dict[str, list[str]]:
        """The verdicts on the Redis cluster (the key vault is a PHI kind of its own, hardened elsewhere)."""
        found = _verdicts(lambda: program(hardened), _PHI_STACK_RULES)
        return {rule: [name for name in names if name == "amr"] for rule, names in found.items() if "amr" in names}

    assert on_redis(False) == {
        "phi-audit-logs-to-workspace": ["amr"],
        "phi-private-connectivity": ["amr"],
        "phi-delete-lock": ["amr"],
        "cmk-key-protected-and-granted": ["amr", "amr"],  # its key's vault lacks purge protection; no unwrap role
    }
    assert on_redis(True) == {}
