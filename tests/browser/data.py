"""What the browser tests set up through the models and the API: records, finished backups."""

from models.backups import Backup, BackupStatus
from models.crm import ObjectType, Record
from tests.conftest import GraphQLClient, Tenant
from tests.polling import poll_until

CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"


async def seed_records(tenant: Tenant, object_type: str, values: list[dict[str, str]]) -> None:
    found = await ObjectType.get(account_id=tenant.account.id, name=object_type)
    records = [Record(account=tenant.account, object_type=found, properties=v) for v in values]
    await Record.bulk_create(records)


async def finished_backup(gql: GraphQLClient, tenant: Tenant) -> str:
    """A backup requested over the API and made by the worker; returns its id."""
    data = await gql.data(CREATE_BACKUP, token=tenant.super_admin)
    backup_id = data["createBackup"]["id"]

    async def finished() -> Backup | None:
        backup = await Backup.get(id=backup_id)
        return backup if backup.status in (BackupStatus.SUCCEEDED, BackupStatus.FAILED) else None

    backup = await poll_until(finished, seconds=30)
    assert backup.status == BackupStatus.SUCCEEDED, backup.failure_reason
    return str(backup_id)
