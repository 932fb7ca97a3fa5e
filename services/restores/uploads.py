"""Uploaded files nothing will read again, deleted by the scheduler's pass: those of plans never
started (a day after the upload: the plan is stale long before), and those of finished restores
that storage could not delete at the time."""

from datetime import datetime, timedelta

from tortoise.expressions import Q

from models.restores import Restore, RestoreSource, RestoreStatus
from services.core.clock import now
from services.restores.source import forget_upload

# An upload whose plan was not started within this is not going to be.
UNSTARTED_KEPT_FOR = timedelta(days=1)
FINISHED = (RestoreStatus.SUCCEEDED, RestoreStatus.FAILED)
NEVER_STARTED = (RestoreStatus.PLANNED, RestoreStatus.PLAN_FAILED)


async def forget_unused_uploads(at: datetime | None = None) -> int:
    """How many files it deleted (or tried to: storage that fails keeps them for the next pass)."""
    at = at or now()
    unused = Restore.filter(
        Q(status__in=FINISHED)
        | Q(status__in=NEVER_STARTED, created_at__lt=at - UNSTARTED_KEPT_FOR),
        source=RestoreSource.FILE,
    ).exclude(file_key="")
    restores = await unused
    for restore in restores:
        await forget_upload(restore)
    return len(restores)
