"""A refused bearer token says what is wrong with it (expired, signed with another
secret, malformed), and never what the server expected instead."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from litestar.exceptions import NotAuthorizedException

from services.auth import ALGORITHM, authenticate_header, bearer_auth, mint_token
from services.principal import Role

SECRET = "s" * 48
OTHER = "o" * 48
AUTH = bearer_auth(SECRET, exclude=[])


def refusal(token: str) -> str:
    with pytest.raises(NotAuthorizedException) as refused:
        authenticate_header(AUTH, f"Bearer {token}")
    detail = str(refused.value.detail)
    assert SECRET not in detail and OTHER not in detail
    return detail


def test_a_good_token_passes() -> None:
    token = mint_token(SECRET, "ada@example.com", [Role.LEADERSHIP], ttl=timedelta(hours=1))
    assert authenticate_header(AUTH, f"Bearer {token}").roles == {Role.LEADERSHIP}


def test_an_expired_token_says_so() -> None:
    token = mint_token(SECRET, "ada@example.com", [Role.LEADERSHIP], ttl=timedelta(seconds=-5))
    assert "expired" in refusal(token)


def test_a_token_from_another_secret_says_the_signature_does_not_match() -> None:
    token = mint_token(OTHER, "ada@example.com", [Role.LEADERSHIP], ttl=timedelta(hours=1))
    assert "signature does not match" in refusal(token)


@pytest.mark.parametrize("token", ["abc", "a.b.c", "not-a-jwt-at-all"])
def test_a_malformed_token_says_so(token: str) -> None:
    assert "malformed" in refusal(token)


def test_a_token_from_another_issuer_says_so() -> None:
    token = jwt.encode(
        {"sub": "ada@example.com", "iss": "elsewhere", "exp": 2**33}, SECRET, ALGORITHM
    )
    assert "not issued by Flywheel" in refusal(token)
