"""The review's model pass against a loopback model answering in 300 ms: concurrency and the cache.

30 changed files, a review route whose token budget makes chunks of two files,
and `concurrency` 4. The model pass is timed on its own and compared with the
ideal `ceil(chunks / concurrency) * 0.3 s`, after litellm's one-off start-up
(its import, and the setup its first async call does) has been paid by a
warm-up review of another repository in the same process; the cold figure is
printed too. A second identical review must be served from the response cache:
$0, and a model pass of at most 10% of the first.
Targets: model pass <= 1.5x the ideal; the cached pass <= 10% of it, at $0.

    python benchmarks/review_model.py
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

from benchmarks.router_overhead import loopback_server
from devcopilot.core.context import Context
from devcopilot.core.router.types import RunUsage
from devcopilot.core.verdicts import Verdicts
from devcopilot.jobs.registry import JOBS
from devcopilot.jobs.review.engine import ReviewOptions, review
from devcopilot.jobs.review.model_pass import run_model_pass

LATENCY_S = 0.3
FILES = 30
CONCURRENCY = 4


def make_repo(root: Path, server_url: str, flavour: str) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".devcopilot.toml").write_text(
        f"[review]\nconcurrency = {CONCURRENCY}\n"
        f'[routes.review]\nmodels = ["openai/bench"]\nmax_input_tokens = 2600\n'
        f'[models."openai/bench"]\napi_base = "{server_url}"\napi_key_env = "BENCH_KEY"\n'
    )
    (root / "pkg").mkdir()
    for index in range(FILES):
        body = "".join(
            f"def {flavour}_{index}_{n}(event):\n    return event.get('{n}')\n\n\n" for n in range(12)
        )
        (root / "pkg" / f"handlers_{index:02d}.py").write_text(body)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)


def model_pass(repo: Path) -> tuple[float, int, RunUsage]:
    """Seconds of the model pass alone (the offline engine runs first, untimed)."""
    context = Context.load(repo, jobs=JOBS)
    engine = review(repo, ReviewOptions(staged=True))
    router = context.router("review", job="review")
    started = time.perf_counter()
    outcome = run_model_pass(
        router,
        context.prompts,
        engine.files,
        engine.result.findings,
        Verdicts(),
        filter_="added",
        concurrency=CONCURRENCY,
    )
    return time.perf_counter() - started, outcome.details["chunks"], router.usage


def main() -> int:
    os.environ["BENCH_KEY"] = "sk-bench"
    answer = json.dumps({"findings": []})
    with (
        loopback_server("--answer", answer, "--delay", str(LATENCY_S)) as url,
        tempfile.TemporaryDirectory() as scratch,
    ):
        os.environ["DEVCOPILOT_HOME"] = str(Path(scratch) / "home")
        warm_up, measured = Path(scratch) / "warm-up", Path(scratch) / "measured"
        make_repo(warm_up, url, "warm")
        make_repo(measured, url, "handler")
        cold, _, _ = model_pass(warm_up)
        first, chunks, _ = model_pass(measured)
        second, _, cached = model_pass(measured)
    ideal = math.ceil(chunks / CONCURRENCY) * LATENCY_S
    latency_ms = LATENCY_S * 1000
    print(f"{FILES} files in {chunks} chunks, concurrency {CONCURRENCY}, {latency_ms:.0f} ms per answer")
    print(f"cold model pass (litellm's one-off start-up included) {cold:5.2f} s")
    print(f"model pass  {first:5.2f} s   ideal {ideal:.2f} s   ratio {first / ideal:.2f}x (target <= 1.5x)")
    print(
        f"cached pass {second:5.2f} s   {second / first * 100:5.1f}% of the first (target <= 10%)"
        f"   cost ${cached.cost_usd}   cache hits {cached.cache_hits}/{chunks}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
