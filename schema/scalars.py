import dataclasses
from datetime import datetime
from typing import NewType

import strawberry
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition

BigInt = NewType("BigInt", int)

SCALARS: dict[object, ScalarDefinition] = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="An integer that may exceed 32 bits (GraphQL's Int), like a size in bytes.",
        serialize=int,
        parse_value=int,
    ),
    # Strawberry's own, said more fully for the readers of the schema.
    datetime: dataclasses.replace(
        DateTimeDefinition,
        description="An ISO 8601 date-time, e.g. 2026-12-01T09:30:00+00:00. Answers are in "
        "UTC; send arguments with their time zone (Z or +01:00).",
    ),
}
