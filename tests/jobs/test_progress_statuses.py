from schema.jobs.types import JobProgressStatus
from services.jobs.kinds import KINDS


def test_progress_has_every_status_of_every_kind_of_job() -> None:
    # A status missing here would fail the subscription when a job reached it.
    rows = {
        status.value
        for kind in KINDS
        for status in kind.model._meta.fields_map["status"].enum_type  # type: ignore[attr-defined]
    }
    assert {status.value for status in JobProgressStatus} == rows
