"""A learned score for sentences that steer a reviewer, for phrasings no rule names.

The rules in ``core.injection`` name moves; each new phrasing of an old move
used to need a new rule, and phrasings nobody had written down were found about
a third of the time. This model scores a sentence by its words, its word pairs
and which of the rules' word families it holds (a reader spoken to, a verdict
topic, a push toward less), each weighted by how much more often it appears in
steering text than in ordinary code, comments and documentation.

The weights are a naive Bayes log-count ratio, trained by
``benchmarks/steering_model_train.py`` on generated steering phrasings and on the
text files of installed packages and the standard library; the threshold was set
there so that the text held out from training is flagged at a stated rate (0.3 in
10,000 lines). Scoring is a dictionary lookup per feature of a sentence, so no
numerical library is needed; the file is read on the first search, never at import.
The counting is written here rather than taken from scikit-learn, whose weight
(NumPy, SciPy) is out of proportion to a sum of a few dozen numbers.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

WORD = re.compile(r"[a-z][a-z']+")
SENTENCE = re.compile(r"[^.!?;\n]+")
MIN_WORDS = 3
"""A sentence shorter than this carries too little to score (an identifier, a label)."""
WEIGHTS_FILE = "steering_model.json"


def features(sentence: str, families: Mapping[str, re.Pattern[str]]) -> set[str]:
    """Words, adjacent word pairs, the word families present and each pair of those families; none
    for a sentence too short to score, so training and scanning leave out the same sentences."""
    words = WORD.findall(sentence.lower())
    if len(words) < MIN_WORDS:
        return set()
    found = {*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))}
    present = sorted(name for name, family in families.items() if family.search(sentence))
    found.update(f"F:{name}" for name in present)
    found.update(f"F:{a}&{b}" for a, b in itertools.combinations(present, 2))
    return found


@dataclass(frozen=True)
class Weights:
    threshold: float
    weights: Mapping[str, float]


@functools.cache
def load_weights() -> Weights:
    data = json.loads(resources.files("devcopilot.core").joinpath(WEIGHTS_FILE).read_text("utf-8"))
    return Weights(float(data["threshold"]), {str(k): float(v) for k, v in data["weights"].items()})


def score(sentence: str, families: Mapping[str, re.Pattern[str]], weights: Mapping[str, float]) -> float:
    return sum(weights.get(feature, 0.0) for feature in features(sentence, families))


class SteeringModel:
    """A rule like the others: the first sentence of a text whose score passes the threshold."""

    def __init__(self, families: Mapping[str, re.Pattern[str]]) -> None:
        self.families = families

    def search(self, text: str) -> re.Match[str] | None:
        model = load_weights()
        for sentence in SENTENCE.finditer(text):
            if score(sentence.group(0), self.families, model.weights) > model.threshold:
                return sentence
        return None
