"""The unambiguous import path of this library: ``phi_landing_zone.components`` and ``phi_landing_zone.landing_zone``.

The repository keeps its component resources in the top-level ``components/`` folder (and the
composition in ``landing_zone/``), so inside the project they import as ``components.key_vault``.
``components`` is a name another distribution may also use, so users import them through this
package instead: ``from phi_landing_zone.components.key_vault import KeyVault``.

These are aliases, not copies: ``phi_landing_zone.components.key_vault`` *is* the module object
``components.key_vault`` (one class per component, so ``isinstance`` and Pulumi's type registry agree
whichever path a program uses). A meta-path finder hands back the already-imported module under the
second name instead of executing the file again.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from importlib.metadata import PackageNotFoundError, version
from types import ModuleType

#: The distribution that installs this package (``pip install pulumi-azure-phi-landing-zone``).
DISTRIBUTION = "pulumi-azure-phi-landing-zone"
#: Public sub-paths and the real top-level packages they stand for.
_ALIASED = ("components", "landing_zone")

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"


class _AliasLoader(importlib.abc.Loader):
    """Returns the real module (imported under its own name) as the module for the alias."""

    def __init__(self, target: str) -> None:
        self._target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return importlib.import_module(self._target)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the real module was executed once, under its real name."""


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``phi_landing_zone.<aliased>[.sub...]`` as the module ``<aliased>[.sub...]``."""

    _prefix = __name__ + "."

    def find_spec(
        self, fullname: str, path: object = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(self._prefix):
            return None
        real = fullname[len(self._prefix) :]
        if real.split(".", 1)[0] not in _ALIASED:
            return None
        found = importlib.util.find_spec(real)
        if found is None:
            return None
        # a package stays a package (its submodules resolve through this finder too); a module gets no __path__
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(real), is_package=found.submodule_search_locations is not None
        )


if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
    sys.meta_path.insert(0, _AliasFinder())

__all__ = ["DISTRIBUTION", "__version__"]
