"""PhiSubscription: adopting or vending, policy assignments and their remediation identity, budget, access.

Each test records the component under the mocks and asserts the wire-format inputs Azure would receive.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from components.roles import BUILT_IN_ROLES, assignment_name
from components.subscription import (
    ALLOWED_LOCATIONS_POLICY,
    HIPAA_HITRUST_INITIATIVE,
    HIPAA_REMEDIATION_ROLES,
    PhiSubscription,
    budget_start_date,
)
from landing_zone.config.model import AccessGrant, BudgetConfig, EntraGroup
from landing_zone.errors import ConfigError
from landing_zone.preview.runner import ProgramError, ProgramRun, record

SUB = "3f2c9a51-0000-4000-8000-000000000002"
AUDITORS = EntraGroup(object_id="5b3f2c9a-0000-4000-8000-0000000000c1", display_name="phi-auditors")
ADMINS = EntraGroup(object_id="5b3f2c9a-0000-4000-8000-0000000000c2", display_name="phi-platform-admins")
BILLING = "/providers/Microsoft.Billing/billingAccounts/1234/enrollmentAccounts/5678"


def subscription(_dry_run: bool = True, **overrides: Any) -> ProgramRun:
    arguments: dict[str, Any] = {
        "subscription_id": SUB,
        "display_name": "contoso-prod-phi",
        "location": "eastus2",
        "allowed_locations": ["eastus2", "centralus"],
        **overrides,
    }
    return record(lambda: PhiSubscription("subscription", **arguments), dry_run=_dry_run)


def by_name(run: ProgramRun, type_token: str) -> dict[str, Any]:
    return {r.name: r for r in run.by_type(type_token)}


class TestPolicyAssignments:
    def test_hitrust_initiative_and_allowed_locations_at_subscription_scope(self) -> None:
        assignments = by_name(subscription(), "azure-native:authorization:PolicyAssignment")
        hitrust = assignments["subscription-hipaa-hitrust"].inputs
        assert hitrust["policyDefinitionId"] == HIPAA_HITRUST_INITIATIVE
        assert hitrust["scope"] == f"/subscriptions/{SUB}"
        assert hitrust["identity"] == {"type": "SystemAssigned"} and hitrust["location"] == "eastus2"
        locations = assignments["subscription-allowed-locations"].inputs
        assert locations["policyDefinitionId"] == ALLOWED_LOCATIONS_POLICY
        assert locations["parameters"] == {"listOfAllowedLocations": {"value": ["eastus2", "centralus"]}}
        assert locations["enforcementMode"] == "Default"

    def test_the_initiative_identity_gets_its_remediation_roles_after_the_assignment(self) -> None:
        run = subscription()
        hitrust = by_name(run, "azure-native:authorization:PolicyAssignment")["subscription-hipaa-hitrust"]
        grants = [r for r in run.by_type("azure-native:authorization:RoleAssignment") if "hipaa-hitrust" in r.name]
        expected = {
            f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{BUILT_IN_ROLES[role]}"
            for role in HIPAA_REMEDIATION_ROLES
        }
        assert {g.inputs["roleDefinitionId"] for g in grants} == expected
        for grant in grants:
            assert grant.inputs["principalType"] == "ServicePrincipal"
            assert grant.inputs["scope"] == f"/subscriptions/{SUB}"
            assert hitrust.urn in grant.property_dependencies["principalId"]
        applied = subscription(_dry_run=False)
        applied_grants = [
            r for r in applied.by_type("azure-native:authorization:RoleAssignment") if "hipaa-hitrust" in r.name
        ]
        principal = applied_grants[0].inputs["principalId"]
        assert {g.inputs["roleAssignmentName"] for g in applied_grants} == {
            assignment_name("subscription", "hipaa-hitrust", BUILT_IN_ROLES[role], principal)
            for role in HIPAA_REMEDIATION_ROLES
        }

    def test_remediation_roles_are_the_initiative_members_role_definition_ids(self) -> None:
        """Virtual Machine Contributor, Network Contributor and Contributor: the union of the
        deploy-if-not-exists and modify members' roleDefinitionIds in initiative 14.13.0 (Azure/azure-policy)."""
        assert {BUILT_IN_ROLES[role] for role in HIPAA_REMEDIATION_ROLES} == {
            "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
            "4d97b98b-1d4f-4787-a291-c67834d212e7",
            "b24988ac-6180-42a0-ab88-20f7382dd24c",
        }

    def test_initiative_parameters_without_defaults_are_always_sent(self) -> None:
        hitrust = by_name(subscription(), "azure-native:authorization:PolicyAssignment")["subscription-hipaa-hitrust"]
        assert hitrust.inputs["parameters"] == {
            "installedApplicationsOnWindowsVM": {"value": ""},
            "DeployDiagnosticSettingsforNetworkSecurityGroupsstoragePrefix": {"value": ""},
            "DeployDiagnosticSettingsforNetworkSecurityGroupsrgName": {"value": ""},
            "CertificateThumbprints": {"value": ""},
        }

    def test_initiative_parameters_from_config_override_the_defaults(self) -> None:
        run = subscription(
            hipaa_initiative_parameters={"CertificateThumbprints": "AB12;CD34", "IncludeArcMachines": "true"}
        )
        parameters = by_name(run, "azure-native:authorization:PolicyAssignment")["subscription-hipaa-hitrust"].inputs[
            "parameters"
        ]
        assert parameters["CertificateThumbprints"] == {"value": "AB12;CD34"}
        assert parameters["IncludeArcMachines"] == {"value": "true"}
        assert parameters["installedApplicationsOnWindowsVM"] == {"value": ""}

    def test_remediation_roles_are_configurable_and_never_owner(self) -> None:
        run = subscription(hipaa_remediation_roles=["Monitoring Contributor"])
        assert len([r for r in run.by_type("azure-native:authorization:RoleAssignment") if "hitrust" in r.name]) == 1
        with pytest.raises(ProgramError, match="too broad"):
            subscription(hipaa_remediation_roles=["Owner"])


class TestAdoptOrVend:
    def test_adopting_places_the_subscription_in_its_management_group(self) -> None:
        run = subscription(management_group_id="mg-contoso-phi")
        assert run.one("azure-native:management:ManagementGroupSubscription").inputs == {"groupId": "mg-contoso-phi"}
        assert run.by_type("azure-native:subscription:Alias") == []

    def test_vending_creates_a_protected_alias_placed_in_the_group(self) -> None:
        run = subscription(subscription_id=None, billing_scope=BILLING, management_group_id="mg-contoso-phi")
        alias = run.one("azure-native:subscription:Alias")
        assert alias.protect is True
        assert alias.inputs["properties"] == {
            "billingScope": BILLING,
            "displayName": "contoso-prod-phi",
            "workload": "Production",
            "additionalProperties": {
                "managementGroupId": "/providers/Microsoft.Management/managementGroups/mg-contoso-phi"
            },
        }
        assert run.by_type("azure-native:management:ManagementGroupSubscription") == []
        hitrust = by_name(run, "azure-native:authorization:PolicyAssignment")["subscription-hipaa-hitrust"]
        assert alias.urn in hitrust.property_dependencies["scope"]

    @pytest.mark.parametrize("overrides", [{"subscription_id": None}, {"billing_scope": BILLING}])
    def test_exactly_one_of_adopt_and_vend(self, overrides: dict[str, Any]) -> None:
        with pytest.raises(ProgramError) as caught:
            subscription(**overrides)
        assert isinstance(caught.value.cause, ConfigError)
        assert "exactly one of subscription_id (adopt) and billing_scope (vend)" in str(caught.value.cause)
        assert [r.type for r in caught.value.registrations] == ["pulumi:pulumi:Stack"]


class TestBudgetAndAccess:
    def test_budget_notifies_the_contacts_at_each_threshold(self) -> None:
        run = subscription(
            budget=BudgetConfig(amount=25000, thresholds=[80, 100]), alert_emails=["secops@contoso.example"]
        )
        budget = run.one("azure-native:consumption:Budget").inputs
        assert (
            budget["amount"] == 25000
            and budget["timeGrain"] == "Monthly"
            and budget["scope"] == f"/subscriptions/{SUB}"
        )
        assert budget["notifications"]["actual-80"] == {
            "enabled": True,
            "operator": "GreaterThanOrEqualTo",
            "threshold": 80,
            "contactEmails": ["secops@contoso.example"],
            "thresholdType": "Actual",
        }
        assert sorted(budget["notifications"]) == ["actual-100", "actual-80"]

    def test_a_budget_without_contacts_is_refused(self) -> None:
        with pytest.raises(ProgramError, match="a budget needs alert_emails"):
            subscription(budget=BudgetConfig(amount=100))

    def test_standing_and_pim_eligible_grants(self) -> None:
        run = subscription(
            access=[
                AccessGrant(group=AUDITORS, role="Reader"),
                AccessGrant(group=ADMINS, role="Contributor", eligible_only=True),
            ]
        )
        standing = [r for r in run.by_type("azure-native:authorization:RoleAssignment") if "auditors" in r.name]
        assert [g.inputs["principalId"] for g in standing] == [AUDITORS.object_id]
        assert standing[0].inputs["principalType"] == "Group"
        eligible = run.one("azure-native:authorization:PimRoleEligibilitySchedule").inputs
        assert eligible["principalId"] == ADMINS.object_id
        assert eligible["roleDefinitionId"].endswith(BUILT_IN_ROLES["Contributor"])
        assert not [r for r in run.by_type("azure-native:authorization:RoleAssignment") if "admins" in r.name]

    def test_owner_is_refused_for_people(self) -> None:
        with pytest.raises(ValueError, match="too broad for people"):
            AccessGrant(group=ADMINS, role="Owner")


class TestBudgetStartDate:
    def test_default_start_is_the_first_day_of_the_current_month_and_later_changes_are_ignored(self) -> None:
        run = subscription(
            budget=BudgetConfig(amount=100),
            alert_emails=["secops@contoso.example"],
            budget_start_today=date(2026, 12, 17),
        )
        budget = run.one("azure-native:consumption:Budget")
        assert budget.inputs["timePeriod"] == {"startDate": "2026-12-01T00:00:00Z"}
        assert budget.ignore_changes == ["timePeriod.startDate"], "a second `pulumi up` next month shows no diff"

    def test_a_pinned_start_date_is_sent_as_given(self) -> None:
        run = subscription(
            budget=BudgetConfig(amount=100, start_date="2027-03-01"), alert_emails=["secops@contoso.example"]
        )
        assert run.one("azure-native:consumption:Budget").inputs["timePeriod"] == {"startDate": "2027-03-01T00:00:00Z"}

    def test_start_date_helper(self) -> None:
        assert budget_start_date(None, date(2027, 1, 31)) == "2027-01-01T00:00:00Z"
        assert budget_start_date("2026-05-01", date(2027, 1, 31)) == "2026-05-01T00:00:00Z"

    @pytest.mark.parametrize("start", ["2026-01-15", "2026-1-01", "01-01-2026"])
    def test_a_start_date_that_is_not_the_first_of_a_month_is_refused(self, start: str) -> None:
        with pytest.raises(ValueError):
            BudgetConfig(amount=100, start_date=start)


class TestChangedPrincipals:
    """Issue 13 item 3: a new group object ID never collides with the old deterministic-named assignment."""

    def test_a_new_group_object_id_gets_a_new_assignment_name_under_the_same_urn(self) -> None:
        renamed = EntraGroup(object_id="5b3f2c9a-0000-4000-8000-0000000000d9", display_name="phi-auditors")
        before = subscription(access=[AccessGrant(group=AUDITORS, role="Reader")])
        after = subscription(access=[AccessGrant(group=renamed, role="Reader")])

        def grant(run: ProgramRun) -> Any:
            (match,) = [r for r in run.by_type("azure-native:authorization:RoleAssignment") if "auditors" in r.name]
            return match

        assert grant(before).urn == grant(after).urn
        assert grant(before).inputs["roleAssignmentName"] != grant(after).inputs["roleAssignmentName"]
        assert grant(after).inputs["principalType"] == "Group"


def test_the_readme_preflight_registers_every_required_provider() -> None:
    """azure-native has no resource that registers a provider namespace: the README's preflight must list them all."""
    from pathlib import Path

    from components.subscription import REQUIRED_PROVIDERS

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    preflight = readme[
        readme.index("for ns in Microsoft.KeyVault") : readme.index('az provider register --namespace "$ns"')
    ]
    listed = [word.rstrip(";") for word in preflight.replace("\\", " ").split() if word.startswith("Microsoft.")]
    assert sorted(listed) == sorted(REQUIRED_PROVIDERS)
