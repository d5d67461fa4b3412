"""Azure SQL Managed Instance: no public data endpoint, TLS 1.2, Entra-only, TDE with a customer-managed key.

Types read: ``azure-native:sql:ManagedInstance`` (any API version), the classic
``azure:mssql/managedInstance:ManagedInstance`` and, for the classic TDE protector,
``azure:mssql/managedInstanceTransparentDataEncryption:ManagedInstanceTransparentDataEncryption`` (the
classic provider sets the customer-managed key there, so that control is a stack rule following the edge
from protector to instance).
Entra-only authentication can be set inline (native ``administrators.azureADOnlyAuthentication``, classic
``azureActiveDirectoryAdministrator.azureadAuthenticationOnlyEnabled``) or, as Microsoft documents it for
existing instances, by a separate resource: native ``sql:ManagedInstanceAzureADOnlyAuthentication``
(``azureADOnlyAuthentication: true``), classic ``mssql/managedInstanceActiveDirectoryAdministrator``
(``azureadAuthenticationOnly: true``). That control is a stack rule accepting either
(https://learn.microsoft.com/azure/azure-sql/database/authentication-azure-ad-only-authentication, which
enables it on existing instances through the ``azureADOnlyAuthentications`` child resource).

A managed instance always lives in its own delegated subnet; the public data endpoint is the only
way it becomes reachable from the Internet.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/azure-sql/managed-instance/public-endpoint-configure (publicDataEndpointEnabled)
- https://learn.microsoft.com/azure/azure-sql/managed-instance/minimal-tls-version-configure (minimalTlsVersion '1.2')
- https://learn.microsoft.com/azure/azure-sql/database/authentication-azure-ad-only-authentication (azureADOnlyAuthentication)
- https://learn.microsoft.com/azure/azure-sql/database/transparent-data-encryption-byok-overview (keyId)
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_set, must_be_true, must_equal, must_not_be_set
from phi_guardrails.framework import StackContext, StackResource, StackRule, Target, is_false, is_true
from phi_guardrails.service_checks import any_of, companions_by_target, named_by_companion, not_true, service_rule

NATIVE_INSTANCE = ("azure-native:sql:ManagedInstance",)
CLASSIC_INSTANCE = ("azure:mssql/managedInstance:ManagedInstance",)
NATIVE_ENTRA_ONLY = ("azure-native:sql:ManagedInstanceAzureADOnlyAuthentication",)
CLASSIC_ENTRA_ADMIN = (
    "azure:mssql/managedInstanceActiveDirectoryAdministrator:ManagedInstanceActiveDirectoryAdministrator",
)
CLASSIC_TDE = ("azure:mssql/managedInstanceTransparentDataEncryption:ManagedInstanceTransparentDataEncryption",)
_NO_CMK = "TDE is not protected by a customer-managed key"

RULES = (
    service_rule(
        "sql-mi-public-endpoint-disabled",
        description="SQL managed instances must not enable the public data endpoint.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicDataEndpointEnabled=false (or leave it unset) and reach the instance from its VNet or a private endpoint.",
        targets=(
            Target(NATIVE_INSTANCE, not_true("publicDataEndpointEnabled", "the public data endpoint")),
            Target(CLASSIC_INSTANCE, not_true("publicDataEndpointEnabled", "the public data endpoint")),
        ),
        azure_policy_ids=("9dfea752-dd46-4766-aed1-c355fa93fb91",),
    ),
    service_rule(
        "sql-mi-minimum-tls",
        description="SQL managed instances must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set minimalTlsVersion='1.2' (classic: minimumTlsVersion='1.2', its default).",
        targets=(
            Target(NATIVE_INSTANCE, must_equal("minimalTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted")),
            Target(
                CLASSIC_INSTANCE,
                must_equal("minimumTlsVersion", ("1.2", "1.3"), "TLS older than 1.2 is accepted", absent="ok"),
            ),
        ),
        azure_policy_ids=("a8793640-60f7-487c-b5c3-1d37215905c4",),
    ),
)


def _entra_only(context: StackContext) -> Iterable[tuple[str, str]]:
    """Entra-only inline on the instance, or through the separate Entra-only (administrator) resource naming it."""
    native_urns, _ = companions_by_target(
        context, NATIVE_ENTRA_ONLY, "managedInstanceName", lambda c: is_true(c.view.get("azureADOnlyAuthentication"))
    )
    native_names = {
        str(context.read(c, "managedInstanceName", required=False) or "").lower()
        for c in context.of_type(*NATIVE_ENTRA_ONLY)
        if is_true(c.view.get("azureADOnlyAuthentication"))
    }
    classic_entra_only = companions_by_target(
        context, CLASSIC_ENTRA_ADMIN, "managedInstanceId", lambda c: is_true(c.view.get("azureadAuthenticationOnly"))
    )
    no_password = must_not_be_set("administratorLoginPassword", "a SQL login password exists")
    native_inline = must_be_true("administrators.azureADOnlyAuthentication", "Entra-only authentication")
    classic_inline = any_of(
        must_be_true("azureActiveDirectoryAdministrator.azureadAuthenticationOnlyEnabled", "Entra-only authentication"),
        must_be_true("azureActiveDirectoryAdministrator.azureadAuthenticationOnly", "Entra-only authentication"),
    )

    def native(instance: StackResource) -> Iterable[str]:
        yield from no_password(instance.view)
        name = str(context.read(instance, "managedInstanceName", required=False) or "").lower()
        if instance.urn in native_urns or (name and name in native_names):
            return
        yield from native_inline(instance.view)

    def classic(instance: StackResource) -> Iterable[str]:
        yield from no_password(instance.view)
        if named_by_companion(context, instance, classic_entra_only):
            return
        yield from classic_inline(instance.view)

    def companion(resource: StackResource) -> Iterable[str]:
        path = "azureADOnlyAuthentication" if resource.type in NATIVE_ENTRA_ONLY else "azureadAuthenticationOnly"
        if is_false(resource.view.get(path)):
            yield f"SQL authentication is allowed ({path} must be true)"

    yield from context.findings(context.of_type(*NATIVE_INSTANCE), native)
    yield from context.findings(context.of_type(*CLASSIC_INSTANCE), classic)
    yield from context.findings(context.of_type(*NATIVE_ENTRA_ONLY), companion)


def _tde_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    def keyed(tde: StackResource) -> bool:
        return tde.view.has("keyVaultKeyId") or tde.view.has("managedHsmKeyId")

    protected = companions_by_target(context, CLASSIC_TDE, "managedInstanceId", keyed)

    def native(instance: StackResource) -> Iterable[str]:
        yield from must_be_set("keyId", _NO_CMK)(instance.view)

    def classic(instance: StackResource) -> Iterable[str]:
        if not named_by_companion(context, instance, protected):
            yield f"{_NO_CMK} (no mssql.ManagedInstanceTransparentDataEncryption with keyVaultKeyId for this instance)"

    def protector(tde: StackResource) -> Iterable[str]:
        if not keyed(tde):
            yield f"{_NO_CMK} (keyVaultKeyId or managedHsmKeyId is not set, so the protector is service-managed)"

    yield from context.findings(context.of_type(*NATIVE_INSTANCE), native)
    yield from context.findings(context.of_type(*CLASSIC_INSTANCE), classic)
    yield from context.findings(context.of_type(*CLASSIC_TDE), protector)


STACK_RULES = (
    StackRule(
        id="sql-mi-entra-only-authentication",
        description="SQL managed instances must use Entra-only authentication: no SQL login password.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Remove administratorLoginPassword and set administrators {administratorType: 'ActiveDirectory', "
            "azureADOnlyAuthentication: true}, or add a sql:ManagedInstanceAzureADOnlyAuthentication with "
            "azureADOnlyAuthentication true (classic: azureActiveDirectoryAdministrator.azureadAuthenticationOnlyEnabled, "
            "or an mssql.ManagedInstanceActiveDirectoryAdministrator with azureadAuthenticationOnly true)."
        ),
        check=_entra_only,
        resource_types=NATIVE_INSTANCE + CLASSIC_INSTANCE + NATIVE_ENTRA_ONLY + CLASSIC_ENTRA_ADMIN,
        azure_policy_ids=(
            "0c28c3fb-c244-42d5-a9bf-f35f2999577b",
            "78215662-041e-49ed-a9dd-5385911b3a1f",
        ),
    ),
    StackRule(
        id="sql-mi-customer-managed-key",
        description="SQL managed instances holding PHI must protect TDE with a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set keyId to the Key Vault key with primaryUserAssignedIdentityId able to unwrap it (classic: an mssql.ManagedInstanceTransparentDataEncryption for the instance with keyVaultKeyId).",
        check=_tde_under_customer_key,
        resource_types=NATIVE_INSTANCE + CLASSIC_INSTANCE + CLASSIC_TDE,
        azure_policy_ids=("ac01ad65-10e5-46df-bdd9-6b0cad13e1d2",),
    ),
)
