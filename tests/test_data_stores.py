"""The report's PHI inventory takes its data stores from the policy pack's kinds catalog, the one source of truth.

A kind is a data store when it holds PHI itself (``holdsPhi``) or losing it loses data (``stateful``). The
engine reads the pack's data files; it imports nothing of the pack.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pulumi
import pytest
from phi_guardrails import catalogs

from landing_zone.preview import compliance, data_stores
from landing_zone.preview.data_stores import DataStoreCatalogError, data_store_types
from landing_zone.preview.engine import PreviewResult
from landing_zone.preview.runner import record

ROOT = Path(__file__).resolve().parents[1]


def test_data_stores_are_exactly_the_catalog_kinds_that_hold_phi_or_state() -> None:
    expected = {token for kind in catalogs.kinds() if kind.holds_phi or kind.stateful for token in kind.tokens}
    assert data_store_types() == expected


@pytest.mark.parametrize(
    "token",
    [
        "azure-native:storage:StorageAccount",
        "azure:storage/account:Account",
        "azure-native:sql:Server",
        "azure-native:sql:Database",
        "azure-native:keyvault:Vault",
        "azure-native:keyvault:ManagedHsm",
        "azure-native:redis:Redis",  # the SDK's module is redis (not cache)
        "azure-native:healthcareapis:FhirService",
        "azure-native:healthcareapis:DicomService",
        "azure:healthcare/fhirService:FhirService",
        "azure-native:dbforpostgresql:Database",
        "azure-native:dataprotection:BackupVault",
        "azure-native:operationalinsights:Workspace",
    ],
)
def test_data_stores_include(token: str) -> None:
    assert token in data_store_types()


@pytest.mark.parametrize(
    "token",
    [
        "azure-native:cache:Redis",  # no such SDK module: the old duplicate list spelled it so and matched nothing
        "azure-native:documentdb:DatabaseAccount",
        "azure-native:privatedns:PrivateZone",
        "azure-native:network:VirtualNetwork",
        "azure-native:authorization:RoleAssignment",
        "azure-native:resources:ResourceGroup",
    ],
)
def test_data_stores_exclude(token: str) -> None:
    assert token not in data_store_types()


def test_phi_inventory_lists_phi_tagged_data_stores_on_both_providers_only() -> None:
    phi = {"dataClassification": "PHI"}

    def program() -> None:
        pulumi.CustomResource("azure-native:redis:Redis", "cache", {"tags": phi})
        pulumi.CustomResource("azure-native:healthcareapis/v20240331:FhirService", "fhir", {"tags": phi})
        pulumi.CustomResource("azure:storage/account:Account", "classic", {"tags": phi})
        pulumi.CustomResource("azure-native:storage:StorageAccount", "untagged", {"tags": {}})
        pulumi.CustomResource("azure-native:privatedns:PrivateZone", "zone", {"tags": phi})
        pulumi.CustomResource("azure-native:network:VirtualNetwork", "vnet", {"tags": phi})

    report = compliance.build(PreviewResult(record(program)))
    assert sorted(resource.name for resource in report.phi_inventory) == ["cache", "classic", "fhir"]


def test_a_missing_or_malformed_catalog_fails_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataStoreCatalogError, match="kinds catalog is missing"):
        data_store_types(tmp_path)
    kinds = tmp_path / data_stores.KINDS_FOLDER
    kinds.mkdir(parents=True)
    (kinds / "broken.json").write_text("[{")
    with pytest.raises(DataStoreCatalogError, match=r"broken\.json: not readable JSON"):
        data_store_types(tmp_path)
    (kinds / "broken.json").write_text(json.dumps([{"kind": "x", "native": "azure-native:a:B"}]))
    data_store_types.cache_clear()
    with pytest.raises(DataStoreCatalogError, match=r"broken\.json: each kind record needs"):
        data_store_types(tmp_path)
    data_store_types.cache_clear()


def test_the_engine_keeps_no_copy_of_the_list_and_imports_nothing_of_the_pack() -> None:
    assert not (ROOT / "landing_zone" / "preview" / "data_stores.json").exists()
    tree = ast.parse((ROOT / "landing_zone" / "preview" / "data_stores.py").read_text())
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not any(name.startswith(("phi_guardrails", "policy_pack")) for name in imported)
