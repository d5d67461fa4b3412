"""Invokes foreign programs call are answered as under ``pulumi preview``, or end the preview naming them.

Credential functions (``list*Keys``, ``list*Credentials``, SAS, connection strings) answer secrets shaped like
the SDK's result; everything that reads live Azure state (data sources, other ``list*`` functions, the bearer
token) is an incomplete plan naming the token, unless the user wrote the answer in ``invoke-answers.json``.
"""

from __future__ import annotations

import base64
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockCallArgs
from pulumi_azure_native import (
    authorization,
    containerregistry,
    containerservice,
    cosmosdb,
    eventhub,
    keyvault,
    operationalinsights,
    redis,
    resources,
    servicebus,
    storage,
    subscription,
    web,
)

from landing_zone.errors import IncompletePlanError
from landing_zone.preview.engine import preview
from landing_zone.preview.invokes import INVOKE_ANSWERS_FILE, InvokeAnswers, credential_result
from landing_zone.preview.mocks import AzureMocks
from landing_zone.preview.project import ProjectError, StackConfig
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG
from landing_zone.preview.runner import ProgramError, execute, record
from landing_zone.preview.sandbox_requirements import mismatch_hint, requirements_mismatches

RG = {"resource_group_name": "rg-existing"}

#: The credential functions users call most, each with literal names (an existing resource).
CREDENTIALS: dict[str, Callable[[], pulumi.Output[Any]]] = {
    "storage:listStorageAccountKeys": lambda: storage.list_storage_account_keys_output(**RG, account_name="sa"),
    "storage:listStorageAccountSAS": lambda: storage.list_storage_account_sas_output(
        account_name="sa",
        permissions="r",
        resource_types="sco",
        services="b",
        shared_access_expiry_time="2030-01-01",
    ),
    "web:listWebAppPublishingCredentials": lambda: web.list_web_app_publishing_credentials_output(**RG, name="app"),
    "redis:listRedisKeys": lambda: redis.list_redis_keys_output(**RG, name="cache"),
    "cosmosdb:listDatabaseAccountKeys": lambda: cosmosdb.list_database_account_keys_output(**RG, account_name="db"),
    "servicebus:listNamespaceKeys": lambda: servicebus.list_namespace_keys_output(
        **RG, namespace_name="sb", authorization_rule_name="RootManageSharedAccessKey"
    ),
    "eventhub:listNamespaceKeys": lambda: eventhub.list_namespace_keys_output(
        **RG, namespace_name="eh", authorization_rule_name="RootManageSharedAccessKey"
    ),
    "containerregistry:listRegistryCredentials": lambda: containerregistry.list_registry_credentials_output(
        **RG, registry_name="acr"
    ),
    "containerservice:listManagedClusterUserCredentials": lambda: (
        containerservice.list_managed_cluster_user_credentials_output(**RG, resource_name="aks")
    ),
    "operationalinsights:getSharedKeys": lambda: operationalinsights.get_shared_keys_output(**RG, workspace_name="law"),
}

#: Reads of live state: no faithful offline answer.
REFUSED: dict[str, Callable[[], pulumi.Output[Any]]] = {
    "authorization:getClientToken": authorization.get_client_token_output,
    "subscription:getAlias": lambda: subscription.get_alias_output(alias_name="vended"),
    "resources:getResourceGroup": lambda: resources.get_resource_group_output(**RG),
    "keyvault:getSecret": lambda: keyvault.get_secret_output(**RG, vault_name="kv", secret_name="s"),
    "web:listWebAppApplicationSettings": lambda: web.list_web_app_application_settings_output(**RG, name="app"),
}


def consume(result: pulumi.Output[Any]) -> None:
    """Feed an invoke's result into a resource input, as programs do (a Key Vault secret's value)."""
    keyvault.Secret(
        "consumer",
        resource_group_name="rg",
        vault_name="kv",
        properties=keyvault.SecretPropertiesArgs(value=result.apply(lambda answer: type(answer).__name__)),
    )


@pytest.mark.parametrize("token", sorted(CREDENTIALS))
def test_credential_invokes_answer_secrets_shaped_like_the_sdk_result(token: str) -> None:
    run = record(lambda: consume(CREDENTIALS[token]()))
    value = run.one("azure-native:keyvault:Secret").inputs["properties"]["value"]
    # The SDK built its result class from the answer (shape right), and the value reached the input as a secret.
    assert value[SECRET_SIG] == SECRET_VALUE_SIG, value
    assert value["value"].endswith("Result")
    answer = credential_result(f"azure-native:{token}")
    assert answer and all(item[SECRET_SIG] == SECRET_VALUE_SIG for item in answer.values())


@pytest.mark.parametrize("token", sorted(REFUSED))
def test_reads_of_live_state_end_the_preview_naming_the_invoke(token: str) -> None:
    with pytest.raises(ProgramError) as caught:
        record(lambda: consume(REFUSED[token]()))
    cause = caught.value.cause
    assert isinstance(cause, IncompletePlanError), cause
    assert cause.kind == "invoke" and cause.subject == f"azure-native:{token}"
    assert f"azure-native:{token}" in str(cause)


@pytest.mark.parametrize(
    "token",
    [
        "signalrservice:listSignalRKeys",  # the SDK's file is list_signal_r_keys.py
        "relay:listWCFRelayKeys",  # list_wcf_relay_keys.py
        "storage:listStorageAccountServiceSAS",
        "web:listWebAppHostKeysSlot",
        "iothub:listIotHubResourceKeysForKeyName",
    ],
)
def test_credential_functions_are_found_whatever_the_sdk_file_name(token: str) -> None:
    answer = credential_result(f"azure-native:{token}")
    assert answer, token
    assert all(item[SECRET_SIG] == SECRET_VALUE_SIG for item in answer.values())


@pytest.mark.parametrize("token", ["logic:listIntegrationAccountKeyVaultKeys", "web:listWebAppFunctions"])
def test_list_functions_that_read_live_state_are_not_credentials(token: str) -> None:
    assert credential_result(f"azure-native:{token}") is None


def test_a_data_source_message_says_where_an_answer_can_be_written() -> None:
    with pytest.raises(IncompletePlanError) as caught:
        AzureMocks().call(MockCallArgs("azure-native:network:getSubnet", {"subnetName": "app"}, ""))
    assert INVOKE_ANSWERS_FILE in str(caught.value) and '{"subnetName": "app"}' in str(caught.value)


def test_the_arguments_a_message_quotes_have_their_credentials_masked() -> None:
    arguments = {
        "adminPassword": "Sup3r-Secret!",
        "connection": "Endpoint=sb://x/;SharedAccessKey=abc123def456",
        "n": "app",
    }
    with pytest.raises(IncompletePlanError) as caught:
        AzureMocks().call(MockCallArgs("azure-native:web:getWebApp", arguments, ""))
    message = str(caught.value)
    assert "Sup3r-Secret!" not in message and "abc123def456" not in message
    assert '"n": "app"' in message and "[secret]" in message


def test_the_client_token_is_refused_even_when_the_program_catches_it() -> None:
    def program() -> None:
        try:
            authorization.get_client_token()
        except Exception:  # the program goes on as if it had a token
            pulumi.export("token", "none")

    with pytest.raises(ProgramError) as caught:
        record(program)
    assert isinstance(caught.value.cause, IncompletePlanError)


class TestClassicAndAzureadProviders:
    def answers(self) -> InvokeAnswers:
        native = {"subscriptionId": "11111111-0000-4000-8000-000000000001", "tenantId": "t-native", "clientId": ""}
        classic = {"subscriptionId": "22222222-0000-4000-8000-000000000002", "tenantId": "t-classic", "clientId": "c1"}
        return InvokeAnswers(native, classic)

    def test_get_client_config_answers_from_the_classic_config(self) -> None:
        answer = self.answers().answer("azure:core/getClientConfig:getClientConfig", {})
        assert answer["subscriptionId"] == "22222222-0000-4000-8000-000000000002"
        assert answer["tenantId"] == "t-classic" and answer["clientId"] == "c1"
        # terraform-provider-azurerm's client_config ID: base64 of the four values.
        decoded = base64.b64decode(answer["id"]).decode()
        assert decoded == (
            f"clientConfigs/clientId=c1;objectId={answer['objectId']};"
            "subscriptionId=22222222-0000-4000-8000-000000000002;tenantId=t-classic"
        )

    def test_classic_config_reaches_the_answer_through_the_runner(self) -> None:
        seen: dict[str, Any] = {}

        def program() -> None:
            answer = pulumi.runtime.invoke("azure:core/getClientConfig:getClientConfig", {}).value
            seen.update(answer)

        config = StackConfig({"azure:subscriptionId": "33333333-0000-4000-8000-000000000003"}, frozenset())
        execute(program, "p", "dev", config)
        assert seen["subscriptionId"] == "33333333-0000-4000-8000-000000000003"

    def test_the_classic_sdk_reads_the_answer(self) -> None:
        import pulumi_azure  # the classic provider's SDK (test extras)

        seen: dict[str, Any] = {}

        def program() -> None:
            config = pulumi_azure.core.get_client_config()
            seen.update(subscription=config.subscription_id, tenant=config.tenant_id, object_id=config.object_id)

        config = StackConfig({"azure:subscriptionId": "44444444-0000-4000-8000-000000000004"}, frozenset())
        execute(program, "p", "dev", config)
        assert seen["subscription"] == "44444444-0000-4000-8000-000000000004"
        assert seen["tenant"] == "00000000-0000-0000-0000-000000000000" and seen["object_id"]

    def test_azuread_get_client_config_answers_the_same_principal(self) -> None:
        answers = self.answers()
        classic = answers.answer("azure:core/getClientConfig:getClientConfig", {})
        azuread = answers.answer("azuread:index/getClientConfig:getClientConfig", {})
        assert set(azuread) == {"clientId", "objectId", "tenantId", "id"}
        assert azuread["objectId"] == classic["objectId"] and azuread["tenantId"] == "t-classic"
        assert azuread["id"] == f"t-classic-c1-{azuread['objectId']}"  # terraform-provider-azuread's data source ID

    def test_azuread_config_reaches_the_answer_through_the_runner(self) -> None:
        seen: dict[str, Any] = {}

        def program() -> None:
            seen.update(pulumi.runtime.invoke("azuread:index/getClientConfig:getClientConfig", {}).value)

        execute(
            program, "p", "dev", StackConfig({"azuread:tenantId": "t-aad", "azuread:clientId": "c-aad"}, frozenset())
        )
        assert (seen["tenantId"], seen["clientId"]) == ("t-aad", "c-aad")

    @pytest.mark.parametrize(
        "token",
        [
            "azure:core/getResourceGroup:getResourceGroup",
            "azure:core/getSubscription:getSubscription",
            "azuread:index/getUser:getUser",
            "azuread:index/getGroup:getGroup",
        ],
    )
    def test_classic_and_azuread_data_sources_are_incomplete(self, token: str) -> None:
        with pytest.raises(IncompletePlanError, match=token):
            self.answers().answer(token, {"name": "rg-existing"})


class TestInvokeAnswersFile:
    def answers(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "azure-native:resources:getResourceGroup": [
                {"args": {"resourceGroupName": "rg-existing"}, "result": {"location": "eastus2", "name": "rg-existing"}}
            ]
        }

    def test_a_written_answer_is_used_for_exactly_those_arguments(self) -> None:
        seen: dict[str, Any] = {}

        def program() -> None:
            resources.get_resource_group_output(resource_group_name="rg-existing").location.apply(
                lambda location: seen.setdefault("location", location)
            )

        execute(program, "p", "dev", StackConfig({}, frozenset()), invoke_answers=self.answers())
        assert seen == {"location": "eastus2"}

    def test_other_arguments_are_still_incomplete(self) -> None:
        def program() -> None:
            resources.get_resource_group_output(resource_group_name="rg-other").apply(lambda x: x)

        with pytest.raises(ProgramError) as caught:
            execute(program, "p", "dev", StackConfig({}, frozenset()), invoke_answers=self.answers())
        assert isinstance(caught.value.cause, IncompletePlanError)
        assert '"rg-other"' in str(caught.value.cause)

    def test_secret_answers_stay_secret(self) -> None:
        answers = InvokeAnswers(
            {"subscriptionId": "s", "tenantId": "t"},
            answers={"x:y:z": [{"args": {}, "result": {"k": "v"}, "secret": True}]},
        )
        assert answers.answer("x:y:z", {})["k"] == {SECRET_SIG: SECRET_VALUE_SIG, "value": "v"}


def program_folder(tmp_path: Path, main: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: foreign\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  azure-native:location: westus2\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(main))
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_malformed_answers_file_is_a_file_error_naming_it(tmp_path: Path) -> None:
    folder = program_folder(tmp_path, "import pulumi\n", {INVOKE_ANSWERS_FILE: '{"a:b:c": {"args": {}}}'})
    with pytest.raises(ProjectError, match=r"invoke-answers\.json.*\"a:b:c\""):
        preview(folder, "dev", policy_packs=[])


def test_a_duplicate_key_in_stack_references_is_refused(tmp_path: Path) -> None:
    folder = program_folder(tmp_path, "import pulumi\n", {"stack-references.json": '{"o/p/s": {}, "o/p/s": {}}'})
    with pytest.raises(ProjectError, match=r"stack-references\.json.*appears twice"):
        preview(folder, "dev", policy_packs=[])


def test_an_incomplete_plan_is_reported_before_the_failure_it_caused() -> None:
    def program() -> None:
        pulumi.StackReference("org/hub/prod")
        raise TypeError("the program went on without the hub's outputs")

    with pytest.raises(ProgramError) as caught:
        record(program)
    assert isinstance(caught.value.cause, IncompletePlanError)
    assert "unknown stack 'org/hub/prod'" in str(caught.value.cause)


class TestPackageMismatch:
    def test_names_each_requirement_the_environment_does_not_satisfy(self, tmp_path: Path) -> None:
        (tmp_path / "requirements.txt").write_text(
            "pulumi>=3.0.0,<4.0.0\npulumi-azure-native>=2.0.0,<3.0.0\n-e ../..\nno-such-package-xyz>=1\n"
        )
        found = requirements_mismatches(tmp_path)
        assert len(found) == 2, found
        assert found[0].startswith("pulumi-azure-native<3.0.0,>=2.0.0 asked, 3.")
        assert found[1] == "no-such-package-xyz is not installed"

    def test_the_hint_joins_an_import_error_only(self, tmp_path: Path) -> None:
        (tmp_path / "requirements.txt").write_text("pulumi-azure-native>=2.0.0,<3.0.0\n")
        error = ModuleNotFoundError("No module named 'pulumi_azure_native.insights'")
        assert "pulumi-azure-native<3.0.0,>=2.0.0 asked" in mismatch_hint(error, tmp_path)
        assert mismatch_hint(KeyError("x"), tmp_path) == ""

    def test_a_failure_in_the_programs_own_module_gets_no_hint(self, tmp_path: Path) -> None:
        # pulumi/examples azure-py-virtual-data-center: __main__.py reads config.location, which its config.py lacks.
        (tmp_path / "requirements.txt").write_text("pulumi-azure-native>=2.0.0,<3.0.0\n")
        (tmp_path / "config.py").write_text("")
        assert mismatch_hint(AttributeError("module 'config' has no attribute 'location'"), tmp_path) == ""
        sdk_error = AttributeError("module 'pulumi_azure_native.network' has no attribute 'IpAllocationMethod'")
        assert "asked, 3." in mismatch_hint(sdk_error, tmp_path)

    def test_a_satisfied_requirements_file_adds_nothing(self, tmp_path: Path) -> None:
        (tmp_path / "requirements.txt").write_text("pulumi>=3.0.0,<4.0.0\n")
        assert mismatch_hint(ImportError("x"), tmp_path) == ""


def test_the_cli_names_the_token_and_gives_no_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from landing_zone.cli import main

    folder = program_folder(
        tmp_path,
        """
        from pulumi_azure_native import authorization, resources
        resources.ResourceGroup("rg")
        token = authorization.get_client_token().token
        """,
    )
    out = tmp_path / "result.json"
    code = main(["preview", str(folder), "--no-policy", "--json", str(out)])
    assert code == 2
    assert "azure-native:authorization:getClientToken" in capsys.readouterr().err
    assert not out.exists()
