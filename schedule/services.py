"""Rules of the schedule: calendar feed tokens and rescheduling from the calendar."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction

from activities import services as activity_services
from activities.models import Activity
from employees.models import Employee
from schedule.invitations import InvitationReport
from schedule.models import CalendarFeed, new_feed_token


@transaction.atomic
def calendar_feed_regenerate(*, employee: Employee) -> CalendarFeed:
    """Gives the employee a new feed URL; the previous one stops working at once."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(employee=employee)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed


@transaction.atomic
def calendar_feed_revoke(*, employee: Employee) -> None:
    """Switches the employee's feed off: its URL answers 404 from now on."""
    CalendarFeed.objects.filter(employee=employee).delete()


def _input_from(activity: Activity) -> activity_services.ActivityInput:
    """The activity as the form would send it unchanged (all-day end: the last day)."""
    end = (
        datetime.combine(activity.last_day, time(0), tzinfo=activity.zone)
        if activity.all_day
        else activity.end
    )
    return activity_services.ActivityInput(
        kind=activity.kind,
        subject=activity.subject,
        customer=activity.customer,
        contact_persons=list(activity.contact_persons.all()),
        employees=list(activity.employees.all()),
        leader=activity.leader,
        start=activity.start,
        end=end,
        time_zone=activity.time_zone,
        all_day=activity.all_day,
        place=activity.place,
        notes=activity.notes,
        priority=activity.priority,
        category=activity.category,
        in_schedule=activity.in_schedule,
        expected_cost=activity.expected_money,
        actual_cost=activity.actual_money,
    )


def activity_reschedule(
    *,
    activity: Activity,
    start: datetime | date,
    end: datetime | date | None,
    all_day: bool,
    user=None,
    ignore_conflicts: bool = False,
    invitations: InvitationReport | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Moves or resizes an activity dragged in the calendar, through the same service and
    checks as the form (an ended activity stays where it is, conflicts are reported).
    `expected_version`, the version the calendar was loaded with, refuses (StaleVersion)
    a drag made before someone else's save, as the form does; None skips the check.

    For an all-day activity `start` and `end` are dates and `end` is exclusive, as the
    calendar gives it; a missing end keeps the length (a timed activity) or one day.
    """
    data = _input_from(activity)
    zone = activity.zone
    if all_day:
        first = start if isinstance(start, date) and not isinstance(start, datetime) else None
        if first is None:
            first = start.astimezone(zone).date()
        if end is None:
            last = first
        else:
            stop = end if not isinstance(end, datetime) else end.astimezone(zone).date()
            last = max(first, stop - timedelta(days=1))
        data.start = datetime.combine(first, time(0), tzinfo=zone)
        data.end = datetime.combine(last, time(0), tzinfo=zone)
    else:
        if not isinstance(start, datetime):
            raise ValueError("a timed activity needs datetimes")
        data.start = start
        data.end = (
            end
            if end is not None
            else start + (activity.duration if not activity.all_day else timedelta(hours=1))
        )
    data.all_day = all_day
    return activity_services.activity_update(
        activity=activity,
        data=data,
        updated_by=user,
        ignore_conflicts=ignore_conflicts,
        invitations=invitations,
        expected_version=expected_version,
    )
