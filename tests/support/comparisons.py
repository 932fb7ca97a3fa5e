"""Comparisons for the tests: asking for one over the API and reading it once its job ended,
the one made after a backup, and the mass-change alert settings."""

from typing import Any
from uuid import UUID

from models.comparisons import Comparison
from tests.support.graphql import GraphQLClient
from tests.support.polling import poll_until, until_finished

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


async def watched(backup_id: str | UUID) -> Comparison:
    """The comparison made after the backup with the previous one, once its job ended."""

    async def made() -> Comparison | None:
        return await Comparison.get_or_none(to_backup_id=backup_id, watch=True)

    comparison = await poll_until(made, seconds=30)
    return await until_finished(Comparison, comparison.id, seconds=30)
