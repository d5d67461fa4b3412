"""Storage accounts: PHI stores locked down and encrypted with customer keys; audit archives write-once.

Types read: ``azure-native:storage:StorageAccount`` and ``:BlobContainerImmutabilityPolicy`` (any API
version), the classic ``azure:storage/account:Account`` and
``azure:storage/containerImmutabilityPolicy:ContainerImmutabilityPolicy``, and, to find archives, the
diagnostic settings and data-export rules that write to them. The classic provider sets an account's
customer-managed key inline (``customerManagedKey``) or through a separate
``azure:storage/customerManagedKey:CustomerManagedKey`` naming the account (``storageAccountId``), so that
control is a stack rule that accepts either
(https://learn.microsoft.com/azure/storage/common/customer-managed-keys-configure-existing-account).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
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
from phi_guardrails.service_checks import companions_by_target, named_by_companion

NATIVE_ACCOUNT = ("azure-native:storage:StorageAccount",)
CLASSIC_ACCOUNT = ("azure:storage/account:Account",)
CLASSIC_CUSTOMER_KEY = ("azure:storage/customerManagedKey:CustomerManagedKey",)
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
        name = context.name_of(account, "accountName")
        if name is not None:
            by_name[name] = account
    archives: dict[str, StackResource] = {}
    for writer in context.of_type(*LOG_WRITERS):
        prop = LOG_WRITERS[writer.type]
        for urn in writer.depends_on_via(prop):
            if urn in context.by_urn and context.by_urn[urn].type in NATIVE_ACCOUNT + CLASSIC_ACCOUNT:
                archives[urn] = context.by_urn[urn]
        target = context.value(writer, prop)
        if isinstance(target, str) and "/storageaccounts/" in target.lower():
            account = by_name.get(target.rstrip("/").rsplit("/", 1)[-1].lower())
            if account is not None:
                archives[account.urn] = account
    container_policies = set(
        context.referrals(
            context.of_type(*NATIVE_CONTAINER_POLICY, *CLASSIC_CONTAINER_POLICY),
            accounts,
            ("accountName", "storageContainerResourceManagerId"),
            ("accountName",),
        )
    )

    def immutable(account: StackResource) -> Iterable[str]:
        if not _account_is_immutable(account, container_policies):
            yield (
                "this account receives audit logs but is not immutable: enable version-level immutability "
                "(immutableStorageWithVersioning) or a container immutability policy covering the retention period"
            )

    yield from context.findings(archives.values(), immutable)


NATIVE_BLOB_SERVICE = ("azure-native:storage:BlobServiceProperties",)


def _native_cmk(account: ResourceView) -> Iterable[str]:
    if not equals_ignoring_case(account.get("encryption.keySource"), "Microsoft.Keyvault"):
        yield "data is not encrypted with a customer-managed key (encryption.keySource must be 'Microsoft.Keyvault')"
    elif not account.has("encryption.keyVaultProperties.keyVaultUri") or not account.has(
        "encryption.keyVaultProperties.keyName"
    ):
        yield "the customer-managed key is not named (encryption.keyVaultProperties.keyVaultUri and keyName)"


def _classic_cmk(account: ResourceView) -> Iterable[str]:
    if not account.has("customerManagedKey.keyVaultKeyId") and not account.has("customerManagedKey.managedHsmKeyId"):
        yield "data is not encrypted with a customer-managed key (customerManagedKey.keyVaultKeyId)"


def _data_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    keyed = companions_by_target(
        context,
        CLASSIC_CUSTOMER_KEY,
        "storageAccountId",
        lambda key: key.view.has("keyName") or key.view.has("keyVaultKeyId") or key.view.has("managedHsmKeyId"),
    )

    def classic(account: StackResource) -> Iterable[str]:
        if not any(_classic_cmk(account.view)):
            return
        if not named_by_companion(context, account, keyed):
            yield (
                "data is not encrypted with a customer-managed key (customerManagedKey.keyVaultKeyId is not set and "
                "no storage.CustomerManagedKey with a key names this account)"
            )

    yield from context.findings(context.of_type(*NATIVE_ACCOUNT), lambda account: _native_cmk(account.view))
    yield from context.findings(context.of_type(*CLASSIC_ACCOUNT), classic)


def _classic_recovery(account: ResourceView) -> Iterable[str]:
    if not is_true(account.get("blobProperties.versioningEnabled")):
        yield "blob versioning is not enabled (blobProperties.versioningEnabled)"
    if not account.has("blobProperties.deleteRetentionPolicy"):
        yield "blob soft delete is not enabled (blobProperties.deleteRetentionPolicy)"
    if not account.has("blobProperties.containerDeleteRetentionPolicy"):
        yield "container soft delete is not enabled (blobProperties.containerDeleteRetentionPolicy)"


def _blob_recovery(context: StackContext) -> Iterable[tuple[str, str]]:
    accounts = context.of_type(*NATIVE_ACCOUNT)
    services = context.referrals(context.of_type(*NATIVE_BLOB_SERVICE), accounts, ("accountName",), ("accountName",))

    def protected(account: StackResource) -> Iterable[str]:
        found = services.get(account.urn, [])
        if not found:
            yield "no blob service properties: versioning and blob/container soft delete are off (Azure's default)"
            return
        view = found[0].view
        if not is_true(view.get("isVersioningEnabled")):
            yield "blob versioning is not enabled (isVersioningEnabled)"
        if not is_true(view.get("deleteRetentionPolicy.enabled")):
            yield "blob soft delete is not enabled (deleteRetentionPolicy.enabled)"
        if not is_true(view.get("containerDeleteRetentionPolicy.enabled")):
            yield "container soft delete is not enabled (containerDeleteRetentionPolicy.enabled)"

    yield from context.findings(accounts, protected)
    yield from context.findings(context.of_type(*CLASSIC_ACCOUNT), lambda account: _classic_recovery(account.view))


def _public_access_closed(
    view: ResourceView, access_path: str, rules_path: str, other_rule_lists: tuple[str, ...]
) -> Iterable[str]:
    """Public access off, or only Azure's trusted services admitted past a deny-all firewall.

    With ``publicNetworkAccess: Disabled`` Azure admits private-endpoint traffic only, and the
    trusted-service exception no longer applies: diagnostic settings, flow logs and Log Analytics
    data export cannot write to the account. Such an archive keeps public access ``Enabled`` behind
    a firewall that denies everything (no IP or network rules) except the trusted-service bypass
    (https://learn.microsoft.com/azure/storage/common/storage-network-security-set-default-access,
    https://learn.microsoft.com/azure/storage/common/storage-network-security-trusted-azure-services).
    """
    classic = access_path == "publicNetworkAccessEnabled"
    value = view.get(access_path)
    if (value is False) if classic else equals_ignoring_case(value, "Disabled"):
        return
    rules = view.get(rules_path)
    bypass = (rules.get("bypass") or rules.get("bypasses")) if is_mapping(rules) else None  # classic: bypasses
    bypass_values = str(bypass or "").split(",") if isinstance(bypass, str) or bypass is None else list(bypass)
    only_trusted = (
        is_mapping(rules)
        and equals_ignoring_case(rules.get("defaultAction"), "Deny")
        and any(equals_ignoring_case(str(item).strip(), "AzureServices") for item in bypass_values)
        and not rules.get("ipRules")
        and not any(rules.get(name) for name in other_rule_lists)
    )
    if not only_trusted:
        setting_text = (
            "publicNetworkAccessEnabled must be false" if classic else "publicNetworkAccess must be 'Disabled'"
        )
        yield (
            f"public network access is not disabled ({setting_text}, or the firewall must deny everything "
            "but Azure's trusted services)"
        )


def _account_rule(
    rule_id: str,
    *,
    description: str,
    citation: citations.Citation,
    severity: Severity,
    remediation: str,
    native: Any,
    classic: Any,
    azure_policy_ids: tuple[str, ...] = (),
    checkov_ids: tuple[str, ...] = (),
) -> ResourceRule:
    return ResourceRule(
        id=rule_id,
        description=description,
        citation=citation,
        severity=severity,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=remediation,
        targets=(Target(NATIVE_ACCOUNT, native), Target(CLASSIC_ACCOUNT, classic)),
        azure_policy_ids=azure_policy_ids,
        checkov_ids=checkov_ids,
    )


ACCOUNT_RULES: tuple[ResourceRule, ...] = (
    _account_rule(
        "storage-https-only",
        azure_policy_ids=("404c3081-a854-4457-ae30-26a93ef643f9",),
        checkov_ids=("CKV_AZURE_3",),
        description="Storage accounts must accept HTTPS only.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set enableHttpsTrafficOnly=true (classic: httpsTrafficOnlyEnabled=true).",
        native=must_be_true("enableHttpsTrafficOnly", "HTTPS-only transfer", absent="ok"),
        classic=lambda view: must_be_true(
            "httpsTrafficOnlyEnabled" if view.has("httpsTrafficOnlyEnabled") else "enableHttpsTrafficOnly",
            "HTTPS-only transfer",
            absent="ok",
        )(view),
    ),
    _account_rule(
        "storage-minimum-tls",
        azure_policy_ids=("fe83a0eb-a853-422d-aac2-1bffd182c5d0",),
        checkov_ids=("CKV_AZURE_44",),
        description="Storage accounts must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set minimumTlsVersion='TLS1_2' (classic: minTlsVersion='TLS1_2').",
        native=must_equal("minimumTlsVersion", ("TLS1_2", "TLS1_3"), "TLS older than 1.2 is accepted"),
        classic=must_equal("minTlsVersion", ("TLS1_2", "TLS1_3"), "TLS older than 1.2 is accepted", absent="ok"),
    ),
    _account_rule(
        "storage-no-anonymous-access",
        azure_policy_ids=("4fa4b6c0-31ca-4c0d-b10d-24b96f62a751",),
        checkov_ids=("CKV_AZURE_59", "CKV_AZURE_190"),
        description="Storage accounts must not allow anonymous (public) blob access.",
        citation=citations.ACCESS_CONTROL,
        severity=Severity.CRITICAL,
        remediation="Set allowBlobPublicAccess=false (classic: allowNestedItemsToBePublic=false).",
        native=must_be_false("allowBlobPublicAccess", "anonymous blob access", absent="ok"),
        classic=must_be_false("allowNestedItemsToBePublic", "anonymous blob access"),
    ),
    _account_rule(
        "storage-shared-key-disabled",
        azure_policy_ids=("8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54",),
        checkov_ids=("CKV2_AZURE_40",),
        description="Storage accounts must authorize with Entra ID only; shared keys and SAS signed with them are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        severity=Severity.HIGH,
        remediation="Set allowSharedKeyAccess=false (classic: sharedAccessKeyEnabled=false) and grant data roles to identities.",
        native=must_be_false("allowSharedKeyAccess", "shared-key access"),
        classic=must_be_false("sharedAccessKeyEnabled", "shared-key access"),
    ),
    _account_rule(
        "storage-public-network-access-disabled",
        azure_policy_ids=("b2982f36-99f2-4db5-8eff-283140c09693",),
        checkov_ids=("CKV_AZURE_59",),
        description="Storage accounts holding PHI must not be reachable from public networks.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and use private endpoints; "
        "a log archive that trusted Azure services write to may instead keep it 'Enabled' with networkRuleSet "
        "defaultAction 'Deny', bypass 'AzureServices' and no IP, virtual-network or resource-instance rules.",
        native=lambda view: _public_access_closed(
            view, "publicNetworkAccess", "networkRuleSet", ("virtualNetworkRules", "resourceAccessRules")
        ),
        classic=lambda view: _public_access_closed(
            view, "publicNetworkAccessEnabled", "networkRules", ("virtualNetworkSubnetIds", "privateLinkAccesses")
        ),
    ),
    _account_rule(
        "storage-network-default-deny",
        azure_policy_ids=("34c877ad-507e-4c82-993e-3452a6e0ad3c",),
        checkov_ids=("CKV_AZURE_35",),
        description="Storage account network rules must deny by default.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set networkRuleSet.defaultAction='Deny' (classic: networkRules.defaultAction='Deny').",
        native=must_equal("networkRuleSet.defaultAction", "Deny", "network rules do not deny by default"),
        classic=must_equal("networkRules.defaultAction", "Deny", "network rules do not deny by default"),
    ),
    _account_rule(
        "storage-infrastructure-encryption",
        azure_policy_ids=("4733ea7b-a883-42fe-8cac-97454c2a9e4a",),
        description="Storage accounts holding PHI must use infrastructure (double) encryption.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        remediation="Set encryption.requireInfrastructureEncryption=true at creation (classic: infrastructureEncryptionEnabled=true).",
        native=must_be_true("encryption.requireInfrastructureEncryption", "infrastructure encryption"),
        classic=must_be_true("infrastructureEncryptionEnabled", "infrastructure encryption"),
    ),
    _account_rule(
        "storage-cross-tenant-replication-disabled",
        azure_policy_ids=("92a89a79-6c52-4a7e-a03f-61306fc49312",),
        description="Storage accounts must not replicate PHI to other Entra tenants.",
        citation=citations.BUSINESS_ASSOCIATES,
        severity=Severity.HIGH,
        remediation="Set allowCrossTenantReplication=false (classic: crossTenantReplicationEnabled=false).",
        native=must_be_false("allowCrossTenantReplication", "cross-tenant object replication", absent="ok"),
        classic=must_be_false("crossTenantReplicationEnabled", "cross-tenant object replication", absent="ok"),
    ),
)

RULES: tuple[ResourceRule, ...] = (
    *ACCOUNT_RULES,
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
        id="storage-customer-managed-key",
        azure_policy_ids=("6fac406b-40ca-413b-bf8e-0bf964659c25",),
        checkov_ids=("CKV2_AZURE_1",),
        description="Storage accounts holding PHI must be encrypted with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set encryption.keySource='Microsoft.Keyvault' with keyVaultProperties (keyVaultUri, keyName) and a "
            "user-assigned identity (classic: customerManagedKey, or a storage.CustomerManagedKey for the account)."
        ),
        check=_data_under_customer_key,
        resource_types=NATIVE_ACCOUNT + CLASSIC_ACCOUNT + CLASSIC_CUSTOMER_KEY,
    ),
    StackRule(
        id="storage-blob-recovery",
        checkov_ids=("CKV2_AZURE_38",),
        description="Storage accounts must keep blob versions and soft-deleted blobs and containers (recovery from deletion or ransomware).",
        citation=citations.DATA_BACKUP_PLAN,
        related=(citations.INTEGRITY,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Add a storage:BlobServiceProperties for the account with isVersioningEnabled=true, deleteRetentionPolicy "
            "and containerDeleteRetentionPolicy enabled (our PhiStorageAccount does this); classic: blobProperties "
            "with versioningEnabled, deleteRetentionPolicy and containerDeleteRetentionPolicy."
        ),
        check=_blob_recovery,
        resource_types=NATIVE_ACCOUNT + CLASSIC_ACCOUNT,
    ),
    StackRule(
        id="log-archive-immutable",
        checkov_ids=("CKV2_AZURE_8",),
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
        # Unexpired immutable blobs keep the account from being deleted, so a non-production archive may be mutable
        # (the landing-zone config then requires a waiver); environment.py decides where it is relaxed.
        nonprod_relaxable=True,
    ),
)
