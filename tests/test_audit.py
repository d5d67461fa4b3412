"""`landing-zone audit`: the pack over a deployed stack's export, and drift between the program's inputs and Azure.

The exports in tests/data/exports are hand-written in the real v3 format (see its README). The CLI runs the
pack as a gRPC subprocess, as the preview does.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from landing_zone.audit.drift import find_drift
from landing_zone.audit.export import ExportError, load_export, parse_export
from landing_zone.cli import main
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
CLEAN = EXPORTS / "minimal-key-vault.json"
DRIFTED = EXPORTS / "minimal-key-vault-drifted.json"
FOREIGN = EXPORTS / "foreign-storage.json"
#: Plaintext secrets inside foreign-storage.json (a --show-secrets export): no output may contain them.
FOREIGN_SECRETS = ("hunter2.ProviderClientSecretValue", "q8X1mZ7vN2pL5tR9wY3kB6dF0hJ4sA8e")
VAULT = "azure-native:keyvault:Vault"


def _resource(document: dict[str, Any], type_token: str) -> dict[str, Any]:
    return next(r for r in document["deployment"]["resources"] if r["type"] == type_token)


def _write(tmp_path: Path, document: dict[str, Any], name: str = "export.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


# --- reading the export ----------------------------------------------------------------------------------------


def test_export_becomes_registrations_with_parents_providers_and_deployed_properties() -> None:
    deployment = load_export(FOREIGN)
    assert (deployment.project, deployment.stack) == ("billing-api", "prod")
    by_type = {r.registration.type: r.registration for r in deployment.resources}
    storage = by_type["azure-native:storage:StorageAccount"]
    assert storage.parent == "urn:pulumi:prod::billing-api::billing:app:Api::billing"
    assert storage.provider == (
        "urn:pulumi:prod::billing-api::pulumi:providers:azure-native::eastus2::8c1b2d3e-4f5a-4b6c-9d7e-0f1a2b3c4d5e"
    )
    assert storage.ignore_changes == ["tags.lastReviewed"]
    assert by_type["billing:app:Api"].custom is False
    # Analyze sees what is deployed: the outputs win, inputs fill what Azure does not return
    assert storage.checked_inputs["allowBlobPublicAccess"] is True
    assert storage.checked_inputs["accountName"] == "stbillingprod01"
    assert storage.checked_inputs["primaryEndpoints"]["dfs"] == UNKNOWN  # tolerated, passed on as unknown


def test_secrets_are_never_read_ciphertext_or_plaintext() -> None:
    deployment = load_export(FOREIGN)
    text = repr([(r.inputs, r.outputs, r.registration.checked_inputs) for r in deployment.resources])
    for secret in FOREIGN_SECRETS:
        assert secret not in text
    provider = next(r for r in deployment.resources if r.registration.type == "pulumi:providers:azure-native")
    assert provider.inputs["clientSecret"] == {SECRET_SIG: SECRET_VALUE_SIG, "value": UNKNOWN}
    clean = load_export(CLEAN)
    root = clean.resources[0].registration
    assert root.outputs["deploymentNote"] == {SECRET_SIG: SECRET_VALUE_SIG, "value": UNKNOWN}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"resources": []}, "not a `pulumi stack export` document"),
        ({"version": 2, "deployment": {}}, "deployment format version 2 is not supported"),
        ({"version": 3, "deployment": {"resources": {}}}, "deployment.resources is not a list"),
        ({"version": 3, "deployment": {"resources": [{"type": "x"}]}}, "deployment.resources[0]: 'urn' is missing"),
        (
            {"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:s::p::t::n", "type": "t", "inputs": []}]}},
            "'inputs' is not an object",
        ),
    ],
)
def test_malformed_exports_are_refused_naming_the_place(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ExportError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_export(document, "x.json")


def test_custom_timeouts_in_seconds_reach_the_pack_as_durations() -> None:
    from landing_zone.preview.policy import analyze_request

    document = json.loads(CLEAN.read_text())
    _resource(document, VAULT)["customTimeouts"] = {"create": 3600, "delete": 90.5}
    deployment = parse_export(document)
    vault = next(r.registration for r in deployment.resources if r.registration.type == VAULT)
    timeouts = analyze_request(vault, {}).options.customTimeouts
    assert (timeouts.create, timeouts.update, timeouts.delete) == (3600.0, 0.0, 90.5)


def test_pending_deletions_are_skipped_and_noted() -> None:
    document = json.loads(CLEAN.read_text())
    old = copy.deepcopy(_resource(document, VAULT))
    old["delete"] = True
    document["deployment"]["resources"].append(old)
    deployment = parse_export(document)
    assert [r.registration.type for r in deployment.resources].count(VAULT) == 1
    assert any("pending deletion" in note for note in deployment.notes)


# --- drift -----------------------------------------------------------------------------------------------------


def _drift(
    inputs: dict[str, Any], outputs: dict[str, Any], ignore: list[str] | None = None
) -> list[tuple[str, str, str]]:
    document = {
        "version": 3,
        "deployment": {
            "resources": [
                {
                    "urn": "urn:pulumi:dev::p::azure-native:storage:StorageAccount::a",
                    "custom": True,
                    "type": "azure-native:storage:StorageAccount",
                    "inputs": inputs,
                    "outputs": outputs,
                    "ignoreChanges": ignore or [],
                }
            ]
        },
    }
    (resource,) = parse_export(document).resources
    return [(d.property, d.expected, d.actual) for d in find_drift(resource)]


def test_drift_is_a_changed_input_property_at_any_depth() -> None:
    assert _drift(
        {"publicNetworkAccess": "Disabled", "networkRuleSet": {"defaultAction": "Deny"}},
        {"publicNetworkAccess": "Enabled", "networkRuleSet": {"defaultAction": "Allow", "bypass": "None"}},
    ) == [("publicNetworkAccess", "Disabled", "Enabled"), ("networkRuleSet.defaultAction", "Deny", "Allow")]
    assert _drift({"minimumTlsVersion": "TLS1_2"}, {"minimumTlsVersion": None}) == [
        ("minimumTlsVersion", "TLS1_2", "null")
    ]
    assert _drift({"rules": [{"port": 443}]}, {"rules": [{"port": 22}]}) == [("rules[0].port", "443.0", "22.0")]
    assert _drift({"ipRules": [{"v": "a"}]}, {"ipRules": [{"v": "a"}, {"v": "b"}]}) == [
        ("ipRules", "1 item(s)", "2 item(s)")
    ]


def test_what_azure_normalises_is_not_drift() -> None:
    assert (
        _drift(
            {
                "sku": {"name": "Premium"},
                "location": "East US 2",
                "retentionInDays": 30,
                "addressPrefixes": ["10.0.1.0/24", "10.0.0.0/24"],
                "identity": {"userAssignedIdentities": ["/subscriptions/S/rg/ID"]},
                "accountName": "only-in-inputs",
                "unset": None,
            },
            {
                "sku": {"name": "premium", "tier": "Premium"},
                "location": "eastus2",
                "retentionInDays": "30",
                "addressPrefixes": ["10.0.0.0/24", "10.0.1.0/24"],
                "identity": {"userAssignedIdentities": {"/subscriptions/s/RG/id": {"principalId": "p"}}},
                "unset": "something",
            },
        )
        == []
    )


def test_ignored_paths_secrets_and_unknowns_are_not_compared() -> None:
    secret = {SECRET_SIG: SECRET_VALUE_SIG, "ciphertext": "v1:abc"}
    assert _drift({"tags": {"reviewed": "a"}}, {"tags": {"reviewed": "b"}}, ignore=["tags.reviewed"]) == []
    assert _drift({"tags": {"reviewed": "a"}}, {"tags": {"reviewed": "b"}}, ignore=['tags["reviewed"]']) == []
    assert _drift({"password": secret}, {"password": {SECRET_SIG: SECRET_VALUE_SIG, "plaintext": '"x"'}}) == []
    assert _drift({"password": "a"}, {"password": secret}) == []
    assert _drift({"endpoint": "a"}, {"endpoint": UNKNOWN}) == []


def test_classic_provider_defaults_are_not_the_programs_settings() -> None:
    assert _drift(
        {"__defaults": ["publicNetworkAccessEnabled"], "publicNetworkAccessEnabled": True, "minTlsVersion": "TLS1_2"},
        {"publicNetworkAccessEnabled": False, "minTlsVersion": "TLS1_0", "__meta": "{}"},
    ) == [("minTlsVersion", "TLS1_2", "TLS1_0")]


def test_a_drifted_credential_is_shown_masked() -> None:
    assert _drift({"administratorLoginPassword": "old-p4ss"}, {"administratorLoginPassword": "new-p4ss"}) == [
        ("administratorLoginPassword", "[secret]", "[secret]")
    ]


def test_components_providers_and_the_stack_have_no_drift() -> None:
    deployment = load_export(FOREIGN)
    for resource in deployment.resources:
        if not resource.registration.custom or resource.registration.type.startswith("pulumi:"):
            assert find_drift(resource) == []


# --- the command -----------------------------------------------------------------------------------------------


def test_clean_export_passes_with_no_drift(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(CLEAN)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Auditing deployed stack (dev) from ")
    assert "No drift: every property the program sets has its deployed value." in out
    assert "to create" not in out


def test_portal_change_is_drift_and_a_violation_in_console_json_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result, report = tmp_path / "audit.json", tmp_path / "audit.md"
    assert main(["audit", str(DRIFTED), "--json", str(result), "--report", str(report)]) == 1
    out = capsys.readouterr().out
    assert "~ azure-native:keyvault:Vault: keys: properties.publicNetworkAccess: program Disabled, Azure Enabled" in out
    assert "~ azure-native:keyvault:Vault: keys: properties.networkAcls.defaultAction: program Deny, Azure Allow" in out
    assert "keyvault-public-network-access-disabled" in out  # the pack judged the deployed value
    document = json.loads(result.read_text())
    assert {(d["property"], d["expected"], d["actual"]) for d in document["drift"]} == {
        ("properties.publicNetworkAccess", "Disabled", "Enabled"),
        ("properties.networkAcls.defaultAction", "Deny", "Allow"),
    }
    assert document["summary"]["drift"] == 2
    policies = {(v["policyPack"], v["policy"]) for v in document["policyViolations"]}
    assert ("deployed-state-drift", "no-drift-from-program") in policies
    assert ("azure-phi-guardrails", "keyvault-public-network-access-disabled") in policies
    assert document["summary"]["mandatory"] == 2  # the pack's own; drift is counted apart
    assert "no-drift-from-program" in report.read_text()


def test_drift_alone_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(CLEAN.read_text())
    _resource(document, VAULT)["outputs"]["tags"]["owner"] = "someone-else@contoso.example"
    assert main(["audit", str(_write(tmp_path, document))]) == 4
    out = capsys.readouterr().out
    assert "tags.owner: program platform-team@contoso.example, Azure someone-else@contoso.example" in out
    assert "Audit FAILED: drift from the program (exit 4)." in out


def test_stack_not_built_with_our_components_is_audited_without_printing_a_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [tmp_path / "a.json", tmp_path / "a.md", tmp_path / "a.sarif"]
    assert main(["audit", str(FOREIGN), "--json", str(files[0]), "--report", str(files[1])]) == 1
    assert main(["audit", str(FOREIGN), "--report", str(files[2])]) == 1
    captured = capsys.readouterr()
    assert "billing-data: allowBlobPublicAccess: program false, Azure true" in captured.out
    assert "tags.lastReviewed" not in captured.out  # ignoreChanges
    for text in [captured.out, captured.err, *(file.read_text() for file in files)]:
        for secret in FOREIGN_SECRETS:
            assert secret not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 4, "deployment": {}}', "deployment format version 4 is not supported"),
    ],
)
def test_a_bad_export_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["audit", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}: " in err
    assert message in err
    assert "Traceback" not in err


def test_a_missing_export_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path / "missing.json")]) == 2
    assert "pulumi stack export --file" in capsys.readouterr().err


def test_a_classic_provider_stack_is_judged_on_its_deployed_values(tmp_path: Path) -> None:
    """The classic `azure` provider's state: outputs repeat every input (plus `__meta`), secrets included."""
    from landing_zone.audit.run import audit

    vault = {
        "__defaults": [],
        "name": "kv-billing-prod",
        "location": "eastus2",
        "resourceGroupName": "rg-billing-prod",
        "skuName": "premium",
        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
        "purgeProtectionEnabled": True,
        "softDeleteRetentionDays": 90,
        "enableRbacAuthorization": True,
        "publicNetworkAccessEnabled": False,
        "networkAcls": {"bypass": "None", "defaultAction": "Deny"},
        "tags": {"dataClassification": "phi", "owner": "billing", "environment": "prod"},
    }
    deployed = {
        **vault,
        "publicNetworkAccessEnabled": True,
        "id": "/subscriptions/s/resourceGroups/rg/kv",
        "__meta": "{}",
    }
    del deployed["__defaults"]
    document = {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-11-30T10:00:00Z", "magic": "m", "version": "v3.200.0"},
            "resources": [
                {
                    "urn": "urn:pulumi:prod::billing::pulumi:pulumi:Stack::billing-prod",
                    "custom": False,
                    "type": "pulumi:pulumi:Stack",
                },
                {
                    "urn": "urn:pulumi:prod::billing::azure:keyvault/keyVault:KeyVault::vault",
                    "custom": True,
                    "id": "/subscriptions/s/resourceGroups/rg/kv",
                    "type": "azure:keyvault/keyVault:KeyVault",
                    "inputs": vault,
                    "outputs": deployed,
                    "parent": "urn:pulumi:prod::billing::pulumi:pulumi:Stack::billing-prod",
                    "protect": True,
                },
            ],
        },
    }
    result = audit(_write(tmp_path, document), in_process=True)
    assert [(d.property, d.expected, d.actual) for d in result.drift] == [
        ("publicNetworkAccessEnabled", "false", "true")
    ]
    violated = {d.policy for d in result.policy_mandatory if d.urn.endswith("::vault")}
    assert "keyvault-public-network-access-disabled" in violated


def test_the_export_can_come_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(DRIFTED.read_bytes())))
    assert main(["audit", "-"]) == 1
    assert "from -: offline" in capsys.readouterr().out
