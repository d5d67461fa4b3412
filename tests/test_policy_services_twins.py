"""Valid twins pass, misconfigured twins fail exactly their rules: one small workload stack per service and provider.

Each stack is written the way a careful user following Microsoft's documentation would write it with the Pulumi
SDKs (typed args, so the wire format is the SDK's own): secure settings where Azure's default is insecure, Azure's
default left alone where it is already secure, and the documented alternatives where there are several (a
customer-managed key in a separate resource, Entra-only authentication set by its own resource, FTPS only instead
of FTP off). Its twin changes what a hurried user would get wrong, often in another spelling (a deprecated classic
resource type, an enum in another case), and must fail exactly the listed rules. Rules that are advisory by default
(optional hardening; see each rule's docstring) are listed with their level: they never block a valid twin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pulumi_azure as classic
import pulumi_azure_native as native
import pytest

from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record

Analyze = Callable[..., PackResult]
Expected = dict[str, str]  # rule id -> enforcement level

RG = "rg-claims"
LOCATION = "eastus2"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-claims/providers"
DES = f"{SUB}/Microsoft.Compute/diskEncryptionSets/des-claims"
SUBNET = f"{SUB}/Microsoft.Network/virtualNetworks/vnet-claims/subnets/workload"
IDENTITY = f"{SUB}/Microsoft.ManagedIdentity/userAssignedIdentities/id-claims"
KEY = "https://kv-claims.vault.azure.net/keys/cmk"
VAULT = "https://kv-claims.vault.azure.net"
TENANT = "11111111-1111-1111-1111-111111111111"
GROUP = "22222222-2222-2222-2222-222222222222"
SSH_KEY = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0 azureuser"


def _user_identity(*, as_map: bool = False) -> dict[str, object]:
    """A user-assigned identity block (some azure-native types take the IDs as a list, others as a map)."""
    return {"type": "UserAssigned", "user_assigned_identities": {IDENTITY: {}} if as_map else [IDENTITY]}


# --- App Service ------------------------------------------------------------------------------------------------


def app_service_native(bad: bool) -> None:
    # ftpsState left unset: the FTP basic-auth policy refuses every FTP/FTPS login; TLS left at Azure's default 1.2;
    # basic auth off through the two policies.
    site = native.web.WebApp(
        "app-claims",
        resource_group_name=RG,
        kind="app,linux",
        https_only=True,
        public_network_access="Disabled",
        site_config=native.web.SiteConfigArgs(
            ftps_state="AllAllowed" if bad else None,
            min_tls_version="1.0" if bad else None,
        ),
    )
    native.web.WebAppFtpAllowed("ftp-off", name=site.name, resource_group_name=RG, allow=False)
    # a staging slot: FTPS only, with its own slot policies
    slot = native.web.WebAppSlot(
        "staging",
        name=site.name,
        slot="staging",
        resource_group_name=RG,
        https_only=True,
        public_network_access="Disabled",
        site_config=native.web.SiteConfigArgs(ftps_state=native.web.FtpsState.FTPS_ONLY),
    )
    for protocol, policy in (("ftp", native.web.WebAppFtpAllowedSlot), ("scm", native.web.WebAppScmAllowedSlot)):
        policy(f"{protocol}-off-staging", name=site.name, slot=slot.name, resource_group_name=RG, allow=False)
    if not bad:  # the twin forgets the SCM/WebDeploy policy
        native.web.WebAppScmAllowed("scm-off", name=site.name, resource_group_name=RG, allow=False)


def app_service_classic(bad: bool) -> None:
    if not bad:
        # ftpsState unset: the classic provider sends its default 'Disabled'.
        classic.appservice.LinuxFunctionApp(
            "func-claims",
            resource_group_name=RG,
            location=LOCATION,
            service_plan_id=f"{SUB}/Microsoft.Web/serverFarms/plan",
            storage_account_name="stclaims",
            storage_uses_managed_identity=True,
            https_only=True,
            public_network_access_enabled=False,
            ftp_publish_basic_authentication_enabled=False,
            webdeploy_publish_basic_authentication_enabled=False,
            site_config={"minimum_tls_version": "1.2"},
        )
        return
    # The deprecated resource: HTTPS not forced, FTP at its default AllAllowed, no way to turn off public access
    # or basic-auth publishing.
    classic.appservice.AppService(
        "app-claims",
        resource_group_name=RG,
        location=LOCATION,
        app_service_plan_id=f"{SUB}/Microsoft.Web/serverFarms/plan",
        site_config={"min_tls_version": "1.2"},
    )


# --- AKS ----------------------------------------------------------------------------------------------------------


def aks_native(bad: bool) -> None:
    native.containerservice.ManagedCluster(
        "aks-claims",
        resource_group_name=RG,
        dns_prefix="aks-claims",
        identity={"type": "SystemAssigned"},
        api_server_access_profile={"authorized_ip_ranges": ["203.0.113.0/24", "0.0.0.0/0"]}
        if bad
        else {"enable_private_cluster": True},
        disable_local_accounts=None if bad else True,
        enable_rbac=True,
        aad_profile={"managed": True, "enable_azure_rbac": True, "admin_group_object_ids": [GROUP]},
        disk_encryption_set_id=DES,
        agent_pool_profiles=[
            {
                "name": "system",
                "mode": "System",
                "count": 3,
                "vm_size": "Standard_D4ds_v5",
                "enable_encryption_at_host": True,
            }
        ],
    )


def aks_classic(bad: bool) -> None:
    # A careful user without the EncryptionAtHost feature: host encryption is advisory.
    cluster = classic.containerservice.KubernetesCluster(
        "aks-claims",
        resource_group_name=RG,
        location=LOCATION,
        dns_prefix="aks-claims",
        identity={"type": "SystemAssigned"},
        private_cluster_enabled=True,
        local_account_disabled=True,
        azure_active_directory_role_based_access_control=None
        if bad
        else {"azure_rbac_enabled": True, "tenant_id": TENANT, "admin_group_object_ids": [GROUP]},
        disk_encryption_set_id=DES,
        default_node_pool={"name": "system", "vm_size": "Standard_D4ds_v5", "node_count": 3},
    )
    classic.containerservice.KubernetesClusterNodePool(
        "user",
        kubernetes_cluster_id=cluster.id,
        vm_size="Standard_D4ds_v5",
        node_count=2,
        host_encryption_enabled=True,
        node_public_ip_enabled=bad,
    )


# --- Virtual machines and disks --------------------------------------------------------------------------------


def compute_native(bad: bool) -> None:
    native.compute.VirtualMachine(
        "vm-claims",
        resource_group_name=RG,
        hardware_profile={"vm_size": "Standard_D4ds_v5"},
        security_profile={"encryption_at_host": True},
        os_profile={
            "computer_name": "vm-claims",
            "admin_username": "azureuser",
            "linux_configuration": {
                "disable_password_authentication": True,
                "ssh": {"public_keys": [{"path": "/home/azureuser/.ssh/authorized_keys", "key_data": SSH_KEY}]},
            },
        },
        storage_profile={
            "os_disk": {"create_option": "FromImage", "managed_disk": {"disk_encryption_set": {"id": DES}}},
        },
        network_profile={"network_interfaces": [{"id": f"{SUB}/Microsoft.Network/networkInterfaces/nic"}]},
    )
    native.compute.Disk(
        "data-claims",
        resource_group_name=RG,
        creation_data={"create_option": "Empty"},
        disk_size_gb=128,
        # the twin keeps platform keys and opens export: lower-case enum spellings
        encryption={"type": "encryptionAtRestWithPlatformKey"}
        if bad
        else {
            "type": native.compute.EncryptionType.ENCRYPTION_AT_REST_WITH_CUSTOMER_KEY,
            "disk_encryption_set_id": DES,
        },
        network_access_policy="allowAll" if bad else native.compute.NetworkAccessPolicy.DENY_ALL,
        public_network_access="enabled" if bad else "Disabled",
    )


def compute_classic(bad: bool) -> None:
    if bad:
        # The deprecated VirtualMachine resource: no disk encryption set at all, and password sign-in left on.
        classic.compute.VirtualMachine(
            "vm-claims",
            resource_group_name=RG,
            location=LOCATION,
            vm_size="Standard_D4ds_v5",
            network_interface_ids=[f"{SUB}/Microsoft.Network/networkInterfaces/nic"],
            storage_os_disk={"name": "os", "create_option": "FromImage", "managed_disk_type": "Premium_LRS"},
            os_profile={"computer_name": "vm-claims", "admin_username": "azureuser"},
            os_profile_linux_config={"disable_password_authentication": False},
        )
        return
    # Without the EncryptionAtHost feature registered: advisory only.
    classic.compute.LinuxVirtualMachine(
        "vm-claims",
        resource_group_name=RG,
        location=LOCATION,
        size="Standard_D4ds_v5",
        admin_username="azureuser",
        admin_ssh_keys=[{"username": "azureuser", "public_key": SSH_KEY}],
        network_interface_ids=[f"{SUB}/Microsoft.Network/networkInterfaces/nic"],
        os_disk={"caching": "ReadWrite", "storage_account_type": "Premium_LRS", "disk_encryption_set_id": DES},
        source_image_reference={
            "publisher": "Canonical",
            "offer": "ubuntu-24_04-lts",
            "sku": "server",
            "version": "latest",
        },
    )
    classic.compute.ManagedDisk(
        "data-claims",
        resource_group_name=RG,
        location=LOCATION,
        storage_account_type="Premium_LRS",
        create_option="Empty",
        disk_size_gb=128,
        disk_encryption_set_id=DES,
        network_access_policy="DenyAll",
        public_network_access_enabled=False,
    )


# --- Container Apps --------------------------------------------------------------------------------------------------


def container_apps_native(bad: bool) -> None:
    environment = native.app.ManagedEnvironment(
        "cae-claims",
        resource_group_name=RG,
        vnet_configuration={"infrastructure_subnet_id": SUBNET, "internal": not bad},
    )
    native.app.ContainerApp(
        "ca-claims",
        resource_group_name=RG,
        managed_environment_id=environment.id,
        configuration={"ingress": {"external": True, "target_port": 8080, "allow_insecure": bad}},
        template={"containers": [{"name": "api", "image": "mcr.microsoft.com/k8se/quickstart:latest"}]},
    )


def container_apps_classic(bad: bool) -> None:
    environment = classic.containerapp.Environment(
        "cae-claims",
        resource_group_name=RG,
        location=LOCATION,
        infrastructure_subnet_id=SUBNET,
        internal_load_balancer_enabled=not bad,
    )
    classic.containerapp.App(
        "ca-claims",
        resource_group_name=RG,
        container_app_environment_id=environment.id,
        revision_mode="Single",
        ingress={
            "external_enabled": True,
            "target_port": 8080,
            "allow_insecure_connections": bad,
            "traffic_weights": [{"percentage": 100, "latest_revision": True}],
        },
        template={
            "containers": [
                {"name": "api", "image": "mcr.microsoft.com/k8se/quickstart:latest", "cpu": 0.5, "memory": "1Gi"}
            ]
        },
    )


# --- Container Registry -----------------------------------------------------------------------------------------------


def acr_native(bad: bool) -> None:
    # Export left at its default: advisory (a data-loss-prevention option the baselines do not require).
    registry = native.containerregistry.Registry(
        "acrclaims",
        resource_group_name=RG,
        sku={"name": "Premium"},
        admin_user_enabled=bad,
        public_network_access="Disabled",
        identity=_user_identity(as_map=True),
        encryption={"status": "enabled", "key_vault_properties": {"key_identifier": KEY, "identity": "client-id"}},
    )
    if bad:
        native.containerregistry.Token(
            "ci-pull",
            registry_name=registry.name,
            resource_group_name=RG,
            scope_map_id=f"{SUB}/scopeMaps/_repositories_pull",
        )


def acr_classic(bad: bool) -> None:
    classic.containerservice.Registry(
        "acrclaims",
        resource_group_name=RG,
        location=LOCATION,
        sku="Premium",
        admin_enabled=False,
        anonymous_pull_enabled=bad,
        public_network_access_enabled=bad,
        export_policy_enabled=None if bad else False,
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
        encryption={"key_vault_key_id": KEY, "identity_client_id": "client-id"},
    )


# --- Cosmos DB ----------------------------------------------------------------------------------------------------------


def cosmos_native(bad: bool) -> None:
    # minimalTlsVersion left at Azure's default (Tls12).
    native.cosmosdb.DatabaseAccount(
        "cosmos-claims",
        resource_group_name=RG,
        database_account_offer_type="Standard",
        locations=[{"location_name": LOCATION, "failover_priority": 0}],
        public_network_access="enabled" if bad else "Disabled",
        disable_local_auth=True,
        minimal_tls_version="Tls" if bad else None,
        key_vault_key_uri=KEY,
        default_identity=f"UserAssignedIdentity={IDENTITY}",
        identity=_user_identity(),
    )


def cosmos_classic(bad: bool) -> None:
    classic.cosmosdb.Account(
        "cosmos-claims",
        resource_group_name=RG,
        location=LOCATION,
        offer_type="Standard",
        consistency_policy={"consistency_level": "Session"},
        geo_locations=[{"location": LOCATION, "failover_priority": 0}],
        public_network_access_enabled=False,
        local_authentication_disabled=not bad,
        key_vault_key_id=KEY,
    )


# --- Data Factory -----------------------------------------------------------------------------------------------------


def data_factory_native(bad: bool) -> None:
    factory = native.datafactory.Factory(
        "adf-claims",
        resource_group_name=RG,
        public_network_access="Disabled",
        identity={"type": "UserAssigned", "user_assigned_identities": [IDENTITY]},
        encryption=None
        if bad
        else {"vault_base_url": VAULT, "key_name": "cmk", "identity": {"user_assigned_identity": IDENTITY}},
    )
    # A self-hosted runtime on the customer's own network; the twin adds a managed one outside the managed VNet.
    native.datafactory.IntegrationRuntime(
        "shir", factory_name=factory.name, resource_group_name=RG, properties={"type": "SelfHosted"}
    )
    if bad:
        native.datafactory.IntegrationRuntime(
            "azure-ir",
            factory_name=factory.name,
            resource_group_name=RG,
            properties={"type": "Managed", "type_properties": {"compute_properties": {"location": "AutoResolve"}}},
        )


def data_factory_classic(bad: bool) -> None:
    # The customer-managed key in its own resource, as the classic provider documents it.
    factory = classic.datafactory.Factory(
        "adf-claims",
        resource_group_name=RG,
        location=LOCATION,
        public_network_enabled=False,
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
    )
    other = classic.datafactory.Factory(
        "adf-other",
        resource_group_name=RG,
        location=LOCATION,
        public_network_enabled=False,
        customer_managed_key_id=KEY,
        customer_managed_key_identity_id=IDENTITY,
    )
    classic.datafactory.CustomerManagedKey(
        "adf-claims-cmk",
        data_factory_id=other.id if bad else factory.id,  # the twin keys the wrong factory
        customer_managed_key_id=KEY,
        user_assigned_identity_id=IDENTITY,
    )


# --- Databricks --------------------------------------------------------------------------------------------------------


def databricks_native(bad: bool) -> None:
    native.databricks.Workspace(
        "dbw-claims",
        resource_group_name=RG,
        managed_resource_group_id="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dbw-managed",
        sku={"name": "premium"},
        public_network_access="Disabled",
        required_nsg_rules="NoAzureDatabricksRules",
        parameters={"enable_no_public_ip": {"value": not bad}},
        encryption={
            "entities": {
                "managed_services": {
                    "key_source": "Microsoft.Keyvault",
                    "key_vault_properties": {"key_name": "cmk", "key_vault_uri": VAULT, "key_version": "1"},
                },
                "managed_disk": {
                    "key_source": "Microsoft.Keyvault",
                    "key_vault_properties": {"key_name": "cmk", "key_vault_uri": VAULT, "key_version": "1"},
                },
            }
        },
    )


def databricks_classic(bad: bool) -> None:
    classic.databricks.Workspace(
        "dbw-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku="premium",
        public_network_access_enabled=bad,
        network_security_group_rules_required="NoAzureDatabricksRules",
        managed_services_cmk_key_vault_key_id=KEY,
        managed_disk_cmk_key_vault_key_id=None if bad else KEY,
    )


# --- Event Grid ----------------------------------------------------------------------------------------------------------


def eventgrid_native(bad: bool) -> None:
    native.eventgrid.Topic(
        "egt-claims",
        resource_group_name=RG,
        disable_local_auth=True,
        public_network_access="Disabled",
        minimum_tls_version_allowed="1.1" if bad else "1.2",
    )
    native.eventgrid.Namespace(
        "egn-claims",
        resource_group_name=RG,
        sku={"name": "Standard", "capacity": 1},
        public_network_access="enabled" if bad else "Disabled",
    )


def eventgrid_classic(bad: bool) -> None:
    classic.eventgrid.Domain(
        "egd-claims",
        resource_group_name=RG,
        location=LOCATION,
        local_auth_enabled=False,
        public_network_access_enabled=False,
    )
    if bad:
        # The deprecated alias in the eventhub module, with keys left on.
        classic.eventhub.EventGridTopic(
            "egt-claims", resource_group_name=RG, location=LOCATION, public_network_access_enabled=False
        )
    else:
        classic.eventgrid.Topic(
            "egt-claims",
            resource_group_name=RG,
            location=LOCATION,
            local_auth_enabled=False,
            public_network_access_enabled=False,
        )


# --- Event Hubs ------------------------------------------------------------------------------------------------------------


def eventhub_native(bad: bool) -> None:
    # minimumTlsVersion left at the ARM default (1.2).
    namespace = native.eventhub.Namespace(
        "evh-claims",
        resource_group_name=RG,
        sku={"name": "Premium", "tier": "Premium", "capacity": 1},
        disable_local_auth=True,
        public_network_access="Disabled",
        identity=_user_identity(),
        encryption={
            "key_source": "Microsoft.KeyVault",
            "key_vault_properties": [
                {"key_name": "cmk", "key_vault_uri": VAULT, "identity": {"user_assigned_identity": IDENTITY}}
            ],
        },
    )
    hub = native.eventhub.EventHub("claims", namespace_name=namespace.name, resource_group_name=RG, partition_count=4)
    if bad:
        native.eventhub.EventHubAuthorizationRule(
            "send", event_hub_name=hub.name, namespace_name=namespace.name, resource_group_name=RG, rights=["Send"]
        )


def eventhub_classic(bad: bool) -> None:
    namespace = classic.eventhub.EventHubNamespace(
        "evh-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku="Premium",
        capacity=1,
        local_authentication_enabled=False,
        public_network_access_enabled=False,
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
    )
    classic.eventhub.NamespaceCustomerManagedKey(
        "evh-cmk", eventhub_namespace_id=namespace.id, key_vault_key_ids=[KEY], user_assigned_identity_id=IDENTITY
    )
    if bad:  # the deprecated alias of AuthorizationRule
        classic.eventhub.EventHubAuthorizationRule(
            "send", eventhub_name="claims", namespace_name=namespace.name, resource_group_name=RG, send=True
        )


# --- MySQL flexible server ---------------------------------------------------------------------------------------------------


def mysql_native(bad: bool) -> None:
    server = native.dbformysql.Server(
        "mysql-claims",
        resource_group_name=RG,
        sku={"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"},
        network={"delegated_subnet_resource_id": SUBNET} if not bad else {"public_network_access": "Enabled"},
        identity=_user_identity(),
        data_encryption={
            "type": "AzureKeyVault",
            "primary_key_uri": KEY,
            "primary_user_assigned_identity_id": IDENTITY,
        },
    )
    native.dbformysql.Configuration(
        "aad-only",
        server_name=server.name,
        resource_group_name=RG,
        configuration_name="aad_auth_only",
        value="ON",
        source="user-override",
    )
    native.dbformysql.Configuration(
        "tls",
        server_name=server.name,
        resource_group_name=RG,
        configuration_name="tls_version",
        value="TLSv1.1,TLSv1.2" if bad else "TLSv1.2,TLSv1.3",
        source="user-override",
    )


def mysql_classic(bad: bool) -> None:
    server = classic.mysql.FlexibleServer(
        "mysql-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku_name="GP_Standard_D2ds_v4",
        delegated_subnet_id=SUBNET,
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
        customer_managed_key=None if bad else {"key_vault_key_id": KEY, "primary_user_assigned_identity_id": IDENTITY},
    )
    classic.mysql.FlexibleServerConfiguration(
        "aad-only", server_name=server.name, resource_group_name=RG, name="aad_auth_only", value="OFF" if bad else "ON"
    )


# --- Redis ------------------------------------------------------------------------------------------------------------------


def redis_native(bad: bool) -> None:
    # minimumTlsVersion and the non-TLS port left at Azure's defaults (1.2, closed).
    native.redis.Redis(
        "redis-claims",
        resource_group_name=RG,
        sku={"name": "Premium", "family": "P", "capacity": 1},
        public_network_access="Disabled",
        disable_access_key_authentication=not bad,
        enable_non_ssl_port=True if bad else None,
        redis_configuration={"aad_enabled": "true"},
    )
    # Azure Managed Redis next to it (TLS only by design): the twin leaves its public endpoint open
    cluster = native.redisenterprise.RedisEnterprise(
        "amr-claims",
        resource_group_name=RG,
        sku={"name": "Balanced_B1"},
        public_network_access="Enabled" if bad else "Disabled",
    )
    native.redisenterprise.Database(
        "default",
        cluster_name=cluster.name,
        resource_group_name=RG,
        database_name="default",
        access_keys_authentication="Disabled",
        client_protocol="Encrypted",
    )


def redis_classic(bad: bool) -> None:
    # The classic provider sends minimumTlsVersion 1.0 unless told: a careful user sets it.
    classic.redis.Cache(
        "redis-claims",
        resource_group_name=RG,
        location=LOCATION,
        capacity=1,
        family="P",
        sku_name="Premium",
        minimum_tls_version=None if bad else "1.2",
        public_network_access_enabled=False,
        access_keys_authentication_enabled=False,
        redis_configuration={"active_directory_authentication_enabled": True},
    )


# --- AI Search, AI services -------------------------------------------------------------------------------------------------


def search_native(bad: bool) -> None:
    native.search.Service(
        "srch-claims",
        resource_group_name=RG,
        sku={"name": "standard"},
        public_network_access="Enabled" if bad else "disabled",
        disable_local_auth=True,
        encryption_with_cmk={"enforcement": "Unspecified" if bad else "Enabled"},
    )


def search_classic(bad: bool) -> None:
    classic.search.Service(
        "srch-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku="standard",
        public_network_access_enabled=False,
        local_authentication_enabled=bad,
        customer_managed_key_enforcement_enabled=True,
    )


def cognitive_native(bad: bool) -> None:
    native.cognitiveservices.Account(
        "oai-claims",
        resource_group_name=RG,
        kind="OpenAI",
        sku={"name": "S0"},
        identity=_user_identity(),
        properties={
            "custom_sub_domain_name": "oai-claims",
            "public_network_access": "Enabled" if bad else "Disabled",
            "network_acls": {"default_action": "Allow" if bad else "Deny"},
            "disable_local_auth": True,
            "encryption": {
                "key_source": "Microsoft.KeyVault",
                "key_vault_properties": {
                    "key_name": "cmk",
                    "key_vault_uri": VAULT,
                    "key_version": "1",
                    "identity_client_id": "client-id",
                },
            },
        },
    )


def cognitive_classic(bad: bool) -> None:
    # The newer AIServices resource, its key in the separate customer-managed-key resource.
    account = classic.cognitive.AIServices(
        "ais-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku_name="S0",
        custom_subdomain_name="ais-claims",
        public_network_access="Disabled",
        local_authentication_enabled=bad,
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
    )
    if not bad:
        classic.cognitive.AccountCustomerManagedKey(
            "ais-cmk", cognitive_account_id=account.id, key_vault_key_id=KEY, identity_client_id="client-id"
        )


# --- Service Bus -------------------------------------------------------------------------------------------------------------


def servicebus_native(bad: bool) -> None:
    native.servicebus.Namespace(
        "sb-claims",
        resource_group_name=RG,
        sku={"name": "Premium", "tier": "Premium", "capacity": 1},
        disable_local_auth=not bad,
        public_network_access="Disabled",
        minimum_tls_version="1.0" if bad else None,
        identity=_user_identity(),
        encryption={
            "key_source": "Microsoft.KeyVault",
            "key_vault_properties": [
                {"key_name": "cmk", "key_vault_uri": VAULT, "identity": {"user_assigned_identity": IDENTITY}}
            ],
        },
    )


def servicebus_classic(bad: bool) -> None:
    if bad:
        # The deprecated alias in the eventhub module, with SAS keys left on and a SAS policy.
        namespace = classic.eventhub.Namespace(
            "sb-claims",
            resource_group_name=RG,
            location=LOCATION,
            sku="Premium",
            capacity=1,
            public_network_access_enabled=False,
        )
        classic.eventhub.QueueAuthorizationRule(
            "send", name="send", queue_id=namespace.id.apply(lambda ns: f"{ns}/queues/claims"), send=True
        )
        return
    namespace = classic.servicebus.Namespace(
        "sb-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku="Premium",
        capacity=1,
        premium_messaging_partitions=1,
        local_auth_enabled=False,
        public_network_access_enabled=False,
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
    )
    classic.servicebus.NamespaceCustomerManagedKey("sb-cmk", namespace_id=namespace.id, key_vault_key_id=KEY)


# --- SQL Managed Instance ------------------------------------------------------------------------------------------------------


def sql_mi_native(bad: bool) -> None:
    # Entra-only set by its own resource, as Microsoft documents it for an existing instance.
    instance = native.sql.ManagedInstance(
        "mi-claims",
        resource_group_name=RG,
        sku={"name": "GP_Gen5", "tier": "GeneralPurpose"},
        subnet_id=SUBNET,
        minimal_tls_version="1.2",
        public_data_endpoint_enabled=bad,
        administrators={"administrator_type": "ActiveDirectory", "login": "dba", "sid": GROUP, "tenant_id": TENANT},
        primary_user_assigned_identity_id=IDENTITY,
        identity=_user_identity(),
        key_id=f"{KEY}/0123456789abcdef",
    )
    native.sql.ManagedInstanceAzureADOnlyAuthentication(
        "entra-only",
        managed_instance_name=instance.name,
        resource_group_name=RG,
        authentication_name="Default",
        azure_ad_only_authentication=not bad,
    )


def sql_mi_classic(bad: bool) -> None:
    instance = classic.mssql.ManagedInstance(
        "mi-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku_name="GP_Gen5",
        license_type="BasePrice",
        storage_size_in_gb=32,
        vcores=4,
        subnet_id=SUBNET,
        minimum_tls_version="1.0" if bad else "1.2",
        identity={"type": "UserAssigned", "identity_ids": [IDENTITY]},
    )
    classic.mssql.ManagedInstanceActiveDirectoryAdministrator(
        "entra-admin",
        managed_instance_id=instance.id,
        login_username="dba",
        object_id=GROUP,
        tenant_id=TENANT,
        azuread_authentication_only=True,
    )
    classic.mssql.ManagedInstanceTransparentDataEncryption(
        "tde", managed_instance_id=instance.id, key_vault_key_id=f"{KEY}/0123456789abcdef"
    )


# --- Synapse, API Management ---------------------------------------------------------------------------------------------------


def synapse_native(bad: bool) -> None:
    # No managed virtual network: SQL-only workspace reached through private endpoints (advisory only).
    native.synapse.Workspace(
        "syn-claims",
        resource_group_name=RG,
        identity={"type": "SystemAssigned"},
        default_data_lake_storage={"account_url": "https://stclaims.dfs.core.windows.net", "filesystem": "synapse"},
        public_network_access="Disabled",
        azure_ad_only_authentication=not bad,
        encryption={"cmk": {"key": {"name": "cmk", "key_vault_url": KEY}}},
    )


def synapse_classic(bad: bool) -> None:
    classic.synapse.Workspace(
        "syn-claims",
        resource_group_name=RG,
        location=LOCATION,
        storage_data_lake_gen2_filesystem_id="https://stclaims.dfs.core.windows.net/synapse",
        identity={"type": "SystemAssigned"},
        public_network_access_enabled=bad,
        managed_virtual_network_enabled=True,
        azuread_authentication_only=True,
        customer_managed_key={"key_versionless_id": KEY, "key_name": "cmk"},
    )


def apim_native(bad: bool) -> None:
    # Services created after April 2018 have the legacy protocols off by default; a careful user leaves them alone.
    native.apimanagement.ApiManagementService(
        "apim-claims",
        resource_group_name=RG,
        sku={"name": "Premium", "capacity": 1},
        publisher_email="platform@contoso.example",
        publisher_name="Contoso",
        virtual_network_type="None" if bad else "Internal",
        virtual_network_configuration=None if bad else {"subnet_resource_id": SUBNET},
        custom_properties={"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls11": "true"}
        if bad
        else None,
    )


def apim_classic(bad: bool) -> None:
    classic.apimanagement.Service(
        "apim-claims",
        resource_group_name=RG,
        location=LOCATION,
        sku_name="Developer_1",
        publisher_email="platform@contoso.example",
        publisher_name="Contoso",
        virtual_network_type="Internal",
        virtual_network_configuration={"subnet_id": SUBNET},
        security={"triple_des_ciphers_enabled": bad},
    )


@dataclass(frozen=True)
class Twin:
    build: Callable[[bool], None]
    #: Rules the valid twin still reports (advisory ones only: a valid twin never blocks).
    valid: Expected
    #: Rules the misconfigured twin reports, with their levels.
    bad: Expected


M, A = "mandatory", "advisory"

TWINS: dict[str, Twin] = {
    "app-service-native": Twin(
        app_service_native,
        {},
        {"app-service-ftp-disabled": M, "app-service-minimum-tls": M, "app-service-basic-auth-disabled": M},
    ),
    "app-service-classic": Twin(
        app_service_classic,
        {},
        {
            "app-service-https-only": M,
            "app-service-ftp-disabled": M,
            "app-service-public-network-access-disabled": M,
            "app-service-basic-auth-disabled": M,
        },
    ),
    "aks-native": Twin(aks_native, {}, {"aks-private-api-server": M, "aks-local-accounts-disabled": M}),
    "aks-classic": Twin(
        aks_classic,
        {"aks-encryption-at-host": A},
        {"aks-encryption-at-host": A, "aks-entra-rbac": M, "aks-node-public-ip-disabled": M},
    ),
    "compute-native": Twin(compute_native, {}, {"disk-customer-managed-key": M, "disk-public-access-disabled": M}),
    "compute-classic": Twin(
        compute_classic,
        {"vm-encryption-at-host": A},
        {"vm-disk-customer-managed-key": M, "vm-linux-ssh-keys-only": M},
    ),
    "container-apps-native": Twin(
        container_apps_native, {}, {"container-app-https-only": M, "container-apps-environment-private": M}
    ),
    "container-apps-classic": Twin(
        container_apps_classic, {}, {"container-app-https-only": M, "container-apps-environment-private": M}
    ),
    "acr-native": Twin(
        acr_native,
        {"acr-export-disabled": A},
        {"acr-export-disabled": A, "acr-admin-user-disabled": M, "acr-no-repository-tokens": M},
    ),
    "acr-classic": Twin(
        acr_classic,
        {},
        {"acr-anonymous-pull-disabled": M, "acr-public-network-access-disabled": M, "acr-export-disabled": A},
    ),
    "cosmos-native": Twin(cosmos_native, {}, {"cosmosdb-public-network-access-disabled": M, "cosmosdb-minimum-tls": M}),
    "cosmos-classic": Twin(cosmos_classic, {}, {"cosmosdb-local-auth-disabled": M}),
    "data-factory-native": Twin(
        data_factory_native, {}, {"data-factory-customer-managed-key": M, "data-factory-managed-virtual-network": A}
    ),
    "data-factory-classic": Twin(data_factory_classic, {}, {"data-factory-customer-managed-key": M}),
    "databricks-native": Twin(databricks_native, {}, {"databricks-no-public-ip": M}),
    "databricks-classic": Twin(
        databricks_classic, {}, {"databricks-public-network-access-disabled": M, "databricks-customer-managed-key": M}
    ),
    "eventgrid-native": Twin(
        eventgrid_native, {}, {"eventgrid-minimum-tls": M, "eventgrid-public-network-access-disabled": M}
    ),
    "eventgrid-classic": Twin(eventgrid_classic, {}, {"eventgrid-local-auth-disabled": M}),
    "eventhub-native": Twin(eventhub_native, {}, {"eventhub-no-sas-policies": M}),
    "eventhub-classic": Twin(eventhub_classic, {}, {"eventhub-no-sas-policies": M}),
    "mysql-native": Twin(mysql_native, {}, {"mysql-public-network-access-disabled": M, "mysql-secure-transport": M}),
    "mysql-classic": Twin(mysql_classic, {}, {"mysql-customer-managed-key": M, "mysql-entra-only-authentication": M}),
    "redis-native": Twin(
        redis_native,
        {},
        {
            "redis-access-keys-disabled": M,
            "redis-non-tls-port-disabled": M,
            "redis-public-network-access-disabled": M,
        },
    ),
    "redis-classic": Twin(redis_classic, {}, {"redis-minimum-tls": M}),
    "search-native": Twin(
        search_native, {}, {"search-public-network-access-disabled": M, "search-customer-managed-key-enforced": M}
    ),
    "search-classic": Twin(search_classic, {}, {"search-local-auth-disabled": M}),
    "cognitive-native": Twin(
        cognitive_native, {}, {"cognitive-public-network-access-disabled": M, "cognitive-network-default-deny": M}
    ),
    "cognitive-classic": Twin(
        cognitive_classic, {}, {"cognitive-local-auth-disabled": M, "cognitive-customer-managed-key": M}
    ),
    "servicebus-native": Twin(
        servicebus_native, {}, {"servicebus-local-auth-disabled": M, "servicebus-minimum-tls": M}
    ),
    "servicebus-classic": Twin(
        servicebus_classic,
        {},
        {"servicebus-local-auth-disabled": M, "servicebus-customer-managed-key": M, "servicebus-no-sas-policies": M},
    ),
    "sql-mi-native": Twin(
        sql_mi_native, {}, {"sql-mi-public-endpoint-disabled": M, "sql-mi-entra-only-authentication": M}
    ),
    "sql-mi-classic": Twin(sql_mi_classic, {}, {"sql-mi-minimum-tls": M}),
    "synapse-native": Twin(
        synapse_native,
        {"synapse-managed-virtual-network": A},
        {"synapse-managed-virtual-network": A, "synapse-entra-only-authentication": M},
    ),
    "synapse-classic": Twin(synapse_classic, {}, {"synapse-public-network-access-disabled": M}),
    "apim-native": Twin(apim_native, {}, {"apim-private-network": M, "apim-legacy-protocols-disabled": M}),
    "apim-classic": Twin(apim_classic, {}, {"apim-legacy-protocols-disabled": M}),
}


def findings(analyze: Analyze, build: Callable[[bool], None], bad: bool) -> Expected:
    """Rule id -> level of every diagnostic the pack reports for the stack.

    The `analyze` fixture (tests/conftest.py) already turns off the governance rules, the secret rules among
    them, which a bad twin may trip on purpose (a literal password).
    """
    result = analyze(record(lambda: build(bad)).registrations)
    found: Expected = {}
    for diagnostic in result.diagnostics:
        assert found.get(diagnostic.policy, diagnostic.enforcement_level) == diagnostic.enforcement_level
        found[diagnostic.policy] = diagnostic.enforcement_level
    return found


@pytest.mark.parametrize("name", sorted(TWINS))
def test_the_valid_twin_passes(analyze: Analyze, name: str) -> None:
    twin = TWINS[name]
    assert findings(analyze, twin.build, bad=False) == twin.valid
    assert all(level == A for level in twin.valid.values())


@pytest.mark.parametrize("name", sorted(TWINS))
def test_the_misconfigured_twin_fails_exactly_its_rules(analyze: Analyze, name: str) -> None:
    twin = TWINS[name]
    assert findings(analyze, twin.build, bad=True) == twin.bad
    assert any(level == M for level in twin.bad.values())


def test_every_workload_service_has_twins_on_both_providers() -> None:
    services = {name.rsplit("-", 1)[0] for name in TWINS}
    assert len(services) == 18
    assert all(f"{service}-{provider}" in TWINS for service in services for provider in ("native", "classic"))
