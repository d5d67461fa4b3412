"""Every rule of the pack, grouped by service. Add a module here and list its rules in `RULES`."""

from __future__ import annotations

from phi_guardrails.framework import ResourceRule
from phi_guardrails.rules import key_vault

RULES: tuple[ResourceRule, ...] = (*key_vault.RULES,)

_ids = [rule.id for rule in RULES]
if len(_ids) != len(set(_ids)):  # pragma: no cover - guards against a copy-paste slip at import time
    raise RuntimeError(f"duplicate rule ids: {sorted({i for i in _ids if _ids.count(i) > 1})}")
