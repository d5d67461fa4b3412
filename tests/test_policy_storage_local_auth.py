"""Storage paths around Entra ID (SFTP local users, shared-key SAS), both providers, other casings, property missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import with_changes

Analyze = Callable[..., PackResult]

NATIVE = "azure-native:storage:StorageAccount"
CLASSIC = "azure:storage/account:Account"
# Only the properties these rules read; the rest of the account's hardening has its own tests.
HARDENED_NATIVE = {
    "accountName": "stphi",
    "isSftpEnabled": False,
    "isLocalUserEnabled": False,
    "sasPolicy": {"sasExpirationPeriod": "1.00:00:00", "expirationAction": "Block"},
}
HARDENED_CLASSIC = {
    "sftpEnabled": False,
    "localUserEnabled": False,
    "sasPolicy": {"expirationPeriod": "0.08:00:00", "expirationAction": "Block"},
}
SFTP = "storage-sftp-local-users-disabled"
SAS = "storage-no-shared-key-sas"


def verdicts(analyze: Analyze, program: Callable[[], None]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in analyze(record(program).registrations).diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


def one(token: str, props: dict[str, Any]) -> Callable[[], None]:
    return lambda: pulumi.CustomResource(token, "subject", props)


def ours(analyze: Analyze, program: Callable[[], None]) -> dict[str, list[str]]:
    return {rule: levels for rule, levels in verdicts(analyze, program).items() if rule in (SFTP, SAS)}


@pytest.mark.parametrize(("token", "props"), [(NATIVE, HARDENED_NATIVE), (CLASSIC, HARDENED_CLASSIC)])
def test_hardened_accounts_are_silent(analyze: Analyze, token: str, props: dict[str, Any]) -> None:
    assert ours(analyze, one(token, props)) == {}


@pytest.mark.parametrize(
    ("token", "props", "change", "rule"),
    [
        (NATIVE, HARDENED_NATIVE, {"isSftpEnabled": True}, SFTP),
        (NATIVE, HARDENED_NATIVE, {"isSftpEnabled": "true"}, SFTP),
        (NATIVE, HARDENED_NATIVE, {"isLocalUserEnabled": True}, SFTP),
        (CLASSIC, HARDENED_CLASSIC, {"sftpEnabled": True}, SFTP),
        (CLASSIC, HARDENED_CLASSIC, {"localUserEnabled": True}, SFTP),
        (NATIVE, HARDENED_NATIVE, {"sasPolicy.expirationAction": "Log"}, SAS),
        (NATIVE, HARDENED_NATIVE, {"sasPolicy.sasExpirationPeriod": "30.00:00:00"}, SAS),
        (NATIVE, HARDENED_NATIVE, {"sasPolicy.sasExpirationPeriod": "7.00:00:01"}, SAS),
        (NATIVE, HARDENED_NATIVE, {"sasPolicy.sasExpirationPeriod": None}, SAS),
        (CLASSIC, HARDENED_CLASSIC, {"sasPolicy.expirationAction": "Log"}, SAS),
        (CLASSIC, HARDENED_CLASSIC, {"sasPolicy.expirationPeriod": "8.00:00:00"}, SAS),
    ],
)
def test_one_weakened_control_fails_only_its_rule(
    analyze: Analyze, token: str, props: dict[str, Any], change: dict[str, Any], rule: str
) -> None:
    hardened = verdicts(analyze, one(token, props))
    weakened = verdicts(analyze, one(token, with_changes(props, change)))
    # Every other rule says exactly what it said about the hardened account: only this rule changed.
    assert {key: value for key, value in weakened.items() if hardened.get(key) != value} == {rule: ["mandatory"]}
    assert set(hardened) <= set(weakened)


def test_other_casings_are_read(analyze: Analyze) -> None:
    shouty = {"IsSftpEnabled": True, "SasPolicy": {"SasExpirationPeriod": "1.00:00:00", "ExpirationAction": "block"}}
    assert ours(analyze, one(NATIVE, shouty)) == {SFTP: ["mandatory"]}


def test_absent_flags_and_policy_pass(analyze: Analyze) -> None:
    """SFTP is off by default, no LocalUser means no local user, and a missing sasPolicy declares nothing."""
    assert ours(analyze, one(NATIVE, {"accountName": "stphi"})) == {}
    assert ours(analyze, one(CLASSIC, {})) == {}
    assert (
        ours(
            analyze,
            one(
                NATIVE,
                {**HARDENED_NATIVE, "sasPolicy": {"sasExpirationPeriod": "7.00:00:00", "expirationAction": "Block"}},
            ),
        )
        == {}
    )


@pytest.mark.parametrize("token", ["azure-native:storage:LocalUser", "azure:storage/localUser:LocalUser"])
def test_every_local_user_fails(analyze: Analyze, token: str) -> None:
    user = {"username": "partner", "hasSshKey": True, "hasSshPassword": False, "homeDirectory": "inbound/"}
    assert ours(analyze, one(token, user)) == {SFTP: ["mandatory"]}


@pytest.mark.parametrize(
    ("token", "path"),
    [
        ("azure-native:storage:FileShare", "signedIdentifiers"),
        ("azure-native:storage:Table", "signedIdentifiers"),
        ("azure:storage/share:Share", "acls"),
        ("azure:storage/table:Table", "acls"),
    ],
)
def test_stored_access_policies_fail_and_their_absence_passes(analyze: Analyze, token: str, path: str) -> None:
    policy = [{"id": "partner-read", "accessPolicy": {"permission": "r"}}]
    assert ours(analyze, one(token, {"shareName": "s", path: policy})) == {SAS: ["mandatory"]}
    assert ours(analyze, one(token, {"shareName": "s", path: []})) == {}
    assert ours(analyze, one(token, {"shareName": "s"})) == {}


def test_messages_do_not_echo_values(analyze: Analyze) -> None:
    program = one(NATIVE, with_changes(HARDENED_NATIVE, {"sasPolicy.sasExpirationPeriod": "99.00:00:00"}))
    (diagnostic,) = [d for d in analyze(record(program).registrations).diagnostics if d.policy == SAS]
    assert "99" not in diagnostic.message and "more than 7 days" in diagnostic.message
