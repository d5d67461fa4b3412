"""Where the policy pack lives: beside a checkout's packages, or installed from the wheel.

In the repository the pack is the top-level ``policy_pack/`` folder. The wheel installs that folder as
the package ``phi_landing_zone_policy_pack`` (setup.py): a folder in site-packages with
``PulumiPolicy.yaml``, ``__main__.py`` and ``phi_guardrails/``, which the Pulumi CLI and this engine
run as a pack. Nothing imports it as a package; it is only located.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

#: The installed name of the ``policy_pack/`` folder (setup.py's package-dir mapping).
INSTALLED_PACK_PACKAGE = "phi_landing_zone_policy_pack"
#: The checkout's pack, next to the ``landing_zone`` package (an editable install or a source tree).
CHECKOUT_PACK = Path(__file__).resolve().parents[2] / "policy_pack"


def is_pack_dir(folder: Path) -> bool:
    """A folder the Pulumi CLI accepts as a Python policy pack."""
    return (folder / "PulumiPolicy.yaml").is_file() and (folder / "__main__.py").is_file()


def installed_policy_pack() -> Path | None:
    """The pack folder the wheel installed, or None (not installed, or installed without its files)."""
    try:
        spec = importlib.util.find_spec(INSTALLED_PACK_PACKAGE)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        folder = Path(location)
        if is_pack_dir(folder):
            return folder.resolve()
    return None


def bundled_policy_pack() -> Path | None:
    """This library's own pack: the checkout's ``policy_pack/`` first (so edits there count), else the installed one."""
    if is_pack_dir(CHECKOUT_PACK):
        return CHECKOUT_PACK
    return installed_policy_pack()


__all__ = ["CHECKOUT_PACK", "INSTALLED_PACK_PACKAGE", "bundled_policy_pack", "installed_policy_pack", "is_pack_dir"]
