"""Reading a process's JSON log lines."""

import json
from typing import Any

# What `crm-backup serve` prints for people, on standard output, rather than logs.
BANNER = ("Admin page at", "GraphiQL at", "GraphQL API at", "Sign in at")


def log_lines(output: list[str]) -> list[dict[str, Any]]:
    """Every line but the banner's, each parsed as one JSON object (a line that is not one
    fails the test)."""
    lines = [line for line in output if line.strip() and not line.startswith(BANNER)]
    return [json.loads(line) for line in lines]


def is_job_finish(line: str, job_id: str) -> bool:
    return (
        line.startswith("{")
        and json.loads(line).get("job_id") == job_id
        and ("succeeded" in line or "failed" in line)
    )
