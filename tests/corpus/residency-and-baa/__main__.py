"""PHI in a region outside the allowed list, PHI on a service outside the BAA catalog, a secret in a tag."""

import pulumi

pulumi.CustomResource(
    "azure-native:maps:Account",
    "maps",
    {
        "accountName": "maps-phi",
        "resourceGroupName": "rg-maps",
        "location": "eastus2",
        "sku": {"name": "G2"},
        "tags": {"dataClassification": "phi", "owner": "geo", "environment": "prod"},
    },
)
pulumi.CustomResource(
    "azure-native:resources:ResourceGroup",
    "eu",
    {
        "resourceGroupName": "rg-eu",
        "location": "westeurope",
        "tags": {
            "dataClassification": "phi",
            "owner": "geo",
            "environment": "prod",
            "storageConnection": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
        },
    },
)
