"""Tokens: minted by the CLI, read back into a principal; bad ones refused."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from litestar.exceptions import NotAuthorizedException

from services.auth import ALGORITHM, authenticate_header, bearer_auth, mint_token
from services.principal import Role

SECRET = "s" * 48


def test_a_minted_token_names_the_person_and_their_roles() -> None:
    auth = bearer_auth(SECRET, exclude=[])
    token = mint_token(SECRET, "Alice@Example.com", [Role.LEADERSHIP, Role.AUDITOR])
    principal = authenticate_header(auth, f"Bearer {token}")
    assert principal.subject == "alice@example.com"
    assert principal.roles == {Role.LEADERSHIP, Role.AUDITOR}
    assert principal.is_leadership


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic abc",
        "Bearer not-a-jwt",
        "Bearer " + mint_token("x" * 48, "alice@example.com", [Role.MEMBER]),
        "Bearer " + mint_token(SECRET, "alice@example.com", [], ttl=timedelta(seconds=-5)),
        "Bearer "
        + jwt.encode(
            {"sub": "alice@example.com", "roles": ["root"], "exp": 4102444800, "iss": "flywheel"},
            SECRET,
            algorithm=ALGORITHM,
        ),
        "Bearer "
        + jwt.encode(
            {"sub": "alice@example.com", "roles": [], "exp": 4102444800, "iss": "elsewhere"},
            SECRET,
            algorithm=ALGORITHM,
        ),
    ],
    ids=[
        "missing",
        "empty",
        "basic",
        "garbage",
        "other-secret",
        "expired",
        "unknown-role",
        "other-issuer",
    ],
)
def test_bad_tokens_are_refused(header: str | None) -> None:
    with pytest.raises(NotAuthorizedException):
        authenticate_header(bearer_auth(SECRET, exclude=[]), header)
