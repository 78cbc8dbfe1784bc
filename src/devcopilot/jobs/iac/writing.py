"""Put generated files where they go: shown, diffed against what exists, or written with ``--write``.

Nothing is written without ``--write``. With it, a file that exists and
differs is replaced and reported as ``replaced`` (never silently); one that is
the same is left alone as ``unchanged``.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from devcopilot.core.errors import InputError
from devcopilot.jobs.iac.compose import compose
from devcopilot.jobs.iac.detect import detect
from devcopilot.jobs.iac.generate import dockerfile
from devcopilot.jobs.iac.report import GeneratedFile, GenerateResult
from devcopilot.jobs.iac.templates import FileTemplates, RenderedFile


def generate_files(root: Path, what: str, out: Path | None, *, write: bool) -> GenerateResult:
    detection = detect(root)
    templates = FileTemplates(root)
    planned: list[tuple[Path, RenderedFile]] = []
    notes: list[str] = []
    if what == "dockerfile":
        for app in detection.apps:
            target = out or (root / app.path)
            try:
                planned += [(target / item.path, item.rendered) for item in dockerfile(app, root, templates)]
            except InputError as error:
                if len(detection.apps) == 1:
                    raise
                notes.append(str(error))  # the other apps still get theirs
    else:
        target = out or root
        apps = [app.model_copy(update={"path": _relative(root / app.path, target)}) for app in detection.apps]
        text, example = compose(apps, templates)
        planned.append((target / "compose.yaml", text))
        planned.append(
            (target / ".env.example", RenderedFile("iac/env-example", "1.0.0", "", False, example))
        )
    files = [_place(path, rendered, root, write=write) for path, rendered in planned]
    return GenerateResult(apps=[app.path for app in detection.apps], files=files, notes=notes)


def _relative(folder: Path, target: Path) -> str:
    relative = Path(os.path.relpath(folder.resolve(), target.resolve())).as_posix()
    return "." if relative in ("", ".") else relative


def _place(path: Path, rendered: RenderedFile, root: Path, *, write: bool) -> GeneratedFile:
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
