"""Azure Databricks workspaces: no public IPs on clusters, private front and back end, customer-managed keys.

Types read: ``azure-native:databricks:Workspace`` (any API version) and the classic
``azure:databricks/workspace:Workspace``. Private Link and customer-managed keys need the Premium SKU.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/databricks/security/network/classic/secure-cluster-connectivity (enableNoPublicIp)
- https://learn.microsoft.com/azure/databricks/security/network/classic/private-link (publicNetworkAccess 'Disabled', requiredNsgRules 'NoAzureDatabricksRules')
- https://learn.microsoft.com/azure/databricks/security/keys/customer-managed-keys (encryption.entities)
"""

from __future__ import annotations

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import all_of, must_be_false, must_be_set, must_be_true, must_equal
from phi_guardrails.framework import Target
from phi_guardrails.service_checks import service_rule

NATIVE_WORKSPACE = ("azure-native:databricks:Workspace",)
CLASSIC_WORKSPACE = ("azure:databricks/workspace:Workspace",)
_NO_CMK = "data is not encrypted with a customer-managed key"

RULES = (
    service_rule(
        "databricks-no-public-ip",
        description="Databricks cluster nodes must have no public IP addresses (secure cluster connectivity).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set parameters.enableNoPublicIp.value=true with VNet injection (classic: customParameters.noPublicIp=true).",
        targets=(
            # Both providers default to true (no public IPs); only an explicit false fails.
            Target(
                NATIVE_WORKSPACE,
                must_be_true("parameters.enableNoPublicIp.value", "secure cluster connectivity", absent="ok"),
            ),
            Target(
                CLASSIC_WORKSPACE,
                must_be_true("customParameters.noPublicIp", "secure cluster connectivity", absent="ok"),
            ),
        ),
    ),
    service_rule(
        "databricks-public-network-access-disabled",
        description="Databricks workspaces must not be reachable from public networks; use front-end and back-end Private Link (Premium).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' and requiredNsgRules='NoAzureDatabricksRules' (classic: publicNetworkAccessEnabled=false, networkSecurityGroupRulesRequired='NoAzureDatabricksRules') and add a private endpoint (group 'databricks_ui_api').",
        targets=(
            Target(
                NATIVE_WORKSPACE, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_WORKSPACE, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("0e7849de-b939-4c50-ab48-fc6b0f5eeba2",),
        checkov_ids=("CKV_AZURE_158",),
    ),
    service_rule(
        "databricks-customer-managed-key",
        description="Databricks workspaces holding PHI must encrypt managed services (notebooks, secrets, queries) and managed disks with customer-managed keys.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        remediation=(
            "Use the Premium SKU and set encryption.entities.managedServices and managedDisk {keySource: "
            "'Microsoft.Keyvault', keyVaultProperties} (classic: managedServicesCmkKeyVaultKeyId and managedDiskCmkKeyVaultKeyId)."
        ),
        targets=(
            Target(
                NATIVE_WORKSPACE,
                all_of(
                    must_equal("encryption.entities.managedServices.keySource", "Microsoft.Keyvault", _NO_CMK),
                    must_equal("encryption.entities.managedDisk.keySource", "Microsoft.Keyvault", _NO_CMK),
                ),
            ),
            Target(
                CLASSIC_WORKSPACE,
                all_of(
                    must_be_set("managedServicesCmkKeyVaultKeyId", _NO_CMK),
                    must_be_set("managedDiskCmkKeyVaultKeyId", _NO_CMK),
                ),
            ),
        ),
    ),
)
