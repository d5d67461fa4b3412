"""Deploy to a sandbox subscription, read the hardening back from Azure, destroy: the path to real verification.

Through the Pulumi Automation API, each test copies an example into a temporary folder (with a local
file backend and a throwaway passphrase, so nothing is written to the repository or a shared backend),
runs ``pulumi up``, then ``pulumi refresh`` so the state holds what Azure returns, asserts the hardening
properties on that state, and always runs ``pulumi destroy``. Stacks are ``environmentClass: nonprod``:
no ``protect`` and no delete locks, so the destroy completes; vault names are unique per run because
purge protection keeps a deleted vault's name reserved for its soft-delete days (7 for nonprod).

Sandbox inputs (environment variables): ``E2E_LOCATION`` (default ``eastus2``), ``E2E_PAIRED_LOCATION``
(default ``centralus``), and for the minimal example an existing private-endpoint subnet and
``privatelink.vaultcore.azure.net`` zone: ``E2E_ENDPOINT_SUBNET_ID``, ``E2E_VAULT_DNS_ZONE_ID``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import string
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LOCATION = os.environ.get("E2E_LOCATION", "eastus2")
PAIRED = os.environ.get("E2E_PAIRED_LOCATION", "centralus")


def unique_suffix(length: int = 5) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


def prepared_project(example: str, tmp_path: Path) -> Path:
    """A copy of the example that runs on this interpreter (no per-example virtualenv)."""
    folder = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, folder, ignore=shutil.ignore_patterns("Pulumi.*.yaml", "venv"))
    project = yaml.safe_load((folder / "Pulumi.yaml").read_text())
    project["runtime"] = {"name": "python", "options": {"toolchain": "pip", "virtualenv": sys.prefix}}
    (folder / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    return folder


@pytest.fixture
def workspace_env(tmp_path: Path) -> dict[str, str]:
    backend = tmp_path / "state"
    backend.mkdir()
    return {
        "PULUMI_BACKEND_URL": f"file://{backend}",
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def deployed(folder: Path, stack_name: str, config: dict[str, Any], env: dict[str, str]) -> Iterator[list[dict]]:
    """Up, refresh, yield the refreshed resources, then destroy and remove the stack whatever happened."""
    from pulumi import automation as auto

    stack = auto.create_or_select_stack(
        stack_name=stack_name,
        work_dir=str(folder),
        opts=auto.LocalWorkspaceOptions(env_vars=env, secrets_provider="passphrase"),
    )
    try:
        for key, value in config.items():
            # Object settings travel as JSON text: Config.get_object/require_object parses them, as from YAML.
            text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            stack.set_config(key, auto.ConfigValue(text))
        stack.up(on_output=print, color="never")
        stack.refresh(on_output=print, color="never")  # the state now holds what Azure returns
        yield stack.export_stack().deployment.get("resources", [])
    finally:
        stack.destroy(on_output=print, color="never")
        stack.workspace.remove_stack(stack_name)


def outputs_of(resources: list[dict], type_token: str) -> list[dict]:
    return [r.get("outputs", {}) for r in resources if r.get("type") == type_token]


def test_minimal_key_vault(tmp_path: Path, workspace_env: dict[str, str]) -> None:
    subnet, zone = os.environ.get("E2E_ENDPOINT_SUBNET_ID"), os.environ.get("E2E_VAULT_DNS_ZONE_ID")
    if not (subnet and zone):
        pytest.skip("needs E2E_ENDPOINT_SUBNET_ID and E2E_VAULT_DNS_ZONE_ID (an existing endpoint subnet and zone)")
    folder = prepared_project("minimal-key-vault", tmp_path)
    config = {
        "azure-native:location": LOCATION,
        "minimal-key-vault:vaultName": f"kv-e2e-{unique_suffix(8)}",
        "minimal-key-vault:owner": "e2e@landing-zone.invalid",
        "minimal-key-vault:endpointSubnetId": subnet,
        "minimal-key-vault:vaultDnsZoneId": zone,
        "minimal-key-vault:environmentClass": "nonprod",
    }
    with deployed(folder, "e2e", config, workspace_env) as resources:
        (vault,) = outputs_of(resources, "azure-native:keyvault:Vault")
        properties = vault["properties"]
        assert properties["publicNetworkAccess"] == "Disabled"
        assert properties["enablePurgeProtection"] is True and properties["enableRbacAuthorization"] is True
        assert properties["networkAcls"]["defaultAction"] == "Deny"
        (endpoint,) = outputs_of(resources, "azure-native:network:PrivateEndpoint")
        connection = endpoint["privateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
        assert connection["status"] == "Approved"
        settings = outputs_of(resources, "azure-native:monitor:DiagnosticSetting")
        assert settings and all(setting.get("workspaceId") for setting in settings)
        assert outputs_of(resources, "azure-native:authorization:ManagementLockByScope") == []  # nonprod


def test_full_environment(tmp_path: Path, workspace_env: dict[str, str]) -> None:
    folder = prepared_project("full-phi-environment", tmp_path)
    landing_zone = yaml.safe_load((ROOT / "examples" / "full-phi-environment" / "Pulumi.prod.yaml").read_text())[
        "config"
    ]["full-phi-environment:landingZone"]
    landing_zone.update(
        prefix=f"e2e{unique_suffix(4)}",
        environment="e2e",
        environmentClass="nonprod",
        tenantId=os.environ["ARM_TENANT_ID"],
        subscriptionId=os.environ["ARM_SUBSCRIPTION_ID"],
        regions={"primary": LOCATION, "paired": PAIRED, "allowed": [LOCATION, PAIRED]},
    )
    landing_zone["subscription"].pop("managementGroupId", None)
    landing_zone["subscription"]["access"] = []
    # What no tool can undo (README): unexpired immutable blobs and soft-deleted backups block a destroy.
    landing_zone["logging"]["immutability"] = {
        "enabled": False,
        "waiver": {"reason": "end-to-end sandbox stack, destroyed after the run", "approvedBy": "e2e suite"},
    }
    landing_zone["dataServices"]["backup"] = {"enabled": False}
    config = {"azure-native:location": LOCATION, "landingZone": landing_zone}
    with deployed(folder, "e2e", config, workspace_env) as resources:
        accounts = outputs_of(resources, "azure-native:storage:StorageAccount")
        assert accounts and all(a["allowSharedKeyAccess"] is False for a in accounts)
        assert all(a["encryption"]["keySource"] == "Microsoft.Keyvault" for a in accounts)
        assert all(a["networkRuleSet"]["defaultAction"] == "Deny" for a in accounts)
        (server,) = outputs_of(resources, "azure-native:sql:Server")
        assert server["publicNetworkAccess"] == "Disabled"
        assert server["administrators"]["azureADOnlyAuthentication"] is True
        (postgres,) = outputs_of(resources, "azure-native:dbforpostgresql:Server")
        assert postgres["authConfig"]["passwordAuth"] == "Disabled"
        assert postgres["dataEncryption"]["type"] == "AzureKeyVault"
        tables = outputs_of(resources, "azure-native:operationalinsights:Table")
        assert {t["totalRetentionInDays"] for t in tables} == {landing_zone["logging"]["totalRetentionDays"]}
        flow_logs = outputs_of(resources, "azure-native:network:FlowLog")
        assert flow_logs and all(f["enabled"] is True for f in flow_logs)
        assert all(f["identity"]["type"] == "UserAssigned" for f in flow_logs)
