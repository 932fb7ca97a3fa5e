"""Browser fixtures: Chromium against the tests' real server (tests/support/browser.py)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    TIMEOUT_MS,
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


@pytest.fixture
async def admin_page(browser: Any, server: Server, db_kind: str) -> AsyncIterator[AdminPage]:
    context = await browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    watched = Watched(origin=server.url)
    page.on("console", watched.console)
    page.on("pageerror", watched.page_error)
    page.on("request", watched.request)
    try:
        yield AdminPage(page, server, db_kind, watched)
    finally:
        await context.close()
    assert watched.errors == [], watched.errors
    assert watched.foreign_requests == [], "the page must only talk to the service"
