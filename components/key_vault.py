"""`KeyVault`: a Key Vault fit to hold the keys that encrypt PHI.

Secure by default, every setting explicit and known at preview: Premium SKU (HSM-backed keys),
Azure RBAC authorization (no access policies), soft delete with 90-day retention, purge protection,
public network access disabled and network ACLs that deny by default with no bypass. The vault is
``protect``-ed and carries a ``CanNotDelete`` lock.

Soft delete and purge protection mean a deleted vault's name stays reserved for the retention
period: keep ``vault_name`` stable, and recover a deleted vault (``az keyvault recover``) rather
than re-creating it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pydantic import Field, field_validator, model_validator

from components.interfaces import LockArgs, StrictArgs, Waiver, validate_args

TYPE_TOKEN = "landingzone:security:KeyVault"


class KeyVaultArgs(StrictArgs):
    """Arguments of `KeyVault`. Weakening a default takes a named argument and a `Waiver`."""

    resource_group_name: Any = Field(description="Resource group to create the vault in (name or Output).")
    location: str = Field(min_length=1)
    tenant_id: Any = Field(description="Entra tenant that authenticates requests to the vault.")
    vault_name: str = Field(
        pattern=r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$",
        description="3-24 letters, digits and single hyphens, starting with a letter; globally unique and permanent",
    )
    sku: Literal["premium", "standard"] = "premium"
    standard_sku_waiver: Waiver | None = Field(default=None, description="Required for sku='standard' (no HSM keys).")
    soft_delete_retention_days: int = Field(default=90, ge=7, le=90)
    allow_public_network_access: Waiver | None = Field(
        default=None, description="Enables the public endpoint (still denied by ACLs); reason required."
    )
    allow_trusted_azure_services: Waiver | None = Field(
        default=None, description="Lets trusted Azure services bypass the network ACLs; reason required."
    )
    lock: LockArgs | None = Field(default_factory=LockArgs)
    lock_waiver: Waiver | None = Field(default=None, description="Required when lock is None.")
    protect: bool = True
    tags: Mapping[str, str] = Field(default_factory=dict)

    @field_validator("vault_name")
    @classmethod
    def _no_consecutive_hyphens(cls, value: str) -> str:
        if "--" in value:
            raise ValueError("Key Vault names cannot contain consecutive hyphens")
        return value

    @model_validator(mode="after")
    def _weakening_needs_waiver(self) -> KeyVaultArgs:
        if self.sku == "standard" and self.standard_sku_waiver is None:
            raise ValueError("sku='standard' stores keys in software; pass standard_sku_waiver with a reason")
        if self.lock is None and self.lock_waiver is None:
            raise ValueError("lock=None removes the CanNotDelete lock; pass lock_waiver with a reason")
        return self


class KeyVault(pulumi.ComponentResource):
    """A hardened Key Vault with its lock. Outputs: ``resource_id``, ``vault_name``, ``vault_uri``."""

    resource_id: pulumi.Output[str]
    vault_name: pulumi.Output[str]
    vault_uri: pulumi.Output[str]

    def __init__(
        self, name: str, args: KeyVaultArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings: KeyVaultArgs = args if args is not None else validate_args(KeyVaultArgs, f"KeyVault '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import authorization, keyvault

        waivers = {
            "waiver:publicNetworkAccess": settings.allow_public_network_access,
            "waiver:trustedServicesBypass": settings.allow_trusted_azure_services,
            "waiver:standardSku": settings.standard_sku_waiver,
            "waiver:lock": settings.lock_waiver if settings.lock is None else None,
        }
        tags = {**settings.tags, **{key: waiver.reason[:256] for key, waiver in waivers.items() if waiver is not None}}
        self.vault = keyvault.Vault(
            name,
            resource_group_name=settings.resource_group_name,
            location=settings.location,
            vault_name=settings.vault_name,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=settings.tenant_id,
                sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=settings.sku),
                enable_rbac_authorization=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=settings.soft_delete_retention_days,
                enable_purge_protection=True,
                enabled_for_deployment=False,
                enabled_for_disk_encryption=False,
                enabled_for_template_deployment=False,
                public_network_access="Enabled" if settings.allow_public_network_access else "Disabled",
                network_acls=keyvault.NetworkRuleSetArgs(
                    default_action=keyvault.NetworkRuleAction.DENY,
                    bypass=(
                        keyvault.NetworkRuleBypassOptions.AZURE_SERVICES
                        if settings.allow_trusted_azure_services
                        else keyvault.NetworkRuleBypassOptions.NONE
                    ),
                    ip_rules=[],
                    virtual_network_rules=[],
                ),
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect),
        )
        if settings.lock is not None:
            authorization.ManagementLockByScope(
                f"{name}-lock",
                scope=self.vault.id,
                level=settings.lock.kind,
                notes=settings.lock.notes,
                lock_name=f"{settings.vault_name}-{settings.lock.kind.lower()}",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.resource_id = self.vault.id
        self.vault_name = self.vault.name
        self.vault_uri = self.vault.properties.apply(lambda properties: properties.vault_uri)
        self.register_outputs(
            {"resource_id": self.resource_id, "vault_name": self.vault_name, "vault_uri": self.vault_uri}
        )
