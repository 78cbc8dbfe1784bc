"""Secrets are replaced by a placeholder that keeps their kind; ordinary code is left alone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devcopilot.core.redaction import find_secrets, redact

SECRETS = [
    (
        "private-key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
    ),
    (
        "private-key",
        '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n"',
    ),
    ("aws-access-key", "AKIAIOSFODNN7EXAMPLE"),
    ("aws-secret-key", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("gcp-api-key", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
    ("azure-storage-key", "DefaultEndpointsProtocol=https;AccountKey=" + "A1b2" * 21 + "xy=="),
    ("azure-client-secret", "client secret abc8Q~" + "x" * 34),
    ("github-token", "ghp_" + "A1b2C3d4" * 4 + "e5f6"),
    ("github-token", "github_pat_" + "a" * 82),
    ("gitlab-token", "glpat-" + "x1Y2z3" * 4),
    ("slack-token", "xoxb-123456789012-abcdefghijklmnop"),
    ("slack-webhook", "https://hooks.slack.com/services/T000/B000/" + "x" * 24),
    ("stripe-key", "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"),
    ("anthropic-key", "sk-ant-api03-" + "Zz9_" * 24),
    ("openai-key", "sk-proj-" + "Ab1-" * 12),
    ("jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
]


@pytest.mark.parametrize(("kind", "secret"), SECRETS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(SECRETS)])
def test_each_kind_of_secret_is_redacted_with_its_kind(kind: str, secret: str) -> None:
    text = f"config line before\nvalue: {secret}\nafter"

    result = redact(text)

    assert f"[REDACTED:{kind}]" in result.text
    assert result.counts[kind] >= 1
    assert "config line before" in result.text
    assert result.text.endswith("after")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "postgres://admin:hunter2@db.internal:5432/app",
            "postgres://admin:[REDACTED:url-password]@db.internal:5432/app",
        ),
        ('password = "s3cr3t!"', 'password = "[REDACTED:password]"'),
        ("DB_PASSWORD=s3cr3t", "DB_PASSWORD=[REDACTED:password]"),
        ('"password": "s3cr3t"', '"password": "[REDACTED:password]"'),
        ("client_secret: abcdef123456", "client_secret: [REDACTED:secret]"),
        ("SECRET_KEY = 'django-insecure-xyz'", "SECRET_KEY = '[REDACTED:secret]'"),
    ],
)
def test_assignments_keep_the_name_and_lose_the_value(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "code",
    [
        "password = get_password()",
        "password = settings.DB_PASSWORD",
        "api_key = os.environ['OPENAI_API_KEY']",
        'if password == "x":',
        "password=None",
        "PASSWORD=${DB_PASS}",
        "secret = {{ vault_secret }}",
        "def check_password(password: str) -> bool:",
        "https://example.com/path?q=1",
        "sha = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    ],
)
def test_code_that_only_mentions_secrets_is_untouched(code: str) -> None:
    result = redact(code)

    assert result.text == code
    assert result.total == 0


def test_redaction_is_idempotent() -> None:
    once = redact("key AKIAIOSFODNN7EXAMPLE and password = 'x1'").text

    again = redact(once)

    assert again.text == once
    assert again.total == 0


def test_find_secrets_reports_positions_without_changing_text() -> None:
    text = "a = 1\ntoken = ghp_" + "z" * 36 + "\n"

    [(kind, start, end)] = find_secrets(text)

    assert kind == "github-token"
    assert text[start:end] == "ghp_" + "z" * 36


tokens = st.builds(
    lambda body: "ghp_" + body,
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789", min_size=36, max_size=40),
)
surrounding = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="_"), max_size=40)


@given(before=surrounding, token=tokens, after=surrounding)
def test_a_token_anywhere_in_text_never_survives(before: str, token: str, after: str) -> None:
    result = redact(f"{before} {token} {after}")

    assert token not in result.text
    assert "[REDACTED:" in result.text


def _random(alphabet: str, n: int, seed: int) -> str:
    import random

    rng = random.Random(seed)  # noqa: S311 - test tokens, generated so no real-looking literal is committed
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
URLSAFE = ALNUM + "-_"
GENERATED = [
    ("npm-token", lambda s: "npm_" + _random(ALNUM, 36, s)),
    ("pypi-token", lambda s: "pypi-AgEIcHlwaS5vcmc" + _random(URLSAFE, 70, s)),
    ("twilio-key", lambda s: "SK" + _random("0123456789abcdef", 32, s)),
    ("sendgrid-key", lambda s: f"SG.{_random(URLSAFE, 22, s)}.{_random(URLSAFE, 43, s)}"),
    ("authorization-header", lambda s: "Authorization: Bearer " + _random(URLSAFE, 40, s)),
    ("authorization-header", lambda s: "Authorization: Basic " + _random(ALNUM, 28, s) + "=="),
    (
        "gcp-service-account-key-id",
        lambda s: '"private_key_id": "' + _random("0123456789abcdef", 40, s) + '"',
    ),
    ("password", lambda s: "DB_PASSWORD=" + _random(ALNUM + "!#%&*", 16, s)),
    ("api-token", lambda s: "shpat_" + _random(ALNUM, 36, s)),
]


@pytest.mark.parametrize(("kind", "make"), GENERATED, ids=[f"{k}-{i}" for i, (k, _) in enumerate(GENERATED)])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_formats_the_fork_and_devcopilot_add_are_redacted_and_reported(
    kind: str, make: Any, seed: int
) -> None:
    from devcopilot.core.secret_detectors import looks_real

    written = make(seed)
    text = f"settings:\n  value: {written}\n"

    redacted = redact(text).text
    found = [(k, text[s:e]) for k, s, e in find_secrets(text)]

    assert f"[REDACTED:{kind}]" in redacted
    secret = written.split()[-1].split("=", 1)[-1].strip('"')
    assert not any(secret[i : i + 12] in redacted for i in range(len(secret) - 11)), redacted
    assert any(k == kind and looks_real(k, value) for k, value in found), found


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("password", "password123"),
        ("password", "%s"),
        ("password", "a secret"),
        ("password", "Repeat"),
        ("secret", "access_token"),
        ("url-password", "a%20secret"),
        ("authorization-header", "dXNlcm5hbWU6cGFzc3dvcmQ="),  # "username:password"
        ("aws-access-key", "AKIAIOSFODNN7EXAMPLE"),
    ],
)
def test_documented_examples_and_placeholders_are_redacted_but_not_reported(kind: str, value: str) -> None:
    from devcopilot.core.secret_detectors import looks_real

    assert not looks_real(kind, value)


UNNAMED_FORMATS = [
    lambda s: "qzx_" + _random(ALNUM, 40, s),
    lambda s: "wb.live." + _random(URLSAFE, 44, s),
    lambda s: f"{_random('0123456789', 9, s)}:{_random(URLSAFE, 35, s)}",
    lambda s: "tkn" + _random("0123456789abcdef", 36, s),
    lambda s: "KRV-" + _random("0123456789abcdef", 20, s) + "-" + _random("0123456789abcdef", 36, s),
    lambda s: _random("abcdefghijklmnopqrstuvwxyz0123456789", 30, s),
    lambda s: "ZQ" + _random("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 40, s),
]


@pytest.mark.parametrize("make", UNNAMED_FORMATS, ids=[str(i) for i in range(len(UNNAMED_FORMATS))])
def test_a_token_of_a_format_nobody_wrote_down_is_reported_by_its_shape(make: Any) -> None:
    from devcopilot.core.secret_detectors import looks_real

    token = make(11)
    commit = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
    text = f'sent = "{token}"  # at commit {commit}\n'

    redacted = redact(text).text
    found = [(k, text[s:e]) for k, s, e in find_secrets(text)]

    assert token not in redacted and "[REDACTED:api-token]" in redacted, redacted
    assert commit in redacted, "digests and commit ids stay readable"
    assert any(value == token and looks_real(k, value) for k, value in found), found


NOT_SECRETS = [
    "integrity: sha512-" + "Zk3mQ9x" * 12 + "A==",
    "image: registry.local/app@sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b9f86d081884c7d65",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx" + "Kp9rT2vW" * 4 + " dev@laptop",
    "https://files.example.org/packages/b9/88/815e53084c5079a59df912825a279f41dd2e0df822817/pkg.whl",
    "<img src='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk'>",
    "def test_HTTP2ConnectionPoolReturnsSameConnection4Times(): ...",
    "request_id = 550e8400-e29b-41d4-a716-446655440000",
    "-----BEGIN CERTIFICATE-----\n"
    + ("MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n" * 3),
]


@pytest.mark.parametrize("text", NOT_SECRETS, ids=[str(i) for i in range(len(NOT_SECRETS))])
def test_digests_public_keys_paths_blobs_and_identifiers_are_not_reported(text: str) -> None:
    assert [k for k, _, _ in find_secrets(text)] == []


@pytest.mark.parametrize("seed", [1, 2])
def test_a_key_named_setting_holding_a_random_value_is_a_secret(seed: int) -> None:
    value = _random("0123456789abcdef", 40, seed)
    text = f'SIGNING_KEY = "{value}"\ncache_key = "user_profile_v2"\ntoken = "IDENT"\n'

    found = [(kind, text[start:end]) for kind, start, end in find_secrets(text)]

    assert found == [("secret", value)]
    assert value not in redact(text).text
