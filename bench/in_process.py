"""An HTTP request handed to an ASGI app in process, as a server hands it over, with nothing
of a client around it: what is timed is the app's own work.

httpx's ASGI transport builds a client's request and response around each call (the URL
parsed, headers modelled, an event made per request, the answer read into a response): about
0.4 ms a request here, more than the page's SQL, and none of it the service's.
"""

import asyncio
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


async def post(app: ASGIApp, path: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `path` of `app` and wait for the whole answer."""
    raw_headers = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [*raw_headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 0),
        "server": ("bench", 80),
    }
    answered = asyncio.Event()
    status = 0
    chunks: list[bytes] = []
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": body, "more_body": False}
        # The client stays until the whole answer is sent, as a server's connection does.
        await answered.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await app(scope, receive, send)
    return Answer(status, b"".join(chunks))
