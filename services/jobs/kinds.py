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
from models.imports import Import
from models.restores import Restore

J = TypeVar("J", bound=Model)


class JobStatus(StrEnum):
    """The statuses every job row shares (each row's own enum has these values, and more)."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class JobKind(Generic[J]):
    """A kind of job. Its rows have the columns `status`, `attempts`, `lease_expires_at`,
    `started_at`, `completed_at`, `failure_reason` and `account_id`."""

    actor_name: str
    model: type[J]
    # Tries in all, the first included.
    max_attempts: int = 3


EXPORT_BACKUP = JobKind("export_backup", Backup)
# Only file imports wait for a worker: a restore's entry in the imports list is written once
# the restore has finished.
IMPORT_FILE = JobKind("import_file", Import)
APPLY_RESTORE = JobKind("apply_restore", Restore)

# The longest an attempt of any job may run: an export, import or restore of a large account
# takes minutes; two hours means it is stuck (the worker stops it then).
ATTEMPT_TIME_LIMIT = timedelta(hours=2)

KINDS: tuple[JobKind[Any], ...] = (
    EXPORT_BACKUP,
    IMPORT_FILE,
    APPLY_RESTORE,
)
