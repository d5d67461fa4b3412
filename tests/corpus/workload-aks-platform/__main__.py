"""A patient-events platform added to an existing landing zone: a private AKS cluster pulling from a Premium
container registry, caching in Redis and streaming through Event Hubs, written by hand with azure-native.

Mostly hardened (private API server, Entra RBAC without local accounts, node disks under a customer-managed key
through a disk encryption set, private endpoints with DNS zone groups, audit logs to the platform's central
workspace, delete locks, protect on stateful resources). The mistakes a team typically makes:

- the node pool does not encrypt at host (the subscription feature was never registered);
- the registry keeps its admin user, for a CI job that was never moved to a federated identity;
- the Event Hubs namespace keeps SAS keys (Kafka clients were configured with a connection string);
- the subscription baseline (activity log export, Defender plans) is not named (no baselineStack in the pack config).
"""

import sys
from pathlib import Path

import pulumi
from pulumi_azure_native import (
    authorization,
    compute,
    containerregistry,
    containerservice,
    eventhub,
    managedidentity,
    redis,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the corpus folder: the shared _spoke module
from _spoke import CENTRAL_WORKSPACE, Spoke

RG = "rg-events-prod"
LOCATION = "eastus2"
SPOKE = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-spoke-events/providers/Microsoft.Network/virtualNetworks/vnet-spoke-events"
ENDPOINT_SUBNET = f"{SPOKE}/subnets/snet-endpoints"
NODE_SUBNET = f"{SPOKE}/subnets/snet-aks-nodes"
ADMINS_GROUP = "00000000-0000-0000-0000-00000000a0a0"
TAGS = {"dataClassification": "phi", "owner": "events-team@contoso.example", "environment": "prod"}
WORKLOAD = Spoke(RG, LOCATION, ENDPOINT_SUBNET, TAGS)
#: Key Vault Crypto Service Encryption User and AcrPull (built-in role definition IDs).
CRYPTO_SERVICE_USER = "/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6"
ACR_PULL = "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"


identity = managedidentity.UserAssignedIdentity(
    "id-events", resource_name_="id-events", resource_group_name=RG, location=LOCATION, tags=TAGS
)
kubelet = managedidentity.UserAssignedIdentity(
    "id-events-kubelet", resource_name_="id-events-kubelet", resource_group_name=RG, location=LOCATION, tags=TAGS
)

vault, key = WORKLOAD.cmk_vault("kv-events", "kv-events-prod-01", "cmk-events")
authorization.RoleAssignment(
    "ra-events-unwrap",
    principal_id=identity.principal_id,
    principal_type="ServicePrincipal",
    role_definition_id=CRYPTO_SERVICE_USER,
    scope=key.id,
)
disk_encryption = compute.DiskEncryptionSet(
    "des-events",
    disk_encryption_set_name="des-events-prod",
    resource_group_name=RG,
    location=LOCATION,
    encryption_type="EncryptionAtRestWithCustomerKey",
    active_key={"key_url": key.key_uri_with_version, "source_vault": {"id": vault.id}},
    rotation_to_latest_key_version_enabled=True,
    identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
    tags=TAGS,
)

registry = containerregistry.Registry(
    "acr-events",
    registry_name="acreventsprod01",
    resource_group_name=RG,
    location=LOCATION,
    sku={"name": "Premium"},
    admin_user_enabled=True,
    anonymous_pull_enabled=False,
    public_network_access="Disabled",
    network_rule_bypass_options="None",
    zone_redundancy="Enabled",
    identity={"type": "UserAssigned", "user_assigned_identities": identity.id.apply(lambda i: {i: {}})},
    encryption={
        "status": "enabled",
        "key_vault_properties": {"key_identifier": key.key_uri, "identity": identity.client_id},
    },
    policies={"export_policy": {"status": "disabled"}},
    tags=TAGS,
    opts=pulumi.ResourceOptions(depends_on=[key]),
)

cluster = containerservice.ManagedCluster(
    "aks-events",
    resource_name_="aks-events-prod",
    resource_group_name=RG,
    location=LOCATION,
    dns_prefix="aks-events-prod",
    kubernetes_version="1.31",
    sku={"name": "Base", "tier": "Standard"},
    identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
    identity_profile={
        "kubeletidentity": {
            "resource_id": kubelet.id,
            "client_id": kubelet.client_id,
            "object_id": kubelet.principal_id,
        }
    },
    api_server_access_profile={"enable_private_cluster": True, "private_dns_zone": "system"},
    disable_local_accounts=True,
    enable_rbac=True,
    aad_profile={"managed": True, "enable_azure_rbac": True, "admin_group_object_ids": [ADMINS_GROUP]},
    disk_encryption_set_id=disk_encryption.id,
    network_profile={
        "network_plugin": "azure",
        "network_policy": "cilium",
        "network_dataplane": "cilium",
        "outbound_type": "userDefinedRouting",
    },
    agent_pool_profiles=[
        {
            "name": "system",
            "mode": "System",
            "count": 3,
            "vm_size": "Standard_D4ds_v5",
            "os_type": "Linux",
            "vnet_subnet_id": NODE_SUBNET,
            "availability_zones": ["1", "2", "3"],
        }
    ],
    security_profile={
        "defender": {"security_monitoring": {"enabled": True}, "log_analytics_workspace_resource_id": CENTRAL_WORKSPACE}
    },
    tags=TAGS,
)
authorization.RoleAssignment(
    "ra-kubelet-acrpull",
    principal_id=kubelet.principal_id,
    principal_type="ServicePrincipal",
    role_definition_id=ACR_PULL,
    scope=registry.id,
)

cache = redis.Redis(
    "redis-events",
    name="redis-events-prod",
    resource_group_name=RG,
    location=LOCATION,
    sku={"name": "Premium", "family": "P", "capacity": 1},
    enable_non_ssl_port=False,
    minimum_tls_version="1.2",
    public_network_access="Disabled",
    disable_access_key_authentication=True,
    redis_configuration={"aad_enabled": "true"},
    zones=["1", "2"],
    tags=TAGS,
)

events = eventhub.Namespace(
    "evhns-events",
    namespace_name="evhns-events-prod",
    resource_group_name=RG,
    location=LOCATION,
    sku={"name": "Premium", "tier": "Premium", "capacity": 1},
    minimum_tls_version="1.2",
    public_network_access="Disabled",
    kafka_enabled=True,
    zone_redundant=True,
    identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
    encryption={
        "key_source": "Microsoft.KeyVault",
        "require_infrastructure_encryption": True,
        "key_vault_properties": [
            {
                "key_name": "cmk-events",
                "key_vault_uri": vault.properties.vault_uri,
                "identity": {"user_assigned_identity": identity.id},
            }
        ],
    },
    tags=TAGS,
    opts=pulumi.ResourceOptions(protect=True, depends_on=[key]),
)
eventhub.EventHub(
    "evh-patient-events",
    event_hub_name="patient-events",
    namespace_name=events.name,
    resource_group_name=RG,
    partition_count=8,
    retention_description={"cleanup_policy": "Delete", "retention_time_in_hours": 168},
)

WORKLOAD.private_endpoint("kv-events", vault.id, "vault", "privatelink.vaultcore.azure.net")
WORKLOAD.private_endpoint("acr-events", registry.id, "registry", "privatelink.azurecr.io")
WORKLOAD.private_endpoint("redis-events", cache.id, "redisCache", "privatelink.redis.cache.windows.net")
WORKLOAD.private_endpoint("evhns-events", events.id, "namespace", "privatelink.servicebus.windows.net")
for name, resource in (
    ("kv-events", vault),
    ("aks-events", cluster),
    ("acr-events", registry),
    ("redis-events", cache),
    ("evhns-events", events),
):
    WORKLOAD.audit_logs(name, resource.id)
for name, resource in (("kv-events", vault), ("redis-events", cache), ("evhns-events", events)):
    WORKLOAD.delete_lock(name, resource.id)
