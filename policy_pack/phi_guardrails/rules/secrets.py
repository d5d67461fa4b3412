"""No secret written as a literal: Key Vault secret values and administrator passwords known at preview.

A value known at preview was written in the program or its stack config: it sits in source control or
in every engineer's config, in the Pulumi state, and in whatever the preview writes out. Secrets are
generated at apply (so unknown at preview, e.g. ``random.RandomPassword``) and kept only in Key Vault;
databases and VMs authenticate with Entra ID instead of passwords wherever Azure allows it. So a
known, non-empty value in one of the properties listed in ``data/secret_inputs.json`` is a MANDATORY
violation (45 CFR 164.312(a)(2)(iv) encryption and decryption; 164.312(d) person or entity
authentication). A missing property and a value unknown until apply both pass: there is nothing
literal to leak.

Messages name the property path, never its value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from phi_guardrails import citations
from phi_guardrails.framework import ResourceRule, ResourceView, Target, UnverifiableError

_DATA = Path(__file__).resolve().parents[1] / "data" / "secret_inputs.json"


@cache
def secret_inputs() -> tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...]:
    """(types, property paths, what it is) for every secret-bearing input, from ``data/secret_inputs.json``."""
    document: dict[str, Any] = json.loads(_DATA.read_text(encoding="utf-8"))
    return tuple((tuple(entry["types"]), tuple(entry["paths"]), str(entry["what"])) for entry in document["inputs"])


def _is_literal(view: ResourceView, path: str) -> bool:
    """True when the property holds a non-empty value known at preview (unknown and missing are not literal)."""
    try:
        value = view.get(path)
    except UnverifiableError:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and not isinstance(value, bool)


def _check_for(paths: tuple[str, ...], what: str) -> Any:
    def check(view: ResourceView) -> Iterable[str]:
        for path in paths:
            if _is_literal(view, path):
                yield (
                    f"{what} ({path}) is a literal known at preview: it is in the program or its config, the state "
                    "and every preview artifact. Generate it at apply and keep it in Key Vault, or use Entra ID "
                    "authentication"
                )

    return check


RULES: tuple[ResourceRule, ...] = (
    ResourceRule(
        id="no-literal-secrets",
        description=(
            "Key Vault secret values and administrator passwords must not be literals known at preview "
            "(written in the program or its config)."
        ),
        citation=citations.ENCRYPTION_AT_REST,
        related=(citations.ENTITY_AUTHENTICATION, citations.ACCESS_CONTROL),
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            "Remove the literal and rotate the credential (it has been in source control and in the state). Prefer "
            "Entra ID authentication (SQL azureADOnlyAuthentication, PostgreSQL passwordAuth Disabled, VM SSH keys "
            "or Entra login); where a secret is unavoidable, generate it at apply (random.RandomPassword) and store "
            "it only in Key Vault."
        ),
        targets=tuple(Target(types, _check_for(paths, what)) for types, paths, what in secret_inputs()),
    ),
)
