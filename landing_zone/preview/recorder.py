"""Record every resource registration exactly as the Pulumi engine would receive it.

`RecordingMonitor` stands where the engine's resource monitor stands. It keeps the raw
``RegisterResourceRequest`` (inputs in wire format, with unknowns and secret markers where the SDK
put them), gives each resource the URN the real engine would give it, rejects duplicate URNs as
the engine does, and adds the default provider resources the engine would create.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.config import CONFIG, get_config, is_config_secret
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.settings import get_project, get_stack, is_dry_run
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from landing_zone.errors import IncompletePlanError
from landing_zone.preview.provider_check import ProviderCheck
from landing_zone.preview.stack_outputs import preview_state_struct

ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
UNKNOWN = rpc.UNKNOWN
SECRET_SIG = rpc._special_sig_key
SECRET_VALUE_SIG = rpc._special_secret_sig
#: Package prefixes whose SDKs attach their own versioned type aliases to every resource.
_SDK_ALIAS_PACKAGES = ("azure-native:", "azure-nextgen:")


class DuplicateUrnError(Exception):
    """Two resources got the same URN. The real engine refuses this; mocks alone would accept it."""

    def __init__(self, urn: str) -> None:
        super().__init__(f"duplicate resource URN '{urn}'; give one of the resources a unique name")
        self.urn = urn


@dataclass
class Registration:
    """One resource as the engine sees it at registration.

    ``inputs_struct`` is the raw wire-format ``Struct`` the program sent; ``checked_struct`` is the same
    after the provider's Check (`provider_check`: auto-name, default location, API version), which is
    what a policy pack receives, or None when Check added nothing; ``outputs_struct`` is what AnalyzeStack
    receives: at preview, the provider's preview Create answer with secrets marked as the engine marks them
    (`stack_outputs`); a component's registered outputs; otherwise the checked inputs with the mocks' answer.
    """

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs_struct: struct_pb2.Struct
    outputs_struct: struct_pb2.Struct
    id: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    delete_before_replace_defined: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    aliases: list[dict[str, Any]] = field(default_factory=list)
    provider: str | None = None
    custom_timeouts: dict[str, str] | None = None
    additional_secret_outputs: list[str] = field(default_factory=list)
    version: str = ""
    checked_struct: struct_pb2.Struct | None = None
    #: Where the program constructed the resource, as the SDK sends it (``sourcePosition``): a
    #: ``file://`` URI and a 1-based line; empty when the SDK sent none. SARIF locations come from it.
    source_uri: str = ""
    source_line: int = 0
    #: ``outputs_struct`` is the provider's preview Create answer (`stack_outputs`), so it follows the checked inputs.
    previewed: bool = False

    @property
    def inputs(self) -> dict[str, Any]:
        """Inputs in wire format as plain data: camelCase names, floats for numbers, sentinels kept."""
        return json_format.MessageToDict(self.inputs_struct)

    @property
    def checked(self) -> struct_pb2.Struct:
        """The inputs a policy pack sees: after the provider's Check."""
        return self.checked_struct if self.checked_struct is not None else self.inputs_struct

    @property
    def checked_inputs(self) -> dict[str, Any]:
        """`checked` as plain data, like `inputs`."""
        return json_format.MessageToDict(self.checked)

    @property
    def outputs(self) -> dict[str, Any]:
        return json_format.MessageToDict(self.outputs_struct)

    def repreview(self) -> None:
        """Recompute the preview outputs from the checked inputs, after a remediation replaced them.

        The engine sends the remediated inputs to the provider's Create (``step_generator.go`` sets
        ``new.Inputs`` to the remediation's properties), so AnalyzeStack sees what Create answers for those.
        """
        if self.previewed:
            self.outputs_struct = preview_state_struct(
                self.type, without_resource_references(self.checked), self.additional_secret_outputs
            )

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` shape of a resource. Secret values are redacted, the secret marker is kept."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "inputs": redact_secrets(self.inputs),
            "dependencies": list(self.dependencies),
            "propertyDependencies": {key: list(value) for key, value in self.property_dependencies.items()},
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "deleteBeforeReplace": self.delete_before_replace,
            "ignoreChanges": list(self.ignore_changes),
            "aliases": [dict(alias) for alias in self.aliases],
            "provider": self.provider,
        }


#: Go's ``time.ParseDuration`` units, in seconds.
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


class DurationError(ValueError):
    """A custom timeout Go's ``time.ParseDuration`` refuses: the CLI fails the registration."""


def go_duration_seconds(duration: str | None) -> float:
    """Seconds in a Go duration (``500ms``, ``1h30m``, ``-1.5h``), read as ``time.ParseDuration`` reads it.

    Empty means no timeout (0). What Go refuses (``30``, ``5 m``, ``1d``) raises DurationError.
    """
    if not duration:
        return 0.0
    text = duration[1:] if duration[0] in "+-" else duration
    sign = -1.0 if duration[0] == "-" else 1.0
    if text == "0":
        return 0.0
    position, total = 0, 0.0
    while position < len(text):
        match = _DURATION_PART.match(text, position)
        if match is None:
            break
        total += float(match[1]) * _DURATION_UNITS[match[2]]
        position = match.end()
    if position == 0 or position != len(text):
        raise DurationError(f'time: invalid duration "{duration}"')
    return sign * total


#: The wire signature of a resource reference (``resource.ResourceReferenceSig``).
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"


def without_resource_references(properties: struct_pb2.Struct) -> struct_pb2.Struct:
    """Resource references as the CLI marshals them for analyzers (``KeepResources: false``): a custom
    resource's ID (unknown when its ID is), a component's URN. Returns ``properties`` itself when it holds none.

    The mocks get the same, so the SDK never tries to rebuild a referenced resource inside a registration.
    """
    if not any(_has_reference(value) for value in properties.fields.values()):
        return properties
    result = struct_pb2.Struct()
    for key, value in properties.fields.items():
        result.fields[key].CopyFrom(_without_reference(value))
    return result


def _has_reference(value: struct_pb2.Value) -> bool:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SECRET_SIG in fields and fields[SECRET_SIG].string_value == RESOURCE_REFERENCE_SIG:
            return True
        return any(_has_reference(item) for item in fields.values())
    if kind == "list_value":
        return any(_has_reference(item) for item in value.list_value.values)
    return False


def _without_reference(value: struct_pb2.Value) -> struct_pb2.Value:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SECRET_SIG in fields and fields[SECRET_SIG].string_value == RESOURCE_REFERENCE_SIG:
            if "id" in fields:
                return struct_pb2.Value(string_value=fields["id"].string_value or UNKNOWN)
            return struct_pb2.Value(string_value=fields["urn"].string_value)
        rewritten = struct_pb2.Value(struct_value=struct_pb2.Struct())
        for key, item in fields.items():
            rewritten.struct_value.fields[key].CopyFrom(_without_reference(item))
        return rewritten
    if kind == "list_value":
        rewritten = struct_pb2.Value(list_value=struct_pb2.ListValue())
        for item in value.list_value.values:
            rewritten.list_value.values.add().CopyFrom(_without_reference(item))
        return rewritten
    return value


def redact_secrets(value: Any) -> Any:
    """Replace every secret's plaintext with ``[secret]``, keeping the wire marker so readers know it was one."""
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG) == SECRET_VALUE_SIG:
            return {SECRET_SIG: SECRET_VALUE_SIG, "value": "[secret]"}
        return {key: redact_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_secrets(item) for item in value]
    return value


def qualified_type(urn: str) -> str:
    """The ``parent$child`` type chain of a URN."""
    return urn.split("::")[2]


def _package_config(package: str) -> dict[str, Any]:
    """The default provider's inputs: the stack's ``package:*`` config, as the CLI sends it.

    pulumi/pulumi ``pkg/resource/deploy/target.go`` ``GetPackageConfig`` (called by
    ``newRegisterDefaultProviderEvent``): every config key of the package's namespace, by its bare name,
    as the config string, secret when set with ``secure:``. So ``azure-native:location`` reaches a policy as
    the default provider's ``location``, as an explicit provider's ``location`` input does.
    """
    inputs: dict[str, Any] = {}
    for key, value in sorted(CONFIG.get().items()):
        namespace, _, name = key.partition(":")
        if namespace != package or not name or not isinstance(value, str):
            continue
        inputs[name] = {SECRET_SIG: SECRET_VALUE_SIG, "value": value} if is_config_secret(key) else value
    return inputs


class RecordingMonitor(MockMonitor):
    """A mock resource monitor that records registrations faithfully and answers through `Mocks`."""

    def __init__(self, mocks: Mocks, on_register: Callable[[Registration], None] | None = None) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self._by_urn: dict[str, Registration] = {}
        self._lock = threading.Lock()
        self._on_register = on_register
        #: azure-native's Check, applied to every registration before anything else sees its inputs.
        self.check = ProviderCheck(get_config)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN: the parent's full type chain (minus the root stack), then type and name."""
        qualified = type_
        if parent:
            parent_type = qualified_type(parent)
            if parent_type != ROOT_STACK_TYPE:
                qualified = f"{parent_type}${type_}"
        return f"urn:pulumi:{get_stack()}::{get_project()}::{qualified}::{name}"

    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:  # noqa: N802 (gRPC name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == ROOT_STACK_TYPE:
            self._record(self._registration(request, urn, "", struct_pb2.Struct()))
            return resource_pb2.RegisterResourceResponse(urn=urn)
        if request.remote:
            # A multi-language component: another provider's Construct would register its children. Offline
            # nothing can, so the plan would silently miss them.
            raise IncompletePlanError(
                f"{urn}: component {request.type} is built by its provider's Construct (a multi-language "
                "component), which the offline preview cannot run; its children would be missing from the plan. "
                "Preview this program with `pulumi preview` instead.",
                kind="component",
                subject=request.type,
            )
        _ensure_event_loop()
        provider = request.provider or None
        if request.custom and not provider and not request.type.startswith(PROVIDER_TYPE_PREFIX):
            provider = self._default_provider(request.type.split(":")[0], request.version)
        checked = request.object
        if request.custom and not request.type.startswith(PROVIDER_TYPE_PREFIX):
            added = self.check.defaults(urn, request.type, request.name, _top_level(request.object), provider)
            if added:
                checked = struct_pb2.Struct()
                checked.CopyFrom(request.object)
                checked.update(added)
        referenced = without_resource_references(checked)  # as the mocks and the provider's preview both see them
        resource_args = MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=_sentinels(rpc.deserialize_properties(referenced, keep_unknowns=True)),
            provider=provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        resource_id, state = self.mocks.new_resource(resource_args)
        if request.type.startswith(PROVIDER_TYPE_PREFIX) and resource_id:
            self.check.remember_provider(f"{urn}::{resource_id}", _top_level(request.object))
        state_struct = _sync_await(rpc.serialize_properties(state, {}))
        previewed = _previewed_by_provider(request)
        if previewed:
            # What the provider's preview Create answers, secrets marked as the engine marks them: exactly the
            # properties `pulumi preview` sends AnalyzeStack (see `stack_outputs`).
            outputs = preview_state_struct(request.type, referenced, list(request.additionalSecretOutputs))
        else:
            outputs = struct_pb2.Struct()
            outputs.CopyFrom(checked)
            _overlay(outputs, state_struct)
        registration = self._registration(request, urn, resource_id or "", outputs)
        registration.checked_struct = checked if checked is not request.object else None
        registration.provider = provider
        registration.previewed = previewed
        self._record(registration)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=state_struct)

    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:  # noqa: N802 (gRPC name)
        """A component's (or the root stack's) outputs: the CLI sends them to AnalyzeStack, so keep them."""
        with self._lock:
            registration = self._by_urn.get(request.urn)
        if registration is not None and not registration.custom:
            outputs = struct_pb2.Struct()
            outputs.CopyFrom(request.outputs)
            registration.outputs_struct = outputs
        return empty_pb2.Empty()

    async def record_stack_outputs(self, exported: Mapping[str, Any]) -> None:
        """The root stack's exports, as the CLI registers them (RegisterResourceOutputs) for AnalyzeStack.

        Under mocks the SDK never registers them, so the runner hands them over once the program ran.
        """
        struct = await rpc.serialize_properties(dict(exported), {})
        with self._lock:
            roots = [r for r in self.registrations if r.type == ROOT_STACK_TYPE]
        for root in roots:
            root.outputs_struct = struct

    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:  # noqa: N802 (gRPC name)
        """Stack references are answered from their file; any other read of an existing resource cannot be."""
        if request.type != STACK_REFERENCE_TYPE:
            raise IncompletePlanError(
                f"{request.type} '{request.name}' reads an existing resource ({request.id}); the offline preview "
                "cannot read Azure, so its outputs would be invented. Pass the values the program needs as config.",
                kind="read",
                subject=request.type,
            )
        return super().ReadResource(request)

    def _default_provider(self, package: str, version: str) -> str:
        """Register (once) the default provider the engine creates for a package, and return its reference."""
        suffix = (version or "").replace(".", "_").replace("-", "_")
        name = f"default_{suffix}" if suffix else "default"
        urn = f"urn:pulumi:{get_stack()}::{get_project()}::{PROVIDER_TYPE_PREFIX}{package}::{name}"
        provider_id = str(uuid.UUID(hashlib.sha256(urn.encode()).hexdigest()[:32]))
        with self._lock:
            known = urn in self._by_urn
        if not known:
            properties = struct_pb2.Struct()
            properties.update(_package_config(package))
            if version:
                properties.update({"version": version})
            self._record(
                Registration(
                    urn=urn,
                    type=f"{PROVIDER_TYPE_PREFIX}{package}",
                    name=name,
                    parent=None,
                    custom=True,
                    inputs_struct=properties,
                    outputs_struct=properties,
                    id=provider_id,
                    version=version,
                ),
                allow_existing=True,
            )
        return f"{urn}::{provider_id}"

    def _registration(self, request: Any, urn: str, resource_id: str, outputs: struct_pb2.Struct) -> Registration:
        timeouts = request.customTimeouts
        custom_timeouts = (
            {"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete}
            if request.HasField("customTimeouts") and (timeouts.create or timeouts.update or timeouts.delete)
            else None
        )
        for operation, value in (custom_timeouts or {}).items():
            try:
                go_duration_seconds(value)
            except DurationError as error:  # the engine refuses the registration the same way
                raise DurationError(f"{urn}: custom_timeouts.{operation}: {error}") from None
        return Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            custom=bool(request.custom),
            inputs_struct=request.object,
            outputs_struct=outputs,
            id=resource_id,
            dependencies=list(request.dependencies),
            property_dependencies={key: list(value.urns) for key, value in request.propertyDependencies.items()},
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            delete_before_replace_defined=bool(request.deleteBeforeReplaceDefined),
            ignore_changes=list(request.ignoreChanges),
            aliases=[_alias_json(alias) for alias in request.aliases if not _is_sdk_alias(alias)],
            custom_timeouts=custom_timeouts,
            additional_secret_outputs=list(request.additionalSecretOutputs),
            version=request.version,
            source_uri=request.sourcePosition.uri if request.HasField("sourcePosition") else "",
            source_line=request.sourcePosition.line if request.HasField("sourcePosition") else 0,
        )

    def _record(self, registration: Registration, allow_existing: bool = False) -> None:
        with self._lock:
            if registration.urn in self._by_urn:
                if allow_existing:
                    return
                raise DuplicateUrnError(registration.urn)
            self._by_urn[registration.urn] = registration
            self.registrations.append(registration)
        if self._on_register is not None:
            self._on_register(registration)


def _previewed_by_provider(request: Any) -> bool:
    """A custom resource created through its provider in a preview (not a provider, not a stack reference)."""
    return (
        bool(request.custom)
        and is_dry_run()
        and not request.type.startswith(PROVIDER_TYPE_PREFIX)
        and request.type != STACK_REFERENCE_TYPE
    )


def _top_level(struct: struct_pb2.Struct) -> dict[str, Any]:
    """The top-level fields of a wire Struct as plain values (nested structs stay as they are read)."""
    return {key: json_format.MessageToDict(value) for key, value in struct.fields.items()}


def _sentinels(value: Any) -> Any:
    """Unknown values as the wire sentinel, so the mocks can echo them and the SDK reads them as unknown."""
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: _sentinels(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_sentinels(item) for item in value]
    return value


def _overlay(outputs: struct_pb2.Struct, state: struct_pb2.Struct) -> None:
    """Outputs outside a preview: the checked inputs (leaf secret markers and unknowns intact) plus known answers.

    At preview AnalyzeStack gets the provider's preview answer instead (`stack_outputs`). Works on the
    protobuf structs directly: this runs once per resource, on the registration path.
    """
    for key, value in state.fields.items():
        if key not in outputs.fields:
            if not _is_unknown(value):
                outputs.fields[key].CopyFrom(value)
            continue
        current = outputs.fields[key]
        if (
            current.HasField("struct_value")
            and value.HasField("struct_value")
            and SECRET_SIG not in current.struct_value.fields
            and SECRET_SIG not in value.struct_value.fields
        ):
            _overlay(current.struct_value, value.struct_value)


def _is_unknown(value: struct_pb2.Value) -> bool:
    return value.HasField("string_value") and value.string_value == UNKNOWN


def _is_sdk_alias(alias: Any) -> bool:
    """True for the versioned type aliases azure-native attaches to every resource (not the user's)."""
    if alias.WhichOneof("alias") != "spec":
        return False
    spec = alias.spec
    only_type = (
        spec.type and not spec.name and not spec.stack and not spec.project and not spec.parentUrn and not spec.noParent
    )
    return bool(only_type) and spec.type.startswith(_SDK_ALIAS_PACKAGES)


def _alias_json(alias: Any) -> dict[str, Any]:
    if alias.WhichOneof("alias") == "urn":
        return {"urn": alias.urn}
    spec = alias.spec
    result: dict[str, Any] = {}
    for key, value in (("name", spec.name), ("type", spec.type), ("stack", spec.stack), ("project", spec.project)):
        if value:
            result[key] = value
    if spec.parentUrn:
        result["parentUrn"] = spec.parentUrn
    if spec.noParent:
        result["noParent"] = True
    return result
