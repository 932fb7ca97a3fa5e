"""Background jobs: the kinds of job, queueing a job row and sending its job once the row has
committed, the one runner every job runs through (claim, lease, retry, outcome), progress
events, and the sweeps that send lost jobs again."""

from services.jobs.claims import Claim, LostClaim
from services.jobs.kinds import (
    APPLY_RESTORE,
    ATTEMPT_TIME_LIMIT,
    COMPARE_BACKUPS,
    EXPORT_BACKUP,
    KINDS,
    PLAN_RESTORE,
    JobKind,
    JobStatus,
)
from services.jobs.progress import FINISHED, JobEvent, watch
from services.jobs.progress import publish as publish_progress
from services.jobs.queue import Queued, enqueue, queueing, register
from services.jobs.runner import Columns, FailureCode, Job, Outcome, RetryJob, failure_code
from services.jobs.state import job_state
from services.jobs.sweeps import (
    queue_depth,
    remove_left_files,
    requeue_lost_jobs,
    resend_queued_jobs,
)

__all__ = [
    "APPLY_RESTORE",
    "ATTEMPT_TIME_LIMIT",
    "COMPARE_BACKUPS",
    "EXPORT_BACKUP",
    "FINISHED",
    "KINDS",
    "PLAN_RESTORE",
    "Claim",
    "Columns",
    "FailureCode",
    "Job",
    "JobEvent",
    "JobKind",
    "JobStatus",
    "LostClaim",
    "Outcome",
    "Queued",
    "RetryJob",
    "enqueue",
    "failure_code",
    "job_state",
    "publish_progress",
    "queue_depth",
    "queueing",
    "register",
    "remove_left_files",
    "requeue_lost_jobs",
    "resend_queued_jobs",
    "watch",
]
