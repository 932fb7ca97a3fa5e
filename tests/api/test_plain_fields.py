import pytest

from tests.support.plain_fields import PLAIN, STOCK, answer

DOCUMENTS = {
    "every leaf": "{ pairs { name value count colour note at } }",
    "aliases and __typename": "{ pairs { n: name again: name __typename v: value } }",
    "skipped and included": (
        "{ pairs { name value @skip(if: true) note @include(if: false) count @include(if: true) } }"
    ),
    "fragments": "{ pairs { ...leaves ... on Pair { count } } } fragment leaves on Pair { name }",
    "a field with a resolver": "{ pairs { name shout } }",
    "nullable items": "{ maybePairs { name value } }",
    "a null where none may be": "{ nullName { name value } }",
    "a value the scalar refuses": "{ badCount { name count } }",
    "a broken item among plain leaves": "{ badCount { count } pairs { name } }",
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_plain_fields_answer_as_graphql_core_does(document: str) -> None:
    assert answer(PLAIN, document) == answer(STOCK, document)


def test_broken_items_are_reported_at_their_path() -> None:
    body = answer(PLAIN, DOCUMENTS["a null where none may be"])
    assert body["data"] is None
    assert [error["path"] for error in body["errors"]] == [["nullName", 2, "name"]]
