"""Reads of the schedule shared by the pages, the feeds and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from activities.models import Activity, ActivityStatus
from customers.models import ContactPerson
from employees.models import Employee
from schedule.models import CalendarFeed

_PEOPLE = ("id", "first_name", "last_name", "email")


def schedule_activities(*, employee_ids: list[int], start: datetime, end: datetime) -> QuerySet:
    """Scheduled activities of these employees overlapping [start, end), with everything a
    calendar entry shows; a fixed number of queries whatever the range holds."""
    matching = Activity.objects.filter(
        in_schedule=True, employees__id__in=employee_ids, start__lt=end, end__gt=start
    ).values("pk")
    return (
        Activity.objects.filter(pk__in=matching)
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
    return (
        feed_activities()
        .filter(in_schedule=True, employees=employee, end__gte=since)
        .order_by("start", "id")
    )


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
    through = Activity.employees.through
    rows = (
        through.objects.filter(
            employee_id__in=employee_ids,
            activity__in_schedule=True,
            activity__start__lt=end,
            activity__end__gt=start,
        )
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .values_list("employee_id", "activity__start", "activity__end")
        .order_by("employee_id", "activity__start")
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
