"""What every REST command shares: the token decoded once per request, the command
context, the command body (services/auth.py, services/api/commands.py, bodies.py)."""

from __future__ import annotations

import inspect
import warnings
from contextlib import suppress
from typing import Any, get_type_hints
from uuid import uuid4

import msgspec
import pytest
from litestar import Litestar, Request, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import (
    LitestarDeprecationWarning,
    NotAuthorizedException,
    ValidationException,
)
from litestar.params import JSONBody
from litestar.security.jwt import Token
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from services.allocation.rest import CycleId, DissentId, WeighDissent
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, command
from services.auth import DECODED_TOKENS, authenticate_header, bearer_auth, mint_token
from services.commands import Outcome
from services.goals.rest import GoalController, GoalId, ReviseTarget
from services.prfaqs.rest import PrFaqController
from services.principal import Principal, Role

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token decoded, in order (none kept from an earlier test)."""
    DECODED_TOKENS.clear()
    seen: list[str] = []
    decode = Token.decode.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Token], encoded_token: str, **options: Any) -> Token:
        seen.append(encoded_token)
        token: Token = decode(cls, encoded_token=encoded_token, **options)
        return token

    monkeypatch.setattr(Token, "decode", classmethod(counting))
    return seen


def _app(*, decode_first: bool) -> Litestar:
    """A handler behind the JWT middleware, and outside it (as the rate limiter is)
    a middleware that authenticates the caller first when ``decode_first``."""
    auth = bearer_auth(SECRET, exclude=["^/open$"])

    def early(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            header = dict(scope["headers"]).get(b"authorization", b"").decode()
            if decode_first:
                with suppress(NotAuthorizedException):
                    authenticate_header(auth, header, scope)
            await app(scope, receive, send)

        return middleware

    @get("/who", sync_to_thread=False)
    def who(request: Request[Principal, Any, Any]) -> str:
        return request.user.subject

    def outermost(config: Any) -> Any:
        config.middleware.insert(0, early)
        return config

    return Litestar([who], on_app_init=[auth.on_app_init, outermost])


@pytest.mark.parametrize("decode_first", [True, False])
def test_a_token_is_decoded_once_per_request(decodes: list[str], decode_first: bool) -> None:
    token = mint_token(SECRET, "ana@example.com", [Role.MEMBER])
    with TestClient(_app(decode_first=decode_first)) as client:
        answer = client.get("/who", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.text == "ana@example.com"
    assert decodes == [token]


def test_a_refused_token_is_refused_once(decodes: list[str]) -> None:
    token = mint_token(SECRET, "ana@example.com", [Role.MEMBER]) + "x"
    with TestClient(_app(decode_first=True)) as client:
        answer = client.get("/who", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
    assert decodes == [token]


def test_a_token_is_decoded_once_per_process_while_it_is_valid(decodes: list[str]) -> None:
    token = mint_token(SECRET, "ana@example.com", [Role.MEMBER])
    with TestClient(_app(decode_first=True)) as client:
        answers = [client.get("/who", headers={"Authorization": f"Bearer {token}"}) for _ in "abc"]
    assert [answer.text for answer in answers] == ["ana@example.com"] * 3
    assert decodes == [token]


def _context(if_match: str | None) -> CommandContext:
    principal = Principal(subject="ana@example.com", roles=frozenset())  # type: ignore[arg-type]
    return CommandContext(principal, "correlation", if_match=if_match, idempotency_key=None)


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ("*", None), ('"3"', 3), ("3", 3), ('W/"12"', 12)]
)
def test_if_match_names_the_expected_version(header: str | None, version: int | None) -> None:
    assert _context(header).expected_version == version


def test_a_malformed_if_match_is_refused_when_read() -> None:
    context = _context('"three"')
    with pytest.raises(ValidationException, match="If-Match must name an aggregate version"):
        _ = context.expected_version


class Rename(CommandBody):
    new_name: str


def test_a_command_body_is_camel_case_and_knows_every_field() -> None:
    assert msgspec.json.decode(b'{"newName": "x"}', type=Rename) == Rename(new_name="x")
    with pytest.raises(msgspec.ValidationError, match="unknown field `colour`"):
        msgspec.json.decode(b'{"newName": "x", "colour": "red"}', type=Rename)


def test_a_route_that_only_runs_its_command_reads_as_its_handwritten_handler() -> None:
    """Litestar reads the written handler as it read the one written by hand: the same
    name (the operation's id), the same parameters and the same types."""
    route = GoalController.revise_target
    assert route.handler_name == "revise_target"
    assert str(route) == "services.goals.rest.GoalController.revise_target"
    parameters = inspect.signature(route.fn).parameters
    assert list(parameters) == ["self", "goal_id", "data", "context", "goals"]
    hints = get_type_hints(route.fn, include_extras=True)
    assert (hints["goal_id"], hints["data"]) == (GoalId, JSONBody[ReviseTarget])
    assert hints["context"] == NamedDependency[CommandContext]
    assert hints["return"] == CommandAccepted


def test_command_routes_mark_their_body_and_dependencies_as_litestar_asks() -> None:
    """Litestar deprecates a ``data`` without a body marker and dependencies found by
    name alone: the written handlers and the handwritten ones (``revise``) say both."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", LitestarDeprecationWarning)
        Litestar(
            [GoalController, PrFaqController],
            dependencies={
                name: Provide(lambda: None, sync_to_thread=False)
                for name in ("context", "goals", "prfaqs")
            },
        )


def test_the_written_handler_hands_the_context_the_ids_and_the_body_to_the_command() -> None:
    calls: list[tuple[object, ...]] = []
    cycle, dissent = uuid4(), uuid4()

    def weigh(commands: object, context: CommandContext, *given: object) -> Outcome:
        calls.append((commands, context, *given))
        return Outcome(id=cycle, kind="AllocationCycle", version=4, position=17)

    weigh.__module__ = "services.allocation.commands"  # as an area's command method is
    route = command(
        "/{cycle_id:uuid}/dissents/{dissent_id:uuid}/weigh",
        summary="Weigh",
        runs=weigh,
        ids=[CycleId, DissentId],
        body=WeighDissent,
    )
    context = CommandContext(Principal("ceo@example.com", frozenset({Role.LEADERSHIP})), "c")
    body = WeighDissent(response="Heard")
    answer = route.fn(
        None, cycle_id=cycle, dissent_id=dissent, data=body, context=context, allocation="them"
    )
    assert calls == [("them", context, cycle, dissent, body)]
    assert (answer.id, answer.version, answer.position) == (cycle, 4, 17)


def test_a_route_refuses_ids_its_path_does_not_name_and_a_command_of_no_area() -> None:
    with pytest.raises(TypeError, match="cycle_id"):
        command("/{cycle_id:uuid}/phase", summary="Advance", runs=weigh_nothing, ids=[])
    with pytest.raises(TypeError, match="an area's command"):
        command("/", summary="Nothing", runs=weigh_nothing)


def weigh_nothing(commands: object, context: CommandContext) -> Outcome:
    raise AssertionError("never run")
