"""GraphQL enums made from the domain's Python enums, described value by value.

Strawberry reads a value's description only from a `strawberry.enum_value` member, which the
domain's enums cannot hold (the domain knows nothing of GraphQL): here the descriptions are given
by member instead, beside the enum's own."""

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

E = TypeVar("E", bound=Enum)


def described_enum(cls: type[E], description: str, values: Mapping[E, str]) -> type[E]:
    """Marks `cls` as a GraphQL enum in place. A member missing from `values` is left without
    a description, which the SDL test names."""
    if not hasattr(cls, "__strawberry_definition__"):
        strawberry.enum(cls)
    # Described in place: a type annotated with the enum before this ran may hold its
    # definition already, and a second definition would be a second enum of the same name.
    definition: StrawberryEnumDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    definition.description = description
    for value in definition.values:
        value.description = values.get(cls(value.value))
    return cls
