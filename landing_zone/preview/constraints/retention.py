"""ISO 8601 durations Azure bounds.

- SQL long-term retention keeps backups up to ten years.
- A Service Bus message lock (queues and subscriptions) lasts at most five minutes.
"""

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


_TIME_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_LOCK_LIMIT_SECONDS = 300.0
SERVICEBUS_LOCK_TYPES = (
    "azure-native:servicebus:Queue",
    "azure-native:servicebus:Subscription",
    "azure:servicebus/queue:Queue",
    "azure:servicebus/subscription:Subscription",
)


def duration_seconds(text: str) -> float | None:
    """Seconds in an ISO 8601 day-time duration (``PT5M``, ``P0DT0H1M30S``); None if it is not one."""
    match = _TIME_DURATION.match(text.strip())
    if match is None or not any(match.groupdict().values()):
        return None
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    return parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)


def _lock_duration(resource: Resource, context: Context) -> Iterator[Finding]:
    value = resource.value("lockDuration")
    if value is None or value.text is None:
        return
    seconds = duration_seconds(value.text)
    if seconds is not None and seconds > _LOCK_LIMIT_SECONDS:
        yield Finding("lockDuration", f"{value.shown()} is longer than the five minutes a message lock may last")


def retention_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="sql.long-term-retention",
        title="SQL long-term retention durations: ISO 8601, at most ten years",
        reference="https://learn.microsoft.com/azure/azure-sql/database/long-term-retention-overview",
        types=frozenset(("azure-native:sql:LongTermRetentionPolicy",)),
        check=_ltr,
    )
    yield Constraint(
        id="servicebus.lock-duration",
        title="A Service Bus message lock lasts at most five minutes",
        reference="https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement#peeklock",
        types=frozenset(SERVICEBUS_LOCK_TYPES),
        check=_lock_duration,
    )
