"""Slow clients are cut: headers not sent in time close the connection, a stalled or trickled
body is answered 408 and its connection closed, and connections beyond the bound are answered
503. Raw connections to a real server of the tests' own, with small bounds; the app's lifespan
is not needed, as the transport decides."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pydantic import ValidationError

from server.app import create_app
from server.settings import Settings
from tests.support.servers import Server, serving
from tests.support.settings import isolated_settings
from tests.support.slow_clients import post_head, raw_connection, typename_body
from tests.support.tenants import Tenant
from tests.support.websocket import signed_in

GAP = 0.5
MIN_RATE = 20  # bytes per second
MARGIN = 1.5  # for a shared, busy test machine


@pytest.fixture
async def paced(settings: Settings) -> AsyncIterator[Server]:
    bounds = {"body_read_timeout_seconds": GAP, "body_min_bytes_per_second": MIN_RATE}
    async with serving(create_app(settings.model_copy(update=bounds)), lifespan="off") as running:
        yield running


async def test_stalled_body_is_cut(paced: Server) -> None:
    async with raw_connection(paced.url) as connection:
        await connection.send(post_head(100) + b'{"query": ')
        started = time.monotonic()
        assert await connection.status(seconds=GAP + MARGIN) == 408
        assert await connection.closed_by_server(seconds=MARGIN)
        assert GAP * 0.9 <= time.monotonic() - started <= GAP + MARGIN


async def test_trickled_body_is_cut_though_each_piece_is_in_time(paced: Server) -> None:
    # One byte every half gap: never a gap too long, but 4 bytes/s against the 20 required.
    async with raw_connection(paced.url) as connection:
        await connection.send(post_head(100))
        trickling = asyncio.create_task(connection.trickle(b"x" * 100, piece=1, every=GAP / 2))
        try:
            assert await connection.status(seconds=GAP + MARGIN) == 408
            assert await connection.closed_by_server(seconds=MARGIN)
        finally:
            trickling.cancel()


async def test_slow_body_within_the_bounds_is_answered(paced: Server) -> None:
    # Several gaps long in all, each piece in time and faster on average than the minimum.
    every = GAP * 0.6
    piece = int(MIN_RATE * every) + 4
    body = typename_body(padding=30)
    assert len(body) / piece * every > 3 * GAP
    async with raw_connection(paced.url) as connection:
        await connection.send(post_head(len(body)))
        await connection.trickle(body, piece=piece, every=every)
        assert await connection.status(seconds=MARGIN) == 200


@pytest.fixture
async def header_deadline(settings: Settings) -> AsyncIterator[Server]:
    async with serving(create_app(settings), lifespan="off", header_timeout=GAP) as running:
        yield running


async def test_headers_not_sent_in_time_close_the_connection(header_deadline: Server) -> None:
    head = post_head(10)
    async with raw_connection(header_deadline.url) as connection:
        await connection.send(head[:20])  # the request line, then nothing
        started = time.monotonic()
        assert await connection.closed_by_server(seconds=GAP + MARGIN)
        assert GAP * 0.5 <= time.monotonic() - started <= GAP + MARGIN
    async with raw_connection(header_deadline.url) as connection:
        # A connection that sends nothing at all is closed alike.
        assert await connection.closed_by_server(seconds=GAP + MARGIN)


async def test_headers_in_time_and_the_next_request_are_answered(header_deadline: Server) -> None:
    body = typename_body()
    request = post_head(len(body)) + body
    async with raw_connection(header_deadline.url) as connection:
        await connection.trickle(request, piece=len(request) // 3 + 1, every=GAP / 4)
        assert await connection.status(seconds=MARGIN) == 200
        assert b"__typename" in await connection.rest_of_response(seconds=MARGIN)
        await asyncio.sleep(GAP / 2)  # idle between requests, within keep-alive
        await connection.send(request)
        assert await connection.status(seconds=MARGIN) == 200


async def test_a_websocket_outlives_the_header_deadline(
    header_deadline: Server, tenant: Tenant
) -> None:
    async with signed_in(header_deadline.websocket_url, tenant.super_admin) as socket:
        await asyncio.sleep(GAP * 3)
        operation = await socket.subscribe("{ me { user { role } } }")
        [payload] = await socket.payloads_until_complete(operation)
        assert payload["data"]["me"]["user"]["role"] == "SUPER_ADMIN"


async def test_connections_beyond_the_bound_are_answered_503(settings: Settings) -> None:
    body = typename_body()
    request = post_head(len(body)) + body
    app = create_app(settings)
    async with (
        serving(app, lifespan="off", max_connections=2) as running,
        raw_connection(running.url) as idle,
        raw_connection(running.url) as second,
    ):
        await second.send(request)
        assert await second.status(seconds=MARGIN) == 200
        async with raw_connection(running.url) as third:
            await third.send(request)
            assert await third.status(seconds=MARGIN) == 503
        del idle  # held open only to count


@pytest.mark.parametrize(
    "values",
    [
        {"header_read_timeout_seconds": 0},
        {"body_read_timeout_seconds": 0},
        {"body_read_timeout_seconds": 3600},
        {"body_min_bytes_per_second": 0},
        {"max_connections": 0},
    ],
)
def test_settings_refuse_bounds_that_bound_nothing(values: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=r"greater than|less than"):
        isolated_settings(**values)
