"""Upgrade safety: a change to a URN, a physical name, a location or a `protect` flag must be deliberate.

Pulumi identifies a resource by its URN (project, stack, parent type chain, type, logical name). A change to
any of them, to the physical name (``vaultName``, ``accountName``, ...) or to the location makes
``pulumi up`` delete the deployed resource and create a new one: a PHI store loses its data, and a deleted
Key Vault's name stays reserved for the whole soft-delete period. This test previews the reference program
and examples/full-phi-environment and compares what they register with the golden snapshots in
``tests/snapshots/<program>.json``. Any difference fails it.

An intended move (a renamed logical name, a new parent component) keeps the deployed resource when the new
code says where it used to be: ``opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="old-name")])``
(or ``parent=``/``type_=`` for the old parent or type). Then update the snapshot deliberately, in the same
pull request, so the reviewer sees the change:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_upgrade_snapshot.py
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from landing_zone.preview.engine import preview
from landing_zone.preview.provider_check import sdk_resource
from landing_zone.preview.recorder import ROOT_STACK_TYPE, UNKNOWN, Registration
from landing_zone.preview.runner import record

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE_COMMAND = "UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_upgrade_snapshot.py"
#: program -> (folder, stack)
PROGRAMS = {
    "reference": (ROOT, "dev"),
    "full-phi-environment": (ROOT / "examples" / "full-phi-environment", "prod"),
}


def physical_name(registration: Registration) -> Any:
    """The resource's own name input as the provider receives it (after Check): ``vaultName``, ``accountName``,
    ``resourceGroupName`` of a group, else ``name``; None for types without one (components, providers)."""
    inputs = registration.checked_inputs
    sdk = sdk_resource(registration.type)
    key = sdk.name_input if sdk is not None else None
    if key is None and "name" in inputs and registration.custom:
        key = "name"
    value = inputs.get(key) if key else None
    return "(unknown at preview)" if value == UNKNOWN else value


def snapshot_of(registrations: list[Registration]) -> dict[str, dict[str, Any]]:
    """URN -> its physical name, location and protect flag."""
    entries: dict[str, dict[str, Any]] = {}
    for registration in registrations:
        location = registration.checked_inputs.get("location")
        entries[registration.urn] = {
            "name": physical_name(registration),
            "location": "(unknown at preview)" if location == UNKNOWN else location,
            "protect": registration.protect,
        }
    return dict(sorted(entries.items()))


def alias_urns(registration: Registration) -> set[str]:
    """The URNs a resource's ``aliases`` say it used to have (a spec resolves as the engine resolves it)."""
    stack, project = registration.urn.split("::")[0].removeprefix("urn:pulumi:"), registration.urn.split("::")[1]
    found: set[str] = set()
    for alias in registration.aliases:
        if "urn" in alias:
            found.add(str(alias["urn"]))
            continue
        parent = None if alias.get("noParent") else alias.get("parentUrn", registration.parent)
        type_token = str(alias.get("type", registration.type))
        parent_type = parent.split("::")[2] if parent else ""
        qualified = f"{parent_type}${type_token}" if parent_type and parent_type != ROOT_STACK_TYPE else type_token
        found.add(
            f"urn:pulumi:{alias.get('stack', stack)}::{alias.get('project', project)}::{qualified}::"
            f"{alias.get('name', registration.name)}"
        )
    return found


def _record(program: str, tmp_path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The snapshot of the program as it is now, and each aliased old URN with the URN that now claims it."""
    folder, stack = PROGRAMS[program]
    if folder == ROOT:  # the reference program: preview a copy of just the project, not the whole checkout
        project = tmp_path / "reference"
        project.mkdir()
        for name in ("Pulumi.yaml", f"Pulumi.{stack}.yaml"):
            shutil.copy(ROOT / name, project / name)
        shutil.copytree(ROOT / "landing_zone" / "program", project / "landing_zone" / "program")
        folder = project
    registrations = preview(folder, stack, policy_packs=[]).run.registrations
    aliased = {old: r.urn for r in registrations for old in alias_urns(r)}
    return snapshot_of(registrations), aliased


def _explain(
    program: str, old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], aliased: dict[str, str]
) -> str:
    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    lines = [f"{program}: the resources differ from tests/snapshots/{program}.json."]
    if removed:
        lines.append(f"{len(removed)} URN(s) gone (`pulumi up` would DELETE these deployed resources):")
        lines += [
            f"  - {urn}"
            + (" [protect]" if old[urn]["protect"] else "")
            + (f" (aliased by {aliased[urn]}: adopted, not replaced)" if urn in aliased else "")
            for urn in removed
        ]
    if added:
        lines.append(f"{len(added)} new URN(s) (created; a renamed resource shows as one gone and one new):")
        lines += [f"  + {urn}" for urn in added]
    for urn in sorted(set(old) & set(new)):
        for key, what in (
            ("name", "physical name (REPLACES the resource)"),
            ("location", "location (REPLACES it)"),
            ("protect", "protect flag"),
        ):
            if old[urn][key] != new[urn][key]:
                lines.append(f"  ~ {urn}: {what}: {old[urn][key]!r} -> {new[urn][key]!r}")
    lines += [
        "A changed URN or physical name replaces a deployed resource: a PHI store loses its data and a deleted Key",
        "Vault's name stays reserved through soft delete. If the move is intended, give the resource its old",
        "identity with `opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name=..., parent=...)])` (physical names",
        "cannot be aliased: keep them), check that `pulumi preview` on a deployed stack shows no replace, then",
        f"update the snapshot deliberately in the same change: {UPDATE_COMMAND}",
    ]
    return "\n".join(lines)


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_urns_names_locations_and_protect_match_the_snapshot(program: str, tmp_path: Path) -> None:
    current, aliased = _record(program, tmp_path)
    path = SNAPSHOTS / f"{program}.json"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    assert path.is_file(), f"no snapshot {path}; create it with {UPDATE_COMMAND}"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert current == expected, _explain(program, expected, current, aliased)


def test_every_stateful_resource_in_the_snapshots_has_a_physical_name_and_protect() -> None:
    """The snapshots cover what matters: each Key Vault, storage account, server, workspace and backup vault is
    named and protected in production (so a test run that recorded nothing useful cannot pass)."""
    stateful = (
        "keyvault:Vault",
        "storage:StorageAccount",
        "sql:Server",
        "dbforpostgresql:Server",
        "operationalinsights:Workspace",
        "dataprotection:BackupVault",
    )
    for program in PROGRAMS:
        entries = json.loads((SNAPSHOTS / f"{program}.json").read_text(encoding="utf-8"))
        found = {
            urn: entry
            for urn, entry in entries.items()
            if urn.split("::")[-2].split("$")[-1].split(":", 1)[-1] in stateful
        }
        assert len(found) >= 4, program
        for urn, entry in found.items():
            assert isinstance(entry["name"], str) and entry["name"], urn
            assert entry["protect"] is True, urn


def test_an_alias_names_the_urn_a_moved_resource_had() -> None:
    """What the failure message relies on to tell an adopted move from a replacement."""
    import pulumi
    from pulumi_azure_native import resources

    class Holder(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("test:index:Holder", name)

    def program() -> None:
        holder = Holder("holder")
        resources.ResourceGroup(
            "renamed",
            resource_group_name="rg-kept",
            location="eastus2",
            opts=pulumi.ResourceOptions(
                parent=holder, aliases=[pulumi.Alias(name="original", parent=pulumi.ROOT_STACK_RESOURCE)]
            ),
        )
        resources.ResourceGroup(
            "by-urn",
            resource_group_name="rg-other",
            location="eastus2",
            opts=pulumi.ResourceOptions(aliases=["urn:pulumi:test::test::azure-native:resources:ResourceGroup::old"]),
        )

    run = record(program)
    named = {r.name: r for r in run.by_type("azure-native:resources:ResourceGroup")}
    moved, by_urn = named["renamed"], named["by-urn"]
    assert moved.urn == "urn:pulumi:test::test::test:index:Holder$azure-native:resources:ResourceGroup::renamed"
    assert alias_urns(moved) == {"urn:pulumi:test::test::azure-native:resources:ResourceGroup::original"}
    assert alias_urns(by_urn) == {"urn:pulumi:test::test::azure-native:resources:ResourceGroup::old"}
