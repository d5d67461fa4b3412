"""`LogWorkspace`: the audit-log workspace and its immutable archive (HIPAA 164.312(b), 164.316(b)(2)(i)).

- A Log Analytics workspace with local (shared-key) authentication disabled, interactive retention
  from config, and total (interactive + archive) retention on the audit tables of at least six years
  unless a written waiver says otherwise. With an Azure Monitor Private Link Scope, public ingestion
  and query are disabled and the workspace joins the scope.
- An archive storage account hardened like any PHI store (CMK-encrypted), with version-level
  immutability covering the whole retention period. Azure creates that policy unlocked; locking it
  is irreversible (``immutability_locked``), so lock it in a later run, in production only.
- A data export rule from the workspace's audit tables to the archive, and the subscription's
  activity log sent to both. The workspace's own audit log (who queried what) goes to itself and
  to the archive.
- Workspace and archive are ``protect``-ed and locked.

``diagnostics`` is the `DiagnosticsArgs` every other component takes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import Field, model_validator

from components.diagnostics import attach_diagnostics
from components.interfaces import (
    DESIGN_APPROVER,
    CustomerManagedKeyRef,
    DiagnosticsArgs,
    FlowLogArgs,
    PrivateEndpointArgs,
    StatefulArgs,
    Waiver,
    validate_args,
    waiver_tags,
)
from components.locks import lock_resource
from components.storage_account import ImmutabilityArgs, PhiStorageAccount, PhiStorageAccountArgs

TYPE_TOKEN = "landingzone:security:LogWorkspace"
AUDIT_RETENTION_FLOOR_DAYS = 2190
#: Tables whose records are audit evidence: exported to the archive and kept for the total retention.
DEFAULT_AUDIT_TABLES = (
    "AzureActivity",
    "AzureDiagnostics",
    "StorageBlobLogs",
    "StorageFileLogs",
    "StorageQueueLogs",
    "StorageTableLogs",
    "LAQueryLogs",
)
#: Every activity-log category of a subscription.
ACTIVITY_LOG_CATEGORIES = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)
TRUSTED_MONITOR_REASON = "Azure Monitor writes diagnostic logs and workspace exports over the trusted-service path."


class LogWorkspaceArgs(StatefulArgs):
    """Arguments of `LogWorkspace`."""

    resource_group_name: Any
    location: str = Field(min_length=1)
    workspace_name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$", description="4-63 characters")
    archive_account_name: str = Field(pattern=r"^[a-z0-9]{3,24}$", description="3-24 lowercase letters and digits")
    customer_managed_key: CustomerManagedKeyRef
    subscription_id: str
    interactive_retention_days: int = Field(default=90, ge=30, le=730)
    total_retention_days: int = Field(default=AUDIT_RETENTION_FLOOR_DAYS, le=4383)
    retention_waiver: Waiver | None = None
    immutability_locked: bool = False
    immutability_waiver: Waiver | None = Field(
        default=None, description="Turns the archive's immutability off (test environments only); reason required."
    )
    audit_tables: Sequence[str] = DEFAULT_AUDIT_TABLES
    private_link_scope_id: Any = Field(default=None, description="Azure Monitor Private Link Scope resource ID.")
    archive_private_endpoint: PrivateEndpointArgs | None = None
    export_activity_log: bool = True
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _retention(self) -> LogWorkspaceArgs:
        if self.total_retention_days < self.interactive_retention_days:
            raise ValueError("total_retention_days must be at least interactive_retention_days")
        if self.total_retention_days < AUDIT_RETENTION_FLOOR_DAYS and self.retention_waiver is None:
            raise ValueError(
                f"total_retention_days below {AUDIT_RETENTION_FLOOR_DAYS} (six years, 45 CFR 164.316(b)(2)(i)) "
                "needs retention_waiver with a reason"
            )
        if not self.audit_tables:
            raise ValueError("audit_tables cannot be empty: they are what the archive keeps")
        return self


class LogWorkspace(pulumi.ComponentResource):
    """The workspace, its immutable archive, the export between them and the activity-log export."""

    workspace_id: pulumi.Output[str]
    archive_storage_account_id: pulumi.Output[str]
    diagnostics: DiagnosticsArgs

    def __init__(
        self, name: str, args: LogWorkspaceArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings = args if args is not None else validate_args(LogWorkspaceArgs, f"LogWorkspace '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import monitor, operationalinsights

        private = settings.private_link_scope_id is not None
        tags = {
            **settings.tags,
            **waiver_tags(
                {
                    "retention": settings.retention_waiver,
                    "immutability": settings.immutability_waiver,
                    "lock": settings.lock_waiver if settings.lock is None else None,
                }
            ),
        }
        self.workspace = operationalinsights.Workspace(
            name,
            workspace_name=settings.workspace_name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            sku=operationalinsights.WorkspaceSkuArgs(name=operationalinsights.WorkspaceSkuNameEnum.PER_GB2018),
            retention_in_days=settings.interactive_retention_days,
            features=operationalinsights.WorkspaceFeaturesArgs(
                disable_local_auth=True,
                enable_log_access_using_only_resource_permissions=True,
            ),
            public_network_access_for_ingestion="Disabled" if private else "Enabled",
            public_network_access_for_query="Disabled" if private else "Enabled",
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect),
        )
        self.tables = [
            operationalinsights.Table(
                f"{name}-{table.lower()}",
                table_name=table,
                workspace_name=self.workspace.name,
                resource_group_name=settings.resource_group_name,
                retention_in_days=settings.interactive_retention_days,
                total_retention_in_days=settings.total_retention_days,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for table in settings.audit_tables
        ]
        self.archive = PhiStorageAccount(
            f"{name}-archive",
            PhiStorageAccountArgs(
                resource_group_name=settings.resource_group_name,
                location=settings.location,
                account_name=settings.archive_account_name,
                customer_managed_key=settings.customer_managed_key,
                replication="Standard_GZRS",
                access_tier="Cool",
                immutability=(
                    ImmutabilityArgs(period_days=settings.total_retention_days, locked=settings.immutability_locked)
                    if settings.immutability_waiver is None
                    else None
                ),
                allow_trusted_azure_services=Waiver(reason=TRUSTED_MONITOR_REASON, approver=DESIGN_APPROVER),
                private_endpoint=settings.archive_private_endpoint,
                diagnostics=DiagnosticsArgs(workspace_id=self.workspace.id),
                lock=settings.lock,
                lock_waiver=settings.lock_waiver,
                protect=settings.protect,
                tags={**settings.tags, **waiver_tags({"immutability": settings.immutability_waiver})},
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.workspace_id = self.workspace.id
        self.workspace_customer_id = self.workspace.customer_id
        self.location = settings.location
        self.archive_storage_account_id = self.archive.resource_id
        self.diagnostics = DiagnosticsArgs(
            workspace_id=self.workspace.id, archive_storage_account_id=self.archive.resource_id
        )

        operationalinsights.DataExport(
            f"{name}-export",
            data_export_name="to-immutable-archive",
            workspace_name=self.workspace.name,
            resource_group_name=settings.resource_group_name,
            resource_id=self.archive.resource_id,
            table_names=list(settings.audit_tables),
            enable=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.tables),
        )
        if settings.export_activity_log:
            monitor.SubscriptionDiagnosticSetting(
                f"{name}-activity-log",
                name="activity-log-to-audit-workspace",
                workspace_id=self.workspace.id,
                storage_account_id=self.archive.resource_id,
                logs=[
                    monitor.SubscriptionLogSettingsArgs(category=category, enabled=True)
                    for category in ACTIVITY_LOG_CATEGORIES
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
        attach_diagnostics(name, self.workspace.id, self.diagnostics, parent=self, metrics=True)
        if private:
            scope = pulumi.Output.from_input(settings.private_link_scope_id).apply(_scope_parts)
            monitor.PrivateLinkScopedResource(
                f"{name}-ampls",
                name=f"{settings.workspace_name}-link",
                scope_name=scope.apply(lambda parts: parts[1]),
                resource_group_name=scope.apply(lambda parts: parts[0]),
                linked_resource_id=self.workspace.id,
                opts=pulumi.ResourceOptions(parent=self),
            )
        if settings.lock is not None:
            lock_resource(name, self.workspace.id, settings.lock, settings.workspace_name, self)
        self.register_outputs(
            {"workspace_id": self.workspace_id, "archive_storage_account_id": self.archive_storage_account_id}
        )


def flow_log_target(
    logs: LogWorkspace, network_watcher_name: str, network_watcher_resource_group_name: str = "NetworkWatcherRG"
) -> FlowLogArgs:
    """Where VNet flow logs of this landing zone go: the archive, with traffic analytics in the workspace."""
    return FlowLogArgs(
        storage_account_id=logs.archive_storage_account_id,
        workspace_resource_id=logs.workspace_id,
        workspace_customer_id=logs.workspace_customer_id,
        workspace_region=logs.location,
        network_watcher_name=network_watcher_name,
        network_watcher_resource_group_name=network_watcher_resource_group_name,
    )


def _scope_parts(scope_id: str) -> tuple[str, str]:
    """Resource group and name of a private link scope from its resource ID."""
    parts = scope_id.strip("/").split("/")
    lowered = [part.lower() for part in parts]
    try:
        return parts[lowered.index("resourcegroups") + 1], parts[-1]
    except (ValueError, IndexError):
        raise ValueError(f"not a private link scope resource ID: {scope_id}") from None
