"""`crm-backup worker`: Dramatiq's own process supervisor over the module that sets a worker up."""

import functools
import sys

import dramatiq
from dramatiq import cli as dramatiq_cli

# An idle worker polls Redis with a back-off that grows to this (Dramatiq's default: 1,000 ms),
# so a job could wait that long to start. At a tenth of a second an idle worker process takes
# about 2 % of a core and sends Redis about 80 commands a second (measured).
IDLE_POLL_MS = 100
# What a worker process logs once it consumes (Dramatiq's line): how whoever started the
# worker tells that it is ready for jobs.
READY_LINE = "Worker process is ready for action."


def run_worker(module: str, processes: int, threads: int) -> int:
    """Start `processes` worker processes of `threads` threads, each importing `module`."""
    # The command builds its Worker by this name, with no way to pass the timeout.
    dramatiq_cli.Worker = functools.partial(  # type: ignore[misc, assignment]
        dramatiq.Worker, worker_timeout=IDLE_POLL_MS
    )
    sys.argv = [
        "crm-backup worker",
        module,
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    return int(dramatiq_cli.main() or 0)
