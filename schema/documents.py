"""Parsed documents kept by their text, with their validation: a client sends the same few
documents over and over, and parsing and validating one costs about as much as running it."""

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from threading import Lock

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension

# What a document was validated against: the schema and the rules of the operation.
Validation = tuple[GraphQLSchema, tuple[type[ASTValidationRule], ...]]


@dataclass
class ParsedDocument:
    document: DocumentNode
    # The errors validation found (none: an empty list), by what it validated against.
    errors: dict[Validation, list[GraphQLError]] = field(default_factory=dict)


class ParsedDocuments:
    """The most recently used documents, at most `size` of them, by text and parse options
    (the token limit is one: a text refused under one limit is never served under another)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._documents: OrderedDict[tuple[str, str], ParsedDocument] = OrderedDict()
        # Strawberry runs synchronous operations in threads too.
        self._lock = Lock()

    def get(self, key: tuple[str, str]) -> ParsedDocument | None:
        with self._lock:
            parsed = self._documents.get(key)
            if parsed is not None:
                self._documents.move_to_end(key)
            return parsed

    def put(self, key: tuple[str, str], document: DocumentNode) -> ParsedDocument:
        with self._lock:
            parsed = self._documents[key] = ParsedDocument(document)
            self._documents.move_to_end(key)
            while len(self._documents) > self.size:
                self._documents.popitem(last=False)
            return parsed


class DocumentCache(SchemaExtension):
    """Gives Strawberry a document parsed before, or keeps the one it parses; and likewise the
    errors of its validation. Strawberry parses only when no document is there, and validates
    only when no errors are, and reports either's errors as it always does (its own ParserCache
    parses inside the extension instead, where a refused document escapes the error handling
    and its code). Its ValidationCache is keyed by the document's value, hashing every node of
    it on every request; a document kept here is found by its text once, and validated once."""

    def __init__(self, documents: ParsedDocuments) -> None:
        super().__init__()
        self.documents = documents
        self.parsed: ParsedDocument | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = (context.query or "", repr(sorted(context.parse_options.items())))
        self.parsed = self.documents.get(key)
        if self.parsed is not None:
            context.graphql_document = self.parsed.document
        yield
        if self.parsed is None and context.graphql_document is not None:
            self.parsed = self.documents.put(key, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        validation = (context.schema._schema, context.validation_rules)
        if self.parsed is not None and (errors := self.parsed.errors.get(validation)) is not None:
            context.pre_execution_errors = errors
        yield
        if self.parsed is not None and context.pre_execution_errors is not None:
            self.parsed.errors.setdefault(validation, context.pre_execution_errors)
