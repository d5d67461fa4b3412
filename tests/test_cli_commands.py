"""`validate-config` on stack files and --stack, `policy-pack path`, `--version`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from landing_zone.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_validate_config_reads_the_landing_zone_key_of_a_stack_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config", str(ROOT / "Pulumi.dev.yaml")]) == 0
    out = capsys.readouterr().out
    assert "read config key 'phi-landing-zone:landingZone': valid landing-zone configuration for contoso-dev" in out


def test_validate_config_with_stack_finds_the_stack_file_of_the_project(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config", "--stack", "prod", str(ROOT / "examples" / "full-phi-environment")]) == 0
    out = capsys.readouterr().out
    assert "Pulumi.prod.yaml: read config key 'full-phi-environment:landingZone'" in out


def test_validate_config_with_an_unknown_stack_names_the_stacks_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(ROOT / "Pulumi.dev.yaml", tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: phi-landing-zone\nruntime: python\n")
    assert main(["validate-config", "--stack", "prod", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no stack file" in err
    assert "Pulumi.prod.yaml" in err
    assert "stacks with files: dev" in err


def test_stack_file_errors_carry_the_key_path(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: billing\nruntime: python\n")
    stack = tmp_path / "Pulumi.test.yaml"
    stack.write_text(yaml.safe_dump({"config": {"billing:landingZone": {**dev_config, "prefx": "x"}}}))
    assert main(["validate-config", str(stack)]) == 2
    err = capsys.readouterr().err
    assert f"{stack}: billing:landingZone" in err
    assert "prefx: unknown key 'prefx'; did you mean 'prefix'?" in err
    assert err.count("  - ") == 1  # one real problem, not one per stack-file key


def test_stack_file_of_another_project_or_without_the_key_is_refused(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: billing\nruntime: python\n")
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(yaml.safe_dump({"config": {"other:landingZone": dev_config, "azure-native:location": "eastus2"}}))
    assert main(["validate-config", str(stack)]) == 2
    err = capsys.readouterr().err
    assert "looked for 'billing:landingZone' or 'landingZone'; it has 'other:landingZone'" in err


def test_a_bare_stack_key_and_a_stack_file_outside_a_project_work(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "Pulumi.dev.yaml"
    bare.write_text(yaml.safe_dump({"config": {"landingZone": dev_config}}))
    assert main(["validate-config", str(bare)]) == 0
    assert "read config key 'landingZone'" in capsys.readouterr().out
    namespaced = tmp_path / "stack.yaml"
    namespaced.write_text(yaml.safe_dump({"config": {"x:landingZone": dev_config}}))
    assert main(["validate-config", str(namespaced)]) == 0
    assert "read config key 'x:landingZone'" in capsys.readouterr().out


def test_a_bare_object_still_validates_and_says_so(
    tmp_path: Path, dev_config: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "zone.yaml"
    plain.write_text(yaml.safe_dump(dev_config))
    assert main(["validate-config", str(plain)]) == 0
    assert "read the whole file as the landingZone object" in capsys.readouterr().out
    wrapped = tmp_path / "zone.yml"
    wrapped.write_text(yaml.safe_dump({"landingZone": dev_config}))
    assert main(["validate-config", str(wrapped)]) == 0
    assert "read the top-level landingZone key" in capsys.readouterr().out


def test_validate_config_needs_a_file_or_a_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate-config"]) == 2
    assert "--stack" in capsys.readouterr().err


def test_policy_pack_path_is_the_pack_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy-pack", "path"]) == 0
    folder = Path(capsys.readouterr().out.strip())
    assert (folder / "PulumiPolicy.yaml").is_file()
    assert folder == (ROOT / "policy_pack").resolve()  # a checkout's pack wins, so edits there count


def test_version_comes_from_the_installed_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"landing-zone {version('pulumi-azure-phi-landing-zone')}"


def test_public_import_path_is_the_same_module() -> None:
    import phi_landing_zone.components.key_vault as public
    from phi_landing_zone.components.interfaces import Waiver

    import components.interfaces
    import components.key_vault

    assert public is components.key_vault
    assert Waiver is components.interfaces.Waiver
    assert not hasattr(public, "__path__")  # a module stays a module
