"""Comparisons for the tests: asking for one over the API and reading it once its job ended,
the one made after a backup, and the mass-change alert settings."""

from typing import Any
from uuid import UUID

from models.comparisons import Comparison
from services.accounts import sessions as auth
from services.crm.records import delete_records, purge_records
from tests.support.backups import backed_up, let_quota_window_pass
from tests.support.graphql import GraphQLClient
from tests.support.polling import poll_until, until_finished
from tests.support.records import seed_deals, seed_records, set_values
from tests.support.restores import add_sensitive_commission, deal
from tests.support.tenants import Tenant

COMPARE = """mutation($from: ID!, $to: ID) {
  compareBackups(fromBackupId: $from, toBackupId: $to) { id status fromBackupId toBackupId } }"""
COMPARISON = """query($id: ID!) { comparison(id: $id) {
  id status failureCode failureReason differencesDownloadUrl
  result { fromSnapshotAt toSnapshotAt objects {
    objectType recordsBefore recordsAfter added deleted purged changed unchanged
    properties { name label sensitive changed set cleared
                 samples { recordId recordName before after beforeLabel afterLabel } } } } } }"""


async def compared(
    gql: GraphQLClient, token: str, from_backup_id: str, to_backup_id: str | None = None
) -> dict[str, Any]:
    """The comparison of the two backups (or of the first with today), once its job ended."""
    variables = {"from": from_backup_id, "to": to_backup_id}
    queued = (await gql.data(COMPARE, variables, token))["compareBackups"]
    await until_finished(Comparison, queued["id"], seconds=30)
    shown: dict[str, Any] = (await gql.data(COMPARISON, {"id": queued["id"]}, token))["comparison"]
    return shown


COMPARISONS = """query($first: Int!, $after: String) { comparisons(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id status afterBackup } } }"""


def by_type(comparison: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The comparison's objects by type name, each with its properties by name."""
    objects = {each["objectType"]: each for each in comparison["result"]["objects"]}
    for each in objects.values():
        each["properties"] = {prop["name"]: prop for prop in each["properties"]}
    return objects


SETTINGS = """{ massChangeAlertSettings { enabled
  thresholds { deletedPercent changedPercent minimumCount }
  objectTypes { objectType deletedPercent changedPercent minimumCount } } }"""
UPDATE_SETTINGS = """mutation($input: MassChangeAlertSettingsInput!) {
  updateMassChangeAlertSettings(input: $input) { enabled
    thresholds { deletedPercent changedPercent minimumCount }
    objectTypes { objectType deletedPercent changedPercent minimumCount } } }"""
MASS_CHANGES = """query($id: ID!) { comparison(id: $id) { afterBackup toBackupId
  result { massChanges { objectType property count outOf } } } }"""


def thresholds(deleted: float, changed: float, minimum: int) -> dict[str, Any]:
    return {"deletedPercent": deleted, "changedPercent": changed, "minimumCount": minimum}


async def update_settings(
    gql: GraphQLClient, tenant: Tenant, account: dict[str, Any], **changes: Any
) -> dict[str, Any]:
    """The account's alert settings: alerts on, `account`'s thresholds, no object's own unless
    `changes` say otherwise."""
    settings = {"enabled": True, "thresholds": account, "objectTypes": []} | changes
    updated: dict[str, Any] = (
        await gql.data(UPDATE_SETTINGS, {"input": settings}, tenant.super_admin)
    )["updateMassChangeAlertSettings"]
    return updated


async def watched(backup_id: str | UUID) -> Comparison:
    """The comparison made after the backup with the previous one, once its job ended."""

    async def made() -> Comparison | None:
        return await Comparison.get_or_none(to_backup_id=backup_id, watch=True)

    comparison = await poll_until(made, seconds=30)
    return await until_finished(Comparison, comparison.id, seconds=30)


PROJECTS = """mutation {
  createCustomObjectType(input: {name: "projects", singularLabel: "Project",
                                 pluralLabel: "Projects"}) { id }
  createProperty(input: {objectType: "projects", name: "title", label: "Title",
                         type: STRING}) { id } }"""


async def second_backup(gql: GraphQLClient, tenant: Tenant) -> str:
    """A backup after the first, past the manual quota's window."""
    await let_quota_window_pass(tenant.account)
    return await backed_up(gql, tenant)


async def two_backups_of_a_deal(gql: GraphQLClient, tenant: Tenant) -> tuple[str, str]:
    """One deal, then two backups of it, the second past the manual quota's window."""
    await seed_deals(tenant, [deal(1)])
    return await backed_up(gql, tenant), await second_backup(gql, tenant)


async def hand_made_changes(gql: GraphQLClient, tenant: Tenant) -> dict[str, Any]:
    """Ten deals (a sensitive commission among their properties), three projects, a backup,
    then known changes and a second backup: 2 deals added, 1 deleted, 1 purged; amounts
    changed on deals 2 and 3 and set on deal 5, deal 4's stage cleared, deal 6's commission
    changed; project 0's title renamed."""
    await add_sensitive_commission(tenant)
    await gql.data(PROJECTS, token=tenant.super_admin)
    ids = await seed_deals(
        tenant, [deal(i, amount="" if i == 5 else str(1000 + i)) for i in range(10)]
    )
    projects = await seed_records(tenant, "projects", [{"title": f"P{i}"} for i in range(3)])
    first = await backed_up(gql, tenant)
    viewer = await auth.authenticate(tenant.super_admin)
    added = await seed_deals(tenant, [deal(10), deal(11)])
    await delete_records(viewer, [ids[0]])
    await purge_records(viewer, [ids[1]])
    await set_values(ids[2], {"amount": "9002"})
    await set_values(ids[3], {"amount": "9003"})
    await set_values(ids[4], {"dealstage": None})
    await set_values(ids[5], {"amount": "5"})
    await set_values(ids[6], {"commission": "99"})
    await set_values(projects[0].id, {"title": "Renamed"})
    second = await second_backup(gql, tenant)
    return {"first": first, "second": second, "ids": ids, "added": added, "project": projects[0].id}
