"""GraphiQL and the API docs in a real headless chromium with no network beyond the
loopback (tests/e2e/browser.py): every script comes from the server itself."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e import browser as browser_fixtures
from tests.e2e.browser import needs_browser
from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter

pytestmark = needs_browser
browser = browser_fixtures.browser
page = browser_fixtures.page

TIMEOUT_MS = 120_000  # a loaded machine parses megabytes of script slowly


def test_graphiql_runs_a_query_with_a_bearer_token(
    server: FlywheelServer, leadership: str, page: Any
) -> None:
    charter(server, leadership, "Browsers", "browsers@example.com")
    page.goto(
        f"{server.url}/graphql#token={leadership}",
        wait_until="domcontentloaded",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT_MS)
    assert "#token" not in page.url, "the token leaves the address bar"
    page.click(".graphiql-execute-button")
    response = page.locator(".graphiql-response")
    response.get_by_text("Browsers").wait_for(timeout=TIMEOUT_MS)
    text = response.inner_text()
    assert '"totalCount"' in text and "errors" not in text, text


def test_graphiql_without_a_token_shows_the_refusal(server: FlywheelServer, page: Any) -> None:
    page.goto(f"{server.url}/graphql", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    page.wait_for_selector(".graphiql-execute-button", timeout=TIMEOUT_MS)
    page.click(".graphiql-execute-button")
    page.locator(".graphiql-response").get_by_text("401").wait_for(timeout=TIMEOUT_MS)


def test_the_graphiql_page_links_nothing_outside(server: FlywheelServer) -> None:
    html = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"}).text
    assert "/static/graphiql-3.8.3/graphiql.min.js" in html
    assert "https://" not in html and "http://" not in html


def operations(server: FlywheelServer) -> list[dict[str, Any]]:
    document = httpx.get(f"{server.url}/schema/openapi.json", timeout=30).json()
    return [
        operation
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "summary" in operation
    ]


def test_the_api_reference_lists_the_operations(server: FlywheelServer, page: Any) -> None:
    listed = operations(server)
    assert len(listed) > 20
    page.goto(f"{server.url}/schema", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    sidebar = page.locator(".references-sidebar")
    # Every tag is a group in the sidebar; the first group is open and lists its operations.
    for tag in {tag for operation in listed for tag in operation.get("tags", [])}:
        sidebar.get_by_text(tag, exact=True).first.wait_for(timeout=TIMEOUT_MS)
    first_tag = listed[0]["tags"][0]
    for operation in listed:
        if operation["tags"][0] == first_tag:
            sidebar.get_by_text(operation["summary"], exact=True).first.wait_for(timeout=TIMEOUT_MS)


def test_swagger_ui_lists_the_operations(server: FlywheelServer, page: Any) -> None:
    listed = operations(server)
    page.goto(f"{server.url}/schema/swagger", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
    page.wait_for_selector(".opblock", timeout=TIMEOUT_MS)
    assert page.locator(".opblock").count() == len(listed)
    page.get_by_text("Every problem type").first.wait_for(timeout=TIMEOUT_MS)
