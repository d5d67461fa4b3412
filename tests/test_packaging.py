"""Installable anywhere: the wheel holds the library and the policy pack, and its `landing-zone` previews an
example copied outside the repository, with no checkout on the path.

The wheel is built once (``pip wheel --no-deps --no-build-isolation``, from a copy of the sources so the
checkout gets no ``build/``) and installed into a fresh virtual environment without pip or dependencies; the
dependencies come from the test run's own site-packages through a ``.pth`` line, so nothing is downloaded.
A ``.pth`` line only adds a folder: the checkout's editable-install hook in that folder stays inactive, so
``landing_zone``, ``components`` and the pack can only come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "LICENSE",
    "landing_zone",
    "components",
    "phi_landing_zone",
    "policy_pack",
)
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "venv", ".venv", "build", "dist", "*.egg-info", "tools")


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with only the wheel installed in it (and the shared dependencies readable)."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=_IGNORED)
        else:
            shutil.copy2(origin, source / name)
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-v",  # the build's own warnings too (test_the_build_warns_of_nothing)
        "--no-deps",
        "--no-build-isolation",
        "-w",
        base / "dist",
        source,
        cwd=base,
    )
    assert built.returncode == 0, built.stderr
    (base / "build.log").write_text(built.stdout + built.stderr)
    (wheel,) = (base / "dist").glob("pulumi_azure_phi_landing_zone-*.whl")
    environment = base / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    purelib = Path(
        _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=base).stdout.strip()
    )
    shared = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "shared_dependencies.pth").write_text("".join(f"{path}\n" for path in sorted(shared)))
    install = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=base
    )
    assert install.returncode == 0, install.stderr
    return environment


def _clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "PULUMI_", "VIRTUAL_ENV"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_wheel_installs_the_library_and_the_pack_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    probe = _run(
        python,
        "-c",
        "import json, components, landing_zone, phi_landing_zone, phi_landing_zone_policy_pack as pack;"
        "import phi_landing_zone.components.key_vault as public, components.key_vault as real;"
        "print(json.dumps([components.__file__, landing_zone.__file__, list(pack.__path__), public is real]))",
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert probe.returncode == 0, probe.stderr
    components_file, landing_zone_file, pack_path, same_module = json.loads(probe.stdout)
    for location in (components_file, landing_zone_file, *pack_path):
        assert Path(location).resolve().is_relative_to(installed.resolve()), location
    assert same_module is True  # the public import path is the same module object, not a copy
    pack = Path(pack_path[0])
    for name in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "RULES.md"):
        assert (pack / name).is_file(), name
    source = ROOT / "policy_pack"
    shipped = {
        path.relative_to(source)
        for path in source.rglob("*")
        if path.is_file() and not {"__pycache__", "tools", "venv"} & set(path.relative_to(source).parts)
    }
    missing = sorted(str(path) for path in shipped if not (pack / path).is_file())
    assert missing == [], f"pack files left out of the wheel (setup.py package_data): {missing}"
    # the pack's own requirements name only published packages (what `pulumi preview --policy-pack` installs)
    requirements = [line.split("#")[0].strip() for line in (pack / "requirements.txt").read_text().splitlines()]
    assert {line.split(">")[0].split("=")[0].split("<")[0] for line in requirements if line} == {
        "pulumi",
        "pulumi-policy",
    }

    path = _run(installed / "bin" / "landing-zone", "policy-pack", "path", cwd=tmp_path, env=_clean_env())
    assert path.returncode == 0, path.stderr
    assert Path(path.stdout.strip()) == pack.resolve()
    version = _run(installed / "bin" / "landing-zone", "--version", cwd=tmp_path, env=_clean_env())
    assert version.stdout.strip() == f"landing-zone {_version()}"


def test_installed_cli_previews_an_example_copied_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples" / "minimal-key-vault", tmp_path / "minimal-key-vault")
    completed = _run(
        installed / "bin" / "landing-zone",
        "preview",
        "minimal-key-vault",
        "--json",
        "result.json",
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Preview passed" in completed.stdout
    document = json.loads((tmp_path / "result.json").read_text())
    types = {resource["type"] for resource in document["resources"]}
    assert "azure-native:keyvault:Vault" in types
    assert document["summary"]["mandatory"] == 0
    assert "(local: " + str(installed.resolve()) in completed.stdout  # the installed pack ran, not a checkout's


def _version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_the_build_warns_of_nothing_and_declares_the_licence(installed: Path) -> None:
    """setuptools' deprecations (a ``license`` table instead of a PEP 639 SPDX expression) and its "Package would
    be ignored" warnings for data-only folders are build failures waiting to happen; the wheel names its licence."""
    log = (installed.parent / "build.log").read_text()
    warnings = [line.strip() for line in log.splitlines() if "Warning" in line and "setuptools" in line]
    assert warnings == []
    (metadata,) = installed.glob("lib/python*/site-packages/pulumi_azure_phi_landing_zone-*.dist-info/METADATA")
    headers = metadata.read_text().split("\n\n", 1)[0].splitlines()
    assert "License-Expression: Apache-2.0" in headers
    assert "License-File: LICENSE" in headers
    assert (metadata.parent / "licenses" / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
