"""Reads of employees and teams: whose activities a user may see and change."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q, QuerySet

from employees.models import Employee, Team
from employees.roles import is_crm_admin


def team_employee_ids(user) -> frozenset[int]:
    """The user's own employee plus, for a manager, every member of the teams they manage
    and of all their sub-teams. Two queries at most (the team tree is small: it is read
    whole), cached on the user object for the request."""
    cached = getattr(user, "_crm_team_employee_ids", None)
    if cached is not None:
        return cached
    employee = getattr(user, "employee", None) if user is not None else None
    if employee is None:
        ids: frozenset[int] = frozenset()
    elif getattr(user, "_manages_team", None) is False:  # known (employees.backends)
        ids = frozenset({employee.pk})
    else:
        tree = list(Team.objects.values_list("id", "parent_id", "manager_id"))
        teams = {pk for pk, _parent, manager in tree if manager == employee.pk}
        frontier = set(teams)
        while frontier:
            frontier = {pk for pk, parent, _m in tree if parent in frontier} - teams
            teams |= frontier
        members = (
            set(Employee.objects.filter(team_id__in=teams).values_list("pk", flat=True))
            if teams
            else set()
        )
        ids = frozenset({employee.pk} | members)
    if user is not None:
        user._crm_team_employee_ids = ids
    return ids


def visible_employee_ids(user) -> frozenset[int] | None:
    """The employees whose activities, schedule and costs `user` may see; None means all
    of them (an administrator, or every user when SPOTKANIA_ALL_ACTIVITIES_VISIBLE is on)."""
    if settings.SPOTKANIA_ALL_ACTIVITIES_VISIBLE or is_crm_admin(user):
        return None
    return team_employee_ids(user)


def may_see_employee(user, employee_id: int) -> bool:
    ids = visible_employee_ids(user)
    return ids is None or employee_id in ids


def may_open_schedule(user, employee_id: int) -> bool:
    """Whether the employee exists and `user` may open their schedule (see
    `visible_employees`). For all but an administrator, from the ids `visible_employee_ids`
    has already read this request (they exist): no query."""
    ids = visible_employee_ids(user)
    if ids is not None:
        return employee_id in ids
    return Employee.objects.filter(pk=employee_id).exists()


def visible_employees(user, queryset=None):
    """The employees whose schedule `user` may open: themselves and, for a manager, their
    teams' members (sub-teams included); everyone for an administrator or with
    SPOTKANIA_ALL_ACTIVITIES_VISIBLE. Others answer 404."""
    qs = Employee.objects.all() if queryset is None else queryset
    ids = visible_employee_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def employee_search(*, q: str = "") -> QuerySet:
    """Employees whose first or last name or e-mail contains `q`, by last name: for the
    searchable employee selects (a company has hundreds; a list of them all in every
    filter form costs more to render than the page's data)."""
    qs = Employee.objects.all()
    for word in (q or "").split()[:3]:
        qs = qs.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return qs.order_by("-is_active", "last_name", "first_name", "id")
