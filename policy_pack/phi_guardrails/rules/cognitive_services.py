"""Azure OpenAI and Azure AI services accounts: private, Entra-only (keys off), network default deny, customer-managed key.

Types read: ``azure-native:cognitiveservices:Account`` (any API version; its settings live under
``properties``), the classic ``azure:cognitive/account:Account`` and ``azure:cognitive/aIServices:AIServices``
(``publicNetworkAccess`` 'Enabled'/'Disabled', ``localAuthenticationEnabled``; both default to open). The
classic provider sets a customer-managed key inline (``customerManagedKey``) or through a separate
``cognitive/accountCustomerManagedKey`` resource naming the account, so that control is a stack rule that
accepts either (https://learn.microsoft.com/azure/ai-services/encryption/cognitive-services-encryption-keys-portal).

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/ai-services/cognitive-services-virtual-networks (publicNetworkAccess, networkAcls.defaultAction)
- https://learn.microsoft.com/azure/ai-services/disable-local-auth (disableLocalAuth)
- https://learn.microsoft.com/azure/ai-services/encryption/cognitive-services-encryption-keys-portal (encryption.keySource 'Microsoft.KeyVault')
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
from phi_guardrails.framework import StackContext, StackResource, StackRule, Target, equals_ignoring_case, is_false
from phi_guardrails.service_checks import companions_by_target, named_by_companion, service_rule, when

NATIVE_ACCOUNT = ("azure-native:cognitiveservices:Account",)
CLASSIC_ACCOUNT = ("azure:cognitive/account:Account",)
CLASSIC_AI_SERVICES = ("azure:cognitive/aIServices:AIServices",)
CLASSIC_CUSTOMER_KEY = ("azure:cognitive/accountCustomerManagedKey:AccountCustomerManagedKey",)
_NO_CMK = "data is not encrypted with a customer-managed key"

RULES = (
    service_rule(
        "cognitive-public-network-access-disabled",
        description="Azure OpenAI and AI services accounts must not be reachable from public networks; use private endpoints.",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set properties.publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false), a customSubDomainName, and a private endpoint (group 'account').",
        targets=(
            Target(
                NATIVE_ACCOUNT,
                must_equal("properties.publicNetworkAccess", "Disabled", "public network access is not disabled"),
            ),
            Target(CLASSIC_ACCOUNT, must_be_false("publicNetworkAccessEnabled", "public network access")),
            Target(
                CLASSIC_AI_SERVICES,
                must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled"),
            ),
        ),
        azure_policy_ids=("037eea7a-bd0a-46c5-9a66-03aea78705d3",),
        checkov_ids=("CKV_AZURE_134",),
    ),
    service_rule(
        "cognitive-network-default-deny",
        description="Azure OpenAI and AI services accounts left reachable from public networks must at least deny by default (network rules are moot once public access is disabled).",
        citation=citations.TRANSMISSION_SECURITY,
        related=(citations.ACCESS_CONTROL,),
        severity=Severity.MEDIUM,
        remediation="Set properties.networkAcls.defaultAction='Deny' (classic: networkAcls.defaultAction='Deny').",
        targets=(
            Target(
                NATIVE_ACCOUNT,
                when(
                    lambda view: not equals_ignoring_case(view.get("properties.publicNetworkAccess"), "Disabled"),
                    must_equal("properties.networkAcls.defaultAction", "Deny", "network rules do not deny by default"),
                ),
            ),
            Target(
                CLASSIC_ACCOUNT,
                when(
                    lambda view: not is_false(view.get("publicNetworkAccessEnabled")),
                    must_equal("networkAcls.defaultAction", "Deny", "network rules do not deny by default"),
                ),
            ),
            Target(
                CLASSIC_AI_SERVICES,
                when(
                    lambda view: not equals_ignoring_case(view.get("publicNetworkAccess"), "Disabled"),
                    must_equal("networkAcls.defaultAction", "Deny", "network rules do not deny by default"),
                ),
            ),
        ),
    ),
    service_rule(
        "cognitive-local-auth-disabled",
        description="Azure OpenAI and AI services accounts must authorize with Entra ID only; API keys are off.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        remediation="Set properties.disableLocalAuth=true (classic: localAuthEnabled=false) and grant Cognitive Services user roles to identities.",
        targets=(
            Target(NATIVE_ACCOUNT, must_be_true("properties.disableLocalAuth", "disabling of API-key authentication")),
            Target(CLASSIC_ACCOUNT, must_be_false("localAuthEnabled", "API-key authentication")),
            Target(CLASSIC_AI_SERVICES, must_be_false("localAuthenticationEnabled", "API-key authentication")),
        ),
        azure_policy_ids=("71ef260a-8f18-47b7-abcb-62d0673d94dc",),
        checkov_ids=("CKV_AZURE_236",),
    ),
)


def _account_under_customer_key(context: StackContext) -> Iterable[tuple[str, str]]:
    keyed = companions_by_target(
        context,
        CLASSIC_CUSTOMER_KEY,
        "cognitiveAccountId",
        lambda key: key.view.has("keyVaultKeyId") or key.view.has("managedHsmKeyId"),
    )
    native_check = must_equal("properties.encryption.keySource", "Microsoft.KeyVault", _NO_CMK)

    def native(account: StackResource) -> Iterable[str]:
        yield from native_check(account.view)

    def classic(account: StackResource) -> Iterable[str]:
        view = account.view
        if view.has("customerManagedKey.keyVaultKeyId") or view.has("customerManagedKey.managedHsmKeyId"):
            return
        if not named_by_companion(context, account, keyed):
            yield (
                f"{_NO_CMK} (customerManagedKey.keyVaultKeyId is not set and no "
                "cognitive.AccountCustomerManagedKey with keyVaultKeyId names this account)"
            )

    yield from context.findings(context.of_type(*NATIVE_ACCOUNT), native)
    yield from context.findings(context.of_type(*CLASSIC_ACCOUNT, *CLASSIC_AI_SERVICES), classic)


STACK_RULES = (
    StackRule(
        id="cognitive-customer-managed-key",
        description="Azure OpenAI and AI services accounts holding PHI (fine-tuning data, files, stored completions) must use a customer-managed key.",
        citation=citations.ENCRYPTION_AT_REST,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set properties.encryption {keySource: 'Microsoft.KeyVault', keyVaultProperties: {keyVaultUri, keyName, "
            "identityClientId}} (classic: customerManagedKey.keyVaultKeyId, or a cognitive.AccountCustomerManagedKey "
            "for the account)."
        ),
        check=_account_under_customer_key,
        resource_types=NATIVE_ACCOUNT + CLASSIC_ACCOUNT + CLASSIC_AI_SERVICES + CLASSIC_CUSTOMER_KEY,
        azure_policy_ids=("67121cc7-ff39-4ab8-b7e3-95b84dab487d",),
    ),
)
