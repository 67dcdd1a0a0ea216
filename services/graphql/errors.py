"""GraphQL errors that keep a machine-readable ``extensions.code``.

Codes follow Apollo's conventions, which GraphQL clients and tools understand:
``BAD_USER_INPUT`` for anything wrong with the query's arguments, with a
``reason`` naming the case (``NOT_FOUND``, ``POSITION_NOT_REACHED``), and
``FORBIDDEN`` when the caller's roles do not allow a field.
"""

from __future__ import annotations

from graphql import GraphQLError

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
