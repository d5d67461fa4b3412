"""Public example programs, not written for this project, preview offline as under ``pulumi preview``.

The programs in ``tests/foreign/`` are verbatim copies from pulumi/examples and pulumi/templates (Apache-2.0,
see ``tests/foreign/README.md``). Each ends as `OUTCOMES` says: a complete verdict (every resource registered
and analyzed by the pack, the provider's defaults applied, outputs unknown where azure-native leaves them
unknown; none is hardened, so the pack reports mandatory violations, and that is a verdict too), or exit 2
with a message naming what the offline preview cannot simulate, never a pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from landing_zone.cli import exit_code, main
from landing_zone.preview.engine import PreviewResult, preview
from landing_zone.preview.project import SECRET_PLACEHOLDER
from landing_zone.preview.provider_check import sdk_resource
from landing_zone.preview.recorder import UNKNOWN

FOREIGN = Path(__file__).parent / "foreign"
#: Program folder -> (exit code of `landing-zone preview`, a fragment of its verdict or error message). The verdict
#: text is every mandatory policy and message and every Azure rejection's property, constraint and message.
OUTCOMES: dict[str, tuple[int, str]] = {
    # The auto-name "containerGroup<suffix>" has capitals; container group names are lowercase (CONSTRAINTS).
    "azure-py-aci": (3, "containerGroupName"),
    "azure-py-functions": (1, "app-service-https-only"),
    "azure-py-webserver": (1, "vm-linux-ssh-keys-only"),
    "azure-py-static-website": (1, "storage-public-network-access-disabled"),
    "template-azure-python": (1, "storage-minimum-tls"),
    "template-kubernetes-azure-python": (1, "aks-private-api-server"),
    "template-static-website-azure-python": (
        2,
        "component synced-folder:index:AzureBlobFolder is built by its provider's Construct (a multi-language "
        "component), which the offline preview cannot run",
    ),
}
PROGRAMS = tuple(name for name, (code, _) in OUTCOMES.items() if code != 2)


@pytest.fixture(scope="module")
def previews() -> dict[str, PreviewResult]:
    return {name: preview(FOREIGN / name, "dev", in_process=True) for name in PROGRAMS}


def test_the_licence_and_attribution_travel_with_the_copies() -> None:
    assert "Apache License" in (FOREIGN / "LICENSE").read_text()
    readme = (FOREIGN / "README.md").read_text()
    assert "pulumi/examples" in readme and "pulumi/templates" in readme
    copies = sorted(path.name for path in FOREIGN.iterdir() if path.is_dir() and not path.name.startswith("_"))
    assert copies == sorted(OUTCOMES), "every copy has an expected outcome"
    assert all(f"`{name}`" in readme for name in OUTCOMES), "every copy is attributed in the README"


def verdict_text(result: PreviewResult) -> str:
    parts = [f"{d.policy}: {d.message}" for d in result.mandatory]
    parts += [f"{r.property} {r.constraint}: {r.message}" for r in result.azure_rejections]
    return "\n".join(parts)


@pytest.mark.parametrize("name", PROGRAMS)
def test_each_program_ends_with_its_expected_verdict(previews: dict[str, PreviewResult], name: str) -> None:
    code, fragment = OUTCOMES[name]
    assert exit_code(previews[name]) == code, verdict_text(previews[name])
    assert fragment in verdict_text(previews[name])


@pytest.mark.parametrize("name", [name for name, (code, _) in OUTCOMES.items() if code == 2])
def test_what_cannot_be_simulated_ends_the_cli_with_exit_2_naming_it(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, fragment = OUTCOMES[name]
    written = tmp_path / "result.json"
    assert main(["preview", str(FOREIGN / name), "--json", str(written)]) == code
    error = capsys.readouterr().err
    assert fragment in error and "gives no verdict" in error and "Traceback" not in error
    assert not written.exists()


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
        # azureApiVersion where the SDK type names one (Blob and StorageAccountStaticWebsite are the provider's own).
        described = sdk_resource(registration.type)
        assert described is not None, registration.type
        assert checked.get("azureApiVersion") == (described.api_version or None), registration.urn


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
