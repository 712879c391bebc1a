"""Reads of the schedule shared by the pages, the feeds and the API."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Prefetch, QuerySet

from activities.models import Activity, ActivityStatus
from activities.selectors import participations_overlapping
from customers.models import ContactPerson
from dictionaries.models import ActivityCategory
from employees.models import Employee
from schedule.ical import CalendarEntry, Person
from schedule.models import CalendarFeed

_PEOPLE = ("id", "first_name", "last_name", "email")
# After any date the app accepts (spotkania.limits: years up to 2999).
FAR_FUTURE = datetime(3000, 1, 1, tzinfo=UTC)


def schedule_activities(*, employee_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """Scheduled activities of these employees overlapping [start, end), with everything a
    calendar entry shows; a fixed number of queries whatever the range holds."""
    matching = participations_overlapping(employee_ids=employee_ids, start=start, end=end).filter(
        in_schedule=True
    )
    return (
        Activity.objects.filter(pk__in=matching.values("activity_id"))
        .select_related("customer", "priority", "category")
        .prefetch_related(Prefetch("employees", queryset=Employee.objects.only(*_PEOPLE)))
        .order_by("start", "id")
    )


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


def employee_feed_activities(*, employee: Employee, since: datetime) -> QuerySet:
    """What an employee's calendar feed holds: their scheduled activities since `since`."""
    links = participations_overlapping(
        employee_ids=[employee.pk], start=since, end=FAR_FUTURE
    ).filter(in_schedule=True)
    return feed_activities().filter(pk__in=links.values("activity_id")).order_by("start", "id")


def calendar_entries(activities: QuerySet) -> list[CalendarEntry]:
    """These activities as calendar entries, read as plain rows: three queries and no
    model instances. A year-long feed holds thousands of activities; as instances, with
    their employees and contact persons prefetched, they took three times as long to
    load (0.12 against 0.04 ms an activity), longer than the feed takes to write."""
    chosen = activities.values("pk")
    employees = defaultdict(list)
    for activity_id, *person in (
        Activity.employees.through.objects.filter(activity__in=chosen)
        .order_by("employee__last_name", "employee__first_name", "employee_id")
        .values_list(
            "activity_id",
            "employee_id",
            "employee__first_name",
            "employee__last_name",
            "employee__email",
        )
    ):
        employees[activity_id].append(_person(*person))
    contact_persons = defaultdict(list)
    for activity_id, *person in (
        Activity.contact_persons.through.objects.filter(activity__in=chosen)
        .order_by("contactperson__last_name", "contactperson__first_name", "contactperson_id")
        .values_list(
            "activity_id",
            "contactperson_id",
            "contactperson__first_name",
            "contactperson__last_name",
            "contactperson__email",
        )
    ):
        contact_persons[activity_id].append(_person(*person))
    rows = activities.prefetch_related(None).values_list(  # prefetches are for instances
        "id",
        "version",
        "created_at",
        "updated_at",
        "kind",
        "status",
        "subject",
        "start",
        "end",
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
        named=True,
    )
    # A category's name in the request's language, as the model gives it: one instance
    # per category, not per row.
    categories: dict[int | None, str | None] = {None: None}
    entries = []
    for row in rows:
        if row.category_id not in categories:
            category = ActivityCategory(
                name_pl=row.category__name_pl, name_en=row.category__name_en
            )
            categories[row.category_id] = category.name
        entries.append(
            CalendarEntry(
                pk=row.id,
                version=row.version,
                created_at=row.created_at,
                updated_at=row.updated_at,
                kind=row.kind,
                status=row.status,
                subject=row.subject,
                start=row.start,
                end=row.end,
                time_zone=row.time_zone,
                all_day=row.all_day,
                place=row.place,
                notes=row.notes,
                customer=row.customer__name,
                priority_id=row.priority_id,
                category=categories[row.category_id],
                leader=_person(
                    row.leader_id, row.leader__first_name, row.leader__last_name, row.leader__email
                ),
                employees=tuple(employees[row.id]),
                contact_persons=tuple(contact_persons[row.id]),
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
