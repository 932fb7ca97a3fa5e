"""Operations generated from the SDL, with arbitrary arguments, never make the server fail."""

import asyncio
import os

import httpx
from hypothesis import HealthCheck, given, settings

from models.accounts import Role
from tests.support.fuzzing import operations, post
from tests.support.records import seed_records
from tests.support.servers import Server
from tests.support.tenants import Tenant


async def test_no_generated_operation_answers_a_server_error(
    server: Server, tenant: Tenant
) -> None:
    records = await seed_records(tenant, "contacts", [{"firstname": "Ada"}] * 3)
    records += await seed_records(tenant, "calls", [{"hs_call_title": "Intro"}] * 3)
    others = [user for role, user in tenant.users.items() if role != Role.SUPER_ADMIN]
    ids = [str(record.id) for record in records] + [str(user.id) for user in others]

    @settings(
        max_examples=250,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
        # CI runs the same examples every time, so that a red run is the change's doing; a
        # developer's run explores new ones.
        derandomize=bool(os.environ.get("CI")),
    )
    @given(document=operations(ids))
    def answers_without_server_errors(document: str) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            body = post(client, document, tenant.super_admin)
        codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
        assert None not in codes, (document, body["errors"])
        assert "INTERNAL_SERVER_ERROR" not in codes, (document, body["errors"])

    # The server runs on this event loop: the synchronous property runs beside it.
    await asyncio.to_thread(answers_without_server_errors)
