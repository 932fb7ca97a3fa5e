"""Restoring from an uploaded file: real uploads over HTTP to the real server, planned, started
and applied by its in-process worker, the outcome through GraphQL and the database."""

import asyncio
import csv
import functools
import io
import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from models.accounts import Role
from models.audit import AuditEvent
from models.crm import PurgedRecord, Record
from models.imports import Import, ImportRowError, ImportSource, ImportStatus
from models.notifications import Notification
from models.restores import Restore, RestoreRefusal, RestoreStatus
from server.app import create_app
from server.settings import Settings
from services.crm import changes as record_events
from services.crm import live_record_changes
from services.crm.changes import RecordChange
from services.crm.values import MAX_VALUE_LENGTH
from services.jobs import queue as jobs
from services.jobs.kinds import PLAN_RESTORE, JobKind
from services.restores.source import BATCH_SIZE
from services.storage.sealed import MAGIC
from tests.support.archives import replaced
from tests.support.backups import backup_file
from tests.support.graphql import GraphQLClient
from tests.support.imports import (
    IMPORT,
    csv_bytes,
    hostile_files,
    imported,
    in_chunks,
    planned_upload,
    upload,
)
from tests.support.polling import poll_until, until_listening
from tests.support.progress import JOB_PROGRESS, progress_until_complete
from tests.support.records import purge, records_of, seed_records
from tests.support.restores import START, restore_finished, start_variables
from tests.support.servers import Server, serving
from tests.support.tenants import MakeTenant, Tenant
from tests.support.two_factor import step_up
from tests.support.websocket import signed_in

IMPORTS = """query($first: Int!, $after: String) { imports(first: $first, after: $after) {
  nodes { id name source status counts { updated failed } }
  pageInfo { hasNextPage endCursor } } }"""
CONTACT_COLUMNS = ["firstname", "email", "phone", "lifecyclestage", "date_of_birth"]
SECRET = "SECRET-VALUE-42"
DEAD_CONTACT = "Permanently deleted contact: it cannot be brought back."
UNKNOWN = "No record with this id exists in this account."


async def test_every_row_outcome_of_a_csv(
    http: httpx.AsyncClient, gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    changed, same, binned, gone = await seed_records(
        tenant,
        "contacts",
        [
            {"firstname": "Ann", "email": "ann@example.com", "jobtitle": "CTO"},
            {"firstname": "Bo", "email": "bo@example.com"},
            {"firstname": "Cy"},
            {"firstname": "Di"},
        ],
    )
    await Record.filter(id=binned.id).update(deleted_at=binned.created_at)
    await purge([gone])
    [foreign] = await seed_records(other, "contacts", [{"firstname": "Not yours"}])
    rows = [
        # Overwritten: firstname replaced, email cleared; jobtitle is not a column, so kept.
        [str(changed.id), "Anne", "", "", "lead", ""],
        [str(same.id), "Bo", "bo@example.com", "", "", ""],
        [str(binned.id), "Cy", "cy@example.com", "", "", ""],
        [str(gone.id), "Di", "", "", "", ""],
        [str(uuid4()), "Nobody", "", "", "", ""],
        [str(foreign.id), "Mine now", "", "", "", ""],
        [str(uuid4()), "Bad", "", "", "boss", SECRET],
        ["=HYPERLINK(1)", "Not an id", "", "", "", ""],
        [str(same.id), "Bo again", "", "", "", ""],
    ]
    job = await imported(
        http,
        gql,
        tenant,
        csv_bytes(["id", *CONTACT_COLUMNS], rows),
        file_name="contacts.csv",
        object_type="contacts",
    )

    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert (job["name"], job["source"], job["objectType"]) == (
        "Import - contacts.csv",
        "FILE",
        "contacts",
    )
    assert job["counts"] == {
        "created": 0,
        "updated": 1,
        "restoredFromRecycleBin": 1,
        "unchanged": 1,
        "failed": 6,
    }
    errors = [(e["rowNumber"], e["recordId"], e["reason"]) for e in job["errorRows"]["nodes"]]
    assert errors == [
        (4, str(gone.id), DEAD_CONTACT),
        (5, rows[4][0], UNKNOWN),
        (6, str(foreign.id), UNKNOWN),
        (
            7,
            rows[6][0],
            "lifecyclestage: one of subscriber, lead, opportunity, customer is expected; "
            "date_of_birth: a date as YYYY-MM-DD is expected.",
        ),
        (8, "=HYPERLINK(1)", "The id is not a record id."),
        (9, str(same.id), "The id repeats that of row 2."),
    ]
    assert SECRET not in json.dumps(job)
    after = await records_of(tenant.account.id)
    assert after[changed.id] == (
        "contacts",
        {"firstname": "Anne", "jobtitle": "CTO", "lifecyclestage": "lead"},
        False,
    )
    assert after[same.id] == ("contacts", {"firstname": "Bo", "email": "bo@example.com"}, False)
    assert after[binned.id] == ("contacts", {"firstname": "Cy", "email": "cy@example.com"}, False)
    assert gone.id not in after and await PurgedRecord.exists(id=gone.id)
    assert await records_of(other.account.id) == {
        foreign.id: ("contacts", {"firstname": "Not yours"}, False)
    }

    # The refused rows with their values, to fix and upload again (the uploader's own data,
    # sensitive values too: the link is a super admin's).
    download = await http.get(job["errorRowsDownloadUrl"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["cache-control"] == "no-store"
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == ["id", *CONTACT_COLUMNS, "refusal reason"]
    refused_rows = [rows[number - 1] for number, _, _ in errors]
    assert sorted(lines[1:]) == sorted(
        [*row, reason] for row, (_, _, reason) in zip(refused_rows, errors, strict=True)
    )


async def test_a_purged_record_comes_back_with_its_id_in_its_own_type_only(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    deal, other_deal = await seed_records(
        tenant, "deals", [{"dealname": "Renewal", "amount": "10"}, {"dealname": "Upsell"}]
    )
    await purge([deal, other_deal])
    job = await imported(
        http,
        gql,
        tenant,
        csv_bytes(["id", "dealname", "amount"], [[str(deal.id), "Renewal", "12.5"]]),
        object_type="deals",
    )
    assert job["counts"]["created"] == 1
    assert (await records_of(tenant.account.id))[deal.id] == (
        "deals",
        {"dealname": "Renewal", "amount": "12.5"},
        False,
    )
    assert not await PurgedRecord.exists(id=deal.id)

    as_company = await imported(
        http,
        gql,
        tenant,
        csv_bytes(["id", "name"], [[str(other_deal.id), "Upsell Inc"]]),
        object_type="companies",
    )
    assert as_company["counts"]["failed"] == 1
    assert as_company["errorRows"]["nodes"][0]["reason"] == (
        "This id belongs to a record that is not one of companies."
    )
    assert other_deal.id not in await records_of(tenant.account.id)


async def test_an_untouched_backup_imports_as_no_change(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed_records(
        tenant, "contacts", [{"firstname": f"C{i}", "phone": f"+1 555 {i}"} for i in range(30)]
    )
    await seed_records(
        tenant, "deals", [{"dealname": f"D{i}", "amount": str(i)} for i in range(20)]
    )
    content = await backup_file(gql, http, tenant.super_admin)
    stamps = dict(await Record.filter(account_id=tenant.account.id).values_list("id", "updated_at"))

    job = await imported(http, gql, tenant, content)
    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert job["counts"] == {
        "created": 0,
        "updated": 0,
        "restoredFromRecycleBin": 0,
        "unchanged": 50,
        "failed": 0,
    }
    assert job["errorRowsDownloadUrl"] is None
    after = dict(await Record.filter(account_id=tenant.account.id).values_list("id", "updated_at"))
    assert after == stamps


@pytest.fixture
async def import_events(tenant: Tenant) -> AsyncIterator[asyncio.Queue[RecordChange]]:
    """Change events for the tenant's deals and contacts, as a workflow would receive them."""
    received: asyncio.Queue[RecordChange] = asyncio.Queue()

    async def listen(object_type: str) -> None:
        async for event in live_record_changes(tenant.account.id, object_type):
            received.put_nowait(event.change)

    names = ("contacts", "deals")
    listeners = [asyncio.create_task(listen(name)) for name in names]
    for name in names:
        await until_listening(record_events.channel(tenant.account.id, name))
    yield received
    for listener in listeners:
        listener.cancel()


async def test_delete_purge_and_edit_then_import_brings_the_backup_back(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    tenant: Tenant,
    import_events: asyncio.Queue[RecordChange],
) -> None:
    contacts = await seed_records(
        tenant,
        "contacts",
        [{"firstname": f"C{i}", "email": f"c{i}@example.com"} for i in range(12)],
    )
    deals = await seed_records(
        tenant, "deals", [{"dealname": f"D{i}", "amount": str(i)} for i in range(8)]
    )
    content = await backup_file(gql, http, tenant.super_admin)
    backed_up = await records_of(tenant.account.id)

    edited = [contacts[0], contacts[1], deals[0]]
    await Record.filter(id=contacts[0].id).update(properties={"firstname": "Changed"})
    await Record.filter(id=contacts[1].id).update(
        properties={"firstname": "C1", "email": "c1@example.com", "jobtitle": "Added"}
    )
    await Record.filter(id=deals[0].id).update(properties={"amount": "999"})
    deleted = [contacts[2], contacts[3], deals[1]]
    await Record.filter(id__in=[r.id for r in deleted]).update(deleted_at=contacts[0].created_at)
    purged_contacts, purged_deals = [contacts[4], contacts[5]], [deals[2], deals[3]]
    await purge(purged_contacts + purged_deals)
    [newer] = await seed_records(tenant, "deals", [{"dealname": "Made after the backup"}])

    job = await imported(http, gql, tenant, content)

    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert job["counts"] == {
        "created": 2,
        "updated": 3,
        "restoredFromRecycleBin": 3,
        "unchanged": 20 - 2 - 2 - 3 - 3,
        "failed": 2,
    }
    assert {(e["recordId"], e["reason"]) for e in job["errorRows"]["nodes"]} == {
        (str(record.id), DEAD_CONTACT) for record in purged_contacts
    }
    expected = {
        record_id: state
        for record_id, state in backed_up.items()
        if record_id not in {record.id for record in purged_contacts}
    }
    expected[newer.id] = ("deals", {"dealname": "Made after the backup"}, False)
    assert await records_of(tenant.account.id) == expected

    changed = {record.id for record in edited + deleted + purged_deals}
    events = [await asyncio.wait_for(import_events.get(), 5) for _ in changed]
    await asyncio.sleep(0.1)
    assert import_events.empty(), "no other record changed"
    assert {UUID(change.record_id) for change in events} == changed
    assert {(change.source, change.job_id) for change in events} == {("IMPORT", job["restoreId"])}
    by_id = {UUID(change.record_id): change for change in events}
    assert by_id[contacts[1].id].properties == ["jobtitle"]
    assert by_id[deals[0].id].properties == ["amount", "dealname"]

    admin = tenant.users[Role.SUPER_ADMIN]
    [notification] = await Notification.filter(user_id=admin.id, kind="IMPORT_COMPLETED")
    assert notification.subject_id == job["restoreId"]
    assert notification.title == "Import - backup-2026-11-21.zip finished"
    assert notification.body == (
        "3 records changed (4 values set, 1 cleared); 10 already held the values. 3 brought "
        "back from the recycle bin; 2 created again with their ids; 2 refused (see the "
        "import's refused rows)."
    )
    actions = (
        await AuditEvent.filter(target_id=job["restoreId"])
        .order_by("created_at")
        .values_list("action", flat=True)
    )
    assert actions == ["IMPORT_UPLOADED", "IMPORT_PLANNED", "IMPORT_STARTED", "IMPORT_COMPLETED"]


async def test_a_backup_of_another_account_is_refused_before_anything_is_read(
    http: httpx.AsyncClient, gql: GraphQLClient, make_tenant: MakeTenant, settings: Settings
) -> None:
    source, target = await make_tenant(), await make_tenant()
    await seed_records(source, "contacts", [{"firstname": f"A{i}"} for i in range(5)])
    content = await backup_file(gql, http, source.super_admin)
    source_state = await records_of(source.account.id)

    response = await upload(http, target.super_admin, content)

    assert response.status_code == 422, response.text
    assert response.json()["code"] == "BACKUP_OF_ANOTHER_ACCOUNT"
    assert not await Restore.filter(account_id=target.account.id).exists()
    assert await records_of(target.account.id) == {}
    assert await records_of(source.account.id) == source_state
    assert not list((settings.storage_dir / "accounts" / str(target.account.id)).glob("*/*"))


async def test_progress_streams_the_plan_then_the_import(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    server: Server,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows_total = 2 * BATCH_SIZE + BATCH_SIZE // 2
    deals = await seed_records(tenant, "deals", [{"dealname": f"D{i}"} for i in range(rows_total)])
    content = csv_bytes(["id", "dealname"], [[str(deal.id), "Renamed"] for deal in deals])
    # The plan's message waits until the subscription has answered: every event of the plan
    # and of the import is published while it listens.
    held: list[UUID] = []

    async def hold(job: JobKind[Any], row_id: UUID) -> bool:
        held.append(row_id)
        return True

    with monkeypatch.context() as patched:
        patched.setattr(jobs, "enqueue", hold)
        response = await upload(http, tenant.super_admin, content, object_type="deals")
    assert response.status_code == 202, response.text
    plan_id = response.json()["id"]
    assert held == [UUID(plan_id)]
    await step_up(tenant)
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(JOB_PROGRESS, {"id": plan_id})
        stream = [await socket.next_payload(operation_id)]
        await jobs.enqueue(PLAN_RESTORE, UUID(plan_id))
        while stream[-1]["data"]["jobProgress"]["status"] != "PLANNED":
            stream.append(await socket.next_payload(operation_id))
        await gql.data(START, start_variables(plan_id), tenant.super_admin)
        events = [payload["data"]["jobProgress"] for payload in stream]
        events += await progress_until_complete(socket, operation_id)

    idle = {"jobId": plan_id, "objectType": None, "rowsDone": None, "rowsTotal": None}
    assert events[0] == {**idle, "status": "PLAN_QUEUED"}
    assert events[-1] == {**idle, "status": "SUCCEEDED"}
    for stage in ("PLANNING", "RUNNING"):
        done = [event["rowsDone"] for event in events if event["status"] == stage]
        assert done, f"no {stage} progress"
        assert done == sorted(done) and done[-1] == rows_total
        assert {event["rowsTotal"] for event in events if event["status"] == stage} == {rows_total}
    assert {event["objectType"] for event in events if event["rowsDone"]} == {"deals"}
    assert (await restore_finished(plan_id)).status == RestoreStatus.SUCCEEDED


async def test_hostile_files_are_refused_at_once(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, settings: Settings
) -> None:
    await seed_records(tenant, "deals", [{"dealname": "Kept", "amount": "1"}])
    backup = await backup_file(gql, http, tenant.super_admin)
    before = await records_of(tenant.account.id)
    for name, (content, options, says) in hostile_files(backup).items():
        response = await upload(http, tenant.super_admin, content, **options)
        assert response.status_code == 422, (name, response.text)
        body = response.json()
        assert body["code"] == "NOT_RESTORABLE", name
        assert says in body["message"], (name, body["message"])
    assert not await Restore.filter(account_id=tenant.account.id).exists()
    assert await records_of(tenant.account.id) == before
    assert not list((settings.storage_dir / "accounts" / str(tenant.account.id)).glob("imports/*"))
    assert not list(settings.work_dir.glob("upload-*"))


async def _forgotten(restore_id: str) -> Restore | None:
    """The restore once its uploaded file is deleted."""
    return await Restore.filter(id=restore_id, file_key="").first()


async def test_files_damaged_inside_fail_the_plan(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, settings: Settings
) -> None:
    [deal] = await seed_records(tenant, "deals", [{"dealname": "Kept", "amount": "1"}])
    backup = await backup_file(gql, http, tenant.super_admin)
    await Record.filter(id=deal.id).update(properties={"dealname": "Current"})
    damaged = {
        "checksum": (
            replaced(backup, "deals.csv", lambda data: data.replace(b"Kept", b"Evil")),
            "deals.csv does not match its checksum",
        ),
        "csv width": (
            b"id,dealname\n" + str(deal.id).encode() + b",Evil,extra\n",
            "deals.csv, line 2: 3 fields, not 2.",
        ),
    }
    for name, (content, says) in damaged.items():
        options = {"object_type": "deals"} if name.startswith("csv") else {}
        planned = await planned_upload(http, gql, tenant.super_admin, content, **options)
        assert (planned["status"], planned["failureCode"]) == ("PLAN_FAILED", "FILE_REFUSED")
        assert says in planned["failureReason"], (name, planned["failureReason"])
        # The file is deleted once the outcome is recorded, just after PLAN_FAILED is seen.
        plan = await poll_until(functools.partial(_forgotten, planned["id"]), seconds=10)
        assert plan.attempts == 1, "a refused file is not retried"
        assert not await RestoreRefusal.filter(restore_id=plan.id).exists()
    assert (await Record.get(id=deal.id)).properties == {"dealname": "Current"}
    assert not list((settings.storage_dir / "accounts" / str(tenant.account.id)).glob("imports/*"))


async def test_an_uploaded_file_is_stored_encrypted(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, settings: Settings
) -> None:
    [deal] = await seed_records(tenant, "deals", [{"dealname": "Kept", "amount": "1"}])
    content = f"id,dealname\n{deal.id},{SECRET}\n".encode()
    planned = await planned_upload(http, gql, tenant.super_admin, content, object_type="deals")
    assert planned["status"] == "PLANNED", planned["failureReason"]
    plan = await Restore.get(id=planned["id"])
    stored = await asyncio.to_thread((settings.storage_dir / plan.file_key).read_bytes)
    assert stored.startswith(MAGIC)
    assert SECRET.encode() not in stored


async def test_only_super_admins_import_and_see_imports(
    http: httpx.AsyncClient, gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    content = csv_bytes(["id", "dealname"], [])
    for token, status, code in [
        (None, 401, "UNAUTHENTICATED"),
        ("forged", 401, "UNAUTHENTICATED"),
        (tenant.admin, 403, "FORBIDDEN"),
        (tenant.member, 403, "FORBIDDEN"),
    ]:
        response = await upload(http, token, content, object_type="deals")
        assert (response.status_code, response.json()["code"]) == (status, code)
    job_id = (await imported(http, gql, tenant, content, object_type="deals"))["id"]

    for token in (tenant.admin, tenant.member):
        assert await gql.error_code(IMPORTS, {"first": 10}, token) == "FORBIDDEN"
        assert await gql.error_code(IMPORT, {"id": job_id}, token) == "FORBIDDEN"
    assert await gql.error_code(IMPORT, {"id": job_id}, other.super_admin) == "NOT_FOUND"
    assert (await gql.data(IMPORTS, {"first": 10}, other.super_admin))["imports"]["nodes"] == []


async def test_error_rows_link_is_signed(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    job = await imported(
        http,
        gql,
        tenant,
        csv_bytes(["id", "dealname"], [[str(uuid4()), "x"]]),
        object_type="deals",
    )
    url = httpx.URL(job["errorRowsDownloadUrl"])
    assert (await http.get(url)).status_code == 200
    *start, token, file_name = url.path.split("/")
    token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    forged = url.copy_with(path="/".join([*start, token, file_name]))
    response = await http.get(forged)
    assert response.status_code == 404
    assert "invalid or has expired" in response.text
    downloads = await AuditEvent.filter(
        target_id=job["restoreId"], action="REFUSED_ROWS_DOWNLOADED"
    )
    assert [event.details for event in downloads] == [{"object_type": "deals"}]


async def test_an_import_made_before_plans_keeps_its_own_error_rows_csv(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    older = await Import.create(
        account_id=tenant.account.id,
        name="Import - deals.csv",
        source=ImportSource.FILE,
        status=ImportStatus.SUCCEEDED,
        counts={"failed": 1},
    )
    await ImportRowError.create(
        import_job=older, object_type_name="deals", row_number=3, record_id="x", reason="Bad."
    )
    job = (await gql.data(IMPORT, {"id": str(older.id)}, tenant.super_admin))["import"]
    download = await http.get(job["errorRowsDownloadUrl"])
    assert list(csv.reader(io.StringIO(download.text))) == [
        ["object_type", "row_number", "record_id", "reason"],
        ["deals", "3", "x", "Bad."],
    ]


async def test_the_list_shows_file_imports_and_restores_newest_first(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    restore_entry = await Import.create(
        account_id=tenant.account.id,
        name="Data restore - Deal",
        source=ImportSource.RESTORE,
        status=ImportStatus.SUCCEEDED,
        counts={"updated": 4},
    )
    file_job = await imported(
        http, gql, tenant, csv_bytes(["id", "dealname"], []), object_type="deals"
    )
    first = (await gql.data(IMPORTS, {"first": 1}, tenant.super_admin))["imports"]
    second = (
        await gql.data(
            IMPORTS, {"first": 1, "after": first["pageInfo"]["endCursor"]}, tenant.super_admin
        )
    )["imports"]
    assert [(n["id"], n["source"]) for n in first["nodes"] + second["nodes"]] == [
        (file_job["id"], "FILE"),
        (str(restore_entry.id), "RESTORE"),
    ]
    assert second["nodes"][0]["name"] == "Data restore - Deal"
    assert second["nodes"][0]["counts"] == {"updated": 4, "failed": 0}
    assert not second["pageInfo"]["hasNextPage"]


@pytest.mark.parametrize(
    ("build", "says"),
    [
        pytest.param(
            lambda: {"content": b"plain", "headers": {"content-type": "text/csv"}},
            "multipart",
            id="not multipart",
        ),
        pytest.param(lambda: {"data": {"objectType": "deals"}}, "multipart", id="no file"),
        pytest.param(
            lambda: {"data": {"objectType": "deals"}, "files": {"other": ("a", b"")}},
            "in the field `file`",
            id="file in another field",
        ),
        pytest.param(
            lambda: {"files": [("file", ("a.csv", b"id\n")), ("file", ("b.csv", b"id\n"))]},
            "one file",
            id="two files",
        ),
    ],
)
async def test_malformed_uploads_are_refused(
    http: httpx.AsyncClient, tenant: Tenant, build: Callable[[], dict[str, Any]], says: str
) -> None:
    request = build()
    headers = {"Authorization": f"Bearer {tenant.super_admin}", **request.pop("headers", {})}
    response = await http.post("/imports", headers=headers, **request)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "VALIDATION_FAILED"
    assert says in response.json()["message"]


async def test_the_upload_size_is_capped(settings: Settings, tenant: Tenant) -> None:
    capped = create_app(settings.model_copy(update={"max_import_bytes": 50_000}))
    content = csv_bytes(["id", "dealname"], [[str(uuid4()), "x" * 100] for _ in range(1_000)])
    async with serving(capped, lifespan="off") as capped_server:
        url = capped_server.url
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            small = csv_bytes(["id", "dealname"], [[str(uuid4()), "x"]])
            assert (
                await upload(client, tenant.super_admin, small, "a.csv", "deals")
            ).status_code == 202
            declared = await upload(client, tenant.super_admin, content, "a.csv", "deals")
            assert declared.status_code == 413
            # Without a Content-Length, the body is counted as it streams.
            form = httpx.Request("POST", url, files={"file": ("a.csv", content)})
            streamed = await client.post(
                "/imports",
                content=in_chunks(form.read()),
                headers={
                    "Authorization": f"Bearer {tenant.super_admin}",
                    "Content-Type": form.headers["content-type"],
                },
            )
            assert streamed.status_code == 413
            assert "content-length" not in streamed.request.headers
    assert not list(settings.work_dir.glob("upload-*"))


async def test_text_a_database_cannot_store_is_a_refused_row(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    kept, nul_value, too_long = await seed_records(
        tenant, "contacts", [{"firstname": "Ann"}, {"firstname": "Bo"}, {"firstname": "Cy"}]
    )
    rows = [
        [str(kept.id), "Anne"],
        [str(nul_value.id), "B\x00o"],
        [str(too_long.id), "C" * (MAX_VALUE_LENGTH + 1)],
        [f"{uuid4()}\x00", "Nul in the id"],
    ]
    job = await imported(
        http,
        gql,
        tenant,
        csv_bytes(["id", "firstname"], rows),
        file_name="contacts.csv",
        object_type="contacts",
    )

    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert job["counts"]["updated"] == 1 and job["counts"]["failed"] == 3
    errors = [(e["rowNumber"], e["recordId"], e["reason"]) for e in job["errorRows"]["nodes"]]
    assert errors == [
        (2, str(nul_value.id), "firstname: the NUL character is not allowed."),
        (3, str(too_long.id), f"firstname: at most {MAX_VALUE_LENGTH} characters are allowed."),
        (4, rows[3][0].replace("\x00", "\ufffd"), "id: the NUL character is not allowed."),
    ]
    after = await records_of(tenant.account.id)
    assert after[kept.id] == ("contacts", {"firstname": "Anne"}, False)
    assert after[nul_value.id] == ("contacts", {"firstname": "Bo"}, False)
    assert after[too_long.id] == ("contacts", {"firstname": "Cy"}, False)
