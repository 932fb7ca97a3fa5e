"""Helpers for the restore tests: deals to restore, a real backup of them, a plan, step-up."""

from datetime import timedelta
from typing import Any
from uuid import UUID

from models.accounts import Role, Session, User
from models.crm import ObjectType, Property, PropertyType, Record
from models.restores import Restore
from services.accounts import sessions as auth
from services.core.clock import now
from tests.conftest import GraphQLClient, Tenant
from tests.polling import until_finished
from tests.server.test_backups import wait_until_finished

CREATE_BACKUP = "mutation { createBackup(confirm: true) { id } }"
PLAN = """mutation($backupId: ID!, $objectType: String!, $properties: [String!]!) {
  planRestore(backupId: $backupId, objectType: $objectType, properties: $properties) {
    id kind status objectType properties counts { recordsChanged }
    plan { valuesAsOf recordsInSource recordsToChange recordsUnchanged recordsDeleted
           recordsPurged recordsCreatedSince conflicts conflictingRecordIds guidance
           dataChangeNotice irreversibleNotice
           properties { name label sensitive toChange toClear unchanged }
           sampleChanges { recordId property currentValue restoredValue redacted } } } }"""
START = """mutation($planId: ID!, $data: Boolean!, $irreversible: Boolean!) {
  startRestore(planId: $planId, acknowledgeDataChange: $data,
               acknowledgeIrreversible: $irreversible) { id status kind } }"""
COUNTS = (
    "counts { recordsChanged valuesSet valuesCleared recordsUnchanged recordsSkipped conflicts }"
)
RESTORE = f"""query($id: ID!) {{ restore(id: $id) {{ id kind status failureReason revertsId
  {COUNTS} }} }}"""


async def deals_type(tenant: Tenant) -> ObjectType:
    return await ObjectType.get(account_id=tenant.account.id, name="deals")


async def add_sensitive_commission(tenant: Tenant) -> None:
    """A sensitive custom property on deals: plans must not show its values."""
    await Property.create(
        object_type=await deals_type(tenant),
        name="commission",
        label="Commission",
        type=PropertyType.NUMBER,
        sensitive=True,
    )


async def seed_deals(tenant: Tenant, values: list[dict[str, str]]) -> list[UUID]:
    """Deals with these values, in id order."""
    deals = await deals_type(tenant)
    records = [Record(account=tenant.account, object_type=deals, properties=v) for v in values]
    await Record.bulk_create(records, batch_size=1000)
    return [record.id for record in records]


async def values_of(record_id: UUID) -> dict[str, str]:
    record = await Record.get(id=record_id)
    return dict(record.properties)


async def set_values(record_id: UUID, changes: dict[str, str | None]) -> None:
    """Edits made after the backup, as the API would store them (blank: absent)."""
    record = await Record.get(id=record_id)
    merged = {k: v for k, v in {**record.properties, **changes}.items() if v}
    await Record.filter(id=record_id).update(properties=merged)


async def backed_up(gql: GraphQLClient, tenant: Tenant) -> str:
    """A real backup of the account, made by the worker; returns its id."""
    backup_id = (await gql.data(CREATE_BACKUP, token=tenant.super_admin))["createBackup"]["id"]
    backup = await wait_until_finished(backup_id)
    assert backup.status == "SUCCEEDED", backup.failure_reason
    return str(backup_id)


async def plan(
    gql: GraphQLClient, tenant: Tenant, backup_id: str, properties: list[str]
) -> dict[str, Any]:
    variables = {"backupId": backup_id, "objectType": "deals", "properties": properties}
    planned: dict[str, Any] = (await gql.data(PLAN, variables, tenant.super_admin))["planRestore"]
    return planned


async def enroll_totp(user: User) -> None:
    """What confirming an enrollment leaves on the user (step-up only checks it is there)."""
    await User.filter(id=user.id).update(totp_secret_encrypted="enrolled-for-the-test")


async def reauthenticated(token: str, seconds_ago: float = 0) -> None:
    """What a successful `reauthenticate(code)` leaves on the session."""
    at = now() - timedelta(seconds=seconds_ago)
    await Session.filter(token_hash=auth.hash_token(token)).update(reauthenticated_at=at)


async def step_up(tenant: Tenant) -> None:
    """The tenant's super admin: enrolled in two-factor and freshly re-authenticated."""
    await enroll_totp(tenant.users[Role.SUPER_ADMIN])
    await reauthenticated(tenant.super_admin)


async def start(gql: GraphQLClient, token: str, plan_id: str) -> dict[str, Any]:
    variables = {"planId": plan_id, "data": True, "irreversible": True}
    started: dict[str, Any] = (await gql.data(START, variables, token))["startRestore"]
    return started


async def wait_for_restore(restore_id: str | UUID) -> Restore:
    return await until_finished(Restore, restore_id, seconds=30)
