"""A corpus of deliberately misconfigured stacks, written with plain azure-native resources (not our components).

Each folder under ``tests/corpus`` is a Pulumi program with an ``expected.txt`` listing every rule that
must report it and at what level. The pack must report exactly those: a missing rule means a
control went blind, an extra one means a false positive to justify (and add).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from landing_zone.preview.engine import preview

CORPUS = Path(__file__).resolve().parent / "corpus"
PACK = Path(__file__).resolve().parents[1] / "policy_pack"
CASES = sorted(path for path in CORPUS.iterdir() if (path / "Pulumi.yaml").is_file())


def expected(case: Path) -> set[tuple[str, str]]:
    lines = (case / "expected.txt").read_text().splitlines()
    return {tuple(line.split()) for line in lines if line.strip() and not line.startswith("#")}  # type: ignore[misc]


def test_the_corpus_is_not_empty() -> None:
    assert len(CASES) >= 6


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_misconfigured_stack_fails_with_exactly_the_expected_rules(case: Path) -> None:
    result = preview(case, "dev", policy_packs=[PACK], in_process=True)
    found = {(d.policy, d.enforcement_level) for d in result.violations}
    assert found == expected(case)
    assert result.mandatory, "every corpus stack must be blocked"
