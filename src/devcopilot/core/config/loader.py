"""Load the configuration from every source, remembering where each value came from.

Sources, lowest to highest precedence: built-in defaults, the user file
(``<config dir>/config.toml``), the repository's ``[tool.devcopilot]`` in
``pyproject.toml``, the repository's ``.devcopilot.toml``, ``DEVCOPILOT_*``
environment variables, and command-line flags.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from devcopilot.core.config.schema import (
    BUILTIN_ROUTE_DEFAULTS,
    DEFAULT_ROUTE,
    ModelSettings,
    Route,
    RouteSettings,
    Settings,
    settings_model,
)
from devcopilot.core.errors import ConfigError
from devcopilot.core.jobs import NO_JOBS, JobTable
from devcopilot.core.paths import Workspace

ENV_PREFIX = "DEVCOPILOT_"
MODEL_ENV = "DEVCOPILOT_MODEL"
# Variables with a meaning of their own, not configuration keys.
RESERVED_ENV = frozenset({"DEVCOPILOT_HOME", MODEL_ENV, "DEVCOPILOT_DEBUG"})
DEFAULT_ORIGIN = "default"
SectionT = TypeVar("SectionT", bound=BaseModel)


@dataclass(frozen=True)
class Source:
    """One layer of configuration: its data and how to name it in messages."""

    label: str
    data: dict[str, Any]
    key_prefix: str = ""
    origin_of_key: Mapping[str, str] = field(default_factory=dict)
    """Per-key origin (environment variables each name their own)."""

    def origin(self, key_path: str) -> str:
        """Who set ``key_path``, or a key below it (an unknown table is set by whoever set its keys)."""
        if key_path in self.origin_of_key:
            return self.origin_of_key[key_path]
        below = (origin for key, origin in self.origin_of_key.items() if key.startswith(key_path + "."))
        return next(below, self.label)


@dataclass(frozen=True)
class ValueRow:
    key: str
    value: Any
    origin: str


@dataclass(frozen=True)
class EffectiveConfig:
    """The merged, validated configuration and the origin of every value in it."""

    settings: Settings
    origins: Mapping[str, str]
    sources: tuple[str, ...]
    jobs: JobTable = NO_JOBS

    @property
    def route_names(self) -> tuple[str, ...]:
        return self.jobs.route_names()

    def section(self, name: str, kind: type[SectionT]) -> SectionT:
        """A job's settings section (its defaults when the job table does not declare it)."""
        value = getattr(self.settings, name, None)
        if value is None:
            return kind()
        if not isinstance(value, kind):
            raise TypeError(f"settings section {name!r} is a {type(value).__name__}, not {kind.__name__}")
        return value

    def route(self, name: str) -> Route:
        """Resolve a job's route: built-in defaults, then ``routes.default``, then ``routes.<name>``."""
        merged: dict[str, Any] = dict(BUILTIN_ROUTE_DEFAULTS)
        for layer in (DEFAULT_ROUTE, name):
            settings = self.settings.routes.get(layer)
            if settings is not None:
                merged.update(settings.model_dump(exclude_none=True))
        try:
            return Route(name=name, **merged)
        except ValidationError as exc:
            origin = self.origins.get(f"routes.{name}.strategy") or self.origins.get(
                f"routes.{DEFAULT_ROUTE}.strategy", DEFAULT_ORIGIN
            )
            raise ConfigError(origin, f"routes.{name}", _first_problem(exc)[1]) from None

    def model_settings(self, model: str) -> ModelSettings:
        return self.settings.models.get(model) or ModelSettings()

    def with_models(self, route: str, models: list[str], origin: str) -> EffectiveConfig:
        """A copy whose route (and, for ``default``, every route) uses ``models``: what ``--model`` does."""
        names = self.route_names if route == DEFAULT_ROUTE else (route,)
        routes = dict(self.settings.routes)
        origins = dict(self.origins)
        for name in names:
            current = routes.get(name) or RouteSettings()
            routes[name] = current.model_copy(update={"models": models})
            origins[f"routes.{name}.models"] = origin
        settings = self.settings.model_copy(update={"routes": routes})
        _validate(Source(origin, settings.model_dump(exclude_none=True)), self.jobs)
        return replace(self, settings=settings, origins=origins)

    def explain(self) -> list[ValueRow]:
        """Every effective value with its origin, routes shown resolved for each job."""
        rows: list[ValueRow] = []
        top = self.settings.model_dump(exclude={"routes"})
        for key, value in _leaves(top):
            rows.append(ValueRow(key, value, self.origins.get(key, DEFAULT_ORIGIN)))
        for name in self.route_names:
            route = self.route(name).model_dump(exclude={"name"})
            for key, value in route.items():
                rows.append(ValueRow(f"routes.{name}.{key}", value, self._route_origin(name, key)))
        return rows

    def _route_origin(self, name: str, key: str) -> str:
        own = self.origins.get(f"routes.{name}.{key}")
        if own is not None:
            return own
        inherited = self.origins.get(f"routes.{DEFAULT_ROUTE}.{key}")
        if inherited is not None and name != DEFAULT_ROUTE:
            return f"{inherited} (via routes.{DEFAULT_ROUTE})"
        return DEFAULT_ORIGIN


def load_config(
    workspace: Workspace,
    env: Mapping[str, str] | None = None,
    flags: Mapping[str, Any] | None = None,
    repo_files: RepoFileReader | None = None,
    jobs: JobTable = NO_JOBS,
) -> EffectiveConfig:
    """``repo_files`` reads the repository's config files from elsewhere than the disk (a commit).

    ``jobs`` is the table of registered jobs: their routes and settings sections are what the
    configuration may name, and an unknown key anywhere is an error naming the file.
    """
    env = os.environ if env is None else env
    sources = [*_file_sources(workspace, repo_files), _env_source(env)]
    if flags:
        sources.append(Source("command line", dict(flags)))
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for source in sources:
        _validate(source, jobs)
        _merge(merged, source.data, origins, source, ())
    settings = _validate(Source("merged configuration", merged), jobs)
    config = EffectiveConfig(settings, origins, tuple(s.label for s in sources if s.data), jobs)
    model_override = env.get(MODEL_ENV, "").strip()
    if model_override:
        models = [m.strip() for m in model_override.split(",") if m.strip()]
        config = config.with_models(DEFAULT_ROUTE, models, f"env {MODEL_ENV}")
    for name in config.route_names:
        config.route(
            name
        )  # surface route-level errors (e.g. A/B weights) at load time, not at the first call
    return config


RepoFileReader = Callable[[str], tuple[str, bytes] | None]
"""Reads a repository file by its relative path: ``(label for messages, content)``, or ``None`` if absent."""


def disk_reader(root: Path) -> RepoFileReader:
    def read(name: str) -> tuple[str, bytes] | None:
        path = root / name
        try:
            return (str(path), path.read_bytes()) if path.is_file() else None
        except OSError as exc:
            raise ConfigError(str(path), "", f"cannot be read: {exc.strerror}") from None

    return read


def _file_sources(workspace: Workspace, repo_files: RepoFileReader | None) -> Iterable[Source]:
    user_file = disk_reader(workspace.home.config_dir)(workspace.home.config_file.name)
    if user_file is not None:
        yield Source(user_file[0], _parse_toml(*user_file))
    if workspace.repo_root is None:
        return
    read = repo_files or disk_reader(workspace.repo_root)
    pyproject = read("pyproject.toml")
    if pyproject is not None:
        tool = _parse_toml(*pyproject).get("tool", {})
        section = tool.get("devcopilot") if isinstance(tool, dict) else None
        if section is not None:
            if not isinstance(section, dict):
                raise ConfigError(pyproject[0], "tool.devcopilot", "must be a table")
            yield Source(pyproject[0], section, key_prefix="tool.devcopilot.")
    dedicated = read(".devcopilot.toml")
    if dedicated is not None:
        yield Source(dedicated[0], _parse_toml(*dedicated))


def _parse_toml(label: str, content: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(content.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(label, "", f"invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(label, "", f"cannot be read: {exc}") from None


def _env_source(env: Mapping[str, str]) -> Source:
    data: dict[str, Any] = {}
    origin_of_key: dict[str, str] = {}
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in RESERVED_ENV:
            continue
        parts = [p.lower() for p in name[len(ENV_PREFIX) :].split("__")]
        if not all(parts):
            raise ConfigError(f"env {name}", "", "empty key segment; nested keys are joined with '__'")
        node = data
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"env {name}", ".".join(parts), "conflicts with another variable")
            node = child
        node[parts[-1]] = _parse_env_value(env[name])
        origin_of_key[".".join(parts)] = f"env {name}"
    return Source("environment", data, origin_of_key=origin_of_key)


def _parse_env_value(raw: str) -> Any:
    """Read a value the way TOML would (``true``, ``30``, ``["a", "b"]``), else keep the plain string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _validate(source: Source, jobs: JobTable) -> Settings:
    try:
        return settings_model(jobs).model_validate(source.data, context={"jobs": jobs})
    except ValidationError as exc:
        key_path, problem = _first_problem(exc)
        extra = len(exc.errors()) - 1
        if extra > 0:
            problem += f" (and {extra} more problem{'s' if extra > 1 else ''})"
        raise ConfigError(source.origin(key_path), source.key_prefix + key_path, problem) from None


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    key_path = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return key_path, "unknown key"
    message = error["msg"].removeprefix("Value error, ")
    return key_path, message


def _merge(
    into: dict[str, Any],
    new: Mapping[str, Any],
    origins: dict[str, str],
    source: Source,
    path: tuple[str, ...],
) -> None:
    for key, value in new.items():
        key_path = (*path, key)
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value, origins, source, key_path)
            continue
        into[key] = _copy(value)
        for leaf, _ in _leaves({key: value}, path):
            origins[leaf] = source.origin(leaf)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _leaves(data: Mapping[str, Any], path: tuple[str, ...] = ()) -> Iterable[tuple[str, Any]]:
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, (*path, str(key)))
        else:
            yield ".".join((*path, str(key))), value
