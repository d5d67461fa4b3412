"""The recorder sees what the Pulumi engine would: URNs, parents, edges, options, unknowns and secrets."""

from __future__ import annotations

import pulumi
import pytest
from pulumi_azure_native import keyvault, resources

from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, DuplicateUrnError
from landing_zone.preview.runner import ProgramError, record


class Holder(pulumi.ComponentResource):
    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("test:index:Holder", name, None, opts)
        self.group = resources.ResourceGroup(f"{name}-rg", location="eastus2", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


def vault(name: str, group: resources.ResourceGroup, **overrides: object) -> keyvault.Vault:
    properties = keyvault.VaultPropertiesArgs(
        tenant_id="72f988bf-0000-4000-8000-000000000001",
        sku=keyvault.SkuArgs(family="A", name="premium"),
        soft_delete_retention_in_days=90,
        enable_purge_protection=True,
    )
    return keyvault.Vault(name, resource_group_name=group.name, properties=properties, **overrides)  # type: ignore[arg-type]


def test_urns_use_the_parent_type_chain_like_the_engine() -> None:
    def program() -> None:
        outer = Holder("outer")
        resources.ResourceGroup("inner", location="eastus2", opts=pulumi.ResourceOptions(parent=outer.group))

    run = record(program, project="proj", stack="dev")
    urns = [r.urn for r in run.registrations]
    assert urns[0] == "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
    assert "urn:pulumi:dev::proj::test:index:Holder::outer" in urns
    assert "urn:pulumi:dev::proj::test:index:Holder$azure-native:resources:ResourceGroup::outer-rg" in urns
    assert (
        "urn:pulumi:dev::proj::test:index:Holder$azure-native:resources:ResourceGroup$"
        "azure-native:resources:ResourceGroup::inner"
    ) in urns


def test_parent_custom_flag_and_default_provider() -> None:
    run = record(lambda: Holder("h"))
    component = run.one("test:index:Holder")
    group = run.one("azure-native:resources:ResourceGroup")
    provider = run.one("pulumi:providers:azure-native")
    assert component.custom is False and component.parent == run.registrations[0].urn
    assert group.custom is True and group.parent == component.urn
    assert provider.name.startswith("default_3_")
    assert group.provider is not None and group.provider.startswith(provider.urn + "::")
    assert component.provider is None


def test_dependencies_and_property_dependencies() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", location="eastus2")
        vault("kv", group, opts=pulumi.ResourceOptions(depends_on=[]))

    run = record(program)
    group = run.one("azure-native:resources:ResourceGroup")
    kv = run.one("azure-native:keyvault:Vault")
    assert kv.dependencies == [group.urn]
    assert kv.property_dependencies["resourceGroupName"] == [group.urn]
    assert kv.property_dependencies["properties"] == []


def test_wire_format_inputs_are_camel_case_nested_with_float_numbers() -> None:
    run = record(lambda: vault("kv", resources.ResourceGroup("rg", location="eastus2")))
    inputs = run.one("azure-native:keyvault:Vault").inputs
    assert inputs["properties"]["enablePurgeProtection"] is True
    assert inputs["properties"]["softDeleteRetentionInDays"] == 90.0
    assert isinstance(inputs["properties"]["softDeleteRetentionInDays"], float)
    assert inputs["properties"]["sku"] == {"family": "A", "name": "premium"}


def test_resource_options_are_recorded() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", location="eastus2")
        vault(
            "kv",
            group,
            opts=pulumi.ResourceOptions(
                protect=True,
                retain_on_delete=True,
                delete_before_replace=True,
                ignore_changes=["tags"],
                aliases=[pulumi.Alias(name="old-kv")],
                custom_timeouts=pulumi.CustomTimeouts(create="30m"),
            ),
        )

    kv = record(program).one("azure-native:keyvault:Vault")
    assert (kv.protect, kv.retain_on_delete, kv.delete_before_replace) == (True, True, True)
    assert kv.ignore_changes == ["tags"]
    assert kv.aliases == [{"name": "old-kv"}], "only the user's alias; azure-native's versioned aliases are dropped"
    assert kv.custom_timeouts == {"create": "30m", "update": "", "delete": ""}


def test_outputs_computed_by_azure_are_unknown_in_preview() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", location="eastus2")
        keyvault.Secret("s", resource_group_name=group.name, vault_name="kv", properties={"value": group.id})

    run = record(program, dry_run=True)
    secret_inputs = run.one("azure-native:keyvault:Secret").inputs
    assert secret_inputs["properties"]["value"] == UNKNOWN
    # azure-native's preview leaves every output that is not an input unknown: the group's `name` too.
    assert secret_inputs["resourceGroupName"] == UNKNOWN
    # The provider's Check names the secret itself, so its own name is known to the pack.
    checked = run.one("azure-native:keyvault:Secret").checked_inputs
    assert checked["secretName"].startswith("s") and checked["secretName"] != UNKNOWN
    assert "secretName" not in secret_inputs, "the registration keeps what the program sent"


def test_outputs_are_realistic_outside_preview() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-demo", location="eastus2")
        keyvault.Secret("s", resource_group_name=group.name, vault_name="kv", properties={"value": group.id})

    run = record(program, dry_run=False)
    secret = run.one("azure-native:keyvault:Secret")
    assert (
        secret.inputs["properties"]["value"]
        == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-demo"
    )
    assert secret.id.endswith("/providers/Microsoft.KeyVault/vaults/kv/secrets/" + secret.outputs["name"])


def test_secrets_keep_their_marker_and_are_redacted_in_json() -> None:
    def program() -> None:
        resources.ResourceGroup("rg", location="eastus2", tags={"token": pulumi.Output.secret("hunter2"), "plain": "x"})

    group = record(program).one("azure-native:resources:ResourceGroup")
    assert group.inputs["tags"]["token"] == {SECRET_SIG: SECRET_VALUE_SIG, "value": "hunter2"}
    assert group.to_json()["inputs"]["tags"] == {
        "token": {SECRET_SIG: SECRET_VALUE_SIG, "value": "[secret]"},
        "plain": "x",
    }
    assert "hunter2" not in str(group.to_json())


def test_duplicate_urns_fail_the_run_as_the_engine_would() -> None:
    def program() -> None:
        resources.ResourceGroup("same", location="eastus2")
        resources.ResourceGroup("same", location="westus2")

    with pytest.raises(ProgramError) as caught:
        record(program)
    assert isinstance(caught.value.cause, DuplicateUrnError)
    assert "azure-native:resources:ResourceGroup::same" in str(caught.value.cause)


def test_program_exceptions_surface_with_their_cause() -> None:
    def program() -> None:
        raise RuntimeError("boom")

    with pytest.raises(ProgramError) as caught:
        record(program)
    assert str(caught.value.cause) == "boom"


def test_runs_do_not_leak_into_each_other() -> None:
    first = record(lambda: resources.ResourceGroup("one", location="eastus2"), stack="a")
    second = record(lambda: resources.ResourceGroup("two", location="eastus2"), stack="b")
    assert [r.name for r in first.registrations if r.custom and r.type.endswith("ResourceGroup")] == ["one"]
    assert [r.name for r in second.registrations if r.custom and r.type.endswith("ResourceGroup")] == ["two"]
    assert second.registrations[0].urn == "urn:pulumi:b::test::pulumi:pulumi:Stack::test-b"


def test_stack_outputs_are_returned() -> None:
    def program() -> None:
        group = resources.ResourceGroup("rg", resource_group_name="rg-demo", location="eastus2")
        pulumi.export("groupName", group.name)
        pulumi.export("location", group.location)

    # At preview the group's `name` output is unknown (azure-native echoes inputs only), so nothing resolves.
    assert record(program).outputs == {}
    assert record(program, dry_run=False).outputs == {"groupName": "rg-demo", "location": "eastus2"}


def test_config_reaches_the_program_in_its_namespace() -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        seen["size"] = pulumi.Config().require_int("size")
        seen["object"] = pulumi.Config().require_object("settings")

    record(program, config={"size": "3", "settings": '{"a": [1, 2]}'})
    assert seen == {"size": 3, "object": {"a": [1, 2]}}
