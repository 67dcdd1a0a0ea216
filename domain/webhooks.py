"""Webhook endpoints: where the log's events are delivered, signed, as they happen.

An endpoint has a URL, the event types it follows (all, if none are named) and
optionally a team (and the teams under it) whose events it follows. Its signing
secret is never recorded here: an event names the secret by an opaque id, and the
secret itself is kept outside the log (see docs/FEEDS.md). An endpoint that keeps
failing is disabled, with the reason, and may be enabled again; a removed endpoint
is kept as it ended.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.values import required_text

MAX_URL_LENGTH = 2000
MAX_TYPES = 100
MAX_REASON_LENGTH = 2000
EVENT_TYPE = re.compile(r"[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)+")


class WebhookRemoved(RuleViolation):
    """A removed webhook endpoint is kept as it ended: register a new one instead."""

    rule = "webhook-removed"


class WebhookAlreadyDisabled(RuleViolation):
    """The endpoint is already disabled."""

    rule = "webhook-already-disabled"


class WebhookNotDisabled(RuleViolation):
    """Only a disabled endpoint can be enabled: this one is delivering."""

    rule = "webhook-not-disabled"


def webhook_url(raw: str) -> str:
    """An absolute ``http`` or ``https`` URL with a host, without credentials or a
    fragment. (Which schemes and destinations a deployment allows is the service
    layer's policy: ``services/feeds/destinations.py``.)"""
    url = required_text("url", raw, max_length=MAX_URL_LENGTH)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidValue("url", f"`url` is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue(
            "url", "`url` must be an absolute http(s) URL, e.g. https://hooks.example.com/flywheel"
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidValue("url", "`url` must not carry credentials")
    if parts.fragment:
        raise InvalidValue("url", "`url` must not have a fragment")
    if port == 0:
        raise InvalidValue("url", "`url` must not name port 0")
    if any(ch.isspace() for ch in url):
        raise InvalidValue("url", "`url` must not contain spaces")
    return url


def event_types(raw: list[str] | None) -> list[str] | None:
    """The event types followed (``Team.Chartered``...), each once; None for all."""
    if raw is None:
        return None
    if not raw or len(raw) > MAX_TYPES:
        raise InvalidValue("types", f"`types` names 1 to {MAX_TYPES} event types, or is left out")
    found: list[str] = []
    for name in raw:
        if not EVENT_TYPE.fullmatch(name):
            raise InvalidValue("types", f"Not an event type: {name!r} (e.g. `Team.Chartered`)")
        if name not in found:
            found.append(name)
    return found


class WebhookEndpoint(AttributedAggregate):
    class Registered(AttributedAggregate.Created):
        url: str
        types: list[str] | None
        team_id: UUID | None
        include_subteams: bool
        secret_id: str

    class SecretRotated(AttributedAggregate.Event):
        secret_id: str

    class Disabled(AttributedAggregate.Event):
        reason: str

    class Enabled(AttributedAggregate.Event):
        pass

    class Removed(AttributedAggregate.Event):
        pass

    def __init__(
        self,
        url: str,
        types: list[str] | None,
        team_id: UUID | None,
        include_subteams: bool,
        secret_id: str,
    ) -> None:
        self.url = url
        self.types = types
        self.team_id = team_id
        self.include_subteams = include_subteams
        self.secret_id = secret_id
        self.enabled = True
        self.removed = False

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def register(
        cls,
        *,
        id: UUID,
        url: str,
        types: list[str] | None,
        team_id: UUID | None,
        include_subteams: bool,
        secret_id: str,
    ) -> WebhookEndpoint:
        if include_subteams and team_id is None:
            raise InvalidValue("includeSubteams", "`includeSubteams` needs a `teamId`")
        return cls._create(
            cls.Registered,
            id=id,
            url=webhook_url(url),
            types=event_types(types),
            team_id=team_id,
            include_subteams=include_subteams,
            secret_id=secret_id,
        )

    def _refuse_removed(self) -> None:
        if self.removed:
            raise WebhookRemoved("The webhook endpoint was removed", webhook_id=str(self.id))

    def rotate_secret(self, secret_id: str) -> None:
        self._refuse_removed()
        self._secret_rotated(secret_id)

    def disable(self, reason: str) -> None:
        self._refuse_removed()
        why = required_text("reason", reason, max_length=MAX_REASON_LENGTH, multiline=True)
        if not self.enabled:
            raise WebhookAlreadyDisabled(
                "The endpoint is already disabled", webhook_id=str(self.id)
            )
        self._disabled(why)

    def enable(self) -> None:
        self._refuse_removed()
        if self.enabled:
            raise WebhookNotDisabled("The endpoint is not disabled", webhook_id=str(self.id))
        self._enabled()

    def remove(self) -> None:
        self._refuse_removed()
        self._removed()

    @event(SecretRotated)
    def _secret_rotated(self, secret_id: str) -> None:
        self.secret_id = secret_id

    @event(Disabled)
    def _disabled(self, reason: str) -> None:
        self.enabled = False

    @event(Enabled)
    def _enabled(self) -> None:
        self.enabled = True

    @event(Removed)
    def _removed(self) -> None:
        self.removed = True
