"""What each route would use and whether it could: the data behind ``devcopilot models list``.

Checking credentials asks litellm (which knows every provider's variables), so
this module loads it; only the listing command calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

from devcopilot.core.config import OFFLINE, EffectiveConfig
from devcopilot.core.config.schema import DEFAULT_ROUTE


@dataclass(frozen=True)
class ModelStatus:
    model: str
    provider: str
    credentials: bool
    missing: str
    """The variables that would have to be set; never their values."""
    api_base: str | None


@dataclass(frozen=True)
class RouteStatus:
    route: str
    strategy: str
    inherits_default: bool
    models: tuple[ModelStatus, ...]


def route_inventory(config: EffectiveConfig) -> list[RouteStatus]:
    from devcopilot.core.router.litellm_backend import credential_status, provider_name  # noqa: PLC0415 - slow

    routes = []
    for name in config.route_names:
        route = config.route(name)
        statuses = []
        for model in route.models:
            if model == OFFLINE:
                statuses.append(ModelStatus(OFFLINE, "engine only", True, "", None))
                continue
            settings = config.model_settings(model)
            present, missing = credential_status(model, settings)
            statuses.append(ModelStatus(model, provider_name(model), present, missing, settings.api_base))
        inherits = name != DEFAULT_ROUTE and name not in config.settings.routes
        routes.append(RouteStatus(name, route.strategy, inherits, tuple(statuses)))
    return routes
