"""The module every `crm-backup worker` process imports: settings, the Redis broker, the actors."""

from server import runtime
from server.settings import Settings

runtime.configure(Settings())
