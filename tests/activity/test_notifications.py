from models.accounts import Role
from services.activity import notifications
from tests.support.graphql import GraphQLClient
from tests.support.notifications import UNREAD, listen_for_notifications
from tests.support.polling import until_listening
from tests.support.servers import Server
from tests.support.tenants import MakeTenant, Tenant
from tests.support.websocket import signed_in

LIST = """
query($first: Int!, $after: String, $unreadOnly: Boolean!) {
  notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {
    nodes { id title readAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""
MARK_READ = "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }"


async def test_super_admins_receive_their_account_notifications_live(
    server: Server, make_tenant: MakeTenant
) -> None:
    ours, theirs = await make_tenant(), await make_tenant()
    async with (
        signed_in(server.websocket_url, ours.super_admin) as our_socket,
        signed_in(server.websocket_url, theirs.super_admin) as their_socket,
    ):
        our_id = await listen_for_notifications(our_socket, ours.users[Role.SUPER_ADMIN])
        their_id = await listen_for_notifications(their_socket, theirs.users[Role.SUPER_ADMIN])

        [sent] = await notifications.notify_super_admins(
            ours.account.id, "BACKUP_FAILED", "Backup failed", "Disk full.", subject_id="b-1"
        )
        assert await our_socket.receive() == {
            "id": our_id,
            "type": "next",
            "payload": {
                "data": {
                    "notifications": {
                        "id": str(sent.id),
                        "kind": "BACKUP_FAILED",
                        "title": "Backup failed",
                        "body": "Disk full.",
                        "subjectId": "b-1",
                        "readAt": None,
                    }
                }
            },
        }

        # Messages arrive in order: had ours leaked to them, it would come before theirs.
        await notifications.notify_super_admins(theirs.account.id, "BACKUP_SUCCEEDED", "Done")
        received = await their_socket.receive()
        assert received["id"] == their_id
        assert received["payload"]["data"]["notifications"]["title"] == "Done"


async def test_completing_the_subscription_leaves_the_channel(
    server: Server, tenant: Tenant
) -> None:
    async with signed_in(server.websocket_url, tenant.super_admin) as socket:
        operation_id = await listen_for_notifications(socket, tenant.users[Role.SUPER_ADMIN])
        await socket.complete(operation_id)
        super_admin = tenant.users[Role.SUPER_ADMIN].id
        await until_listening(notifications.channel(super_admin), listening=False)


async def test_list_count_and_mark_read(gql: GraphQLClient, make_tenant: MakeTenant) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    for title in ("first", "second", "third"):
        await notifications.notify_super_admins(tenant.account.id, "INFO", title)
    [foreign] = await notifications.notify_super_admins(other.account.id, "INFO", "not yours")
    token = tenant.super_admin

    page = (await gql.data(LIST, {"first": 2, "unreadOnly": False}, token))["notifications"]
    assert [node["title"] for node in page["nodes"]] == ["third", "second"]
    assert page["pageInfo"]["hasNextPage"] is True
    after = {"first": 2, "after": page["pageInfo"]["endCursor"], "unreadOnly": False}
    rest = (await gql.data(LIST, after, token))["notifications"]
    assert [node["title"] for node in rest["nodes"]] == ["first"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert (await gql.data(UNREAD, token=token))["unreadNotificationCount"] == 3

    newest = page["nodes"][0]["id"]
    assert (await gql.data(MARK_READ, {"ids": [newest]}, token))["markNotificationsRead"] == 1
    assert (await gql.data(MARK_READ, {"ids": [newest]}, token))["markNotificationsRead"] == 0
    unread = (await gql.data(LIST, {"first": 10, "unreadOnly": True}, token))["notifications"]
    assert [node["title"] for node in unread["nodes"]] == ["second", "first"]

    # Another user's notification is not the viewer's to mark.
    assert (await gql.data(MARK_READ, {"ids": [str(foreign.id)]}, token))[
        "markNotificationsRead"
    ] == 0
    assert (await gql.data(UNREAD, token=other.super_admin))["unreadNotificationCount"] == 1

    assert (await gql.data(MARK_READ, {"ids": None}, token))["markNotificationsRead"] == 2
    assert (await gql.data(UNREAD, token=token))["unreadNotificationCount"] == 0
    listed = (await gql.data(LIST, {"first": 10, "unreadOnly": False}, token))["notifications"]
    assert all(node["readAt"] for node in listed["nodes"])


async def test_notifications_are_per_user(gql: GraphQLClient, tenant: Tenant) -> None:
    await notifications.notify_super_admins(tenant.account.id, "INFO", "for super admins")
    assert (await gql.data(UNREAD, token=tenant.admin))["unreadNotificationCount"] == 0
    assert await gql.error_code(UNREAD) == "UNAUTHENTICATED"
