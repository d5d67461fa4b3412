"""Check factories for the most common rule shape: one property must (or must not) hold one value.

Each returns a `Check` whose message names the property path and what is required, never the
value found. ``absent`` says what a missing property means: ``"violation"`` when Azure's default is
insecure, ``"ok"`` when Azure's default is already the required value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from phi_guardrails.framework import Check, ResourceView, equals_ignoring_case, is_false, is_true

Absent = Literal["violation", "ok"]


def _missing(view: ResourceView, path: str) -> bool:
    return not view.has(path)


def must_be_true(path: str, what: str, *, absent: Absent = "violation") -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if _missing(view, path):
            if absent == "violation":
                yield f"{what} is not enabled ({path} is not set and Azure's default is off)"
        elif not is_true(view.get(path)):
            yield f"{what} is not enabled ({path} must be true)"

    return check


def must_be_false(path: str, what: str, *, absent: Absent = "violation") -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if _missing(view, path):
            if absent == "violation":
                yield f"{what} is not disabled ({path} is not set and Azure's default is on)"
        elif not is_false(view.get(path)):
            yield f"{what} is not disabled ({path} must be false)"

    return check


def must_equal(path: str, expected: str | tuple[str, ...], what: str, *, absent: Absent = "violation") -> Check:
    allowed = (expected,) if isinstance(expected, str) else expected
    wanted = " or ".join(f"'{value}'" for value in allowed)

    def check(view: ResourceView) -> Iterable[str]:
        if _missing(view, path):
            if absent == "violation":
                yield f"{what} ({path} must be {wanted}; it is not set)"
            return
        value: Any = view.get(path)
        if not any(equals_ignoring_case(value, option) for option in allowed):
            yield f"{what} ({path} must be {wanted})"

    return check


def must_be_set(path: str, what: str) -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if not view.has(path):
            yield f"{what} ({path} is not set)"

    return check


def must_not_be_set(path: str, what: str) -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if view.has(path):
            yield f"{what} ({path} must not be set)"

    return check


def all_of(*checks: Check) -> Check:
    """Every message of every check, in order."""

    def check(view: ResourceView) -> Iterable[str]:
        for part in checks:
            yield from part(view)

    return check
