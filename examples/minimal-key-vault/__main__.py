"""A resource group and a hardened Key Vault: the smallest useful use of the components."""

import pulumi
from pulumi_azure_native import authorization, resources

from components.key_vault import KeyVault, KeyVaultArgs

config = pulumi.Config()
location = pulumi.Config("azure-native").require("location")
tags = {"dataClassification": "phi", "owner": config.require("owner"), "environment": pulumi.get_stack()}

client = authorization.get_client_config_output()
group = resources.ResourceGroup(
    "keys",
    location=location,
    tags=tags,
    opts=pulumi.ResourceOptions(protect=True),
)
vault = KeyVault(
    "keys",
    KeyVaultArgs(
        resource_group_name=group.name,
        location=location,
        tenant_id=client.tenant_id,
        vault_name=config.require("vaultName"),
        tags=tags,
    ),
)
pulumi.export("vaultUri", vault.vault_uri)
