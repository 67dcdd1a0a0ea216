"""Which GraphQL errors keep their message when production masks errors."""

from __future__ import annotations

from graphql import GraphQLError

from services.graphql.errors import NOT_FOUND, client_error, is_client_error


def test_client_errors_are_shown_and_server_errors_masked() -> None:
    assert is_client_error(GraphQLError("Syntax Error: Unexpected Name"))
    raised = client_error("No such team", NOT_FOUND)
    assert is_client_error(GraphQLError(raised.message, original_error=raised))
    crash = RuntimeError("connection to server lost: password=hunter2")
    assert not is_client_error(GraphQLError(str(crash), original_error=crash))
