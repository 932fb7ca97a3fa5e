import json

import pytest

from tests.support.plain_fields import PLAIN, STOCK, answer, general_fields

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
    "nested objects and lists": (
        "{ holders { number pair { name at } maybePair { name colour } pairs { name note } "
        "names } }"
    ),
    "a resolver with arguments": '{ holders { tagged(prefix: "x", times: 2) number } }',
    "a resolver that raises for one item": "{ holders { number checked { name } } }",
    "an asynchronous resolver": "{ holders { number later } }",
    "a null deep in a list": "{ deepNull { number pairs { name } } }",
    "a list that is not one": "{ badNames { names } }",
    "deferred": "{ holders { number ... @defer { pair { name } } } }",
    "text fields only, an ID among them a number": "{ pairs { value n: name code } }",
    "text fields only, a null among them": "{ pairs { note name } }",
}


@pytest.mark.parametrize("document", DOCUMENTS.values(), ids=DOCUMENTS.keys())
def test_plain_fields_answer_as_graphql_core_does(document: str) -> None:
    assert answer(PLAIN, document) == answer(STOCK, document)


def test_broken_items_are_reported_at_their_path() -> None:
    body = answer(PLAIN, DOCUMENTS["a null where none may be"])
    assert body["data"] is None
    assert [error["path"] for error in body["errors"]] == [["nullName", 2, "name"]]


def test_arguments_from_variables_answer_as_graphql_core_does() -> None:
    document = "query Q($p: String!) { holders { tagged(prefix: $p) } }"
    variables = {"p": "v"}
    assert answer(PLAIN, document, variables) == answer(STOCK, document, variables)


def test_a_resolver_that_raises_is_reported_at_its_item() -> None:
    body = answer(PLAIN, DOCUMENTS["a resolver that raises for one item"])
    assert [error["path"] for error in body["errors"]] == [["holders", 2, "checked"]]
    assert body["data"] is None


def test_a_plain_list_completes_without_the_general_way() -> None:
    # Only the root field: the holders, their nested objects and lists and their resolver's
    # values are completed by the list's plan.
    assert general_fields(DOCUMENTS["a resolver with arguments"]) == 1
    assert general_fields(DOCUMENTS["nested objects and lists"]) == 1


def test_an_asynchronous_resolver_goes_the_general_way() -> None:
    # The root field, then each of the four holders' two fields.
    assert general_fields(DOCUMENTS["an asynchronous resolver"]) == 1 + 4 * 2


@pytest.mark.parametrize(
    "document", ["{ pairs { value n: name code } }", "{ holders { pair { at name count } } }"]
)
def test_fields_answer_in_the_order_of_the_selection(document: str) -> None:
    # Date-times are left to the answer's encoder.
    assert json.dumps(answer(PLAIN, document), default=str) == json.dumps(
        answer(STOCK, document), default=str
    )
