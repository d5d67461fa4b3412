"""Storage immutability: audit-log archives must be write-once (WORM) for the whole retention period.

Types read: ``azure-native:storage:StorageAccount`` and ``:BlobContainerImmutabilityPolicy`` (any API
version), the classic ``azure:storage/account:Account`` and
``azure:storage/containerImmutabilityPolicy:ContainerImmutabilityPolicy``, and, to find archives, the
diagnostic settings and data-export rules that write to them.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, Severity

from phi_guardrails import citations
from phi_guardrails.framework import (
    ResourceRule,
    ResourceView,
    StackContext,
    StackResource,
    StackRule,
    Target,
    as_number,
    equals_ignoring_case,
    is_mapping,
    is_true,
    setting,
)

NATIVE_ACCOUNT = ("azure-native:storage:StorageAccount",)
CLASSIC_ACCOUNT = ("azure:storage/account:Account",)
NATIVE_CONTAINER_POLICY = ("azure-native:storage:BlobContainerImmutabilityPolicy",)
CLASSIC_CONTAINER_POLICY = ("azure:storage/containerImmutabilityPolicy:ContainerImmutabilityPolicy",)
#: Resources that write logs into a storage account, and the property holding the account's ID.
LOG_WRITERS = {
    "azure-native:monitor:DiagnosticSetting": "storageAccountId",
    "azure-native:monitor:SubscriptionDiagnosticSetting": "storageAccountId",
    "azure-native:operationalinsights:DataExport": "resourceId",
    "azure:monitoring/diagnosticSetting:DiagnosticSetting": "storageAccountId",
}
IMMUTABILITY_SCHEMA = PolicyConfigSchema(
    properties={"minimumDays": {"type": "integer", "minimum": 1, "maximum": 146000, "default": 2190}}
)


def _period_check(view: ResourceView, period_path: str, state_path: str | None) -> Iterable[str]:
    minimum = setting(view, "minimumDays", 2190)
    if state_path is not None and equals_ignoring_case(view.get(state_path), "Disabled"):
        yield f"the immutability policy is disabled ({state_path})"
    period = as_number(view.get(period_path))
    if period is None:
        yield f"the immutability period is not set ({period_path})"
    elif period < minimum:
        yield f"the immutability period is shorter than the {minimum:.0f}-day retention ({period_path})"


def _native_account(account: ResourceView) -> Iterable[str]:
    if not is_true(account.get("immutableStorageWithVersioning.enabled")):
        return
    if account.get("immutableStorageWithVersioning.immutabilityPolicy") is None:
        return
    yield from _period_check(
        account,
        "immutableStorageWithVersioning.immutabilityPolicy.immutabilityPeriodSinceCreationInDays",
        "immutableStorageWithVersioning.immutabilityPolicy.state",
    )


def _classic_account(account: ResourceView) -> Iterable[str]:
    if account.get("immutabilityPolicy") is None:
        return
    yield from _period_check(account, "immutabilityPolicy.periodSinceCreationInDays", "immutabilityPolicy.state")


def _account_is_immutable(account: StackResource, container_policies: set[str]) -> bool:
    """Raises UnverifiableError when the answer depends on a value unknown at preview."""
    if account.urn in container_policies:
        return True
    if account.type in NATIVE_ACCOUNT:
        enabled = is_true(account.view.get("immutableStorageWithVersioning.enabled"))
        state = account.view.get("immutableStorageWithVersioning.immutabilityPolicy.state")
        return enabled and state is not None and not equals_ignoring_case(state, "Disabled")
    policy = account.view.get("immutabilityPolicy")
    return is_mapping(policy) and not equals_ignoring_case(policy.get("state"), "Disabled")


def _log_archives_are_immutable(context: StackContext) -> Iterable[tuple[str, str]]:
    accounts = context.of_type(*NATIVE_ACCOUNT, *CLASSIC_ACCOUNT)
    by_name = {}
    for account in accounts:
        name = context.read(account, "accountName", required=False) or context.read(account, "name", required=False)
        if isinstance(name, str):
            by_name[name.lower()] = account
    archives: dict[str, StackResource] = {}
    for writer in context.of_type(*LOG_WRITERS):
        prop = LOG_WRITERS[writer.type]
        for urn in writer.depends_on_via(prop):
            if urn in context.by_urn and context.by_urn[urn].type in NATIVE_ACCOUNT + CLASSIC_ACCOUNT:
                archives[urn] = context.by_urn[urn]
        target = context.read(writer, prop, required=False)
        if isinstance(target, str) and "/storageaccounts/" in target.lower():
            account = by_name.get(target.rstrip("/").rsplit("/", 1)[-1].lower())
            if account is not None:
                archives[account.urn] = account
    container_policies: set[str] = set()
    for policy in context.of_type(*NATIVE_CONTAINER_POLICY, *CLASSIC_CONTAINER_POLICY):
        container_policies.update(policy.depends_on_via("accountName", "storageContainerResourceManagerId"))

    def immutable(account: StackResource) -> Iterable[str]:
        if not _account_is_immutable(account, container_policies):
            yield (
                "this account receives audit logs but is not immutable: enable version-level immutability "
                "(immutableStorageWithVersioning) or a container immutability policy covering the retention period"
            )

    yield from context.findings(archives.values(), immutable)


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="storage-immutability-period",
        description="A declared immutability policy must be active and cover the retention period (default 2190 days).",
        citation=citations.INTEGRITY,
        related=(citations.DOCUMENTATION_RETENTION, citations.AUDIT_CONTROLS),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set the immutability period (immutabilityPeriodSinceCreationInDays) to at least the audit retention and "
            "the state to 'Unlocked' or, once agreed, 'Locked' (irreversible)."
        ),
        targets=(
            Target(NATIVE_ACCOUNT, _native_account),
            Target(CLASSIC_ACCOUNT, _classic_account),
            Target(
                NATIVE_CONTAINER_POLICY,
                lambda policy: _period_check(policy, "immutabilityPeriodSinceCreationInDays", None),
            ),
            Target(CLASSIC_CONTAINER_POLICY, lambda policy: _period_check(policy, "immutabilityPeriodInDays", None)),
        ),
        config_schema=IMMUTABILITY_SCHEMA,
    ),
)

STACK_RULES: tuple[StackRule, ...] = (
    StackRule(
        id="log-archive-immutable",
        description="Storage accounts that receive audit logs (diagnostic settings, activity log, workspace exports) must be immutable.",
        citation=citations.INTEGRITY,
        related=(citations.AUDIT_CONTROLS, citations.DOCUMENTATION_RETENTION),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "On the archive account set immutableStorageWithVersioning={enabled: true, immutabilityPolicy: "
            "{immutabilityPeriodSinceCreationInDays: 2190, state: 'Unlocked', allowProtectedAppendWrites: true}}."
        ),
        check=_log_archives_are_immutable,
        resource_types=NATIVE_ACCOUNT + CLASSIC_ACCOUNT,
    ),
)
