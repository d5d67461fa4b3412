"""Azure SQL Managed Instance: no public data endpoint, TLS 1.2, Entra-only, TDE with a customer-managed key.

Types read: ``azure-native:sql:ManagedInstance`` (any API version), the classic
``azure:mssql/managedInstance:ManagedInstance`` and, for the classic TDE protector,
``azure:mssql/managedInstanceTransparentDataEncryption:ManagedInstanceTransparentDataEncryption`` (the
classic provider sets the customer-managed key there, so that control is a stack rule following the edge
from protector to instance).
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
from phi_guardrails.checks import all_of, must_be_set, must_be_true, must_equal, must_not_be_set
from phi_guardrails.framework import StackContext, StackResource, StackRule, Target
from phi_guardrails.service_checks import any_of, companions_by_target, not_true, service_rule

NATIVE_INSTANCE = ("azure-native:sql:ManagedInstance",)
CLASSIC_INSTANCE = ("azure:mssql/managedInstance:ManagedInstance",)
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
    service_rule(
        "sql-mi-entra-only-authentication",
        description="SQL managed instances must use Entra-only authentication: no SQL login password.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.CRITICAL,
        remediation="Remove administratorLoginPassword and set administrators {administratorType: 'ActiveDirectory', azureADOnlyAuthentication: true} (classic: azureActiveDirectoryAdministrator.azureadAuthenticationOnlyEnabled=true).",
        targets=(
            Target(
                NATIVE_INSTANCE,
                all_of(
                    must_not_be_set("administratorLoginPassword", "a SQL login password exists"),
                    must_be_true("administrators.azureADOnlyAuthentication", "Entra-only authentication"),
                ),
            ),
            Target(
                CLASSIC_INSTANCE,
                all_of(
                    must_not_be_set("administratorLoginPassword", "a SQL login password exists"),
                    any_of(
                        must_be_true(
                            "azureActiveDirectoryAdministrator.azureadAuthenticationOnlyEnabled",
                            "Entra-only authentication",
                        ),
                        must_be_true(
                            "azureActiveDirectoryAdministrator.azureadAuthenticationOnly", "Entra-only authentication"
                        ),
                    ),
                ),
            ),
        ),
        azure_policy_ids=("0c28c3fb-c244-42d5-a9bf-f35f2999577b", "78215662-041e-49ed-a9dd-5385911b3a1f"),
    ),
)


def _tde_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    def keyed(tde: StackResource) -> bool:
        return tde.view.has("keyVaultKeyId") or tde.view.has("managedHsmKeyId")

    protected, protected_names = companions_by_target(context, CLASSIC_TDE, "managedInstanceId", keyed)

    def native(instance: StackResource) -> Iterable[str]:
        yield from must_be_set("keyId", _NO_CMK)(instance.view)

    def classic(instance: StackResource) -> Iterable[str]:
        name = str(context.read(instance, "name", required=False) or "").lower()
        if instance.urn not in protected and name not in protected_names:
            yield f"{_NO_CMK} (no mssql.ManagedInstanceTransparentDataEncryption with keyVaultKeyId for this instance)"

    def protector(tde: StackResource) -> Iterable[str]:
        if not keyed(tde):
            yield f"{_NO_CMK} (keyVaultKeyId or managedHsmKeyId is not set, so the protector is service-managed)"

    yield from context.findings(context.of_type(*NATIVE_INSTANCE), native)
    yield from context.findings(context.of_type(*CLASSIC_INSTANCE), classic)
    yield from context.findings(context.of_type(*CLASSIC_TDE), protector)


STACK_RULES = (
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
