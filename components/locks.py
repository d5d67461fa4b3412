"""Management locks for stateful resources: ``CanNotDelete`` unless the caller chose otherwise in writing."""

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
