"""Stack-wide guardrails: every PHI store logged, private, locked and protected; keys and detection in place.

These rules follow the edges between resources (property dependencies), so they hold for stacks
written with any mix of our components, hand-written azure-native resources and the classic provider.
"PHI data resources" are the kinds the catalog (``data/kinds/``) marks ``holdsPhi``; stateful kinds, customer-managed
key consumers and Defender plans come from the same records, so each rule covers every kind the catalog holds.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from phi_guardrails import citations
from phi_guardrails.catalogs import cmk_consumer_types, defender_plans, kind_of, kinds, phi_types, stateful_types
from phi_guardrails.framework import (
    StackCheck,
    StackContext,
    StackResource,
    StackRule,
    UnverifiableError,
    entries,
    equals_ignoring_case,
    is_mapping,
    is_true,
    peek,
)
from phi_guardrails.untrusted import quoted


def _kind_tokens(*kind_ids: str) -> tuple[str, ...]:
    """The tokens of named catalog kinds (for checks that read one kind's own properties)."""
    return tuple(token for kind in kinds() if kind.kind in kind_ids for token in kind.tokens)


#: Every type list below comes from the kinds catalog (data/kinds/), so the rules extend to every kind it holds.
KEY_VAULT = _kind_tokens("key-vault")
PHI_DATA = phi_types()
WORKSPACES = (
    "azure-native:operationalinsights:Workspace",
    "azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace",
)
DIAGNOSTIC_SETTINGS = {
    "azure-native:monitor:DiagnosticSetting": ("resourceUri", "workspaceId", "logs"),
    "azure:monitoring/diagnosticSetting:DiagnosticSetting": (
        "targetResourceId",
        "logAnalyticsWorkspaceId",
        "enabledLogs",
    ),
}
PRIVATE_ENDPOINTS = {
    "azure-native:network:PrivateEndpoint": ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"),
    "azure:privatelink/endpoint:Endpoint": ("privateServiceConnection",),
}
LOCKS = {
    "azure-native:authorization:ManagementLockByScope": ("scope",),
    "azure-native:authorization:ManagementLockAtResourceLevel": ("resourceName",),
    "azure:management/lock:Lock": ("scope",),
}
GROUP_LOCKS = ("azure-native:authorization:ManagementLockAtResourceGroupLevel",)
KEYS = _kind_tokens("key-vault-key")
IDENTITIES = (
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure:authorization/userAssignedIdentity:UserAssignedIdentity",
)
ROLE_ASSIGNMENTS = ("azure-native:authorization:RoleAssignment", "azure:authorization/assignment:Assignment")
#: Roles that let an identity wrap/unwrap with a key: Crypto Service Encryption User, Crypto User, Crypto Officer.
UNWRAP_ROLES = (
    "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    "12338af0-0e69-4776-bea7-57ae8d297424",
    "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
)
CMK_CONSUMERS = cmk_consumer_types()
#: Defender plan (security:Pricing name) -> the tokens of the kinds it protects.
DEFENDER_PLANS = defender_plans()
PRICINGS = ("azure-native:security:Pricing", "azure:securitycenter/subscriptionPricing:SubscriptionPricing")
SUBSCRIPTION_SETTINGS = ("azure-native:monitor:SubscriptionDiagnosticSetting",)
VNETS = _kind_tokens("virtual-network")
FLOW_LOGS = ("azure-native:network:FlowLog", "azure:network/networkWatcherFlowLog:NetworkWatcherFlowLog")
STATEFUL = stateful_types()


def _targets(context: StackContext, types: Sequence[str], *properties: str) -> dict[str, list[StackResource]]:
    """For each resource URN: the resources of ``types`` that point at it through ``properties``."""
    found: dict[str, list[StackResource]] = {}
    for resource in context.of_type(*types):
        for urn in resource.depends_on_via(*properties):
            found.setdefault(urn, []).append(resource)
    return found


def _sends_audit_logs(setting: StackResource, logs_property: str, classic: bool) -> bool:
    for entry in entries(setting.view.get(logs_property)):
        if not is_mapping(entry):
            continue
        group = str(peek(entry, "categoryGroup") or peek(entry, "category") or "").lower()
        enabled = True if classic else is_true(peek(entry, "enabled"))
        if enabled and group in ("alllogs", "audit"):
            return True
    return False


#: A Log Analytics workspace's ARM ID, as a StackReference output or a config value gives it.
WORKSPACE_ID = re.compile(
    r"^/subscriptions/[0-9a-f-]{36}/resourcegroups/[^/]+/providers/microsoft\.operationalinsights/workspaces/[^/]+$",
    re.IGNORECASE,
)


def _external_workspace(setting: StackResource, workspace_prop: str, approved: Sequence[str]) -> bool | None:
    """Whether the setting names, by literal ID, a workspace another stack owns (the platform's central one).

    That workspace's own hardening is checked where it is deployed; here the ID must be well formed
    and, when ``approvedWorkspaces`` is configured, match one of its globs (case-insensitive).
    None when the ID is not known until apply.
    """
    try:
        value = setting.view.get(workspace_prop)
    except UnverifiableError:
        return None
    if not isinstance(value, str) or not WORKSPACE_ID.match(value):
        return False
    return not approved or any(fnmatch.fnmatchcase(value.lower(), pattern.lower()) for pattern in approved)


def _audit_logs_to_workspace(context: StackContext) -> Iterable[tuple[str, str]]:
    workspaces = {w.urn for w in context.of_type(*WORKSPACES)}
    approved = [str(pattern) for pattern in context.config.get("approvedWorkspaces") or []]
    covered: set[str] = set()
    pending: dict[str, str] = {}  # target URN -> the setting property not known until apply
    for setting_type, (target_prop, workspace_prop, logs_prop) in DIAGNOSTIC_SETTINGS.items():
        for setting in context.of_type(setting_type):
            if not _sends_audit_logs(setting, logs_prop, classic=setting_type.startswith("azure:")):
                continue
            in_stack = any(urn in workspaces for urn in setting.depends_on_via(workspace_prop))
            external = False if in_stack else _external_workspace(setting, workspace_prop, approved)
            for target in setting.depends_on_via(target_prop):
                if in_stack or external:
                    covered.add(target)
                elif external is None:
                    pending[target] = f"{workspace_prop} of its diagnostic setting {quoted(setting.name)}"

    def logged(resource: StackResource) -> Iterable[str]:
        if resource.urn in covered:
            return
        if resource.urn in pending:
            raise UnverifiableError(pending[resource.urn])
        yield (
            "no diagnostic setting sends this resource's audit logs (category group 'audit' or 'allLogs') to a "
            "Log Analytics workspace in this stack or an approved existing workspace"
        )

    yield from context.findings(context.of_type(*PHI_DATA), logged)


def _private_connectivity(context: StackContext) -> Iterable[tuple[str, str]]:
    endpoints: set[str] = set()
    for endpoint_type, properties in PRIVATE_ENDPOINTS.items():
        endpoints.update(_targets(context, (endpoint_type,), *properties))

    def private(resource: StackResource) -> Iterable[str]:
        if resource.urn in endpoints:
            return
        kind = kind_of(resource.type)
        if kind is not None and any(resource.view.has(path) for path in kind.vnet_integration):
            return
        yield "no private endpoint (or VNet integration) reaches this resource; PHI stores are reached only privately"

    yield from context.findings(context.of_type(*PHI_DATA), private)


def _delete_locks(context: StackContext) -> Iterable[tuple[str, str]]:
    """A lock covers what its scope names (property dependency) or, scoped to a resource group (group-level lock,
    or a scope that is the group's URN or ARM ID), every resource `StackContext.same_resource_group` places there."""
    locked: set[str] = set()
    locked_groups: set[str] = set()
    for lock_type, properties in LOCKS.items():
        for lock in context.of_type(lock_type):
            if equals_ignoring_case(lock.view.first("level", "lockLevel"), "CanNotDelete"):
                locked.update(lock.depends_on_via(*properties))
                locked_groups |= context.group_keys(lock, "scope")
    for lock in context.of_type(*GROUP_LOCKS):
        if equals_ignoring_case(lock.view.get("level"), "CanNotDelete"):
            locked_groups |= context.group_keys(lock)

    def has_lock(resource: StackResource) -> Iterable[str]:
        if resource.urn in locked or context.group_keys(resource) & locked_groups:
            return
        yield "no CanNotDelete lock protects this resource (or its resource group) from deletion"

    yield from context.findings(context.of_type(*PHI_DATA), has_lock)


def _cmk_keys_protected_and_granted(context: StackContext) -> Iterable[tuple[str, str]]:
    keys = {key.urn: key for key in context.of_type(*KEYS)}
    identities = {identity.urn for identity in context.of_type(*IDENTITIES)}
    vaults_by_name = {
        context.name_of(vault, "vaultName") or vault.name.lower(): vault for vault in context.of_type(*KEY_VAULT)
    }
    vaults_by_urn = {vault.urn: vault for vault in context.of_type(*KEY_VAULT)}
    granted: dict[str, set[str]] = {}
    for assignment in context.of_type(*ROLE_ASSIGNMENTS):
        role = str(
            peek(assignment.view.props, "roleDefinitionId") or peek(assignment.view.props, "roleDefinitionName") or ""
        ).lower()
        if not any(role.endswith(guid) for guid in UNWRAP_ROLES) and "crypto" not in role:
            continue
        scoped_keys = {urn for urn in assignment.depends_on_via("scope") if urn in keys}
        for principal in assignment.depends_on_via("principalId"):
            granted.setdefault(principal, set()).update(scoped_keys)

    def declares_cmk(resource: StackResource) -> bool:
        props = resource.view.props
        return (
            equals_ignoring_case(peek(peek(props, "encryption"), "keySource"), "Microsoft.Keyvault")
            or equals_ignoring_case(peek(peek(props, "dataEncryption"), "type"), "AzureKeyVault")
            or "keyId" in props
            or "customerManagedKey" in props
        )

    def vault_name_of(key: StackResource) -> str:
        """The key's vault name: literal, else the name of the stack vault its ``vaultName`` comes from."""
        literal = context.value(key, "vaultName")
        if isinstance(literal, str) and literal and literal != UNKNOWN_STRING_VALUE:
            return literal.lower()
        vault = next((vaults_by_urn[urn] for urn in key.depends_on_via("vaultName") if urn in vaults_by_urn), None)
        return (context.name_of(vault, "vaultName") or vault.name.lower()) if vault is not None else ""

    keys_by_name = {(vault_name_of(k), context.name_of(k, "keyName") or k.name.lower()): k for k in keys.values()}

    def literal_keys(resource: StackResource) -> list[StackResource]:
        """Keys named by literal URIs in the consumer's encryption settings (hand-written stacks)."""
        props = resource.view.props
        uris = [
            peek(peek(peek(props, "encryption"), "keyVaultProperties"), "keyVaultUri"),
            peek(peek(props, "dataEncryption"), "primaryKeyURI"),
            peek(props, "keyId"),
        ]
        names = [(_vault_host(uri), _key_segment(uri)) for uri in uris if isinstance(uri, str)]
        storage_key = peek(peek(peek(props, "encryption"), "keyVaultProperties"), "keyName")
        if isinstance(storage_key, str) and names:
            names.append((names[0][0], storage_key.lower()))
        found = [keys_by_name[name] for name in names if name in keys_by_name]
        if isinstance(storage_key, str) and not found:
            # A literal key name with the vault URI taken from a vault in this stack (unknown at preview
            # under the CLI, but the property dependency names the vault): the vault's key of that name.
            vaults = {urn for urn in resource.depends_on_via("encryption") if urn in vaults_by_urn}
            found = [
                key
                for key in keys.values()
                if (context.name_of(key, "keyName") or key.name.lower()) == storage_key.lower()
                and any(key_in_vault(key, vaults_by_urn[urn]) for urn in vaults)
            ]
        return found

    def key_in_vault(key: StackResource, vault: StackResource) -> bool:
        return vault.urn in key.depends_on_via("vaultName", "keyVaultId") or (
            str(context.value(key, "vaultName") or "").lower()
            == (context.name_of(vault, "vaultName") or vault.name.lower())
        )

    def protected_and_granted(resource: StackResource) -> Iterable[str]:
        dependencies = [dependency.urn for dependency in resource.raw.dependencies]
        used_keys = [keys[urn] for urn in dependencies if urn in keys] or literal_keys(resource)
        if not used_keys:
            if declares_cmk(resource):
                context.unverifiable.append(
                    f"the customer-managed key of {quoted(resource.name)} (no key of this stack matches its key settings;"
                    " if the key is in this stack, name its vault by the vault resource's output and its key by"
                    " a literal name or the key resource's output)"
                )
            return
        for key in used_keys:
            vault = next(
                (vaults_by_urn[urn] for urn in key.depends_on_via("vaultName", "keyVaultId") if urn in vaults_by_urn),
                None,
            )
            if vault is None:
                name = context.value(key, "vaultName")
                vault = vaults_by_name.get(str(name).lower()) if isinstance(name, str) else None
            if vault is None:
                context.unverifiable.append(f"the vault of key {quoted(key.name)} (not in this stack)")
            elif not is_true(vault.view.first("properties.enablePurgeProtection", "purgeProtectionEnabled")):
                yield f"this resource's customer-managed key lives in a vault without purge protection ({quoted(vault.name)})"
        user_identities = [urn for urn in dependencies if urn in identities]
        if user_identities and not any(granted.get(identity) for identity in user_identities):
            yield "the identity this resource unwraps its key with holds no key-scoped role (Key Vault Crypto Service Encryption User)"

    yield from context.findings(context.of_type(*CMK_CONSUMERS), protected_and_granted)


def _vault_host(uri: str) -> str:
    return uri.removeprefix("https://").split(".")[0].lower()


def _key_segment(uri: str) -> str:
    parts = uri.removeprefix("https://").split("/")
    return parts[2].lower() if len(parts) > 2 and parts[1] == "keys" else ""


def _activity_log_exported(context: StackContext) -> Iterable[tuple[str, str]]:
    if not context.of_type(*PHI_DATA):
        return
    workspaces = {w.urn for w in context.of_type(*WORKSPACES)}
    settings = context.of_type(*SUBSCRIPTION_SETTINGS)
    if not any(setting.view.has("workspaceId") for setting in settings):
        classic = [
            s
            for s in context.of_type("azure:monitoring/diagnosticSetting:DiagnosticSetting")
            if str(context.read(s, "targetResourceId", required=False) or "").lower().strip("/").count("/") == 1
            and any(urn in workspaces for urn in s.depends_on_via("logAnalyticsWorkspaceId"))
        ]
        if not classic:
            yield (
                "",
                "the subscription activity log is not exported to a Log Analytics workspace (monitor:SubscriptionDiagnosticSetting)",
            )


def _defender_plans(context: StackContext) -> Iterable[tuple[str, str]]:
    standard: set[str] = set()
    for pricing in context.of_type(*PRICINGS):
        name = str(pricing.view.first("pricingName", "resourceType") or "").lower()
        if equals_ignoring_case(pricing.view.first("pricingTier", "tier"), "Standard"):
            standard.add(name)
    for plan, types in DEFENDER_PLANS.items():
        if context.of_type(*types) and plan.lower() not in standard:
            yield (
                "",
                f"the stack holds resources protected by the Defender '{plan}' plan, which is not declared at the Standard tier",
            )


def _vnet_flow_logs(context: StackContext) -> Iterable[tuple[str, str]]:
    logged: set[str] = set()
    for flow_log in context.of_type(*FLOW_LOGS):
        if flow_log.view.get("enabled") is not False:
            logged.update(flow_log.depends_on_via("targetResourceId", "networkSecurityGroupId"))

    def has_flow_log(vnet: StackResource) -> Iterable[str]:
        if vnet.urn not in logged:
            yield "this virtual network has no enabled flow log (network:FlowLog targeting it)"

    yield from context.findings(context.of_type(*VNETS), has_flow_log)


def _stateful_protected(context: StackContext) -> Iterable[tuple[str, str]]:
    def protected(resource: StackResource) -> Iterable[str]:
        options = resource.raw.opts
        if not getattr(options, "protect", False):
            yield "this stateful resource is not protected (protect: true); a destroy or a refactor could delete it"
        if getattr(options, "delete_before_replace", None):
            yield "this stateful resource is replaced delete-first (deleteBeforeReplace); a replacement would destroy its data first"

    yield from context.findings(context.of_type(*STATEFUL), protected)


def _rule(
    rule_id: str,
    *,
    description: str,
    citation: citations.Citation,
    remediation: str,
    check: StackCheck,
    types: Sequence[str],
    **kwargs: Any,
) -> StackRule:
    return StackRule(
        id=rule_id,
        description=description,
        citation=citation,
        severity=kwargs.pop("severity", Severity.HIGH),
        enforcement=kwargs.pop("enforcement", EnforcementLevel.MANDATORY),
        remediation=remediation,
        check=check,
        resource_types=tuple(types),
        **kwargs,
    )


STACK_RULES: tuple[StackRule, ...] = (
    _rule(
        "phi-audit-logs-to-workspace",
        azure_policy_ids=(
            "7f89b1eb-583c-429a-8828-af049802c1d9",
            "cf820ca0-f99e-4f3e-84fb-66e913812d21",
            "83a214f7-d01a-484b-91a9-ed54470c9a6a",
            "f8d36e2f-389b-4ee4-898d-21aeb69a0f45",
            "b4330a05-a843-4bc8-bf9a-cacce50c67f4",
        ),
        checkov_ids=("CKV2_AZURE_21",),
        description=(
            "Every PHI data resource must send its audit logs to a Log Analytics workspace: one in the same stack, "
            "or an existing (central) workspace named by its resource ID and, when approvedWorkspaces is set, listed there."
        ),
        citation=citations.AUDIT_CONTROLS,
        remediation="Attach a monitor:DiagnosticSetting with categoryGroup 'allLogs' (or 'audit') and workspaceId pointing at the stack's workspace or the platform's central workspace.",
        check=_audit_logs_to_workspace,
        types=PHI_DATA,
        related=(citations.ACTIVITY_REVIEW,),
        config_schema=PolicyConfigSchema(
            properties={
                "approvedWorkspaces": {
                    "type": "array",
                    "items": {"type": "string"},
                    "default": [],
                    "description": "Resource-ID globs of workspaces outside the stack that may receive PHI audit logs; empty accepts any well-formed workspace ID.",
                }
            }
        ),
    ),
    _rule(
        "phi-private-connectivity",
        azure_policy_ids=(
            "6edd7eda-6dd8-40f7-810d-67160c639cd9",
            "a6abeaec-4d90-4a02-805f-6b26c4d3fbe9",
            "5375a5bb-22c6-46d7-8a43-83417cfb4460",
        ),
        checkov_ids=("CKV2_AZURE_33", "CKV2_AZURE_32", "CKV2_AZURE_45", "CKV2_AZURE_57"),
        description="Every PHI data resource must be reached through a private endpoint (or VNet integration).",
        citation=citations.TRANSMISSION_SECURITY,
        remediation="Create a network:PrivateEndpoint for the resource in a spoke's endpoint subnet, with its private DNS zone group.",
        check=_private_connectivity,
        types=PHI_DATA,
    ),
    _rule(
        "phi-delete-lock",
        description="Every PHI data resource must carry a CanNotDelete lock (on itself or its resource group).",
        citation=citations.DATA_BACKUP_PLAN,
        remediation="Add authorization:ManagementLockByScope with level 'CanNotDelete' scoped to the resource.",
        check=_delete_locks,
        types=PHI_DATA,
        related=(citations.INTEGRITY,),
        nonprod_relaxable=True,  # a lock blocks `pulumi destroy` (environment.py decides where it is relaxed)
    ),
    _rule(
        "cmk-key-protected-and-granted",
        azure_policy_ids=("0b60c0b2-2dc2-4e1c-b5c9-abbed971de53",),
        checkov_ids=("CKV_AZURE_110",),
        description="Every customer-managed key in use must live in a vault with purge protection, and its consumer's identity must hold a key-scoped unwrap role.",
        citation=citations.ENCRYPTION_AT_REST,
        remediation="Enable purge protection on the key's vault and grant the user-assigned identity 'Key Vault Crypto Service Encryption User' on the key itself.",
        check=_cmk_keys_protected_and_granted,
        types=CMK_CONSUMERS,
        related=(citations.ACCESS_MANAGEMENT,),
    ),
    _rule(
        "activity-log-exported",
        azure_policy_ids=("2465583e-4e78-4c15-b6be-a36cbc7c8b0f",),
        description="A stack holding PHI resources must export the subscription activity log to a Log Analytics workspace.",
        citation=citations.ACTIVITY_REVIEW,
        remediation="Add a monitor:SubscriptionDiagnosticSetting with workspaceId and the Administrative, Security and Policy categories.",
        check=_activity_log_exported,
        types=(),
        subscription_baseline=True,
    ),
    _rule(
        "defender-plans-for-phi-types",
        azure_policy_ids=(
            "640d2586-54d2-465f-877f-9ffc1d2109f4",
            "7fe3b40f-802b-4cdd-8bd4-fd799c948cc2",
            "0a9fbe0d-c5c4-4da8-87d8-f4fd77338835",
            "0e6763cc-5078-4e64-889d-ff4d9a839047",
            "adbe85b5-83e6-4350-ab58-bf3a4f736e5e",
            "1c988dd6-ade4-430f-a608-2a3e5b0a6d38",
            "2913021d-f2fd-4f3d-b958-22354e2bdbcb",
            "4da35fc9-c9e7-4960-aec9-797fe7d9051d",
            "c2c0c6d8-007b-4a48-8d9b-3539bddd8e87",
            "7926a6d1-b268-4586-8197-e8ae90c877d7",
        ),
        checkov_ids=(
            "CKV_AZURE_84",
            "CKV_AZURE_69",
            "CKV_AZURE_87",
            "CKV_AZURE_85",
            "CKV_AZURE_86",
            "CKV_AZURE_61",
            "CKV_AZURE_55",
        ),
        description="For each kind of resource in the stack that a Microsoft Defender plan protects (the kinds catalog's defenderPlan), that plan must be declared at the Standard tier.",
        citation=citations.INCIDENT_PROCEDURES,
        remediation="Add a security:Pricing resource for each plan the message names (for example StorageAccounts, SqlServers, OpenSourceRelationalDatabases, KeyVaults) with pricingTier 'Standard'.",
        check=_defender_plans,
        types=(),
        subscription_baseline=True,
    ),
    _rule(
        "vnet-flow-logs",
        azure_policy_ids=("4c3c6c5f-0d47-4402-99b8-aa543dd8bcee", "27960feb-a23c-4577-8d36-ef8b5f35e0be"),
        description="Every virtual network must have flow logs enabled.",
        citation=citations.ACTIVITY_REVIEW,
        remediation="Add a network:FlowLog targeting the VNet, writing to the log archive with traffic analytics.",
        check=_vnet_flow_logs,
        types=VNETS,
        related=(citations.AUDIT_CONTROLS,),
    ),
    _rule(
        "stateful-resources-protected",
        description="Stateful resources (vaults, keys, storage, databases, log workspaces, backup vaults) must be protected and never deleted before replacement.",
        citation=citations.DATA_BACKUP_PLAN,
        remediation="Set protect=True on the resource options and do not set deleteBeforeReplace.",
        check=_stateful_protected,
        types=STATEFUL,
        related=(citations.INTEGRITY,),
        nonprod_relaxable=True,  # protect blocks `pulumi destroy` (environment.py decides where it is relaxed)
    ),
)
