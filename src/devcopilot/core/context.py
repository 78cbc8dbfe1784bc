"""Everything a command needs about where it runs, built once per invocation.

Jobs and CLI commands take a ``Context`` rather than reading the environment
themselves, so tests can build one for a temporary repository and home.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devcopilot.core.config import EffectiveConfig, load_config
from devcopilot.core.errors import ConfigError
from devcopilot.core.git import git
from devcopilot.core.jobs import NO_JOBS, JobTable
from devcopilot.core.paths import Workspace
from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.provenance import ProvenanceLog

if TYPE_CHECKING:
    from devcopilot.core.router import ModelRouter, ResponseCache
    from devcopilot.core.router.pins import PinFile

log = logging.getLogger(__name__)


@dataclass
class Context:
    workspace: Workspace
    config: EffectiveConfig

    @classmethod
    def load(
        cls,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        flags: Mapping[str, Any] | None = None,
        jobs: JobTable = NO_JOBS,
    ) -> Context:
        """``flags`` is the command-line layer of the configuration; ``jobs`` the registered jobs."""
        env = os.environ if env is None else env
        workspace = Workspace.discover(cwd, env)
        return cls(workspace, load_config(workspace, env, flags, jobs=jobs))

    def config_at(self, commit: str) -> EffectiveConfig:
        """The configuration with the repository's files as ``commit`` has them (user and env layers as now).

        Settings that gate CI are read here at the change's base commit, so a change cannot loosen
        its own check. A base whose files are invalid falls back to the working tree's, with a warning.
        """
        repo = self.workspace.repo_root
        if repo is None:
            return self.config

        def read(name: str) -> tuple[str, bytes] | None:
            done = git(repo, "show", f"{commit}:{name}", check=False)
            return (f"{name} at {commit[:12]}", done.stdout) if done.returncode == 0 else None

        try:
            return load_config(self.workspace, repo_files=read, jobs=self.config.jobs)
        except ConfigError as error:
            log.warning("%s; the working tree's settings are used instead", error)
            return self.config

    @cached_property
    def provenance(self) -> ProvenanceLog:
        settings = self.config.settings
        return ProvenanceLog(
            self.workspace.provenance_file,
            repo_root=self.workspace.repo_root,
            max_bytes=int(settings.provenance_max_mb * 1024 * 1024),
            keep=settings.provenance_keep,
            log_content=settings.log_content,
        )

    @cached_property
    def prompts(self) -> PromptRegistry:
        return PromptRegistry(override_dir=self.workspace.repo_prompts_dir)

    @cached_property
    def cache(self) -> ResponseCache:
        from devcopilot.core.router import ResponseCache  # noqa: PLC0415 - the router package loads on demand

        return ResponseCache(self.workspace.cache_dir)

    def record_job_run(self, job: str, started: float, fields: Mapping[str, Any]) -> None:
        """Record a ``job_run``: the job, its wall time since ``started`` (perf_counter), its counts."""
        provenance = self.provenance
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        provenance.append(provenance.new_record("job_run", job=job, duration_ms=duration_ms, **fields))

    def router(
        self,
        route: str,
        *,
        job: str | None = None,
        models: list[str] | None = None,
        use_cache: bool = True,
        run_id: str | None = None,
        pinned: str | None = None,
    ) -> ModelRouter:
        """A router for one run; ``models`` overrides the route's, ``run_id`` ties its calls to the run."""
        from devcopilot.core.router import ModelRouter  # noqa: PLC0415 - the router package loads on demand

        config = self.config
        if models:
            config = config.with_models(route, models, "command line --model")
        cache = self.cache if use_cache else None
        return ModelRouter(
            config, route, job=job, log_to=self.provenance, cache=cache, run_id=run_id, pinned=pinned
        )

    @cached_property
    def pins(self) -> PinFile:
        from devcopilot.core.router.pins import PINS_FILE, PinFile  # noqa: PLC0415 - the model path only

        return PinFile(self.workspace.provenance_file.parent / PINS_FILE)
