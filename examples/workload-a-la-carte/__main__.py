"""À la carte: one PHI storage account in a workload team's stack, wired to a landing zone it does not own.

The workload owns its resource group, its customer-managed key (in the platform's vault, named by
literals so the key URI is known at preview) with the user-assigned identity that unwraps it, and the
storage account. Everything shared is an ID from config: private-endpoint subnet, private DNS zone,
central workspace and immutable archive. The policy pack accepts the central workspace by its ID
(`phi-audit-logs-to-workspace`; restrict with `approvedWorkspaces`). Defender plans and the activity
log export are the platform stack's; with a whole-stack scan they are its verdicts, not this stack's.
"""

import pulumi
from pulumi_azure_native import resources

from components.customer_managed_key import CustomerManagedKey, CustomerManagedKeyArgs, ExistingVault
from components.interfaces import DiagnosticsArgs, PrivateEndpointArgs
from components.storage_account import PhiStorageAccount, PhiStorageAccountArgs

config = pulumi.Config()
platform = config.require_object("platform")
location = pulumi.Config("azure-native").require("location")
tags = {"dataClassification": "phi", "owner": config.require("owner"), "environment": pulumi.get_stack()}

group = resources.ResourceGroup("claims", location=location, tags=tags, opts=pulumi.ResourceOptions(protect=True))
key = CustomerManagedKey(
    "claims",
    CustomerManagedKeyArgs(
        key_vault=ExistingVault(
            vault_name=platform["keyVault"]["name"], resource_group_name=platform["keyVault"]["resourceGroup"]
        ),
        key_name="cmk-claims",
        identity_name="id-claims-cmk",
        location=location,
        identity_resource_group_name=group.name,
        subscription_id=platform["subscriptionId"],
        tags=tags,
    ),
)
account = PhiStorageAccount(
    "claims",
    PhiStorageAccountArgs(
        resource_group_name=group.name,
        location=location,
        account_name=config.require("accountName"),
        customer_managed_key=key.reference,
        diagnostics=DiagnosticsArgs(
            workspace_id=platform["workspaceId"], archive_storage_account_id=platform["archiveStorageAccountId"]
        ),
        private_endpoint=PrivateEndpointArgs(
            subnet_id=platform["endpointSubnetId"], private_dns_zone_ids={"blob": platform["blobDnsZoneId"]}
        ),
        tags=tags,
    ),
)
pulumi.export("storageAccountId", account.resource_id)
pulumi.export("blobEndpoint", account.blob_endpoint)
pulumi.export("cmkIdentityId", key.reference.identity_resource_id)
