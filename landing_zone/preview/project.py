"""Read a Pulumi project (``Pulumi.yaml``) and its stack config (``Pulumi.<stack>.yaml``) as the CLI does.

The CLI hands a Python program its config as a flat map of namespaced keys (``project:key``) to
strings: plain values are stringified, objects and lists are JSON (Go's encoding: compact, keys
sorted, ``<>&`` escaped), ``secure:`` values are secrets. Files are YAML 1.2 (`landing_zone.yaml12`).

``Pulumi.yaml``'s ``config:`` block is enforced as pulumi/pulumi does it
(``sdk/go/common/workspace/project.go`` ``Validate`` and ``RewriteShorthandConfigValues``,
``pkg/workspace/config.go`` ``mergeConfig``): a declared project key with neither a stack value, a
``default`` nor a ``value`` is an error; ``default``/``value`` apply under stack values; a typed
key's value must have its type; a ``secret: true`` key must be set with ``secure:``. Without the CLI
there is no way to decrypt ``secure:`` values, so a secret arrives as a placeholder, still marked
secret so the program and the recorder treat it as one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landing_zone import yaml12

#: What a ``secure:`` value reads as offline: it cannot be decrypted without the CLI and its secrets provider.
SECRET_PLACEHOLDER = "offline-preview-secret-placeholder"
#: The types a ``Pulumi.yaml`` config declaration may name (project.json ``simpleConfigType``).
CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")
#: The keys a config declaration may hold (project.json ``configTypeDeclaration``, additionalProperties false).
_DECLARATION_KEYS = frozenset({"type", "items", "description", "secret", "default", "value"})
#: Stack tags the CLI sets from Pulumi.yaml (apitype.ProjectNameTag, ProjectRuntimeTag, ProjectDescriptionTag).
PROJECT_TAG, RUNTIME_TAG, DESCRIPTION_TAG = "pulumi:project", "pulumi:runtime", "pulumi:description"
#: Config key whose object adds stack tags (apitype.PulumiTagsConfigKey).
TAGS_CONFIG_KEY = "pulumi:tags"


class ProjectError(Exception):
    """A Pulumi project or stack config could not be read. The message says which file and why."""


@dataclass(frozen=True)
class ConfigDeclaration:
    """One entry of ``Pulumi.yaml``'s ``config:`` block, after the CLI's shorthand rewrite."""

    key: str  # namespaced: ``project:key`` or ``provider:key``
    type: str | None = None
    items: Mapping[str, Any] | None = None
    secret: bool = False
    default: Any = None
    value: Any = None

    @property
    def has_default(self) -> bool:
        return self.default is not None or self.value is not None


@dataclass(frozen=True)
class PulumiProject:
    """The parts of ``Pulumi.yaml`` an offline preview needs."""

    name: str
    directory: Path
    main: Path
    runtime: str
    stack_config_dir: Path
    config_declarations: tuple[ConfigDeclaration, ...] = ()
    description: str | None = None

    def stack_file(self, stack: str) -> Path:
        check_stack_name(stack)
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
    """A stack's config as the language host receives it: namespaced keys to strings, and which are secret.

    ``tags`` are the stack tags the CLI sends a policy pack in ``ConfigureStack``.
    """

    values: Mapping[str, str]
    secret_keys: frozenset[str]
    tags: Mapping[str, str] = field(default_factory=dict)


#: The Pulumi CLI's stack name rule (sdk/go/common/tokens/stack_name.go): 1-100 of these characters.
_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def check_stack_name(stack: str) -> None:
    """Refuse a stack name the CLI would refuse, or one that walks out of the folder (``../x``, ``..``)."""
    if not _STACK_NAME.match(stack) or set(stack) == {"."}:
        raise ProjectError(
            f"invalid stack name {stack!r}: 1-100 letters, digits, '-', '_' or '.', no path separators "
            "(for org/project/stack give the stack's own name)"
        )


def _inside_project(path: Path, folder: Path, target: Path, key: str) -> None:
    """GATE: ``main`` and ``stackConfigDir`` must stay inside the project folder (symlinks resolved)."""
    if not target.resolve().is_relative_to(folder):
        raise ProjectError(f"{path}: {key} resolves to {target.resolve()}, outside the project folder {folder}")


def load_project(directory: str | Path) -> PulumiProject:
    """Read ``Pulumi.yaml`` (or ``Pulumi.yml``) from a program folder, validating it as the CLI does."""
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
    _inside_project(path, folder, main, "main")
    config_dir = folder / str(document.get("stackConfigDir") or ".")
    _inside_project(path, folder, config_dir, "stackConfigDir")
    declarations = _declarations(path, document["name"], document.get("config"))
    description = document.get("description")
    return PulumiProject(
        document["name"],
        folder,
        main,
        runtime_name,
        config_dir,
        declarations,
        description if isinstance(description, str) else None,
    )


def _declarations(path: Path, project: str, block: Any) -> tuple[ConfigDeclaration, ...]:
    """Validate the ``config:`` block as ``Project.Validate`` does, after the shorthand rewrite."""
    if block is None:
        return ()
    if isinstance(block, str):
        raise ProjectError(f"{path}: 'config' names a folder; use 'stackConfigDir' instead")
    if not isinstance(block, Mapping):
        raise ProjectError(f"{path}: 'config' must be a mapping of keys to declarations")
    result = []
    for raw_key, given in block.items():
        key = str(raw_key)
        ours = ":" not in key or key.startswith(f"{project}:")
        where = f"{path}: config '{key}'"
        raw = given
        if isinstance(given, (str, int, bool, list)):
            raw = {"default": given} if ours else {"value": given}  # RewriteShorthandConfigValues
        if not isinstance(raw, Mapping):
            raise ProjectError(f"{where}: a value must be a string, integer, boolean, array or declaration")
        unknown = sorted(str(name) for name in raw if name not in _DECLARATION_KEYS)
        if unknown:
            allowed = ", ".join(sorted(_DECLARATION_KEYS))
            raise ProjectError(f"{where}: unknown attribute(s) {', '.join(unknown)}; allowed: {allowed}")
        declaration = ConfigDeclaration(
            key if ":" in key else f"{project}:{key}",
            raw.get("type"),
            raw.get("items"),
            bool(raw.get("secret", False)),
            raw.get("default"),
            raw.get("value"),
        )
        _validate_declaration(where, declaration, ours)
        result.append(declaration)
    return tuple(result)


def _validate_declaration(where: str, declaration: ConfigDeclaration, ours: bool) -> None:
    if declaration.default is not None and declaration.value is not None:
        raise ProjectError(f"{where}: cannot have both a 'default' and 'value' attribute")
    if not ours:
        if declaration.type is not None:
            raise ProjectError(f"{where}: is not namespaced by the project and should not define a type")
        if declaration.default is not None:
            raise ProjectError(f"{where}: is not namespaced by the project; use 'value' instead of 'default'")
        if declaration.value is None:
            raise ProjectError(f"{where}: is namespaced and must provide an attribute 'value'")
        return
    if declaration.type is None:
        return
    if declaration.type not in CONFIG_TYPES:
        raise ProjectError(f"{where}: type {declaration.type!r} is not one of {', '.join(CONFIG_TYPES)}")
    if declaration.type == "array" and not isinstance(declaration.items, Mapping):
        raise ProjectError(f"{where}: declares an array but does not give the item type with 'items'")
    if declaration.default is not None and not config_value_has_type(
        declaration.type, declaration.items, declaration.default
    ):
        raise ProjectError(f"{where}: the default value is not of the expected type '{type_name(declaration)}'")


def type_name(declaration: ConfigDeclaration) -> str:
    """``array<string>`` for arrays, else the declared type (``InferFullTypeName``)."""
    if declaration.type == "array" and isinstance(declaration.items, Mapping):
        return _array_name(declaration.items)
    return declaration.type or ""


def _array_name(items: Mapping[str, Any]) -> str:
    inner = items.get("items")
    return f"array<{_array_name(inner) if isinstance(inner, Mapping) else items.get('type', '')}>"


def _is_integer(value: Any) -> bool:
    """Whole numbers, and strings that parse as integers (stack values arrive as strings)."""
    if isinstance(value, float):
        return math.isfinite(value) and value == math.trunc(value)
    if isinstance(value, str):
        return re.fullmatch(r"[+-]?[0-9]+", value) is not None
    return isinstance(value, int) and not isinstance(value, bool)


_SCALAR_CHECKS = {
    "string": lambda value: isinstance(value, str),
    "integer": _is_integer,
    "boolean": lambda value: isinstance(value, bool) or value in ("true", "false"),
    "object": lambda value: isinstance(value, Mapping),
}


def config_value_has_type(type_: str, items: Mapping[str, Any] | None, value: Any) -> bool:
    """``workspace.ValidateConfigValue``: string, integer (whole numbers and numeric strings), boolean, object, array."""
    check = _SCALAR_CHECKS.get(type_)
    if check is not None:
        return bool(check(value))
    if not isinstance(value, list) or not isinstance(items, Mapping):
        return False
    inner = items.get("items")
    return all(
        config_value_has_type(str(items.get("type")), inner if isinstance(inner, Mapping) else None, item)
        for item in value
    )


def load_stack_config(project: PulumiProject, stack: str) -> StackConfig:
    """The config a program of ``project`` sees when run as ``stack``, merged and validated as the CLI does."""
    values: dict[str, str] = {}
    secrets: set[str] = set()
    raw_values: dict[str, Any] = {}
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
            raw_values[full_key] = value
            values[full_key] = _config_string(path, str(key), _decrypt_offline(value))
    elif project.stacks():
        raise ProjectError(f"no stack config {path.name}; stacks here: {', '.join(project.stacks())}")
    missing: list[str] = []
    for declaration in sorted(project.config_declarations, key=lambda item: item.key):
        if declaration.key in values:
            continue
        if declaration.has_default:
            value = declaration.value if declaration.value is not None else declaration.default
            values[declaration.key] = _config_string(
                project.directory / "Pulumi.yaml", f"config.{declaration.key.removeprefix(project.name + ':')}", value
            )
            raw_values[declaration.key] = value
        elif declaration.key.startswith(f"{project.name}:"):
            missing.append(declaration.key.partition(":")[2])
    if missing:
        noun = "value" if len(missing) == 1 else "values"
        names = ", ".join(f"'{name}'" for name in sorted(missing))
        raise ProjectError(
            f"Stack '{stack}' is missing configuration {noun} {names}: set them in {path.name} "
            f"(declared in Pulumi.yaml without a default)"
        )
    for declaration in project.config_declarations:
        _validate_stack_value(stack, path, declaration, raw_values.get(declaration.key), declaration.key in secrets)
    return StackConfig(values, frozenset(secrets), stack_tags(project, values))


def _validate_stack_value(stack: str, path: Path, declaration: ConfigDeclaration, raw: Any, secure: bool) -> None:
    """``validateStackConfigValue``: a secret key must be ``secure:``; a typed key's value must have its type."""
    if declaration.type is None:
        return
    short = declaration.key.partition(":")[2]
    if declaration.secret and not secure:
        raise ProjectError(
            f"{path.name}: Stack '{stack}' with configuration key '{short}' must be encrypted as it's secret "
            f"(set it with `pulumi config set --secret {short}`)"
        )
    if secure:
        return  # offline the ciphertext cannot be decrypted, so its type cannot be checked
    text = go_config_string(raw)
    content: Any = json.loads(text) if isinstance(raw, (Mapping, list)) else text
    if not config_value_has_type(declaration.type, declaration.items, content):
        raise ProjectError(
            f"{path.name}: Stack '{stack}' with configuration key '{short}' must be of type '{type_name(declaration)}'"
        )


def stack_tags(project: PulumiProject, values: Mapping[str, str]) -> dict[str, str]:
    """The tags ``GetEnvironmentTagsForCurrentStack`` gives a stack: project, runtime, description, ``pulumi:tags``."""
    tags = {PROJECT_TAG: project.name, RUNTIME_TAG: project.runtime}
    if project.description is not None:
        tags[DESCRIPTION_TAG] = project.description
    extra = values.get(TAGS_CONFIG_KEY)
    if extra is not None:
        try:
            document = json.loads(extra)
        except ValueError:
            document = None
        if not isinstance(document, Mapping):
            raise ProjectError(f"{TAGS_CONFIG_KEY} must be an object of strings")
        for name, value in document.items():
            if not isinstance(value, str):
                raise ProjectError(f"{TAGS_CONFIG_KEY}[{name}] must be a string")
            tags[str(name)] = value
    return tags


def _namespaced(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _contains_secure(value: Any) -> bool:
    if isinstance(value, Mapping):
        return _is_secure(value) or any(_contains_secure(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_secure(item) for item in value)
    return False


def _is_secure(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and isinstance(value.get("secure"), str)


def _decrypt_offline(value: Any) -> Any:
    if isinstance(value, Mapping):
        if _is_secure(value):
            return SECRET_PLACEHOLDER
        return {key: _decrypt_offline(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decrypt_offline(item) for item in value]
    return value


def _config_string(path: Path, key: str, value: Any) -> str:
    """`go_config_string`, failing as the CLI does on a value JSON cannot hold (``.inf``, ``.nan``): naming file and key."""
    try:
        return go_config_string(value)
    except ValueError:
        raise ProjectError(
            f"{path}: {key}: {value!r} cannot be passed to the program (JSON has no infinity or NaN); "
            "quote it to pass text, or give a finite number"
        ) from None


def go_config_string(value: Any) -> str:
    """A config value as the CLI hands it to a program: strings as they are, anything else Go-JSON encoded."""
    if isinstance(value, str):
        return value
    return go_json(value)


def go_json(value: Any) -> str:
    """JSON as Go's ``encoding/json.Marshal`` writes it: compact, map keys sorted, ``<``, ``>``, ``&`` escaped.

    Whole floats print as integers (YAML ``1.0`` arrives as ``1``), as Go's float formatting does.
    """
    text = json.dumps(_go_numbers(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False, allow_nan=False)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return text


def _go_numbers(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value == math.trunc(value) and abs(value) < 1e21:
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): _go_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_go_numbers(item) for item in value]
    return value


def _read_yaml(path: Path) -> Any:
    try:
        return yaml12.load_file(path)
    except yaml12.YamlError as error:
        raise ProjectError(str(error)) from None
