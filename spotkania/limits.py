"""The bounds of what any input may say, defined once for pages, API and services.

Ids are positive 64-bit integers (what both databases store; SQLite raises OverflowError
on a larger one) and dates lie between the years 1900 and 2999 (a CRM plans no meeting
outside them, and date arithmetic near year 9999 overflows).
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999

YEAR_MESSAGE = _("Enter a date between the years 1900 and 2999.")


def year_in_range(value: date | datetime) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def validate_year(value: date | datetime | None) -> None:
    if value is not None and not year_in_range(value):
        raise ValidationError(YEAR_MESSAGE, code="year")


def parse_id(value) -> int | None:
    """An id from a query string or form, or None when it is not one."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_search(value, max_length: int = 100) -> str:
    """A search term from a query string: bounded, without NUL characters (PostgreSQL
    refuses them in a query: an error, not an empty result)."""
    return str(value or "")[:max_length].replace("\x00", "")


def parse_iso_date(value) -> date | None:
    """A date in ISO form within the bounds, or None (never an exception)."""
    try:
        day = date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None
    return day if year_in_range(day) else None


def nonexistent_wall_time(value: datetime) -> bool:
    """True for a wall-clock time that its zone skips (02:30 when the clocks go forward):
    attaching the zone to it gives an instant that reads back as another hour."""
    zone = value.tzinfo
    if not isinstance(zone, zoneinfo.ZoneInfo):
        return False
    return value.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value.replace(tzinfo=None)


class IdConverter:
    """`<id:pk>` in URLs: an out-of-range number is a 404, not a database error."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)


class BoundedIdsMixin:
    """For model choice fields over integer keys: a value that is no id is an invalid
    choice, not a query (Currency, keyed by its code, keeps Django's own field)."""

    def _bounded(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return value
        if parse_id(value) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return value


class ModelChoiceField(BoundedIdsMixin, forms.ModelChoiceField):
    def to_python(self, value):
        return super().to_python(self._bounded(value))


class ModelMultipleChoiceField(BoundedIdsMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if parse_id(item) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": item},
                )
        return super()._check_values(value)


class DateField(forms.DateField):
    default_validators = [validate_year]
