"""A webhook endpoint on the aggregate alone: its URL, the event types it follows, its
team, disabling, enabling and removing it; every refusal compared whole, every bound at
its edge, what each event records."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.webhooks import (
    MAX_REASON_LENGTH,
    MAX_TYPES,
    MAX_URL_LENGTH,
    WebhookAlreadyDisabled,
    WebhookEndpoint,
    WebhookNotDisabled,
    WebhookRemoved,
    event_types,
    webhook_url,
)
from tests.unit.refusals import blank, invalid, refusal, too_long

URL = "https://hooks.example.com/flywheel"
NOT_ABSOLUTE = "`url` must be an absolute http(s) URL, e.g. https://hooks.example.com/flywheel"


def registered(**extra: Any) -> WebhookEndpoint:
    fields: dict[str, Any] = {
        "id": uuid4(),
        "url": URL,
        "types": None,
        "team_id": None,
        "include_subteams": False,
        "secret_id": "s1",
        **extra,
    }
    endpoint = WebhookEndpoint.register(**fields)
    endpoint.collect_events()
    return endpoint


def recorded(endpoint: WebhookEndpoint) -> list[Any]:
    return list(endpoint.collect_events())


# The URL


@pytest.mark.parametrize(
    "url",
    [
        URL,
        "http://hooks.example.com/x",
        "https://hooks.example.com:1/x",
        "https://hooks.example.com/x#",
        "https://10.0.0.1:8443/hook?a=b",
    ],
)
def test_a_url_is_an_absolute_http_or_https_url(url: str) -> None:
    assert webhook_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("ftp://hooks.example.com/x", NOT_ABSOLUTE),
        ("hooks.example.com/x", NOT_ABSOLUTE),
        ("https:///no-host", NOT_ABSOLUTE),
        ("ftp:///no-host", NOT_ABSOLUTE),
        ("https://user@hooks.example.com/x", "`url` must not carry credentials"),
        ("https://:pw@hooks.example.com/x", "`url` must not carry credentials"),
        ("https://user:pw@hooks.example.com/x", "`url` must not carry credentials"),
        ("https://hooks.example.com/x#part", "`url` must not have a fragment"),
        ("https://hooks.example.com:0/x", "`url` must not name port 0"),
        ("https://hooks.example.com/a b", "`url` must not contain spaces"),
        ("https://hooks.example.com:99999/x", "`url` is not a URL: Port out of range 0-65535"),
        ("https://[::1/x", "`url` is not a URL: Invalid IPv6 URL"),
    ],
)
def test_a_url_that_cannot_be_delivered_to_is_refused(url: str, detail: str) -> None:
    assert refusal(lambda: webhook_url(url)) == invalid("url", detail)


def test_a_url_is_one_line_and_has_a_limit() -> None:
    longest = URL + "/" + "x" * (MAX_URL_LENGTH - len(URL) - 1)
    assert webhook_url(longest) == longest
    assert refusal(lambda: webhook_url(longest + "x")) == too_long("url", MAX_URL_LENGTH)
    assert refusal(lambda: webhook_url(" ")) == blank("url")
    assert refusal(lambda: webhook_url(URL + "\n")) == invalid(
        "url",
        "`url` must not contain tabs or line breaks (it is one line): U+000A at character 35",
    )


# The event types


def test_the_event_types_are_named_each_once_in_order_or_all_are_followed() -> None:
    assert event_types(None) is None
    assert event_types(["Team.Chartered", "Goal.Set", "Team.Chartered"]) == [
        "Team.Chartered",
        "Goal.Set",
    ]
    most = [f"Team.Event{i}" for i in range(MAX_TYPES)]
    assert event_types(most) == most


def test_the_event_types_are_one_to_the_limit_and_each_an_event_type() -> None:
    count = invalid("types", f"`types` names 1 to {MAX_TYPES} event types, or is left out")
    assert refusal(lambda: event_types([])) == count
    too_many = [f"Team.Event{i}" for i in range(MAX_TYPES + 1)]
    assert refusal(lambda: event_types(too_many)) == count
    assert refusal(lambda: event_types(["Team.Chartered", "team.chartered"])) == invalid(
        "types", "Not an event type: 'team.chartered' (e.g. `Team.Chartered`)"
    )


# The endpoint


def test_an_endpoint_is_registered_with_its_url_types_team_and_secret() -> None:
    endpoint_id, team = uuid4(), uuid4()
    endpoint = WebhookEndpoint.register(
        id=endpoint_id,
        url=f" {URL} ",
        types=["Goal.Set", "Goal.Set"],
        team_id=team,
        include_subteams=True,
        secret_id="s1",
    )
    assert (endpoint.id, endpoint.url, endpoint.types, endpoint.team_id) == (
        endpoint_id,
        URL,
        ["Goal.Set"],
        team,
    )
    assert (endpoint.include_subteams, endpoint.secret_id) == (True, "s1")
    assert (endpoint.enabled, endpoint.removed) == (True, False)
    (registered_event,) = recorded(endpoint)
    assert isinstance(registered_event, WebhookEndpoint.Registered)
    assert (
        registered_event.url,
        registered_event.types,
        registered_event.team_id,
        registered_event.include_subteams,
        registered_event.secret_id,
    ) == (URL, ["Goal.Set"], team, True, "s1")


def test_subteams_are_followed_only_under_a_team() -> None:
    assert refusal(lambda: registered(include_subteams=True)) == invalid(
        "includeSubteams", "`includeSubteams` needs a `teamId`"
    )
    team: UUID = uuid4()
    assert registered(team_id=team).include_subteams is False
    assert registered().team_id is None
    assert refusal(lambda: registered(url="ftp://x")) == invalid("url", NOT_ABSOLUTE)
    assert refusal(lambda: registered(types=[])) == invalid(
        "types", f"`types` names 1 to {MAX_TYPES} event types, or is left out"
    )


def test_a_secret_is_rotated_by_naming_the_new_one() -> None:
    endpoint = registered()
    endpoint.rotate_secret("s2")
    assert endpoint.secret_id == "s2"
    (rotated,) = recorded(endpoint)
    assert isinstance(rotated, WebhookEndpoint.SecretRotated)
    assert rotated.secret_id == "s2"


def test_an_endpoint_is_disabled_with_a_reason_once_and_enabled_again() -> None:
    endpoint = registered()
    assert refusal(lambda: endpoint.enable(), endpoint) == (
        WebhookNotDisabled,
        "The endpoint is not disabled",
        {"webhook_id": str(endpoint.id)},
    )
    assert refusal(lambda: endpoint.disable(" "), endpoint) == blank("reason")
    assert refusal(lambda: endpoint.disable("r" * (MAX_REASON_LENGTH + 1)), endpoint) == (
        too_long("reason", MAX_REASON_LENGTH)
    )
    endpoint.disable(" Failing \n since Monday ")
    assert endpoint.enabled is False
    (disabled,) = recorded(endpoint)
    assert isinstance(disabled, WebhookEndpoint.Disabled)
    assert disabled.reason == "Failing \n since Monday"
    assert refusal(lambda: endpoint.disable("again"), endpoint) == (
        WebhookAlreadyDisabled,
        "The endpoint is already disabled",
        {"webhook_id": str(endpoint.id)},
    )
    endpoint.enable()
    assert endpoint.enabled is True
    (enabled,) = recorded(endpoint)
    assert isinstance(enabled, WebhookEndpoint.Enabled)
    endpoint.disable("r" * MAX_REASON_LENGTH)
    assert endpoint.enabled is False


def test_a_removed_endpoint_is_kept_as_it_ended() -> None:
    endpoint = registered()
    endpoint.remove()
    assert endpoint.removed is True
    (removed,) = recorded(endpoint)
    assert isinstance(removed, WebhookEndpoint.Removed)
    was_removed = (
        WebhookRemoved,
        "The webhook endpoint was removed",
        {"webhook_id": str(endpoint.id)},
    )
    assert refusal(lambda: endpoint.remove(), endpoint) == was_removed
    assert refusal(lambda: endpoint.rotate_secret("s2"), endpoint) == was_removed
    assert refusal(lambda: endpoint.disable("r"), endpoint) == was_removed
    assert refusal(lambda: endpoint.enable(), endpoint) == was_removed
    assert endpoint.secret_id == "s1"
