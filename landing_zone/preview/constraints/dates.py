"""Dates Azure requires inside a window: a budget's ``timePeriod``.

Cost Management accepts a budget start date only on the first day of a month, no earlier than the
start of the current time-grain period (a past start must fall inside the period that contains
today) and, for a future start, no more than twelve months ahead; an end date must follow the start.
Judged against ``Context.today`` (the preview's date, injectable for tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type

BUDGET_TYPES = (
    "azure-native:consumption:Budget",
    "azure-native:costmanagement:Budget",
    "azure:consumption/budgetSubscription:BudgetSubscription",
    "azure:consumption/budgetResourceGroup:BudgetResourceGroup",
    "azure:consumption/budgetManagementGroup:BudgetManagementGroup",
)
REFERENCE = "https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update#budgettimeperiod"
#: How many months a time grain's period spans (billing grains follow the calendar ones).
_GRAIN_MONTHS = {
    "monthly": 1,
    "billingmonth": 1,
    "quarterly": 3,
    "billingquarter": 3,
    "annually": 12,
    "billingannual": 12,
}


def _parse(text: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None


def _months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _period_start(today: dt.date, grain: str) -> dt.date:
    """First day of the time-grain period containing today (calendar months, quarters, years)."""
    months = _GRAIN_MONTHS.get(grain.lower(), 1)
    if months == 3:
        return dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    if months == 12:
        return dt.date(today.year, 1, 1)
    return dt.date(today.year, today.month, 1)


def _check(resource: Resource, context: Context) -> Iterator[Finding]:
    start_value = resource.value("timePeriod.startDate")
    if start_value is None or start_value.text is None:
        return
    start = _parse(start_value.text)
    if start is None:
        yield Finding("timePeriod.startDate", f"start date {start_value.shown()} is not an ISO 8601 date")
        return
    today: dt.date = context.today
    grain_value = resource.value("timeGrain")
    grain = grain_value.text if grain_value is not None and grain_value.text else "Monthly"
    if start.day != 1:
        yield Finding("timePeriod.startDate", f"start date {start.isoformat()} is not the first day of a month")
    period_start = _period_start(today, grain)
    if start < period_start:
        yield Finding(
            "timePeriod.startDate",
            f"start date {start.isoformat()} is in the past and before the current {grain} period"
            f" (which starts {period_start.isoformat()}; judged on {today.isoformat()})",
        )
    elif start > _months_back(today, -12):  # the first of the month a year ahead is the last accepted start
        yield Finding("timePeriod.startDate", f"start date {start.isoformat()} is more than twelve months ahead")
    end_value = resource.value("timePeriod.endDate")
    end = _parse(end_value.text) if end_value is not None and end_value.text else None
    if end is not None and end <= start:
        yield Finding("timePeriod.endDate", f"end date {end.isoformat()} is not after the start date")


def date_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="date.budget.time-period",
        title="Budget start date: first of a month, within the current time-grain period, at most a year ahead",
        reference=REFERENCE,
        types=frozenset(normalize_type(token) for token in BUDGET_TYPES),
        check=_check,
    )
