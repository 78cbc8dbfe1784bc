"""Everything a command needs about where it runs, built once per invocation.

Jobs and CLI commands take a ``Context`` rather than reading the environment
themselves, so tests can build one for a temporary repository and home.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devcopilot.core.config import EffectiveConfig, load_config
from devcopilot.core.paths import Workspace
from devcopilot.core.prompts import PromptRegistry
from devcopilot.core.provenance import ProvenanceLog

if TYPE_CHECKING:
    from devcopilot.core.router import ModelRouter, ResponseCache


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
    ) -> Context:
        env = os.environ if env is None else env
        workspace = Workspace.discover(cwd, env)
        return cls(workspace, load_config(workspace, env, flags))

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
    ) -> ModelRouter:
        """A router for one run; ``models`` is the ``--model`` override for this route."""
        from devcopilot.core.router import ModelRouter  # noqa: PLC0415 - the router package loads on demand

        config = self.config
        if models:
            config = config.with_models(route, models, "command line --model")
        cache = self.cache if use_cache else None
        return ModelRouter(config, route, job=job, log_to=self.provenance, cache=cache)
