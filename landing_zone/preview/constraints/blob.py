"""Cross-field rules inside one resource that Azure validates together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource


def _restore_within_soft_delete(resource: Resource, context: Context) -> Iterator[Finding]:
    """Point-in-time restore needs versioning, change feed and blob soft delete longer than the restore period."""
    restore_enabled = resource.value("restorePolicy.enabled")
    if restore_enabled is None or restore_enabled.value is not True:
        return
    restore_days = resource.value("restorePolicy.days")
    delete_enabled = resource.value("deleteRetentionPolicy.enabled")
    delete_days = resource.value("deleteRetentionPolicy.days")
    if delete_enabled is not None and delete_enabled.value is False:
        yield Finding("restorePolicy", "point-in-time restore needs blob soft delete enabled")
    elif restore_days is not None and delete_days is not None:
        r, d = restore_days.number, delete_days.number
        if r is not None and d is not None and r >= d:
            yield Finding(
                "restorePolicy.days",
                f"the restore period ({int(r)} days) must be shorter than the blob soft-delete retention ({int(d)} days)",
            )
    for flag, label in (("isVersioningEnabled", "blob versioning"), ("changeFeed.enabled", "the change feed")):
        value = resource.value(flag)
        if value is not None and value.value is False:
            yield Finding(flag, f"point-in-time restore needs {label} enabled")


def blob_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="storage.point-in-time-restore",
        title="Point-in-time restore: versioning, change feed and a longer blob soft delete",
        reference="https://learn.microsoft.com/azure/storage/blobs/point-in-time-restore-overview#prerequisites-for-point-in-time-restore",
        types=frozenset(("azure-native:storage:BlobServiceProperties",)),
        check=_restore_within_soft_delete,
    )
