"""Worker processes publish the record change events their jobs commit (`services.crm.relay`)."""

import asyncio
from concurrent.futures import Future

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from services import crm


class RecordChangeRelay(Middleware):
    """Runs the process's relay on the actors' event loop (register after the AsyncIO
    middleware), where their commits nudge it, once the worker has booted."""

    def __init__(self) -> None:
        self._relay: Future[None] | None = None

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            raise RuntimeError("RecordChangeRelay must be registered after the AsyncIO middleware")
        self._relay = asyncio.run_coroutine_threadsafe(crm.relay_record_changes(), loop_thread.loop)

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        if self._relay is not None:
            self._relay.cancel()
