"""Configuration: sources and precedence, origins, strict validation with the file and key named."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devcopilot.core.config import load_config
from devcopilot.core.errors import ConfigError
from devcopilot.core.paths import Workspace
from devcopilot.jobs.registry import JOBS


def load(repo: Path | None, env: dict[str, str] | None = None, flags: dict[str, Any] | None = None) -> Any:
    workspace = Workspace.discover(repo)
    full_env = {"DEVCOPILOT_HOME": str(workspace.home.config_dir), **(env or {})}
    return load_config(workspace, full_env, flags, jobs=JOBS)


def test_a_fresh_install_is_offline_with_no_key(repo: Path) -> None:
    config = load(repo)

    for name in ("default", "review", "tests", "iac", "docs", "incident"):
        assert config.route(name).offline
    assert all(row.origin == "default" for row in config.explain())


def test_the_documented_review_route_shape_works_in_pyproject(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n\n"
        "[tool.devcopilot.routes.review]\n"
        'models = ["anthropic/claude-sonnet-4-5", "openai/gpt-4.1-mini"]\n'
        "timeout_s = 60\nmax_retries = 2\nmax_cost_usd = 0.25\n"
    )

    config = load(repo)
    review = config.route("review")

    assert review.models == ["anthropic/claude-sonnet-4-5", "openai/gpt-4.1-mini"]
    assert (review.timeout_s, review.max_retries, review.max_cost_usd) == (60, 2, 0.25)
    assert config.route("tests").offline, "a job without its own route uses the default route"
    assert config.origins["routes.review.models"] == str(repo / "pyproject.toml")


def test_the_same_keys_work_in_dot_devcopilot_toml(repo: Path) -> None:
    (repo / ".devcopilot.toml").write_text(
        '[routes.review]\nmodels = ["openai/gpt-4.1-mini"]\nmax_cost_usd = 0.1\n'
    )

    assert load(repo).route("review").models == ["openai/gpt-4.1-mini"]


def test_each_source_overrides_the_one_below_and_is_named_as_the_origin(
    repo: Path, hermetic_env: Path
) -> None:
    (hermetic_env / "config.toml").write_text(
        "[routes.default]\ntimeout_s = 10\nmax_retries = 1\ntemperature = 0.5\n"
    )
    (repo / "pyproject.toml").write_text(
        "[tool.devcopilot.routes.default]\ntimeout_s = 20\nmax_retries = 3\n"
    )
    (repo / ".devcopilot.toml").write_text("[routes.default]\ntimeout_s = 30\n")

    config = load(repo, env={"DEVCOPILOT_ROUTES__DEFAULT__MAX_COST_USD": "0.05"}, flags={"cache": False})
    route = config.route("default")

    assert (route.temperature, route.max_retries, route.timeout_s, route.max_cost_usd) == (0.5, 3, 30, 0.05)
    assert config.settings.cache is False
    origins = config.origins
    assert origins["routes.default.temperature"] == str(hermetic_env / "config.toml")
    assert origins["routes.default.max_retries"] == str(repo / "pyproject.toml")
    assert origins["routes.default.timeout_s"] == str(repo / ".devcopilot.toml")
    assert origins["routes.default.max_cost_usd"] == "env DEVCOPILOT_ROUTES__DEFAULT__MAX_COST_USD"
    assert origins["cache"] == "command line"


def test_a_job_route_inherits_unset_fields_from_the_default_route(repo: Path) -> None:
    (repo / ".devcopilot.toml").write_text(
        '[routes.default]\nmodels = ["openai/a"]\ntimeout_s = 12\n[routes.review]\nmodels = ["openai/b"]\n'
    )
    config = load(repo)

    assert (config.route("review").models, config.route("review").timeout_s) == (["openai/b"], 12)
    explained = {row.key: row.origin for row in config.explain()}
    assert explained["routes.review.timeout_s"].endswith("(via routes.default)")


def test_devcopilot_model_turns_every_route_on(repo: Path) -> None:
    (repo / ".devcopilot.toml").write_text('[routes.review]\nmodels = ["openai/from-file"]\n')

    config = load(repo, env={"DEVCOPILOT_MODEL": "ollama/llama3, openai/gpt-4.1-mini"})

    for name in ("default", "review", "incident"):
        assert config.route(name).models == ["ollama/llama3", "openai/gpt-4.1-mini"]
    assert config.origins["routes.review.models"] == "env DEVCOPILOT_MODEL"


def test_the_model_flag_overrides_one_route_only(repo: Path) -> None:
    config = load(repo).with_models("review", ["openai/x"], "command line --model")

    assert config.route("review").models == ["openai/x"]
    assert config.route("tests").offline


@pytest.mark.parametrize(
    ("file_name", "text", "key_path", "problem"),
    [
        (".devcopilot.toml", "[routes.review]\ntimeout = 5\n", "routes.review.timeout", "unknown key"),
        (".devcopilot.toml", "[routes.revew]\nmodels = ['openai/x']\n", "routes", "unknown route 'revew'"),
        (
            ".devcopilot.toml",
            "[routes.default]\nmax_retries = 'two'\n",
            "routes.default.max_retries",
            "integer",
        ),
        (
            ".devcopilot.toml",
            "[routes.default]\ntimeout_s = -1\n",
            "routes.default.timeout_s",
            "greater than 0",
        ),
        (
            ".devcopilot.toml",
            "[routes.default]\nmodels = ['offline', 'openai/x']\n",
            "routes.default.models",
            "last",
        ),
        (".devcopilot.toml", "log_contents = true\n", "log_contents", "unknown key"),
        ("pyproject.toml", "[tool.devcopilot]\ncache = 'yes please'\n", "tool.devcopilot.cache", "boolean"),
        (
            "pyproject.toml",
            "[tool.devcopilot.models.'openai/x']\napi_bse = 'http://x'\n",
            "api_bse",
            "unknown key",
        ),
    ],
)
def test_an_invalid_file_names_itself_and_the_key(
    repo: Path, file_name: str, text: str, key_path: str, problem: str
) -> None:
    (repo / file_name).write_text(text)

    with pytest.raises(ConfigError) as error:
        load(repo)

    message = str(error.value)
    assert str(repo / file_name) in message
    assert key_path in message
    assert problem in message


def test_invalid_toml_names_the_file_and_line(repo: Path) -> None:
    (repo / ".devcopilot.toml").write_text("[routes.default\nmodels = 1\n")

    with pytest.raises(ConfigError, match=r"\.devcopilot\.toml: invalid TOML: .*line 1"):
        load(repo)


def test_an_invalid_environment_variable_is_named(repo: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"env DEVCOPILOT_ROUTES__REVIEW__MAX_RETRIES: routes\.review\.max_retries"
    ):
        load(repo, env={"DEVCOPILOT_ROUTES__REVIEW__MAX_RETRIES": "many"})
    with pytest.raises(ConfigError, match="env DEVCOPILOT_NOPE: nope: unknown key"):
        load(repo, env={"DEVCOPILOT_NOPE": "1"})


def test_ab_weights_must_match_the_models(repo: Path) -> None:
    (repo / ".devcopilot.toml").write_text(
        '[routes.review]\nmodels = ["openai/a", "openai/b"]\nstrategy = "ab"\nweights = [1.0]\n'
    )

    with pytest.raises(ConfigError, match=r"routes\.review: .*one weight per model"):
        load(repo)


def test_cli_reports_a_config_error_in_one_line_with_exit_2(repo: Path, cli: Any) -> None:
    (repo / ".devcopilot.toml").write_text("[routes.review]\ntimeout = 5\n")

    result = cli("config", "show")

    assert result.code == 2
    assert result.stderr.strip() == (
        f"devcopilot: error: {repo / '.devcopilot.toml'}: routes.review.timeout: unknown key"
    )
    assert "Traceback" not in result.stderr


def test_config_show_json_lists_values_with_origins(repo: Path, cli: Any) -> None:
    (repo / ".devcopilot.toml").write_text('[routes.docs]\nmodels = ["openai/gpt-4.1-mini"]\n')

    result = cli("config", "show", "--json")

    assert result.code == 0
    data = json.loads(result.stdout)
    values = {v["key"]: v for v in data["values"]}
    assert values["routes.docs.models"] == {
        "key": "routes.docs.models",
        "value": ["openai/gpt-4.1-mini"],
        "origin": str(repo / ".devcopilot.toml"),
    }
    assert values["routes.review.models"]["value"] == ["offline"]
    assert data["repo_root"] == str(repo)


def test_config_show_toml_round_trips_into_a_valid_file(repo: Path, cli: Any, tmp_path: Path) -> None:
    (repo / ".devcopilot.toml").write_text('[routes.docs]\nmodels = ["openai/gpt-4.1-mini"]\ntimeout_s = 9\n')
    shown = cli("config", "show", "--toml").stdout

    other = tmp_path / "other"
    other.mkdir()
    (other / ".git").mkdir()
    (other / ".devcopilot.toml").write_text(shown)

    assert load(other).route("docs").timeout_s == 9


# Property-based: whatever a config file holds, loading gives a config or a ConfigError, never a crash.
keys = st.sampled_from(
    [
        "routes",
        "models",
        "review",
        "default",
        "timeout_s",
        "models",
        "strategy",
        "weights",
        "cache",
        "x",
        "api_base",
    ]
) | st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)
scalars = (
    st.none() | st.booleans() | st.integers(-5, 5000) | st.floats(allow_nan=False) | st.text(max_size=12)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(keys, values, max_size=5))
def test_any_toml_document_loads_or_fails_cleanly(repo: Path, document: dict[str, Any]) -> None:
    try:
        text = tomli_w.dumps(_without_none(document))
    except (TypeError, ValueError):
        return
    (repo / ".devcopilot.toml").write_text(text)
    try:
        load(repo)
    except ConfigError as error:
        assert str(repo / ".devcopilot.toml") in str(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200))
def test_any_bytes_load_or_fail_cleanly(repo: Path, raw: bytes) -> None:
    (repo / ".devcopilot.toml").write_bytes(raw)
    try:
        load(repo)
    except ConfigError as error:
        assert ".devcopilot.toml" in str(error)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(string.ascii_uppercase + "_", min_size=1, max_size=20), value=st.text(max_size=20))
def test_any_environment_variable_loads_or_fails_cleanly(repo: Path, name: str, value: str) -> None:
    if "\x00" in value:
        return
    try:
        load(repo, env={f"DEVCOPILOT_{name}": value})
    except ConfigError as error:
        assert "env DEVCOPILOT_" in str(error)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value
