"""Restoring by importing a file: real uploads over HTTP to the real server, the job on its
in-process worker, the outcome through GraphQL and the database."""

import asyncio
import csv
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
from server.app import create_app
from server.settings import Settings
from services.crm import changes as record_events
from services.crm import live_record_changes
from services.crm.changes import RecordChange
from services.crm.values import MAX_VALUE_LENGTH
from services.imports.job import BATCH_SIZE
from services.jobs import queue as jobs
from services.jobs.kinds import IMPORT_FILE, JobKind
from tests.support.archives import replaced
from tests.support.backups import backup_file
from tests.support.graphql import GraphQLClient
from tests.support.imports import (
    IMPORT,
    csv_bytes,
    hostile_files,
    import_finished,
    imported,
    in_chunks,
    upload,
)
from tests.support.polling import until_listening
from tests.support.progress import JOB_PROGRESS, progress_until_complete
from tests.support.records import purge, records_of, seed_records
from tests.support.servers import Server, serving
from tests.support.tenants import MakeTenant, Tenant
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
        tenant.super_admin,
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

    download = await http.get(job["errorRowsDownloadUrl"])
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert download.headers["cache-control"] == "no-store"
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == ["object_type", "row_number", "record_id", "reason"]
    assert [(int(line[1]), line[2], line[3]) for line in lines[1:]] == [
        # A cell a spreadsheet would run as a formula is quoted as text.
        (number, "'" + record_id if record_id.startswith("=") else record_id, reason)
        for number, record_id, reason in errors
    ]
    assert SECRET not in download.text


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
        tenant.super_admin,
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
        tenant.super_admin,
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

    job = await imported(http, gql, tenant.super_admin, content)
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

    job = await imported(http, gql, tenant.super_admin, content)

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
    assert {(change.source, change.job_id) for change in events} == {("IMPORT", job["id"])}
    by_id = {UUID(change.record_id): change for change in events}
    assert by_id[contacts[1].id].properties == ["jobtitle"]
    assert by_id[deals[0].id].properties == ["amount", "dealname"]

    admin = tenant.users[Role.SUPER_ADMIN]
    [notification] = await Notification.filter(user_id=admin.id, kind="IMPORT_COMPLETED")
    assert notification.subject_id == job["id"]
    assert notification.body == "2 created, 3 updated, 3 restored, 10 unchanged, 2 failed."
    actions = (
        await AuditEvent.filter(target_id=job["id"])
        .order_by("created_at")
        .values_list("action", flat=True)
    )
    assert actions == ["IMPORT_STARTED", "IMPORT_COMPLETED"]


async def test_a_backup_of_another_account_writes_nothing(
    http: httpx.AsyncClient, gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    source, target = await make_tenant(), await make_tenant()
    await seed_records(source, "contacts", [{"firstname": f"A{i}"} for i in range(5)])
    deals = await seed_records(source, "deals", [{"dealname": f"A{i}"} for i in range(3)])
    content = await backup_file(gql, http, source.super_admin)
    # A tombstone is the purging account's own: it lets no other account recreate the record.
    await purge(deals[:1])
    source_state = await records_of(source.account.id)

    job = await imported(http, gql, target.super_admin, content)

    assert job["status"] == "SUCCEEDED", job["failureReason"]
    assert job["counts"] == {
        "created": 0,
        "updated": 0,
        "restoredFromRecycleBin": 0,
        "unchanged": 0,
        "failed": 8,
    }
    assert {e["reason"] for e in job["errorRows"]["nodes"]} == {UNKNOWN}
    assert await records_of(target.account.id) == {}
    assert await records_of(source.account.id) == source_state


async def test_progress_streams_until_the_import_finishes(
    http: httpx.AsyncClient, server: Server, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_total = 2 * BATCH_SIZE + BATCH_SIZE // 2
    deals = await seed_records(tenant, "deals", [{"dealname": f"D{i}"} for i in range(rows_total)])
    content = csv_bytes(["id", "dealname"], [[str(deal.id), "Renamed"] for deal in deals])
    # The worker's messages wait until the subscription has answered: every event of the job
    # is published while it listens.
    held: list[UUID] = []

    async def hold(job: JobKind[Any], row_id: UUID) -> bool:
        held.append(row_id)
        return True

    with monkeypatch.context() as patched:
        patched.setattr(jobs, "enqueue", hold)
        response = await upload(http, tenant.super_admin, content, object_type="deals")
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    assert UUID(job_id) in held
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(JOB_PROGRESS, {"id": job_id})
        first = await socket.receive()
        assert first["id"] == operation_id, first
        assert first["payload"]["data"]["jobProgress"] == {
            "jobId": job_id,
            "status": "QUEUED",
            "objectType": None,
            "rowsDone": None,
            "rowsTotal": None,
        }
        for row_id in held:
            await jobs.enqueue(IMPORT_FILE, row_id)
        events = await progress_until_complete(socket, operation_id)

    *running, last = events
    assert last == {
        "jobId": job_id,
        "status": "SUCCEEDED",
        "objectType": None,
        "rowsDone": None,
        "rowsTotal": None,
    }
    assert running, "no progress before the end"
    assert {event["status"] for event in running} == {"RUNNING"}
    assert {event["jobId"] for event in running} == {job_id}
    assert {event["objectType"] for event in running} == {"deals"}
    assert {event["rowsTotal"] for event in running} == {rows_total}
    done = [event["rowsDone"] for event in running]
    assert done == sorted(done)
    # Published at most every half second, but always after the first and the last batch.
    assert done[0] < rows_total
    assert done[-1] == rows_total
    assert (await import_finished(job_id)).status == ImportStatus.SUCCEEDED


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
    assert not await Import.filter(account_id=tenant.account.id).exists()
    assert await records_of(tenant.account.id) == before
    assert not list((settings.storage_dir / "accounts" / str(tenant.account.id)).glob("imports/*"))
    assert not list(settings.work_dir.glob("upload-*"))


async def test_files_damaged_inside_fail_the_import_before_any_write(
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
        response = await upload(http, tenant.super_admin, content, **options)
        assert response.status_code == 202, (name, response.text)
        job = await import_finished(response.json()["id"])
        assert job.status == ImportStatus.FAILED, name
        assert says in job.failure_reason, (name, job.failure_reason)
        assert job.attempts == 1, "a refused file is not retried"
        assert job.storage_key == ""
        assert not await ImportRowError.filter(import_job_id=job.id).exists()
    assert (await Record.get(id=deal.id)).properties == {"dealname": "Current"}
    assert not list((settings.storage_dir / "accounts" / str(tenant.account.id)).glob("imports/*"))


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
    response = await upload(http, tenant.super_admin, content, object_type="deals")
    assert response.status_code == 202
    job_id = response.json()["id"]
    await import_finished(job_id)

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
        tenant.super_admin,
        csv_bytes(["id", "dealname"], [[str(uuid4()), "x"]]),
        object_type="deals",
    )
    url = httpx.URL(job["errorRowsDownloadUrl"])
    assert (await http.get(url)).status_code == 200
    forged = url.copy_with(path=url.path[:-3] + ("AAA" if not url.path.endswith("AAA") else "BBB"))
    response = await http.get(forged)
    assert response.status_code == 404
    assert "invalid or has expired" in response.text
    downloads = await AuditEvent.filter(target_id=job["id"], action="IMPORT_ERRORS_DOWNLOADED")
    assert len(downloads) == 1


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
        http, gql, tenant.super_admin, csv_bytes(["id", "dealname"], []), object_type="deals"
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
        tenant.super_admin,
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
