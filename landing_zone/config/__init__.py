"""The landing-zone configuration model (`LandingZoneConfig`) and its loaders.

`model` holds the top-level model and the loaders; `network` the hub-and-spoke sections; `_base`
the strict base model and field types they share.
"""

from landing_zone.config._base import Waiver
from landing_zone.config.model import (
    AUDIT_RETENTION_FLOOR_DAYS,
    AlertsConfig,
    DataServicesConfig,
    EntraGroup,
    ImmutabilityConfig,
    KeyConfig,
    LandingZoneConfig,
    LoggingConfig,
    RegionsConfig,
    TagsConfig,
    load_config_file,
    parse_config,
)
from landing_zone.config.network import (
    DdosProtectionConfig,
    FirewallConfig,
    HubConfig,
    NetworkConfig,
    NsgRuleConfig,
    SpokeConfig,
    SubnetConfig,
    VirtualNetworkConfig,
)

__all__ = [
    "AUDIT_RETENTION_FLOOR_DAYS",
    "AlertsConfig",
    "DataServicesConfig",
    "DdosProtectionConfig",
    "EntraGroup",
    "FirewallConfig",
    "HubConfig",
    "ImmutabilityConfig",
    "KeyConfig",
    "LandingZoneConfig",
    "LoggingConfig",
    "NetworkConfig",
    "NsgRuleConfig",
    "RegionsConfig",
    "SpokeConfig",
    "SubnetConfig",
    "TagsConfig",
    "VirtualNetworkConfig",
    "Waiver",
    "load_config_file",
    "parse_config",
]
