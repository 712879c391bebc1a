"""spotkania.shapes: a query built once per shape answers as the ORM would, for any values."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from customers.tests.factories import CustomerFactory
from spotkania.shapes import Bound, Shape, ShapeError

COLUMNS = ("id", "start", "all_day", "expected_cost", "expected_cost_currency_id", "next")


def _activities(*, customer_id: int, ids: list[int], limit: int):
    return (
        Activity.objects.filter(customer_id=customer_id, pk__in=ids, kind="meeting")
        .order_by("-start", "-id")
        .values(*COLUMNS)[:limit]
    )


@pytest.fixture
def activities():
    """Two customers' meetings and tasks, with times (some all-day), costs and a
    follow-up: columns that Django converts on the way out of each database."""
    warsaw = ZoneInfo("Europe/Warsaw")
    customers = CustomerFactory(), CustomerFactory()
    made = []
    for n in range(8):
        start = datetime(2026, 3, 28, 23, tzinfo=warsaw) + timedelta(hours=n)  # over DST
        made.append(
            ActivityFactory(
                customer=customers[n % 2],
                kind="meeting" if n % 3 else "task",
                start=start,
                end=start + timedelta(hours=1),
                expected_cost=Decimal("120.50") + n if n % 2 else None,
                expected_cost_currency_id="PLN" if n % 2 else None,
            )
        )
    made[2].previous = made[1]  # a meeting's follow-up
    made[2].save()
    return customers, made


@pytest.mark.django_db
def test_rows_are_those_of_the_orm_for_any_values(activities):
    customers, made = activities
    shape = Shape(_activities)
    every_id = [a.pk for a in made]
    seen = []
    for customer in customers:
        for ids in (every_id, every_id[:3], every_id[2:7]):
            for limit in (2, 10):
                expected = list(_activities(customer_id=customer.pk, ids=ids, limit=limit))
                got = shape.dicts(
                    DEFAULT_DB_ALIAS, fixed={"limit": limit}, customer_id=customer.pk, ids=ids
                )
                assert got == expected
                seen += got
    # What was compared holds converted values: decimals, aware datetimes, a follow-up.
    assert any(row["expected_cost"] == Decimal("125.50") for row in seen)
    assert all(row["start"].utcoffset() == timedelta(0) for row in seen)
    assert any(row["next"] == made[2].pk for row in seen)
    # A value that matches nothing finds nothing (markers are not ids).
    assert shape.dicts(DEFAULT_DB_ALIAS, fixed={"limit": 5}, customer_id=0, ids=every_id) == []


@pytest.mark.django_db
def test_the_query_is_built_once_per_shape(activities):
    customers, _made = activities
    built = []

    def build(**kwargs):
        built.append(kwargs)
        return _activities(**kwargs)

    shape = Shape(build)
    for customer in customers:
        for _ in range(3):
            shape.rows(DEFAULT_DB_ALIAS, fixed={"limit": 3}, customer_id=customer.pk, ids=[1, 2])
    # Built once with markers, once with the first call's values (to check it), then kept.
    assert len(built) == 2
    shape.rows(DEFAULT_DB_ALIAS, fixed={"limit": 3}, customer_id=1, ids=[1, 2, 3])  # 3 ids
    shape.rows(DEFAULT_DB_ALIAS, fixed={"limit": 4}, customer_id=1, ids=[1, 2, 3])
    assert len(built) == 6
    # Each run is one statement.
    with CaptureQueriesContext(connection) as queries:
        shape.rows(DEFAULT_DB_ALIAS, fixed={"limit": 4}, customer_id=2, ids=[4, 5, 6])
    assert len(queries) == 1


@pytest.mark.django_db
def test_a_value_the_builder_does_not_pass_as_a_parameter_is_refused():
    def branches(*, customer_id):
        # Tests the value: the marker takes the first branch whatever the real value.
        return Activity.objects.filter(customer_id=customer_id if customer_id > 0 else 1)

    def drops(*, customer_id, employee_id):
        return Activity.objects.filter(customer_id=customer_id)

    with pytest.raises(ShapeError, match="customer_id"):
        Shape(branches).rows(DEFAULT_DB_ALIAS, customer_id=5)
    with pytest.raises(ShapeError, match="employee_id"):
        Shape(drops).rows(DEFAULT_DB_ALIAS, customer_id=5, employee_id=7)


@pytest.mark.django_db
def test_counts_stop_at_the_limit_and_unions_answer_too(activities):
    customers, _made = activities

    def per_kind(*, customer_id, other_id):
        mine = Activity.objects.filter(customer_id=customer_id).order_by()
        theirs = Activity.objects.filter(customer_id=other_id).order_by()
        return (
            mine.values_list("kind")
            .annotate(n=Count("*"))
            .union(theirs.values_list("kind").annotate(n=Count("*")), all=True)
        )

    def ids(*, customer_id):
        return Activity.objects.filter(customer_id=customer_id).order_by().values("id")

    first, second = (c.pk for c in customers)
    rows = Shape(per_kind).rows(DEFAULT_DB_ALIAS, customer_id=first, other_id=second)
    assert sorted(map(tuple, rows)) == sorted(per_kind(customer_id=first, other_id=second))
    counted = Bound(Shape(ids), DEFAULT_DB_ALIAS, {"customer_id": first})
    assert counted.count(10) == 4 and counted.count(3) == 3


@pytest.mark.django_db
def test_a_query_that_can_have_no_rows_answers_none(activities):
    """An empty slice or an IN of no value: Django knows there are no rows before asking."""
    shape = Shape(_activities)
    customer_id = activities[0][0].pk
    assert shape.rows(DEFAULT_DB_ALIAS, fixed={"limit": 0}, customer_id=customer_id, ids=[1]) == []
    assert shape.dicts(DEFAULT_DB_ALIAS, fixed={"limit": 5}, customer_id=customer_id, ids=[]) == []
    of_ids = Shape(lambda *, ids: Activity.objects.filter(pk__in=ids).values("id"))
    assert Bound(of_ids, DEFAULT_DB_ALIAS, {"ids": []}).count(10) == 0
    assert Bound(of_ids, DEFAULT_DB_ALIAS, {"ids": [0, -1]}).count(10) == 0


@pytest.mark.django_db
def test_datetimes_are_passed_as_django_passes_them(activities):
    """Times in any zone, across the change to summer time: the rows of the ORM."""
    customers, made = activities

    def between(*, customer_id, since, until):
        rows = Activity.objects.filter(customer_id=customer_id, start__gte=since, start__lt=until)
        return rows.order_by("start").values_list("id")

    shape = Shape(between)
    warsaw, tokyo = ZoneInfo("Europe/Warsaw"), ZoneInfo("Asia/Tokyo")
    for since, until in (
        (datetime(2026, 3, 29, 0, tzinfo=warsaw), datetime(2026, 3, 29, 4, tzinfo=warsaw)),
        (datetime(2026, 3, 29, 8, tzinfo=tokyo), datetime(2026, 3, 29, 12, tzinfo=tokyo)),
        (made[3].start, made[7].start),
    ):
        for customer in customers:
            expected = list(between(customer_id=customer.pk, since=since, until=until))
            got = shape.rows(DEFAULT_DB_ALIAS, customer_id=customer.pk, since=since, until=until)
            assert list(map(tuple, got)) == expected
    assert expected  # the last range holds activities


@pytest.mark.parametrize("value", [None, "7", 7.0, True, [1, None], datetime(2026, 3, 29, 2)])
def test_values_are_ids_lists_of_ids_or_aware_datetimes(value):
    """None ("no filter") and naive times belong in `fixed` or nowhere, not in a value."""
    with pytest.raises(TypeError):
        Shape(_activities).rows(DEFAULT_DB_ALIAS, fixed={"limit": 1}, customer_id=value, ids=[1])


@pytest.mark.django_db
def test_a_marker_that_django_would_judge_by_its_value_is_refused(activities):
    """A version is a positive integer: Django decides a lookup of a negative one (the
    marker) without asking the database (no rows, or no condition at all). Caught when
    the shape is first built, against the call's own values, never run silently."""
    by_version = Shape(lambda *, version: Activity.objects.filter(version=version).values("id"))
    at_least = Shape(lambda *, version: Activity.objects.filter(version__gte=version).values("id"))
    with pytest.raises(ShapeError):
        by_version.rows(DEFAULT_DB_ALIAS, version=1)
    with pytest.raises(ShapeError):
        at_least.rows(DEFAULT_DB_ALIAS, version=1)


@pytest.mark.django_db
def test_a_sliced_shape_is_counted_too(activities):
    _customers, made = activities
    newest = Shape(lambda *, ids: Activity.objects.filter(pk__in=ids).order_by("-id")[:3])
    counted = Bound(newest, DEFAULT_DB_ALIAS, {"ids": [a.pk for a in made]})
    assert counted.count(10) == 3 and counted.count(2) == 2


def test_a_list_longer_than_its_markers_span_is_refused():
    with pytest.raises(ValueError):
        Shape(_activities).rows(
            DEFAULT_DB_ALIAS, fixed={"limit": 1}, customer_id=1, ids=list(range(100_000))
        )


@pytest.mark.django_db
def test_repeated_ids_in_a_list_count_once_as_in_the_orm(activities):
    customers, made = activities
    ids = [made[1].pk, made[1].pk, made[5].pk]  # two meetings of the second customer
    expected = list(_activities(customer_id=customers[1].pk, ids=ids, limit=5))
    got = Shape(_activities).dicts(
        DEFAULT_DB_ALIAS, fixed={"limit": 5}, customer_id=customers[1].pk, ids=ids
    )
    assert got == expected and len(got) == 2
