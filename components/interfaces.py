"""The optional interfaces every component shares, in the spirit of Azure Verified Modules.

Users learn one shape once: a `lock`, `tags`, and (in later components) `diagnostics`,
`private_endpoint`, `customer_managed_key` and `role_assignments`. A component never creates the
shared thing an interface points to; it takes its ID.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from landing_zone.errors import ConfigError, Problem, format_location


class StrictArgs(BaseModel):
    """Base for component arguments: unknown fields are errors, values are immutable once validated.

    Pulumi inputs that may be outputs of other resources are typed ``Any`` (pydantic cannot
    inspect an Output); every hardening setting is a plain literal so the policy pack sees it at
    preview.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Waiver(StrictArgs):
    """A written reason for weakening a secure default. It is recorded on the resource's tags."""

    reason: str = Field(min_length=20, description="Why the default does not fit; at least 20 characters.")


class LockArgs(StrictArgs):
    """A management lock on a stateful resource. ``CanNotDelete`` by default.

    Removing the lock takes ``lock=None`` plus a `Waiver` on the component, so it never happens silently.
    """

    kind: Literal["CanNotDelete", "ReadOnly"] = "CanNotDelete"
    notes: str = Field(
        default="Holds or protects PHI. Remove only through change control; see the landing-zone runbook.",
        max_length=512,
    )


ArgsT = TypeVar("ArgsT", bound=StrictArgs)


def validate_args(model: type[ArgsT], component: str, values: Mapping[str, Any]) -> ArgsT:
    """Validate component arguments before anything is registered; raise ConfigError naming each field."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as error:
        problems = [
            Problem(format_location(tuple(item["loc"])), item["msg"].removeprefix("Value error, "))
            for item in error.errors(include_url=False)
        ]
        raise ConfigError(problems, source=component) from None
