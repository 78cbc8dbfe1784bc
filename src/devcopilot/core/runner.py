"""Run one command of a job: what every job used to repeat, done once.

The runner resolves ``--model``/``--no-model`` into the configuration's
command-line layer, gives the invocation one ``run_id`` (every model call in it
carries the same), times it, writes its verdicts and its ``job_run`` record,
and decides the exit code from the result: 3 when ``--strict-model`` was asked
and the model pass did not cover the work, 1 when the result has something at
``--fail-on``, else 0. A job only does its work and returns a result.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from devcopilot.core.config import OFFLINE
from devcopilot.core.context import Context
from devcopilot.core.errors import DevcopilotError, ExitCode
from devcopilot.core.jobs import JobSpec, JobTable
from devcopilot.core.kept_inputs import InputStore, KeptInput, mark
from devcopilot.core.redaction import redact
from devcopilot.core.verdicts import ModelPass, Verdicts

if TYPE_CHECKING:
    from devcopilot.core.router import ModelRouter

NEVER = "never"
SectionT = TypeVar("SectionT", bound=BaseModel)


class JobResult(Protocol):
    """What the runner needs of any job's result."""

    def job_run_fields(self) -> Mapping[str, Any]:
        """The job's own figures for its ``job_run`` record (names prefixed with the job's)."""
        ...

    def reaches(self, level: str) -> bool:
        """Whether anything in the result is at or above ``--fail-on`` (never called with ``never``)."""
        ...

    def model_summary(self) -> ModelPass | None:
        """The model pass, or ``None`` when none ran."""
        ...


ResultT = TypeVar("ResultT", bound=JobResult)


@dataclass(frozen=True)
class ModelChoice:
    """``--model``, ``--no-model`` and ``--strict-model`` as given on the command line."""

    models: tuple[str, ...] = ()
    off: bool = False
    strict: bool = False

    def flags(self, route: str) -> dict[str, Any]:
        """The command-line layer of the configuration these options make for ``route``."""
        if self.off:
            return {"routes": {route: {"models": [OFFLINE]}}}
        if self.models:
            return {"routes": {route: {"models": list(self.models)}}}
        return {}


@dataclass
class JobRun:
    """One invocation of a job command: what its work may use, and what it leaves behind."""

    spec: JobSpec
    command: str
    context: Context
    choice: ModelChoice = field(default_factory=ModelChoice)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    verdicts: Verdicts = field(default_factory=Verdicts)
    started: float = field(default_factory=time.perf_counter)
    replay_argv: list[str] | None = field(default=None, init=False)
    """The job command's arguments that would run this input again (see ``keep_input``)."""
    inputs: list[KeptInput] = field(default_factory=list, init=False)
    _router: ModelRouter | None = field(default=None, init=False, repr=False)
    _router_made: bool = field(default=False, init=False, repr=False)

    @property
    def job(self) -> str:
        return self.spec.name

    def router(self) -> ModelRouter | None:
        """The run's one router for the job's route, or ``None`` when the route is offline."""
        if not self._router_made:
            # A model given on the command line is the user's choice for this run; a pin is the default.
            pinned = None if self.choice.models or self.choice.off else self.context.pins.current(self.job)
            router = self.context.router(
                self.spec.route_name, job=self.job, run_id=self.run_id, pinned=pinned
            )
            self._router = None if router.offline else router
            self._router_made = True
        return self._router

    @property
    def keeps_inputs(self) -> bool:
        """Inputs are kept for replay when content logging is on."""
        return self.context.provenance.log_content

    def keep_input(self, name: str, *, data: bytes | None = None, path: str | None = None) -> str:
        """Keep an input (``data``, or the file at ``path``) and return the mark for it in ``replay_as``.

        With content logging off nothing is read or written: the run records
        that its input was not kept, and a replay says so.
        """
        origin = str(Path(path).resolve()) if path is not None else None
        if not self.keeps_inputs:
            self.inputs.append(KeptInput(None, name, origin))
        else:
            content = data if data is not None else Path(origin or "").read_bytes()
            store = InputStore(self.context.workspace.state_dir)
            self.inputs.append(store.keep(content, name, origin))
        return mark(len(self.inputs) - 1)

    def replay_as(self, argv: list[str]) -> None:
        """How ``devcopilot replay`` runs this command on the same input: arguments after the command."""
        self.replay_argv = argv

    def settings(self, kind: type[SectionT], *, base: str | None = None) -> SectionT:
        """The job's settings section; at ``base`` when the section gates CI and the change has a base."""
        config = self.context.config
        if base is not None and self.spec.settings_at_base:
            config = self.context.config_at(base)
        return config.section(self.job, kind)

    def model_pass(
        self, *, warning: str | None = None, details: Mapping[str, int] | None = None
    ) -> ModelPass:
        """The model pass in the words every job uses, drawn from this run's verdicts and answers."""
        router = self._router
        usage = router.usage if router is not None else None
        tally = self.verdicts.tally()
        return ModelPass(
            route_models=router.route.callable_models if router is not None else [],
            answered_by=sorted(usage.answered_by) if usage else [],
            prompts=sorted(usage.prompts) if usage else [],
            **tally.model_dump(),
            cost_usd=round(usage.cost_usd, 6) if usage else 0.0,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            cache_hits=usage.cache_hits if usage else 0,
            warning=warning,
            details=dict(details or {}),
        )


@dataclass(frozen=True)
class Finished(Generic[ResultT]):
    result: ResultT
    run_id: str
    exit_code: ExitCode


def exit_code(result: JobResult, choice: ModelChoice, fail_on: str) -> ExitCode:
    """The one exit policy: strict model use first, then ``--fail-on``."""
    if choice.strict:
        summary = result.model_summary()
        if summary is None or summary.warning:
            return ExitCode.MODEL_UNAVAILABLE
    if fail_on != NEVER and result.reaches(fail_on):
        return ExitCode.FINDINGS
    return ExitCode.OK


def run_job(
    jobs: JobTable,
    job: str,
    command: str,
    work: Callable[[JobRun], ResultT],
    *,
    choice: ModelChoice | None = None,
    fail_on: str = NEVER,
    context: Context | None = None,
) -> Finished[ResultT]:
    """Run ``work`` as one invocation of ``job``'s ``command`` and record it."""
    spec = jobs[job]
    choice = choice or ModelChoice()
    if context is None:
        context = Context.load(flags=choice.flags(spec.route_name), jobs=jobs)
    run = JobRun(spec, command, context, choice)
    try:
        result = work(run)
    except DevcopilotError as error:
        _record(run, {"error.type": type(error).__name__, "exit_code": int(error.exit_code)})
        raise
    code = exit_code(result, choice, fail_on)
    summary = result.model_summary()
    _record(
        run,
        {
            **result.job_run_fields(),
            "models": summary.answered_by if summary else [],
            "model_warning": summary.warning if summary else None,
            "exit_code": int(code),
        },
    )
    return Finished(result, run.run_id, code)


def _record(run: JobRun, fields: Mapping[str, Any]) -> None:
    """The run's verdicts, one record per (model, prompt version), then its ``job_run``, all by ``run_id``."""
    provenance = run.context.provenance
    for (model, prompt_id, version), verdicts in run.verdicts.groups().items():
        entries = [v.model_dump(include={"claim", "fingerprint", "outcome", "reason"}) for v in verdicts]
        provenance.append(
            provenance.new_record(
                "verdicts",
                **{
                    "run_id": run.run_id,
                    "job": run.job,
                    "gen_ai.request.model": model,
                    "prompt.id": prompt_id,
                    "prompt.version": version,
                    "verdicts": entries,
                },
            )
        )
    replay = None
    if run.replay_argv is not None:
        replay = {
            "argv": [redact(argument).text for argument in run.replay_argv],
            "inputs": [item.record() for item in run.inputs],
        }
    run.context.record_job_run(
        run.job, run.started, {"run_id": run.run_id, "command": run.command, "replay": replay, **fields}
    )
