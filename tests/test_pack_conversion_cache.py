"""The pack converts each resource's properties once per Analyze/AnalyzeStack call, with the SDK's exact verdicts.

`phi_guardrails.conversion_cache` makes pulumi-policy run its conversions (``MessageToDict``,
``deserialize_properties``, ``unknown_checking_proxy``) once per call instead of once per policy. The
verdicts must be the ones the unmodified SDK gives, on a whole environment with violations and values
unknown at preview.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from phi_guardrails import conversion_cache
from pulumi_policy import policy as sdk_policy

from landing_zone.preview.engine import PreviewResult, preview

ROOT = Path(__file__).resolve().parents[1]
SERVICER = sdk_policy._PolicyAnalyzerServicer


def _verdicts(result: PreviewResult) -> list[list[str]]:
    """Every diagnostic and not-applicable answer of each pack (sorted: registration order varies run to run)."""
    return [sorted(map(repr, [*pack.diagnostics, *pack.not_applicable])) for pack in result.packs]


@pytest.mark.parametrize(
    ("program", "violations"),
    [
        ("examples/full-phi-environment", False),  # every rule's passing path, stack rules, unknown outputs
        ("tests/data/leaky-program", True),
        ("tests/corpus/workload-webapp-cosmos", True),
    ],
)
def test_verdicts_are_the_unmodified_sdks(program: str, violations: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = preview(ROOT / program, in_process=True)
    assert getattr(sdk_policy, conversion_cache.MARKER) is True  # loading the pack installed it
    assert bool(cached.packs[0].diagnostics) is violations
    for name in conversion_cache.CACHED_CALLS:  # the SDK's own methods, converting once per policy
        monkeypatch.setattr(SERVICER, name, getattr(SERVICER, name).__wrapped__)
    plain = preview(ROOT / program, in_process=True)
    assert _verdicts(cached) == _verdicts(plain)


def test_each_conversion_runs_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def message_to_dict(message: Any) -> dict[str, Any]:
        calls.append(message)
        return {"converted": len(calls)}

    fake = SimpleNamespace(
        json_format=SimpleNamespace(MessageToDict=message_to_dict),
        deserialize_properties=lambda value, *args: dict(value),
        unknown_checking_proxy=lambda value: ("proxy", value),
        _PolicyAnalyzerServicer=type(
            "Servicer",
            (),
            {
                "Analyze": lambda self, message: [
                    fake.unknown_checking_proxy(fake.deserialize_properties(fake.json_format.MessageToDict(message)))
                    for _policy in range(3)
                ],
                "AnalyzeStack": lambda self, message: None,
            },
        ),
    )
    assert conversion_cache.install(fake) is True  # type: ignore[arg-type]
    assert conversion_cache.install(fake) is True  # type: ignore[arg-type]  # idempotent: wraps once
    servicer = fake._PolicyAnalyzerServicer()
    first, second = object(), object()
    answers = servicer.Analyze(first)
    assert calls == [first]  # three policies, one conversion
    assert answers[0] is answers[1] is answers[2]
    servicer.Analyze(second)
    assert calls == [first, second]  # nothing is kept between calls
    fake.json_format.MessageToDict(first)
    assert calls == [first, second, first]  # outside a call nothing is shared


def test_an_sdk_without_these_internals_is_left_alone() -> None:
    bare = SimpleNamespace(json_format=SimpleNamespace(MessageToDict=lambda message: {}))
    assert conversion_cache.install(bare) is False  # type: ignore[arg-type]
    assert not hasattr(bare, conversion_cache.MARKER)
