"""Wiring a process (API server, worker, scheduler) to the configured services."""

from datetime import timedelta

from server import tracing
from server.settings import Settings
from services import accounts, attempts, events, storage
from services.core import environment
from workers import broker


def configure(settings: Settings) -> None:
    """Storage, the event bus, the limits on sign-in attempts, traces when asked for and, in
    production, the Redis broker jobs are sent through. (Embedded mode's in-process broker
    needs the server's running loop: `server.embedded`.)"""
    environment.configure(
        environment.Environment(
            database_url=settings.database_url,
            work_dir=settings.work_dir,
            secret=settings.secret,
            job_lease=timedelta(seconds=settings.job_lease_seconds),
            sso=settings.sso,
            export_streams=settings.backup_export_streams,
        )
    )
    storage.use(storage.from_settings(settings.storage_url, settings.storage_dir), settings.keyring)
    events.use(events.for_url(settings.redis_url, settings.redis_timeout_seconds))
    attempts.use(
        attempts.for_redis(
            events.bounded_client(settings.redis_url, settings.redis_timeout_seconds)
            if settings.redis_url is not None
            else None
        )
    )
    accounts.limit_logins(settings.login_limits)
    tracing.configure(settings)
    if settings.redis_url is not None:
        broker.production(settings.redis_url, settings.database_url, settings.redis_timeout_seconds)
