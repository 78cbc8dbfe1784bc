"""Value oracles: characterization tests beyond what coverage asks for, offered for their mutant kills.

Coverage picks one call per path; a function like a leap-year test has one path
and many answers. So each function also gets pins of observed outcomes: first
one per different outcome (a value returned, an exception), then other inputs,
taking calls from each path through the function in turn (the lines a call
ran), in the order the probe tried them (constants from the body come early),
plain calls before call sequences on an instance (a lexer fed twice, a budget
spent after spending). A method's pin also asserts its instance's attributes
after the call, where they read back as literals: a mutant may change only the
state. None is kept for its coverage: the verifier keeps one only when it fails
on a mutant that no kept test fails on.
"""

from __future__ import annotations

from dataclasses import replace

from devcopilot.jobs.testgen.candidates import Candidate
from devcopilot.jobs.testgen.generate import Observation, Writer

PINS_PER_FUNCTION = 24
PINS_PER_MODULE = 240
"""Every pin is one more test in each verification run: a class of forty methods shares this many."""


def value_pins(
    writer: Writer,
    observations: list[Observation],
    chosen: list[Candidate],
    per_function: int = PINS_PER_FUNCTION,
) -> list[Candidate]:
    """Up to ``per_function`` more characterizations per function, each pinning a different outcome."""
    taken = {_body(c) for c in chosen}
    by_function: dict[str, list[Observation]] = {}
    for observation in observations:
        by_function.setdefault(observation.call.function, []).append(observation)
    found: list[Candidate] = []
    per_function = max(4, min(per_function, PINS_PER_MODULE // max(1, len(by_function))))
    for seen in by_function.values():
        plain_first = by_path([o for o in seen if o.call.plain]) + by_path(
            [o for o in seen if not o.call.plain]
        )
        outcomes: set[str] = set()
        picked: list[Observation] = []
        for pass_number in (1, 2):  # a different outcome each first; then other inputs, in the probe's order
            for observation in plain_first:
                outcome = outcome_key(observation)
                if len(picked) >= per_function or outcome is None or observation in picked:
                    continue
                if pass_number == 1 and outcome in outcomes:
                    continue
                if writer.assertion(observation) is None:
                    continue
                candidate = replace(
                    with_state(writer.characterization(observation), observation), for_mutants=True
                )
                if _body(candidate) in taken:
                    continue
                taken.add(_body(candidate))
                outcomes.add(outcome)
                picked.append(observation)
                found.append(candidate)
    return found


def with_state(candidate: Candidate, observation: Observation) -> Candidate:
    """The pin of a method call, also asserting the instance's attributes after it, when they read back."""
    state = observation.record.get("after", {}).get("obj_state", {}).get("literal")
    if (
        observation.record.get("status") != "ok"
        or state in (None, "None", "{}")
        or "vars(obj)" in candidate.code
    ):
        return candidate
    return replace(candidate, code=candidate.code + f"    assert vars(obj) == {state}\n")


def by_path(observations: list[Observation]) -> list[Observation]:
    """The observations taken in turn from each path through the function (the lines a call ran)."""
    paths: dict[frozenset[int], list[Observation]] = {}
    for observation in observations:
        paths.setdefault(observation.hits.lines, []).append(observation)
    queues = list(paths.values())
    ordered = []
    while queues:
        ordered += [queue.pop(0) for queue in queues]
        queues = [queue for queue in queues if queue]
    return ordered


def outcome_key(observation: Observation) -> str | None:
    """What a pin of this observation would assert, as one comparable string."""
    record = observation.record
    status = record.get("status")
    if status == "ok":
        shown = "obj" if record.get("is_obj") else record.get("literal") or record.get("repr")
        if shown is None and record.get("attributes"):
            shown = str(sorted(record["attributes"].items()))
        if shown is None and record.get("named"):
            shown = ".".join(record["named"])
        after = sorted((name, str(state)) for name, state in (record.get("after") or {}).items())
        return f"ok:{record.get('type')}:{shown}:{after}" if shown is not None else None
    if status == "raised" and not record.get("sandbox"):
        return f"raised:{record.get('exc_type')}"
    return None


def _body(candidate: Candidate) -> str:
    """The test without its ``def`` line: two pins of the same call differ only in their names."""
    return candidate.code.split("\n", 1)[-1]
