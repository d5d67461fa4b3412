"""no-literal-secrets and secrets in tags: mandatory, on both providers, never echoing the value.

A literal (known at preview) Key Vault secret value or administrator password is a violation; the
property missing, empty, or unknown until apply (generated at apply) is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pulumi
import pytest

from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult, PolicyDiagnostic
from landing_zone.preview.runner import record

Analyze = Callable[..., PackResult]
SECRET = "Sup3r-Secret-Value-42!"
RULE = "no-literal-secrets"
#: Rule-focused tests run with the cross-cutting rules off (conftest); this one is switched back on.
ON = {RULE: PolicyConfig("mandatory")}

#: (type token, the other inputs, the dotted path of the secret input) on both providers.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("azure-native:keyvault:Secret", {"vaultName": "kv1", "resourceGroupName": "rg"}, "properties.value"),
    ("azure-native:keyvault/v20230701:Secret", {"vaultName": "kv1", "resourceGroupName": "rg"}, "properties.value"),
    ("azure:keyvault/secret:Secret", {"name": "db", "keyVaultId": "/subscriptions/x"}, "value"),
    ("azure-native:sql:Server", {"administratorLogin": "sqladmin"}, "administratorLoginPassword"),
    ("azure:mssql/server:Server", {"administratorLogin": "sqladmin"}, "administratorLoginPassword"),
    ("azure-native:sql:ManagedInstance", {"administratorLogin": "sqladmin"}, "administratorLoginPassword"),
    ("azure:mssql/managedInstance:ManagedInstance", {"administratorLogin": "a"}, "administratorLoginPassword"),
    ("azure-native:dbforpostgresql:Server", {"administratorLogin": "pgadmin"}, "administratorLoginPassword"),
    ("azure:postgresql/flexibleServer:FlexibleServer", {"administratorLogin": "pg"}, "administratorPassword"),
    ("azure-native:dbformysql:Server", {"administratorLogin": "myadmin"}, "administratorLoginPassword"),
    ("azure:mysql/flexibleServer:FlexibleServer", {"administratorLogin": "my"}, "administratorPassword"),
    ("azure-native:compute:VirtualMachine", {"osProfile": {"adminUsername": "azureuser"}}, "osProfile.adminPassword"),
    ("azure:compute/windowsVirtualMachine:WindowsVirtualMachine", {"adminUsername": "u"}, "adminPassword"),
    ("azure:compute/linuxVirtualMachine:LinuxVirtualMachine", {"adminUsername": "u"}, "adminPassword"),
    (
        "azure-native:compute:VirtualMachineScaleSet",
        {"virtualMachineProfile": {"osProfile": {"adminUsername": "u"}}},
        "virtualMachineProfile.osProfile.adminPassword",
    ),
    ("azure-native:synapse:Workspace", {"sqlAdministratorLogin": "s"}, "sqlAdministratorLoginPassword"),
    (
        "azure-native:containerservice:ManagedCluster",
        {"windowsProfile": {"adminUsername": "u"}},
        "windowsProfile.adminPassword",
    ),
]
IDS = [f"{token}:{path}" for token, _, path in CASES]


def with_value(inputs: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``inputs`` with ``value`` set at the dotted ``path`` (nested objects merged, not replaced)."""
    result = {key: (dict(item) if isinstance(item, dict) else item) for key, item in inputs.items()}
    target = result
    *parents, leaf = path.split(".")
    for key in parents:
        target[key] = dict(target.get(key) or {})
        target = target[key]
    target[leaf] = value
    return result


def register(token: str, inputs: dict[str, Any] | Callable[[pulumi.Resource], dict[str, Any]]) -> list[Any]:
    def program() -> None:
        other = pulumi.CustomResource("azure-native:resources:ResourceGroup", "other", {"location": "eastus2"})
        props = inputs(other) if callable(inputs) else inputs
        pulumi.CustomResource(token, "subject", props)

    return record(program).registrations


def findings(result: PackResult, rule: str = RULE) -> list[PolicyDiagnostic]:
    """The rule's diagnostics (after checking the pack has the rule: silence from a missing rule proves nothing)."""
    assert rule in {policy.name for policy in result.policies}
    return [d for d in result.diagnostics if d.policy == rule]


@pytest.mark.parametrize(("token", "inputs", "path"), CASES, ids=IDS)
def test_a_literal_secret_is_a_mandatory_violation_naming_the_path_not_the_value(
    analyze: Analyze, token: str, inputs: dict[str, Any], path: str
) -> None:
    result = analyze(register(token, with_value(inputs, path, SECRET)), ON)
    (violation,) = findings(result)
    assert violation.enforcement_level == "mandatory"
    assert violation.severity == "critical"
    assert f"({path}) is a literal known at preview" in violation.message
    assert all(SECRET not in d.message for d in result.diagnostics)


@pytest.mark.parametrize(("token", "inputs", "path"), CASES, ids=IDS)
def test_missing_or_empty_secret_passes(analyze: Analyze, token: str, inputs: dict[str, Any], path: str) -> None:
    assert findings(analyze(register(token, inputs), ON)) == []
    assert findings(analyze(register(token, with_value(inputs, path, "")), ON)) == []


@pytest.mark.parametrize(("token", "inputs", "path"), CASES, ids=IDS)
def test_a_secret_generated_at_apply_passes_and_is_not_unverifiable(
    analyze: Analyze, token: str, inputs: dict[str, Any], path: str
) -> None:
    result = analyze(register(token, lambda other: with_value(inputs, path, other.id)), ON)
    assert findings(result) == []


def test_a_pulumi_secret_literal_is_still_a_literal(analyze: Analyze) -> None:
    registrations = register(
        "azure-native:sql:Server",
        {"administratorLogin": "sqladmin", "administratorLoginPassword": pulumi.Output.secret(SECRET)},
    )
    (violation,) = findings(analyze(registrations, ON))
    assert SECRET not in violation.message


def test_other_casings_are_read(analyze: Analyze) -> None:
    registrations = register("azure-native:keyvault:Secret", {"Properties": {"Value": SECRET}})
    assert [d.enforcement_level for d in findings(analyze(registrations, ON))] == ["mandatory"]


def test_the_sdk_class_sends_what_the_rule_reads(analyze: Analyze) -> None:
    from pulumi_azure_native import keyvault

    def program() -> None:
        keyvault.Secret(
            "db-password",
            resource_group_name="rg",
            vault_name="kv1",
            secret_name="db-password",
            properties=keyvault.SecretPropertiesArgs(value=SECRET),
        )

    (violation,) = findings(analyze(record(program).registrations, ON))
    assert violation.message.startswith(violation.description)


class TestSecretsInTags:
    ON: ClassVar[dict[str, PolicyConfig]] = {"no-secrets-in-tags": PolicyConfig("mandatory")}

    @pytest.mark.parametrize(
        "value",
        [
            "DefaultEndpointsProtocol=https;AccountName=st;AccountKey=abc",  # short keys count in a tag
            "Server=db;User Id=app;Pwd=x1",
            "https://st.blob.core.windows.net/c?sv=2024&sig=abc",
        ],
    )
    def test_credential_assignments_in_a_tag_are_mandatory(self, analyze: Analyze, value: str) -> None:
        registrations = register(
            "azure-native:resources:ResourceGroup", {"location": "eastus2", "tags": {"note": value}}
        )
        (violation,) = findings(analyze(registrations, self.ON), "no-secrets-in-tags")
        assert violation.enforcement_level == "mandatory"
        assert value.rsplit("=", 1)[1] not in violation.message

    def test_a_secret_in_a_tag_name_is_reported_without_echoing_it(self, analyze: Analyze) -> None:
        tags = {"AccountKey=c2VjcmV0LWtleS1tYXRlcmlhbC0xMjM0NTY3OA==": "x"}
        registrations = register("azure-native:resources:ResourceGroup", {"location": "eastus2", "tags": tags})
        (violation,) = findings(analyze(registrations, self.ON), "no-secrets-in-tags")
        assert "a tag name holds" in violation.message and "c2VjcmV0" not in violation.message

    def test_ordinary_tags_pass(self, analyze: Analyze) -> None:
        tags = {"note": "rotated by the platform team", "costCenter": "cc=42"}
        assert (
            findings(
                analyze(
                    register("azure-native:resources:ResourceGroup", {"location": "eastus2", "tags": tags}), self.ON
                )
            )
            == []
        )
