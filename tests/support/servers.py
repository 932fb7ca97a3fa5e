"""An ASGI app under uvicorn on a local port, in the tests' event loop."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

import pytest
import uvicorn
from starlette.applications import Starlette

from server.slow_clients import limit_concurrency, with_header_deadline


@dataclass(frozen=True)
class Server:
    url: str

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def websocket_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://")


@contextlib.asynccontextmanager
async def serving(
    app: Starlette,
    *,
    lifespan: Literal["on", "off"] = "on",
    port: int = 0,
    max_connections: int | None = None,
    header_timeout: float | None = None,
) -> AsyncIterator[Server]:
    """`app` served until the block ends; port 0 lets the OS choose a free one. Without its
    lifespan the app skips its start-up (database, workers): enough for what validation or
    the transport decides alone. `max_connections` and `header_timeout` are the server's bounds,
    as `serve` sets them."""
    limit = None if max_connections is None else limit_concurrency(max_connections)
    http = "auto" if header_timeout is None else with_header_deadline(header_timeout)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan=lifespan,
        limit_concurrency=limit,
        http=http,
    )
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    # uvicorn offers no event to wait on.
    while not instance.started:
        if task.done():
            task.result()
            pytest.fail("The server stopped during start-up")
        await asyncio.sleep(0.02)
    bound = instance.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(url=f"http://127.0.0.1:{bound}")
    finally:
        instance.should_exit = True
        await task
