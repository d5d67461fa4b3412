"""Policy-pack config is merged and validated as the Pulumi CLI does before it calls Configure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi.runtime.proto import analyzer_pb2

from landing_zone.preview.pack_config import (
    PackConfigError,
    PolicyConfig,
    load_pack_config_file,
    parse_pack_config,
    reconcile,
    to_configure_request,
)


def pack_info() -> analyzer_pb2.AnalyzerInfo:
    info = analyzer_pb2.AnalyzerInfo(name="pack")
    plain = info.policies.add(name="plain", enforcementLevel=analyzer_pb2.MANDATORY)
    assert plain.name == "plain"
    configurable = info.policies.add(name="retention", enforcementLevel=analyzer_pb2.ADVISORY)
    configurable.configSchema.properties.update(
        {"days": {"type": "integer", "minimum": 1, "default": 2190}, "label": {"type": "string"}}
    )
    info.policies.add(name="needs-value", enforcementLevel=analyzer_pb2.MANDATORY).configSchema.required.append("value")
    return info


def test_defaults_come_from_each_policy_and_its_schema() -> None:
    config, warnings = reconcile(pack_info(), {"needs-value": PolicyConfig("", {"value": "x"})})
    assert config["plain"] == PolicyConfig("mandatory", {})
    assert config["retention"] == PolicyConfig("advisory", {"days": 2190})
    assert config["needs-value"] == PolicyConfig("mandatory", {"value": "x"})
    assert warnings == []


def test_user_config_overrides_levels_and_properties() -> None:
    user = parse_pack_config(
        {"retention": {"enforcementLevel": "mandatory", "days": 3650}, "needs-value": {"value": 1}}
    )
    config, _ = reconcile(pack_info(), user)
    assert config["retention"] == PolicyConfig("mandatory", {"days": 3650})


def test_all_sets_every_level_and_a_named_policy_still_wins() -> None:
    user = parse_pack_config({"all": "disabled", "plain": "advisory", "needs-value": {"value": 1}})
    config, _ = reconcile(pack_info(), user)
    assert config["plain"].enforcement_level == "advisory"
    assert config["retention"].enforcement_level == "disabled"


def test_schema_violations_are_errors_named_by_policy() -> None:
    with pytest.raises(PackConfigError) as caught:
        reconcile(pack_info(), parse_pack_config({"retention": {"days": 0}}))
    first, second = caught.value.problems  # numbers cross the wire as floats, so the minimum reads 1.0
    assert first.startswith("retention: days: 0 is less than the minimum of 1")
    assert second == "needs-value: 'value' is a required property"


def test_invalid_enforcement_levels_are_rejected() -> None:
    with pytest.raises(PackConfigError, match='"blocking" is not a valid enforcement level'):
        parse_pack_config({"plain": "blocking"})
    with pytest.raises(PackConfigError, match="must be a string or object"):
        parse_pack_config({"plain": 3})


def test_unknown_policy_names_are_warned_about() -> None:
    _, warnings = reconcile(pack_info(), parse_pack_config({"plian": "disabled", "needs-value": {"value": 1}}))
    assert warnings == ["policy pack config names 'plian', which is not a policy of pack"]


def test_configure_request_carries_every_policy() -> None:
    config, _ = reconcile(pack_info(), parse_pack_config({"needs-value": {"value": "x"}}))
    request = to_configure_request(config)
    assert set(request.policyConfig) == {"plain", "retention", "needs-value"}
    assert request.policyConfig["retention"].enforcementLevel == analyzer_pb2.ADVISORY
    assert dict(request.policyConfig["retention"].properties) == {"days": 2190.0}


def test_config_file_is_read_like_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"plain": "advisory"}))
    assert load_pack_config_file(path) == {"plain": PolicyConfig("advisory", {})}
    path.write_text("   ")
    assert load_pack_config_file(path) == {}
    path.write_text("{not json")
    with pytest.raises(PackConfigError, match="not valid JSON"):
        load_pack_config_file(path)
