"""Restores: planning what a backup would put back, the guards before it starts, the job that
applies it in batches, and reverting it."""

from models.restores import Restore, RestoreKind, RestoreStatus
from services.jobs import FailureCode, failure_code
from services.restores.diff import AppliedCounts
from services.restores.job import run_restore
from services.restores.plan import (
    PlanSummary,
    PropertyPlan,
    SampleChange,
    plan_restore,
    plan_revert,
)
from services.restores.service import get_restore, list_restores, revertible_until, start

__all__ = [
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
    "run_restore",
    "start",
]
