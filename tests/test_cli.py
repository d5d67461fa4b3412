"""`landing-zone preview` end to end: exit codes, the printed report, the JSON document, clean errors.

These runs use the default path, which starts the policy pack as ``python -m pulumi.policy`` and
speaks gRPC to it exactly as the Pulumi CLI does.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from landing_zone.cli import EXIT_ERROR, EXIT_MANDATORY_VIOLATIONS, EXIT_OK, main
from landing_zone.preview.engine import preview
from landing_zone.preview.report import to_json

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal-key-vault"

pytestmark = pytest.mark.subprocess

#: The minimal example with its vault written by hand (purge protection left out: Azure accepts that, the
#: pack does not; an explicit ``false`` is something Azure itself rejects, exit 3) and everything else kept.
PURGE_PROTECTION_OFF = textwrap.dedent(
    """
    import pulumi
    from pulumi_azure_native import authorization, keyvault, monitor, operationalinsights, resources, security

    from components.diagnostics import attach_diagnostics
    from components.interfaces import DiagnosticsArgs, LockArgs, PrivateEndpointArgs
    from components.locks import lock_resource
    from components.private_endpoint import add_private_endpoints

    config = pulumi.Config()
    location = "eastus2"
    tags = {"dataClassification": "phi", "owner": "platform", "environment": "dev"}
    client = authorization.get_client_config_output()
    group = resources.ResourceGroup("keys", location=location, tags=tags, opts=pulumi.ResourceOptions(protect=True))
    workspace = operationalinsights.Workspace(
        "audit", resource_group_name=group.name, location=location, sku={"name": "PerGB2018"}, retention_in_days=90,
        features={"disable_local_auth": True}, tags=tags, opts=pulumi.ResourceOptions(protect=True),
    )
    vault = keyvault.Vault(
        "keys",
        resource_group_name=group.name,
        location=location,
        vault_name="kv-raw-demo01",
        properties=keyvault.VaultPropertiesArgs(
            tenant_id=client.tenant_id,
            sku=keyvault.SkuArgs(family="A", name="premium"),
            enable_rbac_authorization=True,
            soft_delete_retention_in_days=90,
            public_network_access="Disabled",
            network_acls=keyvault.NetworkRuleSetArgs(default_action="Deny", bypass="None"),
        ),
        tags=tags,
        opts=pulumi.ResourceOptions(protect=True),
    )
    attach_diagnostics("keys", vault.id, DiagnosticsArgs(workspace_id=workspace.id), parent=vault)
    lock_resource("keys", vault.id, LockArgs(), "kv-raw-demo01", vault)
    endpoint = PrivateEndpointArgs(
        subnet_id=config.require("endpointSubnetId"), private_dns_zone_ids={"vault": config.require("vaultDnsZoneId")}
    )
    add_private_endpoints("keys", target_id=vault.id, target_name="kv-raw-demo01", sub_resources=["vault"], endpoint=endpoint,
                          resource_group_name=group.name, location=location, tags=tags, parent=vault)
    monitor.SubscriptionDiagnosticSetting(
        "activity-log", name="activity", workspace_id=workspace.id,
        logs=[monitor.SubscriptionLogSettingsArgs(category=c, enabled=True) for c in ("Administrative", "Security", "Policy")],
    )
    security.Pricing("defender-key-vaults", pricing_name="KeyVaults", pricing_tier="Standard",
                     scope_id=pulumi.Output.concat("/subscriptions/", client.subscription_id))
    """
)


@pytest.fixture
def purge_protection_off(tmp_path: Path) -> Path:
    """A copy of the minimal example whose vault is written by hand with purge protection off."""
    folder = tmp_path / "bad-example"
    shutil.copytree(MINIMAL, folder)
    (folder / "__main__.py").write_text(PURGE_PROTECTION_OFF)
    return folder


def reference_program_with(tmp_path: Path, landing_zone: Any) -> Path:
    """A project that runs the reference program with the given landingZone config."""
    (tmp_path / "Pulumi.yaml").write_text("name: phi-landing-zone\nruntime: python\n")
    (tmp_path / "__main__.py").write_text(
        "import runpy\nrunpy.run_module('landing_zone.program', run_name='__main__')\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text(
        yaml.safe_dump({"config": {"phi-landing-zone:landingZone": landing_zone}})
    )
    return tmp_path


def test_minimal_example_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(MINIMAL)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "landingzone:security:KeyVault" in out
    assert "azure-native:keyvault:Vault" in out
    assert "✅ azure-phi-guardrails@v0.1.0" in out
    assert "Policy verdicts: 0 mandatory, 0 advisory from 1 pack(s)" in out


def test_reference_program_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(ROOT)]) == EXIT_OK
    assert "Preview passed: no mandatory policy violations." in capsys.readouterr().out


def test_purge_protection_off_fails_naming_rule_and_resource(
    purge_protection_off: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "out.json"
    assert main(["preview", str(purge_protection_off), "--json", str(report)]) == EXIT_MANDATORY_VIOLATIONS
    out = capsys.readouterr().out
    assert "- [mandatory] (critical)  keyvault-purge-protection  (1)" in out
    assert "azure-native:keyvault:Vault: keys" in out
    assert "Preview FAILED" in out

    document = json.loads(report.read_text())
    assert list(document) == [
        "project",
        "stack",
        "resources",
        "policyViolations",
        "remediations",
        "weakenings",
        "azureRejections",
        "summary",
    ]
    assert (document["project"], document["stack"]) == ("minimal-key-vault", "dev")
    assert document["summary"] == {
        "resources": 11,
        "mandatory": 1,
        "advisory": 0,
        "unverifiable": 0,
        "remediations": 0,
        "weakenings": 0,
        "azureRejections": 0,
    }
    assert document["policyViolations"] == [
        {
            "policyPack": "azure-phi-guardrails",
            "policy": "keyvault-purge-protection",
            "enforcementLevel": "mandatory",
            "severity": "critical",
            "urn": "urn:pulumi:dev::minimal-key-vault::azure-native:keyvault:Vault::keys",
            "message": document["policyViolations"][0]["message"],
            "kind": "violation",
        }
    ]
    assert "purge protection is not enabled" in document["policyViolations"][0]["message"]
    vault = next(r for r in document["resources"] if r["type"] == "azure-native:keyvault:Vault")
    assert list(vault) == [
        "urn", "type", "name", "parent", "custom", "inputs", "dependencies", "propertyDependencies",
        "protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "aliases", "provider",
        "sourcePosition",
    ]  # fmt: skip
    assert vault["sourcePosition"]["uri"].startswith("file://") and vault["sourcePosition"]["line"] > 0
    assert "enablePurgeProtection" not in vault["inputs"]["properties"]


def test_pack_config_can_downgrade_a_rule(purge_protection_off: Path, tmp_path: Path) -> None:
    config = tmp_path / "pack-config.json"
    config.write_text(json.dumps({"keyvault-purge-protection": "advisory"}))
    assert main(["preview", str(purge_protection_off), "--policy-pack-config", str(config)]) == EXIT_OK


def test_in_process_packs_give_the_same_verdicts(purge_protection_off: Path, tmp_path: Path) -> None:
    """The library's ``in_process=True`` (the test suite's fast path) agrees with the CLI's gRPC path."""
    path = tmp_path / "out.json"
    assert main(["preview", str(purge_protection_off), "--json", str(path)]) == EXIT_MANDATORY_VIOLATIONS
    documents = [json.loads(path.read_text()), to_json(preview(purge_protection_off, in_process=True))]
    for document in documents:  # registration order depends on thread scheduling, not on the transport
        document["resources"].sort(key=lambda resource: resource["urn"])
        for resource in document["resources"]:  # the SDK keeps dependencies in a set: order varies by process
            resource["dependencies"].sort()
        document["policyViolations"].sort(key=lambda violation: (violation["policy"], violation["urn"]))
    assert documents[0] == documents[1]


def test_json_to_stdout_keeps_the_report_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(MINIMAL), "--json", "-", "--no-policy"]) == EXIT_OK
    captured = capsys.readouterr()
    assert json.loads(captured.out)["summary"]["mandatory"] == 0
    assert "Previewing update (dev)" in captured.err


def test_no_policy_records_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(MINIMAL), "--no-policy"]) == EXIT_OK
    assert "Policies:" not in capsys.readouterr().out


def test_invalid_landing_zone_config_exits_2_listing_every_problem(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = json.loads(json.dumps(dev_config))
    broken["keys"]["keySize"] = 2048
    broken["network"]["spokes"][0]["subnets"][0]["cidr"] = "10.99.0.0/24"
    assert main(["preview", str(reference_program_with(tmp_path, broken))]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "invalid landing-zone configuration in Pulumi.dev.yaml: landingZone: 2 problems" in err
    assert "  - network.spokes[0].subnets[0].cidr: 10.99.0.0/24 is not inside" in err
    assert "  - keys.keySize: 2048-bit keys are not allowed" in err
    assert "Traceback" not in err


def test_program_errors_exit_2_without_traceback_unless_debug(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("raise RuntimeError('the program is broken')\n")
    assert main(["preview", str(tmp_path), "--no-policy"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert f"error: {tmp_path / '__main__.py'}:1: the program failed: RuntimeError: the program is broken" in err
    assert "Traceback" not in err
    assert main(["preview", str(tmp_path), "--no-policy", "--debug"]) == EXIT_ERROR
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"keyvault-purge-protection": "sometimes"}, "is not a valid enforcement level"),
        ({"keyvault-purge-protection": 7}, "must be a string or object"),
    ],
)
def test_bad_pack_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], config: Any, message: str) -> None:
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(config))
    assert main(["preview", str(MINIMAL), "--policy-pack-config", str(path)]) == EXIT_ERROR
    assert message in capsys.readouterr().err


def test_missing_project_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(tmp_path)]) == EXIT_ERROR
    assert "no Pulumi.yaml" in capsys.readouterr().err


def test_not_a_policy_pack_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", str(MINIMAL), "--policy-pack", str(tmp_path)]) == EXIT_ERROR
    assert "is not a policy pack folder" in capsys.readouterr().err


def test_a_pack_that_crashes_on_start_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (tmp_path / "__main__.py").write_text("raise SystemExit('pack cannot start: missing dependency')\n")
    assert main(["preview", str(MINIMAL), "--policy-pack", str(tmp_path)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "did not start" in err
    assert "missing dependency" in err


def test_validate_config_command(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"landingZone": dev_config}))
    assert main(["validate-config", str(good)]) == EXIT_OK
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**dev_config, "prefx": "x"}))
    assert main(["validate-config", str(bad)]) == EXIT_ERROR
    assert "prefx: unknown key 'prefx'; did you mean 'prefix'?" in capsys.readouterr().err


MUTABLE_LOG_ARCHIVE = textwrap.dedent(
    """
    from pulumi_azure_native import monitor, storage

    archive = storage.StorageAccount(
        "archive",
        account_name="starchive01",
        resource_group_name="rg",
        kind="StorageV2",
        sku=storage.SkuArgs(name="Standard_GZRS"),
    )
    monitor.SubscriptionDiagnosticSetting(
        "activity",
        name="activity",
        workspace_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/log",
        storage_account_id=archive.id,
        logs=[monitor.SubscriptionLogSettingsArgs(category=c, enabled=True) for c in ("Administrative", "Security", "Policy")],
    )
    """
)


def test_stack_rules_run_over_grpc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """AnalyzeStack through the real subprocess path: a mutable log archive is a mandatory violation."""
    folder = tmp_path / "archive-stack"
    shutil.copytree(MINIMAL, folder)
    (folder / "__main__.py").write_text(MUTABLE_LOG_ARCHIVE)
    report = tmp_path / "out.json"
    assert main(["preview", str(folder), "--json", str(report)]) == EXIT_MANDATORY_VIOLATIONS
    violations = json.loads(report.read_text())["policyViolations"]
    archive = [
        (v["enforcementLevel"], v["urn"].rsplit("::", 1)[-1])
        for v in violations
        if v["policy"] == "log-archive-immutable"
    ]
    assert archive == [("mandatory", "archive")]
    assert "- [mandatory] (high)  log-archive-immutable  (1)" in capsys.readouterr().out


def test_a_reader_gone_before_the_verdict_was_written_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    """`landing-zone audit ... | head` under pipefail: a verdict nobody read in full is not a pass."""
    from landing_zone import cli, cli_commands

    def reader_gone(arguments: Any) -> int:
        raise BrokenPipeError

    monkeypatch.setattr(cli_commands, "run", reader_gone)
    monkeypatch.setattr(cli.os, "dup2", lambda *_: None)
    monkeypatch.setattr(cli.os, "open", lambda *_: -1)
    monkeypatch.setattr(cli.sys, "stdout", type("Out", (), {"fileno": lambda self: 1})())
    assert main(["policy-pack", "path"]) == EXIT_ERROR
