"""A Log Analytics workspace with shared-key access, 30-day retention, no protect; an archive written without WORM."""

from pulumi_azure_native import monitor, operationalinsights, storage

workspace = operationalinsights.Workspace(
    "logs",
    workspace_name="log-unprotected",
    resource_group_name="rg-logs",
    location="eastus2",
    retention_in_days=30,
    tags={"dataClassification": "internal", "owner": "secops", "environment": "prod"},
)
archive = storage.StorageAccount(
    "archive",
    account_name="starchiveunprotected",
    resource_group_name="rg-logs",
    location="eastus2",
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_ZRS"),
    tags={"dataClassification": "internal", "owner": "secops", "environment": "prod"},
)
monitor.SubscriptionDiagnosticSetting(
    "activity",
    name="activity",
    workspace_id=workspace.id,
    storage_account_id=archive.id,
    logs=[monitor.SubscriptionLogSettingsArgs(category="Administrative", enabled=True)],
)
