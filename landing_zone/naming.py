"""Deterministic Azure resource names and the standard tags every resource carries.

Names follow the Cloud Adoption Framework shape ``<abbr>-<prefix>-<env>-<region>-<workload>``
and respect each resource type's length and character rules. Where Azure needs a globally unique
name (storage accounts, Key Vaults, SQL and PostgreSQL servers) a short suffix is derived from a
hash of the subscription and the logical name: never random, so the same configuration yields the
same names on every run and a second ``pulumi up`` replaces nothing.

Changing a name of a stateful resource replaces it; Key Vault names stay reserved for the
soft-delete retention period after deletion. Treat the inputs of these functions as permanent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from landing_zone.config import LandingZoneConfig
from landing_zone.regions import REGIONS

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class Style(Enum):
    """How a resource type lets its name be written."""

    HYPHENATED = "hyphenated"  # letters, digits, hyphens; we always emit lowercase
    COMPACT = "compact"  # lowercase letters and digits only (storage accounts)


@dataclass(frozen=True)
class NamingRule:
    """Azure's naming constraints for one resource type, plus our abbreviation for it."""

    abbreviation: str
    min_length: int
    max_length: int
    style: Style = Style.HYPHENATED
    globally_unique: bool = False
    suffix_length: int = 4


#: Constraints from Azure's "naming rules and restrictions for Azure resources" page.
RULES: Mapping[str, NamingRule] = {
    "resource_group": NamingRule("rg", 1, 90),
    "virtual_network": NamingRule("vnet", 2, 64),
    "subnet": NamingRule("snet", 1, 80),
    "network_security_group": NamingRule("nsg", 1, 80),
    "route_table": NamingRule("rt", 1, 80),
    "private_endpoint": NamingRule("pep", 2, 64),
    "firewall": NamingRule("afw", 1, 56),
    "firewall_policy": NamingRule("afwp", 1, 80),
    "public_ip": NamingRule("pip", 1, 80),
    "bastion": NamingRule("bas", 1, 80),
    "ddos_plan": NamingRule("ddos", 1, 80),
    "key_vault": NamingRule("kv", 3, 24, globally_unique=True),
    "key": NamingRule("cmk", 1, 127),
    "user_assigned_identity": NamingRule("id", 3, 128),
    "log_analytics_workspace": NamingRule("log", 4, 63),
    "storage_account": NamingRule("st", 3, 24, Style.COMPACT, globally_unique=True, suffix_length=6),
    "sql_server": NamingRule("sql", 1, 63, globally_unique=True),
    "sql_database": NamingRule("sqldb", 1, 128),
    "postgresql_server": NamingRule("psql", 3, 63, globally_unique=True),
    "backup_vault": NamingRule("bvault", 2, 50),
    "recovery_services_vault": NamingRule("rsv", 2, 50),
    "diagnostic_setting": NamingRule("diag", 1, 260),
}

_WORD = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MIN_PART = 3


@dataclass(frozen=True)
class Namer:
    """Names for one landing zone: organisation prefix, environment, region and subscription."""

    prefix: str
    environment: str
    region: str
    subscription_id: str

    @classmethod
    def for_config(cls, config: LandingZoneConfig, region: str | None = None) -> Namer:
        """The namer for a validated configuration, in its primary region unless told otherwise."""
        return cls(config.prefix, config.environment, region or config.regions.primary, config.subscription_id)

    def name(self, kind: str, workload: str) -> str:
        """The physical name of a ``kind`` resource (a key of `RULES`) for a workload such as ``phi``.

        Raises ValueError when the kind is unknown or the workload cannot be written in the rule.
        """
        rule = RULES.get(kind)
        if rule is None:
            raise ValueError(f"unknown resource kind '{kind}'; known kinds: {', '.join(sorted(RULES))}")
        workload = workload.lower()
        if not _WORD.match(workload):
            raise ValueError(f"workload '{workload}' must be lowercase letters and digits separated by single hyphens")
        region_code = REGIONS[self.region].short if self.region in REGIONS else self.region
        parts = [rule.abbreviation, self.prefix, self.environment, region_code, workload]
        suffix = self._suffix(kind, workload, rule) if rule.globally_unique else ""
        name = _fit(parts, suffix, rule)
        if not rule.min_length <= len(name) <= rule.max_length:
            raise ValueError(
                f"cannot fit a {kind} name for '{workload}' in {rule.min_length}-{rule.max_length} characters"
            )
        return name

    def _suffix(self, kind: str, workload: str, rule: NamingRule) -> str:
        logical = "/".join((self.subscription_id.lower(), kind, self.prefix, self.environment, self.region, workload))
        digest = int.from_bytes(hashlib.sha256(logical.encode()).digest()[:8], "big")
        chars = []
        for _ in range(rule.suffix_length):
            digest, remainder = divmod(digest, 36)
            chars.append(_BASE36[remainder])
        return "".join(chars)


def _fit(parts: list[str], suffix: str, rule: NamingRule) -> str:
    """Join name parts within the rule's length, deterministically.

    In order, the first that fits: hyphenated with the workload shortened (to no less than three
    characters); without hyphens, likewise; without hyphens with prefix and workload shortened. The
    abbreviation, environment, region code and uniqueness suffix are never cut: they are what makes
    names distinct. Storage-style names never have hyphens.
    """
    separators = [""] if rule.style is Style.COMPACT else ["-", ""]
    attempts = [(separator, (4,)) for separator in separators] + [("", (1, 4))]
    candidate = ""
    for separator, shortenable in attempts:
        candidate = _shorten(parts, suffix, separator, shortenable, rule.max_length)
        if len(candidate) <= rule.max_length:
            return candidate
    return candidate


def _shorten(parts: list[str], suffix: str, separator: str, shortenable: tuple[int, ...], limit: int) -> str:
    """Trim the longest shortenable part one character at a time until the joined name fits or cannot shrink."""
    words = [part.replace("-", "") if not separator else part for part in parts]

    def joined() -> str:
        return separator.join([*words, suffix] if suffix else words)

    while len(joined()) > limit:
        index = max(shortenable, key=lambda i: (len(words[i]), i))
        if len(words[index]) <= _MIN_PART:
            break
        words[index] = words[index][:-1].rstrip("-")
    return joined()


#: Tag keys the landing zone sets on every taggable resource. The policy pack requires the first three.
STANDARD_TAG_KEYS = ("dataClassification", "owner", "environment", "costCenter", "landingZone", "managedBy")


def standard_tags(config: LandingZoneConfig, **extra: str) -> dict[str, str]:
    """Tags for a resource of this landing zone: configured extras, then the standard set, then ``extra``.

    Standard keys win over configured extras so that nobody can mislabel PHI by accident; explicit
    per-resource ``extra`` tags (for example a workload name) are added last.
    """
    tags = dict(config.tags.additional)
    tags.update(
        {
            "dataClassification": config.tags.data_classification,
            "owner": config.tags.owner,
            "environment": config.environment,
            "costCenter": config.tags.cost_center,
            "landingZone": config.prefix,
            "managedBy": "pulumi",
        }
    )
    tags.update(extra)
    return tags
