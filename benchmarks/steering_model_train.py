"""Train the steering model's weights, and say how well it finds phrasings it was not trained on.

Positives are phrasings generated from the injection families of
``secrets_injection`` (bare, without the comment or log wrapper the benchmark
puts around them), every set except those in ``NOT_TUNED_ON``: those stay the
figure for phrasings nothing was fitted to. Negatives are the lines of the
installed packages' text files (``.py``, ``.md``, ``.rst``, ``.txt`` and the
``METADATA`` of each distribution, which holds its README and often its changelog;
devcopilot's own excluded) and of the standard library's modules (its tests
excluded), so code, comments, docstrings, documentation and a project's own prose
(release notes, contributing and conduct guides) are all there: every other file
trains, the rest sets the threshold, the score that only ``--rate`` of their lines
per 10,000 pass.

Printed first, for each recent set in turn: the recall of a model trained
without it, at the same false-positive rate (leave one set out), next to the
recall the rules alone have on it. Then the model is trained on all the sets it
may see, and written to ``--out`` when given.

    python benchmarks/steering_model_train.py [--rate 0.3] [--out src/devcopilot/core/steering_model.json]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import sysconfig
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from devcopilot.core.injection import ALL_RULES, LEARNED, STEERING_FAMILIES
from devcopilot.core.steering_model import MIN_WORDS, SENTENCE, WORD, features
from secrets_injection import INJECTION_SETS, NOT_TUNED_ON, Rand

Families = dict[str, Callable[[Rand], str]]
PER_TEMPLATE = 40
"""Phrasings drawn per family: enough to see each template with most of its fillers."""
RULES_ONLY = [rule for name, rule in ALL_RULES if name != LEARNED]
PRUNE = 0.05
"""Weights this close to zero change no decision and only make the file bigger."""


def phrasings(sets: Iterable[Families], per_family: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - generated phrasings, seeded for a reproducible file
    return [make(rng) for families in sets for make in families.values() for _ in range(per_family)]


def text_files() -> list[Path]:
    """The installed packages' text files and READMEs, and the standard library's modules, its tests
    left out."""
    paths = sysconfig.get_paths()
    packages = Path(paths["purelib"])
    found = [
        path
        for path in sorted(packages.rglob("*"))
        if (path.suffix in {".py", ".md", ".rst", ".txt"} or path.name == "METADATA")
        and "devcopilot" not in str(path.relative_to(packages))
        and path.is_file()
    ]
    stdlib = Path(paths["stdlib"])
    found += [
        path
        for path in sorted(stdlib.rglob("*.py"))
        if not {"site-packages", "test", "tests"} & set(path.relative_to(stdlib).parts)
    ]
    return found


def package_lines() -> tuple[list[str], list[str]]:
    """Lines with a few words each, from every other file: (train, held out)."""
    halves: tuple[list[str], list[str]] = ([], [])
    for index, path in enumerate(text_files()):
        try:
            lines = path.read_text("utf-8", errors="replace").splitlines()
        except OSError:
            continue
        halves[index % 2].extend(line for line in lines if len(WORD.findall(line.lower())) >= MIN_WORDS)
    return halves


def sentence_features(line: str) -> list[set[str]]:
    return [features(s.group(0), STEERING_FAMILIES) for s in SENTENCE.finditer(line)]


def train(positives: list[str], negative_counts: Counter[str], negatives: int) -> dict[str, float]:
    """Naive Bayes log-count ratios, smoothed by one, of the features seen in positives."""
    counts: Counter[str] = Counter()
    for phrase in positives:
        counts.update(features(phrase, STEERING_FAMILIES))
    total = len(positives)
    return {
        feature: math.log((count + 1) / (total + 2))
        - math.log((negative_counts[feature] + 1) / (negatives + 2))
        for feature, count in counts.items()
    }


def line_score(line: list[set[str]], weights: dict[str, float]) -> float:
    return max((sum(weights.get(f, 0.0) for f in sentence) for sentence in line), default=-math.inf)


def threshold(held_out: list[list[set[str]]], weights: dict[str, float], rate: float) -> float:
    scores = sorted(line_score(line, weights) for line in held_out)
    return scores[min(len(scores) - 1, int(len(scores) * (1 - rate / 10_000)))]


def recall(families: Families, weights: dict[str, float], cut: float) -> tuple[float, float]:
    """(model, rules) recall on fresh phrasings of a set."""
    phrases = phrasings([families], 30, seed=1)
    model = sum(line_score(sentence_features(p), weights) > cut for p in phrases)
    rules = sum(any(rule.search(p) for rule in RULES_ONLY) for p in phrases)
    return model / len(phrases), rules / len(phrases)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=0.3, help="held-out lines flagged per 10,000")
    parser.add_argument("--out", type=Path, help="write the weights here")
    args = parser.parse_args()

    train_lines, held_lines = package_lines()
    negative_counts: Counter[str] = Counter()
    for line in train_lines:
        negative_counts.update(set().union(*sentence_features(line)))
    held_out = [sentence_features(line) for line in held_lines]
    print(f"negative lines: {len(train_lines)} to train, {len(held_lines)} held out")

    seen = [(label, families) for label, families in INJECTION_SETS if label not in NOT_TUNED_ON]
    for label, families in seen[-6:]:
        others = phrasings((f for other, f in seen if other != label), PER_TEMPLATE, 0)
        weights = train(others, negative_counts, len(train_lines))
        model, rules = recall(families, weights, threshold(held_out, weights, args.rate))
        print(f"left out {label:<12}: model {model:6.1%}   rules {rules:6.1%}")

    weights = train(phrasings((f for _, f in seen), PER_TEMPLATE, 0), negative_counts, len(train_lines))
    cut = threshold(held_out, weights, args.rate)
    for label, families in INJECTION_SETS:
        if label in NOT_TUNED_ON:
            model, rules = recall(families, weights, cut)
            print(f"never trained on {label:<12}: model {model:6.1%}   rules {rules:6.1%}")
    kept = {f: round(w, 3) for f, w in sorted(weights.items()) if abs(w) >= PRUNE}
    print(f"{len(kept)} weights, threshold {cut:.2f} ({args.rate:g} per 10k held-out lines)")
    if args.out:
        data = {
            "threshold": round(cut, 3),
            "trained_on": [label for label, _ in seen],
            "rate_per_10k": args.rate,
            "weights": kept,
        }
        args.out.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
