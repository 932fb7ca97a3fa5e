"""Imports for the tests: files uploaded over HTTP (hostile ones included), planned, started
and finished as a super admin would, and restores from a file queued directly for the tests
that play the worker."""

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from tortoise import connections

from models.accounts import Role
from models.crm import ObjectType
from models.ids import new_id
from models.imports import Import
from models.restores import Restore, RestoreSource, RestoreStatus
from services import restores, storage
from services.backups.file_format import MANIFEST_NAME
from services.core.clock import now
from services.storage import import_key
from tests.support.archives import replaced, zip_bytes
from tests.support.backups import backed_up
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_deals, set_values
from tests.support.restores import plan, plan_ended, queued_unsent, restore_finished, start
from tests.support.tenants import Tenant
from tests.support.two_factor import step_up

IMPORT = """query($id: ID!) { import(id: $id) {
  id name source status objectType restoreId requestedBy { email } createdAt startedAt
  completedAt
  failureReason
  counts { created updated restoredFromRecycleBin unchanged failed }
  errorRows(first: 100) { nodes { rowNumber objectType recordId reason } }
  errorRowsDownloadUrl } }"""


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    return text.getvalue().encode()


async def upload(
    http: httpx.AsyncClient,
    token: str | None,
    content: bytes,
    file_name: str = "backup-2026-11-21.zip",
    object_type: str | None = None,
    as_new_records: str | None = None,
) -> httpx.Response:
    """POST /imports as the bearer of `token` (none: anonymous); `as_new_records` the form
    field's value, if sent."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = {"objectType": object_type} if object_type else {}
    if as_new_records is not None:
        data["asNewRecords"] = as_new_records
    return await http.post(
        "/imports", headers=headers, files={"file": (file_name, content)}, data=data
    )


async def planned_upload(
    http: httpx.AsyncClient, gql: GraphQLClient, token: str, content: bytes, **options: str
) -> dict[str, Any]:
    """Upload, and return the plan of restoring from the file once its job ended."""
    response = await upload(http, token, content, **options)
    assert response.status_code == 202, response.text
    # A worker may have taken the plan already.
    assert response.json()["status"] in ("PLAN_QUEUED", "PLANNING", "PLANNED")
    return await plan_ended(gql, token, response.json()["id"])


async def imported(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, content: bytes, **options: str
) -> dict[str, Any]:
    """Upload, review, start as the tenant's super admin and wait: the import as the imports
    list shows it once done."""
    token = tenant.super_admin
    planned = await planned_upload(http, gql, token, content, **options)
    assert planned["status"] == "PLANNED", planned["failureReason"]
    await step_up(tenant)
    await start(gql, token, planned["id"])
    await restore_finished(planned["id"])
    entry = await Import.get(restore_id=planned["id"])
    job: dict[str, Any] = (await gql.data(IMPORT, {"id": str(entry.id)}, token))["import"]
    return job


async def in_chunks(body: bytes, size: int = 4_096) -> AsyncIterator[bytes]:
    """A request body sent without a Content-Length."""
    for start_at in range(0, len(body), size):
        yield body[start_at : start_at + size]


def hostile_files(backup: bytes) -> dict[str, tuple[bytes, dict[str, str], str]]:
    """Name -> (content, form fields, what the refusal says)."""
    csv_file = b"id,dealname\n" + str(uuid4()).encode() + b",x\n"

    def claim_huge(entries: list[zipfile.ZipInfo]) -> None:
        entries[-1].file_size = 40 << 30

    def unknown_property(manifest: bytes) -> bytes:
        return manifest.replace(b'"name": "dealname"', b'"name": "secret_column"', 1)

    with pytest.warns(UserWarning, match="Duplicate name: 'deals.csv'"):
        duplicates = zip_bytes(
            [(MANIFEST_NAME, b"{}"), ("deals.csv", csv_file), ("deals.csv", b"")]
        )
    too_many = zip_bytes([(f"deals-{i}.csv", b"") for i in range(1_001)])
    return {
        "traversal": (zip_bytes([("../deals.csv", csv_file)]), {}, "has a path"),
        "absolute": (zip_bytes([("/tmp/deals.csv", csv_file)]), {}, "has a path"),
        "backslash": (zip_bytes([("..\\deals.csv", csv_file)]), {}, "has a path"),
        "unexpected": (zip_bytes([("run.sh", b"#!/bin/sh")]), {}, "Unexpected entry"),
        "duplicates": (duplicates, {}, "two entries with one name"),
        "too many": (too_many, {}, "has 1001 entries; at most 1000"),
        "bomb": (zip_bytes([("deals.csv", b"0" * (4 << 20))]), {}, "expand more than 200 times"),
        "lying size": (zip_bytes([("deals.csv", csv_file)], claim_huge), {}, "would expand"),
        "truncated": (backup[: len(backup) // 2], {}, "truncated"),
        "not a zip": (b"%PDF-1.7 not a backup", {}, "Not a ZIP"),
        "no manifest": (zip_bytes([("deals.csv", csv_file)]), {}, "no manifest.json"),
        "unknown property": (
            replaced(backup, MANIFEST_NAME, unknown_property),
            {},
            "deals has no properties called 'secret_column'",
        ),
        "csv unknown column": (
            b"id,dealname,password\n",
            {"object_type": "deals"},
            "deals has no properties called 'password'",
        ),
        "csv without id": (b"dealname\nx\n", {"object_type": "deals"}, "first column is `id`"),
        "csv of no type": (csv_file, {"object_type": "spaceships"}, "No object type called"),
        "csv not utf-8": (b"id,dealname\n\xff\xfe\n", {"object_type": "deals"}, "cannot be read"),
    }


async def queued_file_restore(
    tenant: Tenant,
    content: bytes,
    tmp_path: Path,
    object_type: str,
    status: RestoreStatus = RestoreStatus.QUEUED,
) -> Restore:
    """A restore from a CSV of `object_type` as startRestore leaves it (or in `status`), its
    file in storage, that no worker has been sent, its lease long enough that the lost-job sweep
    does not hand it to the in-process worker."""
    restore_id = new_id()
    key = import_key(tenant.account.id, restore_id)
    path = tmp_path / f"{restore_id}.csv"
    path.write_bytes(content)
    await storage.current().put_file(key, path)
    return await Restore.create(
        id=restore_id,
        account_id=tenant.account.id,
        source=RestoreSource.FILE,
        file_key=key,
        file_name=f"{object_type}.csv",
        object_type=await ObjectType.get(account_id=tenant.account.id, name=object_type),
        status=status,
        requested_by=tenant.users[Role.SUPER_ADMIN],
        lease_expires_at=now() + timedelta(hours=1),
    )


async def planned_file_restore(
    tenant: Tenant, content: bytes, tmp_path: Path, object_type: str
) -> Restore:
    """As `queued_file_restore`, once its plan's job (run here, as a worker would) planned it:
    on PostgreSQL its rows are staged for the job."""
    restore = await queued_file_restore(
        tenant, content, tmp_path, object_type, RestoreStatus.PLAN_QUEUED
    )
    await restores.run_plan(restore.id)
    planned = await Restore.get(id=restore.id)
    assert planned.status == RestoreStatus.PLANNED, planned.failure_reason
    await queued_unsent(restore.id, tenant)
    return await Restore.get(id=restore.id)


async def stage_a_row(restore: Restore) -> int:
    """A row staged for `restore` as its plan stages them; how many were (none on SQLite)."""
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        return 0
    await client.execute_query(
        "INSERT INTO restore_staged_rows (restore_id, object_type_id, row_number, record_id, "
        "\"values\") VALUES ($1, $2, 1, $3, ARRAY['x'])",
        [restore.id, restore.object_type_id, uuid4()],
    )
    return 1


async def lose_staged_rows(restore_id: UUID) -> None:
    """What a crash of PostgreSQL does to the UNLOGGED tables of what plans staged."""
    client = connections.get("default")
    if client.capabilities.dialect == "postgres":
        for table in ("restore_staged_rows", "restore_staged_batches"):
            await client.execute_query(f"DELETE FROM {table} WHERE restore_id = $1", [restore_id])


async def staged_rows(restore_id: UUID) -> int:
    """The rows staged for the restore (`services.restores.staged`); none on SQLite."""
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        return 0
    [staged] = await client.execute_query_dict(
        "SELECT count(*) AS rows FROM restore_staged_rows WHERE restore_id = $1", [restore_id]
    )
    return int(staged["rows"])


async def restore_entry(gql: GraphQLClient, tenant: Tenant) -> Import:
    """The imports-list entry that a real restore leaves once it has finished."""
    [deal] = await seed_deals(tenant, [{"dealname": "Deal", "amount": "1"}])
    backup_id = await backed_up(gql, tenant)
    await set_values(deal, {"amount": "2"})
    planned = await plan(gql, tenant, backup_id, ["amount"])
    await step_up(tenant)
    await start(gql, tenant.super_admin, planned["id"])
    assert (await restore_finished(planned["id"])).status == RestoreStatus.SUCCEEDED
    return await Import.get(restore_id=planned["id"])
