"""Log Analytics: the audit-log workspace must authenticate with Entra ID only and keep logs long enough.

Types read: ``azure-native:operationalinsights:Workspace`` and ``:Table`` (any API version), and the
classic provider's ``azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, Severity

from phi_guardrails import citations
from phi_guardrails.framework import ResourceRule, ResourceView, Target, as_number, is_false, is_true, setting

NATIVE_WORKSPACE = ("azure-native:operationalinsights:Workspace",)
NATIVE_TABLE = ("azure-native:operationalinsights:Table",)
CLASSIC_WORKSPACE = ("azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace",)


def _native_local_auth(workspace: ResourceView) -> Iterable[str]:
    if not is_true(workspace.get("features.disableLocalAuth")):
        yield (
            "local (shared-key) authentication is not disabled (features.disableLocalAuth); anyone with the "
            "workspace key could write or read logs without an Entra identity"
        )


def _classic_local_auth(workspace: ResourceView) -> Iterable[str]:
    disabled = is_true(workspace.get("localAuthenticationDisabled")) or is_false(
        workspace.get("localAuthenticationEnabled")
    )
    if not disabled:
        yield "local authentication is not disabled (localAuthenticationEnabled must be false)"


def _workspace_retention(path: str) -> Callable[[ResourceView], Iterable[str]]:
    def check(workspace: ResourceView) -> Iterable[str]:
        minimum = setting(workspace, "minimumInteractiveDays", 90)
        days = as_number(workspace.get(path))
        if days is None:
            yield f"interactive retention is not set ({path}); Azure's default of 30 days is below {minimum:.0f}"
        elif days < minimum:
            yield f"interactive retention is shorter than {minimum:.0f} days ({path})"

    return check


def _table_total_retention(table: ResourceView) -> Iterable[str]:
    minimum = setting(table, "minimumTotalDays", 2190)
    total = as_number(table.first("totalRetentionInDays", "retentionInDays"))
    if total is None:
        yield f"total retention is not set (totalRetentionInDays); audit logs must be kept {minimum:.0f} days"
    elif total < minimum:
        yield f"total retention is shorter than {minimum:.0f} days (totalRetentionInDays); 45 CFR 164.316(b)(2)(i)"


RETENTION_SCHEMA = PolicyConfigSchema(
    properties={
        "minimumInteractiveDays": {"type": "integer", "minimum": 30, "maximum": 730, "default": 90},
        "minimumTotalDays": {"type": "integer", "minimum": 30, "maximum": 4383, "default": 2190},
    }
)

RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="loganalytics-local-auth-disabled",
        azure_policy_ids=("e15effd4-2278-4c65-a0da-4d6f6d1890e2",),
        description="Log Analytics workspaces must accept only Entra ID authentication, not workspace keys.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.AUDIT_CONTROLS,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set features.disableLocalAuth=true (azure-native) or localAuthenticationEnabled=false (classic); "
            "send data with the Azure Monitor Agent or diagnostic settings, which use managed identities."
        ),
        targets=(Target(NATIVE_WORKSPACE, _native_local_auth), Target(CLASSIC_WORKSPACE, _classic_local_auth)),
    ),
    ResourceRule(
        id="loganalytics-retention",
        description=(
            "Audit logs must stay searchable for the configured interactive period (default 90 days) and be "
            "retained in total for the documentation floor (default 2190 days, six years)."
        ),
        citation=citations.DOCUMENTATION_RETENTION,
        related=(citations.AUDIT_CONTROLS, citations.ACTIVITY_REVIEW),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set retentionInDays on the workspace to at least 90, and totalRetentionInDays to at least 2190 on "
            "each audit table (operationalinsights:Table); or record an exemption with the approved reason."
        ),
        targets=(
            Target(NATIVE_WORKSPACE, _workspace_retention("retentionInDays")),
            Target(CLASSIC_WORKSPACE, _workspace_retention("retentionInDays")),
            Target(NATIVE_TABLE, _table_total_retention),
        ),
        config_schema=RETENTION_SCHEMA,
    ),
)
