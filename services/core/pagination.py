"""Keyset pagination over time-ordered ids, with opaque cursors.

Ids are UUIDv7, so ordering by id is ordering by creation, and a page never shifts when rows
are inserted before it (unlike offsets).
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from tortoise.models import Model
from tortoise.queryset import QuerySet

from services.core.errors import ValidationFailed

M = TypeVar("M", bound=Model)

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.items[-1].pk) if self.items else None


def encode_cursor(pk: UUID) -> str:
    return base64.urlsafe_b64encode(pk.bytes).decode().rstrip("=")


def decode_cursor(cursor: str) -> UUID:
    try:
        return UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise ValidationFailed("The cursor is not one this API gave out.", field="after") from None


async def paginate(
    queryset: QuerySet[M], first: int, after: str | None, *, newest_first: bool = False
) -> Page[M]:
    if not 0 < first <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    if after is not None:
        boundary = decode_cursor(after)
        queryset = (
            queryset.filter(id__lt=boundary) if newest_first else queryset.filter(id__gt=boundary)
        )
    rows = await queryset.order_by("-id" if newest_first else "id").limit(first + 1)
    return Page(items=rows[:first], has_next_page=len(rows) > first)
