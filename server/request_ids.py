"""A request id for every HTTP request and websocket: the client's `X-Request-ID` when it is a
sane one (a proxy's or a caller's, to follow a request across services), else a new one. Every
log line of the request carries it, and the response echoes it."""

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core import log_context

HEADER = "x-request-id"
# Short, and nothing that could forge a log line or a header.
SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}$")


def request_id(scope: Scope) -> str:
    offered = Headers(scope=scope).get(HEADER, "")
    return offered if SANE.match(offered) else uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        current = request_id(scope)
        # Not reset afterwards: uvicorn runs each request in a task of its own, and logs the
        # request's failure after the app returns.
        log_context.set_request(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message.setdefault("headers", [])
                MutableHeaders(scope=message)[HEADER] = current
            await send(message)

        await self.app(scope, receive, send_with_id)
