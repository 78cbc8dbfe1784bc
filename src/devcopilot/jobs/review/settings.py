"""``[review]``: what a team tunes about its reviews. Read at the change's base commit."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class ReviewSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: Annotated[int, Field(ge=1, le=32)] = 4
    """Chunks sent to the model at once."""
    exclude: list[str] = Field(default_factory=list)
    """Globs of files never reviewed (in addition to vendored, lock and generated files)."""
    ruff_extend_select: list[Annotated[str, Field(pattern=r"^[A-Z]+[0-9]*$")]] = Field(default_factory=list)
    """ruff rules or prefixes shown in addition to the bug and correctness set (as warnings)."""
    bandit_level: Literal["low", "medium", "high"] = "medium"
    """The lowest bandit severity shown; ``low`` findings are shown as info."""
