"""`crm-backup serve` as `make run` starts it, and the README's minimal client run from a page of
another origin: CORS_ORIGINS lets that origin in over HTTP and websockets, and no other."""

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import DESKTOP, TIMEOUT_MS
from tests.support.cross_origin import (
    allowed_origin,
    crm_backup_serve,
    demo_admin_page,
    origin,
    refused_origin,
)
from tests.support.network import free_port


async def test_make_run_and_a_client_of_another_origin(
    browser: Any, db_kind: str, tmp_path: Path
) -> None:
    if db_kind != "sqlite":
        pytest.skip("runs once, in the SQLite pass: it starts its own server, embedded")
    allowed, refused = free_port(), free_port()
    async with crm_backup_serve(tmp_path, origin(allowed)) as served:
        assert f"Admin page at {served.url}/admin" in served.lines
        context = await browser.new_context(viewport=DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            await demo_admin_page(context, served)
            await allowed_origin(context, served, allowed)
            await refused_origin(context, served, refused)
        finally:
            await context.close()
