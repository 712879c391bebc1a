"""Clashes in the schedule: two scheduled activities of one employee at the same time.

Kept apart from the services so that `activities.services` can check a save without
importing the rest of the schedule (which imports the activity services itself).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activities.models import SHORT_SPAN, ActivityStatus, Participation
from employees.models import Employee
from spotkania.shapes import Shape


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


@dataclass(frozen=True)
class Span:
    """A time to look for clashes in, [start, end), and the activities not to count there
    (the one being saved, and what the same save writes after it)."""

    start: datetime
    end: datetime
    exclude_ids: frozenset[int] = frozenset()

    def includes(self, row) -> bool:
        """Whether a link found by the query belongs to this span (the query asks for
        all spans at once)."""
        return (
            row.start < self.end
            and row.end > self.start
            and row.activity_id not in self.exclude_ids
        )


def find_clashes(
    *,
    employee_ids: list[int],
    start: datetime,
    end: datetime,
    exclude_id: int | None = None,
    user=None,
) -> list[Clash]:
    """Scheduled, not cancelled activities of these employees overlapping [start, end),
    but `exclude_id`: `find_clashes_in` for one span."""
    if start is None or end is None:
        return []
    excluded = frozenset() if exclude_id is None else frozenset([exclude_id])
    (clashes,) = find_clashes_in(
        employee_ids=employee_ids, spans=[Span(start, end, excluded)], user=user
    )
    return clashes


class _ClashRow(NamedTuple):
    """What a clash says, and no more: at a dozen clashes a save, reading the whole rows
    of the activities and employees cost more than the query."""

    activity_id: int
    employee_id: int
    start: datetime  # the link's copy of its activity's (Span.includes)
    end: datetime
    first_name: str
    last_name: str
    subject: str
    activity_start: datetime
    activity_end: datetime
    all_day: bool


def _clash_rows(*, spans: int, employee_ids: list[int], **times) -> QuerySet:
    """The links of `find_clashes_in`, as the values of _ClashRow. The activities a span
    excludes are left out in Python (`Span.includes`), not in the query: with a NOT IN
    in each span's branch of the OR, SQLite stopped reading the spans from the links'
    indexes and walked every activity by start (7 s at a million; 0.3 ms without)."""
    from activities.selectors import participations_overlapping

    queries = [
        participations_overlapping(
            employee_ids=employee_ids,
            start=times[f"start{i}"],
            end=times[f"end{i}"],
            recent_from=times[f"recent{i}"],
        )
        for i in range(spans)
    ]
    return (
        reduce(operator.or_, queries)
        .filter(in_schedule=True)
        .exclude(activity__status=ActivityStatus.CANCELLED)
        .order_by("activity__start", "employee__last_name", "employee_id")
        .values_list(
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
    )


# Every save checks its spans: the same statement with other people and times, built
# once per number of spans (spotkania.shapes).
_CLASH_ROWS = Shape(_clash_rows)


def find_clashes_in(*, employee_ids: list[int], spans: list[Span], user=None) -> list[list[Clash]]:
    """Scheduled, not cancelled activities of these employees overlapping each span (an
    activity and its follow-up): a list of clashes per span, by start, then employee.

    Intervals are half-open, so a meeting ending at 11:00 and one starting at 11:00 do not
    clash. One statement, whatever the number of employees and spans (built once per
    number of spans: spotkania.shapes): the rows it finds are then sorted into their
    spans. With a `user`, the clashes that user may not see are marked, so their
    subjects stay hidden: a user sees whatever the employees they may see take part in
    (`visible_activities`), so only a clash of another employee (a meeting booked for
    someone outside the user's teams) costs a second query, asking the rule itself.
    """
    found: list[list[Clash]] = [[] for _ in spans]
    if not employee_ids or not spans:
        return found
    from activities.selectors import visible_activities
    from employees.selectors import visible_employee_ids

    times = {}
    for i, span in enumerate(spans):
        times.update({f"start{i}": span.start, f"end{i}": span.end})
        times[f"recent{i}"] = span.start - SHORT_SPAN
    found_rows = _CLASH_ROWS.rows(
        Participation.objects.db,
        fixed={"spans": len(spans)},
        employee_ids=list(employee_ids),
        **times,
    )
    # Each row with the lists of the spans it clashes in.
    rows = []
    for values in found_rows:
        row = _ClashRow(*values)
        lists = [clashes for span, clashes in zip(spans, found, strict=True) if span.includes(row)]
        if lists:
            rows.append((row, lists))
    visible = None
    if user is not None and rows:
        seen = visible_employee_ids(user)
        visible = {row.activity_id for row, _ in rows if seen is None or row.employee_id in seen}
        unsure = {row.activity_id for row, _ in rows} - visible
        if unsure:
            visible |= set(
                visible_activities(user).filter(pk__in=unsure).values_list("pk", flat=True)
            )
    for row, lists in rows:
        clash = Clash(
            employee_id=row.employee_id,
            employee_name=Employee.name_of(row.first_name, row.last_name),
            activity_id=row.activity_id,
            subject=row.subject,
            start=row.activity_start,
            end=row.activity_end,
            all_day=row.all_day,
            visible=visible is None or row.activity_id in visible,
        )
        for clashes in lists:
            clashes.append(clash)
    return found


def check_clashes(
    *, employee_ids: list[int], spans: list[Span], ignore: bool, user=None
) -> list[list[Clash]]:
    """Raises ScheduleConflict when the policy does not let a save double-book in one of
    `spans` (the first that does, as if each had been checked in turn); its messages name
    only the activities `user` may see. Otherwise returns the clashes of each span the
    save may make (under "warn", ignored): a caller that reports them (the API's
    X-Schedule-Conflicts) need not look for them again."""
    found = find_clashes_in(employee_ids=employee_ids, spans=spans, user=user)
    policy = conflict_policy()
    if policy == "warn" and ignore:
        return found
    for clashes in found:
        if clashes:
            raise ScheduleConflict(clashes, overridable=policy == "warn")
    return found
