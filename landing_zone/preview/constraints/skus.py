"""Features that only some SKUs offer, and cross-resource tier matches ARM enforces.

- Azure Firewall: intrusion detection (IDPS) and TLS inspection are Premium policy features, and a
  firewall takes only a policy of its own tier.
- Azure Bastion: native-client tunneling, IP-based connection, shareable links and file copy need
  Standard or Premium; session recording and private-only deployment need Premium.
- Public IP addresses: the Standard SKU is allocated statically only.
- PostgreSQL flexible server with customer-managed keys and geo-redundant backup needs a geo-backup key
  and identity, and that key in another region than the server (its geo-paired region).
- Container Registry: firewall rules, disabled public access, dedicated data endpoints, the retention
  policy and geo-replication are Premium features.
- Azure Cache for Redis: Basic and Standard caches are family C (capacity 0-6), Premium is family P (1-5).
- Event Hubs: partitions per event hub and retention depend on the namespace tier (Basic and Standard 32
  partitions, Premium 100, Dedicated 1024; retention 1, 7, 90 and 90 days).
- Service Bus: topics and subscriptions need the Standard or Premium tier.
- PostgreSQL and MySQL flexible servers: high availability is not offered in the Burstable tier.
- App Service: Always On is not offered on Free and Shared plans.
- Storage: a container cannot allow anonymous access when its account disallows it; SFTP and NFS 3.0
  need the hierarchical namespace, which needs a StorageV2 or BlockBlobStorage account.
- Redis: VNet injection, clustering and data persistence are Premium features.
- Event Hubs: auto-inflate is not offered in the Basic tier.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.links import parents
from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource
from landing_zone.preview.recorder import UNKNOWN

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


ACR_TYPES = ("azure-native:containerregistry:Registry", "azure:containerservice/registry:Registry")
_ACR_PREMIUM: dict[str, tuple[tuple[str, str, object], ...]] = {
    # (input path, what it is, the value that needs Premium: a string compared without case, True, or "nonempty")
    "azure-native:containerregistry:registry": (
        ("networkRuleSet.defaultAction", "a firewall (network rule set) that denies by default", "deny"),
        ("networkRuleSet.ipRules", "IP network rules", "nonempty"),
        ("publicNetworkAccess", "disabled public network access", "disabled"),
        ("dataEndpointEnabled", "dedicated data endpoints", True),
        ("policies.retentionPolicy.status", "the retention policy for untagged manifests", "enabled"),
    ),
    "azure:containerservice/registry:registry": (
        ("networkRuleSet.defaultAction", "a firewall (network rule set) that denies by default", "deny"),
        ("networkRuleSet.ipRules", "IP network rules", "nonempty"),
        ("publicNetworkAccessEnabled", "disabled public network access", False),
        ("dataEndpointEnabled", "dedicated data endpoints", True),
        ("retentionPolicyInDays", "the retention policy for untagged manifests", "set"),
        ("georeplications", "geo-replication", "nonempty"),
    ),
}


def _sku_name(resource: Resource, classic: str = "sku") -> str | None:
    """The SKU name, lowercase: azure-native's ``sku.name``, the classic provider's flat ``classic`` input."""
    return _text(resource, "sku.name" if resource.token.startswith("azure-native:") else classic)


def _needs_premium(resource: Resource, path: str, wanted: object) -> bool:
    for _, raw, _ in resource.raw(path):
        if raw is None or (isinstance(raw, str) and UNKNOWN in raw):
            continue
        if wanted == "set" and isinstance(raw, int | float) and not isinstance(raw, bool):
            return True
        if wanted == "nonempty" and isinstance(raw, list) and len(raw) > 0:
            return True
        if isinstance(wanted, bool) and raw is wanted:
            return True
        if isinstance(wanted, str) and isinstance(raw, str) and raw.lower() == wanted:
            return True
    return False


def _registry(resource: Resource, context: Context) -> Iterator[Finding]:
    sku = _sku_name(resource)
    if sku is None or sku == "premium":
        return
    for path, what, wanted in _ACR_PREMIUM.get(resource.token.lower(), ()):
        if _needs_premium(resource, path, wanted):
            yield Finding(path, f"{what} needs the Premium registry SKU; this registry is {sku}")


def _replication(resource: Resource, context: Context) -> Iterator[Finding]:
    for registry in parents(resource, context, "registryName", *ACR_TYPES):
        sku = _sku_name(registry)
        if sku is not None and sku != "premium":
            yield Finding(
                "registryName",
                f"geo-replication needs the Premium registry SKU; registry '{registry.registration.name}' is {sku}",
            )


REDIS_TYPES = ("azure-native:redis:Redis", "azure:redis/cache:Cache")
#: The create API's Sku: "family ... (C = Basic/Standard, P = Premium)"; capacity "for C (Basic/Standard) family
#: (0, 1, 2, 3, 4, 5, 6), for P (Premium) family (1, 2, 3, 4)". P5 is accepted too (lenient: a real Premium size).
_REDIS_FAMILY = {"basic": ("c", range(0, 7)), "standard": ("c", range(0, 7)), "premium": ("p", range(1, 6))}


def _redis(resource: Resource, context: Context) -> Iterator[Finding]:
    native = resource.token.startswith("azure-native:")
    name = _sku_name(resource, "skuName")
    family_path, capacity_path = ("sku.family", "sku.capacity") if native else ("family", "capacity")
    if name not in _REDIS_FAMILY:
        return
    family, capacities = _REDIS_FAMILY[name]
    given = _text(resource, family_path)
    if given is not None and given != family:
        yield Finding(family_path, f"a {name} cache is family {family.upper()}; family {given.upper()} is not offered")
        return
    capacity = resource.value(capacity_path)
    number = capacity.number if capacity is not None else None
    if number is not None and (not number.is_integer() or int(number) not in capacities):
        shown = f"{capacities.start}-{capacities.stop - 1}"
        yield Finding(capacity_path, f"a {name} cache takes capacity {shown}; {capacity.shown()} is not offered")  # type: ignore[union-attr]


EVENTHUB_NAMESPACES = ("azure-native:eventhub:Namespace", "azure:eventhub/eventHubNamespace:EventHubNamespace")
#: Per namespace tier: (partitions per event hub, retention days).
_EVENTHUB_TIERS = {"basic": (32, 1), "standard": (32, 7), "premium": (100, 90)}
_EVENTHUB_INPUTS = {
    "azure-native:eventhub:eventhub": (
        "partitionCount",
        "messageRetentionInDays",
        "retentionDescription.retentionTimeInHours",
    ),
    "azure:eventhub/eventhub:eventhub": (
        "partitionCount",
        "messageRetention",
        "retentionDescription.retentionTimeInHours",
    ),
}


def _eventhub_tier(namespace: Resource) -> str | None:
    """The namespace tier; None when unknown or in a Dedicated cluster (whose limits are larger)."""
    if namespace.has("clusterArmId") or namespace.has("dedicatedClusterId"):
        return None
    return _sku_name(namespace)


def _eventhub(resource: Resource, context: Context) -> Iterator[Finding]:
    partitions, days, hours = _EVENTHUB_INPUTS[resource.token.lower()]
    namespaces = [
        n for prop in ("namespaceName", "namespaceId") for n in parents(resource, context, prop, *EVENTHUB_NAMESPACES)
    ]
    tiers = {_eventhub_tier(n) for n in namespaces}
    if len(tiers) != 1 or (tier := tiers.pop()) not in _EVENTHUB_TIERS:
        return
    max_partitions, max_days = _EVENTHUB_TIERS[tier]
    for path, limit, unit in (
        (partitions, max_partitions, "partitions"),
        (days, max_days, "days"),
        (hours, max_days * 24, "hours"),
    ):
        value = resource.value(path)
        number = value.number if value is not None else None
        if number is not None and not 1 <= number <= limit:
            yield Finding(
                path, f"a {tier} namespace's event hubs take 1-{limit} {unit}; {value.shown()} is not allowed"
            )  # type: ignore[union-attr]


SERVICEBUS_NAMESPACES = ("azure-native:servicebus:Namespace", "azure:servicebus/namespace:Namespace")
_SERVICEBUS_TOPIC_PARENT = {
    "azure-native:servicebus:topic": ("namespaceName",),
    "azure:servicebus/topic:topic": ("namespaceId", "namespaceName"),
}


def _servicebus_topic(resource: Resource, context: Context) -> Iterator[Finding]:
    for prop in _SERVICEBUS_TOPIC_PARENT[resource.token.lower()]:
        for namespace in parents(resource, context, prop, *SERVICEBUS_NAMESPACES):
            tier = _sku_name(namespace)
            if tier == "basic":
                yield Finding(
                    prop,
                    f"topics need the Standard or Premium tier; namespace '{namespace.registration.name}' is Basic",
                )
                return


#: PostgreSQL (how-to-configure-high-availability#limitations-and-considerations): "The Burstable tier doesn't
#: support high availability." MySQL (learn.microsoft.com/azure/mysql/flexible-server/concepts-high-availability
#: #limitations): "High availability isn't supported in the burstable compute tier."
_HA_TYPES = {
    "azure-native:dbforpostgresql:server": ("sku.tier", "highAvailability.mode"),
    "azure-native:dbformysql:server": ("sku.tier", "highAvailability.mode"),
    "azure:postgresql/flexibleserver:flexibleserver": ("skuName", "highAvailability.mode"),
    "azure:mysql/flexibleserver:flexibleserver": ("skuName", "highAvailability.mode"),
}


def _burstable_ha(resource: Resource, context: Context) -> Iterator[Finding]:
    tier_path, mode_path = _HA_TYPES[resource.token.lower()]
    tier = _text(resource, tier_path)
    burstable = tier == "burstable" if tier_path == "sku.tier" else (tier or "").startswith("b_")
    mode = _text(resource, mode_path)
    if burstable and mode is not None and mode != "disabled":
        yield Finding(mode_path, "high availability is not offered in the Burstable tier")


PLAN_TYPES = (
    "azure-native:web:AppServicePlan",
    "azure:appservice/servicePlan:ServicePlan",
    "azure:appservice/plan:Plan",
)
#: The App Service limits table's "Always On" row is empty for Free and Shared, checked for Basic and above.
_FREE_PLANS = {"f1", "d1", "free", "shared"}
_SITE_PLAN_INPUT = {
    "azure-native:web:webapp": "serverFarmId",
    "azure-native:web:webappslot": "serverFarmId",
    "azure:appservice/linuxwebapp:linuxwebapp": "servicePlanId",
    "azure:appservice/windowswebapp:windowswebapp": "servicePlanId",
    "azure:appservice/linuxfunctionapp:linuxfunctionapp": "servicePlanId",
    "azure:appservice/windowsfunctionapp:windowsfunctionapp": "servicePlanId",
    "azure:appservice/appservice:appservice": "appServicePlanId",
}


def _plan_is_free(plan: Resource) -> bool:
    for path in ("sku.name", "sku.tier", "skuName", "sku.size"):
        value = _text(plan, path)
        if value is not None and value in _FREE_PLANS:
            return True
    return False


def _always_on(resource: Resource, context: Context) -> Iterator[Finding]:
    value = resource.value("siteConfig.alwaysOn")
    if value is None or value.value is not True:
        return
    plan_input = _SITE_PLAN_INPUT[resource.token.lower()]
    for plan in context.referenced(resource, plan_input, *PLAN_TYPES):
        if _plan_is_free(plan):
            yield Finding(
                "siteConfig.alwaysOn",
                f"Always On is not offered on Free and Shared plans; plan '{plan.registration.name}' is one",
            )
            return


STORAGE_ACCOUNTS = ("azure-native:storage:StorageAccount", "azure:storage/account:Account")
_CONTAINER_INPUTS = {
    "azure-native:storage:blobcontainer": ("publicAccess", ("accountName",)),
    "azure:storage/container:container": ("containerAccessType", ("storageAccountId", "storageAccountName")),
}


def _public_container(resource: Resource, context: Context) -> Iterator[Finding]:
    """Anonymous access page: "If anonymous access is denied for the storage account, you will not be able to
    configure anonymous access for a container."
    """
    access_path, account_inputs = _CONTAINER_INPUTS[resource.token.lower()]
    access = _text(resource, access_path)
    if access not in {"blob", "container"}:
        return
    for prop in account_inputs:
        for account in parents(resource, context, prop, *STORAGE_ACCOUNTS):
            flag = (
                "allowBlobPublicAccess" if account.token.startswith("azure-native:") else "allowNestedItemsToBePublic"
            )
            allowed = account.value(flag)
            if allowed is not None and allowed.value is False:
                yield Finding(
                    access_path,
                    f"anonymous '{access}' access is refused: storage account '{account.registration.name}' sets"
                    f" {flag} false",
                )
                return


_REDIS_PREMIUM = (
    ("subnetId", "VNet injection", "set"),
    ("shardCount", "clustering", "set"),
    ("redisConfiguration.rdbBackupEnabled", "RDB data persistence", "true"),
    ("redisConfiguration.aofBackupEnabled", "AOF data persistence", "true"),
)


def _redis_premium(resource: Resource, context: Context) -> Iterator[Finding]:
    name = _sku_name(resource, "skuName")
    if name not in {"basic", "standard"}:
        return
    for path, what, wanted in _REDIS_PREMIUM:
        value = resource.value(path)
        if value is None:
            continue
        present = wanted == "set" and (value.text or value.number)
        enabled = wanted == "true" and str(value.value).lower() == "true"
        if present or enabled:
            yield Finding(path, f"{what} needs the Premium tier; this cache is {name}")


def _auto_inflate(resource: Resource, context: Context) -> Iterator[Finding]:
    """Auto-inflate page: "The auto-inflate feature is currently supported only in the standard tier" (Premium not judged)."""
    native = resource.token.startswith("azure-native:")
    flag = "isAutoInflateEnabled" if native else "autoInflateEnabled"
    value = resource.value(flag)
    if value is not None and value.value is True and _sku_name(resource) == "basic":
        yield Finding(flag, "auto-inflate is not offered in the Basic tier")


_STORAGE_FLAGS = {
    "azure-native:storage:storageaccount": (
        "kind",
        "isHnsEnabled",
        (("isSftpEnabled", "SFTP"), ("enableNfsV3", "NFS 3.0")),
    ),
    "azure:storage/account:account": (
        "accountKind",
        "isHnsEnabled",
        (("sftpEnabled", "SFTP"), ("nfsv3Enabled", "NFS 3.0")),
    ),
}
#: SFTP prerequisites: "A standard general-purpose v2 or premium block blob storage account" and "The hierarchical
#: namespace feature of the account must be enabled". NFS 3.0 (network-file-system-protocol-support): "NFS 3.0
#: protocol support requires blobs to be organized into a hierarchical namespace". Data Lake Storage capabilities
#: (the hierarchical namespace) "are supported in ... General-purpose v2, BlockBlobStorage"
#: (learn.microsoft.com/azure/storage/blobs/create-data-lake-storage-account).
_HNS_KINDS = {"storagev2", "blockblobstorage"}


def _hierarchical_namespace(resource: Resource, context: Context) -> Iterator[Finding]:
    kind_path, hns_path, needs_hns = _STORAGE_FLAGS[resource.token.lower()]
    hns = resource.value(hns_path)
    if resource.is_unknown(hns_path):
        return
    hns_on = hns is not None and hns.value is True
    for path, what in needs_hns:
        value = resource.value(path)
        if value is not None and value.value is True and not hns_on:
            yield Finding(path, f"{what} needs the hierarchical namespace ({hns_path}: true)")
    kind = _text(resource, kind_path)
    if hns_on and kind is not None and kind not in _HNS_KINDS:
        yield Finding(
            hns_path, f"the hierarchical namespace needs a StorageV2 or BlockBlobStorage account; this one is {kind}"
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
    yield Constraint(
        id="containerregistry.premium-features",
        title="Firewall rules, disabled public access, data endpoints, retention and geo-replication need a Premium registry",
        reference="https://learn.microsoft.com/azure/container-registry/container-registry-skus",
        types=frozenset(ACR_TYPES),
        check=_registry,
    )
    yield Constraint(
        id="containerregistry.replication-premium",
        title="A registry replication needs a Premium registry",
        reference="https://learn.microsoft.com/azure/container-registry/container-registry-geo-replication",
        types=frozenset(("azure-native:containerregistry:Replication",)),
        check=_replication,
    )
    yield Constraint(
        id="redis.sku-family-capacity",
        title="Redis family and capacity match the SKU (Basic/Standard: C0-C6, Premium: P1-P5)",
        reference="https://learn.microsoft.com/rest/api/redis/redis/create#sku",
        types=frozenset(REDIS_TYPES),
        check=_redis,
    )
    yield Constraint(
        id="eventhub.tier-limits",
        title="Event hub partitions and retention within the namespace tier's limits",
        reference="https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas",
        types=frozenset(("azure-native:eventhub:EventHub", "azure:eventhub/eventHub:EventHub")),
        check=_eventhub,
    )
    yield Constraint(
        id="servicebus.topics-need-standard",
        title="Service Bus topics need the Standard or Premium tier",
        reference="https://learn.microsoft.com/azure/service-bus-messaging/service-bus-premium-messaging",
        types=frozenset(("azure-native:servicebus:Topic", "azure:servicebus/topic:Topic")),
        check=_servicebus_topic,
    )
    yield Constraint(
        id="database.burstable-high-availability",
        title="PostgreSQL and MySQL flexible servers in the Burstable tier have no high availability",
        reference="https://learn.microsoft.com/azure/postgresql/high-availability/how-to-configure-high-availability#limitations-and-considerations",
        types=frozenset(
            (
                "azure-native:dbforpostgresql:Server",
                "azure-native:dbformysql:Server",
                "azure:postgresql/flexibleServer:FlexibleServer",
                "azure:mysql/flexibleServer:FlexibleServer",
            )
        ),
        check=_burstable_ha,
    )
    yield Constraint(
        id="web.always-on-plan",
        title="Always On needs a Basic or higher App Service plan",
        reference="https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#app-service-limits",
        types=frozenset(
            (
                "azure-native:web:WebApp",
                "azure-native:web:WebAppSlot",
                "azure:appservice/linuxWebApp:LinuxWebApp",
                "azure:appservice/windowsWebApp:WindowsWebApp",
                "azure:appservice/linuxFunctionApp:LinuxFunctionApp",
                "azure:appservice/windowsFunctionApp:WindowsFunctionApp",
                "azure:appservice/appService:AppService",
            )
        ),
        check=_always_on,
    )
    yield Constraint(
        id="storage.container-anonymous-access",
        title="A container allows anonymous access only when its storage account does",
        reference="https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-configure#set-the-anonymous-access-level-for-a-container",
        types=frozenset(("azure-native:storage:BlobContainer", "azure:storage/container:Container")),
        check=_public_container,
    )
    yield Constraint(
        id="redis.premium-features",
        title="VNet injection, clustering and data persistence need a Premium cache",
        reference="https://learn.microsoft.com/azure/azure-cache-for-redis/cache-overview#feature-comparison",
        types=frozenset(REDIS_TYPES),
        check=_redis_premium,
    )
    yield Constraint(
        id="eventhub.auto-inflate-tier",
        title="Event Hubs auto-inflate is not offered in the Basic tier",
        reference="https://learn.microsoft.com/azure/event-hubs/event-hubs-auto-inflate",
        types=frozenset(EVENTHUB_NAMESPACES),
        check=_auto_inflate,
    )
    yield Constraint(
        id="storage.hierarchical-namespace",
        title="SFTP and NFS 3.0 need the hierarchical namespace, which needs a StorageV2 or BlockBlobStorage account",
        reference="https://learn.microsoft.com/azure/storage/blobs/secure-file-transfer-protocol-support-how-to#prerequisites",
        types=frozenset(STORAGE_ACCOUNTS),
        check=_hierarchical_namespace,
    )
