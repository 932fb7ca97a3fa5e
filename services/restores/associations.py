"""The associations a restore from a backup's file brings back (its associations.csv), and the
revert that removes them again.

An association is added where both its records are records of the restore's account once the
records are restored: live, or (for the plan, which runs before them) in the recycle bin or
purged and so brought back, except a purged contact. One already there is left; one whose
record is missing is refused. The job adds them after the records, batch by batch, each batch
in one transaction with the ids it added (RestoreAssociation) for the revert, which removes
those still there and no other.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.queryset import QuerySet

from models.crm import Association, PurgedRecord, Record
from models.ids import new_id
from models.restores import RestoreAssociation
from services.restores.diff import BatchResult
from services.restores.source import AddedAssociations, AssociationBatch, AssociationRows
from services.restores.triage import CONTACTS

Key = tuple[UUID, UUID, str]


@dataclass
class Sorted:
    to_add: list[Key] = field(default_factory=list)
    present: int = 0
    refused: int = 0


def _parsed(row: Sequence[str]) -> Key | None:
    try:
        return UUID(row[0]), UUID(row[1]), row[2]
    except ValueError:
        return None


Row = TypeVar("Row", bound=Model)


def _using(query: QuerySet[Row], connection: BaseDBAsyncClient | None) -> QuerySet[Row]:
    return query if connection is None else query.using_db(connection)


async def _existing_records(
    account_id: UUID, ids: set[UUID], connection: BaseDBAsyncClient | None, *, planning: bool
) -> set[UUID]:
    """Of `ids`, the records of the account there after the restore: live ones once it has
    run; also those it is to bring back or recreate, for the plan."""
    records = Record.filter(account_id=account_id, id__in=list(ids))
    if not planning:
        records = records.filter(deleted_at__isnull=True)
    found = {
        UUID(str(id_)) for id_ in await _using(records, connection).values_list("id", flat=True)
    }
    if planning:
        purged = PurgedRecord.filter(account_id=account_id, id__in=list(ids - found)).exclude(
            object_type__name=CONTACTS
        )
        found |= {UUID(str(id_)) for id_ in await purged.values_list("id", flat=True)}
    return found


async def sort_rows(
    account_id: UUID,
    batch: AssociationRows,
    connection: BaseDBAsyncClient | None = None,
    *,
    planning: bool = False,
) -> Sorted:
    """What becomes of each association of the batch (`connection`: the job's transaction)."""
    result = Sorted()
    keys: dict[Key, None] = {}
    for row in batch.rows:
        key = _parsed(row)
        if key is None:
            result.refused += 1
        else:
            keys[key] = None
    ends = {end for key in keys for end in key[:2]}
    existing = await _existing_records(account_id, ends, connection, planning=planning)
    there = Association.filter(account_id=account_id, from_record_id__in=list(ends))
    present = {
        (UUID(str(from_id)), UUID(str(to_id)), label)
        for from_id, to_id, label in await _using(there, connection).values_list(
            "from_record_id", "to_record_id", "label"
        )
    }
    for key in keys:
        if key in present:
            result.present += 1
        elif key[0] in existing and key[1] in existing:
            result.to_add.append(key)
        else:
            result.refused += 1
    return result


def _still_there(account_id: UUID, batch: AddedAssociations) -> QuerySet[Association]:
    return Association.filter(account_id=account_id, id__in=list(batch.ids))


async def count(account_id: UUID, batch: AssociationBatch) -> BatchResult:
    """What applying the batch would do, for the plan: to add (or, for a revert, to remove),
    already there, refused."""
    if isinstance(batch, AddedAssociations):
        return BatchResult(associations_removed=await _still_there(account_id, batch).count())
    sorted_ = await sort_rows(account_id, batch, planning=True)
    return BatchResult(
        associations_added=len(sorted_.to_add),
        associations_present=sorted_.present,
        associations_refused=sorted_.refused,
    )


async def apply(
    connection: BaseDBAsyncClient,
    account_id: UUID,
    restore_id: UUID,
    number: int,
    batch: AssociationBatch,
) -> BatchResult:
    """Adds (or, for a revert, removes) the batch's associations in the caller's transaction."""
    if isinstance(batch, AddedAssociations):
        removed = await _still_there(account_id, batch).using_db(connection).delete()
        return BatchResult(associations_removed=removed)
    sorted_ = await sort_rows(account_id, batch, connection)
    added = [
        Association(
            id=new_id(), account_id=account_id, from_record_id=f, to_record_id=t, label=label
        )
        for f, t, label in sorted_.to_add
    ]
    if added:
        await Association.bulk_create(added, using_db=connection)
        await RestoreAssociation.bulk_create(
            (
                RestoreAssociation(restore_id=restore_id, batch=number, association_id=item.id)
                for item in added
            ),
            using_db=connection,
        )
    return BatchResult(
        associations_added=len(added),
        associations_present=sorted_.present,
        associations_refused=sorted_.refused,
    )
