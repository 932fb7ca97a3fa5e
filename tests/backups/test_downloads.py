import hashlib
from datetime import timedelta
from uuid import UUID

import httpx

from models.accounts import Role
from models.backups import Backup, BackupStatus
from server.settings import Settings
from services import storage
from services.backups.service import DOWNLOAD_PURPOSE, expire_backups
from services.core.clock import now
from services.core.signing import LINK_LIFETIME_SECONDS, LinkSigner, LinkTarget
from tests.support.audit import audited
from tests.support.backups import BACKUP, finished_backup, queued_backup
from tests.support.downloads import (
    DOWNLOAD_URL,
    aged_token,
    download,
    expect_expired,
    tampered,
    token_of,
)
from tests.support.graphql import GraphQLClient
from tests.support.records import seed_contacts
from tests.support.tenants import MakeTenant, Tenant, add_super_admin


async def test_a_download_streams_the_zip_and_is_audited(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    await seed_contacts(tenant, 20)
    backup = await finished_backup(gql, tenant.super_admin)
    # Another super admin mints the link: the log names who did, not who requested the backup.
    minter, minter_token = await add_super_admin(tenant)
    url = (await gql.data(DOWNLOAD_URL, {"id": backup["id"]}, minter_token))["backup"][
        "downloadUrl"
    ]
    assert await audited("BACKUP_DOWNLOADED", backup["id"]) == []

    response = await http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.endswith(f'-{backup["id"]}.zip"')
    assert int(response.headers["content-length"]) == len(response.content) == backup["sizeBytes"]
    stored = await Backup.get(id=backup["id"])
    assert hashlib.sha256(response.content).hexdigest() == stored.sha256

    [logged] = await audited("BACKUP_DOWNLOADED", backup["id"])
    assert (logged.account_id, logged.actor_id) == (tenant.account.id, minter.id)
    assert (await http.get(url)).status_code == 200
    assert len(await audited("BACKUP_DOWNLOADED", backup["id"])) == 2


async def test_tampered_and_foreign_signed_links_are_not_found(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient, settings: Settings
) -> None:
    backup = await finished_backup(gql, tenant.super_admin)
    token = token_of(backup["downloadUrl"])
    target = LinkTarget(tenant.account.id, UUID(backup["id"]), tenant.users[Role.SUPER_ADMIN].id)
    other_signers = [
        LinkSigner(b"another-secret-key-that-is-long-enough-for-it", DOWNLOAD_PURPOSE),
        LinkSigner(settings.secret, "restore-download"),
    ]
    refused = [*tampered(token), *(signer.sign(target) for signer in other_signers)]
    for bad in refused:
        assert (await download(http, bad)).status_code == 404, bad
    assert (await download(http, token)).status_code == 200
    assert len(await audited("BACKUP_DOWNLOADED", backup["id"])) == 1


async def test_a_link_naming_another_account_is_not_found(
    gql: GraphQLClient, make_tenant: MakeTenant, http: httpx.AsyncClient, settings: Settings
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    backup_id = UUID((await finished_backup(gql, tenant.super_admin))["id"])
    signer = LinkSigner(settings.secret, DOWNLOAD_PURPOSE)
    theirs = LinkTarget(other.account.id, backup_id, other.users[Role.SUPER_ADMIN].id)
    assert (await download(http, signer.sign(theirs))).status_code == 404
    ours = LinkTarget(tenant.account.id, backup_id, tenant.users[Role.SUPER_ADMIN].id)
    assert (await download(http, signer.sign(ours))).status_code == 200


async def test_an_expired_link_is_not_found(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient, settings: Settings
) -> None:
    backup_id = UUID((await finished_backup(gql, tenant.super_admin))["id"])
    target = LinkTarget(tenant.account.id, backup_id, tenant.users[Role.SUPER_ADMIN].id)
    fresh = aged_token(settings.secret, target, LINK_LIFETIME_SECONDS - 30)
    assert (await download(http, fresh)).status_code == 200
    stale = aged_token(settings.secret, target, LINK_LIFETIME_SECONDS + 1)
    assert (await download(http, stale)).status_code == 404


async def test_a_backup_not_yet_done_has_no_link(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient, settings: Settings
) -> None:
    queued = await queued_backup(tenant)
    try:
        answer = await gql.data(DOWNLOAD_URL, {"id": str(queued.id)}, tenant.super_admin)
        assert answer["backup"] == {"status": "QUEUED", "downloadUrl": None}
        target = LinkTarget(tenant.account.id, queued.id, tenant.users[Role.SUPER_ADMIN].id)
        token = LinkSigner(settings.secret, DOWNLOAD_PURPOSE).sign(target)
        assert (await download(http, token)).status_code == 409
    finally:
        await queued.delete()


async def test_after_14_days_the_backup_expires_and_its_file_is_deleted(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    backup = await finished_backup(gql, tenant.super_admin)
    stored = await Backup.get(id=backup["id"])
    assert stored.completed_at is not None
    files = storage.current()
    fourteen_days_on = stored.completed_at + timedelta(days=14)

    await expire_backups(at=fourteen_days_on - timedelta(seconds=1))
    await stored.refresh_from_db()
    assert stored.status == BackupStatus.SUCCEEDED
    assert await files.exists(stored.storage_key)

    assert await expire_backups(at=fourteen_days_on + timedelta(seconds=1)) >= 1
    await stored.refresh_from_db()
    assert stored.status == BackupStatus.EXPIRED
    assert not await files.exists(stored.storage_key)
    await expect_expired(gql, http, tenant.super_admin, backup)
    listed = await gql.raw(BACKUP, {"id": backup["id"]}, tenant.super_admin)
    assert listed["data"]["backup"]["status"] == "EXPIRED"


async def test_a_backup_past_its_expiry_is_refused_before_the_sweep(
    gql: GraphQLClient, tenant: Tenant, http: httpx.AsyncClient
) -> None:
    backup = await finished_backup(gql, tenant.super_admin)
    await Backup.filter(id=backup["id"]).update(expires_at=now() - timedelta(seconds=1))
    await expect_expired(gql, http, tenant.super_admin, backup)
