"""Opt-in end-to-end tests against a real Azure sandbox subscription (marker ``e2e``).

They deploy, read back and destroy real resources, so they run only when asked for *and* possible:

- ``LANDING_ZONE_E2E=1`` (an explicit opt-in: a plain ``pytest`` never touches Azure);
- Azure credentials for the azure-native provider: ``ARM_SUBSCRIPTION_ID``, ``ARM_TENANT_ID``, ``ARM_CLIENT_ID``
  and either ``ARM_USE_OIDC=true`` (workload identity federation, as in ``examples/ci``) or
  ``ARM_CLIENT_SECRET``;
- the ``pulumi`` CLI on ``PATH`` (the Automation API drives it).

Anything missing skips the whole folder with one line saying what is missing. Run them with
``pytest -m e2e tests/e2e`` (see README, "What has been verified in Azure").
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRED_ENV = ("ARM_SUBSCRIPTION_ID", "ARM_TENANT_ID", "ARM_CLIENT_ID")


def missing_prerequisites() -> list[str]:
    """What stops the end-to-end suite from running here, in words a person can act on."""
    missing = []
    if os.environ.get("LANDING_ZONE_E2E") != "1":
        missing.append("LANDING_ZONE_E2E=1 (explicit opt-in)")
    missing.extend(name for name in REQUIRED_ENV if not os.environ.get(name))
    if not (os.environ.get("ARM_USE_OIDC", "").lower() == "true" or os.environ.get("ARM_CLIENT_SECRET")):
        missing.append("ARM_USE_OIDC=true or ARM_CLIENT_SECRET")
    if shutil.which("pulumi") is None:
        missing.append("the pulumi CLI on PATH")
    return missing


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = missing_prerequisites()
    for item in items:
        if "tests/e2e/" not in item.nodeid.replace("\\", "/"):
            continue
        item.add_marker(pytest.mark.e2e)
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"end-to-end suite needs {', '.join(missing)}"))
