"""Names are deterministic, fit each Azure type's rules, and only globally unique types get a hash suffix."""

from __future__ import annotations

import re
from typing import Any

import pytest

from landing_zone.config import parse_config
from landing_zone.naming import RULES, Namer, Style, standard_tags

SUBSCRIPTION = "3f2c9a51-0000-4000-8000-000000000002"


def namer(prefix: str = "contoso", environment: str = "dev", region: str = "eastus2") -> Namer:
    return Namer(prefix, environment, region, SUBSCRIPTION)


def test_caf_shape_for_ordinary_resources() -> None:
    assert namer().name("resource_group", "security") == "rg-contoso-dev-eus2-security"
    assert namer().name("virtual_network", "hub") == "vnet-contoso-dev-eus2-hub"


def test_same_inputs_give_the_same_name_every_time() -> None:
    assert namer().name("key_vault", "phi") == namer().name("key_vault", "phi")
    assert namer().name("storage_account", "logs") == namer().name("storage_account", "logs")


def test_global_names_get_a_suffix_derived_from_the_subscription() -> None:
    here = namer().name("key_vault", "phi")
    elsewhere = Namer("contoso", "dev", "eastus2", "99999999-0000-4000-8000-000000000000").name("key_vault", "phi")
    assert here != elsewhere
    assert here[:-4] == elsewhere[:-4] == "kvcontosodeveus2phi"


def test_storage_account_names_are_compact_lowercase_and_at_most_24() -> None:
    name = namer("contosoh", "prod", "southeastasia").name("storage_account", "auditarchive")
    assert re.fullmatch(r"[a-z0-9]{3,24}", name), name
    assert name.startswith("stcontoprodsea")


def test_key_vault_names_fit_24_characters_without_double_hyphens() -> None:
    name = namer("contosoh", "stage", "germanywestcentral").name("key_vault", "phi-keys")
    assert len(name) <= 24 and "--" not in name and re.fullmatch(r"[a-z][a-z0-9-]+[a-z0-9]", name), name


@pytest.mark.parametrize("kind", sorted(RULES))
def test_every_kind_respects_its_length_and_characters(kind: str) -> None:
    rule = RULES[kind]
    name = namer("contosoh", "prod", "australiasoutheast").name(kind, "workload-with-a-long-name")
    assert rule.min_length <= len(name) <= rule.max_length, name
    pattern = r"[a-z0-9]+" if rule.style is Style.COMPACT else r"[a-z0-9]+(-[a-z0-9]+)*"
    assert re.fullmatch(pattern, name), name


def test_unknown_kind_and_bad_workload_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown resource kind 'vm'"):
        namer().name("vm", "x")
    with pytest.raises(ValueError, match="single hyphens"):
        namer().name("key_vault", "bad--name")


def test_namer_for_config_uses_the_primary_region(config_data: dict[str, Any]) -> None:
    config = parse_config(config_data)
    assert Namer.for_config(config).name("resource_group", "security") == "rg-contoso-dev-eus2-security"
    assert Namer.for_config(config, "centralus").name("resource_group", "dr") == "rg-contoso-dev-cus-dr"


def test_standard_tags_win_over_configured_extras(config_data: dict[str, Any]) -> None:
    config_data["tags"]["additional"] = {"dataClassification": "public", "project": "atlas"}
    tags = standard_tags(parse_config(config_data), workload="keys")
    assert tags == {
        "project": "atlas",
        "dataClassification": "phi",
        "owner": "platform-team@contoso.example",
        "environment": "dev",
        "costCenter": "CC-1234",
        "landingZone": "contoso",
        "managedBy": "pulumi",
        "workload": "keys",
    }
