"""GraphQL errors that keep a machine-readable ``extensions.code``.

Codes follow Apollo's conventions, which GraphQL clients and tools understand:
``BAD_USER_INPUT`` for anything wrong with the query's arguments, with a
``reason`` naming the case (``NOT_FOUND``, ``POSITION_NOT_REACHED``), and
``FORBIDDEN`` when the caller's roles do not allow a field.
"""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSyntaxError

BAD_USER_INPUT = "BAD_USER_INPUT"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"  # a reason of BAD_USER_INPUT
POSITION_NOT_REACHED = "POSITION_NOT_REACHED"  # a reason of BAD_USER_INPUT

CLIENT_ERROR_CODES = frozenset(
    {
        BAD_USER_INPUT,
        FORBIDDEN,
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "QUERY_TOO_COMPLEX",
    }
)


def client_error(message: str, reason: str | None = None) -> GraphQLError:
    """A refusal of the query's input; ``reason`` says which kind, for clients."""
    extensions = {"code": BAD_USER_INPUT}
    if reason is not None:
        extensions["reason"] = reason
    return GraphQLError(message, extensions=extensions)


def forbidden(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": FORBIDDEN})


def is_client_error(error: GraphQLError) -> bool:
    """Client errors keep their message when errors are masked in production."""
    original = error.original_error
    if original is None:
        return True  # syntax and validation errors describe the query, not the server
    extensions = error.extensions or {}
    if extensions.get("code") in CLIENT_ERROR_CODES:
        return True
    return (
        isinstance(original, GraphQLError)
        and (original.extensions or {}).get("code") in CLIENT_ERROR_CODES
    )


# Codes for errors raised before execution, named as Apollo Server names them.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
BAD_REQUEST = "BAD_REQUEST"  # the HTTP request itself: not JSON, no query, batched...
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
RATE_LIMITED = "RATE_LIMITED"
MASKED_MESSAGE = "Unexpected error."  # what production answers for an internal error

# Reasons that say which limit refused a query (the code says at which stage).
MAX_TOKENS = "MAX_TOKENS"
MAX_DEPTH = "MAX_DEPTH"
MAX_ALIASES = "MAX_ALIASES"

# Codes of errors that stop a request before anything runs: the GraphQL-over-HTTP
# answer then has no ``data`` and a 4xx status (application/graphql-response+json).
PRE_EXECUTION_CODES = frozenset(
    {
        PARSE_FAILED,
        VALIDATION_FAILED,
        QUERY_TOO_COMPLEX,
        PERSISTED_QUERY_NOT_FOUND,
        PERSISTED_QUERY_NOT_IN_LIST,
        RATE_LIMITED,
    }
)


def _limit_reason(message: str) -> str | None:
    lowered = message.lower()
    if "tokens" in lowered and "parsing aborted" in lowered:
        return MAX_TOKENS
    if "exceeds maximum operation depth" in lowered:
        return MAX_DEPTH
    if "aliases found" in lowered:
        return MAX_ALIASES
    return None


def code_of(error: GraphQLError) -> str:
    """The ``extensions.code`` an error carries, given one when it has none.

    A syntax error (or too many tokens) is ``GRAPHQL_PARSE_FAILED``; an error with
    no response path and no cause is a validation rule's (depth and alias limits
    included): ``GRAPHQL_VALIDATION_FAILED``; a variable's value that does not fit
    its type is ``BAD_USER_INPUT``; anything else a field raised unexpectedly is
    ``INTERNAL_SERVER_ERROR``. Codes set where the error was raised are kept.
    """
    extensions = error.extensions if error.extensions is not None else {}
    code = extensions.get("code")
    if code is None and isinstance(error.original_error, GraphQLError):
        code = (error.original_error.extensions or {}).get("code")
    if code is None:
        if isinstance(error, GraphQLSyntaxError):
            code = PARSE_FAILED
        elif error.message == MASKED_MESSAGE:
            code = INTERNAL_SERVER_ERROR
        elif error.path is None and error.message.startswith("Variable '$"):
            code = BAD_USER_INPUT
        elif error.path is None and error.original_error is None:
            code = VALIDATION_FAILED
        else:
            code = INTERNAL_SERVER_ERROR
    reason = _limit_reason(error.message) if code in (PARSE_FAILED, VALIDATION_FAILED) else None
    if reason is not None:
        extensions = {**extensions, "reason": extensions.get("reason", reason)}
    error.extensions = {**extensions, "code": code}
    return str(code)


def request_error(message: str, code: str = BAD_REQUEST) -> dict[str, object]:
    """A GraphQL-over-HTTP request error: the request never reached GraphQL."""
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
