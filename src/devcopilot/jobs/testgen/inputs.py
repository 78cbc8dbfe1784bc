"""Inputs for a parameter, inferred from its type hint, default, docstring or name.

Two products, both as Python source text so they appear verbatim in the
tests: a Hypothesis strategy (for property tests) and a short list of
concrete values, boundaries first (for characterization calls). The
``contract`` flag says whether the inputs come from what the author
declared (a hint or a documented type), which is what makes a failure a
possible bug rather than a bad guess.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from devcopilot.jobs.testgen.body import documented_types
from devcopilot.jobs.testgen.duck import FILE_VALUES, WRITABLE_VALUES, duck_values
from devcopilot.jobs.testgen.target import ClassSpec, FunctionSpec, ModuleSpec, Param

INTEGERS = "st.integers(min_value=-10_000, max_value=10_000)"
"""Bounded: an unbounded integer used as a size or an indent asks for gigabytes, and the test times out."""
SCALARS: dict[str, tuple[str, list[str]]] = {
    "int": (INTEGERS, ["0", "1", "-1", "2", "7", "100", "-100"]),
    "float": ("st.floats(allow_nan=False, allow_infinity=False)", ["0.0", "1.5", "-2.25", "1000000.0"]),
    "str": (
        "st.text()",
        [
            "''",
            "'a'",
            "'Hello World'",
            "'  padded  '",
            "'a-b_c.d'",
            "'42'",
            "'héllo'",
            "'line1\\nline2'",
            "'cr\\r\\nlf\\rend'",
            "'bell\\x07'",
        ],
    ),
    "bytes": (
        "st.binary()",
        ["b''", "b'abc'", "b'\\x00\\xff'", "b'\\xef\\xbb\\xbfbom'", "b'\\xff\\xfeu\\x00'"],
    ),
    "bool": ("st.booleans()", ["True", "False"]),
    "None": ("st.none()", ["None"]),
    "NoneType": ("st.none()", ["None"]),
    "complex": ("st.complex_numbers(allow_nan=False, allow_infinity=False)", ["0j", "(1+2j)"]),
}
STDLIB_FOR_INPUTS = {"io", "decimal", "datetime", "pathlib", "typing", "itertools", "asyncio", "types"}
"""The standard library modules input values name; the probe provides them and tests import them."""
CALLABLE_VALUES = ["str", "len", "(lambda value: value)", "(lambda *args, **kwargs: None)", "(lambda: 0)"]
"""Callables of the shapes a parameter that takes one usually calls: one argument, any, none."""
VALUE_TYPES = {
    "Callable": CALLABLE_VALUES,
    "TextIO": ["io.StringIO('text\\n')", "io.StringIO('')"],
    "BinaryIO": ["io.BytesIO(b'bytes\\n')", "io.BytesIO(b'')"],
    "IO": FILE_VALUES,
    "Decimal": [
        "decimal.Decimal('1.5')", "decimal.Decimal('10')", "decimal.Decimal('NaN')",
        "decimal.Decimal('-Infinity')", "decimal.Decimal('Infinity')", "decimal.Decimal('1E+3')",
    ],
    "date": ["datetime.date(2024, 1, 31)"],
    "datetime": [
        "datetime.datetime(2024, 1, 31, 12, 30)",
        "datetime.datetime(2024, 1, 31, 12, 30, tzinfo=datetime.timezone.utc)",
    ],
    "time": ["datetime.time(12, 30)", "datetime.time(12, 30, tzinfo=datetime.timezone.utc)"],
    "timedelta": ["datetime.timedelta(seconds=90)"],
    "Path": ["pathlib.Path('dir/file.txt')", "pathlib.Path('')"],
    "PurePath": ["pathlib.PurePath('dir/file.txt')"],
}  # fmt: skip
"""Hinted types given concrete values only: no Hypothesis strategy is written for them."""
ANY_VALUES = [
    "None", "0", "1", "''", "'text'", "b'bytes'", "[]", "[1, 2]", "{'a': 1}", "1.5", "True", "-1",
    "'cr\\r\\nlf\\rend'", "'bell\\x07'", "b'\\xfe\\xff\\x00u'", "b'\\xff\\xfeu\\x00'", "b'bad \\xff byte'",
    "(True, False)", "{'a': {'b': 1}}", "[{'a': 1}, {'b': [1, 2]}]", "decimal.Decimal('1.5')",
    "datetime.date(2024, 1, 31)", "datetime.time(12, 30, tzinfo=datetime.timezone.utc)",
    FILE_VALUES[0], FILE_VALUES[1], "int", "list[int]", "typing.Optional[int]", "typing.Literal['a', 1]",
    "len", "...",
]  # fmt: skip
NAME_HINTS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"^(func|fn|callback|cb|predicate|pred|transform|factory|handler|hook|on_\w+|\w+_func|\w+_fn"
            r"|\w+_callback|\w+_factory|\w+_hook)$"
        ),
        "Callable",
    ),
    (
        re.compile(
            r"^(n|i|j|k|count|size|width|height|index|idx|num\w*|length|len|level|depth|offset|limit"
            r"|max_\w+|min_\w+|\w+_count|\w+_size|\w+_width|\w+_index)$"
        ),
        "int",
    ),
    (
        re.compile(
            r"^(s|text|\w*name|string|path|prefix|suffix|sep|separator|word|line|markup|pattern|key|label"
            r"|title|char|chars|url|source|template|\w+_text|\w+_str)$"
        ),
        "str",
    ),
    (re.compile(r"^(is_\w+|has_\w+|enable\w*|flag|strict|verbose|\w+_only|allow_\w+)$"), "bool"),
    (re.compile(r"^(data|items|values|seq|sequence|elements|lines|words|parts)$"), "list[str]"),
    (re.compile(r"^(stream|file|fp|fh|fileobj|file_obj|handle|infile|outfile|\w+_stream|\w+_file)$"), "IO"),
]  # fmt: skip
SEQUENCES = {"list", "List", "Sequence", "Iterable", "Collection", "MutableSequence", "Iterator"}
MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping"}
SETS = {"set", "Set", "frozenset", "FrozenSet", "AbstractSet"}
CONTAINER_SAMPLES = {
    "list": ["[]", "[1, 2]"], "tuple": ["()", "(1, 2)"], "dict": ["{}", "{'a': 1}"], "set": ["{1}"],
    "frozenset": ["frozenset({1})"],
}  # fmt: skip
INDEXED_VALUES = ["(True, False)", "(False, True)", "[1, 2]"]
MAX_VALUES = 32
MAX_ALIAS_DEPTH = 3
"""How deep a type alias is followed: far enough for an alias of aliases, not into a recursive one."""
MAX_TOKEN = 3
"""Longest string constant composed into inputs: an operator or a delimiter, not a keyword."""
SCANNER_TOKENS = 2
"""Short string tokens that make a function a scanner, whose text input is composed from them."""
OPEN_HINTS = ("Any", "object")
"""Hints any value fits."""
MAX_COMPOSED = 64
MAX_SPLICED = 24


@dataclass
class Inputs:
    strategy: str | None
    values: list[str]
    contract: bool
    needs: set[str] = field(default_factory=set)
    """Names from the target module the source text uses."""


def inputs_for(param: Param, function: FunctionSpec, module: ModuleSpec, depth: int = 0) -> Inputs:
    documented = documented_types(function.docstring).get(param.name)
    for text, contract in ((param.annotation, True), (documented, True)):
        if text:
            inferred = from_annotation(text, module, depth)
            if inferred is not None:
                inferred.contract = contract
                add_default(inferred, param)
                add_constants(inferred, param, function, module)
                # the body asks for an attribute: the hint admits what has it (a protocol), try it early
                inferred.values[1:1] = [v for v in has_values(param, function) if v not in inferred.values]
                return inferred
    if param.default is not None and param.default != "None":
        kind = literal_type(param.default)
        if kind in SCALARS:
            strategy, values = SCALARS[kind]
            inferred = Inputs(f"st.just({param.default}) | {strategy}", list(values), contract=False)
            add_default(inferred, param)
            add_constants(inferred, param, function, module)
            return inferred
    for pattern, kind in NAME_HINTS:
        if pattern.match(param.name):
            inferred = (
                Inputs(None, list(dict.fromkeys([*FILE_VALUES, *ANY_VALUES])), False)  # a stream, or its data
                if kind == "IO"
                else from_annotation(kind, module, depth) or Inputs(None, [], False)
            )
            inferred.contract = False
            add_default(inferred, param)
            add_constants(inferred, param, function, module)
            inferred.values = list(dict.fromkeys([*use_values(param, function, module), *inferred.values]))
            return inferred
    inferred = Inputs(None, list(ANY_VALUES), contract=False)
    add_default(inferred, param)
    add_constants(inferred, param, function, module)
    if len(scanned_tokens(function, module)) >= SCANNER_TOKENS:  # a scanner: its input is text, try it first
        texts = [v for v in inferred.values if literal_type(v) == "str" and v not in ANY_VALUES]
        inferred.values = [*texts, *(v for v in inferred.values if v not in texts)]
    found = [*use_values(param, function, module), *inferred.values, *module.found_values]
    found += spliced(inferred.values, function.constants)  # guessed shapes: after the module's own values
    inferred.values = list(dict.fromkeys(found))
    return inferred


def use_values(param: Param, function: FunctionSpec, module: ModuleSpec) -> list[str]:
    """Inputs for what the body does with an unhinted parameter: the names and constants it is
    compared with, instances of the classes it is checked against, sequences for what it indexes."""
    values = compared_values(param, function)
    for use in function.uses.get(param.name, []):
        how, _, name = use.partition(":")
        if how in ("const", "pass"):  # compared_values took the first; a helper's uses are among these
            continue
        if how == "stream":  # an empty stream to write to; one holding text or bytes to read
            values += WRITABLE_VALUES if name == "write" else FILE_VALUES
        elif how == "has":
            values += duck_values(name)
        elif how == "index":
            values += INDEXED_VALUES
        elif not module.importable(name.split(".")[0]):
            continue
        elif how == "is":
            values.append(name)
        elif name in SCALARS:
            values += SCALARS[name][1][:2]
        elif name in CONTAINER_SAMPLES:
            values += CONTAINER_SAMPLES[name]
        else:
            values += [v for v in module.found_values if v.startswith(f"{name}(")]
    return values


def has_values(param: Param, function: FunctionSpec) -> list[str]:
    """Objects with the attributes the body checks the parameter for."""
    uses = function.uses.get(param.name, [])
    return [value for use in uses if use.startswith("has:") for value in duck_values(use[4:])]


def compared_values(param: Param, function: FunctionSpec) -> list[str]:
    """The values the body (or a helper it hands the parameter to) compares the parameter with,
    and either side of each when a number: the inputs that take its branches."""
    values: list[str] = []
    for use in function.uses.get(param.name, []):
        how, _, name = use.partition(":")
        if how == "const":
            number = ast.literal_eval(name)
            values += (
                [repr(n) for n in (number - 1, number, number + 1)] if isinstance(number, int) else [name]
            )
    return values


def add_default(inferred: Inputs, param: Param) -> None:
    if param.default is not None and is_literal(param.default) and param.default not in inferred.values:
        inferred.values.insert(0, param.default)


def add_constants(inferred: Inputs, param: Param, function: FunctionSpec, module: ModuleSpec) -> None:
    """Constants the function compares against: the inputs most likely to take a new branch.

    Strings are also composed from the short ones (see ``composed_strings``), after the plain
    values so a cap drops compositions first."""
    wanted = literal_kinds(inferred.values)
    compared = [v for v in compared_values(param, function) if v not in function.constants]
    for constant in [*function.constants, *compared]:
        if literal_type(constant) in wanted and constant not in inferred.values:
            inferred.values.append(constant)
    inferred.values = inferred.values[: MAX_VALUES + len(function.constants) + len(compared)]
    if "str" in wanted:
        composed = composed_strings(scanned_tokens(function, module))
        inferred.values += [text for text in composed if text not in inferred.values]
    if inferred.contract:  # a declared shape; in a guessed one, constants crowd out better guesses
        inferred.values += [
            v for v in spliced(inferred.values, function.constants) if v not in inferred.values
        ]


def spliced(values: list[str], constants: list[str]) -> list[str]:
    """Structured values with the function's constants put in their items' places.

    ``[(b'', b'')]`` is a list of headers no branch looks at twice; with ``b'content-length'`` or
    ``b'transfer-encoding'`` and ``b'chunked'`` in its slots it is the one each branch is written
    for. The first two slots of each kind a constant fits are filled, in every combination."""
    by_kind: dict[str, list[Any]] = {}
    for constant in constants:
        kind = literal_type(constant)  # None for what does not read back (`inf`, `nan`)
        if kind is not None:
            by_kind.setdefault(kind, []).append(ast.literal_eval(constant))
    found: list[str] = []
    for value in values:
        try:
            tree = ast.parse(value, mode="eval")
        except SyntaxError:
            continue
        if not isinstance(tree.body, ast.List | ast.Tuple | ast.Set | ast.Dict):
            continue
        slots = [
            node
            for node in ast.walk(tree.body)
            if isinstance(node, ast.Constant) and type(node.value).__name__ in by_kind
        ][:2]
        originals = [slot.value for slot in slots]
        choices = [[original, *by_kind[type(original).__name__]] for original in originals]
        for filling in itertools.product(*choices):
            if list(filling) == originals:
                continue
            for slot, item in zip(slots, filling, strict=True):
                slot.value = item
            found.append(ast.unparse(tree))
        for slot, original in zip(slots, originals, strict=True):
            slot.value = original
    return list(dict.fromkeys(v for v in found if v not in values))[:MAX_SPLICED]


def scanned_tokens(function: FunctionSpec, module: ModuleSpec) -> list[str]:
    """The short strings a function and the methods it calls on ``self`` compare text with.

    A lexer's ``tokenize`` compares the current character with ``'<'`` and leaves the ``'='`` that
    makes ``'<='`` to a helper it calls: both belong to the same grammar."""
    helpers = [
        method
        for cls in module.classes
        if cls.name == function.owner
        for method in cls.methods
        if method.name in function.calls
    ]
    tokens: dict[str, None] = {}
    for spec in (function, *helpers):
        for constant in spec.constants:
            value = ast.literal_eval(constant) if literal_type(constant) == "str" else None
            if isinstance(value, str) and 0 < len(value) <= MAX_TOKEN:
                tokens.setdefault(value)
    return list(tokens)


def composed_strings(tokens: list[str]) -> list[str]:
    """Inputs that put a scanner's tokens in context, as a fuzzer's dictionary does.

    A token alone reaches the branch that compares with it, and ends the text there; what follows
    a token is what its branch reads next: the same token again (``'=='``), a word and the token
    closing it (a quoted string, a bracket pair), a word on either side (an operator), another
    token (``'<='``, ``'[?'``). Only scanners get them: two or more tokens."""
    if len(tokens) < SCANNER_TOKENS:
        return []
    shapes = [
        shape
        for token in tokens
        for shape in (token * 2, f"{token}ab{token}", f"a{token}1", f"{token}a\\{token}b{token}")
    ]
    shapes += [first + second for first in tokens for second in tokens if first != second]
    shapes.append("a" + "".join(f"{token}b" for token in tokens))
    return [repr(text) for text in dict.fromkeys(shapes)][:MAX_COMPOSED]


def literal_kinds(values: list[str]) -> set[str]:
    return {kind for kind in (literal_type(v) for v in values) if kind}


def is_literal(text: str) -> bool:
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def literal_type(text: str) -> str | None:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return type(value).__name__


def from_annotation(text: str, module: ModuleSpec, depth: int = 0) -> Inputs | None:
    try:
        node = ast.parse(text.strip().strip("'\""), mode="eval").body
    except SyntaxError:
        return None
    return from_node(node, module, depth)


def from_node(node: ast.expr, module: ModuleSpec, depth: int) -> Inputs | None:  # noqa: PLR0911, PLR0912 - one per form
    if isinstance(node, ast.Constant) and node.value is None:
        return Inputs("st.none()", ["None"], True)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return from_annotation(node.value, module, depth)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return union([node.left, node.right], module, depth)
    name = ast.unparse(node.value if isinstance(node, ast.Subscript) else node).rsplit(".", 1)[-1]
    args: list[ast.expr] = []
    if isinstance(node, ast.Subscript):
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    if name in SCALARS and not args:
        strategy, values = SCALARS[name]
        return Inputs(strategy, list(values), True)
    if name == "Optional" and args:
        return union([args[0], ast.Constant(None)], module, depth)
    if name == "Union" and args:
        return union(args, module, depth)
    if name == "Literal" and args:
        values = [ast.unparse(a) for a in args]
        return Inputs(f"st.sampled_from([{', '.join(values)}])", values, True)
    if name in OPEN_HINTS and not args:
        return Inputs(f"st.one_of(st.none(), {INTEGERS}, st.text())", list(ANY_VALUES), True)
    if name in VALUE_TYPES:
        return Inputs(None, list(VALUE_TYPES[name]), True)
    if name in SEQUENCES | SETS | {"tuple", "Tuple"} | MAPPINGS:
        return container(name, args, module, depth)
    cls = module.cls(name)
    if cls is not None and depth == 0:
        return from_class(cls, module)
    alias = module.type_aliases.get(name)
    if alias is not None and not args and depth < MAX_ALIAS_DEPTH:
        return from_annotation(alias, module, depth + 1)
    return None


def union(options: list[ast.expr], module: ModuleSpec, depth: int) -> Inputs | None:
    """Values of the options it can make: each is a type the hint allows, so a subset still keeps
    to the contract."""
    known = [part for part in (from_node(option, module, depth) for option in options) if part is not None]
    if not known:
        return None
    values: list[str] = []
    for part in known:
        values.extend(v for v in part.values[:6] if v not in values)
    needs = set().union(*(part.needs for part in known))
    strategy = " | ".join(str(part.strategy) for part in known)
    return Inputs(strategy, values, True, needs)


def container(  # noqa: PLR0911 - one return per container form
    name: str, args: list[ast.expr], module: ModuleSpec, depth: int
) -> Inputs | None:
    if name in ("tuple", "Tuple"):
        if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is Ellipsis:
            inner = element(args[0], module, depth)
            if inner is None:
                return None
            first = inner.values[0] if inner.values else "None"
            strategy = f"st.lists({inner.strategy}, max_size=8).map(tuple)"
            return Inputs(strategy, ["()", f"({first},)"], True, inner.needs)
        items = [element(arg, module, depth) for arg in args]
        if not items or any(item is None for item in items):
            return None
        known = [item for item in items if item is not None]
        strategy = f"st.tuples({', '.join(str(item.strategy) for item in known)})"
        sample = "(" + ", ".join(item.values[0] if item.values else "None" for item in known) + ",)"
        return Inputs(strategy, [sample], True, set().union(*(item.needs for item in known)))
    if name in MAPPINGS:
        key = element(args[0], module, depth) if args else Inputs("st.text()", ["'a'"], True)
        value = element(args[1], module, depth) if len(args) > 1 else Inputs(INTEGERS, ["1"], True)
        if key is None or value is None:
            return None
        if not key.values or not value.values:
            return Inputs(f"st.dictionaries({key.strategy}, {value.strategy}, max_size=5)", ["{}"], True)
        first = key.values[0]
        samples = ["{}", *(f"{{{first}: {v}}}" for v in value.values[:8])]
        if value.values[0] in ANY_VALUES:  # values of any type: nested tables and arrays of them too
            samples += [f"{{{first}: {{{first}: 1}}}}", f"{{{first}: [{{{first}: 1}}, {{{first}: 2}}]}}"]
        strategy = f"st.dictionaries({key.strategy}, {value.strategy}, max_size=5)"
        return Inputs(strategy, samples, True, key.needs | value.needs)
    inner = element(args[0], module, depth) if args else Inputs(INTEGERS, ["1", "2"], True)
    if inner is None:
        return None
    picks = inner.values[:3]
    if name in SETS:
        strategy = f"st.sets({inner.strategy}, max_size=5)"
        return Inputs(
            strategy, ["set()", "{" + ", ".join(picks) + "}"] if picks else ["set()"], True, inner.needs
        )
    strategy = f"st.lists({inner.strategy}, max_size=8)"
    values = ["[]", f"[{picks[0]}]", "[" + ", ".join(picks) + "]"] if picks else ["[]"]
    if name in ("Iterable", "Iterator") and picks:  # a one-pass iterator takes paths a list does not
        values.append(f"(item for item in [{', '.join(picks)}])")
    return Inputs(strategy, values, True, inner.needs)


def element(node: ast.expr, module: ModuleSpec, depth: int) -> Inputs | None:
    return from_node(node, module, depth + 1)


def from_class(cls: ClassSpec, module: ModuleSpec) -> Inputs | None:
    """A module class as an input: built from its fields or its annotated ``__init__``."""
    if cls.bases & {"Protocol", "ABC"}:
        return None  # not instantiable: any value that fits will do
    params = constructor_params(cls)
    strategies = []
    values = []
    for param in params:
        if param.default is not None:
            continue
        inferred = from_annotation(param.annotation, module, 1) if param.annotation else None
        if inferred is None or inferred.strategy is None or not inferred.values:
            return None
        strategies.append(f"{param.name}={inferred.strategy}")
        values.append(f"{param.name}={inferred.values[0]}")
    strategy = f"st.builds({cls.name}, {', '.join(strategies)})" if strategies else f"st.builds({cls.name})"
    return Inputs(strategy, [f"{cls.name}({', '.join(values)})"], True, {cls.name})


def constructor_params(cls: ClassSpec) -> list[Param]:
    if cls.init is not None:
        return [p for p in cls.init.call_params if p.kind in ("positional", "keyword")]
    if cls.is_dataclass or cls.is_pydantic:
        return cls.fields
    return []
