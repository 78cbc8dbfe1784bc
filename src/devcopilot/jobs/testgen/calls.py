"""The calls the probe makes: each selected function on boundary inputs, and the instances methods need.

A call is source text, ``setup`` lines ending in ``result = <call>``, so the
test that pins what it did can reuse the very same text. Inputs vary one
parameter at a time from a base call, then in a few seeded random mixes;
the constants a function compares against are among the values tried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from devcopilot.jobs.testgen.inputs import constructor_params, inputs_for
from devcopilot.jobs.testgen.target import ClassSpec, FunctionSpec, ModuleSpec, Param

MAX_CALLS_PER_FUNCTION = 48
RANDOM_MIXES = 16
MAX_INITS = 32
INSTANCES_PER_METHOD = 3
MAX_CALLS_BEFORE = 4
"""The longest sequence of other calls on an instance before the call under observation."""
CALLABLE_ON_INSTANCE = ("method", "classmethod", "staticmethod")
REPEAT_CHANCE = 0.2


@dataclass(frozen=True)
class Call:
    id: str
    function: str
    pre: tuple[str, ...]
    """Statements that build what the call needs (an instance)."""
    expression: str

    @property
    def setup(self) -> str:
        lines = [*self.pre, "PRE_DONE = True", f"result = {self.expression}"]
        if self.pre and self.pre[0].startswith("obj = "):
            lines.append("obj_state = dict(vars(obj)) if hasattr(obj, '__dict__') else None")
        return "\n".join(lines)

    def request(self) -> dict[str, object]:
        return {"id": self.id, "func": self.function, "setup": self.setup, "watch": ["obj_state"]}


def passed(params: list[Param], choice: dict[str, str]) -> str:
    parts = []
    for param in params:
        if param.name not in choice:
            continue
        if param.kind == "keyword":
            parts.append(f"{param.name}={choice[param.name]}")
        else:
            parts.append(choice[param.name])
    return ", ".join(parts)


def argument_pools(
    function: FunctionSpec, module: ModuleSpec, params: list[Param]
) -> tuple[list[Param], dict[str, list[str]]]:
    """The parameters a call can pass by name or position, and the values tried for each."""
    usable = [p for p in params if p.kind in ("positional", "keyword")]
    return usable, {p.name: inputs_for(p, function, module).values or ["None"] for p in usable}


def random_arguments(usable: list[Param], pools: dict[str, list[str]], rng: random.Random) -> str:
    """One random argument list; optional positional parameters are passed as a prefix, keywords at random."""
    cut = rng.randint(0, len(usable))
    choice = {
        p.name: rng.choice(pools[p.name])
        for index, p in enumerate(usable)
        if p.default is None or (index < cut if p.kind == "positional" else rng.random() < 0.5)
    }
    return passed(usable, choice)


def argument_lists(function: FunctionSpec, module: ModuleSpec, params: list[Param], seed: int) -> list[str]:
    """Argument lists for ``params``: the base, one change at a time, then random mixes."""
    usable, pools = argument_pools(function, module, params)
    required = [p for p in usable if p.default is None]
    # A positional parameter after an omitted optional one must be passed by keyword: keep order by
    # passing optional positional parameters only when every earlier one is passed too.
    base = {p.name: pools[p.name][0] for p in required}
    seen: dict[str, None] = {passed(usable, base): None}
    for param in usable:
        for value in pools[param.name]:
            choice = dict(base)
            if param.default is not None:
                choice.update({p.name: pools[p.name][0] for p in usable[: usable.index(param)]})
            choice[param.name] = value
            seen.setdefault(passed(usable, choice))
    found = list(seen)[: MAX_CALLS_PER_FUNCTION - RANDOM_MIXES]
    rng = random.Random(seed)
    for _ in range(RANDOM_MIXES):
        mix = random_arguments(usable, pools, rng)
        if mix not in found:
            found.append(mix)
    return found


def random_calls(
    functions: list[FunctionSpec], module: ModuleSpec, instances: dict[str, list[str]], round_number: int
) -> list[Call]:
    """A round of seeded random calls; a method runs after a few other calls on the same instance.

    Now and then a call is made twice in a row: the second time is where duplicates are refused
    and caches answer."""
    rng = random.Random(round_number * 7919)
    by_owner: dict[str, list[FunctionSpec]] = {}
    pools = {}
    for function in functions:
        pools[function.qualname] = argument_pools(function, module, function.call_params)
        if function.owner and function.kind in CALLABLE_ON_INSTANCE and function.name != "__init__":
            by_owner.setdefault(function.owner, []).append(function)
    calls = []
    for function in functions:
        if function.name == "__init__" or function.kind == "setter":
            continue
        for n in range(RANDOM_MIXES):
            args = random_arguments(*pools[function.qualname], rng)
            call_id = f"{function.qualname}:r{round_number}:{n}"
            twice = rng.random() < REPEAT_CHANCE
            if function.owner is None or function.kind in ("staticmethod", "classmethod"):
                owner = f"{function.owner}." if function.owner else ""
                expression = f"{owner}{function.name}({args})"
                calls.append(Call(call_id, function.qualname, (expression,) if twice else (), expression))
            elif instances.get(function.owner):
                pre = [f"obj = {rng.choice(instances[function.owner])}"]
                others = by_owner.get(function.owner, [])  # none when the class has only properties
                for other in rng.choices(others, k=rng.randint(0, MAX_CALLS_BEFORE)) if others else []:
                    pre.append(f"obj.{other.name}({random_arguments(*pools[other.qualname], rng)})")
                expression = (
                    f"obj.{function.name}" if function.kind == "property" else f"obj.{function.name}({args})"
                )
                if twice and function.kind != "property":
                    pre.append(expression)
                calls.append(Call(call_id, function.qualname, tuple(pre), expression))
    return calls


def init_calls(cls: ClassSpec, module: ModuleSpec) -> list[Call]:
    inherited = module.found_signatures.get(cls.name, [])
    params = constructor_params(cls) or [Param(name, None, value, "positional") for name, value in inherited]
    owner = replace(
        cls.init or FunctionSpec(cls.name, cls.name, None, params, None, "", set(), 0, 0, 0),
        # what the methods compare their instance's data with is worth building instances from
        constants=list(dict.fromkeys(c for m in cls.methods for c in m.constants)),
    )
    arguments = argument_lists(owner, module, params, seed=len(cls.name))[:MAX_INITS]
    return [
        Call(f"init:{cls.name}:{n}", f"{cls.name}.__init__", (), f"{cls.name}({args})")
        for n, args in enumerate(arguments)
    ]


MAX_ITEMS = 50
"""Items a test takes from a generator: enough to pin its behaviour, never an endless stream."""


def run(function: FunctionSpec, call: str) -> str:
    """The expression that runs a call to completion: a generator consumed (bounded), a coroutine awaited."""
    if function.is_generator:
        return f"[*itertools.islice({call}, {MAX_ITEMS})]"
    if function.is_async:
        return f"asyncio.run({call})"
    return call


def function_calls(function: FunctionSpec, module: ModuleSpec, instances: dict[str, list[str]]) -> list[Call]:
    """The probe's calls for one function; methods run on the instances the first probe could build."""
    params = function.call_params
    seed = sum(map(ord, function.qualname))
    arguments = [""] if function.kind == "property" else argument_lists(function, module, params, seed)
    calls = []
    if function.owner is None:
        for n, args in enumerate(arguments):
            calls.append(
                Call(
                    f"{function.qualname}:{n}",
                    function.qualname,
                    (),
                    run(function, f"{function.name}({args})"),
                )
            )
        return calls
    if function.kind in ("staticmethod", "classmethod"):
        for n, args in enumerate(arguments):
            calls.append(
                Call(
                    f"{function.qualname}:{n}",
                    function.qualname,
                    (),
                    run(function, f"{function.owner}.{function.name}({args})"),
                )
            )
        return calls
    built = instances.get(function.owner, [])[:INSTANCES_PER_METHOD]
    if function.name == "__init__":
        return []
    per_instance = max(1, MAX_CALLS_PER_FUNCTION // max(1, len(built)))
    for i, instance in enumerate(built):
        for n, args in enumerate(arguments[:per_instance]):
            expression = (
                f"obj.{function.name}"
                if function.kind == "property"
                else run(function, f"obj.{function.name}({args})")
            )
            calls.append(
                Call(f"{function.qualname}:{i}:{n}", function.qualname, (f"obj = {instance}",), expression)
            )
    return calls
