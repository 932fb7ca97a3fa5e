"""The Strawberry ASGI app, with bearer-token authentication on HTTP and websockets."""

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from resolvers.context import Context
from schema import build_schema
from server.bearer import bearer_token, connection_token
from server.http_metrics import OperationLabels
from server.live_connections import SessionBoundHandler
from server.settings import Settings
from services import accounts
from services.core.errors import ErrorCode, Unauthenticated

MAX_SUBSCRIPTIONS_PER_CONNECTION = 20


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = SessionBoundHandler

    async def get_context(  # type: ignore[override]
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        context = Context(request=request, response=response)
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token:
                try:
                    context.viewer = await accounts.authenticate(token)
                except Unauthenticated as error:
                    context.auth_error = error
        return context

    async def on_ws_connect(self, context: Context) -> None:  # type: ignore[override]
        token = connection_token(context.connection_params or {})
        try:
            if token is None:
                raise Unauthenticated("Send `Authorization: Bearer <token>` in connection_init.")
            context.viewer = await accounts.authenticate(token)
        except Unauthenticated as error:
            raise ConnectionRejectionError(
                {"code": ErrorCode.UNAUTHENTICATED.value, "message": error.message}
            ) from None


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
