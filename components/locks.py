"""Management locks for stateful resources: ``CanNotDelete`` unless the caller chose otherwise in writing.

A lock on a resource also covers its child and extension resources: diagnostic settings, role
assignments scoped to it, private endpoint connections, tables
(https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources). Deleting or
replacing one of those fails while the lock is on, so grants that may change (the deployer's) sit on
the resource group, which is never locked, and changing a locked resource's children is a change-window
step (README, "Things Azure will not let you undo"). Non-production stacks deploy without locks.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.interfaces import LockArgs


def lock_resource(
    name: str, scope: pulumi.Input[str], lock: LockArgs, resource_label: str, parent: pulumi.Resource
) -> Any:
    """Lock ``scope`` (a resource ID). The lock waits for the resource because it takes its ID as input."""
    from pulumi_azure_native import authorization

    return authorization.ManagementLockByScope(
        f"{name}-lock",
        scope=scope,
        level=lock.kind,
        notes=lock.notes,
        lock_name=f"{resource_label}-{lock.kind.lower()}",
        opts=pulumi.ResourceOptions(parent=parent),
    )
