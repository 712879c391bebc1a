"""Clashes in the schedule: two scheduled activities of one employee at the same time.

Kept apart from the services so that `activities.services` can check a save without
importing the rest of the schedule (which imports the activity services itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.models import ActivityStatus


@dataclass(frozen=True)
class Clash:
    """One employee who would be in two places at once, and the activity already there."""

    employee_id: int
    employee_name: str
    activity_id: int
    subject: str
    start: datetime
    end: datetime
    all_day: bool
    # False when the user saving may not see that activity: then only "busy" is said,
    # never its subject or a link (the schedule's visibility rule, issue 6).
    visible: bool = True

    def message(self) -> str:
        if self.all_day:
            when = formats.date_format(timezone.localtime(self.start).date(), "SHORT_DATE_FORMAT")
        else:
            start = formats.date_format(timezone.localtime(self.start), "SHORT_DATETIME_FORMAT")
            end = formats.time_format(timezone.localtime(self.end), "TIME_FORMAT")
            when = f"{start}\u2013{end}"
        if not self.visible:
            return _("%(employee)s is busy then (%(when)s).") % {
                "employee": self.employee_name,
                "when": when,
            }
        return _("%(employee)s already has “%(subject)s” (%(when)s).") % {
            "employee": self.employee_name,
            "subject": self.subject,
            "when": when,
        }


def conflict_policy() -> str:
    """ "warn" (the user may save anyway) or "refuse", from SPOTKANIA_SCHEDULE_CONFLICTS."""
    return settings.SPOTKANIA_SCHEDULE_CONFLICTS


class ScheduleConflict(ValidationError):
    """A save that would double-book employees. A ValidationError (under `conflicts`), so
    callers that know nothing of the schedule still refuse the save with a message."""

    def __init__(self, clashes: list[Clash], *, overridable: bool) -> None:
        self.clashes = clashes
        self.overridable = overridable
        super().__init__({"conflicts": [c.message() for c in clashes]}, code="conflict")


# What a clash says, and no more: at a dozen clashes a save, reading the whole rows of
# the activities and employees cost more than the query.
_CLASH_FIELDS = (
    "activity_id",
    "employee_id",
    "start",
    "end",
    "employee__first_name",
    "employee__last_name",
    "activity__subject",
    "activity__start",
    "activity__end",
    "activity__all_day",
)


def find_clashes(
    *,
    employee_ids: list[int],
    start: datetime,
    end: datetime,
    exclude_id: int | None = None,
    user=None,
) -> list[Clash]:
    """Scheduled, not cancelled activities of these employees overlapping [start, end).

    Intervals are half-open, so a meeting ending at 11:00 and one starting at 11:00 do not
    clash. One query, whatever the number of employees. With a `user`, the clashes that
    user may not see are marked, so their subjects stay hidden: a user sees whatever the
    employees they may see take part in (`visible_activities`), so only a clash of
    another employee (a meeting booked for someone outside the user's teams) costs a
    second query, asking the rule itself.
    """
    if not employee_ids or start is None or end is None:
        return []
    from activities.selectors import participations_overlapping, visible_activities
    from employees.selectors import visible_employee_ids

    rows = (
        participations_overlapping(employee_ids=employee_ids, start=start, end=end)
        .filter(in_schedule=True)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .select_related("employee", "activity")
        .only(*_CLASH_FIELDS)
        .order_by("activity__start", "employee__last_name", "employee_id")
    )
    if exclude_id is not None:
        rows = rows.exclude(activity_id=exclude_id)
    rows = list(rows)
    visible = None
    if user is not None and rows:
        seen = visible_employee_ids(user)
        visible = {row.activity_id for row in rows if seen is None or row.employee_id in seen}
        unsure = {row.activity_id for row in rows} - visible
        if unsure:
            visible |= set(
                visible_activities(user).filter(pk__in=unsure).values_list("pk", flat=True)
            )
    return [
        Clash(
            employee_id=row.employee_id,
            employee_name=row.employee.full_name,
            activity_id=row.activity_id,
            subject=row.activity.subject,
            start=row.activity.start,
            end=row.activity.end,
            all_day=row.activity.all_day,
            visible=visible is None or row.activity_id in visible,
        )
        for row in rows
    ]


def check_clashes(
    *,
    employee_ids: list[int],
    start: datetime,
    end: datetime,
    exclude_id: int | None,
    ignore: bool,
    user=None,
) -> list[Clash]:
    """Raises ScheduleConflict when the policy does not let this save double-book; its
    messages name only the activities `user` may see. Otherwise returns the clashes the
    save may make (under "warn", ignored): a caller that reports them (the API's
    X-Schedule-Conflicts) need not look for them again."""
    clashes = find_clashes(
        employee_ids=employee_ids, start=start, end=end, exclude_id=exclude_id, user=user
    )
    if not clashes:
        return []
    policy = conflict_policy()
    if policy == "warn" and ignore:
        return clashes
    raise ScheduleConflict(clashes, overridable=policy == "warn")
