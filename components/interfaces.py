"""The optional interfaces every component shares, in the spirit of Azure Verified Modules.

Users learn one shape once: ``lock``, ``tags``, ``diagnostics``, ``private_endpoint``,
``customer_managed_key`` and ``role_assignments``. A component never creates the shared thing an
interface points to (the workspace, the subnet, the DNS zone, the key); it takes its ID.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeVar

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from landing_zone.errors import ConfigError, Problem, format_location


class StrictArgs(BaseModel):
    """Base for component arguments: unknown fields are errors, values are immutable once validated.

    Pulumi inputs that may be outputs of other resources are typed ``Any`` (pydantic cannot
    inspect an Output); every hardening setting is a plain literal so the policy pack sees it at
    preview.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


#: The approver recorded on waivers this library applies by design (reviewed with the design, not per stack).
DESIGN_APPROVER = "phi-landing-zone design review"


class Waiver(StrictArgs):
    """A written reason for weakening a secure default, and who accepted the risk.

    Both are recorded on the resource's tags (`waiver_tags`), where the preview reads them back and lists
    every waiver as a weakening in the console, the JSON and the compliance report. Surrounding
    whitespace is stripped, so a reason of spaces is refused.
    """

    model_config = ConfigDict(**StrictArgs.model_config, str_strip_whitespace=True)

    reason: str = Field(min_length=20, description="Why the default does not fit; at least 20 characters.")
    approver: str = Field(min_length=2, description="Who accepted the risk (a name or a role such as CISO).")


class LockArgs(StrictArgs):
    """A management lock on a stateful resource. ``CanNotDelete`` by default.

    Removing the lock takes ``lock=None`` plus a `Waiver` on the component, so it never happens silently.
    """

    kind: Literal["CanNotDelete", "ReadOnly"] = "CanNotDelete"
    notes: str = Field(
        default="Holds or protects PHI. Remove only through change control; see the landing-zone runbook.",
        max_length=512,
    )


class StatefulArgs(StrictArgs):
    """Base for the arguments of components that hold state (vaults, storage, databases, workspaces).

    They share one interface: a ``CanNotDelete`` lock that comes off only with a written
    ``lock_waiver``, and Pulumi ``protect`` so a ``destroy`` or a refactor cannot delete them.
    """

    lock: LockArgs | None = Field(default_factory=LockArgs)
    lock_waiver: Waiver | None = Field(default=None, description="Required when lock is None.")
    protect: bool = True

    @model_validator(mode="after")
    def _lock_removal_needs_waiver(self) -> StatefulArgs:
        if self.lock is None and self.lock_waiver is None:
            raise ValueError("lock=None removes the CanNotDelete lock; pass lock_waiver with a reason")
        return self


class DiagnosticsArgs(StrictArgs):
    """Where a resource sends its logs and metrics: a Log Analytics workspace, and optionally an archive.

    ``category_groups`` defaults to ``allLogs``, which includes the ``audit`` group. Use ``("audit",)``
    only with a written reason: other categories (requests, errors) are part of activity review too.
    """

    workspace_id: Any = Field(description="Resource ID of the Log Analytics workspace.")
    archive_storage_account_id: Any = Field(default=None, description="Resource ID of the immutable log archive.")
    category_groups: tuple[Literal["allLogs", "audit"], ...] = ("allLogs",)
    metrics: bool = True


class PrivateEndpointArgs(StrictArgs):
    """Reach a resource only through a private endpoint in ``subnet_id``, resolved by ``private_dns_zone_ids``.

    ``private_dns_zone_ids`` maps a private-link sub-resource (``vault``, ``blob``, ``sqlServer`` ...) to
    the ID of its ``privatelink.*`` zone. Exactly one DNS zone group is created per endpoint.
    """

    subnet_id: Any = Field(description="Resource ID of the private-endpoint subnet (in the spoke).")
    private_dns_zone_ids: Mapping[str, Any] = Field(
        description="Sub-resource -> private DNS zone resource ID (or a list of IDs, for sub-resources such as "
        "azuremonitor that register in several zones)."
    )
    resource_group_name: Any = Field(default=None, description="Where the endpoint lives; default: the resource's.")
    location: str | None = Field(default=None, description="Endpoint region; default: the resource's.")


class FlowLogArgs(StrictArgs):
    """Where VNet flow logs go: a flow-log storage account, with traffic analytics in the workspace.

    Flow logs attach to the region's Network Watcher; Azure creates ``NetworkWatcher_<region>`` in
    ``NetworkWatcherRG`` on first VNet deployment unless the subscription opted out.

    Without ``identity_resource_id`` Network Watcher writes with the account's keys, which fails on
    accounts with shared-key access off (every account here): a user-assigned identity holding
    "Storage Blob Data Contributor" on the account writes instead
    (https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview; the flow log's ``identity``:
    https://learn.microsoft.com/rest/api/network-watcher/flow-logs/create-or-update).
    ``depends_on`` holds that grant (and the wait for it to propagate).
    """

    storage_account_id: Any
    identity_resource_id: Any = Field(default=None, description="User-assigned identity the flow log writes with.")
    depends_on: Sequence[pulumi.Resource] = ()
    workspace_resource_id: Any
    workspace_customer_id: Any = Field(description="The workspace's customerId (a GUID), for traffic analytics.")
    workspace_region: str
    network_watcher_name: str
    network_watcher_resource_group_name: str = "NetworkWatcherRG"
    traffic_analytics_interval_minutes: Literal[10, 60] = 10


class RoleAssignmentArgs(StrictArgs):
    """A role for a principal on the component's main resource (AVM ``roleAssignments``)."""

    principal_id: Any
    role: str = Field(description="A built-in role name from components.roles.BUILT_IN_ROLES, or a role GUID.")
    principal_type: Literal["Group", "ServicePrincipal", "User", "ForeignGroup", "Device"] = "Group"
    description: str | None = None


class CustomerManagedKeyRef(StrictArgs):
    """What a CMK consumer needs from a `CustomerManagedKey` (its ``reference`` output).

    ``depends_on`` holds the identity, the key, the identity's role assignment on the key and the
    wait for that assignment to propagate: a consumer must be created after all of them, or Azure
    rejects the key (the identity cannot unwrap it yet).
    """

    key_name: Any
    vault_name: Any = None
    vault_uri: Any
    versionless_key_uri: Any
    key_uri_with_version: Any = Field(default=None, description="For services that pin a key version (Azure SQL TDE).")
    key_resource_id: Any
    identity_resource_id: Any
    identity_principal_id: Any
    identity_client_id: Any
    key_size: int | None = Field(default=None, description="RSA key size, for consumers that accept only some.")
    depends_on: Sequence[pulumi.Resource] = ()


ArgsT = TypeVar("ArgsT", bound=StrictArgs)


def validate_args(model: type[ArgsT], component: str, values: Mapping[str, Any]) -> ArgsT:
    """Validate component arguments before anything is registered; raise ConfigError naming each field."""
    try:
        return model.model_validate(dict(values))
    except ValidationError as error:
        problems = [
            Problem(format_location(tuple(item["loc"])), item["msg"].removeprefix("Value error, "))
            for item in error.errors(include_url=False)
        ]
        raise ConfigError(problems, source=component) from None


def waiver_tags(waivers: Mapping[str, Waiver | None]) -> dict[str, str]:
    """Tags recording each applied waiver: ``waiver:<name>`` its reason, ``waiver:<name>:approver`` its approver.

    Azure tag values hold at most 256 characters. The preview engine reads these two tags back
    (`landing_zone.preview.weakenings.waivers`) without importing this module.
    """
    tags: dict[str, str] = {}
    for name, waiver in waivers.items():
        if waiver is not None:
            tags[f"waiver:{name}"] = waiver.reason[:256]
            tags[f"waiver:{name}:approver"] = waiver.approver[:256]
    return tags
