"""Put generated files where they go: shown, diffed against what exists, or written with ``--write``.

Nothing is written without ``--write``. With it, a file that exists and
differs is replaced and reported as ``replaced`` (never silently); one that is
the same is left alone as ``unchanged``. With a model, each file may be
replaced by the model's version, but only one that passed every check; when
the user described a change (``--describe``) and no proposal passed, nothing
is written at all.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from devcopilot.core.errors import InputError, UsageError
from devcopilot.jobs.iac.compose import compose
from devcopilot.jobs.iac.compose import service_name as compose_name
from devcopilot.jobs.iac.detect import detect
from devcopilot.jobs.iac.detect.model import App
from devcopilot.jobs.iac.generate import dockerfile
from devcopilot.jobs.iac.report import GeneratedFile, GenerateResult
from devcopilot.jobs.iac.templates import FileTemplates, RenderedFile

if TYPE_CHECKING:
    from devcopilot.core.runner import JobRun


@dataclass
class Planned:
    path: Path
    rendered: RenderedFile
    app: App | None = None
    checked: bool = False
    """A Dockerfile or the compose file: what a model may change."""
    source: str = "template"


def generate_files(
    root: Path,
    what: str,
    out: Path | None,
    *,
    write: bool,
    run: JobRun | None = None,
    describe: str | None = None,
) -> GenerateResult:
    router = run.router() if run is not None else None
    if describe and router is None:
        raise UsageError("--describe needs a model: configure [routes.iac] or pass --model")
    detection = detect(root)
    templates = FileTemplates(root)
    planned, notes, apps = _plan(root, what, out, detection.apps, templates)
    unmet: list[str] = []
    model = None
    if router is not None and run is not None:
        from devcopilot.jobs.iac.model_pass import DEFAULT_REQUEST, IacRounds, Target  # noqa: PLC0415

        targets = {
            _shown(p.path, root): Target(_shown(p.path, root), p.rendered.text, p.app)
            for p in planned
            if p.checked
        }
        rounds = IacRounds(
            router,
            run.context.prompts,
            targets,
            apps,
            {a.path: compose_name(a) for a in apps},
            describe or DEFAULT_REQUEST,
            run.verdicts,
        )
        outcome = rounds.run()
        for item in planned:
            target = targets.get(_shown(item.path, root))
            if target is not None and target.accepted is not None:
                item.rendered = replace(item.rendered, text=target.accepted)
                item.source = "model"
            elif target is not None and describe:
                unmet.append(
                    f"{target.path}: {rounds.reasons.get(target.path, 'no proposal passed its checks')}"
                )
        model = run.model_pass(warning=outcome.warning, details={"rounds": outcome.rounds})
        if unmet:
            write = False  # the change asked for could not be made safely: leave everything as it is
    files = [_place(item, root, write=write) for item in planned]
    return GenerateResult(
        apps=[app.path for app in detection.apps], files=files, notes=notes, model=model, unmet=unmet
    )


def _plan(
    root: Path, what: str, out: Path | None, apps: list[App], templates: FileTemplates
) -> tuple[list[Planned], list[str], list[App]]:
    planned: list[Planned] = []
    notes: list[str] = []
    if what == "dockerfile":
        for app in apps:
            target = out or (root / app.path)
            try:
                items = dockerfile(app, root, templates)
            except InputError as error:
                if len(apps) == 1:
                    raise
                notes.append(str(error))  # the other apps still get theirs
                continue
            planned += [Planned(target / i.path, i.rendered, app, i.path == "Dockerfile") for i in items]
        return planned, notes, apps
    target = out or root
    placed = [app.model_copy(update={"path": _relative(root / app.path, target)}) for app in apps]
    text, example = compose(placed, templates)
    planned.append(Planned(target / "compose.yaml", text, None, True))
    planned.append(
        Planned(target / ".env.example", RenderedFile("iac/env-example", "1.0.0", "", False, example))
    )
    return planned, notes, placed


def _relative(folder: Path, target: Path) -> str:
    relative = Path(os.path.relpath(folder.resolve(), target.resolve())).as_posix()
    return "." if relative in ("", ".") else relative


def _place(item: Planned, root: Path, *, write: bool) -> GeneratedFile:
    path, rendered = item.path, item.rendered
    shown = _shown(path, root)
    existing = _read(path)
    diff = ""
    if existing is None:
        status = "new"
    elif existing == rendered.text:
        status = "unchanged"
    else:
        status = "differs"
        diff = "".join(
            difflib.unified_diff(
                existing.splitlines(keepends=True),
                rendered.text.splitlines(keepends=True),
                fromfile=f"a/{shown}",
                tofile=f"b/{shown}",
            )
        )
    if write and status != "unchanged":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered.text, encoding="utf-8")
        except OSError as error:
            raise InputError(f"{shown}: cannot write: {error.strerror}") from None
        status = "written" if status == "new" else "replaced"
    return GeneratedFile(
        path=shown,
        template=rendered.id,
        template_version=rendered.version,
        template_sha256=rendered.template_sha256,
        overridden=rendered.overridden,
        source=item.source,
        status=status,
        content=rendered.text,
        diff=diff,
    )


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the existing file: {error}") from None
