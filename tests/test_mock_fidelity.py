"""Programs not written for the landing zone behave offline as under ``pulumi preview`` (issue 10, item 8).

Outputs are unknown where azure-native's preview leaves them unknown; every invoke is answered
faithfully or stops the preview naming it; a missing stack reference, a multi-language component and
a read of an existing resource are incomplete plans, never a pass.
"""

from __future__ import annotations

import contextlib

import pulumi
import pytest
from pulumi.runtime.mocks import MockCallArgs
from pulumi_azure_native import authorization, keyvault, resources, storage

from landing_zone.errors import IncompletePlanError
from landing_zone.preview.mocks import AzureMocks
from landing_zone.preview.project import StackConfig
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN
from landing_zone.preview.runner import ProgramError, execute, record


def group() -> resources.ResourceGroup:
    return resources.ResourceGroup("rg", location="eastus2")


def incomplete(program: object, **kwargs: object) -> IncompletePlanError:
    with pytest.raises(ProgramError) as caught:
        record(program, **kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value.cause, IncompletePlanError), caught.value.cause
    return caught.value.cause


class TestOutputsAtPreview:
    def test_name_and_id_are_unknown_and_echoed_inputs_known(self) -> None:
        seen: dict[str, object] = {}

        def program() -> None:
            rg = group()
            rg.name.apply(lambda value: seen.setdefault("name", value))
            rg.id.apply(lambda value: seen.setdefault("id", value))
            rg.location.apply(lambda value: seen.setdefault("location", value))

        record(program)
        assert seen == {"location": "eastus2"}, "apply chains on name/id never run at preview"

    def test_apply_chains_that_invoke_list_keys_do_not_run(self) -> None:
        # The shape of pulumi/examples azure-py-functions: list keys once names are known.
        def program() -> None:
            rg = group()
            account = storage.StorageAccount(
                "sa", resource_group_name=rg.name, kind="StorageV2", sku=storage.SkuArgs(name="Standard_LRS")
            )
            keys = pulumi.Output.all(rg.name, account.name).apply(
                lambda names: storage.list_storage_account_keys(resource_group_name=names[0], account_name=names[1])
            )
            keyvault.Secret(
                "conn",
                resource_group_name=rg.name,
                vault_name="kv",
                properties=keyvault.SecretPropertiesArgs(value=keys.apply(lambda k: k.keys[0].value)),
            )

        run = record(program)
        assert run.one("azure-native:keyvault:Secret").inputs["properties"]["value"] == UNKNOWN

    def test_computed_nested_outputs_are_unknown(self) -> None:
        seen: dict[str, object] = {}

        def program() -> None:
            vault = keyvault.Vault(
                "kv",
                resource_group_name="rg",
                vault_name="kv-fixed",
                properties=keyvault.VaultPropertiesArgs(
                    tenant_id="72f988bf-0000-4000-8000-000000000001", sku=keyvault.SkuArgs(family="A", name="standard")
                ),
            )
            vault.properties.apply(lambda value: seen.setdefault("properties", value))

        record(program)
        assert seen == {}, "vaultUri is computed by Azure, so the properties output is not known at preview"

    def test_outside_preview_outputs_are_realistic(self) -> None:
        seen: dict[str, object] = {}

        def program() -> None:
            group().id.apply(lambda value: seen.setdefault("id", value))

        record(program, dry_run=False)
        assert str(seen["id"]).startswith("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg")


class TestInvokes:
    def test_client_config_comes_from_config(self) -> None:
        seen: dict[str, object] = {}

        def program() -> None:
            authorization.get_client_config_output().apply(lambda c: seen.update(sub=c.subscription_id, t=c.tenant_id))

        record(
            program,
            config={
                "azure-native:subscriptionId": "3f2c9a51-0000-4000-8000-000000000002",
                "azure-native:tenantId": "72f988bf-0000-4000-8000-000000000001",
            },
        )
        assert seen == {"sub": "3f2c9a51-0000-4000-8000-000000000002", "t": "72f988bf-0000-4000-8000-000000000001"}

    def test_client_token_is_refused_naming_the_invoke(self) -> None:
        # A program asks for a token to call Azure itself (pulumi/examples azure-py-call-azure-sdk): a placeholder
        # would send that call with a fake token, so the plan is incomplete (tests/test_foreign_invokes.py).
        with pytest.raises(IncompletePlanError, match="azure-native:authorization:getClientToken"):
            AzureMocks().call(MockCallArgs("azure-native:authorization:getClientToken", {}, ""))

    def test_list_keys_answers_secret_placeholders_shaped_like_the_sdk_result(self) -> None:
        seen: dict[str, object] = {}

        def program() -> None:
            keys = storage.list_storage_account_keys_output(resource_group_name="rg", account_name="sa")
            keys.keys.apply(lambda value: seen.setdefault("keys", value))

        record(program)
        assert seen["keys"][0]["value"].startswith("offline-")  # type: ignore[index]
        answer, _ = AzureMocks().call(MockCallArgs("azure-native:storage:listStorageAccountKeys", {}, ""))
        assert answer["keys"][SECRET_SIG] == SECRET_VALUE_SIG

    @pytest.mark.parametrize(
        "invoke",
        [
            lambda: resources.get_resource_group_output(resource_group_name="existing"),
            lambda: storage.get_storage_account_output(resource_group_name="rg", account_name="sa"),
        ],
    )
    def test_an_invoke_that_reads_azure_fails_naming_its_token(self, invoke: object) -> None:
        error = incomplete(lambda: invoke().apply(lambda x: x))  # type: ignore[operator]
        assert error.kind == "invoke"
        assert error.subject.startswith("azure-native:") and error.subject in str(error)


class TestIncompletePlans:
    def test_a_stack_reference_to_an_unknown_stack_names_it(self) -> None:
        def program() -> None:
            pulumi.StackReference("org/hub/prod").get_output("vnetId")

        error = incomplete(program)
        assert error.kind == "stack-reference"
        assert "unknown stack 'org/hub/prod'" in str(error)

    def test_a_known_stack_reference_answers_from_the_file(self) -> None:
        seen: dict[str, object] = {}

        def program() -> None:
            pulumi.StackReference("org/hub/prod").get_output("vnetId").apply(lambda v: seen.setdefault("id", v))

        run = execute(
            program, "test", "test", StackConfig({}, frozenset()), stack_references={"org/hub/prod": {"vnetId": "/x"}}
        )
        assert seen == {"id": "/x"}
        assert run.registrations

    def test_a_multi_language_component_is_incomplete(self) -> None:
        class Remote(pulumi.ComponentResource):
            def __init__(self, name: str) -> None:
                super().__init__("synced-folder:index:S3BucketFolder", name, {}, None, remote=True)

        error = incomplete(lambda: Remote("site"))
        assert error.kind == "component"
        assert "synced-folder:index:S3BucketFolder" in str(error) and "Construct" in str(error)

    def test_reading_an_existing_resource_is_incomplete(self) -> None:
        error = incomplete(lambda: resources.ResourceGroup.get("existing", "/subscriptions/0/resourceGroups/existing"))
        assert error.kind == "read"

    def test_a_caught_incomplete_plan_still_fails_the_run(self) -> None:
        def program() -> None:
            with contextlib.suppress(Exception):  # a program swallowing the error
                pulumi.StackReference("org/hub/prod")

        with pytest.raises(ProgramError):
            record(program)


def test_secret_marker_constant_is_the_wire_one() -> None:
    assert SECRET_SIG == "4dabf18193072939515e22adb298388d"
