"""The calls the probe makes: each selected function on boundary inputs, and the instances methods need.

A call is source text, ``setup`` lines ending in ``result = <call>``, so the
test that pins what it did can reuse the very same text. Inputs vary one
parameter at a time from a base call, then in a few seeded random mixes;
the constants a function compares against are among the values tried.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from devcopilot.jobs.tests.inputs import constructor_params, inputs_for
from devcopilot.jobs.tests.target import ClassSpec, FunctionSpec, ModuleSpec, Param

MAX_CALLS_PER_FUNCTION = 48
RANDOM_MIXES = 16
MAX_INITS = 8
INSTANCES_PER_METHOD = 3


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


def argument_lists(function: FunctionSpec, module: ModuleSpec, params: list[Param], seed: int) -> list[str]:
    """Argument lists for ``params``: the base, one change at a time, then random mixes."""
    usable = [p for p in params if p.kind in ("positional", "keyword")]
    pools = {p.name: inputs_for(p, function, module).values or ["None"] for p in usable}
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
    rng = random.Random(seed)
    for _ in range(RANDOM_MIXES):
        choice = {p.name: rng.choice(pools[p.name]) for p in usable}
        seen.setdefault(passed(usable, choice))
    return list(seen)[:MAX_CALLS_PER_FUNCTION]


def random_calls(
    functions: list[FunctionSpec], module: ModuleSpec, instances: dict[str, list[str]], round_number: int
) -> list[Call]:
    """A round of seeded random calls; a method runs after up to two other calls on the same instance."""
    rng = random.Random(round_number * 7919)
    by_owner: dict[str, list[FunctionSpec]] = {}
    for function in functions:
        if function.owner and function.kind == "method" and function.name != "__init__":
            by_owner.setdefault(function.owner, []).append(function)
    calls = []
    for function in functions:
        if function.name == "__init__" or function.kind == "setter":
            continue
        arguments = argument_lists(function, module, function.call_params, rng.randrange(1 << 30))
        for n in range(RANDOM_MIXES):
            args = rng.choice(arguments)
            call_id = f"{function.qualname}:r{round_number}:{n}"
            if function.owner is None:
                calls.append(Call(call_id, function.qualname, (), f"{function.name}({args})"))
            elif function.kind in ("staticmethod", "classmethod"):
                calls.append(
                    Call(call_id, function.qualname, (), f"{function.owner}.{function.name}({args})")
                )
            elif instances.get(function.owner):
                pre = [f"obj = {rng.choice(instances[function.owner])}"]
                for other in rng.sample(
                    by_owner[function.owner], k=min(len(by_owner[function.owner]), rng.randint(0, 2))
                ):
                    other_args = rng.choice(
                        argument_lists(other, module, other.call_params, rng.randrange(1 << 30))
                    )
                    pre.append(f"obj.{other.name}({other_args})")
                expression = (
                    f"obj.{function.name}" if function.kind == "property" else f"obj.{function.name}({args})"
                )
                calls.append(Call(call_id, function.qualname, tuple(pre), expression))
    return calls


def init_calls(cls: ClassSpec, module: ModuleSpec) -> list[Call]:
    params = constructor_params(cls)
    owner = cls.init or FunctionSpec(cls.name, cls.name, None, params, None, "", set(), 0, 0, 0)
    arguments = argument_lists(owner, module, params, seed=len(cls.name))[:MAX_INITS]
    return [
        Call(f"init:{cls.name}:{n}", f"{cls.name}.__init__", (), f"{cls.name}({args})")
        for n, args in enumerate(arguments)
    ]


def function_calls(function: FunctionSpec, module: ModuleSpec, instances: dict[str, list[str]]) -> list[Call]:
    """The probe's calls for one function; methods run on the instances the first probe could build."""
    params = function.call_params
    seed = sum(map(ord, function.qualname))
    arguments = [""] if function.kind == "property" else argument_lists(function, module, params, seed)
    calls = []
    if function.owner is None:
        for n, args in enumerate(arguments):
            calls.append(Call(f"{function.qualname}:{n}", function.qualname, (), f"{function.name}({args})"))
        return calls
    if function.kind in ("staticmethod", "classmethod"):
        for n, args in enumerate(arguments):
            calls.append(
                Call(
                    f"{function.qualname}:{n}",
                    function.qualname,
                    (),
                    f"{function.owner}.{function.name}({args})",
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
                f"obj.{function.name}" if function.kind == "property" else f"obj.{function.name}({args})"
            )
            calls.append(
                Call(f"{function.qualname}:{i}:{n}", function.qualname, (f"obj = {instance}",), expression)
            )
    return calls
