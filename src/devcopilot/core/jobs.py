"""The job table: what the core knows of a job is what the job declares here, by import strings.

A job is a folder under ``jobs/``, a CLI module and its prompts. It declares
itself with a ``JobSpec``: the module that registers its commands, its routes,
and the settings section it adds to the configuration. The core names no job:
the table is built in ``devcopilot.jobs`` and handed down, and nothing in it is
imported until it is used, so ``--help`` and ``--version`` load no job at all. This module
imports only the standard library: the sandbox's child interpreter passes through
``devcopilot.jobs`` on every run.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

DEFAULT_ROUTE = "default"


def load_object(target: str) -> Any:
    """``package.module:attribute`` to the object it names."""
    module, _, attribute = target.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


@dataclass(frozen=True)
class JobSpec:
    name: str
    """The job's name in provenance, in the JSON envelope and in ``stats --by job``."""
    cli: str
    """``module:function``: called with the top-level Typer app, it adds the job's commands."""
    route: str = ""
    """The route its model calls take (the job's name when empty)."""
    settings: str | None = None
    """``module:Class`` of its ``[<name>]`` settings section (a strict pydantic model), if it has one."""
    settings_at_base: bool = False
    """The section gates CI, so it is read at the change's base commit: no change loosens its own check."""
    results: tuple[tuple[str, str], ...] = ()
    """``(command, "module:Class")``: the pydantic model of each command's JSON result (its schema)."""

    @property
    def route_name(self) -> str:
        return self.route or self.name

    def result_model(self, command: str) -> type[BaseModel]:
        """The model whose JSON Schema describes ``command``'s ``result`` in the envelope."""
        target = dict(self.results).get(command)
        if target is None:
            raise KeyError(f"job {self.name!r} declares no result for {command!r}")
        model: type[BaseModel] = load_object(target)
        return model

    def settings_model(self) -> type[BaseModel] | None:
        if self.settings is None:
            return None
        from pydantic import BaseModel  # noqa: PLC0415 - only configuration loading needs pydantic

        model = load_object(self.settings)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"{self.settings} is not a pydantic model")
        return model


@dataclass(frozen=True)
class JobTable:
    jobs: tuple[JobSpec, ...] = ()
    reserved_routes: tuple[str, ...] = ()
    """Routes of jobs still to come, accepted in configuration so files written for them stay valid."""
    _by_name: dict[str, JobSpec] = field(default_factory=dict, init=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        names = [job.name for job in self.jobs]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"job {duplicates[0]!r} is registered twice")
        self._by_name.update({job.name: job for job in self.jobs})

    def __getitem__(self, name: str) -> JobSpec:
        return self._by_name[name]

    def route_names(self) -> tuple[str, ...]:
        own = [job.route_name for job in self.jobs]
        return tuple(dict.fromkeys([DEFAULT_ROUTE, *own, *self.reserved_routes]))

    def sections(self) -> dict[str, type[BaseModel]]:
        """Each job's settings section by name (this imports the settings modules, and only them)."""
        return _sections(self)


@cache
def _sections(table: JobTable) -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for job in table.jobs:
        model = job.settings_model()
        if model is not None:
            found[job.name] = model
    return found


NO_JOBS = JobTable()
