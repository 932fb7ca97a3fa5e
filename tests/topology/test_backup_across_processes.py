"""A backup requested from the API process, exported by a worker process, announced to a
websocket subscriber of the API process through Redis pub/sub, and downloaded."""

import csv
import io
import uuid
import zipfile

from services.activity import notifications
from tests.graphql_ws import signed_in
from tests.workers.conftest import Tenant, Topology, until_subscribed_in_redis

CREATE_RECORDS = """mutation($type: String!, $records: [NewRecordInput!]!) {
  createRecords(objectType: $type, records: $records) { id } }"""
CREATE_BACKUP = "mutation { createBackup(confirm: true) { id status } }"
BACKUP = "query($id: ID!) { backup(id: $id) { status sizeBytes downloadUrl failureReason } }"
NOTIFICATIONS = "subscription { notifications { kind subjectId } }"

CONTACTS = [{"email": f"c{i}@example.com", "firstname": f"Contact {i}"} for i in range(5)]
COMPANIES = [{"name": "Acme", "city": "Lyon"}, {"name": "Globex"}]


def _inputs(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    return [
        {"properties": [{"name": name, "value": value} for name, value in row.items()]}
        for row in rows
    ]


async def _seed(topology: Topology, tenant: Tenant) -> dict[str, dict[str, dict[str, str]]]:
    """object type -> record id -> properties, as created through the API."""
    seeded = {}
    async with topology.graphql() as gql:
        for object_type, rows in (("contacts", CONTACTS), ("companies", COMPANIES)):
            variables = {"type": object_type, "records": _inputs(rows)}
            created = (await gql.data(CREATE_RECORDS, variables, tenant.token))["createRecords"]
            seeded[object_type] = {
                record["id"]: row for record, row in zip(created, rows, strict=True)
            }
    return seeded


async def test_a_worker_process_exports_and_the_api_process_tells_the_subscriber(
    topology: Topology, redis_url: str
) -> None:
    tenant = await topology.sign_up()
    seeded = await _seed(topology, tenant)

    async with signed_in(topology.websocket_url, tenant.token) as socket:
        await socket.subscribe(NOTIFICATIONS)
        channel = notifications.channel(uuid.UUID(tenant.user_id))
        await until_subscribed_in_redis(redis_url, channel)
        async with topology.graphql() as gql:
            backup_id = (await gql.data(CREATE_BACKUP, token=tenant.token))["createBackup"]["id"]
        message = await socket.receive(seconds=30)

    assert message["type"] == "next", message
    assert message["payload"]["data"]["notifications"] == {
        "kind": "BACKUP_READY",
        "subjectId": backup_id,
    }
    await _download_and_check(topology, tenant, backup_id, seeded)


async def _download_and_check(
    topology: Topology, tenant: Tenant, backup_id: str, seeded: dict[str, dict[str, dict[str, str]]]
) -> None:
    async with topology.graphql() as gql:
        backup = (await gql.data(BACKUP, {"id": backup_id}, tenant.token))["backup"]
        assert backup["status"] == "SUCCEEDED", backup["failureReason"]
        response = await gql.http.get(backup["downloadUrl"])
    assert response.status_code == 200
    assert len(response.content) == backup["sizeBytes"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["companies.csv", "contacts.csv", "manifest.json"]
        for object_type, records in seeded.items():
            assert _rows(archive, f"{object_type}.csv") == records


def _rows(archive: zipfile.ZipFile, name: str) -> dict[str, dict[str, str]]:
    """record id -> its non-blank values."""
    with archive.open(name) as file:
        rows = csv.DictReader(io.TextIOWrapper(file, encoding="utf-8", newline=""))
        return {row.pop("id"): {k: v for k, v in row.items() if v} for row in rows}
