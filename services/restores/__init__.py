"""Restores: planning what a backup would put back (a job), the guards before it starts, the
job that applies it in batches, and reverting it."""

from models.restores import Restore, RestoreKind, RestoreStatus
from services.jobs import FailureCode, failure_code
from services.restores.diff import AppliedCounts
from services.restores.job import run_restore
from services.restores.plan import (
    PLAN_STATUSES,
    PlanSummary,
    PropertyPlan,
    SampleChange,
    plan_restore,
    plan_revert,
)
from services.restores.plan_job import run_plan
from services.restores.service import get_restore, list_restores, revertible_until, start

__all__ = [
    "PLAN_STATUSES",
    "AppliedCounts",
    "FailureCode",
    "PlanSummary",
    "PropertyPlan",
    "Restore",
    "RestoreKind",
    "RestoreStatus",
    "SampleChange",
    "failure_code",
    "get_restore",
    "list_restores",
    "plan_restore",
    "plan_revert",
    "revertible_until",
    "run_plan",
    "run_restore",
    "start",
]
