"""A candidate test: one whole pytest function with the imports it needs, and where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = (
    "property",
    "round-trip",
    "idempotence",
    "equivalence",
    "metamorphic",
    "docstring",
    "characterization",
    "model",
)


@dataclass
class Candidate:
    name: str
    kind: str
    function: str
    """The qualified name of the function under test."""
    code: str
    """The ``def`` (with its decorators) at column 0."""
    imports: list[str] = field(default_factory=list)
    """Whole import statements, one per item."""
    contract: bool = False
    """Its inputs and assertion come from declared hints or documentation: a failure is a possible bug."""
    origin: str = "engine"
    for_mutants: bool = False
    """Offered for the mutants it may kill alone (a value pin), never kept for its coverage."""
    problem: str = ""
    """Why the candidate cannot be a test at all (set when a model's answer is not one test function)."""
