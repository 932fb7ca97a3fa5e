"""The plan's job: compare the source with the records on a worker, with live progress, and
store what it found on the restore, now PLANNED. (Claiming, retries and the outcome's fence:
`services.jobs.runner`; the comparison: `services.restores.plan`.)

A plan writes no record (only the rows of a file it refuses, rewritten by each attempt), so an
attempt taken over after its worker died simply compares again. Its outcome is audited (who
looked at what a restore would change); no one is notified, as the super admin who asked for it
follows it live.
"""

from collections.abc import Mapping
from typing import ClassVar

from models.restores import Restore, RestoreRefusal
from services import jobs
from services.backups import CorruptBackup, UnsafeFile
from services.imports import REFUSALS, FileRefused
from services.restores.plan import compute
from services.restores.service import audited
from services.restores.source import NotInBackup
from services.restores.summary import PlanSummary
from services.restores.uploads import forget_upload


class PlanJob(jobs.Job[Restore]):
    kind = jobs.PLAN_RESTORE
    # The backup is damaged or lacks what the plan asks for, or the uploaded file is refused:
    # every attempt finds the same.
    fails_at_once = REFUSALS
    # The first match counts: NotInBackup is a CorruptBackup too.
    failures: ClassVar[Mapping[type[Exception], jobs.FailureCode]] = {
        NotInBackup: jobs.FailureCode.NOT_IN_BACKUP,
        CorruptBackup: jobs.FailureCode.BACKUP_FILE_DAMAGED,
        FileRefused: jobs.FailureCode.FILE_REFUSED,
        UnsafeFile: jobs.FailureCode.FILE_REFUSED,
    }

    def __init__(self, held: jobs.Claim[Restore]) -> None:
        super().__init__(held)
        self.summary: PlanSummary | None = None

    async def work(self) -> None:
        await self.row.fetch_related("object_type__properties", "backup")
        self.summary = await compute(self.row, self.held.progress)

    def failure_sentence(self, error: Exception, code: jobs.FailureCode) -> str:
        if isinstance(error, NotInBackup) or code == jobs.FailureCode.FILE_REFUSED:
            return str(error)  # Says what the source lacks, or why the file is refused.
        return super().failure_sentence(error, code)

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        # The restore's own times are those of applying it, once started.
        columns: jobs.Columns = {"started_at": None, "completed_at": None}
        if self.summary is not None:
            columns["plan"] = self.summary.model_dump(mode="json")
        return columns

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        plan = self.row
        details = {"records_to_change": self.summary.records_to_change} if self.summary else {}
        event = "PLANNED" if outcome.succeeded else "PLAN_FAILED"
        await audited(plan, plan.requested_by_id, event, **details, **outcome.failure_details())

    async def announce_outcome(self, outcome: jobs.Outcome) -> None:
        if not outcome.succeeded:
            # A failed plan cannot be started; the rows it refused before it failed (a file
            # is checked as it is read) are not to be fixed.
            await RestoreRefusal.filter(restore_id=self.row.id).delete()
            await forget_upload(self.row)


run_plan = PlanJob.run
