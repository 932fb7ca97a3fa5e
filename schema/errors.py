"""Every error a client sees carries `extensions.code`; unexpected ones are masked and logged."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from services.errors import DomainError, ErrorCode

log = logging.getLogger("crm_backup.graphql")

MASKED_MESSAGE = "Internal server error."


def _with_code(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, DomainError):
        return error
    if original is None:
        # Syntax, validation and limit errors: the document was refused before running.
        error.extensions = {**(error.extensions or {}), "code": ErrorCode.GRAPHQL_VALIDATION_FAILED}
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


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [_with_code(error) for error in result.errors]
