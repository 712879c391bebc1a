"""The rows of the activity table (the customer's page, the list of all activities), each
cell's text worked out once in Python.

Through the template's own filters the table cost about 0.45 ms a row (bench/: 11 ms of
the customer page's 45 for 25 rows, the data already loaded): per row Django's `date`
filter (~60 us), `reverse()` (~37 us), `get_FOO_display()` (it rebuilds the dict of
choices on every call), the choice filters, `{% translate %}` and the employees' loop
each added their own. Here what depends only on the request (its language and time
zone) is looked up once per page (the date format and its month names, the choice
labels, the shape of the detail URL), and each row is plain attributes that the
template only places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import TypedDict
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language

from activities.models import ActivityKind, ActivityStatus
from dictionaries.money import Money
from employees.models import Employee

STATUS_CLASSES = {
    "planned": "text-bg-primary",
    "ended": "text-bg-secondary",
    "cancelled": "text-bg-light border",
}
KIND_ICONS = {"meeting": "bi-people", "contact": "bi-telephone", "task": "bi-check2-square"}


class ActivityRow(TypedDict):
    """One table row: the texts as the cells show them (the template escapes them).

    A dict rather than an object: the template's `{{ row.start }}` tries a key before an
    attribute, and the failed key lookup on an object (an exception) made each of the
    row's 13 variables a third slower."""

    status: str
    status_class: str
    status_label: str
    start: str
    kind_icon: str
    kind_label: str
    url: str
    subject: str
    is_follow_up: bool
    customer_url: str
    customer_name: str
    # (full name, is the leader), in the order of the prefetched employees.
    employees: list[tuple[str, bool]]
    priority: str
    category: str
    expected_cost: str
    actual_cost: str


def activity_rows(rows: Iterable[dict], *, with_customer: bool = True) -> list[ActivityRow]:
    """The table rows of `rows` (the values `selectors.activity_table_rows` reads) in the
    current language and time zone, as the `date`, `money` and choice filters would show
    them."""
    kind_labels = {value: str(label) for value, label in ActivityKind.choices}
    status_labels = {value: str(label) for value, label in ActivityStatus.choices}
    format_start = date_formatter(formats.get_format("SHORT_DATETIME_FORMAT"))
    format_day = date_formatter(formats.get_format("SHORT_DATE_FORMAT"))
    activity_url = _url_maker("activities:detail")
    customer_url = _url_maker("customers:detail") if with_customer else None
    zone = timezone.get_current_timezone()
    table = []
    for row in rows:
        if row["all_day"]:
            # The day in the activity's own zone, as Activity.local_start has it.
            start = format_day(row["start"].astimezone(ZoneInfo(row["time_zone"])).date())
        else:
            start = format_start(row["start"].astimezone(zone))
        status, kind, leader = row["status"], row["kind"], row["leader_id"]
        expected, actual = row["expected_cost"], row["actual_cost"]
        table.append(
            ActivityRow(
                status=status,
                status_class=STATUS_CLASSES.get(status, "text-bg-light"),
                status_label=status_labels.get(status, status),
                start=start,
                kind_icon=KIND_ICONS.get(kind, "bi-circle"),
                kind_label=kind_labels.get(kind, kind),
                url=activity_url(row["id"]),
                subject=row["subject"],
                is_follow_up=row["previous_id"] is not None,
                customer_url=customer_url(row["customer_id"]) if customer_url else "",
                customer_name=row["customer_name"] if with_customer else "",
                employees=[
                    (Employee.name_of(first, last), pk == leader)
                    for pk, first, last in row["employees"]
                ],
                priority=row["priority_name"],
                category=row["category_name"] or "",
                expected_cost=(
                    Money(expected, row["expected_cost_currency_id"]).format()
                    if expected is not None
                    else ""
                ),
                actual_cost=(
                    Money(actual, row["actual_cost_currency_id"]).format()
                    if actual is not None
                    else ""
                ),
            )
        )
    return table


# Stands for the id in the URL reversed once: digits found nowhere else in the URL.
_PLACEHOLDER = 987654321987654321


def _url_maker(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for many pks at the cost of one reverse() (~37 us a
    row otherwise). The pattern's converter writes ids as plain digits."""
    before, after = reverse(name, args=[_PLACEHOLDER]).rsplit(str(_PLACEHOLDER), 1)
    return lambda pk: f"{before}{pk}{after}"


# Specifiers that are the date's numbers, written as Django's DateFormat writes them.
_NUMBERS: dict[str, Callable[[date], str]] = {
    "d": lambda value: f"{value.day:02d}",
    "j": lambda value: str(value.day),
    "m": lambda value: f"{value.month:02d}",
    "n": lambda value: str(value.month),
    "y": lambda value: f"{value.year % 100:02d}",
    "Y": lambda value: f"{value.year:04d}",
}
_TIME_NUMBERS: dict[str, Callable[[datetime], str]] = {
    "H": lambda value: f"{value.hour:02d}",
    "G": lambda value: str(value.hour),
    "i": lambda value: f"{value.minute:02d}",
    "s": lambda value: f"{value.second:02d}",
}
# Month names, in the active language: taken from Django's DateFormat once per language.
_MONTH_NAMES = ("b", "E", "F", "M", "N")


def date_formatter(format_string: str) -> Callable[[date], str]:
    """A function that formats like Django's `dateformat.format(value, format_string)`
    in the active language (`value` already in the zone to show), about ten times
    faster: the format is split once, and month names are looked up once per language.
    A format with any other specifier (weekdays, a.m./p.m., time zones...) is left to
    Django."""
    return _compiled(format_string, get_language())


@lru_cache(maxsize=64)
def _compiled(format_string: str, language: str | None) -> Callable[[date], str]:
    parts: list[str | Callable[[date], str]] = []
    has_time = False
    for i, piece in enumerate(dateformat.re_formatchars.split(format_string)):
        if i % 2 == 0:
            if piece:
                parts.append(dateformat.re_escaped.sub(r"\1", piece))
        elif piece in _NUMBERS:
            parts.append(_NUMBERS[piece])
        elif piece in _TIME_NUMBERS:
            parts.append(_TIME_NUMBERS[piece])
            has_time = True
        elif piece in _MONTH_NAMES:
            names = {
                month: str(getattr(dateformat.DateFormat(date(2000, month, 1)), piece)())
                for month in range(1, 13)
            }
            parts.append(lambda value, names=names: names[value.month])
        else:
            return lambda value: dateformat.format(value, format_string)

    def format_date(value: date) -> str:
        if has_time and not isinstance(value, datetime):
            # Django's own error for a time specifier given a date.
            return dateformat.format(value, format_string)
        return "".join(part if isinstance(part, str) else part(value) for part in parts)

    return format_date
