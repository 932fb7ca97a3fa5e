"""The GraphQL schema. No business logic.

One package per domain: `types.py` maps what its resolvers return to Strawberry types (and
`inputs.py` holds its inputs), `operations.py` its Query/Mutation/Subscription fields, each
calling a resolver; `root.py` composes the root types from those.
"""

from collections.abc import Callable, Sequence

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.documents import DocumentCache, ParsedDocuments
from schema.errors import ERROR_CODE, ErrorCodes
from schema.execution import PlainFieldsExecutionContext
from schema.root import Mutation, Query, Subscription
from schema.scalars import SCALARS

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2_000
# Parsed and validated documents kept, by their text: a client sends the same few documents over
# and over, and parsing and validating one costs as much as running it. Bounded, so that unique
# texts cannot grow the memory.
CACHED_DOCUMENTS = 512
PARSED = ParsedDocuments(CACHED_DOCUMENTS)

# Made once: each limiter builds a new rule class per instance, and the validation cache is keyed
# by the rules, so rules made per request would never find a cached answer.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    query_depth_limiter.create_validator(MAX_DEPTH, should_ignore=None),
    max_aliases.create_validator(MAX_ALIASES),
]


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
        lambda: AddValidationRules(LIMIT_RULES),
        # The token limit is a parse option, part of the parsed documents' key.
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: DocumentCache(PARSED),
        # Suggestions would spell out the schema that introspection keeps to itself.
        lambda: ErrorCodes(suggestions=introspection),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[ERROR_CODE],
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
        execution_context_class=PlainFieldsExecutionContext,
    )


__all__ = ["Schema", "build_schema"]
