"""Notifications: listening to them live, and what was stored."""

from models.accounts import Role, User
from models.notifications import Notification
from services.activity import notifications
from tests.support.graphql import GraphQLClient
from tests.support.polling import until_listening
from tests.support.websocket import GraphQLWebSocket

LIVE = "subscription { notifications { id kind title body subjectId readAt } }"
UNREAD = "{ unreadNotificationCount }"


async def listen_for_notifications(socket: GraphQLWebSocket, user: User) -> str:
    """Subscribed for `user`, and heard by the server's bus: nothing sent from now on is
    missed. Returns the operation id."""
    operation_id = await socket.subscribe(LIVE)
    await until_listening(notifications.channel(user.id))
    return operation_id


async def stored_notifications(user: User, subject_id: str) -> list[str]:
    """The kinds of the user's notifications about `subject_id`."""
    kinds = Notification.filter(user_id=user.id, subject_id=subject_id).values_list(
        "kind", flat=True
    )
    return [str(kind) for kind in await kinds]


async def notified_by_role(subject_id: str) -> dict[Role, list[str]]:
    """The kinds of notification stored about `subject_id`, by the role of their users."""
    found = Notification.filter(subject_id=subject_id).values_list("user__role", "kind")
    kinds: dict[Role, list[str]] = {role: [] for role in Role}
    for role, kind in await found:
        kinds[Role(role)].append(kind)
    return kinds


async def unread_count(gql: GraphQLClient, token: str) -> int:
    count: int = (await gql.data(UNREAD, token=token))["unreadNotificationCount"]
    return count
