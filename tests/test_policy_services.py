"""Workload-service rules (issue 12): for every service and control, the hardened resource is silent and the
same resource weakened in that one control fails exactly that rule, on both providers.

Each subject is a hand-written, hardened resource (wire format, as a program would send it) plus the companion
resources a control needs (the basic-auth publishing policies of a web app, the ``aad_auth_only`` parameter of a
MySQL server). Each row of ``CASES`` is one (service, control) weakening: the changes to apply with
``with_changes`` (a None value removes the property) and the one rule that must fail, or None when the change
must stay silent (a property whose Azure default is already safe, a spelling that means the same).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest

from landing_zone.preview.engine import enforce
from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record
from landing_zone.testing import with_changes

Analyze = Callable[..., PackResult]
PACK_DIR = Path(__file__).resolve().parents[1] / "policy_pack"
Props = dict[str, Any]
#: Rules other helpers own that read literal secrets; rows here set literal passwords on purpose.
SECRET_RULES = ("no-literal-secrets",)

DES = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des-phi"
SUBNET = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apps"
KEY = "https://kv-phi.vault.azure.net/keys/cmk"


def _companion(token: str, name: str, props: Props) -> None:
    pulumi.CustomResource(token, name, props)


Companions = Callable[[Props, pulumi.CustomResource], None]


def _site_policies(slot: bool, protocols: tuple[str, ...] = ("Ftp", "Scm")) -> Companions:
    """The basic publishing credential policies (FTP and SCM) with allow: false, for the site (or slot)."""

    def add(site: Props, _: pulumi.CustomResource) -> None:
        suffix = "Slot" if slot else ""
        extra = {"slot": site["slot"]} if slot else {}
        for protocol in protocols:
            _companion(
                f"azure-native:web:WebApp{protocol}Allowed{suffix}",
                f"{protocol.lower()}-policy",
                {"name": site["name"], "resourceGroupName": "rg", "allow": False, **extra},
            )

    return add


def _aad_auth_only(token: str, name_key: str) -> Companions:
    def add(server: Props, _: pulumi.CustomResource) -> None:
        name = next(value for key, value in server.items() if key.lower() in ("servername", "name"))
        _companion(
            token, "aad-only", {"serverName": name, "resourceGroupName": "rg", name_key: "aad_auth_only", "value": "ON"}
        )

    return add


def _keyed_by(token: str, edge: str, key: Props) -> Companions:
    """A classic companion that carries the customer-managed key of the subject (through the subject's ID)."""

    def add(_: Props, subject: pulumi.CustomResource) -> None:
        _companion(token, "cmk", {edge: subject.id, **key})

    return add


@dataclass(frozen=True)
class Subject:
    """A hardened resource of one type and the companions its controls need."""

    token: str
    props: Props
    companions: Companions | None = None

    def program(self, props: Mapping[str, Any]) -> Callable[[], None]:
        def run() -> None:
            resource = pulumi.CustomResource(self.token, "subject", dict(props))
            if self.companions is not None:
                self.companions(dict(props), resource)

        return run


WEB_APP: Props = {
    "name": "app-claims",
    "resourceGroupName": "rg",
    "kind": "app,linux",
    "httpsOnly": True,
    "publicNetworkAccess": "Disabled",
    "siteConfig": {"minTlsVersion": "1.2", "scmMinTlsVersion": "1.2", "ftpsState": "Disabled"},
}
CLASSIC_SITE: Props = {
    "name": "app-claims",
    "httpsOnly": True,
    "publicNetworkAccessEnabled": False,
    "ftpPublishBasicAuthenticationEnabled": False,
    "webdeployPublishBasicAuthenticationEnabled": False,
    "siteConfig": {"minimumTlsVersion": "1.2", "scmMinimumTlsVersion": "1.2", "ftpsState": "Disabled"},
}
VM_STORAGE: Props = {
    "osDisk": {"createOption": "FromImage", "managedDisk": {"diskEncryptionSet": {"id": DES}}},
    "dataDisks": [{"lun": 0, "createOption": "Empty", "managedDisk": {"diskEncryptionSet": {"id": DES}}}],
}
VM_OS_PROFILE: Props = {
    "adminUsername": "azureuser",
    "linuxConfiguration": {
        "disablePasswordAuthentication": True,
        "ssh": {"publicKeys": [{"path": "/home/azureuser/.ssh/authorized_keys", "keyData": "ssh-rsa AAAA"}]},
    },
}

SUBJECTS: dict[str, Subject] = {
    # App Service and Functions
    "web-app": Subject("azure-native:web:WebApp", WEB_APP, _site_policies(slot=False)),
    "function-app": Subject("azure-native:web:WebApp", {**WEB_APP, "kind": "functionapp,linux"}, _site_policies(False)),
    "web-app-ftp-basic-auth-on": Subject("azure-native:web:WebApp", WEB_APP, _site_policies(False, ("Scm",))),
    "web-app-slot": Subject("azure-native:web:WebAppSlot", {**WEB_APP, "slot": "staging"}, _site_policies(slot=True)),
    "ftp-policy": Subject(
        "azure-native:web:WebAppFtpAllowed", {"name": "app", "resourceGroupName": "rg", "allow": False}
    ),
    "linux-web-app": Subject("azure:appservice/linuxWebApp:LinuxWebApp", CLASSIC_SITE),
    "windows-function-app": Subject("azure:appservice/windowsFunctionApp:WindowsFunctionApp", CLASSIC_SITE),
    "linux-function-app-slot": Subject("azure:appservice/linuxFunctionAppSlot:LinuxFunctionAppSlot", CLASSIC_SITE),
    "flex-function-app": Subject(
        "azure:appservice/appFlexConsumption:AppFlexConsumption",
        {
            "httpsOnly": True,
            "publicNetworkAccessEnabled": False,
            "webdeployPublishBasicAuthenticationEnabled": False,
            "siteConfig": {"minimumTlsVersion": "1.2"},
        },
    ),
    # the classic provider's deprecated resources cannot turn off public access or basic-auth publishing
    "legacy-function-app": Subject(
        "azure:appservice/functionApp:FunctionApp",
        {"httpsOnly": True, "siteConfig": {"minTlsVersion": "1.2", "ftpsState": "FtpsOnly"}},
    ),
    # Container Apps
    "container-app": Subject(
        "azure-native:app:ContainerApp",
        {
            "containerAppName": "ca",
            "configuration": {"ingress": {"external": True, "targetPort": 8080, "allowInsecure": False}},
        },
    ),
    "classic-container-app": Subject(
        "azure:containerapp/app:App",
        {"ingress": {"externalEnabled": True, "targetPort": 8080, "allowInsecureConnections": False}},
    ),
    "container-apps-environment": Subject(
        "azure-native:app:ManagedEnvironment",
        {"environmentName": "cae", "vnetConfiguration": {"infrastructureSubnetId": SUBNET, "internal": True}},
    ),
    "classic-container-apps-environment": Subject(
        "azure:containerapp/environment:Environment",
        {"infrastructureSubnetId": SUBNET, "internalLoadBalancerEnabled": True},
    ),
    # AKS
    "aks": Subject(
        "azure-native:containerservice:ManagedCluster",
        {
            "resourceName": "aks-claims",
            "apiServerAccessProfile": {"enablePrivateCluster": True},
            "disableLocalAccounts": True,
            "enableRBAC": True,
            "aadProfile": {"managed": True, "enableAzureRBAC": True},
            "diskEncryptionSetID": DES,
            "agentPoolProfiles": [{"name": "system", "mode": "System", "enableEncryptionAtHost": True}],
        },
    ),
    "classic-aks": Subject(
        "azure:containerservice/kubernetesCluster:KubernetesCluster",
        {
            "privateClusterEnabled": True,
            "localAccountDisabled": True,
            "azureActiveDirectoryRoleBasedAccessControl": {"azureRbacEnabled": True},
            "diskEncryptionSetId": DES,
            "defaultNodePool": {"name": "system", "hostEncryptionEnabled": True},
        },
    ),
    "aks-agent-pool": Subject(
        "azure-native:containerservice:AgentPool", {"agentPoolName": "user", "enableEncryptionAtHost": True}
    ),
    "classic-aks-node-pool": Subject(
        "azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool", {"hostEncryptionEnabled": True}
    ),
    # Virtual machines, scale sets, disks
    "vm": Subject(
        "azure-native:compute:VirtualMachine",
        {
            "vmName": "vm1",
            "securityProfile": {"encryptionAtHost": True},
            "osProfile": VM_OS_PROFILE,
            "storageProfile": VM_STORAGE,
        },
    ),
    "vmss": Subject(
        "azure-native:compute:VirtualMachineScaleSet",
        {
            "vmScaleSetName": "vmss1",
            "virtualMachineProfile": {
                "securityProfile": {"encryptionAtHost": True},
                "osProfile": VM_OS_PROFILE,
                "storageProfile": VM_STORAGE,
            },
        },
    ),
    "linux-vm": Subject(
        "azure:compute/linuxVirtualMachine:LinuxVirtualMachine",
        {
            "encryptionAtHostEnabled": True,
            "disablePasswordAuthentication": True,
            "adminSshKeys": [{"username": "azureuser", "publicKey": "ssh-rsa AAAA"}],
            "osDisk": {"caching": "ReadWrite", "diskEncryptionSetId": DES},
        },
    ),
    "windows-vmss": Subject(
        "azure:compute/windowsVirtualMachineScaleSet:WindowsVirtualMachineScaleSet",
        {"encryptionAtHostEnabled": True, "osDisk": {"caching": "ReadWrite", "diskEncryptionSetId": DES}},
    ),
    "flexible-vmss": Subject(
        "azure:compute/orchestratedVirtualMachineScaleSet:OrchestratedVirtualMachineScaleSet",
        {
            "encryptionAtHostEnabled": True,
            "osDisk": {"caching": "ReadWrite", "diskEncryptionSetId": DES},
            "osProfile": {
                "linuxConfiguration": {"adminUsername": "azureuser", "adminSshKeys": [{"username": "azureuser"}]}
            },
        },
    ),
    "legacy-scale-set": Subject(
        "azure:compute/scaleSet:ScaleSet",
        {
            "storageProfileOsDisk": {"createOption": "Attach"},
            "osProfileLinuxConfig": {"disablePasswordAuthentication": True},
        },
    ),
    "disk": Subject(
        "azure-native:compute:Disk",
        {
            "diskName": "data1",
            "encryption": {"type": "EncryptionAtRestWithCustomerKey", "diskEncryptionSetId": DES},
            "networkAccessPolicy": "DenyAll",
            "publicNetworkAccess": "Disabled",
        },
    ),
    "managed-disk": Subject(
        "azure:compute/managedDisk:ManagedDisk",
        {"diskEncryptionSetId": DES, "networkAccessPolicy": "DenyAll", "publicNetworkAccessEnabled": False},
    ),
    # Cosmos DB
    "cosmos": Subject(
        "azure-native:cosmosdb:DatabaseAccount",
        {
            "accountName": "cosmos-claims",
            "publicNetworkAccess": "Disabled",
            "disableLocalAuth": True,
            "minimalTlsVersion": "Tls12",
            "keyVaultKeyUri": KEY,
        },
    ),
    "classic-cosmos": Subject(
        "azure:cosmosdb/account:Account",
        {
            "publicNetworkAccessEnabled": False,
            "localAuthenticationDisabled": True,
            "minimalTlsVersion": "Tls12",
            "keyVaultKeyId": KEY,
        },
    ),
    # MySQL flexible server
    "mysql": Subject(
        "azure-native:dbformysql:Server",
        {
            "serverName": "mysql-claims",
            "network": {"publicNetworkAccess": "Disabled"},
            "dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": KEY},
        },
        _aad_auth_only("azure-native:dbformysql:Configuration", "configurationName"),
    ),
    "classic-mysql": Subject(
        "azure:mysql/flexibleServer:FlexibleServer",
        {"name": "mysql-claims", "publicNetworkAccess": "Disabled", "customerManagedKey": {"keyVaultKeyId": KEY}},
        _aad_auth_only("azure:mysql/flexibleServerConfiguration:FlexibleServerConfiguration", "name"),
    ),
    "mysql-parameter": Subject(
        "azure-native:dbformysql:Configuration",
        {"serverName": "mysql-claims", "configurationName": "require_secure_transport", "value": "ON"},
    ),
    "classic-mysql-parameter": Subject(
        "azure:mysql/flexibleServerConfiguration:FlexibleServerConfiguration",
        {"serverName": "mysql-claims", "name": "tls_version", "value": "TLSv1.2,TLSv1.3"},
    ),
    # SQL Managed Instance
    "sql-mi": Subject(
        "azure-native:sql:ManagedInstance",
        {
            "managedInstanceName": "mi-claims",
            "subnetId": SUBNET,
            "publicDataEndpointEnabled": False,
            "minimalTlsVersion": "1.2",
            "administrators": {
                "administratorType": "ActiveDirectory",
                "azureADOnlyAuthentication": True,
                "login": "dba",
                "sid": "g",
            },
            "keyId": KEY + "/0123",
        },
    ),
    "classic-sql-mi": Subject(
        "azure:mssql/managedInstance:ManagedInstance",
        {
            "subnetId": SUBNET,
            "minimumTlsVersion": "1.2",
            "azureActiveDirectoryAdministrator": {
                "azureadAuthenticationOnlyEnabled": True,
                "loginUsername": "dba",
                "objectId": "g",
            },
        },
        _keyed_by(
            "azure:mssql/managedInstanceTransparentDataEncryption:ManagedInstanceTransparentDataEncryption",
            "managedInstanceId",
            {"keyVaultKeyId": KEY + "/0123"},
        ),
    ),
    "classic-sql-mi-tde": Subject(
        "azure:mssql/managedInstanceTransparentDataEncryption:ManagedInstanceTransparentDataEncryption",
        {"managedInstanceId": "/mi", "keyVaultKeyId": KEY + "/0123"},
    ),
    "classic-sql-mi-keyless": Subject(
        "azure:mssql/managedInstance:ManagedInstance",
        {"subnetId": SUBNET, "azureActiveDirectoryAdministrator": {"azureadAuthenticationOnlyEnabled": True}},
    ),
    # Redis
    "redis": Subject(
        "azure-native:redis:Redis",
        {
            "name": "redis-claims",
            "enableNonSslPort": False,
            "minimumTlsVersion": "1.2",
            "publicNetworkAccess": "Disabled",
            "disableAccessKeyAuthentication": True,
            "redisConfiguration": {"aadEnabled": "true"},
        },
    ),
    "classic-redis": Subject(
        "azure:redis/cache:Cache",
        {"minimumTlsVersion": "1.2", "publicNetworkAccessEnabled": False, "accessKeysAuthenticationEnabled": False},
    ),
    # Azure Managed Redis (the successor of Azure Cache for Redis)
    "managed-redis": Subject(
        "azure-native:redisenterprise:RedisEnterprise",
        {"clusterName": "amr-claims", "sku": {"name": "Balanced_B1"}, "publicNetworkAccess": "Disabled"},
    ),
    "managed-redis-database": Subject(
        "azure-native:redisenterprise:Database",
        {"clusterName": "amr-claims", "databaseName": "default", "accessKeysAuthentication": "Disabled"},
    ),
    "classic-managed-redis": Subject(
        "azure:managedredis/managedRedis:ManagedRedis",
        {
            "skuName": "Balanced_B1",
            "publicNetworkAccess": "Disabled",
            "defaultDatabase": {"clientProtocol": "Encrypted"},
        },
    ),
    # Event Hubs, Service Bus, Event Grid
    "eventhub": Subject(
        "azure-native:eventhub:Namespace",
        {
            "namespaceName": "evh-claims",
            "sku": {"name": "Premium", "tier": "Premium"},
            "disableLocalAuth": True,
            "minimumTlsVersion": "1.2",
            "publicNetworkAccess": "Disabled",
            "encryption": {
                "keySource": "Microsoft.KeyVault",
                "keyVaultProperties": [{"keyName": "cmk", "keyVaultUri": KEY}],
            },
        },
    ),
    "classic-eventhub": Subject(
        "azure:eventhub/eventHubNamespace:EventHubNamespace",
        {
            "sku": "Premium",
            "localAuthenticationEnabled": False,
            "minimumTlsVersion": "1.2",
            "publicNetworkAccessEnabled": False,
        },
        _keyed_by(
            "azure:eventhub/namespaceCustomerManagedKey:NamespaceCustomerManagedKey",
            "eventhubNamespaceId",
            {"keyVaultKeyIds": [KEY], "userAssignedIdentityId": "/id"},
        ),
    ),
    "classic-eventhub-keyless": Subject(
        "azure:eventhub/eventHubNamespace:EventHubNamespace",
        {"sku": "Premium", "localAuthenticationEnabled": False, "publicNetworkAccessEnabled": False},
    ),
    "servicebus": Subject(
        "azure-native:servicebus:Namespace",
        {
            "namespaceName": "sb-claims",
            "sku": {"name": "Premium", "tier": "Premium"},
            "disableLocalAuth": True,
            "minimumTlsVersion": "1.2",
            "publicNetworkAccess": "Disabled",
            "encryption": {
                "keySource": "Microsoft.KeyVault",
                "keyVaultProperties": [{"keyName": "cmk", "keyVaultUri": KEY}],
            },
        },
    ),
    "classic-servicebus": Subject(
        "azure:servicebus/namespace:Namespace",
        {
            "sku": "Premium",
            "localAuthEnabled": False,
            "minimumTlsVersion": "1.2",
            "publicNetworkAccessEnabled": False,
            "customerManagedKey": {"keyVaultKeyId": KEY, "identityId": "/id"},
        },
    ),
    "classic-servicebus-alias": Subject(
        "azure:eventhub/namespace:Namespace",
        {
            "sku": "Premium",
            "localAuthEnabled": False,
            "publicNetworkAccessEnabled": False,
            "customerManagedKey": {"keyVaultKeyId": KEY, "identityId": "/id"},
        },
    ),
    "eventgrid-topic": Subject(
        "azure-native:eventgrid:Topic",
        {
            "topicName": "egt",
            "disableLocalAuth": True,
            "publicNetworkAccess": "Disabled",
            "minimumTlsVersionAllowed": "1.2",
        },
    ),
    "eventgrid-namespace": Subject(
        "azure-native:eventgrid:Namespace",
        {"namespaceName": "egn", "publicNetworkAccess": "Disabled", "minimumTlsVersionAllowed": "1.2"},
    ),
    "classic-eventgrid-namespace": Subject("azure:eventgrid/namespace:Namespace", {"publicNetworkAccess": "Disabled"}),
    "classic-eventgrid-topic-alias": Subject(
        "azure:eventhub/eventGridTopic:EventGridTopic", {"localAuthEnabled": False, "publicNetworkAccessEnabled": False}
    ),
    "classic-eventgrid-domain": Subject(
        "azure:eventgrid/domain:Domain", {"localAuthEnabled": False, "publicNetworkAccessEnabled": False}
    ),
    # Azure OpenAI and AI services
    "openai": Subject(
        "azure-native:cognitiveservices:Account",
        {
            "accountName": "oai-claims",
            "kind": "OpenAI",
            "properties": {
                "customSubDomainName": "oai-claims",
                "publicNetworkAccess": "Disabled",
                "disableLocalAuth": True,
                "networkAcls": {"defaultAction": "Deny"},
                "encryption": {"keySource": "Microsoft.KeyVault", "keyVaultProperties": {"keyName": "cmk"}},
            },
        },
    ),
    "classic-ai-services": Subject(
        "azure:cognitive/account:Account",
        {
            "kind": "AIServices",
            "publicNetworkAccessEnabled": False,
            "localAuthEnabled": False,
            "networkAcls": {"defaultAction": "Deny"},
            "customerManagedKey": {"keyVaultKeyId": KEY},
        },
    ),
    "classic-ai-services-resource": Subject(
        "azure:cognitive/aIServices:AIServices",
        {
            "publicNetworkAccess": "Disabled",
            "localAuthenticationEnabled": False,
            "networkAcls": {"defaultAction": "Deny"},
            "customerManagedKey": {"keyVaultKeyId": KEY},
        },
    ),
    # AI Search
    "search": Subject(
        "azure-native:search:Service",
        {
            "searchServiceName": "srch-claims",
            "publicNetworkAccess": "disabled",
            "disableLocalAuth": True,
            "encryptionWithCmk": {"enforcement": "Enabled"},
        },
    ),
    "classic-search": Subject(
        "azure:search/service:Service",
        {
            "publicNetworkAccessEnabled": False,
            "localAuthenticationEnabled": False,
            "customerManagedKeyEnforcementEnabled": True,
        },
    ),
    # Container Registry
    "acr": Subject(
        "azure-native:containerregistry:Registry",
        {
            "registryName": "acrclaims",
            "sku": {"name": "Premium"},
            "adminUserEnabled": False,
            "anonymousPullEnabled": False,
            "publicNetworkAccess": "Disabled",
            "encryption": {"status": "enabled", "keyVaultProperties": {"keyIdentifier": KEY, "identity": "client-id"}},
            "policies": {"exportPolicy": {"status": "disabled"}},
        },
    ),
    "classic-acr": Subject(
        "azure:containerservice/registry:Registry",
        {
            "sku": "Premium",
            "adminEnabled": False,
            "publicNetworkAccessEnabled": False,
            "exportPolicyEnabled": False,
            "encryption": {"keyVaultKeyId": KEY, "identityClientId": "client-id"},
        },
    ),
    # API Management
    "apim": Subject(
        "azure-native:apimanagement:ApiManagementService",
        {
            "serviceName": "apim-claims",
            "virtualNetworkType": "Internal",
            "virtualNetworkConfiguration": {"subnetResourceId": SUBNET},
            "customProperties": {
                "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "False",
                "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Ssl30": "False",
            },
        },
    ),
    "classic-apim": Subject(
        "azure:apimanagement/service:Service",
        {
            "virtualNetworkType": "Internal",
            "security": {"enableFrontendTls10": False, "tripleDesCiphersEnabled": False},
        },
    ),
    # Data Factory
    "data-factory": Subject(
        "azure-native:datafactory:Factory",
        {
            "factoryName": "adf-claims",
            "publicNetworkAccess": "Disabled",
            "encryption": {"vaultBaseUrl": "https://kv-phi.vault.azure.net", "keyName": "cmk"},
        },
    ),
    "data-factory-runtime": Subject(
        "azure-native:datafactory:IntegrationRuntime",
        {
            "factoryName": "adf-claims",
            "integrationRuntimeName": "managed",
            "properties": {
                "type": "Managed",
                "managedVirtualNetwork": {"referenceName": "default", "type": "ManagedVirtualNetworkReference"},
            },
        },
    ),
    "classic-data-factory-runtime": Subject(
        "azure:datafactory/integrationRuntimeRule:IntegrationRuntimeRule",
        {"dataFactoryId": "/factories/adf-claims", "virtualNetworkEnabled": True},
    ),
    "classic-data-factory": Subject(
        "azure:datafactory/factory:Factory",
        {"publicNetworkEnabled": False, "customerManagedKeyId": KEY, "managedVirtualNetworkEnabled": True},
    ),
    # Synapse
    "synapse": Subject(
        "azure-native:synapse:Workspace",
        {
            "workspaceName": "syn-claims",
            "publicNetworkAccess": "Disabled",
            "managedVirtualNetwork": "default",
            "azureADOnlyAuthentication": True,
            "encryption": {"cmk": {"key": {"name": "cmk", "keyVaultUrl": KEY}}},
        },
    ),
    "classic-synapse": Subject(
        "azure:synapse/workspace:Workspace",
        {
            "publicNetworkAccessEnabled": False,
            "managedVirtualNetworkEnabled": True,
            "azureadAuthenticationOnly": True,
            "customerManagedKey": {"keyVersionlessId": KEY},
        },
    ),
    # Databricks
    "databricks": Subject(
        "azure-native:databricks:Workspace",
        {
            "workspaceName": "dbw-claims",
            "sku": {"name": "premium"},
            "publicNetworkAccess": "Disabled",
            "requiredNsgRules": "NoAzureDatabricksRules",
            "parameters": {"enableNoPublicIp": {"value": True}},
            "encryption": {
                "entities": {
                    "managedServices": {"keySource": "Microsoft.Keyvault", "keyVaultProperties": {"keyName": "cmk"}},
                    "managedDisk": {"keySource": "Microsoft.Keyvault", "keyVaultProperties": {"keyName": "cmk"}},
                }
            },
        },
    ),
    "classic-databricks": Subject(
        "azure:databricks/workspace:Workspace",
        {
            "sku": "premium",
            "publicNetworkAccessEnabled": False,
            "networkSecurityGroupRulesRequired": "NoAzureDatabricksRules",
            "customParameters": {"noPublicIp": True},
            "managedServicesCmkKeyVaultKeyId": KEY,
            "managedDiskCmkKeyVaultKeyId": KEY,
        },
    ),
}

#: (subject, changes, the one rule that must fail, None for "stays silent"; a tuple where one change weakens two
#: controls at once, such as opening public access on an account whose network rules also allow everyone).
CASES: list[tuple[str, dict[str, Any], str | tuple[str, ...] | None]] = [
    # App Service and Functions: HTTPS only, TLS 1.2, no plain FTP, private, basic auth off, no remote debugging
    ("web-app", {"httpsOnly": False}, "app-service-https-only"),
    ("web-app", {"httpsOnly": None}, "app-service-https-only"),
    ("web-app", {"siteConfig.minTlsVersion": "1.0"}, "app-service-minimum-tls"),
    ("web-app", {"siteConfig.scmMinTlsVersion": "1.1"}, "app-service-minimum-tls"),
    ("web-app", {"siteConfig.minTlsVersion": None}, None),
    ("web-app", {"siteConfig.minTlsVersion": "1.3"}, None),
    ("web-app", {"siteConfig.ftpsState": "AllAllowed"}, "app-service-ftp-disabled"),
    ("web-app", {"siteConfig.ftpsState": None}, None),  # FTP logins refused (401) by the FTP basic-auth policy
    ("web-app-ftp-basic-auth-on", {}, "app-service-basic-auth-disabled"),
    (
        "web-app-ftp-basic-auth-on",
        {"siteConfig.ftpsState": None},
        ("app-service-ftp-disabled", "app-service-basic-auth-disabled"),
    ),
    ("web-app-slot", {"siteConfig.ftpsState": None}, None),
    ("web-app", {"siteConfig.ftpsState": "FtpsOnly"}, None),
    ("web-app", {"publicNetworkAccess": "Enabled"}, "app-service-public-network-access-disabled"),
    ("web-app", {"publicNetworkAccess": None}, "app-service-public-network-access-disabled"),
    ("web-app", {"siteConfig.remoteDebuggingEnabled": True}, "app-service-remote-debugging-disabled"),
    (
        "web-app",
        {"siteConfig.cors": {"allowedOrigins": ["https://portal.contoso.example", "*"]}},
        "app-service-cors-not-open",
    ),
    ("web-app", {"siteConfig.cors": {"allowedOrigins": ["https://portal.contoso.example"]}}, None),
    ("linux-web-app", {"siteConfig.cors": {"allowedOrigins": ["*"]}}, "app-service-cors-not-open"),
    ("function-app", {"httpsOnly": False}, "app-service-https-only"),
    ("function-app", {"siteConfig.minTlsVersion": "1.1"}, "app-service-minimum-tls"),
    ("function-app", {"publicNetworkAccess": "Enabled"}, "app-service-public-network-access-disabled"),
    ("web-app-slot", {"httpsOnly": False}, "app-service-https-only"),
    ("web-app-slot", {"siteConfig.ftpsState": "AllAllowed"}, "app-service-ftp-disabled"),
    ("ftp-policy", {"allow": True}, "app-service-basic-auth-disabled"),
    ("ftp-policy", {"allow": None}, "app-service-basic-auth-disabled"),
    ("linux-web-app", {"httpsOnly": None}, "app-service-https-only"),
    ("linux-web-app", {"siteConfig.minimumTlsVersion": "1.0"}, "app-service-minimum-tls"),
    ("linux-web-app", {"siteConfig.minimumTlsVersion": None}, None),
    ("linux-web-app", {"siteConfig.ftpsState": "AllAllowed"}, "app-service-ftp-disabled"),
    ("linux-web-app", {"siteConfig.ftpsState": None}, None),
    ("linux-web-app", {"publicNetworkAccessEnabled": None}, "app-service-public-network-access-disabled"),
    ("linux-web-app", {"ftpPublishBasicAuthenticationEnabled": True}, "app-service-basic-auth-disabled"),
    ("linux-web-app", {"webdeployPublishBasicAuthenticationEnabled": None}, "app-service-basic-auth-disabled"),
    ("linux-web-app", {"siteConfig.remoteDebuggingEnabled": True}, "app-service-remote-debugging-disabled"),
    ("windows-function-app", {"publicNetworkAccessEnabled": True}, "app-service-public-network-access-disabled"),
    ("windows-function-app", {"siteConfig.scmMinimumTlsVersion": "1.0"}, "app-service-minimum-tls"),
    ("linux-function-app-slot", {"httpsOnly": False}, "app-service-https-only"),
    ("linux-function-app-slot", {"ftpPublishBasicAuthenticationEnabled": None}, "app-service-basic-auth-disabled"),
    ("flex-function-app", {"webdeployPublishBasicAuthenticationEnabled": None}, "app-service-basic-auth-disabled"),
    ("flex-function-app", {"publicNetworkAccessEnabled": None}, "app-service-public-network-access-disabled"),
    ("flex-function-app", {"siteConfig.scmMinimumTlsVersion": "1.1"}, "app-service-minimum-tls"),
    ("legacy-function-app", {}, ("app-service-public-network-access-disabled", "app-service-basic-auth-disabled")),
    (
        "legacy-function-app",
        {"siteConfig.ftpsState": None},  # the deprecated function app defaults to AllAllowed
        ("app-service-ftp-disabled", "app-service-public-network-access-disabled", "app-service-basic-auth-disabled"),
    ),
    (
        "legacy-function-app",
        {"httpsOnly": None, "siteConfig.minTlsVersion": "1.0"},
        (
            "app-service-https-only",
            "app-service-minimum-tls",
            "app-service-public-network-access-disabled",
            "app-service-basic-auth-disabled",
        ),
    ),
    # Container Apps: HTTPS-only ingress, internal environment
    ("container-app", {"configuration.ingress.allowInsecure": True}, "container-app-https-only"),
    ("container-app", {"configuration.ingress.allowInsecure": None}, None),
    ("classic-container-app", {"ingress.allowInsecureConnections": True}, "container-app-https-only"),
    ("container-apps-environment", {"vnetConfiguration.internal": False}, "container-apps-environment-private"),
    ("container-apps-environment", {"vnetConfiguration": None}, "container-apps-environment-private"),
    (
        "container-apps-environment",
        {"vnetConfiguration": None, "publicNetworkAccess": "Disabled"},
        None,
    ),
    ("classic-container-apps-environment", {"internalLoadBalancerEnabled": None}, "container-apps-environment-private"),
    ("classic-container-apps-environment", {"infrastructureSubnetId": None}, "container-apps-environment-private"),
    # AKS: private API server, no local accounts, Entra RBAC, CMK node disks, encryption at host
    ("aks", {"apiServerAccessProfile.enablePrivateCluster": False}, "aks-private-api-server"),
    ("aks", {"apiServerAccessProfile": None}, "aks-private-api-server"),
    (
        "aks",
        {"apiServerAccessProfile": {"enablePrivateCluster": False, "authorizedIPRanges": ["203.0.113.0/24"]}},
        None,
    ),
    (
        "aks",
        {"apiServerAccessProfile": {"authorizedIPRanges": ["203.0.113.0/24", "0.0.0.0/0"]}},
        "aks-private-api-server",
    ),
    ("aks", {"disableLocalAccounts": False}, "aks-local-accounts-disabled"),
    ("aks", {"disableLocalAccounts": None}, "aks-local-accounts-disabled"),
    ("aks", {"aadProfile": None}, "aks-entra-rbac"),
    ("aks", {"aadProfile.managed": False}, "aks-entra-rbac"),
    ("aks", {"aadProfile": {"enableAzureRBAC": True, "adminGroupObjectIDs": ["g"]}}, None),
    ("aks", {"enableRBAC": False}, "aks-entra-rbac"),
    ("aks", {"diskEncryptionSetID": None}, "aks-customer-managed-key"),
    ("aks", {"agentPoolProfiles": [{"name": "system", "mode": "System"}]}, "aks-encryption-at-host"),
    ("classic-aks", {"privateClusterEnabled": False}, "aks-private-api-server"),
    (
        "classic-aks",
        {"privateClusterEnabled": None, "apiServerAccessProfile": {"authorizedIpRanges": ["198.51.100.7/32"]}},
        None,
    ),
    ("classic-aks", {"localAccountDisabled": None}, "aks-local-accounts-disabled"),
    ("classic-aks", {"azureActiveDirectoryRoleBasedAccessControl": None}, "aks-entra-rbac"),
    ("classic-aks", {"roleBasedAccessControlEnabled": False}, "aks-entra-rbac"),
    ("classic-aks", {"diskEncryptionSetId": None}, "aks-customer-managed-key"),
    ("classic-aks", {"defaultNodePool.hostEncryptionEnabled": False}, "aks-encryption-at-host"),
    (
        "aks",
        {"agentPoolProfiles": [{"name": "system", "enableEncryptionAtHost": True, "enableNodePublicIP": True}]},
        "aks-node-public-ip-disabled",
    ),
    ("classic-aks", {"defaultNodePool.nodePublicIpEnabled": True}, "aks-node-public-ip-disabled"),
    ("aks-agent-pool", {"enableNodePublicIP": True}, "aks-node-public-ip-disabled"),
    ("classic-aks-node-pool", {"nodePublicIpEnabled": True}, "aks-node-public-ip-disabled"),
    ("aks-agent-pool", {"enableEncryptionAtHost": None}, "aks-encryption-at-host"),
    ("classic-aks-node-pool", {"hostEncryptionEnabled": False}, "aks-encryption-at-host"),
    # Virtual machines and scale sets: encryption at host, CMK disks, SSH keys only on Linux
    ("vm", {"securityProfile.encryptionAtHost": False}, "vm-encryption-at-host"),
    ("vm", {"securityProfile": None}, "vm-encryption-at-host"),
    ("vm", {"storageProfile.osDisk.managedDisk": None}, "vm-disk-customer-managed-key"),
    ("vm", {"storageProfile.dataDisks": [{"lun": 0, "createOption": "Empty"}]}, "vm-disk-customer-managed-key"),
    (
        "flexible-vmss",
        {"osProfile.linuxConfiguration.adminPassword": "Not-a-real-password-1"},
        "vm-linux-ssh-keys-only",
    ),
    ("flexible-vmss", {"osProfile.linuxConfiguration.disablePasswordAuthentication": False}, "vm-linux-ssh-keys-only"),
    ("flexible-vmss", {"osDisk.diskEncryptionSetId": None}, "vm-disk-customer-managed-key"),
    ("legacy-scale-set", {"storageProfileOsDisk.createOption": "FromImage"}, "vm-disk-customer-managed-key"),
    (
        "legacy-scale-set",
        {"storageProfileDataDisks": [{"lun": 0, "createOption": "Empty"}]},
        "vm-disk-customer-managed-key",
    ),
    ("legacy-scale-set", {"osProfileLinuxConfig.disablePasswordAuthentication": False}, "vm-linux-ssh-keys-only"),
    (
        "disk",
        {
            "encryption": None,
            "securityProfile": {
                "securityType": "ConfidentialVM_DiskEncryptedWithCustomerKey",
                "secureVMDiskEncryptionSetId": DES,
            },
        },
        None,
    ),
    ("disk", {"encryption": None, "securityProfile": {"securityType": "TrustedLaunch"}}, "disk-customer-managed-key"),
    # a confidential VM names its disk encryption set under managedDisk.securityProfile
    (
        "vm",
        {
            "storageProfile.osDisk.managedDisk": {
                "securityProfile": {"securityEncryptionType": "DiskWithVMGuestState", "diskEncryptionSet": {"id": DES}}
            }
        },
        None,
    ),
    # a specialized OS disk attached as it is: no osProfile, its sign-in settings come with the disk
    (
        "vm",
        {"osProfile": None, "storageProfile.osDisk": {"createOption": "Attach", "osType": "Linux"}},
        None,
    ),
    ("vm", {"osProfile.linuxConfiguration.disablePasswordAuthentication": False}, "vm-linux-ssh-keys-only"),
    ("vm", {"osProfile.adminPassword": "Not-a-real-password-1"}, "vm-linux-ssh-keys-only"),
    ("vmss", {"virtualMachineProfile.securityProfile.encryptionAtHost": None}, "vm-encryption-at-host"),
    ("vmss", {"virtualMachineProfile.storageProfile.osDisk.managedDisk": None}, "vm-disk-customer-managed-key"),
    (
        "vmss",
        {"virtualMachineProfile.osProfile.linuxConfiguration.disablePasswordAuthentication": None},
        "vm-linux-ssh-keys-only",
    ),
    ("linux-vm", {"encryptionAtHostEnabled": None}, "vm-encryption-at-host"),
    ("linux-vm", {"osDisk.diskEncryptionSetId": None}, "vm-disk-customer-managed-key"),
    ("linux-vm", {"disablePasswordAuthentication": False}, "vm-linux-ssh-keys-only"),
    ("linux-vm", {"disablePasswordAuthentication": None}, None),
    ("linux-vm", {"adminPassword": "Not-a-real-password-1"}, "vm-linux-ssh-keys-only"),
    ("windows-vmss", {"encryptionAtHostEnabled": False}, "vm-encryption-at-host"),
    ("windows-vmss", {"osDisk.diskEncryptionSetId": None}, "vm-disk-customer-managed-key"),
    ("disk", {"encryption.type": "EncryptionAtRestWithPlatformKey"}, "disk-customer-managed-key"),
    ("disk", {"encryption": None}, "disk-customer-managed-key"),
    ("disk", {"networkAccessPolicy": "AllowAll", "publicNetworkAccess": "Enabled"}, "disk-public-access-disabled"),
    ("disk", {"networkAccessPolicy": None, "publicNetworkAccess": None}, "disk-public-access-disabled"),
    ("disk", {"networkAccessPolicy": "AllowAll"}, None),
    ("disk", {"networkAccessPolicy": "AllowPrivate", "diskAccessId": "/diskAccesses/da"}, None),
    ("disk", {"publicNetworkAccess": "Enabled"}, None),
    ("managed-disk", {"diskEncryptionSetId": None}, "disk-customer-managed-key"),
    ("managed-disk", {"networkAccessPolicy": None, "publicNetworkAccessEnabled": None}, "disk-public-access-disabled"),
    (
        "managed-disk",
        {"networkAccessPolicy": "AllowAll", "publicNetworkAccessEnabled": True},
        "disk-public-access-disabled",
    ),
    ("managed-disk", {"publicNetworkAccessEnabled": True}, None),
    # Cosmos DB: private, keys off, TLS 1.2, CMK
    ("cosmos", {"publicNetworkAccess": "Enabled"}, "cosmosdb-public-network-access-disabled"),
    ("cosmos", {"publicNetworkAccess": None}, "cosmosdb-public-network-access-disabled"),
    ("cosmos", {"disableLocalAuth": False}, "cosmosdb-local-auth-disabled"),
    ("cosmos", {"disableLocalAuth": None}, "cosmosdb-local-auth-disabled"),
    ("cosmos", {"minimalTlsVersion": "Tls"}, "cosmosdb-minimum-tls"),
    ("cosmos", {"minimalTlsVersion": "Tls11"}, "cosmosdb-minimum-tls"),
    ("cosmos", {"minimalTlsVersion": None}, None),
    ("cosmos", {"keyVaultKeyUri": None}, "cosmosdb-customer-managed-key"),
    ("classic-cosmos", {"publicNetworkAccessEnabled": None}, "cosmosdb-public-network-access-disabled"),
    ("classic-cosmos", {"localAuthenticationDisabled": None}, "cosmosdb-local-auth-disabled"),
    ("classic-cosmos", {"localAuthenticationDisabled": None, "localAuthenticationEnabled": False}, None),
    ("classic-cosmos", {"minimalTlsVersion": "Tls11"}, "cosmosdb-minimum-tls"),
    ("classic-cosmos", {"minimalTlsVersion": None}, None),
    ("classic-cosmos", {"keyVaultKeyId": None}, "cosmosdb-customer-managed-key"),
    # MySQL flexible server: private, CMK, TLS parameters, Entra only
    ("mysql", {"network.publicNetworkAccess": "Enabled"}, "mysql-public-network-access-disabled"),
    ("mysql", {"network": None}, "mysql-public-network-access-disabled"),
    ("mysql", {"network": {"delegatedSubnetResourceId": SUBNET}}, None),
    ("mysql", {"dataEncryption.type": "SystemManaged"}, "mysql-customer-managed-key"),
    ("mysql", {"dataEncryption": None}, "mysql-customer-managed-key"),
    ("classic-mysql", {"publicNetworkAccess": "Enabled"}, "mysql-public-network-access-disabled"),
    ("classic-mysql", {"publicNetworkAccess": None, "delegatedSubnetId": SUBNET}, None),
    ("classic-mysql", {"customerManagedKey": None}, "mysql-customer-managed-key"),
    ("mysql-parameter", {"value": "OFF"}, "mysql-secure-transport"),
    ("mysql-parameter", {"configurationName": "tls_version", "value": "TLSv1.1,TLSv1.2"}, "mysql-secure-transport"),
    ("mysql-parameter", {"configurationName": "tls_version", "value": "TLSv1.2"}, None),
    ("mysql-parameter", {"configurationName": "slow_query_log", "value": "OFF"}, None),
    ("classic-mysql-parameter", {"value": "TLSv1,TLSv1.2"}, "mysql-secure-transport"),
    ("classic-mysql-parameter", {"name": "require_secure_transport", "value": "off"}, "mysql-secure-transport"),
    # SQL Managed Instance: no public endpoint, TLS 1.2, Entra only, CMK
    ("sql-mi", {"publicDataEndpointEnabled": True}, "sql-mi-public-endpoint-disabled"),
    ("sql-mi", {"publicDataEndpointEnabled": None}, None),
    ("sql-mi", {"minimalTlsVersion": "1.0"}, "sql-mi-minimum-tls"),
    ("sql-mi", {"minimalTlsVersion": None}, "sql-mi-minimum-tls"),
    ("sql-mi", {"administrators.azureADOnlyAuthentication": False}, "sql-mi-entra-only-authentication"),
    ("sql-mi", {"administratorLoginPassword": "Not-a-real-password-1"}, "sql-mi-entra-only-authentication"),
    ("sql-mi", {"keyId": None}, "sql-mi-customer-managed-key"),
    ("classic-sql-mi", {"publicDataEndpointEnabled": True}, "sql-mi-public-endpoint-disabled"),
    ("classic-sql-mi", {"minimumTlsVersion": "1.1"}, "sql-mi-minimum-tls"),
    ("classic-sql-mi", {"minimumTlsVersion": None}, None),
    ("classic-sql-mi", {"azureActiveDirectoryAdministrator": None}, "sql-mi-entra-only-authentication"),
    ("classic-sql-mi-tde", {"keyVaultKeyId": None}, "sql-mi-customer-managed-key"),
    # Redis: TLS only, TLS 1.2, private, access keys off
    ("redis", {"enableNonSslPort": True}, "redis-non-tls-port-disabled"),
    ("redis", {"enableNonSslPort": None}, None),
    ("redis", {"minimumTlsVersion": "1.0"}, "redis-minimum-tls"),
    ("redis", {"minimumTlsVersion": None}, None),
    ("redis", {"publicNetworkAccess": "Enabled"}, "redis-public-network-access-disabled"),
    ("redis", {"publicNetworkAccess": None, "subnetId": SUBNET}, None),
    ("redis", {"disableAccessKeyAuthentication": False}, "redis-access-keys-disabled"),
    ("classic-redis", {"nonSslPortEnabled": True}, "redis-non-tls-port-disabled"),
    ("classic-redis", {"minimumTlsVersion": None}, "redis-minimum-tls"),
    ("classic-redis", {"publicNetworkAccessEnabled": None}, "redis-public-network-access-disabled"),
    ("classic-redis", {"accessKeysAuthenticationEnabled": None}, "redis-access-keys-disabled"),
    ("managed-redis", {"publicNetworkAccess": "Enabled"}, "redis-public-network-access-disabled"),
    ("managed-redis", {"publicNetworkAccess": None}, "redis-public-network-access-disabled"),
    ("managed-redis-database", {"clientProtocol": "Plaintext"}, "redis-non-tls-port-disabled"),
    ("managed-redis-database", {"clientProtocol": "Encrypted"}, None),
    ("managed-redis-database", {"accessKeysAuthentication": "Enabled"}, "redis-access-keys-disabled"),
    ("managed-redis-database", {"accessKeysAuthentication": None}, "redis-access-keys-disabled"),
    ("classic-managed-redis", {"publicNetworkAccess": None}, "redis-public-network-access-disabled"),
    ("classic-managed-redis", {"defaultDatabase.clientProtocol": "plaintext"}, "redis-non-tls-port-disabled"),
    ("classic-managed-redis", {"defaultDatabase.accessKeysAuthenticationEnabled": True}, "redis-access-keys-disabled"),
    # Event Hubs: SAS keys off, TLS 1.2, private, CMK on Premium
    ("eventhub", {"disableLocalAuth": None}, "eventhub-local-auth-disabled"),
    ("eventhub", {"minimumTlsVersion": "1.1"}, "eventhub-minimum-tls"),
    ("eventhub", {"minimumTlsVersion": None}, None),  # 1.2 is the ARM default (and TLS 1.0/1.1 are retired)
    ("eventhub", {"publicNetworkAccess": "Enabled"}, "eventhub-public-network-access-disabled"),
    ("eventhub", {"encryption": None}, "eventhub-customer-managed-key"),
    ("eventhub", {"encryption": None, "sku": {"name": "Standard", "tier": "Standard"}}, None),
    ("classic-eventhub", {"localAuthenticationEnabled": True}, "eventhub-local-auth-disabled"),
    ("classic-eventhub", {"minimumTlsVersion": "1.0"}, "eventhub-minimum-tls"),
    ("classic-eventhub", {"minimumTlsVersion": None}, None),
    ("classic-eventhub", {"publicNetworkAccessEnabled": None}, "eventhub-public-network-access-disabled"),
    ("classic-sql-mi-keyless", {}, "sql-mi-customer-managed-key"),
    ("classic-eventhub-keyless", {}, "eventhub-customer-managed-key"),
    ("classic-eventhub-keyless", {"sku": "Standard"}, None),
    # Service Bus: SAS keys off, TLS 1.2, private, CMK on Premium
    ("servicebus", {"disableLocalAuth": False}, "servicebus-local-auth-disabled"),
    ("servicebus", {"minimumTlsVersion": None}, None),  # 1.2 is the ARM default (and TLS 1.0/1.1 are retired)
    ("servicebus", {"minimumTlsVersion": "1.0"}, "servicebus-minimum-tls"),
    ("servicebus", {"publicNetworkAccess": "SecuredByPerimeter"}, "servicebus-public-network-access-disabled"),
    ("servicebus", {"encryption.keySource": None}, "servicebus-customer-managed-key"),
    ("classic-servicebus", {"localAuthEnabled": None}, "servicebus-local-auth-disabled"),
    ("classic-servicebus", {"minimumTlsVersion": "1.1"}, "servicebus-minimum-tls"),
    ("classic-servicebus", {"publicNetworkAccessEnabled": True}, "servicebus-public-network-access-disabled"),
    ("classic-servicebus", {"customerManagedKey": None}, "servicebus-customer-managed-key"),
    ("classic-servicebus", {"customerManagedKey": None, "sku": "Standard"}, None),
    ("classic-servicebus-alias", {"localAuthEnabled": None}, "servicebus-local-auth-disabled"),
    ("classic-servicebus-alias", {"minimumTlsVersion": "1.0"}, "servicebus-minimum-tls"),
    ("classic-servicebus-alias", {"customerManagedKey": None}, "servicebus-customer-managed-key"),
    ("classic-ai-services-resource", {"publicNetworkAccess": "Enabled"}, "cognitive-public-network-access-disabled"),
    ("classic-ai-services-resource", {"publicNetworkAccess": None}, "cognitive-public-network-access-disabled"),
    ("classic-ai-services-resource", {"networkAcls": None}, None),  # moot while public access is disabled
    (
        "classic-ai-services-resource",
        {"publicNetworkAccess": None, "networkAcls": None},
        ("cognitive-public-network-access-disabled", "cognitive-network-default-deny"),
    ),
    ("classic-ai-services-resource", {"localAuthenticationEnabled": None}, "cognitive-local-auth-disabled"),
    ("classic-ai-services-resource", {"customerManagedKey": None}, "cognitive-customer-managed-key"),
    # Event Grid: keys off, private, TLS 1.2
    ("eventgrid-topic", {"disableLocalAuth": None}, "eventgrid-local-auth-disabled"),
    ("classic-eventgrid-namespace", {"publicNetworkAccess": None}, "eventgrid-public-network-access-disabled"),
    ("classic-eventgrid-namespace", {"publicNetworkAccess": "enabled"}, "eventgrid-public-network-access-disabled"),
    ("classic-eventgrid-topic-alias", {"localAuthEnabled": None}, "eventgrid-local-auth-disabled"),
    (
        "classic-eventgrid-topic-alias",
        {"publicNetworkAccessEnabled": True},
        "eventgrid-public-network-access-disabled",
    ),
    ("eventgrid-topic", {"publicNetworkAccess": "Enabled"}, "eventgrid-public-network-access-disabled"),
    ("eventgrid-topic", {"minimumTlsVersionAllowed": "1.0"}, "eventgrid-minimum-tls"),
    ("eventgrid-namespace", {"publicNetworkAccess": None}, "eventgrid-public-network-access-disabled"),
    ("eventgrid-namespace", {"minimumTlsVersionAllowed": None}, None),
    ("eventgrid-namespace", {"minimumTlsVersionAllowed": "1.1"}, "eventgrid-minimum-tls"),
    ("eventgrid-topic", {"minimumTlsVersionAllowed": None}, "eventgrid-minimum-tls"),
    ("classic-eventgrid-domain", {"localAuthEnabled": None}, "eventgrid-local-auth-disabled"),
    ("classic-eventgrid-domain", {"publicNetworkAccessEnabled": True}, "eventgrid-public-network-access-disabled"),
    # Azure OpenAI and AI services: private, default deny, keys off, CMK
    ("openai", {"properties.publicNetworkAccess": "Enabled"}, "cognitive-public-network-access-disabled"),
    ("openai", {"properties.networkAcls": None}, None),
    (
        "openai",
        {"properties.publicNetworkAccess": "Enabled", "properties.networkAcls.defaultAction": "Allow"},
        ("cognitive-public-network-access-disabled", "cognitive-network-default-deny"),
    ),
    ("openai", {"properties.disableLocalAuth": None}, "cognitive-local-auth-disabled"),
    ("openai", {"properties.encryption": None}, "cognitive-customer-managed-key"),
    ("openai", {"properties.encryption.keySource": "Microsoft.CognitiveServices"}, "cognitive-customer-managed-key"),
    ("classic-ai-services", {"publicNetworkAccessEnabled": None}, "cognitive-public-network-access-disabled"),
    ("classic-ai-services", {"networkAcls.defaultAction": "Allow"}, None),
    (
        "classic-ai-services",
        {"publicNetworkAccessEnabled": None, "networkAcls": None},
        ("cognitive-public-network-access-disabled", "cognitive-network-default-deny"),
    ),
    ("classic-ai-services", {"localAuthEnabled": True}, "cognitive-local-auth-disabled"),
    ("classic-ai-services", {"customerManagedKey": None}, "cognitive-customer-managed-key"),
    # AI Search: private, keys off, CMK enforced
    ("search", {"publicNetworkAccess": "enabled"}, "search-public-network-access-disabled"),
    ("search", {"disableLocalAuth": None, "authOptions": {"apiKeyOnly": {}}}, "search-local-auth-disabled"),
    ("search", {"encryptionWithCmk.enforcement": "Disabled"}, "search-customer-managed-key-enforced"),
    ("classic-search", {"publicNetworkAccessEnabled": None}, "search-public-network-access-disabled"),
    ("classic-search", {"localAuthenticationEnabled": None}, "search-local-auth-disabled"),
    ("classic-search", {"customerManagedKeyEnforcementEnabled": None}, "search-customer-managed-key-enforced"),
    # Container Registry: no admin user or anonymous pull, private, CMK, exports off
    ("acr", {"adminUserEnabled": True}, "acr-admin-user-disabled"),
    ("acr", {"adminUserEnabled": None}, None),
    ("acr", {"anonymousPullEnabled": True}, "acr-anonymous-pull-disabled"),
    ("acr", {"publicNetworkAccess": "Enabled"}, "acr-public-network-access-disabled"),
    ("acr", {"encryption": None}, "acr-customer-managed-key"),
    ("acr", {"encryption.status": "disabled", "encryption.keyVaultProperties": None}, "acr-customer-managed-key"),
    ("acr", {"policies": None}, "acr-export-disabled"),
    ("classic-acr", {"adminEnabled": True}, "acr-admin-user-disabled"),
    ("classic-acr", {"anonymousPullEnabled": True}, "acr-anonymous-pull-disabled"),
    ("classic-acr", {"publicNetworkAccessEnabled": None}, "acr-public-network-access-disabled"),
    ("classic-acr", {"encryption": None}, "acr-customer-managed-key"),
    ("classic-acr", {"exportPolicyEnabled": None}, "acr-export-disabled"),
    # API Management: internal or private, no legacy protocols
    ("apim", {"virtualNetworkType": "External"}, "apim-private-network"),
    ("apim", {"virtualNetworkType": None}, "apim-private-network"),
    ("apim", {"virtualNetworkType": "None", "publicNetworkAccess": "Disabled"}, None),
    (
        "apim",
        {"customProperties": {"Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10": "True"}},
        "apim-legacy-protocols-disabled",
    ),
    (
        "apim",
        {"customProperties": {"microsoft.windowsazure.apimanagement.gateway.security.ciphers.tripledes168": "true"}},
        "apim-legacy-protocols-disabled",
    ),
    ("apim", {"customProperties": None}, None),
    ("classic-apim", {"virtualNetworkType": "External"}, "apim-private-network"),
    ("classic-apim", {"virtualNetworkType": None, "publicNetworkAccessEnabled": False}, None),
    ("classic-apim", {"security.enableBackendTls11": True}, "apim-legacy-protocols-disabled"),
    # Data Factory: private, CMK, managed virtual network
    ("data-factory", {"publicNetworkAccess": None}, "data-factory-public-network-access-disabled"),
    ("data-factory", {"encryption": None}, "data-factory-customer-managed-key"),
    ("data-factory", {"encryption.keyName": None}, "data-factory-customer-managed-key"),
    ("data-factory-runtime", {"properties.managedVirtualNetwork": None}, "data-factory-managed-virtual-network"),
    ("data-factory-runtime", {"properties": {"type": "SelfHosted"}}, None),
    ("classic-data-factory", {"publicNetworkEnabled": None}, "data-factory-public-network-access-disabled"),
    ("classic-data-factory", {"customerManagedKeyId": None}, "data-factory-customer-managed-key"),
    ("classic-data-factory", {"managedVirtualNetworkEnabled": False}, None),  # the runtimes are what run in it
    ("classic-data-factory-runtime", {"virtualNetworkEnabled": None}, "data-factory-managed-virtual-network"),
    ("classic-data-factory-runtime", {"virtualNetworkEnabled": False}, "data-factory-managed-virtual-network"),
    # Synapse: private, managed VNet, Entra only, CMK
    ("synapse", {"publicNetworkAccess": "Enabled"}, "synapse-public-network-access-disabled"),
    ("synapse", {"managedVirtualNetwork": None}, "synapse-managed-virtual-network"),
    ("synapse", {"azureADOnlyAuthentication": False}, "synapse-entra-only-authentication"),
    ("synapse", {"sqlAdministratorLoginPassword": "Not-a-real-password-1"}, "synapse-entra-only-authentication"),
    ("synapse", {"encryption": None}, "synapse-customer-managed-key"),
    ("classic-synapse", {"publicNetworkAccessEnabled": None}, "synapse-public-network-access-disabled"),
    ("classic-synapse", {"managedVirtualNetworkEnabled": None}, "synapse-managed-virtual-network"),
    ("classic-synapse", {"azureadAuthenticationOnly": None}, "synapse-entra-only-authentication"),
    ("classic-synapse", {"customerManagedKey": None}, "synapse-customer-managed-key"),
    # Databricks: no public IP, private, CMK
    ("databricks", {"parameters.enableNoPublicIp.value": False}, "databricks-no-public-ip"),
    ("databricks", {"parameters": None}, None),
    ("databricks", {"publicNetworkAccess": "Enabled"}, "databricks-public-network-access-disabled"),
    ("databricks", {"encryption.entities.managedDisk": None}, "databricks-customer-managed-key"),
    ("classic-databricks", {"customParameters.noPublicIp": None}, None),
    ("classic-databricks", {"customParameters.noPublicIp": False}, "databricks-no-public-ip"),
    ("classic-databricks", {"publicNetworkAccessEnabled": None}, "databricks-public-network-access-disabled"),
    ("classic-databricks", {"managedServicesCmkKeyVaultKeyId": None}, "databricks-customer-managed-key"),
]


#: Rules whose default level is advisory (hardening Microsoft's baselines recommend but a HIPAA workload does not need;
#: each rule's module docstring says why). Their weakenings are still reported, at that level.
ADVISORY = {
    "acr-export-disabled",
    "aks-encryption-at-host",
    "vm-encryption-at-host",
    "synapse-managed-virtual-network",
    "data-factory-managed-virtual-network",
}


def level(rule: str) -> str:
    return "advisory" if rule in ADVISORY else "mandatory"


def verdicts(analyze: Analyze, program: Callable[[], None]) -> dict[str, list[str]]:
    config = {rule: PolicyConfig("disabled") for rule in SECRET_RULES}
    found: dict[str, list[str]] = {}
    for diagnostic in analyze(record(program).registrations, config=config).diagnostics:
        found.setdefault(diagnostic.policy, []).append(diagnostic.enforcement_level)
    return found


#: Subjects that exist only as weakened forms (a classic resource whose key companion is missing).
WEAKENED_ONLY = {
    "classic-sql-mi-keyless",
    "classic-eventhub-keyless",
    "legacy-function-app",
    "web-app-ftp-basic-auth-on",
}
HARDENED = sorted(set(SUBJECTS) - WEAKENED_ONLY)


@pytest.mark.parametrize("name", HARDENED)
def test_each_hardened_resource_is_silent(analyze: Analyze, name: str) -> None:
    subject = SUBJECTS[name]
    assert verdicts(analyze, subject.program(subject.props)) == {}


@pytest.mark.parametrize(
    ("name", "changes", "rule"),
    CASES,
    ids=[
        f"{name}-{rule if isinstance(rule, str) else 'silent' if rule is None else '+'.join(rule)}-{index}"
        for index, (name, _, rule) in enumerate(CASES)
    ],
)
def test_each_weakening_fails_exactly_its_rule(
    analyze: Analyze, name: str, changes: dict[str, Any], rule: str | tuple[str, ...] | None
) -> None:
    subject = SUBJECTS[name]
    found = verdicts(analyze, subject.program(with_changes(subject.props, changes)))
    expected = (rule,) if isinstance(rule, str) else rule or ()
    assert found == {each: [level(each)] for each in expected}


# --- other spellings: casing of keys and values, booleans as strings, versioned tokens -----------------------


def _transform(
    value: Any, *, key: Callable[[str], str], text: Callable[[str], str], flag: Callable[[bool], Any]
) -> Any:
    if isinstance(value, Mapping):
        return {key(k): _transform(v, key=key, text=text, flag=flag) for k, v in value.items()}
    if isinstance(value, list):
        return [_transform(item, key=key, text=text, flag=flag) for item in value]
    if isinstance(value, bool):
        return flag(value)
    if isinstance(value, str):
        return text(value)
    return value


def _same(value: Any) -> Any:
    return value


def _lower_key(key: str) -> str:
    """Name properties keep their case: the provider auto-names a resource whose name key it does not recognise."""
    return key if key.lower().endswith("name") else key.lower()


SPELLINGS: dict[str, Callable[[Props], Props]] = {
    "upper-case-values-lower-case-keys-string-booleans": lambda props: _transform(
        props, key=_lower_key, text=str.upper, flag=lambda b: "true" if b else "false"
    ),
    "lower-case-values": lambda props: _transform(props, key=_same, text=str.lower, flag=_same),
}


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("name", HARDENED)
def test_other_spellings_of_a_hardened_resource_stay_silent(analyze: Analyze, name: str, spelling: str) -> None:
    subject = SUBJECTS[name]
    assert verdicts(analyze, subject.program(SPELLINGS[spelling](subject.props))) == {}


#: Weakenings spelled the way a hand-written program might (casing, string booleans, odd key case).
SPELLED_WEAKENINGS: list[tuple[str, dict[str, Any], str]] = [
    ("cosmos", {"publicNetworkAccess": "ENABLED"}, "cosmosdb-public-network-access-disabled"),
    ("cosmos", {"disableLocalAuth": "false"}, "cosmosdb-local-auth-disabled"),
    ("redis", {"enableNonSslPort": "True"}, "redis-non-tls-port-disabled"),
    ("acr", {"adminUserEnabled": "true"}, "acr-admin-user-disabled"),
    ("web-app", {"HttpsOnly": False, "httpsOnly": None}, "app-service-https-only"),
    ("aks", {"agentPoolProfiles": [{"Name": "system", "EnableEncryptionAtHost": False}]}, "aks-encryption-at-host"),
    ("search", {"publicNetworkAccess": "Enabled"}, "search-public-network-access-disabled"),
    ("classic-redis", {"publicNetworkAccessEnabled": "TRUE"}, "redis-public-network-access-disabled"),
]


@pytest.mark.parametrize(
    ("name", "changes", "rule"), SPELLED_WEAKENINGS, ids=[f"{c[0]}-{c[2]}" for c in SPELLED_WEAKENINGS]
)
def test_weakenings_in_other_spellings_still_fail(
    analyze: Analyze, name: str, changes: dict[str, Any], rule: str
) -> None:
    subject = SUBJECTS[name]
    assert verdicts(analyze, subject.program(with_changes(subject.props, changes))) == {rule: [level(rule)]}


@pytest.mark.parametrize(
    ("token", "name", "changes", "rule"),
    [
        (
            "azure-native:cosmosdb/v20240815:DatabaseAccount",
            "cosmos",
            {"disableLocalAuth": None},
            "cosmosdb-local-auth-disabled",
        ),
        ("azure-native:web/v20240401:WebApp", "web-app", {"httpsOnly": False}, "app-service-https-only"),
        (
            "azure-native:containerservice/v20250101:ManagedCluster",
            "aks",
            {"disableLocalAccounts": False},
            "aks-local-accounts-disabled",
        ),
        ("azure-native:redis/v20240301:Redis", "redis", {"minimumTlsVersion": "1.1"}, "redis-minimum-tls"),
        (
            "azure-native:web/v20240401:WebApp",
            "web-app",
            {"siteConfig.ftpsState": "AllAllowed"},
            "app-service-ftp-disabled",
        ),
        (
            "azure-native:sql/v20230801preview:ManagedInstance",
            "sql-mi",
            {"administrators.azureADOnlyAuthentication": False},
            "sql-mi-entra-only-authentication",
        ),
        (
            "azure-native:servicebus/v20240101:Namespace",
            "servicebus",
            {"encryption": None},
            "servicebus-customer-managed-key",
        ),
    ],
)
def test_any_api_version_of_a_type_is_checked(
    analyze: Analyze, token: str, name: str, changes: dict[str, Any], rule: str
) -> None:
    subject = SUBJECTS[name]
    versioned = Subject(token, subject.props, subject.companions)
    assert verdicts(analyze, versioned.program(subject.props)) == {}
    assert verdicts(analyze, versioned.program(with_changes(subject.props, changes))) == {rule: ["mandatory"]}


# --- messages and values unknown at preview -----------------------------------------------------------------


def test_messages_name_the_property_and_never_echo_its_value(analyze: Analyze) -> None:
    secret = "S3cr3t-Value-42"
    subject = SUBJECTS["sql-mi"]
    weakened = with_changes(subject.props, {"administratorLoginPassword": secret, "minimalTlsVersion": secret})
    result = analyze(
        record(subject.program(weakened)).registrations, config={r: PolicyConfig("disabled") for r in SECRET_RULES}
    )
    messages = {d.policy: d.message for d in result.diagnostics}
    assert set(messages) == {"sql-mi-entra-only-authentication", "sql-mi-minimum-tls"}
    assert all(secret not in message for message in messages.values())
    assert "administratorLoginPassword" in messages["sql-mi-entra-only-authentication"]
    assert "minimalTlsVersion" in messages["sql-mi-minimum-tls"]


def test_a_value_unknown_at_preview_is_reported_as_unverifiable_not_passed(analyze: Analyze) -> None:
    def program() -> None:
        source = pulumi.CustomResource(
            "azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg", "location": "eastus2"}
        )
        props = with_changes(SUBJECTS["cosmos"].props, {})
        props["publicNetworkAccess"] = source.id.apply(lambda _: "Disabled")  # an output: unknown at preview
        pulumi.CustomResource("azure-native:cosmosdb:DatabaseAccount", "subject", props)

    result = analyze(record(program).registrations)
    found = [(d.policy, d.enforcement_level, d.message) for d in result.diagnostics if d.policy.startswith("cosmosdb")]
    assert len(found) == 1
    policy, level, message = found[0]
    assert policy == "cosmosdb-public-network-access-disabled"
    assert level == "advisory" and "publicNetworkAccess" in message and "not known until apply" in message


# --- resources that are themselves a bypass of Entra ID (item 5 of the issue) ------------------------------------

BYPASSES: list[tuple[str, Props, str | None]] = [
    (
        "azure-native:eventhub:NamespaceAuthorizationRule",
        {"authorizationRuleName": "send", "rights": ["Send"]},
        "eventhub-no-sas-policies",
    ),
    (
        "azure-native:eventhub:EventHubAuthorizationRule",
        {"authorizationRuleName": "listen", "rights": ["Listen"]},
        "eventhub-no-sas-policies",
    ),
    ("azure:eventhub/authorizationRule:AuthorizationRule", {"send": True}, "eventhub-no-sas-policies"),
    (
        "azure:eventhub/eventHubNamespaceAuthorizationRule:EventHubNamespaceAuthorizationRule",
        {"listen": True},
        "eventhub-no-sas-policies",
    ),
    (
        "azure-native:servicebus:NamespaceAuthorizationRule",
        {"authorizationRuleName": "mgr", "rights": ["Manage"]},
        "servicebus-no-sas-policies",
    ),
    (
        "azure-native:servicebus:QueueAuthorizationRule",
        {"authorizationRuleName": "send", "rights": ["Send"]},
        "servicebus-no-sas-policies",
    ),
    (
        "azure-native:servicebus:TopicAuthorizationRule",
        {"authorizationRuleName": "send", "rights": ["Send"]},
        "servicebus-no-sas-policies",
    ),
    (
        "azure:servicebus/namespaceAuthorizationRule:NamespaceAuthorizationRule",
        {"send": True},
        "servicebus-no-sas-policies",
    ),
    ("azure:servicebus/queueAuthorizationRule:QueueAuthorizationRule", {"listen": True}, "servicebus-no-sas-policies"),
    ("azure:servicebus/topicAuthorizationRule:TopicAuthorizationRule", {"listen": True}, "servicebus-no-sas-policies"),
    (
        "azure-native:containerregistry:Token",
        {"tokenName": "ci", "scopeMapId": "/scopeMaps/pull"},
        "acr-no-repository-tokens",
    ),
    ("azure-native:containerregistry:Token", {"tokenName": "ci", "status": "enabled"}, "acr-no-repository-tokens"),
    ("azure-native:containerregistry:Token", {"tokenName": "ci", "status": "Disabled"}, None),
    (
        "azure:containerservice/registryToken:RegistryToken",
        {"scopeMapId": "/scopeMaps/pull"},
        "acr-no-repository-tokens",
    ),
    ("azure:containerservice/registryToken:RegistryToken", {"scopeMapId": "/scopeMaps/pull", "enabled": False}, None),
]


@pytest.mark.parametrize(("token", "props", "rule"), BYPASSES, ids=[f"{t}-{r or 'silent'}" for t, _, r in BYPASSES])
def test_credentials_that_bypass_entra_fail_their_rule(
    analyze: Analyze, token: str, props: Props, rule: str | None
) -> None:
    assert verdicts(analyze, Subject(token, props).program(props)) == ({rule: ["mandatory"]} if rule else {})


# --- the stack-wide rules reach every PHI-holding kind these services add ----------------------------------------

STACK_COVERAGE = ("phi-audit-logs-to-workspace", "phi-private-connectivity", "phi-delete-lock")
PHI_SUBJECTS = (
    "cosmos",
    "mysql",
    "sql-mi",
    "redis",
    "eventhub",
    "servicebus",
    "openai",
    "search",
    "synapse",
    "databricks",
)
CLASSIC_PHI_SUBJECTS = (
    "classic-cosmos",
    "classic-mysql",
    "classic-sql-mi",
    "classic-redis",
    "classic-eventhub",
    "classic-servicebus",
    "classic-ai-services",
    "classic-search",
    "classic-synapse",
    "classic-databricks",
    "classic-servicebus-alias",
    "classic-ai-services-resource",
)
#: Kinds that are private without a private endpoint (always VNet-injected, or injected as written here).
VNET_INJECTED = {"sql-mi", "classic-sql-mi"}


def coverage_findings(program: Callable[[], None]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in enforce(record(program).registrations, PACK_DIR).diagnostics:
        if diagnostic.policy in STACK_COVERAGE:
            found.setdefault(diagnostic.policy, []).append(diagnostic.urn.rsplit("::", 1)[-1])
    return found


@pytest.mark.parametrize("name", PHI_SUBJECTS + CLASSIC_PHI_SUBJECTS)
def test_a_phi_store_of_each_new_kind_must_be_logged_private_and_locked(name: str) -> None:
    subject = SUBJECTS[name]
    expected = {rule: ["subject"] for rule in STACK_COVERAGE}
    if name in VNET_INJECTED:
        expected.pop("phi-private-connectivity")
    assert coverage_findings(subject.program(subject.props)) == expected


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("mysql", {"network": {"delegatedSubnetResourceId": SUBNET}}),
        ("classic-mysql", {"delegatedSubnetId": SUBNET}),
        ("redis", {"subnetId": SUBNET}),
        ("classic-redis", {"subnetId": SUBNET}),
    ],
)
def test_vnet_injection_counts_as_private_connectivity(name: str, changes: dict[str, Any]) -> None:
    subject = SUBJECTS[name]
    assert "phi-private-connectivity" not in coverage_findings(subject.program(with_changes(subject.props, changes)))


def test_a_classic_key_companion_is_matched_by_a_literal_resource_id(analyze: Analyze) -> None:
    """Hand-written stacks may pass the instance's ARM ID as text instead of an output."""
    instance_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi-claims"

    def program(key_for: str) -> Callable[[], None]:
        def run() -> None:
            pulumi.CustomResource(
                "azure:mssql/managedInstance:ManagedInstance",
                "subject",
                {**SUBJECTS["classic-sql-mi-keyless"].props, "name": "mi-claims"},
            )
            pulumi.CustomResource(
                "azure:mssql/managedInstanceTransparentDataEncryption:ManagedInstanceTransparentDataEncryption",
                "cmk",
                {"managedInstanceId": instance_id.replace("mi-claims", key_for), "keyVaultKeyId": KEY},
            )

        return run

    assert verdicts(analyze, program("mi-claims")) == {}
    assert verdicts(analyze, program("mi-other")) == {"sql-mi-customer-managed-key": ["mandatory"]}


def test_an_unknown_alternative_does_not_hide_one_that_passes(analyze: Analyze) -> None:
    """A VNet-integrated MySQL server is private even when its publicNetworkAccess is only known after apply."""

    def program(subnet: bool) -> Callable[[], None]:
        def run() -> None:
            source = pulumi.CustomResource(
                "azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg", "location": "eastus2"}
            )
            network: Props = {"publicNetworkAccess": source.id.apply(lambda _: "Disabled")}
            if subnet:
                network["delegatedSubnetResourceId"] = SUBNET
            props = {**SUBJECTS["mysql"].props, "network": network}
            pulumi.CustomResource("azure-native:dbformysql:Server", "subject", props)

        return run

    def public_rule(subnet: bool) -> list[str]:
        result = analyze(record(program(subnet)).registrations)
        return [d.enforcement_level for d in result.diagnostics if d.policy == "mysql-public-network-access-disabled"]

    assert public_rule(subnet=True) == []
    assert public_rule(subnet=False) == ["advisory"]  # cannot be verified until apply; not a pass, not a guess
