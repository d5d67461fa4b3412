"""Diagnostic settings and the activity log: audit evidence must reach a Log Analytics workspace.

Types read: ``azure-native:monitor:DiagnosticSetting`` and ``:SubscriptionDiagnosticSetting`` (any API
version), and the classic provider's ``azure:monitoring/diagnosticSetting:DiagnosticSetting``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.framework import ResourceRule, ResourceView, Target, is_mapping, is_true
from phi_guardrails.framework import entries as items

NATIVE_SETTING = ("azure-native:monitor:DiagnosticSetting",)
NATIVE_SUBSCRIPTION_SETTING = ("azure-native:monitor:SubscriptionDiagnosticSetting",)
CLASSIC_SETTING = ("azure:monitoring/diagnosticSetting:DiagnosticSetting",)
AUDIT_GROUPS = {"alllogs", "audit"}
#: Activity-log categories that record who changed what, security alerts and policy decisions.
REQUIRED_ACTIVITY_CATEGORIES = ("Administrative", "Security", "Policy")


def _enabled_groups(entries: Any, enabled_key: str | None = "enabled") -> set[str]:
    groups: set[str] = set()
    for entry in items(entries):
        if not is_mapping(entry):
            continue
        if enabled_key is not None and not is_true(entry.get(enabled_key, False)):
            continue
        group = entry.get("categoryGroup") or entry.get("category")
        if isinstance(group, str):
            groups.add(group.lower())
    return groups


def _native_setting(setting: ResourceView) -> Iterable[str]:
    if not setting.has("workspaceId"):
        yield "logs are not sent to a Log Analytics workspace (workspaceId), where they can be reviewed and alerted on"
    logs = setting.get("logs") or []
    groups = _enabled_groups(logs)
    if logs and not groups & AUDIT_GROUPS:
        yield (
            "the enabled log categories cannot be shown to cover audit logs; enable categoryGroup 'audit' or 'allLogs'"
        )


def _classic_setting(setting: ResourceView) -> Iterable[str]:
    if not setting.has("logAnalyticsWorkspaceId"):
        yield "logs are not sent to a Log Analytics workspace (logAnalyticsWorkspaceId)"
    enabled_logs = setting.get("enabledLogs") or []
    groups = _enabled_groups(enabled_logs, enabled_key=None) | _enabled_groups(setting.get("logs") or [])
    if enabled_logs and not groups & AUDIT_GROUPS:
        yield "the enabled log categories cannot be shown to cover audit logs; add enabledLogs categoryGroup 'audit'"


def _activity_log(setting: ResourceView) -> Iterable[str]:
    if not setting.has("workspaceId"):
        yield "the activity log is not sent to a Log Analytics workspace (workspaceId)"
    groups = _enabled_groups(setting.get("logs") or [])
    if "alllogs" in groups:
        return
    missing = [category for category in REQUIRED_ACTIVITY_CATEGORIES if category.lower() not in groups]
    if missing:
        yield f"activity-log categories are not exported: {', '.join(missing)}"


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="diagnostic-settings-audit-to-workspace",
        azure_policy_ids=("7f89b1eb-583c-429a-8828-af049802c1d9",),
        description="Diagnostic settings must send audit logs (category group 'audit' or 'allLogs') to a Log Analytics workspace.",
        citation=citations.AUDIT_CONTROLS,
        related=(citations.ACTIVITY_REVIEW, citations.LOGIN_MONITORING),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set workspaceId to the audit workspace and logs=[{categoryGroup: 'allLogs', enabled: true}] "
            "(classic: logAnalyticsWorkspaceId and enabledLogs [{categoryGroup: 'allLogs'}])."
        ),
        targets=(Target(NATIVE_SETTING, _native_setting), Target(CLASSIC_SETTING, _classic_setting)),
    ),
    ResourceRule(
        id="activity-log-to-workspace",
        azure_policy_ids=("2465583e-4e78-4c15-b6be-a36cbc7c8b0f",),
        description="The subscription activity log (administrative, security, policy events) must reach the audit workspace.",
        citation=citations.ACTIVITY_REVIEW,
        related=(citations.AUDIT_CONTROLS,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Create a monitor:SubscriptionDiagnosticSetting with workspaceId and logs enabled for at least the "
            "Administrative, Security and Policy categories (or every category)."
        ),
        targets=(Target(NATIVE_SUBSCRIPTION_SETTING, _activity_log),),
    ),
)
