"""The offline preview reads config and talks to a policy pack as the Pulumi CLI does (issue 10, item 4).

Each test pins one difference the old engine had with ``pulumi preview`` (pulumi/pulumi sources cited
in the modules under test): provider Check defaults, Remediate before Analyze, YAML 1.2, Pulumi.yaml
config declarations, Go-encoded object config, pack-config errors the CLI raises, schema ``format``,
stack and component outputs in AnalyzeStack, resource references, Go-duration timeouts, stack tags.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pulumi
import pytest
from pulumi_azure_native import resources, storage

from landing_zone.preview.engine import enforce
from landing_zone.preview.pack_config import PackConfigError, PolicyConfig, parse_pack_config
from landing_zone.preview.policy import analyze_request, stack_resource
from landing_zone.preview.project import (
    SECRET_PLACEHOLDER,
    ProjectError,
    load_project,
    load_stack_config,
)
from landing_zone.preview.provider_check import ProviderCheckError
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, DurationError
from landing_zone.preview.runner import ProgramError, ProgramRun, record
from landing_zone.yaml12 import YamlError, loads

PACK_DIR = Path(__file__).resolve().parents[1] / "policy_pack"

PROBE_PACK = textwrap.dedent(
    """
    from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy,
                               StackValidationPolicy)

    ACCOUNT = "azure-native:storage:StorageAccount"

    def remediate_tls(args):
        if args.resource_type == ACCOUNT and args.props.get("minimumTlsVersion") != "TLS1_2":
            props = dict(args.props)
            props["minimumTlsVersion"] = "TLS1_2"
            return props

    def require_tls(args, report_violation):
        if args.resource_type == ACCOUNT and args.props.get("minimumTlsVersion") != "TLS1_2":
            report_violation("TLS below 1.2")

    def echo_inputs(args, report_violation):
        if args.resource_type == ACCOUNT:
            internal = sorted(key for key in args.props if key.startswith("__"))
            report_violation(
                f"location={args.props.get('location')} api={args.props.get('azureApiVersion')} "
                f"name={args.props.get('accountName')} internal={internal}"
            )

    def echo_tags(args, report_violation):
        if args.resource_type == "azure-native:resources:ResourceGroup":
            report_violation("tags=" + ",".join(f"{k}={v}" for k, v in sorted(args.stack_tags.items())))

    def echo_reference(args, report_violation):
        if args.resource_type == "test:index:Thing":
            report_violation(f"target={args.props['target']} holder={args.props['holder']}")

    def echo_outputs(args, report_violation):
        for resource in args.resources:
            if resource.resource_type in ("pulumi:pulumi:Stack", "test:index:Holder"):
                report_violation(f"{resource.resource_type} outputs={dict(sorted(resource.props.items()))}", resource.urn)

    PolicyPack(
        name="fidelity-probe",
        enforcement_level=EnforcementLevel.ADVISORY,
        policies=[
            ResourceValidationPolicy(name="tls-remediate", description="remediate TLS", remediate=remediate_tls,
                                     enforcement_level=EnforcementLevel.REMEDIATE),
            ResourceValidationPolicy(name="tls-required", description="TLS 1.2", validate=require_tls,
                                     enforcement_level=EnforcementLevel.MANDATORY),
            ResourceValidationPolicy(name="echo-inputs", description="echo", validate=echo_inputs),
            ResourceValidationPolicy(name="echo-tags", description="echo", validate=echo_tags),
            ResourceValidationPolicy(name="echo-reference", description="echo", validate=echo_reference),
            ResourceValidationPolicy(
                name="with-format", description="formats", validate=lambda args, report: None,
                config_schema=PolicyConfigSchema(properties={"contact": {"type": "string", "format": "email"}}),
            ),
            StackValidationPolicy(name="echo-outputs", description="echo", validate=echo_outputs),
        ],
    )
    """
)


@pytest.fixture(scope="module")
def probe_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fidelity-probe")
    (folder / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (folder / "__main__.py").write_text(PROBE_PACK)
    return folder


def messages(result: object, policy: str) -> list[str]:
    """What ``policy`` reported: the message after the description line the SDK puts first."""
    return [d.message.split("\n", 1)[-1] for d in result.diagnostics if d.policy == policy]  # type: ignore[attr-defined]


def account(name: str = "sa", **overrides: object) -> storage.StorageAccount:
    args: dict[str, object] = {
        "resource_group_name": "rg-fixed",
        "kind": "StorageV2",
        "sku": storage.SkuArgs(name="Standard_LRS"),
    }
    args.update(overrides)
    return storage.StorageAccount(name, **args)  # type: ignore[arg-type]


# --- 1. the provider's Check ------------------------------------------------------------------------------------


class TestProviderCheck:
    def test_location_comes_from_provider_config_and_the_pack_sees_it(self, probe_pack: Path) -> None:
        run = record(account, config={"azure-native:location": "westeurope"})
        checked = run.one("azure-native:storage:StorageAccount").checked_inputs
        assert checked["location"] == "westeurope"
        (message,) = messages(enforce(run.registrations, probe_pack), "echo-inputs")
        # Check also auto-names the account and sets the API version; its internal flag never reaches Analyze.
        assert message.startswith("location=westeurope api=2024-01-01 name=sa")
        assert message.endswith("internal=[]")
        assert checked["__createBeforeDelete"] is True

    def test_an_explicit_providers_location_wins_over_stack_config(self) -> None:
        def program() -> None:
            from pulumi_azure_native import Provider

            provider = Provider("eu", location="northeurope")
            account(opts=pulumi.ResourceOptions(provider=provider))

        run = record(program, config={"azure-native:location": "westeurope"})
        assert run.one("azure-native:storage:StorageAccount").checked_inputs["location"] == "northeurope"

    def test_location_from_the_programs_resource_group_by_literal_name(self) -> None:
        def program() -> None:
            group = resources.ResourceGroup("rg", resource_group_name="rg-fixed", location="swedencentral")
            account(opts=pulumi.ResourceOptions(depends_on=[group]))  # registered after the group

        run = record(program)
        assert run.one("azure-native:storage:StorageAccount").checked_inputs["location"] == "swedencentral"

    def test_location_is_unknown_while_the_group_name_is(self) -> None:
        def program() -> None:
            group = resources.ResourceGroup("rg", location="swedencentral")
            account(resource_group_name=group.name)

        run = record(program)
        assert run.one("azure-native:storage:StorageAccount").checked_inputs["location"] == UNKNOWN

    def test_the_default_provider_carries_its_packages_stack_config(self) -> None:
        # GetPackageConfig: a policy on the provider (data residency) sees azure-native:location even when
        # every resource names its own region; a secure value stays secret.
        run = record(
            lambda: account(location="eastus2"),
            config={"azure-native:location": "WestEurope", "azure-native:clientSecret": "s3cr3t", "other:x": "1"},
            secret_keys=frozenset({"azure-native:clientSecret"}),
        )
        provider = run.one("pulumi:providers:azure-native")
        assert provider.name.startswith("default_")
        assert provider.inputs["location"] == "WestEurope"
        assert provider.inputs["clientSecret"] == {SECRET_SIG: SECRET_VALUE_SIG, "value": "s3cr3t"}
        assert set(provider.inputs) == {"location", "clientSecret", "version"}

    def test_a_given_location_is_kept(self) -> None:
        run = record(lambda: account(location="eastus2"), config={"azure-native:location": "westeurope"})
        assert run.one("azure-native:storage:StorageAccount").checked_inputs["location"] == "eastus2"

    def test_a_resource_group_without_any_location_fails_as_check_does(self) -> None:
        with pytest.raises(ProgramError) as caught:
            record(lambda: resources.ResourceGroup("rg"))
        assert isinstance(caught.value.cause, ProviderCheckError)
        assert "missing required property 'location'" in str(caught.value.cause)
        assert "azure-native:location" in str(caught.value.cause)


class TestClassicProviderCheck:
    """pulumi-azure's Check (``provider_check.ProviderCheck.classic_defaults``): a classic resource's default
    ``location`` is its resource group's; only the group itself reads ``azure:location``."""

    ACCOUNT = "azure:storage/account:Account"

    @staticmethod
    def classic_account(resource_group_name: object, name: str = "classic-sa", **overrides: object) -> None:
        import pulumi_azure as classic

        classic.storage.Account(
            name,
            resource_group_name=resource_group_name,  # type: ignore[arg-type]
            account_tier="Standard",
            account_replication_type="LRS",
            **overrides,  # type: ignore[arg-type]
        )

    @staticmethod
    def residency(run: ProgramRun) -> list[str]:
        """The resources the real pack's data-residency rule flags when only eastus is allowed."""
        config = parse_pack_config({"data-residency": {"allowedRegions": ["eastus"]}})
        result = enforce(run.registrations, PACK_DIR, config=config)
        return [d.urn.rsplit("::", 1)[-1] for d in result.diagnostics if d.policy == "data-residency"]

    def test_the_groups_location_reaches_the_pack_and_trips_data_residency(self) -> None:
        def program() -> None:
            import pulumi_azure as classic

            group = classic.core.ResourceGroup("crg", name="rg-classic", location="westeurope")
            self.classic_account("rg-classic", opts=pulumi.ResourceOptions(depends_on=[group]))

        run = record(program)
        assert run.one(self.ACCOUNT).checked_inputs["location"] == "westeurope"
        assert sorted(self.residency(run)) == ["classic-sa", "crg"]

    def test_azure_location_config_sets_the_groups_and_so_its_resources_location(self) -> None:
        def program() -> None:
            import pulumi_azure as classic

            group = classic.core.ResourceGroup("crg", name="rg-classic")
            self.classic_account(group.name)  # known at preview: the bridge echoes the name input
            self.classic_account("RG-Classic", "other-sa", opts=pulumi.ResourceOptions(depends_on=[group]))

        run = record(program, config={"azure:location": "West Europe"})
        assert run.one("azure:core/resourceGroup:ResourceGroup").checked_inputs["location"] == "West Europe"
        # Azure answers the group's location in canonical form; the bridge normalises it (location.Normalize).
        accounts = [r for r in run.registrations if r.type == self.ACCOUNT]
        assert [r.checked_inputs["location"] for r in accounts] == ["westeurope", "westeurope"]
        # The default provider carries azure:location too (GetPackageConfig), so it is flagged as well.
        flagged = sorted(self.residency(run))
        assert [name for name in flagged if not name.startswith("default_")] == ["classic-sa", "crg", "other-sa"]
        assert len(flagged) == 4

    def test_unknown_when_neither_the_group_nor_its_location_is_knowable(self) -> None:
        def program() -> None:
            import pulumi_azure as classic

            group = classic.core.ResourceGroup("crg", location="westeurope")  # auto-named: its name is unknown
            self.classic_account(group.name)

        run = record(program)
        assert run.one(self.ACCOUNT).checked_inputs["location"] == UNKNOWN

    def test_azure_location_is_not_the_default_of_other_resources(self) -> None:
        # A group outside the program: the bridge would read it from Azure; offline it stays unknown, and
        # azure:location (the resource group's default only) is never used for the account.
        run = record(lambda: self.classic_account("rg-elsewhere"), config={"azure:location": "westeurope"})
        assert run.one(self.ACCOUNT).checked_inputs["location"] == UNKNOWN

    def test_a_given_location_is_kept_and_stack_config_is_the_default_providers_only(self) -> None:
        def program() -> None:
            import pulumi_azure as classic

            # The classic Provider resource takes no ``location`` input: an explicit provider has none to give.
            provider = classic.Provider("eu", features=classic.ProviderFeaturesArgs())
            group = classic.core.ResourceGroup("crg", name="rg-eu", opts=pulumi.ResourceOptions(provider=provider))
            self.classic_account("rg-eu", location="eastus", opts=pulumi.ResourceOptions(depends_on=[group]))
            self.classic_account("rg-eu", "other-sa", opts=pulumi.ResourceOptions(depends_on=[group]))

        run = record(program, config={"azure:location": "westeurope"})
        assert "location" not in run.one("azure:core/resourceGroup:ResourceGroup").checked_inputs
        locations = {r.name: r.checked_inputs["location"] for r in run.registrations if r.type == self.ACCOUNT}
        assert locations == {"classic-sa": "eastus", "other-sa": UNKNOWN}


# --- 3. remediations ----------------------------------------------------------------------------------------------


class TestRemediation:
    def test_remediate_runs_before_analyze_and_is_reported_without_values(self, probe_pack: Path) -> None:
        run = record(lambda: account(minimum_tls_version="TLS1_0"), config={"azure-native:location": "westeurope"})
        result = enforce(run.registrations, probe_pack)
        assert messages(result, "tls-required") == [], "the remediated input reached Analyze"
        (remediation,) = result.remediations
        assert remediation.policy == "tls-remediate"
        assert remediation.urn.endswith("::sa")
        assert remediation.changed == ("minimumTlsVersion",)
        assert "TLS1_0" not in json.dumps(remediation.to_json()) and "TLS1_2" not in json.dumps(remediation.to_json())
        registration = run.one("azure-native:storage:StorageAccount")
        assert registration.checked_inputs["minimumTlsVersion"] == "TLS1_2", "carried forward"
        assert registration.outputs["minimumTlsVersion"] == "TLS1_2", "AnalyzeStack sees it too"

    def test_without_the_remediation_the_mandatory_policy_fails(self, probe_pack: Path) -> None:
        run = record(lambda: account(minimum_tls_version="TLS1_0"), config={"azure-native:location": "westeurope"})
        result = enforce(run.registrations, probe_pack, config={"tls-remediate": PolicyConfig("disabled")})
        assert messages(result, "tls-required") == ["TLS below 1.2"]
        assert result.remediations == []


# --- 4. config as the CLI reads it ------------------------------------------------------------------------------


def project_folder(tmp_path: Path, project_yaml: str, stack_yaml: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    return tmp_path


class TestYaml12:
    def test_yaml_1_1_booleans_and_dates_stay_strings(self, tmp_path: Path) -> None:
        folder = project_folder(
            tmp_path,
            "name: demo\nruntime: python\n",
            "config:\n  demo:country: NO\n  demo:switch: on\n  demo:start: 2026-03-01\n"
            "  demo:obj:\n    when: 2026-03-01\n    flag: yes\n",
        )
        values = load_stack_config(load_project(folder), "dev").values
        assert values["demo:country"] == "NO"
        assert values["demo:switch"] == "on"
        assert values["demo:start"] == "2026-03-01"
        assert json.loads(values["demo:obj"]) == {"when": "2026-03-01", "flag": "yes"}

    def test_integers_are_read_as_yaml_v3_reads_them(self, tmp_path: Path) -> None:
        # yaml.v3 drops underscores and parses with Go's ParseInt(s, 0, 64): a leading zero is octal.
        folder = project_folder(
            tmp_path,
            "name: demo\nruntime: python\n",
            "config:\n  demo:a: 017\n  demo:b: -0_17\n  demo:c: 0o17\n  demo:d: 1_000\n  demo:e: 08\n"
            "  demo:f: '017'\n  demo:obj:\n    mode: 0755\n",
        )
        values = load_stack_config(load_project(folder), "dev").values
        assert [values[f"demo:{key}"] for key in "abcdef"] == ["15", "-15", "15", "1000", "8", "017"]
        assert values["demo:obj"] == '{"mode":493}'

    def test_a_value_json_cannot_hold_names_file_and_key(self, tmp_path: Path) -> None:
        folder = project_folder(tmp_path, "name: demo\nruntime: python\n", "config:\n  demo:limit: .inf\n")
        with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml: demo:limit: inf cannot be passed"):
            load_stack_config(load_project(folder), "dev")

    @pytest.mark.parametrize(
        ("text", "line", "path", "reason"),
        [
            ("config:\n  a: 1\n  a: 2\n", 3, "config.a", "duplicate key 'a'"),
            ("config:\n  blob: !!binary aGk=\n", 2, "config.blob", "explicit tag"),
            ("config:\n  list:\n    - !custom x\n", 3, "config.list[0]", "explicit tag"),
        ],
    )
    def test_unsafe_or_ambiguous_yaml_is_refused_with_file_line_and_key(
        self, text: str, line: int, path: str, reason: str
    ) -> None:
        with pytest.raises(YamlError) as caught:
            loads(text, "Pulumi.dev.yaml")
        assert caught.value.line == line
        assert caught.value.path == path
        assert reason in str(caught.value)
        assert str(caught.value).startswith(f"Pulumi.dev.yaml:{line}: {path}: ")

    def test_an_alias_bomb_fails_fast(self) -> None:
        lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
        lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
        text = "\n".join(lines) + "\n"
        assert len(text) < 2600
        with pytest.raises(YamlError, match="excessive aliasing"):
            loads(text, "bomb.yaml")

    def test_a_stack_file_error_names_the_file(self, tmp_path: Path) -> None:
        folder = project_folder(tmp_path, "name: demo\nruntime: python\n", "config:\n  demo:a: 1\n  demo:a: 2\n")
        with pytest.raises(ProjectError, match=r"Pulumi\.dev\.yaml:3: config\.demo:a: duplicate key"):
            load_stack_config(load_project(folder), "dev")


class TestProjectConfigDeclarations:
    def test_a_declared_key_without_value_or_default_is_an_error(self, tmp_path: Path) -> None:
        folder = project_folder(
            tmp_path, "name: demo\nruntime: python\nconfig:\n  region:\n    type: string\n", "config: {}\n"
        )
        with pytest.raises(ProjectError, match="Stack 'dev' is missing configuration value 'region'"):
            load_stack_config(load_project(folder), "dev")

    @pytest.mark.parametrize(
        ("declaration", "stack_value", "expected"),
        [
            ("type: integer", "abc", "must be of type 'integer'"),
            ("type: boolean", "maybe", "must be of type 'boolean'"),
            ("type: array\n    items: {type: string}", "[1, 2]", "must be of type 'array<string>'"),
            ("type: object", "text", "must be of type 'object'"),
            ("type: string\n    secret: true", "plain", "must be encrypted as it's secret"),
        ],
    )
    def test_typed_declarations_are_enforced(
        self, tmp_path: Path, declaration: str, stack_value: str, expected: str
    ) -> None:
        folder = project_folder(
            tmp_path,
            f"name: demo\nruntime: python\nconfig:\n  key:\n    {declaration}\n",
            f"config:\n  demo:key: {stack_value}\n",
        )
        with pytest.raises(ProjectError, match=expected):
            load_stack_config(load_project(folder), "dev")

    def test_valid_values_defaults_and_secrets_pass(self, tmp_path: Path) -> None:
        folder = project_folder(
            tmp_path,
            "name: demo\nruntime: python\nconfig:\n  count:\n    type: integer\n    default: 3\n"
            "  names:\n    type: array\n    items: {type: string}\n  token:\n    type: string\n    secret: true\n"
            "  settings:\n    type: object\n",
            "config:\n  demo:names: [a, b]\n  demo:token:\n    secure: AAAB\n  demo:settings: {b: 1, a: '<x>'}\n",
        )
        values = load_stack_config(load_project(folder), "dev").values
        assert values["demo:count"] == "3"
        assert values["demo:token"] == SECRET_PLACEHOLDER
        # Objects reach the program as Go's encoding/json writes them: compact, sorted, HTML characters escaped.
        assert values["demo:settings"] == '{"a":"\\u003cx\\u003e","b":1}'
        assert values["demo:names"] == '["a","b"]'

    @pytest.mark.parametrize(
        ("block", "expected"),
        [
            ("  key:\n    type: array\n", "does not give the item type"),
            ("  key:\n    type: integer\n    default: abc\n", "default value is not of the expected type"),
            ("  key:\n    default: 1\n    value: 2\n", "both a 'default' and 'value'"),
            ("  aws:region:\n    type: string\n    value: x\n", "should not define a type"),
            ("  key:\n    typo: string\n", "unknown attribute"),
        ],
    )
    def test_invalid_declarations_are_refused(self, tmp_path: Path, block: str, expected: str) -> None:
        folder = project_folder(tmp_path, f"name: demo\nruntime: python\nconfig:\n{block}", "config: {}\n")
        with pytest.raises(ProjectError, match=expected):
            load_project(folder)


class TestPackConfig:
    def test_an_entry_left_without_an_enforcement_level_is_refused(self, probe_pack: Path) -> None:
        with pytest.raises(PackConfigError, match='not-a-policy: invalid enforcement level ""'):
            enforce([], probe_pack, config={"not-a-policy": PolicyConfig("", {"x": 1})})

    def test_schema_format_is_enforced(self, probe_pack: Path) -> None:
        with pytest.raises(PackConfigError, match="is not a 'email'"):
            enforce([], probe_pack, config={"with-format": PolicyConfig("advisory", {"contact": "nobody"})})
        enforce([], probe_pack, config={"with-format": PolicyConfig("advisory", {"contact": "a@example.org"})})


class Holder(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("test:index:Holder", name)
        self.group = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=f"rg-{name}", location="eastus2", opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({"label": "held", "location": self.group.location})


class TestWireShapes:
    def test_stack_and_component_outputs_reach_analyze_stack(self, probe_pack: Path) -> None:
        def program() -> None:
            holder = Holder("h")
            pulumi.export("region", holder.group.location)
            pulumi.export("fixed", "value")

        run = record(program)
        found = messages(enforce(run.registrations, probe_pack), "echo-outputs")
        assert "pulumi:pulumi:Stack outputs={'fixed': 'value', 'region': 'eastus2'}" in found
        assert "test:index:Holder outputs={'label': 'held', 'location': 'eastus2'}" in found

    def test_resource_references_are_sent_as_ids_and_urns(self, probe_pack: Path) -> None:
        def program() -> None:
            holder = Holder("h")
            pulumi.CustomResource("test:index:Thing", "thing", {"target": holder.group, "holder": holder})

        run = record(program, dry_run=False)
        thing = run.one("test:index:Thing")
        holder = run.one("test:index:Holder")
        request = analyze_request(thing, {r.urn: r for r in run.registrations})
        assert request.properties.fields["holder"].string_value == holder.urn
        (message,) = messages(enforce(run.registrations, probe_pack), "echo-reference")
        assert (
            message
            == f"target=/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-h holder={holder.urn}"
        )
        assert "5cf8f73096256a8f31e491e813e4eb8e" not in str(stack_resource(thing, {}).properties)

    @pytest.mark.parametrize(("given", "seconds"), [("500ms", 0.5), ("1h30m", 5400.0), ("2m30s", 150.0)])
    def test_custom_timeouts_are_go_durations(self, given: str, seconds: float) -> None:
        run = record(
            lambda: resources.ResourceGroup(
                "rg",
                location="eastus2",
                opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create=given)),
            )
        )
        group = run.one("azure-native:resources:ResourceGroup")
        request = analyze_request(group, {r.urn: r for r in run.registrations})
        assert request.options.customTimeouts.create == pytest.approx(seconds)

    def test_a_duration_go_refuses_fails_the_registration(self) -> None:
        with pytest.raises(ProgramError) as caught:
            record(
                lambda: resources.ResourceGroup(
                    "rg",
                    location="eastus2",
                    opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="30")),
                )
            )
        assert isinstance(caught.value.cause, DurationError)
        assert 'invalid duration "30"' in str(caught.value.cause)

    def test_configure_stack_carries_the_clis_stack_tags(self, probe_pack: Path, tmp_path: Path) -> None:
        run: ProgramRun = record(lambda: resources.ResourceGroup("rg", location="eastus2"), project="demo")
        (message,) = messages(enforce(run.registrations, probe_pack, project="demo"), "echo-tags")
        assert message == "tags=pulumi:project=demo,pulumi:runtime=python"
        folder = project_folder(
            tmp_path,
            "name: demo\ndescription: A demo\nruntime: python\n",
            "config:\n  pulumi:tags:\n    team: platform\n",
        )
        tags = load_stack_config(load_project(folder), "dev").tags
        assert tags == {
            "pulumi:project": "demo",
            "pulumi:runtime": "python",
            "pulumi:description": "A demo",
            "team": "platform",
        }
