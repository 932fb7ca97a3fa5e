from uuid import UUID

from services.core.errors import NotFound


def parse_id(value: str | UUID) -> UUID:
    """An id from a client. One that is not even well-formed is as unknown as any other."""
    if isinstance(value, UUID):
        return value
    try:
        return UUID(value)
    except ValueError:
        raise NotFound(f"Nothing with the id {value!r}.") from None
