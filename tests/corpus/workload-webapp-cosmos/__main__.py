"""A claims workload added to an existing landing zone: a web app and a function app reading Cosmos DB, with
their secrets as Key Vault references, written by hand with azure-native the way a workload team would.

Mostly hardened (private endpoints, Entra-only Key Vault with purge protection, customer-managed key on
Cosmos DB, audit logs to the platform's central workspace, delete locks, protect on stateful resources).
The mistakes a team typically makes:

- the function app is left on HTTP (httpsOnly not set) and keeps basic-auth publishing (no FTP/SCM policies);
- Cosmos DB keeps its account keys (disableLocalAuth not set), because the SDK sample used a connection string;
- the subscription baseline (activity log export, Defender plans) is not named (no baselineStack in the pack config).
"""

import sys
from pathlib import Path

import pulumi
from pulumi_azure_native import authorization, cosmosdb, managedidentity, web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus folder: the shared _spoke module
from _spoke import Spoke

RG = "rg-claims-prod"
LOCATION = "eastus2"
SPOKE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-spoke-claims/providers/Microsoft.Network/virtualNetworks/vnet-spoke-claims"
ENDPOINT_SUBNET = f"{SPOKE}/subnets/snet-endpoints"
APP_SUBNET = f"{SPOKE}/subnets/snet-apps"
TAGS = {"dataClassification": "phi", "owner": "claims-team@contoso.example", "environment": "prod"}
WORKLOAD = Spoke(RG, LOCATION, ENDPOINT_SUBNET, TAGS)
#: Key Vault Secrets User and Key Vault Crypto Service Encryption User (built-in role definition IDs).
SECRETS_USER = "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6"
CRYPTO_SERVICE_USER = "/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"


identity = managedidentity.UserAssignedIdentity(
    "id-claims", resource_name_="id-claims", resource_group_name=RG, location=LOCATION, tags=TAGS
)

vault, key = WORKLOAD.cmk_vault("kv-claims", "kv-claims-prod-01", "cmk-cosmos")
for role, scope, label in ((SECRETS_USER, vault.id, "secrets"), (CRYPTO_SERVICE_USER, key.id, "unwrap")):
    authorization.RoleAssignment(
        f"ra-claims-{label}",
        principal_id=identity.principal_id,
        principal_type="ServicePrincipal",
        role_definition_id=role,
        scope=scope,
    )

cosmos = cosmosdb.DatabaseAccount(
    "cosmos-claims",
    account_name="cosmos-claims-prod-01",
    resource_group_name=RG,
    location=LOCATION,
    database_account_offer_type="Standard",
    locations=[{"location_name": LOCATION, "failover_priority": 0, "is_zone_redundant": True}],
    public_network_access="Disabled",
    minimal_tls_version="Tls12",
    key_vault_key_uri=pulumi.Output.concat(vault.properties.vault_uri, "keys/cmk-cosmos"),
    identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
    default_identity=pulumi.Output.concat("UserAssignedIdentity=", identity.id),
    backup_policy={"type": "Continuous", "continuous_mode_properties": {"tier": "Continuous30Days"}},
    tags=TAGS,
    opts=pulumi.ResourceOptions(protect=True, depends_on=[key]),
)

plan = web.AppServicePlan(
    "asp-claims",
    name="asp-claims-prod",
    resource_group_name=RG,
    location=LOCATION,
    kind="linux",
    reserved=True,
    sku={"name": "P1v3", "tier": "PremiumV3"},
    tags=TAGS,
)
KV_REFERENCE = "@Microsoft.KeyVault(SecretUri=https://kv-claims-prod-01.vault.azure.net/secrets/cosmos-endpoint/)"
SITE_CONFIG = {
    "min_tls_version": "1.2",
    "scm_min_tls_version": "1.2",
    "ftps_state": "Disabled",
    "http20_enabled": True,
    "vnet_route_all_enabled": True,
    "app_settings": [
        {"name": "COSMOS_ENDPOINT", "value": KV_REFERENCE},
        {"name": "AZURE_CLIENT_ID", "value": identity.client_id},
    ],
}

site = web.WebApp(
    "app-claims",
    name="app-claims-prod",
    resource_group_name=RG,
    location=LOCATION,
    kind="app,linux",
    server_farm_id=plan.id,
    https_only=True,
    public_network_access="Disabled",
    virtual_network_subnet_id=APP_SUBNET,
    identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
    key_vault_reference_identity=identity.id,
    site_config={**SITE_CONFIG, "linux_fx_version": "PYTHON|3.12"},
    tags=TAGS,
)
for policy in (web.WebAppFtpAllowed, web.WebAppScmAllowed):
    policy(f"{policy.__name__}-app-claims", name=site.name, resource_group_name=RG, allow=False)

functions = web.WebApp(
    "func-claims",
    name="func-claims-prod",
    resource_group_name=RG,
    location=LOCATION,
    kind="functionapp,linux",
    server_farm_id=plan.id,
    public_network_access="Disabled",
    virtual_network_subnet_id=APP_SUBNET,
    identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
    key_vault_reference_identity=identity.id,
    site_config={**SITE_CONFIG, "linux_fx_version": "Python|3.12"},
    tags=TAGS,
)

WORKLOAD.private_endpoint("kv-claims", vault.id, "vault", "privatelink.vaultcore.azure.net")
WORKLOAD.private_endpoint("cosmos-claims", cosmos.id, "Sql", "privatelink.documents.azure.com")
WORKLOAD.private_endpoint("app-claims", site.id, "sites", "privatelink.azurewebsites.net")
WORKLOAD.private_endpoint("func-claims", functions.id, "sites", "privatelink.azurewebsites.net")
for name, resource in (
    ("kv-claims", vault),
    ("cosmos-claims", cosmos),
    ("app-claims", site),
    ("func-claims", functions),
):
    WORKLOAD.audit_logs(name, resource.id)
for name, resource in (("kv-claims", vault), ("cosmos-claims", cosmos)):
    WORKLOAD.delete_lock(name, resource.id)
