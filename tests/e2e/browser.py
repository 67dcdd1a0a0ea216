"""A real headless browser for the pages the server serves: Debian's chromium,
driven by Playwright with its executable path set (no browser downloads here).

Tests that use the ``page`` fixture are skipped, saying why, where chromium or
Playwright is missing (``apt-get install chromium``; ``pip install -e '.[dev]'``).
The browser runs with no network beyond the loopback: pages must not need a CDN.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Chromium reaches for Google's hosts at start and in the background; this machine's
# network refuses them, and the pages under test must work without them anyway.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _why_no_browser() -> str | None:
    if CHROMIUM is None:
        return "chromium is not installed (Debian: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return None


WHY_NO_BROWSER = _why_no_browser()

LOOPBACK = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:", "file:")

needs_browser = pytest.mark.skipif(WHY_NO_BROWSER is not None, reason=WHY_NO_BROWSER or "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium per test module."""
    if WHY_NO_BROWSER is not None:
        pytest.skip(WHY_NO_BROWSER)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page whose requests may reach only the loopback: any other host fails
    the test, so a page that needs the internet cannot pass here."""
    context = browser.new_context()
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        url: str = route.request.url
        if url.startswith(LOOPBACK):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    opened = context.new_page()
    yield opened
    context.close()
    assert not outside, f"the page reached outside the loopback: {outside}"
