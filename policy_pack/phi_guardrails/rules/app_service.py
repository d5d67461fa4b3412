"""App Service and Azure Functions: HTTPS only, TLS 1.2, no FTP, private, no basic-auth publishing, no remote debugging.

Types read: ``azure-native:web:WebApp`` and ``:WebAppSlot`` (web apps and function apps, any API
version; site config is inline in ``siteConfig``), the basic publishing credential policies
``web:WebAppFtpAllowed``/``WebAppScmAllowed`` (and their slot forms), and the classic
``azure:appservice/{linux,windows}{Web,Function}App[Slot]`` resources, ``appFlexConsumption:AppFlexConsumption``,
and the classic provider's deprecated ``appService:AppService``, ``functionApp:FunctionApp``, ``slot:Slot`` and
``functionAppSlot:FunctionAppSlot`` (still in pulumi-azure 6; a misconfiguration spelled with them must not pass).
The deprecated resources have no ``publicNetworkAccessEnabled`` and no basic-auth publishing switches, so those
two controls cannot be met with them: the rules say so and name the replacement resources. Their site config
spells TLS ``minTlsVersion`` (default 1.2) and ``ftpsState`` defaults to ``AllAllowed`` on function apps
(pulumi-azure ``FunctionAppSiteConfig``), so an unset ``ftpsState`` fails there as on azure-native.

azure-native sets basic publishing credentials through separate policy resources, which default to
allowed; so "basic auth off" is a stack rule: every site needs both policies, set to ``allow: false``.

Microsoft documentation behind the values:
- https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-https (httpsOnly)
- https://learn.microsoft.com/azure/app-service/configure-ssl-bindings#enforce-tls-versions (minTlsVersion '1.2')
- https://learn.microsoft.com/azure/app-service/deploy-ftp#enforce-ftps (ftpsState 'Disabled' / 'FtpsOnly')
- https://learn.microsoft.com/azure/app-service/overview-private-endpoint (publicNetworkAccess 'Disabled')
- https://learn.microsoft.com/azure/app-service/configure-basic-auth-disable (basicPublishingCredentialsPolicies allow false)
"""

from __future__ import annotations

from collections.abc import Iterable

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.checks import must_be_false, must_be_true, must_equal
from phi_guardrails.framework import (
    Check,
    ResourceView,
    StackContext,
    StackResource,
    StackRule,
    Target,
    entries,
    is_false,
)
from phi_guardrails.service_checks import not_true, service_rule

NATIVE_APP = ("azure-native:web:WebApp",)
NATIVE_SLOT = ("azure-native:web:WebAppSlot",)
NATIVE_SITES = NATIVE_APP + NATIVE_SLOT
CLASSIC_SITES = (
    "azure:appservice/linuxWebApp:LinuxWebApp",
    "azure:appservice/windowsWebApp:WindowsWebApp",
    "azure:appservice/linuxFunctionApp:LinuxFunctionApp",
    "azure:appservice/windowsFunctionApp:WindowsFunctionApp",
    "azure:appservice/linuxWebAppSlot:LinuxWebAppSlot",
    "azure:appservice/windowsWebAppSlot:WindowsWebAppSlot",
    "azure:appservice/linuxFunctionAppSlot:LinuxFunctionAppSlot",
    "azure:appservice/windowsFunctionAppSlot:WindowsFunctionAppSlot",
)
#: Basic publishing credential policies: (app policies, slot policies) per protocol.
FTP_POLICIES = ("azure-native:web:WebAppFtpAllowed", "azure-native:web:WebAppFtpAllowedSlot")
SCM_POLICIES = ("azure-native:web:WebAppScmAllowed", "azure-native:web:WebAppScmAllowedSlot")
#: The classic provider's deprecated site resources (azurerm 2.x shapes).
LEGACY_SITES = (
    "azure:appservice/appService:AppService",
    "azure:appservice/functionApp:FunctionApp",
    "azure:appservice/slot:Slot",
    "azure:appservice/functionAppSlot:FunctionAppSlot",
)
#: Flex Consumption function apps: no FTP at all, the classic site-config spellings otherwise.
FLEX_APPS = ("azure:appservice/appFlexConsumption:AppFlexConsumption",)
_REPLACEMENTS = "azure:appservice LinuxWebApp/WindowsWebApp/LinuxFunctionApp/WindowsFunctionApp (or their slots)"
SLOT_POLICIES = ("azure-native:web:WebAppFtpAllowedSlot", "azure-native:web:WebAppScmAllowedSlot")
TLS_12 = ("1.2", "1.3")
_OLD_TLS = "TLS older than 1.2 is accepted"


def _native_tls(site: ResourceView) -> Iterable[str]:
    yield from must_equal("siteConfig.minTlsVersion", TLS_12, _OLD_TLS, absent="ok")(site)
    yield from must_equal(
        "siteConfig.scmMinTlsVersion", TLS_12, f"{_OLD_TLS} by the deployment (SCM) site", absent="ok"
    )(site)


def _classic_tls(site: ResourceView) -> Iterable[str]:
    yield from must_equal("siteConfig.minimumTlsVersion", TLS_12, _OLD_TLS, absent="ok")(site)
    yield from must_equal(
        "siteConfig.scmMinimumTlsVersion", TLS_12, f"{_OLD_TLS} by the deployment (SCM) site", absent="ok"
    )(site)


def _legacy_tls(site: ResourceView) -> Iterable[str]:
    yield from must_equal("siteConfig.minTlsVersion", TLS_12, _OLD_TLS, absent="ok")(site)


def _legacy_cannot(what: str) -> Check:
    """The deprecated classic site resources have no property for ``what``: the control cannot be met with them."""

    def check(site: ResourceView) -> Iterable[str]:
        yield f"{what} cannot be set on this deprecated resource type; use {_REPLACEMENTS}"

    return check


def _cors_not_open(site: ResourceView) -> Iterable[str]:
    if any(str(origin).strip() == "*" for origin in entries(site.get("siteConfig.cors.allowedOrigins"))):
        yield "every origin may call the app from a browser (siteConfig.cors.allowedOrigins must not contain '*')"


def _policy_key(context: StackContext, resource: StackResource) -> tuple[str, str]:
    """(site name, slot name or '') of a site or a credentials policy, from literal names (hand-written stacks)."""
    site = context.read(resource, "name", required=False)
    slot = context.read(resource, "slot", required=False) if resource.type in NATIVE_SLOT + SLOT_POLICIES else ""
    return (str(site or "").lower(), str(slot or "").lower())


Denied = tuple[dict[str, set[str]], dict[str, set[tuple[str, str]]]]


def _denied_policies(context: StackContext) -> Denied:
    """Per protocol ('ftp', 'scm'): the site URNs and literal (site, slot) names a policy with allow: false covers."""
    denied: dict[str, set[str]] = {"ftp": set(), "scm": set()}
    denied_names: dict[str, set[tuple[str, str]]] = {"ftp": set(), "scm": set()}
    for protocol, types in (("ftp", FTP_POLICIES), ("scm", SCM_POLICIES)):
        for policy in context.of_type(*types):
            if not is_false(context.read(policy, "allow")):
                continue
            edge = ("slot",) if policy.type in SLOT_POLICIES else ("name",)
            denied[protocol].update(policy.depends_on_via(*edge))
            denied_names[protocol].add(_policy_key(context, policy))
    return denied, denied_names


_FTPS_STATES = ("Disabled", "FtpsOnly")
_PLAIN_FTP = "plain FTP is accepted"


def _ftp_disabled(context: StackContext) -> Iterable[tuple[str, str]]:
    """FTP off or FTPS only; on azure-native an unset ftpsState (Azure's default AllAllowed) also passes when the
    site's FTP basic-auth policy is allow: false, because FTP and FTPS then refuse every login (401): FTP has no
    other way to authenticate (https://learn.microsoft.com/azure/app-service/configure-basic-auth-disable)."""
    denied, denied_names = _denied_policies(context)
    explicit = must_equal("siteConfig.ftpsState", _FTPS_STATES, _PLAIN_FTP, absent="ok")

    def native_site(site: StackResource) -> Iterable[str]:
        if site.view.has("siteConfig.ftpsState"):
            yield from explicit(site.view)
        elif site.urn not in denied["ftp"] and _policy_key(context, site) not in denied_names["ftp"]:
            yield (
                f"{_PLAIN_FTP} (siteConfig.ftpsState is not set, Azure's default is 'AllAllowed', and no "
                "web:WebAppFtpAllowed with allow: false blocks FTP logins for this site)"
            )

    def classic_site(site: StackResource) -> Iterable[str]:
        yield from explicit(site.view)  # the classic provider sends 'Disabled' when unset

    def legacy_site(site: StackResource) -> Iterable[str]:
        # deprecated resources: function apps default to AllAllowed and FTP basic auth cannot be turned off
        yield from must_equal("siteConfig.ftpsState", _FTPS_STATES, _PLAIN_FTP)(site.view)

    yield from context.findings(context.of_type(*NATIVE_SITES), native_site)
    yield from context.findings(context.of_type(*CLASSIC_SITES), classic_site)
    yield from context.findings(context.of_type(*LEGACY_SITES), legacy_site)


def _basic_auth_disabled(context: StackContext) -> Iterable[tuple[str, str]]:
    denied, denied_names = _denied_policies(context)

    def allowed_policy(policy: StackResource) -> Iterable[str]:
        if not is_false(policy.view.get("allow")):
            yield "basic-auth publishing is allowed (allow must be false)"

    def native_site(site: StackResource) -> Iterable[str]:
        key = _policy_key(context, site)
        for protocol, label in (("ftp", "FTP"), ("scm", "SCM/WebDeploy")):
            if site.urn not in denied[protocol] and key not in denied_names[protocol]:
                policy = f"web:WebApp{'Ftp' if protocol == 'ftp' else 'Scm'}Allowed{'Slot' if key[1] else ''}"
                yield f"{label} publishing accepts basic-auth credentials (no {policy} with allow: false for this site)"

    def classic_site(site: StackResource) -> Iterable[str]:
        if site.type not in FLEX_APPS:  # Flex Consumption apps have no FTP endpoint at all
            yield from must_be_false("ftpPublishBasicAuthenticationEnabled", "FTP basic-auth publishing")(site.view)
        yield from must_be_false("webdeployPublishBasicAuthenticationEnabled", "WebDeploy basic-auth publishing")(
            site.view
        )

    def legacy_site(site: StackResource) -> Iterable[str]:
        yield from _legacy_cannot("turning off basic-auth (FTP and WebDeploy) publishing")(site.view)

    yield from context.findings(context.of_type(*FTP_POLICIES, *SCM_POLICIES), allowed_policy)
    yield from context.findings(context.of_type(*NATIVE_SITES), native_site)
    yield from context.findings(context.of_type(*CLASSIC_SITES, *FLEX_APPS), classic_site)
    yield from context.findings(context.of_type(*LEGACY_SITES), legacy_site)


RULES = (
    service_rule(
        "app-service-https-only",
        description="Web apps, function apps and their slots must redirect HTTP to HTTPS.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set httpsOnly=true (Azure's default is false).",
        targets=(
            Target(NATIVE_SITES, must_be_true("httpsOnly", "HTTPS-only")),
            Target(CLASSIC_SITES + FLEX_APPS + LEGACY_SITES, must_be_true("httpsOnly", "HTTPS-only")),
        ),
        azure_policy_ids=(
            "a4af4a39-4135-47fb-b175-47fbdf85311d",
            "6d555dd1-86f2-4f1c-8ed7-5abae7c6cbab",
            "ae1b9a8c-dfce-4605-bd91-69213b4a26fc",
            "5e5dbe3f-2702-4ffc-8b1e-0cae008a5c71",
        ),
        checkov_ids=("CKV_AZURE_14", "CKV_AZURE_70", "CKV_AZURE_153"),
    ),
    service_rule(
        "app-service-minimum-tls",
        description="Web apps, function apps and their slots (and their deployment sites) must refuse TLS older than 1.2.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        remediation="Set siteConfig.minTlsVersion and scmMinTlsVersion to '1.2' or later, or leave them at Azure's default 1.2 (classic: siteConfig.minimumTlsVersion and scmMinimumTlsVersion).",
        targets=(
            Target(NATIVE_SITES, _native_tls),
            Target(CLASSIC_SITES + FLEX_APPS, _classic_tls),
            Target(LEGACY_SITES, _legacy_tls),
        ),
        azure_policy_ids=(
            "f0e6e85b-9b9f-4a4b-b67b-f730d42f1b0b",
            "f9d614c5-c173-4d56-95a7-b4437057d193",
            "4ee5b817-627a-435a-8932-116193268172",
            "deb528de-8f89-4101-881c-595899253102",
        ),
        checkov_ids=("CKV_AZURE_15", "CKV_AZURE_145", "CKV_AZURE_154"),
    ),
    service_rule(
        "app-service-public-network-access-disabled",
        description="Web apps, function apps and their slots must not be reachable from public networks; use private endpoints (behind a gateway if they serve users).",
        citation=citations.TRANSMISSION_SECURITY,
        severity=Severity.HIGH,
        remediation="Set publicNetworkAccess='Disabled' (classic: publicNetworkAccessEnabled=false) and add a private endpoint (group 'sites', or 'sites-<slot>').",
        targets=(
            Target(
                NATIVE_SITES, must_equal("publicNetworkAccess", "Disabled", "public network access is not disabled")
            ),
            Target(CLASSIC_SITES + FLEX_APPS, must_be_false("publicNetworkAccessEnabled", "public network access")),
            Target(LEGACY_SITES, _legacy_cannot("disabling public network access")),
        ),
        azure_policy_ids=(
            "1b5ef780-c53c-4a64-87f3-bb9c8c8094ba",
            "969ac98b-88a8-449f-883c-2e9adb123127",
            "701a595d-38fb-4a66-ae6d-fb3735217622",
            "11c82d0c-db9f-4d7b-97c5-f3f9aa957da2",
        ),
        checkov_ids=("CKV_AZURE_222", "CKV_AZURE_221"),
    ),
    service_rule(
        "app-service-remote-debugging-disabled",
        description="Web apps, function apps and their slots must not enable remote debugging (it opens inbound debugger ports).",
        citation=citations.ACCESS_CONTROL,
        severity=Severity.MEDIUM,
        remediation="Set siteConfig.remoteDebuggingEnabled=false, or leave it unset.",
        targets=(
            Target(NATIVE_SITES, not_true("siteConfig.remoteDebuggingEnabled", "remote debugging")),
            Target(
                CLASSIC_SITES + FLEX_APPS + LEGACY_SITES,
                not_true("siteConfig.remoteDebuggingEnabled", "remote debugging"),
            ),
        ),
        azure_policy_ids=("cb510bfd-1cba-4d9f-a230-cb0976f4bb71", "0e60b895-3786-45da-8377-9c6b4b6ac5f9"),
        checkov_ids=("CKV_AZURE_72",),
    ),
    service_rule(
        "app-service-cors-not-open",
        description="Web apps, function apps and their slots must not let every origin ('*') call them from a browser with CORS.",
        citation=citations.ACCESS_CONTROL,
        severity=Severity.MEDIUM,
        remediation="List the front-end origins in siteConfig.cors.allowedOrigins instead of '*'.",
        targets=(
            Target(NATIVE_SITES, _cors_not_open),
            Target(CLASSIC_SITES + FLEX_APPS + LEGACY_SITES, _cors_not_open),
        ),
        azure_policy_ids=("5744710e-cc2f-4ee8-8809-3b11e89f4bc9", "0820b7b9-23aa-4725-a1ce-ae4558f718e5"),
        checkov_ids=("CKV_AZURE_57",),
    ),
)

STACK_RULES = (
    StackRule(
        id="app-service-ftp-disabled",
        description="Web apps, function apps and their slots must not accept plain FTP: FTP off, FTPS only, or (azure-native, ftpsState unset) FTP logins refused by the FTP basic-auth policy.",
        citation=citations.ENCRYPTION_IN_TRANSIT,
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Set siteConfig.ftpsState='Disabled' (or 'FtpsOnly'), or leave it unset with a web:WebAppFtpAllowed "
            "(slots: WebAppFtpAllowedSlot) allow=false for the site; classic apps default to 'Disabled' "
            "(https://learn.microsoft.com/azure/app-service/deploy-ftp#enforce-ftps)."
        ),
        check=_ftp_disabled,
        resource_types=NATIVE_SITES + FTP_POLICIES + CLASSIC_SITES + LEGACY_SITES,
        azure_policy_ids=(
            "4d24b6d4-5e53-4a4f-a7f4-618fa573ee4b",
            "399b2637-a50f-4f95-96f8-3a145476eb15",
            "c285a320-8830-4665-9cc7-bbd05fc7c5c0",
            "e1a09430-221d-4d4c-a337-1edb5a1fa9bb",
        ),
        checkov_ids=("CKV_AZURE_78",),
    ),
    StackRule(
        id="app-service-basic-auth-disabled",
        description="Web apps, function apps and their slots must not accept basic-auth (username/password) credentials for FTP or SCM/WebDeploy publishing; deploy with Entra ID.",
        citation=citations.ENTITY_AUTHENTICATION,
        related=(citations.UNIQUE_USER_ID,),
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Add web:WebAppFtpAllowed and web:WebAppScmAllowed (slots: WebAppFtpAllowedSlot and WebAppScmAllowedSlot) "
            "with allow=false for each site (classic: ftpPublishBasicAuthenticationEnabled=false and "
            "webdeployPublishBasicAuthenticationEnabled=false)."
        ),
        check=_basic_auth_disabled,
        resource_types=NATIVE_SITES + FTP_POLICIES + SCM_POLICIES + CLASSIC_SITES + FLEX_APPS + LEGACY_SITES,
        azure_policy_ids=(
            "871b205b-57cf-4e1e-a234-492616998bf7",
            "aede300b-d67f-480a-ae26-4b3dfb1a1fdc",
            "ec71c0bc-6a45-4b1f-9587-80dc83e6898c",
            "847ef871-e2fe-4e6e-907e-4adbf71de5cf",
        ),
    ),
)
