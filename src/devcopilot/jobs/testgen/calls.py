"""The calls the probe makes: each selected function on boundary inputs, and the instances methods need.

A call is source text, ``setup`` lines ending in ``result = <call>``, so the
test that pins what it did can reuse the very same text. Inputs vary one
parameter at a time from a base call, then in a few seeded random mixes;
the constants a function compares against are among the values tried.
"""

from __future__ import annotations

import ast
import itertools
import random
import re
from dataclasses import dataclass, replace

from devcopilot.jobs.testgen.inputs import constructor_params, inputs_for, is_literal
from devcopilot.jobs.testgen.target import ClassSpec, FunctionSpec, ModuleSpec, Param

MAX_CALLS_PER_FUNCTION = 48
RANDOM_MIXES = 16
MAX_INITS = 32
INIT_MIXES = 8
"""Instances built with several options set at once: what options change together shows there."""
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
    def entered(self) -> bool:
        return self.expression == ENTERED

    @property
    def shown(self) -> str:
        """The call as a test's docstring names it (a context manager's ``with`` line)."""
        return self.pre[-2].removesuffix(":") if self.entered else self.expression

    @property
    def before(self) -> tuple[str, ...]:
        """The statements before the call (a context manager's ``with`` block is the call)."""
        return self.pre[:-2] if self.entered else self.pre

    @property
    def invoked(self) -> str:
        """The call expression itself (what a ``with`` statement enters)."""
        return (
            self.pre[-2].removeprefix("with ").removesuffix(f" as {ENTERED}:")
            if self.entered
            else self.expression
        )

    @property
    def plain(self) -> bool:
        """Made on its own, at most on a fresh instance: no other call comes before it."""
        return all(line.startswith(BUILT) for line in self.before)

    @property
    def setup(self) -> str:
        lines = [*self.pre, "PRE_DONE = True", f"result = {self.expression}"]
        if any(line.startswith("obj = ") for line in self.pre):
            lines.append("obj_state = dict(vars(obj)) if hasattr(obj, '__dict__') else None")
        if self.stream is not None:
            lines.append(f"written = None if {STREAM}.closed else {STREAM}.getvalue()")  # one the call closed
        return "\n".join(lines)

    @property
    def stream(self) -> str | None:
        """The in-memory stream the call was given (``io.StringIO()``), named first by ``named_stream``."""
        first = self.pre[0] if self.pre else ""
        return first.removeprefix(f"{STREAM} = ") if first.startswith(f"{STREAM} = ") else None

    def request(self) -> dict[str, object]:
        return {"id": self.id, "func": self.function, "setup": self.setup, "watch": ["obj_state", "written"]}


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


Choice = dict[str, str]
"""Parameter name -> the source text of the value passed."""


def argument_lists(
    function: FunctionSpec,
    module: ModuleSpec,
    params: list[Param],
    seed: int,
    base: Choice | None = None,
    *,
    limit: int = MAX_CALLS_PER_FUNCTION,
    mixes: int = RANDOM_MIXES,
    spread: bool = False,
) -> list[str]:
    """Argument lists for ``params``: the base, one change at a time, then random mixes.

    The base is each required parameter's first value, unless ``base`` names the values of a call
    seen to return: varying one value at a time from a call that raises explores only its error.
    With ``spread`` the parameters take turns when their values do not all fit under ``limit``
    (each one's first value other than its default, then each one's second), so that a
    constructor with many options is not tried with its first option alone."""
    usable, pools = argument_pools(function, module, params)
    required = [p for p in usable if p.default is None]
    # A positional parameter after an omitted optional one must be passed by keyword: keep order by
    # passing optional positional parameters only when every earlier one is passed too.
    first = {p.name: pools[p.name][0] for p in usable}
    unchanged = {p.name: p.default if p.default and is_literal(p.default) else first[p.name] for p in usable}
    start = base if base is not None else {p.name: first[p.name] for p in required}
    changes: list[list[str]] = []
    for param in usable:
        changed = []
        for value in pools[param.name]:
            choice = dict(start)
            if param.default is not None:
                earlier = usable[: usable.index(param)]
                choice.update({p.name: start.get(p.name, unchanged[p.name]) for p in earlier})
            choice[param.name] = value
            changed.append(passed(usable, choice))
        changes.append(changed)
    if spread and sum(map(len, changes)) > limit - mixes:  # passing a default changes nothing
        changes = [
            [c for c, v in zip(changed, pools[p.name], strict=True) if v != p.default]
            for p, changed in zip(usable, changes, strict=True)
        ]
        changes = [[*filter(None, turn)] for turn in itertools.zip_longest(*changes)]
    seen: dict[str, None] = dict.fromkeys([passed(usable, start), *itertools.chain(*changes)])
    if base is not None:
        return list(seen)
    if len(usable) == 1:  # a random mix of one parameter is one of the values already listed
        return list(seen)[:limit]
    found = list(seen)[: limit - mixes]
    rng = random.Random(seed)
    for _ in range(mixes):
        mix = random_arguments(usable, pools, rng)
        if mix not in found:
            found.append(mix)
    return found


def random_calls(
    functions: list[FunctionSpec],
    module: ModuleSpec,
    instances: dict[str, list[str]],
    round_number: int,
    returned: dict[str, dict[str, list[str]]] | None = None,
) -> list[Call]:
    """A round of seeded random calls; a method runs after a few other calls on the same instance.

    Now and then a call is made twice in a row: the second time is where duplicates are refused
    and caches answer. Every other mix draws each parameter from the values ``returned`` holds
    for it (those of calls seen to return), so mixes combine inputs that get past validation."""
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
        usable, pool = pools[function.qualname]
        good = (returned or {}).get(function.qualname, {})
        for n in range(RANDOM_MIXES):
            drawn = {name: good.get(name) or values for name, values in pool.items()} if n % 2 else pool
            args = random_arguments(usable, drawn, rng)
            call_id = f"{function.qualname}:r{round_number}:{n}"
            twice = rng.random() < REPEAT_CHANCE
            if function.owner is None or function.kind in ("staticmethod", "classmethod"):
                owner = f"{function.owner}." if function.owner else ""
                expression = f"{owner}{function.name}({args})"
                calls.append(make_call(call_id, function, (expression,) if twice else (), expression))
            elif instances.get(function.owner):
                pre = [f"obj = {rng.choice(instances[function.owner])}"]
                others = by_owner.get(function.owner, [])  # none when the class has only properties
                for other in rng.choices(others, k=rng.randint(0, MAX_CALLS_BEFORE)) if others else []:
                    pre.append(f"obj.{other.name}({random_arguments(*pools[other.qualname], rng)})")
                expression = (
                    f"obj.{function.name}" if function.kind == "property" else f"obj.{function.name}({args})"
                )
                if twice and function.kind != "property" and not function.is_context_manager:
                    pre.append(expression)
                calls.append(make_call(call_id, function, tuple(pre), expression))
    return calls


def init_calls(cls: ClassSpec, module: ModuleSpec) -> list[Call]:
    inherited = module.found_signatures.get(cls.name, [])
    params = constructor_params(cls) or [Param(name, None, value, "positional") for name, value in inherited]
    owner = replace(
        cls.init or FunctionSpec(cls.name, cls.name, None, params, None, "", set(), 0, 0, 0),
        # what the methods compare their instance's data with is worth building instances from
        constants=list(dict.fromkeys(c for m in cls.methods for c in m.constants)),
    )
    arguments = argument_lists(
        owner, module, params, len(cls.name), limit=MAX_INITS, mixes=INIT_MIXES, spread=True
    )
    return [
        Call(f"init:{cls.name}:{n}", f"{cls.name}.__init__", (), f"{cls.name}({args})")
        for n, args in enumerate(arguments)
    ]


def instance_inits(cls: ClassSpec, module: ModuleSpec) -> list[Call]:
    """The calls that build a class's instances; a mixin's also as its package's subclasses, taking
    turns with its own so that the first few instances a method is tried on include each. A
    subclass's call carries the mixin's name: what it builds is one of the mixin's instances."""
    ways = [init_calls(cls, module)]
    for name, _ in module.subclasses.get(cls.name, []):
        built = init_calls(replace(cls, name=name, init=None, is_dataclass=False, is_pydantic=False), module)
        ways.append([replace(call, function=f"{cls.name}.__init__") for call in built])
    return [call for turn in itertools.zip_longest(*ways) for call in turn if call is not None]


STREAM = "stream"
"""The name a call's in-memory stream is bound to, so that what was written to it can be read."""
STREAM_VALUE = re.compile(r"io\.(?:StringIO|BytesIO)\((?:b?'(?:[^'\\]|\\.)*')?\)")
BUILT = ("obj = ", f"{STREAM} = ")
"""Lines that only build what a call is made on or given: no call before it."""
MAX_ITEMS = 50
"""Items a test takes from a generator: enough to pin its behaviour, never an endless stream."""


ENTERED = "entered"
"""The name a test gives what a context manager's ``__enter__`` returned."""


def make_call(call_id: str, function: FunctionSpec, pre: tuple[str, ...], call: str) -> Call:
    """The call as the probe makes it and its test will: a context manager entered in a ``with`` block
    (``__enter__`` as ``with obj``), a generator consumed, a coroutine awaited, a stream it is given
    named first."""
    pre, call = named_stream(pre, call)
    if function.is_context_manager:
        manager = "obj" if function.name == "__enter__" else call
        return Call(call_id, function.qualname, (*pre, f"with {manager} as {ENTERED}:", "    pass"), ENTERED)
    return Call(call_id, function.qualname, pre, call if function.kind == "property" else run(function, call))


def named_stream(pre: tuple[str, ...], call: str) -> tuple[tuple[str, ...], str]:
    """The first in-memory stream a call (or the instance it is made on) is given, bound to a name
    first: what the code wrote to it is then read after the call, and pinned."""
    lines = [*pre, call]
    text = "\n".join(lines)
    found = STREAM_VALUE.search(text)
    if found is None or re.search(rf"\b{STREAM}\b(?!=)", text):
        return pre, call
    at = next(n for n, line in enumerate(lines) if found.group(0) in line)
    lines[at] = lines[at].replace(found.group(0), STREAM, 1)
    return (f"{STREAM} = {found.group(0)}", *lines[:-1]), lines[-1]


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
    if function.owner is None or function.kind in ("staticmethod", "classmethod"):
        owner = f"{function.owner}." if function.owner else ""
        for n, args in enumerate(arguments):
            calls.append(
                make_call(f"{function.qualname}:{n}", function, (), f"{owner}{function.name}({args})")
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
                make_call(f"{function.qualname}:{i}:{n}", function, (f"obj = {instance}",), expression)
            )
    return calls


def rebased_calls(function: FunctionSpec, module: ModuleSpec, tried: list[tuple[Call, bool]]) -> list[Call]:
    """When the first call (each parameter's first value) failed, the same variations from one that returned.

    ``tried`` holds the function's calls and whether each returned, in the order they were made.
    Every parameter is varied this time (the first pass may have spent its calls on one)."""
    if not tried or tried[0][1] or function.kind == "property":
        return []
    plain = [call for call, ok in tried if ok and call.plain]
    base = arguments_of(plain[0].invoked, function) if plain else None
    if base is None:
        return []
    owner = "obj." if function.kind == "method" else f"{function.owner}." if function.owner else ""
    made = {(call.pre, call.expression) for call, _ in tried}
    calls = []
    for n, args in enumerate(argument_lists(function, module, function.call_params, 0, base)):
        call = make_call(
            f"{function.qualname}:b{n}", function, plain[0].before, f"{owner}{function.name}({args})"
        )
        if (call.pre, call.expression) not in made:
            calls.append(call)
    return calls[: MAX_CALLS_PER_FUNCTION - RANDOM_MIXES]


def returned_values(
    functions: list[FunctionSpec], tried: list[tuple[Call, bool]]
) -> dict[str, dict[str, list[str]]]:
    """Per function and parameter, the values passed in plain calls that returned."""
    by_name = {f.qualname: f for f in functions}
    found: dict[str, dict[str, list[str]]] = {}
    for call, ok in tried:
        function = by_name.get(call.function)
        if not ok or function is None or not call.plain:
            continue
        for name, value in (arguments_of(call.invoked, function) or {}).items():
            values = found.setdefault(call.function, {}).setdefault(name, [])
            if value not in values:
                values.append(value)
    return found


def arguments_of(expression: str, function: FunctionSpec) -> Choice | None:
    """Parameter name -> argument source in the call of ``function`` that ``expression`` makes."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = node.func
        name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", None)
        if name != function.name:
            continue
        params = [p for p in function.call_params if p.kind in ("positional", "keyword")]
        if len(node.args) > len(params) or any(isinstance(a, ast.Starred) for a in node.args):
            return None
        found = {param.name: ast.unparse(arg) for param, arg in zip(params, node.args, strict=False)}
        found.update({k.arg: ast.unparse(k.value) for k in node.keywords if k.arg})
        return found
    return None
