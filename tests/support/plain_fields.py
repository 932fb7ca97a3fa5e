"""A schema of its own whose lists hold plain objects (attribute reads of leaf types), some of
them broken, run both by the project's execution and by graphql-core's stock one."""

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError

from schema.execution import PlainFieldsExecutionContext
from schema.scalars import SCALARS


@strawberry.enum
class Colour(Enum):
    RED = "RED"
    BLUE = "BLUE"


@strawberry.type
class Pair:
    name: str
    value: str
    count: int
    colour: Colour
    note: str | None
    at: datetime

    @strawberry.field
    def shout(self) -> str:
        return self.value.upper()


def _pair(number: int, **changes: Any) -> Pair:
    values: dict[str, Any] = {
        "name": f"name{number}",
        "value": f"value{number}",
        "count": number,
        "colour": Colour.RED if number % 2 else Colour.BLUE,
        "note": None if number % 3 else f"note{number}",
        "at": datetime(2026, 12, 1, number, tzinfo=UTC),
    }
    return Pair(**(values | changes))


@strawberry.type
class Query:
    @strawberry.field
    def pairs(self) -> list[Pair]:
        return [_pair(number) for number in range(5)]

    @strawberry.field
    def maybe_pairs(self) -> list[Pair | None]:
        return [_pair(1), None, _pair(2)]

    @strawberry.field(description="A null where a name may not be null, in the third item.")
    def null_name(self) -> list[Pair]:
        return [_pair(0), _pair(1), _pair(2, name=None)]

    @strawberry.field(description="A count that is not a number, in the second item.")
    def bad_count(self) -> list[Pair]:
        return [_pair(0), _pair(1, count="many")]


def _schema(plain: bool) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=strawberry.schema.config.StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=PlainFieldsExecutionContext if plain else None,
    )


PLAIN = _schema(plain=True)
STOCK = _schema(plain=False)


def _error(error: GraphQLError) -> dict[str, Any]:
    return {"message": error.message, "path": error.path}


def answer(schema: strawberry.Schema, document: str) -> dict[str, Any]:
    """The document's data and errors as a client reads them."""
    result = schema.execute_sync(document)
    return {"data": result.data, "errors": [_error(error) for error in result.errors or []]}
