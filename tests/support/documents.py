"""GraphQL documents built to reach the API's limits: depth, aliases, tokens."""

import uuid


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
