"""The compliance report as an auditor and a reviewer read it, and as an attacker writes into it.

- Summary first (verdict, per-safeguard scorecard, failures, weakenings, rejections, what could not
  be verified); each rule with its description, the resources it checked by Azure name and ID, and
  the evidence read; blanket rules on one line; PHI inventory of data stores only; provenance.
- Markdown fits a pull request; HTML is self-contained and renders in headless Chromium.
- Untrusted text is neutralised in every format; a verdict's kind never comes from message text.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from pulumi.runtime.proto import analyzer_pb2

from landing_zone.preview import compliance
from landing_zone.preview.engine import PreviewResult, preview
from landing_zone.preview.pack_config import parse_pack_config
from landing_zone.preview.policy import diagnostic_kind
from landing_zone.preview.report import render
from landing_zone.preview.weakenings import Weakening

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
FULL = ROOT / "examples" / "full-phi-environment"
WORKLOAD = ROOT / "examples" / "workload-a-la-carte"
HOSTILE_NAME = '=HYPERLINK("http://evil.example")|<script>alert(1)</script>'


@pytest.fixture(scope="module")
def full() -> PreviewResult:
    return preview(FULL, in_process=True)


@pytest.fixture(scope="module")
def full_report(full: PreviewResult) -> compliance.ComplianceReport:
    return compliance.build(full, program_dir=FULL)


@pytest.fixture(scope="module")
def leaky() -> PreviewResult:
    return preview(DATA / "leaky-program", policy_packs=[ROOT / "policy_pack", DATA / "leaky-pack"], in_process=True)


class TestAuditorReport:
    def test_markdown_for_the_full_environment_fits_a_pull_request(
        self, full_report: compliance.ComplianceReport
    ) -> None:
        text = compliance.render_markdown(full_report)
        lines = text.splitlines()
        assert len(lines) < 400, len(lines)
        headings = [line for line in lines if line.startswith("#")]
        assert headings[:6] == [
            "# HIPAA Security Rule compliance report: full-phi-environment / prod",
            "## Summary",
            "### Failures (0)",
            f"### Weakenings ({len(full_report.weakenings)})",
            "### Azure would reject (0)",
            f"### Not verifiable at preview ({len(full_report.unverifiable)})",
        ]
        assert text.count("<details") == text.count("</details>") >= len(full_report.safeguards)

    def test_blanket_rules_collapse_to_one_line_with_counts(self, full_report: compliance.ComplianceReport) -> None:
        text = compliance.render_markdown(full_report)
        tags = next(rule for rule in full_report.rules if rule.name == "required-tags")
        assert tags.blanket and len(tags.verdicts) >= 100
        row = next(line for line in text.splitlines() if line.startswith("| **required-tags** |"))
        assert f"blanket rule: {len(tags.verdicts)} checked, {len(tags.verdicts)} pass" in row
        assert "<br>" not in row  # no pass is listed one by one

    def test_each_rule_has_its_description_and_resources_by_azure_name_with_evidence(
        self, full_report: compliance.ComplianceReport
    ) -> None:
        text = compliance.render_markdown(full_report)
        purge = next(rule for rule in full_report.rules if rule.name == "keyvault-purge-protection")
        assert purge.description in text
        vault = purge.verdicts[0]
        assert vault.azure_name.startswith("kvcontosoprod") and vault.azure_name != vault.resource_name
        assert ("properties.enablePurgeProtection", "true") in vault.evidence
        assert f"**{vault.azure_name}** (azure-native:keyvault:Vault) · properties.enablePurgeProtection = true" in text

    def test_phi_inventory_lists_data_stores_only(
        self, full_report: compliance.ComplianceReport, full: PreviewResult
    ) -> None:
        types = {resource.type for resource in full_report.phi_inventory}
        assert {
            "azure-native:storage:StorageAccount",
            "azure-native:keyvault:Vault",
            "azure-native:sql:Server",
        } <= types
        assert not any(t.startswith(("azure-native:privatedns:", "azure-native:network:")) for t in types)
        phi_tagged_zones = [
            r
            for r in full.resources
            if r.type == "azure-native:privatedns:PrivateZone"
            and str((r.inputs.get("tags") or {}).get("dataClassification", "")).lower() == "phi"
        ]
        assert phi_tagged_zones, "the example tags its DNS zones PHI: the inventory must leave them out"

    def test_provenance_names_versions_commit_and_config_hashes(self, full_report: compliance.ComplianceReport) -> None:
        rows = dict(full_report.provenance)
        assert rows["Tool"].startswith("landing-zone ")
        assert rows["Policy pack"] == "azure-phi-guardrails@" + full_report.packs[0].split("@", 1)[1]
        assert re.fullmatch(r"[0-9a-f]{40}( \+ uncommitted changes)?", rows["Git commit"])
        stack = hashlib.sha256((FULL / "Pulumi.prod.yaml").read_bytes()).hexdigest()
        assert rows["Stack config sha256 (Pulumi.prod.yaml)"] == stack
        assert re.fullmatch(r"[0-9a-f]{64}", rows["azure-phi-guardrails effective config sha256"])

    def test_pack_config_files_are_hashed(self, tmp_path: Path) -> None:
        config = WORKLOAD / "policy-config.json"
        result = preview(WORKLOAD, pack_configs=[parse_pack_config(json.loads(config.read_text()))], in_process=True)
        report = compliance.build(result, program_dir=WORKLOAD, pack_config_files=[config])
        rows = dict(report.provenance)
        assert rows["Pack config sha256 (policy-config.json)"] == hashlib.sha256(config.read_bytes()).hexdigest()
        # baselineStack answers "not applicable" (from the config's structure), not "exempted"
        stack_rules = {v.rule: v.status for v in report.verdicts if v.urn == ""}
        assert stack_rules["activity-log-exported"] == compliance.NOT_APPLICABLE
        assert stack_rules["defender-plans-for-phi-types"] == compliance.NOT_APPLICABLE


class TestVerdictKinds:
    def test_during_preview_in_a_violation_message_stays_a_failure(self, leaky: PreviewResult) -> None:
        message = next(
            d.message for d in leaky.diagnostics if d.policy == "quotes-inputs" and "during preview" in d.message
        )
        assert message.startswith("Quotes its inputs.")
        report = compliance.build(leaky)
        verdict = next(v for v in report.verdicts if v.rule == "quotes-inputs" and v.azure_name == "sql-leak")
        assert verdict.status == compliance.FAIL
        assert "quotes-inputs" in compliance.render_markdown(report).split("### Weakenings")[0]

    def test_the_sdk_unknown_value_diagnostic_is_the_only_unverifiable_one(self) -> None:
        def diagnostic(message: str, level: int = analyzer_pb2.ADVISORY) -> analyzer_pb2.AnalyzeDiagnostic:
            return analyzer_pb2.AnalyzeDiagnostic(
                policyName="rule",
                policyPackName="pack",
                policyPackVersion="1.0.0",
                description="Rule description.",
                message=message,
                enforcementLevel=level,
            )

        sdk = "can't run policy 'rule' from policy pack 'pack@v1.0.0' during preview: x is not known until apply"
        assert diagnostic_kind(diagnostic(sdk)) == "unverifiable"
        assert diagnostic_kind(diagnostic(sdk, analyzer_pb2.MANDATORY)) == "violation"
        assert diagnostic_kind(diagnostic("Rule description.\n" + sdk)) == "violation"
        assert diagnostic_kind(diagnostic("Rule description.\nvalue known during preview: bad")) == "violation"
        other = sdk.replace("policy 'rule'", "policy 'another'")
        assert diagnostic_kind(diagnostic(other)) == "violation"


class TestUntrustedText:
    def test_markdown_tables_keep_their_shape_and_carry_no_html(self, leaky: PreviewResult) -> None:
        text = compliance.render_markdown(compliance.build(leaky))
        assert "<script>" not in text and "<img" not in text and "\x1b" not in text
        assert "&lt;script&gt;" not in text or "alert(1)" in text
        for line in text.splitlines():
            if line.startswith("| ") and not line.startswith("| ---"):
                assert line.endswith(" |"), line
        header = next(line for line in text.splitlines() if line.startswith("| Rule | Enforcement | Resource |"))
        for line in text.splitlines():
            if line.startswith("| storage-minimum-tls | mandatory"):
                assert len(re.findall(r"(?<!\\)\|", line)) == len(re.findall(r"\|", header))

    def test_md_escapes_pipes_newlines_html_and_code(self) -> None:
        assert str(compliance.md("a|b\nc <b>x</b> `y` [l](http://e) *z*")) == (
            "a\\|b c &lt;b&gt;x&lt;/b&gt; \\`y\\` \\[l\\](http://e) \\*z\\*"
        )

    def test_csv_cells_cannot_become_formulas(self, leaky: PreviewResult) -> None:
        for start in ("=", "+", "-", "@", "\t"):
            assert compliance.csv_cell(f"{start}1+1") == f"'{start}1+1"
        assert compliance.csv_cell("\r=1+1") == "'=1+1"  # the control character goes, then the formula is seen
        assert compliance.csv_cell("plain") == "plain"
        text = compliance.render_csv(compliance.build(leaky))
        assert text.startswith('"citation","safeguard"')  # every cell quoted
        rows = list(csv.DictReader(io.StringIO(text)))
        hostile = [row for row in rows if "HYPERLINK" in row["resource_name"]]
        assert hostile and all(row["resource_name"].startswith("'" + HOSTILE_NAME) for row in hostile)
        for row in rows:
            for cell in row.values():
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert compliance.csv_cell("urn:x::a\x1b[31mb\x07\nc") == "urn:x::ab\nc"  # a URN keeps its name's bytes
        assert "\x1b" not in text and "\x07" not in text

    def test_sarif_strings_carry_no_escape_sequences(self, leaky: PreviewResult) -> None:
        from landing_zone.preview import sarif

        text = sarif.render(compliance.build(leaky), leaky)
        names = [
            logical["fullyQualifiedName"]
            for result in json.loads(text)["runs"][0]["results"]
            for location in result.get("locations", [])
            for logical in location.get("logicalLocations", [])
            if "HYPERLINK" in logical.get("fullyQualifiedName", "")
        ]
        assert names and all(name.endswith("<script>alert(1)</script>") for name in names)
        assert "\\u001b" not in text and "\x1b" not in text

    def test_html_is_autoescaped_and_self_contained(self, leaky: PreviewResult) -> None:
        page = compliance.render_html(compliance.build(leaky))
        assert page.count("<script") == 1  # ours
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "\x1b" not in page
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)  # no external asset
        assert "@media print" in page and 'id="legend"' in page and 'id="filters"' in page

    def test_console_summarises_weakenings_and_strips_escapes(self, leaky: PreviewResult) -> None:
        leaky.weakenings = [
            Weakening("broad-exemption", "phi-delete-lock", "*", "matches every resource", "\x1b[2Jwhy", None, "cfg")
        ]
        try:
            out = io.StringIO()
            render(leaky, out)
        finally:
            leaky.weakenings = []
        text = out.getvalue()
        assert "Weakenings: 1 (1 broad-exemption); each is listed in --json and the report" in text
        assert "\x1b" not in text and "(no approver)" in text


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian package 'chromium')")
def test_html_renders_in_headless_chromium(full_report: compliance.ComplianceReport, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(compliance.render_html(full_report), encoding="utf-8")
    shot = tmp_path / "report.png"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1400,1600"]
    subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    dom = subprocess.run(
        [*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1400, 1600)
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    for section in ("summary", "scorecard", "failures", "weakenings", "rejections", "unverifiable", "rules"):
        assert f'id="{section}"' in dom, section
    assert "inventory" in dom and "provenance" in dom
    filters = re.search(r'<div class="([^"]*)" id="filters">', dom)
    assert filters is not None and "nojs-hidden" not in filters.group(1)  # the script ran: filters shown
    assert "PASS" in dom and "HIPAA Security Rule compliance report: full-phi-environment / prod" in dom


COMPONENT_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy


def flag_components(args, report_violation):
    for resource in args.resources:
        if resource.resource_type == "test:index:Holder":
            report_violation("the holder component is flagged", resource.urn)
    report_violation("an invented resource", "urn:pulumi:dev::invented::test:index:Ghost::ghost")


PolicyPack(
    name="component-pack",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[StackValidationPolicy(name="flag-components", description="Flags components.", validate=flag_components)],
)
"""


def test_a_verdict_on_a_component_or_an_unknown_urn_is_never_dropped(tmp_path: Path) -> None:
    program = tmp_path / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: holder\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text('import pulumi\n\npulumi.ComponentResource("test:index:Holder", "holder")\n')
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text(COMPONENT_PACK)
    report = compliance.build(preview(program, policy_packs=[pack], in_process=True))
    failures = {(v.resource_name, v.status, v.detail) for v in report.verdicts}
    assert ("holder", compliance.FAIL, "the holder component is flagged") in failures
    assert ("urn:pulumi:dev::invented::test:index:Ghost::ghost", compliance.FAIL, "an invented resource") in failures
    assert len(report.failures) == 2


def test_waivers_in_code_show_next_to_every_verdict_on_their_resource(leaky: PreviewResult) -> None:
    server = next(r for r in leaky.resources if r.type == "azure-native:sql:Server")
    leaky.weakenings = [
        Weakening(
            "waiver", "publicAccess", "sql", "secure default waived", "legacy client", "CISO", f"tags of {server.urn}"
        )
    ]
    try:
        report = compliance.build(leaky)
    finally:
        leaky.weakenings = []
    on_server = [v for v in report.verdicts if v.urn == server.urn]
    assert on_server and all(v.waivers == ("publicAccess",) for v in on_server)
    assert not any(v.waivers for v in report.verdicts if v.urn != server.urn)
    text = compliance.render_markdown(report)
    assert "🟠 waiver in code: publicAccess" in text
    assert "| waiver | publicAccess | sql | secure default waived | legacy client | CISO |" in text
