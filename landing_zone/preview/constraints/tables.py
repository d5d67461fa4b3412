"""Constraints that are tables: allowed values per property, name rules per resource type, input formats.

All come from dated data files (``data/values.json``, ``data/names.json``, ``data/formats.json``); each
row becomes one catalog entry with its own id, Microsoft reference and accepted/rejected example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from landing_zone.preview.constraints.data import load
from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type


def _allows(allowed: Sequence[Any], number: float) -> bool:
    for item in allowed:
        if isinstance(item, list):
            if item[0] <= number <= item[1]:
                return True
        elif number == item:
            return True
    return False


def _equals(value: Any, accepted: Sequence[Any], accepted_text: frozenset[str]) -> bool:
    """``value`` is one of ``accepted``; strings compare without case (ARM compares enum values without case).

    ``accepted_text`` is the lowercased strings of ``accepted``, built once per row rather than per value.
    """
    if isinstance(value, str):
        return value.lower() in accepted_text
    return any(value == item and type(value) is type(item) for item in accepted if not isinstance(item, str))


def _describe(allowed: Sequence[Any]) -> str:
    parts = [f"{item[0]}-{item[1]}" if isinstance(item, list) else str(item) for item in allowed]
    return ", ".join(parts)


def _value_check(row: Mapping[str, Any]) -> Any:
    paths = {normalize_type(token).lower(): path for token, path in row["types"].items()}
    allowed = row.get("allowed", [])
    equals = row.get("equals")
    equals_text = frozenset(item.lower() for item in equals or () if isinstance(item, str))
    unless = row.get("unless")
    guard_paths = (unless.get("paths") or [unless["path"]]) if unless is not None else []
    guard_values = frozenset(v.lower() for v in unless["values"]) if unless is not None else frozenset()

    def check(resource: Resource, context: Context) -> Iterator[Finding]:
        for guard_path in guard_paths:
            guard = resource.value(guard_path)
            if guard is not None and str(guard.value).lower() in guard_values:
                return
        for prop, value in resource.values(paths[resource.token.lower()]):
            if equals is not None:
                if not _equals(value.value, equals, equals_text):
                    yield Finding(prop, f"{row['title']}: {value.shown()} is not accepted; {row['why']}")
                continue
            number = value.number
            if number is None and value.text is not None:
                try:
                    number = float(value.text)
                except ValueError:
                    continue
            if number is None or _allows(allowed, number):
                continue
            yield Finding(prop, f"{row['title']}: {value.shown()} is not allowed; Azure accepts {_describe(allowed)}")

    return check


def _name_problem(name: str, row: Mapping[str, Any]) -> str | None:
    if not row["min"] <= len(name) <= row["max"]:
        return f"length {len(name)} is outside {row['min']}-{row['max']}"
    labels = row.get("labels")
    if labels is not None:
        parts = name.split(".")
        if not labels["min"] <= len(parts) <= labels["max"]:
            return f"{len(parts)} labels; {labels['min']}-{labels['max']} allowed"
        if not all(re.fullmatch(labels["pattern"], part) for part in parts):
            return "a label is empty, too long or has characters other than letters, digits, '_' and '-'"
        return None
    if not re.fullmatch(row["pattern"], name):
        return "characters, start or end not allowed"
    return None


def _name_check(row: Mapping[str, Any], label: str = "name ") -> Any:
    paths = {normalize_type(token).lower(): path for token, path in row["types"].items()}

    def check(resource: Resource, context: Context) -> Iterator[Finding]:
        for prop, value in resource.values(paths[resource.token.lower()]):
            if value.text is None:
                continue
            problem = _name_problem(value.text, row)
            if problem is not None:
                shown = "the value (not shown)" if row.get("hideValue") else value.shown()
                yield Finding(prop, f"{label}{shown}: {problem} (rule: {row['rule']})")

    return check


def value_constraints() -> Iterable[Constraint]:
    for row in load("values")["rules"]:
        yield Constraint(
            id=row["id"],
            title=row["title"],
            reference=row["reference"],
            types=frozenset(normalize_type(token) for token in row["types"]),
            check=_value_check(row),
            examples=(row["examples"]["accept"], row["examples"]["reject"]),
        )


def name_constraints() -> Iterable[Constraint]:
    document = load("names")
    for row in document["rules"]:
        yield Constraint(
            id=row["id"],
            title=f"Resource name: {row['rule']}",
            reference=row.get("reference", document["source"]),
            types=frozenset(normalize_type(token) for token in row["types"]),
            check=_name_check(row),
            examples=(row["examples"]["accept"], row["examples"]["reject"]),
        )


def format_constraints() -> Iterable[Constraint]:
    for row in load("formats")["rules"]:
        yield Constraint(
            id=row["id"],
            title=row["title"],
            reference=row["reference"],
            types=frozenset(normalize_type(token) for token in row["types"]),
            check=_name_check(row, label=""),
            examples=(row["examples"]["accept"], row["examples"]["reject"]),
        )


def table_row(constraint_id: str) -> tuple[str, Mapping[str, str]]:
    """(table, {type: path}) of a data-driven entry, for tests that build example resources."""
    for table in ("values", "names", "formats"):
        for row in load(table)["rules"]:
            if row["id"] == constraint_id:
                return table, row["types"]
    raise KeyError(constraint_id)
