"""Enqueueing background jobs without the domain knowing the queue.

The process that owns the broker (the server, a worker) registers how to send each job at
start-up; services only name the job and the row it works on.
"""

from collections.abc import Callable
from uuid import UUID

# What sending returns (a broker's message) is of no use to the domain.
Sender = Callable[[UUID], object]

_senders: dict[str, Sender] = {}

EXPORT_BACKUP = "export_backup"
IMPORT_FILE = "import_file"
APPLY_RESTORE = "apply_restore"


def register(job: str, send: Sender) -> None:
    _senders[job] = send


def enqueue(job: str, row_id: UUID) -> None:
    """Send the job for `row_id`. Call only after the row's transaction has committed."""
    try:
        send = _senders[job]
    except KeyError:
        raise RuntimeError(f"No queue is set up for the job {job!r} in this process") from None
    send(row_id)
