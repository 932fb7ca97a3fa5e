"""GraphiQL's documentation pane is the schema's descriptions: every type, field, argument and
enum value of the SDL must say what it holds."""

from graphql import build_schema as build_sdl

from schema import build_schema
from schema.export import sdl
from services.core.errors import ErrorCode
from tests.support.sdl_descriptions import undocumented


def test_every_element_of_the_schema_is_described() -> None:
    missing = undocumented(build_schema(introspection=True)._schema)
    assert not missing, f"{len(missing)} SDL elements have no description:\n" + "\n".join(missing)


def test_an_undocumented_element_is_named() -> None:
    # The check itself, on a schema that leaves out one description of each kind.
    schema = build_sdl(
        '''
        """Described."""
        type Query {
          """Described."""
          found(
            """Described."""
            first: Int
            after: String
          ): Colour
          bare: Int
        }
        enum Colour {
          """Described."""
          RED
          BLUE
        }
        input Filter {
          name: String
        }
        '''
    )
    assert undocumented(schema) == [
        "Colour",
        "Colour.BLUE",
        "Filter",
        "Filter.name",
        "Query.bare",
        "Query.found(after:)",
    ]


def test_the_error_codes_are_in_the_sdl() -> None:
    text = sdl()
    assert "enum ErrorCode {" in text
    for code in ErrorCode:
        assert f"  {code.value}\n" in text
