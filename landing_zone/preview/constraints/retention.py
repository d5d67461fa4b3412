"""ISO 8601 retention durations Azure bounds: SQL long-term retention keeps backups up to ten years."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource

_DURATION = re.compile(r"^P(\d+)([DWMY])$", re.IGNORECASE)
_DAYS = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}
_TEN_YEARS = 10 * 365.25 + 1
_DISABLED = {"PT0S", "P0D", "P0W", "P0M", "P0Y"}


def _ltr(resource: Resource, context: Context) -> Iterator[Finding]:
    for prop in ("weeklyRetention", "monthlyRetention", "yearlyRetention"):
        value = resource.value(prop)
        if value is None or value.text is None or value.text.upper() in _DISABLED:
            continue
        match = _DURATION.match(value.text)
        if match is None:
            yield Finding(prop, f"{value.shown()} is not an ISO 8601 duration like P12W, P12M or P10Y")
        elif int(match.group(1)) * _DAYS[match.group(2).upper()] > _TEN_YEARS:
            yield Finding(prop, f"{value.shown()} is longer than the ten years long-term retention allows")


def retention_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="sql.long-term-retention",
        title="SQL long-term retention durations: ISO 8601, at most ten years",
        reference="https://learn.microsoft.com/azure/azure-sql/database/long-term-retention-overview",
        types=frozenset(("azure-native:sql:LongTermRetentionPolicy",)),
        check=_ltr,
    )
