"""What the azure-native provider does to a resource before Azure sees it: ``Check`` and preview ``Create``.

Under ``pulumi preview`` the engine sends every resource through its provider's ``Check`` and hands
the *checked* inputs to the policy pack; the mocks of the Python SDK skip that step. So, offline, a
resource that takes its region from ``azure-native:location`` had no ``location`` and a data-residency
policy passed it. This module applies what azure-native's ``Check`` applies
(pulumi-azure-native ``provider/pkg/provider/provider.go``: ``applyDefaults``, ``getDefaultLocation``,
``getDefaultName``):

- **auto-name**: a resource whose name input is not set gets one: the logical name plus 8 random
  characters, or a GUID for types named by GUID (role assignments); randomly named resources also get
  ``__createBeforeDelete: true``;
- **location**: a resource with a ``location`` input and none given gets, in this order, the
  provider's configured location (an explicit provider's ``location`` input, else the stack's
  ``azure-native:location``), else its resource group's location: unknown while the group's name is
  unknown (a group the program creates, named from its output), the group's location when the
  program creates that group under that literal name, unknown for a group outside the program (the
  CLI would read it from Azure). A resource group with no location from either source fails, as
  ``Check`` does: "missing required property 'location'";
- **azureApiVersion**: the API version the SDK's resource type uses.

The classic ``azure`` provider (pulumi-azure, a Terraform bridge) has a Check of its own, applied by
``ProviderCheck.classic_defaults`` and documented there: only the default ``location``.

It also computes what azure-native's preview ``Create`` returns (``convert.PreviewOutputs``): every
output the type declares, echoed from the input of the same name when there is one (and of the right
shape), unknown otherwise, nested objects alike; a property the schema fixes to a constant is that
constant. ``name`` and ``id`` are therefore unknown at preview
unless the type's name input is itself called ``name``.

Everything here reads the installed azure-native Python SDK (its resource, args and output classes),
so it follows the SDK version the program runs with, and knows nothing of our components.
"""

from __future__ import annotations

import collections.abc
import functools
import hashlib
import importlib
import inspect
import re
import sys
import typing
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime import rpc

UNKNOWN = rpc.UNKNOWN
SECRET_SIG = rpc._special_sig_key
PACKAGE = "azure-native"
_SDK_ROOT = "pulumi_azure_native"
#: Config key of the provider's default location, and its explicit providers' input of the same meaning.
LOCATION_CONFIG_KEY = "azure-native:location"
#: The classic provider (pulumi-azure): its package, SDK, location config key and resource-group token.
CLASSIC_PACKAGE = "azure"
_CLASSIC_SDK_ROOT = "pulumi_azure"
CLASSIC_LOCATION_CONFIG_KEY = "azure:location"
CLASSIC_RESOURCE_GROUP = "azure:core/resourceGroup:ResourceGroup"
#: Set by Check on a resource it named randomly, so a replacement is created before the old one is deleted.
CREATE_BEFORE_DELETE_FLAG = "__createBeforeDelete"
#: Types azure-native names with a GUID (``AutoNameUuid``) rather than name plus random suffix.
_GUID_NAMED = frozenset({"authorization:RoleAssignment", "authorization:RoleDefinition"})
#: Name inputs for types where the SDK alone does not say which input is the resource's own name.
_NAME_INPUTS = {
    "monitor:DiagnosticSetting": "name",
    "resources:ResourceGroup": "resourceGroupName",
    "managedidentity:UserAssignedIdentity": "resourceName",
}
_API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)")
_MISSING_LOCATION = (
    "missing required property 'location'. Either set it explicitly or configure it with "
    "'pulumi config set azure-native:location <value>'."
)


class ProviderCheckError(Exception):
    """The provider's Check refused a resource (as ``pulumi preview`` would, before any policy runs)."""

    def __init__(self, urn: str, reason: str) -> None:
        super().__init__(f"{urn}: {reason}")
        self.urn = urn
        self.reason = reason


@dataclass(frozen=True)
class SdkResource:
    """What the installed SDK says about one azure-native resource type."""

    token: str
    package: str  # the Python package holding the type, e.g. ``pulumi_azure_native.storage``
    inputs: frozenset[str]
    required: frozenset[str]
    outputs: Mapping[str, Any]  # wire name -> return annotation of the output getter
    api_version: str | None
    name_input: str | None
    guid_named: bool
    #: Outputs the schema declares ``const`` (the SDK documents them "Expected value is '<x>'"): preview
    #: Create answers the constant whatever the inputs.
    consts: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_location(self) -> bool:
        return "location" in self.inputs and "location" in self.outputs


def module_type(token: str) -> str:
    """``azure-native:keyvault/v20230701:Vault`` -> ``keyvault:Vault``."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    return f"{parts[1].split('/')[0]}:{parts[2]}"


@functools.cache
def sdk_resource(token: str) -> SdkResource | None:
    """The SDK's description of ``token``, or None when the type is not an azure-native SDK resource."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != PACKAGE:
        return None
    module_path, _, version = parts[1].partition("/")
    package = f"{_SDK_ROOT}.{module_path}" + (f".{version}" if version else "")
    try:
        module = sys.modules.get(package) or importlib.import_module(package)
        cls = getattr(module, parts[2])
    except (ImportError, AttributeError):
        return None
    source_module = inspect.getmodule(cls)
    # ``<Type>InitArgs`` where the package also has an input type called ``<Type>Args`` (network.Subnet).
    args_class = getattr(source_module, f"{parts[2]}InitArgs", None) or getattr(source_module, f"{parts[2]}Args", None)
    inputs: dict[str, str] = {}  # python name -> wire name
    if args_class is not None:
        for attribute, member in vars(args_class).items():
            wire = getattr(getattr(member, "fget", None), "_pulumi_name", None)
            if isinstance(member, property) and wire:
                inputs[attribute] = wire
    try:
        init_source = inspect.getsource(cls._internal_init)
    except (OSError, TypeError, AttributeError):
        init_source = ""
    required = frozenset(
        inputs.get(name, name) for name in re.findall(r"Missing required property '(\w+)'", init_source)
    )
    getters = [
        member.fget
        for member in vars(cls).values()
        if isinstance(member, property) and getattr(member.fget, "_pulumi_name", None)
    ]
    outputs = {getter._pulumi_name: getter.__annotations__.get("return") for getter in getters}
    consts = {getter._pulumi_name: const for getter in getters if (const := _const(getter)) is not None}
    return SdkResource(
        token,
        package,
        frozenset(inputs.values()),
        required,
        outputs,
        _api_version(version, source_module),
        _name_input(module_type(token), parts[2], frozenset(inputs.values()), required),
        module_type(token) in _GUID_NAMED,
        consts,
    )


_CONST = re.compile(r"Expected value is '([^']*)'\.")


def _const(getter: Any) -> str | None:
    """The constant a schema property is fixed to, as the SDK's generated docstring states it."""
    found = _CONST.search(getter.__doc__ or "")
    return found[1] if found else None


def _api_version(version: str, module: Any) -> str | None:
    """A versioned token carries its API version (``v20230701``); the default module documents it."""
    match = re.fullmatch(r"v(\d{4})(\d{2})(\d{2})(preview)?", version)
    if match:
        return f"{match[1]}-{match[2]}-{match[3]}" + ("-preview" if match[4] else "")
    try:
        found = _API_VERSION.search(inspect.getsource(module))
    except (OSError, TypeError):
        return None
    return found[1] if found else None


def _name_input(module_token: str, class_name: str, inputs: frozenset[str], required: frozenset[str]) -> str | None:
    """The input Check auto-names: an optional ``<x>Name`` whose ``<x>`` is part of the type's name.

    Parents' names (``resourceGroupName``, ``vaultName`` of a key) are required, so they never match.
    """
    if module_token in _NAME_INPUTS:
        return _NAME_INPUTS[module_token]
    lowered = class_name.lower()
    candidates = [
        name
        for name in inputs
        if name.endswith("Name")
        and name not in required
        and name != "resourceGroupName"
        and len(name) > 4
        and name[:-4].lower() in lowered
    ]
    if candidates:
        return max(candidates, key=len)
    return "name" if "name" in inputs and "name" not in required else None


@dataclass
class ProviderCheck:
    """Applies azure-native's Check to each registration, remembering what later resources need.

    ``config`` reads stack config lazily (the SDK's runtime config, set before the program runs).
    """

    config: typing.Callable[[str], str | None]
    #: physical resource-group name -> its checked location (or UNKNOWN), for groups the program creates.
    groups: dict[str, Any] = field(default_factory=dict)
    #: explicit provider reference (``urn::id``) -> its ``location`` input.
    provider_locations: dict[str, Any] = field(default_factory=dict)

    def remember_provider(self, reference: str, inputs: Mapping[str, Any]) -> None:
        """An explicit provider: its ``location`` input is its resources' default location."""
        if inputs.get("location") not in (None, ""):
            self.provider_locations[reference] = inputs["location"]

    def defaults(
        self, urn: str, token: str, name: str, inputs: Mapping[str, Any], provider: str | None
    ) -> dict[str, Any]:
        """The top-level inputs Check adds to ``inputs`` (wire format, unknowns as the sentinel)."""
        if token.startswith(f"{CLASSIC_PACKAGE}:"):
            return self.classic_defaults(token, inputs, provider)
        resource = sdk_resource(token)
        if resource is None:
            return {}
        added: dict[str, Any] = {}
        if resource.name_input and _absent(inputs, resource.name_input):
            added[resource.name_input] = _stable_guid(urn) if resource.guid_named else f"{name}{_stable_suffix(urn)}"
            added[CREATE_BEFORE_DELETE_FLAG] = True
        if resource.has_location and _absent(inputs, "location"):
            location = self._default_location(urn, token, {**inputs, **added}, provider)
            if location is not None:
                added["location"] = location
        if resource.api_version and _absent(inputs, "azureApiVersion"):
            added["azureApiVersion"] = resource.api_version
        if module_type(token) == "resources:ResourceGroup":
            group = {**inputs, **added}
            name_value = group.get("resourceGroupName")
            if isinstance(name_value, str) and name_value != UNKNOWN:
                self.groups[name_value.lower()] = group.get("location", UNKNOWN)
        return added

    def _default_location(self, urn: str, token: str, inputs: Mapping[str, Any], provider: str | None) -> Any:
        configured = self._provider_location(provider, LOCATION_CONFIG_KEY)
        if configured is not None:
            return configured
        group = inputs.get("resourceGroupName")
        if module_type(token) == "resources:ResourceGroup":
            raise ProviderCheckError(urn, _MISSING_LOCATION)  # a new group cannot be looked up in Azure
        if group is None:
            return None
        if not isinstance(group, str) or group == UNKNOWN:
            return UNKNOWN
        return self.groups.get(group.lower(), UNKNOWN)

    def classic_defaults(self, token: str, inputs: Mapping[str, Any], provider: str | None) -> dict[str, Any]:
        """The ``location`` pulumi-azure's Check fills in, exactly where the bridge fills it.

        pulumi-azure ``provider/resources.go`` at commit a1c2bdf5b7a08c2f0065a9c2f5810d4bc1553c7b (2026-07-24):

        - ``azurerm_resource_group`` (``azure:core/resourceGroup:ResourceGroup``): its ``location`` field has
          ``Default: {Config: "location"}``: the provider's ``location`` config (an ``ExtraConfig`` entry,
          so the SDK's ``Provider`` resource has no such input and only the default provider, configured
          from the stack's ``azure:location``, has one; the bridge also defaults it from the
          ``ARM_LOCATION`` environment variable, which the offline preview does not read). No other
          resource reads that config. A group left with no location fails the bridge's Check (Terraform
          requires it); offline it is left without one, for the pack to see.
        - every other resource whose Terraform schema has an optional or required ``location`` (and no field
          override) gets ``Default: {From: defaultAzureLocation(...)}``: no ``resourceGroupName`` input -> no
          default; ``resourceGroupName`` unknown (an output of a resource not yet created) -> unknown; a
          string -> the group is imported and refreshed *from Azure* by that name and its location returned
          normalised (``location.Normalize``: lower case, spaces removed), memoised per name; a group Azure
          does not have -> unknown.

        Offline there is no Azure, so a group the program creates under that literal name stands for the
        one Azure will hold (its location normalised as Azure answers it; on a first ``pulumi preview`` the
        group does not exist yet and the CLI shows unknown); any other group -> unknown. Never a guess.
        Whether a type takes ``location`` is read from its args class in the installed ``pulumi_azure`` SDK.
        """
        if token == CLASSIC_RESOURCE_GROUP:
            location = inputs.get("location")
            if location is None:
                location = self._provider_location(provider, CLASSIC_LOCATION_CONFIG_KEY)
            name = inputs.get("name")
            if isinstance(name, str) and name != UNKNOWN:
                self.groups[name.lower()] = location if location is not None else UNKNOWN
            return {"location": location} if location is not None and _absent(inputs, "location") else {}
        if not _absent(inputs, "location") or not classic_takes_location(token):
            return {}
        group = inputs.get("resourceGroupName")
        if group is None:
            return {}
        known = self.groups.get(group.lower(), UNKNOWN) if isinstance(group, str) and group != UNKNOWN else UNKNOWN
        return {"location": known.lower().replace(" ", "") if isinstance(known, str) and known != UNKNOWN else UNKNOWN}

    def _provider_location(self, provider: str | None, config_key: str) -> Any:
        """An explicit provider's ``location`` input, else (default provider only) the stack config's."""
        if provider and provider in self.provider_locations:
            return self.provider_locations[provider]
        if not provider or _is_default(provider):  # stack config configures the default provider only
            return self.config(config_key) or None
        return None


@functools.cache
def classic_takes_location(token: str) -> bool:
    """Whether the classic SDK's args class for ``token`` has a ``location`` input (False when unknown).

    Every classic token ``azure:<module>/<resource>:<Class>`` lives in ``pulumi_azure.<module lower-cased>``
    (so its ``_utilities.register`` table says for all of them).
    """
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != CLASSIC_PACKAGE:
        return False
    package = f"{_CLASSIC_SDK_ROOT}.{parts[1].split('/')[0].lower()}"
    try:
        module = sys.modules.get(package) or importlib.import_module(package)
        args_class = getattr(inspect.getmodule(getattr(module, parts[2])), f"{parts[2]}Args")
    except (ImportError, AttributeError):
        return False
    return any(
        isinstance(member, property) and getattr(member.fget, "_pulumi_name", None) == "location"
        for member in vars(args_class).values()
    )


def _is_default(provider: str) -> bool:
    """A default provider's reference: ``urn:...::pulumi:providers:<package>::default[_x_y_z]::<id>``."""
    name = provider.rsplit("::", 2)[-2] if provider.count("::") >= 2 else ""
    return name == "default" or name.startswith("default_")


def _absent(inputs: Mapping[str, Any], key: str) -> bool:
    """``!news.HasValue(key)``: missing or null. An unknown value counts as present."""
    return inputs.get(key) is None


def _stable_suffix(urn: str) -> str:
    """Eight characters in place of Check's random suffix: derived from the URN so runs are repeatable."""
    return hashlib.sha256(urn.encode()).hexdigest()[:8]


def _stable_guid(urn: str) -> str:
    return str(uuid.UUID(hashlib.sha256(f"guid::{urn}".encode()).hexdigest()[:32]))


# --- preview Create: the outputs azure-native returns before anything exists ------------------------------


def preview_outputs(token: str, inputs: Mapping[str, Any]) -> dict[str, Any] | None:
    """``PreviewOutputs``: each declared output echoed from its input when of the right shape, else unknown.

    Returns None for a type the SDK does not describe (the caller decides what to do).
    """
    resource = sdk_resource(token)
    if resource is None:
        return None
    return {
        wire: resource.consts[wire]
        if wire in resource.consts
        else _preview_value(inputs[wire], annotation, resource.package)
        if wire in inputs
        else UNKNOWN
        for wire, annotation in resource.outputs.items()
    }


def _unwrap(annotation: Any) -> Any:
    """Strip ``Output[...]`` and ``Optional[...]`` from a getter's annotation."""
    while True:
        origin = typing.get_origin(annotation)
        arguments = [item for item in typing.get_args(annotation) if item is not type(None)]
        if (origin is typing.Union and len(arguments) == 1) or (
            origin is not None and getattr(origin, "__name__", "") == "Output" and arguments
        ):
            annotation = arguments[0]
        else:
            return annotation


def _output_class(annotation: Any, package: str) -> Any:
    """``outputs.VaultPropertiesResponse`` (a forward reference or a string) as the class, else None."""
    name = annotation.__forward_arg__ if isinstance(annotation, typing.ForwardRef) else annotation
    if not isinstance(name, str) or not name.startswith("outputs."):
        return None
    module = sys.modules.get(f"{package}.outputs")
    return getattr(module, name.removeprefix("outputs."), None) if module is not None else None


def _preview_value(value: Any, annotation: Any, package: str) -> Any:  # noqa: PLR0911 (one branch per shape)
    if isinstance(value, str) and value == UNKNOWN:
        return UNKNOWN
    if isinstance(value, Mapping) and SECRET_SIG in value:
        return {**value, "value": _preview_value(value.get("value"), annotation, package)}
    annotation = _unwrap(annotation)
    if annotation is Any or annotation is None:
        return value
    if annotation in (str, bool, int, float):
        expected = (int, float) if annotation in (int, float) else annotation
        ok = isinstance(value, expected) and (annotation is bool or not isinstance(value, bool))
        return value if ok else UNKNOWN
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin in (list, collections.abc.Sequence):
        if not isinstance(value, list):
            return UNKNOWN
        return [_preview_value(item, arguments[0] if arguments else Any, package) for item in value]
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            return UNKNOWN
        inner = arguments[1] if len(arguments) == 2 else Any
        return {key: _preview_value(item, inner, package) for key, item in value.items()}
    output_class = _output_class(annotation, package)
    if output_class is not None:
        if not isinstance(value, Mapping):
            return UNKNOWN
        return _preview_object(output_class, value, package)
    return value if isinstance(value, (str, bool, int, float)) else UNKNOWN


def _preview_object(output_class: Any, value: Mapping[str, Any], package: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for member in vars(output_class).values():
        wire = getattr(getattr(member, "fget", None), "_pulumi_name", None)
        if not isinstance(member, property) or not wire:
            continue
        annotation = member.fget.__annotations__.get("return")
        const = _const(member.fget)
        if const is not None:
            result[wire] = const
        else:
            result[wire] = _preview_value(value[wire], annotation, package) if wire in value else UNKNOWN
    return result


__all__ = [
    "CLASSIC_LOCATION_CONFIG_KEY",
    "CREATE_BEFORE_DELETE_FLAG",
    "LOCATION_CONFIG_KEY",
    "ProviderCheck",
    "ProviderCheckError",
    "SdkResource",
    "classic_takes_location",
    "module_type",
    "preview_outputs",
    "sdk_resource",
]
