"""Storage paths around Entra ID: SFTP local users and SAS signed with the account key.

``storage-shared-key-disabled`` (storage.py) turns the account key off. These rules close the
other ways in that Entra ID never sees:

- SFTP on Blob Storage authenticates only local users (SSH password or key), never Entra identities;
  local users may also hold an SMB shared key. ``isSftpEnabled`` / ``isLocalUserEnabled`` on the
  account (classic ``sftpEnabled`` / ``localUserEnabled``), and every ``storage:LocalUser`` resource
  (classic ``azure:storage/localUser:LocalUser``), are a bypass
  (learn.microsoft.com/azure/storage/blobs/secure-file-transfer-protocol-support-authorize-access).
  Absent flags pass: SFTP is off by default, and without a LocalUser resource there is no local user.
- Stored access policies (``signedIdentifiers`` on file shares and tables; classic ``acls``) exist only
  to sign service SAS with the account key (learn.microsoft.com/rest/api/storageservices/define-stored-access-policy).
- A declared SAS expiration policy (``sasPolicy``) must block, not only log, SAS valid for more than
  seven days (learn.microsoft.com/azure/storage/common/sas-expiration-policy; the ``Storage SAS tokens
  should adhere to 7 day maximum validity`` built-in policy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.framework import Check, ResourceRule, ResourceView, Target, entries, equals_ignoring_case, is_true

NATIVE_ACCOUNT = ("azure-native:storage:StorageAccount",)
CLASSIC_ACCOUNT = ("azure:storage/account:Account",)
LOCAL_USERS = ("azure-native:storage:LocalUser", "azure:storage/localUser:LocalUser")
NATIVE_POLICY_HOLDERS = ("azure-native:storage:FileShare", "azure-native:storage:Table")
CLASSIC_POLICY_HOLDERS = ("azure:storage/share:Share", "azure:storage/table:Table")
MAX_SAS_DAYS = 7
_PERIOD = re.compile(r"^\s*(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})\s*$")


def _flags(sftp: str, local_users: str) -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if is_true(view.get(sftp)):
            yield f"SFTP is enabled ({sftp}); SFTP authenticates local users only, never Entra ID"
        if is_true(view.get(local_users)):
            yield f"local users are enabled ({local_users}); they sign in with SSH passwords, keys or a shared key, outside Entra ID"

    return check


def _local_user(view: ResourceView) -> Iterable[str]:
    yield "a storage local user signs in with an SSH password, SSH key or shared key, outside Entra ID"


def _seconds(period: str) -> int | None:
    match = _PERIOD.match(period)
    if match is None:
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def _sas_policy(period_key: str, action_key: str) -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if view.get("sasPolicy") is None:
            return
        period = view.get(f"sasPolicy.{period_key}")
        seconds = _seconds(period) if isinstance(period, str) else None
        if seconds is None:
            yield f"the SAS expiration policy has no readable period (sasPolicy.{period_key}, DD.HH:MM:SS)"
        elif seconds > MAX_SAS_DAYS * 86400:
            yield f"the SAS expiration policy admits SAS valid for more than {MAX_SAS_DAYS} days (sasPolicy.{period_key})"
        if not equals_ignoring_case(view.get(f"sasPolicy.{action_key}"), "Block"):
            yield f"the SAS expiration policy only logs; it must block longer-lived SAS (sasPolicy.{action_key} 'Block')"

    return check


def _stored_policies(path: str) -> Check:
    def check(view: ResourceView) -> Iterable[str]:
        if entries(view.get(path)):
            yield f"stored access policies ({path}) sign service SAS with the account key, outside Entra ID"

    return check


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="storage-sftp-local-users-disabled",
        checkov_ids=("CKV_AZURE_244",),
        description="Storage must not enable SFTP or local users, and must have no local users: they authenticate outside Entra ID.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Remove the storage:LocalUser resources and set isSftpEnabled=false and isLocalUserEnabled=false "
            "(classic: sftpEnabled=false, localUserEnabled=false); move files with Entra-authorized tools (AzCopy with "
            "a managed identity, Data Factory) instead of SFTP."
        ),
        targets=(
            Target(NATIVE_ACCOUNT, _flags("isSftpEnabled", "isLocalUserEnabled")),
            Target(CLASSIC_ACCOUNT, _flags("sftpEnabled", "localUserEnabled")),
            Target(LOCAL_USERS, _local_user),
        ),
    ),
    ResourceRule(
        id="storage-no-shared-key-sas",
        description=(
            "No shared-key SAS paths around Entra ID: no stored access policies on shares or tables, and a declared SAS "
            "expiration policy must block SAS valid for more than 7 days."
        ),
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Delete the stored access policies (signedIdentifiers; classic acls) and hand out user-delegation SAS signed "
            "with Entra credentials; set sasPolicy {sasExpirationPeriod <= '7.00:00:00', expirationAction 'Block'} "
            "(classic: sasPolicy {expirationPeriod, expirationAction 'Block'})."
        ),
        targets=(
            Target(NATIVE_ACCOUNT, _sas_policy("sasExpirationPeriod", "expirationAction")),
            Target(CLASSIC_ACCOUNT, _sas_policy("expirationPeriod", "expirationAction")),
            Target(NATIVE_POLICY_HOLDERS, _stored_policies("signedIdentifiers")),
            Target(CLASSIC_POLICY_HOLDERS, _stored_policies("acls")),
        ),
        azure_policy_ids=("7aa1c9d5-3d7e-4579-8117-d85e99211757", "bc1b984e-ddae-40cc-801a-050a030e4fbe"),
    ),
)
