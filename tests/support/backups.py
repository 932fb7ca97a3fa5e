"""Backups for the tests: requested over the API and run by the worker, or queued directly,
and what a backup file must hold."""

import contextlib
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from models.accounts import Account, Role, Tier
from models.backups import Backup, BackupTrigger
from models.crm import ObjectType, Property, Record
from services.backups import quota as quotas
from services.backups.file_format import MANIFEST_NAME, Manifest, verify
from services.core.clock import now
from services.jobs.queue import UNCLAIMED_FOR
from tests.support.graphql import GraphQLClient, only_error
from tests.support.polling import until_finished
from tests.support.tenants import Tenant

CREATE = """mutation($associations: Boolean! = false) {
  createBackup(confirm: true, includeAssociations: $associations) {
    id status trigger requestedBy { email } } }"""
BACKUP = """query($id: ID!) { backup(id: $id) {
  id status snapshotAt completedAt expiresAt sizeBytes objectCounts { objectType rows }
  downloadUrl failureReason failureCode } }"""
NEXT_MANUAL = "{ account { nextManualBackupAt } }"
RECORDS = """query($type: String!) { records(objectType: $type, first: 100) {
  nodes { id properties { name value } } } }"""
OBJECT_TYPES = "{ objectTypes { name properties { name } } }"

Rows = list[dict[str, str]]
# One manual backup per window; the window per tier.
MANUAL_QUOTA_INTERVALS = [
    (Tier.STARTER, timedelta(days=7)),
    (Tier.PROFESSIONAL, timedelta(days=7)),
    (Tier.ENTERPRISE, timedelta(hours=24)),
]


async def backup_finished(backup_id: str | UUID) -> Backup:
    """The backup's row once the worker is done with it."""
    return await until_finished(Backup, backup_id, seconds=30)


async def request_backup(gql: GraphQLClient, token: str, *, associations: bool = False) -> str:
    """createBackup over HTTP; returns the new backup's id."""
    created = await gql.data(CREATE, {"associations": associations}, token)
    return str(created["createBackup"]["id"])


async def finished_backup(
    gql: GraphQLClient, token: str, *, associations: bool = False
) -> dict[str, Any]:
    """A backup requested over HTTP and run by the worker, as `backup(id)` shows it."""
    backup_id = await request_backup(gql, token, associations=associations)
    await backup_finished(backup_id)
    backup: dict[str, Any] = (await gql.data(BACKUP, {"id": backup_id}, token))["backup"]
    assert backup["status"] == "SUCCEEDED", backup["failureReason"]
    return backup


async def backed_up(gql: GraphQLClient, tenant: Tenant) -> str:
    """A real backup of the account, made by the worker; returns its id."""
    return str((await finished_backup(gql, tenant.super_admin))["id"])


async def backup_file(
    gql: GraphQLClient, http: httpx.AsyncClient, token: str, *, associations: bool = False
) -> bytes:
    """A real backup of the account, made by the worker and downloaded (with associations.csv
    when `associations`)."""
    backup = await finished_backup(gql, token, associations=associations)
    response = await http.get(backup["downloadUrl"])
    assert response.status_code == 200
    return response.content


async def queued_backup(tenant: Tenant, trigger: BackupTrigger = BackupTrigger.SCHEDULED) -> Backup:
    """A QUEUED backup whose job nobody has sent (as after a restart of the embedded queue); a
    MANUAL one takes the account's quota like `createBackup`."""
    quota_until = None
    if trigger == BackupTrigger.MANUAL:
        quota_until = await quotas.consume_manual_backup(tenant.account, now())
    return await Backup.create(
        account_id=tenant.account.id,
        trigger=trigger,
        requested_by=tenant.users[Role.SUPER_ADMIN],
        quota_until=quota_until,
        lease_expires_at=now() + UNCLAIMED_FOR,
    )


async def completed_ago(backup_id: str | UUID, age: timedelta) -> Backup:
    """What elapsed time does to a finished backup: it completed `age` ago, its request,
    start, snapshot and expiry moved with it (the period it is kept for unchanged)."""
    backup = await Backup.get(id=backup_id)
    assert backup.completed_at is not None and backup.expires_at is not None
    shift = now() - age - backup.completed_at
    await Backup.filter(id=backup.id).update(
        created_at=backup.created_at + shift,
        started_at=backup.started_at and backup.started_at + shift,
        snapshot_at=backup.snapshot_at and backup.snapshot_at + shift,
        completed_at=backup.completed_at + shift,
        expires_at=backup.expires_at + shift,
    )
    return await Backup.get(id=backup.id)


async def let_quota_window_pass(account: Account) -> None:
    """What elapsed time does to the manual quota: its window ends in the past."""
    await Account.filter(id=account.id).update(next_manual_backup_at=now() - timedelta(seconds=1))


async def next_manual_backup_at(gql: GraphQLClient, token: str) -> datetime | None:
    value = (await gql.data(NEXT_MANUAL, token=token))["account"]["nextManualBackupAt"]
    return datetime.fromisoformat(value) if value else None


async def rate_limited_until(gql: GraphQLClient, token: str) -> datetime:
    """createBackup is refused as RATE_LIMITED; returns its `retryAt`."""
    extensions = only_error(await gql.raw(CREATE, token=token))["extensions"]
    assert extensions["code"] == "RATE_LIMITED", extensions
    return datetime.fromisoformat(extensions["retryAt"])


@contextlib.contextmanager
def opened_zip(content: bytes, path: Path) -> Iterator[tuple[zipfile.ZipFile, Manifest]]:
    """The downloaded ZIP, checked by the format's verifier, and its manifest."""
    path.write_bytes(content)
    manifest = verify(path)
    with zipfile.ZipFile(path) as archive:
        yield archive, manifest


def csv_files(archive: zipfile.ZipFile, names: Iterable[str]) -> dict[str, Rows]:
    """The named CSV files of a backup, each as its rows by column, in file order."""
    files = {}
    for name in names:
        with archive.open(name) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            files[name] = list(reader)
            assert reader.fieldnames is not None
            assert reader.fieldnames[0] == "id"
    return files


def csv_rows(path: Path) -> dict[str, list[list[str]]]:
    """Every CSV file of a backup, header first."""
    files = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name != MANIFEST_NAME:
                with archive.open(name) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                    files[name] = list(csv.reader(text))
    return files


def entries(path: Path) -> list[tuple[str, bytes]]:
    """Every CSV file of a backup with its bytes, in the order the ZIP holds them."""
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if name != MANIFEST_NAME]
        return [(name, archive.read(name)) for name in names]


async def files_seen_by_the_api(gql: GraphQLClient, token: str) -> dict[str, Rows]:
    """What a backup must hold, as the API reads the database: a file per type with live
    records, a row per record in id order, a column per property, blank where a value is absent."""
    files = {}
    for object_type in (await gql.data(OBJECT_TYPES, token=token))["objectTypes"]:
        names = [prop["name"] for prop in object_type["properties"]]
        nodes = (await gql.data(RECORDS, {"type": object_type["name"]}, token))["records"]["nodes"]
        rows = []
        for node in nodes:
            values = {value["name"]: value["value"] for value in node["properties"]}
            rows.append({"id": node["id"], **{name: values.get(name, "") for name in names}})
        if rows:
            files[f"{object_type['name']}.csv"] = sorted(rows, key=lambda row: row["id"])
    return files


async def files_in_the_database(account_id: UUID) -> dict[str, list[list[str]]]:
    """What the backup must hold, read through the models: live records by id, header first."""
    files: dict[str, list[list[str]]] = {}
    for object_type in await ObjectType.filter(account_id=account_id):
        names = [p.name for p in await Property.filter(object_type=object_type).order_by("id")]
        records = await Record.filter(object_type=object_type, deleted_at=None).order_by("id")
        if records:
            files[f"{object_type.name}.csv"] = [
                ["id", *names],
                *([str(r.id), *(r.properties.get(n, "") for n in names)] for r in records),
            ]
    return files
