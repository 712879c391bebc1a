"""Employees. Adding and changing them is an administrator's job, as in the admin:
it needs the `employees.add_employee` / `employees.change_employee` permissions."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from api.errors import ApiValidationError, Forbidden, django_errors, get_or_404
from api.pagination import PageParams, page_of
from api.schemas import MAX_ID, EmployeeIn, EmployeeOut, EmployeePage, EmployeePatch, ErrorOut, Text
from employees.models import Employee
from schedule.models import CalendarFeed
from schedule.views import feed_url

router = Router(tags=["employees"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def employee_out(employee: Employee, request=None) -> dict:
    """`calendar_feed_url` is a secret: shown to the employee themself and to
    administrators only (and only with the request to build the absolute URL from)."""
    return {
        "id": employee.pk,
        "first_name": employee.first_name,
        "last_name": employee.last_name,
        "email": employee.email,
        "user": employee.user.get_username() if employee.user_id else None,
        "time_zone": employee.time_zone,
        "is_active": employee.is_active,
        "calendar_feed_url": _feed_url(employee, request),
    }


def _feed_url(employee: Employee, request) -> str | None:
    if request is None:
        return None
    user = request.user
    if not (user.is_superuser or (employee.user_id is not None and employee.user_id == user.pk)):
        return None
    try:
        feed = employee.calendar_feed
    except CalendarFeed.DoesNotExist:
        feed = None
    return feed_url(request, feed)


class EmployeeFilters(PageParams):
    q: Text(200) = ""
    is_active: bool | None = None


@router.get("/employees", response={200: EmployeePage, **READ_ERRORS}, summary="List employees")
def employee_list(request, filters: Query[EmployeeFilters]):
    employees = Employee.objects.select_related("user", "calendar_feed").order_by(
        "last_name", "first_name", "id"
    )
    if filters.is_active is not None:
        employees = employees.filter(is_active=filters.is_active)
    if term := filters.q.strip():
        employees = employees.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
        )
    items, count = page_of(employees, filters)
    return {"items": [employee_out(e, request) for e in items], "count": count}


@router.post("/employees", response={201: EmployeeOut, **WRITE_ERRORS}, summary="Add an employee")
def employee_create(request, payload: EmployeeIn):
    _require(request, "employees.add_employee")
    employee = Employee()
    _apply(employee, payload.dict())
    return Status(201, employee_out(employee, request))


@router.get(
    "/employees/{employee_id}", response={200: EmployeeOut, **READ_ERRORS}, summary="An employee"
)
def employee_detail(request, employee_id: int):
    return employee_out(_employee(employee_id), request)


@router.patch(
    "/employees/{employee_id}",
    response={200: EmployeeOut, **WRITE_ERRORS},
    summary="Change an employee",
)
def employee_update(request, employee_id: int, payload: EmployeePatch):
    _require(request, "employees.change_employee")
    with transaction.atomic():
        employee = _employee(employee_id, lock=True)
        _apply(employee, payload.dict(exclude_unset=True))
    return employee_out(employee, request)


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise Forbidden()


def _apply(employee: Employee, data: dict) -> None:
    """Sets the given fields and saves, checking them as the admin form would."""
    errors: dict[str, list[str]] = {}
    if "user" in data:
        username = data.pop("user")
        if username in (None, ""):
            employee.user = None
        else:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                errors["user"] = [
                    _("Select a valid choice. That choice is not one of the available choices.")
                ]
            else:
                employee.user = user
    if "time_zone" in data and data["time_zone"] is None:
        data["time_zone"] = settings.TIME_ZONE
    for field, value in data.items():
        if value is None and field == "is_active":
            continue  # null leaves a flag as it is
        setattr(employee, field, value if value is not None else "")
    try:
        employee.full_clean()
    except ValidationError as exc:
        for field, messages in django_errors(exc).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ApiValidationError(errors)
    with transaction.atomic():  # a savepoint, as in customers: IntegrityError answers 409
        employee.save()


def _employee(pk: int, lock: bool = False) -> Employee:
    qs = Employee.objects.select_related("user")
    if lock:
        qs = qs.select_for_update(of=("self",))
    return get_or_404(qs, pk if 0 < pk <= MAX_ID else 0)
