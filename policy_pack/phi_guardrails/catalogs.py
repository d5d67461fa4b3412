"""Data the rules read, shipped inside the pack (no imports from the rest of the repository).

- the kinds catalog (``data/kinds/<service>.json``, schema ``data/kinds.schema.json``): one record per
  Azure resource kind with its tokens on both providers, whether it holds PHI, is stateful or consumes a
  customer-managed key, its Defender plan, private-link group IDs and log categories. The stack rules
  derive their type lists from it, so adding a service is one record plus its checks;
- the azure-native SDK's resource tokens and which take ``tags`` (``data/azure_native_types.json``,
  generated from the SDK by ``tools/sdk_types.py``);
- the BAA service catalog and the default US regions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from phi_guardrails.framework import canonical_type

_DATA = Path(__file__).resolve().parent / "data"

#: US public-cloud regions: the default data-residency boundary for US PHI.
US_REGIONS = (
    "eastus",
    "eastus2",
    "centralus",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "westus",
    "westus2",
    "westus3",
)


class CatalogError(RuntimeError):
    """A data file shipped with the pack is malformed; the pack refuses to load rather than check less."""


@dataclass(frozen=True)
class Kind:
    """One Azure resource kind (``data/kinds/<service>.json``): its tokens and the facts the stack rules read."""

    kind: str
    service: str
    native: tuple[str, ...]
    classic: tuple[str, ...]
    holds_phi: bool
    stateful: bool
    cmk_consumer: bool
    defender_plan: str | None
    private_link_group_ids: tuple[str, ...]
    diagnostic_categories: tuple[str, ...]
    #: Input property paths whose presence makes it private without a private endpoint (delegated subnet).
    vnet_integration: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str = ""
    file: str = ""

    @property
    def tokens(self) -> tuple[str, ...]:
        return (*self.native, *self.classic)


_MISSING = object()
_FLAGS = ("holdsPhi", "stateful", "cmkConsumer")
_LISTS = ("native", "classic", "privateLinkGroupIds", "diagnosticCategories")
_OPTIONAL_LISTS = ("vnetIntegration", "sources")
_KNOWN = {"kind", "service", "defenderPlan", "notes", *_FLAGS, *_LISTS, *_OPTIONAL_LISTS}


def _strings(record: dict[str, Any], key: str, where: str, *, required: bool) -> tuple[str, ...]:
    value = record.get(key, None if required else [])
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise CatalogError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(value)


def _kind(record: Any, file: str) -> Kind:
    """One record, checked by hand (the pack ships without jsonschema; tests also validate kinds.schema.json)."""
    where = f"kinds catalog {file}"
    if not isinstance(record, dict):
        raise CatalogError(f"{where}: each record must be an object")
    unknown = sorted(set(record) - _KNOWN)
    if unknown:
        raise CatalogError(f"{where}: unknown keys {unknown}")
    for key in ("kind", "service"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise CatalogError(f"{where}: '{key}' must be a non-empty string")
    where = f"{where} kind '{record['kind']}'"
    for key in _FLAGS:
        if not isinstance(record.get(key), bool):
            raise CatalogError(f"{where}: '{key}' must be true or false")
    plan = record.get("defenderPlan", _MISSING)
    if plan is _MISSING or not (plan is None or (isinstance(plan, str) and plan)):
        raise CatalogError(f"{where}: 'defenderPlan' must be a plan name or null")
    native, classic = (_strings(record, key, where, required=True) for key in ("native", "classic"))
    if not native and not classic:
        raise CatalogError(f"{where}: a kind needs at least one type token")
    for token in native:
        if not token.startswith("azure-native:") or canonical_type(token) != token or token.count(":") != 2:
            raise CatalogError(f"{where}: '{token}' is not an azure-native token without API version")
    for token in classic:
        if not token.startswith("azure:") or token.count(":") != 2:
            raise CatalogError(f"{where}: '{token}' is not a classic azure provider token")
    return Kind(
        kind=record["kind"],
        service=record["service"],
        native=native,
        classic=classic,
        holds_phi=record["holdsPhi"],
        stateful=record["stateful"],
        cmk_consumer=record["cmkConsumer"],
        defender_plan=plan,
        private_link_group_ids=_strings(record, "privateLinkGroupIds", where, required=True),
        diagnostic_categories=_strings(record, "diagnosticCategories", where, required=True),
        vnet_integration=_strings(record, "vnetIntegration", where, required=False),
        sources=_strings(record, "sources", where, required=False),
        notes=str(record.get("notes", "")),
        file=file,
    )


def load_kinds(folder: Path) -> tuple[Kind, ...]:
    """Every kind record under ``folder`` (files in name order); duplicate kinds or tokens are errors."""
    found: list[Kind] = []
    for path in sorted(folder.glob("*.json")):
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CatalogError(f"kinds catalog {path.name}: not readable JSON ({error})") from None
        if not isinstance(records, list) or not records:
            raise CatalogError(f"kinds catalog {path.name}: must be a non-empty list of kind records")
        found.extend(_kind(record, path.name) for record in records)
    owners: dict[str, str] = {}
    names = [kind.kind for kind in found]
    for kind in found:
        if names.count(kind.kind) > 1:
            raise CatalogError(f"kinds catalog: kind '{kind.kind}' is defined twice")
        for token in kind.tokens:
            if token in owners:
                raise CatalogError(f"kinds catalog: '{token}' belongs to both '{owners[token]}' and '{kind.kind}'")
            owners[token] = kind.kind
    return tuple(found)


@cache
def kinds() -> tuple[Kind, ...]:
    """The kinds catalog shipped in the pack (``data/kinds/``)."""
    return load_kinds(_DATA / "kinds")


@cache
def _by_token() -> dict[str, Kind]:
    return {token: kind for kind in kinds() for token in kind.tokens}


def kind_of(resource_type: str) -> Kind | None:
    """The catalog kind of a resource type token (any API version), or None."""
    return _by_token().get(canonical_type(resource_type))


def types_where(predicate: Callable[[Kind], bool]) -> tuple[str, ...]:
    """Every token (azure-native, then classic, per kind in catalog order) of the kinds matching ``predicate``."""
    return tuple(token for kind in kinds() if predicate(kind) for token in kind.tokens)


def phi_types() -> tuple[str, ...]:
    return types_where(lambda kind: kind.holds_phi)


def stateful_types() -> tuple[str, ...]:
    return types_where(lambda kind: kind.stateful)


def cmk_consumer_types() -> tuple[str, ...]:
    return types_where(lambda kind: kind.cmk_consumer)


def defender_plans() -> dict[str, tuple[str, ...]]:
    """Each Defender plan (security:Pricing name) and the tokens of the kinds it protects, in catalog order."""
    plans: dict[str, list[str]] = {}
    for kind in kinds():
        if kind.defender_plan:
            plans.setdefault(kind.defender_plan, []).extend(kind.tokens)
    return {plan: tuple(tokens) for plan, tokens in plans.items()}


@cache
def sdk_types() -> dict[str, Any]:
    """Resource tokens of the azure-native SDK the pack was built against (generated by ``tools/sdk_types.py``)."""
    return json.loads((_DATA / "azure_native_types.json").read_text(encoding="utf-8"))


@cache
def benchmarks() -> dict[str, Any]:
    """Controls other tools have (Azure Policy built-ins, the HITRUST/HIPAA initiative, Checkov), for the crosswalk.

    Generated by ``tools/benchmarks.py`` from dated commits of Azure/azure-policy and bridgecrewio/checkov;
    read by the documentation only, never by a policy at run time.
    """
    return json.loads((_DATA / "benchmarks.json").read_text(encoding="utf-8"))


@cache
def taggable_types() -> frozenset[str]:
    """Every type whose SDK class takes ``tags``: azure-native from the SDK data; classic tokens of kinds
    whose azure-native tokens are taggable (the classic SDK is not shipped with this project)."""
    native = frozenset(sdk_types()["taggable"])
    classic = {token for kind in kinds() if any(t in native for t in kind.native) for token in kind.classic}
    return native | classic


@cache
def baa_catalog() -> dict[str, Any]:
    """The versioned catalog of services covered by Microsoft's HIPAA BAA (see its ``source`` and ``reviewed``)."""
    return json.loads((_DATA / "baa_services.json").read_text(encoding="utf-8"))


def service_module(resource_type: str) -> str | None:
    """``azure-native:storage:StorageAccount`` -> ``storage``; ``azure:storage/account:Account`` -> ``storage``."""
    parts = canonical_type(resource_type).split(":")
    if len(parts) != 3 or parts[0] not in ("azure-native", "azure"):
        return None
    return parts[1].split("/")[0].lower()


def covered_service(resource_type: str, additions: list[str] | tuple[str, ...] = ()) -> str | None:
    """The BAA-covered service a resource type belongs to, or None when it is not in the catalog."""
    module = service_module(resource_type)
    if module is None:
        return None
    for service in baa_catalog()["services"]:
        if module in service["modules"]:
            return str(service["name"])
    for addition in additions:
        if resource_type.startswith(addition) or module == addition.lower():
            return f"{addition} (catalog addition)"
    return None


#: Every taggable type (the name the governance rules import): ``required-tags`` checks all of them.
CORE_TAGGABLE_TYPES = taggable_types()
