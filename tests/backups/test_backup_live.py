import uuid

from models.accounts import Role
from services import jobs
from tests.support.backups import backup_finished, queued_backup, request_backup
from tests.support.graphql import GraphQLClient
from tests.support.notifications import listen_for_notifications, stored_notifications
from tests.support.progress import JOB_PROGRESS, progress_until_complete
from tests.support.records import seed_contacts, seed_records
from tests.support.servers import Server
from tests.support.tenants import MakeTenant, Tenant, add_super_admin
from tests.support.websocket import signed_in

# Companies go first and take more than one write batch (rows, or megabytes through COPY):
# progress shows before they are done.
CONTACTS, COMPANIES = 2000, 3000
LONG_TEXT = "lorem ipsum " * 100


async def test_every_super_admin_hears_the_backup_is_ready(
    server: Server, gql: GraphQLClient, tenant: Tenant
) -> None:
    second, second_token = await add_super_admin(tenant)
    first = tenant.users[Role.SUPER_ADMIN]
    async with (
        signed_in(server.websocket_url, tenant.super_admin) as first_socket,
        signed_in(server.websocket_url, second_token) as second_socket,
    ):
        listening_to = [
            (first_socket, await listen_for_notifications(first_socket, first)),
            (second_socket, await listen_for_notifications(second_socket, second)),
        ]
        backup_id = await request_backup(gql, tenant.super_admin)
        for socket, operation_id in listening_to:
            message = await socket.receive(seconds=30)
            assert (message["id"], message["type"]) == (operation_id, "next")
            notification = message["payload"]["data"]["notifications"]
            assert (notification["kind"], notification["subjectId"]) == ("BACKUP_READY", backup_id)

    for user in (first, second):
        assert await stored_notifications(user, backup_id) == ["BACKUP_READY"]
    for role in (Role.ADMIN, Role.MEMBER):
        assert await stored_notifications(tenant.users[role], backup_id) == []


async def test_job_progress_streams_an_export_until_it_succeeds(
    server: Server, tenant: Tenant
) -> None:
    await seed_contacts(tenant, CONTACTS)
    companies = [{"name": f"Company {i}", "industry": LONG_TEXT} for i in range(COMPANIES)]
    await seed_records(tenant, "companies", companies)
    backup = await queued_backup(tenant)
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(JOB_PROGRESS, {"id": str(backup.id)})
        first = await socket.receive()
        # The state now comes first; the server is listening once it has answered.
        assert first["payload"]["data"]["jobProgress"] == {
            "jobId": str(backup.id),
            "status": "QUEUED",
            "objectType": None,
            "rowsDone": None,
            "rowsTotal": None,
        }
        await jobs.enqueue(jobs.EXPORT_BACKUP, backup.id)
        events = await progress_until_complete(socket, operation_id)

    *running, last = events
    assert last["status"] == "SUCCEEDED"
    assert {event["status"] for event in running} == {"RUNNING"}
    assert {event["jobId"] for event in events} == {str(backup.id)}
    totals = {"companies": COMPANIES, "contacts": CONTACTS}
    for object_type, total in totals.items():
        done = [event["rowsDone"] for event in running if event["objectType"] == object_type]
        assert done == sorted(done)
        # Published at most every half second, but always when a type is complete.
        assert done[-1] == total
        assert {e["rowsTotal"] for e in running if e["objectType"] == object_type} == {total}
    assert {event["objectType"] for event in running} == set(totals)
    # Progress within a type, not only at its end (on PostgreSQL the types go in parallel, so
    # either may be heard first).
    assert any(event["rowsDone"] < totals[event["objectType"]] for event in running)
    assert (await backup_finished(backup.id)).object_counts == totals


async def test_job_progress_of_a_finished_backup_is_its_state_then_the_end(
    server: Server, gql: GraphQLClient, tenant: Tenant
) -> None:
    backup_id = await request_backup(gql, tenant.super_admin)
    await backup_finished(backup_id)
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(JOB_PROGRESS, {"id": backup_id})
        [state] = await progress_until_complete(socket, operation_id)
    assert (state["jobId"], state["status"]) == (backup_id, "SUCCEEDED")


async def test_job_progress_of_another_accounts_backup_is_not_found(
    server: Server, gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    theirs = await request_backup(gql, other.super_admin)
    await backup_finished(theirs)
    answers = []
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        for job_id in (theirs, str(uuid.uuid4())):
            operation_id = await socket.subscribe(JOB_PROGRESS, {"id": job_id})
            [answer] = await socket.payloads_until_complete(operation_id)
            assert answer["data"] is None
            [error] = answer["errors"]
            assert error["extensions"]["code"] == "NOT_FOUND"
            answers.append({**error, "message": error["message"].replace(job_id, "<id>")})
    assert answers[0] == answers[1]
