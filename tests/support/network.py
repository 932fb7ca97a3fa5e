"""Local ports for the servers and processes the tests start."""

import contextlib
import socket
from collections.abc import Iterator


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; a race with another process is
    possible but harmless on a test machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: a service that hangs, which only a
    timeout of the client's own gets out of."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])
