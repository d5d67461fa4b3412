"""Drift: a property the program set whose deployed value differs (someone changed it in the portal or the CLI).

For every custom resource of the export, each input property that also appears in the outputs is
compared, recursively, with what Azure returned at the last update or refresh. Comparison is
forgiving where Azure is: strings compare without case (enum values, resource IDs and locations come
back in another case; ``East US 2`` is ``eastus2``), numbers as numbers (``"30"`` is ``30``), lists of
scalars as sets, and a list of IDs against the ID-keyed object azure-native returns for
``userAssignedIdentities``. Shapes the provider maps differently (an object input with a scalar output)
are not compared. Paths in the resource's ``ignoreChanges`` are skipped (the program chose to let them
move), and so are inputs the classic provider filled with its defaults (``__defaults``). Secrets
compare by presence only; their values were never read (`export.to_wire`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from landing_zone.audit.export import ExportedResource, is_secret
from landing_zone.preview.recorder import PROVIDER_TYPE_PREFIX, SECRET_SIG, UNKNOWN
from landing_zone.preview.redact import MASK, is_secret_property, one_line

#: ``sig.ResourceReference``: a reference to another resource; its identity, not a setting.
_RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
#: Longest value shown in a drift message; longer values are cut (messages stay one line).
_SHOWN = 80


@dataclass(frozen=True)
class Drift:
    """One property whose deployed value is not the value the program set."""

    urn: str
    type: str
    #: Dotted path with list indexes: ``networkRuleSet.defaultAction``, ``properties.accessPolicies[0]``.
    property: str
    #: The program's value and the deployed value as shown to people: masked when secret, cut when long.
    expected: str
    actual: str

    @property
    def message(self) -> str:
        return (
            f"{self.property} is {self.actual} in Azure but the program sets {self.expected}: changed outside "
            "Pulumi. Find who changed it (activity log); then restore it with `pulumi up`, or, if the change "
            "is wanted, make it in the program"
        )

    def to_json(self) -> dict[str, str]:
        return {
            "urn": self.urn,
            "type": self.type,
            "property": self.property,
            "expected": self.expected,
            "actual": self.actual,
        }


def find_drift(resource: ExportedResource) -> list[Drift]:
    """Every drifted property of one deployed resource (none for components, providers and the stack)."""
    registration = resource.registration
    if not registration.custom or registration.type.startswith(("pulumi:", PROVIDER_TYPE_PREFIX)):
        return []
    ignored = [_normal_path(path) for path in resource.ignore_changes]
    # The classic provider's bridge lists in ``__defaults`` the inputs it filled with a default: the program
    # never set them. Internal keys (``__createBeforeDelete``, ``__defaults``) are not settings.
    defaults = resource.inputs.get("__defaults")
    skipped = {str(key) for key in defaults if isinstance(key, str)} if isinstance(defaults, list) else set()
    inputs = {key: value for key, value in resource.inputs.items() if not key.startswith("__") and key not in skipped}
    return [
        Drift(registration.urn, registration.type, path, expected, actual)
        for path, expected, actual in _compare(inputs, resource.outputs, "", ignored)
    ]


def _normal_path(path: str) -> str:
    """``ignoreChanges`` entries as dotted paths: ``properties["x"]`` and ``tags.a`` alike, without case."""
    return path.replace('["', ".").replace('"]', "").replace("['", ".").replace("']", "").casefold()


def _is_ignored(path: str, ignored: list[str]) -> bool:
    folded = path.casefold()
    return any(folded == item or folded.startswith((item + ".", item + "[")) for item in ignored)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compare(expected: Any, actual: Any, path: str, ignored: list[str]) -> Iterator[tuple[str, str, str]]:
    """(path, expected text, actual text) for each difference under ``path``."""
    if path and _is_ignored(path, ignored):
        return
    if expected is None or _unknowable(expected) or _unknowable(actual):
        return  # unset by the program, a secret (presence only), or unknown: nothing to compare
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        folded = {str(key).casefold(): key for key in actual}
        for key, value in expected.items():
            match = key if key in actual else folded.get(str(key).casefold())
            if match is not None:
                yield from _compare(value, actual[match], _join(path, str(key)), ignored)
        return
    if isinstance(expected, list) and isinstance(actual, Mapping):
        # azure-native: userAssignedIdentities is a list of IDs in, an object keyed by ID out
        strings = all(isinstance(item, str) for item in expected)
        if strings and {item.casefold() for item in expected} != {str(key).casefold() for key in actual}:
            yield path, _show(path, sorted(expected)), _show(path, sorted(map(str, actual)))
        return
    if isinstance(expected, list) and isinstance(actual, list):
        yield from _compare_lists(expected, actual, path, ignored)
        return
    if isinstance(expected, Mapping | list) or isinstance(actual, Mapping | list):
        return  # a shape the provider maps differently: not comparable
    if actual is None or not _same_scalar(expected, actual, path):
        yield path, _show(path, expected), _show(path, actual)


def _compare_lists(
    expected: list[Any], actual: list[Any], path: str, ignored: list[str]
) -> Iterator[tuple[str, str, str]]:
    scalars = not any(isinstance(item, Mapping | list) for item in [*expected, *actual])
    if scalars:  # Azure may return address prefixes, IP rules, zones in another order
        if any(_unknowable(item) for item in [*expected, *actual]):
            return
        if sorted(_scalar_key(path, item) for item in expected) != sorted(_scalar_key(path, item) for item in actual):
            yield path, _show(path, expected), _show(path, actual)
        return
    if len(expected) != len(actual):
        yield path, f"{len(expected)} item(s)", f"{len(actual)} item(s)"
        return
    for index, (want, have) in enumerate(zip(expected, actual, strict=True)):
        yield from _compare(want, have, f"{path}[{index}]", ignored)


def _unknowable(value: Any) -> bool:
    """A secret (compared by presence), an unknown, or a reference to another resource."""
    if value == UNKNOWN or is_secret(value):
        return True
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == _RESOURCE_REFERENCE_SIG


def _scalar_key(path: str, value: Any) -> str:
    """A scalar as compared: case-folded text, numbers as numbers, booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(float(value))
    text = str(value).strip().casefold()
    if path.rsplit(".", 1)[-1].casefold() == "location":
        text = text.replace(" ", "")  # Azure answers "eastus2" for "East US 2"
    try:
        number = float(text)
    except ValueError:
        return text
    return repr(number) if math.isfinite(number) else text


def _same_scalar(expected: Any, actual: Any, path: str) -> bool:
    return _scalar_key(path, expected) == _scalar_key(path, actual)


def _show(path: str, value: Any) -> str:
    """A value for a message: masked under a credential's name, on one line, cut when long."""
    if any(is_secret_property(part.split("[", 1)[0]) for part in path.split(".") if part):
        return MASK
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = one_line(text)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


__all__ = ["Drift", "find_drift"]
