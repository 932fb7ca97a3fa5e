"""The Strawberry ASGI app, with bearer-token authentication on HTTP and websockets."""

import json
from datetime import datetime, timedelta
from typing import Any, cast

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from resolvers.context import Context
from schema import build_schema
from server import admin
from server.bearer import bearer_token, connection_token
from server.http_metrics import OperationLabels
from server.live_connections import SessionBoundHandler
from server.settings import Settings
from services import accounts
from services.core.errors import ErrorCode, ServiceUnavailable, Unauthenticated
from services.core.outages import is_outage

MAX_SUBSCRIPTIONS_PER_CONNECTION = 20


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = SessionBoundHandler

    async def render_graphql_ide(self, request: Request) -> Response:
        """The service's own GraphiQL page, in place of Strawberry's, which loads from a CDN."""
        return admin.graphiql_page()

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(request=request, response=response)
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token:
                try:
                    context.viewer = await accounts.authenticate(token, context.client_address)
                except Unauthenticated as error:
                    context.auth_error = error
                except Exception as error:
                    if not is_outage(error):
                        raise
                    context.auth_error = ServiceUnavailable()
        return context

    def encode_json(self, data: object) -> str:
        """Every answer, over HTTP and websockets: orjson writes a page of 2,000 values in a
        twentieth of the time `json` takes, and the date-times the DateTime scalar leaves to
        it (`schema.scalars`). Text, not bytes, so that websocket messages stay text frames. An
        integer beyond 64 bits (a BigInt may be one) is left to `json`."""
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:
            return json.dumps(data, separators=(",", ":"), default=_isoformat)

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """503 with Retry-After when a service did not answer: proxies and clients know to wait."""
        response = super().create_response(response_data, sub_response)
        if _unavailable(response_data):
            response.status_code = 503
            response.headers["Retry-After"] = str(ServiceUnavailable.RETRY_AFTER_SECONDS)
        return response

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        token = connection_token(context.connection_params or {})
        try:
            if token is None:
                raise Unauthenticated("Send `Authorization: Bearer <token>` in connection_init.")
            context.viewer = await accounts.authenticate(token, context.client_address)
        except Unauthenticated as error:
            raise ConnectionRejectionError(
                {"code": ErrorCode.UNAUTHENTICATED.value, "message": error.message}
            ) from None
        except Exception as error:
            if not is_outage(error):
                raise
            unavailable = ServiceUnavailable()
            raise ConnectionRejectionError(
                {"code": unavailable.code.value, "message": unavailable.message}
            ) from None


def _isoformat(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _unavailable(response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> bool:
    results = response_data if isinstance(response_data, list) else [response_data]
    errors = [
        cast(dict[str, Any], error) for result in results for error in result.get("errors") or ()
    ]
    return any(
        (error.get("extensions") or {}).get("code") == ErrorCode.SERVICE_UNAVAILABLE
        for error in errors
    )


def graphql_app(settings: Settings) -> GraphQLApp:
    return GraphQLApp(
        build_schema(introspection=settings.introspection_enabled, first=[OperationLabels]),
        graphql_ide="graphiql" if settings.graphiql_enabled else None,
        allow_queries_via_get=False,
        # Only the protocol whose connections are held to their session (`live_connections`).
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_CONNECTION,
        allowed_origins=settings.cors_origins,
        multipart_uploads_enabled=False,
    )
