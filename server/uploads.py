"""`POST /imports`: upload a backup ZIP (or one CSV with its `objectType`) to restore from.

A plain multipart route, not GraphQL multipart (which stays off: it is a CSRF risk). The
caller is checked before the body is read; the body streams into the work directory under
its own size cap (MAX_IMPORT_BYTES); quick checks refuse a bad file at once. The answer is the
restore's plan, PLAN_QUEUED: a worker plans it, and nothing changes until it is started with
the guards of every restore (`startRestore`). Errors are JSON: {"code": ..., "message": ...}.
"""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.accounts import Role
from server.bearer import bearer_token
from server.multipart_upload import MalformedUpload, receive_file
from services import accounts, restores
from services.core import environment
from services.core.errors import DomainError, ErrorCode, Unauthenticated
from services.core.viewer import Viewer

FILE_FIELD = "file"
OBJECT_TYPE_FIELD = "objectType"
# "true": every row becomes a new record with a new id (another account's backup accepted).
AS_NEW_FIELD = "asNewRecords"

HTTP_STATUS = {
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.OUT_OF_SCOPE: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.NOT_RESTORABLE: 422,
    ErrorCode.BACKUP_OF_ANOTHER_ACCOUNT: 422,
}


def _error(code: ErrorCode, message: str) -> JSONResponse:
    return JSONResponse(
        {"code": code.value, "message": message}, status_code=HTTP_STATUS.get(code, 400)
    )


async def _viewer(request: Request) -> Viewer:
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Unauthenticated("Send `Authorization: Bearer <token>`.")
    client = request.client
    viewer = await accounts.authenticate(token, client.host if client else None)
    # An upload is a restore's plan: an API token needs the scope of planning one.
    viewer.require_scope(accounts.Scope.RESTORES)
    viewer.require_role(Role.SUPER_ADMIN)
    return viewer


def _as_new(fields: dict[str, str]) -> bool:
    value = fields.get(AS_NEW_FIELD, "false")
    if value not in ("true", "false"):
        raise MalformedUpload(f"{AS_NEW_FIELD} is true or false.")
    return value == "true"


async def upload_import(request: Request) -> Response:
    try:
        viewer = await _viewer(request)
        work_dir = environment.current().work_dir
        fields = [OBJECT_TYPE_FIELD, AS_NEW_FIELD]
        async with receive_file(request, work_dir, FILE_FIELD, fields) as upload:
            plan = await restores.plan_file_restore(
                viewer,
                upload.path,
                upload.file_name,
                upload.fields.get(OBJECT_TYPE_FIELD, ""),
                as_new_records=_as_new(upload.fields),
            )
    except DomainError as error:
        return _error(error.code, error.message)
    except MalformedUpload as error:
        return _error(ErrorCode.VALIDATION_FAILED, str(error))
    shown = {"id": str(plan.id), "fileName": plan.file_name, "status": plan.status.value}
    return JSONResponse(shown, status_code=202)


def routes(max_import_bytes: int) -> list[Route]:
    # The route's own body cap replaces the app-wide one (MAX_BODY_BYTES) for this path only.
    return [
        Route("/imports", upload_import, methods=["POST"], max_body_size=max_import_bytes),
    ]
