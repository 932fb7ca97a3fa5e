"""Checking a property value against its definition. Values are stored as strings."""

import math
from collections.abc import Callable
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
    if prop.type == PropertyType.ENUMERATION:
        if value not in prop.options:
            raise InvalidValue(f"one of {', '.join(prop.options)} is expected")
        return
    check_type = _CHECKS.get(prop.type)
    if check_type is not None:
        check_type(value)
