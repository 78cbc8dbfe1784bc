"""Configuration: sources, strict validation, and where each value came from."""

from devcopilot.core.config.loader import EffectiveConfig, ValueRow, load_config
from devcopilot.core.config.schema import OFFLINE, ROUTE_NAMES, ModelSettings, Route, Settings

__all__ = [
    "OFFLINE",
    "ROUTE_NAMES",
    "EffectiveConfig",
    "ModelSettings",
    "Route",
    "Settings",
    "ValueRow",
    "load_config",
]
