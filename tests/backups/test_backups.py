import asyncio
import io
import uuid
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.accounts import Role, Tier
from models.audit import AuditEvent
from models.backups import Backup, BackupStatus
from services.backups.file_format import MANIFEST_NAME
from services.core.clock import now
from tests.support.backups import (
    BACKUP,
    CREATE,
    MANUAL_QUOTA_INTERVALS,
    backup_finished,
    csv_files,
    files_seen_by_the_api,
    finished_backup,
    let_quota_window_pass,
    next_manual_backup_at,
    opened_zip,
    rate_limited_until,
    request_backup,
)
from tests.support.graphql import GraphQLClient, only_error
from tests.support.records import create_records, seed_contacts
from tests.support.tenants import MakeTenant, Tenant

LIST = """query($first: Int!, $after: String) { backups(first: $first, after: $after) {
  nodes { id status trigger requestedBy { email } snapshotAt completedAt expiresAt sizeBytes
          objectCounts { objectType rows } }
  pageInfo { hasNextPage endCursor } } }"""


async def test_backup_runs_on_the_worker_and_downloads(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    await seed_contacts(tenant, 30)
    created = (await gql.data(CREATE, token=tenant.super_admin))["createBackup"]
    assert created["status"] == "QUEUED"
    assert created["trigger"] == "MANUAL"
    await backup_finished(created["id"])

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


async def test_only_super_admins_back_up_and_see_backups(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    backup_id = await request_backup(gql, tenant.super_admin)
    await backup_finished(backup_id)
    await let_quota_window_pass(tenant.account)
    for token in (tenant.admin, tenant.member):
        assert await gql.error_code(CREATE, token=token) == "FORBIDDEN"
        assert await gql.error_code(LIST, {"first": 10}, token) == "FORBIDDEN"
        assert await gql.error_code(BACKUP, {"id": backup_id}, token) == "FORBIDDEN"
    assert await Backup.filter(account_id=tenant.account.id).count() == 1
    assert await next_manual_backup_at(gql, tenant.super_admin) is None


async def test_a_backup_must_be_confirmed(gql: GraphQLClient, tenant: Tenant) -> None:
    unconfirmed = "mutation { createBackup(confirm: false) { id } }"
    assert await gql.error_code(unconfirmed, token=tenant.super_admin) == "VALIDATION_FAILED"
    assert await Backup.filter(account_id=tenant.account.id).count() == 0
    assert await next_manual_backup_at(gql, tenant.super_admin) is None
    assert not await AuditEvent.filter(account_id=tenant.account.id, action="BACKUP_REQUESTED")


@pytest.mark.parametrize(("tier", "interval"), MANUAL_QUOTA_INTERVALS)
async def test_manual_quota_per_tier(
    gql: GraphQLClient, make_tenant: MakeTenant, tier: Tier, interval: timedelta
) -> None:
    tenant = await make_tenant(tier)
    token = tenant.super_admin
    assert await next_manual_backup_at(gql, token) is None

    before = now()
    first = await request_backup(gql, token)
    after = now()
    next_allowed = await next_manual_backup_at(gql, token)
    assert next_allowed is not None
    assert before + interval <= next_allowed <= after + interval
    assert await rate_limited_until(gql, token) == next_allowed

    await let_quota_window_pass(tenant.account)
    assert await next_manual_backup_at(gql, token) is None
    second = await request_backup(gql, token)
    for backup_id in (first, second):
        assert (await backup_finished(backup_id)).status == BackupStatus.SUCCEEDED


async def test_concurrent_requests_yield_one_backup(gql: GraphQLClient, tenant: Tenant) -> None:
    answers = await asyncio.gather(*(gql.raw(CREATE, token=tenant.super_admin) for _ in range(20)))
    created = [body["data"]["createBackup"] for body in answers if not body.get("errors")]
    refused = [only_error(body)["extensions"] for body in answers if body.get("errors")]
    assert len(created) == 1
    assert [extensions["code"] for extensions in refused] == ["RATE_LIMITED"] * 19
    next_allowed = await next_manual_backup_at(gql, tenant.super_admin)
    assert {datetime.fromisoformat(e["retryAt"]) for e in refused} == {next_allowed}
    assert await Backup.filter(account_id=tenant.account.id).count() == 1
    await backup_finished(created[0]["id"])


async def test_backups_are_listed_newest_first_page_by_page(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    await seed_contacts(tenant, 3)
    ids = []
    for _ in range(3):
        ids.append((await finished_backup(gql, tenant.super_admin))["id"])
        await let_quota_window_pass(tenant.account)
    oldest, middle, newest = ids
    await finished_backup(gql, other.super_admin)

    page = (await gql.data(LIST, {"first": 2}, tenant.super_admin))["backups"]
    assert [node["id"] for node in page["nodes"]] == [newest, middle]
    assert page["pageInfo"]["hasNextPage"] is True
    after = {"first": 2, "after": page["pageInfo"]["endCursor"]}
    rest = (await gql.data(LIST, after, tenant.super_admin))["backups"]
    assert [node["id"] for node in rest["nodes"]] == [oldest]
    assert rest["pageInfo"]["hasNextPage"] is False

    node = rest["nodes"][0]
    assert node["status"] == "SUCCEEDED"
    assert node["trigger"] == "MANUAL"
    assert node["requestedBy"] == {"email": tenant.users[Role.SUPER_ADMIN].email}
    assert node["objectCounts"] == [{"objectType": "contacts", "rows": 3}]
    assert node["sizeBytes"] > 0
    snapshot_at, completed_at, expires_at = (
        datetime.fromisoformat(node[name]) for name in ("snapshotAt", "completedAt", "expiresAt")
    )
    assert snapshot_at <= completed_at
    assert expires_at == completed_at + timedelta(days=14)


async def test_another_accounts_backup_is_not_found_like_a_missing_one(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    theirs = await request_backup(gql, other.super_admin)
    await backup_finished(theirs)
    missing = str(uuid.uuid4())

    def answer(backup_id: str, body: dict[str, Any]) -> dict[str, Any]:
        error = only_error(body)
        assert error["extensions"]["code"] == "NOT_FOUND"
        return {**error, "message": error["message"].replace(backup_id, "<id>")}

    answers = [
        answer(backup_id, await gql.raw(BACKUP, {"id": backup_id}, tenant.super_admin))
        for backup_id in (theirs, missing)
    ]
    assert answers[0] == answers[1]


MIXED_ACCOUNT = """mutation {
  projects: createCustomObjectType(input: {name: "projects", singularLabel: "Project",
                                           pluralLabel: "Projects"}) { id }
  codename: createProperty(input: {objectType: "projects", name: "codename", label: "Codename",
                                   type: STRING, sensitive: true}) { id }
}"""


async def test_the_downloaded_zip_equals_the_database(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    token = tenant.super_admin
    await gql.data(MIXED_ACCOUNT, token=token)
    contacts = [
        {"firstname": "Ada", "email": "ada@example.com", "phone": "+44 20 7946 0000"},
        {"firstname": "Blank", "lastname": ""},
        {"firstname": 'Quote "and", comma', "jobtitle": "line\nbreak"},
    ]
    [*_, deleted] = await create_records(gql, token, "contacts", [*contacts, {"firstname": "X"}])
    await create_records(gql, token, "companies", [{"name": "Acme", "city": "Zürich"}])
    await create_records(gql, token, "projects", [{"codename": "Nightjar"}, {"codename": ""}])
    await gql.data("mutation($ids: [ID!]!) { deleteRecords(ids: $ids) }", {"ids": [deleted]}, token)

    backup = await finished_backup(gql, token)
    response = await http.get(backup["downloadUrl"])
    assert response.status_code == 200
    expected = await files_seen_by_the_api(gql, token)
    assert sorted(expected) == ["companies.csv", "contacts.csv", "projects.csv"]

    with opened_zip(response.content, tmp_path / "backup.zip") as (archive, manifest):
        assert sorted(archive.namelist()) == sorted([*expected, MANIFEST_NAME])
        files = csv_files(archive, expected)
    assert files == expected
    by_first_name = {row["firstname"]: row for row in files["contacts.csv"]}
    assert sorted(by_first_name) == ["Ada", "Blank", 'Quote "and", comma']
    assert by_first_name["Ada"]["phone"] == "+44 20 7946 0000"
    assert set(by_first_name["Blank"].values()) == {by_first_name["Blank"]["id"], "Blank", ""}
    assert by_first_name['Quote "and", comma']["jobtitle"] == "line\nbreak"
    assert all(row["id"] != deleted for rows in files.values() for row in rows)
    assert manifest.backup_id == uuid.UUID(backup["id"])
    assert manifest.account_id == tenant.account.id
    assert manifest.snapshot_at == datetime.fromisoformat(backup["snapshotAt"])
    assert manifest.object_counts == {"companies": 1, "contacts": 3, "projects": 2}
    [projects] = [entry for entry in manifest.files if entry.object_type == "projects"]
    assert [(p.name, p.sensitive) for p in projects.properties] == [("codename", True)]
