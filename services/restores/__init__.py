"""Restores, the one engine for putting data back from a backup or an uploaded file: planning
what it would change (a job), the guards before it starts, the job that applies it in
batches, reverting it, and the rows of a file it refused."""

from models.restores import Restore, RestoreKind, RestoreRefusal, RestoreSource, RestoreStatus
from services.jobs import FailureCode, failure_code
from services.restores.diff import AppliedCounts
from services.restores.id_map import csv_stream as id_map_csv
from services.restores.id_map import download_token as id_map_download_token
from services.restores.id_map import has_id_map
from services.restores.id_map import open_download as open_id_map_download
from services.restores.job import run_restore
from services.restores.plan import (
    PLAN_STATUSES,
    plan_file_restore,
    plan_restore,
    plan_revert,
    restorable,
)
from services.restores.plan_job import run_plan
from services.restores.refusals import csv_stream as refused_rows_csv
from services.restores.refusals import download_token as refused_rows_download_token
from services.restores.refusals import open_download as open_refused_rows_download
from services.restores.refusals import open_zip_download as open_all_refused_rows_download
from services.restores.refusals import refused_object_types, refused_rows
from services.restores.refusals import zip_file as refused_rows_zip
from services.restores.service import (
    discard,
    get_restore,
    list_restores,
    revertible_until,
    start,
    startable_until,
)
from services.restores.summary import Counts, ObjectPlan, PlanSummary, PropertyPlan, SampleChange
from services.restores.uploads import forget_unused_uploads

__all__ = [
    "PLAN_STATUSES",
    "AppliedCounts",
    "Counts",
    "FailureCode",
    "ObjectPlan",
    "PlanSummary",
    "PropertyPlan",
    "Restore",
    "RestoreKind",
    "RestoreRefusal",
    "RestoreSource",
    "RestoreStatus",
    "SampleChange",
    "discard",
    "failure_code",
    "forget_unused_uploads",
    "get_restore",
    "has_id_map",
    "id_map_csv",
    "id_map_download_token",
    "list_restores",
    "open_all_refused_rows_download",
    "open_id_map_download",
    "open_refused_rows_download",
    "plan_file_restore",
    "plan_restore",
    "plan_revert",
    "refused_object_types",
    "refused_rows",
    "refused_rows_csv",
    "refused_rows_download_token",
    "refused_rows_zip",
    "restorable",
    "revertible_until",
    "run_plan",
    "run_restore",
    "start",
    "startable_until",
]
