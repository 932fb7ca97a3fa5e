"""Checking a property value against its definition. Values are stored as strings."""

import math
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from models.crm import Property, PropertyType
from services.core.text import text_problem

MAX_VALUE_LENGTH = 65_536
BOOL_VALUES = ("true", "false")


class InvalidValue(ValueError):
    """A value that its property's type does not accept; the message says what would be."""


def _number(value: str) -> None:
    try:
        if not math.isfinite(Decimal(value)):
            raise InvalidValue("a finite number is expected")
    except InvalidOperation:
        raise InvalidValue("a number such as 1250 or 99.5 is expected") from None


def _date(value: str) -> None:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise InvalidValue("a date as YYYY-MM-DD is expected") from None
    if len(value) != 10:
        raise InvalidValue("a date as YYYY-MM-DD is expected")


def _datetime(value: str) -> None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidValue("an ISO 8601 date-time is expected") from None
    if parsed.tzinfo is None:
        raise InvalidValue("a date-time with its time zone (e.g. Z or +01:00) is expected")


def _bool(value: str) -> None:
    if value not in BOOL_VALUES:
        raise InvalidValue('"true" or "false" is expected')


_CHECKS: dict[PropertyType, Callable[[str], None]] = {
    PropertyType.NUMBER: _number,
    PropertyType.DATE: _date,
    PropertyType.DATETIME: _datetime,
    PropertyType.BOOL: _bool,
}


def check(prop: Property, value: str) -> None:
    """Raise InvalidValue unless `value` (non-blank) fits `prop`."""
    problem = text_problem(value, MAX_VALUE_LENGTH)
    if problem is not None:
        raise InvalidValue(problem)
    _check_type(prop, value)


def _check_type(prop: Property, value: str) -> None:
    """`check` less the text's checks."""
    if prop.type == PropertyType.ENUMERATION:
        if value not in prop.options:
            raise InvalidValue(f"one of {', '.join(prop.options)} is expected")
        return
    check_type = _CHECKS.get(prop.type)
    if check_type is not None:
        check_type(value)


def column_problems(prop: Property, values: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(position, why) of each value of a column (blank ones, "", not checked) that `prop` does
    not accept, in order: what `check` says, one check per distinct value, and the text's
    checks once for the whole column when it passes them, as columns from a file do."""
    plain = prop.type != PropertyType.ENUMERATION and prop.type not in _CHECKS
    # A plain text column is checked whole first: most pass, with no set made of their values
    # (making the sets, of every column, was a ninth of the worker's samples in an import's
    # plan).
    if plain and not _text_problem_within(values):
        return
    distinct = set(values) - {""}
    check_one: Callable[[Property, str], None] = _check_type
    if plain or _text_problem_within(distinct):
        check_one = check
    elif prop.type == PropertyType.ENUMERATION:
        distinct -= set(prop.options)
    problems = {value: why for value in distinct if (why := _problem(check_one, prop, value))}
    if problems:
        yield from ((n, problems[value]) for n, value in enumerate(values) if value in problems)


def _text_problem_within(values: Collection[str]) -> bool:
    """Whether any of `values` fails `text_problem` (NUL, a lone surrogate, too long)."""
    if not values:
        return False
    joined = "".join(values)
    if text_problem(joined) is not None:
        return True
    # No value is longer than all of them together.
    return len(joined) > MAX_VALUE_LENGTH and max(map(len, values)) > MAX_VALUE_LENGTH


def _problem(check_one: Callable[[Property, str], None], prop: Property, value: str) -> str | None:
    try:
        check_one(prop, value)
    except InvalidValue as error:
        return str(error)
    return None
