"""Shared building blocks of the configuration model: the strict base model, field types, waivers.

Sections raise all their cross-field problems at once through `raise_problems`, each at its own
location, so the user sees ``network.spokes[1].subnets[0].cidr`` instead of one message per section.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
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

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        """Refuse control characters anywhere in a setting (before whitespace is stripped).

        A NUL, newline, escape sequence or bidirectional override in a name, prefix or tag ends up in
        Azure resource names, in tags every Reader sees, and in reports and terminals. A section that
        is itself a model checks its own fields, so the error lands on the exact key.
        """
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and _holds_model(field.annotation):
            return value
        problem = control_character_problem(value)
        if problem:
            raise ValueError(problem)
        return value


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


def _holds_model(annotation: Any) -> bool:
    """True for a model type, or a list/optional/union of one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(argument) for argument in get_args(annotation))


#: Bidirectional formatting characters ("Trojan Source"): they reorder what a reviewer reads.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def control_character_problem(value: Any, where: str = "") -> str | None:
    """What is wrong with the first control character in a string, or in the strings of a mapping or list.

    Nested mappings are left to the model that validates them, so the error lands on the exact key.
    """
    if isinstance(value, str):
        for index, char in enumerate(value):
            if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
                place = f"{where} " if where else ""
                return (
                    f"{place}contains the control character U+{ord(char):04X} at position {index}; names, "
                    "prefixes, tags and other settings must be printable text on one line"
                )
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = control_character_problem(key, "a key")
            if problem is None and isinstance(item, (str, list, tuple)):
                problem = control_character_problem(item, f"'{key}'")
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if isinstance(item, str):
                problem = control_character_problem(item, f"item {index}")
                if problem:
                    return problem
    return None


class DuplicateKeyError(ValueError):
    """A JSON object names the same key twice (JSON parsers silently keep the last one)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key '{key}' appears twice in one object; keep exactly one")
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads_json_strictly(text: str) -> Any:
    """JSON with duplicate keys and NaN/Infinity refused (`DuplicateKeyError`, ValueError), as YAML 1.2 is."""
    return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)


def _finite_positive(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise ValueError("must be a finite number above 0 (not inf, nan, zero or negative)")
    return value


#: Address blocks for private networks (RFC 1918), the ranges Azure recommends for virtual networks
#: (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, "What address ranges can I use
#: in my virtual networks?"). This landing zone's firewall, NSG rules and private endpoints are IPv4.
PRIVATE_IPV4_BLOCKS = tuple(ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
#: Prefix lengths a virtual network's address space and a subnet may have here. Azure's smallest IPv4
#: subnet is /29 (https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq, "How small and
#: how large can virtual networks and subnets be?"); nothing private is larger than /8.
VNET_PREFIX_LENGTHS = range(8, 30)
SUBNET_PREFIX_LENGTHS = range(8, 30)


def _private_ipv4(value: str, lengths: range, what: str) -> str:
    network = ipaddress.ip_network(_network(value))
    if network.version != 4:
        raise ValueError(f"'{value}' is IPv6; {what} must be a private IPv4 range (10/8, 172.16/12, 192.168/16)")
    if not any(network.subnet_of(block) for block in PRIVATE_IPV4_BLOCKS):
        raise ValueError(f"'{value}' is not private; {what} must lie in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
    if network.prefixlen not in lengths:
        raise ValueError(
            f"'{value}' is a /{network.prefixlen}; {what} must be between /{lengths.start} and /{lengths.stop - 1}"
        )
    return str(network)


def _vnet_space(value: str) -> str:
    return _private_ipv4(value, VNET_PREFIX_LENGTHS, "a virtual network address space")


def _subnet_block(value: str) -> str:
    return _private_ipv4(value, SUBNET_PREFIX_LENGTHS, "a subnet")


Guid = Annotated[str, AfterValidator(_guid)]
RegionName = Annotated[str, AfterValidator(_region)]
Cidr = Annotated[str, AfterValidator(_network)]
#: A virtual network's address space: private IPv4, /8 to /29.
VnetCidr = Annotated[str, AfterValidator(_vnet_space)]
#: A subnet: private IPv4, /8 to /29 (that it sits inside its VNet is checked by the VNet).
SubnetCidr = Annotated[str, AfterValidator(_subnet_block)]
#: An amount or threshold: a finite number above zero.
PositiveFinite = Annotated[float, AfterValidator(_finite_positive)]
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
