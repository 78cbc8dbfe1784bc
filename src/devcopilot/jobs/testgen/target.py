"""What a TARGET names, read with ``ast`` only: the target is never imported outside the sandbox.

A TARGET is a file (``pkg/mod.py``), a function or class in it
(``pkg/mod.py::name``), or a dotted module found on ``sys.path``. Reading
collects what the generators need: parameters with their annotations and
defaults, the docstring, the exceptions a function raises itself or
documents, and the constants it compares against (inputs worth trying).
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from devcopilot.core.errors import InputError
from devcopilot.jobs.testgen.body import (
    called_names,
    compared_constants,
    documented_raises,
    parameter_uses,
    propagate_uses,
    raised_names,
    read_names,
)

HOOK_METHODS = {
    "__new__", "__del__", "__init_subclass__", "__class_getitem__", "__getattr__", "__getattribute__",
    "__setattr__", "__delattr__", "__set_name__", "__get__", "__set__", "__delete__", "__exit__",
    "__aenter__", "__aexit__", "__await__", "__aiter__", "__anext__", "__reduce__", "__reduce_ex__",
    "__getstate__", "__setstate__", "__copy__", "__deepcopy__", "__subclasshook__",
}  # fmt: skip
"""Methods the interpreter calls as hooks, not as part of what a test would do with an object.
``__enter__`` is not one: its tests enter the object in a ``with`` block, which runs ``__exit__``."""


MODULE_HOOKS = {"__getattr__", "__dir__"}
"""A module's own attribute hooks (PEP 562): ``module.name`` runs them, so they are public surface,
most often the deprecation shims that keep old names importable."""


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str | None
    default: str | None
    """The default's source text; None when the parameter is required."""
    kind: str
    """``positional``, ``keyword`` (keyword-only), ``varargs`` or ``varkw``."""


@dataclass
class FunctionSpec:
    name: str
    qualname: str
    owner: str | None
    """The class a method belongs to."""
    params: list[Param]
    returns: str | None
    docstring: str
    raises: set[str]
    lineno: int
    end_lineno: int
    body_start: int
    is_async: bool = False
    is_generator: bool = False
    """Its body yields: a call returns an iterator, which a test consumes (a bounded number of items)."""
    is_context_manager: bool = False
    """A ``@contextmanager`` function or an ``__enter__`` method: a test enters it in a ``with`` block."""
    kind: str = "function"
    """``function``, ``method``, ``staticmethod``, ``classmethod`` or ``property``."""
    constants: list[str] = field(default_factory=list)
    calls: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    uses: dict[str, list[str]] = field(default_factory=dict)
    """Per parameter, what the body does with it: ``is:Name`` (compared to a name), ``isinstance:Name``,
    ``const:2`` (compared to a constant), ``index`` (subscripted by a number), ``pass:_helper:0``
    (handed to one of the module's functions, whose own uses it then takes)."""

    @property
    def call_params(self) -> list[Param]:
        """Parameters a caller passes (``self`` and ``cls`` excluded)."""
        if self.kind in ("method", "classmethod", "property") and self.params:
            return self.params[1:]
        return self.params


@dataclass
class ClassSpec:
    name: str
    init: FunctionSpec | None
    methods: list[FunctionSpec]
    is_dataclass: bool
    is_pydantic: bool
    is_exception: bool
    fields: list[Param]
    lineno: int
    end_lineno: int
    bases: set[str] = field(default_factory=set)


@dataclass
class ModuleSpec:
    path: Path
    module: str
    """The dotted name the tests import."""
    import_root: Path
    """The directory that must be on ``sys.path`` for ``module`` to import."""
    source: str
    functions: list[FunctionSpec]
    classes: list[ClassSpec]
    selected: list[FunctionSpec]
    skipped: dict[str, str]
    """Functions of the target left out, with the reason."""
    whole_module: bool = True
    """False when the target named a function or class, or came from a change."""
    found_values: list[str] = field(default_factory=list)
    """Inputs the probe found beyond the source text: the package's classes and instances the module holds."""
    found_names: set[str] = field(default_factory=set)
    """Names importable from the module that ``ast`` cannot see (bound by a star import)."""
    found_signatures: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    """The positional parameters (and defaults) of the classes the probe found, inherited ones too."""
    subclasses: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """Per mixin the module defines, the package's subclasses its instances are built as: (name, the
    module a test imports it from)."""

    @property
    def foreign(self) -> dict[str, str]:
        """Names a test imports from elsewhere in the package (a mixin's subclass): their modules."""
        return {name: home for chosen in self.subclasses.values() for name, home in chosen}

    def all_functions(self) -> list[FunctionSpec]:
        return [*self.functions, *(m for c in self.classes for m in c.methods)]

    @cached_property
    def tree(self) -> ast.Module:
        """The module's syntax tree, parsed once for the questions asked of its top level."""
        return ast.parse(self.source)

    @cached_property
    def top_level_names(self) -> set[str]:
        """Names the module binds at its top level, as its source shows them."""
        names: set[str] = set()
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update(t.id for t in targets if isinstance(t, ast.Name))
        return names

    def importable(self, name: str) -> bool:
        """Whether a test can name ``name``: a builtin, or imported from the module."""
        return name in self.top_level_names or name in self.found_names or hasattr(builtins, name)

    def cls(self, name: str) -> ClassSpec | None:
        return next((c for c in self.classes if c.name == name), None)

    @cached_property
    def type_aliases(self) -> dict[str, str]:
        """Top-level names bound to a type (``HeaderTypes = Union[List[Tuple[bytes, bytes]], ...]``):
        a hint that names one means what it stands for."""
        aliases: dict[str, str] = {}
        for node in self.tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                target, value = node.targets[0].id, node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                target, value = node.target.id, node.value
            else:
                continue
            if isinstance(value, ast.Subscript) or (
                isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr)
            ):
                aliases[target] = ast.unparse(value)
        return aliases


def locate(target: str, cwd: Path) -> tuple[Path, str | None]:
    """The file a TARGET names and the object after ``::``, or an InputError saying why not."""
    file_part, _, member = target.partition("::")
    path = (cwd / file_part).resolve()
    if not path.exists() and not file_part.endswith(".py") and re.fullmatch(r"[\w.]+", file_part):
        found = find_module_file(file_part)
        if found is None:
            raise InputError(f"{file_part}: no such file, and no module of that name on the Python path")
        path = found
    if not path.exists():
        raise InputError(f"{file_part}: no such file")
    if path.is_dir():
        init = path / "__init__.py"
        if not init.is_file():
            raise InputError(f"{file_part}: a directory; name a Python file")
        path = init
    if path.suffix != ".py":
        raise InputError(f"{file_part}: not a Python file (tests are generated for .py modules)")
    return path, member or None


def find_module_file(dotted: str) -> Path | None:
    """Find a module on ``sys.path`` by its name without importing it (or its parents)."""
    parts = dotted.split(".")
    for entry in sys.path:
        base = Path(entry or ".").joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate.resolve()
    return None


def module_name(path: Path) -> tuple[str, Path]:
    """The dotted name of ``path`` and its import root; parents holding ``__init__.py`` are packages."""
    parts = [] if path.name == "__init__.py" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts:
        parts = [path.parent.name]
        folder = path.parent.parent
    for part in parts:
        if not part.isidentifier():
            raise InputError(f"{path}: {part!r} is not an importable module name")
    return ".".join(parts), folder


def read_module(
    path: Path, member: str | None = None, *, select_member: bool = True, content: bytes | None = None
) -> ModuleSpec:
    """The module at ``path``; ``content`` when its text is not the working tree's (a staged change)."""
    try:
        source = path.read_text(encoding="utf-8") if content is None else content.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as error:
        raise InputError(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    name, root = module_name(path)
    functions: list[FunctionSpec] = []
    classes: list[ClassSpec] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(read_function(node, None, source))
        elif isinstance(node, ast.ClassDef):
            classes.append(read_class(node, source))
    propagate_uses(functions, [m for c in classes for m in c.methods])
    spec = ModuleSpec(path, name, root, source, functions, classes, [], {})
    if select_member:
        select(spec, member)
    return spec


def select(spec: ModuleSpec, member: str | None) -> None:
    """Choose the functions to test; an unknown member or nothing public is an InputError."""
    candidates: list[FunctionSpec]
    spec.whole_module = member is None
    if member is None:
        # A module of private names only (an implementation module behind a public facade): asked for
        # by name, its own functions and classes are what there is to test.
        candidates = module_members(spec, public) or module_members(spec, internal)
        candidates += [f for f in spec.functions if f.name in MODULE_HOOKS]
    else:
        head, _, tail = member.partition(".")
        owner = spec.cls(head)
        if owner is not None and not tail:
            candidates = [m for m in owner.methods if callable_part(m.name)]
        elif owner is not None:
            candidates = [m for m in owner.methods if m.name == tail]
        else:
            candidates = [f for f in spec.functions if f.name == member]
        if not candidates:
            raise InputError(f"{spec.path.name}: no function or class named {member!r}")
    for function in candidates:
        reason = skip_reason(function)
        if reason:
            spec.skipped[function.qualname] = reason
        else:
            spec.selected.append(function)
    if not spec.selected and not inherits_from_elsewhere(spec):
        require_selected(spec)


def inherits_from_elsewhere(spec: ModuleSpec) -> bool:
    """A public class with a base the module does not define: what it inherits is known once imported."""
    own = {c.name for c in spec.classes}
    return spec.whole_module and any(public(c.name) and c.bases - own - {"object"} for c in spec.classes)


def require_selected(spec: ModuleSpec) -> None:
    if not spec.selected:
        why = "; ".join(f"{name}: {reason}" for name, reason in spec.skipped.items())
        raise InputError(f"{spec.path.name}: no public function to test" + (f" ({why})" if why else ""))


def module_members(spec: ModuleSpec, chosen: Callable[[str], bool]) -> list[FunctionSpec]:
    """The functions, and the methods of the classes, whose names ``chosen`` accepts."""
    found = [f for f in spec.functions if chosen(f.name)]
    for cls in spec.classes:
        if chosen(cls.name) and not cls.is_exception:
            found.extend(m for m in cls.methods if callable_part(m.name))
            if chosen is public:
                found.extend(inherited_from_private(spec, cls))
    return found


def inherited_from_private(spec: ModuleSpec, cls: ClassSpec) -> list[FunctionSpec]:
    """Public methods a public class inherits from a private base in the module: its users call them on it."""
    own = {m.name for m in cls.methods}
    found = []
    for base in spec.classes:
        if base.name in cls.bases and not public(base.name):
            for method in base.methods:
                if public(method.name) and method.name not in own:
                    found.append(replace(method, owner=cls.name, qualname=f"{cls.name}.{method.name}"))
                    own.add(method.name)
    return found


def callable_part(name: str) -> bool:
    """A method its users call: a public one, ``__init__``, or an operator or protocol method
    (``__add__``, ``__repr__``, ``__getitem__``...) that runs when they use the object."""
    dunder = name.startswith("__") and name.endswith("__")
    return public(name) or (dunder and name not in HOOK_METHODS)


def public(name: str) -> bool:
    return not name.startswith("_")


def internal(name: str) -> bool:
    """A private name of the module's own (``_helper``), not a dunder the language calls."""
    return name.startswith("_") and not name.startswith("__")


def skip_reason(function: FunctionSpec) -> str | None:
    if function.kind == "setter":
        return "a property setter or deleter"
    if function.is_async and function.is_generator:
        return "async generators are not generated for yet"
    if any(p.kind in ("varargs", "varkw") for p in function.call_params) and not function.call_params:
        return "takes only *args/**kwargs"
    return None


def read_class(node: ast.ClassDef, source: str) -> ClassSpec:
    decorators = {decorator_name(d) for d in node.decorator_list}
    bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases}
    methods: list[FunctionSpec] = []
    init = None
    fields: list[Param] = []
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            method = read_function(item, node.name, source)
            methods.append(method)
            if item.name == "__init__":
                init = method
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            default = ast.unparse(item.value) if item.value is not None else None
            fields.append(Param(item.target.id, ast.unparse(item.annotation), default, "positional"))
    return ClassSpec(
        name=node.name,
        init=init,
        methods=methods,
        is_dataclass="dataclass" in decorators,
        is_pydantic="BaseModel" in bases,
        is_exception=any(b.endswith(("Error", "Exception", "Warning")) for b in bases),
        fields=fields,
        lineno=node.lineno,
        end_lineno=node.end_lineno or node.lineno,
        bases=bases,
    )


def decorator_name(node: ast.expr) -> str:
    target = node.func if isinstance(node, ast.Call) else node
    return ast.unparse(target).rsplit(".", 1)[-1]


def read_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, owner: str | None, source: str
) -> FunctionSpec:
    decorators = {decorator_name(d) for d in node.decorator_list}
    kind = "function"
    if owner is not None:
        kind = "method"
        for name in ("staticmethod", "classmethod", "property"):
            if name in decorators:
                kind = name
    if "setter" in decorators or "deleter" in decorators:
        kind = "setter"
    docstring = ast.get_docstring(node) or ""
    body_start = node.body[0].lineno
    if docstring and len(node.body) > 1:
        body_start = node.body[1].lineno
    return FunctionSpec(
        name=node.name,
        qualname=f"{owner}.{node.name}" if owner else node.name,
        owner=owner,
        params=read_params(node.args),
        returns=ast.unparse(node.returns) if node.returns is not None else None,
        docstring=docstring,
        raises=raised_names(node) | documented_raises(docstring),
        lineno=node.lineno,
        end_lineno=node.end_lineno or node.lineno,
        body_start=body_start,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        is_generator=yields(node),
        is_context_manager="contextmanager" in decorators or (owner is not None and node.name == "__enter__"),
        kind=kind,
        constants=compared_constants(node),
        calls=called_names(node),
        reads=read_names(node),
        uses=parameter_uses(node),
    )


def yields(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function itself yields (a ``yield`` in a nested function or lambda does not count)."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(current))
    return False


def read_params(args: ast.arguments) -> list[Param]:
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults, strict=True):
        params.append(Param(arg.arg, annotation_of(arg), unparse(default), "positional"))
    if args.vararg is not None:
        params.append(Param(args.vararg.arg, annotation_of(args.vararg), None, "varargs"))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(Param(arg.arg, annotation_of(arg), unparse(kw_default), "keyword"))
    if args.kwarg is not None:
        params.append(Param(args.kwarg.arg, annotation_of(args.kwarg), None, "varkw"))
    return params


def annotation_of(arg: ast.arg) -> str | None:
    return ast.unparse(arg.annotation) if arg.annotation is not None else None


def unparse(node: ast.expr | None) -> str | None:
    return ast.unparse(node) if node is not None else None


def select_changed(spec: ModuleSpec, lines: set[int]) -> None:
    """Select the public functions whose lines overlap the changed ones."""
    spec.whole_module = False
    for function in spec.all_functions():
        if not any(function.lineno <= n <= function.end_lineno for n in lines):
            continue
        if function.owner is not None and not public(function.owner):
            continue
        if not public(function.name) and function.name != "__init__":
            continue
        reason = skip_reason(function)
        if reason:
            spec.skipped[function.qualname] = reason
        else:
            spec.selected.append(function)
