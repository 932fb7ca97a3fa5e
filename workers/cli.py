"""`crm-backup worker`: Dramatiq's own process supervisor over `workers.main`."""

import sys

from dramatiq import cli as dramatiq_cli


def run_worker(processes: int, threads: int) -> int:
    sys.argv = [
        "crm-backup worker",
        "workers.main",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    return int(dramatiq_cli.main() or 0)
