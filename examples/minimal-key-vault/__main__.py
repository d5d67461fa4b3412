"""A hardened Key Vault in an existing network: the smallest stack that passes every guardrail.

It brings what the policy pack requires of any PHI store: the vault's audit logs in a workspace of
this stack, a private endpoint in an existing subnet resolved by an existing private DNS zone, the
subscription's activity log exported, and Microsoft Defender for Key Vault at the Standard tier.
"""

import pulumi
from pulumi_azure_native import authorization, monitor, operationalinsights, resources, security

from components.interfaces import DiagnosticsArgs, PrivateEndpointArgs, Waiver
from components.key_vault import KeyVault, KeyVaultArgs

config = pulumi.Config()
location = pulumi.Config("azure-native").require("location")
# `environmentClass: nonprod` (a sandbox, the end-to-end tests) drops protect and the delete lock so
# `pulumi destroy` completes; production (the default) keeps both.
environment_class = config.get("environmentClass") or "prod"
if environment_class not in ("prod", "nonprod"):
    raise pulumi.RunError(f"environmentClass must be prod or nonprod, not {environment_class!r}")
production = environment_class == "prod"
tags = {
    "dataClassification": "phi",
    "owner": config.require("owner"),
    "environment": pulumi.get_stack(),
    "environmentClass": environment_class,
}
client = authorization.get_client_config_output()
stateful = (
    {}
    if production
    else {
        "lock": None,
        "lock_waiver": Waiver(
            reason="environmentClass is nonprod: the stack must be destroyable", approver="the stack config's owner"
        ),
        "protect": False,
        "soft_delete_retention_days": 7,
    }
)

group = resources.ResourceGroup("keys", location=location, tags=tags, opts=pulumi.ResourceOptions(protect=production))
workspace = operationalinsights.Workspace(
    "audit",
    resource_group_name=group.name,
    location=location,
    sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
    retention_in_days=90,
    features=operationalinsights.WorkspaceFeaturesArgs(disable_local_auth=True),
    tags=tags,
    opts=pulumi.ResourceOptions(protect=production),
)
vault = KeyVault(
    "keys",
    KeyVaultArgs(
        resource_group_name=group.name,
        location=location,
        tenant_id=client.tenant_id,
        vault_name=config.require("vaultName"),
        diagnostics=DiagnosticsArgs(workspace_id=workspace.id),
        private_endpoint=PrivateEndpointArgs(
            subnet_id=config.require("endpointSubnetId"),
            private_dns_zone_ids={"vault": config.require("vaultDnsZoneId")},
        ),
        tags=tags,
        **stateful,
    ),
)
monitor.SubscriptionDiagnosticSetting(
    "activity-log",
    name="activity-log-to-audit-workspace",
    workspace_id=workspace.id,
    logs=[
        monitor.SubscriptionLogSettingsArgs(category=c, enabled=True) for c in ("Administrative", "Security", "Policy")
    ],
)
security.Pricing(
    "defender-key-vaults",
    pricing_name="KeyVaults",
    pricing_tier="Standard",
    sub_plan="PerKeyVault",
    scope_id=pulumi.Output.concat("/subscriptions/", client.subscription_id),
)
pulumi.export("vaultUri", vault.vault_uri)
pulumi.export("vaultId", vault.resource_id)
