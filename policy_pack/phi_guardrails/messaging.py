"""What Event Hubs and Service Bus namespaces share: the same TLS control and the same customer-managed-key check.

Both services run on the same messaging platform: ``minimumTlsVersion`` defaults to 1.2 on both providers
(ARM creates namespaces with 1.2 unless told otherwise from API version 2022-01-01-preview; azure-native v3
sends 2024-01-01) and TLS 1.0/1.1 are retired, and an azure-native namespace names its customer-managed
key in ``encryption`` the same way. Sources:
https://learn.microsoft.com/azure/event-hubs/transport-layer-security-configure-minimum-version,
https://learn.microsoft.com/azure/service-bus-messaging/transport-layer-security-configure-minimum-version,
https://learn.microsoft.com/azure/event-hubs/configure-customer-managed-key,
https://learn.microsoft.com/azure/service-bus-messaging/configure-customer-managed-key.
"""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_set, must_equal
from phi_guardrails.framework import Check, ResourceRule, Target
from phi_guardrails.service_checks import Predicate, first_of, service_rule, when


def namespace_minimum_tls(
    rule_id: str, service: str, native: Sequence[str], classic: Sequence[str], checkov_id: str
) -> ResourceRule:
    """``<service> namespaces must refuse TLS older than 1.2`` on both providers; unset is 1.2."""
    tls_12 = must_equal("minimumTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted", absent="ok")
    return service_rule(
        rule_id,
        description=f"{service} namespaces must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set minimumTlsVersion='1.2' or later, or leave it unset (1.2 is the default on both providers).",
        targets=(Target(tuple(native), tls_12), Target(tuple(classic), tls_12)),
        checkov_ids=(checkov_id,),
    )


def native_namespace_key(offers_cmk: Predicate, no_cmk: str) -> Check:
    """On a namespace that offers customer-managed keys: ``encryption`` names a Key Vault key."""
    return when(
        offers_cmk,
        first_of(
            must_equal("encryption.keySource", "Microsoft.KeyVault", no_cmk),
            must_be_set("encryption.keyVaultProperties", "the customer-managed key is not named"),
        ),
    )
