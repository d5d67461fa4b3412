"""Service Bus namespaces: Entra-only (SAS keys off), TLS 1.2, private, customer-managed key on Premium.

Types read: ``azure-native:servicebus:Namespace`` (any API version), the classic
``azure:servicebus/namespace:Namespace`` and its deprecated alias ``azure:eventhub/namespace:Namespace``
(pulumi-azure 6 still ships it, with the same properties), and the SAS policies of both spellings.
Customer-managed keys and private endpoints exist only in the Premium tier. The classic provider sets a
customer-managed key inline (``customerManagedKey``) or through a separate
``servicebus/namespaceCustomerManagedKey`` resource, so that control is a stack rule that accepts either.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/service-bus-messaging/disable-local-authentication (disableLocalAuth)
- https://learn.microsoft.com/azure/service-bus-messaging/transport-layer-security-enforce-minimum-version (minimumTlsVersion '1.2')
- https://learn.microsoft.com/azure/service-bus-messaging/private-link-service (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/service-bus-messaging/configure-customer-managed-key (encryption.keySource 'Microsoft.KeyVault')
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
from phi_guardrails.framework import StackContext, StackResource, StackRule, Target
from phi_guardrails.messaging import namespace_minimum_tls, native_namespace_key
from phi_guardrails.service_checks import companions_by_target, forbidden, named_by_companion, service_rule, sku_is

NATIVE_NAMESPACE = ("azure-native:servicebus:Namespace",)
CLASSIC_NAMESPACE = ("azure:servicebus/namespace:Namespace", "azure:eventhub/namespace:Namespace")
CLASSIC_CUSTOMER_KEY = ("azure:servicebus/namespaceCustomerManagedKey:NamespaceCustomerManagedKey",)
_NO_CMK = "messages are not encrypted with a customer-managed key"

#: Shared access policies (authorization rules) at namespace and entity level, both providers.
SAS_POLICIES = (
    "azure-native:servicebus:NamespaceAuthorizationRule",
    "azure-native:servicebus:QueueAuthorizationRule",
    "azure-native:servicebus:TopicAuthorizationRule",
    "azure:servicebus/namespaceAuthorizationRule:NamespaceAuthorizationRule",
    "azure:servicebus/queueAuthorizationRule:QueueAuthorizationRule",
    "azure:servicebus/topicAuthorizationRule:TopicAuthorizationRule",
    # the deprecated aliases in the classic eventhub module (same resources, same properties)
    "azure:eventhub/namespaceAuthorizationRule:NamespaceAuthorizationRule",
    "azure:eventhub/queueAuthorizationRule:QueueAuthorizationRule",
    "azure:eventhub/topicAuthorizationRule:TopicAuthorizationRule",
)

RULES = (
    service_rule(
        "servicebus-local-auth-disabled",
        description="Service Bus namespaces must authorize with Entra ID only; shared access (SAS) keys are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Set disableLocalAuth=true (classic: localAuthEnabled=false) and grant Service Bus data roles to identities.",
        targets=(
            Target(NATIVE_NAMESPACE, must_be_true("disableLocalAuth", "disabling of SAS-key authentication")),
            Target(CLASSIC_NAMESPACE, must_be_false("localAuthEnabled", "SAS-key authentication")),
        ),
        azure_policy_ids=("cfb11c26-f069-4c14-8e36-56c394dae5af",),
        checkov_ids=("CKV_AZURE_203",),
    ),
    namespace_minimum_tls(
        "servicebus-minimum-tls", "Service Bus", NATIVE_NAMESPACE, CLASSIC_NAMESPACE, "CKV_AZURE_205"
    ),
    service_rule(
        "servicebus-public-network-access-disabled",
        description="Service Bus namespaces must not be reachable from public networks; use private endpoints (Premium).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Use the Premium tier, set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'namespace').",
        targets=(
            Target(
                NATIVE_NAMESPACE, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_NAMESPACE, must_be_false("publicNetworkAccessEnabled", "public network access")),
        ),
        azure_policy_ids=("cbd11fd3-3002-4907-b6c8-579f0e700e13",),
        checkov_ids=("CKV_AZURE_204",),
    ),
    service_rule(
        "servicebus-no-sas-policies",
        description="Service Bus must not declare shared access (SAS) policies: each one mints keys that bypass Entra ID.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Delete the authorization rule; grant 'Azure Service Bus Data Sender/Receiver' to the client identities instead.",
        targets=(Target(SAS_POLICIES, forbidden("a shared access (SAS) policy")),),
    ),
)


def _messages_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    keyed = companions_by_target(
        context, CLASSIC_CUSTOMER_KEY, "namespaceId", lambda key: key.view.has("keyVaultKeyId")
    )
    native_check = native_namespace_key(sku_is("Premium"), _NO_CMK)

    def native(namespace: StackResource) -> Iterable[str]:
        yield from native_check(namespace.view)

    def classic(namespace: StackResource) -> Iterable[str]:
        if not sku_is("Premium", paths=("sku",))(namespace.view) or namespace.view.has(
            "customerManagedKey.keyVaultKeyId"
        ):
            return
        if not named_by_companion(context, namespace, keyed):
            yield (
                f"{_NO_CMK} (customerManagedKey.keyVaultKeyId is not set and no "
                "servicebus.NamespaceCustomerManagedKey with keyVaultKeyId names this namespace)"
            )

    yield from context.findings(context.of_type(*NATIVE_NAMESPACE), native)
    yield from context.findings(context.of_type(*CLASSIC_NAMESPACE), classic)


STACK_RULES = (
    StackRule(
        id="servicebus-customer-managed-key",
        description="Premium Service Bus namespaces must encrypt messages at rest with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set encryption {keySource: 'Microsoft.KeyVault', keyVaultProperties: [{keyName, keyVaultUri, identity}]} "
            "(classic: customerManagedKey.keyVaultKeyId, or a servicebus.NamespaceCustomerManagedKey for the namespace; "
            "https://learn.microsoft.com/azure/service-bus-messaging/configure-customer-managed-key)."
        ),
        check=_messages_under_customer_key,
        resource_types=NATIVE_NAMESPACE + CLASSIC_NAMESPACE + CLASSIC_CUSTOMER_KEY,
        azure_policy_ids=("295fc8b1-dc9f-4f53-9c61-3f313ceab40a",),
        checkov_ids=("CKV_AZURE_201",),
    ),
)
