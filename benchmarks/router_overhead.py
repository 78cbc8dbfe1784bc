"""What the router adds to a model call: ordering, redaction, cache lookup, parsing, provenance.

200 calls to the loopback OpenAI-compatible server answering instantly, through
`ModelRouter.complete` and through plain `litellm.completion` with the same
parameters, alternated in blocks of 10 in one run so machine noise hits both;
the figures per path are medians over blocks of (block wall time / calls) and
of (process CPU time / calls); the overhead judged against the target is the
median of the paired per-block ratios.
Each router call has a new prompt (a cache miss that is then stored) and writes
its provenance record. The server runs in a process of its own, as a real model
server would, so its threads never compete with the caller's. Streaming and
plain modes are measured separately.
Target: router overhead per call <= 10%.

    python benchmarks/router_overhead.py [--calls 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"


from devcopilot.core.context import Context
from devcopilot.core.prompts import RenderedPrompt
from devcopilot.core.router.litellm_backend import litellm_module
from devcopilot.jobs.registry import JOBS

TARGET = 0.10
BLOCK = 10
SETTLE_S = 0.1


@dataclass(frozen=True)
class Figures:
    plain_wall: float
    router_wall: float
    plain_cpu: float
    router_cpu: float
    paired_overhead: float
    """Median over blocks of (router block / the plain block next to it) - 1: drift on a shared
    machine moves both blocks of a pair alike, so this is the steadiest of the figures."""


def prompt(index: int, mode: str) -> RenderedPrompt:
    return RenderedPrompt(
        id="bench/overhead",
        version="1.0.0",
        template_sha256="0" * 64,
        rendered_sha256=f"{index:064d}",
        messages=(
            {"role": "system", "content": "You are a benchmark."},
            {"role": "user", "content": f"Request number {index} ({mode}): answer ok."},
        ),
        output=None,
    )


def measure(calls: int, stream: bool, server_url: str, repo: Path) -> Figures:
    (repo / ".devcopilot.toml").write_text(
        f'[routes.default]\nmodels = ["openai/bench"]\nstream = {str(stream).lower()}\n'
        f'[models."openai/bench"]\napi_base = "{server_url}"\napi_key_env = "BENCH_KEY"\n'
    )
    context = Context.load(repo, jobs=JOBS)
    job = "bench-stream" if stream else "bench-plain"  # distinct prompts per mode: no cache hits across modes
    router = context.router("default", job=job)
    litellm = litellm_module()
    plain_params = {
        "api_base": server_url,
        "api_key": "sk-bench",
        "temperature": 0.0,
        "timeout": 60.0,
        "num_retries": 0,
        "max_retries": 0,
        "drop_params": True,
    }
    if stream:
        plain_params |= {"stream": True, "stream_options": {"include_usage": True}}

    def plain(index: int) -> None:
        response = litellm.completion(
            model="openai/bench", messages=list(prompt(index, job).messages), **plain_params
        )
        if stream:
            for _ in response:
                pass

    for index in range(20):  # warm both paths: client pools, imports, price map
        plain(-index - 1)
        router.complete(prompt(-index - 1, job))
    wall: dict[str, list[float]] = {"plain": [], "router": []}
    cpu: dict[str, list[float]] = {"plain": [], "router": []}
    paths = {"plain": plain, "router": lambda index: router.complete(prompt(index, job))}
    # Alternate in blocks, with a pause between them. litellm finishes some of each call's work on a
    # background thread, so a path is timed over a whole block: each pays for its own deferred work.
    for block_start in range(0, calls, BLOCK):
        indexes = range(block_start, min(calls, block_start + BLOCK))
        for name, run in paths.items():
            wall_start, cpu_start = time.perf_counter(), time.process_time()
            for index in indexes:
                run(index)
            wall[name].append((time.perf_counter() - wall_start) / len(indexes))
            cpu[name].append((time.process_time() - cpu_start) / len(indexes))
            time.sleep(SETTLE_S)
    records = sum(1 for r in context.provenance.read() if r.get("job") == job)
    assert records == calls + 20, f"every router call leaves a provenance record ({records})"
    median = statistics.median
    paired = median(r / p - 1 for p, r in zip(wall["plain"], wall["router"], strict=True))
    return Figures(
        median(wall["plain"]), median(wall["router"]), median(cpu["plain"]), median(cpu["router"]), paired
    )


@contextmanager
def loopback_server(*options: str) -> Iterator[str]:
    """The test suite's OpenAI-compatible server, in its own process like any real model server."""
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_openai", *options],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    os.environ["BENCH_KEY"] = "sk-bench"
    worst = 0.0
    with loopback_server() as server_url, tempfile.TemporaryDirectory() as scratch:
        os.environ["DEVCOPILOT_HOME"] = str(Path(scratch) / "home")
        repo = Path(scratch) / "repo"
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        print(
            f"{args.calls} calls per path, alternated in blocks of {BLOCK}; loopback server answers at once"
        )
        for stream in (True, False):
            figures = measure(args.calls, stream, server_url, repo)
            overhead = figures.paired_overhead
            cpu_overhead = figures.router_cpu / figures.plain_cpu - 1
            worst = max(worst, overhead)
            mode = "stream" if stream else "plain "
            print(
                f"{mode}: wall litellm {figures.plain_wall * 1000:6.2f} ms/call,"
                f" router {figures.router_wall * 1000:6.2f} (paired {overhead * 100:+5.1f}%)"
                f" | cpu litellm {figures.plain_cpu * 1000:6.2f} ms/call,"
                f" router {figures.router_cpu * 1000:6.2f} ({cpu_overhead * 100:+5.1f}%)"
            )
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"worst overhead {worst * 100:.1f}%: {verdict} the target of <= {TARGET * 100:.0f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
