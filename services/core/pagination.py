"""Keyset pagination over time-ordered ids, with opaque cursors.

Ids are UUIDv7, so ordering by id is ordering by creation, and a page never shifts when rows
are inserted before it (unlike offsets).
"""

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from tortoise.models import Model
from tortoise.queryset import QuerySet

from services.core.errors import ValidationFailed

MAX_PAGE_SIZE = 100


class Keyed(Protocol):
    """A model, or a plain row standing for one: its primary key is its id."""

    @property
    def pk(self) -> Any: ...


M = TypeVar("M", bound=Model)
K = TypeVar("K", bound=Keyed)


@dataclass(frozen=True)
class Page(Generic[K]):
    items: list[K]
    has_next_page: bool
    # Every row of the list (all pages), counted only when called: one COUNT query.
    count: Callable[[], Awaitable[int]]

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


def _check_first(first: int) -> None:
    if not 0 < first <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", field="first")


def _window(
    queryset: QuerySet[M], first: int, after: str | None, newest_first: bool
) -> QuerySet[M]:
    """The page's rows and one more, which tells whether a next page exists."""
    _check_first(first)
    if after is not None:
        boundary = decode_cursor(after)
        queryset = (
            queryset.filter(id__lt=boundary) if newest_first else queryset.filter(id__gt=boundary)
        )
    return queryset.order_by("-id" if newest_first else "id").limit(first + 1)


def _counter(queryset: QuerySet[M]) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        return await queryset.count()

    return count


async def paginate(
    queryset: QuerySet[M], first: int, after: str | None, *, newest_first: bool = False
) -> Page[M]:
    rows = await _window(queryset, first, after, newest_first)
    return Page(items=rows[:first], has_next_page=len(rows) > first, count=_counter(queryset))


async def paginate_rows(
    queryset: QuerySet[M],
    first: int,
    after: str | None,
    row: Callable[..., K],
    fields: Sequence[str],
    *,
    newest_first: bool = False,
) -> Page[K]:
    """The same page read as plain rows of `fields`, each passed to `row` by name: no model
    object is built per item."""
    rows = await _window(queryset, first, after, newest_first).values(*fields)
    return _rows_page(rows, first, row, _counter(queryset))


async def paginate_fetched(
    matching: Callable[[], QuerySet[M]],
    first: int,
    after: str | None,
    fetch: Callable[[int, UUID | None], Awaitable[Sequence[K]]],
) -> Page[K]:
    """The page, oldest first, read by `fetch(limit, after id)` (a query of its own shape,
    answering the items themselves); the queryset of the same rows that `matching` builds
    counts them, built only when asked to (building one costs more than a page's own SQL
    takes to answer)."""
    _check_first(first)
    items = await fetch(first + 1, None if after is None else decode_cursor(after))

    async def count() -> int:
        return await matching().count()

    return Page(items=list(items[:first]), has_next_page=len(items) > first, count=count)


def _rows_page(
    rows: Sequence[dict[str, Any]],
    first: int,
    row: Callable[..., K],
    count: Callable[[], Awaitable[int]],
) -> Page[K]:
    return Page(
        items=[row(**values) for values in rows[:first]],
        has_next_page=len(rows) > first,
        count=count,
    )
