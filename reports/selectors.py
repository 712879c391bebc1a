"""Cost reports: expected and actual costs of activities, summed per group in the base
currency, with the totals per original currency beside and the amounts that have no rate.

Bounded work whatever the number of activities, and no time zone conversion in SQL: the
database groups by plain columns only, the start date being the stored
`Activity.local_start_date`. One query counts the activities per group; one sums both
sides' amounts of the activities with a cost per (group, start date, expected currency,
actual currency); each distinct (currency, day) is then converted at the latest rate on
or before that day (one query for all the rates needed). Five queries in all, with the
currencies and the row labels, for ten activities or a million.

Rules of the numbers (the page says them too):
- an activity's amounts convert at the rate of its start date in its own time zone;
  a day without a rate uses the latest earlier one (a Saturday uses Friday's);
- an amount with no rate on or before its day is counted as missing, never as zero;
- a row's base-currency sum is rounded half-up once, to the base currency's places; the
  total row adds up the rounded rows, so the table (and its exports) adds up;
- an activity is counted once per row: grouped by employee it belongs to its leader, so
  the employee rows add up to the total (every participant would count it several times);
- an activity belongs to the month of its start date in its own time zone, the date whose
  rate converts it: a month's row is then exactly the sum of its days' conversions, and
  the database groups by a stored date instead of converting a million start times to the
  user's zone. For activities in the user's zone (nearly all, in Poland) that is the
  user's month; one held in Chicago at 23:30 on 31 January counts in January, though it
  is 1 February in Warsaw. (The date range, as in every list of activities, is of days
  of the user's zone.)
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Subquery, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from activities.selectors import ActivityFilters, activity_list
from customers.models import Customer
from dictionaries.models import ActivityCategory, Currency, ExchangeRate
from dictionaries.services import round_money
from employees.models import Employee

GroupBy = Literal["category", "employee", "customer", "month"]
GROUP_BY: tuple[GroupBy, ...] = ("category", "employee", "customer", "month")

COLUMN_PLACES = Decimal(1).scaleb(-settings.MONEY_DECIMAL_PLACES)


@dataclass
class CostSide:
    """Expected or actual costs of one row."""

    base: Decimal = Decimal(0)
    by_currency: dict[str, Decimal] = field(default_factory=dict)
    missing: int = 0
    exact: Decimal = Decimal(0)  # unrounded converted sum, before the row is rounded

    def add(self, other: CostSide) -> None:
        self.base += other.base
        self.missing += other.missing
        for code, amount in other.by_currency.items():
            self.by_currency[code] = self.by_currency.get(code, Decimal(0)) + amount


@dataclass
class CostRow:
    key: int | str | None
    label: str
    activities: int = 0
    expected: CostSide = field(default_factory=CostSide)
    actual: CostSide = field(default_factory=CostSide)
    start_from: date | None = None  # month rows: the month's first and last day
    start_to: date | None = None

    @property
    def difference(self) -> Decimal | None:
        """Actual minus expected, in the base currency (positive: it cost more); None
        when an amount on either side has no rate, since a partial sum would count
        the unconverted amount as zero."""
        if self.missing:
            return None
        return self.actual.base - self.expected.base

    @property
    def missing(self) -> int:
        return self.expected.missing + self.actual.missing


@dataclass
class CostReport:
    group_by: GroupBy
    base_currency: str
    base_places: int
    rows: list[CostRow]
    total: CostRow
    currencies: list[str]  # every original currency present, base first
    minor_units: dict[str, int]  # decimal places of every configured currency


class RateBook:
    """The rates needed for a set of (currency, day) pairs, read in one query: the rates
    between the first and the last day, and for each currency the latest one before the
    first day. That one is a subquery per currency, each evaluated once; correlated (the
    latest before the day for each rate row) it took 5 to 15 ms over a few thousand
    rates."""

    def __init__(self, pairs: set[tuple[str, date]]) -> None:
        self._dates: dict[str, list[date]] = defaultdict(list)
        self._rates: dict[str, list[Decimal]] = defaultdict(list)
        if not pairs:
            return
        codes = sorted({code for code, _day in pairs})
        first = min(day for _code, day in pairs)
        last = max(day for _code, day in pairs)
        wanted = Q(currency_id__in=codes, date__gte=first, date__lte=last)
        for code in codes:
            latest_before = (
                ExchangeRate.objects.filter(currency_id=code, date__lt=first)
                .order_by("-date")
                .values("date")[:1]
            )
            wanted |= Q(currency_id=code, date=Subquery(latest_before))
        rates = ExchangeRate.objects.filter(wanted).order_by("currency_id", "date")
        for code, day, rate in rates.values_list("currency_id", "date", "rate"):
            self._dates[code].append(day)
            self._rates[code].append(rate)

    def rate(self, code: str, day: date) -> Decimal | None:
        """The latest rate of `code` on or before `day`, or None."""
        dates = self._dates.get(code)
        if not dates:
            return None
        index = bisect.bisect_right(dates, day) - 1
        return self._rates[code][index] if index >= 0 else None


# The column each grouping sums by; months are folded from the days in Python.
GROUP_COLUMNS: dict[GroupBy, str | None] = {
    "category": "category_id",
    "employee": "leader_id",
    "customer": "customer_id",
    "month": None,
}


def _labels(group_by: GroupBy, keys: set) -> dict:
    """Row labels, in one query, and each row's sort key."""
    if group_by == "category":
        entries = ActivityCategory.objects.filter(pk__in=[k for k in keys if k is not None])
        labels = {e.pk: (e.name, (0, e.position, e.pk)) for e in entries}
        labels[None] = (_("No category"), (1, 0, 0))
        return labels
    if group_by == "employee":
        people = Employee.objects.filter(pk__in=keys).only("id", "first_name", "last_name")
        return {
            e.pk: (e.full_name, (e.last_name.casefold(), e.first_name.casefold(), e.pk))
            for e in people
        }
    if group_by == "customer":
        customers = Customer.objects.filter(pk__in=keys).only("id", "name")
        return {c.pk: (c.name, (c.name.casefold(), c.pk)) for c in customers}
    labels = {}
    for key in keys:
        year, month = (int(part) for part in key.split("-"))
        labels[key] = (formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT"), key)
    return labels


def _month_bounds(key: str) -> tuple[date, date]:
    year, month = (int(part) for part in key.split("-"))
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def _month_link_range(key: str, filters: ActivityFilters) -> tuple[date, date]:
    """The days of a month's row, within the filter's range (days of the user's zone).
    A month can lie just outside the range: an activity held in Chicago on the evening
    of 31 December starts on 1 January in Warsaw, so a January-only range holds it in
    a December row; its days are then the range's nearest day, where the list finds it."""
    first, last = _month_bounds(key)
    if filters.start_from and last < filters.start_from:
        return filters.start_from, filters.start_from
    if filters.start_to and first > filters.start_to:
        return filters.start_to, filters.start_to
    return max(first, filters.start_from or first), min(last, filters.start_to or last)


def _month_of(day: date, months: dict[date, str]) -> str:
    """The month's key ("2026-01") of a day, remembered: the same days come back."""
    key = months.get(day)
    if key is None:
        key = months[day] = f"{day.year:04d}-{day.month:02d}"
    return key


def _counts(activities: QuerySet, group_by: GroupBy) -> list[tuple]:
    """(group or day, activities) of `activities`. A scan of their own, yet cheaper than
    counting in `_sums`, which would then group the activities without a cost too (about
    70 % of them): grouped by a foreign key the count reads only that key's index. The
    whole report at a million activities, counting apart / in the one scan of `_sums`:
    0.7 / 2.3 s by category and 1.4 / 1.7 s by month on SQLite, 0.4 / 0.6 s by month
    on PostgreSQL."""
    return list(
        activities.values_list(GROUP_COLUMNS[group_by] or "local_start_date").annotate(n=Count("*"))
    )


def _sums(activities: QuerySet, group_by: GroupBy) -> list[tuple]:
    """(group, day, expected currency, actual currency, amounts, expected sum, actual sum)
    of the activities with a cost: one scan for both sides, grouped by plain columns only.
    The group is None for months (the day says it). An amount has a currency and a
    currency an amount (database constraints), so the count is that of each side's
    amounts, where its currency is not None."""
    column = GROUP_COLUMNS[group_by]
    columns = ["local_start_date", "expected_cost_currency_id", "actual_cost_currency_id"]
    # The group's column last: first, it invites SQLite to read the table in the order
    # of the column's index, a random access per row (seconds at a million activities).
    sums = (
        activities.filter(
            Q(expected_cost_currency_id__isnull=False) | Q(actual_cost_currency_id__isnull=False)
        )
        .values_list(*columns, *([column] if column else []))
        .annotate(n=Count("*"), expected=Sum("expected_cost"), actual=Sum("actual_cost"))
    )
    if column:
        return [(g, day, e, a, n, se, sa) for day, e, a, g, n, se, sa in sums]
    return [(None, *item) for item in sums]


def cost_report(
    *, filters: ActivityFilters, group_by: GroupBy, user, customer_id: int | None = None
) -> CostReport:
    """Expected and actual costs of the filtered activities `user` may see, per group, in
    the base currency (see the module's docstring for the rules)."""
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}, not {group_by!r}")
    currency_rows = list(Currency.objects.values_list("code", "minor_unit", "is_base"))
    minor_units = {code: minor for code, minor, _is_base in currency_rows}
    base_code, places = next(
        ((code, minor) for code, minor, is_base in currency_rows if is_base), ("", 2)
    )
    activities: QuerySet = (
        activity_list(filters=filters, customer_id=customer_id, user=user, for_counting=True)
        .select_related(None)
        .prefetch_related(None)
        .order_by()
    )
    sums = _sums(activities, group_by)
    book = RateBook(
        {
            (code, day)
            for _g, day, expected_code, actual_code, *_amounts in sums
            for code in (expected_code, actual_code)
            if code is not None and code != base_code
        }
    )
    months: dict[date, str] = {}
    rows: dict = {}

    def row_of(key) -> CostRow:
        if group_by == "month":
            key = _month_of(key, months)
        row = rows.get(key)
        if row is None:  # an activity saved between the two scans may make a new row
            row = rows[key] = CostRow(key=key, label="")
        return row

    for value, n in _counts(activities, group_by):
        row_of(value).activities += n
    for value, day, expected_code, actual_code, n, expected, actual in sums:
        row = row_of(day if group_by == "month" else value)
        for cost, code, total in (
            (row.expected, expected_code, expected),
            (row.actual, actual_code, actual),
        ):
            if code is None:
                continue
            # Exact on PostgreSQL; SQLite sums in floating point, which the column's
            # places put right again.
            total = Decimal(total).quantize(COLUMN_PLACES)
            cost.by_currency[code] = cost.by_currency.get(code, Decimal(0)) + total
            if code == base_code:
                cost.exact += total
                continue
            rate = book.rate(code, day)
            if rate is None:
                cost.missing += n
            else:
                cost.exact += total * rate
    for row in rows.values():
        for cost in (row.expected, row.actual):
            cost.base = round_money(cost.exact, places)
    labels = _labels(group_by, set(rows))
    ordered = sorted(rows.values(), key=lambda r: labels.get(r.key, ("", ("",)))[1])
    total = CostRow(key=None, label=_("Total"))
    currencies: set[str] = set()
    for row in ordered:
        row.label = labels.get(row.key, (str(row.key), None))[0]
        if group_by == "month":
            row.start_from, row.start_to = _month_link_range(row.key, filters)
        total.activities += row.activities
        total.expected.add(row.expected)
        total.actual.add(row.actual)
        currencies.update(row.expected.by_currency, row.actual.by_currency)
    return CostReport(
        group_by=group_by,
        base_currency=base_code,
        base_places=places,
        rows=ordered,
        total=total,
        currencies=sorted(currencies, key=lambda c: (c != base_code, c)),
        minor_units=minor_units,
    )
