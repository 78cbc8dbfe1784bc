"""Line and branch coverage of one file, read straight from coverage.py's data.

The possible statements and branch arcs come from coverage.py's own parser,
the executed ones from the run's data file (one context per test or probe
call), so "adds coverage" is set arithmetic on exactly what coverage.py
recorded for that test, never a report file picked by its timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from coverage import CoverageData
from coverage.python import PythonParser  # type: ignore[attr-defined]  # public class, no __all__

EXCLUDE = r"#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)"
Arc = tuple[int, int]


@dataclass(frozen=True)
class Hits:
    lines: frozenset[int] = frozenset()
    arcs: frozenset[Arc] = frozenset()

    def __or__(self, other: Hits) -> Hits:
        return Hits(self.lines | other.lines, self.arcs | other.arcs)

    def adds_to(self, seen: Hits, shape: FileShape) -> int:
        """How many statements and branches this adds over ``seen``."""
        new_lines = (self.lines - seen.lines) & shape.statements
        new_arcs = (self.arcs - seen.arcs) & shape.branch_arcs
        return len(new_lines) + len(new_arcs)


@dataclass
class FileShape:
    """What coverage.py can measure in the file: its statements and its branch arcs."""

    path: Path
    parser: PythonParser = field(repr=False)

    @classmethod
    def of(cls, path: Path, text: str | None = None) -> FileShape:
        """The shape of ``path``, or of ``text`` when the content to measure is not on disk (staged)."""
        parser = PythonParser(text=text, filename=str(path), exclude=EXCLUDE)
        parser.parse_source()
        return cls(path, parser)

    @cached_property
    def statements(self) -> frozenset[int]:
        return frozenset(self.parser.statements)

    @cached_property
    def branch_arcs(self) -> frozenset[Arc]:
        exits = self.parser.exit_counts()
        branching = {line for line, count in exits.items() if count > 1}
        return frozenset(arc for arc in self.parser.arcs() if arc[0] in branching)

    def translate(self, lines: set[int] | None, arcs: set[Arc] | None) -> Hits:
        return Hits(
            frozenset(self.parser.translate_lines(lines or set())),
            frozenset(self.parser.translate_arcs(arcs or set())),
        )

    def summary(self, hits: Hits, spans: list[tuple[int, int]] | None = None) -> Summary:
        """Coverage of the whole file, or of the statements and branches within ``spans``."""
        statements, branches = self.statements, self.branch_arcs
        if spans is not None:
            statements = frozenset(n for n in statements if any(low <= n <= high for low, high in spans))
            branches = frozenset(a for a in branches if any(low <= a[0] <= high for low, high in spans))
        return Summary(
            statements=len(statements),
            covered_statements=len(statements & hits.lines),
            branches=len(branches),
            covered_branches=len(branches & hits.arcs),
            missing_lines=sorted(statements - hits.lines),
        )


@dataclass(frozen=True)
class Summary:
    statements: int
    covered_statements: int
    branches: int
    covered_branches: int
    missing_lines: list[int]

    @property
    def line_percent(self) -> float:
        return percent(self.covered_statements, self.statements)

    @property
    def branch_percent(self) -> float:
        return percent(self.covered_branches, self.branches)

    @property
    def combined_percent(self) -> float:
        """coverage.py's own total: statements and branches counted together."""
        return percent(self.covered_statements + self.covered_branches, self.statements + self.branches)


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 100.0


def hits_by_context(data_file: Path, measured: Path, shape: FileShape) -> dict[str, Hits]:
    """Executed lines and arcs of ``measured`` per coverage context."""
    if not data_file.exists():
        return {}
    data = CoverageData(basename=str(data_file))
    data.read()
    name = str(measured)
    if name not in data.measured_files():
        return {}
    found: dict[str, Hits] = {}
    for context in data.measured_contexts():
        data.set_query_context(context)
        lines = data.lines(name)
        arcs = data.arcs(name)
        found[context] = shape.translate(set(lines or ()), set(arcs or ()))
    return found


def segments(missing: list[int], statements: frozenset[int]) -> list[tuple[int, int]]:
    """Runs of missing statements with no covered statement between them, as (first, last)."""
    gone = set(missing)
    runs: list[tuple[int, int]] = []
    previous_missing = False
    for line in sorted(statements):
        if line in gone:
            if previous_missing:
                runs[-1] = (runs[-1][0], line)
            else:
                runs.append((line, line))
        previous_missing = line in gone
    return runs
