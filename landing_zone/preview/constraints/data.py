"""The catalog's dated data tables (JSON files beside this module), loaded once."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """``data/<name>.json`` as shipped in the package."""
    text = resources.files("landing_zone.preview.constraints").joinpath("data", f"{name}.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document
