"""Log parsing metrics as the Loghub-2.0 paper defines them (Jiang et al., ISSTA 2024).

- GA, grouping accuracy: a line is right when the set of lines its parser put
  with it equals the set its ground-truth template holds.
- PA, parsing accuracy: a line is right when its template text equals the
  ground truth's.
- FGA: F1 over templates, a parsed template counting as right when its group
  equals a ground-truth group (precision over parsed templates, recall over
  ground-truth templates).
- FTA: the same, with the group and the template text both right.

Template texts are compared after collapsing whitespace, nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    ga: float
    pa: float
    fga: float
    fta: float
    templates: int


def _norm(text: str) -> str:
    return " ".join(text.split())


def _f1(correct: int, parsed: int, truth: int) -> float:
    if correct == 0:
        return 0.0
    precision, recall = correct / parsed, correct / truth
    return 2 * precision * recall / (precision + recall)


def score(truth: Sequence[str], parsed_ids: Sequence[object], parsed_text: Sequence[str]) -> Scores:
    """``truth`` and ``parsed_text`` are per-line template texts; ``parsed_ids`` the parser's groups."""
    truth_groups: dict[str, set[int]] = defaultdict(set)
    parsed_groups: dict[object, set[int]] = defaultdict(set)
    for index, (expected, group) in enumerate(zip(truth, parsed_ids, strict=True)):
        truth_groups[_norm(expected)].add(index)
        parsed_groups[group].add(index)
    truth_of_set = {frozenset(lines): text for text, lines in truth_groups.items()}
    ga_lines = pa_lines = grouped = textual = 0
    for lines in parsed_groups.values():
        key = frozenset(lines)
        if key in truth_of_set:
            grouped += 1
            ga_lines += len(lines)
            if all(_norm(parsed_text[i]) == truth_of_set[key] for i in lines):
                textual += 1
    for index, expected in enumerate(truth):
        if _norm(parsed_text[index]) == _norm(expected):
            pa_lines += 1
    total = len(truth)
    return Scores(
        ga=ga_lines / total,
        pa=pa_lines / total,
        fga=_f1(grouped, len(parsed_groups), len(truth_groups)),
        fta=_f1(textual, len(parsed_groups), len(truth_groups)),
        templates=len(parsed_groups),
    )
