"""Secrets are replaced by a placeholder that keeps their kind; ordinary code is left alone."""

from __future__ import annotations

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
