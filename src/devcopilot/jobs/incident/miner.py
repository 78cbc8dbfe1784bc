"""Template mining: group log messages that differ only in their variables.

Three steps:

1. **Masking** (per line). One compiled regex replaces what is plainly a
   variable (token pieces holding digits, hex, IPs, UUIDs, paths, URLs,
   quoted values) by ``<*>``. The masked message is the line's *key*; most
   lines of a real log repeat a key already seen, so the per-line cost is one
   regex pass and one dict lookup. Statistics are kept per key.
2. **Merging** (at the end). Keys of the same length whose constant tokens
   mostly agree join one template, the differing positions becoming ``<*>``
   (variables with no digit: user names, host names). This is Drain's
   similarity idea, run over the distinct keys rather than line by line, so
   the result does not depend on which line came first.
3. **Splitting**. A position that merging made variable but that holds only
   a few distinct words (``Failed password``/``Failed none``, ``from RUNNING to
   SUCCEEDED``) is a choice between constants: the template is split by it.

Memory holds the key table, never the log. When the table passes
``MAX_KEYS`` it is compacted: keys are merged into their templates, and later
keys join a compatible template on arrival.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

WILDCARD = "<*>"
MERGE_THRESHOLD = 0.5
"""Share of constant positions that must agree for two keys to share a template."""
SPLIT_MAX_VALUES = 3
"""A merged position holding at most this many distinct words is a choice of constants."""
MAX_KEYS = 100_000

_DELIMITERS = r"\s:=,;()\[\]{}<>\"'@/|"
_PIECE = rf"[^{_DELIMITERS}]"
_BOUNDARY = rf"(?<!{_PIECE})"
_MASK_PATTERN = re.compile(
    "|".join(
        (
            # URLs and absolute or relative paths, as a whole.
            r"\b[a-zA-Z][\w+.\-]*://\S+",
            r"(?<![\w.])(?:~|\.{1,2})?(?:/[\w.\-+~%]+){2,}/?",
            # Dates written out in words: Sun Jul  9 03:16:21 2005, Jul 9 2005.
            r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
            r"\s+\d{1,2}(?:\s+\d{2}:\d{2}:\d{2})?(?:\s+\d{4})?\b",
            # Quoted values (the quotes stay: they are part of the template).
            r"(?<=')[^'\n]{1,200}(?=')",
            r'(?<=")[^"\n]{1,200}(?=")',
            # E-mail addresses.
            r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+",
            # Host names: dotted words ending in a top-level domain.
            rf"{_BOUNDARY}[A-Za-z][\w\-]*(?:\.[\w\-]+)*\.(?:com|net|org|edu|gov|mil|int|io|info|biz|local|"
            rf"internal|lan|cn|de|uk|jp|fr|ru|br|in|it|nl|au|ca|es|kr|se|ch|pl|us|eu)(?!{_PIECE})",
            # Sizes and durations with their unit, so that "3 KB" and "12 B" are one variable.
            rf"{_BOUNDARY}[+\-]?\d[\d.,]*\s?(?:[KMGTPE]i?B|B|bytes?|ms|us|µs|ns|s|secs?|seconds?|mins?|minutes?|"
            rf"h|hours?)(?!{_PIECE})",
            # Short names that end in a digit are names, not values: ssh2, md5, utf8, ipv4.
            rf"{_BOUNDARY}(?P<name>[a-z]{{2,4}}\d)(?!{_PIECE})",
            # Any other piece of a token holding a digit: ids, numbers, IPs, hex, UUIDs, durations, sizes.
            rf"{_BOUNDARY}[+\-]?{_PIECE}*\d{_PIECE}*+",
            rf"{_BOUNDARY}(?:true|false|null|None|nil)(?!{_PIECE})",
        )
    )
)
_REPEATED_WILDCARDS = re.compile(r"<\*>(?:\s*<\*>)+")
_ZERO_DIGITS = str.maketrans("123456789", "000000000")


def shape_of(text: str) -> str:
    """The text with every run of digits shortened to one ``0``: lines that differ only in numbers share it.

    Plain ``str`` methods, all in C: a regex would cost more than the rest of the line's work.
    """
    text = text.translate(_ZERO_DIGITS)
    for _ in range(3):
        text = text.replace("0000", "0")
    return text.replace("00", "0").replace("00", "0")


def _replace(match: re.Match[str]) -> str:
    name = match.group("name")
    return name if name is not None else WILDCARD


def mask(message: str) -> str:
    """The message's key: plain variables replaced by ``<*>``, runs of them collapsed, spaces normalised."""
    masked = _MASK_PATTERN.sub(_replace, message)
    if "<*> <*>" in masked:
        masked = _REPEATED_WILDCARDS.sub(WILDCARD, masked)
    return " ".join(masked.split())


S = TypeVar("S")


@dataclass
class Key(Generic[S]):
    """One distinct masked message and what the caller keeps about its lines."""

    index: int
    text: str
    count: int
    stats: S


@dataclass
class Template(Generic[S]):
    id: int
    tokens: list[str]
    keys: list[Key[S]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def label(self) -> str:
        return f"T{self.id}"

    @property
    def count(self) -> int:
        return sum(key.count for key in self.keys)


class TemplateMiner(Generic[S]):
    """Collects keys line by line (``add``), then ``templates()`` groups them.

    ``new_stats`` makes the per-key statistics object; ``merge_stats`` folds
    one into another when the key table is compacted.
    """

    def __init__(self, new_stats: Callable[[], S], merge_stats: Callable[[S, S], None]) -> None:
        self._new_stats = new_stats
        self._merge_stats = merge_stats
        self._keys: dict[str, Key[S]] = {}
        self._shapes: dict[str, Key[S]] = {}
        self._next_index = 0
        self.compactions = 0
        self.aliases: dict[int, int] = {}
        """Key indices folded away by a compaction, and the index of the key that holds them now."""
        self._compacted: dict[int, list[list[str]]] = {}
        """After a compaction: template token lists by length, which new keys may join."""

    def add(self, message: str) -> Key[S]:
        key = self.key_for(message)
        key.count += 1
        return key

    def key_for(self, message: str, shape: str | None = None) -> Key[S]:
        """The message's key, found through its shape (digits zeroed) before any regex runs."""
        if shape is None:
            shape = shape_of(message)
        key = self._shapes.get(shape)
        if key is not None:
            return key
        text = mask(message)
        key = self._keys.get(text)
        if key is None:
            key = self._new_key(text)
        if len(self._shapes) >= MAX_KEYS:
            self._shapes.clear()
        self._shapes[shape] = key
        return key

    def add_block(self, messages: list[str]) -> tuple[list[str], dict[str, Key[S]]]:
        """Count a block of messages at once: each message's shape, and the key of each distinct shape.

        Counting happens in C (``Counter`` over the shapes); Python runs once
        per distinct shape, not once per line.
        """
        shapes = shape_of("\n".join(messages)).split("\n")
        if len(shapes) != len(messages):  # a message held a newline: one at a time
            shapes = [shape_of(message) for message in messages]
        last = dict(zip(shapes, range(len(shapes)), strict=True))
        resolved: dict[str, Key[S]] = {}
        for shape, count in Counter(shapes).items():
            key = self.key_for(messages[last[shape]], shape)
            key.count += count
            resolved[shape] = key
        return shapes, resolved

    def absorb(self, text: str, count: int, stats: S) -> None:
        """Fold in a key another miner collected (a worker's share of the same log)."""
        key = self._keys.get(text) or self._new_key(text)
        key.count += count
        self._merge_stats(key.stats, stats)

    def _new_key(self, text: str) -> Key[S]:
        if self._compacted:
            joined = self._join_compacted(text)
            if joined is not None:
                return joined
        if len(self._keys) >= MAX_KEYS:
            self._compact()
            joined = self._join_compacted(text)
            if joined is not None:
                return joined
        key = Key(self._next_index, text, 0, self._new_stats())
        self._next_index += 1
        self._keys[text] = key
        return key

    def _join_compacted(self, text: str) -> Key[S] | None:
        tokens = text.split(" ")
        for template in self._compacted.get(len(tokens), ()):
            if all(t in (WILDCARD, token) for t, token in zip(template, tokens, strict=True)):
                joined = self._keys[" ".join(template)]
                self._keys[text] = joined  # an alias: later lines with this key take the fast path
                return joined
        return None

    def _compact(self) -> None:
        """Fold every key into its template's key; the table then holds one key per template."""
        self.compactions += 1
        merged: dict[str, Key[S]] = {}
        for template in self.templates():
            text = template.text
            target = Key(self._next_index, text, 0, self._new_stats())
            self._next_index += 1
            for key in template.keys:
                self.aliases[key.index] = target.index
                target.count += key.count
                self._merge_stats(target.stats, key.stats)
            merged[text] = target
        self._keys = merged
        self._shapes.clear()
        self._compacted = defaultdict(list)
        for text in merged:
            self._compacted[len(text.split(" "))].append(text.split(" "))

    def template_by_key(self, templates: list[Template[S]]) -> dict[int, Template[S]]:
        """Each key index ever handed out (folded ones included) and the template that holds it now."""
        found = {key.index: template for template in templates for key in template.keys}
        for old in self.aliases:
            new = old
            while new in self.aliases:
                new = self.aliases[new]
            found[old] = found[new]
        return found

    def all_keys(self) -> list[Key[S]]:
        """Every distinct key (aliases left by a compaction counted once)."""
        return list({id(key): key for key in self._keys.values()}.values())

    def templates(self) -> list[Template[S]]:
        """The templates of every key seen so far, most frequent first; 1-based ids, stable for an input."""
        by_length: dict[int, list[Key[S]]] = defaultdict(list)
        for key in self.all_keys():
            by_length[len(key.text.split(" "))].append(key)
        groups: list[tuple[list[str], list[Key[S]]]] = []
        for length in sorted(by_length):
            keys = sorted(by_length[length], key=lambda k: (-k.count, k.text))
            for tokens, members in _merge(keys):
                groups.extend(_split(tokens, members))
        groups.sort(key=lambda group: (-sum(k.count for k in group[1]), " ".join(group[0])))
        return [Template(number, tokens, members) for number, (tokens, members) in enumerate(groups, start=1)]


def _similarity(template: list[str], tokens: list[str]) -> float:
    """Agreeing constant positions over positions where either side is constant."""
    agree = considered = 0
    for a, b in zip(template, tokens, strict=True):
        if a == b:
            if a != WILDCARD:
                agree += 1
                considered += 1
        else:
            considered += 1
    return 1.0 if considered == 0 else agree / considered


def _merge(keys: Iterable[Key[S]]) -> list[tuple[list[str], list[Key[S]]]]:
    clusters: list[tuple[list[str], list[Key[S]]]] = []
    for key in keys:
        tokens = key.text.split(" ")
        best = None
        best_score = MERGE_THRESHOLD
        for index, (template, _) in enumerate(clusters):
            score = _similarity(template, tokens)
            if score >= best_score and (best is None or score > best_score):
                best, best_score = index, score
        if best is None:
            clusters.append((tokens, [key]))
            continue
        template, members = clusters[best]
        clusters[best] = ([a if a == b else WILDCARD for a, b in zip(template, tokens, strict=True)], members)
        members.append(key)
    return clusters


def _split(tokens: list[str], members: list[Key[S]]) -> list[tuple[list[str], list[Key[S]]]]:
    """Split a merged group on the merged position with fewest distinct words, when they are few."""
    if len(members) < 2:
        return [(tokens, members)]
    choice: tuple[int, dict[str, list[Key[S]]]] | None = None
    for position, token in enumerate(tokens):
        if token != WILDCARD:
            continue
        values: dict[str, list[Key[S]]] = defaultdict(list)
        for key in members:
            values[key.text.split(" ")[position]].append(key)
        if (
            len(values) < 2
            or len(values) > SPLIT_MAX_VALUES
            or not _constant_choice(tokens, position, values)
        ):
            continue
        if choice is None or len(values) < len(choice[1]):
            choice = (position, values)
    if choice is None:
        return [(tokens, members)]
    result: list[tuple[list[str], list[Key[S]]]] = []
    for group in choice[1].values():
        result.extend(_split(_generalise(group), group))
    return result


def _generalise(keys: list[Key[S]]) -> list[str]:
    tokens = keys[0].text.split(" ")
    for key in keys[1:]:
        tokens = [a if a == b else WILDCARD for a, b in zip(tokens, key.text.split(" "), strict=True)]
    return tokens


NAME_WORDS = frozenset({"user", "users", "username", "login", "host", "hostname", "node", "account", "name"})
"""Words after which a word is a name, however few distinct names a log happens to hold."""


def _constant_choice(tokens: list[str], position: int, values: Iterable[str]) -> bool:
    """Whether the words seen at a merged position look like constants rather than values of a variable."""
    if any(WILDCARD in value for value in values):
        return False
    if position > 0 and tokens[position - 1].strip(":=,;()[]'\"").lower() in NAME_WORDS:
        return False
    prefixes = {value.partition("=")[0] for value in values if "=" in value}
    return not (len(prefixes) == 1 and all("=" in value for value in values))
