"""What time does to a job's lease, for the tests that play the worker."""

from datetime import timedelta
from uuid import UUID

from tortoise.models import Model

from services.core.clock import now


async def lease_lapses(model: type[Model], row_id: UUID) -> None:
    """The lease of the worker holding the job (a Backup, Import or Restore row) runs out, as
    when that worker died or stopped renewing it."""
    await model.filter(id=row_id).update(lease_expires_at=now() - timedelta(seconds=1))
