"""Azure Container Apps: HTTPS-only ingress, environments reachable only from their virtual network.

Types read: ``azure-native:app:ContainerApp`` and ``:ManagedEnvironment`` (any API version) and the
classic ``azure:containerapp/app:App`` and ``azure:containerapp/environment:Environment``. An app's
"external" ingress in an internal environment is reachable from the VNet only, so exposure is judged
on the environment.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/container-apps/ingress-overview#protocol-types (ingress.allowInsecure)
- https://learn.microsoft.com/azure/container-apps/networking#accessibility-levels (vnetConfiguration.internal)
- https://learn.microsoft.com/azure/container-apps/how-to-use-private-endpoint (publicNetworkAccess 'Disabled')
"""

from __future__ import annotations

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_set, must_be_true, must_equal
from phi_guardrails.framework import Target
from phi_guardrails.service_checks import any_of, first_of, not_true, service_rule

NATIVE_APP = ("azure-native:app:ContainerApp",)
CLASSIC_APP = ("azure:containerapp/app:App",)
NATIVE_ENVIRONMENT = ("azure-native:app:ManagedEnvironment",)
CLASSIC_ENVIRONMENT = ("azure:containerapp/environment:Environment",)
_PUBLIC = "public network access is not disabled"

RULES = (
    service_rule(
        "container-app-https-only",
        description="Container Apps ingress must not accept plain HTTP (insecure connections are redirected to HTTPS).",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set configuration.ingress.allowInsecure=false, or leave it unset (classic: ingress.allowInsecureConnections=false).",
        targets=(
            Target(NATIVE_APP, not_true("configuration.ingress.allowInsecure", "plain-HTTP ingress")),
            Target(CLASSIC_APP, not_true("ingress.allowInsecureConnections", "plain-HTTP ingress")),
        ),
        azure_policy_ids=("0e80e269-43a4-4ae9-b5bc-178126b8a5cb",),
    ),
    service_rule(
        "container-apps-environment-private",
        description="Container Apps environments must not be reachable from public networks: internal (VNet-only) or private endpoint.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation=(
            "Set vnetConfiguration {infrastructureSubnetId, internal: true} (classic: infrastructureSubnetId and "
            "internalLoadBalancerEnabled=true), or publicNetworkAccess='Disabled' with a private endpoint (group 'managedEnvironments')."
        ),
        targets=(
            Target(
                NATIVE_ENVIRONMENT,
                any_of(
                    first_of(
                        must_be_true("vnetConfiguration.internal", "the internal (VNet-only) environment"),
                        must_be_set("vnetConfiguration.infrastructureSubnetId", "the environment is not VNet-injected"),
                    ),
                    must_equal("publicNetworkAccess", "Disabled", _PUBLIC),
                ),
            ),
            Target(
                CLASSIC_ENVIRONMENT,
                any_of(
                    first_of(
                        must_be_true("internalLoadBalancerEnabled", "the internal (VNet-only) environment"),
                        must_be_set("infrastructureSubnetId", "the environment is not VNet-injected"),
                    ),
                    must_equal("publicNetworkAccess", "Disabled", _PUBLIC),
                ),
            ),
        ),
        azure_policy_ids=("d074ddf8-01a5-4b5e-a2b8-964aed452c0a",),
    ),
)
