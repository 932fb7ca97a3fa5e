"""GraphQL documents built to reach the API's limits (depth, aliases, tokens) or to miss its
names by a letter."""

import uuid
from typing import Any, NamedTuple


def nested(depth: int) -> str:
    """A selection `depth` levels deep. No type nests that deep yet, so the fields are made up:
    the depth is checked all the same, and only its error matters here."""
    selection = "leaf"
    for level in range(depth):
        selection = f"level{level} {{ {selection} }}"
    return f"{{ {selection} }}"


def aliased_reads(count: int, notification_id: str) -> str:
    """`count` aliases of one mutation that marks the notification read."""
    fields = (f'a{i}: markNotificationsRead(ids: ["{notification_id}"])' for i in range(count))
    return f"mutation {{ {' '.join(fields)} }}"


def read_with_tokens(count: int, notification_id: str) -> str:
    """`mutation { markNotificationsRead ( ids : [ ... ] ) }`: 10 tokens, then one per id."""
    ids = [notification_id] + [str(uuid.uuid4()) for _ in range(count - 11)]
    quoted = ", ".join(f'"{item}"' for item in ids)
    return f"mutation {{ markNotificationsRead(ids: [{quoted}]) }}"


class Typo(NamedTuple):
    """A document that misspells one of the schema's names, for which graphql-core suggests
    the right one."""

    document: str
    variables: dict[str, Any]
    misspelt: str


TYPOS: dict[str, Typo] = {
    "field": Typo("{ objectTyps { name } }", {}, "objectTyps"),
    "argument": Typo('{ record(idd: "x") { id } }', {}, "idd"),
    "enum value": Typo(
        "mutation { updateBackupSchedule(enabled: true, frequency: WEEKLEY) { enabled } }",
        {},
        "WEEKLEY",
    ),
    "enum value in variables": Typo(
        "mutation($f: BackupFrequency) {"
        " updateBackupSchedule(enabled: true, frequency: $f) { enabled } }",
        {"f": "WEEKLEY"},
        "WEEKLEY",
    ),
    "input field": Typo(
        'mutation { createProperty(input: {objectTyp: "t", name: "n", label: "l", type: STRING})'
        " { name } }",
        {},
        "objectTyp",
    ),
    "input field in variables": Typo(
        "mutation($i: CreatePropertyInput!) { createProperty(input: $i) { name } }",
        {"i": {"objectTyp": "t", "name": "n", "label": "l", "type": "STRING"}},
        "objectTyp",
    ),
    "type": Typo("{ ...F } fragment F on Quer { users { email } }", {}, "Quer"),
    "variable type": Typo(
        'query($f: RecordFilterInpt) { records(objectType: "t", filter: $f) { nodes { id } } }',
        {},
        "RecordFilterInpt",
    ),
    # Names nothing new, but a suggestion all the same.
    "selection of subfields": Typo("{ users }", {}, "users"),
}
