"""The bearer token a client presents: in the Authorization header over HTTP, in the
`connection_init` payload over a websocket (a browser cannot set a websocket's headers)."""

from collections.abc import Mapping


def bearer_token(header: str | None) -> str | None:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def connection_token(params: Mapping[str, object]) -> str | None:
    header = params.get("Authorization") or params.get("authorization")
    return bearer_token(header if isinstance(header, str) else None)
