"""`DefenderForCloud`: Microsoft Defender plans at the Standard tier and a security contact (164.308(a)(6)).

Plans a PHI subscription needs: Storage (with on-upload malware scanning and sensitive-data
discovery), Key Vault, SQL servers, open-source relational databases (PostgreSQL), Resource Manager
and Defender CSPM. High-severity alerts and critical attack paths are emailed to the configured
contacts and to subscription owners. Defender plans are subscription-wide: one instance per
subscription.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
from pydantic import Field, field_validator

from components.interfaces import StrictArgs, validate_args

TYPE_TOKEN = "landingzone:security:DefenderForCloud"
_EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[A-Za-z]{2,}$")


class DefenderPlan(StrictArgs):
    """One Defender plan: its pricing name, optional sub-plan and extensions."""

    name: str
    sub_plan: str | None = None
    extensions: Mapping[str, Mapping[str, str]] = Field(default_factory=dict, description="Extension -> properties.")


#: The plans a PHI subscription runs, with the sub-plans and extensions Azure names them by.
DEFAULT_PLANS: tuple[DefenderPlan, ...] = (
    DefenderPlan(
        name="StorageAccounts",
        sub_plan="DefenderForStorageV2",
        extensions={
            "OnUploadMalwareScanning": {"CapGBPerMonthPerStorageAccount": "5000"},
            "SensitiveDataDiscovery": {},
        },
    ),
    DefenderPlan(name="KeyVaults", sub_plan="PerKeyVault"),
    DefenderPlan(name="SqlServers"),
    DefenderPlan(name="OpenSourceRelationalDatabases"),
    DefenderPlan(name="Arm", sub_plan="PerSubscription"),
    DefenderPlan(name="CloudPosture", extensions={"SensitiveDataDiscovery": {}}),
)


class DefenderForCloudArgs(StrictArgs):
    """Arguments of `DefenderForCloud`."""

    subscription_id: str
    alert_emails: Sequence[str] = Field(min_length=1, description="Who receives security alerts; at least one.")
    minimal_alert_severity: Literal["High", "Medium", "Low"] = "High"
    plans: Sequence[DefenderPlan] = DEFAULT_PLANS
    phone: str | None = None

    @field_validator("alert_emails")
    @classmethod
    def _emails(cls, values: Sequence[str]) -> Sequence[str]:
        bad = [value for value in values if not _EMAIL.match(value)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(repr(value) for value in bad)}")
        return values


class DefenderForCloud(pulumi.ComponentResource):
    """Standard-tier Defender plans and the subscription's security contact."""

    def __init__(
        self,
        name: str,
        args: DefenderForCloudArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        settings = (
            args if args is not None else validate_args(DefenderForCloudArgs, f"DefenderForCloud '{name}'", kwargs)
        )
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import security

        scope = f"/subscriptions/{settings.subscription_id}"
        self.plans = [
            security.Pricing(
                f"{name}-{plan.name.lower()}",
                pricing_name=plan.name,
                scope_id=scope,
                pricing_tier=security.PricingTier.STANDARD,
                sub_plan=plan.sub_plan,
                extensions=[
                    security.ExtensionArgs(
                        name=extension,
                        is_enabled=security.IsEnabled.TRUE,
                        additional_extension_properties=dict(properties) or None,
                    )
                    for extension, properties in plan.extensions.items()
                ]
                or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for plan in settings.plans
        ]
        self.contact = security.SecurityContact(
            f"{name}-contact",
            security_contact_name="default",
            emails=";".join(settings.alert_emails),
            phone=settings.phone,
            is_enabled=True,
            notifications_by_role=security.SecurityContactPropertiesNotificationsByRoleArgs(
                state=security.State.ON, roles=[security.SecurityContactRole.OWNER]
            ),
            notifications_sources=[
                security.NotificationsSourceAlertArgs(
                    source_type="Alert", minimal_severity=settings.minimal_alert_severity
                ),
                security.NotificationsSourceAttackPathArgs(source_type="AttackPath", minimal_risk_level="Critical"),
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"plans": [plan.name for plan in settings.plans]})
