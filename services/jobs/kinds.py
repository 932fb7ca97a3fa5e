"""Every kind of background job, said once: the row it works on and the name of its actor.

An actor's name is what the messages in the broker carry: renaming one strands the messages
already queued under the old name.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

from tortoise.models import Model

from models.backups import Backup
from models.comparisons import Comparison
from models.restores import Restore, RestoreStatus

J = TypeVar("J", bound=Model)


class JobStatus(StrEnum):
    """The statuses every job row shares (each row's own enum has these values, and more)."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class JobStatuses:
    """The values of a row's `status` through one job: waiting for a worker, worked on, and
    its two ends. A row that goes through two jobs (a restore is planned, then applied) names
    each job's stages apart."""

    waiting: str = JobStatus.QUEUED
    running: str = JobStatus.RUNNING
    succeeded: str = JobStatus.SUCCEEDED
    failed: str = JobStatus.FAILED

    @property
    def active(self) -> tuple[str, str]:
        return (self.waiting, self.running)

    def ended(self, succeeded: bool) -> str:
        return self.succeeded if succeeded else self.failed


@dataclass(frozen=True)
class JobKind(Generic[J]):
    """A kind of job. Its rows have the columns `status`, `attempts`, `lease_expires_at`,
    `started_at`, `completed_at`, `failure_reason`, `failure_code` and `account_id`."""

    actor_name: str
    model: type[J]
    # Tries in all, the first included.
    max_attempts: int = 3
    statuses: JobStatuses = JobStatuses()


EXPORT_BACKUP = JobKind("export_backup", Backup)
# A restore's (or revert's) plan is computed on a worker too: comparing a large object type
# outlasts any HTTP request. The same row is then applied by APPLY_RESTORE.
PLAN_RESTORE = JobKind(
    "plan_restore",
    Restore,
    statuses=JobStatuses(
        RestoreStatus.PLAN_QUEUED,
        RestoreStatus.PLANNING,
        RestoreStatus.PLANNED,
        RestoreStatus.PLAN_FAILED,
    ),
)
APPLY_RESTORE = JobKind("apply_restore", Restore)
# What changed between two backups, or between a backup and the records now.
COMPARE_BACKUPS = JobKind("compare_backups", Comparison)

# The longest an attempt of any job may run: an export, import or restore of a large account
# takes minutes; two hours means it is stuck (the worker stops it then).
ATTEMPT_TIME_LIMIT = timedelta(hours=2)

KINDS: tuple[JobKind[Any], ...] = (
    EXPORT_BACKUP,
    PLAN_RESTORE,
    APPLY_RESTORE,
    COMPARE_BACKUPS,
)
