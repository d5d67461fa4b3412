"""Pytest fixtures for testing Pulumi components and policy rules offline.

Enable them in a ``conftest.py`` with ``pytest_plugins = ["landing_zone.testing"]``:

- ``pulumi_recorder(target, ...)`` runs a function, or a Pulumi program folder, under the recording
  mocks and returns the `ProgramRun` (registrations in wire format, stack outputs);
- ``policy_enforcer(registrations, ...)`` runs a policy pack (the project's by default) over recorded
  registrations, in-process by default or over gRPC with ``in_process=False``.

``with_changes(good, {"properties.enableSoftDelete": False})`` breaks one property of a known-good
resource at a time, the way rule tests prove each rule fires for exactly its own misconfiguration.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from landing_zone.preview.engine import enforce
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramRun, record, run_program

#: Tags that satisfy the policy pack's required-tags rule, for resources built in tests.
TEST_TAGS: dict[str, str] = {
    "dataClassification": "phi",
    "owner": "platform-team@contoso.example",
    "environment": "test",
}


def with_changes(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with dotted-path ``changes`` applied; a None value removes the key."""
    data: dict[str, Any] = copy.deepcopy(dict(base))
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def record_target(target: Callable[[], Any] | str | Path, **options: Any) -> ProgramRun:
    """Record a function (run as a program) or a program folder (with its stack config)."""
    if callable(target):
        return record(target, **options)
    return run_program(target, **options)


@pytest.fixture
def pulumi_recorder() -> Callable[..., ProgramRun]:
    return record_target


@pytest.fixture
def policy_enforcer() -> Callable[..., PackResult]:
    def run(registrations: Sequence[Registration], pack_dir: str | Path | None = None, **options: Any) -> PackResult:
        return enforce(registrations, pack_dir, **options)

    return run
