"""OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: a span per HTTP request
and websocket (the ASGI middleware) and per job attempt (`services.jobs`), sent over OTLP/HTTP.

The SDK, its exporter and the ASGI middleware are the `tracing` extra, imported only when
tracing is on; the domain uses the API alone, whose tracer does nothing until a provider is set
here."""

from typing import Any

from opentelemetry import trace
from starlette.middleware import Middleware

from server.logs import DOWNLOAD_TOKEN
from server.settings import Settings


def configure(settings: Settings) -> None:
    """Once per process: the API refuses a second provider."""
    endpoint = settings.otel_exporter_otlp_endpoint
    if endpoint is None:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(
        resource=Resource.create({"service.name": settings.otel_service_name})
    )
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def middleware(settings: Settings) -> list[Middleware]:
    """The request spans, outermost so that they time everything else; none when off."""
    if settings.otel_exporter_otlp_endpoint is None:
        return []
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware, get_default_span_details

    def span_details(scope: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        name, attributes = get_default_span_details(scope)
        return _masked(name), attributes

    return [
        Middleware(
            OpenTelemetryMiddleware,
            default_span_details=span_details,
            server_request_hook=_hide_download_token,
            # A span per websocket message would drown the subscription's own.
            exclude_spans=["receive", "send"],
        )
    ]


def _hide_download_token(span: trace.Span, scope: dict[str, Any]) -> None:
    """A download link's token is its credential while it lives: kept out of traces (the span's
    name above, its attributes here) as out of the access log."""
    path = str(scope.get("path", ""))
    if _masked(path) != path and span.is_recording():
        host, port = scope.get("server") or ("", 0)
        url = f"{scope.get('scheme', 'http')}://{host}:{port}{path}"
        span.set_attributes(
            {"http.target": _masked(path), "url.path": _masked(path), "http.url": _masked(url)}
        )


def _masked(text: str) -> str:
    return DOWNLOAD_TOKEN.sub(r"\1…", text)
