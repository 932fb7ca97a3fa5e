from models.accounts import Role
from models.audit import AuditEvent as AuditEventModel
from schema.audit import AuditEvent
from schema.context import Info
from schema.pagination import Connection
from services.core.pagination import paginate


async def audit_log(
    info: Info, first: int = 50, after: str | None = None
) -> Connection[AuditEvent]:
    viewer = info.context.require_viewer()
    viewer.require_role(Role.ADMIN, Role.SUPER_ADMIN)
    events = AuditEventModel.filter(account_id=viewer.account_id).select_related("actor")
    page = await paginate(events, first, after, newest_first=True)
    return Connection.from_page(page, AuditEvent.from_model)
