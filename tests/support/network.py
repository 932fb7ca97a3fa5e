"""Local ports for the servers and processes the tests start."""

import socket


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; a race with another process is
    possible but harmless on a test machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
