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
)


@pytest.fixture
def analyze() -> Callable[..., PackResult]:
    """Enforce the project's policy pack in-process, governance rules off unless the config turns them on."""

    def run(
        registrations: list[Registration], config: dict[str, PolicyConfig] | None = None, **kwargs: Any
    ) -> PackResult:
        merged = {rule: PolicyConfig("disabled") for rule in GOVERNANCE_RULES}
        merged.update(config or {})
        return enforce(registrations, PACK_DIR, config=merged, **kwargs)

    return run


@pytest.fixture
def analyze_every_rule() -> Callable[..., PackResult]:
    """Enforce every rule of the project's policy pack in-process, as `pulumi preview` would."""

    def run(registrations: list[Registration], **kwargs: Any) -> PackResult:
        return enforce(registrations, PACK_DIR, **kwargs)

    return run
