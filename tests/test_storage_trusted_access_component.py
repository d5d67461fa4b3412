"""The log archive's network posture: public access 'Enabled' is accepted only behind a deny-all firewall that
admits Azure's trusted services and nothing else (diagnostic settings, flow logs and data export cannot write
to an account whose public network access is 'Disabled':
learn.microsoft.com/azure/storage/common/storage-network-security-set-default-access).

The rule is `storage-public-network-access-disabled`; tested on both providers, other spellings and casing,
and with the properties missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import with_changes

RULE = "storage-public-network-access-disabled"
NATIVE = "azure-native:storage:StorageAccount"
CLASSIC = "azure:storage/account:Account"
TRUSTED_ONLY = {
    "accountName": "starchive",
    "publicNetworkAccess": "Enabled",
    "networkRuleSet": {"defaultAction": "Deny", "bypass": "AzureServices", "ipRules": [], "virtualNetworkRules": []},
}
CLASSIC_TRUSTED_ONLY = {
    "publicNetworkAccessEnabled": True,
    "networkRules": {"defaultAction": "Deny", "bypasses": ["AzureServices"], "ipRules": []},
}


def verdict(analyze: Callable[..., PackResult], type_token: str, props: dict[str, Any]) -> list[str]:
    run = record(lambda: pulumi.CustomResource(type_token, "archive", props))
    return [d.message for d in analyze(run.registrations).diagnostics if d.policy == RULE]


@pytest.mark.parametrize(
    "props",
    [
        TRUSTED_ONLY,
        with_changes(TRUSTED_ONLY, {"publicNetworkAccess": "Disabled", "networkRuleSet": {"defaultAction": "Deny"}}),
        with_changes(TRUSTED_ONLY, {"publicNetworkAccess": "enabled", "networkRuleSet.defaultAction": "deny"}),
        with_changes(TRUSTED_ONLY, {"networkRuleSet.bypass": "Logging, Metrics, AzureServices"}),
    ],
    ids=["trusted-only", "disabled", "lower-case", "bypass-list"],
)
def test_native_closed_accounts_pass(analyze: Callable[..., PackResult], props: dict[str, Any]) -> None:
    assert verdict(analyze, NATIVE, props) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"networkRuleSet.bypass": "None"},
        {"networkRuleSet.bypass": None},
        {"networkRuleSet.defaultAction": "Allow"},
        {"networkRuleSet.ipRules": [{"iPAddressOrRange": "203.0.113.0/24", "action": "Allow"}]},
        {"networkRuleSet.virtualNetworkRules": [{"virtualNetworkResourceId": "/subscriptions/s/x/subnets/a"}]},
        {"networkRuleSet.resourceAccessRules": [{"tenantId": "t", "resourceId": "/subscriptions/s/x"}]},
        {"networkRuleSet": None},
        {"publicNetworkAccess": None, "networkRuleSet": None},
    ],
    ids=["no-bypass", "bypass-missing", "allow", "ip-rule", "vnet-rule", "resource-rule", "no-firewall", "nothing"],
)
def test_native_open_accounts_fail(analyze: Callable[..., PackResult], changes: dict[str, Any]) -> None:
    (message,) = verdict(analyze, NATIVE, with_changes(TRUSTED_ONLY, changes))
    assert "public network access is not disabled (publicNetworkAccess must be 'Disabled'" in message


def test_classic_trusted_only_passes_and_an_ip_rule_fails(analyze: Callable[..., PackResult]) -> None:
    assert verdict(analyze, CLASSIC, CLASSIC_TRUSTED_ONLY) == []
    assert verdict(analyze, CLASSIC, {"publicNetworkAccessEnabled": False}) == []
    (message,) = verdict(analyze, CLASSIC, with_changes(CLASSIC_TRUSTED_ONLY, {"networkRules.ipRules": ["1.2.3.4"]}))
    assert "publicNetworkAccessEnabled must be false" in message
    (missing,) = verdict(analyze, CLASSIC, {})
    assert "publicNetworkAccessEnabled must be false" in missing
