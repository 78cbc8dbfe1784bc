"""Credentials of a format no detector knows, found by the shape generated credentials share.

A provider's token is a short readable prefix (``dapi``, ``PMAK-``, ``dp.st.dev.``,
``1234567890:``) and one or more random bodies. Known formats come from the
detector set; this finds the rest, so a service launched next year is reported
before anybody writes its pattern. A body counts as random when it reads like
no identifier:

- mixed case with digits, high entropy, and no words: split at case and digit
  boundaries, its chunks are short (an identifier's are words);
- one case with many letter-digit alternations, at least ``MIN_SINGLE_CASE`` long;
- hexadecimal, at least ``MIN_HEX`` long, behind a readable prefix that is not a
  digest's name (``sha256:`` and ``md5-`` introduce hashes, and ``a1b2..c3d4`` is a
  commit range: both are shown).

What shares the shape and is not a secret is left out: digests, URL paths, data
URIs, SSH public keys and the lines of a base64 block (certificates).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

RUN = re.compile(r"(?<![\w\-+/=.:~])[\w\-+/=.:~]{20,600}(?![\w\-+/=.:~])", re.ASCII)
"""A token candidate: characters tokens are made of, between characters they never hold."""
READABLE = re.compile(r"[g-zG-Z]")
"""A letter no hex digit is: a prefix holding one is a name (``PMAK-``), not another digest (``a1..b2``)."""
PARTS = re.compile(r"[^_\-+/=]+")
"""A body's pieces: a diff's ``+`` or a path's ``/`` glued to a token is not part of it."""
PART_SEPARATORS = re.compile(r"[_\-]")
CHUNKS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
MIN_MIXED = 20
MIN_SINGLE_CASE = 20
MIN_HEX = 32
MAX_MIXED_CHUNK = 3.2
"""Mean chunk length of a mixed-case body: random text stays near 2, identifiers are words (4+)."""
MAX_SINGLE_CASE_CHUNK = 4.0
VOWELS = frozenset("aeiouy")
MAX_RANDOM_VOWELS = 0.25
"""Share of vowels among a body's letters: about 23% in random letters, nearer 40% in words, so a
single-case body with long letter runs but few vowels is still random, not an identifier."""
MIN_BITS = 3.5
MIN_CLASS_COUNT = 4
DIGEST_WORDS = re.compile(
    r"sha\d*|md5|hash|digest|commit|rev|uuid|checksum|crc|blake\d*\w*|etag|h1|integrity|fingerprint|oid|id",
    re.IGNORECASE,
)
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
PUBLIC_KEY_TYPES = re.compile(r"(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp\d+|sk-ssh-\S+)\s+$")
DATA_URI = re.compile(r"base64,\s*$")


def entropy(text: str) -> float:
    """Shannon entropy in bits per character: keys reach 4 or more, words and identifiers stay lower."""
    if not text:
        return 0.0
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def find_tokens(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run in ``text`` that holds a random body and is no known non-secret."""
    for match in RUN.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        before = text[line_start : match.start()]
        if _not_a_secret(match.group(0), before) or _in_block(text, line_start, line_end, match):
            continue
        prefix = _random_body_prefix(match.group(0))
        if prefix is not None and not _names_digest(f"{before} {prefix}"):
            yield match.start(), match.end()


def _not_a_secret(run: str, before: str) -> bool:
    words_before = before.split()
    return bool(
        URL.search(run)
        or (words_before and URL.search(words_before[-1]))
        or before.endswith("/")
        or PUBLIC_KEY_TYPES.search(before)
        or DATA_URI.search(before)
        or run.startswith("AAAA")  # base64 of binary that opens with a length: SSH keys, DER
    )


def _in_block(text: str, line_start: int, line_end: int, match: re.Match[str]) -> bool:
    """Whether the run is a whole line of a base64 block: a neighbouring line is one of the same length."""
    line = text[line_start : len(text) if line_end < 0 else line_end]
    if line.strip() != match.group(0):
        return False
    previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    previous = text[previous_start : max(line_start - 1, 0)].strip() if line_start else ""
    following = text[line_end + 1 :].split("\n", 1)[0].strip() if line_end >= 0 else ""
    width = len(match.group(0))
    return previous.startswith("-----BEGIN") or any(
        len(line) == width and RUN.fullmatch(line) for line in (previous, following)
    )


def _random_body_prefix(run: str) -> str | None:
    """The readable prefix before the run's first random body, or ``None`` when no body is random.

    A run with ``/`` and no other sign of base64 (``+``, ``=`` padding) is a path: ``/`` splits it.
    """
    path_like = "/" in run and not ("+" in run or run.endswith("="))
    segments = re.compile(r"[^.:~/]+" if path_like else r"[^.:~]+")
    for segment in segments.finditer(run):
        for part in PARTS.finditer(segment.group(0)):
            start = segment.start() + part.start()
            before = run[:start]
            word = part.group(0)
            if (
                _random_mixed(run[start : segment.end()].rstrip("="))
                or _random_single_case(word)
                or (_long_hex(word) and READABLE.search(before))
            ):
                return before
    return None


def random_value(value: str) -> bool:
    """A whole value that is one random body: what a key-named setting holds when it is a secret."""
    body = value.strip().rstrip("=")
    return _random_mixed(body) or _random_single_case(body) or _long_hex(body)


def _names_digest(prefix: str) -> bool:
    """Whether the last words before a body name a digest (``sha512-``, ``"checksum": "``)."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", prefix) if w]
    return any(DIGEST_WORDS.fullmatch(word) for word in words[-2:])


def _random_mixed(body: str) -> bool:
    if len(body) < MIN_MIXED or not _mixes_cases_and_digits(body):
        return False
    compact = PART_SEPARATORS.sub("", body.replace("+", "").replace("/", ""))
    chunks = CHUNKS.findall(compact)
    return (
        bool(chunks) and sum(map(len, chunks)) / len(chunks) <= MAX_MIXED_CHUNK and entropy(body) >= MIN_BITS
    )


def _random_single_case(part: str) -> bool:
    if len(part) < MIN_SINGLE_CASE or not part.isalnum() or _hex_only(part):
        return False
    if part != part.lower() and part != part.upper():
        return False
    digits = sum(c.isdigit() for c in part)
    chunks = CHUNKS.findall(part)
    letters = [c for c in part.lower() if c.isalpha()]
    unspoken = sum(c in VOWELS for c in letters) / max(len(letters), 1) <= MAX_RANDOM_VOWELS
    return (
        digits >= MIN_CLASS_COUNT
        and len(letters) >= MIN_CLASS_COUNT
        and (len(part) / len(chunks) <= MAX_SINGLE_CASE_CHUNK or unspoken)
        and entropy(part) >= MIN_BITS
    )


def _long_hex(part: str) -> bool:
    return len(part) >= MIN_HEX and _hex_only(part) and any(c.isalpha() for c in part)


def _hex_only(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


def _mixes_cases_and_digits(text: str) -> bool:
    classes = (str.isupper, str.islower, str.isdigit)
    return all(any(test(c) for c in text) for test in classes)
