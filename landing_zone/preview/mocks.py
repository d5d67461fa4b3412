"""Mocks that answer like the azure-native provider and Azure Resource Manager would, offline.

In preview mode `AzureMocks` answers what azure-native's preview ``Create`` answers
(`provider_check.preview_outputs`): every output the resource type declares, echoed from the input
of the same name, unknown otherwise, ``name`` and ``id`` included. So ``apply`` chains that wait for a
name or ID never run, as under ``pulumi preview``. When a run is not a preview it answers with
realistic values (ARM resource IDs, ``https://<name>.vault.azure.net/``, GUID principal IDs), so code
paths that use outputs get exercised.

Invokes are answered by `landing_zone.preview.invokes` only where the answer is faithful; any other
invoke, and a stack reference to a stack missing from ``stack-references.json``, raises
`IncompletePlanError` naming it: the preview would otherwise go on with invented data.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from landing_zone.errors import IncompletePlanError
from landing_zone.preview.invokes import InvokeAnswers, stable_guid
from landing_zone.preview.provider_check import preview_outputs
from landing_zone.preview.recorder import UNKNOWN

DEFAULT_SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
DEFAULT_TENANT_ID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class ArmType:
    """How an azure-native resource type maps to its ARM resource ID."""

    path: str  # provider namespace and type segments, with {parent} placeholders; the name is appended
    name_input: str  # the input that holds the physical name
    scoped: str | None = None  # input holding the scope for extension resources (diagnostic settings, locks, ...)


#: The azure-native types the landing zone uses. Anything else falls back to a generic shape.
ARM_TYPES: Mapping[str, ArmType] = {
    "resources:ResourceGroup": ArmType("", "resourceGroupName"),
    "keyvault:Vault": ArmType("Microsoft.KeyVault/vaults", "vaultName"),
    "keyvault:Key": ArmType("Microsoft.KeyVault/vaults/{vaultName}/keys", "keyName"),
    "keyvault:Secret": ArmType("Microsoft.KeyVault/vaults/{vaultName}/secrets", "secretName"),
    "managedidentity:UserAssignedIdentity": ArmType("Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"),
    "storage:StorageAccount": ArmType("Microsoft.Storage/storageAccounts", "accountName"),
    "storage:BlobServiceProperties": ArmType(
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices", "blobServicesName"
    ),
    "storage:BlobContainer": ArmType(
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers", "containerName"
    ),
    "storage:BlobContainerImmutabilityPolicy": ArmType(
        "Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}/immutabilityPolicies",
        "immutabilityPolicyName",
    ),
    "network:VirtualNetwork": ArmType("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
    "network:Subnet": ArmType("Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets", "subnetName"),
    "network:NetworkSecurityGroup": ArmType("Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName"),
    "network:RouteTable": ArmType("Microsoft.Network/routeTables", "routeTableName"),
    "network:PrivateEndpoint": ArmType("Microsoft.Network/privateEndpoints", "privateEndpointName"),
    "network:PrivateDnsZoneGroup": ArmType(
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups", "privateDnsZoneGroupName"
    ),
    "network:AzureFirewall": ArmType("Microsoft.Network/azureFirewalls", "azureFirewallName"),
    "network:FirewallPolicy": ArmType("Microsoft.Network/firewallPolicies", "firewallPolicyName"),
    "network:PublicIPAddress": ArmType("Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
    "network:BastionHost": ArmType("Microsoft.Network/bastionHosts", "bastionHostName"),
    "network:DdosProtectionPlan": ArmType("Microsoft.Network/ddosProtectionPlans", "ddosProtectionPlanName"),
    "network:VirtualNetworkPeering": ArmType(
        "Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings", "virtualNetworkPeeringName"
    ),
    "network:FlowLog": ArmType("Microsoft.Network/networkWatchers/{networkWatcherName}/flowLogs", "flowLogName"),
    "privatedns:PrivateZone": ArmType("Microsoft.Network/privateDnsZones", "privateZoneName"),
    "privatedns:VirtualNetworkLink": ArmType(
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks", "virtualNetworkLinkName"
    ),
    "operationalinsights:Workspace": ArmType("Microsoft.OperationalInsights/workspaces", "workspaceName"),
    "operationalinsights:DataExport": ArmType(
        "Microsoft.OperationalInsights/workspaces/{workspaceName}/dataExports", "dataExportName"
    ),
    "monitor:DiagnosticSetting": ArmType("Microsoft.Insights/diagnosticSettings", "name", scoped="resourceUri"),
    "authorization:RoleAssignment": ArmType(
        "Microsoft.Authorization/roleAssignments", "roleAssignmentName", scoped="scope"
    ),
    "authorization:ManagementLockByScope": ArmType("Microsoft.Authorization/locks", "lockName", scoped="scope"),
    "authorization:ManagementLockAtResourceGroupLevel": ArmType("Microsoft.Authorization/locks", "lockName"),
    "sql:Server": ArmType("Microsoft.Sql/servers", "serverName"),
    "sql:Database": ArmType("Microsoft.Sql/servers/{serverName}/databases", "databaseName"),
    "dbforpostgresql:Server": ArmType("Microsoft.DBforPostgreSQL/flexibleServers", "serverName"),
    "dataprotection:BackupVault": ArmType("Microsoft.DataProtection/backupVaults", "vaultName"),
    "recoveryservices:Vault": ArmType("Microsoft.RecoveryServices/vaults", "vaultName"),
    "security:Pricing": ArmType("Microsoft.Security/pricings", "pricingName", scoped="scopeId"),
}

#: Outputs Azure computes when it creates the resource: unknown in preview, realistic otherwise.
_GUID_NAMED = {"authorization:RoleAssignment"}


class AzureMocks(Mocks):
    """Answer resource registrations and invokes as Azure would, for one subscription and tenant."""

    def __init__(
        self,
        subscription_id: str = DEFAULT_SUBSCRIPTION_ID,
        tenant_id: str = DEFAULT_TENANT_ID,
        location: str = "eastus",
        dry_run: bool = True,
        stack_references: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        client_id: str | None = None,
        classic_identity: Mapping[str, str] | None = None,
        invoke_answers: Mapping[str, list[dict[str, Any]]] | None = None,
        azuread_identity: Mapping[str, str] | None = None,
    ) -> None:
        self.subscription_id = subscription_id
        self.tenant_id = tenant_id
        self.location = location
        self.dry_run = dry_run
        self.stack_references = dict(stack_references or {})
        self.client_id = client_id
        native = {"subscriptionId": subscription_id, "tenantId": tenant_id, "clientId": client_id or ""}
        self.invokes = InvokeAnswers(native, classic_identity, invoke_answers, azuread_identity)

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(str(inputs.get("name") or args.resource_id or args.name))
        if not args.custom and not args.resource_id:  # components (reads of existing resources are custom)
            return "", {}
        if args.typ.startswith("pulumi:providers:"):
            return stable_guid(args.typ, args.name), inputs
        if self.dry_run:
            # azure-native's preview Create: no name, no ID, no computed value. Another provider's types echo
            # their inputs (the rest of their outputs is unknown).
            previewed = preview_outputs(args.typ, inputs)
            return None, previewed if previewed is not None else inputs
        return self._created(args, inputs)

    def _stack_reference(self, name: str) -> tuple[str, dict[str, Any]]:
        """A deployed stack's outputs are known at preview; offline they come from stack-references.json."""
        if name not in self.stack_references:
            raise IncompletePlanError(
                f"unknown stack '{name}': a StackReference needs that stack's outputs; add them under "
                f'"{name}" in stack-references.json next to Pulumi.yaml',
                kind="stack-reference",
                subject=name,
            )
        return name, {"name": name, "outputs": dict(self.stack_references[name]), "secretOutputNames": []}

    def _created(self, args: MockResourceArgs, inputs: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
        """Outside preview: realistic outputs of a created resource (ARM ID, physical name, computed values)."""
        module_type = _module_type(args.typ)
        arm = ARM_TYPES.get(module_type)
        name_input = arm.name_input if arm else _guess_name_input(inputs)
        given_name = inputs.get(name_input) if name_input else None
        state = dict(inputs)
        if "identity" in state:  # the one input whose output shape differs (userAssignedIdentities)
            state["identity"] = _as_outputs(state["identity"])
        if given_name is None:
            physical_name = _auto_name(args.typ, args.name, module_type)
            if name_input:
                state[name_input] = physical_name
        elif isinstance(given_name, str) and given_name != UNKNOWN:
            physical_name = given_name
        else:
            return None, state
        state["name"] = physical_name
        resource_id = self._resource_id(module_type, arm, inputs, physical_name)
        state["id"] = resource_id
        state.update(self._computed_outputs(module_type, inputs, physical_name, resource_id))
        return resource_id, state

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return self.invokes.answer(args.token, dict(args.args or {})), []

    def _resource_id(self, module_type: str, arm: ArmType | None, inputs: Mapping[str, Any], name: str) -> str:
        if module_type == "resources:ResourceGroup":
            return f"/subscriptions/{self.subscription_id}/resourceGroups/{name}"
        if arm is None:
            module, _, type_name = module_type.partition(":")
            path = f"Microsoft.{module.capitalize()}/{type_name[:1].lower()}{type_name[1:]}s"
        else:
            path = arm.path.format_map(_KeepMissing(inputs))
        if arm is not None and arm.scoped:
            scope = str(inputs.get(arm.scoped) or f"/subscriptions/{self.subscription_id}")
            return f"{scope.rstrip('/')}/providers/{path}/{name}"
        group = inputs.get("resourceGroupName") or "rg"
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{group}/providers/{path}/{name}"

    def _computed_outputs(
        self, module_type: str, inputs: Mapping[str, Any], name: str, resource_id: str
    ) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        if module_type == "managedidentity:UserAssignedIdentity":
            outputs.update(
                principalId=stable_guid("principal", resource_id),
                clientId=stable_guid("client", resource_id),
                tenantId=self.tenant_id,
            )
        elif module_type == "keyvault:Vault":
            properties = dict(inputs.get("properties") or {})
            properties["vaultUri"] = f"https://{name}.vault.azure.net/"
            outputs["properties"] = properties
        elif module_type == "keyvault:Key":
            vault = inputs.get("vaultName", "vault")
            key_uri = f"https://{vault}.vault.azure.net/keys/{name}"
            outputs.update(
                keyUri=key_uri, keyUriWithVersion=f"{key_uri}/{uuid.UUID(stable_guid('v', resource_id)).hex}"
            )
        elif module_type == "storage:StorageAccount":
            outputs["primaryEndpoints"] = {
                service: f"https://{name}.{service}.core.windows.net/"
                for service in ("blob", "dfs", "file", "queue", "table")
            }
        elif module_type == "sql:Server":
            outputs["fullyQualifiedDomainName"] = f"{name}.database.windows.net"
        elif module_type == "dbforpostgresql:Server":
            outputs["fullyQualifiedDomainName"] = f"{name}.postgres.database.azure.com"
        elif module_type == "operationalinsights:Workspace":
            outputs["customerId"] = stable_guid("workspace", resource_id)
        identity = inputs.get("identity")
        if isinstance(identity, Mapping) and "SystemAssigned" in str(identity.get("type", "")):
            outputs["identity"] = {
                **_as_outputs(identity),
                "principalId": stable_guid("system-principal", resource_id),
                "tenantId": self.tenant_id,
            }
        return outputs


def _as_outputs(value: Any) -> Any:
    """Inputs reshaped the way azure-native reports them as outputs.

    Inputs and outputs share their shape except for managed identities: ``userAssignedIdentities``
    is a list of resource IDs going in and a map keyed by resource ID coming out. Echoing the list
    back would make the SDK reject the output type.
    """
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if key == "userAssignedIdentities" and isinstance(item, list):
                result[key] = {identity: {} for identity in item if isinstance(identity, str)}
            else:
                result[key] = _as_outputs(item)
        return result
    if isinstance(value, list):
        return [_as_outputs(item) for item in value]
    return value


class _KeepMissing(dict[str, Any]):
    """format_map helper: a missing parent name stays visible instead of raising."""

    def __missing__(self, key: str) -> str:
        return f"{{{key}}}"


def _module_type(token: str) -> str:
    """``azure-native:keyvault/v20230701:Vault`` -> ``keyvault:Vault``."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    return f"{parts[1].split('/')[0]}:{parts[2]}"


def _guess_name_input(inputs: Mapping[str, Any]) -> str | None:
    candidates = [key for key in inputs if key.endswith("Name") and key != "resourceGroupName"]
    return candidates[-1] if candidates else None


def _auto_name(token: str, logical_name: str, module_type: str) -> str:
    """What azure-native's auto-naming produces: the logical name plus a stable random-looking suffix.

    Role assignments are named by GUID. The suffix is derived, not random, so runs are repeatable.
    """
    if module_type in _GUID_NAMED:
        return stable_guid(token, logical_name)
    return f"{logical_name}{hashlib.sha256(f'{token}::{logical_name}'.encode()).hexdigest()[:8]}"
