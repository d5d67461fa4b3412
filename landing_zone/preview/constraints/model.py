"""The shapes of the constraint catalog: an entry, what a check reports, and the rejection a preview shows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from landing_zone.preview.constraints.wire import Context, Resource


@dataclass(frozen=True)
class Finding:
    """One thing a check found wrong: the input property (dotted wire path) and why Azure refuses it.

    A message names values only when they are not secret (checks use ``Value.shown``).
    """

    property: str
    message: str


@dataclass(frozen=True)
class AzureRejection:
    """A registration Azure Resource Manager or the azure-native provider would refuse."""

    urn: str
    property: str
    constraint: str
    message: str
    reference: str

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "property": self.property,
            "constraint": self.constraint,
            "message": self.message,
            "reference": self.reference,
        }


Check = Callable[["Resource", "Context"], Iterable[Finding]]


@dataclass(frozen=True)
class Constraint:
    """One catalog entry: a stable id, what it enforces, where Microsoft documents it, and its check.

    ``types`` are normalized type tokens (no API version) the check applies to, compared without case;
    an empty set means every resource type (the SDK enum check). Cross-resource checks read other registrations through
    the ``Context``. ``examples`` (accepted, rejected) are data for the catalog's own tests when the
    entry comes from a data table; code entries keep theirs in tests/test_constraints.py.
    """

    id: str
    title: str
    reference: str
    types: frozenset[str]
    check: Check
    examples: tuple[Any, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lowered", frozenset(token.lower() for token in self.types))

    def applies_to(self, token: str) -> bool:
        """Type tokens match without case (``azure-native:network:PublicIpAddress`` is ``...:PublicIPAddress``)."""
        return not self.types or token.lower() in self._lowered  # type: ignore[attr-defined]
