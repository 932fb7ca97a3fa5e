"""Uploaded files nothing will read again, with the rows their plans staged: deleted when their
restore ends or their plan fails, and by the scheduler's pass, those of plans never started (a
day after the upload: the plan is stale long before) and of finished restores that storage
could not delete at the time."""

import logging
from datetime import datetime, timedelta

from tortoise.expressions import Q

from models.restores import Restore, RestoreSource, RestoreStatus
from services import storage
from services.core.clock import now
from services.restores import staged

log = logging.getLogger(__name__)


async def forget_upload(restore: Restore) -> None:
    """An uploaded file is not read again once the restore is over, nor are the rows its plan
    staged (`services.restores.staged`), deleted first. Storage that cannot delete the file now
    keeps the key on the row, for `forget_unused_uploads` to delete later."""
    if not restore.file_key:
        return
    await staged.forget(restore.id)
    try:
        await storage.current().delete(restore.file_key)
    except Exception:
        log.warning("Could not delete the file of restore %s", restore.id, exc_info=True)
        return
    await Restore.filter(id=restore.id).update(file_key="")


# An upload whose plan was not started within this is not going to be.
UNSTARTED_KEPT_FOR = timedelta(days=1)
FINISHED = (RestoreStatus.SUCCEEDED, RestoreStatus.FAILED)
NEVER_STARTED = (RestoreStatus.PLANNED, RestoreStatus.PLAN_FAILED, RestoreStatus.PLAN_DISCARDED)


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
