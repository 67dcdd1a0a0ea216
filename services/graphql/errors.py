"""GraphQL errors that keep a machine-readable ``extensions.code``."""

from __future__ import annotations

from graphql import GraphQLError

BAD_USER_INPUT = "BAD_USER_INPUT"
NOT_FOUND = "NOT_FOUND"
FORBIDDEN = "FORBIDDEN"
POSITION_NOT_REACHED = "POSITION_NOT_REACHED"

CLIENT_ERROR_CODES = frozenset(
    {
        BAD_USER_INPUT,
        NOT_FOUND,
        FORBIDDEN,
        POSITION_NOT_REACHED,
        "GRAPHQL_VALIDATION_FAILED",
        "GRAPHQL_PARSE_FAILED",
        "QUERY_TOO_COMPLEX",
    }
)


def client_error(message: str, code: str = BAD_USER_INPUT) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


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
