"""Every error a client sees carries `extensions.code`; unexpected ones are masked and logged."""

import logging
import re
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult
from strawberry.types.execution import StreamExecutionResult

from schema.enums import described_enum
from services.core.errors import MEANINGS, DomainError, ErrorCode, ServiceUnavailable
from services.core.outages import is_outage

log = logging.getLogger("crm_backup.graphql")

# No field returns a code: the enum is in the SDL for clients to read (and generate types from)
# what `extensions.code` may hold.
ERROR_CODE = described_enum(
    ErrorCode,
    "What `extensions.code` of an error holds: a stable word for programs to branch on (the "
    "message is for people). Each field's description names the codes it may give beyond "
    "UNAUTHENTICATED, VALIDATION_FAILED, SERVICE_UNAVAILABLE and INTERNAL_SERVER_ERROR, which "
    "any field may give.",
    MEANINGS,
)

MASKED_MESSAGE = "Internal server error."
# graphql-core's " Did you mean 'a', 'b', or 'c'?" (names never hold a question mark), from its
# validation rules and its coercion of variables alike. Its own switch (`hide_suggestions`) is
# not passed on by Strawberry, which hides field names only; cutting the text here covers every
# rule, and websocket results too.
SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def _with_code(error: GraphQLError, *, suggestions: bool) -> GraphQLError:
    """Idempotent: a result may pass through here twice (per streamed result, then at the end)."""
    original = error.original_error
    if isinstance(original, DomainError):
        return error
    # graphql-core gives a variable that does not fit its type the coercion error as original.
    if original is None or isinstance(original, GraphQLError):
        # Syntax, validation and limit errors: the document was refused before running. A code
        # already present is kept: it is one this function gave a masked error.
        error.extensions = {"code": ErrorCode.GRAPHQL_VALIDATION_FAILED, **(error.extensions or {})}
        if not suggestions:
            error.message = SUGGESTION.sub("", error.message)
        return error
    if is_outage(original):
        log.warning("%s: a service does not answer: %r", error.path, original)
        unavailable = ServiceUnavailable()
        return GraphQLError(
            unavailable.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=unavailable,
            extensions=unavailable.extensions,
        )
    log.error("Unexpected error in %s", error.path, exc_info=original)
    return GraphQLError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR},
    )


def _code_errors(result: object, *, suggestions: bool) -> None:
    # Executed operations end with graphql-core's result type, refused and streamed ones with
    # Strawberry's.
    if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
        result.errors = [_with_code(error, suggestions=suggestions) for error in result.errors]


class ErrorCodes(SchemaExtension):
    def __init__(self, *, suggestions: bool) -> None:
        """`suggestions`: whether a refused document's errors may keep graphql-core's "Did you
        mean" hints, which name the schema's fields, arguments, types and enum values."""
        super().__init__()
        self.suggestions = suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        _code_errors(self.execution_context.result, suggestions=self.suggestions)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # Websocket operations (and subscription events) are sent one result at a time, before
        # `on_operation` ends: without this, their errors would go out uncoded and unmasked.
        _code_errors(result, suggestions=self.suggestions)
        yield
