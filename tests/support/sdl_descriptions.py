"""The elements of a GraphQL schema that carry no description, each named as a reader of the
SDL would look it up: `Type`, `Type.field`, `Type.field(argument:)`, `Enum.VALUE`."""

from collections.abc import Iterator

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    is_introspection_type,
    is_specified_directive,
    is_specified_scalar_type,
)


def _described(description: str | None) -> bool:
    return bool(description and description.strip())


def _arguments(owner: str, arguments: dict[str, GraphQLArgument]) -> Iterator[str]:
    for name, argument in arguments.items():
        if not _described(argument.description):
            yield f"{owner}({name}:)"


def _members(named: GraphQLNamedType) -> Iterator[str]:
    """The undocumented fields, arguments and values of one type."""
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        for name, field in named.fields.items():
            if not _described(field.description):
                yield f"{named.name}.{name}"
            yield from _arguments(f"{named.name}.{name}", field.args)
    elif isinstance(named, GraphQLInputObjectType):
        for name, input_field in named.fields.items():
            if not _described(input_field.description):
                yield f"{named.name}.{name}"
    elif isinstance(named, GraphQLEnumType):
        for name, value in named.values.items():
            if not _described(value.description):
                yield f"{named.name}.{name}"


def undocumented(schema: GraphQLSchema) -> list[str]:
    """GraphQL's own types, scalars and directives are described by the specification."""
    found: list[str] = []
    for named in schema.type_map.values():
        if is_introspection_type(named) or is_specified_scalar_type(named):
            continue
        if not _described(named.description):
            found.append(named.name)
        found.extend(_members(named))
    for directive in schema.directives:
        if is_specified_directive(directive):
            continue
        if not _described(directive.description):
            found.append(f"@{directive.name}")
        found.extend(_arguments(f"@{directive.name}", directive.args))
    return sorted(found)
