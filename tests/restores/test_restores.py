import asyncio
import hashlib
import json
import struct
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zipfile import ZipFile

import pytest

from models.accounts import AuthMethod, Role
from models.audit import AuditEvent
from models.backups import Backup, BackupStatus
from models.crm import Record
from models.imports import Import, ImportSource, ImportStatus
from models.notifications import Notification
from models.restores import Restore, RestoreChange, RestoreStatus
from services import storage
from services.accounts import sessions as auth
from services.activity import notifications
from services.backups.file_format import MANIFEST_NAME
from services.core.clock import now
from services.crm import changes as record_events
from services.crm.records import delete_records, purge_records
from services.jobs import queue as jobs
from services.jobs.kinds import JobKind
from tests.support.backups import backed_up
from tests.support.graphql import GraphQLClient
from tests.support.jobs import jobs_sent
from tests.support.polling import poll_until, until_listening
from tests.support.record_changes import record_changes_committed
from tests.support.records import seed_deals, set_values, values_of
from tests.support.restores import (
    PLAN,
    PLAN_REVERT,
    RESTORE,
    REVERTIBLE,
    START,
    STARTED,
    add_sensitive_commission,
    deal,
    plan,
    plan_ended,
    plan_fails_as_damaged,
    planned_restore,
    restore_finished,
    restored,
    revert_planned,
    revertible_until,
    start,
    start_variables,
)
from tests.support.servers import Server
from tests.support.storage import flip_stored_byte, plaintext_rewritten
from tests.support.tenants import MakeTenant, Tenant
from tests.support.two_factor import enroll_totp, reauthenticated, step_up
from tests.support.websocket import signed_in

CHOSEN = ["amount", "dealstage", "commission"]
RECORD_CHANGES = """subscription($type: String!) {
  recordChanges(objectType: $type) { recordId objectType source properties jobId } }"""
NOTIFICATIONS = "subscription { notifications { kind title body subjectId } }"
PROGRESS = "subscription($id: ID!) { jobProgress(id: $id) { status rowsDone rowsTotal } }"


# The whole flow, on a small account whose data moved in every way since the backup.


async def test_restore_puts_the_backups_values_back_and_leaves_the_rest(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    await add_sensitive_commission(tenant)
    ids = await seed_deals(
        tenant, [deal(i, amount="" if i == 3 else str(1000 + i)) for i in range(12)]
    )
    in_backup = {record_id: await values_of(record_id) for record_id in ids}
    backup_id = await backed_up(gql, tenant)

    # Since the backup:
    await set_values(ids[0], {"amount": "1", "commission": "20"})
    await set_values(ids[1], {"dealstage": "closedwon"})
    await set_values(ids[2], {"amount": "5", "dealstage": "closedlost"})
    await set_values(ids[3], {"amount": "777"})  # blank in the backup: to clear
    await set_values(ids[4], {"dealname": "Renamed"})  # not a chosen property
    await set_values(ids[5], {"amount": "55"})
    await set_values(ids[7], {"amount": "2"})
    viewer = await auth.authenticate(tenant.super_admin)
    await delete_records(viewer, [ids[5]])
    await purge_records(viewer, [ids[6]])
    created = await seed_deals(tenant, [deal(100), deal(101)])

    planned = await plan(gql, tenant, backup_id, CHOSEN)
    assert planned["status"] == "PLANNED" and planned["kind"] == "RESTORE"
    assert planned["counts"] is None
    summary = planned["plan"]
    assert {k: summary[k] for k in ("recordsInSource", "recordsToChange", "recordsUnchanged")} == {
        "recordsInSource": 12,
        "recordsToChange": 5,
        "recordsUnchanged": 5,
    }
    assert (summary["recordsDeleted"], summary["recordsPurged"]) == (1, 1)
    assert summary["recordsCreatedSince"] == 2
    columns = ("name", "label", "sensitive", "toChange", "toClear", "unchanged")
    assert [tuple(prop[c] for c in columns) for prop in summary["properties"]] == [
        ("amount", "Amount", False, 3, 1, 6),
        ("dealstage", "Deal stage", False, 2, 0, 8),
        ("commission", "Commission", True, 1, 0, 9),
    ]
    samples = {(s["recordId"], s["property"]): s for s in summary["sampleChanges"]}
    assert len(samples) == 6, "the sensitive commission is counted above, not sampled"
    assert all(s["property"] != "commission" for s in samples.values())
    assert samples[(str(ids[0]), "amount")] == {
        "recordId": str(ids[0]),
        "recordName": "Deal 0",
        "property": "amount",
        "currentValue": "1",
        "restoredValue": "1000",
        "currentLabel": "1",
        "restoredLabel": "1000",
        "redacted": False,
    }
    assert samples[(str(ids[3]), "amount")]["restoredValue"] is None
    stage = samples[(str(ids[1]), "dealstage")]
    assert (stage["currentValue"], stage["currentLabel"]) == ("closedwon", "Closed won")
    assert (stage["restoredValue"], stage["restoredLabel"]) == (
        "qualifiedtobuy",
        "Qualified to buy",
    )
    assert any("recycle bin" in line for line in summary["guidance"])
    assert any("from the backup's file" in line for line in summary["guidance"])
    assert "5 deals" in summary["dataChangeNotice"]
    assert (
        "reverted for 14 days (however long the account keeps its backups)"
        in (summary["irreversibleNotice"])
    )

    # The data moves again after the plan: the restore still sets the backup's values, and
    # counts what it really changed.
    await set_values(ids[7], {"amount": in_backup[ids[7]]["amount"]})

    await step_up(tenant)
    async with (
        signed_in(server.websocket_url, tenant.super_admin) as changes_socket,
        signed_in(server.websocket_url, tenant.super_admin) as notices_socket,
    ):
        changes_id = await changes_socket.subscribe(RECORD_CHANGES, {"type": "deals"})
        notices_id = await notices_socket.subscribe(NOTIFICATIONS)
        await until_listening(record_events.channel(tenant.account.id, "deals"))
        await until_listening(notifications.channel(tenant.users[Role.SUPER_ADMIN].id))
        started = await start(gql, tenant.super_admin, planned["id"])
        assert (started["id"], started["kind"]) == (planned["id"], "RESTORE")
        assert started["status"] in STARTED
        finished = await restore_finished(planned["id"])
        assert finished.status == RestoreStatus.SUCCEEDED, finished.failure_reason

        received = [
            (await changes_socket.receive())["payload"]["data"]["recordChanges"] for _ in range(4)
        ]
        notice = await notices_socket.receive()
        # Nothing more: no record is announced twice, no unchanged one at all.
        with pytest.raises(TimeoutError):
            await changes_socket.receive(0.5)
        await changes_socket.complete(changes_id)
        await notices_socket.complete(notices_id)

    assert {change["recordId"]: change["properties"] for change in received} == {
        str(ids[0]): ["amount", "commission"],
        str(ids[1]): ["dealstage"],
        str(ids[2]): ["amount", "dealstage"],
        str(ids[3]): ["amount"],
    }
    assert {(c["objectType"], c["source"], c["jobId"]) for c in received} == {
        ("deals", "RESTORE", planned["id"])
    }
    assert notice["id"] == notices_id
    assert notice["payload"]["data"]["notifications"]["kind"] == "RESTORE_COMPLETED"
    assert notice["payload"]["data"]["notifications"]["subjectId"] == planned["id"]

    # Exactly the backup's values for the chosen properties; everything else as it was.
    for index, record_id in enumerate(ids):
        if index in (5, 6):
            continue
        expected = dict(in_backup[record_id])
        if index == 4:
            expected["dealname"] = "Renamed"
        assert await values_of(record_id) == expected, index
    deleted = await Record.get(id=ids[5])
    assert deleted.deleted_at is not None and deleted.properties["amount"] == "55"
    assert not await Record.filter(id=ids[6]).exists()
    for record_id in created:
        assert await values_of(record_id) == deal(100 + created.index(record_id))

    restore = (await gql.data(RESTORE, {"id": planned["id"]}, tenant.super_admin))["restore"]
    assert restore["counts"] == {
        "recordsChanged": 4,
        "valuesSet": 5,
        "valuesCleared": 1,
        "recordsUnchanged": 6,
        "recordsSkipped": 2,
        "conflicts": 0,
    }
    assert await RestoreChange.filter(restore_id=planned["id"]).count() == 4
    entry = await Import.get(restore_id=planned["id"])
    assert (entry.name, entry.source, entry.status) == (
        "Data restore - Deal",
        ImportSource.RESTORE,
        ImportStatus.SUCCEEDED,
    )
    assert entry.counts["updated"] == 4 and entry.counts["skipped"] == 2
    stored = await Notification.filter(subject_id=planned["id"]).values_list("kind", flat=True)
    assert stored == ["RESTORE_COMPLETED"]
    audit: dict[str, Any] = {
        event.action: event.details
        for event in await AuditEvent.filter(target_id=planned["id"]).order_by("id")
    }
    assert audit["RESTORE_STARTED"]["properties"] == CHOSEN
    assert audit["RESTORE_STARTED"]["backup_id"] == backup_id
    assert audit["RESTORE_COMPLETED"]["object_type"] == "deals"
    assert audit["RESTORE_COMPLETED"]["counts"]["records_changed"] == 4


async def test_job_progress_streams_a_restore_until_it_succeeds(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(1500)])
    backup_id = await backed_up(gql, tenant)
    await Record.filter(id__in=ids).update(properties={"amount": "0"})
    planned = await plan(gql, tenant, backup_id, ["amount", "dealname"])
    await step_up(tenant)
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(PROGRESS, {"id": planned["id"]})
        await start(gql, tenant.super_admin, planned["id"])
        progress = [
            p["data"]["jobProgress"] for p in await socket.payloads_until_complete(operation_id)
        ]
    assert progress[0]["status"] in ("PLANNED", "QUEUED", "RUNNING")
    assert progress[-1] == {"status": "SUCCEEDED", "rowsDone": None, "rowsTotal": None}
    assert {"status": "RUNNING", "rowsDone": 1500, "rowsTotal": 1500} in progress


async def test_job_progress_streams_a_plan_then_its_restore(
    gql: GraphQLClient, server: Server, tenant: Tenant
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(2500)])
    backup_id = await backed_up(gql, tenant)
    await Record.filter(id__in=ids[:10]).update(properties={"amount": "0"})
    await step_up(tenant)
    variables = {"backupId": backup_id, "objectType": "deals", "properties": ["amount"]}
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        async with jobs_sent():  # The plan's job waits until the subscriber is there.
            queued = (await gql.data(PLAN, variables, tenant.super_admin))["planRestore"]
            assert (queued["status"], queued["plan"]) == ("PLAN_QUEUED", None)
            start = start_variables(queued["id"])
            assert await gql.error_code(START, start, tenant.super_admin) == "PLAN_NOT_READY"
            operation_id = await socket.subscribe(PROGRESS, {"id": queued["id"]})
            stream = [await socket.next_payload(operation_id)]
        while stream[-1]["data"]["jobProgress"]["status"] != "PLANNED":
            stream.append(await socket.next_payload(operation_id))
        planned = await plan_ended(gql, tenant.super_admin, queued["id"])
        assert planned["plan"]["recordsToChange"] == 10
        await gql.data(START, start, tenant.super_admin)
        stream += await socket.payloads_until_complete(operation_id)
    progress = [payload["data"]["jobProgress"] for payload in stream]
    assert progress[0] == {"status": "PLAN_QUEUED", "rowsDone": None, "rowsTotal": None}
    assert {"status": "PLANNING", "rowsDone": 2500, "rowsTotal": 2500} in progress
    statuses = list(dict.fromkeys(event["status"] for event in progress))
    assert statuses[statuses.index("PLANNED") :] in (
        ["PLANNED", "QUEUED", "RUNNING", "SUCCEEDED"],
        ["PLANNED", "RUNNING", "SUCCEEDED"],
    )


# Every guard of planRestore, with its code.


async def test_planning_is_for_super_admins_of_the_backups_account(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    await seed_deals(ours, [deal(1)])
    backup_id = await backed_up(gql, ours)
    variables = {"backupId": backup_id, "objectType": "deals", "properties": ["amount"]}
    assert await gql.error_code(PLAN, variables, ours.admin) == "FORBIDDEN"
    assert await gql.error_code(PLAN, variables, ours.member) == "FORBIDDEN"
    assert await gql.error_code(PLAN, variables, theirs.super_admin) == "NOT_FOUND"
    assert await gql.error_code(PLAN, variables) == "UNAUTHENTICATED"
    assert not await Restore.filter(backup_id=backup_id).exists()


async def test_planning_refuses_what_cannot_be_restored(gql: GraphQLClient, tenant: Tenant) -> None:
    await seed_deals(tenant, [deal(1)])
    backup_id = await backed_up(gql, tenant)

    async def refused(object_type: str, properties: list[str]) -> dict[str, Any]:
        variables = {"backupId": backup_id, "objectType": object_type, "properties": properties}
        body = await gql.raw(PLAN, variables, tenant.super_admin)
        [error] = body["errors"]
        return dict(error["extensions"])

    assert (await refused("conversations", ["subject"]))["code"] == "NOT_RESTORABLE"
    # No tickets at backup time: the backup has no file for them.
    assert (await refused("tickets", ["subject"]))["code"] == "VALIDATION_FAILED"
    assert (await refused("deals", []))["code"] == "VALIDATION_FAILED"
    assert (await refused("no_such_type", ["amount"]))["code"] == "NOT_FOUND"
    assert not await Restore.filter(backup_id=backup_id).exists()
    # Which properties the backup holds, its file says: the plan's job reads it.
    unknown = await plan(gql, tenant, backup_id, ["amount", "nope", "closedate_x"])
    assert (unknown["status"], unknown["plan"]) == ("PLAN_FAILED", None)
    assert unknown["failureCode"] == "NOT_IN_BACKUP"
    assert unknown["failureReason"] == "Not in the backup's deals: nope, closedate_x."
    start = start_variables(unknown["id"])
    await step_up(tenant)
    assert await gql.error_code(START, start, tenant.super_admin) == "VALIDATION_FAILED"


async def test_planning_needs_a_succeeded_backup_within_its_14_days(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    await seed_deals(tenant, [deal(1)])
    backup_id = await backed_up(gql, tenant)
    variables = {"backupId": backup_id, "objectType": "deals", "properties": ["amount"]}
    await Backup.filter(id=backup_id).update(expires_at=now() - timedelta(seconds=1))
    assert await gql.error_code(PLAN, variables, tenant.super_admin) == "BACKUP_EXPIRED"
    await Backup.filter(id=backup_id).update(status=BackupStatus.EXPIRED)
    assert await gql.error_code(PLAN, variables, tenant.super_admin) == "BACKUP_EXPIRED"
    await Backup.filter(id=backup_id).update(
        status=BackupStatus.FAILED, expires_at=now() + timedelta(days=1)
    )
    assert await gql.error_code(PLAN, variables, tenant.super_admin) == "VALIDATION_FAILED"


async def test_a_corrupt_backup_fails_the_plan(
    gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    await seed_deals(tenant, [deal(1)])
    backup_id = await backed_up(gql, tenant)
    backup = await Backup.get(id=backup_id)
    async with plaintext_rewritten(backup.storage_key, tmp_path) as path:
        with ZipFile(path) as archive:
            header_at = archive.getinfo("deals.csv").header_offset
        content = bytearray(path.read_bytes())
        # A local file header: 30 bytes ending with the lengths of the name and the extra
        # field, then those, then the compressed data.
        name_length, extra_length = struct.unpack_from("<HH", content, header_at + 26)
        content[header_at + 30 + name_length + extra_length + 2] ^= 0xFF
        path.write_bytes(bytes(content))
    await plan_fails_as_damaged(gql, tenant, backup_id)


@pytest.mark.parametrize("offset", [40, 300, -1], ids=["wrapped key", "body", "last tag"])
async def test_a_backup_altered_in_storage_is_refused_before_the_plan_reads_it(
    gql: GraphQLClient, tenant: Tenant, offset: int, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_deals(tenant, [deal(1)])
    backup_id = await backed_up(gql, tenant)
    backup = await Backup.get(id=backup_id)
    await asyncio.to_thread(flip_stored_byte, backup.storage_key, offset)
    await plan_fails_as_damaged(gql, tenant, backup_id)
    # The user is told the file is damaged; the operator's log says how.
    assert "The file in storage cannot be trusted" in caplog.text


async def test_a_backup_true_to_its_checksums_but_holding_a_malformed_id_fails_the_plan(
    gql: GraphQLClient, tenant: Tenant, tmp_path: Path
) -> None:
    await seed_deals(tenant, [deal(1), deal(2)])
    backup_id = await backed_up(gql, tenant)
    backup = await Backup.get(id=backup_id)
    async with plaintext_rewritten(backup.storage_key, tmp_path) as path:
        with ZipFile(path) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        # As a faulty export would write it: the checksum is the damaged file's own.
        lines = files["deals.csv"].split(b"\n")
        lines[1] = b"not-an-id" + lines[1][lines[1].index(b",") :]
        files["deals.csv"] = b"\n".join(lines)
        manifest = json.loads(files[MANIFEST_NAME])
        for entry in manifest["files"]:
            if entry["object_type"] == "deals":
                entry["sha256"] = hashlib.sha256(files["deals.csv"]).hexdigest()
        files[MANIFEST_NAME] = json.dumps(manifest).encode()
        with ZipFile(path, "w") as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    await plan_fails_as_damaged(gql, tenant, backup_id)


# Every guard of startRestore, with its code.


async def test_starting_needs_both_acknowledgements(gql: GraphQLClient, tenant: Tenant) -> None:
    plan_id = await planned_restore(gql, tenant)
    await step_up(tenant)
    for data, irreversible in ((False, True), (True, False), (False, False)):
        body = await gql.raw(
            START, start_variables(plan_id, data, irreversible), tenant.super_admin
        )
        [error] = body["errors"]
        assert error["extensions"]["code"] == "VALIDATION_FAILED"
        names = ("acknowledgeDataChange", "acknowledgeIrreversible")
        expected = [
            name for name, given in zip(names, (data, irreversible), strict=True) if not given
        ]
        assert error["extensions"]["fields"] == expected
    assert (await Restore.get(id=plan_id)).status == RestoreStatus.PLANNED


async def test_starting_needs_a_fresh_step_up_unless_signed_in_with_sso(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    admin = tenant.users[Role.SUPER_ADMIN]
    variables = start_variables(plan_id)
    assert await gql.error_code(START, variables, tenant.super_admin) == "TOTP_NOT_ENROLLED"
    await enroll_totp(admin)
    assert await gql.error_code(START, variables, tenant.super_admin) == "REAUTH_REQUIRED"
    await reauthenticated(tenant.super_admin, seconds_ago=5 * 60 + 5)
    assert await gql.error_code(START, variables, tenant.super_admin) == "REAUTH_REQUIRED"
    assert await gql.error_code(START, variables, tenant.admin) == "FORBIDDEN"
    assert (await Restore.get(id=plan_id)).status == RestoreStatus.PLANNED

    sso = await auth.start_session(admin, AuthMethod.SSO)
    assert (await start(gql, sso, plan_id))["status"] in STARTED
    assert (await restore_finished(plan_id)).status == RestoreStatus.SUCCEEDED
    # A plan is carried out once.
    assert await gql.error_code(START, variables, sso) == "VALIDATION_FAILED"


async def test_a_super_admin_without_two_factor_may_start_over_sso(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    sso = await auth.start_session(tenant.users[Role.SUPER_ADMIN], AuthMethod.SSO)
    assert (await start(gql, sso, plan_id))["status"] in STARTED
    assert (await restore_finished(plan_id)).status == RestoreStatus.SUCCEEDED


async def test_a_stale_plan_is_refused(gql: GraphQLClient, tenant: Tenant) -> None:
    plan_id = await planned_restore(gql, tenant)
    await step_up(tenant)
    variables = start_variables(plan_id)
    compared = (await Restore.get(id=plan_id)).plan
    an_hour_ago = now() - timedelta(hours=1, seconds=5)
    await Restore.filter(id=plan_id).update(
        plan={**compared, "planned_at": an_hour_ago.isoformat()}
    )
    assert await gql.error_code(START, variables, tenant.super_admin) == "PLAN_STALE"
    await Restore.filter(id=plan_id).update(plan=compared)
    backup_id = (await Restore.get(id=plan_id)).backup_id
    # Its backup expired since: planning again would not help.
    await Backup.filter(id=backup_id).update(expires_at=now() - timedelta(seconds=1))
    assert await gql.error_code(START, variables, tenant.super_admin) == "BACKUP_EXPIRED"
    assert (await Restore.get(id=plan_id)).status == RestoreStatus.PLANNED


async def test_another_accounts_plan_is_not_found(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    plan_id = await planned_restore(gql, ours)
    await step_up(theirs)
    assert await gql.error_code(START, start_variables(plan_id), theirs.super_admin) == "NOT_FOUND"
    query = "query($id: ID!) { restore(id: $id) { id } }"
    assert await gql.error_code(query, {"id": plan_id}, theirs.super_admin) == "NOT_FOUND"
    listed = await gql.data("{ restores(first: 10) { nodes { id } } }", token=theirs.super_admin)
    assert listed["restores"]["nodes"] == []


async def test_two_concurrent_starts_queue_one_restore(
    gql: GraphQLClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(300)])
    backup_id = await backed_up(gql, tenant)
    await Record.filter(id__in=ids).update(properties={"amount": "0"})
    plans = [(await plan(gql, tenant, backup_id, ["amount"]))["id"] for _ in range(2)]
    await step_up(tenant)
    # The job goes to the worker once both starts are answered: however fast it runs, the
    # first restore cannot finish, and free the account, in between.
    send, held = jobs.enqueue, list[tuple[JobKind[Any], UUID]]()

    async def hold(job: JobKind[Any], row_id: UUID) -> bool:
        held.append((job, row_id))
        return True

    monkeypatch.setattr(jobs, "enqueue", hold)

    bodies = await asyncio.gather(
        *(gql.raw(START, start_variables(plan_id), tenant.super_admin) for plan_id in plans)
    )
    monkeypatch.undo()
    for job, row_id in held:
        await send(job, row_id)
    started = [body["data"]["startRestore"]["id"] for body in bodies if body.get("data")]
    codes = [body["errors"][0]["extensions"]["code"] for body in bodies if body.get("errors")]
    assert len(started) == 1 and codes == ["RESTORE_IN_PROGRESS"], bodies
    [other] = [plan_id for plan_id in plans if plan_id not in started]
    assert (await Restore.get(id=other)).status == RestoreStatus.PLANNED
    assert (await restore_finished(started[0])).status == RestoreStatus.SUCCEEDED
    # Once it finished, the other plan may go.
    assert (await start(gql, tenant.super_admin, other))["status"] in STARTED
    assert (await restore_finished(other)).status == RestoreStatus.SUCCEEDED
    assert (await Restore.get(id=other)).counts["records_changed"] == 0


async def test_a_restore_whose_backup_file_vanished_fails_and_says_so(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    plan_id = await planned_restore(gql, tenant)
    backup = await Backup.get(id=(await Restore.get(id=plan_id)).backup_id)
    await storage.current().delete(backup.storage_key)
    await step_up(tenant)
    await start(gql, tenant.super_admin, plan_id)
    failed = await restore_finished(plan_id)
    assert failed.status == RestoreStatus.FAILED
    assert "missing" in failed.failure_reason

    async def notified() -> list[Any] | None:
        kinds = await Notification.filter(subject_id=plan_id).values_list("kind", flat=True)
        return kinds or None

    # The notification follows the commit of the outcome.
    assert await poll_until(notified, seconds=5) == ["RESTORE_FAILED"]
    assert (await Import.get(restore_id=plan_id)).status == ImportStatus.FAILED
    # The account is free again.
    assert not await Restore.filter(
        account_id=tenant.account.id, status__in=["QUEUED", "RUNNING"]
    ).exists()


async def test_record_changes_of_another_account_are_not_heard(
    gql: GraphQLClient, server: Server, make_tenant: MakeTenant
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    plan_id = await planned_restore(gql, ours)
    await step_up(ours)
    async with signed_in(server.websocket_url, theirs.super_admin) as socket:
        await socket.subscribe(RECORD_CHANGES, {"type": "deals"})
        await until_listening(record_events.channel(theirs.account.id, "deals"))
        await start(gql, ours.super_admin, plan_id)
        assert (await restore_finished(plan_id)).status == RestoreStatus.SUCCEEDED
        assert (await Restore.get(id=plan_id)).counts["records_changed"] == 1
        # Theirs hears only their own: a change of theirs arrives first, ours never.
        [their_deal] = await seed_deals(theirs, [deal(9)])
        await record_changes_committed(
            theirs.account.id,
            [record_events.RecordChange(str(their_deal), "deals", "API", ["amount"])],
        )
        message = await socket.receive()
        assert message["payload"]["data"]["recordChanges"]["recordId"] == str(their_deal)
    async with signed_in(server.websocket_url, ours.super_admin) as socket:
        operation_id = await socket.subscribe(RECORD_CHANGES, {"type": "nothing_here"})
        [answer] = await socket.payloads_until_complete(operation_id)
        assert answer["errors"][0]["extensions"]["code"] == "NOT_FOUND"


# Reverting a restore.

REVERT = """mutation($planId: ID!, $data: Boolean!, $irreversible: Boolean!) {
  revertRestore(planId: $planId, acknowledgeDataChange: $data,
                acknowledgeIrreversible: $irreversible) { id status kind } }"""


async def test_a_revert_puts_back_what_the_restore_overwrote_except_where_it_changed_since(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(6)])
    restore_id = await restored(gql, tenant, ids)
    before_revert = {record_id: await values_of(record_id) for record_id in ids}
    assert [values["amount"] for values in before_revert.values()] == [
        str(1000 + i) for i in range(6)
    ]
    await set_values(ids[1], {"amount": "4242"})  # changed again since: a conflict
    viewer = await auth.authenticate(tenant.super_admin)
    await delete_records(viewer, [ids[2]])

    variables = {"id": restore_id}
    planned = await revert_planned(gql, tenant.super_admin, restore_id)
    assert (planned["kind"], planned["status"], planned["revertsId"]) == (
        "REVERT",
        "PLANNED",
        restore_id,
    )
    summary = planned["plan"]
    assert summary["recordsInSource"] == 6
    assert (summary["recordsToChange"], summary["recordsUnchanged"]) == (4, 0)
    assert (summary["recordsDeleted"], summary["recordsPurged"]) == (1, 0)
    assert summary["conflicts"] == 1 and summary["conflictingRecordIds"] == [str(ids[1])]
    assert any("changed again" in line for line in summary["guidance"])
    sample = next(s for s in summary["sampleChanges"] if s["recordId"] == str(ids[0]))
    assert (sample["currentValue"], sample["restoredValue"]) == ("1000", "0")

    revert = {"planId": planned["id"], "data": True, "irreversible": True}
    started = (await gql.data(REVERT, revert, tenant.super_admin))["revertRestore"]
    assert (started["id"], started["kind"]) == (planned["id"], "REVERT")
    assert started["status"] in STARTED
    assert (await restore_finished(planned["id"])).status == RestoreStatus.SUCCEEDED

    for index, record_id in enumerate(ids):
        expected = dict(before_revert[record_id])
        if index == 1:
            expected["amount"] = "4242"
        elif index != 2:
            expected["amount"] = str(index)
        assert await values_of(record_id) == expected, index
    assert (await Record.get(id=ids[2])).deleted_at is not None
    counts = (await gql.data(RESTORE, {"id": planned["id"]}, tenant.super_admin))["restore"]
    assert counts["counts"] == {
        "recordsChanged": 4,
        "valuesSet": 4,
        "valuesCleared": 0,
        "recordsUnchanged": 0,
        "recordsSkipped": 1,
        "conflicts": 1,
    }
    entry = await Import.get(restore_id=planned["id"])
    assert entry.name == "Data restore reverted - Deal"
    actions = await AuditEvent.filter(target_id=planned["id"]).values_list("action", flat=True)
    assert sorted(actions) == [
        "RESTORE_REVERT_COMPLETED",
        "RESTORE_REVERT_PLANNED",
        "RESTORE_REVERT_STARTED",
    ]
    # Reverted once is reverted.
    assert await gql.error_code(PLAN_REVERT, variables, tenant.super_admin) == "VALIDATION_FAILED"
    assert await revertible_until(gql, tenant, restore_id) is None


async def test_reverting_has_the_restores_guards(
    gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    ids = await seed_deals(tenant, [deal(i) for i in range(2)])
    restore_id = await restored(gql, tenant, ids)
    variables = {"id": restore_id}
    assert await gql.error_code(PLAN_REVERT, variables, tenant.admin) == "FORBIDDEN"
    assert await gql.error_code(PLAN_REVERT, variables, other.super_admin) == "NOT_FOUND"

    planned = await revert_planned(gql, tenant.super_admin, restore_id)
    revert = {"planId": planned["id"], "data": True, "irreversible": False}
    assert await gql.error_code(REVERT, revert, tenant.super_admin) == "VALIDATION_FAILED"
    revert["irreversible"] = True
    await reauthenticated(tenant.super_admin, seconds_ago=10 * 60)
    assert await gql.error_code(REVERT, revert, tenant.super_admin) == "REAUTH_REQUIRED"
    await reauthenticated(tenant.super_admin)
    # A revert plan is started with revertRestore, a restore plan with startRestore.
    assert await gql.error_code(START, revert, tenant.super_admin) == "VALIDATION_FAILED"
    # The restore's 14 days ran out since the revert was planned.
    await Restore.filter(id=restore_id).update(completed_at=now() - timedelta(days=14, seconds=1))
    assert await gql.error_code(REVERT, revert, tenant.super_admin) == "PLAN_STALE"
    assert await gql.error_code(PLAN_REVERT, variables, tenant.super_admin) == "VALIDATION_FAILED"
    # A plan is not a restore that could be reverted.
    assert await gql.error_code(PLAN_REVERT, {"id": planned["id"]}, tenant.super_admin) == (
        "VALIDATION_FAILED"
    )


async def test_revertible_until_says_what_plan_revert_accepts(
    gql: GraphQLClient, tenant: Tenant
) -> None:
    ids = await seed_deals(tenant, [deal(i) for i in range(2)])
    restore_id = await restored(gql, tenant, ids)
    shown = (await gql.data(REVERTIBLE, {"id": restore_id}, tenant.super_admin))["restore"]
    completed_at = datetime.fromisoformat(shown["completedAt"])
    assert datetime.fromisoformat(shown["revertibleUntil"]) == completed_at + timedelta(days=14)

    planned = await revert_planned(gql, tenant.super_admin, restore_id)
    # A plan is not a restore that could be reverted.
    assert await revertible_until(gql, tenant, planned["id"]) is None
    await Restore.filter(id=restore_id).update(completed_at=now() - timedelta(days=14, seconds=1))
    assert await revertible_until(gql, tenant, restore_id) is None
    assert await gql.error_code(PLAN_REVERT, {"id": restore_id}, tenant.super_admin) == (
        "VALIDATION_FAILED"
    )
