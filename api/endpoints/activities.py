"""CRM activities: list, read, write, end, cancel, reopen, delete.

The endpoints turn ids into objects and naive datetimes into aware ones, then call the
services the pages call (activities.services); every rule is checked there, once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import UTC, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.http import HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from activities import services
from activities.models import Activity
from activities.selectors import (
    ActivityFilters,
    activities_to_count,
    activity_detail,
    activity_list,
    activity_values,
    visible_activity_ids,
    visible_activity_ids_question,
    visible_page_ids,
)
from api.auth import employee_of
from api.errors import ApiValidationError, Conflict, NotFound, django_errors
from api.pagination import PageParams, page_of
from api.renderers import json_response
from api.schemas import (
    MAX_ID,
    ActivityEndIn,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityPatch,
    Day,
    ErrorOut,
    Id,
    Kind,
    StatusName,
    Text,
)
from api.versions import VERSION_DESCRIPTION, expected_version, set_etag
from customers.models import ContactPerson, Customer
from dictionaries.models import ActivityCategory, ActivityPriority
from dictionaries.money import MAX_AMOUNT, Money
from employees.models import Employee
from schedule.conflicts import Clash, ScheduleConflict
from schedule.invitations import InvitationReport

router = Router(tags=["activities"])

READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


# --- reading --------------------------------------------------------------------------


def _money_out(amount, currency) -> dict | None:
    return None if amount is None else {"amount": str(amount), "currency": currency}


def activity_out(a: Activity, user) -> dict:
    """The detail of an activity `user` may see (see `chain_hidden`)."""
    following = getattr(a, "next", None)
    out = _activity_dict(
        a,
        contact_persons=[p.pk for p in a.contact_persons.all()],
        employees=[e.pk for e in a.employees.all()],
        next_id=following.pk if following is not None else None,
    )
    return chain_hidden([out], user=user)[0]


def chain_hidden(items: list[dict], *, user) -> list[dict]:
    """`items` (activities as the API shows them, each one `user` may see) with their
    `previous` and `next` null where `user` may not see that activity: the API names no
    activity that would answer 404, as the pages link to none (activities.views,
    `_chain_visibility`). One query for all the items (`visible_activity_ids`); none when
    they link only to each other (a list page holds both ends of most chains) or to
    nothing, or the user sees every activity. A list asks it within its links' statement
    instead (`page_out`)."""
    linked = _linked_elsewhere(items)
    if not linked:
        return items
    return _hide_chain(items, visible_activity_ids(user=user, ids=linked))


def _linked_elsewhere(items: list[dict]) -> set[int]:
    shown = {item["id"] for item in items}
    return {item[end] for item in items for end in CHAIN} - shown - {None}


def _hide_chain(items: list[dict], visible: frozenset[int] | set[int]) -> list[dict]:
    shown = {item["id"] for item in items}
    for item in items:
        for end in CHAIN:
            if item[end] is not None and item[end] not in shown and item[end] not in visible:
                item[end] = None
    return items


def page_out(rows: list[dict], *, user, using: str) -> list[dict]:
    """A page of list rows (the values of ROW_COLUMNS) as the API shows them: their
    people and, asked in the same statement, which of the activities they link to
    outside the page `user` may see (`chain_hidden`'s rule, without its round trip)."""
    ids = [row["id"] for row in rows]
    shown = set(ids)
    linked = {row[end] for row in rows for end in ("previous_id", "next")} - shown - {None}
    known, question = visible_activity_ids_question(user=user, ids=linked)
    contact_persons, employees, seen = activity_links(ids, using=using, also=question)
    items = [activity_row_out(row, contact_persons, employees) for row in rows]
    return _hide_chain(items, known | seen) if linked else items


CHAIN = ("previous", "next")


def _activity_dict(
    a: Activity, *, contact_persons: list[int], employees: list[int], next_id: int | None
) -> dict:
    end = datetime.combine(a.last_day, time(0), tzinfo=a.zone) if a.all_day else a.local_end
    return {
        "id": a.pk,
        "kind": a.kind,
        "subject": a.subject,
        "notes": a.notes,
        "customer": a.customer_id,
        "contact_persons": contact_persons,
        "employees": employees,
        "leader": a.leader_id,
        "start": a.local_start,
        "end": end,
        "time_zone": a.time_zone,
        "all_day": a.all_day,
        "place": a.place,
        "priority": a.priority_id,
        "category": a.category_id,
        "status": a.status,
        "in_schedule": a.in_schedule,
        "expected_cost": _money_out(a.expected_cost, a.expected_cost_currency_id),
        "actual_cost": _money_out(a.actual_cost, a.actual_cost_currency_id),
        "previous": a.previous_id,
        "next": next_id,
        "version": a.version,
    }


# The columns of a list row, read as plain values: a row names its customer, leader,
# priority, category and follow-up by id only, so it joins nothing but the follow-up
# (through the unique index of `previous`) and builds no model instances.
ROW_COLUMNS = (
    "id",
    "kind",
    "subject",
    "notes",
    "customer_id",
    "leader_id",
    "start",
    "end",
    "time_zone",
    "all_day",
    "place",
    "priority_id",
    "category_id",
    "status",
    "in_schedule",
    "expected_cost",
    "expected_cost_currency_id",
    "actual_cost",
    "actual_cost_currency_id",
    "previous_id",
    "next",
    "version",
)


def activity_links(
    activity_ids: list[int], *, using: str, also: tuple[str, list] | None = None
) -> tuple[dict, dict, set[int]]:
    """The contact persons and the employees of each activity, as lists of ids in the
    order of those models (last name, first name, id), as the detail lists them; and,
    when `also` is a SELECT (sql, params) of one column of ids (whatever its name), those
    ids, asked in the same statement (`page_out`: which linked activities the user may
    see).

    One statement over both link tables, each joined to its model only to order. It is
    written out: built by the ORM, the two queries it replaces cost ten times their SQL
    (0.6 ms against 0.06 ms each on SQLite). Tables and columns come from the models."""
    contact_persons: dict[int, list[int]] = {pk: [] for pk in activity_ids}
    employees: dict[int, list[int]] = {pk: [] for pk in activity_ids}
    asked: set[int] = set()
    if not activity_ids:  # (`also` asks of activities the rows link to: none either)
        return contact_persons, employees, asked
    qn = connections[using].ops.quote_name
    placeholders = ", ".join(["%s"] * len(activity_ids))

    def select(relation, kind: int) -> str:
        field = relation.field
        target = field.related_model._meta
        activity, linked = qn(field.m2m_column_name()), qn(field.m2m_reverse_name())
        return (
            f"SELECT {kind}, l.{activity}, l.{linked}, t.{qn('last_name')}, "
            f"t.{qn('first_name')} FROM {qn(field.m2m_db_table())} l "
            f"INNER JOIN {qn(target.db_table)} t ON t.{qn(target.pk.column)} = l.{linked} "
            f"WHERE l.{activity} IN ({placeholders})"
        )

    sql = f"{select(Activity.contact_persons, 0)} UNION ALL {select(Activity.employees, 1)}"
    params = [*activity_ids, *activity_ids]
    if also is not None:
        sql += f" UNION ALL SELECT 2, asked.*, 0, '', '' FROM ({also[0]}) asked"
        params += list(also[1])
    sql += " ORDER BY 1, 4, 5, 3"  # which list, last name, first name, id
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        for kind, activity_id, linked_id, _last, _first in cursor.fetchall():
            if kind == 2:
                asked.add(activity_id)
            else:
                (employees if kind else contact_persons)[activity_id].append(linked_id)
    return contact_persons, employees, asked


def _when(start: datetime, end: datetime, zone_name: str, all_day: bool) -> tuple:
    """Start and end of a list row as `activity_out` shows them from the model's
    `local_start`, `local_end` and `last_day`: in the activity's own zone, and an all-day
    activity ending at midnight of its last day (stored: the midnight after it)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    local_end = end.astimezone(zone)
    if all_day:
        local_end = datetime.combine((local_end - timedelta(days=1)).date(), time(0), tzinfo=zone)
    return start.astimezone(zone), local_end


def activity_row_out(row: dict, contact_persons: dict, employees: dict) -> dict:
    """A list row (the values of ROW_COLUMNS) as `activity_out` shows an activity."""
    start, end = _when(row["start"], row["end"], row["time_zone"], row["all_day"])
    pk = row["id"]
    return {
        "id": pk,
        "kind": row["kind"],
        "subject": row["subject"],
        "notes": row["notes"],
        "customer": row["customer_id"],
        "contact_persons": contact_persons[pk],
        "employees": employees[pk],
        "leader": row["leader_id"],
        "start": start,
        "end": end,
        "time_zone": row["time_zone"],
        "all_day": row["all_day"],
        "place": row["place"],
        "priority": row["priority_id"],
        "category": row["category_id"],
        "status": row["status"],
        "in_schedule": row["in_schedule"],
        "expected_cost": _money_out(row["expected_cost"], row["expected_cost_currency_id"]),
        "actual_cost": _money_out(row["actual_cost"], row["actual_cost_currency_id"]),
        "previous": row["previous_id"],
        "next": row["next"],
        "version": row["version"],
    }


class ActivityListParams(PageParams):
    customer: Id | None = None
    kind: Kind | None = None
    status: StatusName | None = None
    employee: Id | None = None
    category: Id | None = None
    priority: Id | None = None
    start_from: Day | None = None
    start_to: Day | None = None
    q: Text(200) = ""


@router.get(
    "/activities",
    response={200: ActivityPage, **READ_ERRORS},
    summary="List activities, newest start first",
    description="Dates of `start_from` and `start_to` are inclusive, in the caller's time zone.",
)
def activity_index(request, params: Query[ActivityListParams]):
    filters = ActivityFilters(
        kind=params.kind,
        status=params.status,
        employee=params.employee,
        category=params.category,
        priority=params.priority,
        start_from=params.start_from,
        start_to=params.start_to,
        q=params.q,
    )
    # The page as column values (ROW_COLUMNS), its links in one statement (activity_links), and
    # written without ninja's validation (api.renderers): the rows of the detail, tested.
    # The list's query is built only if the page is read the general way (rows_by_ids).
    activities = SimpleLazyObject(
        lambda: activity_list(filters=filters, customer_id=params.customer, user=request.user)
    )
    counted = activities_to_count(filters=filters, customer_id=params.customer, user=request.user)
    rows, count = page_of(
        activities,
        params,
        rows_of=partial(activity_values, columns=ROW_COLUMNS),
        count_queryset=counted,
        page_ids=visible_page_ids(filters=filters, customer_id=params.customer, user=request.user),
    )
    items = page_out(rows, user=request.user, using=Activity.objects.db)
    return json_response(request, {"items": items, "count": count})


@router.get(
    "/activities/{activity_id}", response={200: ActivityOut, **READ_ERRORS}, summary="An activity"
)
def activity_read(request, activity_id: int, response: HttpResponse):
    activity = _activity(request, activity_id)
    set_etag(response, activity.version)
    return activity_out(activity, request.user)


# --- writing --------------------------------------------------------------------------


def _default_zone(user) -> str:
    employee = employee_of(user)
    return employee.time_zone if employee is not None else settings.TIME_ZONE


def _aware(value: datetime | None, zone_name: str) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        zone = UTC  # the service reports the unknown zone
    return value.replace(tzinfo=zone)


class _Resolver:
    """Turns the ids of a request body into objects, collecting per-field errors."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        # What `many` found per field, in the model's order (`Meta.ordering` in the
        # database's collation): the order in which the detail lists them.
        self.in_order: dict[str, list] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def one(self, field: str, model, pk: int | None, *, among: Iterable = ()):
        """The object of `pk`, taken from `among` (rows already read) when it is there."""
        if pk is None:
            return None
        found = next((o for o in among if isinstance(o, model) and o.pk == pk), None)
        if found is None:
            found = model.objects.filter(pk=pk).first()
        if found is None:
            self.add(field, _(INVALID_CHOICE))
        return found

    @staticmethod
    def rows(model, pks: list[int], *related: str) -> list:
        """The objects of these ids in the model's order, with `related` joined."""
        if not pks:
            return []
        found = model.objects.filter(pk__in=set(pks))
        return list(found.select_related(*related) if related else found)

    def many(self, field: str, model, pks: list[int], rows: list | None = None) -> list:
        """The objects of `pks` in the order sent; `rows` when `rows()` read them already."""
        found = self.rows(model, pks) if rows is None else rows
        self.in_order[field] = found
        by_id = {o.pk: o for o in found}
        if len(by_id) < len(set(pks)):
            self.add(field, _(INVALID_CHOICE))
        return [by_id[pk] for pk in dict.fromkeys(pks) if pk in by_id]

    def money(self, field: str, value) -> Money | None:
        if value is None:
            return None
        amount = value.amount
        if amount.is_finite() and abs(amount) > MAX_AMOUNT:
            # Checked here too: a number of 30 digits would not even round (the service
            # compares, then quantizes; the quantize overflows the decimal context).
            self.add(field, _("The amount is too large (at most %(max)s).") % {"max": MAX_AMOUNT})
            return None
        return Money(amount, value.currency.strip().upper())


def _leader_default(user, employees: list[Employee]) -> Employee | None:
    """The caller's employee if they take part, else None (the service takes the first)."""
    own = employee_of(user)
    return own if own is not None and own in employees else None


def _follow_up(payload_follow_up, zone_name: str) -> services.FollowUp | None:
    if payload_follow_up is None:
        return None
    given = payload_follow_up.in_
    return services.FollowUp(
        value=given.value if given else None,
        unit=given.unit if given else None,
        at=_aware(payload_follow_up.at, zone_name),
        kind=payload_follow_up.kind,
    )


def _input(request, fields: dict, payload, current: Activity | None, resolver: _Resolver):
    """An ActivityInput from the sent fields, the rest taken from `current` (PATCH)."""

    def sent(name: str) -> bool:
        return name in fields

    zone_name = (
        payload.time_zone
        if sent("time_zone") and payload.time_zone
        else (current.time_zone if current else _default_zone(request.user))
    )
    # The contact persons are read with their customer: the one named is usually theirs.
    people = (
        resolver.rows(ContactPerson, payload.contact_persons or [], "customer")
        if sent("contact_persons")
        else []
    )
    customer = (
        resolver.one("customer", Customer, payload.customer, among=(p.customer for p in people))
        if sent("customer")
        else current.customer
    )
    contact_persons = (
        resolver.many("contact_persons", ContactPerson, payload.contact_persons or [], people)
        if sent("contact_persons")
        else list(current.contact_persons.all())
    )
    employees = (
        resolver.many("employees", Employee, payload.employees or [])
        if sent("employees")
        else list(current.employees.all())
    )
    if sent("leader") and payload.leader is not None:
        leader = resolver.one("leader", Employee, payload.leader)
    elif current is not None and current.leader in employees:
        leader = current.leader
    else:
        leader = _leader_default(request.user, employees)
    all_day = (
        payload.all_day
        if sent("all_day") and payload.all_day is not None
        else (current.all_day if current else False)
    )
    start = (
        _aware(payload.start, zone_name) if sent("start") else (current.start if current else None)
    )
    if sent("end"):
        end = _aware(payload.end, zone_name)
    elif current is None:
        end = None
    elif current.all_day:
        end = datetime.combine(current.last_day, time(0), tzinfo=current.zone)
    elif sent("start") and start is not None:
        end = start + current.duration  # moving the start keeps the length
    else:
        end = current.end
    priority = (
        resolver.one("priority", ActivityPriority, payload.priority)
        if sent("priority")
        else (current.priority if current else None)
    )
    category = (
        resolver.one("category", ActivityCategory, payload.category)
        if sent("category")
        else (current.category if current else None)
    )

    def keep(name: str, default):
        value = getattr(payload, name) if sent(name) else None
        if value is not None:
            return value
        return getattr(current, name) if current is not None else default

    data = services.ActivityInput(
        kind=keep("kind", "meeting"),
        subject=keep("subject", ""),
        customer=customer,
        contact_persons=contact_persons,
        employees=employees,
        start=start,
        end=end,
        leader=leader,
        time_zone=zone_name,
        all_day=all_day,
        place=keep("place", ""),
        notes=keep("notes", ""),
        priority=priority,
        category=category,
        in_schedule=keep("in_schedule", True),
        expected_cost=resolver.money("expected_cost", payload.expected_cost)
        if sent("expected_cost")
        else (current.expected_money if current else None),
        actual_cost=resolver.money("actual_cost", payload.actual_cost)
        if sent("actual_cost")
        else (current.actual_money if current else None),
    )
    follow_up = _follow_up(payload.follow_up, zone_name) if sent("follow_up") else None
    return data, follow_up


def _save(call, resolver: _Resolver, **kwargs) -> Activity:
    """Runs a service; problems found here and by the service are answered together, and
    nothing stays written when there is any.

    The service is one transaction itself. Only when this side has found problems must
    what the service writes be undone after it succeeds: then it runs inside a
    transaction of its own (otherwise that would add a savepoint and its release to
    every save: two round trips)."""
    errors = resolver.errors
    with transaction.atomic() if errors else nullcontext():
        activity = None
        try:
            activity = call(**kwargs)
        except ScheduleConflict as exc:
            if errors:
                errors.setdefault("conflicts", []).extend(exc.message_dict["conflicts"])
            else:
                raise ApiValidationError(exc.message_dict, status=409) from exc
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise Conflict(" ".join(exc.messages)) from exc
            for field, messages in django_errors(exc).items():
                errors.setdefault(field, []).extend(
                    m for m in messages if m not in errors.get(field, [])
                )
        except PermissionError:
            # Judged on what was left of the body (an unknown employee dropped, say):
            # the 422 about the body first; otherwise the caller's 403 (api.errors).
            if not errors:
                raise
        if errors:
            raise ApiValidationError(errors)  # rolls back whatever the service wrote
    return activity


SCHEDULE_DESCRIPTION = """
**Schedule conflicts.** A scheduled (`in_schedule`), not cancelled activity that overlaps
another such activity of one of its employees is a conflict (touching ends are not).
The server's setting `SPOTKANIA_SCHEDULE_CONFLICTS` decides:

- `warn` (default): with `ignore_conflicts=true` (the default, as before conflicts were
  checked) the activity is saved and the header `X-Schedule-Conflicts` lists the ids of
  the overlapping activities (comma-separated; absent when there are none). With
  `ignore_conflicts=false` nothing is saved and the answer is 409 with
  `errors.conflicts`, one sentence per clash naming the employee and the activity, so a
  client can ask its user and repeat the request with `ignore_conflicts=true`.
- `refuse`: an overlap always answers 409 with `errors.conflicts`.

**Invitations.** With `send_invitations=true` the participating employees and contact
persons that have an e-mail address are sent the iCalendar invitation (METHOD:REQUEST,
the UID and SEQUENCE of the calendar feed) after the save commits; on a change only when
the time or place changed. A failure to send never undoes the save; it is logged and the
header `X-Invitations: failed` says so (`sent` otherwise).
"""


def _schedule_headers(response: HttpResponse, report, clashes: list[Clash]) -> None:
    """X-Invitations, and X-Schedule-Conflicts: the ids of the overlapping activities the
    caller may see (others are not named, as on the pages), as the service's check found
    them while saving (`clashes`: none when the activity is not scheduled or cancelled)."""
    if report is not None:
        response["X-Invitations"] = "failed" if report.error else "sent"
    ids = dict.fromkeys(c.activity_id for c in clashes if c.visible)
    if ids:
        response["X-Schedule-Conflicts"] = ",".join(str(pk) for pk in ids)


@router.post(
    "/activities",
    response={201: ActivityOut, **WRITE_ERRORS},
    summary="Add an activity (and its follow-up)",
    description=SCHEDULE_DESCRIPTION,
)
def activity_create(
    request,
    payload: ActivityIn,
    response: HttpResponse,
    ignore_conflicts: bool = True,
    send_invitations: bool = False,
):
    resolver = _Resolver()
    data, follow_up = _input(request, payload.model_fields_set, payload, None, resolver)
    report = InvitationReport() if send_invitations else None
    clashes: list[Clash] = []
    activity = _save(
        services.activity_create,
        resolver,
        data=data,
        created_by=request.user,
        follow_up=follow_up,
        ignore_conflicts=ignore_conflicts,
        invitations=report,
        clashes=clashes,
    )
    _schedule_headers(response, report, clashes)
    set_etag(response, activity.version)
    return Status(201, _created_out(activity, resolver, follow_up is not None))


def _created_out(activity: Activity, resolver: _Resolver, followed_up: bool) -> dict:
    """The new activity as its detail (GET) shows it, from the objects the save holds
    rather than read back. Its people were read in the order the detail lists them; the
    service adds a leader who is not among the employees sent, whose place among them is
    the database's to say (its collation), so then the lists are read (one statement).
    Its follow-up, when it made one, is cached on it (`previous` is one-to-one); the
    caller created it, so may see it (`chain_hidden` need not ask)."""
    contact_persons = [p.pk for p in resolver.in_order["contact_persons"]]
    employees = [e.pk for e in resolver.in_order["employees"]]
    if activity.leader_id not in employees:
        linked = activity_links([activity.pk], using=activity._state.db)[:2]
        contact_persons, employees = (ids[activity.pk] for ids in linked)
    return _activity_dict(
        activity,
        contact_persons=contact_persons,
        employees=employees,
        next_id=activity.next.pk if followed_up else None,
    )


@router.patch(
    "/activities/{activity_id}",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="Change an activity",
    description="An ended activity is read-only: 409 until someone allowed reopens it.\n"
    + SCHEDULE_DESCRIPTION
    + VERSION_DESCRIPTION,
)
def activity_change(
    request,
    activity_id: int,
    payload: ActivityPatch,
    response: HttpResponse,
    ignore_conflicts: bool = True,
    send_invitations: bool = False,
):
    current = _activity(request, activity_id)
    version = expected_version(request, payload.version)
    # An ended activity: the service refuses before it reads the data (409 below).
    resolver = _Resolver()
    data, follow_up = _input(request, payload.model_fields_set, payload, current, resolver)
    report = InvitationReport() if send_invitations else None
    clashes: list[Clash] = []
    activity = _save(
        services.activity_update,
        resolver,
        activity=current,
        data=data,
        updated_by=request.user,
        follow_up=follow_up,
        ignore_conflicts=ignore_conflicts,
        invitations=report,
        expected_version=version,
        clashes=clashes,
    )
    saved = activity_detail(pk=activity.pk, user=None)
    _schedule_headers(response, report, clashes)
    set_etag(response, saved.version)
    return activity_out(saved, request.user)


@router.delete(
    "/activities/{activity_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete an activity that has not ended",
)
def activity_remove(request, activity_id: int):
    activity = _activity(request, activity_id)
    _save(services.activity_delete, _Resolver(), activity=activity, user=request.user)
    return Status(204, None)


@router.post(
    "/activities/{activity_id}/end",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="End (mark as held) a planned activity",
    description="Optionally with its `actual_cost`. Ending a non-planned activity: 409.",
)
def activity_end(request, activity_id: int, payload: ActivityEndIn | None = None):
    activity = _activity(request, activity_id)
    resolver = _Resolver()
    actual_cost = resolver.money("actual_cost", payload.actual_cost if payload else None)
    _save(
        services.activity_end,
        resolver,
        activity=activity,
        user=request.user,
        actual_cost=actual_cost,
    )
    return activity_out(activity_detail(pk=activity.pk, user=None), request.user)


@router.post(
    "/activities/{activity_id}/cancel",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="Cancel a planned activity",
    description="With `send_invitations=true` the participants with an e-mail address are "
    "sent the cancellation (METHOD:CANCEL, same UID) after commit; header `X-Invitations`.",
)
def activity_cancel(
    request, activity_id: int, response: HttpResponse, send_invitations: bool = False
):
    activity = _activity(request, activity_id)
    report = InvitationReport() if send_invitations else None
    _save(
        services.activity_cancel,
        _Resolver(),
        activity=activity,
        user=request.user,
        invitations=report,
    )
    if report is not None:
        response["X-Invitations"] = "failed" if report.error else "sent"
    return activity_out(activity_detail(pk=activity.pk, user=None), request.user)


@router.post(
    "/activities/{activity_id}/reopen",
    response={200: ActivityOut, **WRITE_ERRORS},
    summary="Reopen an ended or cancelled activity",
    description="Needs the permission activities.reopen_activity (403 otherwise).",
)
def activity_reopen(request, activity_id: int):
    activity = _activity(request, activity_id)
    _save(services.activity_reopen, _Resolver(), activity=activity, user=request.user)
    return activity_out(activity_detail(pk=activity.pk, user=None), request.user)


def _activity(request, pk: int) -> Activity:
    """The activity if the caller may see it; 404 otherwise, as for an unknown id."""
    try:
        return activity_detail(pk=pk if 0 < pk <= MAX_ID else 0, user=request.user)
    except Activity.DoesNotExist:
        raise NotFound(Activity) from None
