"""Read a ``pulumi stack export`` document (deployment format v3) into the preview engine's `Registration`s.

The shape is Pulumi's ``apitype.UntypedDeployment`` wrapping ``apitype.DeploymentV3``
(pulumi/pulumi ``sdk/go/common/apitype/core.go``): ``{"version": 3, "deployment": {"manifest": ...,
"secrets_providers": ..., "resources": [ResourceV3...], "pending_operations": [...]}}``. Each
``ResourceV3`` has ``urn``, ``custom``, ``delete``, ``id``, ``type``, ``inputs``, ``outputs``,
``parent``, ``protect``, ``dependencies``, ``provider`` (``<provider URN>::<provider ID>``),
``propertyDependencies``, ``aliases``, ``customTimeouts``, ``retainOnDelete``, ``ignoreChanges`` ...

Property values use Pulumi's signature keys (``sdk/go/common/resource/sig/sig.go``): a secret is
``{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}`` (or
``"plaintext"`` after ``--show-secrets``), a resource reference carries ``5cf8f730...``, an output
value ``d0e6a833...``. **Secret values are never read**: the audit hands every secret to the pack as a
secret whose value is unknown (a rule that needs one reports it as unverifiable), and compares secrets
only by presence. A deployment never holds unknowns, but one is tolerated (passed on as unknown).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2

from landing_zone.preview.recorder import ROOT_STACK_TYPE, SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, Registration

#: Deployment schema versions this reader understands (``apitype.DeploymentSchemaVersionCurrent`` is 3).
SUPPORTED_VERSIONS = (3,)
#: ``sig.OutputValue``: an output value with its known-ness, secretness and dependencies.
OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
#: Largest export read (a stack of a few thousand resources is a few tens of MiB).
MAX_EXPORT_BYTES = 256 * 1024 * 1024


class ExportError(ValueError):
    """The file is not a stack export this reader can audit. The message names the file and what to do."""


@dataclass
class ExportedResource:
    """One resource of the deployment: its registration as the pack sees it, and what drift compares."""

    registration: Registration
    #: The inputs the program sent (secrets as unknown-valued envelopes), for the drift comparison.
    inputs: dict[str, Any]
    #: What Azure returned (same convention).
    outputs: dict[str, Any]
    ignore_changes: list[str] = field(default_factory=list)


@dataclass
class Deployment:
    """A parsed export: the stack's project and name (from the root stack URN) and its resources in state order."""

    project: str
    stack: str
    resources: list[ExportedResource]
    #: Notes about the state a reader should know (pending operations, resources pending deletion).
    notes: list[str] = field(default_factory=list)

    @property
    def registrations(self) -> list[Registration]:
        return [resource.registration for resource in self.resources]


def load_export(path: str | Path) -> Deployment:
    """Read and check an export file (``-``: standard input, for ``pulumi stack export | landing-zone audit -``);
    raise ExportError naming the file and the offending resource or key."""
    if str(path) == "-":
        data = sys.stdin.buffer.read(MAX_EXPORT_BYTES + 1)
        source = "<stdin>"
    else:
        file = Path(path)
        source = str(file)
        if not file.is_file():
            raise ExportError(f"{file}: no such file; write one with `pulumi stack export --file {file.name}`")
        if file.stat().st_size > MAX_EXPORT_BYTES:
            raise ExportError(f"{file}: larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MiB; not read")
        data = file.read_bytes()
    if len(data) > MAX_EXPORT_BYTES:
        raise ExportError(f"{source}: larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MiB; not read")
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_unique_keys)
    except UnicodeDecodeError as error:
        raise ExportError(f"{source}: not UTF-8 text (byte {error.start})") from None
    except ValueError as error:
        raise ExportError(f"{source}: not valid JSON: {error}") from None
    return parse_export(document, source)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def parse_export(document: Any, source: str = "<export>") -> Deployment:
    """The deployment in an ``UntypedDeployment`` document (what ``pulumi stack export`` writes)."""
    if not isinstance(document, Mapping) or "deployment" not in document:
        raise ExportError(
            f"{source}: not a `pulumi stack export` document (no 'version' and 'deployment' keys at the top)"
        )
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise ExportError(
            f"{source}: deployment format version {version!r} is not supported (this reader knows "
            f"{', '.join(map(str, SUPPORTED_VERSIONS))}); export with a Pulumi CLI 3.x"
        )
    deployment = document["deployment"]
    if not isinstance(deployment, Mapping):
        raise ExportError(f"{source}: 'deployment' is not an object")
    raw_resources = _or_empty(deployment.get("resources"), [])
    if not isinstance(raw_resources, list):
        raise ExportError(f"{source}: deployment.resources is not a list")
    notes: list[str] = []
    pending = deployment.get("pending_operations") or []
    if pending:
        notes.append(
            f"{len(pending)} pending operation(s) in the state (an interrupted update): run `pulumi refresh` "
            "and export again for a complete audit"
        )
    resources: list[ExportedResource] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_resources):
        where = f"{source}: deployment.resources[{index}]"
        if not isinstance(raw, Mapping):
            raise ExportError(f"{where}: not an object")
        if raw.get("delete"):
            notes.append(f"{raw.get('urn')}: pending deletion (an earlier replacement); not audited")
            continue
        resource = _resource(raw, where)
        if resource.registration.urn in seen:
            raise ExportError(f"{where}: duplicate URN {resource.registration.urn}")
        seen.add(resource.registration.urn)
        resources.append(resource)
    project, stack = _stack_identity(resources, source)
    return Deployment(project, stack, resources, notes)


def _stack_identity(resources: list[ExportedResource], source: str) -> tuple[str, str]:
    """Project and stack from any URN (``urn:pulumi:<stack>::<project>::...``)."""
    for resource in resources:
        parts = resource.registration.urn.split("::")
        if len(parts) >= 4 and parts[0].startswith("urn:pulumi:"):
            return parts[1], parts[0].removeprefix("urn:pulumi:")
    if resources:
        raise ExportError(f"{source}: no resource has a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)")
    return "", ""


def _or_empty(value: Any, empty: Any) -> Any:
    """An absent (null) field as its empty value; any other value as given, to be type-checked."""
    return empty if value is None else value


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise ExportError(f"{where}: '{key}' is missing")
        return ""
    if not isinstance(value, str):
        raise ExportError(f"{where}: '{key}' is not a string")
    return value


def _urns(raw: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = _or_empty(raw.get(key), [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ExportError(f"{where}: '{key}' is not a list of strings")
    return list(value)


def _properties(raw: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = _or_empty(raw.get(key), {})
    if not isinstance(value, Mapping):
        raise ExportError(f"{where}: '{key}' is not an object")
    return {str(name): to_wire(item) for name, item in value.items()}


def _resource(raw: Mapping[str, Any], where: str) -> ExportedResource:
    urn = _text(raw, "urn", where, required=True)
    type_token = _text(raw, "type", where, required=True)
    where = f"{where} ({urn})"
    inputs = _properties(raw, "inputs", where)
    outputs = _properties(raw, "outputs", where)
    # Analyze sees what is deployed: the outputs, over the inputs for what Azure does not return
    # (a resource group name, a password it never echoes).
    deployed = {**inputs, **outputs}
    property_dependencies = _or_empty(raw.get("propertyDependencies"), {})
    if not isinstance(property_dependencies, Mapping):
        raise ExportError(f"{where}: 'propertyDependencies' is not an object")
    timeouts = raw.get("customTimeouts")
    registration = Registration(
        urn=urn,
        type=type_token,
        name=urn.rsplit("::", 1)[-1],
        parent=_text(raw, "parent", where) or None,
        custom=bool(raw.get("custom")),
        inputs_struct=_struct(deployed),
        outputs_struct=_struct(deployed),
        id=str(raw.get("id") or ""),
        dependencies=_urns(raw, "dependencies", where),
        property_dependencies={str(k): [str(u) for u in (v or [])] for k, v in property_dependencies.items()},
        protect=bool(raw.get("protect")),
        retain_on_delete=bool(raw.get("retainOnDelete")),
        ignore_changes=[str(item) for item in raw.get("ignoreChanges") or []],
        aliases=[{"urn": alias} for alias in _urns(raw, "aliases", where)],
        provider=_text(raw, "provider", where) or None,
        custom_timeouts=_timeouts(timeouts),
        additional_secret_outputs=[str(item) for item in raw.get("additionalSecretOutputs") or []],
    )
    if type_token == ROOT_STACK_TYPE:
        registration.parent = None
    return ExportedResource(registration, inputs, outputs, list(registration.ignore_changes))


def _timeouts(value: Any) -> dict[str, str] | None:
    """State keeps custom timeouts as seconds (``resource.CustomTimeouts``, float64); the engine's registrations
    carry Go durations, as the SDK sends them."""
    if not isinstance(value, Mapping):
        return None
    return {
        str(key): f"{float(seconds):f}s"
        for key, seconds in value.items()
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds > 0
    } or None


def _struct(properties: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(properties, struct)
    return struct


def _secret_unknown() -> dict[str, Any]:
    return {SECRET_SIG: SECRET_VALUE_SIG, "value": UNKNOWN}


def to_wire(value: Any) -> Any:
    """A state value in the engine's wire format; every secret becomes a secret envelope with an unknown value."""
    if isinstance(value, Mapping):
        signature = value.get(SECRET_SIG)
        if signature == SECRET_VALUE_SIG:
            return _secret_unknown()  # ciphertext or plaintext: never read
        if signature == OUTPUT_VALUE_SIG:
            inner = to_wire(value["value"]) if "value" in value else UNKNOWN
            return _secret_unknown() if value.get("secret") else inner
        return {str(key): to_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)  # the wire format's numbers are doubles
    return value


def is_secret(value: Any) -> bool:
    """True for a secret envelope (as `to_wire` writes every secret)."""
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == SECRET_VALUE_SIG


__all__ = ["Deployment", "ExportError", "ExportedResource", "is_secret", "load_export", "parse_export", "to_wire"]
