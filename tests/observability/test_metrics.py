"""/metrics: requests by route, root field and outcome; jobs by kind and outcome; the queue;
lost jobs sent again; websockets; refused sign-ins and codes. Label values come from the schema
and the routes only. Who may read it: this machine, or the bearer of METRICS_TOKEN."""

import asyncio
from pathlib import Path

import httpx
from pydantic import SecretStr

from models.backups import Backup
from server.app import create_app
from server.settings import Settings
from services import jobs
from tests.support.backups import backup_finished, queued_backup, request_backup
from tests.support.cli import cli_env, crm_backup
from tests.support.graphql import GraphQLClient
from tests.support.leases import lease_lapses
from tests.support.metrics import increase, scrape
from tests.support.records import seed_contacts
from tests.support.servers import Server, serving
from tests.support.settings import isolated_settings
from tests.support.storage import BACKUP_KEYS
from tests.support.tenants import LOGIN, Tenant, unique_email
from tests.support.two_factor import enroll, reauthenticate, wrong_code
from tests.support.websocket import signed_in

REQUESTS = "crm_backup_http_request_duration_seconds_count"
ATTEMPTS = "crm_backup_job_attempt_duration_seconds_count"
ACCOUNT = "{ account { id } }"


async def test_graphql_requests_by_root_field_and_outcome(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    before = await scrape(http)
    await gql.raw(ACCOUNT, token=tenant.member)
    await gql.raw("query ClientChosenName { account { id } }", token=tenant.member)
    await gql.raw(ACCOUNT)  # unauthenticated: refused
    await gql.raw("{ account { id } me { user { email } } }", token=tenant.member)
    await gql.raw("{ noSuchField }", token=tenant.member)
    after = await scrape(http)

    graphql = {"route": "/graphql"}
    assert increase(before, after, REQUESTS, **graphql, operation="account", outcome="ok") == 2
    assert increase(before, after, REQUESTS, **graphql, operation="account", outcome="error") == 1
    assert increase(before, after, REQUESTS, **graphql, operation="several", outcome="ok") == 1
    assert increase(before, after, REQUESTS, **graphql, operation="invalid", outcome="error") == 1
    # What a client names or sends is never a label.
    assert "ClientChosenName" not in after.text
    assert "noSuchField" not in after.text
    assert str(tenant.account.id) not in after.text


async def test_other_routes_by_their_template(http: httpx.AsyncClient) -> None:
    before = await scrape(http)
    await http.get("/health/live")
    await http.get("/admin/no-such-file.js")
    await http.get(f"/no-such-path-{id(http)}")
    after = await scrape(http)

    for route, outcome in [("/health/live", "ok"), ("/admin", "error"), ("unmatched", "error")]:
        assert increase(before, after, REQUESTS, route=route, operation="", outcome=outcome) == 1
    assert f"no-such-path-{id(http)}" not in after.text


async def test_jobs_by_kind_and_outcome_with_rows(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed_contacts(tenant, 25)
    before = await scrape(http)
    await backup_finished(await request_backup(gql, tenant.super_admin))
    after = await scrape(http)

    done = {"kind": "export_backup", "outcome": "succeeded"}
    assert increase(before, after, ATTEMPTS, **done) == 1
    assert increase(before, after, "crm_backup_job_rows_total", **done) == 25


async def test_queue_depth_and_lost_jobs_sent_again(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    waiting = await queued_backup(tenant)
    queued = await scrape(http)
    await lease_lapses(Backup, waiting.id)
    await jobs.requeue_lost_jobs()
    await backup_finished(waiting.id)
    resent = await scrape(http)

    assert queued.value("crm_backup_jobs_queued", kind="export_backup") >= 1
    assert increase(queued, resent, "crm_backup_lost_jobs_resent_total", kind="export_backup") == 1


async def test_open_websockets(http: httpx.AsyncClient, server: Server, tenant: Tenant) -> None:
    gauge = "crm_backup_websocket_connections"
    before = await scrape(http)
    async with signed_in(server.websocket_url, tenant.member) as socket:
        during = await scrape(http)
        handshake = socket.connection.response
    await asyncio.sleep(0.2)  # the server's side of the close
    after = await scrape(http)
    assert increase(before, during, gauge) == 1
    assert increase(before, after, gauge) == 0
    # The handshake's answer names the request, as any response does.
    assert handshake is not None and len(handshake.headers["x-request-id"]) == 32


async def test_refused_sign_ins_and_codes(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    before = await scrape(http)
    await gql.raw(LOGIN, {"email": unique_email("nobody"), "password": "not the password"})
    generator = await enroll(gql, tenant.super_admin)
    await reauthenticate(gql, tenant.super_admin, wrong_code(generator))
    after = await scrape(http)

    failures = "crm_backup_login_failures_total"
    assert increase(before, after, failures, reason="wrong_password") == 1
    assert increase(before, after, "crm_backup_totp_failures_total", reason="wrong") == 1


async def test_a_token_opens_metrics_to_other_machines(settings: Settings, server: Server) -> None:
    token = SecretStr("a-token-for-the-scraper-only")
    guarded = settings.model_copy(update={"metrics_token": token})
    async with (
        serving(create_app(guarded), lifespan="off") as running,
        httpx.AsyncClient(base_url=running.url) as http,
    ):
        anonymous = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer another"})
        await scrape(http, Authorization="Bearer a-token-for-the-scraper-only")
    assert (anonymous.status_code, wrong.status_code) == (401, 401)


async def test_without_a_token_only_this_machine_reads_metrics(
    http: httpx.AsyncClient,
) -> None:
    # From 127.0.0.1, uvicorn trusts X-Forwarded-For: this is a proxy passing a remote client on.
    proxied = await http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403


async def test_metrics_can_be_switched_off(settings: Settings, server: Server) -> None:
    off = settings.model_copy(update={"metrics_enabled": False})
    async with (
        serving(create_app(off), lifespan="off") as running,
        httpx.AsyncClient(base_url=running.url) as http,
    ):
        assert (await http.get("/metrics")).status_code == 404


def test_metrics_settings_refuse_what_would_guard_nothing(tmp_path: Path) -> None:
    assert isolated_settings(metrics_token="").metrics_token is None
    short = crm_backup("migrate", cwd=tmp_path, env=cli_env(METRICS_TOKEN="short"))
    production = {
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "k" * 32,
        "BACKUP_KEYS": BACKUP_KEYS,
    }
    # A worker's jobs run in processes it forks: without the directory nothing would show.
    apart = crm_backup("worker", cwd=tmp_path, env=cli_env(METRICS_PORT="9100", **production))
    assert (short.returncode, apart.returncode) == (2, 2)
    assert "METRICS_TOKEN: must have at least 16 characters" in short.stderr
    assert "METRICS_PORT needs PROMETHEUS_MULTIPROC_DIR" in apart.stderr
