"""The Azure constraint catalog: every entry rejects one value Azure refuses and accepts one it takes.

Data-table entries (value ranges, name rules) carry their own example pair and are tested on every
type token they list (azure-native and classic); code entries have their pair in ``CASES`` below. A
new catalog entry without a pair fails ``test_every_entry_has_a_test_pair``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2

from landing_zone.preview.constraints import CATALOG, AzureRejection, check_registrations
from landing_zone.preview.constraints.tables import table_row
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG, UNKNOWN, Registration

TODAY = dt.date(2026, 6, 15)
BY_ID = {constraint.id: constraint for constraint in CATALOG}


def reg(
    type_: str,
    name: str,
    inputs: Mapping[str, Any],
    deps: Mapping[str, list[Registration]] | None = None,
    resource_id: str = "",
) -> Registration:
    """A registration as the recorder makes it: wire-format inputs, property dependencies by URN."""
    struct = struct_pb2.Struct()
    json_format.ParseDict(dict(inputs), struct)
    return Registration(
        urn=f"urn:pulumi:test::test::{type_}::{name}",
        type=type_,
        name=name,
        parent=None,
        custom=True,
        inputs_struct=struct,
        outputs_struct=struct_pb2.Struct(),
        id=resource_id,
        property_dependencies={key: [r.urn for r in value] for key, value in (deps or {}).items()},
    )


def rejections(*registrations: Registration, constraint: str | None = None) -> list[AzureRejection]:
    found = check_registrations(list(registrations), today=TODAY)
    return [r for r in found if constraint is None or r.constraint == constraint]


def nested(path: str, value: Any) -> dict[str, Any]:
    """``a.b[].c`` = v  ->  {"a": {"b": [{"c": v}]}}."""
    head, _, rest = path.partition(".")
    if head.endswith("{}"):
        return {head[:-2]: {"n": nested(rest, value) if rest else value}}
    if head.endswith("[]"):
        return {head[:-2]: [nested(rest, value) if rest else value]}
    return {head: nested(rest, value) if rest else value}


# ---- data-table entries: every type token, accepted and rejected example --------------------------------

TABLE_CASES = [
    pytest.param(constraint.id, token, path, id=f"{constraint.id}-{token}")
    for constraint in CATALOG
    if constraint.examples is not None
    for token, path in table_row(constraint.id)[1].items()
]


@pytest.mark.parametrize(("constraint_id", "token", "path"), TABLE_CASES)
def test_table_entry_accepts_and_rejects(constraint_id: str, token: str, path: str) -> None:
    accepted, rejected = BY_ID[constraint_id].examples  # type: ignore[misc]
    assert rejections(reg(token, "ok", nested(path, accepted)), constraint=constraint_id) == []
    found = rejections(reg(token, "bad", nested(path, rejected)), constraint=constraint_id)
    assert len(found) == 1, found
    assert found[0].urn.endswith("::bad")
    assert found[0].property.replace("[0]", "[]").replace(".n.", "{}.") == path
    assert found[0].reference.startswith("https://learn.microsoft.com/")


# ---- code entries: a hand-made accepted and rejected set of registrations each ---------------------------

Case = Callable[[bool], list[Registration]]


def _diagnostic_storage(bad: bool) -> list[Registration]:
    vault = reg("azure-native:keyvault:Vault", "kv", {"vaultName": "kv-paired", "location": "centralus"})
    archive = reg("azure-native:storage:StorageAccount", "archive", {"location": "eastus2" if bad else "Central US"})
    diag = reg(
        "azure-native:monitor:DiagnosticSetting",
        "diag",
        {"resourceUri": UNKNOWN, "storageAccountId": UNKNOWN, "name": "to-archive"},
        deps={"resourceUri": [vault], "storageAccountId": [archive]},
    )
    return [vault, archive, diag]


def _private_endpoint(bad: bool) -> list[Registration]:
    vnet = reg("azure-native:network:VirtualNetwork", "spoke", {"location": "eastus2"})
    endpoint = reg(
        "azure-native:network:PrivateEndpoint",
        "pep",
        {"location": "westus" if bad else "eastus2", "subnet": {"id": UNKNOWN}},
        deps={"subnet": [vnet]},
    )
    return [vnet, endpoint]


def _peering(bad: bool) -> list[Registration]:
    hub = reg("azure-native:network:VirtualNetwork", "hub", {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}})
    spoke = reg(
        "azure-native:network:VirtualNetwork",
        "spoke",
        {"addressSpace": {"addressPrefixes": ["10.0.128.0/24" if bad else "10.1.0.0/16"]}},
    )
    peering = reg(
        "azure-native:network:VirtualNetworkPeering",
        "spoke-to-hub",
        {"virtualNetworkName": "vnet-spoke", "remoteVirtualNetwork": {"id": UNKNOWN}},
        deps={"virtualNetworkName": [spoke], "remoteVirtualNetwork": [hub]},
    )
    return [hub, spoke, peering]


def _flow_log(bad: bool) -> list[Registration]:
    vnet = reg("azure-native:network:VirtualNetwork", "hub", {"location": "eastus2"})
    storage = reg("azure-native:storage:StorageAccount", "flowlogs", {"location": "westus2" if bad else "eastus2"})
    flow_log = reg(
        "azure-native:network:FlowLog",
        "fl",
        {"targetResourceId": UNKNOWN, "storageId": UNKNOWN, "location": "eastus2"},
        deps={"targetResourceId": [vnet], "storageId": [storage]},
    )
    return [vnet, storage, flow_log]


READER = "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"
ALLOWED_LOCATIONS = "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
HIPAA = "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab"


def _policy(bad: bool) -> list[Registration]:
    parameters = {} if bad else {"listOfAllowedLocations": {"value": ["eastus2", "centralus"]}}
    return [
        reg(
            "azure-native:authorization:PolicyAssignment",
            "allowed-locations",
            {"policyDefinitionId": ALLOWED_LOCATIONS, "parameters": parameters, "scope": "/subscriptions/x"},
        )
    ]


def _budget(bad: bool) -> list[Registration]:
    start = "2026-01-01T00:00:00Z" if bad else "2026-06-01T00:00:00Z"
    return [
        reg("azure-native:consumption:Budget", "budget", {"timeGrain": "Monthly", "timePeriod": {"startDate": start}})
    ]


def _key(name: str, kty: str, size: int | None) -> Registration:
    properties: dict[str, Any] = {"kty": kty}
    if size is not None:
        properties["keySize"] = size
    return reg(
        "azure-native:keyvault:Key",
        name,
        {"vaultName": "kv-contoso", "keyName": f"cmk-{name}", "properties": properties},
    )


def _sql_tde(bad: bool) -> list[Registration]:
    key = _key("sql", "RSA-HSM", 4096 if bad else 3072)
    server_key = reg(
        "azure-native:sql:ServerKey",
        "tde",
        {"serverKeyType": "AzureKeyVault", "uri": UNKNOWN, "serverName": "sql-contoso"},
        deps={"uri": [key]},
    )
    return [key, server_key]


def _storage_cmk(bad: bool) -> list[Registration]:
    key = _key("storage", "EC-HSM" if bad else "RSA", None)
    account = reg(
        "azure-native:storage:StorageAccount",
        "phi",
        {
            "kind": "StorageV2",
            "encryption": {
                "keySource": "Microsoft.Keyvault",
                "keyVaultProperties": {"keyVaultUri": "https://kv-contoso.vault.azure.net/", "keyName": "cmk-storage"},
            },
        },
    )
    return [key, account]


def _postgres_cmk(bad: bool) -> list[Registration]:
    key = _key("postgres", "EC" if bad else "RSA-HSM", 3072 if not bad else None)
    server = reg(
        "azure-native:dbforpostgresql:Server",
        "psql",
        {"dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": UNKNOWN}},
        deps={"dataEncryption": [key]},
    )
    return [key, server]


def _backup_cmk(bad: bool) -> list[Registration]:
    key = _key("backup", "EC-HSM" if bad else "RSA", 2048)
    uri = "https://kv-contoso.vault.azure.net/keys/cmk-backup"
    vault = reg(
        "azure-native:dataprotection:BackupVault",
        "bvault",
        {"properties": {"securitySettings": {"encryptionSettings": {"keyVaultProperties": {"keyUri": uri}}}}},
    )
    return [key, vault]


def _principal_type(bad: bool) -> list[Registration]:
    identity = reg("azure-native:managedidentity:UserAssignedIdentity", "id", {"resourceName": "id-sql-cmk"})
    inputs: dict[str, Any] = {"principalId": UNKNOWN, "roleDefinitionId": READER, "scope": "/subscriptions/x"}
    if not bad:
        inputs["principalType"] = "ServicePrincipal"
    assignment = reg("azure-native:authorization:RoleAssignment", "unwrap", inputs, deps={"principalId": [identity]})
    return [identity, assignment]


def _restore(bad: bool) -> list[Registration]:
    return [
        reg(
            "azure-native:storage:BlobServiceProperties",
            "blob",
            {
                "blobServicesName": "default",
                "isVersioningEnabled": True,
                "changeFeed": {"enabled": True},
                "deleteRetentionPolicy": {"enabled": True, "days": 35},
                "restorePolicy": {"enabled": True, "days": 35 if bad else 30},
            },
        )
    ]


def _enum(bad: bool) -> list[Registration]:
    return [
        reg(
            "azure-native:storage:StorageAccount",
            "st",
            {"kind": "StorageV3" if bad else "storagev2", "sku": {"name": "standard_gzrs"}},
        )
    ]


def _subnets(bad: bool) -> list[Registration]:
    subnets = [
        {"name": "AzureFirewallSubnet", "addressPrefix": "10.20.0.0/26"},
        {"name": "data", "addressPrefix": "10.20.0.32/27" if bad else "10.20.1.0/24"},
    ]
    return [
        reg(
            "azure-native:network:VirtualNetwork",
            "hub",
            {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "subnets": subnets},
        )
    ]


def _diagnostic_destination(bad: bool) -> list[Registration]:
    inputs: dict[str, Any] = {"resourceUri": UNKNOWN, "logs": [{"categoryGroup": "allLogs", "enabled": True}]}
    if not bad:
        inputs["workspaceId"] = UNKNOWN
    return [reg("azure-native:monitor:DiagnosticSetting", "diag", inputs)]


def _group_id(bad: bool) -> list[Registration]:
    vault = reg("azure-native:keyvault:Vault", "kv", {"vaultName": "kv-contoso"})
    endpoint = reg(
        "azure-native:network:PrivateEndpoint",
        "pep",
        {
            "privateLinkServiceConnections": [
                {"name": "c", "privateLinkServiceId": UNKNOWN, "groupIds": ["blob" if bad else "Vault"]}
            ]
        },
        deps={"privateLinkServiceConnections": [vault]},
    )
    return [vault, endpoint]


def _long_term_retention(bad: bool) -> list[Registration]:
    inputs = {"weeklyRetention": "P5W", "monthlyRetention": "P12M", "yearlyRetention": "P11Y" if bad else "P10Y"}
    return [reg("azure-native:sql:LongTermRetentionPolicy", "ltr", inputs)]


def _firewall_policy(bad: bool) -> list[Registration]:
    inputs = {"sku": {"tier": "Standard" if bad else "Premium"}, "intrusionDetection": {"mode": "Deny"}}
    return [reg("azure-native:network:FirewallPolicy", "afwp", inputs)]


def _firewall_tier(bad: bool) -> list[Registration]:
    policy = reg("azure-native:network:FirewallPolicy", "afwp", {"sku": {"tier": "Standard" if bad else "Premium"}})
    firewall = reg(
        "azure-native:network:AzureFirewall",
        "afw",
        {"sku": {"name": "AZFW_VNet", "tier": "Premium"}, "firewallPolicy": {"id": UNKNOWN}},
        deps={"firewallPolicy": [policy]},
    )
    return [policy, firewall]


def _bastion(bad: bool) -> list[Registration]:
    inputs = {"sku": {"name": "Basic" if bad else "Standard"}, "enableTunneling": True}
    return [reg("azure-native:network:BastionHost", "bas", inputs)]


def _public_ip(bad: bool) -> list[Registration]:
    inputs = {"sku": {"name": "Standard"}, "publicIPAllocationMethod": "Dynamic" if bad else "Static"}
    return [reg("azure-native:network:PublicIPAddress", "pip", inputs)]


def _postgres_geo(bad: bool) -> list[Registration]:
    paired = reg(
        "azure-native:keyvault:Vault",
        "kv-paired",
        {"vaultName": "kvpaired", "location": "eastus2" if bad else "centralus"},
    )
    server = reg(
        "azure-native:dbforpostgresql:Server",
        "psql",
        {
            "location": "eastus2",
            "backup": {"geoRedundantBackup": "Enabled"},
            "dataEncryption": {
                "type": "AzureKeyVault",
                "primaryKeyURI": UNKNOWN,
                "geoBackupKeyURI": "https://kvpaired.vault.azure.net/keys/cmk-postgres-geo",
                "geoBackupUserAssignedIdentityId": UNKNOWN,
            },
        },
    )
    return [paired, server]


def _rotation(bad: bool) -> list[Registration]:
    actions = [
        {"trigger": {"timeAfterCreate": "P725D" if bad else "P365D"}, "action": {"type": "rotate"}},
        {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "notify"}},
    ]
    properties = {"kty": "RSA", "rotationPolicy": {"attributes": {"expiryTime": "P730D"}, "lifetimeActions": actions}}
    return [reg("azure-native:keyvault:Key", "k", {"keyName": "cmk", "properties": properties})]


def _subnet_size(bad: bool) -> list[Registration]:
    inputs = {"subnetName": "AzureBastionSubnet", "addressPrefix": "10.20.1.0/27" if bad else "10.20.1.0/26"}
    return [reg("azure-native:network:Subnet", "bastion", inputs)]


def _subnet_placement(bad: bool) -> list[Registration]:
    vnet = reg("azure-native:network:VirtualNetwork", "vnet", {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}})
    subnet = reg(
        "azure-native:network:Subnet",
        "data",
        {
            "subnetName": "data",
            "virtualNetworkName": UNKNOWN,
            "addressPrefix": "10.21.0.0/24" if bad else "10.20.4.0/24",
        },
        deps={"virtualNetworkName": [vnet]},
    )
    return [vnet, subnet]


def _subnet_in(vnet_token: str, subnet_token: str, location: str = "eastus2") -> tuple[Registration, Registration]:
    vnet = reg(vnet_token, "vnet", {"location": location})
    subnet = reg(subnet_token, "snet", {"virtualNetworkName": UNKNOWN}, deps={"virtualNetworkName": [vnet]})
    return vnet, subnet


def _nsg_region(bad: bool) -> list[Registration]:
    vnet, _ = _subnet_in("azure-native:network:VirtualNetwork", "azure-native:network:Subnet")
    nsg = reg("azure-native:network:NetworkSecurityGroup", "nsg", {"location": "westus2" if bad else "EastUS2"})
    subnet = reg(
        "azure-native:network:Subnet",
        "data",
        {"virtualNetworkName": UNKNOWN, "networkSecurityGroup": {"id": UNKNOWN}},
        deps={"virtualNetworkName": [vnet], "networkSecurityGroup": [nsg]},
    )
    return [vnet, nsg, subnet]


def _route_table_region(bad: bool) -> list[Registration]:
    vnet, subnet = _subnet_in("azure:network/virtualNetwork:VirtualNetwork", "azure:network/subnet:Subnet")
    table = reg("azure:network/routeTable:RouteTable", "rt", {"location": "westus" if bad else "eastus2"})
    association = reg(
        "azure:network/subnetRouteTableAssociation:SubnetRouteTableAssociation",
        "assoc",
        {"subnetId": UNKNOWN, "routeTableId": UNKNOWN},
        deps={"subnetId": [subnet], "routeTableId": [table]},
    )
    return [vnet, subnet, table, association]


def _nic_subnet_region(bad: bool) -> list[Registration]:
    vnet, subnet = _subnet_in("azure-native:network:VirtualNetwork", "azure-native:network:Subnet")
    nic = reg(
        "azure-native:network:NetworkInterface",
        "nic",
        {"location": "westus2" if bad else "eastus2", "ipConfigurations": [{"name": "ip", "subnet": {"id": UNKNOWN}}]},
        deps={"ipConfigurations": [subnet]},
    )
    return [vnet, subnet, nic]


def _nic_public_ip_region(bad: bool) -> list[Registration]:
    pip = reg("azure:network/publicIp:PublicIp", "pip", {"location": "westus" if bad else "eastus2"})
    nic = reg(
        "azure:network/networkInterface:NetworkInterface",
        "nic",
        {"location": "eastus2", "ipConfigurations": [{"name": "ip", "publicIpAddressId": UNKNOWN}]},
        deps={"ipConfigurations": [pip]},
    )
    return [pip, nic]


def _vm_nic_region(bad: bool) -> list[Registration]:
    nic = reg("azure:network/networkInterface:NetworkInterface", "nic", {"location": "westus" if bad else "eastus2"})
    vm = reg(
        "azure:compute/linuxVirtualMachine:LinuxVirtualMachine",
        "vm",
        {"location": "eastus2", "networkInterfaceIds": [UNKNOWN]},
        deps={"networkInterfaceIds": [nic]},
    )
    return [nic, vm]


def _acr_premium(bad: bool) -> list[Registration]:
    inputs = {"sku": {"name": "Standard" if bad else "Premium"}, "publicNetworkAccess": "Disabled"}
    return [reg("azure-native:containerregistry:Registry", "acr", inputs)]


def _acr_replication(bad: bool) -> list[Registration]:
    registry = reg("azure:containerservice/registry:Registry", "acr", {"sku": "Basic" if bad else "premium"})
    replication = reg(
        "azure-native:containerregistry:Replication",
        "westus2",
        {"registryName": UNKNOWN, "replicationName": "westus2"},
        deps={"registryName": [registry]},
    )
    return [registry, replication]


def _redis_family(bad: bool) -> list[Registration]:
    inputs = {"sku": {"name": "Premium", "family": "C" if bad else "p", "capacity": 1}}
    return [reg("azure-native:redis:Redis", "redis", inputs)]


def _eventhub_tier(bad: bool) -> list[Registration]:
    namespace = reg("azure-native:eventhub:Namespace", "evhns", {"sku": {"name": "Standard"}})
    hub = reg(
        "azure-native:eventhub:EventHub",
        "audit",
        {"namespaceName": UNKNOWN, "partitionCount": 64 if bad else 32, "messageRetentionInDays": 7},
        deps={"namespaceName": [namespace]},
    )
    return [namespace, hub]


def _servicebus_topic(bad: bool) -> list[Registration]:
    namespace = reg("azure:servicebus/namespace:Namespace", "sbns", {"sku": "Basic" if bad else "Standard"})
    topic = reg("azure:servicebus/topic:Topic", "orders", {"namespaceId": UNKNOWN}, deps={"namespaceId": [namespace]})
    return [namespace, topic]


def _lock_duration(bad: bool) -> list[Registration]:
    return [reg("azure-native:servicebus:Queue", "q", {"lockDuration": "PT10M" if bad else "PT5M"})]


def _burstable_ha(bad: bool) -> list[Registration]:
    inputs = {
        "sku": {"name": "Standard_B1ms", "tier": "Burstable"},
        "highAvailability": {"mode": "ZoneRedundant" if bad else "Disabled"},
    }
    return [reg("azure-native:dbforpostgresql:Server", "psql", inputs)]


def _always_on(bad: bool) -> list[Registration]:
    plan = reg("azure-native:web:AppServicePlan", "plan", {"sku": {"name": "F1" if bad else "B1"}})
    app = reg(
        "azure-native:web:WebApp",
        "app",
        {"serverFarmId": UNKNOWN, "siteConfig": {"alwaysOn": True}},
        deps={"serverFarmId": [plan]},
    )
    return [plan, app]


def _anonymous_container(bad: bool) -> list[Registration]:
    account = reg(
        "azure-native:storage:StorageAccount", "st", {"accountName": "stphi01", "allowBlobPublicAccess": False}
    )
    container = reg(
        "azure-native:storage:BlobContainer",
        "web",
        {"accountName": "stphi01", "containerName": "site", "publicAccess": "Blob" if bad else "None"},
    )
    return [account, container]


def _security_rules(bad: bool) -> list[Registration]:
    rules = [
        {
            "name": "allow-https",
            "priority": 100,
            "direction": "Inbound",
            "access": "Allow",
            "destinationPortRange": "443",
        },
        {"name": "deny-all", "priority": 100 if bad else 4096, "direction": "inbound", "access": "Deny"},
        {"name": "allow-out", "priority": 100, "direction": "Outbound", "access": "Allow"},
    ]
    return [reg("azure-native:network:NetworkSecurityGroup", "nsg", {"securityRules": rules})]


def _redis_premium(bad: bool) -> list[Registration]:
    inputs = {
        "sku": {"name": "Standard" if bad else "Premium", "family": "C" if bad else "P", "capacity": 1},
        "shardCount": 2,
    }
    return [reg("azure-native:redis:Redis", "redis", inputs)]


def _auto_inflate(bad: bool) -> list[Registration]:
    inputs = {"sku": {"name": "Basic" if bad else "Standard"}, "isAutoInflateEnabled": True}
    return [reg("azure-native:eventhub:Namespace", "evhns", inputs)]


def _hierarchical_namespace(bad: bool) -> list[Registration]:
    inputs = {"kind": "StorageV2", "isSftpEnabled": True, "isHnsEnabled": not bad}
    return [reg("azure-native:storage:StorageAccount", "sftp", inputs)]


CASES: dict[str, tuple[Case, str]] = {
    "network.firewall-policy-premium-features": (_firewall_policy, "intrusionDetection"),
    "network.firewall-policy-tier": (_firewall_tier, "firewallPolicy"),
    "network.bastion-sku-features": (_bastion, "enableTunneling"),
    "network.public-ip-standard-static": (_public_ip, "publicIPAllocationMethod"),
    "cmk.dbforpostgresql.geo-backup-key": (_postgres_geo, "dataEncryption.geoBackupKeyURI"),
    "keyvault.key-rotation-policy": (_rotation, "properties.rotationPolicy.lifetimeActions[0].trigger.timeAfterCreate"),
    "network.private-endpoint-group": (_group_id, "privateLinkServiceConnections[0].groupIds[0]"),
    "sql.long-term-retention": (_long_term_retention, "yearlyRetention"),
    "network.subnet-addresses": (_subnets, "subnets[1].addressPrefix"),
    "network.subnet-size": (_subnet_size, "addressPrefix"),
    "redis.premium-features": (_redis_premium, "shardCount"),
    "eventhub.auto-inflate-tier": (_auto_inflate, "isAutoInflateEnabled"),
    "storage.hierarchical-namespace": (_hierarchical_namespace, "isSftpEnabled"),
    "network.security-rules": (_security_rules, "securityRules[1].priority"),
    "database.burstable-high-availability": (_burstable_ha, "highAvailability.mode"),
    "web.always-on-plan": (_always_on, "siteConfig.alwaysOn"),
    "storage.container-anonymous-access": (_anonymous_container, "publicAccess"),
    "containerregistry.premium-features": (_acr_premium, "publicNetworkAccess"),
    "containerregistry.replication-premium": (_acr_replication, "registryName"),
    "redis.sku-family-capacity": (_redis_family, "sku.family"),
    "eventhub.tier-limits": (_eventhub_tier, "partitionCount"),
    "servicebus.topics-need-standard": (_servicebus_topic, "namespaceId"),
    "servicebus.lock-duration": (_lock_duration, "lockDuration"),
    "region.network-security-group": (_nsg_region, "networkSecurityGroup"),
    "region.route-table": (_route_table_region, "routeTableId"),
    "region.network-interface-subnet": (_nic_subnet_region, "ipConfigurations"),
    "region.network-interface-public-ip": (_nic_public_ip_region, "ipConfigurations"),
    "region.virtual-machine-nic": (_vm_nic_region, "networkInterfaceIds"),
    "network.subnet-placement": (_subnet_placement, "addressPrefix"),
    "monitor.diagnostic-destination": (_diagnostic_destination, "workspaceId"),
    "region.diagnostic-storage": (_diagnostic_storage, "storageAccountId"),
    "region.private-endpoint-subnet": (_private_endpoint, "location"),
    "network.peering-remote": (_peering, "remoteVirtualNetwork.id"),
    "region.flow-log-storage": (_flow_log, "storageId"),
    "policy.assignment-parameters": (_policy, "parameters"),
    "date.budget.time-period": (_budget, "timePeriod.startDate"),
    "cmk.sql.tde-protector": (_sql_tde, "uri"),
    "cmk.storage.account": (_storage_cmk, "encryption"),
    "cmk.dbforpostgresql.flexible-server": (_postgres_cmk, "dataEncryption"),
    "cmk.dataprotection.backup-vault": (_backup_cmk, "properties"),
    "rbac.principal-type": (_principal_type, "principalType"),
    "storage.point-in-time-restore": (_restore, "restorePolicy.days"),
    "enum.sdk-values": (_enum, "kind"),
}


def test_every_entry_has_a_test_pair() -> None:
    untested = [c.id for c in CATALOG if c.examples is None and c.id not in CASES]
    assert untested == [], f"catalog entries without an accepted/rejected test pair: {untested}"
    assert set(CASES) <= set(BY_ID), "CASES names entries that are not in the catalog"


def test_catalog_ids_are_unique_and_cite_microsoft() -> None:
    ids = [c.id for c in CATALOG]
    assert len(ids) == len(set(ids))
    for constraint in CATALOG:
        assert constraint.reference.startswith("https://learn.microsoft.com/"), constraint.id


@pytest.mark.parametrize("constraint_id", sorted(CASES))
def test_code_entry_accepts_and_rejects(constraint_id: str) -> None:
    build, prop = CASES[constraint_id]
    assert rejections(*build(False)) == []
    found = rejections(*build(True))
    assert [(r.constraint, r.property) for r in found] == [(constraint_id, prop)], found
    assert found[0].reference == BY_ID[constraint_id].reference


# ---- behaviour shared by every entry -------------------------------------------------------------------


def test_unknown_values_are_not_rejections() -> None:
    table = reg("azure-native:operationalinsights:Table", "t", {"totalRetentionInDays": UNKNOWN, "tableName": "X"})
    account = reg("azure-native:storage:StorageAccount", "st", {"accountName": UNKNOWN, "kind": UNKNOWN})
    budget = reg("azure-native:consumption:Budget", "b", {"timePeriod": {"startDate": UNKNOWN}})
    assert rejections(table, account, budget) == []


def test_missing_properties_are_not_rejections() -> None:
    assert rejections(reg("azure-native:operationalinsights:Table", "t", {"tableName": "AzureActivity"})) == []
    assert rejections(reg("azure-native:keyvault:Vault", "kv", {"properties": {}})) == []


def test_any_api_version_matches() -> None:
    found = rejections(reg("azure-native:operationalinsights/v20230901:Table", "t", {"totalRetentionInDays": 2555}))
    assert [r.constraint for r in found] == ["range.operationalinsights.table.total-retention"]


def test_secret_values_are_never_shown() -> None:
    secret = {SECRET_SIG: SECRET_VALUE_SIG, "value": "Not_A_Valid-Name"}
    found = rejections(reg("azure-native:storage:StorageAccount", "st", {"accountName": secret}))
    assert [r.constraint for r in found] == ["name.storage.account"]
    assert "Not_A_Valid" not in found[0].message and "[secret]" in found[0].message


def test_enum_values_compare_without_case_at_any_depth() -> None:
    ok = reg("azure-native:storage:StorageAccount", "st", {"kind": "STORAGEV2", "minimumTlsVersion": "tls1_2"})
    assert rejections(ok) == []
    bad = reg("azure-native:keyvault:Key", "k", {"properties": {"kty": "RSA", "keyOps": ["wrapKey", "shred"]}})
    found = rejections(bad)
    assert [(r.constraint, r.property) for r in found] == [("enum.sdk-values", "properties.keyOps[1]")]


def test_total_retention_allowed_values_are_the_documented_ones() -> None:
    accepted = [4, 730, 1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383]
    rejected = [3, 731, 1094, 2190, 2555, 4384]
    for days in accepted:
        assert rejections(reg("azure-native:operationalinsights:Table", "t", {"totalRetentionInDays": days})) == []
    for days in rejected:
        assert len(rejections(reg("azure-native:operationalinsights:Table", "t", {"totalRetentionInDays": days}))) == 1


@pytest.mark.parametrize(
    ("start", "grain", "today", "rejected"),
    [
        ("2026-06-01", "Monthly", TODAY, False),
        ("2026-05-01", "Monthly", TODAY, True),  # past, before this month
        ("2026-04-01", "Quarterly", TODAY, False),  # Q2 started in April
        ("2026-03-01", "Quarterly", TODAY, True),
        ("2026-01-01", "Annually", TODAY, False),
        ("2026-06-15", "Monthly", TODAY, True),  # not the first of a month
        ("2027-06-01", "Monthly", TODAY, False),  # twelve months ahead
        ("2027-07-01", "Monthly", TODAY, True),  # more than twelve months ahead
        ("2026-01-01", "Monthly", dt.date(2026, 1, 20), False),
    ],
)
def test_budget_start_window(start: str, grain: str, today: dt.date, rejected: bool) -> None:
    budget = reg("azure-native:consumption:Budget", "b", {"timeGrain": grain, "timePeriod": {"startDate": start}})
    found = check_registrations([budget], today=today)
    assert bool(found) is rejected, found


def test_cost_management_budget_has_the_same_window() -> None:
    budget = reg(
        "azure-native:costmanagement:Budget", "b", {"timeGrain": "Monthly", "timePeriod": {"startDate": "2026-02-01"}}
    )
    assert [r.constraint for r in rejections(budget)] == ["date.budget.time-period"]


def test_classic_budget_and_policy_parameters_as_json() -> None:
    budget = reg(
        "azure:consumption/budgetSubscription:BudgetSubscription",
        "b",
        {"timePeriod": {"startDate": "2025-01-01T00:00:00Z"}},
    )
    assert [r.constraint for r in rejections(budget)] == ["date.budget.time-period"]
    good = json.dumps({"listOfAllowedLocations": {"value": ["eastus2"]}})
    classic = "azure:core/subscriptionPolicyAssignment:SubscriptionPolicyAssignment"
    assert rejections(reg(classic, "ok", {"policyDefinitionId": ALLOWED_LOCATIONS, "parameters": good})) == []
    assert len(rejections(reg(classic, "bad", {"policyDefinitionId": ALLOWED_LOCATIONS}))) == 1


def test_policy_parameters_unknown_names_and_allowed_values() -> None:
    # The HITRUST/HIPAA initiative's current version gives every parameter a default: no parameters is accepted.
    assert rejections(reg("azure-native:authorization:PolicyAssignment", "hipaa", {"policyDefinitionId": HIPAA})) == []
    typo = {"installedApplicationsOnWindowsVm2": {"value": "x"}}
    found = rejections(
        reg("azure-native:authorization:PolicyAssignment", "h", {"policyDefinitionId": HIPAA, "parameters": typo})
    )
    assert [r.property for r in found] == ["parameters.installedApplicationsOnWindowsVm2"]
    effect = {"listOfAllowedLocations": {"value": ["eastus2"]}, "effect": {"value": "Block"}}
    found = rejections(
        reg(
            "azure-native:authorization:PolicyAssignment",
            "l",
            {"policyDefinitionId": ALLOWED_LOCATIONS, "parameters": effect},
        )
    )
    assert [r.property for r in found] == ["parameters.effect"]
    effect["effect"] = {"value": "audit"}  # allowedValues compare without case
    assert (
        rejections(
            reg(
                "azure-native:authorization:PolicyAssignment",
                "l",
                {"policyDefinitionId": ALLOWED_LOCATIONS, "parameters": effect},
            )
        )
        == []
    )


def test_principal_type_user_for_a_managed_identity_is_rejected_but_user_principals_pass() -> None:
    identity = reg("azure-native:managedidentity:UserAssignedIdentity", "id", {"resourceName": "id-x"})
    as_user = reg(
        "azure-native:authorization:RoleAssignment",
        "a",
        {"principalId": UNKNOWN, "principalType": "User"},
        deps={"principalId": [identity]},
    )
    assert [r.constraint for r in rejections(identity, as_user)] == ["rbac.principal-type"]
    literal = reg(
        "azure-native:authorization:RoleAssignment", "b", {"principalId": "5b3f2c9a-0000-4000-8000-0000000000c1"}
    )
    assert rejections(literal) == []  # a principal from config may be a user: Azure's default fits
    reference = reg("pulumi:pulumi:StackReference", "hub", {"name": "org/hub/prod"})
    from_stack = reg(
        "azure-native:authorization:RoleAssignment", "c", {"principalId": UNKNOWN}, deps={"principalId": [reference]}
    )
    assert rejections(reference, from_stack) == []  # another stack's output may be a user's object ID
    group = reg("azuread:index/group:Group", "admins", {"displayName": "admins"})
    to_group = reg(
        "azure-native:authorization:RoleAssignment", "d", {"principalId": UNKNOWN}, deps={"principalId": [group]}
    )
    found = rejections(group, to_group)
    assert [r.constraint for r in found] == ["rbac.principal-type"] and "principalType: Group" in found[0].message


def test_key_linked_by_known_uri_and_default_rsa_size() -> None:
    key = _key("sql", "RSA", None)  # RSA without a size is 2048: accepted by SQL TDE
    server = reg("azure-native:sql:Server", "sql", {"keyId": "https://kv-contoso.vault.azure.net/keys/cmk-sql/abc"})
    assert rejections(key, server) == []
    big = _key("sql", "RSA", 4096)
    assert [r.constraint for r in rejections(big, server)] == ["cmk.sql.tde-protector"]


def test_peering_without_remote_network_is_rejected() -> None:
    peering = reg(
        "azure-native:network:VirtualNetworkPeering",
        "p",
        {"virtualNetworkName": "v", "remoteVirtualNetwork": {"id": None}},
    )
    assert [r.constraint for r in rejections(peering)] == ["network.peering-remote"]
    known = reg(
        "azure-native:network:VirtualNetworkPeering",
        "q",
        {
            "remoteVirtualNetwork": {
                "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub"
            }
        },
    )
    assert rejections(known) == []


def test_region_checks_use_the_resource_group_location_when_the_resource_has_none() -> None:
    group = reg("azure-native:resources:ResourceGroup", "rg", {"location": "westeurope"})
    vault = reg(
        "azure-native:keyvault:Vault", "kv", {"resourceGroupName": UNKNOWN}, deps={"resourceGroupName": [group]}
    )
    archive = reg("azure-native:storage:StorageAccount", "archive", {"location": "eastus2"})
    diag = reg(
        "azure-native:monitor:DiagnosticSetting",
        "diag",
        {"resourceUri": UNKNOWN, "storageAccountId": UNKNOWN},
        deps={"resourceUri": [vault], "storageAccountId": [archive]},
    )
    assert [r.constraint for r in rejections(group, vault, archive, diag)] == ["region.diagnostic-storage"]


# ---- the preview: a hand-written program, recorded as the CLI would run it ------------------------------


def test_recorded_program_is_checked() -> None:
    import pulumi_azure_native as azure_native

    from landing_zone.preview.runner import record

    def program() -> None:
        workspace = azure_native.operationalinsights.Workspace(
            "logs", resource_group_name="rg", workspace_name="log-x", location="eastus2", retention_in_days=90
        )
        azure_native.operationalinsights.Table(
            "activity",
            resource_group_name="rg",
            workspace_name=workspace.name,
            table_name="AzureActivity",
            total_retention_in_days=2190,
        )

    run = record(program)
    found = check_registrations(run.registrations, today=TODAY)
    assert [(r.constraint, r.property) for r in found] == [
        ("range.operationalinsights.table.total-retention", "totalRetentionInDays")
    ]
    assert found[0].to_json().keys() == {"urn", "property", "constraint", "message", "reference"}


PROGRAM = """\
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount(
    "st",
    resource_group_name="rg",
    account_name="{name}",
    kind="StorageV2",
    sku={{"name": "Standard_GZRS"}},
    location="eastus2",
)
"""


@pytest.mark.parametrize(("name", "expected"), [("stcontoso01", 0), ("St_Contoso", 3)])
def test_cli_exit_code_and_json(tmp_path: Path, name: str, expected: int, capsys: pytest.CaptureFixture[str]) -> None:
    from landing_zone.cli import main

    (tmp_path / "Pulumi.yaml").write_text("name: constraints-test\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(PROGRAM.format(name=name), encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["preview", str(tmp_path), "--no-policy", "--json", str(out)]) == expected
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["summary"]["azureRejections"] == len(document["azureRejections"]) == (1 if expected else 0)
    if expected:
        rejection = document["azureRejections"][0]
        assert rejection["constraint"] == "name.storage.account" and rejection["property"] == "accountName"
        assert "Azure would reject this deployment" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("subnets", "message"),
    [
        ([{"name": "a", "addressPrefix": "10.30.0.0/24"}], "outside the address space"),
        ([{"name": "AzureBastionSubnet", "addressPrefix": "10.20.0.0/27"}], "must be /26 or larger"),
    ],
)
def test_subnet_address_rules(subnets: list[dict[str, str]], message: str) -> None:
    vnet = reg(
        "azure-native:network:VirtualNetwork",
        "v",
        {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "subnets": subnets},
    )
    found = rejections(vnet)
    assert len(found) == 1 and message in found[0].message, found


def test_classic_diagnostic_setting_destination() -> None:
    classic = "azure:monitoring/diagnosticSetting:DiagnosticSetting"
    assert [r.constraint for r in rejections(reg(classic, "d", {"targetResourceId": "/x"}))] == [
        "monitor.diagnostic-destination"
    ]
    assert rejections(reg(classic, "d", {"targetResourceId": "/x", "logAnalyticsWorkspaceId": UNKNOWN})) == []


ODD_VALUES: list[Any] = [None, 1, True, "x", UNKNOWN, [], {}, [1, "a", None], {"id": None}, [{"x": 1}], "a" * 300]


@pytest.mark.parametrize("token", sorted({token for constraint in CATALOG for token in constraint.types}))
def test_odd_shapes_never_crash_the_catalog(token: str) -> None:
    """Foreign programs send any shape: a check judges what it understands and never raises."""
    other = reg("azure-native:storage:StorageAccount", "other", {"location": "eastus"})
    names = ["location", "subnets", "properties", "parameters", "timePeriod", "encryption", "remoteVirtualNetwork"]
    names += ["privateLinkServiceConnections", "addressSpace", "restorePolicy", "principalId", "resourceUri", "kind"]
    for odd in ODD_VALUES:
        inputs = dict.fromkeys(names, odd)
        resource = reg(token, "odd", inputs, deps={key: [other] for key in names})
        check_registrations([other, resource], today=TODAY)


def test_postgres_geo_backup_needs_a_geo_key_and_key_rotation_minimums() -> None:
    server = reg(
        "azure-native:dbforpostgresql:Server",
        "psql",
        {
            "backup": {"geoRedundantBackup": "Enabled"},
            "dataEncryption": {"type": "AzureKeyVault", "primaryKeyURI": UNKNOWN},
        },
    )
    assert [r.property for r in rejections(server)] == ["dataEncryption.geoBackupKeyURI"]
    short = {"kty": "RSA", "rotationPolicy": {"attributes": {"expiryTime": "P27D"}, "lifetimeActions": []}}
    found = rejections(reg("azure-native:keyvault:Key", "k", {"properties": short}))
    assert [r.property for r in found] == ["properties.rotationPolicy.attributes.expiryTime"]


def test_type_tokens_match_without_case_and_any_api_version() -> None:
    """A token spelled in another case (or from a versioned module) meets the same entries."""
    for token in ("azure-native:storage:blobcontainer", "azure-native:storage/v20230101:BlobContainer"):
        found = rejections(reg(token, "c", {"containerName": "PHI_Records"}))
        assert [r.constraint for r in found] == ["name.storage.container"], token
    classic = rejections(reg("azure:storage/Container:container", "c", {"name": "phi-records"}))
    assert classic == []


# ---- the pack's private DNS zone data (policy_pack/phi_guardrails/private_link.py) ----------------------


def test_every_catalogued_private_link_group_id_has_its_documented_zones() -> None:
    """Each sub-resource a catalogued kind offers has zones (and no others are listed), cited to Microsoft."""
    from phi_guardrails import catalogs
    from phi_guardrails.private_link import PRIVATE_LINK_ZONES, SOURCE

    offered = {group for kind in catalogs.kinds() for group in kind.private_link_group_ids}
    assert set(PRIVATE_LINK_ZONES) == offered
    assert all(
        zones and all(z.startswith("privatelink.") or ".privatelink." in z for z in zones)
        for zones in PRIVATE_LINK_ZONES.values()
    )
    assert SOURCE == "https://learn.microsoft.com/azure/private-link/private-endpoint-dns"


@pytest.mark.parametrize(
    ("group", "zone", "matches"),
    [
        ("registry", "privatelink.azurecr.io", True),
        ("registry", "eastus2.data.privatelink.azurecr.io", True),  # {region} is one label
        ("registry", "privatelink.vaultcore.azure.net", False),
        ("namespace", "privatelink.servicebus.windows.net.", True),  # Event Hubs and Service Bus share it
        ("namespace", "privatelink.eventgrid.azure.net", False),
        ("sql", "privatelink.documents.azure.com", True),  # group IDs compare without case (Cosmos DB 'Sql')
        ("Sql", "privatelink.sql.azuresynapse.net", True),  # ... and Synapse's 'Sql'
        ("management", "privatelink.eastus2.azmk8s.io", True),
        ("management", "privatelink.azmk8s.io", False),
        ("managedEnvironments", "privatelink.westeurope.azurecontainerapps.io", True),
        ("sites", "privatelink.azurewebsites.net", True),
        ("Gateway", "privatelink.azure-api.net", True),
        ("redisCache", "privatelink.redis.cache.windows.net", True),
        ("redisCache", "privatelink.redisenterprise.cache.azure.net", False),
        ("managedInstance", "privatelink.1a2b3c4d5e6f.database.windows.net", True),
        ("AzureBackup", "privatelink.eus2.backup.windowsazure.com", True),
        ("AzureBackup", "privatelink.eus2.x.backup.windowsazure.com", False),  # a placeholder is one label only
    ],
)
def test_private_dns_zone_matches(group: str, zone: str, matches: bool) -> None:
    from phi_guardrails.private_link import zone_matches

    assert zone_matches(group, zone) is matches
    assert zone_matches("notAGroup", zone) is None


@pytest.mark.parametrize(("group", "rejected"), [("registry", False), ("REGISTRY", False), ("vault", True)])
def test_classic_private_endpoint_names_a_sub_resource_its_target_offers(group: str, rejected: bool) -> None:
    registry = reg("azure:containerservice/registry:Registry", "acr", {"name": "acrphi01", "sku": "Premium"})
    endpoint = reg(
        "azure:privatelink/endpoint:Endpoint",
        "pep",
        {"privateServiceConnection": {"privateConnectionResourceId": UNKNOWN, "subresourceNames": [group]}},
        deps={"privateServiceConnection": [registry]},
    )
    found = rejections(registry, endpoint)
    expected = [("network.private-endpoint-group", "privateServiceConnection.subresourceNames[0]")] if rejected else []
    assert [(r.constraint, r.property) for r in found] == expected


@pytest.mark.parametrize(
    ("token", "inputs", "rejected"),
    [
        ("azure:network/subnet:Subnet", {"name": "tiny", "addressPrefixes": ["10.0.1.0/30"]}, True),
        ("azure:network/subnet:Subnet", {"name": "tiny", "addressPrefixes": ["10.0.1.0/29"]}, False),
        ("azure:network/subnet:Subnet", {"name": "GatewaySubnet", "addressPrefixes": ["10.0.1.0/29"]}, False),
        ("azure:network/subnet:Subnet", {"name": "azurefirewallsubnet", "addressPrefixes": ["10.0.1.0/27"]}, True),
        ("azure-native:network:Subnet", {"subnetName": "RouteServerSubnet", "addressPrefix": "10.0.1.0/28"}, True),
        (
            "azure-native:network:Subnet",
            {"subnetName": "v6", "addressPrefixes": ["10.0.2.0/24", "fd00:db8::/64"]},
            False,
        ),
        ("azure-native:network:Subnet", {"subnetName": "v6", "addressPrefixes": ["fd00:db8::/80"]}, True),
        ("azure-native:network:Subnet", {"subnetName": "unknown", "addressPrefix": UNKNOWN}, False),
    ],
)
def test_subnet_sizes_on_both_providers(token: str, inputs: dict[str, Any], rejected: bool) -> None:
    found = rejections(reg(token, "s", inputs))
    assert [r.constraint for r in found] == (["network.subnet-size"] if rejected else [])


def test_classic_virtual_network_inline_subnets_and_standalone_overlaps() -> None:
    vnet = reg(
        "azure:network/virtualNetwork:VirtualNetwork",
        "vnet",
        {"addressSpaces": ["10.30.0.0/16"], "subnets": [{"name": "a", "addressPrefixes": ["10.31.0.0/24"]}]},
    )
    assert [(r.constraint, r.property) for r in rejections(vnet)] == [
        ("network.subnet-addresses", "subnets[0].addressPrefixes")
    ]
    parent = reg("azure:network/virtualNetwork:VirtualNetwork", "hub", {"addressSpaces": ["10.40.0.0/16"]})
    first = reg(
        "azure:network/subnet:Subnet",
        "first",
        {"name": "first", "addressPrefixes": ["10.40.0.0/24"], "virtualNetworkName": UNKNOWN},
        deps={"virtualNetworkName": [parent]},
    )
    second = reg(
        "azure:network/subnet:Subnet",
        "second",
        {"name": "second", "addressPrefixes": ["10.40.0.128/25"], "virtualNetworkName": UNKNOWN},
        deps={"virtualNetworkName": [parent]},
    )
    found = rejections(parent, first, second)
    assert [(r.constraint, r.urn.rsplit("::", 1)[-1]) for r in found] == [("network.subnet-placement", "second")]
    assert "overlaps subnet 'first'" in found[0].message


@pytest.mark.parametrize(
    ("inputs", "rejected"),
    [
        ({"sku": "Standard", "networkRuleSet": {"defaultAction": "Deny"}}, ["networkRuleSet.defaultAction"]),
        (
            {"sku": "Basic", "publicNetworkAccessEnabled": False, "georeplications": [{"location": "westus"}]},
            ["publicNetworkAccessEnabled", "georeplications"],
        ),
        (
            {
                "sku": "Basic",
                "publicNetworkAccessEnabled": True,
                "georeplications": [],
                "retentionPolicyInDays": UNKNOWN,
            },
            [],
        ),
        ({"sku": "Premium", "networkRuleSet": {"defaultAction": "Deny"}, "retentionPolicyInDays": 7}, []),
        ({"sku": UNKNOWN, "networkRuleSet": {"defaultAction": "Deny"}}, []),
    ],
)
def test_classic_registry_premium_features(inputs: dict[str, Any], rejected: list[str]) -> None:
    found = rejections(reg("azure:containerservice/registry:Registry", "acr", inputs))
    assert [r.property for r in found] == rejected


@pytest.mark.parametrize(
    ("sku", "family", "capacity", "rejected"),
    [
        ("Basic", "C", 0, False),
        ("Standard", "C", 6, False),
        ("Standard", "C", 7, True),
        ("Premium", "P", 0, True),
        ("Premium", "P", 5, False),
        ("standard", "P", 1, True),
        ("Enterprise", "E", 10, False),
    ],
)
def test_classic_redis_family_and_capacity(sku: str, family: str, capacity: int, rejected: bool) -> None:
    cache = reg("azure:redis/cache:Cache", "r", {"skuName": sku, "family": family, "capacity": capacity})
    found = rejections(cache, constraint="redis.sku-family-capacity")
    assert bool(found) is rejected, found


@pytest.mark.parametrize(
    ("tier", "partitions", "retention", "rejected"),
    [
        ("Basic", 32, 1, []),
        ("Basic", 2, 7, ["messageRetention"]),
        ("Premium", 100, 90, []),
        ("Premium", 101, 7, ["partitionCount"]),
    ],
)
def test_classic_event_hub_tier_limits(tier: str, partitions: int, retention: int, rejected: list[str]) -> None:
    namespace = reg("azure:eventhub/eventHubNamespace:EventHubNamespace", "ns", {"sku": tier})
    hub = reg(
        "azure:eventhub/eventHub:EventHub",
        "hub",
        {"namespaceId": UNKNOWN, "partitionCount": partitions, "messageRetention": retention},
        deps={"namespaceId": [namespace]},
    )
    assert [r.property for r in rejections(namespace, hub)] == rejected
    dedicated = reg(
        "azure:eventhub/eventHubNamespace:EventHubNamespace", "ns", {"sku": tier, "dedicatedClusterId": "/x"}
    )
    in_cluster = reg(
        "azure:eventhub/eventHub:EventHub", "hub", {"partitionCount": 1000}, deps={"namespaceId": [dedicated]}
    )
    assert rejections(dedicated, in_cluster) == []


@pytest.mark.parametrize(
    ("duration", "rejected"),
    [("PT1M", False), ("P0DT0H5M0S", False), ("PT300S", False), ("PT301S", True), ("P1D", True), ("00:10:00", False)],
)
def test_service_bus_lock_duration_forms(duration: str, rejected: bool) -> None:
    found = rejections(reg("azure:servicebus/subscription:Subscription", "s", {"lockDuration": duration}))
    assert bool(found) is rejected, found


def test_classic_free_tier_workspace_keeps_its_short_retention_and_enums_ignore_case() -> None:
    free = reg(
        "azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace", "w", {"sku": "Free", "retentionInDays": 7}
    )
    assert rejections(free) == []
    paid = reg(
        "azure:operationalinsights/analyticsWorkspace:AnalyticsWorkspace",
        "w",
        {"sku": "PerGB2018", "retentionInDays": 7},
    )
    assert [r.constraint for r in rejections(paid)] == ["range.operationalinsights.workspace.retention"]
    account = {
        "name": "stphi01",
        "accountTier": "STANDARD",
        "accountReplicationType": "ragrs",
        "minTlsVersion": "tls1_2",
    }
    assert rejections(reg("azure:storage/account:Account", "st", account)) == []


def test_a_parent_named_by_a_literal_is_found_when_exactly_one_matches() -> None:
    """Hand-written programs name parents with literals; the run's one resource of that name is the parent."""
    vnet = reg(
        "azure-native:network:VirtualNetwork",
        "vnet",
        {"virtualNetworkName": "VNET-HUB", "location": "eastus2", "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
    )
    subnet = reg(
        "azure-native:network:Subnet",
        "s",
        {"virtualNetworkName": "vnet-hub", "subnetName": "data", "addressPrefix": "10.9.0.0/24"},
    )
    assert [r.constraint for r in rejections(vnet, subnet)] == ["network.subnet-placement"]
    twin = reg("azure-native:network:VirtualNetwork", "twin", {"virtualNetworkName": "vnet-hub"})
    assert rejections(vnet, twin, subnet) == []  # two candidates (other resource groups): no guess
    namespace = reg("azure-native:eventhub:Namespace", "ns", {"namespaceName": "evh-phi-01", "sku": {"name": "Basic"}})
    hub = reg("azure-native:eventhub:EventHub", "hub", {"namespaceName": "evh-phi-01", "messageRetentionInDays": 7})
    assert [r.property for r in rejections(namespace, hub)] == ["messageRetentionInDays"]


@pytest.mark.parametrize(
    ("token", "inputs", "rejected"),
    [
        (
            "azure:postgresql/flexibleServer:FlexibleServer",
            {"skuName": "B_Standard_B1ms", "highAvailability": {"mode": "SameZone"}},
            True,
        ),
        (
            "azure:postgresql/flexibleServer:FlexibleServer",
            {"skuName": "GP_Standard_D2ds_v5", "highAvailability": {"mode": "SameZone"}},
            False,
        ),
        (
            "azure:mysql/flexibleServer:FlexibleServer",
            {"skuName": "B_Standard_B1s", "highAvailability": {"mode": "ZoneRedundant"}},
            True,
        ),
        (
            "azure-native:dbformysql:Server",
            {"sku": {"tier": "Burstable"}, "highAvailability": {"mode": "Disabled"}},
            False,
        ),
        (
            "azure-native:dbformysql:Server",
            {"sku": {"tier": "Burstable"}, "highAvailability": {"mode": UNKNOWN}},
            False,
        ),
    ],
)
def test_burstable_high_availability_on_both_providers(token: str, inputs: dict[str, Any], rejected: bool) -> None:
    assert bool(rejections(reg(token, "db", inputs), constraint="database.burstable-high-availability")) is rejected


@pytest.mark.parametrize(
    ("sku", "always_on", "rejected"), [("F1", True, True), ("D1", False, False), ("B1", True, False)]
)
def test_classic_always_on_needs_a_paid_plan(sku: str, always_on: bool, rejected: bool) -> None:
    plan = reg("azure:appservice/servicePlan:ServicePlan", "plan", {"skuName": sku, "osType": "Linux"})
    app = reg(
        "azure:appservice/linuxFunctionApp:LinuxFunctionApp",
        "func",
        {"servicePlanId": UNKNOWN, "siteConfig": {"alwaysOn": always_on}},
        deps={"servicePlanId": [plan]},
    )
    assert bool(rejections(plan, app)) is rejected


@pytest.mark.parametrize(("allow", "rejected"), [(False, True), (True, False), (None, False)])
def test_classic_container_access_follows_the_account(allow: bool | None, rejected: bool) -> None:
    inputs: dict[str, Any] = {"name": "stphi01"}
    if allow is not None:
        inputs["allowNestedItemsToBePublic"] = allow
    account = reg("azure:storage/account:Account", "st", inputs)
    container = reg(
        "azure:storage/container:Container",
        "c",
        {"name": "site", "storageAccountId": UNKNOWN, "containerAccessType": "container"},
        deps={"storageAccountId": [account]},
    )
    found = rejections(account, container)
    assert [r.property for r in found] == (["containerAccessType"] if rejected else [])


@pytest.mark.parametrize(
    ("ports", "rejected"),
    [
        ({"destinationPortRange": "*"}, []),
        ({"destinationPortRange": "1024-65535", "sourcePortRange": "*"}, []),
        ({"destinationPortRange": "0-70000"}, ["destinationPortRange"]),
        ({"destinationPortRange": "443,80"}, ["destinationPortRange"]),
        ({"destinationPortRanges": ["80", "8080-8081", "90-80"]}, ["destinationPortRanges[2]"]),
        ({"destinationPortRange": UNKNOWN}, []),
    ],
)
def test_security_rule_ports_on_both_providers(ports: dict[str, Any], rejected: list[str]) -> None:
    rule = reg("azure:network/networkSecurityRule:NetworkSecurityRule", "r", {"priority": 100, **ports})
    assert [r.property for r in rejections(rule)] == rejected
    nsg = reg(
        "azure:network/networkSecurityGroup:NetworkSecurityGroup", "n", {"securityRules": [{"priority": 100, **ports}]}
    )
    assert [r.property for r in rejections(nsg)] == [f"securityRules[0].{p}" for p in rejected]


@pytest.mark.parametrize(
    ("inputs", "rejected"),
    [
        ({"accountKind": "StorageV2", "nfsv3Enabled": True}, ["nfsv3Enabled"]),  # the namespace is off unless set
        ({"accountKind": "StorageV2", "nfsv3Enabled": True, "isHnsEnabled": True}, []),
        ({"accountKind": "Storage", "isHnsEnabled": True}, ["isHnsEnabled"]),
        ({"accountKind": "BlockBlobStorage", "isHnsEnabled": True, "sftpEnabled": True}, []),
        ({"sftpEnabled": True, "isHnsEnabled": UNKNOWN}, []),
    ],
)
def test_classic_storage_features_that_need_the_hierarchical_namespace(
    inputs: dict[str, Any], rejected: list[str]
) -> None:
    found = rejections(reg("azure:storage/account:Account", "st", inputs), constraint="storage.hierarchical-namespace")
    assert [r.property for r in found] == rejected


def test_classic_redis_premium_features_and_event_hubs_auto_inflate() -> None:
    cache = {"skuName": "Standard", "family": "C", "capacity": 1, "subnetId": UNKNOWN}
    assert rejections(reg("azure:redis/cache:Cache", "r", cache)) == []  # an unknown subnet is not judged
    cache["redisConfiguration"] = {"rdbBackupEnabled": True}
    found = rejections(reg("azure:redis/cache:Cache", "r", cache))
    assert [r.property for r in found] == ["redisConfiguration.rdbBackupEnabled"]
    namespace = {"sku": "basic", "autoInflateEnabled": True}
    found = rejections(reg("azure:eventhub/eventHubNamespace:EventHubNamespace", "ns", namespace))
    assert [r.constraint for r in found] == ["eventhub.auto-inflate-tier"]


def test_an_oversized_secret_is_rejected_without_showing_it() -> None:
    value = "do-not-print-" + "x" * 25600
    found = rejections(reg("azure:keyvault/secret:Secret", "s", {"name": "big", "value": value}))
    assert [r.constraint for r in found] == ["format.keyvault.secret-size"]
    assert "do-not-print" not in found[0].message and "not shown" in found[0].message


# ---- values Microsoft's pages accept, which the catalog once refused (reference check of 2026-12-01) ---------


def test_a_network_interface_nsg_in_another_region_is_not_judged() -> None:
    """Only the subnet page states the NSG region rule; a NIC's NSG in another region is not called a rejection."""
    nsg = reg("azure-native:network:NetworkSecurityGroup", "nsg", {"location": "westus2"})
    nic = reg(
        "azure-native:network:NetworkInterface",
        "nic",
        {"location": "eastus2", "networkSecurityGroup": {"id": UNKNOWN}},
        deps={"networkSecurityGroup": [nsg]},
    )
    classic_nic = reg("azure:network/networkInterface:NetworkInterface", "cnic", {"location": "eastus2"})
    association = reg(
        "azure:network/networkInterfaceSecurityGroupAssociation:NetworkInterfaceSecurityGroupAssociation",
        "assoc",
        {"networkInterfaceId": UNKNOWN, "networkSecurityGroupId": UNKNOWN},
        deps={"networkInterfaceId": [classic_nic], "networkSecurityGroupId": [nsg]},
    )
    assert rejections(nsg, nic, classic_nic, association, constraint="region.network-security-group") == []


@pytest.mark.parametrize(
    ("token", "inputs", "constraint"),
    [
        # Retention "can't be less than two times the backup interval" (interval at least 1 hour): 2 hours is taken.
        (
            "azure-native:cosmosdb:DatabaseAccount",
            {
                "backupPolicy": {
                    "periodicModeProperties": {"backupIntervalInMinutes": 60, "backupRetentionIntervalInHours": 2}
                }
            },
            "range.cosmosdb.periodic-backup-retention",
        ),
        # Premium SSD v2 capacities range from 1 GiB to 64 TiB.
        (
            "azure-native:dbforpostgresql:Server",
            {"storage": {"storageSizeGB": 20}},
            "range.dbforpostgresql.storage-size",
        ),
        ("azure:postgresql/flexibleServer:FlexibleServer", {"storageMb": 20480}, "range.dbforpostgresql.storage-mb"),
    ],
)
def test_values_the_documentation_allows_are_accepted(token: str, inputs: dict[str, Any], constraint: str) -> None:
    assert constraint in BY_ID
    assert rejections(reg(token, "r", inputs), constraint=constraint) == []


def test_the_sql_server_version_is_not_judged() -> None:
    """The create-or-update reference lists no allowed versions, so no version is called a rejection."""
    assert rejections(reg("azure-native:sql:Server", "sql", {"version": "11.0"})) == []


def test_a_referenced_resource_matches_its_type_without_case() -> None:
    """Tokens match without case for the resource judged (`Constraint.applies_to`) and for what it refers to."""
    policy = reg("azure-native:network:firewallpolicy", "afwp", {"sku": {"tier": "Standard"}})
    firewall = reg(
        "azure-native:network:AzureFirewall",
        "afw",
        {"sku": {"name": "AZFW_VNet", "tier": "Premium"}, "firewallPolicy": {"id": UNKNOWN}},
        deps={"firewallPolicy": [policy]},
    )
    assert [r.property for r in rejections(policy, firewall, constraint="network.firewall-policy-tier")] == [
        "firewallPolicy"
    ]
