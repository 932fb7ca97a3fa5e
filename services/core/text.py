"""Text a client sends, checked before it reaches the database: PostgreSQL refuses the NUL
character in text and JSONB, no database can encode a lone surrogate (e.g. a JSON "\\ud800"),
and a column is only as long as its model field says."""

from tortoise.fields import CharField
from tortoise.models import Model

from services.core.errors import ValidationFailed


def column_length(model: type[Model], field: str) -> int:
    """The `max_length` of a model's CharField: the one place a text's limit is said."""
    column = model._meta.fields_map[field]
    assert isinstance(column, CharField), f"{model.__name__}.{field} is not a CharField"
    return column.max_length


def text_problem(value: str, max_length: int | None = None) -> str | None:
    """Why `value` cannot be stored, or None."""
    if "\x00" in value:
        return "the NUL character is not allowed"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text must be valid Unicode (a lone surrogate is not)"
    if max_length is not None and len(value) > max_length:
        return f"at most {max_length} characters are allowed"
    return None


def check_text(value: str, field: str, max_length: int | None = None) -> str:
    """`value`, or VALIDATION_FAILED naming `field` when it cannot be stored."""
    problem = text_problem(value, max_length)
    if problem is not None:
        raise ValidationFailed(f"{field}: {problem}.", field=field)
    return value


def plural(count: int, singular: str, many: str) -> str:
    """ "1 deal", "2 deals": the count and the word for it."""
    return f"{count:,} {(singular if count == 1 else many).lower()}"
