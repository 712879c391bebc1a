"""Request and response bodies of the REST API (OpenAPI 3 is generated from these).

Input strings refuse NUL characters (PostgreSQL cannot store them) with a per-field 422,
ids are positive 64-bit integers, datetimes lie between the years 1900 and 2999: anything
else answers 422 before it reaches a service or the database.

A text is as long as its model field allows (`ModelText`, spotkania.limits): the number is
declared once, on the field, and read here, by the forms and by the services.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

from activities.models import Activity
from api.models import ApiToken
from customers.forms import TAX_ID_INPUT_LENGTH
from customers.models import ContactPerson, Customer
from dictionaries.models import Currency, DictionaryEntry
from employees.models import Employee
from spotkania.limits import MAX_ID, MAX_YEAR, MIN_YEAR, max_length


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("null_character", "Null characters are not allowed.")
    return value


def _sensible_datetime(value: datetime) -> datetime:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError(
            "api_message", "{message}", {"message": _("Enter a valid date/time.")}
        )
    return value


def _sensible_date(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError("api_message", "{message}", {"message": _("Enter a valid date.")})
    return value


def _at_most(limit: int) -> BeforeValidator:
    """The length check, with the length found: ninja drops the value from pydantic's
    errors, so pydantic's own `string_too_long` could not say it (api.errors)."""

    def check(value):
        if isinstance(value, str) and len(value) > limit:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": limit, "actual_length": len(value)},
            )
        return value

    return BeforeValidator(check)


def Text(limit: int):
    # StringConstraints stays for the OpenAPI document (maxLength); _at_most runs first.
    return Annotated[
        str, StringConstraints(max_length=limit), _at_most(limit), AfterValidator(_no_nul)
    ]


def ModelText(model, name: str):
    """A string as long as the model's field `name` allows."""
    return Text(max_length(model, name))


# The password is checked against its hash, never stored: the bound only keeps hashing cheap.
PASSWORD_LENGTH = 4096


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
DateTime = Annotated[datetime, AfterValidator(_sensible_datetime)]
Day = Annotated[date, AfterValidator(_sensible_date)]
IdList = Annotated[list[Id], Field(max_length=200)]


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the request's language.")
    errors: dict[str, list[str]] | None = Field(
        None,
        description="400 and 422 only: messages per offending field (nested fields joined "
        "with dots, e.g. `expected_cost.amount`; the request as a whole under `__all__`).",
    )
    version: int | None = Field(
        None, description="409 on a stale version only: the record's current version."
    )
    changes: list[dict[str, str]] | None = Field(
        None,
        description="409 on a stale version only: `{field, label, theirs, yours}` per field "
        "whose saved value differs from the one sent.",
    )


# --- authentication -------------------------------------------------------------------


class TokenIn(Schema):
    username: ModelText(get_user_model(), "username")
    password: Text(PASSWORD_LENGTH)
    name: ModelText(ApiToken, "name") = Field(
        "", description="A label for the token, e.g. 'web shop'."
    )


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; shown only once.")


# --- customers and contact persons ----------------------------------------------------


class CustomerIn(Schema):
    code: ModelText(Customer, "code")
    name: ModelText(Customer, "name")
    tax_id: Text(TAX_ID_INPUT_LENGTH) = Field(
        "", description="Polish NIP; dashes, spaces and PL allowed."
    )
    email: ModelText(Customer, "email") = ""
    phone: ModelText(Customer, "phone") = ""
    address: ModelText(Customer, "address") = ""
    is_active: bool = True


class CustomerPatch(Schema):
    """Only the fields sent change."""

    code: ModelText(Customer, "code") | None = None
    name: ModelText(Customer, "name") | None = None
    tax_id: Text(TAX_ID_INPUT_LENGTH) | None = None
    email: ModelText(Customer, "email") | None = None
    phone: ModelText(Customer, "phone") | None = None
    address: ModelText(Customer, "address") | None = None
    is_active: bool | None = None
    version: int | None = Field(
        None, description="The version read (its ETag); a stale one answers 409."
    )


class CustomerOut(Schema):
    id: int
    code: str
    name: str
    tax_id: str
    email: str
    phone: str
    address: str
    is_active: bool
    version: int


class CustomerPage(Schema):
    items: list[CustomerOut]
    count: int


class ContactIn(Schema):
    first_name: ModelText(ContactPerson, "first_name")
    last_name: ModelText(ContactPerson, "last_name")
    position: ModelText(ContactPerson, "position") = ""
    email: ModelText(ContactPerson, "email") = ""
    phone: ModelText(ContactPerson, "phone") = ""
    is_active: bool = True


class ContactPatch(Schema):
    """Only the fields sent change."""

    first_name: ModelText(ContactPerson, "first_name") | None = None
    last_name: ModelText(ContactPerson, "last_name") | None = None
    position: ModelText(ContactPerson, "position") | None = None
    email: ModelText(ContactPerson, "email") | None = None
    phone: ModelText(ContactPerson, "phone") | None = None
    is_active: bool | None = None
    version: int | None = Field(
        None, description="The version read (its ETag); a stale one answers 409."
    )


class ContactOut(Schema):
    id: int
    customer: int
    first_name: str
    last_name: str
    position: str
    email: str
    phone: str
    is_active: bool
    version: int


class ContactPage(Schema):
    items: list[ContactOut]
    count: int


# --- employees ------------------------------------------------------------------------


class EmployeeIn(Schema):
    first_name: ModelText(Employee, "first_name")
    last_name: ModelText(Employee, "last_name")
    email: ModelText(Employee, "email") = ""
    user: ModelText(get_user_model(), "username") | None = Field(
        None, description="Username of the login user, or null."
    )
    time_zone: ModelText(Employee, "time_zone") | None = Field(
        None, description="IANA zone; default Europe/Warsaw."
    )
    is_active: bool = True


class EmployeePatch(Schema):
    """Only the fields sent change; `"user": null` unlinks the login user."""

    first_name: ModelText(Employee, "first_name") | None = None
    last_name: ModelText(Employee, "last_name") | None = None
    email: ModelText(Employee, "email") | None = None
    user: ModelText(get_user_model(), "username") | None = None
    time_zone: ModelText(Employee, "time_zone") | None = None
    is_active: bool | None = None


class EmployeeOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    user: str | None
    time_zone: str
    is_active: bool
    calendar_feed_url: str | None = Field(
        None, description="The employee's iCalendar feed; for themself and administrators."
    )


class EmployeePage(Schema):
    items: list[EmployeeOut]
    count: int


# --- dictionaries ---------------------------------------------------------------------


class DictionaryEntryIn(Schema):
    name_pl: ModelText(DictionaryEntry, "name_pl")
    name_en: ModelText(DictionaryEntry, "name_en")
    position: int | None = Field(None, ge=1, le=10_000, description="1 = first.")
    is_default: bool = False
    is_active: bool = True


class DictionaryEntryPatch(Schema):
    name_pl: ModelText(DictionaryEntry, "name_pl") | None = None
    name_en: ModelText(DictionaryEntry, "name_en") | None = None
    position: int | None = Field(None, ge=1, le=10_000, description="1 = first.")
    is_default: bool | None = None
    is_active: bool | None = None


class DictionaryEntryOut(Schema):
    id: int
    name: str = Field(description="In the language of Accept-Language (pl or en).")
    name_pl: str
    name_en: str
    position: int
    is_default: bool
    is_active: bool


class CurrencyOut(Schema):
    code: str
    name: str
    minor_unit: int
    is_base: bool
    is_active: bool


# --- activities -----------------------------------------------------------------------

Kind = Literal["meeting", "contact", "task"]
StatusName = Literal["planned", "ended", "cancelled"]


class Money(Schema):
    amount: Decimal = Field(description='A decimal string, e.g. "120.50"; never a float.')
    currency: ModelText(Currency, "code") = Field(
        description="ISO 4217 code of an active currency, e.g. PLN."
    )


class MoneyOut(Schema):
    amount: str
    currency: str


class FollowUpIn(Schema):
    value: int = Field(ge=1, le=1000)
    unit: Literal["hours", "days", "weeks"]


class FollowUp(Schema):
    """`{"in": {"value": 2, "unit": "days"}}` or `{"at": "<datetime>"}`, optional `kind`."""

    in_: FollowUpIn | None = Field(None, alias="in")
    at: DateTime | None = None
    kind: Kind | None = Field(None, description="Default: the kind of this activity.")


_ACTIVITY_DOC = {
    "customer": "Customer id.",
    "contact_persons": "Ids of contact persons of that customer (at least one).",
    "employees": "Employee ids (at least one).",
    "leader": "Employee id; default the caller's employee if taking part, else the first.",
    "start": "ISO 8601; without an offset it is read in `time_zone`.",
    "end": "Default: a length that suits the kind. All-day: the last day.",
    "time_zone": "IANA zone; default the caller's employee's zone or Europe/Warsaw.",
    "priority": "Priority id; default the default priority.",
    "follow_up": "Write-only: creates the next activity in the same transaction.",
}


class ActivityIn(Schema):
    kind: Kind = "meeting"
    subject: ModelText(Activity, "subject")
    notes: ModelText(Activity, "notes") = ""
    customer: Id = Field(description=_ACTIVITY_DOC["customer"])
    contact_persons: IdList = Field(description=_ACTIVITY_DOC["contact_persons"])
    employees: IdList = Field(description=_ACTIVITY_DOC["employees"])
    leader: Id | None = Field(None, description=_ACTIVITY_DOC["leader"])
    start: DateTime = Field(description=_ACTIVITY_DOC["start"])
    end: DateTime | None = Field(None, description=_ACTIVITY_DOC["end"])
    time_zone: ModelText(Activity, "time_zone") | None = Field(
        None, description=_ACTIVITY_DOC["time_zone"]
    )
    all_day: bool = False
    place: ModelText(Activity, "place") = ""
    priority: Id | None = Field(None, description=_ACTIVITY_DOC["priority"])
    category: Id | None = None
    in_schedule: bool = True
    expected_cost: Money | None = None
    actual_cost: Money | None = None
    follow_up: FollowUp | None = Field(None, description=_ACTIVITY_DOC["follow_up"])


class ActivityPatch(Schema):
    """Only the fields sent change; `null` clears an optional field."""

    kind: Kind | None = None
    subject: ModelText(Activity, "subject") | None = None
    notes: ModelText(Activity, "notes") | None = None
    customer: Id | None = None
    contact_persons: IdList | None = None
    employees: IdList | None = None
    leader: Id | None = None
    start: DateTime | None = None
    end: DateTime | None = None
    time_zone: ModelText(Activity, "time_zone") | None = None
    all_day: bool | None = None
    place: ModelText(Activity, "place") | None = None
    priority: Id | None = None
    category: Id | None = None
    in_schedule: bool | None = None
    expected_cost: Money | None = None
    actual_cost: Money | None = None
    follow_up: FollowUp | None = Field(None, description=_ACTIVITY_DOC["follow_up"])
    version: int | None = Field(
        None, description="The version read (its ETag); a stale one answers 409."
    )


class ActivityEndIn(Schema):
    actual_cost: Money | None = None


class ActivityOut(Schema):
    id: int
    kind: Kind
    subject: str
    notes: str
    customer: int
    contact_persons: list[int]
    employees: list[int]
    leader: int
    start: datetime
    end: datetime = Field(description="For an all-day activity: midnight of its last day.")
    time_zone: str
    all_day: bool
    place: str
    priority: int
    category: int | None
    status: StatusName
    in_schedule: bool
    expected_cost: MoneyOut | None
    actual_cost: MoneyOut | None
    previous: int | None = Field(
        description="The activity this one follows up; null when there is none or the "
        "caller may not see it (as the pages, the API names no activity that would "
        "answer 404)."
    )
    next: int | None = Field(
        description="Its follow-up; null when there is none or the caller may not see it."
    )
    version: int


class ActivityPage(Schema):
    items: list[ActivityOut]
    count: int
