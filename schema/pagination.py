"""Relay-style connections over `services.core.pagination.Page`."""

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from services.core.pagination import Page, encode_cursor

Node = TypeVar("Node")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]

    @classmethod
    def from_page(cls, page: Page, to_node: Callable[..., Node]) -> "Connection[Node]":
        return cls(
            edges=[Edge(cursor=encode_cursor(item.pk), node=to_node(item)) for item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )
