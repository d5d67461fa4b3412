"""State backend bootstrap: a private, CMK-encrypted blob container for Pulumi state and a Key Vault key for secrets.

Entra ID only: the account has no shared keys, so `pulumi login azblob://...` authenticates with the
signed-in identity (Storage Blob Data Contributor on the account, granted here to the deployer).
"""

import pulumi
from pulumi_azure_native import authorization, keyvault, monitor, operationalinsights, resources, security, storage

from components.customer_managed_key import CustomerManagedKey
from components.interfaces import DiagnosticsArgs, PrivateEndpointArgs, Waiver
from components.key_vault import KeyVault
from components.storage_account import PhiStorageAccount
from landing_zone.naming import Namer

config = pulumi.Config()
region = pulumi.Config("azure-native").require("location")
subscription_id = config.require("subscriptionId")
namer = Namer(config.require("prefix"), "ops", region, subscription_id)
tags = {"dataClassification": "confidential", "owner": config.require("owner"), "environment": "ops"}
deployer = authorization.get_client_config_output()
# Azure defaults a role assignment's principalType to User and refuses a service principal sent as one
# (UnmatchedPrincipalType): say who runs this bootstrap (a person, usually; CI: ServicePrincipal).
deployer_type = config.get("deployerPrincipalType") or "User"
if deployer_type not in ("User", "Group", "ServicePrincipal"):
    raise pulumi.RunError(f"deployerPrincipalType must be User, Group or ServicePrincipal, not {deployer_type!r}")
subnet = config.require("endpointSubnetId")

group = resources.ResourceGroup(
    "state", resource_group_name=namer.name("resource_group", "state"), location=region, tags=tags,
    opts=pulumi.ResourceOptions(protect=True),
)  # fmt: skip
workspace = operationalinsights.Workspace(
    "state-audit",
    workspace_name=namer.name("log_analytics_workspace", "state"),
    resource_group_name=group.name,
    location=region,
    sku={"name": "PerGB2018"},
    retention_in_days=90,
    features={"disable_local_auth": True},
    tags=tags,
    opts=pulumi.ResourceOptions(protect=True),
)
diagnostics = DiagnosticsArgs(workspace_id=workspace.id)
vault = KeyVault(
    "state",
    resource_group_name=group.name,
    location=region,
    tenant_id=deployer.tenant_id,
    subscription_id=subscription_id,
    vault_name=namer.name("key_vault", "state"),
    allow_trusted_azure_services=Waiver(
        reason="Azure Storage unwraps the state account's key over the trusted-service path.",
        approver="platform security lead",
    ),
    private_endpoint=PrivateEndpointArgs(
        subnet_id=subnet, private_dns_zone_ids={"vault": config.require("vaultDnsZoneId")}
    ),
    diagnostics=diagnostics,
    tags=tags,
)
officer = vault.grant_crypto_officer("deployer-crypto-officer", deployer.object_id, principal_type=deployer_type)
account_key = CustomerManagedKey(
    "state-storage",
    key_vault=vault,
    key_name="cmk-state-storage",
    identity_name=namer.name("user_assigned_identity", "state-cmk"),
    location=region,
    identity_resource_group_name=group.name,
    subscription_id=subscription_id,
    tags=tags,
)
account = PhiStorageAccount(
    "state",
    resource_group_name=group.name,
    location=region,
    account_name=namer.name("storage_account", "state"),
    customer_managed_key=account_key.reference,
    private_endpoint=PrivateEndpointArgs(
        subnet_id=subnet, private_dns_zone_ids={"blob": config.require("blobDnsZoneId")}
    ),
    diagnostics=diagnostics,
    tags=tags,
)
storage.BlobContainer(
    "state",
    container_name="pulumi-state",
    account_name=account.account_name,
    resource_group_name=group.name,
    public_access="None",
    opts=pulumi.ResourceOptions(protect=True, depends_on=[account]),
)
# The secrets provider encrypts and decrypts (not wrap/unwrap), so it gets its own key.
secrets_key = keyvault.Key(
    "state-secrets",
    key_name="pulumi-secrets",
    vault_name=vault.vault_name,
    resource_group_name=group.name,
    properties={
        "kty": "RSA-HSM",
        "key_size": 3072,
        "key_ops": ["encrypt", "decrypt"],
        "rotation_policy": {
            "attributes": {"expiry_time": "P730D"},
            "lifetime_actions": [
                {"action": {"type": "rotate"}, "trigger": {"time_after_create": "P365D"}},
                {"action": {"type": "notify"}, "trigger": {"time_before_expiry": "P30D"}},
            ],
        },
    },
    tags=tags,
    opts=pulumi.ResourceOptions(
        protect=True, depends_on=[vault.vault, officer]
    ),  # the vault itself, not the component: its later children depend on this key
)
vault.grant(
    "deployer-secrets-crypto-user",
    "Key Vault Crypto User",
    deployer.object_id,
    scope=secrets_key.id,
    principal_type=deployer_type,
)
authorization.RoleAssignment(
    "deployer-state-writer",
    scope=account.resource_id,
    principal_id=deployer.object_id,
    principal_type=deployer_type,
    role_definition_id=f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
)
monitor.SubscriptionDiagnosticSetting(
    "activity-log",
    name="activity-log-to-state-audit",
    workspace_id=workspace.id,
    logs=[
        monitor.SubscriptionLogSettingsArgs(category=c, enabled=True) for c in ("Administrative", "Security", "Policy")
    ],
)
for plan, sub_plan in (("StorageAccounts", "DefenderForStorageV2"), ("KeyVaults", "PerKeyVault")):
    security.Pricing(
        f"defender-{plan.lower()}", pricing_name=plan, pricing_tier="Standard", sub_plan=sub_plan,
        scope_id=f"/subscriptions/{subscription_id}",
    )  # fmt: skip
pulumi.export("backendUrl", f"azblob://pulumi-state?storage_account={account.account_name}")
pulumi.export("secretsProvider", f"azurekeyvault://{vault.vault_name}.vault.azure.net/keys/pulumi-secrets")
