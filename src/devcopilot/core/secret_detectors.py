"""Which spans of a text are secrets, and of what kind: one detector set for redaction and for review.

The detectors come from bc-detect-secrets, the maintained fork of Yelp's
detect-secrets (whose last release was in 2024): every regex-based plugin it
ships (AWS, GitHub, Slack, Stripe, npm, Twilio, SendGrid, Mailchimp, Discord,
Square, Artifactory, Azure storage, IBM, SoftLayer, Cloudant, JWTs, private
keys, credentials in URLs...), run through the plugin's own ``analyze_string``
so its validity checks (a JWT must decode) apply. A new release's plugins are
picked up without a change here. Its entropy and keyword plugins are not used:
the entropy ones flag every hash and commit id (which an incident report must
show), and the keyword one needs a file type; devcopilot's assignment patterns
do that job.

``ADDITIONS`` holds the kinds the fork does not detect (each says so), and the
whole-block form of a private key, so that redaction removes the key body and
not just its header. A fork match that stops inside a longer token (a Slack
token with capitals, a live Stripe key longer than the fork's 24 characters)
is widened to the whole token, so no tail of a secret is left behind.

A token of no known format is found by its shape (``token_shape``): a readable
prefix and a random body, as every provider now issues them.

Importing the fork costs about 0.1 s (it imports ``requests``), paid only on
the paths that redact or review, never by ``--help`` or an empty pre-commit run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from devcopilot.core import token_shape

ASSIGNMENT_KINDS = frozenset({"password", "secret"})
"""Kinds found by a key name and an assignment, not by the value's own format."""
_FORWARD = re.compile(r"[A-Za-z0-9_\-+/=]*")
_BACKWARD = re.compile(r"[A-Za-z0-9_\-+/]*$")

FORK_KINDS = {
    "AWSKeyDetector": "aws-access-key",
    "ArtifactoryDetector": "artifactory-token",
    "AzureStorageKeyDetector": "azure-storage-key",
    "BasicAuthDetector": "url-password",
    "CloudantDetector": "cloudant-credential",
    "DiscordBotTokenDetector": "discord-token",
    "GitHubTokenDetector": "github-token",
    "IbmCloudIamDetector": "ibm-cloud-iam-key",
    "IbmCosHmacDetector": "ibm-cos-hmac-key",
    "JwtTokenDetector": "jwt",
    "MailchimpDetector": "mailchimp-key",
    "NpmDetector": "npm-token",
    "PrivateKeyDetector": "private-key",
    "SendGridDetector": "sendgrid-key",
    "SlackDetector": "slack-token",
    "SoftlayerDetector": "softlayer-key",
    "SquareOAuthDetector": "square-oauth-secret",
    "StripeDetector": "stripe-key",
    "TwilioKeyDetector": "twilio-key",
}
"""Placeholder kinds for the fork's plugins; a plugin not listed gets a slug of its ``secret_type``."""
WIDENED_KINDS = frozenset(FORK_KINDS.values()) - {"url-password", "private-key", "jwt"}
"""Kinds whose value is one token: a match that stops inside it is widened to the whole token."""


@dataclass(frozen=True)
class Pattern:
    kind: str
    regex: re.Pattern[str]
    group: int = 0
    """The group holding the secret itself; the rest of the match (a key name, ``Bearer``) is kept."""
    needles: tuple[str, ...] = ()
    """Lower-case text one of which every match contains: a text without any is not searched."""
    random_value: bool = False
    """The name alone does not say secret (``cache_key``): only a random value (``token_shape``) counts."""


def _p(
    kind: str,
    pattern: str,
    group: int = 0,
    flags: int = 0,
    needles: tuple[str, ...] = (),
    *,
    random_value: bool = False,
) -> Pattern:
    return Pattern(kind, re.compile(pattern, flags), group, needles, random_value)


# An assignment operator (never a comparison), then the value: a quoted literal, or a bare token
# that is not code (a call, an index, an attribute chain, a parameter's type in a signature) nor a
# reference (``$VAR``, ``{{ x }}``, ``<x>``). The bare token is possessive so that the check after it
# cannot be dodged by giving back characters.
ASSIGNED_VALUE = (
    r"""\s*(?::=|=>|[:=])(?!=)\s*"""
    r"""(?:"([^"\n]{1,512})"|'([^'\n]{1,512})'"""
    r"""|(?![\w.]*[(\[])(?![A-Za-z_]\w*\.[A-Za-z_])(?!\$|\{\{|<)([^\s"',;=()\[\]{}]{1,512}+)(?![)\]]))"""
)
VALUE_GROUPS = (1, 2, 3)

ADDITIONS: tuple[Pattern, ...] = (
    # The whole PEM block: the fork flags the header line only.
    _p(
        "private-key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        needles=("private key",),
    ),
    # The fork's npm plugin yields nothing for ``npm_...`` tokens: its pattern's capture group belongs
    # to the other alternative, so ``findall`` returns an empty group for this one.
    _p("npm-token", r"\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9])", needles=("npm_",)),
    # Kinds the fork has no plugin for.
    _p("gcp-api-key", r"\bAIza[0-9A-Za-z_\-]{35}(?![\w-])", needles=("aiza",)),
    _p("gcp-oauth-token", r"\bya29\.[0-9A-Za-z_\-]{20,}", needles=("ya29.",)),
    _p(
        "gcp-service-account-key-id",
        r"""(?i)["']?private_key_id["']?\s*[:=]\s*["']?([0-9a-f]{40})\b""",
        1,
        needles=("private_key_id",),
    ),
    _p(
        "azure-client-secret",
        r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![A-Za-z0-9_~.-])",
        needles=("q~",),
    ),
    _p("azure-sas-token", r"(?i)[?&]sig=([A-Za-z0-9%+/=]{40,})", 1, needles=("sig=",)),
    _p(
        "github-token",
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b",
        needles=("gh", "github_pat_"),
    ),
    _p("gitlab-token", r"\bgl(?:pat|dt|ptt|rt|soat|ft|imt|agent|cbt)-[A-Za-z0-9_\-]{20,}\b", needles=("gl",)),
    _p(
        "slack-webhook",
        r"https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/_\-]{20,}",
        needles=("hooks.slack.com",),
    ),
    _p("stripe-key", r"\b(?:sk|rk)_test_[A-Za-z0-9]{16,}\b", needles=("_test_",)),
    _p("anthropic-key", r"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{20,}", needles=("sk-ant-",)),
    _p(
        "openai-key",
        r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}(?:T3BlbkFJ[A-Za-z0-9_\-]{20,})?",
        needles=("sk-",),
    ),
    _p("pypi-token", r"\bpypi-AgE[A-Za-z0-9_\-]{50,}", needles=("pypi-",)),
    _p("huggingface-token", r"\bhf_[A-Za-z0-9]{30,40}\b", needles=("hf_",)),
    _p(
        "authorization-header",
        r"(?i)\b(?:proxy-)?authorization[\"']?\s*[:=]\s*[\"']?(?:basic|bearer|token|digest|apikey)\s+"
        r"([A-Za-z0-9._~+/\-]{8,}=*)",
        1,
        needles=("authorization",),
    ),
    _p(
        "password",
        r"(?i)\b[\w.\-]*(?:password|passwd|passphrase|pwd)[\w\-]*[\"']?" + ASSIGNED_VALUE,
        needles=("passw", "passphrase", "pwd"),
    ),
    _p(
        "secret",
        r"(?i)\b[\w.\-]*(?:secret|api_?key|access_?token|auth_?token|private_?key|client_?secret)[\w\-]*[\"']?"
        + ASSIGNED_VALUE,
        needles=("secret", "apikey", "api_key", "token", "private_key", "privatekey"),
    ),
    # Any other key, token or credential by name (``ADMIN_KEY``, ``signingKey``, ``deploy_token``):
    # the value decides, since most such names hold ids, not secrets.
    _p(
        "secret",
        r"(?i)\b[\w.\-]*(?:key|token|credentials?)[\"']?" + ASSIGNED_VALUE,
        needles=("key", "token", "credential"),
        random_value=True,
    ),
)
SHAPE_KIND = "api-token"
"""A token of no known format, found by the shape generated credentials share (``token_shape``)."""
UNLABELLED = re.compile(
    r"(?<![A-Za-z0-9_\-+/=])[A-Za-z0-9_\-+/][A-Za-z0-9_\-+/=]{23,255}(?![A-Za-z0-9_\-+/=])"
)
"""Any long token; redaction (never the review) removes one that looks random, whatever its format."""
UNLABELLED_KIND = "high-entropy-token"
MIN_SINGLE_CASE = 32
MIN_DIGITS = 4
MIN_RANDOM_BITS = 3.5
"""Entropy per character a token's body must reach to count as random (keys are; identifiers are not)."""
# Assignments whose "value" is a placeholder or a language constant hold no secret.
HARMLESS_VALUES = frozenset(
    {"", "none", "null", "nil", "true", "false", "changeme", "xxx", "***", "redacted"}
)


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


def looks_random(value: str) -> bool:
    """Letters and digits mixed with high entropy, and not a hex digest (hashes and commit ids are shown)."""
    body = value.rstrip("=")
    has_digit = any(c.isdigit() for c in body)
    has_letter = any(c.isalpha() for c in body)
    hex_only = all(c in "0123456789abcdefABCDEF-" for c in body)
    return has_digit and has_letter and not hex_only and token_shape.entropy(body) >= MIN_RANDOM_BITS


def find(text: str, *, unlabelled: bool = False) -> list[Hit]:
    """Every secret in ``text``, non-overlapping, in order.

    A secret found by its own format wins over a key-name assignment on the same span (the kind is
    then the precise one); among the rest, the earlier and then the longer claim wins. With
    ``unlabelled``, any long token that looks random is a secret too (``high-entropy-token``):
    what redaction does, so that a format no detector knows still never leaves the machine.
    """
    candidates = list(_candidates(text))
    if unlabelled:
        candidates += [
            Hit(UNLABELLED_KIND, m.start(), m.end())
            for m in UNLABELLED.finditer(text)
            if random_token(m.group(0))
        ]
    kept: list[Hit] = []
    for hit in sorted(candidates, key=lambda h: (_rank(h.kind), h.start, -(h.end - h.start))):
        if not any(hit.start < other.end and other.start < hit.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _rank(kind: str) -> int:
    """A precise format first, then a key-name assignment, then a token's shape, then any random token."""
    if kind == UNLABELLED_KIND:
        return 3
    if kind == SHAPE_KIND:
        return 2
    return 1 if kind in ASSIGNMENT_KINDS else 0


def _candidates(text: str) -> Iterator[Hit]:
    lowered = text.lower()
    for pattern in ADDITIONS:
        if pattern.needles and not any(needle in lowered for needle in pattern.needles):
            continue
        for match in pattern.regex.finditer(text):
            span = _pattern_span(match, pattern)
            if span is not None:
                yield _widened(text, pattern.kind, *span)
    yield from (Hit(SHAPE_KIND, start, end) for start, end in token_shape.find_tokens(text))
    for kind, detector in _fork_detectors():
        for value in set(detector.analyze_string(text)):
            if not value or value.strip().lower() in HARMLESS_VALUES:
                continue
            for found in re.finditer(re.escape(value), text):
                yield _widened(text, _refined(kind, value), found.start(), found.end())


def _pattern_span(match: re.Match[str], pattern: Pattern) -> tuple[int, int] | None:
    """Where the secret lies in the match, or ``None`` when the match holds no real secret."""
    if pattern.kind in ASSIGNMENT_KINDS:
        group = next((g for g in VALUE_GROUPS if match.group(g) is not None), None)
        if group is None:
            return None
        span = match.span(group)
    else:
        span = match.span(pattern.group)
    value = match.string[span[0] : span[1]]
    if value.strip().lower() in HARMLESS_VALUES or value.startswith("[REDACTED:"):
        return None
    if pattern.random_value and not token_shape.random_value(value):
        return None
    return span


def random_token(value: str) -> bool:
    """A random token: base64-like (mixed case), or single-case but long and full of digits.

    Both shapes are rare in prose and code (identifiers have few digits; digests are hex and pass).
    """
    if not looks_random(value):
        return False
    if any(c.isupper() for c in value) and any(c.islower() for c in value):
        return True
    digits = sum(c.isdigit() for c in value)
    long_enough = len(value) >= MIN_SINGLE_CASE
    return long_enough and digits >= MIN_DIGITS and len(value) - digits >= MIN_DIGITS


def _refined(kind: str, value: str) -> str:
    """One plugin can find two kinds (an AWS key id or its secret, a Slack token or a webhook)."""
    if kind == "aws-access-key" and not re.match(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)", value):
        return "aws-secret-key"
    if kind == "slack-token" and value.startswith("https://"):
        return "slack-webhook"
    return kind


def _widened(text: str, kind: str, start: int, end: int) -> Hit:
    """A match grown to the whole token it stops inside, so no tail of a secret is left behind."""
    if kind in WIDENED_KINDS:
        forward = _FORWARD.match(text, end)
        end = forward.end() if forward else end
        backward = _BACKWARD.search(text, 0, start)
        start = backward.start() if backward else start
    return Hit(kind, start, end)


@cache
def _fork_detectors() -> tuple[tuple[str, Any], ...]:
    """One instance of every regex-based plugin the installed fork ships, with its placeholder kind."""
    from detect_secrets.core.plugins.util import (  # noqa: PLC0415 - about 0.1 s: only when text is scanned
        get_mapping_from_secret_type_to_class,
    )
    from detect_secrets.plugins.base import RegexBasedDetector  # noqa: PLC0415

    found = []
    for secret_type, plugin in sorted(get_mapping_from_secret_type_to_class().items()):
        if not issubclass(plugin, RegexBasedDetector):
            continue  # entropy and keyword plugins: see the module's docstring
        kind = FORK_KINDS.get(plugin.__name__) or re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")
        found.append((kind, plugin()))
    return tuple(found)


# What makes a found value worth reporting (redaction removes every match regardless).
CREDENTIAL_KINDS = ASSIGNMENT_KINDS | {"url-password", "authorization-header"}
"""Kinds whose value is free-form (anything a person typed): judged by ``plausible_credential``."""
STRUCTURED_KINDS = frozenset({"private-key", "jwt", "slack-webhook"})
_PLACEHOLDER = re.compile(r"EXAMPLE|example|placeholder|dummy|changeme|your[_-]?(?:key|token|secret)", re.I)
_PLACEHOLDER_WORDS = re.compile(
    r"passw|secret|token|example|sample|dummy|changeme|placeholder|redacted|xxx|\*\*\*|fake|test|foo|bar"
    r"|%[sd(]|\{|\}|<|>|\$",
    re.IGNORECASE,
)
MIN_CREDENTIAL_LENGTH = 6
MIN_CREDENTIAL_BITS = 2.5
MIN_TOKEN_BITS = 3.0


def looks_real(kind: str, value: str) -> bool:
    """Whether a found secret is plausibly real rather than documentation, a fixture or a placeholder.

    Tokens (a format of their own) must not read as a documented example and must be random enough;
    free-form credentials (a password, a URL's password, an Authorization header) must also not be a
    word, an identifier, a template placeholder or text with spaces.
    """
    if kind in CREDENTIAL_KINDS:
        return plausible_credential(kind, value)
    if _PLACEHOLDER.search(value):
        return False
    if kind in STRUCTURED_KINDS:
        return True
    body = value.split("_", 1)[-1] if "_" in value[:12] else value
    return token_shape.entropy(body) >= MIN_TOKEN_BITS


def plausible_credential(kind: str, value: str) -> bool:
    from urllib.parse import unquote  # noqa: PLC0415 - only a found credential is decoded

    text = unquote(value)
    if kind == "authorization-header":
        text = _basic_password(text) or text
    entropy = token_shape.entropy(text)
    word_like = re.fullmatch(r"[A-Za-z_][A-Za-z_.\-]*", text) is not None and entropy < MIN_RANDOM_BITS
    return not (
        len(text) < MIN_CREDENTIAL_LENGTH
        or any(c.isspace() for c in text)
        or word_like  # a word or an identifier, not a typed or generated password
        or _PLACEHOLDER_WORDS.search(text) is not None
        or entropy < MIN_CREDENTIAL_BITS
    )


def _basic_password(encoded: str) -> str | None:
    """The password part of a Basic credential (``base64(user:password)``), when it decodes."""
    import base64  # noqa: PLC0415
    import binascii  # noqa: PLC0415

    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded.split(":", 1)[1] if ":" in decoded else None
