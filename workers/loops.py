"""Dramatiq middleware that gives async actors an event loop with the database connected."""

import asyncio
import inspect
import logging
import threading
from collections.abc import Awaitable
from typing import TypeVar

import dramatiq
import uvloop
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread, set_event_loop_thread
from dramatiq.middleware import AsyncIO, Middleware

from services.core import database

log = logging.getLogger(__name__)

R = TypeVar("R")


class _LoopThread(EventLoopThread):
    """dramatiq's event loop thread over the loop given, as a daemon thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        threading.Thread.__init__(self, daemon=True)
        self.logger = log
        self.interrupt_check_ival = 0.1
        self.loop = loop


class _RunningLoop(_LoopThread):
    """An `EventLoopThread` over a loop that is already running elsewhere (never started)."""

    def run_coroutine(self, coro: Awaitable[R]) -> R:
        if not self.loop.is_running() and inspect.iscoroutine(coro):
            # The server is stopping and the job cannot run: close it rather than leave it
            # unawaited. Its row stays QUEUED and is sent again at the next start.
            coro.close()
        return super().run_coroutine(coro)


class SharedAppLoop(Middleware):
    """Embedded mode: actors run on the server's own loop, where its database connections live
    (dramatiq's stock AsyncIO middleware would give them a loop of their own)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        set_event_loop_thread(_RunningLoop(self.loop))

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        set_event_loop_thread(None)


class DaemonAsyncIO(AsyncIO):
    """Dramatiq's AsyncIO middleware with its event loop on a daemon thread, under uvloop.

    A worker process told twice to stop exits at once, without stopping the loop, and the stock
    non-daemon loop thread would then keep it alive for ever. A SIGTERM or SIGHUP sent to the
    whole process group (systemd's default, a closed terminal) arrives twice: once directly and
    once relayed by dramatiq's main process.

    uvloop, as the API server runs under uvicorn: a backup's COPY output arrives a few KB at a
    time, and asyncpg stops and resumes reading the socket around each piece, which asyncio's
    own loop does with a system call each way. A backup's export took about 15 % less CPU.
    """

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        loop_thread = _LoopThread(uvloop.new_event_loop())
        loop_thread.start(timeout=1.0)
        set_event_loop_thread(loop_thread)


class DatabaseConnection(Middleware):
    """Worker processes: connect Tortoise on the AsyncIO middleware's loop (register after it)."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._run(database.connect(self.database_url))

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._run(database.disconnect())

    @staticmethod
    def _run(coroutine: object) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            raise RuntimeError("DatabaseConnection must be registered after the AsyncIO middleware")
        loop_thread.run_coroutine(coroutine)  # type: ignore[arg-type]
