"""Shared fixtures: recording programs under mocks, running the policy pack, and a valid configuration."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from landing_zone.preview.engine import enforce
from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import Registration

pytest_plugins = ["landing_zone.testing"]

ROOT = Path(__file__).resolve().parents[1]
PACK_DIR = ROOT / "policy_pack"
EXAMPLES = ROOT / "examples"

# The pack's own modules, importable for rule-level tests (the CLI puts the pack folder on sys.path too).
if str(PACK_DIR) not in sys.path:
    sys.path.insert(0, str(PACK_DIR))


@pytest.fixture(scope="session")
def dev_config() -> dict[str, Any]:
    """The landingZone object of the sample Pulumi.dev.yaml: complete and valid."""
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    return document["config"]["phi-landing-zone:landingZone"]


@pytest.fixture
def config_data(dev_config: dict[str, Any]) -> dict[str, Any]:
    """A fresh deep copy of the valid configuration, for tests to break one thing at a time."""
    return copy.deepcopy(dev_config)


#: Rules that read every resource. Rule-focused tests switch them off to see only the rule under test;
#: they have their own tests, and "passes every rule" tests keep them on.
GOVERNANCE_RULES = (
    "required-tags",
    "data-residency",
    "phi-baa-covered-service",
    "no-secrets-in-tags",
    "no-plaintext-secrets",
    "no-literal-secrets",
)


#: Rules about a whole stack (a workspace, Defender plans, the activity log present somewhere in it).
#: A component on its own cannot satisfy them; full stacks (the reference program, the examples) do.
WHOLE_STACK_RULES = (
    "phi-audit-logs-to-workspace",
    "phi-private-connectivity",
    "activity-log-exported",
    "defender-plans-for-phi-types",
    "vnet-flow-logs",
    "cmk-key-protected-and-granted",
)
#: Every stack-wide coverage rule; rule-focused tests switch them off (they have their own tests).
COVERAGE_RULES = (*WHOLE_STACK_RULES, "phi-delete-lock", "stateful-resources-protected")


@pytest.fixture
def analyze() -> Callable[..., PackResult]:
    """The pack in-process with governance and stack-coverage rules off, so a test sees only the rule it is about."""

    def run(
        registrations: list[Registration], config: dict[str, PolicyConfig] | None = None, **kwargs: Any
    ) -> PackResult:
        merged = {rule: PolicyConfig("disabled") for rule in (*GOVERNANCE_RULES, *COVERAGE_RULES)}
        merged.update(config or {})
        return enforce(registrations, PACK_DIR, config=merged, **kwargs)

    return run


@pytest.fixture
def analyze_every_rule() -> Callable[..., PackResult]:
    """Every rule a component's own resources can be held to: all resource rules and the per-resource stack rules."""

    def run(registrations: list[Registration], **kwargs: Any) -> PackResult:
        config = {rule: PolicyConfig("disabled") for rule in WHOLE_STACK_RULES}
        return enforce(registrations, PACK_DIR, config=config, **kwargs)

    return run
