"""Remediations run as under ``pulumi preview --policy-pack A --policy-pack B`` (issue 10, item 3).

What the CLI does is written, with its pulumi/pulumi sources, in `landing_zone.preview.policy`'s
docstring: every pack's Remediate in order, each seeing the previous one's result, then every pack's
Analyze on the final inputs, AnalyzeStack last; the remediated inputs are what the provider sends to
Azure. Each remediation is reported (pack, policy, resource, changed property paths), never with a
value: a remediated input may be a secret.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from landing_zone.preview import compliance, sarif
from landing_zone.preview.constraints.wire import Resource, Value
from landing_zone.preview.engine import PreviewResult, preview
from landing_zone.preview.policy import changed_paths
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, Registration
from landing_zone.preview.report import render, to_json

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
ACCOUNT = "azure-native:storage:StorageAccount"

#: The program's values and the remediated ones: none of them may appear next to a remediation.
PROGRAM_OWNER = "owner-value-from-program-4b1e"
REMEDIATED_OWNER = "owner-value-remediated-9c3d"
SECRET_NOTE = "secret-note-from-program-77af"
REMEDIATED_SECRET = "secret-set-by-a-remediation-51d0"

PROGRAM = textwrap.dedent(
    f"""
    import pulumi
    from pulumi_azure_native import resources, storage

    class Holder(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("test:index:Holder", name, {{"label": "as-written"}}, opts)
            self.register_outputs({{}})

    Holder("holder")
    group = resources.ResourceGroup("rg", location="westeurope")
    storage.StorageAccount(
        "sa",
        resource_group_name="rg-fixed",
        location="westeurope",
        kind="StorageV2",
        sku=storage.SkuArgs(name="Standard_LRS"),
        minimum_tls_version="TLS9_9",
        tags={{"owner": "{PROGRAM_OWNER}", "note": pulumi.Output.secret("{SECRET_NOTE}")}},
    )
    storage.StorageAccount(
        "unknown",
        resource_group_name=group.name,
        location="westeurope",
        kind="StorageV2",
        sku=storage.SkuArgs(name="Standard_LRS"),
    )
    """
)

#: The first pack: fixes the TLS floor (a value the Azure API would refuse) and echoes, from Analyze and
#: AnalyzeStack, what the second pack's remediation left: both must see the final resource.
FIRST_PACK = textwrap.dedent(
    f"""
    from pulumi_policy import (EnforcementLevel, PolicyPack, ResourceValidationPolicy,
                               StackValidationPolicy)
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

    def tls_floor(args):
        if args.resource_type == "{ACCOUNT}" and args.name == "sa" and args.props["minimumTlsVersion"] != "TLS1_2":
            props = dict(args.props)
            props["minimumTlsVersion"] = "TLS1_2"
            props["accountName"] = "remediatedname"
            return props

    def echo(args, report_violation):
        if args.resource_type == "{ACCOUNT}" and args.name == "sa":
            tags = args.props.get("tags") or {{}}
            report_violation(f"analyze tls={{args.props.get('minimumTlsVersion')}} checked={{tags.get('tlsChecked')}}")

    def echo_token(args, report_violation):
        if args.resource_type == "test:index:Holder":
            report_violation(f"token={{args.props.get('token')}}")

    def echo_stack(args, report_violation):
        for resource in args.resources:
            if resource.resource_type == "{ACCOUNT}" and resource.name == "sa":
                tags = resource.props.get("tags") or {{}}
                report_violation(f"stack checked={{tags.get('tlsChecked')}}", resource.urn)

    def copy_unknown(args):
        # pulumi-policy 1.21's Remediate does not guard unknowns: this reads the sentinel and returns it
        if args.resource_type == "{ACCOUNT}" and args.name == "unknown":
            return {{**args.props, "copied": args.props["resourceGroupName"]}}

    def give_up(args):
        if args.resource_type == "{ACCOUNT}" and args.name == "unknown":
            raise UnknownValueError(UNKNOWN_STRING_VALUE, ["resourceGroupName"])

    def read_copied(args, report_violation):
        if args.resource_type == "{ACCOUNT}" and args.name == "unknown":
            report_violation(f"copied={{args.props['copied']}}")

    PolicyPack(
        name="first-pack",
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=[
            ResourceValidationPolicy(name="tls-floor", description="TLS 1.2 floor", remediate=tls_floor,
                                     enforcement_level=EnforcementLevel.REMEDIATE),
            ResourceValidationPolicy(name="copy-unknown", description="copies a value unknown at preview",
                                     remediate=copy_unknown, enforcement_level=EnforcementLevel.REMEDIATE),
            ResourceValidationPolicy(name="give-up", description="cannot remediate an unknown",
                                     remediate=give_up, enforcement_level=EnforcementLevel.REMEDIATE),
            ResourceValidationPolicy(name="read-copied", description="reads the copy", validate=read_copied),
            ResourceValidationPolicy(name="echo", description="echo", validate=echo),
            ResourceValidationPolicy(name="echo-token", description="echo", validate=echo_token),
            StackValidationPolicy(name="echo-stack", description="echo", validate=echo_stack),
        ],
    )
    """
)

#: The second pack: its remediation records the TLS version it received (the first pack's result),
#: replaces the owner tag, and renames the component's input.
SECOND_PACK = textwrap.dedent(
    f"""
    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy, Secret

    def stamp(args):
        if args.resource_type == "{ACCOUNT}" and args.name == "sa":
            props = dict(args.props)
            tags = dict(props.get("tags") or {{}})
            tags["tlsChecked"] = props.get("minimumTlsVersion")
            tags["owner"] = "{REMEDIATED_OWNER}"
            props["tags"] = tags
            return props
        if args.resource_type == "test:index:Holder":
            return {{**args.props, "label": "remediated", "token": Secret("{REMEDIATED_SECRET}")}}

    PolicyPack(
        name="second-pack",
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=[
            ResourceValidationPolicy(name="stamp", description="stamp what it saw", remediate=stamp,
                                     enforcement_level=EnforcementLevel.REMEDIATE),
        ],
    )
    """
)


def make_pack(folder: Path, source: str) -> Path:
    folder.mkdir()
    (folder / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (folder / "__main__.py").write_text(source)
    return folder


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("remediations")
    program = root / "program"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: remediations\nruntime: python\n")
    (program / "Pulumi.dev.yaml").write_text("config: {}\n")
    (program / "__main__.py").write_text(PROGRAM)
    make_pack(root / "first", FIRST_PACK)
    make_pack(root / "second", SECOND_PACK)
    return root


def run_preview(workspace: Path, *, in_process: bool, packs: tuple[str, ...] = ("first", "second")) -> PreviewResult:
    return preview(workspace / "program", "dev", policy_packs=[workspace / p for p in packs], in_process=in_process)


@pytest.fixture(scope="module", params=[False, True], ids=["pack-processes", "in-process"])
def result(request: pytest.FixtureRequest, workspace: Path) -> PreviewResult:
    return run_preview(workspace, in_process=request.param)


def said(result: PreviewResult, policy: str) -> list[str]:
    return [d.message.split("\n", 1)[-1] for d in result.diagnostics if d.policy == policy]


def account(result: PreviewResult, name: str = "sa") -> Registration:
    return next(r for r in result.resources if r.type == ACCOUNT and r.name == name)


# --- the order: every Remediate, then every Analyze, then AnalyzeStack -------------------------------------------


def test_the_second_pack_remediates_what_the_first_left_and_analyze_sees_the_final_inputs(
    result: PreviewResult,
) -> None:
    # the first pack's Analyze ran after the second pack's Remediate, which saw the first's TLS fix
    assert said(result, "echo") == ["analyze tls=TLS1_2 checked=TLS1_2"]
    assert said(result, "echo-stack") == ["stack checked=TLS1_2"]
    remediations = [(r.policy_pack, r.policy, r.urn.rsplit("::", 1)[-1]) for p in result.packs for r in p.remediations]
    # resources register concurrently; per resource, the packs' remediations come in the packs' order
    assert sorted(remediations, key=lambda item: item[2]) == [
        ("second-pack", "stamp", "holder"),
        ("first-pack", "tls-floor", "sa"),
        ("second-pack", "stamp", "sa"),
        ("first-pack", "copy-unknown", "unknown"),
    ]


def test_the_remediated_inputs_are_carried_forward(result: PreviewResult) -> None:
    registration = account(result)
    assert registration.checked_inputs["minimumTlsVersion"] == "TLS1_2"
    assert registration.checked_inputs["tags"]["owner"] == REMEDIATED_OWNER
    assert registration.outputs["tags"]["tlsChecked"] == "TLS1_2", "what the provider's preview Create echoes"
    assert registration.outputs["minimumTlsVersion"] == "TLS1_2"
    assert "accountName" not in registration.outputs, "an input-only path parameter is no output of azure-native"
    # and what the Azure constraints read as the request azure-native sends
    assert Resource(registration).value("minimumTlsVersion") == Value("TLS1_2")
    assert Resource(registration).value("tags.owner") == Value(REMEDIATED_OWNER)
    # the program's own inputs are kept as written (the report's resource list shows those)
    assert registration.inputs["minimumTlsVersion"] == "TLS9_9"


def test_a_component_is_remediated_as_the_cli_does_and_its_outputs_are_its_own(result: PreviewResult) -> None:
    holder = next(r for r in result.resources if r.type == "test:index:Holder")
    assert holder.checked_inputs["label"] == "remediated"
    assert "label" not in holder.outputs
    (remediation,) = [r for p in result.packs for r in p.remediations if r.urn == holder.urn]
    assert remediation.changed == ("label", "token")


def test_a_secret_a_remediation_sets_is_scrubbed_from_every_output(result: PreviewResult, tmp_path: Path) -> None:
    # the first pack's Analyze saw the second pack's secret and quoted it in its message
    assert said(result, "echo-token") == [f"token={REMEDIATED_SECRET}"]
    out = io.StringIO()
    render(result, out)
    texts = [out.getvalue(), json.dumps(to_json(result))]
    for suffix in (".md", ".html", ".csv", ".sarif"):
        compliance.write(result, tmp_path / f"report{suffix}")
        texts.append((tmp_path / f"report{suffix}").read_text(encoding="utf-8"))
    assert all(REMEDIATED_SECRET not in text for text in texts)
    assert "token=[secret]" in texts[0]


def test_unknowns_stay_unknown_and_a_remediation_that_gives_up_is_an_unverifiable_advisory(
    result: PreviewResult,
) -> None:
    unknown = account(result, "unknown")
    (gave_up,) = [d for d in result.diagnostics if d.policy == "give-up"]
    assert gave_up.enforcement_level == "advisory" and gave_up.kind == "unverifiable"
    assert gave_up.urn == unknown.urn
    assert gave_up.message.startswith("can't run remediation 'give-up' from policy pack 'first-pack@v")
    # a value the remediation copied from an unknown is unknown for Analyze too (the CLI keeps unknowns)
    assert unknown.checked_inputs["copied"] == UNKNOWN
    (read,) = [d for d in result.diagnostics if d.policy == "read-copied"]
    assert read.kind == "unverifiable" and "can't be known during preview" in read.message
    (copied,) = [r for p in result.packs for r in p.remediations if r.policy == "copy-unknown"]
    assert copied.changed == ("copied",)


def test_the_azure_constraints_judge_the_remediated_value(result: PreviewResult, workspace: Path) -> None:
    # the program sends TLS9_9, which the API refuses; the first pack remediates it to TLS1_2
    assert [r for r in result.azure_rejections if r.property == "minimumTlsVersion"] == []
    alone = run_preview(workspace, in_process=True, packs=("second",))
    rejected = [(r.urn.rsplit("::", 1)[-1], r.constraint) for r in alone.azure_rejections]
    assert ("sa", "enum.sdk-values") in rejected


# --- reported, never with a value ------------------------------------------------------------------------------


def test_changed_paths_name_nested_properties_and_never_look_into_a_secret() -> None:
    secret = {SECRET_SIG: SECRET_VALUE_SIG, "value": {"inner": "a"}}
    before = {"a": 1, "tags": {"cost center": "x", "keep": "y"}, "rules": [{"p": 1}], "s": secret, "__internal": 1}
    after = {
        "a": 1,
        "tags": {"cost center": "z", "keep": "y"},
        "rules": [{"p": 2}],
        "s": {SECRET_SIG: SECRET_VALUE_SIG, "value": {"inner": "b"}},
        "added": True,
    }
    assert changed_paths(before, after) == ("added", "rules[0].p", "s", 'tags["cost center"]')
    assert changed_paths(before, before) == ()


def test_json_lists_each_remediation_with_paths_and_counts_them(result: PreviewResult) -> None:
    document = to_json(result)
    text = json.dumps(document["remediations"])
    assert document["summary"]["remediations"] == 4
    sa = next(item for item in document["remediations"] if item["policy"] == "stamp" and item["urn"].endswith("::sa"))
    assert sa == {
        "urn": account(result).urn,
        "policyPack": "second-pack",
        "policy": "stamp",
        # tags.note too: dict() over pulumi-policy's secrets proxy unwraps the secret, so the remediated tag
        # is no longer marked secret (what the CLI would diff and deploy as well)
        "changed": ["tags.note", "tags.owner", "tags.tlsChecked"],
    }
    for value in (PROGRAM_OWNER, REMEDIATED_OWNER, "TLS9_9", "TLS1_2", SECRET_NOTE):
        assert value not in text
    assert REMEDIATED_OWNER not in json.dumps(document) and SECRET_NOTE not in json.dumps(document)


def test_the_console_shows_each_remediation_and_says_what_gets_deployed_differs(result: PreviewResult) -> None:
    out = io.StringIO()
    render(result, out)
    text = out.getvalue()
    assert "[remediate]  tls-floor" in text and "[remediate]  stamp" in text
    assert "minimumTlsVersion" in text and "tags.tlsChecked" in text
    assert "4 remediations changed what would be deployed" in text
    for value in (REMEDIATED_OWNER, SECRET_NOTE, "TLS9_9"):
        assert value not in text


def test_reports_list_each_remediation_escaped_and_without_values(result: PreviewResult, tmp_path: Path) -> None:
    texts = {}
    for suffix in (".md", ".html", ".csv", ".sarif"):
        path = tmp_path / f"report{suffix}"
        compliance.write(result, path)
        texts[suffix] = path.read_text(encoding="utf-8")
    assert "### Remediations (4)" in texts[".md"]
    assert "tags.tlsChecked" in texts[".md"] and "minimumTlsVersion" in texts[".md"]
    assert 'id="remediations"' in texts[".html"]
    rows = [row for row in csv.reader(io.StringIO(texts[".csv"])) if row and row[5] == "remediated"]
    assert sorted(row[2] for row in rows) == ["copy-unknown", "stamp", "stamp", "tls-floor"]
    for text in texts.values():
        assert REMEDIATED_OWNER not in text and SECRET_NOTE not in text


def test_sarif_has_a_note_per_remediation_and_stays_valid(result: PreviewResult, tmp_path: Path) -> None:
    log = json.loads(sarif.render(compliance.build(result), result))
    assert sorted(Draft4Validator(SCHEMA).iter_errors(log), key=str) == []
    notes = [r for r in log["runs"][0]["results"] if r["ruleId"].startswith("policy-remediation/")]
    assert sorted(r["ruleId"] for r in notes) == [
        "policy-remediation/first-pack/copy-unknown",
        "policy-remediation/first-pack/tls-floor",
        "policy-remediation/second-pack/stamp",
        "policy-remediation/second-pack/stamp",
    ]
    assert all(r["level"] == "note" and r["kind"] == "fail" for r in notes)
    assert "tags.tlsChecked" in json.dumps(notes) and REMEDIATED_OWNER not in json.dumps(log)


def test_an_untrusted_path_is_escaped_in_every_format(tmp_path: Path) -> None:
    """A property name is the program's: Markdown, HTML, CSV and the console each neutralise it."""
    from landing_zone.preview.policy import PackResult, Remediation
    from landing_zone.preview.runner import ProgramRun

    hostile = '=HYPERLINK("x")|<img src=x>*\x1b[31m'
    run = ProgramRun("p", "s", True, [])
    pack = PackResult("pack", "1", tmp_path)
    pack.remediations.append(Remediation("pack", "=SUM(1)", "urn:pulumi:s::p::t:m:T::r", (f'tags["{hostile}"]',)))
    result = PreviewResult(run, packs=[pack])
    report = compliance.build(result)
    markdown = compliance.render_markdown(report)
    assert "<img" not in markdown and "\\|" in markdown and "\x1b" not in markdown
    assert "&lt;img src=x&gt;" in compliance.render_html(report) and "<img" not in compliance.render_html(report)
    (row,) = [r for r in csv.reader(io.StringIO(compliance.render_csv(report))) if r and r[5] == "remediated"]
    assert row[2] == "'=SUM(1)" and not any(cell.startswith("=") for cell in row)
    out = io.StringIO()
    render(result, out)
    assert "\x1b" not in out.getvalue()


PROVIDER_PACK = textwrap.dedent(
    f"""
    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

    def pin_region(args):
        if args.resource_type == "pulumi:providers:azure-native":
            return {{**args.props, "location": "swedencentral"}}

    def provider_region(args, report_violation):
        if args.resource_type == "{ACCOUNT}":
            report_violation(f"provider location={{args.provider.props.get('location')}}")

    PolicyPack(
        name="provider-pack",
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=[
            ResourceValidationPolicy(name="pin-region", description="pin", remediate=pin_region,
                                     enforcement_level=EnforcementLevel.REMEDIATE),
            ResourceValidationPolicy(name="provider-region", description="echo", validate=provider_region),
        ],
    )
    """
)


def test_a_remediated_provider_is_what_its_resources_analyze_with(tmp_path: Path) -> None:
    import pulumi
    from pulumi_azure_native import Provider, storage

    from landing_zone.preview.engine import enforce
    from landing_zone.preview.runner import record

    def program() -> None:
        provider = Provider("eu", location="northeurope")
        storage.StorageAccount(
            "sa",
            resource_group_name="rg-fixed",
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_LRS"),
            opts=pulumi.ResourceOptions(provider=provider),
        )

    run = record(program)
    result = enforce(run.registrations, make_pack(tmp_path / "pack", PROVIDER_PACK))
    # the CLI sends the provider's inputs as it holds them: after its own remediation (marshalProvider)
    assert [d.message.split("\n", 1)[-1] for d in result.diagnostics] == ["provider location=swedencentral"]
    assert [(r.policy, r.changed) for r in result.remediations] == [("pin-region", ("location",))]
