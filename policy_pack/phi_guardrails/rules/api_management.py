"""API Management: reachable only from the virtual network (or privately), no SSL 3.0 / TLS 1.0-1.1 / 3DES.

Types read: ``azure-native:apimanagement:ApiManagementService`` (any API version) and the classic
``azure:apimanagement/service:Service``. API Management offers no customer-managed key for its data.

Protocol and cipher settings are ``customProperties`` keys containing dots
(``Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10``), so they are read from the
mapping directly rather than by dotted path. Services created after April 2018 default them to off.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/api-management/integrate-vnet-inbound (virtualNetworkType 'Internal')
- https://learn.microsoft.com/azure/api-management/private-endpoint (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_equal
from phi_guardrails.framework import ResourceView, Target, is_mapping, is_true
from phi_guardrails.service_checks import any_of, service_rule

NATIVE_SERVICE = ("azure-native:apimanagement:ApiManagementService",)
CLASSIC_SERVICE = ("azure:apimanagement/service:Service",)
_PREFIX = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
#: customProperties keys that enable a legacy protocol or cipher when "True".
LEGACY_SETTINGS = tuple(
    _PREFIX + suffix
    for suffix in (
        "Protocols.Tls10",
        "Protocols.Tls11",
        "Protocols.Ssl30",
        "Backend.Protocols.Tls10",
        "Backend.Protocols.Tls11",
        "Backend.Protocols.Ssl30",
        "Ciphers.TripleDes168",
    )
)
#: The classic provider's ``security`` block spells the same switches as booleans.
CLASSIC_LEGACY_SETTINGS = (
    "enableFrontendTls10",
    "enableFrontendTls11",
    "enableFrontendSsl30",
    "enableBackendTls10",
    "enableBackendTls11",
    "enableBackendSsl30",
    "tripleDesCiphersEnabled",
)


def _native_legacy(service: ResourceView) -> Iterable[str]:
    settings = service.get("customProperties")
    if not is_mapping(settings):
        return
    lowered = {str(key).lower(): key for key in settings}
    for name in LEGACY_SETTINGS:
        key = lowered.get(name.lower())
        if key is not None and is_true(settings[key]):
            yield f"a legacy protocol or cipher is enabled (customProperties '{name}' must be 'False')"


def _classic_legacy(service: ResourceView) -> Iterable[str]:
    for name in CLASSIC_LEGACY_SETTINGS:
        if is_true(service.get(f"security.{name}")):
            yield f"a legacy protocol or cipher is enabled (security.{name} must be false)"


RULES = (
    service_rule(
        "apim-private-network",
        description="API Management services must be reachable only from the virtual network (internal mode) or through private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set virtualNetworkType='Internal' with virtualNetworkConfiguration.subnetResourceId, or publicNetworkAccess='Disabled' with a private endpoint (group 'Gateway'); classic: publicNetworkAccessEnabled=false.",
        targets=(
            Target(
                NATIVE_SERVICE,
                any_of(
                    must_equal(
                        "virtualNetworkType", "Internal", "the gateway is public (virtualNetworkType is not 'Internal')"
                    ),
                    must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
                ),
            ),
            Target(
                CLASSIC_SERVICE,
                any_of(
                    must_equal(
                        "virtualNetworkType", "Internal", "the gateway is public (virtualNetworkType is not 'Internal')"
                    ),
                    must_be_false("publicNetworkAccessEnabled", "public network access"),
                ),
            ),
        ),
        azure_policy_ids=("ef619a2c-cc4d-4d03-b2ba-8c94a834d85b",),
        checkov_ids=("CKV_AZURE_107", "CKV_AZURE_174"),
    ),
    service_rule(
        "apim-legacy-protocols-disabled",
        description="API Management gateways must refuse SSL 3.0, TLS 1.0 and 1.1 and the 3DES cipher, client- and backend-side.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set each Microsoft.WindowsAzure.ApiManagement.Gateway.Security.* protocol and TripleDes168 custom property to 'False' (or leave it unset); classic: the security block's switches false.",
        targets=(Target(NATIVE_SERVICE, _native_legacy), Target(CLASSIC_SERVICE, _classic_legacy)),
        checkov_ids=("CKV_AZURE_173",),
    ),
)
