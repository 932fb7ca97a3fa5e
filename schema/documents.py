"""Parsed documents kept by their text: a client sends the same few documents over and over,
and parsing one costs about as much as running it."""

from collections import OrderedDict
from collections.abc import Iterator
from threading import Lock

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension


class ParsedDocuments:
    """The most recently used documents, at most `size` of them, by text and parse options
    (the token limit is one: a text refused under one limit is never served under another)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._documents: OrderedDict[tuple[str, str], DocumentNode] = OrderedDict()
        # Strawberry runs synchronous operations in threads too.
        self._lock = Lock()

    def get(self, key: tuple[str, str]) -> DocumentNode | None:
        with self._lock:
            document = self._documents.get(key)
            if document is not None:
                self._documents.move_to_end(key)
            return document

    def put(self, key: tuple[str, str], document: DocumentNode) -> None:
        with self._lock:
            self._documents[key] = document
            self._documents.move_to_end(key)
            while len(self._documents) > self.size:
                self._documents.popitem(last=False)


class DocumentCache(SchemaExtension):
    """Gives Strawberry a document parsed before, or keeps the one it parses. Strawberry parses
    only when no document is there, and reports a parse error as it always does (Strawberry's
    own ParserCache parses inside the extension instead, where a refused document escapes the
    error handling and its code)."""

    def __init__(self, documents: ParsedDocuments) -> None:
        super().__init__()
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        key = (context.query or "", repr(sorted(context.parse_options.items())))
        cached = self.documents.get(key)
        if cached is not None:
            context.graphql_document = cached
        yield
        if cached is None and context.graphql_document is not None:
            self.documents.put(key, context.graphql_document)
