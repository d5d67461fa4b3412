"""Every weakening is visible (console, JSON), and strict mode forbids the worst ones.

Most tests run the project's pack in-process (`enforce`) to get what it publishes over the Analyzer
protocol (default levels, severities) and the reconciled config, then `gate` over that; the last ones
drive `landing-zone preview` end to end.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.interfaces import Waiver, waiver_tags
from landing_zone.cli import EXIT_ERROR, main
from landing_zone.preview.engine import enforce
from landing_zone.preview.pack_config import PackConfig, PackConfigError, parse_pack_config
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import record
from landing_zone.preview.weakenings import (
    EVALUATION_DATE_VARIABLE,
    StrictModeError,
    Weakening,
    gate,
    is_broad_glob,
    waivers,
)

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "policy_pack"
TODAY = date(2026, 12, 1)
REASON = "Legacy vault being migrated to the hardened one; tracked in RISK-42."


def configured(document: dict[str, Any], source: str = "policy-config.json") -> tuple[PackResult, PackConfig]:
    """The real pack's published policies and reconciled config for ``document`` (no resources needed)."""
    config = parse_pack_config(document, source=source)
    return enforce([], PACK, config=config), config


def weakenings_of(document: dict[str, Any], **kwargs: Any) -> list[Weakening]:
    pack, config = configured(document)
    return gate([pack], [config], [], environ=kwargs.pop("environ", {}), today=TODAY, **kwargs)


def exemption(resource: str, expires: str = "2027-03-31", **extra: Any) -> dict[str, Any]:
    return {"resource": resource, "reason": REASON, "expires": expires, **extra}


class TestEnforcement:
    def test_all_disabled_is_one_weakening_with_the_counts(self) -> None:
        (weakening,) = weakenings_of({"all": "disabled"})
        assert weakening.kind == "disabled"
        assert weakening.policy == "all"
        assert weakening.source == "policy-config.json"
        assert weakening.detail.startswith('"all": "disabled" lowers ')
        assert "mandatory" in weakening.detail and "critical" in weakening.detail
        assert "keyvault-purge-protection" in weakening.detail or "more" in weakening.detail

    def test_all_advisory_lowers_and_names_no_already_advisory_rule(self) -> None:
        (weakening,) = weakenings_of({"all": "advisory"})
        assert weakening.kind == "enforcement-lowered"
        assert "no-plaintext-secrets" not in weakening.detail  # advisory by default: nothing lowered

    def test_a_named_rule_lowered_is_its_own_weakening(self) -> None:
        (weakening,) = weakenings_of({"keyvault-purge-protection": "advisory"})
        assert weakening == Weakening(
            kind="enforcement-lowered",
            policy="keyvault-purge-protection",
            target="policy keyvault-purge-protection of azure-phi-guardrails",
            detail="enforcement mandatory -> advisory, severity critical",
            reason=None,
            approver=None,
            source="policy-config.json",
        )

    def test_a_disabled_rule_through_an_object_setting(self) -> None:
        (weakening,) = weakenings_of({"sql-minimum-tls": {"enforcementLevel": "disabled"}})
        assert (weakening.kind, weakening.policy) == ("disabled", "sql-minimum-tls")

    def test_raising_a_level_or_repeating_the_default_weakens_nothing(self) -> None:
        assert weakenings_of({"vnet-ddos-protection": "mandatory", "sql-minimum-tls": "mandatory"}) == []

    def test_a_named_rule_restored_after_all_is_not_counted(self) -> None:
        (weakening,) = weakenings_of({"all": "advisory", "keyvault-purge-protection": "mandatory"})
        assert "keyvault-purge-protection" not in weakening.detail


class TestExemptions:
    def test_an_exemption_carries_reason_approver_expiry_and_file(self) -> None:
        (weakening,) = weakenings_of(
            {"keyvault-purge-protection": {"exemptions": [exemption("*legacy-vault*", approvedBy="CISO")]}}
        )
        assert weakening == Weakening(
            kind="exemption",
            policy="keyvault-purge-protection",
            target="*legacy-vault*",
            detail="exempted until 2027-03-31",
            reason=REASON,
            approver="CISO",
            source="policy-config.json",
        )

    @pytest.mark.parametrize(
        "pattern",
        [
            "*",
            "**",
            "urn:pulumi:*",
            "urn:pulumi:prod::*",
            "urn:pulumi:*::*::azure-native:keyvault:Vault::*",
            "*-*-*",
            "*a*",
            "?*",
            "[a-z]*",
            "*k*v*-*0*",
        ],
    )
    def test_wildcards_that_match_nearly_everything_are_broad(self, pattern: str) -> None:
        assert is_broad_glob(pattern)

    @pytest.mark.parametrize(
        "pattern",
        [
            "*legacy-vault*",
            "kv-claims-01",
            "urn:pulumi:prod::claims::azure-native:keyvault:Vault::legacy",
            "urn:pulumi:*::*::azure-native:keyvault:Vault::legacy-*",
            "*claims-db*",
        ],
    )
    def test_named_resources_and_specific_globs_are_not_broad(self, pattern: str) -> None:
        assert not is_broad_glob(pattern)

    def test_a_wildcard_exemption_on_every_rule_until_9999_is_flagged(self) -> None:
        everything = {"exemptions": [exemption("*", "9999-12-31")]}
        weakenings = weakenings_of({"keyvault-purge-protection": everything, "sql-minimum-tls": everything})
        assert [w.kind for w in weakenings] == ["broad-exemption", "broad-exemption"]
        assert all("matches nearly every resource" in w.detail and "long expiry" in w.detail for w in weakenings)

    def test_a_long_expiry_is_flagged_on_a_narrow_exemption(self) -> None:
        (weakening,) = weakenings_of(
            {"keyvault-purge-protection": {"exemptions": [exemption("*legacy*", "2029-01-01")]}}
        )
        assert weakening.kind == "exemption"
        assert "long expiry: 762 days away" in weakening.detail

    def test_an_expired_exemption_weakens_nothing(self) -> None:
        assert weakenings_of({"keyvault-purge-protection": {"exemptions": [exemption("*legacy*", "2026-11-30")]}}) == []


class TestEvaluationDate:
    def test_an_override_is_a_weakening_and_judges_expiry_on_its_day(self) -> None:
        document = {"keyvault-purge-protection": {"exemptions": [exemption("*legacy*", "2026-06-30")]}}
        weakenings = weakenings_of(document, environ={EVALUATION_DATE_VARIABLE: "2026-06-01"})
        assert [w.kind for w in weakenings] == ["exemption", "evaluation-date-override"]
        assert weakenings[1].source == f"environment variable {EVALUATION_DATE_VARIABLE}"
        assert weakenings[1].detail == "exemptions are judged as of 2026-06-01 instead of 2026-12-01"

    @pytest.mark.parametrize("value", ["2026-02-30", "tomorrow", "20260301"])
    def test_an_impossible_override_is_an_error_naming_the_variable(self, value: str) -> None:
        with pytest.raises(PackConfigError, match=EVALUATION_DATE_VARIABLE):
            weakenings_of({}, environ={EVALUATION_DATE_VARIABLE: value})

    def test_strict_refuses_a_past_evaluation_date(self) -> None:
        with pytest.raises(StrictModeError, match="revives expired exemptions"):
            weakenings_of({}, environ={EVALUATION_DATE_VARIABLE: "2026-01-01"}, strict=True)
        assert [w.kind for w in weakenings_of({}, environ={EVALUATION_DATE_VARIABLE: "2027-01-01"}, strict=True)] == [
            "evaluation-date-override"
        ]


def tagged(tags: dict[str, str]) -> list[Registration]:
    def program() -> None:
        pulumi.CustomResource("azure-native:resources:ResourceGroup", "rg", {"location": "eastus2", "tags": tags})

    return record(program).registrations


class TestWaivers:
    def test_a_component_waiver_records_reason_and_approver_in_tags(self) -> None:
        waiver = Waiver(reason="Sandbox with synthetic data only; no PHI.", approver="CISO")
        assert waiver_tags({"lock": waiver, "ddosProtection": None}) == {
            "waiver:lock": "Sandbox with synthetic data only; no PHI.",
            "waiver:lock:approver": "CISO",
        }

    @pytest.mark.parametrize("fields", [{"reason": " " * 25, "approver": "CISO"}, {"reason": REASON}])
    def test_a_waiver_needs_a_real_reason_and_an_approver(self, fields: dict[str, str]) -> None:
        with pytest.raises(ValueError):
            Waiver(**fields)

    def test_waiver_tags_on_a_registered_resource_are_weakenings(self) -> None:
        registrations = tagged({"owner": "x", "waiver:lock": REASON, "waiver:lock:approver": "CISO"})
        (weakening,) = waivers(registrations)
        assert weakening.kind == "waiver"
        assert (weakening.policy, weakening.reason, weakening.approver) == ("lock", REASON, "CISO")
        assert weakening.target == "azure-native:resources:ResourceGroup: rg"
        assert weakening.source.startswith("tags of urn:pulumi:")

    def test_a_key_vault_lock_waiver_reaches_the_weakenings(self) -> None:
        from components.key_vault import KeyVault

        def program() -> None:
            KeyVault(
                "vault",
                resource_group_name="rg-contoso-dev-eus2-security",
                location="eastus2",
                tenant_id="72f988bf-0000-4000-8000-000000000001",
                vault_name="kvcontosodeveus2phid2qv",
                allow_public_network_access=Waiver(reason="Build agents reach it publicly until Q3.", approver="CISO"),
                lock=None,
                lock_waiver=Waiver(reason="Ephemeral CI vault destroyed after each run.", approver="Platform lead"),
            )

        found = {(w.policy, w.approver) for w in waivers(record(program).registrations)}
        assert {("lock", "Platform lead"), ("publicNetworkAccess", "CISO")} <= found

    def test_strict_refuses_a_waiver_tag_without_approver(self) -> None:
        registrations = tagged({"waiver:lock": REASON})
        pack, config = configured({})
        assert [w.approver for w in gate([pack], [config], registrations, environ={}, today=TODAY)] == [None]
        with pytest.raises(StrictModeError, match="waiver 'lock'"):
            gate([pack], [config], registrations, strict=True, environ={}, today=TODAY)


class TestStrict:
    @pytest.mark.parametrize(
        "document",
        [
            {"all": "advisory"},
            {"all": "disabled"},
            {"keyvault-purge-protection": "advisory"},  # mandatory and critical
            {"sql-minimum-tls": "disabled"},  # mandatory
            {"keyvault-purge-protection": {"exemptions": [exemption("*", approvedBy="CISO")]}},
            {"keyvault-purge-protection": {"exemptions": [exemption("*legacy*")]}},  # no approver
        ],
    )
    def test_the_flag_turns_the_worst_weakenings_into_errors(self, document: dict[str, Any]) -> None:
        with pytest.raises(StrictModeError) as caught:
            weakenings_of(document, strict=True)
        assert all(problem.startswith("policy-config.json: ") for problem in caught.value.problems)

    def test_strict_mode_needs_a_policy_verdict(self) -> None:
        assert gate([], [], [], environ={}, today=TODAY) == []
        with pytest.raises(StrictModeError, match="no policy pack ran"):
            gate([], [], [], strict=True, environ={}, today=TODAY)

    def test_the_pack_config_setting_does_the_same(self) -> None:
        with pytest.raises(StrictModeError, match='"all": "advisory" lowers mandatory policy'):
            weakenings_of({"landingZoneGate": {"strict": True}, "all": "advisory"})

    def test_strict_allows_approved_narrow_exemptions_and_lowering_advisory_rules(self) -> None:
        weakenings = weakenings_of(
            {
                "no-plaintext-secrets": "disabled",  # advisory by default, severity high
                "keyvault-purge-protection": {"exemptions": [exemption("*legacy-vault*", approvedBy="CISO")]},
            },
            strict=True,
        )
        assert sorted(w.kind for w in weakenings) == ["disabled", "exemption"]

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            (True, "must be an object"),
            ({"strict": "yes"}, "must be true or false"),
            ({"strikt": True}, "not a setting"),
        ],
    )
    def test_the_gate_setting_is_validated(self, value: Any, message: str) -> None:
        with pytest.raises(PackConfigError, match=message):
            parse_pack_config({"landingZoneGate": value}, source="policy-config.json")


@pytest.mark.subprocess
class TestCommandLine:
    """``landing-zone preview`` over gRPC, as CI runs it."""

    @pytest.fixture
    def project(self, tmp_path: Path) -> Path:
        folder = tmp_path / "app"
        folder.mkdir()
        (folder / "Pulumi.yaml").write_text("name: app\nruntime: python\n")
        (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
        (folder / "__main__.py").write_text(
            "import pulumi\n"
            "pulumi.CustomResource('azure-native:resources:ResourceGroup', 'rg', {'location': 'eastus2', 'tags': {\n"
            "    'dataClassification': 'internal', 'owner': 'a', 'environment': 'dev',\n"
            f"    'waiver:lock': {REASON!r}, 'waiver:lock:approver': 'CISO'}}}})\n"
        )
        return folder

    def config(self, tmp_path: Path, document: dict[str, Any], name: str = "policy.json") -> str:
        path = tmp_path / name
        path.write_text(json.dumps(document))
        return str(path)

    def test_weakenings_are_printed_and_in_the_json(
        self, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        config = self.config(
            tmp_path, {"all": "disabled", "sql-minimum-tls": {"exemptions": [exemption("*", "9999-12-31")]}}
        )
        out = tmp_path / "out.json"
        code = main(["preview", str(project), "--policy-pack-config", config, "--json", str(out)])
        printed = capsys.readouterr().out
        assert code == 0  # visible, not forbidden: strict mode is opt-in
        assert "Weakenings: 3" in printed
        assert "broad-exemption" in printed and "waiver" in printed
        kinds = sorted(item["kind"] for item in json.loads(out.read_text())["weakenings"])
        assert kinds == ["broad-exemption", "disabled", "waiver"]

    @pytest.mark.parametrize(
        "document",
        [
            {"all": "advisory"},
            {"sql-minimum-tls": {"exemptions": [exemption("*", approvedBy="CISO")]}},
            {"landingZoneGate": {"strict": True}, "keyvault-purge-protection": "disabled"},
        ],
    )
    def test_strict_mode_exits_2_naming_the_file(
        self, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, Any]
    ) -> None:
        config = self.config(tmp_path, document)
        flags = [] if "landingZoneGate" in document else ["--strict"]
        assert main(["preview", str(project), "--policy-pack-config", config, *flags]) == EXIT_ERROR
        error = capsys.readouterr().err
        assert "strict mode forbids" in error and config in error

    def test_surplus_config_files_are_an_error(
        self, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        first = self.config(tmp_path, {}, "one.json")
        second = self.config(tmp_path, {"all": "disabled"}, "two.json")
        code = main(["preview", str(project), "--policy-pack-config", first, "--policy-pack-config", second])
        assert code == EXIT_ERROR
        assert "two.json would configure no pack" in capsys.readouterr().err
