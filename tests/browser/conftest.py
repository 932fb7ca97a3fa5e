"""Browser fixtures: Chromium against the tests' real server (tests/support/browser.py)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    VIEWPORTS,
    AdminPage,
    Watched,
    require_chromium,
)
from tests.support.servers import Server


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture(params=list(VIEWPORTS))
async def admin_page(
    browser: Any, server: Server, db_kind: str, request: pytest.FixtureRequest
) -> AsyncIterator[AdminPage]:
    """The page at each size the team uses: a desktop's 1440x900 and a phone's 390x844."""
    viewport = request.param
    context = await browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    watched = Watched(origin=server.url)
    page.on("console", watched.console)
    page.on("pageerror", watched.page_error)
    page.on("request", watched.request)
    try:
        yield AdminPage(page, server, db_kind, watched, viewport)
    finally:
        await context.close()
    assert watched.errors == [], watched.errors
    assert watched.foreign_requests == [], "the page must only talk to the service"
