"""The bounds of what any input may say, defined once for pages, API and services.

Ids are positive 64-bit integers (what both databases store; SQLite raises OverflowError
on a larger one) and dates lie between the years 1900 and 2999 (a CRM plans no meeting
outside them, and date arithmetic near year 9999 overflows).

A text's length is declared once, as its model field's `max_length`: a ModelForm takes it
from there, other forms, the API schemas (api.schemas.ModelText) and the services read it
with `max_length()`, and the model's validators refuse a longer value with its real length
wherever the services validate (clean_fields, full_clean, ModelForms). A TextField holds
its bound through `text_field()`, since Django passes a TextField's max_length to forms only.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1
MIN_YEAR, MAX_YEAR = 1900, 2999

YEAR_MESSAGE = _("Enter a date between the years 1900 and 2999.")


def text_field(verbose_name, *, max_length: int, **kwargs) -> models.TextField:
    """A long text bounded as a CharField is: its forms get `max_length`, and model
    validation refuses a longer value ("Ensure this value has at most 10000 characters
    (it has 10001).").

    No CHECK constraint in the database: rows saved before the bound (the pages once took
    megabytes) would make adding it fail, or would have to be cut; the services are where
    the bound is enforced, as for a CharField on SQLite."""
    return models.TextField(
        verbose_name, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


def max_length(model, name: str) -> int:
    """The declared length of a text field of `model`."""
    return model._meta.get_field(name).max_length


def length_messages(model, name: str, value: str) -> list[str]:
    """Django's own message ("... at most 100 characters (it has 101).") when `value` is
    longer than the field `name` of `model` allows; none when it fits. For services that
    check a value before it is set on a model."""
    try:
        MaxLengthValidator(max_length(model, name))(value)
    except ValidationError as exc:
        return exc.messages
    return []


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
