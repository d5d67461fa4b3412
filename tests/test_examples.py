"""The reference program and every example, end to end: zero mandatory violations, the expected inventory,
a dependency edge for every reference to another resource's output, and config errors before any registration."""

from __future__ import annotations

import copy
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from landing_zone.cli import EXIT_ERROR, main
from landing_zone.preview.engine import PreviewResult, preview
from landing_zone.preview.pack_config import parse_pack_config
from landing_zone.preview.runner import ProgramError, run_program

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policy_pack"
PROGRAMS = {
    "reference": (ROOT, "dev"),
    "minimal-key-vault": (ROOT / "examples" / "minimal-key-vault", "dev"),
    "full-phi-environment": (ROOT / "examples" / "full-phi-environment", "prod"),
    "hub-stack": (ROOT / "examples" / "hub-spoke-stacks" / "hub", "prod"),
    "spoke-stack": (ROOT / "examples" / "hub-spoke-stacks" / "spoke", "prod"),
    "state-backend": (ROOT / "examples" / "state-backend", "bootstrap"),
    "workload-a-la-carte": (ROOT / "examples" / "workload-a-la-carte", "dev"),
}
#: Honest advisories: the workload stack's key lives in the platform's vault, whose purge protection is
#: checked in the platform stack, not verifiable from here.
EXPECTED_ADVISORIES = {"workload-a-la-carte": [("cmk-key-protected-and-granted", "")]}
#: Examples whose documented preview command passes a policy-pack config (next to their Pulumi.yaml).
PACK_CONFIGS = {"workload-a-la-carte": ROOT / "examples" / "workload-a-la-carte" / "policy-config.json"}


@pytest.fixture(scope="module")
def previews() -> dict[str, PreviewResult]:
    return {
        name: preview(
            folder,
            stack,
            policy_packs=[PACK],
            pack_configs=[load_pack_config(PACK_CONFIGS[name])] if name in PACK_CONFIGS else [],
            in_process=True,
        )
        for name, (folder, stack) in PROGRAMS.items()
    }


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_program_previews_without_violations(previews: dict[str, PreviewResult], name: str) -> None:
    result = previews[name]
    assert [(d.policy, d.urn) for d in result.violations] == EXPECTED_ADVISORIES.get(name, [])
    assert len(result.resources) > 5


def test_every_example_folder_is_covered() -> None:
    folders = {path.parent for path in (ROOT / "examples").rglob("Pulumi.yaml")}
    assert folders == {folder for folder, _ in PROGRAMS.values() if folder != ROOT}


def test_full_environment_inventory(previews: dict[str, PreviewResult]) -> None:
    counts = Counter(r.type for r in previews["full-phi-environment"].resources)
    expected = {
        "azure-native:network:VirtualNetwork": 3,
        "azure-native:network:VirtualNetworkPeering": 4,
        "azure-native:network:AzureFirewall": 1,
        "azure-native:network:FlowLog": 3,
        "azure-native:keyvault:Vault": 2,  # primary, and the paired region's for PostgreSQL geo-backups
        "azure-native:keyvault:Key": 6,  # audit logs, storage, sql, postgres, postgres-geo, backup
        "azure-native:storage:StorageAccount": 3,  # audit archive (WORM), flow logs (not WORM) and PHI storage
        "azure-native:storage:ManagementPolicy": 1,  # flow-log account: superseded blob versions expire
        "time:index/sleep:Sleep": 7,  # RBAC propagation after each CMK grant (6) and the flow-log writer grant
        "azure-native:sql:Server": 1,
        "azure-native:sql:Database": 1,
        "azure-native:dbforpostgresql:Server": 1,
        "azure-native:dataprotection:BackupVault": 1,
        "azure-native:dataprotection:BackupInstance": 2,
        "azure-native:operationalinsights:Workspace": 1,
        "azure-native:authorization:PolicyAssignment": 2,
        "azure-native:consumption:Budget": 1,
        "azure-native:authorization:PimRoleEligibilitySchedule": 1,
    }
    assert {token: counts[token] for token in expected} == expected


def test_every_phi_store_is_private_encrypted_logged_and_locked(previews: dict[str, PreviewResult]) -> None:
    result = previews["full-phi-environment"]
    verdicts = {
        policy: [d for d in result.diagnostics if d.policy == policy]
        for policy in (
            "phi-private-connectivity",
            "phi-audit-logs-to-workspace",
            "phi-delete-lock",
            "cmk-key-protected-and-granted",
        )
    }
    assert all(items == [] for items in verdicts.values())
    stores = [
        r
        for r in result.resources
        if r.type
        in (
            "azure-native:storage:StorageAccount",
            "azure-native:sql:Server",
            "azure-native:dbforpostgresql:Server",
            "azure-native:keyvault:Vault",
        )
    ]
    assert len(stores) == 7 and all(store.protect for store in stores)


@pytest.mark.parametrize("name", ["reference", "full-phi-environment", "state-backend"])
def test_every_reference_to_another_resources_output_has_a_dependency_edge(name: str) -> None:
    """First-deploy ordering: an input naming another resource's ID must come with a dependency on that resource."""
    folder, stack = PROGRAMS[name]
    run = run_program(folder, stack, dry_run=False)
    ids = {r.id: r.urn for r in run.registrations if r.id and r.id.startswith("/subscriptions/")}
    missing = []
    for registration in run.registrations:
        dependencies = set(registration.dependencies)
        for value in _strings(registration.inputs):
            referenced = _most_specific_id(value, ids)
            if referenced and ids[referenced] != registration.urn and ids[referenced] not in dependencies:
                missing.append((registration.urn, referenced))
    assert missing == []


def _most_specific_id(value: str, ids: dict[str, str]) -> str | None:
    """The longest registered resource ID that `value` is, or is a child path of (a vault ID, not its resource group's)."""
    matches = [i for i in ids if value.lower() == i.lower() or value.lower().startswith(i.lower() + "/")]
    return max(matches, key=len, default=None)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def reference_program(folder: Path) -> None:
    """The reference program in a project of its own (``main`` may not point outside the project folder)."""
    (folder / "Pulumi.yaml").write_text("name: phi-landing-zone\nruntime: python\n")
    shutil.copy(ROOT / "landing_zone" / "program" / "__main__.py", folder / "__main__.py")


def test_config_errors_surface_before_any_registration(tmp_path: Path, dev_config: dict[str, Any]) -> None:
    broken = copy.deepcopy(dev_config)
    broken["dataServices"]["sql"] = {"enabled": True}
    broken["subscription"] = {
        "access": [
            {"group": {"objectId": "5b3f2c9a-0000-4000-8000-000000000001", "displayName": "admins"}, "role": "Owner"}
        ]
    }
    reference_program(tmp_path)
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"phi-landing-zone:landingZone": broken}}))
    with pytest.raises(ProgramError) as caught:
        run_program(tmp_path, "dev")
    paths = {problem.path for problem in caught.value.cause.problems}  # type: ignore[attr-defined]
    assert paths == {"dataServices.sql.administrators", "subscription.access[0].role"}
    assert [r.type for r in caught.value.registrations] == ["pulumi:pulumi:Stack"]


def test_composition_checks_run_before_any_registration(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(dev_config)
    broken["network"]["spokes"] = []
    reference_program(tmp_path)
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"phi-landing-zone:landingZone": broken}}))
    assert main(["preview", str(tmp_path), "--no-policy"]) == EXIT_ERROR
    assert "network.spokes: data services need a spoke with a private-endpoint subnet" in capsys.readouterr().err


def test_stack_reference_outputs_come_from_the_sidecar_file() -> None:
    folder, stack = PROGRAMS["spoke-stack"]
    references = json.loads((folder / "stack-references.json").read_text())["contoso/phi-hub/prod"]
    run = run_program(folder, stack)
    peering = next(
        r
        for r in run.registrations
        if r.type == "azure-native:network:VirtualNetworkPeering" and r.name.endswith("to-hub")
    )
    assert peering.inputs["remoteVirtualNetwork"] == {"id": references["hubVnetId"]}
    routes = next(r for r in run.registrations if r.type == "azure-native:network:RouteTable")
    assert routes.inputs["routes"][0]["nextHopIpAddress"] == references["firewallPrivateIp"]


def load_pack_config(path: Path) -> Any:
    return parse_pack_config(json.loads(path.read_text()))


def test_a_workload_stack_uses_shared_things_by_id_and_delegates_subscription_controls(
    previews: dict[str, PreviewResult],
) -> None:
    result = previews["workload-a-la-carte"]
    created = Counter(r.type for r in result.resources if r.custom)
    for shared in ("Vault", "Workspace", "VirtualNetwork", "PrivateZone", "Pricing", "SubscriptionDiagnosticSetting"):
        assert not [token for token in created if token.endswith(f":{shared}")], shared
    assert created["azure-native:storage:StorageAccount"] == 1 and created["azure-native:keyvault:Key"] == 1
    delegated = {n.policy: n.reason for pack in result.packs for n in pack.not_applicable}
    assert delegated["activity-log-exported"] == (
        "the subscription baseline is owned and checked by stack 'contoso/phi-landing-zone/dev'"
    )
    assert "defender-plans-for-phi-types" in delegated


def test_without_its_policy_config_the_workload_stack_fails_the_subscription_controls() -> None:
    folder, stack = PROGRAMS["workload-a-la-carte"]
    result = preview(folder, stack, policy_packs=[PACK], in_process=True)
    assert sorted(d.policy for d in result.mandatory) == ["activity-log-exported", "defender-plans-for-phi-types"]


def test_the_end_to_end_suite_runs_only_when_asked_and_possible(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("e2e_gate", ROOT / "tests" / "e2e" / "conftest.py")
    assert spec is not None and spec.loader is not None
    gate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gate)
    missing_prerequisites = gate.missing_prerequisites

    for name in ("LANDING_ZONE_E2E", "ARM_SUBSCRIPTION_ID", "ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_USE_OIDC"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("ARM_CLIENT_SECRET", raising=False)
    monkeypatch.setattr("shutil.which", lambda _: None)
    assert missing_prerequisites() == [
        "LANDING_ZONE_E2E=1 (explicit opt-in)",
        "ARM_SUBSCRIPTION_ID",
        "ARM_TENANT_ID",
        "ARM_CLIENT_ID",
        "ARM_USE_OIDC=true or ARM_CLIENT_SECRET",
        "the pulumi CLI on PATH",
    ]
    for name in ("ARM_SUBSCRIPTION_ID", "ARM_TENANT_ID", "ARM_CLIENT_ID"):
        monkeypatch.setenv(name, "00000000-0000-0000-0000-000000000000")
    monkeypatch.setenv("ARM_USE_OIDC", "true")
    monkeypatch.setattr("shutil.which", lambda _: "/usr/local/bin/pulumi")
    assert missing_prerequisites() == ["LANDING_ZONE_E2E=1 (explicit opt-in)"], "credentials alone never deploy"
    monkeypatch.setenv("LANDING_ZONE_E2E", "1")
    assert missing_prerequisites() == []


def test_the_ci_example_runs_the_end_to_end_suite_nightly_with_oidc() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "github-actions-policy.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert triggers["schedule"] == [{"cron": "17 3 * * *"}]
    job = workflow["jobs"]["e2e-nightly"]
    assert job["if"] == "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    run = next(step for step in job["steps"] if step.get("run", "").startswith(".venv/bin/pytest"))
    assert run["run"] == ".venv/bin/pytest -m e2e tests/e2e -rs"
    assert run["env"]["LANDING_ZONE_E2E"] == "1" and run["env"]["ARM_USE_OIDC"] == "true"
    assert "ARM_CLIENT_SECRET" not in run["env"]
    assert all(
        workflow["jobs"][name]["if"] == "github.event_name == 'pull_request'"
        for name in ("offline-guardrails", "pulumi-preview")
    )


def test_a_spoke_stack_writes_flow_logs_to_the_hubs_flow_log_account_with_its_identity() -> None:
    folder, stack = PROGRAMS["spoke-stack"]
    references = json.loads((folder / "stack-references.json").read_text())["contoso/phi-hub/prod"]
    run = run_program(folder, stack)
    flow_log = run.one("azure-native:network:FlowLog")
    assert flow_log.inputs["storageId"] == references["flowLogStorageAccountId"]
    assert flow_log.inputs["identity"] == {
        "type": "UserAssigned",
        "userAssignedIdentities": [references["flowLogIdentityId"]],
    }


def test_minimal_key_vault_as_nonprod_has_no_protect_and_no_lock(tmp_path: Path) -> None:
    """The end-to-end suite deploys it as nonprod: `pulumi destroy` must meet no protected or locked resource."""
    folder = tmp_path / "minimal-key-vault"
    source = ROOT / "examples" / "minimal-key-vault"
    folder.mkdir()
    for name in ("Pulumi.yaml", "__main__.py"):
        (folder / name).write_text((source / name).read_text())
    stack = yaml.safe_load((source / "Pulumi.dev.yaml").read_text())
    stack["config"]["minimal-key-vault:environmentClass"] = "nonprod"
    (folder / "Pulumi.e2e.yaml").write_text(yaml.safe_dump(stack))
    run = run_program(folder, "e2e")
    assert [r.urn for r in run.registrations if r.protect] == []
    assert run.by_type("azure-native:authorization:ManagementLockByScope") == []
    vault = run.one("azure-native:keyvault:Vault")
    assert vault.inputs["properties"]["softDeleteRetentionInDays"] == 7
    assert vault.inputs["tags"]["environmentClass"] == "nonprod"


def test_the_end_to_end_suite_copies_each_example_to_run_on_this_interpreter(tmp_path: Path) -> None:
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(
        "e2e_suite", ROOT / "tests" / "e2e" / "test_deploy_read_back_destroy.py"
    )
    assert spec is not None and spec.loader is not None
    suite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(suite)
    for example in ("minimal-key-vault", "full-phi-environment"):
        folder = suite.prepared_project(example, tmp_path)
        project = yaml.safe_load((folder / "Pulumi.yaml").read_text())
        assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": sys.prefix}}
        assert not list(folder.glob("Pulumi.*.yaml")), "stack settings come from the suite, not the example"
        assert (folder / "__main__.py").read_text() == (ROOT / "examples" / example / "__main__.py").read_text()
