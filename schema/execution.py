"""Execution with a short way through plain fields.

graphql-core completes each field of each item on its own (a resolve info, the resolver, the
value's completion): a page of 50 records with 20 property values each is over 2,000 such
fields and most of the page's time. Here a basic field (Strawberry's attribute read: no
resolver, no extension) of a leaf type is read and coerced directly. And a list of objects is
completed in one pass by a plan made once per operation from its selection, when every
selected field is plain: a basic field, or a synchronous resolver without extensions or
permissions, whose value is a leaf, an object of a type that does not check its items
(`is_type_of`), or a list of those; the arguments and the resolve info are the same for every
item of the list. Anything else goes the general way: @stream or @defer, field middleware, an
abstract type, an asynchronous resolver, and any item that does not complete plainly (a null
where none may be, a value the scalar refuses, a read or a resolver that raises), so that
errors are reported as graphql-core reports them (a synchronous resolver of such a list may
then run twice for an item: resolvers below the root only read). Each object of such a list
completes in one function compiled for its selection's shape (kept across operations), which
reads its text fields in place.
"""

import functools
import keyword
from collections.abc import Callable, Iterable
from inspect import isawaitable, iscoroutine
from operator import attrgetter
from typing import Any, NamedTuple, cast

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.values import get_argument_values
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types.field import StrawberryField

TYPENAME = "__typename"
# Directives that make graphql-core deliver a list or an object in parts.
INCREMENTAL = frozenset({"stream", "defer"})
# Scalars whose serialization answers text as it is.
TEXTS = (GraphQLString, GraphQLID)
# Compiled completions of objects kept, by their fields' names: a client sends the same few
# documents over and over (as `schema.CACHED_DOCUMENTS`).
COMPILED_SHAPES = 512

# A value made into its place in the answer; raises NotPlain when only the general way may.
Complete = Callable[[Any], Any]


class NotPlain(Exception):
    """An item the plan cannot complete as graphql-core would: the general way reports it."""


class Leaf(NamedTuple):
    """A basic field of a leaf type: how its value is read, and its type."""

    read: Callable[[Any], Any]
    scalar: GraphQLScalarType | GraphQLEnumType
    nullable: bool


class PlainFieldsExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per operation: (type name, field name) -> the field as a leaf, or None; and
        # (item type, id of the selection) -> the plan of a list's items, or None.
        self._leaves: dict[tuple[str, str], Leaf | None] = {}
        self._plans: dict[tuple[str, int], tuple[FieldDetailsList, Complete | None]] = {}

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
        plan = self._list_plan(item_type, field_details_list, path)
        if plan is not None:
            items = list(items)
            completed = _complete_all(plan, items)
            if completed is not None:
                return completed
        return super().complete_iterable_value(
            item_type, field_details_list, info, path, items, position_context
        )

    def _leaf(self, parent_type: GraphQLObjectType, field_name: str) -> Leaf | None:
        key = (parent_type.name, field_name)
        if key not in self._leaves:
            self._leaves[key] = None if self._has_middleware else _leaf(parent_type, field_name)
        return self._leaves[key]

    @property
    def _has_middleware(self) -> bool:
        return bool(self.middleware_manager and self.middleware_manager.middlewares)

    def _list_plan(
        self, item_type: GraphQLOutputType, field_details_list: FieldDetailsList, path: Path
    ) -> Complete | None:
        """How each item of the list completes, when the items may not be null and are
        objects whose selection is plain."""
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else None
        if (
            not isinstance(object_type, GraphQLObjectType)
            or self._has_middleware
            or self.get_stream_usage(field_details_list, path) is not None
        ):
            return None
        return self._object_plan(object_type, field_details_list, path)

    def _object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, path: Path
    ) -> Complete | None:
        # Keyed by the selection's identity, as graphql-core memoizes its subfields; the list
        # is kept alive beside its plan so that its id is not reused within the operation.
        key = (object_type.name, id(field_details_list))
        if key not in self._plans:
            plan = self._make_object_plan(object_type, field_details_list, path)
            self._plans[key] = (field_details_list, plan)
        return self._plans[key][1]

    def _make_object_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList, path: Path
    ) -> Complete | None:
        if object_type.is_type_of is not None:
            return None
        grouped, defer_usages, forbidden = self.collect_subfields(object_type, field_details_list)
        if defer_usages or forbidden:
            return None
        fields: list[tuple[str, Complete]] = []
        for response_name, details in grouped.items():
            field = self._field_plan(object_type, details, path)
            if field is None:
                return None
            fields.append((response_name, field))
        texts = [_text_attribute(object_type, details[0].node) for details in grouped.values()]
        return _compiled(fields, texts)

    def _field_plan(
        self, object_type: GraphQLObjectType, details: FieldDetailsList, path: Path
    ) -> Complete | None:
        node = details[0].node
        if node.name.value == TYPENAME:
            return lambda _item: object_type.name
        if any(directive.name.value in INCREMENTAL for directive in node.directives or ()):
            return None
        field = object_type.fields.get(node.name.value)
        if field is None:
            return None
        read = self._reader(object_type, field, details, path)
        if read is None:
            return None
        leaf = _leaf_type(field.type)
        if leaf is not None:
            return _leaf_field(read, *leaf)
        value = self._value_plan(field.type, details, path)
        return None if value is None else lambda item: value(read(item))

    def _reader(
        self,
        object_type: GraphQLObjectType,
        field: GraphQLField,
        details: FieldDetailsList,
        path: Path,
    ) -> Callable[[Any], Any] | None:
        """How the field's value is read from an item: the attribute, or the resolver called
        with the list's arguments (converted once) and resolve info."""
        definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
        if not isinstance(definition, StrawberryField):
            return None
        if getattr(field.resolve, "_is_default", False):
            return _reader(definition)
        resolver = definition.base_resolver
        if (
            resolver is None
            or definition.is_async
            or definition.extensions
            or definition.permission_classes
            # Given the item itself, not as `self`: not the same for every item.
            or resolver.root_parameter
            or resolver.parent_parameter
        ):
            return None
        try:
            arguments = self._arguments(object_type, field, definition, details, path)
        except Exception:
            return None  # the general way reports the arguments' error
        # The function itself, without the resolver's wrapper, once it is known to be one.
        call = resolver.wrapped_func if callable(resolver.wrapped_func) else resolver
        if resolver.self_parameter is None:
            return lambda _item: _resolved(call(**arguments))
        return lambda item: _resolved(call(item, **arguments))

    def _arguments(
        self,
        object_type: GraphQLObjectType,
        field: GraphQLField,
        definition: StrawberryField,
        details: FieldDetailsList,
        path: Path,
    ) -> dict[str, Any]:
        """The resolver's keyword arguments as Strawberry passes them: the same for every item
        of a list, and of every list of the operation the plan completes (its info's path is
        that of the first such list: the path is only the item's in graphql-core's way)."""
        first = details[0]
        values = get_argument_values(
            field,
            first.node,
            self.variable_values,
            first.fragment_variable_values,
            self.hide_suggestions,
        )
        strawberry_schema = getattr(self.schema, "_strawberry_schema")  # noqa: B009
        info = strawberry_schema.config.info_class(
            _raw_info=self.build_resolve_info(
                field, [item.node for item in details], object_type, path
            ),
            _field=definition,
        )
        _, arguments = get_arguments(
            field=definition,
            source=None,
            info=info,
            kwargs=values,
            config=strawberry_schema.config,
            scalar_registry=strawberry_schema.schema_converter.scalar_registry,
        )
        return arguments

    def _value_plan(
        self,
        value_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
        *,
        nullable: bool = True,
    ) -> Complete | None:
        if isinstance(value_type, GraphQLNonNull):
            return self._value_plan(value_type.of_type, details, path, nullable=False)
        if isinstance(value_type, GraphQLScalarType | GraphQLEnumType):
            # A list's items: the value itself is read.
            return _leaf_field(_itself, value_type, nullable)
        if isinstance(value_type, GraphQLObjectType):
            plan = self._object_plan(value_type, details, path)
            # An object's plan refuses a null itself.
            return plan if plan is None or not nullable else _null_checked(plan, nullable)
        if isinstance(value_type, GraphQLList):
            item = self._value_plan(value_type.of_type, details, path)
            return None if item is None else _null_checked(_each(item), nullable)
        return None


def _field_by_field(fields: list[tuple[str, Complete]]) -> Complete:
    def complete(item: Any) -> dict[str, Any]:
        # A loop, not a comprehension: no frame of its own per object (Python 3.11).
        completed = {}
        for name, field in fields:
            completed[name] = field(item)
        return completed

    return complete


def _compiled(fields: list[tuple[str, Complete]], texts: list[str | None]) -> Complete:
    """`_field_by_field` as one function of its own, made from source as dataclasses make their
    methods: each field's completion is a call the function names, and a field of text read
    from an attribute (`texts`, or None) is read in place, its value answered as it is when
    every such value is text (otherwise the object completes field by field: a null, an ID
    given as a number). A page of records has a thousand property values, and each call saved
    is a tenth of a microsecond."""
    make = _completion_maker(tuple(name for name, _ in fields), tuple(texts))
    calls = [complete for (_, complete), text in zip(fields, texts, strict=True) if text is None]
    return make(_field_by_field(fields), *calls)


@functools.lru_cache(maxsize=COMPILED_SHAPES)
def _completion_maker(
    names: tuple[str, ...], texts: tuple[str | None, ...]
) -> Callable[..., Complete]:
    """The compiled maker of `_compiled`'s function for objects of this shape, given the
    completion field by field and that of each field not read in place, in order. A null is
    refused (NotPlain): where one may be, it is answered before the object's plan. Names are
    GraphQL names and Python identifiers (`_text_attribute`): no value enters the source."""
    calls, reads, checks, entries = [], [], [], []
    for number, (name, text) in enumerate(zip(names, texts, strict=True)):
        if text is None:
            calls.append(f"complete_{number}")
            entries.append(f"{name!r}: complete_{number}(item)")
        else:
            reads.append(f"        text_{number} = item.{text}\n")
            checks.append(f"type(text_{number}) is str")
            entries.append(f"{name!r}: text_{number}")
    answer = f"{{{', '.join(entries)}}}"
    body = "        if item is None:\n            raise NotPlain\n" + (
        f"{''.join(reads)}        if {' and '.join(checks)}:\n            return {answer}\n"
        "        return by_field(item)\n"
        if checks
        else f"        return {answer}\n"
    )
    parameters = ", ".join(["by_field", *calls])
    source = f"def make({parameters}):\n    def complete(item):\n{body}    return complete\n"
    namespace: dict[str, Any] = {"NotPlain": NotPlain}
    exec(source, namespace)
    return cast(Callable[..., Complete], namespace["make"])


def _resolved(value: Any) -> Any:
    """A synchronous resolver's value; one answering an awaitable goes the general way."""
    # A list, nearly always: the test for an awaitable is much the slower.
    if type(value) is list:
        return value
    if isawaitable(value):
        if iscoroutine(value):
            value.close()
        raise NotPlain
    return value


def _complete_all(plan: Complete, items: list[Any]) -> list[Any] | None:
    """The completed items, or None when one of them needs the general way."""
    try:
        return [plan(item) for item in items]
    except Exception:
        return None


def _itself(value: Any) -> Any:
    return value


def _null_checked(complete: Complete, nullable: bool) -> Complete:
    """`complete` for a value that may be null (then null), or may not (then the general way)."""

    def not_null(value: Any) -> Any:
        if value is None:
            raise NotPlain
        return complete(value)

    def or_null(value: Any) -> Any:
        return None if value is None else complete(value)

    return or_null if nullable else not_null


def _each(complete: Complete) -> Complete:
    def each(values: Any) -> list[Any]:
        # A list, nearly always: the other iterables are told from text the slower way.
        if type(values) is not list and (
            isinstance(values, str) or not isinstance(values, Iterable)
        ):
            raise NotPlain
        return [complete(value) for value in values]

    return each


def _leaf_type(
    field_type: GraphQLOutputType,
) -> tuple[GraphQLScalarType | GraphQLEnumType, bool] | None:
    """The field's scalar or enum type and whether it may be null; None for other types."""
    nullable = not isinstance(field_type, GraphQLNonNull)
    named = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return named, nullable
    return None


def _leaf_field(
    read: Callable[[Any], Any], scalar: GraphQLScalarType | GraphQLEnumType, nullable: bool
) -> Complete:
    """A leaf read and coerced in one call: the commonest field of a list by far. A scalar
    refusing a value by answering null, as a custom one may, is an error graphql-core
    reports."""
    coerce = scalar.coerce_output_value
    # The built-in String answers text as it is.
    text = str if scalar is GraphQLString else None

    def complete(item: Any) -> Any:
        value = read(item)
        if type(value) is text:
            return value
        if value is None:
            if nullable:
                return None
            raise NotPlain
        return _coerced(coerce, value)

    return complete


def _coerced(coerce: Complete, value: Any) -> Any:
    coerced = coerce(value)
    if coerced is None or coerced is Undefined:
        raise NotPlain
    return coerced


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


def _text_attribute(object_type: GraphQLObjectType, node: FieldNode) -> str | None:
    """The attribute a basic field of text (String or ID, whose text answers as it is) is read
    from by `getattr`; None for any other field."""
    field = object_type.fields.get(node.name.value)
    if field is None or not getattr(field.resolve, "_is_default", False):
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if (
        not isinstance(definition, StrawberryField)
        or definition.default_resolver is not getattr
        or named not in TEXTS
        # Read in place in the compiled source: a plain name, never mangled.
        or not definition.python_name.isidentifier()
        or keyword.iskeyword(definition.python_name)
        or definition.python_name.startswith("__")
    ):
        return None
    return definition.python_name


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
