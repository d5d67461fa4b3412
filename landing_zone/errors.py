"""Errors the library reports to people: each one names where the problem is and what rule it broke."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pulumi import RunError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: a dotted path (``network.spokes[1].subnets[0].cidr``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.message}"


class ConfigError(RunError, ValueError):
    """Configuration was rejected. Carries every problem found, not just the first.

    Raised before a single resource is registered, so nothing is half-created. It is a
    `pulumi.RunError`, so a real ``pulumi up`` prints the problems without a Python traceback.
    """

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        """A human-readable block: a heading with the source, then one line per problem."""
        where = f" in {self.source}" if self.source else ""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"invalid landing-zone configuration{where}: {count} {noun}"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        return "\n".join(lines)


def format_location(location: Sequence[str | int]) -> str:
    """Turn a pydantic location tuple into ``network.spokes[1].subnets[0].cidr``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


class IncompletePlanError(Exception):
    """The offline preview cannot see the whole plan, so it must not give a verdict.

    Raised (by the mocks) for an invoke the preview cannot answer faithfully, a stack reference to a
    stack it has no outputs for, or a component whose children another provider's ``Construct``
    would build. ``kind`` says which (``"invoke"``, ``"stack-reference"``, ``"component"``) and
    ``subject`` names it (the invoke token, the stack name, the component's URN or type).

    Every instance is remembered for the run it belongs to (`observed_incomplete_plans`), so a program
    that catches and swallows the exception still ends the preview with exit 2: an incomplete plan is
    never reported as a pass.
    """

    def __init__(self, message: str, *, kind: str = "", subject: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.subject = subject
        _OBSERVED_INCOMPLETE_PLANS.append(self)


_OBSERVED_INCOMPLETE_PLANS: list[IncompletePlanError] = []


def observed_incomplete_plans() -> list[IncompletePlanError]:
    """Every `IncompletePlanError` created since the last `forget_incomplete_plans` (the runner checks this)."""
    return list(_OBSERVED_INCOMPLETE_PLANS)


def forget_incomplete_plans() -> None:
    """Start a new run with no incomplete-plan errors remembered."""
    _OBSERVED_INCOMPLETE_PLANS.clear()
