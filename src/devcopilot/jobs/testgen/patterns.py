"""Inputs that pass a module's own validation: text its regular expressions match.

A function that checks its input against a compiled pattern of its module
(``validate(_content_length_re, value)``) turns away every generic value at
the first line; the branches after the check are written for text the pattern
accepts. The driver lists the patterns the module binds; Hypothesis, already
what the property tests run on, finds the shortest text each matches in full
and one a little longer, and those become constants of the functions that read
the pattern's name.
"""

from __future__ import annotations

import ast
import logging
import re
from typing import Any

from devcopilot.core.paths import Home
from devcopilot.jobs.testgen.target import ModuleSpec

log = logging.getLogger("devcopilot.tests")

MAX_PATTERNS = 20
"""Patterns sampled per module, of those its selected functions read: each takes Hypothesis a few
milliseconds to a few tenths of a second."""
LONGER = 3
"""The second sample is at least this long, so a pattern's repeated parts repeat in it."""


def matching_samples(pattern: str | bytes, flags: int) -> list[str]:
    """Literals of the shortest text ``pattern`` fully matches and of a longer one; none when Hypothesis
    cannot build one (lookarounds it does not model, a pattern that matches nothing)."""
    from hypothesis import HealthCheck, Phase, find, settings  # noqa: PLC0415 - only for modules with patterns
    from hypothesis import strategies as st  # noqa: PLC0415
    from hypothesis.configuration import set_hypothesis_home_dir  # noqa: PLC0415
    from hypothesis.errors import HypothesisException  # noqa: PLC0415

    # Hypothesis caches its character tables in ./.hypothesis: in the user's cache, not their tree.
    set_hypothesis_home_dir(str(Home.from_env().cache_dir / "hypothesis"))

    try:
        compiled = re.compile(pattern, flags)
    except (re.error, TypeError, ValueError):
        return []
    quiet = settings(
        database=None,  # nothing written to the user's tree
        derandomize=True,  # the same samples every run
        max_examples=200,
        phases=[Phase.generate, Phase.shrink],  # no explaining: it takes seconds
        suppress_health_check=list(HealthCheck),
    )
    found: list[str] = []
    for wanted in (lambda _: True, lambda text: len(text) >= LONGER):
        try:
            sample: Any = find(st.from_regex(compiled, fullmatch=True), wanted, settings=quiet)
        except (HypothesisException, re.error, ValueError, TypeError) as error:
            log.debug("no text matches %r: %s", pattern, error)
            continue
        if compiled.fullmatch(sample) and repr(sample) not in found:
            found.append(repr(sample))
    return found


def learn_patterns(spec: ModuleSpec, patterns: dict[str, tuple[str, int]]) -> None:
    """Give each selected function that reads a pattern's name the text that pattern matches."""
    readers = [f for f in spec.selected if f.reads & set(patterns)]
    if not readers:
        return
    samples: dict[str, list[str]] = {}
    read = sorted(set().union(*(f.reads for f in readers)) & set(patterns))
    for name in read[:MAX_PATTERNS]:  # only the patterns a selected function reads
        shown, flags = patterns[name]
        value = ast.literal_eval(shown)
        samples[name] = matching_samples(value, flags) if isinstance(value, str | bytes) else []
    for function in readers:
        for name in sorted(function.reads & set(samples)):
            function.constants += [s for s in samples[name] if s not in function.constants]
