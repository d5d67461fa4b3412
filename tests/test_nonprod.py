"""Non-production stacks can be torn down; production stacks holding PHI cannot escape their deletion blockers.

The pack relaxes only the deletion-blocker rules (``stateful-resources-protected``, ``phi-delete-lock``,
``keyvault-soft-delete`` down to Azure's 7 days, ``log-archive-immutable``) for a resource that
``phi_guardrails.environment`` declares non-production, and reports each relaxation through the advisory
``nonprod-relaxations``, which the offline engine lists as a weakening. Resources are registered under the
recording mocks as a user's program registers them, on both providers, and the pack is driven through its
servicer with the stack tags of ``ConfigureStack`` (and, for the CLI's environment, as a separate process
over gRPC).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi_azure_native import keyvault, monitor, storage

from landing_zone.cli import EXIT_OK, main
from landing_zone.preview.analyzers import InProcessAnalyzer, SubprocessAnalyzer
from landing_zone.preview.engine import preview
from landing_zone.preview.pack_config import PackConfig, PolicyConfig
from landing_zone.preview.policy import PackResult, PolicyPackSession
from landing_zone.preview.runner import record
from landing_zone.preview.weakenings import StrictModeError, gate

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policy_pack"
FULL = ROOT / "examples" / "full-phi-environment"
RELAXABLE = {"stateful-resources-protected", "phi-delete-lock", "keyvault-soft-delete", "log-archive-immutable"}
REPORT = "nonprod-relaxations"
#: The rules under test, at their shipped levels; everything else off so only they speak.
CONFIG = {
    "all": PolicyConfig("disabled"),
    **{rule: PolicyConfig("mandatory") for rule in (*RELAXABLE, "keyvault-purge-protection")},
    REPORT: PolicyConfig("advisory"),
}
VAULT = {
    "tenantId": "72f988bf-0000-4000-8000-000000000001",
    "sku": {"family": "A", "name": "premium"},
    "enablePurgeProtection": True,
    "enableRbacAuthorization": True,
    "enableSoftDelete": True,
    "softDeleteRetentionInDays": 7,
    "publicNetworkAccess": "Disabled",
    "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices"},
}
CLASSIC_VAULT = {
    "tenantId": "72f988bf-0000-4000-8000-000000000001",
    "skuName": "premium",
    "purgeProtectionEnabled": True,
    "rbacAuthorizationEnabled": True,
    "softDeleteRetentionDays": 7,
    "resourceGroupName": "rg",
    "location": "eastus2",
}
NATIVE = ("azure-native:storage:StorageAccount", "azure-native:keyvault:Vault")
CLASSIC = ("azure:storage/account:Account", "azure:keyvault/keyVault:KeyVault")
#: What a production stack must be refused for this program: (rule, resource name).
PRODUCTION_VIOLATIONS = {
    ("stateful-resources-protected", "st"),
    ("stateful-resources-protected", "kv"),
    ("stateful-resources-protected", "classic-st"),
    ("stateful-resources-protected", "classic-kv"),
    ("phi-delete-lock", "st"),
    ("phi-delete-lock", "kv"),
    ("phi-delete-lock", "classic-st"),
    ("phi-delete-lock", "classic-kv"),
    ("keyvault-soft-delete", "kv"),
    ("keyvault-soft-delete", "classic-kv"),
    ("log-archive-immutable", "st"),
    ("log-archive-immutable", "classic-st"),
}


@pytest.fixture(autouse=True)
def _no_stack_variable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """In-process, the stack name comes from the URNs alone (the CLI's PULUMI_STACK is tested over gRPC)."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    yield


def program(tags: Mapping[str, Any] | None, **vault_changes: Any) -> Callable[[], None]:
    """Storage and a vault on each provider, none protected or locked, each account receiving audit logs."""

    def run() -> None:
        extra = {} if tags is None else {"tags": tags if isinstance(tags, pulumi.Output) else dict(tags)}
        account = storage.StorageAccount(
            "st",
            resource_group_name="rg",
            account_name="stnonprod",
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_ZRS"),
            immutable_storage_with_versioning=storage.ImmutableStorageAccountArgs(
                enabled=False, immutability_policy=storage.AccountImmutabilityPolicyPropertiesArgs(state="Disabled")
            ),
            **extra,
        )
        vault = keyvault.Vault(
            "kv",
            resource_group_name="rg",
            vault_name="kv-nonprod",
            properties={**VAULT, **vault_changes},  # type: ignore[arg-type]
            **extra,
        )
        monitor.DiagnosticSetting(
            "kv-diag",
            resource_uri=vault.id,
            storage_account_id=account.id,
            logs=[{"category_group": "audit", "enabled": True}],
        )
        classic_account = pulumi.CustomResource(
            CLASSIC[0], "classic-st", {"resourceGroupName": "rg", "location": "eastus2", **extra}
        )
        classic_vault = pulumi.CustomResource(CLASSIC[1], "classic-kv", {**CLASSIC_VAULT, **extra})
        pulumi.CustomResource(
            "azure:monitoring/diagnosticSetting:DiagnosticSetting",
            "classic-diag",
            {"targetResourceId": classic_vault.id, "storageAccountId": classic_account.id},
        )

    return run


def analyze(
    function: Callable[[], None],
    *,
    stack: str = "dev",
    stack_tags: Mapping[str, str] | None = None,
    config: Mapping[str, PolicyConfig] | None = None,
    pack_stack: str | None = None,
) -> PackResult:
    """Record ``function`` as stack ``stack`` and run the pack with those stack tags.

    ``pack_stack`` starts the pack as its own process over gRPC, as the CLI does, with PULUMI_STACK set to it.
    """
    registrations = record(function, stack=stack).registrations
    connection = (
        InProcessAnalyzer(PACK) if pack_stack is None else SubprocessAnalyzer(PACK, project="test", stack=pack_stack)
    )
    try:
        session = PolicyPackSession(
            connection,
            PACK,
            user_config=dict(config or CONFIG),
            project="test",
            stack=stack,
            stack_tags={"pulumi:project": "test", **(stack_tags or {})},
        )
        result = session.start()
        session.analyze_all(registrations)
        return result
    finally:
        connection.close()


def verdicts(result: PackResult, level: str = "mandatory") -> set[tuple[str, str]]:
    return {
        (d.policy, d.urn.rsplit("::", 1)[-1])
        for d in result.diagnostics
        if d.enforcement_level == level and d.kind == "violation" and d.policy != REPORT
    }


def reported(result: PackResult) -> dict[str, str]:
    """The relaxation report: resource name -> message."""
    return {d.urn.rsplit("::", 1)[-1]: d.message for d in result.diagnostics if d.policy == REPORT}


RELAXED = [
    pytest.param("dev", {}, {"environmentClass": "nonprod"}, id="tag"),
    pytest.param("dev", {}, {"ENVIRONMENT-CLASS": "Sandbox"}, id="other-key-spelling-and-case"),
    pytest.param("dev", {}, {"environment_class": " Non-Prod "}, id="snake-key-hyphen-value"),
    pytest.param("dev", {"environmentClass": "nonprod"}, {"owner": "team"}, id="stack-tag-resource-untagged"),
    pytest.param("sandbox-7", {"environmentClass": "dev"}, None, id="stack-tag-no-tags-at-all"),
    pytest.param("product-test", {}, {"environmentClass": "test"}, id="stack-name-with-prod-inside-a-word"),
    pytest.param("nonprod", {}, {"environmentClass": "nonproduction"}, id="stack-named-nonprod"),
]
REFUSED = [
    pytest.param("dev", {}, {"owner": "team"}, id="untagged-stack-not-declared"),
    pytest.param("dev", {}, None, id="no-tags-at-all"),
    pytest.param("dev", {}, {"environmentClass": "prod"}, id="tagged-prod"),
    pytest.param("dev", {}, {"environmentClass": "nonprd"}, id="typo-is-production"),
    pytest.param("dev", {}, {"environmentClass": ""}, id="blank-is-production"),
    pytest.param("dev", {"environmentClass": "nonprod"}, {"environmentClass": "Production"}, id="resource-prod-wins"),
    pytest.param("dev", {"environmentClass": "prod"}, {"environmentClass": "nonprod"}, id="stack-tag-prod-wins"),
    pytest.param("dev", {"Environment_Class": "staging"}, {"environmentClass": "nonprod"}, id="stack-tag-other"),
    pytest.param("dev", {}, {"environmentClass": "nonprod", "environment-class": "prod"}, id="conflicting-keys"),
    pytest.param("prod", {"environmentClass": "nonprod"}, {"environmentClass": "nonprod"}, id="stack-prod"),
    pytest.param("payments-prd", {}, {"environmentClass": "nonprod"}, id="stack-payments-prd"),
    pytest.param("paymentsProd", {}, {"environmentClass": "nonprod"}, id="stack-camel-case-prod"),
    pytest.param("eu-live2", {}, {"environmentClass": "nonprod"}, id="stack-live-with-digit"),
    pytest.param("PRODUCTION", {}, {"environmentClass": "sandbox"}, id="stack-upper-case"),
]


@pytest.mark.parametrize(("stack", "stack_tags", "tags"), RELAXED)
def test_non_production_resources_are_relaxed_and_reported(
    stack: str, stack_tags: dict[str, str], tags: dict[str, str] | None
) -> None:
    result = analyze(program(tags), stack=stack, stack_tags=stack_tags)
    assert verdicts(result) == set()
    assert verdicts(result, "advisory") == set()
    report = reported(result)
    assert set(report) == {"st", "kv", "classic-st", "classic-kv"}
    assert (
        "keyvault-soft-delete (with minimumRetentionDays 7), phi-delete-lock, stateful-resources-protected"
        in (report["kv"])
    )
    assert "phi-delete-lock, stateful-resources-protected, log-archive-immutable" in report["classic-st"]
    assert f"stack '{stack}' is not named as production" in report["st"]
    assert all(d.enforcement_level == "advisory" for d in result.diagnostics if d.policy == REPORT)
    # The relaxed rules say so (not applicable, with the reason) rather than passing silently.
    relaxed = {(item.policy, item.reason.count("relaxed for a non-production stack")) for item in result.not_applicable}
    assert {policy for policy, count in relaxed if count} >= {
        "stateful-resources-protected",
        "phi-delete-lock",
        "log-archive-immutable",
    }


@pytest.mark.parametrize(("stack", "stack_tags", "tags"), REFUSED)
def test_production_resources_keep_every_deletion_blocker(
    stack: str, stack_tags: dict[str, str], tags: dict[str, str] | None
) -> None:
    result = analyze(program(tags), stack=stack, stack_tags=stack_tags)
    assert verdicts(result) == PRODUCTION_VIOLATIONS
    assert reported(result) == {}


def test_relaxation_never_reaches_other_controls() -> None:
    """A non-production vault still needs soft delete on, at least Azure's 7 days, and purge protection."""
    nonprod = {"environmentClass": "nonprod"}
    assert verdicts(analyze(program(nonprod, softDeleteRetentionInDays=6))) == {("keyvault-soft-delete", "kv")}
    assert verdicts(analyze(program(nonprod, enableSoftDelete=False))) == {("keyvault-soft-delete", "kv")}
    assert verdicts(analyze(program(nonprod, enablePurgeProtection=False))) == {("keyvault-purge-protection", "kv")}


def test_only_deletion_blockers_are_relaxable() -> None:
    from phi_guardrails.rules.nonprod import relaxable_rules

    assert {rule.id for rule in relaxable_rules()} == RELAXABLE


def test_tags_unknown_until_apply_are_production() -> None:
    """A tag value computed from another resource's output is unknown at preview: no relaxation on a guess."""

    def unknown_tag() -> None:
        source = storage.StorageAccount(
            "source", resource_group_name="rg", kind="StorageV2", sku=storage.SkuArgs(name="Standard_ZRS")
        )
        program({"environmentClass": source.id})()  # type: ignore[dict-item]

    result = analyze(unknown_tag)
    assert verdicts(result) >= PRODUCTION_VIOLATIONS
    assert reported(result) == {}


def test_tags_wholly_unknown_until_apply_are_judged_by_the_stack_tag_in_both_phases() -> None:
    """Analyze sees such tags unknown, and AnalyzeStack sees azure-native's unknown output: both defer to the
    stack tag, so the report names exactly what the rules relaxed; `pulumi up` re-runs with the real tags."""

    def computed_tags() -> None:
        source = storage.StorageAccount(
            "source", resource_group_name="rg", kind="StorageV2", sku=storage.SkuArgs(name="Standard_ZRS")
        )
        program(source.id.apply(lambda _: {"environmentClass": "prod"}))()  # type: ignore[arg-type]

    relaxed = analyze(computed_tags, stack_tags={"environmentClass": "nonprod"})
    assert verdicts(relaxed) == set()
    assert "keyvault-soft-delete (with minimumRetentionDays 7)" in reported(relaxed)["kv"]
    refused = analyze(computed_tags)
    assert verdicts(refused) >= PRODUCTION_VIOLATIONS
    assert reported(refused) == {}


def test_mandatory_report_forbids_the_relaxation() -> None:
    """The organisation's switch: nonprod-relaxations at mandatory blocks every resource it would relax."""
    config = {**CONFIG, REPORT: PolicyConfig("mandatory")}
    result = analyze(program({"environmentClass": "nonprod"}), config=config)
    blocking = {(d.policy, d.urn.rsplit("::", 1)[-1]) for d in result.diagnostics if d.blocking}
    assert blocking == {(REPORT, name) for name in ("st", "kv", "classic-st", "classic-kv")}


def test_over_grpc_the_pack_reads_stack_tags_and_the_clis_stack_variable() -> None:
    """As under the CLI: the pack runs as its own process, gets stack tags in ConfigureStack and PULUMI_STACK."""
    relaxed = analyze(program(None), stack="dev", stack_tags={"environmentClass": "nonprod"}, pack_stack="dev")
    assert verdicts(relaxed) == set()
    assert set(reported(relaxed)) == {"st", "kv", "classic-st", "classic-kv"}
    # URNs say "dev", but the CLI started the pack for stack "payments-prd": production.
    refused = analyze(program({"environmentClass": "nonprod"}), stack="dev", stack_tags={}, pack_stack="payments-prd")
    assert verdicts(refused) == PRODUCTION_VIOLATIONS
    assert reported(refused) == {}


# -- the full environment -------------------------------------------------------------------------------


def nonprod_stack(folder: Path) -> Path:
    """The full environment's prod stack file turned non-production, as the README says (a copy: the example
    keeps one stack so `landing-zone preview examples/full-phi-environment` needs no --stack)."""
    document = yaml.safe_load((FULL / "Pulumi.prod.yaml").read_text())
    landing_zone = copy.deepcopy(document["config"]["full-phi-environment:landingZone"])
    landing_zone.update(environment="dev", environmentClass="nonprod")
    landing_zone["logging"]["immutability"] = {
        "enabled": False,
        "waiver": {"reason": "non-production stack, destroyed after use", "approvedBy": "platform-team"},
    }
    document["config"]["full-phi-environment:landingZone"] = landing_zone
    document["config"]["pulumi:tags"] = {"environmentClass": "nonprod"}
    target = folder / "full-phi-environment"
    target.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "requirements.txt"):
        (target / name).write_text((FULL / name).read_text())
    (target / "Pulumi.nonprod.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return target


def test_full_environment_nonprod_passes_strict_with_every_relaxation_listed(tmp_path: Path) -> None:
    folder = nonprod_stack(tmp_path)
    result = preview(folder, "nonprod", policy_packs=[PACK], strict=True, in_process=True)
    assert result.mandatory == []
    relaxations = [w for w in result.weakenings if w.kind == "relaxation"]
    advisories = [d for d in result.violations if d.enforcement_level == "advisory" and d.kind == "violation"]
    assert advisories and {d.policy for d in advisories} == {REPORT}
    assert len(relaxations) == len(advisories)
    stateful = {r.urn for r in result.resources if r.type in NATIVE} | {
        r.urn for r in result.resources if r.type == "azure-native:sql:Server"
    }
    assert stateful <= {d.urn for d in advisories}
    vault = next(w for w in relaxations if w.target == "azure-native:keyvault:Vault: phi")
    assert vault.policy == REPORT
    assert "keyvault-soft-delete (with minimumRetentionDays 7)" in vault.detail
    assert vault.reason is not None and "resource tag environmentClass=nonprod" in vault.reason
    # The same program under a production name is refused by the rules the relaxation would drop.
    (folder / "Pulumi.nonprod.yaml").rename(folder / "Pulumi.payments-prd.yaml")
    refused = preview(folder, "payments-prd", policy_packs=[PACK], in_process=True)
    assert {"stateful-resources-protected", "phi-delete-lock", "keyvault-soft-delete", "log-archive-immutable"} <= {
        d.policy for d in refused.mandatory
    }
    assert not [w for w in refused.weakenings if w.kind == "relaxation"]


def test_cli_lists_relaxations_and_strict_refuses_hiding_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = nonprod_stack(tmp_path)
    assert main(["preview", str(folder), "--stack", "nonprod", "--strict"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "relaxation: nonprod-relaxations azure-native:keyvault:Vault: phi" in out
    hide = tmp_path / "hide.json"
    hide.write_text('{"nonprod-relaxations": "disabled"}')
    assert main(["preview", str(folder), "--stack", "nonprod", "--strict", "--policy-pack-config", str(hide)]) != 0
    err = capsys.readouterr().err
    assert "disabling policy nonprod-relaxations" in err


def test_gate_lists_relaxations_only_from_policies_tagged_weakening() -> None:
    result = analyze(program({"environmentClass": "nonprod"}))
    listed = gate([result], [None], [])
    assert {w.target for w in listed if w.kind == "relaxation"} == {
        "azure-native:storage:StorageAccount: st",
        "azure-native:keyvault:Vault: kv",
        "azure:storage/account:Account: classic-st",
        "azure:keyvault/keyVault:KeyVault: classic-kv",
    }
    for policy in result.policies:  # the same verdicts from an untagged policy are not weakenings
        if policy.name == REPORT:
            del policy.tags[:]
    assert not [w for w in gate([result], [None], []) if w.kind == "relaxation"]
    disabled = PackConfig({REPORT: PolicyConfig("disabled")})
    hidden = copy.copy(result)
    hidden.config = {**result.config, REPORT: PolicyConfig("disabled")}
    for policy in hidden.policies:
        if policy.name == REPORT:
            policy.tags.append("weakening")
    with pytest.raises(StrictModeError, match="hides the relaxations"):
        gate([hidden], [disabled], [], strict=True)
