"""Webhook pieces without I/O: signatures (checked by the `standardwebhooks`
package), the retry schedule, the destinations policy."""

from __future__ import annotations

import asyncio
import ipaddress
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from domain.errors import InvalidValue
from services.feeds import signing
from services.feeds.delivery import backoff
from services.feeds.destinations import DestinationRefused, Destinations


def test_signatures_verify_with_the_standard_webhooks_package() -> None:
    secret, old = signing.new_secret(), signing.new_secret()
    assert secret.startswith("whsec_") and secret != old
    body = b'{"type":"Team.Chartered","position":7}'
    headers = signing.headers([secret, old], "flywheel-7", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "Team.Chartered", "position": 7}
    assert Webhook(old).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    for failures in range(1, 12):
        ceiling = min(3600.0, 5.0 * 2 ** (failures - 1))
        delays = [backoff(failures, 5.0, 3600.0) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered
    # over the default give-up period (3 days) retries keep coming: more than a day
    total, failures = 0.0, 0
    while total < 86_400:
        failures += 1
        total += backoff(failures, 5.0, 3600.0)
    assert failures > 20


DEV = Destinations.parse("", production=False)
PROD = Destinations.parse("", production=True)
LISTED = Destinations.parse("hooks.example.com, *.corp.example, 10.20.0.0/16", production=True)


@pytest.mark.parametrize(
    ("policy", "url"),
    [
        (PROD, "http://hooks.example.com/x"),  # https only in production
        (PROD, "https://127.0.0.1/x"),  # no loopback in production
        (PROD, "https://10.1.2.3/x"),
        (PROD, "https://169.254.169.254/latest/meta-data"),
        (PROD, "https://[::1]/x"),
        (PROD, "https://[fd00::1]/x"),
        (DEV, "http://example.com/x"),  # plain http only to loopback
        (DEV, "https://192.168.1.10/x"),
        (LISTED, "https://other.example.com/x"),
        (LISTED, "https://10.21.0.1/x"),
    ],
)
def test_registration_refuses(policy: Destinations, url: str) -> None:
    with pytest.raises(InvalidValue):
        policy.check_url(url)


@pytest.mark.parametrize(
    ("policy", "url"),
    [
        (PROD, "https://hooks.example.com/x"),
        (DEV, "http://127.0.0.1:8080/x"),
        (DEV, "http://localhost:8080/x"),
        (LISTED, "https://hooks.example.com/x"),
        (LISTED, "https://a.corp.example/x"),
        (LISTED, "https://10.20.3.4/x"),
    ],
)
def test_registration_accepts(policy: Destinations, url: str) -> None:
    policy.check_url(url)


def test_every_resolved_address_must_be_allowed() -> None:
    public = ipaddress.ip_address("93.184.215.14")
    assert PROD.allows("hooks.example.com", public)
    assert not PROD.allows("hooks.example.com", ipaddress.ip_address("10.0.0.1"))
    assert not PROD.allows("hooks.example.com", ipaddress.ip_address("169.254.169.254"))
    assert not PROD.allows("hooks.example.com", ipaddress.ip_address("127.0.0.1"))
    assert DEV.allows("localhost", ipaddress.ip_address("127.0.0.1"))
    assert LISTED.allows("anything", ipaddress.ip_address("10.20.0.5"))
    assert not LISTED.allows("other.example.com", public)  # hosts listed: only those


def test_resolving_checks_the_addresses_a_name_has() -> None:
    host, address = asyncio.run(DEV.resolve("http://localhost:9/x"))
    assert host == "localhost" and address.is_loopback
    with pytest.raises(DestinationRefused):
        asyncio.run(PROD.resolve("https://localhost/x"))  # resolves to loopback
    with pytest.raises(DestinationRefused):
        asyncio.run(PROD.resolve("https://10.0.0.1/x"))
