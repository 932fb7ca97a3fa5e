"""Sorting a batch of an uploaded file by what restoring it does to each record, within the
restore's account and object type:
- a live record of the type gets the file's values (compared and written in SQL, in bulk);
- a record of the type in the recycle bin comes back, with the file's values;
- a purged record of the type is recreated with its original id, except a contact: a
  permanently deleted contact stays deleted (its data may have been erased on request);
- anything else is refused, with the row's values and why: an id that is no record id or
  repeats an earlier row's in the batch, a value its property does not accept, an id of no
  record of the account, or of a record of another type.
Restored as new records (another account's backup), every row with a well-formed id and valid
values is to be created with a new id, whatever its id names here.

The plan and the job sort each batch the same way; the job again inside its transaction, as
the data may have moved since the plan. Here on SQLite; on PostgreSQL the ids and values are
checked here (`Checked`) and one statement sorts the rest by where their ids are
(`services.restores.file_sql`).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from models.crm import ObjectType
from services import crm
from services.core.text import text_problem
from services.crm import properties_by_name
from services.restores import lookup
from services.restores.file_sql import OTHER_TYPE, PURGED_CONTACT
from services.restores.source import Targets, Values

CONTACTS = "contacts"
# RestoreRefusal.record_id's length: a longer "id" from a file is cut.
MAX_RECORD_ID_CHARS = 64
# Shown in a refused row's id in place of each character a database cannot store.
UNSTORABLE = "\ufffd"
NO_RECORD = "No record with this id exists in this account."
PURGED_CONTACT_REASON = "Permanently deleted contact: it cannot be brought back."


@dataclass(frozen=True)
class Refused:
    row_number: int
    record_id: str
    values: Values
    reason: str


@dataclass(frozen=True)
class Binned:
    """A record of the batch in the recycle bin: what it holds, and since when it is there."""

    position: int
    values: Values
    deleted_at: datetime


@dataclass
class Triage:
    # Positions in the batch, by what happens to the record.
    live: list[int] = field(default_factory=list)
    binned: list[Binned] = field(default_factory=list)
    recreated: list[int] = field(default_factory=list)
    # Restored as new records: to be created with new ids.
    created: list[int] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)


# A record id as the database writes it (`str(UUID)`).
_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class _BadId(ValueError):
    """Why a row's id is refused."""


class _Sorter:
    def __init__(self, object_type: ObjectType, batch: Targets) -> None:
        self.object_type = object_type
        self.batch = batch
        self.triage = Triage()
        self.definitions = properties_by_name(object_type)

    def refuse(self, n: int, reason: str) -> None:
        record_id = _storable(self.batch.record_ids[n][:MAX_RECORD_ID_CHARS])
        row = self.batch.first_row + n
        # Kept to be fixed and sent again: what a database cannot store is shown replaced.
        values = {name: _storable(value) for name, value in self.batch.values(n).items()}
        self.triage.refused.append(Refused(row, record_id, values, reason))

    def checked_ids(self) -> dict[str, int]:
        """The batch's well-formed ids with valid values, each as the database writes it, by
        position; the rest refused."""
        seen: dict[str, int] = {}
        value_problems = self._value_problems()
        for n, record_id in enumerate(self.batch.record_ids):
            try:
                checked = self._checked_id(record_id, seen)
            except _BadId as bad:
                self.refuse(n, str(bad))
                continue
            if n in value_problems:
                self.refuse(n, value_problems[n])
            else:
                seen[checked] = n
        return seen

    def _checked_id(self, record_id: str, seen: dict[str, int]) -> str:
        """The id as the database writes it; _BadId says what is wrong with it. An id written
        so already (a backup's are) is taken as it is: parsing a million of them and writing
        them back cost an import's plan an eighth of its worker's samples."""
        if _CANONICAL_ID.fullmatch(record_id):
            canonical = record_id
        else:
            problem = text_problem(record_id)
            if problem is not None:
                raise _BadId(f"id: {problem}.")
            try:
                canonical = str(UUID(record_id))
            except ValueError:
                raise _BadId("The id is not a record id.") from None
        if canonical in seen:
            raise _BadId(f"The id repeats that of row {self.batch.first_row + seen[canonical]}.")
        return canonical

    def _value_problems(self) -> dict[int, str]:
        """Why the values of a row are refused, by position: checked a column at a time."""
        found: dict[int, list[str]] = {}
        for name, column in self.batch.columns.items():
            for n, problem in crm.column_problems(self.definitions[name], column):
                found.setdefault(n, []).append(f"{name}: {problem}")
        return {n: "; ".join(problems) + "." for n, problems in found.items()}

    def other_type(self, n: int) -> None:
        self.refuse(n, f"This id belongs to a record that is not one of {self.object_type.name}.")


class Checked:
    """A batch's rows that pass the checks made here (their ids, their values), to be sorted by
    where their ids are in SQL (`services.restores.file_sql`, PostgreSQL); the others
    refused."""

    def __init__(self, object_type: ObjectType, batch: Targets) -> None:
        self._sorter = _Sorter(object_type, batch)
        ids = self._sorter.checked_ids()
        self.positions = list(ids.values())
        # Every row passing (as is usual) is the batch itself: no column copied.
        rows = batch if len(self.positions) == len(batch) else batch.only(self.positions)
        self.rows = replace(rows, record_ids=list(ids))

    def refused(self, found: Sequence[tuple[int, str]]) -> list[Refused]:
        """The batch's refused rows, in order: those refused here, and those SQL `found`
        refused for where their id is (a position among `rows`, and where)."""
        for n, where in found:
            position = self.positions[n]
            if where == OTHER_TYPE:
                self._sorter.other_type(position)
            elif where == PURGED_CONTACT:
                self._sorter.refuse(position, PURGED_CONTACT_REASON)
            else:
                self._sorter.refuse(position, NO_RECORD)
        refused = self._sorter.triage.refused
        refused.sort(key=lambda row: row.row_number)
        return refused


def _storable(text: str) -> str:
    """`text` with each character a database cannot store (NUL, a lone surrogate) replaced."""
    if text_problem(text) is None:
        return text
    return "".join(UNSTORABLE if text_problem(char) else char for char in text)


async def sort_batch(
    object_type: ObjectType,
    batch: Targets,
    connection: BaseDBAsyncClient | None = None,
    *,
    as_new: bool = False,
) -> Triage:
    """`connection`: the job's transaction."""
    sorter = _Sorter(object_type, batch)
    ids = sorter.checked_ids()
    if as_new:
        sorter.triage.created = sorted(ids.values())
        sorter.triage.refused.sort(key=lambda refused: refused.row_number)
        return sorter.triage
    client = connection or connections.get("default")
    binned: list[str] = []
    for found_id, type_id, deleted_at in await lookup.records(
        client, object_type.account_id, _uuids(ids)
    ):
        record_id = str(found_id)
        if type_id != object_type.id:
            sorter.other_type(ids.pop(record_id))
        elif deleted_at is None:
            sorter.triage.live.append(ids.pop(record_id))
        else:
            binned.append(record_id)
    in_bin = {record_id: ids.pop(record_id) for record_id in binned}
    await _sort_binned(sorter, in_bin, client)
    await _sort_missing(sorter, ids, client)
    for part in (sorter.triage.live, sorter.triage.recreated):
        part.sort()
    sorter.triage.binned.sort(key=lambda binned: binned.position)
    sorter.triage.refused.sort(key=lambda refused: refused.row_number)
    return sorter.triage


def _uuids(ids: dict[str, int]) -> list[UUID]:
    return [UUID(record_id) for record_id in ids]


async def _sort_binned(
    sorter: _Sorter, positions: dict[str, int], client: BaseDBAsyncClient
) -> None:
    """The records in the recycle bin, with what they hold, read again: one taken out of the
    bin meanwhile is live now."""
    if not positions:
        return
    for record_id, deleted_at, values in await lookup.binned(client, _uuids(positions)):
        n = positions.pop(str(record_id))
        sorter.triage.binned.append(Binned(n, values, deleted_at))
    sorter.triage.live.extend(positions.values())


async def _sort_missing(sorter: _Sorter, ids: dict[str, int], client: BaseDBAsyncClient) -> None:
    """The ids of no record: purged ones come back, unless contacts; others are unknown."""
    if not ids:
        return
    account_id = sorter.object_type.account_id
    for record_id, type_id in await lookup.tombstones(client, account_id, _uuids(ids)):
        n = ids.pop(str(record_id))
        if type_id != sorter.object_type.id:
            sorter.other_type(n)
        elif sorter.object_type.name == CONTACTS:
            sorter.refuse(n, PURGED_CONTACT_REASON)
        else:
            sorter.triage.recreated.append(n)
    for n in ids.values():
        sorter.refuse(n, NO_RECORD)
