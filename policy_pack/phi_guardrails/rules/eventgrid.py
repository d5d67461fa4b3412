"""Event Grid topics, domains and namespaces: Entra-only (access keys off), private, TLS 1.2.

Types read: ``azure-native:eventgrid:Topic``, ``:Domain`` and ``:Namespace`` (any API version) and the
classic ``azure:eventgrid/topic:Topic``, ``azure:eventgrid/domain:Domain`` (and their deprecated aliases
``azure:eventhub/eventGridTopic:EventGridTopic`` and ``azure:eventhub/domain:Domain``, same properties) and
``azure:eventgrid/namespace:Namespace`` (``publicNetworkAccess`` 'Enabled'/'Disabled', default 'Enabled').
The classic provider has no minimum-TLS setting for Event Grid, so that rule reads azure-native resources only;
the classic namespace resource has no local-auth or TLS property, so it is read for network access only.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/event-grid/authenticate-with-access-keys-shared-access-signatures#disable-key-and-shared-access-signature-authentication (disableLocalAuth)
- https://learn.microsoft.com/azure/event-grid/configure-private-endpoints (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/event-grid/transport-layer-security-configure-minimum-version (minimumTlsVersionAllowed '1.2')
"""

from __future__ import annotations

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
from phi_guardrails.framework import Target
from phi_guardrails.service_checks import service_rule

NATIVE_TOPICS = ("azure-native:eventgrid:Topic", "azure-native:eventgrid:Domain")
NATIVE_NAMESPACE = ("azure-native:eventgrid:Namespace",)
CLASSIC_TOPICS = (
    "azure:eventgrid/topic:Topic",
    "azure:eventgrid/domain:Domain",
    "azure:eventhub/eventGridTopic:EventGridTopic",
    "azure:eventhub/domain:Domain",
)
CLASSIC_NAMESPACE = ("azure:eventgrid/namespace:Namespace",)

RULES = (
    service_rule(
        "eventgrid-local-auth-disabled",
        description="Event Grid topics and domains must authorize publishers with Entra ID only; access keys and SAS tokens are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Set disableLocalAuth=true (classic: localAuthEnabled=false) and grant 'EventGrid Data Sender' to publishing identities.",
        targets=(
            Target(NATIVE_TOPICS, must_be_true("disableLocalAuth", "disabling of access-key authentication")),
            Target(CLASSIC_TOPICS, must_be_false("localAuthEnabled", "access-key authentication")),
        ),
        azure_policy_ids=("ae9fb87f-8a17-4428-94a4-8135d431055c", "8bfadddb-ee1c-4639-8911-a38cb8e0b3bd"),
        checkov_ids=("CKV_AZURE_192", "CKV_AZURE_195"),
    ),
    service_rule(
        "eventgrid-public-network-access-disabled",
        description="Event Grid topics, domains and namespaces must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'topic', 'domain' or 'topicspace').",
        targets=(
            Target(
                NATIVE_TOPICS + NATIVE_NAMESPACE,
                must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
            ),
            Target(CLASSIC_TOPICS, must_be_false("publicNetworkAccessEnabled", "public network access")),
            Target(
                CLASSIC_NAMESPACE,
                must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
            ),
        ),
        azure_policy_ids=(
            "1adadefe-5f21-44f7-b931-a59b54ccdb45",
            "f8f774be-6aee-492a-9e29-486ef81f3a68",
            "67dcad1a-ec60-45df-8fd0-14c9d29eeaa2",
        ),
        checkov_ids=("CKV_AZURE_193", "CKV_AZURE_106"),
    ),
    service_rule(
        "eventgrid-minimum-tls",
        description="Event Grid topics, domains and namespaces must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set minimumTlsVersionAllowed='1.2'.",
        targets=(
            Target(
                NATIVE_TOPICS, must_equal("minimumTlsVersionAllowed", ("1.2", "1.3"), "TLS older than 1.2 is accepted")
            ),
            # Namespaces support TLS 1.2 only, so unset is safe there.
            Target(
                NATIVE_NAMESPACE,
                must_equal("minimumTlsVersionAllowed", ("1.2", "1.3"), "TLS older than 1.2 is accepted", absent="ok"),
            ),
        ),
    ),
)
