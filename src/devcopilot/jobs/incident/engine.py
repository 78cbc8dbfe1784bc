"""``devcopilot incident explain``: from gathered events (and a repository) to ranked, evidenced hypotheses.

The signals (first error, error bursts, templates new after the baseline, rate
spikes and drops, exception groups), the commits before the onset ranked
against them, the hypotheses and next checks. ``gather`` reads the logs first.
Everything shown passes redaction first.
"""

from __future__ import annotations

import hashlib
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from devcopilot.core.injection import LEARNED, find_injection
from devcopilot.jobs.incident.checks import quote
from devcopilot.jobs.incident.correlate import Commit, commits_before, rank
from devcopilot.jobs.incident.events import ERROR_LEVELS
from devcopilot.jobs.incident.gather import WARNING_LEVELS, Gathered, TraceGroup, clean
from devcopilot.jobs.incident.miner import Template
from devcopilot.jobs.incident.mining import KeyStats, template_stats
from devcopilot.jobs.incident.report import (
    CommitRef,
    Evidence,
    Hypothesis,
    IncidentReport,
    TimelineEntry,
)

BASELINE_SHARE = 0.25
"""The first quarter of the log's time span is its baseline."""
MIN_BURST = 5
SPIKE_FACTOR = 5.0
MAX_HYPOTHESES = 5
MAX_INJECTION_NOTES = 5


@dataclass
class Signals:
    templates: list[Template[KeyStats]]
    by_key: dict[int, Template[KeyStats]]
    stats: dict[int, KeyStats]
    baseline_end: datetime | None
    new_templates: list[Template[KeyStats]]
    spikes: list[Template[KeyStats]]
    drops: list[Template[KeyStats]]
    bursts: list[tuple[datetime, int]]
    onset: datetime | None


def analyze(gathered: Gathered) -> Signals:
    templates = gathered.miner.templates()
    by_key = gathered.miner.template_by_key(templates)
    stats = {template.id: template_stats(template) for template in templates}
    first, last = gathered.first_event, gathered.last_event
    baseline_end = first + (last - first) * BASELINE_SHARE if first and last and last > first else None
    timeline = gathered.timeline
    new: list[Template[KeyStats]] = []
    spikes: list[Template[KeyStats]] = []
    drops: list[Template[KeyStats]] = []
    if baseline_end is not None and timeline.origin is not None:
        cut = int((baseline_end - timeline.origin).total_seconds() // timeline.width_s)
        base_bins = max(cut - timeline.low + 1, 1)
        rest_bins = max(timeline.high - cut, 1)
        for template in templates:
            st = stats[template.id]
            before = sum(c for i, c in st.bins.items() if i <= cut)
            after = sum(c for i, c in st.bins.items() if i > cut)
            if before == 0 and after and _is_bad(st):
                new.append(template)
            elif before and after >= 10 and after / rest_bins >= SPIKE_FACTOR * before / base_bins:
                spikes.append(template)
            elif before >= 10 and after == 0:
                drops.append(template)
    counts = [timeline.errors.get(i, 0) for i in range(timeline.low, timeline.high + 1)]
    bursts: list[tuple[datetime, int]] = []
    if counts and timeline.origin is not None:
        mean = statistics.fmean(counts)
        spread = statistics.pstdev(counts)
        limit = max(MIN_BURST, mean + 3 * spread) if len(counts) > 3 else MIN_BURST
        bursts = [
            (timeline.start_of(i), c)
            for i, c in zip(range(timeline.low, timeline.high + 1), counts, strict=True)
            if c >= limit
        ]
    candidates = [when for when, _ in bursts[:1]]
    candidates += [stamp for t in new if (stamp := stats[t.id].first_ts) is not None]
    if gathered.first_error is not None and gathered.first_error.timestamp is not None:
        candidates.append(gathered.first_error.timestamp)
    onset = min(candidates) if candidates else None
    return Signals(templates, by_key, stats, baseline_end, new, spikes, drops, bursts, onset)


def _is_bad(stats: KeyStats) -> bool:
    return any(level in ERROR_LEVELS or level in WARNING_LEVELS for level in stats.levels)


def evidence_of(template: Template[KeyStats], stats: KeyStats) -> Evidence:
    source, line, _ = stats.samples[0]
    return Evidence(
        ref=f"{source}:{line}",
        template_id=template.label,
        template=clean(template.text),
        count=template.count,
        hosts=stats.hosts,
    )


def _commit_ref(commit: Commit) -> CommitRef:
    return CommitRef(
        sha=commit.sha,
        subject=clean(commit.subject),
        author=clean(commit.author),
        date=commit.when.isoformat(timespec="seconds"),
        files=commit.files[:20],
        score=round(commit.score, 3),
        reasons=commit.reasons,
    )


@dataclass
class Analysis:
    report: IncidentReport
    fingerprint: set[str]
    signals: Signals
    gathered: Gathered
    ranked: list[Commit]
    trace_groups: list[TraceGroup]


def explain(gathered: Gathered, *, repo: Path | None, notes: list[str], sources: dict[str, str]) -> Analysis:
    signals = analyze(gathered)
    stats = signals.stats
    groups = sorted(gathered.trace_groups.values(), key=lambda g: (-g.count, g.first.line))
    frame_files = {f.repo_path for g in groups for f in g.trace.frames if f.repo_path}
    anomalous = _anomalous(signals, gathered)
    components = _components(gathered, anomalous)
    ranked: list[Commit] = []
    commit_note = None
    if repo is not None:
        commits = commits_before(repo, signals.onset)
        ranked = rank(
            repo,
            commits,
            frame_files=frame_files,
            components=components,
            anomalous_text="\n".join(t.text for t in anomalous),
            onset=signals.onset,
        )
        if not commits:
            commit_note = "the repository has no commits in the 7 days before the onset"
    hypotheses = _hypotheses(groups, signals, ranked, gathered)
    fingerprint = {clean(t.text) for t in anomalous}
    onset = signals.onset
    incident_id = (
        "inc-" + hashlib.sha256(("\n".join(sorted(fingerprint)) + str(onset)).encode()).hexdigest()[:10]
    )
    summary = _summary(gathered, signals, groups, hypotheses)
    impact_end = max((ts for t in anomalous if (ts := stats[t.id].last_ts) is not None), default=None)
    questions = list(notes)
    if repo is None:
        questions.append("no repository was given (--repo): recent changes were not correlated")
    elif commit_note:
        questions.append(commit_note)
    elif not ranked and (groups or anomalous):
        questions.append("no recent commit touches the files, components or config keys in the errors")
    if gathered.first_error is not None and not groups:
        questions.append("the errors carry no stack trace: which code path logs them?")
    if gathered.out_of_order:
        questions.append(
            f"{gathered.out_of_order} events were out of time order; the timeline is sorted by time"
        )
    questions += _aimed_at_models(signals)
    report = IncidentReport(
        id=incident_id,
        summary=summary,
        impact_start=onset.isoformat() if onset else None,
        impact_end=impact_end.isoformat() if impact_end else None,
        detection=_detection(gathered, signals),
        errors=gathered.errors,
        warnings=gathered.warnings,
        timeline=_timeline(gathered, signals, anomalous),
        hypotheses=hypotheses,
        next_checks=_next_checks(hypotheses, anomalous, signals, groups),
        open_questions=questions,
        similar=[],
        sources=sources,
        lines=0,
        events=gathered.events,
        templates=len(signals.templates),
    )
    return Analysis(report, fingerprint, signals, gathered, ranked, groups)


def _aimed_at_models(signals: Signals) -> list[str]:
    """Log lines written to steer an AI assistant: said in the report, passed to a model only as data."""
    found = []
    for template in signals.templates:
        source, line, message = signals.stats[template.id].samples[0]
        aimed = find_injection(message)
        if aimed is not None:
            how = "reads like text" if aimed.family == LEARNED else "holds text"
            found.append(
                f"{source}:{line} {how} aimed at an AI assistant ({aimed.family}): "
                "it is treated as data and cannot steer this report; who wrote it there?"
            )
        if len(found) == MAX_INJECTION_NOTES:
            break
    return found


def _anomalous(signals: Signals, gathered: Gathered) -> list[Template[KeyStats]]:
    """Templates that say something is wrong: new after the baseline, spiking, or at error level."""
    seen: dict[int, Template[KeyStats]] = {}
    for template in [*signals.new_templates, *signals.spikes]:
        seen[template.id] = template
    bad_levels = ERROR_LEVELS if gathered.errors else ERROR_LEVELS | WARNING_LEVELS
    for template in signals.templates:
        levels = signals.stats[template.id].levels
        if any(level in bad_levels for level in levels):
            seen[template.id] = template
    return sorted(
        seen.values(), key=lambda t: (signals.stats[t.id].first_ts or datetime.max.replace(tzinfo=UTC), t.id)
    )


def _components(gathered: Gathered, anomalous: list[Template[KeyStats]]) -> set[str]:
    words = set()
    for group in gathered.trace_groups.values():
        if group.first.component:
            words.add(group.first.component)
    for template in anomalous:
        words.add(template.text)
    return words


def _hypotheses(
    groups: list[TraceGroup],
    signals: Signals,
    ranked: list[Commit],
    gathered: Gathered,
) -> list[Hypothesis]:
    hypotheses: list[Hypothesis] = []
    used: set[str] = set()
    for group in groups[:3]:
        files = {f.repo_path for f in group.trace.frames if f.repo_path}
        commits = [c for c in ranked if files & set(c.files)][:3]
        template = signals.by_key[group.key_index]
        evidence = [
            Evidence(
                ref=group.first.ref,
                template_id=template.label,
                template=clean(template.text),
                count=group.count,
            )
        ]
        where = f" at {group.top}" if group.top else ""
        confidence = "high" if commits else "medium"
        hypotheses.append(
            Hypothesis(
                title=f"{group.exception}{where} ({group.count} time{'s' if group.count != 1 else ''})",
                confidence=confidence,
                explanation=clean(" | ".join(line.strip() for line in group.lines[-3:])),
                evidence=evidence,
                commits=[_commit_ref(c) for c in commits],
            )
        )
        used.add(template.label)
    for template in [*signals.new_templates, *signals.spikes]:
        if template.label in used or len(hypotheses) >= MAX_HYPOTHESES:
            continue
        used.add(template.label)
        st = signals.stats[template.id]
        kind = "new after the baseline" if template in signals.new_templates else "spiking"
        commits = [c for c in ranked if any("config" in r or "component" in r for r in c.reasons)][:2]
        hypotheses.append(
            Hypothesis(
                title=f"{'errors' if _is_bad(st) else 'messages'} {kind}: {clean(template.text)[:120]}",
                confidence="medium" if commits else "low",
                evidence=[evidence_of(template, st)],
                commits=[_commit_ref(c) for c in commits],
            )
        )
    if not hypotheses and gathered.first_error is not None:
        fallback = next(
            (
                t
                for t in signals.templates
                if t.label not in used and any(level in ERROR_LEVELS for level in signals.stats[t.id].levels)
            ),
            None,
        )
        if fallback is not None:
            hypotheses.append(
                Hypothesis(
                    title=f"errors: {clean(fallback.text)[:120]}",
                    confidence="low",
                    evidence=[evidence_of(fallback, signals.stats[fallback.id])],
                    commits=[_commit_ref(c) for c in ranked[:2]],
                )
            )
    return hypotheses[:MAX_HYPOTHESES]


def _summary(
    gathered: Gathered, signals: Signals, groups: list[TraceGroup], hypotheses: list[Hypothesis]
) -> str:
    if gathered.events == 0:
        return "no events in the input"
    if not hypotheses:
        return f"nothing stands out in {gathered.events} events: no errors, bursts or new error templates"
    lead = hypotheses[0]
    commits = (
        f"; the most likely change is {lead.commits[0].sha[:12]} ({lead.commits[0].subject})"
        if lead.commits
        else ""
    )
    return f"{gathered.errors} errors; most likely: {lead.title}{commits}"


def _detection(gathered: Gathered, signals: Signals) -> str:
    parts = []
    if gathered.first_error is not None:
        parts.append(f"first error at {gathered.first_error.ref}")
    if signals.bursts:
        when, count = signals.bursts[0]
        parts.append(f"error burst of {count} at {when.isoformat()}")
    if signals.new_templates:
        parts.append(f"{len(signals.new_templates)} warning or error templates new after the baseline")
    if signals.spikes:
        parts.append(f"{len(signals.spikes)} templates spiking")
    if signals.drops:
        parts.append(f"{len(signals.drops)} templates stopped")
    return "; ".join(parts) or "no signal"


def _timeline(
    gathered: Gathered, signals: Signals, anomalous: list[Template[KeyStats]]
) -> list[TimelineEntry]:
    entries: list[tuple[datetime | None, str, str]] = []
    for template in anomalous[:12]:
        st = signals.stats[template.id]
        source, line, _ = st.samples[0]
        entries.append(
            (st.first_ts, f"{source}:{line}", f"first {template.label}: {clean(template.text)[:100]}")
        )
    for when, count in signals.bursts[:3]:
        entries.append((when, "-", f"error burst: {count} errors in the bin"))
    for template in signals.drops[:3]:
        st = signals.stats[template.id]
        source, line, _ = st.samples[-1]
        entries.append(
            (
                st.last_ts,
                f"{source}:{line}",
                f"last {template.label} before it stopped: {clean(template.text)[:80]}",
            )
        )
    entries.sort(key=lambda e: e[0] or datetime.min.replace(tzinfo=UTC))
    return [TimelineEntry(time=w.isoformat() if w else None, ref=r, what=t) for w, r, t in entries]


def _next_checks(
    hypotheses: list[Hypothesis],
    anomalous: list[Template[KeyStats]],
    signals: Signals,
    groups: list[TraceGroup],
) -> list[str]:
    checks: list[str] = []
    for hypothesis in hypotheses:
        for commit in hypothesis.commits[:1]:
            checks.append(f"git show --stat {commit.sha[:12]}")
    for group in groups[:2]:
        for frame in group.trace.repo_frames[-1:]:
            path = quote(frame.repo_path or frame.file)
            checks.append(f"git log -p -n 3 -- {path}")
            checks.append(f"git blame -L {max(frame.line - 5, 1)},{frame.line + 5} -- {path}")
    for template in anomalous[:3]:
        st = signals.stats[template.id]
        source, _, _ = st.samples[0]
        fragment = max(template.text.split("<*>"), key=len).strip()
        if len(fragment) >= 6 and source != "stdin":
            checks.append(f"grep -n -F {quote(clean(fragment)[:60])} {quote(source)}")
        kind = _k8s_object(st)
        if kind:
            checks.append(kind)
    return list(dict.fromkeys(checks))[:10]


def _k8s_object(stats: KeyStats) -> str | None:
    """``kubectl describe`` for the object a Kubernetes event is about (component ``ns/Kind/name``)."""
    parts = (stats.component or "").split("/")
    # Kinds are capitalised (Pod, Deployment); a logger or path with a slash is not an object.
    if len(parts) not in (2, 3) or not all(parts) or not parts[-2][:1].isupper():
        return None
    namespace = f" -n {quote(parts[0])}" if len(parts) == 3 else ""
    return f"kubectl describe {quote(parts[-2].lower())} {quote(parts[-1])}{namespace}"
