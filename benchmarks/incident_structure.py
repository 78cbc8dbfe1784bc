"""Reading logs in layouts nobody wrote down: grouping accuracy from raw lines, against Drain3, in one run.

Three parts, every figure scored against the corrected Loghub-2k ground truth
(GA and PA, benchmarks/loghub_metrics.py):

1. The Loghub-2k systems as they are, read from raw lines: devcopilot with its
   hand-written layouts as hints (as it ships) and with inference alone (the
   hints off); Drain3 (default settings) on the same raw lines, and on the
   ground truth's message column.
2. Inference alone is also the leave-one-system-out figure: its rules carry no
   parameter fitted to any system, so scoring a system with them is scoring it
   with rules made without it.
3. Unseen layouts: each system's messages written under headers generated from
   a seeded grammar of timestamp forms (ISO, syslog, epoch seconds and
   milliseconds, compact, month names, day first, no year, time only, in
   brackets or not) and header fields (labels, sequence ids, hosts, process
   and thread ids, levels in five styles, loggers, ``component:``, bracketed
   request ids, `` - `` and ``|`` separators) in random order. Seeds 0-9 were
   used while tuning; seeds 100-109 were held back and are reported apart.

Targets (issue): mean GA >= 0.90 with no system under 0.75 and mean PA >= 0.60
on layouts it never saw; the given systems not below 0.949.

    python benchmarks/incident_structure.py [--data ../shared/data/loghub-2k] [--seeds dev|held-back|all]
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.incident_templates import DEFAULT_DATA, ground_truth
from benchmarks.loghub_metrics import Scores, score
from devcopilot.jobs.incident import structure
from devcopilot.jobs.incident.mining import mine_sources
from devcopilot.jobs.incident.reader import open_source

DEV_SEEDS = tuple(range(10))
HELD_BACK_SEEDS = tuple(range(100, 110))
TARGET_GA, TARGET_MIN_GA, TARGET_PA, GIVEN_FLOOR = 0.90, 0.75, 0.60, 0.949


def devcopilot(path: Path, truth: list[str], *, hints: bool = True) -> Scores:
    structure.HINTS = hints
    try:
        source = open_source(str(path))
        try:
            result = mine_sources([source], default_year=2024, per_line=True)
        finally:
            source.close()
    finally:
        structure.HINTS = True
    assert result.line_keys is not None
    ids: list[object] = []
    texts: list[str] = []
    for _, assigned in result.line_keys:
        for index in assigned:
            found = result.key_template.get(index - 1) if index else None
            ids.append(found.id if found else None)
            texts.append(found.text if found else "")
    if len(ids) != len(truth):
        raise SystemExit(f"{path.name}: {len(ids)} lines mapped, the ground truth has {len(truth)}")
    return score(truth, ids, texts)


def drain3(messages: list[str], truth: list[str]) -> Scores:
    from drain3 import TemplateMiner

    logging.disable(logging.CRITICAL)
    miner = TemplateMiner()
    ids = [miner.add_log_message(message)["cluster_id"] for message in messages]
    templates = {cluster.cluster_id: cluster.get_template() for cluster in miner.drain.clusters}
    return score(truth, ids, [templates[i] for i in ids])


# --- a grammar of headers ------------------------------------------------------------------------

Stamp = Callable[[datetime], str]
STAMPS: tuple[Stamp, ...] = (
    lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
    lambda t: t.strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}",
    lambda t: t.strftime("%Y/%m/%d %H:%M:%S"),
    lambda t: t.strftime("%d.%m.%Y %H:%M:%S"),
    lambda t: t.strftime("%m/%d/%Y %I:%M:%S").replace(" 0", " "),
    lambda t: t.strftime("%b ") + f"{t.day:>2} " + t.strftime("%H:%M:%S"),
    lambda t: t.strftime("%d/%b/%Y:%H:%M:%S +0000"),
    lambda t: t.strftime("%a %b %d %H:%M:%S %Y"),
    lambda t: t.strftime("%Y%m%d-%H:%M:%S:") + f"{t.microsecond // 1000}",
    lambda t: t.strftime("%y%m%d %H%M%S"),
    lambda t: str(int(t.timestamp())),
    lambda t: str(int(t.timestamp() * 1000)),
    lambda t: t.strftime("%Y-%m-%d-%H.%M.%S.%f"),
    lambda t: t.strftime("%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}",
    lambda t: t.strftime("%d-%b-%Y %H:%M:%S.%f")[:-3],
    lambda t: t.strftime("%H:%M:%S.%f"),
    lambda t: t.strftime("%Y.%m.%d %H:%M:%S"),
    lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f") + "+02:00",
)
LEVEL_STYLES: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.lower,
    lambda level: f"[{level.upper()}]",
    lambda level: level[0].upper(),
    lambda level: f"<{level.lower()}>",
    str.capitalize,
)
HOSTS = ("node-12", "ip-10-0-3-7", "web01", "db-primary", "worker-3.internal")
LOGGERS = ("org.example.Service", "app.http.server", "kernel", "sched", "AuthManager", "io.netty.Pool")
THREADS = ("[main]", "[pool-1-thread-3]", "[http-nio-8080-exec-7]", "[Worker 2]")


def header_maker(rng: random.Random) -> tuple[Callable[[datetime, str, random.Random], str], str]:
    """A random header layout: a function writing one line's header, and its description."""
    stamp = rng.choice(STAMPS)
    bracket_stamp = rng.random() < 0.3
    delimited = rng.random() < 0.15
    before = rng.sample(["label", "seq", "host"], k=rng.choice([0, 0, 0, 1, 2]))
    after_pool = ["pid", "pid2", "level", "host", "logger", "thread", "request"]
    after = rng.sample(after_pool, k=rng.randint(1, 4))
    if "level" not in after and rng.random() < 0.6:
        after.insert(rng.randrange(len(after) + 1), "level")
    ending = rng.choice(["colon", "dash", "plain", "plain"]) if not delimited else "plain"
    level_style = rng.choice(LEVEL_STYLES)

    def field(kind: str, level: str, line_rng: random.Random) -> str:
        if kind == "label":
            return "-"
        if kind == "seq":
            return str(line_rng.randrange(10_000, 999_999))
        if kind == "host":
            return line_rng.choice(HOSTS)
        if kind == "pid":
            return str(line_rng.choice((812, 1702, 24200, 3)))
        if kind == "pid2":
            return f"{line_rng.choice((812, 1702))} {line_rng.choice((5, 2395, 17))}"
        if kind == "level":
            return level_style(level)
        if kind == "logger":
            return line_rng.choice(LOGGERS)
        if kind == "thread":
            return line_rng.choice(THREADS)
        return f"[req-{line_rng.getrandbits(64):016x} - -]"

    def write(moment: datetime, level: str, line_rng: random.Random) -> str:
        text = stamp(moment)
        text = f"[{text}]" if bracket_stamp else text
        fields = (
            [field(k, level, line_rng) for k in before] + [text] + [field(k, level, line_rng) for k in after]
        )
        if delimited:
            return "|".join(fields) + "|"
        if ending == "colon":
            component = line_rng.choice(LOGGERS)
            if line_rng.random() < 0.5:
                component += f"[{line_rng.choice((812, 1702, 24200))}]"
            fields.append(component + ":")
        elif ending == "dash":
            fields.append("-")
        return " ".join(fields) + " "

    description = " ".join(
        [*before, "[ts]" if bracket_stamp else "ts", *after, ending, "delimited" if delimited else ""]
    ).strip()
    return write, description


def _ms(t: datetime) -> str:
    return f"{t.microsecond // 1000:03d}"


Header = Callable[[datetime, str, random.Random], str]
SOFTWARE: dict[str, Header] = {
    # Written before their first run and never tuned on: the headers of other software's logs.
    "go log": lambda t, level, r: t.strftime("%Y/%m/%d %H:%M:%S "),
    "rails": lambda t, level, r: (
        f"{level[0].upper()}, [{t.strftime('%Y-%m-%dT%H:%M:%S.%f')} #{r.choice((4012, 4013))}]  "
        f"{level.upper():>5} -- : "
    ),
    "postgres": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%d %H:%M:%S')}.{_ms(t)} UTC [{r.choice((812, 1702, 3011))}] "
        f"{ {'info': 'LOG', 'warn': 'WARNING', 'error': 'ERROR', 'debug': 'DEBUG'}[level] }:  "
    ),
    "mysql": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z {r.choice((0, 8, 12))} [{level.capitalize()}] "
        f"[MY-0{r.choice((10068, 13360, 11323))}] [Server] "
    ),
    "redis": lambda t, level, r: (
        f"{r.choice((1, 4711))}:{r.choice('MSC')} {t.strftime('%d %b %Y %H:%M:%S')}.{_ms(t)} "
        f"{ {'info': '*', 'warn': '#', 'error': '#', 'debug': '.'}[level] } "
    ),
    "kafka": lambda t, level, r: f"[{t.strftime('%Y-%m-%d %H:%M:%S')},{_ms(t)}] {level.upper()} ",
    "elasticsearch": lambda t, level, r: (
        f"[{t.strftime('%Y-%m-%dT%H:%M:%S')},{_ms(t)}][{level.upper():<5}][{r.choice(('o.e.n.Node', 'o.e.c.s.MasterService')):<25}] "
        f"[node-{r.choice((1, 2))}] "
    ),
    "mongodb": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{_ms(t)}+0000 {level[0].upper()} "
        f"{r.choice(('NETWORK', 'STORAGE', 'COMMAND')):<8} [conn{r.randrange(1, 400)}] "
    ),
    "cassandra": lambda t, level, r: (
        f"{level.upper():<5} [{r.choice(('main', 'CompactionExecutor:3'))}] {t.strftime('%Y-%m-%d %H:%M:%S')},{_ms(t)} "
        f"{r.choice(('CassandraDaemon.java', 'StorageService.java'))}:{r.randrange(80, 900)} - "
    ),
    "jenkins": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%d %H:%M:%S')}.{_ms(t)}+0000 [id={r.randrange(1, 90)}]\t{level.upper()}\t"
        f"{r.choice(('hudson.WebAppMain#contextInitialized', 'jenkins.InitReactorRunner$1#onAttained'))}: "
    ),
    "celery": lambda t, level, r: (
        f"[{t.strftime('%Y-%m-%d %H:%M:%S')},{_ms(t)}: {level.upper()}/{r.choice(('MainProcess', 'ForkPoolWorker-2'))}] "
    ),
    "rabbitmq": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')}+00:00 [{level}] <0.{r.randrange(100, 999)}.0> "
    ),
}

SOFTWARE_LATER: dict[str, Header] = {
    # A second held-back set, written after the first was used for tuning, before its own first run.
    "cri": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S.%f')}123Z {r.choice(('stdout', 'stderr'))} F "
    ),
    "rfc5424": lambda t, level, r: (
        f"<{r.choice((34, 165, 13))}>1 {t.strftime('%Y-%m-%dT%H:%M:%S')}.{_ms(t)}Z {r.choice(HOSTS)} "
        f"{r.choice(('su', 'app', 'evntslog'))} {r.choice((1234, 77))} ID{r.randrange(10, 60)} - "
    ),
    "hclog": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}.{_ms(t)}Z [{level.upper()}]  {r.choice(('agent', 'nomad.client', 'raft'))}: "
    ),
    "journal": lambda t, level, r: (
        f"{t.strftime('%Y-%m-%dT%H:%M:%S')}+0000 {r.choice(HOSTS)} {r.choice(('sshd', 'systemd', 'cron'))}[{r.choice((1, 812, 4711))}]: "
    ),
    "log4j-time": lambda t, level, r: (
        f"{t.strftime('%H:%M:%S')}.{_ms(t)} [{r.choice(('main', 'pool-2-thread-1'))}] {level.upper():<5} "
        f"{r.choice(('Foo', 'BarService', 'Cache'))} - "
    ),
    "envoy": lambda t, level, r: (
        f"[{t.strftime('%Y-%m-%d %H:%M:%S')}.{_ms(t)}][{r.choice((12, 13))}][{level}][{r.choice(('upstream', 'main', 'config'))}] "
        f"[source/common/{r.choice(('upstream/cluster_manager_impl.cc', 'config/grpc_stream.h'))}:{r.randrange(50, 900)}] "
    ),
    "gunicorn": lambda t, level, r: (
        f"[{t.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{r.choice((7, 8, 9))}] [{level.upper()}] "
    ),
    "pino-pretty": lambda t, level, r: (
        f"[{t.strftime('%H:%M:%S')}.{_ms(t)}] {level.upper()} ({r.choice((41, 42))} on {r.choice(HOSTS)}): "
    ),
    "tomcat": lambda t, level, r: (
        f"{t.strftime('%d-%b-%Y %H:%M:%S')}.{_ms(t)} {level.upper()} [{r.choice(('main', 'http-nio-8080-exec-1'))}] "
    ),
    "squid-like": lambda t, level, r: (
        f"{t.timestamp():.3f} {r.randrange(1, 900):>6} {r.choice(('10.0.0.1', '10.0.0.7'))} "
    ),
}


def reheadered(
    rows: list[dict[str, str]], seed: int, folder: Path, software: str | None = None
) -> tuple[Path, str]:
    rng = random.Random(seed)
    if software is None:
        write, description = header_maker(rng)
    else:
        write, description = {**SOFTWARE, **SOFTWARE_LATER}[software], software
    start = datetime(2024, 3, 5, 1, 2, 3, tzinfo=UTC)
    path = folder / f"log-{seed}.log"
    with path.open("w", encoding="utf-8") as out:
        for index, row in enumerate(rows):
            moment = start + timedelta(milliseconds=index * 1370 + rng.randrange(1000))
            level = (row.get("Level") or rng.choice(["info"] * 8 + ["warn", "error"])).lower()
            level = {"notice": "info", "warning": "warn", "fatal": "error", "err": "error"}.get(level, level)
            if level not in ("info", "warn", "error", "debug"):
                level = "info"
            out.write(write(moment, level, rng) + row["Content"] + "\n")
    return path, description


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", choices=("dev", "held-back", "all"), default="all")
    args = parser.parse_args()
    systems = sorted(p.name for p in args.data.iterdir() if (p / f"{p.name}_2k.log").is_file())
    if not systems:
        raise SystemExit(f"no Loghub-2k systems under {args.data}")
    print("1-2. the systems as they are, raw lines (inference alone = leave-one-system-out)")
    print(f"{'system':<10} {'hints GA/PA':>12} {'inferred':>12} {'drain3 raw':>12} {'drain3 msg':>12}")
    shipped, alone = [], []
    for system in systems:
        rows = ground_truth(args.data, system)
        truth = [row["EventTemplate"] for row in rows]
        log = args.data / system / f"{system}_2k.log"
        raw = log.read_text(encoding="utf-8", errors="replace").splitlines()
        figures = [
            devcopilot(log, truth),
            devcopilot(log, truth, hints=False),
            drain3(raw, truth),
            drain3([row["Content"] for row in rows], truth),
        ]
        shipped.append(figures[0])
        alone.append(figures[1])
        print(f"{system:<10} " + " ".join(f"{f.ga:6.3f}/{f.pa:5.3f}" for f in figures))
    print(
        f"mean GA: with hints {statistics.fmean(s.ga for s in shipped):.3f} (floor {GIVEN_FLOOR}), "
        f"inference alone {statistics.fmean(s.ga for s in alone):.3f}"
    )
    groups = {"dev": DEV_SEEDS, "held-back": HELD_BACK_SEEDS}
    chosen = groups if args.seeds == "all" else {args.seeds: groups[args.seeds]}
    ok = statistics.fmean(s.ga for s in shipped) >= GIVEN_FLOOR
    with tempfile.TemporaryDirectory(prefix="devcopilot-structure-") as scratch:
        for name, seeds in chosen.items():
            ok = _unseen(args.data, systems, name, seeds, Path(scratch)) and ok
        if args.seeds in ("held-back", "all"):
            ok = _software(args.data, systems, Path(scratch), SOFTWARE, "4. headers of other software") and ok
            ok = _software(args.data, systems, Path(scratch), SOFTWARE_LATER, "5. a second such set") and ok
    return 0 if ok else 1


def _software(data: Path, systems: list[str], folder: Path, layouts: dict[str, Header], title: str) -> bool:
    """Each system's messages under the headers of other software, held back like the seeds."""
    print(f"\n{title} (held back): GA/PA per system, mean over the layouts")
    print(f"{'layout':<14} " + " ".join(f"{system[:9]:>11}" for system in systems) + f" {'mean':>11}")
    rows_of = {system: ground_truth(data, system) for system in systems}
    per_system: dict[str, list[Scores]] = {system: [] for system in systems}
    for software in layouts:
        line = []
        for system in systems:
            rows = rows_of[system]
            path, _ = reheadered(rows, systems.index(system), folder, software)
            scored = devcopilot(path, [row["EventTemplate"] for row in rows])
            per_system[system].append(scored)
            line.append(scored)
        mean_ga, mean_pa = statistics.fmean(s.ga for s in line), statistics.fmean(s.pa for s in line)
        print(
            f"{software:<14} "
            + " ".join(f"{s.ga:5.3f}/{s.pa:5.3f}" for s in line)
            + f" {mean_ga:5.3f}/{mean_pa:5.3f}"
        )
    ga = [statistics.fmean(s.ga for s in scores) for scores in per_system.values()]
    pa = [statistics.fmean(s.pa for s in scores) for scores in per_system.values()]
    print(
        f"software: mean GA {statistics.fmean(ga):.3f} (target >= {TARGET_GA}), lowest system {min(ga):.3f} "
        f"(>= {TARGET_MIN_GA}), mean PA {statistics.fmean(pa):.3f} (>= {TARGET_PA})"
    )
    return (
        statistics.fmean(ga) >= TARGET_GA and min(ga) >= TARGET_MIN_GA and statistics.fmean(pa) >= TARGET_PA
    )


def _unseen(data: Path, systems: list[str], name: str, seeds: tuple[int, ...], folder: Path) -> bool:
    print(f"\n3. unseen layouts, {name} seeds {seeds[0]}-{seeds[-1]}: mean over seeds per system")
    print(f"{'system':<10} {'devcopilot GA/PA':>17} {'drain3 raw':>12} {'drain3 msg':>12} {'worst seed':>18}")
    ours_ga, ours_pa = [], []
    for system in systems:
        rows = ground_truth(data, system)
        truth = [row["EventTemplate"] for row in rows]
        ours, raw, message = [], [], []
        worst: tuple[float, str] = (2.0, "")
        for seed in seeds:
            path, description = reheadered(rows, seed * 1000 + systems.index(system), folder)
            scored = devcopilot(path, truth)
            ours.append(scored)
            raw.append(drain3(path.read_text(encoding="utf-8").splitlines(), truth))
            worst = min(worst, (scored.ga, description))
        message.append(drain3([row["Content"] for row in rows], truth))
        ga, pa = statistics.fmean(s.ga for s in ours), statistics.fmean(s.pa for s in ours)
        ours_ga.append(ga)
        ours_pa.append(pa)
        raw_ga, raw_pa = statistics.fmean(s.ga for s in raw), statistics.fmean(s.pa for s in raw)
        print(
            f"{system:<10} {ga:10.3f}/{pa:5.3f} {raw_ga:6.3f}/{raw_pa:5.3f} "
            f"{message[0].ga:6.3f}/{message[0].pa:5.3f} {worst[0]:6.3f} ({worst[1]})"
        )
    mean_ga, mean_pa = statistics.fmean(ours_ga), statistics.fmean(ours_pa)
    print(
        f"{name}: mean GA {mean_ga:.3f} (target >= {TARGET_GA}), lowest system {min(ours_ga):.3f} "
        f"(>= {TARGET_MIN_GA}), mean PA {mean_pa:.3f} (>= {TARGET_PA})"
    )
    return mean_ga >= TARGET_GA and min(ours_ga) >= TARGET_MIN_GA and mean_pa >= TARGET_PA


if __name__ == "__main__":
    raise SystemExit(main())
