"""The jobs' Prometheus metrics, counted once per attempt or per sweep, never per row.

With PROMETHEUS_MULTIPROC_DIR set, every process (worker processes, the scheduler, the API)
counts in that directory, and the API's /metrics adds them up."""

from prometheus_client import Counter, Histogram

# An export or restore of a large account takes minutes; two hours is the actors' time limit.
DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200)

attempt_seconds = Histogram(
    "crm_backup_job_attempt_duration_seconds",
    "Job attempts by kind and how they ended (succeeded, failed, retried, taken_over), "
    "from the claim to the outcome.",
    ["kind", "outcome"],
    buckets=DURATION_BUCKETS,
)
rows = Counter(
    "crm_backup_job_rows",
    "Rows that finished jobs went through, by kind and outcome (succeeded, failed).",
    ["kind", "outcome"],
)
lost_jobs_resent = Counter(
    "crm_backup_lost_jobs_resent",
    "Jobs sent again by the scheduler because no worker took them in time or their worker died.",
    ["kind"],
)
