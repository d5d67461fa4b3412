"""Azure Kubernetes Service: private (or IP-restricted) API server, Entra RBAC, no local accounts, encrypted nodes.

Types read: ``azure-native:containerservice:ManagedCluster`` and ``:AgentPool`` (any API version) and the
classic ``azure:containerservice/kubernetesCluster:KubernetesCluster`` and ``kubernetesClusterNodePool``.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/aks/private-clusters (apiServerAccessProfile.enablePrivateCluster)
- https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges (authorizedIPRanges)
- https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad (disableLocalAccounts)
- https://learn.microsoft.com/azure/aks/enable-authentication-microsoft-entra-id (aadProfile.managed, enableRBAC)
- https://learn.microsoft.com/azure/aks/azure-disk-customer-managed-keys (diskEncryptionSetID)
- https://learn.microsoft.com/azure/aks/enable-host-encryption (enableEncryptionAtHost)

``aks-encryption-at-host`` is advisory by default. Node OS and data disks and their caches are encrypted
at rest without it (platform keys, or the customer-managed key ``aks-customer-managed-key`` requires);
host encryption adds the temporary disks, works only on some VM sizes and regions, and is set only when a
pool is created (https://learn.microsoft.com/azure/aks/enable-host-encryption#limitations). The built-in
policy 41425d9f (default effect Audit) is in neither the HIPAA HITRUST nor the Microsoft cloud security
benchmark initiative (Azure/azure-policy). A pack config can make it mandatory.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_set, must_be_true
from phi_guardrails.framework import Check, ResourceView, Target, entries, is_false, is_mapping, is_true
from phi_guardrails.service_checks import field, not_true, service_rule

NATIVE_CLUSTER = ("azure-native:containerservice:ManagedCluster",)
CLASSIC_CLUSTER = ("azure:containerservice/kubernetesCluster:KubernetesCluster",)
NATIVE_POOL = ("azure-native:containerservice:AgentPool",)
CLASSIC_POOL = ("azure:containerservice/kubernetesClusterNodePool:KubernetesClusterNodePool",)


def _admits_everyone(cidr: object) -> bool:
    """A range that is not an address range, or one that covers every address (prefix length 0)."""
    try:
        return ipaddress.ip_network(str(cidr).strip(), strict=False).prefixlen == 0
    except ValueError:
        return True


def _private_api_server(private_path: str, ranges_path: str) -> Check:
    def check(cluster: ResourceView) -> Iterable[str]:
        if is_true(cluster.get(private_path)):
            return
        ranges = entries(cluster.get(ranges_path))
        if ranges and not any(_admits_everyone(cidr) for cidr in ranges):
            return
        yield (
            f"the API server is reachable from the whole Internet ({private_path} must be true, "
            f"or {ranges_path} must restrict it to known ranges)"
        )

    return check


def _native_entra_rbac(cluster: ResourceView) -> Iterable[str]:
    if is_false(cluster.get("enableRBAC")):
        yield "Kubernetes RBAC is disabled (enableRBAC must be true)"
    # As the built-in policy: an aadProfile is Entra integration (legacy, unmanaged integration is retired).
    if not cluster.has("aadProfile") or is_false(cluster.get("aadProfile.managed")):
        yield "Entra ID integration is not enabled (aadProfile must be set, with managed: true)"


def _classic_entra_rbac(cluster: ResourceView) -> Iterable[str]:
    if is_false(cluster.get("roleBasedAccessControlEnabled")):
        yield "Kubernetes RBAC is disabled (roleBasedAccessControlEnabled must be true)"
    if not cluster.has("azureActiveDirectoryRoleBasedAccessControl"):
        yield "Entra ID integration is not enabled (azureActiveDirectoryRoleBasedAccessControl is not set)"


def _native_pools_encrypted_at_host(cluster: ResourceView) -> Iterable[str]:
    for index, pool in enumerate(entries(cluster.get("agentPoolProfiles"))):
        if is_mapping(pool) and not is_true(field(pool, "enableEncryptionAtHost")):
            yield f"node pool {index} does not encrypt at host (agentPoolProfiles[{index}].enableEncryptionAtHost must be true)"


def _native_pools_without_public_ips(cluster: ResourceView) -> Iterable[str]:
    for index, pool in enumerate(entries(cluster.get("agentPoolProfiles"))):
        if is_mapping(pool) and is_true(field(pool, "enableNodePublicIP")):
            yield f"node pool {index} gives each node a public IP (agentPoolProfiles[{index}].enableNodePublicIP must be false)"


RULES = (
    service_rule(
        "aks-private-api-server",
        description="AKS API servers must not be open to the Internet: a private cluster, or authorized IP ranges.",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        remediation="Set apiServerAccessProfile.enablePrivateCluster=true (classic: privateClusterEnabled=true), or list the admin networks in apiServerAccessProfile.authorizedIPRanges.",
        targets=(
            Target(
                NATIVE_CLUSTER,
                _private_api_server(
                    "apiServerAccessProfile.enablePrivateCluster", "apiServerAccessProfile.authorizedIPRanges"
                ),
            ),
            Target(
                CLASSIC_CLUSTER,
                _private_api_server("privateClusterEnabled", "apiServerAccessProfile.authorizedIpRanges"),
            ),
        ),
        azure_policy_ids=("040732e8-d947-40b8-95d6-854c95024bf8", "0e246bcf-5f6f-4f87-bc6f-775d4712c7ea"),
        checkov_ids=("CKV_AZURE_115", "CKV_AZURE_6"),
    ),
    service_rule(
        "aks-local-accounts-disabled",
        description="AKS clusters must disable local accounts (the static cluster-admin credential); users sign in with Entra ID.",
        citation=citations.UNIQUE_USER_ID,
        related=(citations.ENTITY_AUTHENTICATION,),
        severity=Severity.HIGH,
        remediation="Set disableLocalAccounts=true (classic: localAccountDisabled=true) with Entra integration enabled.",
        targets=(
            Target(NATIVE_CLUSTER, must_be_true("disableLocalAccounts", "disabling of local accounts")),
            Target(CLASSIC_CLUSTER, must_be_true("localAccountDisabled", "disabling of local accounts")),
        ),
        azure_policy_ids=("993c2fcd-2b29-49d2-9eb0-df2c3a730c32",),
        checkov_ids=("CKV_AZURE_141",),
    ),
    service_rule(
        "aks-entra-rbac",
        description="AKS clusters must use Kubernetes RBAC with Microsoft Entra ID integration.",
        citation=citations.ACCESS_CONTROL,
        related=(citations.ENTITY_AUTHENTICATION,),
        severity=Severity.HIGH,
        remediation="Set aadProfile {managed: true, enableAzureRBAC: true, adminGroupObjectIDs} and keep enableRBAC=true (classic: azureActiveDirectoryRoleBasedAccessControl {azureRbacEnabled: true}).",
        targets=(Target(NATIVE_CLUSTER, _native_entra_rbac), Target(CLASSIC_CLUSTER, _classic_entra_rbac)),
        azure_policy_ids=("450d2877-ebea-41e8-b00c-e286317d21bf", "ac4a19c2-fa67-49b4-8ae5-0b2e78c49457"),
        checkov_ids=("CKV_AZURE_5",),
    ),
    service_rule(
        "aks-customer-managed-key",
        description="AKS node OS and data disks must be encrypted with a customer-managed key (a disk encryption set).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        remediation="Set diskEncryptionSetID to a disk encryption set with a customer-managed key (classic: diskEncryptionSetId).",
        targets=(
            Target(
                NATIVE_CLUSTER,
                must_be_set("diskEncryptionSetID", "node disks are not encrypted with a customer-managed key"),
            ),
            Target(
                CLASSIC_CLUSTER,
                must_be_set("diskEncryptionSetId", "node disks are not encrypted with a customer-managed key"),
            ),
        ),
        azure_policy_ids=("7d7be79c-23ba-4033-84dd-45e2a5ccdd67",),
        checkov_ids=("CKV_AZURE_117",),
    ),
    service_rule(
        "aks-encryption-at-host",
        description="AKS node pools should encrypt temporary disks and disk caches at the host (advisory: some VM sizes and regions only; Microsoft's baselines do not require it).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set enableEncryptionAtHost=true on every agent pool (classic: defaultNodePool.hostEncryptionEnabled and each node pool's hostEncryptionEnabled).",
        targets=(
            Target(NATIVE_CLUSTER, _native_pools_encrypted_at_host),
            Target(CLASSIC_CLUSTER, must_be_true("defaultNodePool.hostEncryptionEnabled", "encryption at host")),
            Target(NATIVE_POOL, must_be_true("enableEncryptionAtHost", "encryption at host")),
            Target(CLASSIC_POOL, must_be_true("hostEncryptionEnabled", "encryption at host")),
        ),
        azure_policy_ids=("41425d9f-d1a5-499a-9932-f8ed8453932c",),
        checkov_ids=("CKV_AZURE_227",),
    ),
    service_rule(
        "aks-node-public-ip-disabled",
        description="AKS nodes must not have their own public IP addresses; egress goes through the hub firewall.",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.HIGH,
        remediation="Set enableNodePublicIP=false, or leave it unset, on every agent pool (classic: nodePublicIpEnabled).",
        targets=(
            Target(NATIVE_CLUSTER, _native_pools_without_public_ips),
            Target(CLASSIC_CLUSTER, not_true("defaultNodePool.nodePublicIpEnabled", "a public IP per node")),
            Target(NATIVE_POOL, not_true("enableNodePublicIP", "a public IP per node")),
            Target(CLASSIC_POOL, not_true("nodePublicIpEnabled", "a public IP per node")),
        ),
        checkov_ids=("CKV_AZURE_143",),
    ),
)
