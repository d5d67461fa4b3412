"""Public example programs, not written for this project, preview offline as under ``pulumi preview``.

The programs in ``tests/foreign/`` are verbatim copies from pulumi/examples (Apache-2.0, see
``tests/foreign/README.md``). Each must reach a complete verdict: every resource registered and
analyzed by the pack, the provider's defaults applied, outputs unknown where azure-native leaves them
unknown. None of them is hardened, so the pack reports mandatory violations: that is a verdict too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from landing_zone.preview.engine import PreviewResult, preview
from landing_zone.preview.project import SECRET_PLACEHOLDER
from landing_zone.preview.recorder import UNKNOWN

FOREIGN = Path(__file__).parent / "foreign"
PROGRAMS = ("azure-py-aci", "azure-py-functions", "azure-py-webserver")


@pytest.fixture(scope="module")
def previews() -> dict[str, PreviewResult]:
    return {name: preview(FOREIGN / name, "dev", in_process=True) for name in PROGRAMS}


def test_the_licence_and_attribution_travel_with_the_copies() -> None:
    assert "Apache License" in (FOREIGN / "LICENSE").read_text()
    assert "pulumi/examples" in (FOREIGN / "README.md").read_text()


@pytest.mark.parametrize("name", PROGRAMS)
def test_each_program_reaches_a_complete_verdict(previews: dict[str, PreviewResult], name: str) -> None:
    result = previews[name]
    custom = [
        r for r in result.resources if r.custom and r.type.startswith("azure-native:") and ":providers:" not in r.type
    ]
    assert len(custom) >= 2
    assert result.packs and result.packs[0].name
    assert result.mandatory, "not hardened: the pack must say so"
    for registration in custom:
        # The provider's Check: a region for every resource that takes one, from azure-native:location or echoed.
        checked = registration.checked_inputs
        if "location" in checked:
            assert checked["location"] in ("westus2", UNKNOWN), registration.urn
        assert checked["azureApiVersion"], registration.urn


def test_resource_group_location_comes_from_provider_config(previews: dict[str, PreviewResult]) -> None:
    for name in PROGRAMS:
        groups = [r for r in previews[name].resources if r.type == "azure-native:resources:ResourceGroup"]
        assert groups and all(g.checked_inputs["location"] == "westus2" for g in groups), name
        assert all("location" not in g.inputs for g in groups), f"{name} gives no location itself"


def test_functions_connection_string_stays_unknown_at_preview(previews: dict[str, PreviewResult]) -> None:
    """Names are unknown at preview, so the list-keys apply never runs and the setting is never "known"."""
    (app,) = [r for r in previews["azure-py-functions"].resources if r.type == "azure-native:web:WebApp"]
    settings = {item["name"]: item["value"] for item in app.inputs["siteConfig"]["appSettings"]}
    assert settings["AzureWebJobsStorage"] == UNKNOWN
    assert settings["FUNCTIONS_WORKER_RUNTIME"] == "python"


def test_webserver_secure_config_is_a_placeholder_never_the_ciphertext(previews: dict[str, PreviewResult]) -> None:
    """The program reads its ``secure:`` password with ``config.require`` (not ``require_secret``): under the
    CLI the plaintext reaches the input unmarked, offline the placeholder does."""
    (vm,) = [r for r in previews["azure-py-webserver"].resources if r.type == "azure-native:compute:VirtualMachine"]
    assert vm.inputs["osProfile"]["adminPassword"] == SECRET_PLACEHOLDER
    assert "AAABAKkqE4dMQ" not in str(vm.inputs)
