"""Generate ``phi_guardrails/data/azure_native_types.json`` from the installed ``pulumi_azure_native`` SDK.

The pack needs two facts the SDK knows and it must not import at run time (the SDK is hundreds of
megabytes): every resource type token it emits, and which of those resources take ``tags``
("taggable" for the ``required-tags`` rule). This script reads the SDK's resource modules as text
(no import): each resource class is declared as::

    @pulumi.type_token("azure-native:storage:StorageAccount")
    class StorageAccount(pulumi.CustomResource):
        def __init__(__self__, resource_name, opts=None, ..., tags=None, ...)

and a resource is taggable when its constructor takes a ``tags`` argument.

Run from the repository root after upgrading the SDK:
``.venv/bin/python policy_pack/tools/sdk_types.py`` (``--check`` exits 1 when the shipped file is stale).
``tests/test_kinds_catalog.py`` regenerates the data and compares, so the file cannot drift from the SDK.

The classic ``azure`` provider is not installed in this project, so its taggable tokens come from the
kinds catalog (a classic token is taggable when its kind's azure-native tokens are).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import re
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "phi_guardrails" / "data" / "azure_native_types.json"

_RESOURCE = re.compile(
    r'^@pulumi\.type_token\("(?P<token>azure-native:[^"]+)"\)\s*\nclass \w+\(pulumi\.CustomResource\):',
    re.MULTILINE,
)
#: The constructor section of a resource class ends where its static ``get`` begins.
_END_OF_CONSTRUCTORS = re.compile(r"^    @staticmethod\s*\n    def get\(", re.MULTILINE)
_TAGS_ARGUMENT = re.compile(r"^\s+tags: ", re.MULTILINE)
_SKIP = re.compile(r"^(get_|list_|_|outputs\.py$)")


def sdk_root() -> Path:
    spec = importlib.util.find_spec("pulumi_azure_native")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pulumi_azure_native is not installed; install it to regenerate the SDK type data")
    return Path(next(iter(spec.submodule_search_locations)))


def scan(root: Path) -> dict[str, bool]:
    """Every resource token under ``root`` mapped to whether its constructor takes ``tags``."""
    found: dict[str, bool] = {}
    for path in sorted(root.glob("*/*.py")):
        if _SKIP.match(path.name):
            continue
        text = path.read_text(encoding="utf-8")
        for match in _RESOURCE.finditer(text):
            end = _END_OF_CONSTRUCTORS.search(text, match.end())
            constructors = text[match.end() : end.start() if end else len(text)]
            found[match["token"]] = bool(_TAGS_ARGUMENT.search(constructors))
    return found


def document() -> dict[str, object]:
    tokens = scan(sdk_root())
    return {
        "generatedBy": "policy_pack/tools/sdk_types.py",
        "sdk": "pulumi_azure_native",
        "sdkVersion": importlib.metadata.version("pulumi_azure_native"),
        "taggable": sorted(token for token, tags in tokens.items() if tags),
        "untaggable": sorted(token for token, tags in tokens.items() if not tags),
    }


def render(doc: dict[str, object]) -> str:
    return json.dumps(doc, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the shipped file differs")
    args = parser.parse_args(argv)
    text = render(document())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} is stale: run policy_pack/tools/sdk_types.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
