"""Record change events through the outbox: each committed batch published once and in order
by any number of relays at once, and a subscriber resuming after the last event it saw."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

from models.crm import RecordChangeBatch
from services import crm
from services.core import database
from services.crm import changes as record_events
from tests.support.graphql import GraphQLClient
from tests.support.polling import until_listening
from tests.support.record_changes import record_changes_committed
from tests.support.records import CREATE_RECORDS
from tests.support.servers import Server
from tests.support.tenants import Tenant
from tests.support.websocket import signed_in

BATCHES = 20
CHANGES = """subscription($after: ID) {
  recordChanges(objectType: "deals", after: $after) { id recordId properties } }"""
API_CHANGES = """subscription {
  recordChanges(objectType: "deals") { recordId source properties } }"""
UPDATE_RECORDS = """mutation($records: [RecordUpdateInput!]!) {
  updateRecords(records: $records) { id } }"""


def _change(record_id: str, step: int) -> crm.RecordChange:
    return crm.RecordChange(record_id, "deals", crm.ChangeSource.RESTORE.value, [f"step{step}"])


@contextlib.asynccontextmanager
async def _relays(count: int) -> AsyncIterator[None]:
    """`count` more relays in this process, looking for unsent batches all the time."""
    running = [
        asyncio.create_task(crm.relay_record_changes(poll_seconds=0.01)) for _ in range(count)
    ]
    try:
        yield
    finally:
        for relay in running:
            relay.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def test_relays_at_once_publish_each_batch_once_and_in_commit_order(
    server: Server, tenant: Tenant
) -> None:
    record_id = str(uuid.uuid4())
    heard: list[crm.ChangeEvent] = []

    async def listen() -> None:
        async for event in crm.live_record_changes(tenant.account.id, "deals"):
            heard.append(event)

    listener = asyncio.create_task(listen())
    await until_listening(record_events.channel(tenant.account.id, "deals"))
    try:
        async with _relays(2):
            for step in range(BATCHES):
                await record_changes_committed(tenant.account.id, [_change(record_id, step)])
            async with asyncio.timeout(10):
                while len(heard) < BATCHES:  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            # Nothing more comes: no batch went out twice.
            await asyncio.sleep(0.5)
    finally:
        listener.cancel()

    assert [event.change.properties for event in heard] == [[f"step{n}"] for n in range(BATCHES)]
    assert len({event.id for event in heard}) == BATCHES
    assert not await RecordChangeBatch.filter(
        account_id=tenant.account.id, sent_at__isnull=True
    ).exists()


async def test_a_subscriber_resumes_after_the_last_event_it_saw(
    server: Server, tenant: Tenant
) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    for step in range(3):
        await record_changes_committed(
            tenant.account.id, [_change(first, step), _change(second, step)]
        )
    batches = await RecordChangeBatch.filter(account_id=tenant.account.id).order_by("id")
    seen = f"{batches[0].id}:1"
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        await socket.subscribe(CHANGES, {"after": seen})
        replayed = [await socket.receive() for _ in range(4)]
        await record_changes_committed(tenant.account.id, [_change(first, 3)])
        live = await socket.receive()

    changes = [message["payload"]["data"]["recordChanges"] for message in [*replayed, live]]
    assert [(change["recordId"], change["properties"]) for change in changes] == [
        (first, ["step1"]),
        (second, ["step1"]),
        (first, ["step2"]),
        (second, ["step2"]),
        (first, ["step3"]),
    ]
    assert [change["id"] for change in changes[:4]] == [
        f"{batches[1].id}:0",
        f"{batches[1].id}:1",
        f"{batches[2].id}:0",
        f"{batches[2].id}:1",
    ]


async def test_a_batch_written_first_but_committed_last_takes_the_later_id(
    server: Server, tenant: Tenant
) -> None:
    """Else the relay would publish the later-written batch first, and a subscriber resuming
    after that batch's event would never hear the other."""
    slow, fast = str(uuid.uuid4()), str(uuid.uuid4())
    committed: list[str] = []
    written, release = asyncio.Event(), asyncio.Event()

    async def held_open() -> None:
        async with database.transaction() as connection:
            await crm.record_changes(connection, tenant.account.id, [_change(slow, 0)])
            written.set()
            await release.wait()
        committed.append(slow)

    async def at_once() -> None:
        await record_changes_committed(tenant.account.id, [_change(fast, 1)])
        committed.append(fast)

    holding = asyncio.create_task(held_open())
    await written.wait()
    other = asyncio.create_task(at_once())
    await asyncio.sleep(0.3)
    release.set()
    await asyncio.gather(holding, other)

    batches = await RecordChangeBatch.filter(account_id=tenant.account.id).order_by("id")
    assert [batch.changes[0]["record_id"] for batch in batches] == committed == [slow, fast]


async def test_resuming_after_something_that_is_no_event_id_is_refused(
    server: Server, tenant: Tenant
) -> None:
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await socket.subscribe(CHANGES, {"after": "yesterday"})
        [answer] = await socket.payloads_until_complete(operation_id)
    assert answer["errors"][0]["extensions"] == {"code": "VALIDATION_FAILED", "field": "after"}


async def test_edits_through_the_api_are_published_with_the_values_they_touched(
    server: Server, tenant: Tenant, gql: GraphQLClient
) -> None:
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        await socket.subscribe(API_CHANGES)
        await until_listening(record_events.channel(tenant.account.id, "deals"))
        [deal] = await _create_deals(gql, tenant, {"dealname": "Acme", "amount": "5"})
        update = {"id": deal, "properties": [_value("amount", None), _value("dealname", "A")]}
        await gql.data(UPDATE_RECORDS, {"records": [update]}, tenant.member)
        # The same update again changes nothing, so it tells nothing: the next event heard is
        # the next record's creation.
        await gql.data(UPDATE_RECORDS, {"records": [update]}, tenant.member)
        [other] = await _create_deals(gql, tenant, {"dealname": "Other"})
        heard = [await socket.receive() for _ in range(3)]

    changes = [message["payload"]["data"]["recordChanges"] for message in heard]
    assert [(c["recordId"], c["source"], c["properties"]) for c in changes] == [
        (deal, "API", ["amount", "dealname"]),
        (deal, "API", ["amount", "dealname"]),
        (other, "API", ["dealname"]),
    ]


def _value(name: str, value: str | None) -> dict[str, str | None]:
    return {"name": name, "value": value}


async def _create_deals(gql: GraphQLClient, tenant: Tenant, *deals: dict[str, str]) -> list[str]:
    records = [{"properties": [_value(n, v) for n, v in deal.items()]} for deal in deals]
    created = await gql.data(CREATE_RECORDS, {"type": "deals", "records": records}, tenant.member)
    return [record["id"] for record in created["createRecords"]]
