"""The audit log as a CSV file, through a signed 5-minute link that names the account, who
asked and the filter. The file is streamed in batches; a cell a spreadsheet would run as a
formula (one beginning with = + - @, a tab or a carriage return) gets a leading apostrophe, so
it opens as the text it is."""

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer

from models.accounts import Role
from models.audit import AuditEvent
from services.activity.audit import AuditFilter, events_of, record_event
from services.core import environment
from services.core.errors import NotFound
from services.core.signing import LINK_LIFETIME_SECONDS
from services.core.viewer import Viewer

PURPOSE = "audit-log-export"
HEADER = ["time", "action", "actor_email", "actor_name", "target_type", "target_id", "details"]
BATCH = 500
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_token(viewer: Viewer, wanted: AuditFilter) -> str:
    viewer.require_role(Role.ADMIN, Role.SUPER_ADMIN)
    return _serializer().dumps(
        {
            "account": str(viewer.account_id),
            "user": str(viewer.user.id),
            "action": wanted.action,
            "actor": str(wanted.actor_id) if wanted.actor_id else None,
            "since": wanted.since.isoformat() if wanted.since else None,
            "until": wanted.until.isoformat() if wanted.until else None,
        }
    )


async def open_export(token: str) -> tuple[UUID, AuditFilter]:
    """The account and filter the link names; its use goes in the audit log."""
    try:
        claims = _serializer().loads(token, max_age=LINK_LIFETIME_SECONDS)
        account_id, user_id = UUID(claims["account"]), UUID(claims["user"])
        wanted = AuditFilter(
            action=claims["action"],
            actor_id=UUID(claims["actor"]) if claims["actor"] else None,
            since=_moment(claims["since"]),
            until=_moment(claims["until"]),
        )
    except (BadSignature, ValueError, TypeError, KeyError):
        raise NotFound("This link is invalid or has expired; request a new one.") from None
    await record_event(account_id, user_id, "AUDIT_LOG_EXPORTED", filter=_described(wanted))
    return account_id, wanted


async def csv_lines(account_id: UUID, wanted: AuditFilter) -> AsyncIterator[str]:
    """The header, then the entries newest first, a batch at a time."""
    yield _line(HEADER)
    events = events_of(account_id, wanted).order_by("-id")
    last: UUID | None = None
    while True:
        batch = await (events.filter(id__lt=last) if last else events).limit(BATCH)
        if not batch:
            return
        yield "".join(_line(_cells(event)) for event in batch)
        last = batch[-1].id


def spreadsheet_safe(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _cells(event: AuditEvent) -> list[str]:
    actor = event.actor
    return [
        event.created_at.isoformat(),
        event.action,
        actor.email if actor else "",
        actor.name if actor else "",
        event.target_type,
        event.target_id,
        json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else "",
    ]


def _line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([spreadsheet_safe(cell) for cell in cells])
    return out.getvalue()


def _described(wanted: AuditFilter) -> dict[str, str]:
    """The filter as the export's audit entry records it: only what was set."""
    described = {
        "action": wanted.action,
        "actor_id": str(wanted.actor_id) if wanted.actor_id else None,
        "since": wanted.since.isoformat() if wanted.since else None,
        "until": wanted.until.isoformat() if wanted.until else None,
    }
    return {name: value for name, value in described.items() if value}


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _serializer() -> URLSafeTimedSerializer:
    # Its own salt: a link minted for a backup or an import's rows opens nothing here.
    return URLSafeTimedSerializer(environment.current().secret, salt=PURPOSE)
