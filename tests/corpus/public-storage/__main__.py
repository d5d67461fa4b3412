"""A storage account left close to Azure's defaults: public, shared keys, Microsoft-managed keys, no recovery."""

from pulumi_azure_native import storage

storage.StorageAccount(
    "records",
    account_name="stpatientrecords01",
    resource_group_name="rg-records",
    location="eastus2",
    kind="StorageV2",
    sku=storage.SkuArgs(name="Standard_LRS"),
    allow_blob_public_access=True,
    tags={"dataClassification": "phi", "owner": "records-team", "environment": "prod"},
)
