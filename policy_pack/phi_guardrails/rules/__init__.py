"""Every rule of the pack, grouped by service. Add a module here and list its rules below."""

from __future__ import annotations

from phi_guardrails.framework import ResourceRule, StackRule
from phi_guardrails.rules import (
    backup,
    coverage,
    defender,
    governance,
    key_vault,
    log_analytics,
    monitoring,
    network,
    postgres,
    sql,
    storage,
)

RULES: tuple[ResourceRule, ...] = (
    *key_vault.RULES,
    *log_analytics.RULES,
    *monitoring.RULES,
    *storage.RULES,
    *defender.RULES,
    *network.RULES,
    *sql.RULES,
    *postgres.RULES,
    *backup.RULES,
    *governance.RULES,
)
STACK_RULES: tuple[StackRule, ...] = (
    *key_vault.STACK_RULES,
    *storage.STACK_RULES,
    *network.STACK_RULES,
    *sql.STACK_RULES,
    *coverage.STACK_RULES,
)

_ids = [rule.id for rule in (*RULES, *STACK_RULES)]
if len(_ids) != len(set(_ids)):  # pragma: no cover - guards against a copy-paste slip at import time
    raise RuntimeError(f"duplicate rule ids: {sorted({i for i in _ids if _ids.count(i) > 1})}")
