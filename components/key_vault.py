"""`KeyVault`: a Key Vault fit to hold the keys that encrypt PHI.

Secure by default, every setting explicit and known at preview: Premium SKU (HSM-backed keys),
Azure RBAC authorization (no access policies), soft delete with 90-day retention, purge protection,
public network access disabled and network ACLs that deny by default with no bypass. The vault is
``protect``-ed and carries a ``CanNotDelete`` lock; it is reached through a private endpoint and its
audit logs go to the workspace.

A vault that holds customer-managed keys for Storage, SQL or PostgreSQL must let those services
reach it over Azure's trusted-service path: pass ``allow_trusted_azure_services`` with that reason.

Soft delete and purge protection mean a deleted vault's name stays reserved for the retention
period: keep ``vault_name`` stable, and recover a deleted vault (``az keyvault recover``) rather
than re-creating it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
from pydantic import Field, field_validator, model_validator

from components.diagnostics import attach_diagnostics
from components.interfaces import (
    DiagnosticsArgs,
    PrivateEndpointArgs,
    RoleAssignmentArgs,
    StatefulArgs,
    Waiver,
    validate_args,
    waiver_tags,
)
from components.locks import lock_resource
from components.private_endpoint import add_private_endpoints
from components.roles import PrincipalType, assign_role

TYPE_TOKEN = "landingzone:security:KeyVault"
#: DNS suffix of Key Vault in Azure's public cloud (``vault.usgovcloudapi.net`` in Azure Government).
PUBLIC_CLOUD_VAULT_SUFFIX = "vault.azure.net"


class KeyVaultArgs(StatefulArgs):
    """Arguments of `KeyVault`. Weakening a default takes a named argument and a `Waiver`."""

    resource_group_name: Any = Field(description="Resource group to create the vault in (name or Output).")
    location: str = Field(min_length=1)
    tenant_id: Any = Field(description="Entra tenant that authenticates requests to the vault.")
    vault_name: str = Field(
        pattern=r"^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$",
        description="3-24 letters, digits and single hyphens, starting with a letter; globally unique and permanent",
    )
    subscription_id: str | None = Field(default=None, description="Needed for role assignments (role definition IDs).")
    sku: Literal["premium", "standard"] = "premium"
    standard_sku_waiver: Waiver | None = Field(default=None, description="Required for sku='standard' (no HSM keys).")
    soft_delete_retention_days: int = Field(default=90, ge=7, le=90)
    allow_public_network_access: Waiver | None = Field(
        default=None, description="Enables the public endpoint (still denied by ACLs); reason required."
    )
    allow_trusted_azure_services: Waiver | None = Field(
        default=None,
        description="Lets trusted Azure services (CMK consumers) bypass the network ACLs; reason required.",
    )
    diagnostics: DiagnosticsArgs | None = None
    private_endpoint: PrivateEndpointArgs | None = None
    role_assignments: Sequence[RoleAssignmentArgs] = ()
    tags: Mapping[str, str] = Field(default_factory=dict)
    vault_dns_suffix: str = PUBLIC_CLOUD_VAULT_SUFFIX

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
        if self.role_assignments and self.subscription_id is None:
            raise ValueError("role_assignments need subscription_id (to name the role definitions)")
        return self


class KeyVault(pulumi.ComponentResource):
    """A hardened Key Vault with its lock, private endpoint, diagnostics and role assignments.

    Outputs: ``resource_id`` (Output), and ``vault_name`` / ``vault_uri`` (plain strings, known at preview).
    """

    resource_id: pulumi.Output[str]
    vault_name: str
    vault_uri: str

    def __init__(
        self, name: str, args: KeyVaultArgs | None = None, opts: pulumi.ResourceOptions | None = None, **kwargs: Any
    ) -> None:
        settings = args if args is not None else validate_args(KeyVaultArgs, f"KeyVault '{name}'", kwargs)
        super().__init__(TYPE_TOKEN, name, None, opts)
        from pulumi_azure_native import keyvault

        self._name = name
        self.settings = settings
        tags = {
            **settings.tags,
            **waiver_tags(
                {
                    "publicNetworkAccess": settings.allow_public_network_access,
                    "trustedServicesBypass": settings.allow_trusted_azure_services,
                    "standardSku": settings.standard_sku_waiver,
                    "lock": settings.lock_waiver if settings.lock is None else None,
                }
            ),
        }
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
        self.resource_id = self.vault.id
        self.vault_name = settings.vault_name
        self.vault_uri = f"https://{settings.vault_name}.{settings.vault_dns_suffix}/"
        self.role_assignment_resources: list[Any] = []
        if settings.lock is not None:
            lock_resource(name, self.vault.id, settings.lock, settings.vault_name, self)
        if settings.diagnostics is not None:
            attach_diagnostics(name, self.vault.id, settings.diagnostics, parent=self)
        if settings.private_endpoint is not None:
            add_private_endpoints(
                name,
                target_id=self.vault.id,
                target_name=settings.vault_name,
                sub_resources=["vault"],
                endpoint=settings.private_endpoint,
                resource_group_name=settings.resource_group_name,
                location=settings.location,
                tags=dict(settings.tags),
                parent=self,
            )
        for index, assignment in enumerate(settings.role_assignments):
            self.grant(
                f"{name}-role-{index}",
                assignment.role,
                assignment.principal_id,
                principal_type=assignment.principal_type,
                description=assignment.description,
            )
        self.register_outputs(
            {"resource_id": self.resource_id, "vault_name": self.vault_name, "vault_uri": self.vault_uri}
        )

    def grant(
        self,
        name: str,
        role: str,
        principal_id: pulumi.Input[str],
        *,
        scope: pulumi.Input[str] | None = None,
        principal_type: PrincipalType = "ServicePrincipal",
        description: str | None = None,
    ) -> Any:
        """Assign ``role`` to ``principal_id`` on ``scope`` (default: the vault). ``name`` must be stable.

        Every grant is kept in ``role_assignment_resources`` so keys created in the vault can wait for
        the deployer's data-plane rights (Azure RBAC vaults require them even for ARM key creation).
        """
        if self.settings.subscription_id is None:
            raise ValueError(f"KeyVault '{self._name}' needs subscription_id to grant roles")
        assignment = assign_role(
            name,
            scope=scope if scope is not None else self.vault.id,
            principal_id=principal_id,
            role=role,
            subscription_id=self.settings.subscription_id,
            principal_type=principal_type,
            description=description,
            parent=self,
        )
        self.role_assignment_resources.append(assignment)
        return assignment

    def add_key_prerequisite(self, resource: pulumi.Resource) -> None:
        """Make keys created in this vault wait for ``resource``: a data-plane grant made outside the vault
        (for example "Key Vault Crypto Officer" on the vault's resource group)."""
        self.role_assignment_resources.append(resource)

    def add_diagnostics(self, diagnostics: DiagnosticsArgs) -> list[Any]:
        """Send the vault's logs to a workspace created after the vault (the log archive's key lives here)."""
        return attach_diagnostics(self._name, self.vault.id, diagnostics, parent=self)

    def grant_crypto_service_encryption_user(
        self, name: str, key_id: pulumi.Input[str], principal_id: pulumi.Input[str]
    ) -> Any:
        """Let a service identity wrap and unwrap with one key (CMK): the narrowest role, on the key itself."""
        return self.grant(name, "Key Vault Crypto Service Encryption User", principal_id, scope=key_id)

    def grant_secrets_user(
        self,
        name: str,
        secret_id: pulumi.Input[str],
        principal_id: pulumi.Input[str],
        principal_type: PrincipalType = "ServicePrincipal",
    ) -> Any:
        """Let a principal read one secret's value, and no other secret in the vault."""
        return self.grant(name, "Key Vault Secrets User", principal_id, scope=secret_id, principal_type=principal_type)

    def grant_crypto_officer(
        self, name: str, principal_id: pulumi.Input[str], principal_type: PrincipalType = "ServicePrincipal"
    ) -> Any:
        """Let a deployment principal create and rotate keys in this vault (needed before keys are created).

        Pass the principal's real type (a CI service principal, a deployment group, a person):
        Azure defaults a missing type to ``User`` and refuses the others with ``UnmatchedPrincipalType``.
        """
        return self.grant(name, "Key Vault Crypto Officer", principal_id, principal_type=principal_type)
