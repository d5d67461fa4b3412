"""Read a Pulumi project (``Pulumi.yaml``) and its stack config (``Pulumi.<stack>.yaml``) as the CLI does.

The CLI hands a Python program its config as a flat map of namespaced keys (``project:key``) to
strings: plain values are stringified, objects and lists are JSON, ``secure:`` values are secrets.
Project-level ``config:`` defaults in ``Pulumi.yaml`` apply under stack values. Without the CLI
there is no way to decrypt ``secure:`` values, so a secret arrives as a placeholder, still marked
secret so the program and the recorder treat it as one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: What a ``secure:`` value reads as offline: it cannot be decrypted without the CLI and its secrets provider.
SECRET_PLACEHOLDER = "offline-preview-secret-placeholder"


class ProjectError(Exception):
    """A Pulumi project or stack config could not be read. The message says which file and why."""


@dataclass(frozen=True)
class PulumiProject:
    """The parts of ``Pulumi.yaml`` an offline preview needs."""

    name: str
    directory: Path
    main: Path
    runtime: str
    stack_config_dir: Path
    config_defaults: Mapping[str, Any] = field(default_factory=dict)

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Stack names that have a config file, in sorted order."""
        return sorted(
            path.name[len("Pulumi.") : -len(".yaml")]
            for path in self.stack_config_dir.glob("Pulumi.*.yaml")
            if path.name.count(".") == 2
        )


@dataclass(frozen=True)
class StackConfig:
    """A stack's config as the language host receives it: namespaced keys to strings, and which are secret."""

    values: Mapping[str, str]
    secret_keys: frozenset[str]


def load_project(directory: str | Path) -> PulumiProject:
    """Read ``Pulumi.yaml`` (or ``Pulumi.yml``) from a program folder."""
    folder = Path(directory).resolve()
    candidates = [folder / "Pulumi.yaml", folder / "Pulumi.yml"]
    path = next((candidate for candidate in candidates if candidate.is_file()), None)
    if path is None:
        raise ProjectError(f"no Pulumi.yaml in {folder}: not a Pulumi project folder")
    document = _read_yaml(path)
    if not isinstance(document, Mapping) or not isinstance(document.get("name"), str):
        raise ProjectError(f"{path}: a project needs a 'name'")
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise ProjectError(f"{path}: runtime is {runtime_name!r}; the offline preview runs Python programs only")
    main = folder / str(document.get("main") or ".")
    if main.is_dir() and not (main / "__main__.py").is_file():
        raise ProjectError(f"{path}: program folder {main} has no __main__.py")
    if not main.exists():
        raise ProjectError(f"{path}: main program {main} does not exist")
    config_dir = folder / str(document.get("stackConfigDir") or ".")
    defaults = document.get("config") or {}
    if not isinstance(defaults, Mapping):
        raise ProjectError(f"{path}: 'config' must be a mapping")
    return PulumiProject(document["name"], folder, main, runtime_name, config_dir, dict(defaults))


def load_stack_config(project: PulumiProject, stack: str) -> StackConfig:
    """The config a program of ``project`` sees when run as ``stack``."""
    values: dict[str, str] = {}
    secrets: set[str] = set()
    for key, declaration in project.config_defaults.items():
        full_key = _namespaced(project.name, str(key))
        if isinstance(declaration, Mapping) and ("default" in declaration or "value" in declaration):
            value = declaration.get("value", declaration.get("default"))
            if declaration.get("secret"):
                secrets.add(full_key)
        elif isinstance(declaration, Mapping):
            continue  # a type declaration without a default: the stack must set it
        else:
            value = declaration
        values[full_key] = _stringify(value)
    path = project.stack_file(stack)
    if path.is_file():
        document = _read_yaml(path) or {}
        if not isinstance(document, Mapping):
            raise ProjectError(f"{path}: expected a mapping with a 'config' key")
        config = document.get("config") or {}
        if not isinstance(config, Mapping):
            raise ProjectError(f"{path}: 'config' must be a mapping")
        for key, value in config.items():
            full_key = _namespaced(project.name, str(key))
            if _contains_secure(value):
                secrets.add(full_key)
            values[full_key] = _stringify(_decrypt_offline(value))
    elif project.stacks():
        raise ProjectError(f"no stack config {path.name}; stacks here: {', '.join(project.stacks())}")
    return StackConfig(values, frozenset(secrets))


def _namespaced(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _contains_secure(value: Any) -> bool:
    if isinstance(value, Mapping):
        return set(value) == {"secure"} or any(_contains_secure(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_secure(item) for item in value)
    return False


def _decrypt_offline(value: Any) -> Any:
    if isinstance(value, Mapping):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {key: _decrypt_offline(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypt_offline(item) for item in value]
    return value


def _stringify(value: Any) -> str:
    """Pulumi passes every config value to the program as a string; objects and lists as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list)):
        return json.dumps(value)
    if value is None:
        return ""
    return str(value)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProjectError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ProjectError(f"{path} is not valid YAML: {error}") from None
