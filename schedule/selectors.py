"""Reads of the schedule shared by the pages, the feeds and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Prefetch, QuerySet

from activities.models import Activity, ActivityStatus
from activities.selectors import participations_overlapping
from customers.models import ContactPerson
from employees.models import Employee
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
