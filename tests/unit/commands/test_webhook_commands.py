"""Webhook endpoints' rules and roles, on in-memory storage."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidValue, NotFound
from domain.webhooks import (
    WebhookAlreadyDisabled,
    WebhookEndpoint,
    WebhookNotDisabled,
    WebhookRemoved,
)
from services.api.commands import CommandContext
from services.commands import Forbidden
from services.feeds.rest import DisableWebhook, RegisterWebhook
from services.principal import Principal, Role
from tests.commands import InMemoryCommands, charter, refused_and_nothing_recorded
from tests.people import CEO, principal

INTEGRATOR = principal("ivy@example.com", Role.INTEGRATOR)
AUDITOR = principal("audrey@example.com", Role.AUDITOR)
URL = "https://hooks.example.com/flywheel"


def as_(who: Principal) -> CommandContext:
    return CommandContext(who, "t")


def register(flywheel: InMemoryCommands, who=CEO, **extra):  # type: ignore[no-untyped-def]
    body = RegisterWebhook(**{"url": URL, **extra})
    return flywheel.feeds.register(as_(who), uuid4(), body, "s1")


def test_leadership_and_integrators_register_and_nobody_else(flywheel: InMemoryCommands) -> None:
    assert register(flywheel).kind == "WebhookEndpoint"
    endpoint = flywheel.app.repository.get(register(flywheel, INTEGRATOR).id)
    assert isinstance(endpoint, WebhookEndpoint) and endpoint.enabled and endpoint.secret_id == "s1"
    for who in (AUDITOR, principal("m@example.com", Role.MEMBER), principal("n@example.com")):
        refused_and_nothing_recorded(flywheel, Forbidden, lambda who=who: register(flywheel, who))


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example.com/x",
        "https://user:pw@hooks.example.com/x",
        "https:///no-host",
        "https://hooks.example.com/x#fragment",
        "https://hooks.example.com:99999/x",
        "hooks.example.com/x",
        "https://hooks.example.com/\x00",
    ],
)
def test_a_url_must_be_usable(flywheel: InMemoryCommands, url: str) -> None:
    refused_and_nothing_recorded(flywheel, InvalidValue, lambda: register(flywheel, url=url))


def test_types_and_team_are_checked(flywheel: InMemoryCommands) -> None:
    refused_and_nothing_recorded(flywheel, InvalidValue, lambda: register(flywheel, types=["nope"]))
    refused_and_nothing_recorded(flywheel, InvalidValue, lambda: register(flywheel, types=[]))
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: register(flywheel, include_subteams=True)
    )
    refused_and_nothing_recorded(flywheel, NotFound, lambda: register(flywheel, team_id=uuid4()))
    team = charter(flywheel, "Hooks", "lead@example.com")
    outcome = register(flywheel, types=["Team.Chartered", "Team.Chartered"], team_id=team)
    endpoint = flywheel.app.repository.get(outcome.id)
    assert endpoint.types == ["Team.Chartered"] and endpoint.team_id == team


def test_disable_enable_rotate_remove(flywheel: InMemoryCommands) -> None:
    endpoint_id = register(flywheel).id
    refused_and_nothing_recorded(
        flywheel, WebhookNotDisabled, lambda: flywheel.feeds.enable(as_(CEO), endpoint_id)
    )
    flywheel.feeds.disable(as_(INTEGRATOR), endpoint_id, DisableWebhook(reason="keeps failing"))
    refused_and_nothing_recorded(
        flywheel,
        WebhookAlreadyDisabled,
        lambda: flywheel.feeds.disable(as_(CEO), endpoint_id, DisableWebhook(reason="again")),
    )
    flywheel.feeds.enable(as_(CEO), endpoint_id)
    flywheel.feeds.rotate_secret(as_(CEO), endpoint_id, "s2")
    assert flywheel.app.repository.get(endpoint_id).secret_id == "s2"
    refused_and_nothing_recorded(
        flywheel, Forbidden, lambda: flywheel.feeds.remove(as_(AUDITOR), endpoint_id)
    )
    flywheel.feeds.remove(as_(CEO), endpoint_id)
    for change in (
        lambda: flywheel.feeds.remove(as_(CEO), endpoint_id),
        lambda: flywheel.feeds.rotate_secret(as_(CEO), endpoint_id, "s3"),
        lambda: flywheel.feeds.disable(as_(CEO), endpoint_id, DisableWebhook(reason="r")),
    ):
        refused_and_nothing_recorded(flywheel, WebhookRemoved, change)
