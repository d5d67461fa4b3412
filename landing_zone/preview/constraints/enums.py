"""Enum inputs checked against the azure-native SDK's own enums, without case.

The enums are not listed here: they are discovered from the installed ``pulumi_azure_native``
package, walking a resource's ``<Resource>Args`` input type and its nested input types
(``pulumi._types.input_type_types``) to every property typed with an ``Enum`` from the module's
``_enums.py``. ARM compares enum values without case, so ``standard_lrs`` passes and ``StorageV3``
does not. A type the SDK does not know is skipped.
"""

from __future__ import annotations

import collections.abc
import enum
import importlib
import typing
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from pulumi import _types as pulumi_types

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource

REFERENCE = "https://learn.microsoft.com/rest/api/azure/"
_MAX_DEPTH = 8


def _leaves(annotation: Any, suffix: str = "") -> Iterator[tuple[str, Any]]:
    """(path suffix, leaf type) for an annotation: unions, awaitables and outputs unwrapped, lists as '[]', maps as '{}'."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union or origin in (collections.abc.Awaitable,) or getattr(origin, "__name__", "") == "Output":
        for arg in args:
            yield from _leaves(arg, suffix)
    elif origin in (list, collections.abc.Sequence):
        for arg in args:
            yield from _leaves(arg, suffix + "[]")
    elif origin in (dict, collections.abc.Mapping):
        if len(args) == 2:
            yield from _leaves(args[1], suffix + "{}")
    elif isinstance(annotation, type):
        yield suffix, annotation


@cache
def _enum_paths(cls: type, depth: int = 0) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(wire path, allowed values) for every enum-typed input reachable from an input type."""
    found: list[tuple[str, tuple[str, ...]]] = []
    if depth > _MAX_DEPTH:
        return ()
    try:
        types = pulumi_types.input_type_types(cls)
    except Exception:  # an SDK class whose hints don't resolve: skip it, never fail the preview
        return ()
    for name, annotation in types.items():
        for suffix, leaf in _leaves(annotation):
            path = name + suffix
            if issubclass(leaf, enum.Enum):
                values = tuple(str(member.value) for member in leaf if isinstance(member.value, str))
                if values:
                    found.append((path, values))
            elif pulumi_types.is_input_type(leaf) and leaf is not cls:
                found.extend((f"{path}.{inner}", values) for inner, values in _enum_paths(leaf, depth + 1))
    return tuple(dict(found).items())


@cache
def enum_paths_for(token: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The enum inputs of an azure-native resource type token (normalized, no API version)."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "azure-native":
        return ()
    try:
        module = importlib.import_module(f"pulumi_azure_native.{parts[1].replace('/', '.')}")
    except ImportError:
        return ()
    # A resource whose name collides with a nested input type has its arguments in ``<Name>InitArgs``.
    args_class = getattr(module, f"{parts[2]}InitArgs", None) or getattr(module, f"{parts[2]}Args", None)
    if not isinstance(args_class, type) or not pulumi_types.is_input_type(args_class):
        return ()
    return _enum_paths(args_class)


def _check(resource: Resource, context: Context) -> Iterator[Finding]:
    for path, allowed in enum_paths_for(resource.token):
        lowered = {value.lower() for value in allowed}
        for prop, value in resource.values(path):
            if value.text is None or value.text.lower() in lowered:
                continue
            yield Finding(prop, f"{value.shown()} is not one of the values the API accepts: {', '.join(allowed)}")


def enum_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="enum.sdk-values",
        title="Enum inputs take one of the API's values (compared without case)",
        reference=REFERENCE,
        types=frozenset(),
        check=_check,
    )
