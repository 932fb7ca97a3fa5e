from datetime import datetime
from typing import Annotated, Self

import strawberry

import resolvers.imports
from resolvers.context import Info
from schema.accounts.types import User
from schema.enums import described_enum
from schema.pagination import AFTER, FIRST, Connection
from schema.scalars import BigInt
from services import imports

# The models' enums are the GraphQL ones, marked in place.
described_enum(
    imports.ImportSource,
    "What an entry of the imports list reports.",
    {
        imports.ImportSource.RESTORE: "A finished restore from a backup (see `restoreId`).",
        imports.ImportSource.FILE: "A file uploaded to `POST /imports`, restored through its "
        "plan (see `restoreId`).",
    },
)
described_enum(
    imports.ImportStatus,
    "Where an import is in its life.",
    {
        imports.ImportStatus.QUEUED: "Waiting for a worker.",
        imports.ImportStatus.RUNNING: "Its rows are being written.",
        imports.ImportStatus.SUCCEEDED: "Done; refused rows, if any, are in `errorRows`.",
        imports.ImportStatus.FAILED: "Stopped: see `failureCode` and `failureReason`.",
    },
)


@strawberry.type(description="What an import did to records, row by row; each row counted once.")
class ImportCounts:
    created: int = strawberry.field(
        description="Permanently deleted records brought back, with their original ids."
    )
    updated: int = strawberry.field(description="Live records given the file's values.")
    restored_from_recycle_bin: int = strawberry.field(
        description="Records taken out of the recycle bin (and given the file's values)."
    )
    unchanged: int = strawberry.field(description="Live records that held the values already.")
    failed: int = strawberry.field(description="Rows refused: see `errorRows`.")
    returned_to_recycle_bin: int = strawberry.field(
        description="By a revert: records sent back to the recycle bin they had been taken out of."
    )
    deleted: int = strawberry.field(
        description="By a revert: records deleted again, which the import had created."
    )

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> Self:
        return cls(
            created=counts.get("created", 0),
            updated=counts.get("updated", 0),
            restored_from_recycle_bin=counts.get("restored", 0),
            unchanged=counts.get("unchanged", 0),
            failed=counts.get("failed", 0),
            returned_to_recycle_bin=counts.get("returned_to_bin", 0),
            deleted=counts.get("removed", 0),
        )


@strawberry.type(description="A row the import refused; the other rows went on.")
class ImportRowError:
    row_number: BigInt = strawberry.field(description="1 is the first row after the header.")
    object_type: str = strawberry.field(description="The file (of a backup) the row is in.")
    record_id: str = strawberry.field(description="The row's `id` column, as in the file.")
    reason: str = strawberry.field(description="Names properties, never values.")

    @classmethod
    def from_model(cls, error: imports.ErrorRow) -> Self:
        return cls(
            row_number=BigInt(error.row_number),
            object_type=error.object_type_name,
            record_id=error.record_id,
            reason=error.reason,
        )


@strawberry.type(
    description="An entry of the account's imports list: an uploaded file or a finished "
    "restore, with what it did. SUPER_ADMIN only."
)
class Import:
    id: strawberry.ID = strawberry.field(description="The import's id.")
    name: str = strawberry.field(
        description='What people see, e.g. "Import - backup.zip" or "Data restore - Deal".'
    )
    source: imports.ImportSource = strawberry.field(description="What the entry reports.")
    status: imports.ImportStatus = strawberry.field(description="Where it is in its life.")
    object_type: str | None = strawberry.field(
        description="For a single CSV, or a restore: the object type its rows belong to."
    )
    restore_id: strawberry.ID | None = strawberry.field(
        description="The restore it reports (from a backup, or from the uploaded file): its "
        "plan, counts and revert."
    )
    requested_by: User | None = strawberry.field(
        description="Who uploaded the file or started the restore; null once that user is removed."
    )
    created_at: datetime = strawberry.field(description="When the entry was made.")
    started_at: datetime | None = strawberry.field(
        description="When its rows started being written; null until then."
    )
    completed_at: datetime | None = strawberry.field(
        description="When it succeeded or failed; null until then."
    )
    counts: ImportCounts = strawberry.field(description="What it did to records, so far.")
    failure_reason: str | None = strawberry.field(
        description="Why the job failed, as a sentence for the user (see failureCode)."
    )
    failure_code: imports.FailureCode | None = strawberry.field(
        description="Why the job failed, for programs; null unless it failed."
    )
    model: strawberry.Private[imports.Import]

    @strawberry.field(description="In file order.")
    async def error_rows(
        self, first: Annotated[int, FIRST] = 20, after: Annotated[str | None, AFTER] = None
    ) -> Connection[ImportRowError]:
        page = await resolvers.imports.error_rows(self.model, first, after)
        return Connection.from_page(page, ImportRowError.from_model)

    @strawberry.field(
        description="A signed link to the error rows, valid 5 minutes; null when there are "
        "none. From a file: its refused rows with their values in the shape of an upload "
        "(`id`, the file's columns, then why), to fix and upload again as is: one CSV when "
        "they are of one object type, else a ZIP holding `<object type>.csv` for each. "
        "Imports made before plans existed: a CSV of object type, row number, record id and "
        "reason. Super admins only."
    )
    async def error_rows_download_url(self, info: Info) -> str | None:
        return await resolvers.imports.error_rows_download_url(info.context, self.model)

    @strawberry.field(
        description="An import of another account's backup as new records (its restore's "
        "`asNewRecords`): a signed link, valid 5 minutes, to the CSV of `object_type`, `old_id` "
        "(the id in the file) and `new_id` (the id here) of every record it created, as its "
        "restore's `idMapDownloadUrl`; null for other imports, or before any record was created. "
        "Super admins only."
    )
    async def id_map_download_url(self, info: Info) -> str | None:
        return await resolvers.imports.id_map_download_url(info.context, self.model)

    @classmethod
    def from_model(cls, job: imports.Import) -> Self:
        requester = job.requested_by if job.requested_by_id else None
        return cls(
            id=strawberry.ID(str(job.id)),
            name=job.name,
            source=job.source,
            status=job.status,
            object_type=job.object_type_name or None,
            restore_id=strawberry.ID(str(job.restore_id)) if job.restore_id else None,
            requested_by=User.from_model(requester) if requester else None,
            created_at=job.created_at,
            started_at=job.started_at,
            completed_at=job.completed_at,
            counts=ImportCounts.from_counts(job.counts),
            failure_reason=job.failure_reason or None,
            failure_code=imports.failure_code(job),
            model=job,
        )
