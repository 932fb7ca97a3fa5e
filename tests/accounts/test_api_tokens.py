"""API tokens: shown once and stored as a keyed hash, scoped, expiring, revocable at once (open
websockets too), audit-logged, and confined to their account; a token never starts a restore."""

import hashlib

import httpx

from models.accounts import ApiToken, Role
from models.audit import AuditEvent
from services.accounts import api_tokens
from services.core.clock import now
from tests.support.api_tokens import (
    BACKUPS,
    CREATE_TOKEN,
    REVOKE_TOKEN,
    TOKENS,
    UPDATE_SCHEDULE,
    create_token,
    expire,
    listed,
    refusal,
    revoke,
)
from tests.support.audit import audited
from tests.support.backups import BACKUP, CREATE, finished_backup
from tests.support.graphql import GraphQLClient
from tests.support.imports import csv_bytes, upload
from tests.support.live_sessions import CLOSED_WITHIN_SECONDS, answer, until_guarded
from tests.support.records import CREATE_RECORDS
from tests.support.restores import START, planned_restore, start_variables
from tests.support.servers import Server
from tests.support.tenants import MakeTenant, Tenant
from tests.support.two_factor import step_up
from tests.support.websocket import signed_in


async def test_the_secret_is_shown_once_and_only_its_keyed_hash_is_kept(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    secret, token = await create_token(gql, tenant.super_admin, ["READ", "BACKUPS"])
    creator = tenant.users[Role.SUPER_ADMIN]
    assert secret.startswith(api_tokens.SECRET_PREFIX)
    assert (token["scopes"], token["createdBy"]["email"]) == (["READ", "BACKUPS"], creator.email)
    [row] = await ApiToken.filter(id=token["id"]).values()
    assert secret not in [str(value) for value in row.values()]
    # Keyed: knowing the secret alone does not give the stored hash.
    assert row["secret_hash"] == api_tokens.hash_secret(secret)
    assert row["secret_hash"] != hashlib.sha256(secret.encode()).hexdigest()
    [shown] = await listed(gql, tenant.super_admin)
    assert "secret" not in shown and shown["lastUsedAt"] is None
    [event] = await audited("API_TOKEN_CREATED", token["id"])
    assert event.actor_id == creator.id
    assert event.details == {"name": "READ+BACKUPS automation", "scopes": ["READ", "BACKUPS"]}


async def test_only_a_signed_in_super_admin_manages_tokens(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    variables = {"name": "x", "scopes": ["READ"], "days": 1}
    for session in (tenant.admin, tenant.member):
        assert await gql.error_code(CREATE_TOKEN, variables, session) == "FORBIDDEN"
        assert await gql.error_code(TOKENS, token=session) == "FORBIDDEN"
    secret, _ = await create_token(gql, tenant.super_admin, list(api_tokens.Scope))
    # A token cannot make tokens, nor do what no scope names.
    assert await gql.error_code(CREATE_TOKEN, variables, secret) == "FORBIDDEN"
    assert await gql.error_code("{ me { user { email } } }", token=secret) == "FORBIDDEN"
    records = {"type": "contacts", "records": [{"properties": []}]}
    assert await gql.error_code(CREATE_RECORDS, records, secret) == "FORBIDDEN"


async def test_a_token_does_what_its_scopes_grant_and_no_more(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    reader, _ = await create_token(gql, tenant.super_admin, ["READ"])
    error = await refusal(gql, CREATE, reader)
    assert error["extensions"] == {"code": "OUT_OF_SCOPE", "requiredScope": "BACKUPS"}
    error = await refusal(gql, UPDATE_SCHEDULE, reader)
    assert error["extensions"]["requiredScope"] == "SCHEDULES"

    automation, token = await create_token(
        gql, tenant.super_admin, ["READ", "BACKUPS", "DOWNLOADS", "SCHEDULES"]
    )
    backup = await finished_backup(gql, automation)
    # Logged as its creator's, naming the token.
    [requested] = await audited("BACKUP_REQUESTED", backup["id"])
    assert requested.actor_id == tenant.users[Role.SUPER_ADMIN].id
    assert requested.details == {"apiTokenId": token["id"]}
    assert (await gql.data(UPDATE_SCHEDULE, token=automation)) == {
        "updateBackupSchedule": {"enabled": True}
    }
    assert await gql.data(BACKUPS, token=reader) == {"backups": {"nodes": [{"id": backup["id"]}]}}

    # The backup's link is a field of its own: without DOWNLOADS, only it is refused.
    body = await gql.raw(BACKUP, {"id": backup["id"]}, reader)
    assert body["data"]["backup"]["downloadUrl"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "OUT_OF_SCOPE", "requiredScope": "DOWNLOADS"}
    downloader, _ = await create_token(gql, tenant.super_admin, ["READ", "DOWNLOADS"])
    link = (await gql.data(BACKUP, {"id": backup["id"]}, downloader))["backup"]["downloadUrl"]
    response = await http.get(link)
    assert response.status_code == 200 and response.content.startswith(b"PK")


async def test_a_token_plans_restores_with_its_scope_and_never_starts_one(
    gql: GraphQLClient, http: httpx.AsyncClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    await step_up(tenant)  # the creator's own session may; their token still may not
    secret, _ = await create_token(gql, tenant.super_admin, ["READ", "RESTORES"])
    assert await gql.error_code(START, start_variables(plan_id), secret) == "REAUTH_REQUIRED"
    reader, _ = await create_token(gql, tenant.super_admin, ["READ"])
    error = await refusal(gql, START, reader, start_variables(plan_id))
    assert error["extensions"]["requiredScope"] == "RESTORES"
    # An upload is a plan too.
    content = csv_bytes(["id", "amount"], [])
    refused = await upload(http, reader, content, "deals.csv", object_type="deals")
    assert (refused.status_code, refused.json()["code"]) == (403, "OUT_OF_SCOPE")
    accepted = await upload(http, secret, content, "deals.csv", object_type="deals")
    assert accepted.status_code == 202, accepted.text


async def test_an_expired_token_is_refused_and_lifetimes_are_bounded(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    secret, _ = await create_token(gql, tenant.super_admin, ["READ"], days=365)
    assert await gql.data(BACKUPS, token=secret)
    await expire(secret)
    assert await gql.error_code(BACKUPS, token=secret) == "UNAUTHENTICATED"
    for days in (0, 366):
        variables = {"name": "too long", "scopes": ["READ"], "days": days}
        body = await gql.raw(CREATE_TOKEN, variables, tenant.super_admin)
        assert body["errors"][0]["extensions"]["field"] == "expiresInDays"


async def test_revoking_stops_the_token_at_once_and_closes_its_websockets(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    secret, token = await create_token(gql, tenant.super_admin, ["READ"])
    async with signed_in(server.websocket_url, secret) as socket:
        assert (await answer(socket, BACKUPS))["data"] == {"backups": {"nodes": []}}
        await until_guarded(tenant.users[Role.SUPER_ADMIN])
        revoked = await revoke(gql, tenant.super_admin, token["id"])
        assert revoked["revokedAt"] is not None
        assert await socket.close_code(seconds=CLOSED_WITHIN_SECONDS) == 4401
    assert await gql.error_code(BACKUPS, token=secret) == "UNAUTHENTICATED"
    # Revoking again changes nothing, and is not logged again.
    assert await revoke(gql, tenant.super_admin, token["id"]) == revoked
    assert len(await audited("API_TOKEN_REVOKED", token["id"])) == 1


async def test_a_disabled_creators_tokens_stop(gql: GraphQLClient, tenant: Tenant) -> None:
    secret, _ = await create_token(gql, tenant.super_admin, ["READ"])
    creator = tenant.users[Role.SUPER_ADMIN]
    creator.disabled_at = now()
    await creator.save(update_fields=["disabled_at"])
    assert await gql.error_code(BACKUPS, token=secret) == "UNAUTHENTICATED"


async def test_use_is_listed_and_the_first_use_from_an_address_is_audited_once(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    secret, token = await create_token(gql, tenant.super_admin, ["READ"])
    for _ in range(3):
        await gql.data(BACKUPS, token=secret)
    [shown] = await listed(gql, tenant.super_admin)
    assert shown["lastUsedAt"] is not None and shown["lastUsedAddress"] == "127.0.0.1"
    [event] = await audited("API_TOKEN_USED_FROM_NEW_ADDRESS", token["id"])
    assert event.details["address"] == "127.0.0.1"
    assert event.actor_id == tenant.users[Role.SUPER_ADMIN].id


async def test_another_accounts_tokens_are_out_of_reach(
    gql: GraphQLClient, make_tenant: MakeTenant, tenant: Tenant
) -> None:
    other = await make_tenant()
    secret, token = await create_token(gql, tenant.super_admin, ["READ", "DOWNLOADS"])
    assert await listed(gql, other.super_admin) == []
    assert await gql.error_code(REVOKE_TOKEN, {"id": token["id"]}, other.super_admin) == (
        "NOT_FOUND"
    )
    assert await AuditEvent.filter(account_id=other.account.id).count() == 0
    their_backup = await finished_backup(gql, other.super_admin)
    assert await gql.error_code(BACKUP, {"id": their_backup["id"]}, secret) == "NOT_FOUND"
    assert await gql.data(BACKUPS, token=secret) == {"backups": {"nodes": []}}
