"""policy_pack/RULES.md is generated from the pack; it must match what the pack enforces."""

from __future__ import annotations

from pathlib import Path

from phi_guardrails import all_policies
from phi_guardrails.docs import render

RULES_MD = Path(__file__).resolve().parents[1] / "policy_pack" / "RULES.md"


def test_rules_md_is_current() -> None:
    assert RULES_MD.read_text() == render(), "regenerate: cd policy_pack && python -m phi_guardrails.docs > RULES.md"


def test_every_policy_is_documented() -> None:
    text = RULES_MD.read_text()
    for policy in all_policies():
        assert f"## `{policy.name}`" in text
