"""The tests model pass against the loopback OpenAI server: every proposed test reaches its bucket."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devcopilot.core.errors import ExitCode
from tests.conftest import make_repo, route_config
from tests.support.envelope import result_of
from tests.support.fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.slow

HIDDEN = """\
def _expected():
    return "open" + "-" + "sesame"


def door(word):
    if word == _expected():
        return "treasure"
    return "wall"
"""


@pytest.fixture
def model_repo(tmp_path: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = make_repo(tmp_path / "r", {"pkg/__init__.py": "", "pkg/cave.py": HIDDEN, "tests/__init__.py": ""})
    (repo / ".devcopilot.toml").write_text(route_config(fake_llm, "tester", route="tests"))
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    monkeypatch.chdir(repo)
    return repo


def proposal(
    name: str, body: str, imports: tuple[str, ...] = ("from pkg.cave import door",)
) -> dict[str, Any]:
    return {"name": name, "imports": list(imports), "code": f"def {name}():\n    {body}\n"}


PASSING = proposal("test_the_magic_word_opens_the_door", 'assert door("open-sesame") == "treasure"')
FAILING = proposal("test_wrong_claim", 'assert door("open-sesame") == "gold"')
FLAKY = {
    "name": "test_sometimes",
    "imports": ["from pathlib import Path", "from pkg.cave import door"],
    "code": (
        "def test_sometimes():\n"
        "    counter = Path('runs-seen')\n"
        "    seen = int(counter.read_text()) if counter.exists() else 0\n"
        "    counter.write_text(str(seen + 1))\n"
        "    assert door('open-sesame') == 'treasure'\n"
        "    assert seen % 2 == 0\n"
    ),
}
BROKEN = {"name": "test_broken", "imports": [], "code": "def test_broken(:\n    pass\n"}
USELESS = proposal("test_wall", 'assert door("knock") == "wall"')


def generate(cli: Any, *args: str) -> dict[str, Any]:
    result = cli("tests", "generate", "pkg/cave.py", "--json", *args)
    assert result.code == 0, result.stderr
    run = result_of(result.stdout, "tests", "generate")
    [report] = run["reports"]
    report["model"] = run["model"]
    return report


def test_each_proposed_test_reaches_its_bucket(model_repo: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    fake_llm.script("tester", Reply.json({"tests": [FAILING, FLAKY, BROKEN, PASSING, USELESS]}))
    report = generate(cli)
    buckets = {t["name"]: t["status"] for t in report["dropped_tests"] if t["origin"] == "model"}
    assert buckets == {
        "test_wrong_claim": "fails",
        "test_sometimes": "flaky",
        "test_broken": "does-not-compile",
        "test_wall": "no-new-coverage",
    }
    kept = [t for t in report["kept"] if t["origin"] == "model"]
    assert [t["name"] for t in kept] == ["test_the_magic_word_opens_the_door"]
    assert report["coverage_after"]["line_percent"] == 100.0
    assert "def test_the_magic_word_opens_the_door" in report["file_text"]
    assert "test_wrong_claim" not in report["file_text"]
    model = report["model"]
    assert (model["proposed"], model["accepted"], model["details"]["rounds"]) == (5, 1, 1)
    assert model["dropped"] == {"does-not-compile": 1, "fails": 1, "flaky": 1, "no-new-coverage": 1}
    assert model["acceptance_rate"] == 0.2
    assert model["input_tokens"] > 0
    [request] = fake_llm.requests_for("tester")
    prompt = json.dumps(request.body["messages"])
    assert (
        ">>     if word == _expected():" not in prompt
    )  # the condition ran; only what did not run is marked
    assert '>>         return \\"treasure\\"' in prompt
    assert "def _expected()" in prompt  # the signatures of what it calls


def test_failures_go_back_to_the_model_for_up_to_two_repairs(
    model_repo: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.script(
        "tester",
        Reply.json({"tests": [FAILING]}),
        Reply.json({"tests": [BROKEN]}),
        Reply.json({"tests": [PASSING]}),
        Reply.json({"tests": [PASSING]}),
    )
    report = generate(cli)
    requests = fake_llm.requests_for("tester")
    assert len(requests) == 3  # the first round and two repairs, no more
    second = json.dumps(requests[1].body["messages"])
    assert "test_wrong_claim: fails" in second and "gold" in second
    assert "test_broken: does-not-compile" in json.dumps(requests[2].body["messages"])
    assert [t["name"] for t in report["kept"] if t["origin"] == "model"] == [
        "test_the_magic_word_opens_the_door"
    ]
    assert report["model"]["details"]["rounds"] == 3


def test_max_iterations_one_means_no_repair(model_repo: Path, fake_llm: FakeOpenAI, cli: Any) -> None:
    fake_llm.script("tester", Reply.json({"tests": [FAILING]}), Reply.json({"tests": [PASSING]}))
    report = generate(cli, "--max-iterations", "1")
    assert len(fake_llm.requests_for("tester")) == 1
    assert report["coverage_after"]["line_percent"] < 100.0


def test_a_failing_model_leaves_the_engine_tests_and_a_warning(
    model_repo: Path, fake_llm: FakeOpenAI, cli: Any
) -> None:
    fake_llm.script("tester", *[Reply.error(500, "upstream down")] * 10)
    result = cli("tests", "generate", "pkg/cave.py", "--json")
    strict = cli("tests", "generate", "pkg/cave.py", "--json", "--strict-model")
    run = result_of(result.stdout, "tests", "generate")
    [report] = run["reports"]
    assert report["kept"]  # the engine's own tests
    assert all(t["origin"] == "engine" for t in report["kept"])
    assert "upstream down" in run["model"]["warning"]
    assert "the engine's tests are reported" in result.stderr
    assert (result.code, strict.code) == (ExitCode.OK, ExitCode.MODEL_UNAVAILABLE)


def test_secrets_in_the_source_never_reach_the_model(
    tmp_path: Path, fake_llm: FakeOpenAI, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = HIDDEN.replace("def door(word):\n", 'def door(word):\n    token = "ghp_' + "a" * 36 + '"\n')
    repo = make_repo(tmp_path / "s", {"pkg/__init__.py": "", "pkg/cave.py": source})
    (repo / ".devcopilot.toml").write_text(route_config(fake_llm, "tester", route="tests"))
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    monkeypatch.chdir(repo)
    fake_llm.script("tester", Reply.json({"tests": [PASSING]}))
    generate(cli)
    prompt = json.dumps(fake_llm.requests_for("tester")[0].body["messages"])
    assert "ghp_" + "a" * 36 not in prompt
    assert "[REDACTED:" in prompt
