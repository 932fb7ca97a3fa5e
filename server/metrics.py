"""`GET /metrics`: the Prometheus exposition of this process, or of every process sharing
PROMETHEUS_MULTIPROC_DIR with it, plus the job queue's depth read from the database.

Who may read it: with METRICS_TOKEN set, a request sending `Authorization: Bearer <token>`;
without, only a client on this machine (a loopback address, as uvicorn sees it once it has
applied a trusted proxy's X-Forwarded-For). METRICS_ENABLED=false removes the route."""

import asyncio
import hmac
import ipaddress
import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from server.bearer import bearer_token
from services import jobs

log = logging.getLogger(__name__)

PATH = "/metrics"
# A scrape must not hang on a database that does not answer: the queue's depth is left out.
QUEUE_DEPTH_TIMEOUT_SECONDS = 1.0


class QueueDepth(Collector):
    """The rows waiting for a worker by kind, as read for this scrape."""

    def __init__(self, depth: dict[str, int]) -> None:
        self.depth = depth

    def collect(self) -> list[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "crm_backup_jobs_queued",
            "Jobs waiting for a worker (retries included), by kind.",
            labels=["kind"],
        )
        for kind, count in self.depth.items():
            family.add_metric([kind], count)
        return [family]


def counted_registry() -> CollectorRegistry:
    """Every process's counts when they share a directory, else this process's."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


async def queue_depth_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    try:
        async with asyncio.timeout(QUEUE_DEPTH_TIMEOUT_SECONDS):
            registry.register(QueueDepth(await jobs.queue_depth()))
    except Exception as error:
        log.warning("Metrics: the job queue's depth could not be read (%s)", type(error).__name__)
    return registry


def refusal(request: Request, token: str | None) -> Response | None:
    """Why the request may not read the metrics; None when it may."""
    if token is not None:
        offered = bearer_token(request.headers.get("authorization")) or ""
        if hmac.compare_digest(offered.encode(), token.encode()):
            return None
        return PlainTextResponse(
            "Send `Authorization: Bearer <METRICS_TOKEN>`.",
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    if _is_loopback(request.client.host if request.client else ""):
        return None
    return PlainTextResponse("Metrics are served to this machine only.", status_code=403)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def process_ended() -> None:
    """A process's gauges stop counting once it ends (the others' counts stay)."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(os.getpid())


def serve_apart(port: int, host: str) -> None:
    """An endpoint of its own, on a thread, for `crm-backup worker` or `scheduler` where it
    shares no PROMETHEUS_MULTIPROC_DIR with the API (a container each): what it counted, and
    the processes it forks. No queue depth (the API has it) and no token: bind it to a private
    network."""
    start_http_server(port, addr=host, registry=counted_registry())


def route(token: str | None) -> Route:
    async def metrics(request: Request) -> Response:
        if (refused := refusal(request, token)) is not None:
            return refused
        counted = await asyncio.to_thread(generate_latest, counted_registry())
        queued = generate_latest(await queue_depth_registry())
        return Response(counted + queued, media_type=CONTENT_TYPE_LATEST)

    return Route(PATH, metrics)
