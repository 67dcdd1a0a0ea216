"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal names its ``type`` (a path under ``/problems`` that documents it),
a ``title``, the HTTP ``status``, a ``detail`` for humans and, for a broken
domain rule, a stable machine-readable ``rule``. ``GET /problems`` lists them.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import Request, Response, get
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from domain.errors import InvalidValue, NotFound, RuleViolation
from projections.connection import CONNECTION_LOST
from services.commands import ConcurrentChange, Forbidden, VersionMismatch
from services.observability import count_command

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 2


class ProblemDetails(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details, with Flywheel's extension members."""

    type: str
    title: str
    status: int
    detail: str = ""
    instance: str | None = None
    rule: str | None = msgspec.field(default=None)
    field: str | None = None
    errors: list[dict[str, Any]] | None = None
    correlation_id: str | None = msgspec.field(default=None, name="correlationId")


# type slug -> (title, explanation). Rule violations are listed from the domain.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "invalid-input": (
        "Invalid input",
        "The request is malformed, or a value is missing, of the wrong type or out of range. "
        "`errors` or `field` says which. Nothing was recorded.",
    ),
    "unauthenticated": (
        "Authentication required",
        "Send `Authorization: Bearer <token>` with a valid, unexpired token "
        "(`flywheel token --subject you@example.com --role member`).",
    ),
    "forbidden": (
        "Not allowed",
        "The token is valid, but neither its roles nor the caller's leadership of the team "
        "allow this command.",
    ),
    "not-found": ("Not found", "An id in the path or the body names nothing of its kind."),
    "unsupported-media-type": (
        "Unsupported media type",
        "A command body must be JSON: `Content-Type: application/json` (or another "
        "`application/*+json` type). Nothing was recorded.",
    ),
    "headers-too-large": (
        "Request header fields too large",
        "The request line or the header section is longer than the server reads "
        "(docs/SECURITY.md, Limits); the connection is closed.",
    ),
    "version-mismatch": (
        "Version mismatch",
        "`If-Match` named a version the aggregate is no longer at. Read it again and retry.",
    ),
    "idempotency-key-reused": (
        "Idempotency key reused",
        "The `Idempotency-Key` was already used by this caller for a request with a different "
        "method, path or body. Use a new key for a new command.",
    ),
    "request-in-progress": (
        "Request in progress",
        "A request with the same `Idempotency-Key` is still running. Retry after `Retry-After`.",
    ),
    "rate-limited": (
        "Too many requests",
        "The caller sent more requests this minute than `RateLimit-Limit` allows. Retry after "
        "`Retry-After` seconds; `RateLimit-Remaining` shows the budget left.",
    ),
    "unavailable": (
        "Temporarily unavailable",
        "The database cannot be reached right now. Retry after the `Retry-After` seconds.",
    ),
    "internal-error": ("Internal error", "Something failed on the server; it has been logged."),
}


def problem_response(
    request: Request[Any, Any, Any] | None,
    slug: str,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **members: Any,
) -> Response[ProblemDetails]:
    if request is not None:
        count_command(request.method, request.url.path, status, members.get("rule"))
    problem = ProblemDetails(
        type=f"/problems/{slug}",
        title=title or PROBLEM_TYPES.get(slug, ("Error", ""))[0],
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        correlation_id=_correlation_id(request),
        **members,
    )
    return Response(problem, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _correlation_id(request: Request[Any, Any, Any] | None) -> str | None:
    if request is None:
        return None
    value: str | None = request.scope.get("state", {}).get("correlation_id")
    return value


def _rule_title(rule: str) -> str:
    return rule.replace("-", " ").capitalize()


def on_rule_violation(request: Request[Any, Any, Any], error: RuleViolation) -> Response[Any]:
    retry = {"Retry-After": str(error.retry_after)} if isinstance(error, ConcurrentChange) else None
    return problem_response(
        request,
        error.rule,
        409,
        error.detail,
        title=_rule_title(error.rule),
        headers=retry,
        rule=error.rule,
    )


def on_invalid_value(request: Request[Any, Any, Any], error: InvalidValue) -> Response[Any]:
    return problem_response(request, "invalid-input", 400, error.detail, field=error.field)


def on_validation(request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    errors = error.extra if isinstance(error.extra, list) else None
    if errors:
        body_type = _body_type(request)
        for each in errors:
            if isinstance(each, dict) and isinstance(each.get("message"), str):
                key = each.get("key")
                at = f".{key}" if isinstance(key, str) and key != "data" else ""
                each["message"] = explained(each["message"], body_type, at)
    detail = "; ".join(str(e.get("message", e)) for e in errors) if errors else error.detail
    return problem_response(request, "invalid-input", 400, detail, errors=errors)


UNKNOWN_FIELD = re.compile(r"Object contains unknown field `[^`]*`(?: - at `\$(?P<path>[^`]*)`)?$")
BAD_ENUM = re.compile(r"Invalid enum value .*?(?: - at `\$(?P<path>[^`]*)`)?$")
PATH_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def _body_type(request: Request[Any, Any, Any]) -> Any:
    """The type a command's body decodes into (its handler's ``data``), if any."""
    try:
        field = request.route_handler.parsed_fn_signature.parameters.get("data")
    except (AttributeError, KeyError):
        return None
    return None if field is None else field.annotation


def explained(message: str, body_type: Any, at: str = "") -> str:
    """msgspec's words for an unknown field or a bad enum value, followed by what the
    body expects there: the field names an object takes, the values an enum allows.
    ``at`` is the path when the message does not end with it (Litestar moves it to
    the error's ``key``)."""
    if body_type is None:
        return message
    unknown, bad_enum = UNKNOWN_FIELD.fullmatch(message), BAD_ENUM.fullmatch(message)
    match = unknown or bad_enum
    if match is None:
        return message
    try:
        path = match.group("path") or at
        found = _type_at(msgspec.inspect.type_info(body_type), path)
    except (TypeError, ValueError):
        return message
    if unknown is not None:
        struct = _member(found, msgspec.inspect.StructType)
        if struct is not None:
            names = ", ".join(f"`{field.encode_name}`" for field in struct.fields)
            return f"{message}; expected only {names}"
        return message
    choices = _choices(found)
    return f"{message}; expected one of {', '.join(choices)}" if choices else message


def _member(info: Any, kind: type) -> Any:
    if isinstance(info, kind):
        return info
    if isinstance(info, msgspec.inspect.UnionType):
        return next((t for t in info.types if isinstance(t, kind)), None)
    return None


def _choices(info: Any) -> list[str]:
    enum = _member(info, msgspec.inspect.EnumType)
    if enum is not None:
        return [f"`{member.value}`" for member in enum.cls]
    literal = _member(info, msgspec.inspect.LiteralType)
    return [f"`{value}`" for value in literal.values] if literal is not None else []


def _type_at(info: Any, path: str) -> Any:
    """The type at a msgspec error path (``.items[0].kind``) inside ``info``."""
    for name, index in PATH_STEP.findall(path):
        if isinstance(info, msgspec.inspect.UnionType):
            wanted = msgspec.inspect.StructType if name else msgspec.inspect.ListType
            info = _member(info, wanted) or _member(info, msgspec.inspect.DictType)
        if name and isinstance(info, msgspec.inspect.StructType):
            info = next((f.type for f in info.fields if f.encode_name == name), None)
        elif name and isinstance(info, msgspec.inspect.DictType):
            info = info.value_type
        elif index and isinstance(
            info, (msgspec.inspect.ListType, msgspec.inspect.SetType, msgspec.inspect.FrozenSetType)
        ):
            info = info.item_type
        else:
            return None
    return info


def on_not_found(
    request: Request[Any, Any, Any], error: NotFound | NotFoundException
) -> Response[Any]:
    return problem_response(request, "not-found", 404, error.detail)


def on_unauthenticated(
    request: Request[Any, Any, Any], error: NotAuthorizedException
) -> Response[Any]:
    return problem_response(
        request,
        "unauthenticated",
        401,
        error.detail or "Authentication required",
        headers={"WWW-Authenticate": 'Bearer realm="flywheel"'},
    )


def on_forbidden(
    request: Request[Any, Any, Any], error: Forbidden | PermissionDeniedException
) -> Response[Any]:
    return problem_response(request, "forbidden", 403, error.detail)


def on_version_mismatch(request: Request[Any, Any, Any], error: VersionMismatch) -> Response[Any]:
    return problem_response(request, "version-mismatch", 412, error.detail)


def on_unavailable(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.warning("database unavailable: %s", error)
    return problem_response(
        request,
        "unavailable",
        503,
        "The database cannot be reached right now",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def on_http_exception(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    slug = {
        400: "invalid-input",
        401: "unauthenticated",
        403: "forbidden",
        404: "not-found",
        415: "unsupported-media-type",
    }
    status = error.status_code
    return problem_response(
        request,
        slug.get(status, "internal-error" if status >= 500 else "invalid-input"),
        status,
        error.detail,
        title=None if status in slug else _rule_title(str(error.detail or "Error")),
        headers=error.headers,
    )


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unexpected error", exc_info=error)
    return problem_response(
        request, "internal-error", HTTP_500_INTERNAL_SERVER_ERROR, "An unexpected error occurred"
    )


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    RuleViolation: on_rule_violation,
    InvalidValue: on_invalid_value,
    ValidationException: on_validation,
    NotFound: on_not_found,
    NotFoundException: on_not_found,
    NotAuthorizedException: on_unauthenticated,
    Forbidden: on_forbidden,
    PermissionDeniedException: on_forbidden,
    VersionMismatch: on_version_mismatch,
    OperationalError: on_unavailable,
    InterfaceError: on_unavailable,
    **dict.fromkeys(CONNECTION_LOST, on_unavailable),
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}

_DESCRIPTIONS = {
    400: "Malformed or invalid input; nothing was recorded.",
    401: "No token, or a bad or expired one.",
    403: "The caller may not run this command.",
    404: "An id names nothing of its kind.",
    409: "A domain rule or a concurrent change refused the command; `rule` says which "
    "(`concurrent-change` comes with `Retry-After`). Also a request whose `Idempotency-Key` "
    "is still being processed (`request-in-progress`).",
    412: "`If-Match` named a stale version.",
    413: "The request body is larger than 1 MiB.",
    414: "The request line is longer than 8 KiB; the connection is closed.",
    415: "The body is not JSON (`Content-Type: application/json`).",
    422: "The `Idempotency-Key` was already used for a different request.",
    429: "Over the caller's rate limit; retry after `Retry-After` seconds.",
    431: "The request line and headers are longer than 64 KiB; the connection is closed.",
    503: "The database is unreachable; retry after `Retry-After` seconds.",
}


# Any request can meet the limits on its request line and head (services/api/http_limits.py).
EVERY_ROUTE = (414, 431)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries documenting the problem responses a route can give."""
    return {
        status: ResponseSpec(
            data_container=ProblemDetails,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in sorted({*statuses, *EVERY_ROUTE})
    }


class ProblemType(msgspec.Struct):
    type: str
    title: str
    explanation: str
    rule: str | None = None


def problem_catalogue() -> list[ProblemType]:
    listed = [
        ProblemType(type=f"/problems/{slug}", title=title, explanation=text)
        for slug, (title, text) in PROBLEM_TYPES.items()
    ]
    for rule, violation in RuleViolation.catalogue().items():
        listed.append(
            ProblemType(
                type=f"/problems/{rule}",
                title=_rule_title(rule),
                explanation=" ".join((violation.__doc__ or "").split()),
                rule=rule,
            )
        )
    return listed


@get("/problems", exclude_from_auth=True, tags=["Problems"], summary="Every problem type")
async def list_problems() -> list[ProblemType]:
    return problem_catalogue()


@get(
    "/problems/{slug:str}",
    exclude_from_auth=True,
    tags=["Problems"],
    summary="One problem type, with what it means",
    responses=problem_responses(404),
)
async def show_problem(slug: FromPath[str]) -> ProblemType:
    for problem in problem_catalogue():
        if problem.type == f"/problems/{slug}":
            return problem
    raise NotFoundException(f"No problem type {slug!r}")
