"""Every error a client sees carries `extensions.code`; unexpected ones are masked and logged."""

import logging
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.execution import StreamExecutionResult

from services.core.errors import DomainError, ErrorCode

log = logging.getLogger("crm_backup.graphql")

MASKED_MESSAGE = "Internal server error."


def _with_code(error: GraphQLError) -> GraphQLError:
    """Idempotent: a result may pass through here twice (per streamed result, then at the end)."""
    original = error.original_error
    if isinstance(original, DomainError):
        return error
    if original is None:
        # Syntax, validation and limit errors: the document was refused before running. A code
        # already present is kept: it is one this function gave a masked error.
        error.extensions = {"code": ErrorCode.GRAPHQL_VALIDATION_FAILED, **(error.extensions or {})}
        return error
    log.error("Unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR},
    )


def _code_errors(result: object) -> None:
    # Executed operations end with graphql-core's result type, refused and streamed ones with
    # Strawberry's.
    if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
        result.errors = [_with_code(error) for error in result.errors]


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        _code_errors(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # Websocket operations (and subscription events) are sent one result at a time, before
        # `on_operation` ends: without this, their errors would go out uncoded and unmasked.
        _code_errors(result)
        yield
