"""Which resource types store data, for the auditor report's PHI inventory, read from the policy pack's kinds catalog.

A PHI tag on a DNS zone, a network or a role assignment marks no store of PHI, so the inventory lists
only data stores. Which kinds those are is already said, once, by the pack's kinds catalog
(``phi_guardrails/data/kinds/*.json``): a kind that holds PHI itself (``holdsPhi``) or whose loss loses
data (``stateful``) is a data store. The engine reads those files from the pack it already locates
(`pack_location.bundled_policy_pack`) and imports nothing of the pack, which stays self-contained.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from landing_zone.preview.pack_location import bundled_policy_pack

#: The kinds catalog inside a pack folder.
KINDS_FOLDER = Path("phi_guardrails") / "data" / "kinds"


class DataStoreCatalogError(RuntimeError):
    """The pack's kinds catalog is missing or malformed: the report cannot tell data stores apart, so it is not written."""


@cache
def data_store_types(pack_dir: Path | None = None) -> frozenset[str]:
    """Every type token (azure-native without API version, and classic) of a kind that holds PHI or is stateful.

    ``pack_dir`` defaults to this library's own pack. Raises DataStoreCatalogError naming the file.
    """
    pack = pack_dir or bundled_policy_pack()
    folder = (pack / KINDS_FOLDER) if pack is not None else None
    files = sorted(folder.glob("*.json")) if folder is not None and folder.is_dir() else []
    if not files:
        raise DataStoreCatalogError(
            f"{folder or 'policy pack'}: the policy pack's kinds catalog is missing, so the report cannot list "
            "data stores; reinstall the package (the wheel ships the pack with its data files)"
        )
    types: set[str] = set()
    for path in files:
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise DataStoreCatalogError(f"{path}: not readable JSON ({error})") from None
        for record in records if isinstance(records, list) else [None]:
            if not isinstance(record, dict) or not all(
                isinstance(record.get(key), list) for key in ("native", "classic")
            ):
                raise DataStoreCatalogError(f"{path}: each kind record needs 'native' and 'classic' token lists")
            if record.get("holdsPhi") is True or record.get("stateful") is True:
                types.update(str(token) for token in (*record["native"], *record["classic"]))
    return frozenset(types)


__all__ = ["KINDS_FOLDER", "DataStoreCatalogError", "data_store_types"]
