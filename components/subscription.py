"""`PhiSubscription`: the subscription a PHI landing zone lives in, and its governance baseline.

- Adopts an existing subscription ID, or vends one through ``subscription:Alias`` with a billing
  scope. Deleting an alias does **not** cancel the subscription (cancel it in the portal), so the
  alias is ``protect``-ed: a stray ``pulumi destroy`` must not orphan a subscription holding PHI.
- Places the subscription in a management group.
- Assigns Azure Policy at subscription scope: the built-in HITRUST/HIPAA initiative (audit, with a
  system-assigned identity for its deploy-if-not-exists members) and "Allowed locations" for data
  residency. Azure Policy audits at deploy time; the policy pack blocks at preview time.
- A monthly budget with alert thresholds to the configured contacts, starting on the first day of the
  month of the first deployment (see `budget_start_date`).
- Entra groups get built-in roles on the subscription; Owner and User Access Administrator are
  refused; privileged roles can be PIM-eligible instead of standing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pulumi
from pydantic import Field, model_validator

from components.interfaces import StrictArgs, validate_args
from components.roles import assignment_name, role_definition_id, role_guid
from landing_zone.config.model import AccessGrant, BudgetConfig

TYPE_TOKEN = "landingzone:governance:PhiSubscription"
HIPAA_HITRUST_INITIATIVE = (
    "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab"
)
#: Parameters of the HITRUST/HIPAA initiative that had no default value up to version 14.10.0
#: (github.com/Azure/azure-policy, built-in-policies/policySetDefinitions/Regulatory Compliance/
#: HIPAA_HITRUST_audit.json; 14.11.0 added ``""`` defaults). ARM refuses an assignment that leaves a
#: parameter without default unset, so they are always sent. The values are Microsoft's own current
#: defaults, and the right ones for this landing zone: no application list is required on Windows
#: VMs, no certificate thumbprints are mandated, and no storage account is deployed per NSG region
#: for NSG diagnostics (the landing zone sends VNet flow logs and diagnostics itself; a
#: deploy-if-not-exists storage account would be created outside its hardening). Override them
#: through ``hipaa_initiative_parameters``. Checked against initiative version 14.13.0 (2026-01-09).
HIPAA_INITIATIVE_DEFAULT_PARAMETERS: dict[str, str] = {
    "installedApplicationsOnWindowsVM": "",
    "DeployDiagnosticSettingsforNetworkSecurityGroupsstoragePrefix": "",
    "DeployDiagnosticSettingsforNetworkSecurityGroupsrgName": "",
    "CertificateThumbprints": "",
}
#: Roles the HITRUST/HIPAA assignment's identity holds on the subscription so the initiative's
#: deploy-if-not-exists and modify members can remediate: exactly the union of their policy rules'
#: ``roleDefinitionIds`` in initiative version 14.13.0 (Azure/azure-policy, read 2026-12): Virtual
#: Machine Contributor (IaaS antimalware extension), Network Contributor (Network Watcher), and
#: Contributor (Guest Configuration: system identity on VMs and the guest configuration extension).
#: The portal grants the same roles when it assigns the initiative
#: (https://learn.microsoft.com/azure/governance/policy/how-to/remediate-resources#configure-the-managed-identity).
#: Review them when Microsoft revises the initiative.
HIPAA_REMEDIATION_ROLES = ("Virtual Machine Contributor", "Network Contributor", "Contributor")
ALLOWED_LOCATIONS_POLICY = "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
#: Resource providers the landing zone's services need registered (register once per subscription). The
#: azure-native provider (3.29) has no resource that registers a provider namespace on a subscription
#: (``features:SubscriptionFeatureRegistration`` registers preview features, ``providerhub`` is for
#: publishing providers), so registration is a preflight step: README, "From nothing to pulumi up"
#: (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types).
REQUIRED_PROVIDERS = (
    "Microsoft.KeyVault",
    "Microsoft.Storage",
    "Microsoft.Network",
    "Microsoft.OperationalInsights",
    "Microsoft.Insights",
    "Microsoft.ManagedIdentity",
    "Microsoft.Sql",
    "Microsoft.DBforPostgreSQL",
    "Microsoft.DataProtection",
    "Microsoft.Security",
    "Microsoft.PolicyInsights",
    "Microsoft.Consumption",
    "Microsoft.Management",
)


def budget_start_date(configured: str | None, today: date | None = None) -> str:
    """The budget's ``timePeriod.startDate``: the configured month, else the first day of the current UTC month.

    Azure requires the first day of a month, and a date in the past must lie in the current
    time-grain period (this month, for a monthly budget)
    (https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update#budgettimeperiod).
    The computed default changes every month, so the budget ignores later changes of the start date
    (``ignore_changes``): the first deployment fixes it and a later ``pulumi up`` shows no diff.
    """
    if configured is not None:
        return f"{configured}T00:00:00Z"
    current = today or datetime.now(UTC).date()
    return f"{current.year:04d}-{current.month:02d}-01T00:00:00Z"


def management_group_resource_id(group: str) -> str:
    """The ARM ID the subscription alias API wants, from a management group's name or ID."""
    return group if group.startswith("/") else f"/providers/Microsoft.Management/managementGroups/{group}"


class PhiSubscriptionArgs(StrictArgs):
    """Arguments of `PhiSubscription`."""

    subscription_id: str | None = Field(
        default=None, description="Adopt this subscription (or vend with billing_scope)."
    )
    billing_scope: str | None = None
    display_name: str = Field(min_length=1)
    alias_name: str | None = None
    management_group_id: str | None = None
    location: str = Field(min_length=1, description="Region for the policy assignment identity.")
    allowed_locations: Sequence[str] = Field(min_length=1)
    hipaa_initiative_parameters: Mapping[str, Any] = Field(
        default_factory=dict, description="Merged over HIPAA_INITIATIVE_DEFAULT_PARAMETERS."
    )
    hipaa_remediation_roles: Sequence[str] = Field(
        default=HIPAA_REMEDIATION_ROLES,
        description="Built-in roles the initiative's identity holds on the subscription, for deploy-if-not-exists remediation.",
    )
    budget: BudgetConfig | None = None
    alert_emails: Sequence[str] = ()
    access: Sequence[AccessGrant] = ()
    budget_start_today: date | None = Field(default=None, description="For tests: 'today' for the budget start.")

    @model_validator(mode="after")
    def _adopt_or_vend(self) -> PhiSubscriptionArgs:
        if (self.subscription_id is None) == (self.billing_scope is None):
            raise ValueError("give exactly one of subscription_id (adopt) and billing_scope (vend)")
        if self.budget is not None and not self.alert_emails:
            raise ValueError("a budget needs alert_emails: Azure rejects budget notifications without contacts")
        for role in self.hipaa_remediation_roles:
            role_guid(role)  # raises naming the known roles; Owner and User Access Administrator are refused
        return self


class PhiSubscription(pulumi.ComponentResource):
    """The subscription and its baseline. Output: ``subscription_id``."""

    subscription_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: PhiSubscriptionArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        settings = args if args is not None else validate_args(PhiSubscriptionArgs, f"PhiSubscription '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import authorization, consumption, management, subscription

        child = pulumi.ResourceOptions(parent=self)
        if settings.billing_scope is not None:
            alias = subscription.Alias(
                f"{name}-alias",
                alias_name=settings.alias_name or settings.display_name.lower().replace(" ", "-"),
                properties=subscription.PutAliasRequestPropertiesArgs(
                    billing_scope=settings.billing_scope,
                    display_name=settings.display_name,
                    workload="Production",
                    additional_properties=subscription.PutAliasRequestAdditionalPropertiesArgs(
                        management_group_id=management_group_resource_id(settings.management_group_id)
                    )
                    if settings.management_group_id is not None
                    else None,
                ),
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            )
            self.subscription_id = alias.properties.apply(lambda properties: properties.subscription_id)
        else:
            self.subscription_id = pulumi.Output.from_input(settings.subscription_id)  # type: ignore[arg-type]
        scope = pulumi.Output.concat("/subscriptions/", self.subscription_id)
        if settings.management_group_id is not None and settings.billing_scope is None:
            # Adopting: the provider's subscription (pin it to subscription_id) moves into the group.
            # Vending places the new subscription through the alias itself.
            management.ManagementGroupSubscription(
                f"{name}-placement", group_id=settings.management_group_id, opts=child
            )
        initiative = authorization.PolicyAssignment(
            f"{name}-hipaa-hitrust",
            policy_assignment_name="hipaa-hitrust",
            display_name="HITRUST/HIPAA (built-in initiative)",
            policy_definition_id=HIPAA_HITRUST_INITIATIVE,
            scope=scope,
            enforcement_mode="Default",
            location=settings.location,
            identity=authorization.IdentityArgs(type="SystemAssigned"),
            parameters={
                key: {"value": value}
                for key, value in {
                    **HIPAA_INITIATIVE_DEFAULT_PARAMETERS,
                    **settings.hipaa_initiative_parameters,
                }.items()
            },
            opts=child,
        )
        initiative_principal = initiative.identity.apply(lambda identity: identity.principal_id if identity else "")
        for role in settings.hipaa_remediation_roles:
            guid = role_guid(role)
            authorization.RoleAssignment(
                f"{name}-hipaa-hitrust-{role_guid(role)[:8]}",
                scope=scope,
                principal_id=initiative_principal,
                principal_type="ServicePrincipal",
                role_definition_id=self._role_definition(role),
                role_assignment_name=initiative_principal.apply(
                    lambda principal, guid=guid: assignment_name(name, "hipaa-hitrust", guid, principal)
                ),
                description=f"{role} for the HITRUST/HIPAA initiative's remediation identity",
                opts=child,
            )
        authorization.PolicyAssignment(
            f"{name}-allowed-locations",
            policy_assignment_name="allowed-locations",
            display_name="Allowed locations (data residency)",
            policy_definition_id=ALLOWED_LOCATIONS_POLICY,
            scope=scope,
            enforcement_mode="Default",
            parameters={"listOfAllowedLocations": {"value": list(settings.allowed_locations)}},
            opts=child,
        )
        if settings.budget is not None:
            consumption.Budget(
                f"{name}-budget",
                budget_name="phi-landing-zone-monthly",
                scope=scope,
                amount=settings.budget.amount,
                category="Cost",
                time_grain="Monthly",
                time_period=consumption.BudgetTimePeriodArgs(
                    start_date=budget_start_date(settings.budget.start_date, settings.budget_start_today)
                ),
                notifications={
                    f"actual-{threshold}": consumption.NotificationArgs(
                        enabled=True,
                        operator="GreaterThanOrEqualTo",
                        threshold=threshold,
                        contact_emails=list(settings.alert_emails),
                        threshold_type="Actual",
                    )
                    for threshold in settings.budget.thresholds
                },
                opts=pulumi.ResourceOptions(parent=self, ignore_changes=["timePeriod.startDate"]),
            )
        for grant in settings.access:
            self._grant(name, grant, scope)
        self.register_outputs({"subscription_id": self.subscription_id, "required_providers": list(REQUIRED_PROVIDERS)})

    def _role_definition(self, role: str) -> pulumi.Output[str]:
        """The built-in role's definition ID in this subscription (known at preview when adopting)."""
        return self.subscription_id.apply(lambda subscription_id: role_definition_id(subscription_id, role))

    def _grant(self, name: str, grant: AccessGrant, scope: pulumi.Output[str]) -> None:
        from pulumi_azure_native import authorization

        label = f"{name}-{grant.group.display_name.lower().replace(' ', '-')}-{role_guid(grant.role)[:8]}"
        definition = self._role_definition(grant.role)
        if grant.eligible_only:
            authorization.PimRoleEligibilitySchedule(
                label,
                scope=scope,
                principal_id=grant.group.object_id,
                role_definition_id=definition,
                justification=f"Eligible {grant.role} for {grant.group.display_name} (landing-zone access baseline)",
                schedule_info={"expiration": {"type": "NoExpiration"}},
                opts=pulumi.ResourceOptions(parent=self),
            )
            return
        authorization.RoleAssignment(
            label,
            scope=scope,
            principal_id=grant.group.object_id,
            principal_type="Group",
            role_definition_id=definition,
            # scope + role + principal: a new group object ID is a new name, never a collision with the old one
            role_assignment_name=assignment_name(label, grant.group.object_id, role_guid(grant.role)),
            description=f"{grant.role} for {grant.group.display_name} (landing-zone access baseline)",
            opts=pulumi.ResourceOptions(parent=self),
        )
