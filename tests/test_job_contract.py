"""A new job is a table entry, a CLI module and a prompt: nothing in the core changes.

The job here lives in this test module. It runs through the real runner, the
router (litellm against the loopback server), the verdicts and the provenance
log, and its command is registered on a Typer app from its import string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from devcopilot.core.context import Context
from devcopilot.core.errors import ConfigError, ExitCode
from devcopilot.core.jobs import JobSpec, JobTable, load_object
from devcopilot.core.provenance.stats import compute_stats
from devcopilot.core.runner import JobRun, ModelChoice, run_job
from devcopilot.core.verdicts import ModelPass
from tests.conftest import route_config
from tests.support.fake_openai import FakeOpenAI, Reply

TEXT = "the quick brown fox"
PROMPT = """---
id: words/pick
version: 2.1.0
description: Pick the words of a text that name an animal.
output: Picks
---
{% block system %}Name animals.{% endblock %}
{% block user %}{{ text | untrusted('text') }}{% endblock %}
"""


class Picks(BaseModel):
    words: list[str]


class WordsSettings(BaseModel):
    model_config = {"extra": "forbid"}
    minimum: int = 1


class WordsResult(BaseModel):
    animals: list[str]
    model: ModelPass | None = None

    def reaches(self, level: str) -> bool:
        return bool(self.animals)

    def model_summary(self) -> ModelPass | None:
        return self.model

    def job_run_fields(self) -> Mapping[str, Any]:
        return {"words.animals": len(self.animals)}


def pick(run: JobRun) -> WordsResult:
    """The job's work: ask, verify every claimed word against the text, keep what survives."""
    router = run.router()
    if router is None:
        return WordsResult(animals=[])
    answer = router.complete(run.context.prompts.render("words/pick", {"text": TEXT}), Picks)
    kept = []
    for word in answer.parsed.words if answer.parsed else []:
        if word in TEXT.split():
            run.verdicts.judge(answer, "word", word, "accepted")
            kept.append(word)
        else:
            run.verdicts.judge(answer, "word", word, "dropped", "not-in-text")
    return WordsResult(animals=kept, model=run.model_pass())


def register(app: typer.Typer) -> None:
    @app.command("words")
    def words() -> None:
        """Pick the animals of a text."""
        typer.echo("registered")


TABLE = JobTable(
    (
        JobSpec(
            "words",
            cli="tests.test_job_contract:register",
            settings="tests.test_job_contract:WordsSettings",
            results=(("pick", "tests.test_job_contract:WordsResult"),),
        ),
    )
)


@pytest.fixture
def words_repo(repo: Path, fake_llm: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FAKE_LLM_KEY", "sk-test")
    (repo / ".devcopilot.toml").write_text(
        "[words]\nminimum = 2\n" + route_config(fake_llm, "zoo", route="words")
    )
    (repo / ".devcopilot" / "prompts" / "words").mkdir(parents=True)
    (repo / ".devcopilot" / "prompts" / "words" / "pick.j2").write_text(PROMPT)
    return repo


def test_a_job_from_a_table_runs_through_the_runner_router_and_provenance(
    words_repo: Path, fake_llm: FakeOpenAI
) -> None:
    fake_llm.script("zoo", Reply.json({"words": ["fox", "unicorn"]}))

    finished = run_job(TABLE, "words", "pick", pick, fail_on="error")

    assert finished.result.animals == ["fox"]
    assert finished.exit_code == ExitCode.FINDINGS, "the result reached --fail-on"
    model = finished.result.model
    assert model is not None
    assert (model.proposed, model.accepted, model.dropped) == (2, 1, {"not-in-text": 1})
    assert model.prompts == ["words/pick@2.1.0"]
    records = list(Context.load(words_repo, jobs=TABLE).provenance.read())
    kinds = [r["kind"] for r in records]
    assert kinds == ["model_call", "verdicts", "job_run"]
    assert {r["run_id"] for r in records} == {finished.run_id}
    assert records[-1]["words.animals"] == 1 and records[-1]["command"] == "pick"
    rows = {row.group: row for row in compute_stats(records, by="prompt")}
    assert rows["words/pick@2.1.0"].acceptance_rate == 0.5
    request = json.dumps(fake_llm.requests_for("zoo")[0].body["messages"])
    assert "the quick brown fox" in request


def test_its_settings_section_and_route_are_validated_and_its_options_honoured(
    words_repo: Path, fake_llm: FakeOpenAI
) -> None:
    context = Context.load(words_repo, jobs=TABLE)
    offline = run_job(TABLE, "words", "pick", pick, choice=ModelChoice(off=True), fail_on="error")
    strict = run_job(TABLE, "words", "pick", pick, choice=ModelChoice(off=True, strict=True))
    (words_repo / ".devcopilot.toml").write_text("[words]\nminimun = 2\n")

    assert context.config.section("words", WordsSettings).minimum == 2
    assert "words" in context.config.route_names
    assert (offline.exit_code, offline.result.animals) == (ExitCode.OK, [])
    assert strict.exit_code == ExitCode.MODEL_UNAVAILABLE
    assert not fake_llm.requests, "--no-model makes no call"
    with pytest.raises(ConfigError, match=r"\.devcopilot\.toml: words\.minimun: unknown key"):
        Context.load(words_repo, jobs=TABLE)


def test_its_commands_register_from_the_import_string() -> None:
    app = typer.Typer()
    app.callback()(lambda: None)

    load_object(TABLE["words"].cli)(app)

    assert CliRunner().invoke(app, ["words"]).output == "registered\n"
