"""Verifying the identity provider's tokens: keys cached, rotated, refetched at a bounded rate.

The provider here answers through a function, not the network (the suite's real local
issuer is in tests/e2e/test_oidc_sign_in.py)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.exceptions import NotAuthorizedException

from services.api.oidc import (
    OidcConfig,
    OidcUnavailable,
    OidcVerifier,
    check_provider_url,
    parse_role_map,
    token_class,
)
from services.auth import authenticate_header, bearer_auth, mint_token
from services.principal import Role
from tests.oidc_issuer import AUDIENCE, SigningKey

pytestmark = pytest.mark.unit

ISSUER = "https://idp.example.com"
SECRET = "s" * 40


class FakeProvider:
    def __init__(self, *keys: SigningKey) -> None:
        self.keys = list(keys)
        self.fetched: list[str] = []

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        if url.endswith("/.well-known/openid-configuration"):
            return {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/keys"}
        return {"keys": [key.jwk() for key in self.keys]}

    @property
    def jwks_fetches(self) -> int:
        return sum(url.endswith("/keys") for url in self.fetched)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def mint(key: SigningKey, **claims: Any) -> str:
    from tests.oidc_issuer import Issuer

    return Issuer(url=ISSUER).mint(key, **claims)


def verifier(provider: FakeProvider, clock: Clock, **config: Any) -> OidcVerifier:
    settings = {"issuer": ISSUER, "audience": AUDIENCE, "jwks_min_refresh_seconds": 60.0}
    settings.update(config)
    return OidcVerifier(OidcConfig(**settings), fetch=provider, clock=clock)


def test_roles_come_from_the_mapped_claim_and_the_handle_from_its_claim() -> None:
    key = SigningKey.rsa()
    checker = verifier(
        FakeProvider(key),
        Clock(),
        role_map=parse_role_map("flywheel-leads=leadership,planners=planner,planners=member"),
    )
    token = checker.token(
        mint(key, email="Alice@Example.com", groups=["planners", "flywheel-leads", "other"])
    )
    assert token.sub == "Alice@Example.com"
    assert token.extras["roles"] == ["leadership", "member", "planner"]


def test_a_nested_roles_claim_holding_role_names_needs_no_map() -> None:
    key = SigningKey.ec()
    checker = verifier(FakeProvider(key), Clock(), roles_claim="realm_access.roles")
    token = checker.token(
        mint(key, email="a@x.io", realm_access={"roles": ["auditor", "offline_access"]})
    )
    assert token.extras["roles"] == ["auditor"]


def test_an_unknown_key_id_refetches_once_then_not_again_within_the_interval() -> None:
    old, new = SigningKey.rsa(), SigningKey.rsa()
    provider, clock = FakeProvider(old), Clock()
    checker = verifier(provider, clock)
    checker.verify(mint(old, email="a@x.io"))
    assert provider.jwks_fetches == 1
    checker.verify(mint(old, email="a@x.io"))
    assert provider.jwks_fetches == 1  # cached
    clock.now += 61
    provider.keys = [new]  # the provider rotates
    checker.verify(mint(new, email="a@x.io"))  # unknown kid: fetched again
    assert provider.jwks_fetches == 2
    for _ in range(5):  # made-up key ids do not make Flywheel hammer the provider
        with pytest.raises(NotAuthorizedException, match="unknown key"):
            checker.verify(mint(new, kid="made-up", email="a@x.io"))
    assert provider.jwks_fetches == 2
    with pytest.raises(NotAuthorizedException, match="unknown key"):
        checker.verify(mint(old, email="a@x.io"))  # rotated out
    clock.now += 3601
    checker.verify(mint(new, email="a@x.io"))  # an old key set is fetched again
    assert provider.jwks_fetches == 3


def test_keys_fetched_at_start_up_serve_the_first_token_without_a_fetch() -> None:
    key = SigningKey.rsa()
    provider = FakeProvider(key)
    checker = verifier(provider, Clock())
    assert checker.prefetch() is True and provider.jwks_fetches == 1
    checker.verify(mint(key, email="a@x.io"))
    assert provider.jwks_fetches == 1


def test_a_provider_that_cannot_be_reached_refuses_tokens_with_401() -> None:
    def unreachable(url: str) -> dict[str, Any]:
        raise OidcUnavailable(f"cannot read {url}")

    key = SigningKey.rsa()
    checker = OidcVerifier(OidcConfig(ISSUER, AUDIENCE), fetch=unreachable, clock=Clock())
    assert checker.prefetch() is False
    with pytest.raises(NotAuthorizedException, match="cannot be read"):
        checker.verify(mint(key, email="a@x.io"))


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"audience": "someone-else"}, "audience"),
        ({"issuer": "https://other.example.com"}, "issuer"),
        ({"ttl": -120}, "expired"),
    ],
)
def test_wrong_audience_issuer_or_expiry_is_refused(claims: dict[str, Any], why: str) -> None:
    key = SigningKey.rsa()
    checker = verifier(FakeProvider(key), Clock())
    with pytest.raises(NotAuthorizedException, match=f"(?i){why}"):
        checker.verify(mint(key, email="a@x.io", **claims))


def test_hs256_local_tokens_still_work_beside_the_provider_unless_turned_off() -> None:
    key = SigningKey.rsa()
    checker = verifier(FakeProvider(key), Clock())
    auth = bearer_auth(SECRET, exclude=[], oidc=checker)
    local = mint_token(SECRET, "bob@example.com", [Role.PLANNER])
    assert authenticate_header(auth, f"Bearer {local}").roles == frozenset({Role.PLANNER})
    provided = mint(key, email="carol@example.com", groups=["leadership"])
    principal = authenticate_header(auth, f"Bearer {provided}")
    assert principal.subject == "carol@example.com" and principal.is_leadership
    strict = bearer_auth(SECRET, exclude=[], oidc=checker, local_tokens=False)
    with pytest.raises(NotAuthorizedException, match="identity provider"):
        authenticate_header(strict, f"Bearer {local}")
    assert token_class(None, local_tokens=True).__name__ == "Token"


def test_the_provider_is_reached_over_https_or_loopback_in_development() -> None:
    check_provider_url("https://idp.example.com", production=True)
    check_provider_url("http://127.0.0.1:9000", production=False)
    for url, production in (("http://idp.example.com", False), ("http://127.0.0.1:1", True)):
        with pytest.raises(ValueError, match="https"):
            check_provider_url(url, production=production)


def test_an_unknown_role_in_the_map_is_refused() -> None:
    with pytest.raises(ValueError, match="superuser"):
        parse_role_map("admins=superuser")
