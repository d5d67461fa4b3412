"""The configuration model: every validation rule with a good and a bad value, all problems at once, with paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from landing_zone.config import AUDIT_RETENTION_FLOOR_DAYS, LandingZoneConfig, load_config_file, parse_config
from landing_zone.errors import ConfigError


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return {problem.path: problem.message for problem in caught.value.problems}


def test_sample_dev_config_is_valid(config_data: dict[str, Any]) -> None:
    config = parse_config(config_data)
    assert config.prefix == "contoso"
    assert config.regions.primary == "eastus2"
    assert config.regions.paired_region == "centralus"
    assert config.network.spokes[0].subnets[0].cidr == "10.11.0.0/24"
    assert config.logging.total_retention_days == AUDIT_RETENTION_FLOOR_DAYS + 1  # 2191: six years in Log Analytics
    assert config.keys.key_size == 3072


def test_snake_case_names_are_accepted_in_python(config_data: dict[str, Any]) -> None:
    config_data["tenant_id"] = config_data.pop("tenantId")
    assert parse_config(config_data).tenant_id == "72f988bf-0000-4000-8000-000000000001"


class TestCidr:
    def test_valid_cidr_is_normalised(self, config_data: dict[str, Any]) -> None:
        assert parse_config(config_data).network.hub.address_space == ["10.10.0.0/22"]

    @pytest.mark.parametrize("bad", ["10.10.0.0/33", "10.10.0/22", "not-a-cidr", "10.10.0.1/22"])
    def test_invalid_cidr_is_rejected_with_its_path(self, config_data: dict[str, Any], bad: str) -> None:
        config_data["network"]["spokes"][0]["subnets"][1]["cidr"] = bad
        problems = problems_of(config_data)
        assert "is not a valid CIDR block" in problems["network.spokes[0].subnets[1].cidr"]

    def test_subnet_outside_its_vnet_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["spokes"][0]["subnets"][1]["cidr"] = "10.99.0.0/24"
        problems = problems_of(config_data)
        assert problems["network.spokes[0].subnets[1].cidr"] == (
            "10.99.0.0/24 is not inside the address space ['10.11.0.0/22']"
        )

    def test_overlapping_subnets_in_one_vnet_are_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["hub"]["subnets"][1]["cidr"] = "10.10.0.32/27"
        problems = problems_of(config_data)
        assert "overlaps 10.10.0.0/26" in problems["network.hub.subnets[1].cidr"]

    def test_spoke_overlapping_the_hub_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["spokes"][0]["addressSpace"] = ["10.10.2.0/23"]
        config_data["network"]["spokes"][0]["subnets"] = [{"name": "private-endpoints", "cidr": "10.10.2.0/24"}]
        problems = problems_of(config_data)
        assert problems["network.spokes[0].addressSpace[0]"] == (
            "10.10.2.0/23 of spoke 'data' overlaps 10.10.0.0/22 of the hub (hub.addressSpace[0])"
        )

    def test_two_spokes_overlapping_each_other_are_rejected(self, config_data: dict[str, Any]) -> None:
        second = {"name": "analytics", "addressSpace": ["10.11.2.0/24"], "subnets": []}
        config_data["network"]["spokes"].append(second)
        problems = problems_of(config_data)
        assert "overlaps 10.11.0.0/22 of spoke 'data'" in problems["network.spokes[1].addressSpace[0]"]

    def test_disjoint_spokes_are_accepted(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["spokes"].append({"name": "analytics", "addressSpace": ["10.12.0.0/22"]})
        assert len(parse_config(config_data).network.spokes) == 2

    def test_duplicate_spoke_names_are_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["spokes"].append({"name": "data", "addressSpace": ["10.12.0.0/22"]})
        assert "duplicate spoke name 'data'" in problems_of(config_data)["network.spokes[1].name"]


class TestRegions:
    def test_display_names_are_normalised(self, config_data: dict[str, Any]) -> None:
        config_data["regions"] = {"primary": "East US 2", "allowed": ["East US 2", "Central US"]}
        regions = parse_config(config_data).regions
        assert (regions.primary, regions.allowed, regions.paired_region) == (
            "eastus2",
            ["eastus2", "centralus"],
            "centralus",
        )

    def test_unknown_region_is_rejected_with_a_suggestion(self, config_data: dict[str, Any]) -> None:
        config_data["regions"]["primary"] = "eastus3"
        assert (
            problems_of(config_data)["regions.primary"] == "'eastus3' is not an Azure region (did you mean 'eastus'?)"
        )

    def test_primary_outside_allowed_regions_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["regions"]["primary"] = "westeurope"
        assert problems_of(config_data)["regions.primary"] == "region 'westeurope' is not in the allowed regions"

    def test_default_pair_outside_allowed_regions_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["regions"] = {"primary": "eastus2", "allowed": ["eastus2"]}
        assert problems_of(config_data)["regions.paired"] == (
            "region 'centralus' (Azure's pair of 'eastus2') is not in the allowed regions"
        )

    def test_paired_equal_to_primary_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["regions"]["paired"] = "eastus2"
        assert "must differ" in problems_of(config_data)["regions.paired"]


class TestRetention:
    def test_retention_at_the_floor_is_accepted(self, config_data: dict[str, Any]) -> None:
        config_data["logging"]["totalRetentionDays"] = 2191  # the floor, as a value Log Analytics accepts
        assert parse_config(config_data).logging.retention_waiver is None

    def test_retention_below_the_floor_is_rejected_without_a_waiver(self, config_data: dict[str, Any]) -> None:
        config_data["logging"]["totalRetentionDays"] = 365
        message = problems_of(config_data)["logging.totalRetentionDays"]
        assert "below the 2190-day HIPAA documentation floor (45 CFR 164.316(b)(2)(i))" in message
        assert "retentionWaiver" in message

    def test_retention_below_the_floor_is_accepted_with_a_written_waiver(self, config_data: dict[str, Any]) -> None:
        config_data["logging"]["totalRetentionDays"] = 365
        config_data["logging"]["retentionWaiver"] = {
            "reason": "Synthetic data only in this sandbox; no PHI is ever loaded.",
            "approvedBy": "CISO",
        }
        assert parse_config(config_data).logging.total_retention_days == 365

    def test_a_waiver_without_a_real_reason_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["logging"]["totalRetentionDays"] = 365
        config_data["logging"]["retentionWaiver"] = {"reason": "because", "approvedBy": "CISO"}
        assert "at least 20 characters" in problems_of(config_data)["logging.retentionWaiver.reason"]

    def test_total_below_interactive_is_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["logging"].update(interactiveRetentionDays=400, totalRetentionDays=300)
        config_data["logging"]["retentionWaiver"] = {"reason": "x" * 25, "approvedBy": "CISO"}
        assert "at least the interactive" in problems_of(config_data)["logging.totalRetentionDays"]


class TestKeys:
    def test_2048_bit_keys_are_rejected(self, config_data: dict[str, Any]) -> None:
        config_data["keys"]["keySize"] = 2048
        assert problems_of(config_data)["keys.keySize"].startswith("2048-bit keys are not allowed")

    def test_4096_bit_keys_are_accepted(self, config_data: dict[str, Any]) -> None:
        config_data["keys"]["keySize"] = 4096
        assert parse_config(config_data).keys.key_size == 4096

    def test_rotation_must_come_well_before_expiry(self, config_data: dict[str, Any]) -> None:
        config_data["keys"].update(rotationPeriodDays=720, expiryDays=730)
        assert "30 days before they expire" in problems_of(config_data)["keys.rotationPeriodDays"]


class TestOtherSections:
    def test_unknown_keys_are_errors_with_a_suggestion(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["hub"]["subnetz"] = []
        config_data["loging"] = {}
        problems = problems_of(config_data)
        assert problems["network.hub.subnetz"] == "unknown key 'subnetz'; did you mean 'subnets'?"
        assert problems["loging"] == "unknown key 'loging'; did you mean 'logging'?"

    def test_missing_required_section_is_named(self, config_data: dict[str, Any]) -> None:
        del config_data["alerts"]
        assert problems_of(config_data)["alerts"] == "required setting is missing"

    def test_alert_contacts_must_be_email_addresses(self, config_data: dict[str, Any]) -> None:
        config_data["alerts"]["emails"] = ["secops@contoso.example", "not-an-email"]
        assert problems_of(config_data)["alerts.emails"] == "not an email address: 'not-an-email'"

    def test_alert_contacts_cannot_be_empty(self, config_data: dict[str, Any]) -> None:
        config_data["alerts"]["emails"] = []
        assert "alerts.emails" in problems_of(config_data)

    def test_tenant_must_be_a_guid(self, config_data: dict[str, Any]) -> None:
        config_data["tenantId"] = "contoso.onmicrosoft.com"
        assert "must be a GUID" in problems_of(config_data)["tenantId"]

    def test_prefix_rule_is_explained(self, config_data: dict[str, Any]) -> None:
        config_data["prefix"] = "Contoso-Health"
        assert problems_of(config_data)["prefix"] == (
            "'Contoso-Health' is not valid: 2-8 lowercase letters and digits, starting with a letter"
        )

    def test_sql_needs_an_entra_admin_group(self, config_data: dict[str, Any]) -> None:
        config_data["dataServices"]["sql"] = {"enabled": True}
        assert "Entra-only" in problems_of(config_data)["dataServices.sql.administrators"]

    def test_sql_with_entra_admin_group_is_accepted(self, config_data: dict[str, Any]) -> None:
        group = {"objectId": "5B3F2C9A-0000-4000-8000-000000000009", "displayName": "phi-sql-admins"}
        config_data["dataServices"]["sql"] = {"enabled": True, "administrators": group}
        assert parse_config(config_data).data_services.sql.administrators.object_id == group["objectId"].lower()

    def test_tag_names_follow_azure_rules(self, config_data: dict[str, Any]) -> None:
        config_data["tags"]["additional"] = {"team/name": "x"}
        assert "without < > % & \\ ? /" in problems_of(config_data)["tags.additional"]

    def test_data_classification_is_an_enumeration(self, config_data: dict[str, Any]) -> None:
        config_data["tags"]["dataClassification"] = "secret"
        assert "tags.dataClassification" in problems_of(config_data)


def test_every_problem_is_reported_at_once(config_data: dict[str, Any]) -> None:
    config_data["regions"]["primary"] = "mars"
    config_data["network"]["spokes"][0]["subnets"][0]["cidr"] = "10.99.0.0/24"
    config_data["logging"]["totalRetentionDays"] = 30
    config_data["keys"]["keySize"] = 2048
    config_data["typo"] = True
    problems = problems_of(config_data)
    assert set(problems) == {
        "regions.primary",
        "network.spokes[0].subnets[0].cidr",
        "logging.totalRetentionDays",
        "keys.keySize",
        "typo",
    }


def test_error_text_lists_each_problem_with_the_source(config_data: dict[str, Any]) -> None:
    config_data["keys"]["keySize"] = 1024
    with pytest.raises(ConfigError) as caught:
        parse_config(config_data, source="Pulumi.dev.yaml")
    assert str(caught.value).splitlines() == [
        "invalid landing-zone configuration in Pulumi.dev.yaml: 1 problem",
        "  - keys.keySize: 1024-bit keys are not allowed: use 3072 or 4096 "
        "(2048-bit RSA is below NIST's post-2030 floor)",
    ]


def test_config_is_immutable(config_data: dict[str, Any]) -> None:
    config = parse_config(config_data)
    with pytest.raises(ValueError, match="frozen"):
        config.prefix = "other"  # type: ignore[misc]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_load_config_file(tmp_path, config_data: dict[str, Any], suffix: str) -> None:
    path = tmp_path / f"zone{suffix}"
    text = json.dumps(config_data) if suffix == ".json" else yaml.safe_dump({"landingZone": config_data})
    path.write_text(text)
    assert isinstance(load_config_file(path), LandingZoneConfig)


def test_load_config_file_reports_bad_syntax(tmp_path) -> None:
    path = tmp_path / "zone.yaml"
    path.write_text("prefix: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config_file(path)


def test_a_non_mapping_document_is_rejected() -> None:
    with pytest.raises(ConfigError, match="expected a mapping"):
        parse_config(["not", "a", "mapping"])
