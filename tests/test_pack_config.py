"""Policy-pack config is merged and validated as the Pulumi CLI does before it calls Configure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pulumi.runtime.proto import analyzer_pb2

from landing_zone.preview.pack_config import (
    PackConfigError,
    PolicyConfig,
    check_config_count,
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
    assert warnings == [
        "policy pack config names 'plian', which is not a policy of pack (did you mean 'plain'?); "
        "the setting configures nothing"
    ]
    document = {"zzz": "disabled", "plian": {"x": 1}, "needs-value": {"value": 1}}
    with pytest.raises(PackConfigError) as caught:  # the file is named; a name with properties only fails
        reconcile(pack_info(), parse_pack_config(document, source="pc.json"))
    assert caught.value.problems == [
        'pc.json: plian: invalid enforcement level ""; give "enforcementLevel" (advisory, mandatory, remediate, '
        "disabled); it is not a policy of pack (did you mean 'plain'?)"
    ]


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


class TestHardening:
    """Where the CLI is lenient and a gate must not be: each problem names the file and the key."""

    def write(self, tmp_path: Path, text: str) -> Path:
        path = tmp_path / "policy-config.json"
        path.write_text(text)
        return path

    def test_a_duplicate_key_is_an_error_naming_file_and_key(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, '{"plain": "mandatory", "retention": {"days": 3}, "plain": "disabled"}')
        with pytest.raises(PackConfigError) as caught:
            load_pack_config_file(path)
        assert caught.value.problems == [
            f'{path}: the key "plain" appears twice in one object; keep exactly one (JSON keeps only the last)'
        ]

    def test_a_duplicate_key_inside_an_exemption_is_an_error(self, tmp_path: Path) -> None:
        entry = '{"resource": "*legacy*", "reason": "r", "resource": "*"}'
        path = self.write(tmp_path, '{"plain": {"exemptions": [' + entry + "]}}")
        with pytest.raises(PackConfigError, match='the key "resource" appears twice'):
            load_pack_config_file(path)

    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_non_json_numbers_are_errors(self, tmp_path: Path, constant: str) -> None:
        path = self.write(tmp_path, '{"retention": {"days": ' + constant + "}}")
        with pytest.raises(PackConfigError, match=f"{path} is not valid JSON: .*{constant}"):
            load_pack_config_file(path)

    @pytest.mark.parametrize(
        ("entry", "message"),
        [
            ({"reason": " " * 25, "expires": "2027-01-01"}, "plain.exemptions[0].reason is blank"),
            ({"reason": "\t\n" * 12, "expires": "2027-01-01"}, "plain.exemptions[0].reason is blank"),
            ({"reason": "A reason long enough to read.", "expires": "2026-02-30"}, "'2026-02-30' is not a real"),
            ({"reason": "A reason long enough to read.", "expires": "2026-13-01"}, "'2026-13-01' is not a real"),
            (
                {"reason": "A reason long enough to read.", "expires": "2027-01-01", "approvedBy": "  "},
                "plain.exemptions[0].approvedBy is blank",
            ),
        ],
    )
    def test_blank_reasons_and_impossible_dates_are_errors(
        self, tmp_path: Path, entry: dict[str, str], message: str
    ) -> None:
        path = self.write(tmp_path, json.dumps({"plain": {"exemptions": [{"resource": "*legacy*", **entry}]}}))
        with pytest.raises(PackConfigError) as caught:
            load_pack_config_file(path)
        assert any(problem.startswith(f"{path}: ") and message in problem for problem in caught.value.problems)

    def test_settings_remember_their_file_and_the_gate_setting_is_not_a_policy(self, tmp_path: Path) -> None:
        path = self.write(tmp_path, '{"plain": "advisory", "landingZoneGate": {"strict": true}}')
        config = load_pack_config_file(path)
        assert config.source == str(path) and config.strict is True
        assert config["plain"].source == str(path)
        assert "landingZoneGate" not in config
        reconciled, warnings = reconcile(pack_info(), {**config, "needs-value": PolicyConfig("", {"value": 1})})
        assert reconciled["plain"].source == str(path) and warnings == []

    def test_more_configs_than_packs_is_an_error_naming_the_surplus_files(self) -> None:
        first = parse_pack_config({}, source="one.json")
        second = parse_pack_config({"all": "disabled"}, source="two.json")
        check_config_count([first], 1)
        check_config_count([], 2)
        with pytest.raises(
            PackConfigError, match=r"2 policy pack configs for 1 policy pack.*two\.json would configure"
        ):
            check_config_count([first, second], 1)
        with pytest.raises(PackConfigError, match=r"one\.json would configure no pack"):
            check_config_count([first], 0)  # --no-policy with a config


class TestPackExemptionParsing:
    """The pack's own parser: an exemption it cannot honour is an error, never silently dropped."""

    def test_a_valid_exemption_is_parsed(self) -> None:
        from phi_guardrails.exemptions import exemptions_from

        (exemption,) = exemptions_from(
            {
                "exemptions": [
                    {"resource": "*legacy*", "reason": "  Migrating by Q3; RISK-42.  ", "expires": "2027-01-31"}
                ]
            }
        )
        assert (exemption.reason, exemption.expires.isoformat()) == ("Migrating by Q3; RISK-42.", "2027-01-31")

    @pytest.mark.parametrize(
        ("entry", "key"),
        [
            ({"resource": "*legacy*", "reason": " " * 25, "expires": "2027-01-31"}, "exemptions[0].reason"),
            ({"resource": "*legacy*", "reason": "A long enough reason here.", "expires": "2026-02-30"}, "expires"),
            ({"resource": "*legacy*", "reason": "A long enough reason here.", "expires": "31/01/2027"}, "expires"),
            ({"resource": "*legacy*", "reason": "A long enough reason here."}, "expires"),
            ({"resource": " ", "reason": "A long enough reason here.", "expires": "2027-01-31"}, "resource"),
            ("*legacy*", "exemptions[0]"),
        ],
    )
    def test_unusable_exemptions_raise(self, entry: object, key: str) -> None:
        from phi_guardrails.exemptions import InvalidExemptionError, exemptions_from

        with pytest.raises(InvalidExemptionError, match=key.replace("[", r"\[").replace("]", r"\]")):
            exemptions_from({"exemptions": [entry]})

    def test_the_schema_refuses_a_whitespace_reason_as_the_cli_would(self) -> None:
        from jsonschema import Draft7Validator
        from phi_guardrails.exemptions import EXEMPTIONS_SCHEMA

        entry = {"resource": "*legacy*", "reason": " " * 25, "expires": "2027-01-31"}
        assert [error.validator for error in Draft7Validator(EXEMPTIONS_SCHEMA).iter_errors([entry])] == ["pattern"]

    def test_an_impossible_evaluation_date_is_an_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from phi_guardrails.exemptions import EVALUATION_DATE_VARIABLE, InvalidExemptionError, evaluation_date

        monkeypatch.setenv(EVALUATION_DATE_VARIABLE, "2026-02-30")
        with pytest.raises(InvalidExemptionError, match=EVALUATION_DATE_VARIABLE):
            evaluation_date()
