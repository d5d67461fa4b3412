"""Shared building blocks of the configuration model: the strict base model, field types, waivers.

Sections raise all their cross-field problems at once through `raise_problems`, each at its own
location, so the user sees ``network.spokes[1].subnets[0].cidr`` instead of one message per section.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from landing_zone.regions import REGIONS, lookup_region

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

Location = tuple[str | int, ...]


class Model(BaseModel):
    """Base for every config section: camelCase keys, unknown keys rejected, immutable once valid."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )


def raise_problems(title: str, problems: Sequence[tuple[Location, str]]) -> None:
    """Raise every cross-field problem of a section at once, each at its own relative location.

    Pydantic prefixes these locations with the section's own path.
    """
    if not problems:
        return
    details = [
        InitErrorDetails(type=PydanticCustomError("landing_zone", message), loc=location, input=None)
        for location, message in problems
    ]
    raise ValidationError.from_exception_data(title, details)


def _guid(value: str) -> str:
    if not _GUID.match(value):
        raise ValueError("must be a GUID such as 00000000-0000-0000-0000-000000000000")
    return value.lower()


def _region(value: str) -> str:
    region = lookup_region(value)
    if region is None:
        close = difflib.get_close_matches(value.lower().replace(" ", ""), REGIONS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"'{value}' is not an Azure region{hint}")
    return region.name


def _network(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as error:
        raise ValueError(f"'{value}' is not a valid CIDR block ({error})") from None


Guid = Annotated[str, AfterValidator(_guid)]
RegionName = Annotated[str, AfterValidator(_region)]
Cidr = Annotated[str, AfterValidator(_network)]
ResourceLabel = Annotated[
    str,
    Field(
        pattern=r"^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$",
        description="1-24 lowercase letters, digits and hyphens, starting with a letter",
    ),
]


class Waiver(Model):
    """An explicit, written exception to a HIPAA-driven default. Auditors read the reason."""

    reason: str = Field(min_length=20, description="Why the default does not apply; at least 20 characters.")
    approved_by: str = Field(min_length=3, description="Who accepted the risk (name or role).")
