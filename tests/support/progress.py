"""A job's progress, as a client follows it over the `jobProgress` subscription."""

from typing import Any

from tests.support.websocket import GraphQLWebSocket

JOB_PROGRESS = """subscription($id: ID!) {
  jobProgress(id: $id) { jobId status objectType rowsDone rowsTotal } }"""


async def progress_until_complete(socket: GraphQLWebSocket, operation_id: str) -> list[Any]:
    """Every `jobProgress` event of the operation until the server completes it."""
    payloads = await socket.payloads_until_complete(operation_id)
    return [payload["data"]["jobProgress"] for payload in payloads]
