"""Configuration a gate must refuse: duplicate keys, control characters, wrong address families and sizes,
infinite or negative amounts, and stack names or program paths that leave the project.

Each error names the file or the key path and says what is allowed.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from landing_zone.cli import EXIT_ERROR, main
from landing_zone.config import load_config_file, parse_config
from landing_zone.errors import ConfigError
from landing_zone.preview.project import ProjectError, load_project, load_stack_config

ROOT = Path(__file__).resolve().parents[1]


def problems_of(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    return {problem.path: problem.message for problem in caught.value.problems}


def with_budget(config: dict[str, Any], **budget: Any) -> dict[str, Any]:
    changed = copy.deepcopy(config)
    changed.setdefault("subscription", {})["budget"] = {"amount": 1000, **budget}
    return changed


class TestDuplicateKeys:
    """The last duplicate silently winning could rename every resource; both loaders refuse it."""

    def test_a_duplicate_yaml_key_is_an_error_naming_file_and_key(self, tmp_path: Path) -> None:
        path = tmp_path / "landing-zone.yaml"
        document = yaml.safe_dump({"landingZone": {"prefix": "contoso"}})
        path.write_text(document + "  prefix: evil\n")
        with pytest.raises(ConfigError) as caught:
            load_config_file(path)
        assert caught.value.source == str(path)
        assert any(
            "prefix" in f"{p.path} {p.message}" and "duplicate" in p.message.lower() for p in caught.value.problems
        )

    def test_a_duplicate_json_key_is_an_error(self, tmp_path: Path, config_data: dict[str, Any]) -> None:
        path = tmp_path / "landing-zone.json"
        text = json.dumps(config_data)
        path.write_text(text[:-1] + ', "prefix": "evil"}')
        with pytest.raises(ConfigError) as caught:
            load_config_file(path)
        (problem,) = caught.value.problems
        assert "the key 'prefix' appears twice" in problem.message

    def test_json_nan_and_infinity_are_refused(self, tmp_path: Path, config_data: dict[str, Any]) -> None:
        path = tmp_path / "landing-zone.json"
        path.write_text(json.dumps(with_budget(config_data)).replace('"amount": 1000', '"amount": Infinity'))
        with pytest.raises(ConfigError, match="Infinity is not a JSON number"):
            load_config_file(path)

    def test_validate_config_exits_2(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        path = tmp_path / "landing-zone.yaml"
        path.write_text("landingZone:\n  prefix: contoso\n  prefix: evil\n")
        assert main(["validate-config", str(path)]) == EXIT_ERROR
        assert str(path) in capsys.readouterr().err


class TestControlCharacters:
    @pytest.mark.parametrize(
        ("location", "value"),
        [
            (("prefix",), "cont\x00oso"),
            (("environment",), "dev\n"),
            (("tags", "owner"), "platform\x1b[31m"),
            (("tags", "costCenter"), "cc\u202e42"),  # a bidirectional override
            (("network", "spokes", 0, "name"), "da\tta"),
            (("network", "spokes", 0, "subnets", 1, "name"), "work\rloads"),
        ],
    )
    def test_control_characters_are_errors_at_their_key(
        self, config_data: dict[str, Any], location: tuple[Any, ...], value: str
    ) -> None:
        target: Any = config_data
        for key in location[:-1]:
            target = target[key]
        target[location[-1]] = value
        problems = problems_of(config_data)
        path = ".".join(str(part) if isinstance(part, str) else f"[{part}]" for part in location).replace(".[", "[")
        assert "control character" in problems[path]

    def test_in_tag_names_and_values(self, config_data: dict[str, Any]) -> None:
        config_data["tags"]["additional"] = {"project": "claims\x00"}
        assert "control character U+0000" in problems_of(config_data)["tags.additional"]
        config_data["tags"]["additional"] = {"pro\nject": "claims"}
        assert "a key contains the control character U+000A" in problems_of(config_data)["tags.additional"]

    def test_the_message_never_echoes_the_value(self, config_data: dict[str, Any]) -> None:
        config_data["tags"]["owner"] = "x\x1b]8;;evil\x07"
        message = problems_of(config_data)["tags.owner"]
        assert "\x1b" not in message and "evil" not in message


class TestAddresses:
    @pytest.mark.parametrize(
        ("space", "message"),
        [
            ("fd00:10::/48", "is IPv6"),
            ("52.10.0.0/22", "is not private"),
            ("10.10.0.0/30", "is a /30"),
            ("10.10.0.1/32", "is a /32"),
        ],
    )
    def test_a_vnet_needs_a_private_ipv4_space_of_sensible_size(
        self, config_data: dict[str, Any], space: str, message: str
    ) -> None:
        config_data["network"]["spokes"][0]["addressSpace"] = [space]
        assert message in problems_of(config_data)["network.spokes[0].addressSpace[0]"]

    @pytest.mark.parametrize(
        ("cidr", "message"),
        [("10.11.1.0/30", "is a /30"), ("10.11.1.1/32", "is a /32"), ("fd00::/64", "is IPv6")],
    )
    def test_a_subnet_is_at_most_a_29(self, config_data: dict[str, Any], cidr: str, message: str) -> None:
        config_data["network"]["spokes"][0]["subnets"][1]["cidr"] = cidr
        assert message in problems_of(config_data)["network.spokes[0].subnets[1].cidr"]

    def test_ranges_at_the_limits_are_accepted(self, config_data: dict[str, Any]) -> None:
        config_data["network"]["spokes"][0]["addressSpace"] = ["10.11.0.0/22", "192.168.7.0/29"]
        config_data["network"]["spokes"][0]["subnets"].append({"name": "tiny", "cidr": "192.168.7.0/29"})
        assert parse_config(config_data).network.spokes[0].subnets[-1].cidr == "192.168.7.0/29"


class TestAmounts:
    @pytest.mark.parametrize("amount", [float("inf"), float("nan"), -5, 0, 1e309, "inf"])
    def test_a_budget_amount_must_be_finite_and_positive(self, config_data: dict[str, Any], amount: Any) -> None:
        problems = problems_of(with_budget(config_data, amount=amount))
        assert "finite number above 0" in problems["subscription.budget.amount"]

    @pytest.mark.parametrize("threshold", [-50, 0, 1001])
    def test_thresholds_are_percentages_above_zero(self, config_data: dict[str, Any], threshold: int) -> None:
        problems = problems_of(with_budget(config_data, thresholds=[50, threshold]))
        assert "subscription.budget.thresholds[1]" in problems

    def test_an_infinite_amount_in_yaml_is_refused(self, tmp_path: Path, config_data: dict[str, Any]) -> None:
        path = tmp_path / "landing-zone.yaml"
        path.write_text(
            yaml.safe_dump({"landingZone": with_budget(config_data)}).replace("amount: 1000", "amount: .inf")
        )
        with pytest.raises(ConfigError) as caught:
            load_config_file(path)
        assert [p.path for p in caught.value.problems] == ["subscription.budget.amount"]


class TestProjectBoundaries:
    @pytest.fixture
    def project(self, tmp_path: Path) -> Path:
        folder = tmp_path / "app"
        folder.mkdir()
        (folder / "Pulumi.yaml").write_text("name: app\nruntime: python\n")
        (folder / "__main__.py").write_text("import pulumi\n")
        (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
        return folder

    @pytest.mark.parametrize("stack", ["../dev", "a/b", "..", ".", "dev\\x", "dev\x00", "x" * 101, ""])
    def test_stack_names_stay_inside_the_project(self, project: Path, stack: str) -> None:
        with pytest.raises(ProjectError, match="invalid stack name"):
            load_stack_config(load_project(project), stack)

    def test_a_valid_stack_name_still_loads(self, project: Path) -> None:
        assert load_stack_config(load_project(project), "dev").values == {}

    def test_main_outside_the_project_is_refused(self, project: Path, tmp_path: Path) -> None:
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / "__main__.py").write_text("import pulumi\n")
        (project / "Pulumi.yaml").write_text("name: app\nruntime: python\nmain: ../elsewhere\n")
        with pytest.raises(ProjectError, match=r"main resolves to .* outside the project folder"):
            load_project(project)

    def test_a_symlink_out_of_the_project_is_refused(self, project: Path, tmp_path: Path) -> None:
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / "__main__.py").write_text("import pulumi\n")
        os.symlink(outside, project / "program")
        (project / "Pulumi.yaml").write_text("name: app\nruntime: python\nmain: program\n")
        with pytest.raises(ProjectError, match="outside the project folder"):
            load_project(project)

    def test_stack_config_dir_outside_is_refused(self, project: Path) -> None:
        (project / "Pulumi.yaml").write_text("name: app\nruntime: python\nstackConfigDir: ../..\n")
        with pytest.raises(ProjectError, match="stackConfigDir resolves"):
            load_project(project)

    def test_the_cli_exits_2_on_a_bad_stack_name(self, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["preview", str(project), "--stack", "../../etc/passwd", "--no-policy"]) == EXIT_ERROR
        assert "invalid stack name" in capsys.readouterr().err
