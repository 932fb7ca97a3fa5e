"""Associations in a backup, on request: associations.csv from the same snapshot, checked
like every other file of the backup."""

import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from models.backups import Backup
from models.crm import Association
from services.backups import CorruptBackup, schedules
from services.backups.file_format import ASSOCIATIONS_NAME, verify
from services.core.clock import now
from tests.support.archives import replaced
from tests.support.backups import backup_finished, let_quota_window_pass
from tests.support.graphql import GraphQLClient
from tests.support.imports import planned_upload
from tests.support.records import seed_records
from tests.support.tenants import Tenant

CREATE = """mutation($with: Boolean!) {
  createBackup(confirm: true, includeAssociations: $with) { id includesAssociations } }"""
BACKUP = """query($id: ID!) { backup(id: $id) { status includesAssociations downloadUrl } }"""
SCHEDULE = """mutation($with: Boolean) {
  updateBackupSchedule(enabled: true, includeAssociations: $with) { includeAssociations } }"""


async def _associated(tenant: Tenant) -> list[list[str]]:
    """Two contacts and a company associated, and one contact in the recycle bin associated
    too; the rows associations.csv should hold."""
    first, second = await seed_records(tenant, "contacts", [{"firstname": "A"}, {"firstname": "B"}])
    [company] = await seed_records(tenant, "companies", [{"name": "Acme"}])
    [binned] = await seed_records(tenant, "contacts", [{"firstname": "Gone"}], recycled=True)
    kept = [(first, company, "employee"), (second, company, ""), (first, second, "knows, well")]
    for source, target, label in [*kept, (binned, company, "former")]:
        await Association.create(
            account_id=tenant.account.id,
            from_record_id=source.id,
            to_record_id=target.id,
            label=label,
        )
    return [[str(source.id), str(target.id), label] for source, target, label in kept]


async def _backup_zip(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant, with_associations: bool
) -> bytes:
    created = (await gql.data(CREATE, {"with": with_associations}, tenant.super_admin))[
        "createBackup"
    ]
    assert created["includesAssociations"] is with_associations
    await backup_finished(created["id"])
    shown = (await gql.data(BACKUP, {"id": created["id"]}, tenant.super_admin))["backup"]
    assert (shown["status"], shown["includesAssociations"]) == ("SUCCEEDED", with_associations)
    response = await http.get(shown["downloadUrl"])
    assert response.status_code == 200
    return response.content


async def test_associations_come_on_request_from_the_same_snapshot(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant, tmp_path: Path
) -> None:
    expected = await _associated(tenant)
    content = await _backup_zip(gql, http, tenant, with_associations=True)
    path = tmp_path / "with.zip"
    path.write_bytes(content)
    manifest = verify(path)
    assert manifest.associations is not None and manifest.associations.rows == len(expected)
    with zipfile.ZipFile(path) as archive:
        text = archive.read(ASSOCIATIONS_NAME).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["from_id", "to_id", "label"]
    assert sorted(rows[1:]) == sorted(expected)

    # A backup with associations is a file to restore from like any other.
    planned = await planned_upload(http, gql, tenant.super_admin, content)
    assert planned["status"] == "PLANNED", planned["failureReason"]

    # Checked like the other files: altered, the backup is refused.
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(replaced(content, ASSOCIATIONS_NAME, lambda data: data + b"x,y,z\n"))
    with pytest.raises(CorruptBackup, match=r"associations\.csv"):
        verify(damaged)


async def test_associations_stay_out_by_default(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant, tmp_path: Path
) -> None:
    await _associated(tenant)
    path = tmp_path / "without.zip"
    path.write_bytes(await _backup_zip(gql, http, tenant, with_associations=False))
    assert verify(path).associations is None
    with zipfile.ZipFile(path) as archive:
        assert ASSOCIATIONS_NAME not in archive.namelist()
    await let_quota_window_pass(tenant.account)


async def test_the_schedule_can_include_associations(gql: GraphQLClient, tenant: Tenant) -> None:
    on = await gql.data(SCHEDULE, {"with": True}, tenant.super_admin)
    assert on["updateBackupSchedule"] == {"includeAssociations": True}
    # Left out, the choice stays.
    kept = await gql.data(SCHEDULE, {"with": None}, tenant.super_admin)
    assert kept["updateBackupSchedule"] == {"includeAssociations": True}
    await schedules.run_due_schedules(at=now() + timedelta(weeks=1, minutes=1))
    backup = await Backup.get(account_id=tenant.account.id)
    assert backup.include_associations
    assert (await backup_finished(backup.id)).status == "SUCCEEDED"
