"""The pack as a product: exemptions, validated configuration, governance settings, the compliance report."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest

from landing_zone.cli import EXIT_ERROR, main
from landing_zone.preview import compliance
from landing_zone.preview.engine import PreviewResult, enforce, preview
from landing_zone.preview.pack_config import PackConfigError, PolicyConfig, parse_pack_config
from landing_zone.preview.runner import record

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policy_pack"
CORPUS = ROOT / "tests" / "corpus"
TAGS = {"dataClassification": "phi", "owner": "team", "environment": "prod"}


def weak_vault() -> None:
    pulumi.CustomResource(
        "azure-native:keyvault:Vault",
        "legacy-vault",
        {
            "vaultName": "kv-legacy",
            "location": "eastus2",
            "properties": {
                "tenantId": "t",
                "sku": {"family": "A", "name": "premium"},
                "enableRbacAuthorization": True,
                "publicNetworkAccess": "Disabled",
                "networkAcls": {"defaultAction": "Deny"},
            },
            "tags": TAGS,
        },
    )


def exemption(
    expires: str, resource: str = "*legacy*", reason: str = "Vault retires in Q3; tracked as RISK-42."
) -> dict:
    return {"resource": resource, "reason": reason, "expires": expires, "approvedBy": "CISO"}


def purge_verdicts(config: dict) -> tuple[list[str], list[str]]:
    result = enforce(record(weak_vault).registrations, PACK, config=parse_pack_config(config))
    violations = [d.message for d in result.diagnostics if d.policy == "keyvault-purge-protection"]
    exempted = [n.reason for n in result.not_applicable if n.policy == "keyvault-purge-protection"]
    return violations, exempted


class TestExemptions:
    def test_an_active_exemption_is_reported_as_exempted_with_its_reason(self) -> None:
        violations, exempted = purge_verdicts({"keyvault-purge-protection": {"exemptions": [exemption("2099-12-31")]}})
        assert violations == []
        assert exempted == ["exempted until 2099-12-31, approved by CISO: Vault retires in Q3; tracked as RISK-42."]

    def test_an_expired_exemption_enforces_the_rule_again(self) -> None:
        violations, exempted = purge_verdicts({"keyvault-purge-protection": {"exemptions": [exemption("2020-01-31")]}})
        assert exempted == []
        assert len(violations) == 1 and "(an exemption expired on 2020-01-31)" in violations[0]

    def test_an_exemption_for_another_resource_changes_nothing(self) -> None:
        violations, _ = purge_verdicts(
            {"keyvault-purge-protection": {"exemptions": [exemption("2099-12-31", "*other*")]}}
        )
        assert len(violations) == 1

    def test_exemptions_match_exact_urns(self) -> None:
        urn = "urn:pulumi:test::test::azure-native:keyvault:Vault::legacy-vault"
        violations, exempted = purge_verdicts(
            {"keyvault-purge-protection": {"exemptions": [exemption("2099-12-31", urn)]}}
        )
        assert violations == [] and len(exempted) == 1

    @pytest.mark.parametrize(
        ("entry", "message"),
        [
            ({"resource": "*legacy*", "expires": "2099-12-31"}, "'reason' is a required property"),
            ({"resource": "*legacy*", "reason": "because", "expires": "2099-12-31"}, "is too short"),
            (
                {"resource": "*legacy*", "reason": "A long enough written reason here.", "expires": "next year"},
                "does not match",
            ),
        ],
    )
    def test_an_exemption_without_a_real_reason_or_date_is_itself_an_error(self, entry: dict, message: str) -> None:
        with pytest.raises(PackConfigError) as caught:
            purge_verdicts({"keyvault-purge-protection": {"exemptions": [entry]}})
        assert any(
            problem.startswith("keyvault-purge-protection: exemptions.0") and message in problem
            for problem in caught.value.problems
        )

    def test_stack_rule_exemptions_name_each_resource(self) -> None:
        case = CORPUS / "public-storage"
        config = {"phi-delete-lock": {"exemptions": [exemption("2099-12-31", "records")]}}
        result = preview(case, "dev", policy_packs=[PACK], pack_configs=[parse_pack_config(config)], in_process=True)
        assert "phi-delete-lock" not in {d.policy for d in result.violations}
        (entry,) = [n for pack in result.packs for n in pack.not_applicable if n.policy == "phi-delete-lock"]
        assert entry.reason.startswith(
            "urn:pulumi:dev::public-storage::azure-native:storage:StorageAccount::records: exempted until 2099-12-31"
        )


class TestGovernanceSettings:
    def test_allowed_regions_come_from_config(self) -> None:
        config = parse_pack_config({"data-residency": {"allowedRegions": ["West Europe"]}})
        result = enforce(record(weak_vault).registrations, PACK, config=config)
        assert "data-residency" in {d.policy for d in result.diagnostics}

    def test_allowed_regions_cannot_be_empty(self) -> None:
        with pytest.raises(PackConfigError, match="data-residency: allowedRegions"):
            enforce([], PACK, config=parse_pack_config({"data-residency": {"allowedRegions": []}}))

    def test_required_tags_come_from_config(self) -> None:
        config = parse_pack_config({"required-tags": {"tags": ["costCenter"]}})
        result = enforce(record(weak_vault).registrations, PACK, config=config)
        (message,) = [d.message for d in result.diagnostics if d.policy == "required-tags"]
        assert "costCenter" in message

    def test_catalog_additions_admit_a_service(self) -> None:
        def maps() -> None:
            pulumi.CustomResource("azure-native:maps:Account", "maps", {"location": "eastus2", "tags": TAGS})

        assert "phi-baa-covered-service" in {d.policy for d in enforce(record(maps).registrations, PACK).diagnostics}
        config = parse_pack_config({"phi-baa-covered-service": {"catalogAdditions": ["azure-native:maps"]}})
        assert "phi-baa-covered-service" not in {
            d.policy for d in enforce(record(maps).registrations, PACK, config=config).diagnostics
        }

    def test_the_cli_rejects_invalid_pack_config_with_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "pack.json"
        path.write_text('{"keyvault-purge-protection": {"exemptions": [{"resource": "x", "expires": "2099-01-01"}]}}')
        assert (
            main(["preview", str(ROOT / "examples" / "minimal-key-vault"), "--policy-pack-config", str(path)])
            == EXIT_ERROR
        )
        assert "'reason' is a required property" in capsys.readouterr().err


def test_cmk_key_in_a_vault_without_purge_protection_and_an_ungranted_identity() -> None:
    def program() -> None:
        vault = pulumi.CustomResource("azure-native:keyvault:Vault", "vault", {"vaultName": "kv1", "properties": {}})
        key = pulumi.CustomResource(
            "azure-native:keyvault:Key", "key", {"keyName": "cmk", "vaultName": vault.urn.apply(lambda _: "kv1")}
        )
        identity = pulumi.CustomResource(
            "azure-native:managedidentity:UserAssignedIdentity", "id", {"resourceName": "id"}
        )
        pulumi.CustomResource(
            "azure-native:storage:StorageAccount",
            "phi",
            {
                "accountName": "stphi",
                "encryption": {"keySource": "Microsoft.Keyvault"},
                "identity": {"userAssignedIdentities": [identity.id]},
            },
            opts=pulumi.ResourceOptions(depends_on=[key, identity]),
        )

    result = enforce(record(program).registrations, PACK)
    messages = [d.message for d in result.diagnostics if d.policy == "cmk-key-protected-and-granted"]
    assert any("without purge protection" in m for m in messages)
    assert any("holds no key-scoped role" in m for m in messages)


@pytest.fixture(scope="module")
def result() -> PreviewResult:
    """A stack with passes, failures and an exemption."""
    config = {"phi-delete-lock": {"exemptions": [exemption("2099-12-31", "records")]}}
    return preview(
        CORPUS / "public-storage", "dev", policy_packs=[PACK], pack_configs=[parse_pack_config(config)], in_process=True
    )


class TestComplianceReport:
    def test_statuses_per_rule_and_resource(self, result: PreviewResult) -> None:
        report = compliance.build(result)
        status = {(v.rule, v.resource_name): v for v in report.verdicts}
        assert status[("storage-no-anonymous-access", "records")].status == compliance.FAIL
        assert status[("storage-https-only", "records")].status == compliance.PASS
        assert status[("phi-delete-lock", "records")].status == compliance.EXEMPTED
        assert "RISK-42" in status[("phi-delete-lock", "records")].detail
        assert status[("activity-log-exported", "(stack)")].status == compliance.FAIL
        assert status[("storage-no-anonymous-access", "records")].citation == "45 CFR 164.312(a)(1)"

    def test_markdown_is_readable_without_our_code(self, result: PreviewResult, tmp_path: Path) -> None:
        path = tmp_path / "report.md"
        compliance.write(result, path)
        text = path.read_text()
        assert text.startswith("# HIPAA Security Rule compliance report: public-storage / dev")
        assert "**FAIL: mandatory rules are violated.**" in text
        assert "| ❌ 45 CFR 164.312(a)(2)(iv) | Encryption and decryption |" in text
        assert "| **phi-delete-lock** | high · mandatory |" in text
        assert (
            "🟡 **stpatientrecords01** (azure-native:storage:StorageAccount) · exempted: exempted until 2099-12-31"
            in text
        )
        assert "### Weakenings" in text and "## Provenance" in text
        assert "## PHI inventory: data stores tagged PHI (1)" in text
        assert "| stpatientrecords01 | azure-native:storage:StorageAccount | rg-records | eastus2 |" in text

    def test_csv_and_html(self, result: PreviewResult, tmp_path: Path) -> None:
        compliance.write(result, tmp_path / "report.csv")
        rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text())))
        assert {row["status"] for row in rows} >= {"pass", "fail", "exempted"}
        assert all(row["citation"].startswith("45 CFR 164.") for row in rows)
        compliance.write(result, tmp_path / "report.html")
        page = (tmp_path / "report.html").read_text()
        assert page.startswith("<!doctype html>") and '<tr class="v-exempted">' in page

    def test_cli_writes_the_report(self, tmp_path: Path) -> None:
        path = tmp_path / "out.md"
        assert main(["preview", str(ROOT / "examples" / "minimal-key-vault"), "--report", str(path)]) == 0
        assert "**PASS" in path.read_text() and " pass, 0 fail (0 mandatory)," in path.read_text()


def test_unknown_values_are_reported_as_not_verifiable(analyze_every_rule: Callable) -> None:
    def program() -> None:
        group = pulumi.CustomResource(
            "azure-native:resources:ResourceGroup", "rg", {"location": "eastus2", "tags": TAGS}
        )
        pulumi.CustomResource(
            "azure-native:storage:StorageAccount",
            "st",
            {"accountName": "st1", "location": "eastus2", "publicNetworkAccess": group.id, "tags": TAGS},
        )

    result = analyze_every_rule(record(program).registrations)
    unverifiable = [d for d in result.diagnostics if d.policy == "storage-public-network-access-disabled"]
    assert len(unverifiable) == 1 and unverifiable[0].enforcement_level == "advisory"
    assert (
        "publicNetworkAccess of azure-native:storage:StorageAccount 'st' is not known until apply"
        in unverifiable[0].message
    )


def test_pack_config_objects_are_policy_configs() -> None:
    assert parse_pack_config({"all": "advisory"}) == {"all": PolicyConfig("advisory", {})}


def test_the_example_policy_config_is_valid_for_the_pack() -> None:
    import json

    document = json.loads((ROOT / "examples" / "ci" / "policy-config.json").read_text())
    result = enforce([], PACK, config=parse_pack_config(document))
    assert result.config["data-residency"].properties["allowedRegions"] == ["eastus2", "centralus"]
    assert result.config["vnet-ddos-protection"].enforcement_level == "mandatory"


CENTRAL_WORKSPACE = (
    "/subscriptions/3f2c9a51-0000-4000-8000-000000000002/resourceGroups/rg-platform-security"
    "/providers/Microsoft.OperationalInsights/workspaces/log-central-audit"
)


def logged_vault(workspace_id: object) -> Callable[[], None]:
    """A vault whose audit logs go to ``workspace_id`` (a literal ID, or another resource's output)."""

    def program() -> None:
        vault = pulumi.CustomResource("azure-native:keyvault:Vault", "vault", {"vaultName": "kv1", "properties": {}})
        workspace = workspace_id() if callable(workspace_id) else workspace_id
        pulumi.CustomResource(
            "azure-native:monitor:DiagnosticSetting",
            "vault-diag",
            {
                "resourceUri": vault.id,
                "workspaceId": workspace,
                "logs": [{"categoryGroup": "audit", "enabled": True}],
            },
        )

    return program


class TestAuditLogsToACentralWorkspace:
    """Workload stacks send PHI audit logs to the platform's workspace, named by ID from a StackReference or config."""

    @staticmethod
    def verdicts(program: Callable[[], None], config: dict | None = None) -> list:
        result = enforce(record(program).registrations, PACK, config=parse_pack_config(config or {}))
        return [d for d in result.diagnostics if d.policy == "phi-audit-logs-to-workspace"]

    def test_an_existing_workspace_named_by_id_in_any_casing_is_accepted(self) -> None:
        assert self.verdicts(logged_vault(CENTRAL_WORKSPACE.lower())) == []

    def test_a_value_that_is_not_a_workspace_id_is_a_violation(self) -> None:
        (verdict,) = self.verdicts(logged_vault("log-central-audit"))
        assert verdict.enforcement_level == "mandatory" and "approved existing workspace" in verdict.message

    def test_approved_workspaces_restricts_which_existing_workspaces_count(self) -> None:
        only_platform = {"phi-audit-logs-to-workspace": {"approvedWorkspaces": ["*/resourceGroups/rg-platform-*"]}}
        assert self.verdicts(logged_vault(CENTRAL_WORKSPACE), only_platform) == []
        elsewhere = {"phi-audit-logs-to-workspace": {"approvedWorkspaces": ["*/resourceGroups/rg-other/*"]}}
        assert [v.enforcement_level for v in self.verdicts(logged_vault(CENTRAL_WORKSPACE), elsewhere)] == ["mandatory"]

    def test_an_id_unknown_until_apply_is_not_verifiable_not_a_violation(self) -> None:
        def computed() -> pulumi.Output[str]:
            return pulumi.CustomResource("azure-native:resources:ResourceGroup", "rg", {"location": "eastus2"}).id

        (verdict,) = self.verdicts(logged_vault(computed))
        assert verdict.enforcement_level == "advisory"
        assert "workspaceId of its diagnostic setting 'vault-diag'" in verdict.message
