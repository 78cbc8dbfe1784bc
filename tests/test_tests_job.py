"""``devcopilot tests`` offline: real sample packages in temp git repositories, the real sandbox.

Each generate call starts real interpreters (probe, five verification runs,
confirmation), so these are end-to-end and marked slow; xdist spreads them.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import platform
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git, make_repo
from tests.support.envelope import result_of

pytestmark = pytest.mark.slow

PURE = '''\
"""Pure helpers with promises in their names and docstrings."""

from dataclasses import dataclass


def slugify(text: str, sep: str = "-") -> str:
    """Lower-case words joined by ``sep``.

    >>> slugify("Hello World")
    'hello-world'
    >>> slugify("A  b", sep="_") == "a_b"
    True
    """
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return sep.join(words)


def clamp(value: int, low: int = 0, high: int = 10) -> int:
    """Clamp value into [low, high].

    Raises:
        ValueError: if low > high.
    """
    if low > high:
        raise ValueError("low > high")
    if value < low:
        return low
    if value > high:
        return high
    return value


def encode(text: str) -> str:
    return text.encode("utf-8").hex()


def decode(data: str) -> str:
    return bytes.fromhex(data).decode("utf-8")


def normalize_spaces(text: str) -> str:
    return " ".join(text.split())


def grade(score):
    if score >= 90:
        return "A"
    if score >= 75:
        return "B"
    return "C"


@dataclass
class Tally:
    start: int = 0

    def bump(self, by: int = 1) -> int:
        if by < 0:
            raise ValueError("by must be positive")
        self.start += by
        return self.start
'''

BUGGY = '''\
def mean(values: list[float]) -> float:
    """The arithmetic mean.

    >>> mean([1.0, 2.0, 3.0])
    2.0
    """
    return sum(values) / (len(values) + 1)


def double(n: int) -> int:
    """Twice n."""
    return n * 2


def label(n: int) -> str:
    """The label of n, a string."""
    if n > 3:
        return n
    return str(n)


def balance(deposits: int, withdrawals: int) -> int:
    """The account's balance; never negative."""
    return deposits - withdrawals


def fee(amount: int) -> int:
    """The fee on an amount, increasing with the amount."""
    if amount > 1000:
        return 50 - amount // 100
    return amount // 20


def rebate(days: int) -> int:
    """The rebate for paying early: decreasing as the days go by."""
    return max(0, 30 - days)
'''

HANGS = """\
import time


def wait_forever(n: int) -> int:
    while True:
        time.sleep(0.05)


def fine(n: int) -> int:
    return n + 1
"""

WRITES = """\
def save(name: str) -> str:
    with open("/tmp/devcopilot-escape-" + str(len(name)), "w") as handle:
        handle.write(name)
    return name


def fetch(host: str) -> bytes:
    import socket

    with socket.create_connection(("192.0.2.1", 80), timeout=1) as conn:
        return conn.recv(10)


def square(n: int) -> int:
    return n * n
"""

NODES = """\
class Scalar:
    def __init__(self, value):
        self.value = value


class Sequence:
    def __init__(self, items):
        self.items = items
"""
REGISTRY = """\
from .nodes import *  # the classes below come in through a star import, which ast cannot see


class Registry:
    handlers = {}

    @classmethod
    def register(cls, name, handler):
        if name in cls.handlers:
            raise KeyError(name)
        cls.handlers[name] = handler

    def describe(self, kind, node):
        if kind is Scalar:
            return "scalar"
        if kind is Sequence:
            if isinstance(node, Sequence):
                return "sequence of " + str(len(node.items))
            return "not a sequence"
        return "unknown"


class Bag:
    def __init__(self, items=()):
        self.items = list(items)

    def __len__(self):
        return len(self.items)

    def __add__(self, other):
        if not isinstance(other, Bag):
            return NotImplemented
        return Bag(self.items + other.items)


class LineCounter:
    def __init__(self, stream):
        self.text = stream.read() if hasattr(stream, "read") else stream

    def lines(self):
        if isinstance(self.text, bytes):
            return self.text.count(b"\\n")
        return self.text.count("\\n")
"""
DIRS = """\
import os
import pathlib


class _Defaults:
    def cache_dir(self):
        return os.path.join(os.path.expanduser("~"), ".cache", "app")


class Dirs(_Defaults):
    def site_dir(self):
        return "/usr/share/app"

    @property
    def config_path(self):
        return pathlib.Path(os.path.expanduser("~")) / ".config" / "app"


class Settings:
    @property
    def level(self):
        return 3


def write_marker(name):
    with open("marker-" + str(name), "w") as handle:
        handle.write("x")
    return name
"""
STORE = """\
import os


class Store:
    def __init__(self, name=None, owner=None, region=None, create=False, version=None):
        self.name = name
        self.owner = owner
        self.region = region
        self.create = create
        self.version = version

    @property
    def location(self):
        path = os.path.join(os.path.expanduser("~"), ".store")
        if self.version:
            path = os.path.join(path, str(self.version))
        if self.create:
            os.makedirs(path, exist_ok=True)
        return path
"""
SHAPES = '''\
"""A lexer whose method yields tokens, a generator function and a coroutine."""

import asyncio


class Lexer:
    def tokens(self, text: str):
        """Yield each word and the kind of text it is."""
        if not isinstance(text, str):
            raise TypeError("text")
        for word in text.split():
            yield ("number" if word.isdigit() else "word", word)


def countdown(n: int):
    """Yield n, n-1, ..., 1."""
    if n < 0:
        raise ValueError("negative")
    while n > 0:
        yield n
        n -= 1


def naturals():
    """Every natural number: a test may only take some."""
    n = 0
    while True:
        yield n
        n += 1


def apply_all(items: list[int], transform) -> list[int]:
    """Each item, transformed."""
    return [transform(item) for item in items]


async def total(prices: list[int], discount: int = 0) -> int:
    """Sum the prices, less a discount, never below zero."""
    await asyncio.sleep(0)
    if discount > sum(prices):
        return 0
    return sum(prices) - discount
'''
STILL_EMPTY = """\
from pkg.registry import Registry


def test_zz_the_registry_is_as_it_was():
    assert Registry.handlers == {}
"""


def sample(path: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository holding package ``pkg`` with ``files``, made the current directory."""
    repo = make_repo(path, {"pkg/__init__.py": "", **files, "tests/__init__.py": ""})
    monkeypatch.chdir(repo)
    return repo


def generate(cli: Any, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    result = cli("tests", "generate", *args, "--no-model", "--json")
    reports = result_of(result.stdout, "tests", "generate")["reports"] if result.stdout.strip() else []
    return result.code, reports, result.stderr


def generated(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], target: str
) -> tuple[Path, dict[str, Any], str]:
    """The repository, the report and the test file written for ``target``, which must succeed."""
    repo = sample(tmp_path / "r", files, monkeypatch)
    code, [report], stderr = generate(cli, target, "--write")
    assert code == 0, stderr
    return repo, report, (repo / "tests" / f"test_{Path(target).stem}.py").read_text()


def assert_written_tests_pass(
    repo: Path, path: str, expected: int, seed: int, home: Path | None = None
) -> None:
    """The written tests pass in the user's own pytest, outside any sandbox (under ``home`` if given)."""
    env = {"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": str(seed)}
    if home is not None:
        env["HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path, "-p", "no:randomly"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{expected} passed" in done.stdout


def test_pure_module_gets_kept_tests_of_every_kind_and_full_coverage(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/text.py": PURE}, monkeypatch)
    code, [report], _ = generate(cli, "pkg/text.py", "--write")
    assert code == 0
    assert report["coverage_before"]["line_percent"] == 0.0
    assert report["coverage_after"]["line_percent"] == 100.0
    assert report["coverage_after"]["branch_percent"] == 100.0
    kinds = {t["kind"] for t in report["kept"]}
    assert {"property", "docstring", "round-trip", "characterization"} <= kinds
    # Each kept test adds coverage, or fails on a mutant of the code that no other kept test fails on.
    assert all(t["adds"] > 0 or re.fullmatch(r"kills \d+ mutants .*", t["detail"]) for t in report["kept"])
    assert report["written"] is True
    written = (repo / "tests/test_text.py").read_text()
    assert "from hypothesis import given" in written
    assert "def test_slugify_docstring" in written
    assert not report["possible_bugs"], report["possible_bugs"]  # a doctest comparing is not chained
    assert "assert decode(encoded) == text" in written
    # Nothing useless was written: every dropped test is named with its reason.
    assert set(report["dropped"]) <= {"no-new-coverage", "fails", "flaky"}
    for test in report["dropped_tests"]:
        assert f"def {test['name']}(" not in written
    # The written file passes on its own, in the user's own pytest.
    assert_written_tests_pass(repo, "tests/test_text.py", len(report["kept"]), 1)


def test_a_function_target_without_write_shows_the_file_and_writes_nothing(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/text.py": PURE}, monkeypatch)
    result = cli("tests", "generate", "pkg/text.py::grade", "--no-model")
    assert result.code == 0, result.stderr
    assert "def test_grade_characterization" in result.stdout
    assert "assert grade(90) == 'A'" in result.stdout or "assert grade(91) == 'A'" in result.stdout
    assert "clamp" not in result.stdout.split("---", 1)[1]
    assert "lines 0.0%, branches 0.0% -> lines 100.0%, branches 100.0%" in result.stdout
    assert not (repo / "tests/test_text.py").exists()


def test_a_class_target_builds_instances_and_pins_methods(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(tmp_path / "r", {"pkg/text.py": PURE}, monkeypatch)
    code, [report], _ = generate(cli, "pkg/text.py::Tally")
    assert code == 0
    assert report["coverage_after"]["line_percent"] == 100.0
    text = report["file_text"]
    assert "obj = Tally(" in text
    assert "with pytest.raises(ValueError, match=" in text


def test_classes_from_a_star_import_streams_and_registries_are_reached_without_leaking_state(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/nodes.py": NODES, "pkg/registry.py": REGISTRY}, monkeypatch)
    code, [report], stderr = generate(cli, "pkg/registry.py", "--write")
    assert code == 0, stderr
    # Dispatch on star-imported classes, an isinstance check, a file-like input and the operator
    # methods a user triggers with len() and + are all reached.
    assert report["coverage_after"]["line_percent"] == 100.0
    written = (repo / "tests/test_registry.py").read_text()
    assert ".__len__()" in written
    assert ".__add__(" in written
    assert "import io\n" in written
    assert "Scalar" in written.split("def test_", 1)[0]  # imported from the module under test
    # A test that registers a handler undoes it, so the registry is as it was for the next test.
    assert "monkeypatch.setattr(Registry, 'handlers', copy.deepcopy(Registry.handlers))" in written
    # ...and checks what it registered: a registration that stores the wrong handler fails a test.
    assert re.search(r"assert Registry\.handlers\[.+\] == ", written), written
    (repo / "tests/test_zz_after.py").write_text(STILL_EMPTY)
    assert_written_tests_pass(repo, "tests/", len(report["kept"]) + 1, 3)
    registry = repo / "pkg/registry.py"
    registry.write_text(REGISTRY.replace("cls.handlers[name] = handler", "cls.handlers[name] = name"))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_registry.py"],
        cwd=repo, capture_output=True, text=True, env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"},
        check=False,
    )  # fmt: skip
    assert done.returncode == 1 and " failed" in done.stdout, done.stdout


DUCK = """\
def as_html(value):
    \"\"\"Markup for a value: what it says its markup is, else its text with brackets escaped.\"\"\"
    if hasattr(value, "__html__"):
        return value.__html__()
    return str(value).replace("<", "&lt;").replace(">", "&gt;")
"""


def test_a_parameter_checked_for_an_attribute_is_given_an_object_that_has_it(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/html.py": DUCK}, monkeypatch)
    code, [report], stderr = generate(cli, "pkg/html.py", "--write")
    assert code == 0, stderr
    # No string or number has `__html__`: the branch for objects that do is reached by one that has.
    assert report["coverage_after"]["line_percent"] == 100.0
    written = (repo / "tests/test_html.py").read_text()
    assert "as_html(types.SimpleNamespace(__html__=lambda *args, **kwargs: 'text')) == 'text'" in written
    assert "import types\n" in written
    assert_written_tests_pass(repo, "tests/", len(report["kept"]), 2)


def test_generators_are_consumed_within_a_bound_and_coroutines_awaited(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/shapes.py": SHAPES}, monkeypatch)
    code, [report], stderr = generate(cli, "pkg/shapes.py", "--write")
    assert code == 0, stderr
    assert not report["skipped"], report["skipped"]
    written = (repo / "tests/test_shapes.py").read_text()
    # Items are pinned, not the generator object; an endless one is cut at the bound.
    assert "[*itertools.islice(obj.tokens(" in written and "('word', " in written
    assert "[*itertools.islice(countdown(" in written
    assert "with pytest.raises(ValueError, match='negative'):" in written
    assert "assert [*itertools.islice(naturals(), 50)] == [0, 1, 2," in written
    assert "assert asyncio.run(total(" in written
    # A parameter named for a callable gets callables of the usual shapes.
    assert re.search(r"apply_all\(\[[^\]]*\], (str|len|\(lambda value: value\))\)", written), written
    assert report["coverage_after"]["line_percent"] >= 90.0
    assert_written_tests_pass(repo, "tests/test_shapes.py", len(report["kept"]), 4)


SCANNER = """\
class Scanner:
    def __init__(self):
        self.pos = 0
        self.text = ""

    def scan(self, text):
        self.text, self.pos = text, 0
        found = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "<":
                found.append(self._either("=", "le", "lt"))
            elif char == "!":
                found.append(self._either("=", "ne", "not"))
            elif char == "'":
                found.append(("str", self._until("'")))
            elif char == " ":
                self.pos += 1
            else:
                raise ValueError(char)
        return found

    def _either(self, follower, pair, single):
        if self.text[self.pos + 1 : self.pos + 2] == follower:
            self.pos += 2
            return pair
        self.pos += 1
        return single

    def _until(self, end):
        close = self.text.find(end, self.pos + 1)
        if close < 0:
            raise ValueError("unclosed")
        word = self.text[self.pos + 1 : close]
        self.pos = close + 1
        return word
"""


FEASTS = """\
WESTERN = 3


def feast_day(year, method=WESTERN):
    if not (1 <= method <= 3):
        raise ValueError("invalid method")
    shift = 0
    if method == 2:
        shift = 10
    return (year % 19 + shift) % 31
"""


HEADERS = """\
from typing import List, Tuple, Union

Pairs = Union[List[Tuple[bytes, bytes]], "Missing"]


def encoding(headers: Pairs) -> str:
    for name, value in headers:
        if name.lower() == b"transfer-encoding":
            if value != b"chunked":
                raise ValueError("unsupported")
            return "chunked"
    return "identity"
"""


GRAMMAR_READ = [
    # '<=' needs the '=' handed to a helper after the '<' the scanner saw: no constant alone is it.
    ("scan", SCANNER, re.escape("obj.scan('<=') == ['le']")),
    # `method` has no hint and a default the tests cannot read as a literal: the 2 it is compared
    # with is tried before any generic value, so the branch it guards is reached and pinned.
    ("feasts", FEASTS, r"feast_day\([^)]*, 2\) == \d+"),
    # The alias stands for a list of byte pairs (the union's unknown option is left out), and the
    # names and values the loop compares with are put in the pairs: each branch is reached.
    ("headers", HEADERS, re.escape("encoding([(b'transfer-encoding', b'chunked')]) == 'chunked'")),
]


@pytest.mark.parametrize(("name", "source", "pinned"), GRAMMAR_READ, ids=[g[0] for g in GRAMMAR_READ])
def test_inputs_read_from_the_code_reach_the_branches_no_generic_value_does(
    name: str, source: str, pinned: str, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {f"pkg/{name}.py": source}, monkeypatch)
    code, [report], stderr = generate(cli, f"pkg/{name}.py", "--write")
    assert code == 0, stderr
    written = (repo / f"tests/test_{name}.py").read_text()
    assert re.search(pinned, written), written
    assert report["coverage_after"]["branch_percent"] == 100.0
    assert_written_tests_pass(repo, f"tests/test_{name}.py", len(report["kept"]), 3)


AGGREGATES = '''\
def total(values: list[int]) -> int:
    """The sum of the values."""
    return sum(values)


def largest_gap(values: list[int]) -> int:
    """The largest value minus the smallest; the order of the values does not matter."""
    if len(values) < 2:
        return 0
    return values[0] - values[-1]
'''


def test_an_aggregate_is_checked_for_order_and_a_broken_order_promise_is_a_bug(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/agg.py": AGGREGATES}, monkeypatch)
    code, [report], stderr = generate(cli, "pkg/agg.py", "--write")
    assert code == 1, stderr  # the broken promise is a possible bug
    [bug] = report["possible_bugs"]
    assert (bug["function"], bug["kind"]) == ("largest_gap", "metamorphic")
    assert "values=" in bug["failing_input"]
    written = (repo / "tests/test_agg.py").read_text()
    assert "again = total(list(reversed(list(values))))" in written
    assert "test_largest_gap_metamorphic" not in written
    assert_written_tests_pass(repo, "tests/test_agg.py", len(report["kept"]), 5)


def test_a_module_of_private_names_asked_for_by_name_is_tested_through_them(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    private = "def _double(n: int) -> int:\n    return n * 2\n\n\nclass _Box:\n    def size(self) -> int:\n        return 3\n"
    _, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/_impl.py": private}, "pkg/_impl.py")
    assert "_double(" in written and "_Box()" in written
    assert report["coverage_after"]["line_percent"] == 100.0


def test_home_paths_are_pinned_relative_to_home_and_writing_calls_are_skipped(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/dirs.py": DIRS}, "pkg/dirs.py")
    # Inherited from a private base, tested through the public class; the sandbox's HOME is not pinned.
    assert "assert obj.cache_dir() == os.path.expanduser('~/.cache/app')" in written
    assert "assert obj.config_path == pathlib.Path(os.path.expanduser('~/.config/app'))" in written
    assert ".home" not in written
    # A call that writes a file would write it wherever its test runs: skipped, even inside the copy.
    assert "is blocked while a call is observed" in report["skipped"]["write_marker"]
    assert not list(repo.rglob("marker-*"))
    elsewhere = tmp_path / "another-home"
    elsewhere.mkdir()
    assert_written_tests_pass(repo, "tests/test_dirs.py", len(report["kept"]), 2, home=elsewhere)


MACHINE = """\
import importlib.metadata
import platform


def banner() -> str:
    return f"tool 1.0 on Python {platform.python_version()} ({platform.platform()})\\nwith pytest {importlib.metadata.version('pytest')}"


def refuse() -> None:
    raise RuntimeError(f"unsupported platform: {platform.platform()}")
"""


def test_a_value_that_names_the_machine_is_pinned_with_the_machine_left_open(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/about.py": MACHINE}, "pkg/about.py")
    # The interpreter, the platform and another package's version hold only on this machine.
    for here in (platform.platform(), platform.python_version(), importlib.metadata.version("pytest")):
        assert here not in written
    [pattern] = [
        node.args[0].value
        for node in ast.walk(ast.parse(written))
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "re.fullmatch"
    ]
    assert re.fullmatch(pattern, "tool 1.0 on Python 3.99.1 (Plan9-sparc)\nwith pytest 99.0.0")
    assert not re.fullmatch(pattern, "tool 2.0 on Python 3.99.1 (Plan9-sparc)\nwith pytest 99.0.0")
    assert "match='unsupported platform: .*'" in written
    assert_written_tests_pass(repo, "tests/test_about.py", len(report["kept"]), 3)


RELEASES = """\
import re

_RELEASE = re.compile(r"v(\\d+)-(\\d+)")


def parse(text: str) -> tuple[int, int]:
    match = _RELEASE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a release: {text!r}")
    return int(match.group(1)), int(match.group(2))
"""


def test_text_the_module_s_own_pattern_accepts_reaches_past_its_validation(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, report, written = generated(
        tmp_path, cli, monkeypatch, {"pkg/releases.py": RELEASES}, "pkg/releases.py"
    )
    # No generic string is a release; the pattern's own shortest match is, and pins the numbers.
    assert re.search(r"assert parse\('v\d+-\d+'\) == \(\d+, \d+\)", written)
    assert report["coverage_after"]["line_percent"] == 100.0
    assert not (repo / ".hypothesis").exists()
    assert_written_tests_pass(repo, "tests/test_releases.py", len(report["kept"]), 6)


def test_members_a_class_inherits_from_elsewhere_in_its_package_are_tested_on_it(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = (
        "class Layout:\n"
        "    @property\n"
        "    def share_dirs(self) -> list[str]:\n"
        "        return [self._root() + '/share', '/usr/share']\n\n"
        "    def _root(self) -> str:\n"
        "        return '/'\n"
    )
    local = (
        "from pkg.layout import Layout\n\n\n"
        "class Local(Layout):\n"
        "    def _root(self) -> str:\n"
        "        return '/usr/local'\n"
    )
    repo, report, written = generated(
        tmp_path, cli, monkeypatch, {"pkg/layout.py": base, "pkg/local.py": local}, "pkg/local.py"
    )
    # Only the inherited property reaches Local's own override: its users call it on Local.
    assert "assert obj.share_dirs == ['/usr/local/share', '/usr/share']" in written
    assert report["coverage_after"]["line_percent"] == 100.0
    assert_written_tests_pass(repo, "tests/test_local.py", len(report["kept"]), 4)


TABLE = """\
def write_table(rows, out, sep=' | '):
    count = 0
    for row in rows:
        out.write(sep.join(str(cell) for cell in row) + '\\n')
        count += 1
    if count == 0:
        out.write('(no rows)\\n')
    return count


def save(text, fp):
    fp.write(text.upper())
    fp.close()
    return len(text)
"""
"""Functions that write to a stream they are given; one closes it."""


def test_what_a_function_writes_to_the_stream_it_is_given_is_pinned(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/table.py": TABLE}, "pkg/table.py")
    # `out` is written to, so it gets an empty stream, and what landed in it is what a change would break
    assert "    stream = io.StringIO()\n    assert write_table('', stream) == 0\n" in written
    assert "    assert stream.getvalue() == '(no rows)\\n'\n" in written
    # a stream the call closed cannot be read back: the call is still pinned, by what it returned
    assert re.search(r"    stream = io\.StringIO\(\)\n    assert save\(.*, stream\) == \d+\n", written)
    assert_written_tests_pass(repo, "tests/test_table.py", len(report["kept"]), 3)


RENDERING = {
    "pkg/rendering.py": """\
class Renderer:
    def render(self, items):
        if not items:
            self.write('(empty)')
            return 0
        for item in items:
            self.write(f'- {item}')
        return len(items)
""",
    "pkg/writers.py": """\
from pkg.rendering import Renderer


class ListWriter(Renderer):
    def __init__(self):
        self.lines = []

    def write(self, line):
        self.lines.append(line)
""",
}
"""A mixin that needs a ``write`` its package's subclass gives it; nothing imports that subclass."""


def test_a_mixin_is_tested_as_the_subclass_its_package_builds_it_as(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, report, written = generated(tmp_path, cli, monkeypatch, RENDERING, "pkg/rendering.py")
    # alone, Renderer has no `write`: only built as ListWriter does render reach its lines
    assert "from pkg.writers import ListWriter" in written
    assert "obj = ListWriter()" in written
    assert report["coverage_after"]["line_percent"] == 100.0
    assert_written_tests_pass(repo, "tests/test_rendering.py", len(report["kept"]), 5)


def test_a_subclass_whose_module_hangs_at_import_only_costs_the_search(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hanging = {**RENDERING, "pkg/writers.py": "import time\ntime.sleep(600)\n" + RENDERING["pkg/writers.py"]}
    repo, report, written = generated(tmp_path, cli, monkeypatch, hanging, "pkg/rendering.py")
    # the search gave up on the sibling module; Renderer is still tested, as it is built alone
    assert "ListWriter" not in written
    assert "obj.render(" in written
    assert_written_tests_pass(repo, "tests/test_rendering.py", len(report["kept"]), 6)


def test_an_object_with_no_readable_repr_is_pinned_by_the_attributes_it_holds(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = (
        "class Option:\n"
        "    def __init__(self, name, const=None, action='store'):\n"
        "        self.name = name.lstrip('-')\n"
        "        self.const = const\n"
        "        self.multiple = action == 'append'\n\n\n"
        "def flag(name, on=True):\n"
        "    return Option(name, const=on, action='append' if on else 'store')\n"
    )
    repo, report, written = generated(
        tmp_path, cli, monkeypatch, {"pkg/options.py": options}, "pkg/options.py"
    )
    # the returned Option's repr holds an address; what it holds is what a change to flag would break
    pins = re.findall(
        r"    result = flag\((.*)\)\n    assert result.name == .*\n"
        r"    assert result.const is (True|False)\n    assert result.multiple is (True|False)\n",
        written,
    )
    assert ("True", "True") in {(const, multiple) for _, const, multiple in pins}
    assert_written_tests_pass(repo, "tests/test_options.py", len(report["kept"]), 6)


def test_a_deprecation_shim_is_tested_and_the_function_it_hands_back_pinned_by_identity(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shim = (
        "def _parse_pair(text):\n"
        "    key, _, value = text.partition('=')\n"
        "    return key.strip(), value.strip()\n\n\n"
        "def parse(text):\n"
        "    return dict(_parse_pair(part) for part in text.split(';') if part)\n\n\n"
        "def __getattr__(name):\n"
        "    if name == 'parse_pair':\n"
        "        return _parse_pair\n"
        "    raise AttributeError(name)\n"
    )
    repo, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/pairs.py": shim}, "pkg/pairs.py")
    # ``pkg.pairs.parse_pair`` runs the module's own hook: its old name must keep leading to the helper
    assert "assert __getattr__('parse_pair') is pkg.pairs._parse_pair" in written
    assert "import pkg.pairs" in written
    assert report["coverage_after"]["line_percent"] == 100.0
    assert_written_tests_pass(repo, "tests/test_pairs.py", len(report["kept"]), 5)


def test_an_existing_test_module_is_only_added_to_and_shown_as_a_diff(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = textwrap.dedent(
        """\
        from pkg.text import clamp


        def test_grade_characterization():
            assert clamp(5) == 5
        """
    )
    repo = sample(tmp_path / "r", {"pkg/text.py": PURE, "tests/test_text.py": existing}, monkeypatch)
    code, [report], _ = generate(cli, "pkg/text.py")
    assert code == 0
    # The suite already covered clamp's plain path: coverage before is not zero.
    assert report["coverage_before"]["covered_statements"] > 0
    new_lines = report["file_text"].splitlines()
    assert new_lines[0] == "from pkg.text import clamp"
    assert existing.split("\n\n\n", 1)[1].rstrip("\n") in report["file_text"]  # the test is untouched
    assert "def test_grade_characterization_2(" in report["file_text"]  # renamed, not clobbered
    assert report["diff"].startswith("--- a/tests/test_text.py")
    assert not any(
        line.startswith("-") and not line.startswith("---") for line in report["diff"].splitlines()
    )
    assert (repo / "tests/test_text.py").read_text() == existing  # not written without --write


def test_code_contradicting_its_docstring_or_hints_is_a_possible_bug_and_not_written(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/stats.py": BUGGY}, monkeypatch)
    code, [report], _ = generate(cli, "pkg/stats.py", "--write")
    assert code == 1  # possible bugs fail the run, like findings
    bugs = {b["function"]: b for b in report["possible_bugs"]}
    assert set(bugs) == {"mean", "label", "balance", "fee"}
    assert "2.0" in bugs["mean"]["message"]
    assert bugs["mean"]["kind"] == "docstring"
    assert bugs["label"]["kind"] == "property"
    assert "n=" in bugs["label"]["failing_input"]  # Hypothesis's falsifying example
    # A promise in the docstring is a contract too: the input that breaks it is shown.
    assert bugs["balance"]["kind"] == "property"
    assert "withdrawals=" in bugs["balance"]["failing_input"]
    # "increasing" in a docstring is checked on two inputs; rebate keeps its promise and its test.
    assert bugs["fee"]["kind"] == "metamorphic"
    assert "amount_2=" in bugs["fee"]["failing_input"]
    written = (repo / "tests/test_stats.py").read_text()
    assert "test_mean_docstring" not in written
    assert "def test_double_" in written
    assert "def test_rebate_metamorphic" in written and "assert first >= second" in written
    # What a report questions is never pinned next to it (``label(4) == 4`` would bless the bug).
    assert "def test_label_characterization" not in written
    assert report["dropped"].get("pins-a-possible-bug", 0) >= 1


def test_a_hanging_function_is_skipped_with_its_reason_and_the_rest_is_tested(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(tmp_path / "r", {"pkg/slow.py": HANGS}, monkeypatch)
    code, [report], _ = generate(cli, "pkg/slow.py")
    assert code == 0
    assert "hangs" in report["skipped"]["wait_forever"]
    assert {t["function"] for t in report["kept"]} == {"fine"}


def test_every_constructor_option_gets_tried_and_one_that_writes_skips_only_its_own_calls(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last of five options decides the value: instances vary each option in turn, not the first
    # alone. ``create=True`` would write under HOME; that call is blocked, the property still tested.
    repo, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/store.py": STORE}, "pkg/store.py")
    assert "Store.location" not in report["skipped"]
    assert "assert obj.location == os.path.expanduser('~/.store')" in written
    assert re.search(r"assert obj\.location == os\.path\.expanduser\((['\"])~/\.store/.+\1\)", written)
    assert_written_tests_pass(repo, "tests/test_store.py", len(report["kept"]), 3, home=tmp_path)
    assert not (tmp_path / ".store").exists()


def test_side_effects_are_blocked_in_the_sandbox_and_never_reach_the_machine(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(tmp_path / "r", {"pkg/effects.py": WRITES}, monkeypatch)
    before = set(Path("/tmp").glob("devcopilot-escape-*"))
    code, [report], _ = generate(cli, "pkg/effects.py")
    assert code == 0
    assert "writing /tmp/devcopilot-escape-" in report["skipped"]["save"]
    assert "network access is blocked" in report["skipped"]["fetch"]
    assert set(Path("/tmp").glob("devcopilot-escape-*")) == before
    assert {t["function"] for t in report["kept"]} == {"square"}


def test_changed_generates_for_the_functions_the_staged_change_touches(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/text.py": PURE}, monkeypatch)
    path = repo / "pkg/text.py"
    path.write_text(
        path.read_text().replace('return "C"', 'if score < 10:\n        return "F"\n    return "C"')
    )
    git(repo, "add", "pkg/text.py")
    code, [report], _ = generate(cli, "--changed")
    assert code == 0
    assert {t["function"] for t in report["kept"]} == {"grade"}
    assert report["coverage_after"]["line_percent"] == 100.0
    # A range works the same way, from history.
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", "grade F")
    code, [report], _ = generate(cli, "--changed", "--range", "HEAD~1..HEAD")
    assert {t["function"] for t in report["kept"]} == {"grade"}


def test_changed_tests_what_is_staged_not_what_the_working_tree_holds(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/calc.py": "def double(n):\n    return n * 2\n"}, monkeypatch)
    staged = 'def double(n):\n    return n * 2\n\n\ndef triple(n):\n    """>>> triple(2)\n    6\n    """\n    return n * 3\n'
    (repo / "pkg/calc.py").write_text(staged)
    git(repo, "add", "pkg/calc.py")
    unstaged = staged.replace("n * 3", "n * 4") + "def unfinished(:\n"
    (repo / "pkg/calc.py").write_text(unstaged)

    code, [report], stderr = generate(cli, "--changed")

    assert code == 0, stderr
    assert report["possible_bugs"] == [], "the staged triple keeps its docstring's promise"
    assert {(t["function"], t["kind"]) for t in report["kept"]} >= {("triple", "docstring")}
    assert (repo / "pkg/calc.py").read_text() == unstaged, "the user's working tree is untouched"


def test_gaps_reports_coverage_by_the_suite_per_function(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = "from pkg.text import clamp\n\n\ndef test_clamp():\n    assert clamp(50) == 10\n"
    sample(tmp_path / "r", {"pkg/text.py": PURE, "tests/test_text.py": suite}, monkeypatch)
    result = cli("tests", "gaps", "pkg/text.py", "--json")
    assert result.code == 0, result.stderr
    report = result_of(result.stdout, "tests", "gaps")
    assert report["suite"] == ["tests/test_text.py"]
    functions = {f["function"]: f for f in report["functions"]}
    clamp = functions["clamp"]
    assert 0 < clamp["line_percent"] < 100
    assert clamp["uncovered"]  # the raise and the low branch
    assert functions["grade"]["line_percent"] < 50
    text = cli("tests", "gaps", "pkg/text.py::clamp")
    assert "clamp" in text.stdout and "grade" not in text.stdout


def test_gaps_measures_a_src_layout_whose_suite_turns_warnings_into_errors(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = "from lib.text import clamp\n\n\ndef test_clamp():\n    assert clamp(50) == 10\n"
    config = '[tool.pytest.ini_options]\ntestpaths = ["tests"]\nfilterwarnings = ["error"]\n'
    files = {
        "src/lib/__init__.py": "",
        "src/lib/text.py": PURE,
        "tests/test_text.py": suite,
        "pyproject.toml": config,
    }
    sample(tmp_path / "r", files, monkeypatch)

    report = result_of(cli("tests", "gaps", "src/lib/text.py", "--json").stdout, "tests", "gaps")

    assert report["note"] is None
    assert {f["function"]: f for f in report["functions"]}["clamp"]["line_percent"] > 0


def test_gaps_says_why_when_the_suite_does_not_run(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    suite = "import pkg.text\n\n\ndef test_clamp(:\n    pass\n"
    config = '[tool.pytest.ini_options]\naddopts = "--no-such-option"\n'
    sample(
        tmp_path / "r",
        {"pkg/text.py": PURE, "tests/test_text.py": suite, "pytest.ini": "[pytest]\n"},
        monkeypatch,
    )

    result = cli("tests", "gaps", "pkg/text.py")

    assert result.code == 0 and "note: the existing suite did not run" in result.stdout
    assert config


@pytest.mark.parametrize(
    ("files", "target", "message"),
    [
        ({"pkg/bad.py": "def broken(:\n    pass\n"}, "pkg/bad.py", "pkg/bad.py:1: syntax error"),
        ({"pkg/dep.py": "import not_installed_dep\n\ndef f(x: int) -> int:\n    return x\n"}, "pkg/dep.py",
         "importing pkg.dep failed: ModuleNotFoundError: No module named 'not_installed_dep'"),
        ({"pkg/net.py": "import socket\nsocket.create_connection(('192.0.2.1', 80))\n\ndef f(x: int) -> int:\n    return x\n"},
         "pkg/net.py", "pkg.net has side effects at import time: devcopilot sandbox: network access is blocked"),
        ({"pkg/consts.py": "VALUE = 1\n"}, "pkg/consts.py", "consts.py: no public function to test"),
        ({"pkg/notes.txt": "hello\n"}, "pkg/notes.txt", "not a Python file"),
        ({"pkg/text.py": PURE}, "pkg/text.py::nothing", "no function or class named 'nothing'"),
        ({"pkg/text.py": PURE}, "pkg/missing.py", "pkg/missing.py: no such file"),
    ],
)  # fmt: skip
def test_bad_targets_get_one_line_and_exit_2(
    tmp_path: Path,
    cli: Any,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    target: str,
    message: str,
) -> None:
    sample(tmp_path / "r", files, monkeypatch)
    result = cli("tests", "generate", target, "--no-model")
    assert result.code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_module_that_hangs_at_import_is_exit_2(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("devcopilot.jobs.testgen.probe.IMPORT_TIMEOUT_S", 1.0)
    sample(
        tmp_path / "r",
        {"pkg/stuck.py": "while True:\n    pass\n\ndef f(x: int) -> int:\n    return x\n"},
        monkeypatch,
    )
    result = cli("tests", "generate", "pkg/stuck.py", "--no-model")
    assert result.code == 2
    assert "importing pkg.stuck did not finish in 1 s" in result.stderr


def test_the_job_run_record_carries_the_counts(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample(tmp_path / "r", {"pkg/stats.py": BUGGY}, monkeypatch)
    generate(cli, "pkg/stats.py")
    records = json.loads(cli("log", "--json").stdout)
    [run] = [r for r in records if r.get("kind") == "job_run" and r.get("job") == "tests"]
    assert run["tests.possible_bugs"] == 4  # mean, label, balance and fee
    assert run["tests.kept"] >= 1
    assert run["tests.coverage_after"] > run["tests.coverage_before"]


CALENDAR = '''\
"""Calendar helpers: one path each, many answers."""


def is_leap(year: int) -> bool:
    """Whether ``year`` is a leap year in the Gregorian calendar."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if _short(month) else 31


def _short(month: int) -> bool:
    return month in (4, 6, 9, 11)
'''
MUTATION_FLOOR = 85.0
"""The kept tests' share of the calendar module's mutants killed: 93% when this floor was set."""


def test_tests_are_kept_for_the_mutants_they_kill_and_mutation_reports_the_survivors(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = sample(tmp_path / "r", {"pkg/cal.py": CALENDAR}, monkeypatch)
    code, [report], stderr = generate(cli, "pkg/cal.py", "--mutation", "--write")
    assert code == 0, stderr
    # days_in_month's tests reach every line of is_leap: a leap-year test adds no coverage, yet
    # pinning a few years is what notices `%` turned into `/` or 400 into 401.
    leap = [t for t in report["kept"] if t["function"] == "is_leap"]
    assert leap and all(t["adds"] == 0 and t["detail"].startswith("kills ") for t in leap)
    written = (repo / "tests/test_cal.py").read_text()
    assert re.search(r"assert is_leap\(\d+\) is (True|False)", written)
    assert report["mutation_score"] >= MUTATION_FLOOR
    by_function = {f["function"]: f for f in report["mutation"]}
    # The private helper's mutants count too: a test that notices them breaking is worth keeping.
    assert set(by_function) == {"is_leap", "days_in_month", "_short"}
    assert by_function["_short"]["killed"] == by_function["_short"]["mutants"]
    # The months `_short` compares with reach days_in_month, which hands it the month.
    assert re.search(r"assert days_in_month\(-?\d+, (4|6|9|11)\) == 30", written)
    for figures in by_function.values():
        assert figures["mutants"] == figures["killed"] + len(figures["surviving"])
        assert all(re.fullmatch(r"line \d+: .+", mutant) for mutant in figures["surviving"])
    assert_written_tests_pass(repo, "tests/test_cal.py", len(report["kept"]), 3)

    text = cli("tests", "generate", "pkg/cal.py", "--mutation", "--no-model", "--out", "tests/test_more.py")
    assert text.code == 0, text.stderr
    assert re.search(r"^mutants: the kept tests kill \d+ of \d+ \(\d+\.\d%\)$", text.stdout, re.MULTILINE)
    assert re.search(r"^  is_leap: \d+ of \d+ killed", text.stdout, re.MULTILINE)
    # Without --mutation the report says nothing of mutants.
    _, [plain], _ = generate(cli, "pkg/cal.py", "--out", "tests/test_plain.py")
    assert plain["mutation"] is None
    # A budget too short to verify a test leaves every mutant untried: not run, never surviving.
    rushed = cli("tests", "generate", "pkg/cal.py", "--mutation", "--no-model", "--budget-seconds", "1")
    assert "kept 0 tests" in rushed.stdout, rushed.stdout
    made = sum(f["mutants"] + f["not_run"] for f in report["mutation"])
    assert f"mutants: the kept tests ran on no mutant; {made} not run" in rushed.stdout
    assert "survives:" not in rushed.stdout


CONTEXTS = '''\
"""Context managers of both kinds, and a function whose first inputs fail validation."""

import os
from contextlib import contextmanager


@contextmanager
def env_var(name: str, value: str):
    """Set an environment variable inside the block; restore it after."""
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield value.upper()
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


class Session:
    def __init__(self, user="anon"):
        self.user = user
        self.open = False

    def __enter__(self):
        self.open = True
        return self

    def __exit__(self, *exc):
        self.open = False


def scaled(count, mode="plain"):
    if count is None or count < 1:
        raise ValueError("count must be positive")
    if mode == "double":
        return count * 2
    return count
'''


def test_context_managers_are_entered_in_a_with_block_and_failing_inputs_are_left_behind(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, report, written = generated(tmp_path, cli, monkeypatch, {"pkg/ctx.py": CONTEXTS}, "pkg/ctx.py")
    # A @contextmanager function is entered, and what it yields pinned.
    assert re.search(
        r"with env_var\('[^']*', '[^']*'\) as entered:\n        pass\n    assert entered == '", written
    )
    # A class's __enter__ is tested as `with obj`; __exit__ is never called by hand.
    assert "with obj as entered:\n        pass\n    assert entered is obj" in written
    assert "__exit__" not in written and "islice(env_var" not in written
    # The first value tried for `count` raises, so `mode` is varied again from a count that works.
    assert re.search(r"assert scaled\(\d+, 'double'\) == \d+", written)
    assert_written_tests_pass(repo, "tests/test_ctx.py", len(report["kept"]), 4)
