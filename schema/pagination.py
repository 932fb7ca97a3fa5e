"""Relay-style connections over `services.core.pagination.Page`."""

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from services.core.pagination import MAX_PAGE_SIZE, Page, encode_cursor

Node = TypeVar("Node")

# The arguments every list takes, described once.
FIRST = strawberry.argument(description=f"How many items to answer: 1 to {MAX_PAGE_SIZE}.")
AFTER = strawberry.argument(
    description="The `endCursor` of the previous page; null for the first page. A cursor "
    "this API did not give out is VALIDATION_FAILED."
)


@strawberry.type(description="Where a page of a list ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Another page follows this one.")
    end_cursor: str | None = strawberry.field(
        description="Pass as `after` for the next page; null when the page is empty."
    )


@strawberry.type(description="An item of a page and its cursor.")
class Edge(Generic[Node]):
    cursor: str = strawberry.field(
        description="Opaque: pass as `after` to read the items after this one."
    )
    node: Node = strawberry.field(description="The item.")


@strawberry.type(
    description="A page of a list. Pages are keyset-based: items added or removed before the "
    "cursor do not shift the next page."
)
class Connection(Generic[Node]):
    edges: list[Edge[Node]] = strawberry.field(description="The page's items, with cursors.")
    page_info: PageInfo = strawberry.field(description="Whether and where the list goes on.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The page's items, without cursors.")
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]

    @strawberry.field(
        description="How many items the whole list holds (every page, with the same filters). "
        "Counted only when asked for, with one more query that reads every matching row: cheap "
        "for most lists, but for records of a large object type it grows with the type (ask "
        "for it with the first page, not with every page)."
    )
    async def total_count(self) -> int:
        return await self.count()

    @classmethod
    def from_page(cls, page: Page, to_node: Callable[..., Node]) -> "Connection[Node]":
        return cls(
            edges=[Edge(cursor=encode_cursor(item.pk), node=to_node(item)) for item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            count=page.count,
        )
