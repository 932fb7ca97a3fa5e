"""The module every `crm-backup worker` process imports: settings, the Redis broker, the actors."""

from server import memory, runtime
from server.settings import Settings

memory.return_large_buffers()
runtime.configure(Settings())
