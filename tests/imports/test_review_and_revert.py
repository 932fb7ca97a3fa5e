"""A restore from a file is planned, guarded and reversible like a restore from a backup: the
review of an upload, its refused rows with their values (to fix and send again), its guards,
and the revert that undoes all it did."""

import csv
import io
import zipfile
from datetime import timedelta
from uuid import uuid4

import httpx

from models.crm import PurgedRecord, Record
from models.imports import Import
from models.restores import Restore, RestoreStatus
from server.settings import Settings
from tests.support.backups import backup_file
from tests.support.graphql import GraphQLClient
from tests.support.imports import csv_bytes, imported, planned_upload, upload
from tests.support.jobs import jobs_sent
from tests.support.polling import poll_until
from tests.support.records import add_property, purge, records_of, seed_records, set_values
from tests.support.restores import (
    REVERT,
    START,
    plan_objects,
    restore_finished,
    revert_planned,
    start,
    start_variables,
)
from tests.support.tenants import Tenant
from tests.support.two_factor import reauthenticated, step_up

REFUSED = """query($id: ID!) { restore(id: $id) {
  refusedRows(first: 10) { nodes { objectType rowNumber recordId recordName values { name value }
                                  redacted
                                  reason } } } }"""
COUNTS = """query($id: ID!) { restore(id: $id) { counts { recordsChanged recordsReturnedToBin
  recordsRemoved conflicts } } }"""
IMPORT_COUNTS = """query($id: ID!) { import(id: $id) { counts { updated returnedToRecycleBin
  deleted unchanged } } }"""


async def test_an_upload_is_reviewed_before_anything_changes(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    await add_property(tenant, "deals", "secret_code", "Secret code", sensitive=True)
    live, binned, gone = await seed_records(
        tenant,
        "deals",
        [{"dealname": "Live", "amount": "1"}, {"dealname": "Binned"}, {"dealname": "Gone"}],
    )
    await Record.filter(id=binned.id).update(deleted_at=binned.created_at)
    await purge([gone])
    before = await records_of(tenant.account.id)
    rows = [
        [str(live.id), "Live", "2", "s3cret"],
        [str(binned.id), "Binned again", "", ""],
        [str(gone.id), "Back", "5", ""],
        [str(uuid4()), "Stranger", "not a number", "hidden"],
    ]
    content = csv_bytes(["id", "dealname", "amount", "secret_code"], rows)

    planned = await planned_upload(
        http, gql, tenant.super_admin, content, file_name="deals.csv", object_type="deals"
    )

    assert planned["status"] == "PLANNED", planned["failureReason"]
    assert await records_of(tenant.account.id) == before, "a plan writes no record"
    summary = planned["plan"]
    assert summary["valuesAsOf"] is None, "a CSV does not say when its values were current"
    assert (
        summary["recordsInSource"],
        summary["recordsToChange"],
        summary["recordsToBringBack"],
        summary["recordsToRecreate"],
        summary["recordsRefused"],
    ) == (4, 1, 1, 1, 1)
    # One object type: its properties are the plan's.
    assert [(p["name"], p["toChange"], p["sensitive"]) for p in summary["properties"]] == [
        ("dealname", 2, False),
        ("amount", 2, False),
        ("secret_code", 1, True),
    ]
    refused = (await gql.data(REFUSED, {"id": planned["id"]}, tenant.super_admin))["restore"]
    [row] = refused["refusedRows"]["nodes"]
    assert (row["objectType"], row["rowNumber"], row["recordId"]) == ("deals", 4, rows[3][0])
    assert row["recordName"] == "Stranger", "named by the row's own deal name"
    assert row["values"] == [
        {"name": "amount", "value": "not a number"},
        {"name": "dealname", "value": "Stranger"},
    ]
    assert row["redacted"] == ["secret_code"], "sensitive values are withheld"
    assert row["reason"].startswith("amount: a number")

    # The refused rows download in the shape of an upload: fixed, they go up again as is.
    [object_plan] = await plan_objects(gql, tenant, planned["id"])
    download = await http.get(object_plan["refusedRowsDownloadUrl"])
    assert download.status_code == 200
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines == [
        ["id", "dealname", "amount", "secret_code", "refusal reason"],
        [rows[3][0], "Stranger", "not a number", "hidden", row["reason"]],
    ]
    lines[1][2] = "7"
    fixed = io.StringIO()
    csv.writer(fixed, lineterminator="\n").writerows(lines)
    again = await planned_upload(
        http, gql, tenant.super_admin, fixed.getvalue().encode(), object_type="deals"
    )
    assert again["plan"]["recordsRefused"] == 1
    assert (
        "No record with this id"
        in (await gql.data(REFUSED, {"id": again["id"]}, tenant.super_admin))["restore"][
            "refusedRows"
        ]["nodes"][0]["reason"]
    )


async def test_an_imports_refused_rows_of_several_types_download_as_a_zip_of_fixable_csvs(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant, settings: Settings
) -> None:
    [contact] = await seed_records(tenant, "contacts", [{"firstname": "Gone"}])
    [deal, kept] = await seed_records(tenant, "deals", [{"dealname": "Lost"}, {"dealname": "Kept"}])
    content = await backup_file(gql, http, tenant.super_admin)
    await purge([contact])  # A permanently deleted contact stays deleted.
    await Record.filter(id=deal.id).delete()  # Gone without a tombstone: unknown.

    job = await imported(http, gql, tenant, content)

    assert job["counts"]["failed"] == 2
    download = await http.get(job["errorRowsDownloadUrl"])
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert sorted(archive.namelist()) == ["contacts.csv", "deals.csv"]
        contacts = list(csv.reader(io.TextIOWrapper(archive.open("contacts.csv"))))
        deals = list(csv.reader(io.TextIOWrapper(archive.open("deals.csv"))))
    assert contacts[0][0] == "id" and contacts[0][-1] == "refusal reason"
    assert [(row[0], row[contacts[0].index("firstname")]) for row in contacts[1:]] == [
        (str(contact.id), "Gone")
    ]
    assert [(row[0], row[deals[0].index("dealname")]) for row in deals[1:]] == [
        (str(deal.id), "Lost")
    ]
    assert kept.id in await records_of(tenant.account.id)

    async def zip_deleted() -> bool | None:
        return not list(settings.work_dir.glob("*.zip")) or None

    # Deleted once sent: right after the response's last byte.
    await poll_until(zip_deleted, seconds=5)


async def test_an_upload_has_the_guards_of_every_restore(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    [deal] = await seed_records(tenant, "deals", [{"dealname": "Kept"}])
    content = csv_bytes(["id", "dealname"], [[str(deal.id), "Changed"]])
    first = await planned_upload(http, gql, tenant.super_admin, content, object_type="deals")
    second = await planned_upload(http, gql, tenant.super_admin, content, object_type="deals")

    token = tenant.super_admin
    variables = start_variables(first["id"], irreversible=False)
    assert await gql.error_code(START, variables, token) == "VALIDATION_FAILED"
    assert await gql.error_code(START, start_variables(first["id"]), token) == ("TOTP_NOT_ENROLLED")
    await step_up(tenant)
    await reauthenticated(token, seconds_ago=10 * 60)
    assert await gql.error_code(START, start_variables(first["id"]), token) == "REAUTH_REQUIRED"
    await reauthenticated(token)
    async with jobs_sent():  # The first waits for a worker while the second is started.
        await start(gql, token, first["id"])
        # One restore at a time per account, whatever its source.
        second_start = start_variables(second["id"])
        assert await gql.error_code(START, second_start, token) == "RESTORE_IN_PROGRESS"
    assert (await restore_finished(first["id"])).status == RestoreStatus.SUCCEEDED
    assert (await Record.get(id=deal.id)).properties == {"dealname": "Changed"}


async def test_reverting_an_import_undoes_all_it_did_except_what_changed_since(
    http: httpx.AsyncClient, gql: GraphQLClient, tenant: Tenant
) -> None:
    deals = await seed_records(
        tenant, "deals", [{"dealname": f"D{i}", "amount": str(i)} for i in range(8)]
    )
    content = await backup_file(gql, http, tenant.super_admin)
    edited, edited_again, binned, binned_later, purged, purged_too, purged_then_edited = deals[:7]
    untouched = deals[7]
    await set_values(edited.id, {"amount": "100"})
    await set_values(edited_again.id, {"amount": "200"})
    # Each brought back with its own values, and sent back with its own deletion time.
    await set_values(binned_later.id, {"dealname": "Renamed in the bin"})
    for record, days in ((binned, 1), (binned_later, 2)):
        await Record.filter(id=record.id).update(
            deleted_at=record.created_at + timedelta(days=days)
        )
    await purge([purged, purged_too, purged_then_edited])
    before_import = await records_of(tenant.account.id)

    job = await imported(http, gql, tenant, content)
    assert job["counts"] == {
        "created": 3,
        "updated": 2,
        "restoredFromRecycleBin": 2,
        "unchanged": 1,
        "failed": 0,
    }
    # Changed again since the import: left as it is by the revert.
    await set_values(edited_again.id, {"amount": "300"})
    await set_values(purged_then_edited.id, {"dealname": "Kept by someone"})

    revert = await revert_planned(gql, tenant.super_admin, job["restoreId"])
    assert revert["status"] == "PLANNED", revert["failureReason"]
    after_import = await records_of(tenant.account.id)
    assert after_import[binned_later.id][1]["dealname"] == "D3"
    assert after_import[purged_too.id][1] == {"dealname": "D5", "amount": "5"}
    assert (revert["plan"]["recordsToChange"], revert["plan"]["conflicts"]) == (5, 2)
    await reauthenticated(tenant.super_admin)
    await gql.data(REVERT, {"planId": revert["id"]}, tenant.super_admin)
    assert (await restore_finished(revert["id"])).status == RestoreStatus.SUCCEEDED

    counts = (await gql.data(COUNTS, {"id": revert["id"]}, tenant.super_admin))["restore"]
    assert counts["counts"] == {
        "recordsChanged": 1,
        "recordsReturnedToBin": 2,
        "recordsRemoved": 2,
        "conflicts": 2,
    }
    after = await records_of(tenant.account.id)
    assert after[edited.id] == before_import[edited.id]
    for record, days in ((binned, 1), (binned_later, 2)):
        assert after[record.id] == before_import[record.id], "back in the recycle bin"
        deleted_at = (await Record.get(id=record.id)).deleted_at
        assert deleted_at == record.created_at + timedelta(days=days)
    for record in (purged, purged_too):
        assert record.id not in after and await PurgedRecord.exists(id=record.id)
    assert after[edited_again.id][1]["amount"] == "300"
    assert after[purged_then_edited.id][1]["dealname"] == "Kept by someone"
    assert after[untouched.id] == before_import[untouched.id]
    entry = await Import.get(restore_id=revert["id"])
    assert entry.name == "Import reverted - backup-2026-11-21.zip"
    # The imports list tells what the revert did, as the restore's counts do.
    listed = (await gql.data(IMPORT_COUNTS, {"id": str(entry.id)}, tenant.super_admin))["import"]
    assert listed["counts"] == {
        "updated": 1,
        "returnedToRecycleBin": 2,
        "deleted": 2,
        "unchanged": 2,
    }


async def test_an_upload_refused_at_once_stores_nothing(
    http: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    response = await upload(http, tenant.super_admin, b"dealname\nx\n", object_type="deals")
    assert response.status_code == 422
    assert response.json()["code"] == "NOT_RESTORABLE"
    assert not await Restore.filter(account_id=tenant.account.id).exists()
    assert not list((settings.storage_dir / "accounts" / str(tenant.account.id)).glob("*/*"))
