"""The schedule over the API: an employee's activities in a range, and free/busy.

Datetimes without an offset are read in the caller's time zone (as on the pages); a date
alone means its midnight. Ranges are half-open, [start, end), and at most 366 days long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from activities.models import Activity
from api.endpoints.activities import ROW_COLUMNS, page_out
from api.errors import ApiValidationError, NotFound
from api.renderers import json_response
from api.schemas import MAX_ID, ActivityPage, DateTime, ErrorOut, Text
from employees.models import Employee
from employees.selectors import may_open_schedule, visible_employees
from schedule.selectors import busy_periods, schedule_values

router = Router(tags=["schedule"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_RANGE = timedelta(days=366)
MAX_EMPLOYEES = 50


class RangeParams(Schema):
    start: DateTime = Field(description="From (inclusive), ISO 8601.")
    end: DateTime = Field(description="To (exclusive), ISO 8601; at most 366 days after start.")


class FreeBusyParams(RangeParams):
    employees: Text(1000) = Field(description="Employee ids, comma-separated: `1,2,3`.")


class BusyOut(Schema):
    start: datetime
    end: datetime


class EmployeeBusyOut(Schema):
    id: int
    busy: list[BusyOut]


class FreeBusyOut(Schema):
    start: datetime
    end: datetime
    employees: list[EmployeeBusyOut]


def _range(params: RangeParams) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start, end = (
        value if value.tzinfo is not None else value.replace(tzinfo=zone)
        for value in (params.start, params.end)
    )
    if end <= start:
        raise ApiValidationError({"end": [_("The end must be after the start.")]})
    if end - start > MAX_RANGE:
        raise ApiValidationError({"end": [_("The range may cover at most 366 days.")]})
    return start.astimezone(zone), end.astimezone(zone)


@router.get(
    "/employees/{employee_id}/schedule",
    response={200: ActivityPage, **READ_ERRORS},
    summary="An employee's schedule in a range",
    description="The scheduled activities (`in_schedule`) the employee takes part in that "
    "overlap [start, end), by start; cancelled and ended ones included (see `status`). "
    "A fixed number of queries whatever the range holds.",
)
def employee_schedule(request, employee_id: int, params: Query[RangeParams]):
    if not (0 < employee_id <= MAX_ID and may_open_schedule(request.user, employee_id)):
        raise NotFound(Employee)
    start, end = _range(params)
    # Rows as the activity list writes them (column values, links in one statement).
    rows = schedule_values(employee_ids=[employee_id], start=start, end=end, columns=ROW_COLUMNS)
    items = page_out(rows, user=request.user, using=Activity.objects.db)
    return json_response(request, {"items": items, "count": len(items)})


@router.get(
    "/schedule/free-busy",
    response={200: FreeBusyOut, **READ_ERRORS},
    summary="Free/busy of employees in a range",
    description="Per employee, the merged periods within [start, end) taken by scheduled, "
    "not cancelled activities: the same rule as the conflict check, so a slot outside them "
    "can be booked without a conflict. Subjects are not disclosed. Unknown ids, and employees "
    "whose schedule the caller may not see: 404.",
)
def free_busy(request, params: Query[FreeBusyParams]):
    try:
        ids = list(dict.fromkeys(int(v) for v in params.employees.split(",") if v.strip()))
    except ValueError:
        ids = None
    if not ids or len(ids) > MAX_EMPLOYEES or any(not 0 < pk <= MAX_ID for pk in ids):
        message = _("Give up to %(max)d employee ids, comma-separated.") % {"max": MAX_EMPLOYEES}
        raise ApiValidationError({"employees": [message]})
    start, end = _range(params)
    # Free/busy tells no subjects, but who is busy when is still the structure's business:
    # it is limited to the employees whose schedule the caller may open.
    if visible_employees(request.user).filter(pk__in=ids).count() != len(ids):
        raise NotFound(Employee)
    zone = timezone.get_current_timezone()
    periods = busy_periods(employee_ids=ids, start=start, end=end)
    return {
        "start": start,
        "end": end,
        "employees": [
            {
                "id": pk,
                "busy": [
                    {"start": p.start.astimezone(zone), "end": p.end.astimezone(zone)}
                    for p in periods[pk]
                ],
            }
            for pk in ids
        ],
    }
