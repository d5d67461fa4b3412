"""Config fields behind the components: values Azure accepts, and the settings that reach the wire.

Each test names the Microsoft documentation the rule comes from (see the comment next to the model's field).
"""

from __future__ import annotations

from typing import Any

import pytest

from landing_zone.config import parse_config
from landing_zone.config.model import TOTAL_RETENTION_YEAR_VALUES, total_retention_problem
from landing_zone.errors import ConfigError


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return {problem.path: problem.message for problem in caught.value.problems}


class TestTotalRetention:
    """learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure: 4-730, then whole years."""

    @pytest.mark.parametrize(("given", "use"), [(2190, 2191), (2555, 2556), (800, 1095), (4000, 4018)])
    def test_values_log_analytics_refuses_are_refused_naming_the_next_allowed_one(
        self, config_data: dict[str, Any], given: int, use: int
    ) -> None:
        config_data["logging"]["totalRetentionDays"] = given
        config_data["logging"]["retentionWaiver"] = {"reason": "short retention for a test stack", "approvedBy": "ciso"}
        message = problems_of(config_data)["logging.totalRetentionDays"]
        assert f"use {use} instead of {given}" in message

    @pytest.mark.parametrize("days", [2191, 2556, 4383])
    def test_allowed_year_values_are_accepted(self, config_data: dict[str, Any], days: int) -> None:
        config_data["logging"]["totalRetentionDays"] = days
        assert parse_config(config_data).logging.total_retention_days == days

    def test_the_allowed_values_are_the_documented_list(self) -> None:
        assert TOTAL_RETENTION_YEAR_VALUES == (1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383)
        assert total_retention_problem(730) is None and total_retention_problem(731) is not None


class TestSqlKeySize:
    """learn.microsoft.com/azure/azure-sql/database/transparent-data-encryption-byok-overview: RSA 2048 or 3072."""

    def _with_sql(self, config_data: dict[str, Any], key_size: int) -> dict[str, Any]:
        config_data["keys"]["keySize"] = key_size
        config_data["dataServices"]["sql"] = {
            "enabled": True,
            "administrators": {"objectId": "5b3f2c9a-0000-4000-8000-0000000000b1", "displayName": "sql-admins"},
        }
        return config_data

    def test_4096_bit_keys_are_refused_with_sql(self, config_data: dict[str, Any]) -> None:
        message = problems_of(self._with_sql(config_data, 4096))["keys.keySize"]
        assert "Azure SQL TDE accepts only 2048- or 3072-bit RSA keys" in message

    def test_3072_bit_keys_are_accepted_with_sql(self, config_data: dict[str, Any]) -> None:
        assert parse_config(self._with_sql(config_data, 3072)).keys.key_size == 3072

    def test_4096_bit_keys_are_accepted_without_sql(self, config_data: dict[str, Any]) -> None:
        config_data["keys"]["keySize"] = 4096
        assert parse_config(config_data).keys.key_size == 4096


WAIVER = {"reason": "sandbox stack destroyed after each test run", "approvedBy": "platform lead"}


class TestDeployerAndEnvironmentClass:
    def test_defaults_are_production_and_a_ci_service_principal(self, config_data: dict[str, Any]) -> None:
        config = parse_config(config_data)
        assert config.environment_class == "prod"
        assert config.deployer.object_id is None and config.deployer.principal_type == "ServicePrincipal"

    def test_deployer_group_and_nonprod(self, config_data: dict[str, Any]) -> None:
        config_data["deployer"] = {"objectId": "5B3F2C9A-0000-4000-8000-0000000000E1", "principalType": "Group"}
        config_data["environmentClass"] = "nonprod"
        config_data["logging"]["immutability"] = {"enabled": False, "waiver": WAIVER}
        config = parse_config(config_data)
        assert config.deployer.object_id == "5b3f2c9a-0000-4000-8000-0000000000e1"
        assert config.deployer.principal_type == "Group" and config.environment_class == "nonprod"

    @pytest.mark.parametrize(
        ("key", "value", "path"),
        [
            ("environmentClass", "staging", "environmentClass"),
            ("deployer", {"principalType": "Device"}, "deployer.principalType"),
        ],
    )
    def test_unknown_values_are_refused(self, config_data: dict[str, Any], key: str, value: Any, path: str) -> None:
        config_data[key] = value
        assert path in problems_of(config_data)

    def test_nonprod_with_an_immutable_archive_is_refused(self, config_data: dict[str, Any]) -> None:
        """Unexpired version-level WORM blobs block deleting the archive, so a nonprod stack could not be destroyed."""
        config_data["environmentClass"] = "nonprod"
        message = problems_of(config_data)["logging.immutability.enabled"]
        assert "unexpired immutable blobs block deleting the archive" in message
