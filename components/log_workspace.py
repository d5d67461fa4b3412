"""`LogWorkspace`: the audit-log workspace and its immutable archive (HIPAA 164.312(b), 164.316(b)(2)(i)).

- A Log Analytics workspace with local (shared-key) authentication disabled, interactive retention
  from config, and total (interactive + archive) retention on the audit tables of at least six years
  unless a written waiver says otherwise. With an Azure Monitor Private Link Scope, public ingestion
  and query are disabled and the workspace joins the scope.
- An archive storage account hardened like any PHI store (CMK-encrypted), with version-level
  immutability covering the whole retention period. Azure creates that policy unlocked; locking it
  is irreversible (``immutability_locked``), so lock it in a later run, in production only.
- A data export rule from the workspace's audit tables to the archive (only tables data export
  supports), and the subscription's activity log sent to both. The workspace's own audit log (who
  queried what) goes to itself and to the archive.
- Optionally (``flow_log_account_name``) a separate flow-log account, not WORM: flow logs commit
  blocks to the same blob every minute, and under version-level immutability every commit would
  keep an undeletable version for the whole retention period
  (https://learn.microsoft.com/azure/storage/blobs/immutable-version-level-worm-policies). Network
  Watcher writes to it with a user-assigned identity holding "Storage Blob Data Contributor" there,
  since shared keys are off (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview).
- The archive and the flow-log account admit Azure's trusted services (diagnostic settings, data
  export, flow logs) past a deny-all firewall: public network access ``Enabled`` with
  ``defaultAction: Deny`` and bypass ``AzureServices``; with ``Disabled`` those writes are refused
  (https://learn.microsoft.com/azure/storage/common/storage-network-security-set-default-access).
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
from components.roles import assign_role
from components.storage_account import ImmutabilityArgs, PhiStorageAccount, PhiStorageAccountArgs
from landing_zone.config.model import DEFAULT_TOTAL_RETENTION_DAYS, total_retention_problem

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
#: Tables a data export rule accepts but never exports: the rule fails or silently skips them
#: (https://learn.microsoft.com/azure/azure-monitor/logs/logs-data-export, "Unsupported tables").
#: They stay in the workspace for the total retention; the archive gets their records directly
#: from the diagnostic settings.
DATA_EXPORT_UNSUPPORTED_TABLES = frozenset({"AzureDiagnostics"})
FLOW_LOG_WRITER_ROLE = "Storage Blob Data Contributor"
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
    total_retention_days: int = Field(default=DEFAULT_TOTAL_RETENTION_DAYS, le=4383)
    retention_waiver: Waiver | None = None
    immutability_locked: bool = False
    immutability_waiver: Waiver | None = Field(
        default=None, description="Turns the archive's immutability off (test environments only); reason required."
    )
    audit_tables: Sequence[str] = DEFAULT_AUDIT_TABLES
    private_link_scope_id: Any = Field(default=None, description="Azure Monitor Private Link Scope resource ID.")
    archive_private_endpoint: PrivateEndpointArgs | None = None
    export_activity_log: bool = True
    flow_log_account_name: str | None = Field(
        default=None, pattern=r"^[a-z0-9]{3,24}$", description="Creates a separate (non-WORM) flow-log account."
    )
    flow_log_identity_name: str | None = Field(default=None, pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$")
    flow_log_version_retention_days: int = Field(default=7, ge=1, le=365)
    rbac_propagation_seconds: int = Field(default=120, ge=0, le=1800)
    tags: Mapping[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _retention(self) -> LogWorkspaceArgs:
        if self.total_retention_days < self.interactive_retention_days:
            raise ValueError("total_retention_days must be at least interactive_retention_days")
        not_allowed = total_retention_problem(self.total_retention_days)
        if not_allowed is not None:
            raise ValueError(f"total_retention_days: {not_allowed}")
        if (self.flow_log_account_name is None) != (self.flow_log_identity_name is None):
            raise ValueError("flow_log_account_name and flow_log_identity_name go together")
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
            table_names=[table for table in settings.audit_tables if table not in DATA_EXPORT_UNSUPPORTED_TABLES],
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
        self.flow_log_storage: PhiStorageAccount | None = None
        self.flow_log_identity: Any = None
        self.flow_log_dependencies: list[pulumi.Resource] = []
        if settings.flow_log_account_name is not None:
            self._flow_log_account(name, settings)
        if settings.lock is not None:
            lock_resource(name, self.workspace.id, settings.lock, settings.workspace_name, self)
        self.register_outputs(
            {"workspace_id": self.workspace_id, "archive_storage_account_id": self.archive_storage_account_id}
        )

    def _flow_log_account(self, name: str, settings: LogWorkspaceArgs) -> None:
        """The non-WORM flow-log account, the identity Network Watcher writes with, and its grant."""
        from pulumi_azure_native import managedidentity

        assert settings.flow_log_account_name is not None and settings.flow_log_identity_name is not None
        self.flow_log_storage = PhiStorageAccount(
            f"{name}-flow-logs",
            PhiStorageAccountArgs(
                resource_group_name=settings.resource_group_name,
                location=settings.location,
                account_name=settings.flow_log_account_name,
                customer_managed_key=settings.customer_managed_key,
                replication="Standard_GZRS",
                access_tier="Cool",
                previous_version_retention_days=settings.flow_log_version_retention_days,
                allow_trusted_azure_services=Waiver(reason=TRUSTED_MONITOR_REASON, approver=DESIGN_APPROVER),
                private_endpoint=settings.archive_private_endpoint,
                diagnostics=DiagnosticsArgs(workspace_id=self.workspace.id),
                lock=settings.lock,
                lock_waiver=settings.lock_waiver,
                protect=settings.protect,
                tags=dict(settings.tags),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.flow_log_identity = managedidentity.UserAssignedIdentity(
            f"{name}-flow-logs-identity",
            resource_name_=settings.flow_log_identity_name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            tags=dict(settings.tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
        grant = assign_role(
            f"{name}-flow-logs-writer",
            scope=self.flow_log_storage.resource_id,
            principal_id=self.flow_log_identity.principal_id,
            role=FLOW_LOG_WRITER_ROLE,
            subscription_id=settings.subscription_id,
            principal_type="ServicePrincipal",
            description="Lets Network Watcher write VNet flow logs with this identity (shared keys are off)",
            parent=self,
        )
        self.flow_log_dependencies = [grant]
        if settings.rbac_propagation_seconds:
            from pulumiverse_time import Sleep

            self.flow_log_dependencies.append(
                Sleep(
                    f"{name}-flow-logs-rbac-propagation",
                    create_duration=f"{settings.rbac_propagation_seconds}s",
                    triggers={"roleAssignmentId": grant.id},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[grant]),
                )
            )

    def diagnostics_for(self, region: str) -> DiagnosticsArgs:
        """Diagnostics for a resource in ``region``: the archive only in its own region.

        A diagnostic setting's storage destination must be in the monitored resource's region; the
        workspace may be anywhere
        (https://learn.microsoft.com/azure/azure-monitor/platform/diagnostic-settings#destination-limitations).
        """
        if region == self.location:
            return self.diagnostics
        return DiagnosticsArgs(workspace_id=self.workspace.id)


def flow_log_target(
    logs: LogWorkspace, network_watcher_name: str, network_watcher_resource_group_name: str = "NetworkWatcherRG"
) -> FlowLogArgs:
    """Where VNet flow logs of this landing zone go: the flow-log account, written with its identity, with
    traffic analytics in the workspace.

    Never the archive: it takes no shared keys, and under version-level WORM every minute's rewrite of a
    flow-log blob would be kept for the whole retention period.
    """
    storage, identity = logs.flow_log_storage, logs.flow_log_identity
    if storage is None or identity is None:
        raise ValueError(
            "flow logs need the LogWorkspace's flow-log account: pass flow_log_account_name and "
            "flow_log_identity_name (the archive is WORM and takes no shared keys)"
        )
    return FlowLogArgs(
        storage_account_id=storage.resource_id,
        identity_resource_id=identity.id,
        depends_on=tuple(logs.flow_log_dependencies),
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
