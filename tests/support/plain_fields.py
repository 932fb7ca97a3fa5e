"""A schema of its own whose lists hold plain objects (attribute reads of leaf types, nested
objects and lists, resolvers with arguments), some of them broken, run both by the project's
execution and by graphql-core's stock one."""

import asyncio
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
    # Text, or a number for the even pairs: an ID's serialization turns it into text.
    code: strawberry.ID

    @strawberry.field
    def shout(self) -> str:
        return self.value.upper()


@strawberry.type
class Holder:
    number: int
    pair: Pair
    maybe_pair: Pair | None
    pairs: list[Pair]
    names: list[str]

    @strawberry.field
    def tagged(self, prefix: str, times: int = 1) -> list[str]:
        return [f"{prefix}{self.number}"] * times

    @strawberry.field
    def checked(self) -> Pair:
        if self.number == 2:
            raise GraphQLError("The third holder's pair is withheld.")
        return self.pair

    @strawberry.field
    async def later(self) -> str:
        await asyncio.sleep(0)
        return f"later{self.number}"


def _holder(number: int, **changes: Any) -> Holder:
    values: dict[str, Any] = {
        "number": number,
        "pair": _pair(number),
        "maybe_pair": None if number % 2 else _pair(number + 10),
        "pairs": [_pair(number + offset) for offset in range(3)],
        "names": [f"name{number}", f"again{number}"],
    }
    return Holder(**(values | changes))


def _pair(number: int, **changes: Any) -> Pair:
    values: dict[str, Any] = {
        "name": f"name{number}",
        "value": f"value{number}",
        "count": number,
        "colour": Colour.RED if number % 2 else Colour.BLUE,
        "note": None if number % 3 else f"note{number}",
        "at": datetime(2026, 12, 1, number, tzinfo=UTC),
        "code": strawberry.ID(f"c{number}") if number % 2 else number,
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

    @strawberry.field
    def holders(self) -> list[Holder]:
        return [_holder(number) for number in range(4)]

    @strawberry.field(description="A null name in the second holder's list of pairs.")
    def deep_null(self) -> list[Holder]:
        return [_holder(0), _holder(1, pairs=[_pair(1), _pair(2, name=None)])]

    @strawberry.field(description="A name that is not a list, in the first holder.")
    def bad_names(self) -> list[Holder]:
        return [_holder(0, names=7), _holder(1)]


class CountingExecutionContext(PlainFieldsExecutionContext):
    """Counts the fields that went graphql-core's general way (one call each)."""

    general_fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingExecutionContext.general_fields += 1
        return super().execute_field(*args, **kwargs)


def _schema(execution: type[PlainFieldsExecutionContext] | None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        config=strawberry.schema.config.StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=execution,
    )


PLAIN = _schema(PlainFieldsExecutionContext)
STOCK = _schema(None)
COUNTED = _schema(CountingExecutionContext)


def general_fields(document: str) -> int:
    """How many fields of the document's answer went the general way."""
    CountingExecutionContext.general_fields = 0
    answer(COUNTED, document)
    return CountingExecutionContext.general_fields


def _error(error: GraphQLError) -> dict[str, Any]:
    return {"message": error.message, "path": error.path}


def answer(
    schema: strawberry.Schema, document: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The document's data and errors as a client reads them."""
    result = asyncio.run(schema.execute(document, variable_values=variables))
    return {"data": result.data, "errors": [_error(error) for error in result.errors or []]}
