"""Policy-pack configuration merged and validated the way the Pulumi CLI does it.

The SDK in the pack neither applies schema defaults nor validates: the CLI does. For each policy
it starts from the policy's default enforcement level and its schema defaults, applies the pack's
``initial_config``, then the user's config (``--policy-pack-config`` JSON, where ``"all"`` sets
every policy's level), and validates each policy's properties against its JSON schema. The result
is what ``Configure`` receives: an entry for every policy.

Stricter than the CLI where the CLI is silently lenient, because this is a compliance gate: a
duplicate JSON key, ``NaN``/``Infinity``, an exemption with a blank reason or an impossible expiry
date (``2026-02-30``), and more config files than packs are errors naming the file and key. One
top-level entry belongs to this engine, not to a policy: ``"landingZoneGate": {"strict": true}``
turns on strict mode (see `landing_zone.preview.weakenings`). It is an object, so the same file
still parses under ``pulumi preview --policy-pack-config`` (which ignores names that are no policy).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

if TYPE_CHECKING:
    from jsonschema import FormatChecker

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_WIRE = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
WIRE_TO_LEVEL = {wire: name for name, wire in _LEVEL_TO_WIRE.items()}

#: The top-level entry of a pack config that configures this engine's gate rather than a policy.
GATE_SETTINGS_KEY = "landingZoneGate"
_GATE_SETTINGS = {"strict": bool}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


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
    #: Where this setting came from (the config file), for the weakenings it may carry; not compared.
    source: str | None = field(default=None, compare=False)


class PackConfig(dict[str, PolicyConfig]):
    """A user's config for one pack (policy name to setting), plus where it came from and the gate's settings."""

    def __init__(
        self, entries: Mapping[str, PolicyConfig] | None = None, *, source: str | None = None, strict: bool = False
    ) -> None:
        super().__init__(entries or {})
        self.source = source
        self.strict = strict


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` that refuses a repeated key (the CLI's JSON decoder silently keeps the last)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_pack_config_file(path: str | Path) -> PackConfig:
    """Parse a ``--policy-pack-config`` JSON file: ``{"policy": "mandatory" | {"enforcementLevel": ..., ...}}``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise PackConfigError([f"cannot read {file}: {error.strerror}"]) from None
    except UnicodeDecodeError:
        raise PackConfigError([f"{file} is not UTF-8 text"]) from None
    if not text.strip():
        return PackConfig(source=str(file))
    try:
        document = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except _DuplicateKeyError as error:
        raise PackConfigError(
            [f'{file}: the key "{error.key}" appears twice in one object; keep exactly one (JSON keeps only the last)']
        ) from None
    except json.JSONDecodeError as error:
        raise PackConfigError([f"{file} is not valid JSON: {error}"]) from None
    except ValueError as error:
        raise PackConfigError([f"{file} is not valid JSON: {error}"]) from None
    return parse_pack_config(document, source=str(file))


def parse_pack_config(document: Any, *, source: str | None = None) -> PackConfig:
    """Parse a config document; ``source`` (the file) prefixes every problem and is kept on each setting."""
    where = f"{source}: " if source else ""
    if not isinstance(document, Mapping):
        raise PackConfigError([f"{where}the policy pack config must be a JSON object keyed by policy name"])
    result = PackConfig(source=source)
    problems: list[str] = []
    for name, value in document.items():
        if name == GATE_SETTINGS_KEY:
            result.strict = _gate_settings(value, where, problems)
            continue
        if isinstance(value, str):
            if value not in ENFORCEMENT_LEVELS:
                problems.append(
                    f'{where}parsing enforcement level for "{name}": "{value}" is not a valid enforcement level'
                )
                continue
            result[name] = PolicyConfig(value, source=source)
        elif isinstance(value, Mapping):
            properties = dict(value)
            level = properties.pop("enforcementLevel", "")
            if level and level not in ENFORCEMENT_LEVELS:
                problems.append(
                    f'{where}parsing enforcement level for "{name}": "{level}" is not a valid enforcement level'
                )
                continue
            problems.extend(where + problem for problem in _exemption_problems(name, properties.get("exemptions")))
            if level or properties:
                result[name] = PolicyConfig(level, properties, source=source)
        else:
            problems.append(f'{where}parsing "{name}": {value!r} is not a valid value; must be a string or object')
    if problems:
        raise PackConfigError(problems)
    return result


def _gate_settings(value: Any, where: str, problems: list[str]) -> bool:
    """The engine's own settings (``{"strict": true}``); anything else there is an error, not ignored."""
    if not isinstance(value, Mapping):
        problems.append(f'{where}"{GATE_SETTINGS_KEY}" must be an object such as {{"strict": true}}')
        return False
    for key, setting in value.items():
        expected = _GATE_SETTINGS.get(key)
        if expected is None:
            problems.append(f'{where}"{GATE_SETTINGS_KEY}.{key}" is not a setting; known: {", ".join(_GATE_SETTINGS)}')
        elif not isinstance(setting, expected):
            problems.append(f'{where}"{GATE_SETTINGS_KEY}.{key}" must be true or false')
    return value.get("strict") is True


def _exemption_problems(policy: str, exemptions: Any) -> list[str]:
    """What is wrong with a policy's exemptions beyond its schema: blank reasons and dates that do not exist.

    The pack's schema (checked later, in `reconcile`) only asks for 20 characters and a date-shaped
    string, so 20 spaces or ``2026-02-30`` would pass it and the exemption would be silently useless.
    A string that is not date-shaped at all is left to the schema's own message.
    """
    if not isinstance(exemptions, Sequence) or isinstance(exemptions, (str, bytes)):
        return []
    problems: list[str] = []
    for index, entry in enumerate(exemptions):
        if not isinstance(entry, Mapping):
            continue  # the schema reports the shape
        key = f"{policy}.exemptions[{index}]"
        reason = entry.get("reason")
        if isinstance(reason, str) and not reason.strip():
            problems.append(f"{key}.reason is blank; write why the rule does not apply (auditors read it)")
        approver = entry.get("approvedBy")
        if isinstance(approver, str) and not approver.strip():
            problems.append(f"{key}.approvedBy is blank; name who accepted the risk, or leave the key out")
        expires = entry.get("expires")
        if isinstance(expires, str) and _ISO_DATE.match(expires) and parse_iso_date(expires) is None:
            problems.append(f"{key}.expires {expires!r} is not a real calendar date (YYYY-MM-DD)")
    return problems


def parse_iso_date(text: str) -> date | None:
    """A strict ``YYYY-MM-DD`` date that exists on the calendar; None otherwise (``2026-02-30``, ``20260301``)."""
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_config_count(configs: Sequence[Mapping[str, PolicyConfig] | None], packs: int) -> None:
    """Each ``--policy-pack-config`` configures the pack in the same position; a surplus file would be ignored.

    The Pulumi CLI refuses a count that differs from the number of packs; so do we, naming the surplus files.
    """
    if len(configs) <= packs:
        return
    surplus = [getattr(config, "source", None) or f"config #{index + 1}" for index, config in enumerate(configs)]
    raise PackConfigError(
        [
            f"{len(configs)} policy pack configs for {packs} policy pack(s): "
            f"{', '.join(surplus[packs:])} would configure no pack; give one --policy-pack-config per --policy-pack"
        ]
    )


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
        source = getattr(user_config, "source", None)
        warnings.extend(
            f"{source + ': ' if source else ''}policy pack config names '{name}', which is not a policy of "
            f"{info.name}{_did_you_mean(name, known)}; the setting configures nothing"
            for name in user_config
            if name not in known
        )
        _apply(result, user_config)
    # The CLI's Configure refuses any entry left without a level (an unknown name given only properties).
    policies = {policy.name for policy in info.policies}
    problems = [
        f'{value.source + ": " if value.source else ""}{name}: invalid enforcement level "{value.enforcement_level}"; '
        f'give "enforcementLevel" ({", ".join(ENFORCEMENT_LEVELS)})'
        + ("" if name in policies else f"; it is not a policy of {info.name}{_did_you_mean(name, policies)}")
        for name, value in result.items()
        if value.enforcement_level not in ENFORCEMENT_LEVELS
    ]
    problems += _validate(info, result)
    if problems:
        raise PackConfigError(problems)
    return result, warnings


def _did_you_mean(name: str, known: set[str]) -> str:
    """A typo'd policy name configures nothing, silently under the CLI: name the policy it probably meant."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""


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
        result[name] = PolicyConfig(level, {**current.properties, **given.properties}, given.source or current.source)


@cache
def _formats() -> FormatChecker:
    """The formats gojsonschema (the CLI's validator) checks: draft 7's, plus ``uuid``.

    jsonschema is imported here, not with this module: its format extras compile an RFC 3987 grammar on
    import (about 1.3 s), which the engine then pays while the program runs (pack start-up runs beside
    it), not before the program starts.
    """
    from jsonschema import Draft7Validator, FormatChecker

    formats = FormatChecker()
    formats.checkers.update(Draft7Validator.FORMAT_CHECKER.checkers)
    formats.checks("uuid", raises=ValueError)(
        lambda value: (
            not isinstance(value, str) or re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", value)
        )
    )
    return formats


def _validate(info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, PolicyConfig]) -> list[str]:
    from jsonschema import Draft7Validator

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
        validator = Draft7Validator(schema, format_checker=_formats())  # gojsonschema checks formats too
        for error in sorted(validator.iter_errors(values), key=lambda item: list(item.absolute_path)):
            where = ".".join(str(part) for part in error.absolute_path)
            problems.append(f"{policy.name}: {where + ': ' if where else ''}{error.message}")
    return problems
