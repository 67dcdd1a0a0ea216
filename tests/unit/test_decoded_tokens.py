"""Tokens decoded once per process while they are valid (services/auth.py,
``DecodedTokens``): what is kept, for how long, and under which settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import Token

from services.auth import (
    DECODED_TOKENS,
    ISSUER,
    DecodedTokens,
    authenticate_header,
    bearer_auth,
    mint_token,
    signed_token,
)
from services.principal import Principal, Role

SECRET = "k" * 48
NOW = 1_900_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def answer(subject: str) -> AuthenticationResult:
    principal = Principal(subject=subject, roles=frozenset())  # type: ignore[arg-type]
    expires = datetime.fromtimestamp(NOW + 3600, UTC)
    return AuthenticationResult(user=principal, auth=Token(exp=expires, sub=subject))


@pytest.fixture(autouse=True)
def cold() -> None:
    DECODED_TOKENS.clear()


def test_an_answer_is_kept_until_its_token_expires() -> None:
    clock = Clock()
    tokens = DecodedTokens(seconds=600, clock=clock)
    kept = answer("ana@example.com")
    tokens.keep("t", kept, datetime.fromtimestamp(NOW + 30, UTC))
    clock.now = NOW + 29.9
    assert tokens.get("t") is kept
    clock.now = NOW + 30
    assert tokens.get("t") is None
    clock.now = NOW  # gone for good once seen expired
    assert tokens.get("t") is None


def test_an_answer_is_kept_for_a_bounded_time_however_long_its_token_lives() -> None:
    clock = Clock()
    tokens = DecodedTokens(seconds=60, clock=clock)
    tokens.keep("t", answer("ana@example.com"), datetime.fromtimestamp(NOW + 86_400, UTC))
    clock.now = NOW + 59
    assert tokens.get("t") is not None
    clock.now = NOW + 60
    assert tokens.get("t") is None


def test_the_oldest_answers_go_first_when_full() -> None:
    tokens = DecodedTokens(size=2, clock=Clock())
    expires = datetime.fromtimestamp(NOW + 600, UTC)
    for name in ("a", "b", "c"):
        tokens.keep(name, answer(f"{name}@example.com"), expires)
    assert tokens.get("a") is None
    assert tokens.get("b") is not None and tokens.get("c") is not None


def test_a_token_decoded_under_one_secret_is_not_let_in_under_another() -> None:
    token = mint_token(SECRET, "ana@example.com", [Role.MEMBER])
    header = f"Bearer {token}"
    assert authenticate_header(bearer_auth(SECRET, exclude=[]), header).subject == "ana@example.com"
    with pytest.raises(NotAuthorizedException, match="signature does not match"):
        authenticate_header(bearer_auth("o" * 48, exclude=[]), header)


def test_a_kept_answer_is_checked_again_once_its_token_has_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the token's ``exp`` (on the cache's clock) the token is decoded anew, and
    the decoder, on the real clock, decides."""
    decoded: list[str] = []
    decode = Token.decode.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Token], encoded_token: str, **options: Any) -> Token:
        decoded.append(encoded_token)
        token: Token = decode(cls, encoded_token=encoded_token, **options)
        return token

    monkeypatch.setattr(Token, "decode", classmethod(counting))
    now = datetime.now(UTC)
    token = signed_token(
        SECRET,
        "ana@example.com",
        [Role.MEMBER],
        ISSUER,
        issued=now - timedelta(hours=1),
        expires=now + timedelta(hours=1),
    )
    auth = bearer_auth(SECRET, exclude=[])
    for _ in range(3):
        assert authenticate_header(auth, f"Bearer {token}").subject == "ana@example.com"
    assert decoded == [token]
    monkeypatch.setattr(DECODED_TOKENS, "clock", lambda: now.timestamp() + 3601)
    assert authenticate_header(auth, f"Bearer {token}").subject == "ana@example.com"
    assert decoded == [token, token]


def test_a_refused_token_is_refused_every_time() -> None:
    token = mint_token(SECRET, "ana@example.com", [Role.MEMBER]) + "x"
    auth = bearer_auth(SECRET, exclude=[])
    for _ in range(2):
        with pytest.raises(NotAuthorizedException):
            authenticate_header(auth, f"Bearer {token}")
