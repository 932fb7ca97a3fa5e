"""The GraphQL schema. No business logic.

One package per domain: `types.py` maps what its resolvers return to Strawberry types (and
`inputs.py` holds its inputs), `operations.py` its Query/Mutation/Subscription fields, each
calling a resolver; `root.py` composes the root types from those.
"""

from collections.abc import Callable, Sequence

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.errors import ErrorCodes
from schema.root import Mutation, Query, Subscription
from schema.scalars import SCALARS

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2_000


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Logging happens in `ErrorCodes`, which knows an expected error from a failure."""


Extension = Callable[[], SchemaExtension] | type[SchemaExtension]


def build_schema(*, introspection: bool, first: Sequence[Extension] = ()) -> strawberry.Schema:
    """`first`: the caller's extensions, before the schema's own (so they see the results the
    schema's own extensions made, such as coded errors)."""
    extensions: list[Extension] = [
        *first,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        # Suggestions would spell out the schema that introspection keeps to itself.
        lambda: ErrorCodes(suggestions=introspection),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
    )


__all__ = ["Schema", "build_schema"]
