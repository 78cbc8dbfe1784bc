"""Templates of the files the iac job writes: versioned, fingerprinted and overridable like prompts.

``templates/iac/<name>.j2`` carries the same YAML front matter as a prompt
(``id``, ``version``, ``description``); a repository overrides one by putting
its own under ``.devcopilot/templates/iac/``. Every render reports the
template's id, version, sha256 and origin, so a generated file can be traced
to the exact template behind it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, UndefinedError

from devcopilot.core.errors import InputError
from devcopilot.core.prompts import PromptRegistry


def builtin_templates_dir() -> Path:
    """Templates inside the installed package, or the top-level ``templates/`` of a source checkout."""
    package_dir = Path(__file__).resolve().parents[2]
    shipped = package_dir / "templates"
    return shipped if shipped.is_dir() else package_dir.parent.parent / "templates"


@dataclass(frozen=True)
class RenderedFile:
    id: str
    version: str
    template_sha256: str
    overridden: bool
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


class FileTemplates(PromptRegistry):
    def __init__(self, repo_root: Path | None) -> None:
        override = repo_root / ".devcopilot" / "templates" if repo_root is not None else None
        super().__init__(builtin_dir=builtin_templates_dir(), override_dir=override)

    def render_file(self, template_id: str, variables: Mapping[str, Any]) -> RenderedFile:
        template = self.get(template_id)
        try:
            text = self._env.from_string(template.body).render(dict(variables))
        except UndefinedError as exc:
            raise InputError(f"template {template_id!r} needs a variable: {exc.message}") from None
        except TemplateError as exc:
            raise InputError(
                f"template {template_id!r} ({template.path}) cannot be rendered: {exc}"
            ) from None
        return RenderedFile(
            template.id, template.version, template.sha256, template.overridden, text.lstrip("\n")
        )
