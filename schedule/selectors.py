"""Reads of the schedule shared by the pages, the feeds and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connections
from django.db.models import BigIntegerField, CharField, Func, Prefetch, QuerySet

from activities.models import SHORT_SPAN, Activity, ActivityStatus
from activities.selectors import overlapping_activity_ids, participations_overlapping
from customers.models import ContactPerson
from dictionaries.models import ActivityCategory
from employees.models import Employee
from schedule.ical import CalendarEntry, Person
from schedule.models import CalendarFeed
from spotkania.shapes import Shape

_PEOPLE = ("id", "first_name", "last_name", "email")


def _scheduled(*, employee_ids, start: datetime, end: datetime, recent_from=None) -> QuerySet:
    """Scheduled activities of these employees overlapping [start, end), in time order."""
    matching = participations_overlapping(
        employee_ids=employee_ids, start=start, end=end, recent_from=recent_from
    ).filter(in_schedule=True)
    return Activity.objects.filter(pk__in=matching.values("activity_id")).order_by("start", "id")


def schedule_activities(*, employee_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """Scheduled activities of these employees overlapping [start, end), with everything a
    calendar entry shows; a fixed number of queries whatever the range holds."""
    return (
        _scheduled(employee_ids=employee_ids, start=start, end=end)
        .select_related("customer", "priority", "category")
        .prefetch_related(Prefetch("employees", queryset=Employee.objects.only(*_PEOPLE)))
    )


def schedule_values(
    *, employee_ids: list[int], start: datetime, end: datetime, columns: tuple[str, ...]
) -> list[dict]:
    """The `columns` of `schedule_activities` as QuerySet.values() reads them, by a
    statement built once per shape (spotkania.shapes): the schedule API asks the same
    question with other employees and weeks on every request."""
    return _SCHEDULE_VALUES.dicts(
        Activity.objects.db,
        fixed={"columns": columns},
        employee_ids=list(employee_ids),
        start=start,
        end=end,
        recent_from=start - SHORT_SPAN,
    )


def _schedule_values(*, columns: tuple[str, ...], **scheduled) -> QuerySet:
    return _scheduled(**scheduled).values(*columns)


_SCHEDULE_VALUES = Shape(_schedule_values)


def feed_activities() -> QuerySet:
    """Activities with all an iCalendar event names (leader, attendees, category)."""
    return Activity.objects.select_related(
        "customer", "priority", "category", "leader"
    ).prefetch_related(
        Prefetch("employees", queryset=Employee.objects.only(*_PEOPLE)),
        Prefetch(
            "contact_persons",
            queryset=ContactPerson.objects.only(*_PEOPLE, "customer_id"),
        ),
    )


def _feed_links(*, employee: Employee, since: datetime) -> QuerySet:
    """The ids of the activities of the employee's feed: scheduled, from `since` on."""
    return overlapping_activity_ids(employee_ids=[employee.pk], start=since, in_schedule=True)


def employee_feed_activities(*, employee: Employee, since: datetime) -> QuerySet:
    """What an employee's calendar feed holds: their scheduled activities since `since`."""
    links = _feed_links(employee=employee, since=since)
    return feed_activities().filter(pk__in=links).order_by("start", "id")


def employee_feed_entries(*, employee: Employee, since: datetime) -> list[CalendarEntry]:
    """The activities of employee_feed_activities as calendar entries. Their people are
    read by the employee's links themselves: asked through the activities, PostgreSQL
    gathered and hashed the links once more for each of the two queries (15 ms each for
    the 3 300 activities of a year)."""
    activities = employee_feed_activities(employee=employee, since=since)
    return calendar_entries(activities, chosen=_feed_links(employee=employee, since=since))


class _UtcText(Func):
    """A datetime column as RFC 5545's UTC DATE-TIME text (3.3.5, form 2: 20260610T080000Z),
    to the second, written by the database. Read as datetimes, the feed's created and
    modified times cost more in Django's converters (SQLite) and time zone loaders
    (PostgreSQL) than writing the event does."""

    arity = 1
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        # Django stores "YYYY-MM-DD HH:MM:SS.ffffff" in UTC; SQLite's time functions
        # round to the millisecond (23:59:59.9996 would be the next day): cut first.
        return f"strftime(%s, substr({sql}, 1, 19))", ("%Y%m%dT%H%M%SZ", *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE 'UTC', %s)", (*params, 'YYYYMMDD"T"HH24MISS"Z"')


class _EpochSeconds(Func):
    """A datetime column as whole seconds since 1970 (rounded down), which Python turns
    into an aware datetime (`datetime.fromtimestamp`) ten times faster than Django reads
    a datetime column. iCalendar writes times to the second."""

    arity = 1
    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        # As in _UtcText, the fraction cut before SQLite rounds it.
        return f"CAST(strftime(%s, substr({sql}, 1, 19)) AS INTEGER)", ("%s", *params)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"FLOOR(EXTRACT(EPOCH FROM {sql}))::bigint", params


def _people_of(
    through, person: str, chosen: QuerySet
) -> tuple[dict[int, list[Person]], dict[int, Person]]:
    """The people (`person`: the link's field) of each chosen activity, by name, through
    the link table `through`, and each of them by id: one query, each person one Person
    however many activities name them."""
    people: dict[int, Person] = {}
    of_activity: defaultdict[int, list[Person]] = defaultdict(list)
    links = (
        through.objects.filter(activity_id__in=chosen)
        .order_by(f"{person}__last_name", f"{person}__first_name", f"{person}_id")
        .values_list(
            "activity_id",
            f"{person}_id",
            f"{person}__first_name",
            f"{person}__last_name",
            f"{person}__email",
        )
    )
    for activity_id, pk, first_name, last_name, email in _driver_rows(links):
        found = people.get(pk)
        if found is None:
            found = people[pk] = _person(pk, first_name, last_name, email)
        of_activity[activity_id].append(found)
    return of_activity, people


def _driver_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list() as the database driver gives them: the SQL is the
    QuerySet's, but Django's per-value converters are left out (on SQLite they turn 0/1
    into booleans, and every expression's integer is passed through int()). For the
    70 000 values of a year-long feed they cost more than reading them. Only for columns
    whose driver value is the one wanted (or, as all_day, tested for truth)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def calendar_entries(
    activities: QuerySet, *, chosen: QuerySet | None = None
) -> list[CalendarEntry]:
    """These activities as calendar entries, read as plain rows: three queries and no
    model instances. A year-long feed holds thousands of activities; as instances, with
    their employees and contact persons prefetched, they took three times as long to
    load (0.12 against 0.04 ms an activity), longer than the feed takes to write.

    Times come to the second (see _UtcText, _EpochSeconds), and each person once as a
    Person however many activities name them. `chosen`: the ids of the same activities
    as a cheaper subquery, when the caller has one."""
    if chosen is None:
        chosen = activities.values("pk")
    # `people`: the employees by id, the leaders among them.
    employees, people = _people_of(Activity.employees.through, "employee", chosen)
    contact_persons, _ = _people_of(Activity.contact_persons.through, "contactperson", chosen)
    columns = activities.prefetch_related(None).values_list(  # prefetches are for instances
        "id",
        "version",
        _UtcText("created_at"),
        _UtcText("updated_at"),
        "kind",
        "status",
        "subject",
        _EpochSeconds("start"),
        _EpochSeconds("end"),
        "time_zone",
        "all_day",
        "place",
        "notes",
        "customer__name",
        "priority_id",
        "category_id",
        "category__name_pl",
        "category__name_en",
        "leader_id",
        "leader__first_name",
        "leader__last_name",
        "leader__email",
    )
    # A category's name in the request's language, as the model gives it: one instance
    # per category, not per row.
    categories: dict[int | None, str | None] = {None: None}
    no_one = ()
    entries = []
    for (
        pk,
        version,
        created,
        modified,
        kind,
        status,
        subject,
        start,
        end,
        time_zone,
        all_day,
        place,
        notes,
        customer,
        priority_id,
        category_id,
        category_pl,
        category_en,
        leader_id,
        leader_first_name,
        leader_last_name,
        leader_email,
    ) in _driver_rows(columns):
        if category_id not in categories:
            category = ActivityCategory(name_pl=category_pl, name_en=category_en)
            categories[category_id] = category.name
        leader = people.get(leader_id)
        if leader is None:
            leader = people[leader_id] = _person(
                leader_id, leader_first_name, leader_last_name, leader_email
            )
        entries.append(
            CalendarEntry(
                pk=pk,
                version=version,
                created=created,
                modified=modified,
                kind=kind,
                status=status,
                subject=subject,
                start=datetime.fromtimestamp(start, UTC),
                end=datetime.fromtimestamp(end, UTC),
                time_zone=time_zone,
                all_day=bool(all_day),
                place=place,
                notes=notes,
                customer=customer,
                priority_id=priority_id,
                category=categories[category_id],
                leader=leader,
                employees=tuple(employees.get(pk, no_one)),
                contact_persons=tuple(contact_persons.get(pk, no_one)),
            )
        )
    return entries


def _person(pk: int, first_name: str, last_name: str, email: str) -> Person:
    # The full name as Employee.full_name and ContactPerson.full_name write it.
    return Person(pk=pk, name=f"{first_name} {last_name}".strip(), email=email)


def feed_by_token(*, token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.select_related("employee").filter(token=token).first()


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime


def busy_periods(
    *, employee_ids: list[int], start: datetime, end: datetime
) -> dict[int, list[Busy]]:
    """Per employee, the merged periods within [start, end) taken by scheduled, not
    cancelled activities (the same rule as the conflict check). One query."""
    rows = (
        participations_overlapping(employee_ids=employee_ids, start=start, end=end)
        .filter(in_schedule=True)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values_list("employee_id", "start", "end")
        .order_by("employee_id", "start")
    )
    result: dict[int, list[Busy]] = {pk: [] for pk in employee_ids}
    for employee_id, busy_start, busy_end in rows:
        busy_start, busy_end = max(busy_start, start), min(busy_end, end)
        periods = result[employee_id]
        if periods and busy_start <= periods[-1].end:
            if busy_end > periods[-1].end:
                periods[-1] = Busy(periods[-1].start, busy_end)
        else:
            periods.append(Busy(busy_start, busy_end))
    return result
