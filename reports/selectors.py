"""Cost reports: expected and actual costs of activities, summed per group in the base
currency, with the totals per original currency beside and the amounts that have no rate.

Bounded work whatever the number of activities: the database sums the amounts per
(group, currency, day) (one query per side, expected and actual), and each distinct
(currency, day) is then converted at the latest rate on or before that day (two queries
for all the rates needed). About seven queries in all, for ten activities or a million.

Rules of the numbers (the page says them too):
- an activity's amounts convert at the rate of its start date in its own time zone;
  a day without a rate uses the latest earlier one (a Saturday uses Friday's);
- an amount with no rate on or before its day is counted as missing, never as zero;
- a row's base-currency sum is rounded half-up once, to the base currency's places; the
  total row adds up the rounded rows, so the table (and its exports) adds up;
- an activity is counted once per row: grouped by employee it belongs to its leader, so
  the employee rows add up to the total (every participant would count it several times);
- months are months of the user's time zone (the one the page is shown in).
"""

from __future__ import annotations

import bisect
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db.models import Case, Count, DateField, F, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.selectors import ActivityFilters, activity_list
from customers.models import Customer
from dictionaries.models import ActivityCategory, Currency, ExchangeRate
from dictionaries.services import round_money
from employees.models import Employee

GroupBy = Literal["category", "employee", "customer", "month"]
GROUP_BY: tuple[GroupBy, ...] = ("category", "employee", "customer", "month")

COLUMN_PLACES = Decimal(1).scaleb(-settings.MONEY_DECIMAL_PLACES)

SIDES = {
    "expected": ("expected_cost", "expected_cost_currency_id"),
    "actual": ("actual_cost", "actual_cost_currency_id"),
}


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
    """The rates needed for a set of (currency, day) pairs, read in two queries: the
    rates between the first and the last day, and for each currency the latest one
    before the first day."""

    def __init__(self, pairs: set[tuple[str, date]]) -> None:
        self._dates: dict[str, list[date]] = defaultdict(list)
        self._rates: dict[str, list[Decimal]] = defaultdict(list)
        if not pairs:
            return
        codes = {code for code, _day in pairs}
        first = min(day for _code, day in pairs)
        last = max(day for _code, day in pairs)
        before = ExchangeRate.objects.filter(
            currency_id__in=codes,
            date=Subquery(
                ExchangeRate.objects.filter(currency_id=OuterRef("currency_id"), date__lt=first)
                .order_by("-date")
                .values("date")[:1]
            ),
        )
        within = ExchangeRate.objects.filter(currency_id__in=codes, date__gte=first, date__lte=last)
        for queryset in (before, within):
            for code, day, rate in queryset.order_by("currency_id", "date").values_list(
                "currency_id", "date", "rate"
            ):
                self._dates[code].append(day)
                self._rates[code].append(rate)

    def rate(self, code: str, day: date) -> Decimal | None:
        """The latest rate of `code` on or before `day`, or None."""
        dates = self._dates.get(code)
        if not dates:
            return None
        index = bisect.bisect_right(dates, day) - 1
        return self._rates[code][index] if index >= 0 else None


def _local_day(zones: list[str]):
    """The start date of each activity in its own time zone, as an SQL expression."""
    if len(zones) == 1:
        return TruncDate("start", tzinfo=zoneinfo.ZoneInfo(zones[0]))
    return Case(
        *(When(time_zone=z, then=TruncDate("start", tzinfo=zoneinfo.ZoneInfo(z))) for z in zones),
        output_field=DateField(),
    )


def _group_expression(group_by: GroupBy):
    if group_by == "category":
        return F("category_id")
    if group_by == "employee":
        return F("leader_id")
    if group_by == "customer":
        return F("customer_id")
    return TruncMonth("start", tzinfo=timezone.get_current_timezone())


def _month_key(value) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.strftime("%Y-%m")


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
        activity_list(filters=filters, customer_id=customer_id, user=user)
        .select_related(None)
        .prefetch_related(None)
        .order_by()
    )
    zones = sorted(set(activities.values_list("time_zone", flat=True).distinct()))
    rows: dict = {}
    if zones:
        group = _group_expression(group_by)
        day = _local_day(zones)

        def key_of(value):
            return _month_key(value) if group_by == "month" else value

        for item in activities.values(g=group).annotate(n=Count("id")):
            key = key_of(item["g"])
            row = rows.setdefault(key, CostRow(key=key, label=""))
            row.activities += item["n"]

        chunks: dict[str, list] = {}
        pairs: set[tuple[str, date]] = set()
        for side, (amount, currency) in SIDES.items():
            chunks[side] = [
                (i["g"], i["d"], i["c"], i["total"], i["n"])
                for i in activities.filter(**{f"{amount}__isnull": False})
                .values(g=group, d=day, c=F(currency))
                .annotate(total=Sum(amount), n=Count("id"))
            ]
            pairs.update((c, d) for _g, d, c, _t, _n in chunks[side] if c != base_code)
        book = RateBook(pairs)
        for side, side_chunks in chunks.items():
            for value, day_value, code, total, n in side_chunks:
                # Exact on PostgreSQL; SQLite sums in floating point, which the column's
                # places put right again.
                total = Decimal(total).quantize(COLUMN_PLACES)
                cost: CostSide = getattr(rows[key_of(value)], side)
                cost.by_currency[code] = cost.by_currency.get(code, Decimal(0)) + total
                if code == base_code:
                    cost.exact += total
                    continue
                rate = book.rate(code, day_value)
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
            row.start_from, row.start_to = _month_bounds(row.key)
            if filters.start_from and filters.start_from > row.start_from:
                row.start_from = filters.start_from
            if filters.start_to and filters.start_to < row.start_to:
                row.start_to = filters.start_to
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
