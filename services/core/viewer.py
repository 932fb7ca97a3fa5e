"""Who is asking: the user every service call is scoped by, and the credential they came with."""

from dataclasses import dataclass
from uuid import UUID

from models.accounts import ApiToken, Role, Scope, Session, User
from services.core.errors import Forbidden, OutOfScope


@dataclass(frozen=True)
class Viewer:
    """Every query a service runs for a viewer is scoped to `account_id`.

    The credential is a person's `session`, or an API `token` acting as the super admin who
    created it within its scopes; neither is an operator at the server's command line."""

    user: User
    session: Session | None = None
    token: ApiToken | None = None

    @property
    def account_id(self) -> UUID:
        return self.user.account_id

    @property
    def credential(self) -> Session | ApiToken | None:
        return self.session or self.token

    def require_role(self, *roles: Role) -> None:
        if self.user.role not in roles:
            allowed = " or ".join(role.value for role in roles)
            raise Forbidden(f"This needs the {allowed} role.")

    def require_scope(self, scope: Scope) -> None:
        """A token must have been granted `scope`; a person's session has them all."""
        if self.token is not None and scope.value not in self.token.scopes:
            raise OutOfScope(scope.value)

    def require_person(self) -> None:
        """Signing in, users, two-factor and tokens themselves are for people, never tokens."""
        if self.token is not None:
            raise Forbidden("This needs a person's session: an API token cannot do it.")
