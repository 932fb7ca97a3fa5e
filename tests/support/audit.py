"""The audit log, as the tests read it."""

from typing import Any

from models.accounts import User
from models.audit import AuditEvent
from tests.support.graphql import GraphQLClient

AUDIT_LOG = """
query($first: Int!, $after: String) {
  auditLog(first: $first, after: $after) {
    nodes { id action actor { id email name } targetType targetId details createdAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def audited(action: str, target_id: str) -> list[AuditEvent]:
    """The events of `action` about `target_id`."""
    return await AuditEvent.filter(action=action, target_id=target_id)


async def log_of(gql: GraphQLClient, token: str) -> list[dict[str, Any]]:
    """The newest 50 entries of `auditLog`, as the API answers them."""
    body = await gql.data(AUDIT_LOG, {"first": 50}, token)
    nodes: list[dict[str, Any]] = body["auditLog"]["nodes"]
    return nodes


async def times_audited(actor: User, action: str) -> int:
    """How many events of `action` name `actor` as who did it."""
    return await AuditEvent.filter(actor_id=actor.id, action=action).count()


FILTERED_AUDIT_LOG = """
query($filter: AuditLogFilter) {
  auditLog(first: 100, filter: $filter) { nodes { action actor { email } createdAt } }
}
"""
AUDIT_LOG_ACTIONS = "{ auditLogActions }"
AUDIT_LOG_EXPORT_URL = "query($filter: AuditLogFilter) { auditLogExportUrl(filter: $filter) }"


async def filtered_actions(gql: GraphQLClient, token: str, wanted: dict[str, Any]) -> list[str]:
    """The actions of the entries `auditLog(filter: wanted)` answers, newest first."""
    body = await gql.data(FILTERED_AUDIT_LOG, {"filter": wanted}, token)
    return [node["action"] for node in body["auditLog"]["nodes"]]
