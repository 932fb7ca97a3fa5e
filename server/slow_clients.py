"""Bounds on slow clients: how long a request's headers and body may take to arrive, and how
many connections are served at once.

uvicorn 0.54 times nothing out while a request is being read (its keep-alive timeout runs
only between requests). The body is bounded here, in the app; the headers reach no app code,
so they are bounded in uvicorn's HTTP protocol (`with_header_deadline`); the number of open
connections by uvicorn's `limit_concurrency`.
"""

import asyncio
import logging
import time
from dataclasses import dataclass

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BodyPace:
    """How slowly a request body may arrive: no piece may take longer than `gap_seconds`,
    and after that first grace the body must average `min_bytes_per_second`. The whole
    read is so bounded in proportion to the body's size, which the body caps bound in turn:
    a large upload at a normal speed is never cut, a trickle one byte per gap is."""

    gap_seconds: float
    min_bytes_per_second: float

    def wait_allowed(self, started: float, received: int, now: float) -> float:
        """Seconds the next piece may take, `received` bytes having come since `started`."""
        rate_deadline = started + self.gap_seconds + received / self.min_bytes_per_second
        return min(self.gap_seconds, rate_deadline - now)


class BodyTimedOut(Exception):
    """The request body stopped arriving, or arrives too slowly."""


class _PacedBody:
    """The app's `receive`, timed while the body is still arriving and passed through after."""

    def __init__(self, receive: Receive, pace: BodyPace) -> None:
        self._receive = receive
        self._pace = pace
        self._started: float | None = None
        self._received = 0
        self._complete = False

    async def receive(self) -> Message:
        if self._complete:
            return await self._receive()
        now = time.monotonic()
        # The clock starts when the app first asks for the body, not when the connection opened.
        self._started = now if self._started is None else self._started
        try:
            async with asyncio.timeout(self._pace.wait_allowed(self._started, self._received, now)):
                message = await self._receive()
        except TimeoutError:
            raise BodyTimedOut from None
        self._received += len(message.get("body", b""))
        self._complete = message["type"] != "http.request" or not message.get("more_body", False)
        return message


class BodyReadTimeout:
    """ASGI middleware: a request whose body stalls is answered 408 and its connection
    closed, without reading on. The time the app spends between reads does not count."""

    def __init__(self, app: ASGIApp, pace: BodyPace) -> None:
        self.app = app
        self.pace = pace

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _PacedBody(receive, self.pace)
        answered = False

        async def send_noting_start(message: Message) -> None:
            nonlocal answered
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body.receive, send_noting_start)
        except BodyTimedOut:
            if answered:
                raise  # A response under way can only be cut short; uvicorn closes the connection.
            timed_out = PlainTextResponse(
                "The request body arrived too slowly.",
                status_code=408,
                headers={"Connection": "close"},
            )
            await timed_out(scope, receive, send)


def limit_concurrency(max_connections: int) -> int:
    """uvicorn's `limit_concurrency` for at most `max_connections` open connections: uvicorn
    counts the connection asking as well, and answers 503 once the count reaches its limit."""
    return max_connections + 1


def with_header_deadline(seconds: float) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol, closing a connection that has not sent a request's headers
    whole within `seconds` of opening, or of the first byte of its next request. (A
    connection idle between requests is uvicorn's keep-alive timeout's to close.)"""

    class HeaderDeadline(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def data_received(self, data: bytes) -> None:
            if self._header_timer is None and self._between_requests():
                self._arm()
            super().data_received(data)
            if not self._between_requests() or self._upgraded():
                self._disarm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _between_requests(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _upgraded(self) -> bool:
            # A websocket handshake hands the transport to uvicorn's websocket protocol.
            return self.transport.get_protocol() is not self

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self._between_requests() and not self._upgraded():
                log.info("Closed a connection whose request headers took over %s s", seconds)
                self.transport.close()

    return HeaderDeadline
