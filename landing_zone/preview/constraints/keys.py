"""Key types and sizes each customer-managed-key consumer accepts (``data/cmk_keys.json``).

A consumer (a SQL server key, a storage account, a PostgreSQL server, a backup vault) names its key
by URI or by vault and key name, usually from the Key resource's outputs: the check follows the
consumer's property dependencies (or a known URI) to the ``keyvault:Key`` registration and compares
that key's ``kty`` and ``keySize`` with what the consumer's service documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from landing_zone.preview.constraints.data import load
from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type

KEY_TYPES = ("azure-native:keyvault:Key", "azure:keyvault/key:Key")
_KEY_URI = re.compile(r"^https://([^./]+)\.vault\.[^/]+/keys/([^/]+)", re.IGNORECASE)
_VAULT_URI = re.compile(r"^https://([^./]+)\.vault\.", re.IGNORECASE)


def key_shape(key: Resource) -> tuple[str | None, int | None]:
    """(kty, size) of a Key registration; RSA keys default to 2048 bits when no size is given."""
    if key.token == "azure:keyvault/key:Key":
        kty, size = key.value("keyType"), key.value("keySize")
    else:
        kty, size = key.value("properties.kty"), key.value("properties.keySize")
    kty_text = kty.text if kty is not None else None
    size_number = size.number if size is not None else None
    size_unknown = key.is_unknown("properties.keySize") or key.is_unknown("keySize")
    if size is None and not size_unknown and kty_text is not None and kty_text.upper().startswith("RSA"):
        return kty_text, 2048
    return kty_text, int(size_number) if size_number is not None else None


def _key_named(context: Context, vault: str, name: str) -> list[Resource]:
    found = []
    for resource in context.resources:
        if resource.token not in KEY_TYPES:
            continue
        key_name = resource.value("keyName") or resource.value("name")
        vault_name = resource.value("vaultName")
        if (
            key_name
            and vault_name
            and str(key_name.value).lower() == name.lower()
            and str(vault_name.value).lower() == vault.lower()
        ):
            found.append(resource)
    return found


def linked_keys(resource: Resource, context: Context, row: Mapping[str, Any]) -> list[Resource]:
    keys: list[Resource] = []

    def add(items: Iterable[Resource]) -> None:
        for item in items:
            if item not in keys:
                keys.append(item)

    for prop in row["links"].get(resource.token, []):
        add(context.referenced(resource, prop, *KEY_TYPES))
    for token, path in row.get("uris", {}).items():
        if token.split("#")[0] != resource.token:
            continue
        value = resource.value(path)
        match = _KEY_URI.match(value.text or "") if value is not None else None
        if match:
            add(_key_named(context, match.group(1), match.group(2)))
    vault_key = row.get("vaultKey", {}).get(resource.token)
    if vault_key:
        uri, name = resource.value(vault_key[0]), resource.value(vault_key[1])
        match = _VAULT_URI.match(uri.text or "") if uri is not None else None
        if match and name is not None and name.text:
            add(_key_named(context, match.group(1), name.text))
    return keys


def _check(row: Mapping[str, Any]) -> Any:
    allowed_types = {kty.upper() for kty in row["kty"]}
    sizes = set(row["sizes"])

    def check(resource: Resource, context: Context) -> Iterator[Finding]:
        for key in linked_keys(resource, context, row):
            kty, size = key_shape(key)
            label = f"key '{key.registration.name}'"
            prop = next(iter(row["links"].get(resource.token, ["(key)"])))
            if kty is not None and kty.upper() not in allowed_types:
                yield Finding(prop, f"{row['consumer']} accepts {' or '.join(row['kty'])} keys; {label} is {kty}")
            elif size is not None and size not in sizes and (kty is None or kty.upper().startswith("RSA")):
                accepted = ", ".join(str(s) for s in sorted(sizes))
                yield Finding(prop, f"{row['consumer']} accepts RSA keys of {accepted} bits; {label} has {size}")

    return check


def cmk_constraints() -> Iterable[Constraint]:
    for row in load("cmk_keys")["consumers"]:
        yield Constraint(
            id=row["id"],
            title=f"Key type and size accepted by {row['consumer']}",
            reference=row["reference"],
            types=frozenset(normalize_type(token) for token in row["links"]),
            check=_check(row),
        )
