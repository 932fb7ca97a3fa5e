"""A job's state for a viewer, whichever kind of job its id belongs to."""

from uuid import UUID

from models.accounts import Role
from services.core.errors import NotFound
from services.core.viewer import Viewer
from services.jobs.kinds import KINDS
from services.jobs.progress import JobEvent


async def job_state(viewer: Viewer, job_id: UUID) -> JobEvent:
    """The job's state now, as a job event; NOT_FOUND outside the viewer's account."""
    # Super admins start every kind of job, and they alone follow them.
    viewer.require_role(Role.SUPER_ADMIN)
    for kind in KINDS:
        row = await kind.model.get_or_none(id=job_id, account_id=viewer.account_id)
        if row is not None:
            return JobEvent(str(row.pk), row.status.value)
    raise NotFound(f"No job with the id {job_id}.")
