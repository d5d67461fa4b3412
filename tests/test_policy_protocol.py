"""The Analyzer protocol as the CLI drives it, checked with a purpose-built pack over both transports.

The probe pack reports what it receives: the reconciled config (schema defaults applied), resource
options, the provider, and in AnalyzeStack each resource's parent and dependency edges. The same
verdicts must come back over gRPC (the CLI's path) and in-process.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pulumi
import pytest
from pulumi_azure_native import keyvault, resources

from landing_zone.preview.engine import enforce
from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import ProgramRun

PROBE_PACK = textwrap.dedent(
    """
    from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy,
                               StackValidationPolicy)

    def echo_config(args, report_violation):
        if args.resource_type == "azure-native:resources:ResourceGroup":
            config = args.get_config()
            report_violation(f"threshold={config['threshold']} label={config.get('label')}")

    def options(args, report_violation):
        if args.resource_type == "azure-native:keyvault:Vault":
            provider = args.provider.resource_type if args.provider else None
            parent = args.opts.parent.split("::")[-1]
            report_violation(f"protect={args.opts.protect} parent={parent} provider={provider}")

    def edges(args, report_violation):
        for resource in args.resources:
            if resource.resource_type == "azure-native:keyvault:Vault":
                parent = resource.parent.name if resource.parent else None
                deps = sorted(d.name for d in resource.dependencies)
                props = sorted(resource.property_dependencies)
                report_violation(f"parent={parent} deps={deps} propertyDeps={props}", resource.urn)

    PolicyPack(
        name="probe",
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=[
            ResourceValidationPolicy(
                name="echo-config", description="echo config", validate=echo_config,
                config_schema=PolicyConfigSchema(properties={
                    "threshold": {"type": "integer", "default": 5}, "label": {"type": "string"}}),
            ),
            ResourceValidationPolicy(name="options", description="options", validate=options,
                                     enforcement_level=EnforcementLevel.MANDATORY),
            StackValidationPolicy(name="edges", description="edges", validate=edges),
        ],
    )
    """
)


@pytest.fixture(scope="module")
def probe_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("probe-pack")
    (folder / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.2.3\n")
    (folder / "__main__.py").write_text(PROBE_PACK)
    return folder


def program() -> None:
    group = resources.ResourceGroup("rg", location="eastus2")
    holder = pulumi.ComponentResource("test:index:Holder", "holder")
    keyvault.Vault(
        "kv",
        resource_group_name=group.name,
        properties={"tenantId": "t", "sku": {"family": "A", "name": "premium"}},
        opts=pulumi.ResourceOptions(parent=holder, protect=True),
    )


def messages(result: PackResult) -> dict[str, tuple[str, str]]:
    return {d.policy: (d.enforcement_level, d.message.split("\n", 1)[-1]) for d in result.diagnostics}


@pytest.mark.subprocess
@pytest.mark.parametrize("in_process", [False, True], ids=["grpc", "in-process"])
def test_the_pack_sees_what_the_cli_would_send(
    probe_pack: Path, pulumi_recorder: Callable[..., ProgramRun], in_process: bool
) -> None:
    run = pulumi_recorder(program)
    result = enforce(
        run.registrations, probe_pack, in_process=in_process, config={"echo-config": PolicyConfig("", {"label": "x"})}
    )
    assert result.name == "probe" and result.version == "1.2.3"
    assert messages(result) == {
        "echo-config": ("advisory", "threshold=5.0 label=x"),
        "options": ("mandatory", "protect=True parent=holder provider=pulumi:providers:azure-native"),
        "edges": ("advisory", "parent=holder deps=['rg'] propertyDeps=['properties', 'resourceGroupName']"),
    }
    edge = next(d for d in result.diagnostics if d.policy == "edges")
    assert edge.urn.endswith("test:index:Holder$azure-native:keyvault:Vault::kv")


def test_pack_config_validation_uses_the_policy_schema(
    probe_pack: Path, pulumi_recorder: Callable[..., ProgramRun]
) -> None:
    from landing_zone.preview.pack_config import PackConfigError

    with pytest.raises(PackConfigError, match="echo-config: threshold: 'many' is not of type 'integer'"):
        enforce(
            pulumi_recorder(program).registrations,
            probe_pack,
            config={"echo-config": PolicyConfig("", {"threshold": "many"})},
        )


def test_disabled_policies_do_not_run(probe_pack: Path, pulumi_recorder: Callable[..., ProgramRun]) -> None:
    result = enforce(pulumi_recorder(program).registrations, probe_pack, config={"all": PolicyConfig("disabled")})
    assert result.diagnostics == []
