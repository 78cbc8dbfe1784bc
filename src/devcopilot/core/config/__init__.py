"""Configuration: sources, strict validation, and where each value came from."""

from devcopilot.core.config.loader import EffectiveConfig, ValueRow, load_config
from devcopilot.core.config.schema import DEFAULT_ROUTE, OFFLINE, ModelSettings, Route, Settings

__all__ = [
    "DEFAULT_ROUTE",
    "OFFLINE",
    "EffectiveConfig",
    "ModelSettings",
    "Route",
    "Settings",
    "ValueRow",
    "load_config",
]
