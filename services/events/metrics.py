"""The event bus's Prometheus metrics: its outages, counted once each is over."""

from prometheus_client import Counter

outages = Counter(
    "crm_backup_event_bus_outages",
    "Times this process's Redis pub/sub connection was lost and then made again.",
)
down_seconds = Counter(
    "crm_backup_event_bus_down_seconds",
    "Seconds this process's Redis pub/sub connection was down, summed over its outages.",
)
