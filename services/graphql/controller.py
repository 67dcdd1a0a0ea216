"""The Litestar controller that serves ``/graphql``: strawberry's, made cheaper per request.

* Answers are encoded with msgspec, several times faster than ``json.dumps``
  on a large answer.
* A body or ``variables`` nested too deeply for the JSON decoder is a bad request
  (400, as strawberry answers malformed JSON), not a ``RecursionError``.
* Websockets (``graphql-transport-ws``, for subscriptions) are authenticated once, by
  the bearer token sent in ``connection_init`` (``{"Authorization": "Bearer ..."}``);
  a missing or invalid token closes the socket with 4403.
* Strawberry makes the per-request ``Response`` in a worker thread
  (``sync_to_thread=True``); building an empty response needs no thread, and the
  hop costs a thread switch on every request.
* The HTTP handlers take one dependency, the context, which is given the request and
  its response: strawberry's take the context, the root value and the response,
  which Litestar resolves side by side in an anyio task group of three tasks, on
  every request (about a twentieth of a small read's CPU).

GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/):

* Every error carries ``extensions.code`` (:func:`services.graphql.errors.code_of`).
* A request that fails before GraphQL runs (JSON that does not parse, no query,
  a batch, a document with several operations and no ``operationName``, another
  content type) answers JSON ``{"errors": [...]}`` with code ``BAD_REQUEST`` (or
  ``UNSUPPORTED_MEDIA_TYPE``, 415), not strawberry's ``text/plain``.
* ``Accept: application/graphql-response+json`` gets that media type and the
  spec's status codes: 200 once execution started, 4xx when the document was
  refused before it (parse, validation, limits, persisted queries), with no
  ``data`` entry. ``application/json`` keeps 200 for every well-formed request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Request, Response, WebSocket, get, post
from litestar.background_tasks import BackgroundTasks
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from litestar.status_codes import HTTP_200_OK
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import HTTPException  # strawberry answers it with its status
from strawberry.litestar import make_graphql_controller
from strawberry.litestar.controller import GraphQLController
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from services.auth import authenticate_header
from services.graphql.context import FlywheelContext
from services.graphql.errors import (
    BAD_REQUEST,
    PERSISTED_QUERY_NOT_FOUND,
    PRE_EXECUTION_CODES,
    RATE_LIMITED,
    code_of,
    request_error,
)
from services.graphql.persisted import PersistedQueries

_encode = msgspec.json.Encoder().encode

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
# Where the spec leaves the 4xx to the server: what each refusal before execution answers.
PRE_EXECUTION_STATUS = {PERSISTED_QUERY_NOT_FOUND: 404, RATE_LIMITED: 429}
STATUS_KEY = "graphql_status"  # request.state: the status the answer asks for


def wants_graphql_response(request: Request[Any, Any, Any]) -> bool:
    """Whether the client accepts ``application/graphql-response+json`` (any q > 0)."""
    for part in request.headers.get("accept", "").split(","):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        if media_type.lower() == GRAPHQL_RESPONSE_JSON:
            return not any(param.replace(" ", "") in ("q=0", "q=0.0") for param in params)
    return False


def graphql_http_response(
    request: Request[Any, Any, Any], result: ExecutionResult
) -> GraphQLHTTPResponse:
    """The answer to one operation, each error given its code, and the status it sets."""
    codes = [code_of(error) for error in result.errors or ()]
    refused = result.data is None and bool(codes) and all(c in PRE_EXECUTION_CODES for c in codes)
    modern = wants_graphql_response(request)
    answer: dict[str, Any] = {} if refused and modern else {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        answer["extensions"] = result.extensions
    if refused and modern:
        request.state[STATUS_KEY] = next(
            (PRE_EXECUTION_STATUS[c] for c in codes if c in PRE_EXECUTION_STATUS), 400
        )
    return answer  # type: ignore[return-value]


def _response() -> Response[Any]:
    return Response({}, background=BackgroundTasks([]))


def http_context(custom_context: NamedDependency[Any], request: Request[Any, Any, Any]) -> Any:
    """The request's context (``graphql_context``'s), given the request and a fresh
    response, as strawberry's context getter does for a ``BaseContext``."""
    custom_context.request = request
    custom_context.response = _response()
    return custom_context


def websocket_context(
    socket: WebSocket[Any, Any, Any], runtime: NamedDependency[Any]
) -> FlywheelContext:
    """A websocket's context, shared by its operations; the caller is set by
    ``connection_init``."""
    return FlywheelContext(runtime=runtime, principal=None, websocket=socket)


def bearer_of(params: dict[str, Any] | None) -> str | None:
    """The ``Authorization`` value sent in ``connection_init``'s payload."""
    for name, value in (params or {}).items():
        if isinstance(name, str) and name.lower() == "authorization" and isinstance(value, str):
            return value
    return None


def graphql_controller(
    schema: BaseSchema,
    *,
    graphql_ide: str | None,
    context_getter: Callable[..., Any],
    persisted: PersistedQueries | None = None,
    ide_html: str | None = None,
) -> type[GraphQLController]:
    persisted_queries = persisted if persisted is not None else PersistedQueries()
    base = make_graphql_controller(
        schema,
        path="/graphql",
        graphql_ide=graphql_ide,  # type: ignore[arg-type]
        context_getter=context_getter,
    )

    class FlywheelGraphQLController(base):  # type: ignore[valid-type,misc]
        dependencies = {
            **base.dependencies,
            "response": Provide(_response, sync_to_thread=False),
            "context": Provide(http_context, sync_to_thread=False),
            "context_ws": Provide(websocket_context, sync_to_thread=False),
        }
        include_in_schema = False  # GraphQL is described by its own schema, not OpenAPI

        @property
        def graphql_ide_html(self) -> str:
            return ide_html if ide_html is not None else str(super().graphql_ide_html)

        async def on_ws_connect(self, context: Any) -> UnsetType | dict[str, object] | None:
            """Authenticate the websocket by the token in ``connection_init``."""
            try:
                context.principal = authenticate_header(
                    context.runtime.auth, bearer_of(context.connection_params)
                )
            except NotAuthorizedException as refusal:
                raise ConnectionRejectionError({"message": refusal.detail}) from None
            return await super().on_ws_connect(context)

        @get(raises=[ValidationException, NotFoundException])
        async def handle_http_get(
            self, request: Request[Any, Any, Any], context: NamedDependency[Any]
        ) -> Response[Any]:
            return await self._handle(request, context)

        @post(status_code=HTTP_200_OK)
        async def handle_http_post(
            self, request: Request[Any, Any, Any], context: NamedDependency[Any]
        ) -> Response[Any]:
            return await self._handle(request, context)

        async def _handle(self, request: Request[Any, Any, Any], context: Any) -> Response[Any]:
            # Read back by ``get_sub_response`` before ``run`` first awaits anything.
            self.temporal_response = context.response
            return await self.execute_request(request, context=context, root_value=None)

        def encode_json(self, data: object) -> bytes:
            return _encode(data)

        async def execute_single(  # type: ignore[override]
            self,
            request: Request[Any, Any, Any],
            request_adapter: Any,
            sub_response: Any,
            context: Any,
            root_value: Any,
            request_data: GraphQLRequestData,
        ) -> ExecutionResult:
            resolved = persisted_queries.resolve(request_data)
            if isinstance(resolved, ExecutionResult):
                return resolved
            result: ExecutionResult = await super().execute_single(
                request, request_adapter, sub_response, context, root_value, resolved
            )
            return result

        async def process_result(
            self, request: Request[Any, Any, Any], result: ExecutionResult
        ) -> GraphQLHTTPResponse:
            return graphql_http_response(request, result)

        async def execute_request(
            self, request: Request[Any, Any, Any], context: Any, root_value: Any
        ) -> Response[Any]:
            media_type = GRAPHQL_RESPONSE_JSON if wants_graphql_response(request) else JSON
            try:
                response: Response[Any] = await self.run(
                    request, context=context, root_value=root_value
                )
            except HTTPException as refusal:
                status, code = refusal.status_code, BAD_REQUEST
                if refusal.reason == "Unsupported content type":
                    status, code = 415, UNSUPPORTED_MEDIA_TYPE
                return Response(
                    _encode(request_error(_request_error_message(refusal.reason), code)),
                    status_code=status,
                    media_type=media_type,
                )
            if response.media_type == JSON:
                response.media_type = media_type
                response.status_code = request.state.get(STATUS_KEY, response.status_code)
            return response

        def parse_json(self, data: str | bytes) -> Any:
            try:
                return super().parse_json(data)
            except RecursionError:
                raise HTTPException(400, "The request's JSON is nested too deeply") from None

    return FlywheelGraphQLController


def _request_error_message(reason: str) -> str:
    if reason == "Unsupported content type":
        return "A GraphQL request is JSON (`Content-Type: application/json`) or a GET"
    if reason == "Can't get GraphQL operation type":
        return (
            "Say which operation to run: the document holds several (or none), "
            "and `operationName` names none of them"
        )
    return reason
