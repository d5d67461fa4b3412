"""Azure Cache for Redis: TLS only (1.2+), private, Entra-only (access keys off).

Types read: ``azure-native:redis:Redis`` (any API version) and the classic ``azure:redis/cache:Cache``, and
Azure Managed Redis, the successor service: ``azure-native:redisenterprise:RedisEnterprise`` and ``:Database``
and the classic ``azure:managedredis/managedRedis:ManagedRedis`` (its database inline as ``defaultDatabase``).
Azure Managed Redis accepts TLS 1.2 or later only ("TLS 1.0 and TLS 1.1 are now completely obsolete -- you
cannot use them", ``minimumTlsVersion`` in the API), so the TLS-version rule reads Azure Cache for Redis only.
Customer-managed keys are offered only by Azure Managed Redis / Redis Enterprise, so no CMK rule here.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/azure-cache-for-redis/cache-remove-tls-10-11 (minimumTlsVersion '1.2'; unset means
  the recommended default, 1.2, per https://learn.microsoft.com/dotnet/api/azure.resourcemanager.redis.models.redistlsversion.tls1_2)
- https://learn.microsoft.com/azure/azure-cache-for-redis/cache-configure#access-ports (enableNonSslPort false)
- https://learn.microsoft.com/azure/azure-cache-for-redis/cache-private-link (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/azure-cache-for-redis/cache-azure-active-directory-for-authentication (disableAccessKeyAuthentication)
- https://learn.microsoft.com/azure/azure-cache-for-redis/cache-how-to-premium-vnet (VNet injection: subnetId)
- https://learn.microsoft.com/azure/redis/entra-for-authentication (Azure Managed Redis: Entra ID by default, "access
  key authentication is still available": accessKeysAuthentication 'Disabled' is asked for explicitly on
  azure-native; the classic provider sends false when unset)
- https://learn.microsoft.com/dotnet/api/azure.resourcemanager.redisenterprise.models.redisenterprisepublicnetworkaccess
  (Azure Managed Redis: publicNetworkAccess 'Disabled'; private endpoints only)
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_set, must_be_true, must_equal
from phi_guardrails.framework import Check, ResourceView, Target, equals_ignoring_case
from phi_guardrails.service_checks import any_of, not_true, service_rule

NATIVE_CACHE = ("azure-native:redis:Redis",)
CLASSIC_CACHE = ("azure:redis/cache:Cache",)
_VNET_INJECTED = must_be_set("subnetId", "the cache is not VNet-injected")
NATIVE_MANAGED_CLUSTER = ("azure-native:redisenterprise:RedisEnterprise",)
NATIVE_MANAGED_DATABASE = ("azure-native:redisenterprise:Database",)
CLASSIC_MANAGED = ("azure:managedredis/managedRedis:ManagedRedis",)


def _not_plaintext(path: str) -> Check:
    """clientProtocol 'Encrypted' (Azure's default) or unset; 'Plaintext' opens the non-TLS protocol."""

    def check(view: ResourceView) -> Iterable[str]:
        if equals_ignoring_case(view.get(path), "Plaintext"):
            yield f"plaintext (non-TLS) Redis connections are accepted ({path} must be 'Encrypted' or unset)"

    return check


RULES = (
    service_rule(
        "redis-non-tls-port-disabled",
        description="Redis caches must accept TLS connections only: the non-TLS port (6379) stays closed.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set enableNonSslPort=false (classic: nonSslPortEnabled=false), or leave it unset.",
        targets=(
            Target(NATIVE_CACHE, not_true("enableNonSslPort", "the non-TLS port")),
            Target(CLASSIC_CACHE, not_true("nonSslPortEnabled", "the non-TLS port")),
            Target(NATIVE_MANAGED_DATABASE, _not_plaintext("clientProtocol")),
            Target(CLASSIC_MANAGED, _not_plaintext("defaultDatabase.clientProtocol")),
        ),
        azure_policy_ids=("22bee202-a82f-4305-9a2a-6d7f44d4dedb",),
        checkov_ids=("CKV_AZURE_91",),
    ),
    service_rule(
        "redis-minimum-tls",
        description="Redis caches must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set minimumTlsVersion='1.2' (Azure's default for new caches when unset; the classic provider sends '1.0' unless told otherwise).",
        targets=(
            Target(
                NATIVE_CACHE,
                must_equal("minimumTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted", absent="ok"),
            ),
            Target(CLASSIC_CACHE, must_equal("minimumTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted")),
        ),
        checkov_ids=("CKV_AZURE_148",),
    ),
    service_rule(
        "redis-public-network-access-disabled",
        description="Redis caches must not be reachable from public networks: private endpoint or VNet injection only.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'redisCache').",
        targets=(
            Target(
                NATIVE_CACHE,
                any_of(
                    must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
                    _VNET_INJECTED,
                ),
            ),
            Target(
                CLASSIC_CACHE,
                any_of(must_be_false("publicNetworkAccessEnabled", "public network access"), _VNET_INJECTED),
            ),
            Target(
                NATIVE_MANAGED_CLUSTER + CLASSIC_MANAGED,
                must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
            ),
        ),
        azure_policy_ids=("470baccb-7e51-4549-8b1a-3e5be069f663",),
        checkov_ids=("CKV_AZURE_89",),
    ),
    service_rule(
        "redis-access-keys-disabled",
        description="Redis caches must authenticate with Entra ID only; access-key authentication is off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Enable Entra authentication (redisConfiguration.aadEnabled='true') and set disableAccessKeyAuthentication=true (classic: accessKeysAuthenticationEnabled=false).",
        targets=(
            Target(
                NATIVE_CACHE, must_be_true("disableAccessKeyAuthentication", "disabling of access-key authentication")
            ),
            Target(CLASSIC_CACHE, must_be_false("accessKeysAuthenticationEnabled", "access-key authentication")),
            Target(
                NATIVE_MANAGED_DATABASE,
                must_equal("accessKeysAuthentication", "Disabled", "access-key authentication is not disabled"),
            ),
            Target(
                CLASSIC_MANAGED,
                must_be_false(
                    "defaultDatabase.accessKeysAuthenticationEnabled", "access-key authentication", absent="ok"
                ),
            ),
        ),
        azure_policy_ids=("3827af20-8f80-4b15-8300-6db0873ec901",),
    ),
)
