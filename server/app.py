"""The Starlette application: GraphQL over HTTP and websockets, health, and start-up wiring."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route, WebSocketRoute

from server import (
    admin,
    downloads,
    embedded,
    health,
    memory,
    metrics,
    runtime,
    tracing,
    uploads,
)
from server.graphql import graphql_app
from server.http_metrics import HttpMetrics
from server.request_ids import RequestIds
from server.settings import Settings
from server.slow_clients import BodyPace, BodyReadTimeout
from services import accounts, attempts, crm, events
from services.core import database


async def to_admin_page(request: Request) -> RedirectResponse:
    """The service's own page is what a person opening its address wants."""
    return RedirectResponse(admin.PATH)


@contextlib.asynccontextmanager
async def _background(work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """`work` as a task of this process until the block ends."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.embedded:
            # Embedded mode sets itself up; production runs `crm-backup migrate` as a release step.
            await database.migrate(settings.database_url)
        await database.connect(settings.database_url)
        runtime.configure(settings)
        if settings.embedded and settings.seed_demo:
            await accounts.demo.seed_once()
        memory.collect_less_often()
        try:
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(_background(crm.relay_record_changes()))
                if settings.embedded:
                    await stack.enter_async_context(
                        embedded.background_jobs(settings.scheduler_interval_seconds)
                    )
                yield
        finally:
            await events.bus().close()
            await attempts.counter().close()
            await database.disconnect()
            metrics.process_ended()

    graphql = graphql_app(settings)
    # Outermost, so that every other middleware's log lines carry the request's id, and its
    # time counts in the request's.
    middleware = [*tracing.middleware(settings), Middleware(RequestIds), Middleware(HttpMetrics)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    # Inside CORS, so that a 408 carries its headers too.
    pace = BodyPace(settings.body_read_timeout_seconds, settings.body_min_bytes_per_second)
    middleware.append(Middleware(BodyReadTimeout, pace=pace))
    return Starlette(
        routes=[
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            Route("/", to_admin_page),
            *health.routes(settings.redis_url),
            *([metrics.route(settings.metrics_token_value)] if settings.metrics_enabled else []),
            *downloads.routes,
            *uploads.routes(settings.max_import_bytes),
            admin.mount(),
        ],
        middleware=middleware,
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
    )
