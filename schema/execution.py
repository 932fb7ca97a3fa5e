"""Execution with a short way through plain fields.

graphql-core completes each field of each item on its own (a resolve info, the resolver, the
value's completion): a page of 50 records with 20 property values each is 2,000 such fields and
most of the page's time. Here a basic field (Strawberry's attribute read: no resolver, no
extension) of a leaf type is read and coerced directly, and a list whose items are objects
whose selected fields are all such fields is completed in one pass. Anything else goes the
general way: a type that checks its items (`is_type_of`), @stream or @defer, field middleware,
and any value that does not complete plainly (a null where none may be, a value the scalar
refuses, a read that raises), so that errors are reported as graphql-core reports them.
"""

from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    is_specified_scalar_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

TYPENAME = "__typename"


class Leaf(NamedTuple):
    """A basic field of a leaf type: how its value is read, and its type."""

    read: Callable[[Any], Any]
    scalar: GraphQLScalarType | GraphQLEnumType
    nullable: bool


class Column(NamedTuple):
    """A selected leaf of the items of a list: where its value goes, and how it is made."""

    response_name: str
    read: Callable[[Any], Any]
    coerce: Callable[[Any], Any]


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type name, field name) -> the field as a leaf, or None; per operation.
        self._leaves: dict[tuple[str, str], Leaf | None] = {}

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        leaf = self._leaf(parent_type, field_details_list[0].node.name.value)
        if leaf is not None and (value := _complete_leaf(source, leaf)) is not Undefined:
            return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        columns = self._plain_columns(item_type, field_details_list, path)
        if columns is not None:
            items = list(items)
            completed = _complete_plainly(items, columns)
            if completed is not None:
                return completed
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _leaf(self, parent_type: GraphQLObjectType, field_name: str) -> Leaf | None:
        key = (parent_type.name, field_name)
        if key not in self._leaves:
            middleware = self.middleware_manager and self.middleware_manager.middlewares
            self._leaves[key] = None if middleware else _leaf(parent_type, field_name)
        return self._leaves[key]

    def _plain_columns(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path
    ) -> list[Column] | None:
        """The items' selected fields, when the items may not be null and every field is a
        basic one of a built-in scalar type that may not be null either."""
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else None
        if (
            not isinstance(object_type, GraphQLObjectType)
            or object_type.is_type_of is not None
            or self.get_stream_usage(field_details_list, path) is not None
        ):
            return None
        grouped, defer_usages, forbidden = self.collect_subfields(object_type, field_details_list)
        if defer_usages or forbidden:
            return None
        columns = []
        for response_name, details in grouped.items():
            leaf = self._leaf(object_type, details[0].node.name.value)
            if leaf is None or leaf.nullable or not is_specified_scalar_type(leaf.scalar):
                return None
            columns.append(Column(response_name, leaf.read, leaf.scalar.coerce_output_value))
        return columns


def _leaf(object_type: GraphQLObjectType, field_name: str) -> Leaf | None:
    if field_name == TYPENAME:
        return Leaf(lambda _item: object_type.name, GraphQLString, nullable=False)
    field = object_type.fields.get(field_name)
    # Strawberry marks the resolver of a basic field, and keeps its definition on the field.
    if field is None or not getattr(field.resolve, "_is_default", False):
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    nullable = not isinstance(field.type, GraphQLNonNull)
    named = field.type if nullable else field.type.of_type
    if not isinstance(definition, StrawberryField) or not isinstance(
        named, GraphQLScalarType | GraphQLEnumType
    ):
        return None
    return Leaf(_reader(definition), named, nullable)


def _reader(definition: StrawberryField) -> Callable[[Any], Any]:
    """What the basic field's resolver does: the default resolver reading the attribute."""
    name = definition.python_name
    if definition.default_resolver is getattr:
        return attrgetter(name)
    read = definition.default_resolver
    return lambda item: read(item, name)


def _complete_leaf(item: Any, leaf: Leaf) -> Any:
    """The leaf's coerced value, or Undefined when the general way must report an error."""
    try:
        value = leaf.read(item)
        if value is None:
            return None if leaf.nullable else Undefined
        coerced = leaf.scalar.coerce_output_value(value)
    except Exception:
        return Undefined
    return Undefined if coerced is None else coerced


def _complete_plainly(items: list[Any], columns: list[Column]) -> list[dict[str, Any]] | None:
    """The completed items, or None when one of them needs the general way. A built-in scalar
    refuses a null or a value it cannot represent by raising, never by answering null."""
    if any(item is None or isinstance(item, Exception) for item in items):
        return None
    try:
        return [{name: coerce(read(item)) for name, read, coerce in columns} for item in items]
    except Exception:
        return None
