"""Policy-pack configuration merged and validated the way the Pulumi CLI does it.

The SDK in the pack neither applies schema defaults nor validates: the CLI does. For each policy
it starts from the policy's default enforcement level and its schema defaults, applies the pack's
``initial_config``, then the user's config (``--policy-pack-config`` JSON, where ``"all"`` sets
every policy's level), and validates each policy's properties against its JSON schema. The result
is what ``Configure`` receives: an entry for every policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from jsonschema import Draft7Validator
from pulumi.runtime.proto import analyzer_pb2

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_WIRE = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
WIRE_TO_LEVEL = {wire: name for name, wire in _LEVEL_TO_WIRE.items()}


class PackConfigError(Exception):
    """The policy-pack configuration is invalid; ``problems`` lists each error as the CLI words them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid policy pack configuration:\n" + "\n".join(f"  - {problem}" for problem in problems))
        self.problems = problems


@dataclass
class PolicyConfig:
    """One policy's effective configuration."""

    enforcement_level: str
    properties: dict[str, Any] = field(default_factory=dict)


def load_pack_config_file(path: str | Path) -> dict[str, PolicyConfig]:
    """Parse a ``--policy-pack-config`` JSON file: ``{"policy": "mandatory" | {"enforcementLevel": ..., ...}}``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise PackConfigError([f"cannot read {file}: {error.strerror}"]) from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PackConfigError([f"{file} is not valid JSON: {error}"]) from None
    return parse_pack_config(document)


def parse_pack_config(document: Any) -> dict[str, PolicyConfig]:
    if not isinstance(document, Mapping):
        raise PackConfigError(["the policy pack config must be a JSON object keyed by policy name"])
    result: dict[str, PolicyConfig] = {}
    problems: list[str] = []
    for name, value in document.items():
        if isinstance(value, str):
            if value not in ENFORCEMENT_LEVELS:
                problems.append(f'parsing enforcement level for "{name}": "{value}" is not a valid enforcement level')
                continue
            result[name] = PolicyConfig(value)
        elif isinstance(value, Mapping):
            properties = dict(value)
            level = properties.pop("enforcementLevel", "")
            if level and level not in ENFORCEMENT_LEVELS:
                problems.append(f'parsing enforcement level for "{name}": "{level}" is not a valid enforcement level')
                continue
            if level or properties:
                result[name] = PolicyConfig(level, properties)
        else:
            problems.append(f'parsing "{name}": {value!r} is not a valid value; must be a string or object')
    if problems:
        raise PackConfigError(problems)
    return result


def reconcile(
    info: analyzer_pb2.AnalyzerInfo, user_config: Mapping[str, PolicyConfig] | None
) -> tuple[dict[str, PolicyConfig], list[str]]:
    """Defaults, then the pack's initial config, then the user's; validated. Returns config and warnings."""
    result: dict[str, PolicyConfig] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        defaults = {
            key: spec["default"] for key, spec in schema.items() if isinstance(spec, Mapping) and "default" in spec
        }
        result[policy.name] = PolicyConfig(WIRE_TO_LEVEL.get(policy.enforcementLevel, "advisory"), defaults)
    initial = {
        name: PolicyConfig(WIRE_TO_LEVEL.get(value.enforcementLevel, ""), json_format.MessageToDict(value.properties))
        for name, value in info.initialConfig.items()
    }
    _apply(result, initial)
    warnings: list[str] = []
    if user_config:
        known = {policy.name for policy in info.policies} | {"all"}
        warnings.extend(
            f"policy pack config names '{name}', which is not a policy of {info.name}"
            for name in user_config
            if name not in known
        )
        _apply(result, user_config)
    problems = _validate(info, result)
    if problems:
        raise PackConfigError(problems)
    return result, warnings


def to_configure_request(config: Mapping[str, PolicyConfig]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, value in config.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = _LEVEL_TO_WIRE[value.enforcement_level or "advisory"]
        if value.properties:
            entry.properties.update(value.properties)
    return request


def _apply(result: dict[str, PolicyConfig], overrides: Mapping[str, PolicyConfig]) -> None:
    everything = overrides.get("all")
    if everything is not None and everything.enforcement_level in ENFORCEMENT_LEVELS:
        for value in result.values():
            value.enforcement_level = everything.enforcement_level
    for name, given in overrides.items():
        current = result.get(name) or PolicyConfig("")
        level = given.enforcement_level if given.enforcement_level in ENFORCEMENT_LEVELS else current.enforcement_level
        result[name] = PolicyConfig(level, {**current.properties, **given.properties})


def _validate(info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, PolicyConfig]) -> list[str]:
    problems: list[str] = []
    for policy in info.policies:
        if not policy.HasField("configSchema"):
            continue
        schema: dict[str, Any] = {"type": "object"}
        properties = json_format.MessageToDict(policy.configSchema.properties)
        if properties:
            schema["properties"] = properties
        if policy.configSchema.required:
            schema["required"] = list(policy.configSchema.required)
        values = config[policy.name].properties if policy.name in config else {}
        for error in sorted(Draft7Validator(schema).iter_errors(values), key=lambda item: list(item.absolute_path)):
            where = ".".join(str(part) for part in error.absolute_path)
            problems.append(f"{policy.name}: {where + ': ' if where else ''}{error.message}")
    return problems
