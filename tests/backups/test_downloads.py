import hashlib
import time
from datetime import timedelta
from typing import Any
from uuid import UUID

import httpx
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from models.accounts import Role
from models.audit import AuditEvent
from models.backups import Backup, BackupStatus
from server.settings import Settings
from services import storage
from services.backups.service import DOWNLOAD_PURPOSE, expire_backups
from services.core.clock import now
from services.core.signing import LINK_LIFETIME_SECONDS, LinkSigner, LinkTarget
from tests.conftest import GraphQLClient, MakeTenant, Tenant
from tests.server.test_backups import (
    BACKUP,
    add_super_admin,
    finished_backup,
    queued_backup,
    seed_contacts,
)

DOWNLOAD_URL = "query($id: ID!) { backup(id: $id) { status downloadUrl } }"
DOWNLOADS = "/downloads/backups/"


def token_of(url: str) -> str:
    path = httpx.URL(url).path
    assert path.startswith(DOWNLOADS), url
    return path.removeprefix(DOWNLOADS)


async def download(http: httpx.AsyncClient, token: str) -> httpx.Response:
    response = await http.get(DOWNLOADS + token)
    assert response.headers["cache-control"] == "no-store"
    return response


async def downloads_logged(backup_id: str) -> list[AuditEvent]:
    return await AuditEvent.filter(action="BACKUP_DOWNLOADED", target_id=backup_id)


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
    assert await downloads_logged(backup["id"]) == []

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

    [logged] = await downloads_logged(backup["id"])
    assert (logged.account_id, logged.actor_id) == (tenant.account.id, minter.id)
    assert (await http.get(url)).status_code == 200
    assert len(await downloads_logged(backup["id"])) == 2


def tampered(token: str) -> list[str]:
    # The payload may start with "." (compressed): split from the right.
    payload, timestamp, signature = token.rsplit(".", 2)
    # Not the last character of the signature: some of its bits may be padding.
    flipped = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    other_payload = LinkSigner(b"x", DOWNLOAD_PURPOSE).sign(
        LinkTarget(UUID(int=1), UUID(int=2), UUID(int=3))
    )
    return [
        f"{payload}.{timestamp}.{flipped}",
        f"{other_payload.rsplit('.', 2)[0]}.{timestamp}.{signature}",
        f"{payload}.{timestamp}",
        "not-a-token",
    ]


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
    assert len(await downloads_logged(backup["id"])) == 1


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


def aged_token(secret: bytes, target: LinkTarget, age_seconds: int) -> str:
    """A download token as `LinkSigner` makes them, signed `age_seconds` ago."""

    class Aged(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    serializer = URLSafeTimedSerializer(secret, salt=DOWNLOAD_PURPOSE, signer=Aged)
    ids = [target.account_id, target.object_id, target.user_id]
    return serializer.dumps([str(value) for value in ids])


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


async def expect_expired(
    gql: GraphQLClient, http: httpx.AsyncClient, token: str, backup: Any
) -> None:
    """Past its 14 days: no new link, and an old one is gone (410)."""
    body = await gql.raw(DOWNLOAD_URL, {"id": backup["id"]}, token)
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BACKUP_EXPIRED"]
    assert (await download(http, token_of(backup["downloadUrl"]))).status_code == 410


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
