"""Short-lived signed links: the link itself is the permission, so it names its account."""

from dataclasses import dataclass
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer

from models.accounts import Role
from services.core import environment
from services.core.errors import NotFound
from services.core.viewer import Viewer

LINK_LIFETIME_SECONDS = 5 * 60


@dataclass(frozen=True)
class LinkTarget:
    account_id: UUID
    object_id: UUID
    # Who minted the link, for the audit log of its use.
    user_id: UUID


class LinkSigner:
    def __init__(self, secret: bytes, purpose: str) -> None:
        # The salt keeps a link minted for one purpose from opening another kind of file.
        self._serializer = URLSafeTimedSerializer(secret, salt=purpose)

    def sign(self, target: LinkTarget) -> str:
        ids = [target.account_id, target.object_id, target.user_id]
        return self._serializer.dumps([str(value) for value in ids])

    def unsign(self, token: str) -> LinkTarget:
        """The link's target; an expired, altered or foreign link is simply not found."""
        try:
            ids = self._serializer.loads(token, max_age=LINK_LIFETIME_SECONDS)
            return LinkTarget(*(UUID(value) for value in ids))
        except (BadSignature, ValueError, TypeError):
            raise NotFound("This link is invalid or has expired; request a new one.") from None


class DownloadLinks:
    """Links to one kind of file only super admins download, signed with the server's secret
    (read at each use: it is configured after this is made)."""

    def __init__(self, purpose: str) -> None:
        self._purpose = purpose

    def _signer(self) -> LinkSigner:
        return LinkSigner(environment.current().secret, self._purpose)

    def token(self, viewer: Viewer, object_id: UUID) -> str:
        """A token for a link to `object_id`, minted by the super admin `viewer`."""
        viewer.require_role(Role.SUPER_ADMIN)
        return self._signer().sign(LinkTarget(viewer.account_id, object_id, viewer.user.id))

    def target(self, token: str) -> LinkTarget:
        return self._signer().unsign(token)
