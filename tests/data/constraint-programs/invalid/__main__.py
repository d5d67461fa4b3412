"""Mistakes users make that Azure (or the provider) refuses: each resource below has exactly one.

The logical name of each resource is the key tests/test_constraints_programs.py expects a rejection for.
The classic section runs when pulumi_azure is installed.
"""

import importlib.util

import pulumi_azure_native as az

SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
rg = az.resources.ResourceGroup("rg", resource_group_name="rg-phi", location="eastus2")
g = rg.name

az.storage.StorageAccount(
    "st-tls",
    resource_group_name=g,
    account_name="stphi01",
    kind="StorageV2",
    sku={"name": "Standard_GRS"},
    minimum_tls_version="TLS1.2",
)
az.storage.BlobContainer("container-name", resource_group_name=g, account_name="stphi01", container_name="PHI_Records")
az.keyvault.Vault(
    "kv-retention",
    resource_group_name=g,
    vault_name="kv-phi-01",
    properties={
        "tenant_id": "00000000-0000-0000-0000-000000000000",
        "sku": {"family": "A", "name": "standard"},
        "soft_delete_retention_in_days": 3,
    },
)
az.dbforpostgresql.Server(
    "psql-storage",
    resource_group_name=g,
    server_name="psql-phi-01",
    version="16",
    sku={"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"},
    storage={"storage_size_gb": 65537},
)
az.cosmosdb.DatabaseAccount(
    "cosmos-name",
    resource_group_name=g,
    account_name="Cosmos_PHI",
    database_account_offer_type="Standard",
    locations=[{"location_name": "eastus2"}],
)
az.cosmosdb.DatabaseAccount(
    "cosmos-backup",
    resource_group_name=g,
    account_name="cosmos-phi-01",
    database_account_offer_type="Standard",
    locations=[{"location_name": "eastus2"}],
    backup_policy={"type": "Periodic", "periodic_mode_properties": {"backup_interval_in_minutes": 30}},
)
az.web.AppServicePlan("plan-name", resource_group_name=g, name="plan_phi", sku={"name": "P1v3"})
az.web.WebApp("app-name", resource_group_name=g, name="app_phi.web", https_only=True)
az.containerservice.ManagedCluster(
    "aks-pool",
    resource_group_name=g,
    resource_name_="aks-phi",
    dns_prefix="aksphi",
    agent_pool_profiles=[{"name": "System-Pool", "mode": "System", "count": 1, "vm_size": "Standard_D2s_v5"}],
)
az.containerregistry.Registry("acr-name", resource_group_name=g, registry_name="acr-phi", sku={"name": "Premium"})
az.containerregistry.Registry(
    "acr-sku",
    resource_group_name=g,
    registry_name="acrphibasic01",
    sku={"name": "Basic"},
    network_rule_set={"default_action": "Deny"},
)
az.eventhub.Namespace("eh-name", resource_group_name=g, namespace_name="eh1", sku={"name": "Standard"})
az.eventhub.Namespace("eh-namespace", resource_group_name=g, namespace_name="evh-phi-01", sku={"name": "Standard"})
az.eventhub.EventHub(
    "eh-partitions", resource_group_name=g, namespace_name="evh-phi-01", event_hub_name="audit", partition_count=64
)
az.servicebus.Namespace("sb-name", resource_group_name=g, namespace_name="sb_phi_01", sku={"name": "Standard"})
az.servicebus.Queue(
    "sb-lock", resource_group_name=g, namespace_name="sb-phi-01", queue_name="orders", lock_duration="PT10M"
)
az.operationalinsights.Workspace(
    "law-retention", resource_group_name=g, workspace_name="law-phi-01", retention_in_days=20, sku={"name": "PerGB2018"}
)
vnet = az.network.VirtualNetwork(
    "vnet",
    resource_group_name=g,
    virtual_network_name="vnet-phi",
    location="eastus2",
    address_space={"address_prefixes": ["10.10.0.0/16"]},
)
az.network.Subnet(
    "subnet-size",
    resource_group_name=g,
    virtual_network_name=vnet.name,
    subnet_name="tiny",
    address_prefix="10.10.1.0/30",
)
az.network.Subnet(
    "bastion-size",
    resource_group_name=g,
    virtual_network_name="vnet-phi",
    subnet_name="AzureBastionSubnet",
    address_prefix="10.10.2.0/27",
)
nsg = az.network.NetworkSecurityGroup(
    "nsg", resource_group_name=g, network_security_group_name="nsg-phi", location="westus2"
)
az.network.Subnet(
    "subnet-nsg",
    resource_group_name=g,
    virtual_network_name=vnet.name,
    subnet_name="data",
    address_prefix="10.10.3.0/24",
    network_security_group={"id": nsg.id},
)
az.redis.Redis(
    "redis-name", resource_group_name=g, name="redis--phi", sku={"name": "Standard", "family": "C", "capacity": 1}
)
az.redis.Redis(
    "redis-family", resource_group_name=g, name="redis-phi-02", sku={"name": "Premium", "family": "C", "capacity": 1}
)
az.datafactory.Factory("adf-name", resource_group_name=g, factory_name="adf_phi")
az.apimanagement.ApiManagementService(
    "apim-name",
    resource_group_name=g,
    service_name="apim_phi",
    publisher_email="it@contoso.com",
    publisher_name="Contoso",
    sku={"name": "Developer", "capacity": 1},
)
az.app.ContainerApp(
    "ca-name",
    resource_group_name=g,
    container_app_name="My-App",
    managed_environment_id=f"{SUB}/resourceGroups/rg-phi/providers/Microsoft.App/managedEnvironments/cae-phi",
)
az.authorization.RoleAssignment(
    "ra-name",
    role_assignment_name="deployer-reader",
    principal_id="5b3f2c9a-0000-4000-8000-0000000000c1",
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
    scope=SUB,
)

# Wrong formats, tiers and plans
az.authorization.RoleAssignment(
    "ra-principal",
    principal_id="alice@contoso.com",
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
    scope=SUB,
)
az.authorization.RoleAssignment(
    "ra-role-id",
    principal_id="5b3f2c9a-0000-4000-8000-0000000000c2",
    role_definition_id="acdd72a7-3385-48ef-bd42-f606fba81ae7",
    scope=SUB,
)
az.keyvault.Vault(
    "kv-tenant",
    resource_group_name=g,
    vault_name="kv-phi-03",
    properties={"tenant_id": "contoso.onmicrosoft.com", "sku": {"family": "A", "name": "standard"}},
)
az.dbforpostgresql.Server(
    "psql-ha",
    resource_group_name=g,
    server_name="psql-phi-03",
    version="16",
    sku={"name": "Standard_B1ms", "tier": "Burstable"},
    high_availability={"mode": "ZoneRedundant"},
)
free_plan = az.web.AppServicePlan("plan-free", resource_group_name=g, name="plan-phi-free", sku={"name": "F1"})
az.web.WebApp(
    "app-always-on",
    resource_group_name=g,
    name="app-phi-api",
    server_farm_id=free_plan.id,
    site_config={"always_on": True},
)
az.storage.StorageAccount(
    "st-private",
    resource_group_name=g,
    account_name="stphi04",
    kind="StorageV2",
    sku={"name": "Standard_ZRS"},
    allow_blob_public_access=False,
)
az.storage.BlobContainer(
    "container-public", resource_group_name=g, account_name="stphi04", container_name="site", public_access="Blob"
)

if importlib.util.find_spec("pulumi_azure") is not None:
    import pulumi_azure as azure

    L = "eastus2"
    crg = azure.core.ResourceGroup("c-rg", name="rg-phi-classic", location=L)
    c = crg.name
    azure.storage.Account(
        "c-st-name",
        name="St-Phi-01",
        resource_group_name=c,
        location=L,
        account_tier="Standard",
        account_replication_type="GRS",
    )
    azure.storage.Account(
        "c-st-redundancy",
        name="stphi02",
        resource_group_name=c,
        location=L,
        account_tier="Standard",
        account_replication_type="Standard_GRS",
    )
    azure.storage.Container("c-container-name", name="PHI_Records", storage_account_name="stphi02")
    azure.keyvault.KeyVault(
        "c-kv-retention",
        name="kv-phi-02",
        resource_group_name=c,
        location=L,
        tenant_id="00000000-0000-0000-0000-000000000000",
        sku_name="standard",
        soft_delete_retention_days=120,
    )
    azure.postgresql.FlexibleServer(
        "c-psql-retention",
        name="psql-phi-02",
        resource_group_name=c,
        location=L,
        version="16",
        sku_name="GP_Standard_D2ds_v5",
        storage_mb=32768,
        backup_retention_days=40,
    )
    azure.cosmosdb.Account(
        "c-cosmos-name",
        name="Cosmos_PHI_2",
        resource_group_name=c,
        location=L,
        offer_type="Standard",
        consistency_policy={"consistency_level": "Session"},
        geo_locations=[{"location": L, "failover_priority": 0}],
    )
    azure.appservice.ServicePlan(
        "c-plan-name", name="plan_phi", resource_group_name=c, location=L, os_type="Linux", sku_name="P1v3"
    )
    azure.appservice.LinuxWebApp(
        "c-app-name",
        name="app_phi",
        resource_group_name=c,
        location=L,
        service_plan_id=f"{SUB}/resourceGroups/rg-phi-classic/providers/Microsoft.Web/serverFarms/plan-phi",
        site_config={},
    )
    azure.containerservice.KubernetesCluster(
        "c-aks-pool",
        name="aks-phi-2",
        resource_group_name=c,
        location=L,
        dns_prefix="aksphi2",
        default_node_pool={"name": "System-Pool", "vm_size": "Standard_D2s_v5", "node_count": 1},
        identity={"type": "SystemAssigned"},
    )
    azure.containerservice.Registry("c-acr-name", name="acr-phi-2", resource_group_name=c, location=L, sku="Premium")
    azure.eventhub.EventHubNamespace("c-eh-name", name="eh2", resource_group_name=c, location=L, sku="Standard")
    azure.eventhub.EventHubNamespace(
        "c-eh-namespace", name="evh-phi-02", resource_group_name=c, location=L, sku="Basic"
    )
    azure.eventhub.EventHub(
        "c-eh-partitions",
        name="audit",
        namespace_name="evh-phi-02",
        resource_group_name=c,
        partition_count=2,
        message_retention=7,
    )
    azure.servicebus.Namespace("c-sb-name", name="sb_phi_02", resource_group_name=c, location=L, sku="Standard")
    azure.operationalinsights.AnalyticsWorkspace(
        "c-law-retention", name="law-phi-02", resource_group_name=c, location=L, retention_in_days=20, sku="PerGB2018"
    )
    cvnet = azure.network.VirtualNetwork(
        "c-vnet", name="vnet-phi-2", resource_group_name=c, location=L, address_spaces=["10.20.0.0/16"]
    )
    azure.network.Subnet(
        "c-subnet-size",
        name="tiny",
        resource_group_name=c,
        virtual_network_name=cvnet.name,
        address_prefixes=["10.20.1.0/30"],
    )
    azure.network.Subnet(
        "c-firewall-size",
        name="AzureFirewallSubnet",
        resource_group_name=c,
        virtual_network_name=cvnet.name,
        address_prefixes=["10.20.2.0/27"],
    )
    csubnet = azure.network.Subnet(
        "c-subnet",
        name="data",
        resource_group_name=c,
        virtual_network_name=cvnet.name,
        address_prefixes=["10.20.3.0/24"],
    )
    cnsg = azure.network.NetworkSecurityGroup("c-nsg", name="nsg-phi-2", resource_group_name=c, location="westus2")
    azure.network.SubnetNetworkSecurityGroupAssociation(
        "c-nsg-region", subnet_id=csubnet.id, network_security_group_id=cnsg.id
    )
    azure.redis.Cache(
        "c-redis-name",
        name="redis--phi2",
        resource_group_name=c,
        location=L,
        capacity=1,
        family="C",
        sku_name="Standard",
    )
    azure.datafactory.Factory("c-adf-name", name="adf_phi_2", resource_group_name=c, location=L)
    azure.apimanagement.Service(
        "c-apim-name",
        name="apim_phi_2",
        resource_group_name=c,
        location=L,
        publisher_email="it@contoso.com",
        publisher_name="Contoso",
        sku_name="Developer_1",
    )
    azure.authorization.Assignment(
        "c-ra-name",
        name="deployer-reader",
        scope=SUB,
        role_definition_name="Reader",
        principal_id="5b3f2c9a-0000-4000-8000-0000000000c1",
    )
