"""A column of values checked at once says of each value what checking it alone says."""

import pytest

from models.crm import Property, PropertyType
from services.crm import MAX_VALUE_LENGTH, InvalidValue, check_value, column_problems

TEXTS = ["Ada", "", "b\x00d", "lone \ud800", "x" * (MAX_VALUE_LENGTH + 1), "Ada", "ok"]
COLUMNS = {
    PropertyType.STRING: TEXTS,
    PropertyType.ENUMERATION: ["lead", "", "customer", "gone", "lead", "b\x00d", "gone"],
    PropertyType.NUMBER: ["1", "", "1e999999", "ten", "2.5", "ten"],
    PropertyType.DATE: ["2026-12-06", "2026-13-01", "", "2026-1-1"],
    PropertyType.BOOL: ["true", "no", "", "false", "no"],
}


def _one_by_one(prop: Property, values: list[str]) -> list[tuple[int, str]]:
    found = []
    for n, value in enumerate(values):
        try:
            if value:
                check_value(prop, value)
        except InvalidValue as error:
            found.append((n, str(error)))
    return found


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_a_column_is_checked_as_its_values_one_by_one(kind: PropertyType) -> None:
    prop = Property(name="p", label="P", type=kind, options=["lead", "customer"])
    # Each problem alone too: a value too long among values that fit, however long together.
    fitting = "y" * (MAX_VALUE_LENGTH // 2 + 1)
    for values in (
        COLUMNS[kind],
        [v for v in COLUMNS[kind] if "\x00" not in v],
        [v for v in COLUMNS[kind] if "\x00" not in v and v.isascii()] + [fitting, fitting],
    ):
        assert list(column_problems(prop, values)) == _one_by_one(prop, values)
    clean = ["lead", "customer", ""] if kind == PropertyType.ENUMERATION else ["", ""]
    assert list(column_problems(prop, clean)) == []
