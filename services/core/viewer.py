"""Who is asking: the signed-in user every service call is scoped by."""

from dataclasses import dataclass
from uuid import UUID

from models.accounts import Role, Session, User
from services.core.errors import Forbidden


@dataclass(frozen=True)
class Viewer:
    """Every query a service runs for a viewer is scoped to `account_id`."""

    user: User
    session: Session

    @property
    def account_id(self) -> UUID:
        return self.user.account_id

    def require_role(self, *roles: Role) -> None:
        if self.user.role not in roles:
            allowed = " or ".join(role.value for role in roles)
            raise Forbidden(f"This needs the {allowed} role.")
