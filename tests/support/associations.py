"""Associations for the tests: made between records, read back as (from, to, label), and a
backup's associations.csv rewritten with its manifest, as a backup of other rows would be."""

import csv
import hashlib
import io
import json
from uuid import UUID

from models.crm import Association, Record
from services.backups.file_format import ASSOCIATIONS_HEADER, ASSOCIATIONS_NAME, MANIFEST_NAME
from tests.support.archives import rewritten_zip

Link = tuple[UUID, UUID, str]


def link(source: Record, target: Record, label: str = "") -> Link:
    return source.id, target.id, label


async def associate(account_id: UUID, links: list[Link]) -> None:
    for source, target, label in links:
        await Association.create(
            account_id=account_id, from_record_id=source, to_record_id=target, label=label
        )


async def associations_of(account_id: UUID) -> set[Link]:
    rows = await Association.filter(account_id=account_id).values_list(
        "from_record_id", "to_record_id", "label"
    )
    return {(UUID(str(source)), UUID(str(target)), label) for source, target, label in rows}


async def unlink(links: list[Link]) -> None:
    for source, target, label in links:
        await Association.filter(from_record_id=source, to_record_id=target, label=label).delete()


def with_association_rows(backup: bytes, rows: list[list[str]]) -> bytes:
    """The backup with `rows` for its associations.csv, the manifest's checksum and count to
    match: a file the backup could have held."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([ASSOCIATIONS_HEADER, *rows])
    data = text.getvalue().encode()

    def change(name: str, content: bytes) -> bytes:
        if name == ASSOCIATIONS_NAME:
            return data
        if name == MANIFEST_NAME:
            manifest = json.loads(content)
            manifest["associations"] = {
                "rows": len(rows),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
            return json.dumps(manifest).encode()
        return content

    return rewritten_zip(backup, change)
