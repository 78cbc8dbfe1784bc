"""External tools: a missing one is skipped with its reason, a failing one is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from devcopilot.core.tools import Tool, ToolFailedError


def test_a_missing_tool_says_so_instead_of_failing() -> None:
    assert Tool("nosuchlinter", executable="devcopilot-no-such-linter").unavailable_reason() == (
        "nosuchlinter is not installed"
    )
    assert Tool("nosuchmodule", module="devcopilot_no_such_module").unavailable_reason() is not None
    assert Tool("ruff", module="ruff").unavailable_reason() is None


def test_a_tool_that_reports_nothing_or_not_json_is_a_clear_error(tmp_path: Path) -> None:
    silent = Tool("sh", executable="sh")

    with pytest.raises(ToolFailedError, match="sh produced no report: boom"):
        silent.run(["-c", "echo boom >&2; exit 3"], tmp_path)
    with pytest.raises(ToolFailedError, match="not JSON: hello"):
        silent.run_json(["-c", "echo hello"], tmp_path)
    assert silent.run_json(["-c", "echo '[1, 2]'"], tmp_path) == [1, 2]


def test_a_tool_that_hangs_is_stopped_at_its_timeout(tmp_path: Path) -> None:
    with pytest.raises(ToolFailedError, match=r"did not finish in 0\.3 s"):
        Tool("sleep", executable="sleep", timeout_s=0.3).run(["5"], tmp_path)
