"""The one skeleton every job runs: claim the row, do the work under a renewing lease, record
the outcome. A kind of job fills in the hooks of `Job`; every hook but `work` does nothing by
default.

Delivery is at least once (`services.jobs.claims`): a delivery for a row that is not waiting
does nothing, a worker that lost its claim stops without recording anything, and a failed
attempt goes back to the queue for the broker's retry until the kind's attempts are spent,
unless the job fails at once on that error (`Job.fails_at_once`).

What users see of a failure (the row's reason, its audit entry, its notification) is a code
and a sentence they can act on, chosen here by the error's type; the error itself, with its
traceback, goes only to the server log.
"""

import abc
import contextlib
import logging
import time
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from opentelemetry import trace
from tortoise.exceptions import DBConnectionError, OperationalError
from tortoise.models import Model

from services import storage
from services.core import database, log_context
from services.core.clock import now
from services.jobs import metrics, progress
from services.jobs.claims import Claim, LostClaim, claim, release_for_retry
from services.jobs.kinds import JobKind, JobStatus
from services.jobs.progress import JobEvent

log = logging.getLogger(__name__)
# A span per delivery, when the process traces (`server.tracing`); a no-op otherwise.
tracer = trace.get_tracer(__name__)

J = TypeVar("J", bound=Model)

# Columns of the job's row, by name.
Columns = dict[str, Any]


class FailureCode(StrEnum):
    """Why a job failed, as users and API clients see it."""

    STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"
    DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
    BACKUP_FILE_DAMAGED = "BACKUP_FILE_DAMAGED"
    NOT_IN_BACKUP = "NOT_IN_BACKUP"
    FILE_REFUSED = "FILE_REFUSED"
    INTERNAL = "INTERNAL"


SENTENCES = {
    FailureCode.STORAGE_UNAVAILABLE: "The file storage or the server's disk could not be used. "
    "Try again later; if it keeps failing, ask the administrator to check the storage.",
    FailureCode.DATABASE_UNAVAILABLE: "The database could not be reached. Try again later; if "
    "it keeps failing, ask the administrator to check the database.",
    FailureCode.BACKUP_FILE_DAMAGED: "The backup file is missing, damaged or incomplete. Choose "
    "another backup.",
    FailureCode.NOT_IN_BACKUP: "The backup does not hold the object type or the properties "
    "asked for. Choose them among the backup's.",
    FailureCode.FILE_REFUSED: "The file was refused. Check it and send it again.",
    FailureCode.INTERNAL: "An unexpected error stopped the job. Try again; if it keeps failing, "
    "report it to the administrator with the job's id.",
}

# The failures any job can meet, by the error's type; the first match counts, and the
# storage's errors (`storage.is_unavailable`) come after these: a database connection error is
# an OSError too.
_COMMON_FAILURES: Mapping[type[Exception], FailureCode] = {
    DBConnectionError: FailureCode.DATABASE_UNAVAILABLE,
    OperationalError: FailureCode.DATABASE_UNAVAILABLE,
}


def failure_code(row: Any) -> FailureCode | None:
    """Why a job row's job failed; None while it has not."""
    return FailureCode(row.failure_code) if row.failure_code else None


class RetryJob(Exception):
    """Raised to the broker so that it delivers the job again after a back-off."""


@dataclass(frozen=True)
class Outcome:
    """How the job ended: SUCCEEDED, or FAILED with `code` and a sentence for the user."""

    status: JobStatus
    at: datetime
    code: FailureCode | None = None
    reason: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status == JobStatus.SUCCEEDED

    def failure_details(self) -> dict[str, str]:
        """What an audit entry records of a failure; nothing for a success."""
        return {"code": self.code.value, "reason": self.reason} if self.code else {}


class Job(abc.ABC, Generic[J]):
    """One delivery of a job, on the row it claimed: `run` and `carry_out` are the skeleton, the
    methods after them the hooks."""

    kind: ClassVar[JobKind[Any]]
    # Errors another attempt would meet again: they fail the job at once, without a retry.
    fails_at_once: ClassVar[tuple[type[Exception], ...]] = ()
    # The failures of this kind of job, by the error's type, before the common ones.
    failures: ClassVar[Mapping[type[Exception], FailureCode]] = {}

    def __init__(self, held: Claim[J]) -> None:
        self.held = held
        self.row: J = held.row
        self.started = time.monotonic()

    @classmethod
    async def run(cls, row_id: UUID) -> None:
        """The job for `row_id`. Raises RetryJob to ask for a retry while attempts remain."""
        with (
            log_context.job(row_id),
            tracer.start_as_current_span(cls.kind.actor_name, attributes={"job.id": str(row_id)}),
        ):
            held = await claim(cls.kind, row_id)
            if held is None:
                log.info("%s %s is not waiting for a worker; nothing to do", cls._name(), row_id)
                return
            account_id = held.row.account_id  # type: ignore[attr-defined]
            log_context.set_account(account_id)
            trace.get_current_span().set_attributes(
                {"account.id": str(account_id), "job.attempt": held.attempt}
            )
            await cls(held).carry_out()

    async def carry_out(self) -> None:
        """The work of the attempt this delivery claimed, then its outcome."""
        log.info(
            "%s %s started, attempt %d of %d",
            self.kind.actor_name, self.row.pk, self.held.attempt, self.kind.max_attempts,
        )  # fmt: skip
        try:
            async with self.scratch_space(), self.held.renewing():
                await self.work()
        except LostClaim:
            self._log_taken_over("while it worked")
            self._measure("taken_over")
            return
        except Exception as error:
            await self._attempt_failed(error)
            return
        await self._finish(Outcome(JobStatus.SUCCEEDED, now()))

    async def _attempt_failed(self, error: Exception) -> None:
        """Back to the queue for a retry, or FAILED once the attempts are spent or the error
        is one the job fails at once on."""
        code = self._failure_code(error)
        reason = self.failure_sentence(error, code)
        name, attempt = self._name(), self.held.attempt
        if isinstance(error, self.fails_at_once):
            log.warning("%s %s failed at once: %s", name, self.row.pk, code, exc_info=error)
        else:
            log.error(
                "%s %s attempt %d failed: %s", name, self.row.pk, attempt, code, exc_info=error
            )
            if attempt < self.kind.max_attempts:
                if not await release_for_retry(self.held, reason, code):
                    self._log_taken_over("before it could be retried")
                    self._measure("taken_over")
                    return
                self._measure("retried")
                raise RetryJob(code) from error
        await self._finish(Outcome(JobStatus.FAILED, now(), code, reason))

    async def _finish(self, outcome: Outcome) -> None:
        """Record the outcome, fenced by the claim, then tell subscribers."""
        status = self.kind.statuses.ended(outcome.succeeded)
        columns: Columns = {
            "status": status,
            "completed_at": outcome.at,
            "failure_reason": outcome.reason,
            "failure_code": outcome.code or "",
            "lease_expires_at": None,
        }
        async with database.transaction():
            finished = await self.held.mine().update(**columns | self.outcome_columns(outcome))
            if not finished:
                self._log_taken_over("before it could be marked done")
                self._measure("taken_over")
                return
            await self.record_outcome(outcome)
        ended = outcome.status.value.lower()
        log.info(
            "%s %s %s in %.1f s, %d rows%s",
            self.kind.actor_name, self.row.pk, ended, self._seconds(), self.held.rows,
            f" ({outcome.code})" if outcome.code else "",
        )  # fmt: skip
        self._measure(ended)
        metrics.rows.labels(self.kind.actor_name, ended).inc(self.held.rows)
        await progress.publish(self.row.pk, JobEvent(str(self.row.pk), status))
        await self.announce_outcome(outcome)

    def _seconds(self) -> float:
        """Since this attempt claimed the job."""
        return time.monotonic() - self.started

    def _measure(self, ended: str) -> None:
        metrics.attempt_seconds.labels(self.kind.actor_name, ended).observe(self._seconds())
        trace.get_current_span().set_attributes({"job.outcome": ended, "job.rows": self.held.rows})

    @classmethod
    def _name(cls) -> str:
        return cls.kind.model.__name__

    def _log_taken_over(self, when: str) -> None:
        log.warning("%s %s was taken over by another worker %s", self._name(), self.row.pk, when)

    # The hooks.

    def scratch_space(self) -> AbstractAsyncContextManager[object]:
        """Files on this machine that the work needs, removed once it ends."""
        return contextlib.nullcontext()

    @abc.abstractmethod
    async def work(self) -> None:
        """The job itself. Raises LostClaim once it finds another worker took the job over."""

    def _failure_code(self, error: Exception) -> FailureCode:
        for failures in (self.failures, _COMMON_FAILURES):
            for error_type, code in failures.items():
                if isinstance(error, error_type):
                    return code
        if storage.is_unavailable(error):
            return FailureCode.STORAGE_UNAVAILABLE
        return FailureCode.INTERNAL

    def failure_sentence(self, error: Exception, code: FailureCode) -> str:
        """What the row, the audit log and the notification say about a failure of `code`:
        never the error's own text, which may show server paths or queries (the log has it)."""
        return SENTENCES[code]

    def outcome_columns(self, outcome: Outcome) -> Columns:
        """The row's columns the outcome sets besides its status, time and reason (or instead
        of them: these win)."""
        return {}

    async def record_outcome(self, outcome: Outcome) -> None:
        """What else the outcome writes, in the transaction that marks the row."""

    async def announce_outcome(self, outcome: Outcome) -> None:
        """What follows once the outcome is committed and its event is out."""
