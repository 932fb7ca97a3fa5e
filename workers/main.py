"""The module every `crm-backup worker` process imports: the Redis broker, then the actors."""

from server.settings import Settings
from workers import broker

_settings = Settings()
if _settings.redis_url is None:
    raise SystemExit(
        "REDIS_URL must be set for `crm-backup worker` (embedded mode runs jobs in-process)"
    )
broker.production(_settings.redis_url, _settings.database_url)
