"""Who is asking: what every resolver starts from, and what the schema's fields receive.

Strawberry builds it once per HTTP request and once per websocket *connection*, so it holds
nothing specific to one operation. On a websocket, `viewer` is read again from the session as
each operation starts (`server.live_connections`): a role changed since connecting applies.
"""

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from services.accounts import Scope
from services.core.errors import DomainError, Unauthenticated
from services.core.viewer import Viewer


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    viewer: Viewer | None = None
    # Why a presented token was refused, or could not be checked (the database is away);
    # operations that need a viewer report it.
    auth_error: DomainError | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)

    def require_viewer(self, scope: Scope | None = None) -> Viewer:
        """The viewer. An API token passes only for what `scope` grants; where no scope is
        named, the operation is for people alone."""
        if self.auth_error is not None:
            raise self.auth_error
        if self.viewer is None:
            raise Unauthenticated("Sign in first: send `Authorization: Bearer <token>`.")
        if scope is None:
            self.viewer.require_person()
        else:
            self.viewer.require_scope(scope)
        return self.viewer

    @property
    def client_address(self) -> str | None:
        """The address the server sees the client at (a proxy's, unless uvicorn is told to
        trust the proxy's X-Forwarded-For); None when the transport has none."""
        client = self.request.client
        return client.host if client else None

    def link(self, route: str, **params: str) -> str:
        """An absolute link to one of the server's download routes."""
        return str(self.request.url_for(route, **params))


# What a schema field receives; resolvers take its `context`.
Info = StrawberryInfo[Context, None]
