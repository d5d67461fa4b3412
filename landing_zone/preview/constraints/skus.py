"""Features that only some SKUs offer, and cross-resource tier matches ARM enforces.

- Azure Firewall: intrusion detection (IDPS) and TLS inspection are Premium policy features, and a
  firewall takes only a policy of its own tier.
- Azure Bastion: native-client tunneling, IP-based connection, shareable links and file copy need
  Standard or Premium; session recording and private-only deployment need Premium.
- Public IP addresses: the Standard SKU is allocated statically only.
- PostgreSQL flexible server with customer-managed keys and geo-redundant backup needs a geo-backup key
  and identity, and that key in another region than the server (its geo-paired region).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource

_BASTION_STANDARD = ("enableTunneling", "enableIpConnect", "enableShareableLink", "enableFileCopy")
_BASTION_PREMIUM = ("enableSessionRecording", "enablePrivateOnlyBastion")
_BASTION_TIERS = {"developer": 0, "basic": 1, "standard": 2, "premium": 3}


def _text(resource: Resource, path: str) -> str | None:
    value = resource.value(path)
    return value.text.lower() if value is not None and value.text is not None else None


def _firewall_policy(resource: Resource, context: Context) -> Iterator[Finding]:
    tier = _text(resource, "sku.tier") or "standard"
    if tier == "premium":
        return
    mode = _text(resource, "intrusionDetection.mode")
    if mode is not None and mode != "off":
        yield Finding("intrusionDetection", f"intrusion detection needs the Premium policy tier; this policy is {tier}")
    enabled = resource.value("transportSecurity.certificateAuthority.keyVaultSecretId")
    if enabled is not None:
        yield Finding("transportSecurity", f"TLS inspection needs the Premium policy tier; this policy is {tier}")


def _firewall_tier(resource: Resource, context: Context) -> Iterator[Finding]:
    tier = _text(resource, "sku.tier")
    if tier is None:
        return
    for policy in context.referenced(resource, "firewallPolicy", "azure-native:network:FirewallPolicy"):
        policy_tier = _text(policy, "sku.tier") or "standard"
        if policy_tier != tier:
            yield Finding(
                "firewallPolicy",
                f"a {tier} firewall takes a {tier} policy; firewall policy '{policy.registration.name}' is {policy_tier}",
            )


def _bastion(resource: Resource, context: Context) -> Iterator[Finding]:
    sku = _text(resource, "sku.name") or "standard"
    level = _BASTION_TIERS.get(sku)
    if level is None:
        return
    for flags, needed, label in ((_BASTION_STANDARD, 2, "Standard or Premium"), (_BASTION_PREMIUM, 3, "Premium")):
        for flag in flags:
            value = resource.value(flag)
            if value is not None and value.value is True and level < needed:
                yield Finding(flag, f"{flag} needs the {label} SKU; this host is {sku}")


def _public_ip(resource: Resource, context: Context) -> Iterator[Finding]:
    if _text(resource, "sku.name") != "standard":
        return
    method = _text(resource, "publicIPAllocationMethod")
    if method == "dynamic":
        yield Finding("publicIPAllocationMethod", "Standard SKU public IP addresses are allocated statically only")


def _postgres_geo_key(resource: Resource, context: Context) -> Iterator[Finding]:
    if (
        _text(resource, "dataEncryption.type") != "azurekeyvault"
        or _text(resource, "backup.geoRedundantBackup") != "enabled"
    ):
        return
    for path in ("dataEncryption.geoBackupKeyURI", "dataEncryption.geoBackupUserAssignedIdentityId"):
        if not resource.has(path):
            yield Finding(path, "geo-redundant backup with a customer-managed key needs a geo-backup key and identity")
            return
    server_location = context.location(resource)
    uri = resource.value("dataEncryption.geoBackupKeyURI")
    if server_location is None or uri is None or uri.text is None:
        return
    vault_name = uri.text.split("//", 1)[-1].split(".", 1)[0].lower()
    for vault in context.resources:
        if vault.token != "azure-native:keyvault:Vault" or (_text(vault, "vaultName") or "") != vault_name:
            continue
        vault_location = context.location(vault)
        if vault_location == server_location:
            yield Finding(
                "dataEncryption.geoBackupKeyURI",
                f"the geo-backup key's vault '{vault.registration.name}' is in the server's region ({server_location});"
                " it must be in the geo-paired region",
            )


def sku_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="network.firewall-policy-premium-features",
        title="Intrusion detection and TLS inspection need a Premium firewall policy",
        reference="https://learn.microsoft.com/azure/firewall/premium-features",
        types=frozenset(("azure-native:network:FirewallPolicy",)),
        check=_firewall_policy,
    )
    yield Constraint(
        id="network.firewall-policy-tier",
        title="A firewall and its policy have the same tier",
        reference="https://learn.microsoft.com/azure/firewall/premium-migrate",
        types=frozenset(("azure-native:network:AzureFirewall",)),
        check=_firewall_tier,
    )
    yield Constraint(
        id="network.bastion-sku-features",
        title="Bastion features the SKU offers",
        reference="https://learn.microsoft.com/azure/bastion/configuration-settings#skus",
        types=frozenset(("azure-native:network:BastionHost",)),
        check=_bastion,
    )
    yield Constraint(
        id="network.public-ip-standard-static",
        title="Standard SKU public IP addresses are static",
        reference="https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku",
        types=frozenset(("azure-native:network:PublicIPAddress",)),
        check=_public_ip,
    )
    yield Constraint(
        id="cmk.dbforpostgresql.geo-backup-key",
        title="PostgreSQL geo-redundant backup with CMK: a geo-backup key and identity, the key in the paired region",
        reference="https://learn.microsoft.com/azure/postgresql/flexible-server/concepts-data-encryption",
        types=frozenset(("azure-native:dbforpostgresql:Server",)),
        check=_postgres_geo_key,
    )
