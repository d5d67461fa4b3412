"""Event Hubs namespaces: Entra-only (SAS keys off), TLS 1.2, private, customer-managed key on Premium/Dedicated.

Types read: ``azure-native:eventhub:Namespace`` (any API version) and the classic
``azure:eventhub/eventHubNamespace:EventHubNamespace``. Customer-managed keys exist only for the
Premium and Dedicated tiers; the classic provider configures them through a separate
``eventhub/namespaceCustomerManagedKey`` resource, so that control is a stack rule following the edge
from key to namespace.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/event-hubs/authenticate-shared-access-signature#disabling-localsas-key-authentication (disableLocalAuth)
- https://learn.microsoft.com/azure/event-hubs/transport-layer-security-enforce-minimum-version (minimumTlsVersion '1.2')
- https://learn.microsoft.com/azure/event-hubs/private-link-service (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/event-hubs/configure-customer-managed-key (encryption.keySource 'Microsoft.KeyVault')
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
from phi_guardrails.framework import ResourceView, StackContext, StackResource, StackRule, Target
from phi_guardrails.messaging import namespace_minimum_tls, native_namespace_key
from phi_guardrails.service_checks import (
    companions_by_target,
    forbidden,
    is_set,
    named_by_companion,
    service_rule,
    sku_is,
)

NATIVE_NAMESPACE = ("azure-native:eventhub:Namespace",)
CLASSIC_NAMESPACE = ("azure:eventhub/eventHubNamespace:EventHubNamespace",)
CLASSIC_CUSTOMER_KEY = ("azure:eventhub/namespaceCustomerManagedKey:NamespaceCustomerManagedKey",)
_NO_CMK = "events are not encrypted with a customer-managed key"


def _offers_cmk(view: ResourceView) -> bool:
    """Premium namespaces and namespaces in a Dedicated cluster offer customer-managed keys."""
    return sku_is("Premium")(view) or is_set("clusterArmId")(view)


#: Shared access policies (authorization rules) at namespace and entity level, both providers.
SAS_POLICIES = (
    "azure-native:eventhub:NamespaceAuthorizationRule",
    "azure-native:eventhub:EventHubAuthorizationRule",
    "azure:eventhub/eventHubNamespaceAuthorizationRule:EventHubNamespaceAuthorizationRule",
    "azure:eventhub/authorizationRule:AuthorizationRule",
    "azure:eventhub/eventHubAuthorizationRule:EventHubAuthorizationRule",  # deprecated alias of AuthorizationRule
)

RULES = (
    service_rule(
        "eventhub-local-auth-disabled",
        description="Event Hubs namespaces must authorize with Entra ID only; shared access (SAS) keys are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Set disableLocalAuth=true (classic: localAuthenticationEnabled=false) and grant Event Hubs data roles to identities.",
        targets=(
            Target(NATIVE_NAMESPACE, must_be_true("disableLocalAuth", "disabling of SAS-key authentication")),
            Target(CLASSIC_NAMESPACE, must_be_false("localAuthenticationEnabled", "SAS-key authentication")),
        ),
        azure_policy_ids=("5d4e3c65-4873-47be-94f3-6f8b953a3598",),
    ),
    namespace_minimum_tls("eventhub-minimum-tls", "Event Hubs", NATIVE_NAMESPACE, CLASSIC_NAMESPACE, "CKV_AZURE_223"),
    service_rule(
        "eventhub-public-network-access-disabled",
        description="Event Hubs namespaces must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'namespace').",
        targets=(
            Target(
                NATIVE_NAMESPACE, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_NAMESPACE, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("0602787f-9896-402a-a6e1-39ee63ee435e",),
    ),
    service_rule(
        "eventhub-no-sas-policies",
        description="Event Hubs must not declare shared access (SAS) policies: each one mints keys that bypass Entra ID.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Delete the authorization rule; grant 'Azure Event Hubs Data Sender/Receiver' to the client identities instead.",
        targets=(Target(SAS_POLICIES, forbidden("a shared access (SAS) policy")),),
    ),
)


def _classic_offers_cmk(view: ResourceView) -> bool:
    return sku_is("Premium", paths=("sku",))(view) or is_set("dedicatedClusterId")(view)


def _events_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    keyed = companions_by_target(
        context, CLASSIC_CUSTOMER_KEY, "eventhubNamespaceId", lambda key: key.view.has("keyVaultKeyIds")
    )
    native_check = native_namespace_key(_offers_cmk, _NO_CMK)

    def native(namespace: StackResource) -> Iterable[str]:
        yield from native_check(namespace.view)

    def classic(namespace: StackResource) -> Iterable[str]:
        if not _classic_offers_cmk(namespace.view):
            return
        if not named_by_companion(context, namespace, keyed):
            yield f"{_NO_CMK} (no eventhub.NamespaceCustomerManagedKey with keyVaultKeyIds for this namespace)"

    yield from context.findings(context.of_type(*NATIVE_NAMESPACE), native)
    yield from context.findings(context.of_type(*CLASSIC_NAMESPACE), classic)


STACK_RULES = (
    StackRule(
        id="eventhub-customer-managed-key",
        description="Premium and Dedicated Event Hubs namespaces must encrypt retained events with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set encryption {keySource: 'Microsoft.KeyVault', keyVaultProperties: [{keyName, keyVaultUri, identity}]} with a user-assigned identity (classic: an eventhub.NamespaceCustomerManagedKey for the namespace).",
        check=_events_under_customer_key,
        resource_types=NATIVE_NAMESPACE + CLASSIC_NAMESPACE + CLASSIC_CUSTOMER_KEY,
        azure_policy_ids=("a1ad735a-e96f-45d2-a7b2-9a4932cab7ec",),
    ),
)
