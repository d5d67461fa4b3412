"""Azure Data Factory: private, customer-managed key, integration runtimes in a managed virtual network.

Types read: ``azure-native:datafactory:Factory`` and ``:IntegrationRuntime`` (any API version) and the
classic ``azure:datafactory/factory:Factory`` (its key inline as ``customerManagedKeyId``, or in a separate
``datafactory/customerManagedKey`` resource naming the factory: the key control is a stack rule accepting either). azure-native has no managed-virtual-network resource: a
factory's managed integration runtimes name the network ('default') they run in, so the native side
of that control reads each managed integration runtime.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/data-factory/data-factory-private-link (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/data-factory/enable-customer-managed-key (encryption.vaultBaseUrl, keyName)
- https://learn.microsoft.com/azure/data-factory/managed-virtual-network-private-endpoint

``data-factory-managed-virtual-network`` is advisory by default and reads the integration runtimes on both
providers (classic: ``azure:datafactory/integrationRuntimeRule:IntegrationRuntimeRule``,
``virtualNetworkEnabled``), not the factory: a factory that moves data only through self-hosted runtimes
on its own network is as private, and the managed virtual network is an option Microsoft's baselines do
not require (no built-in policy for it is in the HIPAA HITRUST or Microsoft cloud security benchmark
initiatives; Azure/azure-policy). A pack config can make it mandatory.
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_set, must_be_true, must_equal
from phi_guardrails.framework import ResourceView, StackContext, StackResource, StackRule, Target, equals_ignoring_case
from phi_guardrails.service_checks import companions_by_target, first_of, named_by_companion, service_rule

NATIVE_FACTORY = ("azure-native:datafactory:Factory",)
CLASSIC_FACTORY = ("azure:datafactory/factory:Factory",)
NATIVE_RUNTIME = ("azure-native:datafactory:IntegrationRuntime",)
#: The classic provider's separate customer-managed key resource (instead of the factory's customerManagedKeyId).
CLASSIC_CUSTOMER_KEY = ("azure:datafactory/customerManagedKey:CustomerManagedKey",)
_NO_CMK = "metadata is not encrypted with a customer-managed key"
#: The classic Azure (auto-resolve or regional) integration runtime: the one that can run in the managed network.
CLASSIC_AZURE_RUNTIME = ("azure:datafactory/integrationRuntimeRule:IntegrationRuntimeRule",)


def _managed_runtime_in_vnet(runtime: ResourceView) -> Iterable[str]:
    if not equals_ignoring_case(runtime.get("properties.type"), "Managed"):
        return  # self-hosted runtimes run on the customer's own network
    if not runtime.has("properties.managedVirtualNetwork.referenceName"):
        yield "the managed integration runtime does not run in the managed virtual network (properties.managedVirtualNetwork.referenceName)"


RULES = (
    service_rule(
        "data-factory-public-network-access-disabled",
        description="Data factories must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkEnabled=false) and add private endpoints (groups 'dataFactory' and 'portal').",
        targets=(
            Target(
                NATIVE_FACTORY, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_FACTORY, must_be_false("publicNetworkEnabled", "public network access")),
        ),
        azure_policy_ids=("1cf164be-6819-4a50-b8fa-4bcaa4f98fb6",),
        checkov_ids=("CKV_AZURE_104",),
    ),
    service_rule(
        "data-factory-managed-virtual-network",
        description="Data factories should run their Azure integration runtimes in a managed virtual network, reaching data stores through managed private endpoints (advisory: self-hosted runtimes are an equally private alternative).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        remediation="Create the factory's managed virtual network 'default' and set properties.managedVirtualNetwork {referenceName: 'default', type: 'ManagedVirtualNetworkReference'} on managed integration runtimes (classic: managedVirtualNetworkEnabled=true on the factory and virtualNetworkEnabled=true on each IntegrationRuntimeRule).",
        targets=(
            Target(NATIVE_RUNTIME, _managed_runtime_in_vnet),
            Target(CLASSIC_AZURE_RUNTIME, must_be_true("virtualNetworkEnabled", "the managed virtual network")),
        ),
    ),
)


def _metadata_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    keyed = companions_by_target(
        context, CLASSIC_CUSTOMER_KEY, "dataFactoryId", lambda key: key.view.has("customerManagedKeyId")
    )
    native_check = first_of(
        must_be_set("encryption.vaultBaseUrl", _NO_CMK),
        must_be_set("encryption.keyName", "the customer-managed key is not named"),
    )

    def native(factory: StackResource) -> Iterable[str]:
        yield from native_check(factory.view)

    def classic(factory: StackResource) -> Iterable[str]:
        if factory.view.has("customerManagedKeyId"):
            return
        if not named_by_companion(context, factory, keyed):
            yield (
                f"{_NO_CMK} (customerManagedKeyId is not set and no datafactory.CustomerManagedKey "
                "with customerManagedKeyId names this factory)"
            )

    yield from context.findings(context.of_type(*NATIVE_FACTORY), native)
    yield from context.findings(context.of_type(*CLASSIC_FACTORY), classic)


STACK_RULES = (
    StackRule(
        id="data-factory-customer-managed-key",
        description="Data factories handling PHI must encrypt their metadata (linked services, credentials, parameters) with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set encryption {vaultBaseUrl, keyName, identity} at creation (classic: customerManagedKeyId and "
            "customerManagedKeyIdentityId, or a datafactory.CustomerManagedKey for the factory)."
        ),
        check=_metadata_under_customer_key,
        resource_types=NATIVE_FACTORY + CLASSIC_FACTORY + CLASSIC_CUSTOMER_KEY,
        azure_policy_ids=("4ec52d6d-beb7-40c4-9a9e-fe753254690e",),
    ),
)
