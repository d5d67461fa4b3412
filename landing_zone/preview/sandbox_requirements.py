"""Say when a program failed because this environment does not hold the packages it asks for.

The offline preview runs a program with the Python packages installed next to landing-zone, not in the
program's own virtualenv as the Pulumi CLI does. A public example written for azure-native 2.x
(``pulumi_azure_native.insights``, ``network.IpAllocationMethod``) then fails with an import or attribute
error that says nothing about versions. This module compares the program's ``requirements.txt`` with what is
installed, so the message can name the mismatch.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

#: Failures a package version mismatch typically causes.
MISMATCH_SYMPTOMS = (ImportError, AttributeError, TypeError)

_MAX_NAMED = 4
#: ``AttributeError: module 'config' has no attribute 'location'``: the module the attribute was missing from.
_MODULE_ATTRIBUTE = re.compile(r"module '([\w.]+)' has no attribute")


def requirements_mismatches(program_dir: str | Path) -> list[str]:
    """Each requirement of ``requirements.txt`` this environment does not satisfy, as a short phrase."""
    path = Path(program_dir) / "requirements.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    found: list[str] = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text or text.startswith("-"):  # options and editable installs (-e ../..) are not checked
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            found.append(f"{requirement.name} is not installed")
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            found.append(f"{requirement.name}{requirement.specifier} asked, {installed} installed")
    return found


def _the_programs_own(cause: BaseException, program_dir: Path) -> bool:
    """True when the failing module is one of the program's own files (``import config`` then ``config.x``)."""
    name = getattr(cause, "name", None) if isinstance(cause, ImportError) else None
    if name is None:
        found = _MODULE_ATTRIBUTE.match(str(cause))
        name = found.group(1) if found else None
    if not name:
        return False
    top = name.split(".", 1)[0]
    return (program_dir / f"{top}.py").is_file() or (program_dir / top / "__init__.py").is_file()


def mismatch_hint(cause: BaseException, program_dir: str | Path) -> str:
    """A sentence to append to the failure's message, or "" when the failure is not a likely mismatch."""
    if not isinstance(cause, MISMATCH_SYMPTOMS) or not program_dir or _the_programs_own(cause, Path(program_dir)):
        return ""
    mismatches = requirements_mismatches(program_dir)
    if not mismatches:
        return ""
    named = "; ".join(mismatches[:_MAX_NAMED]) + ("; ..." if len(mismatches) > _MAX_NAMED else "")
    return (
        f" [this may come from package versions: the program's requirements.txt asks for what is not installed "
        f"here ({named}). The offline preview runs a program with the packages installed next to landing-zone: "
        "install the versions requirements.txt asks for there, or port the program to the installed SDKs.]"
    )
