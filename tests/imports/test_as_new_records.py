"""Another account's backup, refused unless asked for otherwise, restored as new records: new
ids, an id map kept with the restore, the same plan and guards, and a revert that deletes what
it created."""

import csv
import io
from uuid import UUID

import httpx

from models.crm import PurgedRecord
from models.imports import Import
from models.notifications import Notification
from models.restores import RestoreStatus
from tests.support.backups import backup_file
from tests.support.graphql import GraphQLClient
from tests.support.imports import planned_upload, upload
from tests.support.polling import poll_until
from tests.support.records import records_of, seed_records
from tests.support.restores import REVERT, restore_finished, revert_planned, start
from tests.support.tenants import MakeTenant
from tests.support.two_factor import reauthenticated, step_up

ID_MAP = """query($id: ID!) { restore(id: $id) { asNewRecords idMapDownloadUrl } }"""
IMPORT_ID_MAP = """query($id: ID!) { import(id: $id) { idMapDownloadUrl } }"""


async def test_another_accounts_backup_becomes_new_records_with_an_id_map_and_a_revert(
    http: httpx.AsyncClient, gql: GraphQLClient, make_tenant: MakeTenant
) -> None:
    source, target = await make_tenant(), await make_tenant()
    await seed_records(source, "contacts", [{"firstname": f"A{i}"} for i in range(3)])
    await seed_records(source, "deals", [{"dealname": "Big", "amount": "5"}])
    content = await backup_file(gql, http, source.super_admin)
    source_state = await records_of(source.account.id)
    [existing] = await seed_records(target, "contacts", [{"firstname": "Already here"}])
    target_state = await records_of(target.account.id)
    token = target.super_admin

    refused = await upload(http, token, content, as_new_records="yes")
    assert refused.json()["code"] == "VALIDATION_FAILED"
    planned = await planned_upload(http, gql, token, content, as_new_records="true")

    assert planned["status"] == "PLANNED", planned["failureReason"]
    summary = planned["plan"]
    assert (
        summary["recordsToRecreate"],
        summary["recordsToChange"],
        summary["recordsToBringBack"],
        summary["recordsRefused"],
    ) == (4, 0, 0, 0)
    assert "all created as new records with new ids" in summary["dataChangeNotice"]
    assert await records_of(target.account.id) == target_state, "a plan writes no record"
    before_start = await gql.data(ID_MAP, {"id": planned["id"]}, token)
    assert before_start["restore"] == {"asNewRecords": True, "idMapDownloadUrl": None}

    await step_up(target)
    await start(gql, token, planned["id"])
    assert (await restore_finished(planned["id"])).status == RestoreStatus.SUCCEEDED

    async def notified() -> list[str] | None:
        found = Notification.filter(subject_id=planned["id"], kind="IMPORT_COMPLETED")
        return [str(body) for body in await found.values_list("body", flat=True)] or None

    # Announced once the outcome is committed.
    bodies = await poll_until(notified, seconds=5)
    assert all("4 created as new records" in body for body in bodies), bodies
    url = (await gql.data(ID_MAP, {"id": planned["id"]}, token))["restore"]["idMapDownloadUrl"]
    download = await http.get(url)
    assert download.status_code == 200
    [header, *rows] = list(csv.reader(io.StringIO(download.text)))
    assert header == ["object_type", "old_id", "new_id"]
    assert sorted(old for _, old, _ in rows) == sorted(str(i) for i in source_state)
    after = await records_of(target.account.id)
    assert len(after) == 5 and after[existing.id] == target_state[existing.id]
    for object_type, old, new in rows:
        assert new != old
        assert after[UUID(new)] == (object_type, source_state[UUID(old)][1], False)
    assert await records_of(source.account.id) == source_state, "the other account is untouched"
    assert await _import_id_map(http, gql, token, planned["id"]) == download.text

    revert = await revert_planned(gql, token, planned["id"])
    assert (revert["plan"]["recordsToChange"], revert["plan"]["conflicts"]) == (4, 0)
    await reauthenticated(token)
    await gql.data(REVERT, {"planId": revert["id"]}, token)
    assert (await restore_finished(revert["id"])).status == RestoreStatus.SUCCEEDED
    assert await records_of(target.account.id) == target_state
    assert await _import_id_map(http, gql, token, revert["id"]) is None, "a revert maps no id"
    assert not await PurgedRecord.filter(account_id=target.account.id).exists(), (
        "records that never existed here leave no tombstone"
    )


async def _import_id_map(
    http: httpx.AsyncClient, gql: GraphQLClient, token: str, restore_id: str
) -> str | None:
    """The id map as the imports list links it, from the restore's entry; None without one."""
    entry = await Import.get(restore_id=restore_id)
    url = (await gql.data(IMPORT_ID_MAP, {"id": str(entry.id)}, token))["import"][
        "idMapDownloadUrl"
    ]
    if url is None:
        return None
    response = await http.get(url)
    assert response.status_code == 200
    return response.text
