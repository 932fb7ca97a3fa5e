"""The comparison's job: both sides compared on a worker, with live progress, the summary
stored on the row. A comparison writes no record, so an attempt taken over after its worker
died simply compares again. Its outcome is audited; one made after a backup (`watch`) raises a
mass-change alert when its findings pass the account's thresholds."""

from collections.abc import Mapping
from typing import ClassVar

from models.comparisons import Comparison
from services import activity, jobs
from services.backups import CorruptBackup
from services.comparisons import alerts, thresholds
from services.comparisons.compute import compute
from services.comparisons.summary import ComparisonSummary


class CompareJob(jobs.Job[Comparison]):
    kind = jobs.COMPARE_BACKUPS
    # A damaged backup is as damaged at the next attempt.
    fails_at_once = (CorruptBackup,)
    failures: ClassVar[Mapping[type[Exception], jobs.FailureCode]] = {
        CorruptBackup: jobs.FailureCode.BACKUP_FILE_DAMAGED,
    }

    def __init__(self, held: jobs.Claim[Comparison]) -> None:
        super().__init__(held)
        self.summary: ComparisonSummary | None = None

    async def work(self) -> None:
        await self.row.fetch_related("from_backup", "to_backup")
        self.summary = await compute(self.row, self.held.progress)
        if self.row.watch:
            settings = await thresholds.settings_of(self.row.account_id)
            if settings.enabled:
                self.summary.mass_changes = thresholds.mass_changes(self.summary, settings)

    def outcome_columns(self, outcome: jobs.Outcome) -> jobs.Columns:
        return {"result": self.summary.model_dump(mode="json")} if self.summary else {}

    async def record_outcome(self, outcome: jobs.Outcome) -> None:
        event = "COMPARISON_SUCCEEDED" if outcome.succeeded else "COMPARISON_FAILED"
        await activity.record_event(
            self.row.account_id,
            self.row.requested_by_id,
            event,
            target_type="comparison",
            target_id=self.row.id,
            **outcome.failure_details(),
        )
        if self.summary is not None and self.summary.mass_changes:
            await alerts.audit(self.row, self.summary.mass_changes)

    async def announce_outcome(self, outcome: jobs.Outcome) -> None:
        if self.summary is not None and self.summary.mass_changes:
            await alerts.notify(self.row, self.summary.mass_changes)


run_compare = CompareJob.run
