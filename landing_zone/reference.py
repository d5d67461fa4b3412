"""The reference landing zone: what the root ``Pulumi.yaml`` program builds from one `LandingZoneConfig`.

At this stage it is the minimal vertical slice: a provider pinned to the configured subscription
and tenant, the security resource group, and a hardened Key Vault. Later components (keys, logs,
network, data services) are added here in dependency order.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.key_vault import KeyVault, KeyVaultArgs
from landing_zone.config import LandingZoneConfig
from landing_zone.naming import Namer, standard_tags

#: Logical names are part of every URN: renaming one replaces the resource. Keep them stable.
PROVIDER_NAME = "landing-zone"


def build(config: LandingZoneConfig) -> dict[str, Any]:
    """Register the landing zone's resources and return the outputs a workload team needs."""
    from pulumi_azure_native import Provider, resources

    namer = Namer.for_config(config)
    tags = standard_tags(config)
    region = config.regions.primary
    provider = Provider(
        PROVIDER_NAME,
        subscription_id=config.subscription_id,
        tenant_id=config.tenant_id,
        location=region,
    )
    security_group = resources.ResourceGroup(
        "security",
        resource_group_name=namer.name("resource_group", "security"),
        location=region,
        tags=tags,
        opts=pulumi.ResourceOptions(provider=provider, protect=True),
    )
    vault = KeyVault(
        "phi",
        KeyVaultArgs(
            resource_group_name=security_group.name,
            location=region,
            tenant_id=config.tenant_id,
            vault_name=namer.name("key_vault", "phi"),
            tags=tags,
        ),
        opts=pulumi.ResourceOptions(providers=[provider]),
    )
    return {
        "securityResourceGroupName": security_group.name,
        "keyVaultId": vault.resource_id,
        "keyVaultName": vault.vault_name,
        "keyVaultUri": vault.vault_uri,
    }
