"""A vault with access policies and no purge protection, holding a 2048-bit software key that never expires."""

import pulumi
from pulumi_azure_native import keyvault

vault = keyvault.Vault(
    "keys",
    vault_name="kv-weak-keys-01",
    resource_group_name="rg-keys",
    location="eastus2",
    properties=keyvault.VaultPropertiesArgs(
        tenant_id="72f988bf-0000-4000-8000-000000000001",
        sku=keyvault.SkuArgs(family="A", name="standard"),
        access_policies=[
            keyvault.AccessPolicyEntryArgs(
                tenant_id="72f988bf-0000-4000-8000-000000000001",
                object_id="00000000-0000-0000-0000-000000000001",
                permissions=keyvault.PermissionsArgs(keys=["all"]),
            )
        ],
    ),
    tags={"dataClassification": "phi", "owner": "security", "environment": "prod"},
    opts=pulumi.ResourceOptions(protect=True),
)
keyvault.Key(
    "cmk",
    key_name="cmk",
    vault_name=vault.name,
    resource_group_name="rg-keys",
    properties=keyvault.KeyPropertiesArgs(kty="RSA", key_size=2048),
    opts=pulumi.ResourceOptions(protect=True),
)
