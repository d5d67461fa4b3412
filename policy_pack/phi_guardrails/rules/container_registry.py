"""Azure Container Registry: no admin user or anonymous pull, private, customer-managed key, exports off.

Types read: ``azure-native:containerregistry:Registry`` (any API version) and the classic
``azure:containerservice/registry:Registry``. Private endpoints, customer-managed keys and disabled
exports all need the Premium SKU, so a PHI workload's registry is Premium.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/container-registry/container-registry-authentication#admin-account
- https://learn.microsoft.com/azure/container-registry/anonymous-pull-access
- https://learn.microsoft.com/azure/container-registry/container-registry-access-selected-networks#disable-public-network-access
- https://learn.microsoft.com/azure/container-registry/tutorial-enable-customer-managed-keys
- https://learn.microsoft.com/azure/container-registry/data-loss-prevention (exportPolicy 'disabled')

``acr-export-disabled`` is advisory by default. Export (``az acr import`` from this registry, transfer
pipelines) already needs an Entra identity with pull rights on a registry whose public access is off,
which the mandatory rules here require. Disabling it is a data-loss-prevention option that Microsoft's
baselines do not require: the built-in policy 524b0254 ("Container registries should have exports
disabled", default effect Audit) is in neither the HIPAA HITRUST initiative nor the Microsoft cloud
security benchmark initiative (Azure/azure-policy, built-in-policies/policySetDefinitions). A pack config
can make it mandatory (``acr-export-disabled: mandatory``).
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_set, must_equal
from phi_guardrails.framework import Target, equals_ignoring_case, is_false
from phi_guardrails.service_checks import first_of, forbidden, not_true, service_rule, when

NATIVE_REGISTRY = ("azure-native:containerregistry:Registry",)
CLASSIC_REGISTRY = ("azure:containerservice/registry:Registry",)

NATIVE_TOKEN = ("azure-native:containerregistry:Token",)
CLASSIC_TOKEN = ("azure:containerservice/registryToken:RegistryToken",)

RULES = (
    service_rule(
        "acr-admin-user-disabled",
        description="Container registries must not enable the shared admin user; identities pull and push with Entra ID.",
        citation=citations.UNIQUE_USER_ID,
        related=(citations.ENTITY_AUTHENTICATION,),
        severity=Severity.HIGH,
        remediation="Set adminUserEnabled=false (classic: adminEnabled=false) and grant AcrPull/AcrPush to identities.",
        targets=(
            Target(NATIVE_REGISTRY, not_true("adminUserEnabled", "the admin user")),
            Target(CLASSIC_REGISTRY, not_true("adminEnabled", "the admin user")),
        ),
        azure_policy_ids=("dc921057-6b28-4fbe-9b83-f7bec05db6c2",),
        checkov_ids=("CKV_AZURE_137",),
    ),
    service_rule(
        "acr-anonymous-pull-disabled",
        description="Container registries must not allow anonymous (unauthenticated) pulls.",
        citation=citations.ACCESS_CONTROL,
        severity=Severity.HIGH,
        remediation="Set anonymousPullEnabled=false, or leave it unset.",
        targets=(
            Target(NATIVE_REGISTRY, not_true("anonymousPullEnabled", "anonymous pull")),
            Target(CLASSIC_REGISTRY, not_true("anonymousPullEnabled", "anonymous pull")),
        ),
        azure_policy_ids=("9f2dea28-e834-476c-99c5-3507b4728395",),
        checkov_ids=("CKV_AZURE_138",),
    ),
    service_rule(
        "acr-public-network-access-disabled",
        description="Container registries must not be reachable from public networks; use private endpoints (Premium).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Use the Premium SKU, set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'registry').",
        targets=(
            Target(
                NATIVE_REGISTRY, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_REGISTRY, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("0fdf0491-d080-4575-b627-ad0e843cba0f",),
        checkov_ids=("CKV_AZURE_139",),
    ),
    service_rule(
        "acr-customer-managed-key",
        description="Container registries must encrypt their content with a customer-managed key (Premium, set at creation).",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        remediation="Set encryption {status: 'enabled', keyVaultProperties: {keyIdentifier, identity}} with a user-assigned identity (classic: encryption.keyVaultKeyId and identityClientId).",
        targets=(
            Target(
                NATIVE_REGISTRY,
                first_of(
                    must_equal("encryption.status", "enabled", "content is not encrypted with a customer-managed key"),
                    must_be_set("encryption.keyVaultProperties.keyIdentifier", "the customer-managed key is not named"),
                ),
            ),
            Target(
                CLASSIC_REGISTRY,
                must_be_set("encryption.keyVaultKeyId", "content is not encrypted with a customer-managed key"),
            ),
        ),
        azure_policy_ids=("5b9159ae-1701-4a6f-9a7a-aa9c8ddd0580",),
    ),
    service_rule(
        "acr-export-disabled",
        description="Container registries should not allow artifacts to be exported (import/pipeline export) out of the private network (advisory: a data-loss-prevention option Microsoft's HIPAA and security baselines do not require).",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Set policies.exportPolicy.status='disabled' with public network access disabled, Premium only (classic: exportPolicyEnabled=false); see https://learn.microsoft.com/azure/container-registry/data-loss-prevention.",
        targets=(
            Target(
                NATIVE_REGISTRY,
                must_equal("policies.exportPolicy.status", "disabled", "artifact export is not disabled"),
            ),
            Target(CLASSIC_REGISTRY, must_be_false("exportPolicyEnabled", "artifact export")),
        ),
        azure_policy_ids=("524b0254-c285-4903-bee6-bb8126cde579",),
    ),
    service_rule(
        "acr-no-repository-tokens",
        description="Container registries must not issue repository-scoped tokens: their passwords bypass Entra ID.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.MEDIUM,
        remediation="Delete the token (or set status 'disabled'); grant AcrPull/AcrPush or repository-scoped ABAC roles to identities.",
        targets=(
            Target(
                NATIVE_TOKEN,
                when(
                    lambda token: not equals_ignoring_case(token.get("status"), "disabled"),
                    forbidden("a repository token"),
                ),
            ),
            Target(
                CLASSIC_TOKEN, when(lambda token: not is_false(token.get("enabled")), forbidden("a repository token"))
            ),
        ),
    ),
)
