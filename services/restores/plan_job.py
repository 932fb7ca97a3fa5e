"""The plan's job: compare the source with the records on a worker, with live progress, and
store what it found on the restore, now PLANNED. (Claiming, retries and the outcome's fence:
`services.jobs.runner`; the comparison: `services.restores.plan`.)

A plan writes no record, so an attempt taken over after its worker died simply compares again.
Its outcome is audited (who looked at what a restore would change); no one is notified, as the
super admin who asked for it follows it live.
"""

from collections.abc import Mapping
from typing import ClassVar

from models.restores import Restore
from services import jobs
from services.activity import audit
from services.backups import CorruptBackup
from services.restores.plan import NotInBackup, PlanSummary, compute
from services.restores.service import WORDING


class PlanJob(jobs.Job[Restore]):
    kind = jobs.PLAN_RESTORE
    # The backup's file is damaged, or lacks what the plan asks for: every attempt finds the same.
    fails_at_once = (CorruptBackup, NotInBackup)
    failures: ClassVar[Mapping[type[Exception], jobs.FailureCode]] = {
        CorruptBackup: jobs.FailureCode.BACKUP_FILE_DAMAGED,
        NotInBackup: jobs.FailureCode.NOT_IN_BACKUP,
    }

    def __init__(self, held: jobs.Claim[Restore]) -> None:
        super().__init__(held)
        self.summary: PlanSummary | None = None

    async def work(self) -> None:
        await self.row.fetch_related("object_type__properties", "backup")
        self.summary = await compute(self.row, self.held.progress)

    def failure_sentence(self, error: Exception, code: jobs.FailureCode) -> str:
        if isinstance(error, NotInBackup):
            return error.message  # Names what the backup lacks, for the user who asked.
        return super().failure_sentence(error, code)

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        # The restore's own times are those of applying it, once started.
        columns: jobs.Columns = {"started_at": None, "completed_at": None}
        if self.summary is not None:
            columns["plan"] = self.summary.model_dump(mode="json")
        return columns

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        plan = self.row
        details = (
            {} if self.summary is None else {"records_to_change": self.summary.records_to_change}
        )
        await audit.record_event(
            plan.account_id,
            plan.requested_by_id,
            f"{WORDING[plan.kind].action}_{'PLANNED' if outcome.succeeded else 'PLAN_FAILED'}",
            target_type="restore",
            target_id=plan.id,
            backup_id=str(plan.backup_id),
            object_type=plan.object_type.name,
            properties=plan.properties,
            **details,
            **outcome.failure_details(),
        )


run_plan = PlanJob.run
