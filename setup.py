"""Package layout that pyproject.toml alone cannot express: the policy pack ships inside the wheel.

The repository keeps the pack at the top-level ``policy_pack/`` folder (the Pulumi CLI takes it as
``--policy-pack ./policy_pack``). Installed, the same folder becomes the package
``phi_landing_zone_policy_pack``, with ``PulumiPolicy.yaml``, ``requirements.txt``, ``RULES.md`` and its
data files, so ``landing-zone policy-pack path`` can print a folder the Pulumi CLI accepts. Everything
else (name, version, dependencies, scripts) is in pyproject.toml.
"""

from setuptools import find_namespace_packages, find_packages, setup

#: Installed name of the pack folder (a plain folder on disk: the pack runs from it, nothing imports it).
PACK_PACKAGE = "phi_landing_zone_policy_pack"
#: Folders that hold only data files (no ``__init__.py``). Python can import them as namespace packages, so
#: setuptools wants them in ``packages`` (else it warns "Package would be ignored"); each ships all its files.
DATA_PACKAGES = [
    *find_namespace_packages(include=["landing_zone.preview.constraints.data*", "landing_zone.preview.templates*"]),
    *(
        f"{PACK_PACKAGE}.phi_guardrails.{name}"
        for name in find_namespace_packages("policy_pack/phi_guardrails", include=["data", "data.*"])
    ),
]

setup(
    packages=[
        *find_packages(include=["landing_zone*", "components*", "phi_landing_zone*"]),
        # landing_zone.program has no __init__.py: the reference program is run as a folder, never imported
        "landing_zone.program",
        PACK_PACKAGE,
        *(f"{PACK_PACKAGE}.{name}" for name in find_packages("policy_pack", include=["phi_guardrails*"])),
        *DATA_PACKAGES,
    ],
    package_dir={PACK_PACKAGE: "policy_pack"},
    package_data={
        "landing_zone": ["py.typed"],
        "components": ["py.typed"],
        "phi_landing_zone": ["py.typed"],
        PACK_PACKAGE: ["PulumiPolicy.yaml", "requirements.txt", "RULES.md"],
        **{package: ["*"] for package in DATA_PACKAGES},
    },
)
