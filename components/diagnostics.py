"""`attach_diagnostics`: the one place that sends a resource's logs and metrics to the workspace and archive.

Every component calls it for its main resource. Storage accounts log per service, so their blob,
queue, table and file services get settings of their own (``STORAGE_SERVICES``). Diagnostic-setting
retention policies are deprecated by Azure; retention is the workspace's and the archive's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from components.interfaces import DiagnosticsArgs

#: Sub-resources of a storage account that emit their own logs (StorageRead/Write/Delete).
STORAGE_SERVICES = ("blobServices", "queueServices", "tableServices", "fileServices")
DIAGNOSTIC_SETTING_NAME = "to-log-workspace"


def attach_diagnostics(
    name: str,
    resource_id: pulumi.Input[str],
    diagnostics: DiagnosticsArgs,
    *,
    parent: pulumi.Resource,
    sub_resources: Sequence[str] = (),
    resource_logs: bool = True,
    metrics: bool | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
) -> list[Any]:
    """One diagnostic setting on ``resource_id`` and one per ``sub_resources`` entry (``{id}/{sub}/default``).

    ``resource_logs=False`` is for resources whose logs live only on sub-resources (a storage
    account emits metrics; its services emit the logs). ``metrics=False`` suits resource types that
    expose no metrics (Azure rejects AllMetrics there). ``depends_on`` orders the settings after
    resources that write to the same target (a storage account's blob-service properties): Azure
    answers concurrent writes to one storage account with 409 Conflict.
    """
    from pulumi_azure_native import monitor

    send_metrics = diagnostics.metrics if metrics is None else metrics
    targets: list[tuple[str, pulumi.Input[str], bool]] = [(name, resource_id, resource_logs)]
    targets.extend(
        (f"{name}-{service.removesuffix('Services')}", pulumi.Output.concat(resource_id, f"/{service}/default"), True)
        for service in sub_resources
    )
    settings = []
    for logical_name, target, with_logs in targets:
        logs = [
            monitor.DiagnosticsLogSettingsArgs(category_group=group, enabled=True)
            for group in diagnostics.category_groups
        ]
        settings.append(
            monitor.DiagnosticSetting(
                f"{logical_name}-diag",
                name=DIAGNOSTIC_SETTING_NAME,
                resource_uri=target,
                workspace_id=diagnostics.workspace_id,
                storage_account_id=diagnostics.archive_storage_account_id,
                log_analytics_destination_type="Dedicated",
                logs=logs if with_logs else [],
                metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)]
                if send_metrics
                else [],
                opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
            )
        )
    return settings
