r"""``[incident]``: the log layouts a team writes down itself, tried before inference.

    [incident]
    formats = [
      {name = "billing", pattern = '%{TIMESTAMP:ts} \[%{WORD:component}\] %{LEVEL:level}: %{GREEDYDATA:msg}'},
    ]

A pattern is a regular expression in which ``%{TYPE:field}`` stands for a
piece of a known type (see ``grok``); it must name a ``msg`` field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devcopilot.jobs.incident.grok import compile_pattern


class UserFormat(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    pattern: str = Field(min_length=1, max_length=2000)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        compile_pattern("check", pattern)  # raises ValueError with the reason
        return pattern


class IncidentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    formats: list[UserFormat] = Field(default_factory=list)
    """Log layouts, tried in order before the inferred one; the one that reads most of a log wins."""
