"""A client that sends HTTP by hand over a plain TCP connection, as slowly as a test says."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit


def typename_body(padding: int = 0) -> bytes:
    """A JSON body that any server answers 200, `padding` spaces longer than it needs to be."""
    return json.dumps({"query": "{ __typename }" + " " * padding}).encode()


def post_head(length: int, path: str = "/graphql") -> bytes:
    """A JSON POST's request line and headers, announcing a body of `length` bytes."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()


@dataclass(frozen=True)
class RawConnection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def trickle(self, data: bytes, piece: int, every: float) -> None:
        """`data` in pieces of `piece` bytes, one every `every` seconds; stops quietly once
        the server has closed the connection."""
        with contextlib.suppress(ConnectionError):
            for start in range(0, len(data), piece):
                await self.send(data[start : start + piece])
                await asyncio.sleep(every)

    async def status(self, seconds: float) -> int:
        """The status code of the response, which must begin within `seconds`."""
        line = await asyncio.wait_for(self.reader.readline(), seconds)
        return int(line.split()[1])

    async def rest_of_response(self, seconds: float) -> bytes:
        """After `status`: the response's headers and body (by its Content-Length), so that
        the connection can carry the next request."""
        async with asyncio.timeout(seconds):
            head = await self.reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            return await self.reader.readexactly(length)

    async def closed_by_server(self, seconds: float) -> bool:
        """Whether the server closes the connection within `seconds` (what is left of the
        response is read and dropped)."""
        try:
            await asyncio.wait_for(self.reader.read(), seconds)
        except TimeoutError:
            return False
        return True


@contextlib.asynccontextmanager
async def raw_connection(url: str) -> AsyncIterator[RawConnection]:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        yield RawConnection(reader, writer)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
