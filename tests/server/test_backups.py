import asyncio
import io
import zipfile
from typing import Any

from models.backups import Backup, BackupStatus
from models.crm import Record
from tests.conftest import GraphQLClient, Tenant

CREATE = "mutation { createBackup(confirm: true) { id status trigger requestedBy { email } } }"
BACKUP = """query($id: ID!) { backup(id: $id) {
  id status snapshotAt completedAt expiresAt sizeBytes objectCounts { objectType rows }
  downloadUrl failureReason } }"""


async def wait_until_finished(backup_id: str) -> Backup:
    async with asyncio.timeout(30):
        while True:
            backup = await Backup.get(id=backup_id)
            if backup.status in (BackupStatus.SUCCEEDED, BackupStatus.FAILED):
                return backup
            await asyncio.sleep(0.05)


async def seed_contacts(tenant: Tenant, count: int) -> list[Record]:
    contacts = await tenant.account.object_types.filter(name="contacts").first()
    assert contacts is not None
    records = [
        Record(
            account=tenant.account,
            object_type=contacts,
            properties={"email": f"c{i}@example.com", "firstname": f"C{i}"},
        )
        for i in range(count)
    ]
    await Record.bulk_create(records)
    return records


async def test_backup_runs_on_the_worker_and_downloads(
    gql: GraphQLClient, tenant: Tenant, http: Any
) -> None:
    await seed_contacts(tenant, 30)
    created = (await gql.data(CREATE, token=tenant.super_admin))["createBackup"]
    assert created["status"] == "QUEUED"
    assert created["trigger"] == "MANUAL"
    await wait_until_finished(created["id"])

    backup = (await gql.data(BACKUP, {"id": created["id"]}, tenant.super_admin))["backup"]
    assert backup["status"] == "SUCCEEDED", backup["failureReason"]
    assert backup["objectCounts"] == [{"objectType": "contacts", "rows": 30}]
    response = await http.get(backup["downloadUrl"])
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert len(response.content) == backup["sizeBytes"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["contacts.csv", "manifest.json"]
