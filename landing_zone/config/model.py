"""The configuration model of one PHI landing zone, validated at the boundary.

One `LandingZoneConfig` describes a whole environment. It is read from the ``landingZone`` key of
a Pulumi stack config (``Pulumi.<stack>.yaml``) or from a YAML/JSON file, validated completely,
and only then handed to the components. Every problem is reported at once with its path
(``network.spokes[1].subnets[0].cidr``); unknown keys are errors so a typo never falls back to a
default silently.

Keys are camelCase, as in Pulumi stack config; Python code may also use the snake_case names.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from landing_zone import yaml12
from landing_zone.config._base import (
    Guid,
    Location,
    Model,
    PositiveFinite,
    RegionName,
    Waiver,
    loads_json_strictly,
    raise_problems,
)
from landing_zone.config.network import NetworkConfig
from landing_zone.errors import ConfigError, Problem, format_location
from landing_zone.regions import REGIONS

#: HIPAA 45 CFR 164.316(b)(2)(i): documentation is retained six years; audit logs are held to the same floor.
AUDIT_RETENTION_FLOOR_DAYS = 2190
#: Log Analytics limits for interactive (analytics) retention and total retention (interactive + archive).
INTERACTIVE_RETENTION_RANGE = (30, 730)
TOTAL_RETENTION_MAX_DAYS = 4383
#: The total retention values a Log Analytics table accepts beyond two years: whole years counted with leap
#: days (https://learn.microsoft.com/azure/azure-monitor/logs/data-retention-configure: "4-730 days, then
#: 1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018 or 4383"). Any other value fails the table PUT.
TOTAL_RETENTION_YEAR_VALUES = (1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383)
#: Six years as Log Analytics counts them: the smallest allowed total retention at or above the HIPAA floor.
DEFAULT_TOTAL_RETENTION_DAYS = 2191


def total_retention_problem(days: int) -> str | None:
    """Why Log Analytics would refuse ``days`` as a table's total retention, naming the value to use instead."""
    if 4 <= days <= 730 or days in TOTAL_RETENTION_YEAR_VALUES:
        return None
    if days > TOTAL_RETENTION_MAX_DAYS or days < 4:
        return f"{days} days is outside what Log Analytics accepts (4-730, or whole years up to {TOTAL_RETENTION_MAX_DAYS})"
    upward = next(value for value in TOTAL_RETENTION_YEAR_VALUES if value > days)
    return (
        f"Log Analytics accepts 4-730 days, then only {', '.join(map(str, TOTAL_RETENTION_YEAR_VALUES))} "
        f"(whole years with leap days); use {upward} instead of {days}"
    )


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_FORBIDDEN_TAG_NAME_CHARS = set("<>%&\\?/")


class RegionsConfig(Model):
    """Where the environment runs, and where data may live (data residency)."""

    primary: RegionName
    paired: RegionName | None = Field(
        default=None, description="Disaster-recovery region; defaults to Azure's pair of the primary."
    )
    allowed: list[RegionName] = Field(min_length=1, description="Every region any resource may be placed in.")

    @model_validator(mode="after")
    def _inside_allowed(self) -> RegionsConfig:
        problems: list[tuple[Location, str]] = []
        if self.primary not in self.allowed:
            problems.append((("primary",), f"region '{self.primary}' is not in the allowed regions"))
        paired = self.paired_region
        if paired is not None and paired == self.primary:
            problems.append((("paired",), "the paired region must differ from the primary region"))
        elif paired is not None and paired not in self.allowed:
            origin = "" if self.paired else f" (Azure's pair of '{self.primary}')"
            problems.append((("paired",), f"region '{paired}'{origin} is not in the allowed regions"))
        raise_problems("RegionsConfig", problems)
        return self

    @property
    def paired_region(self) -> str | None:
        """The disaster-recovery region: the configured one, else Azure's pair of the primary."""
        return self.paired or REGIONS[self.primary].pair


class ImmutabilityConfig(Model):
    """Time-based immutability on the audit-log archive.

    ``locked: true`` is irreversible: a locked policy can only be extended, never shortened or
    removed, and the archive cannot be deleted until every blob's retention has expired. Keep it
    ``false`` in test environments and ``true`` in production once the retention is agreed.
    """

    enabled: bool = True
    locked: bool = False
    waiver: Waiver | None = Field(default=None, description="Required to turn immutability off (enabled: false).")

    @model_validator(mode="after")
    def _off_needs_waiver(self) -> ImmutabilityConfig:
        problems: list[tuple[Location, str]] = []
        if not self.enabled and self.waiver is None:
            problems.append((("enabled",), "turning archive immutability off needs immutability.waiver with a reason"))
        if not self.enabled and self.locked:
            problems.append((("locked",), "cannot lock an immutability policy that is turned off"))
        raise_problems("ImmutabilityConfig", problems)
        return self


class LoggingConfig(Model):
    """Audit-log retention. Total retention below the six-year floor needs a written waiver."""

    interactive_retention_days: int = Field(
        default=90, ge=INTERACTIVE_RETENTION_RANGE[0], le=INTERACTIVE_RETENTION_RANGE[1]
    )
    total_retention_days: int = Field(
        default=DEFAULT_TOTAL_RETENTION_DAYS,
        le=TOTAL_RETENTION_MAX_DAYS,
        description="4-730, or 1095, 1460, 1826, 2191, 2556, 2922, 3288, 3653, 4018, 4383 (Log Analytics' values).",
    )
    immutability: ImmutabilityConfig = Field(default_factory=ImmutabilityConfig)
    retention_waiver: Waiver | None = Field(
        default=None, description="Required to set totalRetentionDays below the 2190-day (six-year) floor."
    )

    @model_validator(mode="after")
    def _retention_floor(self) -> LoggingConfig:
        problems: list[tuple[Location, str]] = []
        if self.total_retention_days < self.interactive_retention_days:
            problems.append((("totalRetentionDays",), "total retention must be at least the interactive retention"))
        not_allowed = total_retention_problem(self.total_retention_days)
        if not_allowed is not None:
            problems.append((("totalRetentionDays",), not_allowed))
        if self.total_retention_days < AUDIT_RETENTION_FLOOR_DAYS and self.retention_waiver is None:
            problems.append(
                (
                    ("totalRetentionDays",),
                    f"{self.total_retention_days} days is below the {AUDIT_RETENTION_FLOOR_DAYS}-day HIPAA "
                    "documentation floor (45 CFR 164.316(b)(2)(i)); raise it or add logging.retentionWaiver "
                    "with a reason and approver",
                )
            )
        raise_problems("LoggingConfig", problems)
        return self


class KeyConfig(Model):
    """Customer-managed keys: HSM-backed RSA, 3072 bits or more, rotated well before they expire.

    Azure SQL TDE accepts only RSA/RSA-HSM 2048 or 3072 keys
    (https://learn.microsoft.com/azure/azure-sql/database/transparent-data-encryption-byok-overview#requirements-for-configuring-customer-managed-tde),
    so with ``dataServices.sql`` enabled ``keySize`` must be 3072.
    """

    hsm_backed: bool = True
    key_size: int = 3072
    rotation_period_days: int = Field(default=365, ge=30)
    expiry_days: int = Field(default=730, ge=60, le=3650)
    notify_before_expiry_days: int = Field(default=30, ge=7)

    @field_validator("key_size")
    @classmethod
    def _key_size(cls, value: int) -> int:
        if value not in (3072, 4096):
            raise ValueError(
                f"{value}-bit keys are not allowed: use 3072 or 4096 (2048-bit RSA is below NIST's post-2030 floor)"
            )
        return value

    @model_validator(mode="after")
    def _rotate_before_expiry(self) -> KeyConfig:
        problems: list[tuple[Location, str]] = []
        if self.rotation_period_days > self.expiry_days - 30:
            problems.append(
                (("rotationPeriodDays",), "keys must rotate at least 30 days before they expire (expiryDays - 30)")
            )
        if self.notify_before_expiry_days >= self.expiry_days:
            problems.append((("notifyBeforeExpiryDays",), "must be shorter than expiryDays"))
        raise_problems("KeyConfig", problems)
        return self


class EntraGroup(Model):
    """An Entra ID group, named by object ID (the display name is for people)."""

    object_id: Guid
    display_name: str = Field(min_length=1)


class StorageServiceConfig(Model):
    enabled: bool = True


class SqlServiceConfig(Model):
    enabled: bool = False
    administrators: EntraGroup | None = Field(default=None, description="Entra group that administers the server.")

    @model_validator(mode="after")
    def _admin_required(self) -> SqlServiceConfig:
        if self.enabled and self.administrators is None:
            raise_problems(
                "SqlServiceConfig", [(("administrators",), "required when sql is enabled (Entra-only authentication)")]
            )
        return self


class PostgresServiceConfig(Model):
    enabled: bool = False
    administrators: EntraGroup | None = Field(default=None, description="Entra group that administers the server.")
    geo_redundant_backup: bool = True

    @model_validator(mode="after")
    def _admin_required(self) -> PostgresServiceConfig:
        if self.enabled and self.administrators is None:
            raise_problems(
                "PostgresServiceConfig",
                [(("administrators",), "required when postgres is enabled (Entra authentication)")],
            )
        return self


class BackupServiceConfig(Model):
    enabled: bool = True
    retention_days: int = Field(default=35, ge=7, le=3650)


class DataServicesConfig(Model):
    """The PHI data services this environment provides."""

    storage: StorageServiceConfig = Field(default_factory=StorageServiceConfig)
    sql: SqlServiceConfig = Field(default_factory=SqlServiceConfig)
    postgres: PostgresServiceConfig = Field(default_factory=PostgresServiceConfig)
    backup: BackupServiceConfig = Field(default_factory=BackupServiceConfig)


class AlertsConfig(Model):
    """Who hears about security alerts and budget thresholds."""

    emails: list[str] = Field(min_length=1)

    @field_validator("emails")
    @classmethod
    def _emails(cls, values: list[str]) -> list[str]:
        bad = [value for value in values if not _EMAIL.match(value)]
        if bad:
            raise ValueError(f"not an email address: {', '.join(repr(value) for value in bad)}")
        return values


DataClassification = Literal["phi", "pii", "confidential", "internal", "public"]


class TagsConfig(Model):
    """Standard tags every taggable resource carries."""

    owner: str = Field(min_length=1, max_length=256)
    cost_center: str = Field(min_length=1, max_length=256)
    data_classification: DataClassification = "phi"
    additional: dict[str, str] = Field(default_factory=dict, description="Extra tags, merged under the standard ones.")

    @field_validator("additional")
    @classmethod
    def _azure_tag_rules(cls, values: dict[str, str]) -> dict[str, str]:
        for name, value in values.items():
            if not name or len(name) > 512 or _FORBIDDEN_TAG_NAME_CHARS & set(name):
                raise ValueError(f"tag name '{name}' must be 1-512 characters without < > % & \\ ? /")
            if len(value) > 256:
                raise ValueError(f"tag '{name}' value is longer than 256 characters")
        return values


class AccessGrant(Model):
    """An Entra group and the built-in role it holds on the subscription. Never Owner or User Access Administrator."""

    group: EntraGroup
    role: str = Field(min_length=3)
    eligible_only: bool = Field(default=False, description="PIM eligibility instead of a standing assignment.")

    @field_validator("role")
    @classmethod
    def _least_privilege(cls, value: str) -> str:
        if value.strip().lower() in ("owner", "user access administrator"):
            raise ValueError(
                f"'{value}' is too broad for people in a PHI subscription; use a narrower role (PIM for admins)"
            )
        from components.roles import role_guid  # the built-in role catalog lives with the role helpers

        role_guid(value)  # raises ValueError naming the known roles
        return value


class BudgetConfig(Model):
    amount: PositiveFinite = Field(description="Monthly budget in the billing currency; finite and above 0.")
    #: Each notification threshold is a percentage of the amount, above 0 and at most 1000
    #: (https://learn.microsoft.com/dotnet/api/azure.resourcemanager.costmanagement.models.budgetnotification.threshold).
    thresholds: list[Annotated[int, Field(gt=0, le=1000)]] = Field(
        default_factory=lambda: [50, 80, 100], min_length=1, description="Percentages that notify alerts.emails."
    )
    start_date: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}-[0-9]{2}-01$",
        description="First day of a month (YYYY-MM-01); default: the first day of the month of the first deployment.",
    )


class SubscriptionConfig(Model):
    """How the landing zone gets and governs its subscription."""

    billing_scope: str | None = Field(
        default=None,
        description="Set to vend a new subscription through subscription:Alias; unset to adopt subscriptionId.",
    )
    management_group_id: str | None = None
    budget: BudgetConfig | None = None
    access: list[AccessGrant] = Field(default_factory=list)
    hipaa_initiative_parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Parameters for the built-in HITRUST/HIPAA initiative assignment, merged over "
        "components.subscription.HIPAA_INITIATIVE_DEFAULT_PARAMETERS.",
    )
    hipaa_remediation_roles: list[str] | None = Field(
        default=None,
        description="Built-in roles for the initiative's remediation identity; default components.subscription.HIPAA_REMEDIATION_ROLES.",
    )


class DeployerConfig(Model):
    """Who runs ``pulumi up``: the principal that gets "Key Vault Crypto Officer" to create the keys.

    Name a dedicated Entra group (``principalType: Group``) and put the CI service principal and the
    break-glass admins in it: a new CI identity is then a membership change, not a new role
    assignment on a locked vault. Without ``objectId`` the principal running the deployment is used
    (``getClientConfig``), with the ``principalType`` given here (a CI service principal by default).
    """

    object_id: Guid | None = Field(default=None, description="Entra object ID of the deploying group or principal.")
    principal_type: Literal["User", "Group", "ServicePrincipal"] = "ServicePrincipal"


EnvironmentClass = Literal["prod", "nonprod"]


class LandingZoneConfig(Model):
    """One HIPAA-hardened PHI environment."""

    prefix: str = Field(
        pattern=r"^[a-z][a-z0-9]{1,7}$", description="2-8 lowercase letters and digits, starting with a letter"
    )
    environment: str = Field(
        pattern=r"^[a-z][a-z0-9]{1,4}$",
        description="2-5 lowercase letters and digits, starting with a letter (dev, test, prod)",
    )
    tenant_id: Guid
    subscription_id: Guid
    regions: RegionsConfig
    network: NetworkConfig
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    keys: KeyConfig = Field(default_factory=KeyConfig)
    data_services: DataServicesConfig = Field(default_factory=DataServicesConfig)
    alerts: AlertsConfig
    tags: TagsConfig
    subscription: SubscriptionConfig = Field(default_factory=SubscriptionConfig)
    deployer: DeployerConfig = Field(default_factory=DeployerConfig)
    environment_class: EnvironmentClass = Field(
        default="prod",
        description="'nonprod' deploys without protect and delete locks so `pulumi destroy` completes; "
        "'prod' (the default) keeps them.",
    )

    @model_validator(mode="after")
    def _deployable(self) -> LandingZoneConfig:
        problems: list[tuple[Location, str]] = []
        if self.data_services.sql.enabled and self.keys.key_size not in (2048, 3072):
            problems.append(
                (
                    ("keys", "keySize"),
                    f"Azure SQL TDE accepts only 2048- or 3072-bit RSA keys; use keySize 3072 "
                    f"with dataServices.sql enabled (got {self.keys.key_size})",
                )
            )
        if self.environment_class == "nonprod" and self.logging.immutability.enabled:
            # Version-level WORM holds every blob for the whole period, unlocked or not, and the account
            # cannot be deleted while one is: a nonprod stack must be destroyable without waiting years.
            problems.append(
                (
                    ("logging", "immutability", "enabled"),
                    "environmentClass nonprod must be destroyable, and unexpired immutable blobs block deleting "
                    "the archive: set logging.immutability.enabled: false with a waiver (or use environmentClass prod)",
                )
            )
        raise_problems("LandingZoneConfig", problems)
        return self


def parse_config(data: Any, source: str | None = None) -> LandingZoneConfig:
    """Validate raw data (a mapping of camelCase keys) and return the model, or raise `ConfigError`.

    All problems are collected in one error, each with its path and what is wrong.
    """
    if not isinstance(data, Mapping):
        raise ConfigError([Problem("", f"expected a mapping of settings, got {type(data).__name__}")], source)
    try:
        return LandingZoneConfig.model_validate(dict(data))
    except ValidationError as error:
        raise ConfigError(_problems_from(error), source) from None


def load_config_file(path: str | Path) -> LandingZoneConfig:
    """Load a YAML or JSON file holding one landing zone (optionally under a top-level ``landingZone`` key)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([Problem("", f"cannot read file: {error.strerror}")], str(file)) from None
    try:
        data = loads_json_strictly(text) if file.suffix.lower() == ".json" else yaml12.loads(text, str(file))
    except json.JSONDecodeError as error:
        raise ConfigError([Problem("", f"not valid JSON: {error}")], str(file)) from None
    except yaml12.YamlError as error:  # YAML 1.2, as the Pulumi CLI reads stack files
        where = f"line {error.line}: " if error.line else ""
        raise ConfigError([Problem(error.path, f"{where}{error.reason}")], str(file)) from None
    except ValueError as error:  # JSON: a duplicate key (named) or NaN/Infinity
        raise ConfigError([Problem("", f"not valid JSON: {error}")], str(file)) from None
    if isinstance(data, Mapping) and set(data) == {"landingZone"}:
        data = data["landingZone"]
    return parse_config(data, str(file))


def _problems_from(error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        location = tuple(item["loc"])
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = _unknown_key_message(location)
        elif item["type"] == "missing":
            message = "required setting is missing"
        elif item["type"] == "value_error":
            message = message.removeprefix("Value error, ")
        elif item["type"] == "string_pattern_mismatch":
            message = f"{item['input']!r} is not valid: {_field_description(location) or message}"
        problems.append(Problem(format_location(location), message))
    return problems


def _unknown_key_message(location: tuple[str | int, ...]) -> str:
    """Name the unknown key and suggest the closest known one, so a typo is obvious."""
    model = _model_at(location[:-1])
    key = str(location[-1])
    if model is None:
        return f"unknown key '{key}'"
    known = [field.alias or name for name, field in model.model_fields.items()]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else f"; known keys: {', '.join(sorted(known))}"
    return f"unknown key '{key}'{hint}"


def _field_description(location: tuple[str | int, ...]) -> str | None:
    """The documented rule of the field at a location, for messages people can act on."""
    names = [part for part in location if isinstance(part, str)]
    model = _model_at(location[:-1]) if isinstance(location[-1], str) else _model_at(location[:-2])
    if model is None or not names:
        return None
    for name, field in model.model_fields.items():
        if names[-1] in (name, field.alias):
            return field.description
    return None


def _model_at(location: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The config model class found by walking a location from the root model."""
    current: Any = LandingZoneConfig
    for part in location:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next(
            (field for name, field in current.model_fields.items() if part in (name, field.alias)),
            None,
        )
        if field is None:
            return None
        current = _model_in(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _model_in(annotation: Any) -> Any:
    """The BaseModel class inside ``X``, ``list[X]`` or ``X | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
