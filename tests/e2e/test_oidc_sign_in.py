"""Sign-in from the identity provider: a real local OIDC issuer (discovery and JWKS over
HTTP, keys rotated mid-test) in front of a real ``flywheel serve``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer, flywheel_env
from tests.oidc_issuer import AUDIENCE, Issuer, SigningKey, running_issuer

FIRST_KEY = SigningKey.rsa()


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    with running_issuer(FIRST_KEY) as running:
        yield running


@pytest.fixture(scope="module")
def server(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory, issuer: Issuer
) -> Iterator[FlywheelServer]:
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path_factory.mktemp("flywheel-oidc"), url)
        running.start_with(
            flywheel_env(
                running.data_dir,
                url,
                FLYWHEEL_OIDC_ISSUER=issuer.url,
                FLYWHEEL_OIDC_AUDIENCE=AUDIENCE,
                FLYWHEEL_OIDC_ROLES_CLAIM="groups",
                FLYWHEEL_OIDC_ROLE_MAP="flywheel-leads=leadership,eng=member",
                FLYWHEEL_OIDC_HANDLE_CLAIM="email",
                # refetch as soon as a token names a key the cache lacks (rotation below)
                FLYWHEEL_OIDC_JWKS_MIN_REFRESH="0",
            )
        )
        yield running
        running.stop()


def charter(server: FlywheelServer, token: str, name: str) -> httpx.Response:
    return server.post(
        "/api/v1/teams", token, {"name": name, "mission": "m", "leader": f"{name}@x.io"}
    )


def test_a_providers_token_is_accepted_with_its_mapped_roles(
    server: FlywheelServer, issuer: Issuer
) -> None:
    lead = issuer.mint(FIRST_KEY, email="Dana@Example.com", groups=["flywheel-leads"])
    made = charter(server, lead, "oidc-one")
    assert made.status_code == 201, made.text
    events = httpx.get(
        f"{server.url}/api/v1/events",
        headers={
            "Authorization": f"Bearer {lead}",
            "X-Flywheel-Position": str(made.json()["position"]),
        },
        timeout=30,
    )
    assert events.status_code == 200, events.text
    assert "dana@example.com" in {event["actor"] for event in events.json()["events"]}
    member = issuer.mint(FIRST_KEY, email="eli@example.com", groups=["eng"])
    refused = charter(server, member, "oidc-two")
    assert refused.status_code == 403, refused.text


def test_tokens_from_another_issuer_audience_or_key_are_refused(
    server: FlywheelServer, issuer: Issuer
) -> None:
    stranger = SigningKey.rsa()
    cases = {
        "another issuer": issuer.mint(
            FIRST_KEY, issuer="https://evil.example.com", email="x@x.io", groups=["flywheel-leads"]
        ),
        "wrong audience": issuer.mint(
            FIRST_KEY, audience="another-app", email="x@x.io", groups=["flywheel-leads"]
        ),
        "unknown key": issuer.mint(stranger, email="x@x.io", groups=["flywheel-leads"]),
        "known kid, wrong key": issuer.mint(
            stranger, kid=FIRST_KEY.kid, email="x@x.io", groups=["flywheel-leads"]
        ),
        "expired": issuer.mint(FIRST_KEY, ttl=-300, email="x@x.io", groups=["flywheel-leads"]),
    }
    for why, token in cases.items():
        answer = charter(server, token, f"never-{why.replace(' ', '-')}")
        assert answer.status_code == 401, f"{why}: {answer.text}"
        assert answer.headers["content-type"].startswith("application/problem+json")


def test_keys_rotated_mid_test_are_fetched_and_old_ones_refused(
    server: FlywheelServer, issuer: Issuer
) -> None:
    before = issuer.jwks_fetches
    old_token = issuer.mint(FIRST_KEY, email="fay@example.com", groups=["flywheel-leads"])
    assert charter(server, old_token, "before-rotation").status_code == 201
    rotated = SigningKey.ec()  # and ES256 this time
    issuer.rotate(rotated)
    new_token = issuer.mint(rotated, email="fay@example.com", groups=["flywheel-leads"])
    made = charter(server, new_token, "after-rotation")
    assert made.status_code == 201, made.text
    assert issuer.jwks_fetches > before
    # the old key is gone from the provider, and so from Flywheel
    stale = issuer.mint(FIRST_KEY, email="fay@example.com", groups=["flywheel-leads"])
    assert charter(server, stale, "stale-key").status_code == 401


def test_local_hs256_tokens_still_work_beside_the_provider(server: FlywheelServer) -> None:
    local = server.token("ceo@example.com", "leadership")
    assert charter(server, local, "local-token").status_code == 201
