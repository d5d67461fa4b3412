"""Reading recorded registrations the way the constraint checks need them.

Inputs are the checked inputs (`Registration.checked_inputs`: after the provider's Check and the
packs' remediations, what azure-native sends to Azure) in the wire format a policy pack receives:
camelCase names, numbers as floats, the unknown sentinel for values not known at preview, and secret
envelopes. A check never treats an unknown as a violation (Azure decides on the real value later),
unwraps secrets to compare them but never shows them, and finds the resources an input refers to
through the registration's property dependencies (IDs are usually unknown at preview) or, for a known
ARM ID, through recorded IDs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, Registration

_PATH_PARTS = re.compile(r"\[\]|\{\}|[^.\[\]{}]+")
_VERSIONED_MODULE = re.compile(r"^(azure-native|azure-nextgen):([^:/]+)/v[0-9a-z]+:(.+)$")


def normalize_type(token: str) -> str:
    """``azure-native:storage/v20230101:StorageAccount`` -> ``azure-native:storage:StorageAccount``."""
    match = _VERSIONED_MODULE.match(token)
    if match:
        return f"azure-native:{match.group(2)}:{match.group(3)}"
    return token.replace("azure-nextgen:", "azure-native:", 1) if token.startswith("azure-nextgen:") else token


def normalize_location(location: str) -> str:
    """ARM location names compare without case and spaces: ``East US 2`` is ``eastus2``."""
    return location.replace(" ", "").lower()


@dataclass(frozen=True)
class Value:
    """A known input value; ``secret`` when the program marked it secret."""

    value: Any
    secret: bool = False

    def shown(self) -> str:
        """How a message may show this value: never a secret's plaintext."""
        if self.secret:
            return "[secret]"
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return repr(self.value) if isinstance(self.value, str) else str(self.value)

    @property
    def text(self) -> str | None:
        return self.value if isinstance(self.value, str) else None

    @property
    def number(self) -> float | None:
        if isinstance(self.value, bool):
            return None
        if isinstance(self.value, int | float):
            return float(self.value)
        return None


def unwrap(raw: Any) -> tuple[Any, bool]:
    """Strip secret envelopes: (plain value, was it secret)."""
    secret = False
    while isinstance(raw, Mapping) and raw.get(SECRET_SIG) == SECRET_VALUE_SIG:
        raw, secret = raw.get("value"), True
    return raw, secret


def is_unknown(raw: Any) -> bool:
    return raw == UNKNOWN


def _walk(raw: Any, parts: Sequence[str], prefix: str, secret: bool) -> Iterator[tuple[str, Any, bool]]:
    raw, was_secret = unwrap(raw)
    secret = secret or was_secret
    if not parts:
        yield prefix, raw, secret
        return
    head, rest = parts[0], parts[1:]
    if head == "[]":
        if isinstance(raw, list):
            for index, item in enumerate(raw):
                yield from _walk(item, rest, f"{prefix}[{index}]", secret)
        return
    if head == "{}":
        if isinstance(raw, Mapping):
            for key, item in raw.items():
                yield from _walk(item, rest, f"{prefix}.{key}" if prefix else key, secret)
        return
    if isinstance(raw, Mapping):
        for key, item in raw.items():
            if key == head or key.lower() == head.lower():
                yield from _walk(item, rest, f"{prefix}.{key}" if prefix else key, secret)
                return


def split_path(path: str) -> list[str]:
    """``a.b[].c`` -> ``['a', 'b', '[]', 'c']``; ``tags{}`` -> ``['tags', '{}']``."""
    return [part for part in _PATH_PARTS.findall(path) if part]


@dataclass
class Resource:
    """One registration as the checks read it."""

    registration: Registration
    token: str = field(init=False)

    def __post_init__(self) -> None:
        self.token = normalize_type(self.registration.type)

    @property
    def urn(self) -> str:
        return self.registration.urn

    @cached_property
    def inputs(self) -> dict[str, Any]:
        """What the provider sends to Azure: the inputs after its Check (default location, auto-name, API
        version) and after every policy pack's remediation, which replaces them (`policy` module). Read once
        the packs are done: `engine.preview` runs the constraints last."""
        return self.registration.checked_inputs

    def raw(self, path: str) -> Iterator[tuple[str, Any, bool]]:
        """Every (concrete path, raw value, secret) at ``path``; keys match without case (ARM's JSON is case-insensitive)."""
        yield from _walk(self.inputs, split_path(path), "", False)

    def values(self, path: str) -> Iterator[tuple[str, Value]]:
        """Every known, non-null value at ``path``. Unknowns are skipped: Azure judges them later."""
        for concrete, raw, secret in self.raw(path):
            if raw is None or is_unknown(raw):
                continue
            if isinstance(raw, str) and UNKNOWN in raw:  # interpolated unknown
                continue
            yield concrete, Value(raw, secret)

    def value(self, path: str) -> Value | None:
        for _, found in self.values(path):
            return found
        return None

    def has(self, path: str) -> bool:
        """The property is present (known or unknown, not null)."""
        return any(raw is not None for _, raw, _ in self.raw(path))

    def is_unknown(self, path: str) -> bool:
        return any(is_unknown(raw) or (isinstance(raw, str) and UNKNOWN in raw) for _, raw, _ in self.raw(path))


class Context:
    """Every registration of the run, for checks that span resources, and the date checks judge against."""

    def __init__(self, registrations: Sequence[Registration], today: Any) -> None:
        self.resources = [Resource(registration) for registration in registrations]
        self.by_urn = {resource.urn: resource for resource in self.resources}
        self.today = today
        self._by_id: dict[str, Resource] = {}
        for resource in self.resources:
            resource_id = resource.registration.id
            if resource_id and resource_id != UNKNOWN and resource_id.startswith("/"):
                self._by_id[resource_id.lower()] = resource

    def referenced(self, resource: Resource, prop: str, *tokens: str) -> list[Resource]:
        """Resources the input ``prop`` (top-level name) of ``resource`` refers to, optionally of ``tokens``.

        Through property dependencies (what the SDK records when an input comes from another
        resource's output) and through known ARM IDs that match a recorded resource's ID.
        """
        found: list[Resource] = []
        for key, urns in resource.registration.property_dependencies.items():
            if key.lower() != prop.lower():
                continue
            for urn in urns:
                other = self.by_urn.get(urn)
                if other is not None and other not in found:
                    found.append(other)
        for _, value in resource.values(prop):
            for text in _strings(value.value):
                other = self._by_id.get(text.lower())
                if other is not None and other not in found:
                    found.append(other)
        if tokens:  # without case, as `Constraint.applies_to` matches the resource itself
            wanted = {token.lower() for token in tokens}
            found = [other for other in found if other.token.lower() in wanted]
        return found

    def location(self, resource: Resource) -> str | None:
        """The resource's known region (normalized), from its input or its resource group's; None if unknown or global."""
        value = resource.value("location")
        if value is not None and value.text:
            location = normalize_location(value.text)
            return None if location == "global" else location
        if resource.has("location"):
            return None  # present but unknown at preview
        for group in self.referenced(resource, "resourceGroupName", "azure-native:resources:ResourceGroup"):
            group_location = group.value("location")
            if group_location is not None and group_location.text:
                return normalize_location(group_location.text)
        return None


def _strings(value: Any) -> Iterator[str]:
    value, _ = unwrap(value)
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
