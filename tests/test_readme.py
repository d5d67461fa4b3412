"""The README's two leading commands are the ones that work: CI runs the test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)[:2]


def test_readme_leads_with_the_preview_and_the_test_commands() -> None:
    preview, tests = readme_commands()
    assert preview.endswith("landing-zone preview")
    assert tests.endswith("pytest") and "ruff check" in tests


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert readme_commands()[1] in ci_lines


def test_pulumi_yaml_documents_every_top_level_landing_zone_key() -> None:
    from landing_zone.config.model import LandingZoneConfig

    comments = "\n".join(
        line for line in (ROOT / "Pulumi.yaml").read_text().splitlines() if line.lstrip().startswith("#")
    )
    keys = [field.alias or name for name, field in LandingZoneConfig.model_fields.items()]
    missing = [key for key in keys if not re.search(rf"#\s+{key}\s", comments)]
    assert missing == []
