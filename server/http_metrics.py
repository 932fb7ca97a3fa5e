"""Prometheus metrics of the HTTP side: each request's latency by route, GraphQL operation and
outcome, and the open websockets. Labels come from the schema and the routes, never from
what a client sends: their values stay few whatever the traffic."""

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from graphql import FieldNode, GraphQLError, get_operation_ast
from prometheus_client import Gauge, Histogram
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from services.core.errors import ErrorCode

request_seconds = Histogram(
    "crm_backup_http_request_duration_seconds",
    "HTTP requests by route, GraphQL operation (its root field) and outcome (ok, error: refused "
    "or the client's to fix, failed: the server's), from the first byte read to the last sent.",
    ["route", "operation", "outcome"],
)
websockets_open = Gauge(
    "crm_backup_websocket_connections",
    "Open GraphQL websocket connections.",
    multiprocess_mode="livesum",
)

SCOPE_KEY = "crm_backup.measured"
# A document that did not validate (or did not parse) names nothing the schema has.
INVALID = "invalid"
# Several root fields in one operation: their names together would make a label per combination.
SEVERAL = "several"
# What a route is called when none matched, and a request that is not a GraphQL operation.
UNMATCHED = "unmatched"
NOT_GRAPHQL = ""


@dataclass
class Measured:
    """A request's labels, filled in by whoever learns them while it runs."""

    operation: str = NOT_GRAPHQL
    graphql_outcome: str | None = None


def root_field(document: object, operation_name: str | None) -> str:
    """The one root field the operation selects (aliases resolved), or SEVERAL."""
    operation = get_operation_ast(document, operation_name)  # type: ignore[arg-type]
    if operation is None:
        return INVALID
    selections = operation.selection_set.selections
    names = {node.name.value for node in selections if isinstance(node, FieldNode)}
    if len(names) != 1 or len(selections) != sum(isinstance(n, FieldNode) for n in selections):
        return SEVERAL
    return names.pop()


def graphql_outcome(errors: Sequence[GraphQLError] | None) -> str:
    if not errors:
        return "ok"
    codes = {(error.extensions or {}).get("code") for error in errors}
    return "failed" if ErrorCode.INTERNAL_SERVER_ERROR in codes else "error"


class OperationLabels(SchemaExtension):
    """Names a GraphQL request's operation and outcome for `HttpMetrics`. First among the
    schema's extensions, so that it reads the errors once they carry their codes."""

    def on_operation(self) -> Iterator[None]:
        measured = self.execution_context.context.request.scope.get(SCOPE_KEY)
        if measured is not None:
            measured.operation = INVALID
        yield
        if measured is not None:
            result = self.execution_context.result
            measured.graphql_outcome = graphql_outcome(result.errors if result else None)

    def on_execute(self) -> Iterator[None]:
        # Only a document that validated gets here.
        measured = self.execution_context.context.request.scope.get(SCOPE_KEY)
        if measured is not None:
            context = self.execution_context
            measured.operation = root_field(context.graphql_document, context.operation_name)
        yield


def http_outcome(status: int, measured: Measured) -> str:
    if status >= 500:
        return "failed"
    if status >= 400:
        return "error"
    return measured.graphql_outcome or "ok"


def route_label(scope: Scope) -> str:
    """The matched route's path template (a Mount's prefix), never the path itself."""
    route = scope.get("route")
    return route.path if isinstance(route, BaseRoute) and hasattr(route, "path") else UNMATCHED


class HttpMetrics:
    """ASGI middleware: one observation per HTTP request, and the websockets open now."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        measured = scope[SCOPE_KEY] = Measured()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            labels = (route_label(scope), measured.operation, http_outcome(status, measured))
            request_seconds.labels(*labels).observe(time.perf_counter() - started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        accepted = False

        async def send_noting_accept(message: Message) -> None:
            nonlocal accepted
            await send(message)
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                websockets_open.inc()

        try:
            await self.app(scope, receive, send_noting_accept)
        finally:
            if accepted:
                websockets_open.dec()
