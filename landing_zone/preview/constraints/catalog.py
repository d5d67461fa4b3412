"""The catalog: every constraint, in a stable order, and the run that applies it to a preview's registrations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from landing_zone.preview.constraints.blob import blob_constraints
from landing_zone.preview.constraints.dates import date_constraints
from landing_zone.preview.constraints.enums import enum_constraints
from landing_zone.preview.constraints.keys import cmk_constraints
from landing_zone.preview.constraints.model import AzureRejection, Constraint
from landing_zone.preview.constraints.network import network_constraints
from landing_zone.preview.constraints.policy import policy_constraints
from landing_zone.preview.constraints.principals import principal_constraints
from landing_zone.preview.constraints.regions import region_constraints
from landing_zone.preview.constraints.retention import retention_constraints
from landing_zone.preview.constraints.rotation import rotation_constraints
from landing_zone.preview.constraints.skus import sku_constraints
from landing_zone.preview.constraints.tables import format_constraints, name_constraints, value_constraints
from landing_zone.preview.constraints.wire import Context
from landing_zone.preview.recorder import Registration

CATALOG: tuple[Constraint, ...] = (
    *value_constraints(),
    *name_constraints(),
    *format_constraints(),
    *region_constraints(),
    *network_constraints(),
    *policy_constraints(),
    *date_constraints(),
    *cmk_constraints(),
    *principal_constraints(),
    *blob_constraints(),
    *retention_constraints(),
    *sku_constraints(),
    *rotation_constraints(),
    *enum_constraints(),
)


def check_registrations(
    registrations: Sequence[Registration],
    *,
    today: dt.date | None = None,
    catalog: Sequence[Constraint] = CATALOG,
) -> list[AzureRejection]:
    """Every rejection Azure would give the recorded registrations, in registration then catalog order.

    ``today`` is the date date-window constraints judge against (default: today, UTC).
    """
    context = Context(registrations, today or dt.datetime.now(dt.UTC).date())
    rejections: list[AzureRejection] = []
    applicable: dict[str, list[Constraint]] = {}  # per type token: the entries for it, in catalog order
    for resource in context.resources:
        if not resource.registration.custom:
            continue
        if resource.token not in applicable:
            applicable[resource.token] = [c for c in catalog if c.applies_to(resource.token)]
        for constraint in applicable[resource.token]:
            for finding in constraint.check(resource, context):
                rejections.append(
                    AzureRejection(resource.urn, finding.property, constraint.id, finding.message, constraint.reference)
                )
    return rejections
