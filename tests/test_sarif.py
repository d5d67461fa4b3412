"""SARIF 2.1.0: valid against the OASIS schema, rules with citation and remediation, results with level,
message and the program line that built the resource (the SDK's ``sourcePosition``).

The schema is OASIS's ``sarif-schema-2.1.0.json`` (errata01), shipped in ``tests/data``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from landing_zone.preview import compliance, sarif
from landing_zone.preview.engine import PreviewResult, preview
from landing_zone.preview.pack_config import parse_pack_config

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
PROGRAM = DATA / "leaky-program"


def line_of(text: str, path: Path) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def result() -> PreviewResult:
    config = {
        "storage-minimum-tls": {
            "exemptions": [
                {
                    "resource": "*HYPERLINK*",
                    "reason": "Legacy client pinned to TLS 1.1 until RISK-7 closes.",
                    "expires": "2099-01-31",
                    "approvedBy": "CISO",
                }
            ]
        }
    }
    return preview(
        PROGRAM,
        policy_packs=[ROOT / "policy_pack", DATA / "leaky-pack"],
        pack_configs=[parse_pack_config(config)],
        in_process=True,
    )


@pytest.fixture(scope="module")
def log(result: PreviewResult, tmp_path_factory: pytest.TempPathFactory) -> dict:
    path = tmp_path_factory.mktemp("sarif") / "findings.sarif"
    compliance.write(result, path, program_dir=PROGRAM)
    return json.loads(path.read_text(encoding="utf-8"))


def test_valid_sarif_2_1_0(log: dict) -> None:
    errors = sorted(Draft4Validator(SCHEMA).iter_errors(log), key=str)
    assert errors == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_an_invalid_log_fails_the_schema(log: dict) -> None:
    """The validation can fail: a result without a message is not SARIF."""
    broken = json.loads(json.dumps(log))
    del broken["runs"][0]["results"][0]["message"]
    assert list(Draft4Validator(SCHEMA).iter_errors(broken))


def conformance_errors(document: dict) -> list[str]:
    """SARIF 2.1.0 §3.27.9/§3.27.10, which the JSON schema cannot express: "If level has any value other than
    "none" and kind is present, then kind SHALL have the value "fail"", and any other kind takes level "none"."""
    errors = []
    for run in document["runs"]:
        for position, found in enumerate(run.get("results", [])):
            kind, level = found.get("kind", "fail"), found.get("level")
            if kind != "fail" and level not in (None, "none"):
                errors.append(f"result {position} ({found.get('ruleId')}): kind '{kind}' with level '{level}'")
    return errors


def test_every_result_pairs_kind_and_level_as_the_spec_requires(log: dict, result: PreviewResult) -> None:
    assert {r["kind"] for r in log["runs"][0]["results"]} == {"fail"}
    assert conformance_errors(log) == []
    # a value the rule could not verify at preview: a "fail" at note level, marked by its status
    report = compliance.build(result)
    rule = next(rule for rule in report.rules if any(v.status == compliance.FAIL for v in rule.verdicts))
    position = next(i for i, v in enumerate(rule.verdicts) if v.status == compliance.FAIL)
    rule.verdicts[position] = replace(rule.verdicts[position], status=compliance.UNVERIFIABLE, detail="sku of x")
    document = sarif.document(report, result)
    assert Draft4Validator(SCHEMA).is_valid(document) and conformance_errors(document) == []
    found = [
        r for r in document["runs"][0]["results"] if r.get("properties", {}).get("status") == compliance.UNVERIFIABLE
    ]
    assert [(r["ruleId"], r["level"], r["kind"]) for r in found] == [(rule.name, "note", "fail")]
    assert "not verifiable at preview: sku of x" in found[0]["message"]["text"]


@pytest.mark.parametrize(
    ("kind", "level", "conformant"),
    [("review", "note", False), ("review", "warning", False), ("open", "error", False), ("review", "none", True),
     ("informational", None, True), ("fail", "note", True), (None, "warning", True)],
)  # fmt: skip
def test_the_kind_and_level_check_can_fail(log: dict, kind: str | None, level: str | None, conformant: bool) -> None:
    one = {key: value for key, value in log["runs"][0]["results"][0].items() if key not in ("kind", "level")}
    one.update({key: value for key, value in (("kind", kind), ("level", level)) if value is not None})
    altered = {**log, "runs": [{**log["runs"][0], "results": [one]}]}
    assert Draft4Validator(SCHEMA).is_valid(altered)  # the schema alone accepts every pair
    assert (conformance_errors(altered) == []) is conformant


def test_rules_carry_citation_remediation_and_severity(log: dict) -> None:
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    tls = rules["storage-minimum-tls"]
    assert tls["properties"]["citation"].startswith("45 CFR 164.312")
    assert tls["properties"]["remediation"] and tls["properties"]["remediation"] in tls["help"]["text"]
    assert tls["helpUri"].startswith("https://www.ecfr.gov/current/title-45/section-164.312")
    assert tls["defaultConfiguration"]["level"] == "error"
    assert tls["properties"]["security-severity"] == "8.0"


def test_results_carry_level_message_and_the_program_line(log: dict) -> None:
    results = log["runs"][0]["results"]
    server = [
        r
        for r in results
        if r["ruleId"] == "quotes-inputs"
        and r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("azure-native:sql:Server::sql")
    ]
    assert len(server) == 1
    assert server[0]["level"] == "error" and server[0]["kind"] == "fail"
    assert "[secret]" in server[0]["message"]["text"]
    physical = server[0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "tests/data/leaky-program/__main__.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"]["startLine"] == line_of("sql.Server(", PROGRAM / "__main__.py")


def test_stack_findings_point_at_the_project_file(log: dict) -> None:
    stack = [r for r in log["runs"][0]["results"] if r["ruleId"] == "activity-log-exported"]
    assert stack and stack[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "tests/data/leaky-program/Pulumi.yaml"
    )


def test_exempted_findings_are_suppressed_with_their_reason(log: dict) -> None:
    exempted = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in exempted] == ["storage-minimum-tls"]
    suppression = exempted[0]["suppressions"][0]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert "RISK-7" in suppression["justification"]


def test_passes_are_not_results(log: dict, result: PreviewResult) -> None:
    report = compliance.build(result)
    expected = sum(
        1 for v in report.verdicts if v.status in (compliance.FAIL, compliance.UNVERIFIABLE, compliance.EXEMPTED)
    )
    rule_results = [
        r for r in log["runs"][0]["results"] if not r["ruleId"].startswith(("gate-weakening/", "azure-rejects/"))
    ]
    assert len(rule_results) == expected


def test_weakenings_and_rejections_become_results(result: PreviewResult) -> None:
    report = compliance.build(result)
    server = next(r for r in result.resources if r.type == "azure-native:sql:Server")
    report.weakenings = [
        {"kind": "broad-exemption", "policy": "phi-delete-lock", "target": "*", "reason": "", "approver": ""},
        {"kind": "waiver", "policy": "publicAccess", "target": "sql", "source": f"tags of {server.urn}"},
    ]
    report.rejections = [
        {"urn": "urn:x", "property": "sku", "constraint": "enum", "message": "not a SKU", "reference": "https://x"}
    ]
    document = sarif.document(report, result)
    assert Draft4Validator(SCHEMA).is_valid(document)
    results = {r["ruleId"]: r for r in document["runs"][0]["results"]}
    assert conformance_errors(document) == []
    weakening = results["gate-weakening/broad-exemption"]
    assert (weakening["level"], weakening["kind"]) == ("warning", "fail")
    assert weakening["properties"] == {"weakening": "broad-exemption"}
    assert results["azure-rejects/enum"]["level"] == "error"
    waiver = results["gate-weakening/waiver"]["locations"][0]
    assert waiver["logicalLocations"][0]["fullyQualifiedName"] == server.urn
    assert waiver["physicalLocation"]["region"]["startLine"] == line_of("sql.Server(", PROGRAM / "__main__.py")
