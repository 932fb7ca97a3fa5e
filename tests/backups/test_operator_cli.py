"""`crm-backup backups list|create|download` and `crm-backup restores list`, run for real in
subprocesses on the suite's database and storage, acting as a named super admin."""

from pathlib import Path

import httpx

from models.accounts import Role
from server.settings import Settings
from tests.support.audit import audited
from tests.support.backups import finished_backup
from tests.support.cli import crm_backup, env_of, succeeds, table
from tests.support.graphql import GraphQLClient
from tests.support.restores import planned_restore
from tests.support.tenants import MakeTenant, Tenant


async def test_create_list_and_download_a_backup_as_a_super_admin(
    tmp_path: Path, settings: Settings, gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    admin, env = tenant.users[Role.SUPER_ADMIN], env_of(settings)
    backup_id, status = succeeds(
        "backups", "create", "--as", admin.email, cwd=tmp_path, env=env
    ).split()
    assert status == "SUCCEEDED"
    [row] = table(succeeds("backups", "list", "--as", admin.email, cwd=tmp_path, env=env))
    assert (row["ID"], row["STATUS"], row["TRIGGER"]) == (backup_id, "SUCCEEDED", "MANUAL")

    output = tmp_path / "backup.zip"
    said = succeeds(
        "backups", "download", backup_id, "--as", admin.email, "--output", str(output),
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert said == str(output)
    link = (await gql.data(
        "query($id: ID!) { backup(id: $id) { downloadUrl } }", {"id": backup_id},
        tenant.super_admin,
    ))["backup"]["downloadUrl"]  # fmt: skip
    assert output.read_bytes() == (await http.get(link)).content
    # Downloaded twice: by the command, then over HTTP.
    for action, times in (("BACKUP_REQUESTED", 1), ("BACKUP_DOWNLOADED", 2)):
        assert [event.actor_id for event in await audited(action, backup_id)] == [admin.id] * times


async def test_restores_are_listed(
    tmp_path: Path, settings: Settings, gql: GraphQLClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    email = tenant.users[Role.SUPER_ADMIN].email
    rows = table(succeeds("restores", "list", "--as", email, cwd=tmp_path, env=env_of(settings)))
    assert [(row["ID"], row["KIND"], row["STATUS"]) for row in rows] == [
        (plan_id, "RESTORE", "PLANNED")
    ]


async def test_only_a_super_admin_of_the_backups_account_may(
    tmp_path: Path, settings: Settings, gql: GraphQLClient, make_tenant: MakeTenant,
    tenant: Tenant,
) -> None:  # fmt: skip
    env = env_of(settings)
    theirs = await finished_backup(gql, (await make_tenant()).super_admin)
    refusals = [
        (("backups", "list", "--as", tenant.users[Role.ADMIN].email), "SUPER_ADMIN role"),
        (("backups", "list", "--as", "nobody@example.com"), "No user"),
        (
            ("backups", "download", theirs["id"], "--as", tenant.users[Role.SUPER_ADMIN].email),
            "No backup",
        ),
    ]
    for args, message in refusals:
        result = crm_backup(*args, cwd=tmp_path, env=env)
        assert (result.returncode, message in result.stderr) == (1, True), result.stderr
        assert "Traceback" not in result.stderr
