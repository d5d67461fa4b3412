"""Pulumi.yaml and Pulumi.<stack>.yaml are read the way the Pulumi CLI hands config to a Python program."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from landing_zone.preview.project import SECRET_PLACEHOLDER, ProjectError, load_project, load_stack_config
from landing_zone.preview.runner import select_stack


def write_project(folder: Path, project_yaml: str, stacks: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(project_yaml)
    (folder / "__main__.py").write_text("")
    for stack, text in (stacks or {}).items():
        (folder / f"Pulumi.{stack}.yaml").write_text(text)
    return folder


def test_stack_values_are_namespaced_and_stringified(tmp_path: Path) -> None:
    folder = write_project(
        tmp_path,
        "name: demo\nruntime: python\n",
        {
            "dev": (
                "config:\n"
                "  demo:count: 3\n"
                "  enabled: true\n"
                "  azure-native:location: eastus2\n"
                "  demo:settings:\n    nested: {a: 1}\n    list: [x, y]\n"
            )
        },
    )
    config = load_stack_config(load_project(folder), "dev")
    assert config.values["demo:count"] == "3"
    assert config.values["demo:enabled"] == "true"
    assert config.values["azure-native:location"] == "eastus2"
    assert json.loads(config.values["demo:settings"]) == {"nested": {"a": 1}, "list": ["x", "y"]}
    assert config.secret_keys == frozenset()


def test_secure_values_are_secrets_with_a_placeholder(tmp_path: Path) -> None:
    folder = write_project(
        tmp_path,
        "name: demo\nruntime: {name: python, options: {toolchain: pip}}\n",
        {"dev": "config:\n  demo:password:\n    secure: AAABAcipher\n  demo:obj:\n    inner:\n      secure: AAAB\n"},
    )
    config = load_stack_config(load_project(folder), "dev")
    assert config.values["demo:password"] == SECRET_PLACEHOLDER
    assert json.loads(config.values["demo:obj"]) == {"inner": SECRET_PLACEHOLDER}
    assert config.secret_keys == {"demo:password", "demo:obj"}


def test_project_defaults_apply_under_stack_values(tmp_path: Path) -> None:
    folder = write_project(
        tmp_path,
        "name: demo\nruntime: python\nconfig:\n  region:\n    type: string\n    default: eastus\n"
        "  size:\n    default: 2\n  plain: value\n  token:\n    type: string\n    secret: true\n",
        {"dev": "config:\n  demo:size: 5\n  demo:token:\n    secure: AAAB\n"},
    )
    config = load_stack_config(load_project(folder), "dev")
    assert config.values == {
        "demo:region": "eastus",
        "demo:size": "5",
        "demo:plain": "value",
        "demo:token": SECRET_PLACEHOLDER,
    }
    assert config.secret_keys == {"demo:token"}


def test_main_and_stack_config_dir_are_honoured(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "__main__.py").write_text("")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod.yaml").write_text("config: {demo:x: 1}\n")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\nmain: src\nstackConfigDir: stacks\n")
    project = load_project(tmp_path)
    assert project.main == tmp_path / "src"
    assert project.stacks() == ["prod"]
    assert select_stack(project, None) == "prod"
    assert load_stack_config(project, "prod").values == {"demo:x": "1"}


@pytest.mark.parametrize(
    ("project_yaml", "message"),
    [
        ("name: demo\nruntime: nodejs\n", "Python programs only"),
        ("runtime: python\n", "needs a 'name'"),
        ("name: demo\nruntime: python\nmain: missing.py\n", "does not exist"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_projects_are_rejected_with_the_reason(tmp_path: Path, project_yaml: str, message: str) -> None:
    write_project(tmp_path, project_yaml)
    with pytest.raises(ProjectError, match=message):
        load_project(tmp_path)


def test_missing_project_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"no Pulumi\.yaml"):
        load_project(tmp_path)


def test_unknown_stack_lists_the_known_ones(tmp_path: Path) -> None:
    folder = write_project(tmp_path, "name: demo\nruntime: python\n", {"dev": "config: {}\n", "prod": "config: {}\n"})
    with pytest.raises(ProjectError, match="stacks here: dev, prod"):
        load_stack_config(load_project(folder), "qa")
    assert select_stack(load_project(folder), None) == "dev"
