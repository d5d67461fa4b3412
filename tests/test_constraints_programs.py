"""Hand-written programs, the way users write them, through the whole offline preview.

``tests/data/constraint-programs/invalid`` holds one resource per mistake Azure or the provider would
refuse (wrong names, out-of-range values, bad enums, region mismatches, SKU features), on azure-native
and, when ``pulumi_azure`` is installed, the classic provider. Each must fail the preview with exit 3,
naming the resource and the catalog entry. ``valid`` is its twin with accepted values (some on the
boundary, some in another accepted spelling): it must pass with no rejection. Two full previews in all.
"""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from pathlib import Path

import pytest

from landing_zone.cli import main
from landing_zone.preview.constraints import CATALOG

PROGRAMS = Path(__file__).parent / "data" / "constraint-programs"
CLASSIC = importlib.util.find_spec("pulumi_azure") is not None

#: Logical name -> the catalog entry that must reject it.
NATIVE = {
    "st-tls": "enum.sdk-values",
    "container-name": "name.storage.container",
    "kv-retention": "range.keyvault.vault.soft-delete-retention",
    "psql-storage": "range.dbforpostgresql.storage-size",
    "cosmos-name": "name.cosmosdb.account",
    "cosmos-backup": "range.cosmosdb.periodic-backup-interval",
    "plan-name": "name.web.server-farm",
    "app-name": "name.web.site",
    "aks-pool": "name.containerservice.agent-pool",
    "acr-name": "name.containerregistry.registry",
    "acr-sku": "containerregistry.premium-features",
    "eh-name": "name.eventhub.namespace",
    "eh-partitions": "eventhub.tier-limits",
    "sb-name": "name.eventhub.namespace",
    "sb-lock": "servicebus.lock-duration",
    "law-retention": "range.operationalinsights.workspace.retention",
    "subnet-size": "network.subnet-size",
    "bastion-size": "network.subnet-size",
    "subnet-nsg": "region.network-security-group",
    "redis-name": "name.redis.cache",
    "redis-family": "redis.sku-family-capacity",
    "adf-name": "name.datafactory.factory",
    "apim-name": "name.apimanagement.service",
    "ca-name": "name.app.container-app",
    "ra-name": "name.authorization.role-assignment",
    "ra-principal": "format.authorization.principal-id",
    "ra-role-id": "format.authorization.role-definition-id",
    "kv-tenant": "format.keyvault.tenant-and-object-ids",
    "psql-ha": "database.burstable-high-availability",
    "app-always-on": "web.always-on-plan",
    "container-public": "storage.container-anonymous-access",
}
CLASSIC_EXPECTED = {
    "c-st-name": "name.storage.account",
    "c-st-redundancy": "enum.classic.storage.replication",
    "c-container-name": "name.storage.container",
    "c-kv-retention": "range.keyvault.vault.soft-delete-retention",
    "c-psql-retention": "range.dbforpostgresql.backup-retention",
    "c-cosmos-name": "name.cosmosdb.account",
    "c-plan-name": "name.web.server-farm",
    "c-app-name": "name.web.site",
    "c-aks-pool": "name.containerservice.agent-pool",
    "c-acr-name": "name.containerregistry.registry",
    "c-eh-name": "name.eventhub.namespace",
    "c-eh-partitions": "eventhub.tier-limits",
    "c-sb-name": "name.eventhub.namespace",
    "c-law-retention": "range.operationalinsights.workspace.retention",
    "c-subnet-size": "network.subnet-size",
    "c-firewall-size": "network.subnet-size",
    "c-nsg-region": "region.network-security-group",
    "c-redis-name": "name.redis.cache",
    "c-adf-name": "name.datafactory.factory",
    "c-apim-name": "name.apimanagement.service",
    "c-ra-name": "name.authorization.role-assignment",
}
EXPECTED = {**NATIVE, **(CLASSIC_EXPECTED if CLASSIC else {})}


def _preview(name: str, tmp_path: Path) -> tuple[int, dict[str, object]]:
    out = tmp_path / f"{name}.json"
    code = main(["preview", str(PROGRAMS / name), "--no-policy", "--json", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_expected_entries_exist() -> None:
    ids = {constraint.id for constraint in CATALOG}
    assert set(NATIVE.values()) | set(CLASSIC_EXPECTED.values()) <= ids


def test_every_mistake_fails_the_preview_naming_its_resource(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document = _preview("invalid", tmp_path)
    console = capsys.readouterr().out
    assert code == 3
    found: dict[str, set[str]] = defaultdict(set)
    for rejection in document["azureRejections"]:  # type: ignore[attr-defined]
        found[rejection["urn"].rsplit("::", 1)[-1]].add(rejection["constraint"])
    assert set(found) == set(EXPECTED), "rejected resources differ from the mistakes written"
    missed = {name: entry for name, entry in EXPECTED.items() if entry not in found[name]}
    assert missed == {}
    assert "Azure would reject this deployment" in console
    assert all(f": {name}: " in console for name in EXPECTED)


def test_the_valid_twin_passes(tmp_path: Path) -> None:
    code, document = _preview("valid", tmp_path)
    assert document["azureRejections"] == []
    assert code == 0
