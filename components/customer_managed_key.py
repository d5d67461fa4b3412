"""`CustomerManagedKey`: an HSM-backed RSA key, its rotation policy, and the identity that unwraps it.

Every CMK consumer (storage account, SQL server, PostgreSQL server, backup vault) needs the same
things, in the same order: a user-assigned identity, a key, and that identity holding
"Key Vault Crypto Service Encryption User" on that one key, all before the consumer is created.
A system-assigned identity would only exist after the consumer, so the consumer would be created
unencrypted and patched later (or fail): that is why the identity is user-assigned and created first.

The key is RSA-HSM, 3072 bits by default (2048 is refused), limited to wrapKey/unwrapKey, with an
expiry and a rotation policy that rotates well before expiry and notifies before it. Consumers use
the versionless key URI so rotation needs no change on their side.

A new role assignment is not effective everywhere at once: Azure RBAC caches assignments, and a
consumer created right after the grant can fail with ``KeyVaultAuthenticationFailure`` and succeed
on retry (https://learn.microsoft.com/azure/role-based-access-control/troubleshooting, "Symptom -
Role assignment changes are not being detected"). The Pulumi way to wait is an explicit resource: a
``pulumiverse_time.Sleep`` after the grant (``rbac_propagation_seconds``, 120 s by default; 0 turns it
off), which every consumer depends on through ``reference.depends_on``. It waits on creation and
whenever the grant is replaced, and never again.

Azure's "create key" is create-only: changing key properties later does not change the key. The
expiry is computed once at creation and then ignored by diffs (``ignore_changes``); rotation creates
new versions under the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi
from pydantic import Field, field_validator, model_validator

from components.interfaces import CustomerManagedKeyRef, StrictArgs, Waiver, validate_args, waiver_tags
from components.key_vault import PUBLIC_CLOUD_VAULT_SUFFIX, KeyVault
from components.roles import assign_role

TYPE_TOKEN = "landingzone:security:CustomerManagedKey"
UNWRAP_ROLE = "Key Vault Crypto Service Encryption User"


class ExistingVault(StrictArgs):
    """A vault this program does not manage, named by literals so key URIs are known at preview."""

    vault_name: str
    resource_group_name: str
    dns_suffix: str = PUBLIC_CLOUD_VAULT_SUFFIX


class CustomerManagedKeyArgs(StrictArgs):
    """Arguments of `CustomerManagedKey`."""

    key_vault: Any = Field(description="The `KeyVault` component holding the key, or an `ExistingVault`.")
    key_name: str = Field(pattern=r"^[a-zA-Z0-9-]{1,127}$", description="1-127 letters, digits and hyphens")
    identity_name: str = Field(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$", description="3-128 characters")
    location: str = Field(min_length=1, description="Region of the identity (the consumer's region).")
    identity_resource_group_name: Any = Field(description="Resource group of the identity.")
    subscription_id: str = Field(description="Subscription of the vault, for the role definition ID.")
    key_size: int = 3072
    hsm_backed: bool = True
    software_key_waiver: Waiver | None = Field(default=None, description="Required for hsm_backed=False.")
    expiry_days: int = Field(default=730, ge=60, le=3650)
    rotation_period_days: int = Field(default=365, ge=28)
    notify_before_expiry_days: int = Field(default=30, ge=7)
    created_at: datetime | None = Field(default=None, description="Anchor for the first expiry; default: now (UTC).")
    rbac_propagation_seconds: int = Field(
        default=120, ge=0, le=1800, description="Wait after the unwrap grant before consumers are created."
    )
    protect: bool = True
    tags: Mapping[str, str] = Field(default_factory=dict)

    @field_validator("key_size")
    @classmethod
    def _key_size(cls, value: int) -> int:
        if value not in (3072, 4096):
            raise ValueError(f"{value}-bit RSA keys are not allowed: use 3072 or 4096")
        return value

    @field_validator("key_vault")
    @classmethod
    def _vault_kind(cls, value: Any) -> Any:
        if not isinstance(value, (KeyVault, ExistingVault)):
            raise ValueError("key_vault must be a KeyVault component or an ExistingVault")
        return value

    @model_validator(mode="after")
    def _policy(self) -> CustomerManagedKeyArgs:
        if self.rotation_period_days > self.expiry_days - 30:
            raise ValueError("rotation_period_days must be at least 30 days shorter than expiry_days")
        if self.notify_before_expiry_days >= self.expiry_days:
            raise ValueError("notify_before_expiry_days must be shorter than expiry_days")
        if not self.hsm_backed and self.software_key_waiver is None:
            raise ValueError("hsm_backed=False keeps the key in software; pass software_key_waiver with a reason")
        return self


class CustomerManagedKey(pulumi.ComponentResource):
    """A CMK and its unwrapping identity. Hand ``reference`` to any consumer's ``customer_managed_key``."""

    reference: CustomerManagedKeyRef

    def __init__(
        self,
        name: str,
        args: CustomerManagedKeyArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        settings = (
            args if args is not None else validate_args(CustomerManagedKeyArgs, f"CustomerManagedKey '{name}'", kwargs)
        )
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import keyvault, managedidentity

        vault = settings.key_vault
        if isinstance(vault, KeyVault):
            vault_name, vault_group, vault_uri = vault.vault_name, vault.settings.resource_group_name, vault.vault_uri
            prerequisites: list[pulumi.Resource] = [vault.vault, *vault.role_assignment_resources]
        else:
            vault_name, vault_group = vault.vault_name, vault.resource_group_name
            vault_uri = f"https://{vault.vault_name}.{vault.dns_suffix}/"
            prerequisites = []
        tags = {**settings.tags, **waiver_tags({"softwareKey": settings.software_key_waiver})}

        self.identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=settings.identity_name,
            resource_group_name=settings.identity_resource_group_name,
            location=settings.location,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect),
        )
        created = settings.created_at or datetime.now(UTC)
        expires = int((created + timedelta(days=settings.expiry_days)).timestamp())
        self.key = keyvault.Key(
            name,
            key_name=settings.key_name,
            vault_name=vault_name,
            resource_group_name=vault_group,
            properties=keyvault.KeyPropertiesArgs(
                kty=keyvault.JsonWebKeyType.RS_A_HSM if settings.hsm_backed else keyvault.JsonWebKeyType.RSA,
                key_size=settings.key_size,
                key_ops=[keyvault.JsonWebKeyOperation.WRAP_KEY, keyvault.JsonWebKeyOperation.UNWRAP_KEY],
                attributes=keyvault.KeyAttributesArgs(enabled=True, expires=expires, exportable=False),
                rotation_policy=keyvault.RotationPolicyArgs(
                    attributes=keyvault.KeyRotationPolicyAttributesArgs(expiry_time=f"P{settings.expiry_days}D"),
                    lifetime_actions=[
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.ROTATE),
                            trigger=keyvault.TriggerArgs(time_after_create=f"P{settings.rotation_period_days}D"),
                        ),
                        keyvault.LifetimeActionArgs(
                            action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.NOTIFY),
                            trigger=keyvault.TriggerArgs(time_before_expiry=f"P{settings.notify_before_expiry_days}D"),
                        ),
                    ],
                ),
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=settings.protect,
                depends_on=prerequisites,
                ignore_changes=["properties.attributes.expires"],
            ),
        )
        self.unwrap_assignment = assign_role(
            f"{name}-unwrap",
            scope=self.key.id,
            principal_id=self.identity.principal_id,
            role=UNWRAP_ROLE,
            subscription_id=settings.subscription_id,
            principal_type="ServicePrincipal",
            description=f"Lets {settings.identity_name} wrap and unwrap with key {settings.key_name} (CMK)",
            parent=self,
        )
        ready: list[pulumi.Resource] = [self.identity, self.key, self.unwrap_assignment]
        if settings.rbac_propagation_seconds:
            from pulumiverse_time import Sleep

            # Re-runs only when the grant is replaced (its ID is the trigger), never on a plain `pulumi up`.
            self.rbac_propagation = Sleep(
                f"{name}-rbac-propagation",
                create_duration=f"{settings.rbac_propagation_seconds}s",
                triggers={"roleAssignmentId": self.unwrap_assignment.id},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.unwrap_assignment]),
            )
            ready.append(self.rbac_propagation)
        versionless_key_uri = f"{vault_uri}keys/{settings.key_name}"
        self.reference = CustomerManagedKeyRef(
            key_name=settings.key_name,
            vault_name=vault_name,
            vault_uri=vault_uri,
            versionless_key_uri=versionless_key_uri,
            key_uri_with_version=self.key.key_uri_with_version,
            key_resource_id=self.key.id,
            identity_resource_id=self.identity.id,
            identity_principal_id=self.identity.principal_id,
            identity_client_id=self.identity.client_id,
            key_size=settings.key_size,
            depends_on=tuple(ready),
        )
        self.register_outputs(
            {
                "key_name": settings.key_name,
                "vault_uri": vault_uri,
                "versionless_key_uri": versionless_key_uri,
                "key_resource_id": self.key.id,
                "identity_resource_id": self.identity.id,
                "identity_principal_id": self.identity.principal_id,
                "identity_client_id": self.identity.client_id,
            }
        )
