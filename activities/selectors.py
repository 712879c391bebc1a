"""Reads of activities shared by the pages and the API, with their joins chosen here."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from activities.models import SHORT_SPAN, Activity, Participation
from dictionaries.models import ActivityCategory
from employees.models import Employee
from employees.selectors import may_see_employee, visible_employee_ids
from spotkania.shapes import Bound, Shape


@dataclass(frozen=True)
class ActivityFilters:
    """The filters of every activity list: kind, status, employee, category, priority,
    dates (inclusive, in the user's time zone) and a free-text search."""

    kind: str | None = None
    status: str | None = None
    employee: int | None = None
    category: int | None = None
    priority: int | None = None
    start_from: date | None = None
    start_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def visible_activities(
    user, queryset: QuerySet | None = None, *, for_counting=False, customer_id: int | None = None
) -> QuerySet:
    """The activities `user` may see (of one customer when `customer_id` is given): those
    their employee leads or takes part in, and those they created; for a manager also
    those of their teams' employees (sub-teams included); for an administrator, or with
    SPOTKANIA_ALL_ACTIVITIES_VISIBLE, all. The one place of this rule: lists, pages, the
    API, the schedule and the cost report filter through it.

    The visible employees are computed once (see `visible_employee_ids`). The rule has
    two shapes of the same set, for two kinds of reading (measured at a million
    activities, bench/RESULTS.md): a page walks the activities in start order and keeps
    the visible ones, stopping after 25 (an OR of two conditions: 7 ms, where the
    other shape takes 300 ms on PostgreSQL, which cannot tell how many rows the IN
    holds and sorts them all); a count (`for_counting`) starts from the user's own links
    instead of testing every activity (an IN over a union: 20-35 ms instead of 240 ms):
    aggregates use it too (counts, the customer's summary, the cost report). The union
    is a UNION ALL: an activity both linked and created by the user appears twice in
    it, which an IN does not mind, and the database skips removing duplicates.

    Of one customer (`customer_id`), both shapes read only the user's links to that
    customer, one range of the (employee, customer) index of Participation: for the
    busiest customer 7 000 links instead of the employee's 10 000 (the count 12-20 ->
    4-6 ms on SQLite), for a customer the employee rarely meets a few (0.1 ms instead of
    12)."""
    qs = Activity.objects.all() if queryset is None else queryset
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    ids = visible_employee_ids(user)
    if ids is None:
        return qs
    taking_part = Participation.objects.filter(employee_id__in=ids).order_by()
    if customer_id is not None:
        taking_part = taking_part.filter(customer_id=customer_id)
    # Also what the user planned for others (an assistant booking a salesperson's
    # meeting): it would be odd to lose sight of it the moment it is saved.
    if for_counting:
        return qs.filter(pk__in=_visible_ids(user, taking_part, distinct=False))
    # No branch for the activities led: the leader always takes part (see _visible_ids).
    return qs.filter(Q(pk__in=taking_part.values("activity_id")) | Q(created_by_id=user.pk))


def _visible_ids(user, taking_part: QuerySet, *, distinct: bool) -> QuerySet:
    """The ids of the activities of the links `taking_part` and of those `user` created.
    The leader always takes part (activities.services), so the links hold the activities
    led too; a branch for them would read thousands of rows for nothing. `distinct`: a
    set (UNION), for counting it; otherwise a UNION ALL, for an IN, which does not mind
    an activity twice, and the database skips removing duplicates."""
    # Not narrowed to a customer: SQLite would then read the customer's activities to
    # find the few the user created (`created_by` is empty on most); the caller's filter
    # on the activities does that.
    created = Activity.objects.order_by().filter(created_by_id=user.pk).values("id")
    return taking_part.values("activity_id").union(created, all=not distinct)


def participations_overlapping(
    *, employee_ids, start: datetime, end: datetime, recent_from: datetime | None = None
) -> QuerySet[Participation]:
    """The links of these employees to activities overlapping [start, end) (half-open:
    touching ends do not overlap). Two ranges of the (employee, start) indexes, however
    long the employees' history: an activity starting more than SHORT_SPAN before `start`
    (`recent_from`, given apart only by a shape, spotkania.shapes, whose values must
    reach the statement as they are) can only reach it if it is long-running (see
    Participation)."""
    recent_from = start - SHORT_SPAN if recent_from is None else recent_from
    overlapping = Q(start__lt=end, end__gt=start, employee_id__in=employee_ids)
    return Participation.objects.filter(
        (overlapping & Q(start__gte=recent_from)) | (overlapping & Q(long_running=True))
    )


def overlapping_activity_ids(
    *, employee_ids, start: datetime, end: datetime | None = None, **link_filters
) -> QuerySet:
    """The ids of the activities of `participations_overlapping` (with no end when `end`
    is None; links narrowed by `link_filters`), for an IN: its two ranges one after the
    other (UNION ALL), as PostgreSQL reads them best. Asked with the OR, it combined the
    two indexes in a bitmap and then read every link's row (a feed's year: 8 ms, where
    the (employee, start) range alone needs no row: 2-3 ms). An activity of several of
    the employees comes once per employee."""
    links = Participation.objects.filter(
        employee_id__in=employee_ids, end__gt=start, **link_filters
    ).order_by()
    if end is not None:
        links = links.filter(start__lt=end)
    recent = links.filter(start__gte=start - SHORT_SPAN).values("activity_id")
    # Disjoint from `recent`.
    older = links.filter(long_running=True, start__lt=start - SHORT_SPAN).values("activity_id")
    return recent.union(older, all=True)


def activity_list(
    *,
    filters: ActivityFilters,
    user,
    customer_id: int | None = None,
    for_counting: bool = False,
) -> QuerySet:
    """Activities `user` may see, newest first, filtered. Pages read their rows by id
    afterwards (`activity_table_rows`, the API's columns): a fixed number of queries, no
    N+1 whatever the page size. `for_counting`: the same rows, in the shape that counts
    them fast (see `visible_activities`)."""
    if filters.employee:
        # Through the (employee, start) index of the links, the dates applied there only
        # (the link's start is the activity's): given the activity's start range as well,
        # PostgreSQL scanned every activity of those months (130 ms) instead of
        # following the employee's few hundred links. Their links are the answer, the
        # page's too: given the OR, PostgreSQL walked every activity by start (300 ms).
        links = _employee_links(**_link_range(filters, customer_id))
        if may_see_employee(user, filters.employee):
            # Whoever may see an employee sees every activity they take part in
            # (visible_activities): no need to match the links against the user's own
            # 10 000 (an employee's 3 months on SQLite: 60 -> 5 ms).
            qs = Activity.objects.all()
            if customer_id is not None:
                qs = qs.filter(customer_id=customer_id)
        else:
            qs = visible_activities(user, for_counting=True, customer_id=customer_id)
        qs = qs.filter(pk__in=links.values("activity_id"))
        filters = replace(filters, employee=None, start_from=None, start_to=None)
    else:
        qs = visible_activities(user, for_counting=for_counting, customer_id=customer_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.priority:
        qs = qs.filter(priority_id=filters.priority)
    if filters.start_from:
        qs = qs.filter(start__gte=_day_start(filters.start_from))
    if filters.start_to:
        qs = qs.filter(start__lt=_day_start(filters.start_to + timedelta(days=1)))
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(
            Q(subject__icontains=term)
            | Q(place__icontains=term)
            | Q(notes__icontains=term)
            | Q(customer__name__icontains=term)
        )
    return qs.order_by("-start", "-id")


def _my_employee(user) -> int | None:
    """The employee of an ordinary employee `user`: with no filter, the activities they
    may see are exactly their links (`_my_links`) and what they created
    (`_my_creations`). None for a manager (links of several employees repeat shared
    activities) or an administrator (who sees everything)."""
    ids = visible_employee_ids(user)
    if ids is None or len(ids) != 1:
        return None
    (employee_id,) = ids
    return employee_id


def _my_links(*, employee_id: int, customer_id: int | None = None) -> QuerySet:
    """An ordinary employee's links (see `_my_employee`), to one customer when given."""
    links = Participation.objects.filter(employee_id=employee_id)
    return links if customer_id is None else links.filter(customer_id=customer_id)


def _my_creations(*, user_id: int, customer_id: int | None = None) -> QuerySet:
    """What a user created, of one customer when given."""
    created = Activity.objects.filter(created_by_id=user_id)
    return created if customer_id is None else created.filter(customer_id=customer_id)


def _created_apart(employee_id: int, created: QuerySet) -> QuerySet:
    """Of the activities `created` (by an ordinary employee, see `_my_employee`), those
    they do not take part in: what they may see besides their links, with no activity
    twice."""
    joined = Participation.objects.filter(activity_id=OuterRef("pk"), employee_id=employee_id)
    return created.filter(~Exists(joined)).order_by()


def activity_counts(*, user, customer_id: int) -> Iterable:
    """(kind, status, count) rows of the activities of one customer that `user` may see,
    in one query; a (kind, status) may come in more than one row, to be added up.

    An ordinary employee's are counted on their links' copies of kind and status (one
    range of the (employee, customer, kind, status) index) and on what they created
    without taking part: the busiest pair, 7 500 links, 6.5 -> 1 ms on SQLite, where
    matching the customer's activities against the links read every one of them.
    Others' through `visible_activities`, which for a manager also removes the
    activities several of their employees share."""
    employee_id = _my_employee(user)
    if employee_id is not None:
        values = _mine_values(user, employee_id, customer_id)
        return _MY_COUNTS.rows(Participation.objects.db, **values)
    # COUNT(*), not of the id: PostgreSQL then answers from the index on (customer,
    # kind, status) alone, without reading the rows (17 ms down to 6 at 9 000).
    return (
        visible_activities(user, for_counting=True, customer_id=customer_id)
        .order_by()
        .values_list("kind", "status")
        .annotate(n=Count("*"))
    )


def _link_range(filters: ActivityFilters, customer_id: int | None) -> dict:
    """The arguments of `_employee_links` for the employee and dates of `filters`."""
    values: dict = {"employee_id": filters.employee}
    if customer_id is not None:
        values["customer_id"] = customer_id
    if filters.start_from:
        values["since"] = _day_start(filters.start_from)
    if filters.start_to:
        values["until"] = _day_start(filters.start_to + timedelta(days=1))
    return values


def _employee_links(
    *,
    employee_id: int,
    customer_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet:
    """An employee's links, to one customer when given, starting in [since, until)."""
    links = Participation.objects.filter(employee_id=employee_id)
    if customer_id is not None:
        links = links.filter(customer_id=customer_id)
    if since is not None:
        links = links.filter(start__gte=since)
    if until is not None:
        links = links.filter(start__lt=until)
    return links


def _links_alone(filters: ActivityFilters, user, customer_id: int | None) -> dict | None:
    """The list of one employee the user may see, filtered by nothing but dates (and a
    customer): exactly that employee's links, one per activity (see activity_list), so
    its pages and its count are ranges of the links' indexes alone. The arguments of
    `_employee_links` for it; None otherwise."""
    if not filters.employee:
        return None
    if replace(filters, employee=None, start_from=None, start_to=None) != ActivityFilters():
        return None
    if not may_see_employee(user, filters.employee):
        return None
    return _link_range(filters, customer_id)


def activities_to_count(
    *, filters: ActivityFilters, user, customer_id: int | None = None
) -> QuerySet | Bound:
    """The rows of `activity_list` as the cheapest query to count (not to read). With no
    filter, the activities an employee or a manager may see (of one customer) are the
    ids of their links and of what they created: counted without visiting the
    activities (10 000 links on SQLite: 22 -> 6 ms; a customer's 7 000: 7 -> 3 ms).
    One employee's list, by dates: their links. Otherwise `activity_list`'s counting
    shape."""
    links = _links_alone(filters, user, customer_id)
    if links is not None:
        return Bound(_EMPLOYEE_LINK_IDS, Participation.objects.db, links)
    if filters == ActivityFilters():
        employee_id = _my_employee(user)
        if employee_id is not None:
            # Their links, and what they created without taking part: two sets apart, so
            # a UNION ALL, which the database counts as it reads (a UNION first sorted
            # the customer's 7 000 links to drop duplicates: 7 ms).
            return Bound(_MY_IDS, Activity.objects.db, _mine_values(user, employee_id, customer_id))
        ids = visible_employee_ids(user)
        if ids is not None and customer_id is None:
            taking_part = Participation.objects.filter(employee_id__in=ids).order_by()
            return _visible_ids(user, taking_part, distinct=True)
    return activity_list(filters=filters, user=user, customer_id=customer_id, for_counting=True)


# Deeper than this, merging reads thousands of rows with their times in Python (a page at
# 6 500: 30 ms): the page's ids come from the query instead (spotkania.paging.rows_by_ids).
MERGED_PAGES_UP_TO = 500


def visible_page_ids(*, filters: ActivityFilters, user, customer_id: int | None = None):
    """For `activity_list` with these arguments, a function (start, stop) -> the ids of
    those rows, newest first, read from an ordinary employee's links and what they
    created alone: the newest `stop` of each, merged. The database then reads two index
    ranges of a few dozen entries, where matching every activity against the user's
    10 000 links took 5-16 ms. None when the list is filtered, or the user is a manager
    or an administrator, and the function answers None for deep pages: the page is then
    read the general way. One employee's list by dates is a range of their links
    (`_links_alone`), at any depth."""
    links = _links_alone(filters, user, customer_id)
    if links is not None:
        using = Participation.objects.db

        def range_ids(start: int, stop: int) -> list[int]:
            fixed = {"start": start, "stop": stop}
            return [pk for (pk,) in _EMPLOYEE_PAGE.rows(using, fixed=fixed, **links)]

        return range_ids
    if filters != ActivityFilters():
        return None
    employee_id = _my_employee(user)
    if employee_id is None:
        return None
    using = Activity.objects.db
    values = _mine_values(user, employee_id, customer_id)
    links_of = {k: v for k, v in values.items() if k != "user_id"}
    created_of = {k: v for k, v in values.items() if k != "employee_id"}
    # PostgreSQL takes a LIMIT in each part of a UNION: both in one round trip.
    together = connections[using].features.supports_slicing_ordering_in_compound

    def page_ids(start: int, stop: int) -> list[int] | None:
        if stop > MERGED_PAGES_UP_TO:
            return None
        # Each newest first by (start, id): a link's start is its activity's.
        if together:
            newest = sorted(_NEWEST_MINE.rows(using, fixed={"stop": stop}, **values), reverse=True)
        else:
            linked = _NEWEST_LINKS.rows(using, fixed={"stop": stop}, **links_of)
            own = _NEWEST_CREATIONS.rows(using, fixed={"stop": stop}, **created_of)
            newest = heapq.merge(linked, own, reverse=True)
        ids: list[int] = []
        for _start, pk in newest:
            if not ids or ids[-1] != pk:  # an activity both joined and created: once
                ids.append(pk)
        return ids[start:stop]

    return page_ids


def _mine_values(user, employee_id: int, customer_id: int | None) -> dict:
    """The values of the shapes of an ordinary employee's list (a customer when given)."""
    values = {"employee_id": employee_id, "user_id": user.pk}
    if customer_id is not None:
        values["customer_id"] = customer_id
    return values


# An ordinary employee's list is read on every list page and API list request, the same
# queries with other ids each time: built once per shape (spotkania.shapes; 7.7 of the
# 11.8 ms of an API list was building and compiling them).


def _my_counts(*, employee_id: int, user_id: int, customer_id: int | None = None) -> QuerySet:
    """(kind, status, n) of an ordinary employee's links and of what they created apart."""
    created = _my_creations(user_id=user_id, customer_id=customer_id)
    return (
        _my_links(employee_id=employee_id, customer_id=customer_id)
        .order_by()
        .values_list("kind", "status")
        .annotate(n=Count("*"))
        .union(
            _created_apart(employee_id, created)
            .values_list("kind", "status")
            .annotate(n=Count("*")),
            all=True,
        )
    )


def _my_ids(*, employee_id: int, user_id: int, customer_id: int | None = None) -> QuerySet:
    """The ids of the activities an ordinary employee may see, each once."""
    created = _my_creations(user_id=user_id, customer_id=customer_id)
    return (
        _my_links(employee_id=employee_id, customer_id=customer_id)
        .order_by()
        .values("activity_id")
        .union(_created_apart(employee_id, created).values("id"), all=True)
    )


def _newest_links(*, stop: int, employee_id: int, customer_id: int | None = None) -> QuerySet:
    links = _my_links(employee_id=employee_id, customer_id=customer_id)
    return links.order_by("-start", "-activity_id").values_list("start", "activity_id")[:stop]


def _newest_creations(*, stop: int, user_id: int, customer_id: int | None = None) -> QuerySet:
    created = _my_creations(user_id=user_id, customer_id=customer_id)
    return created.order_by("-start", "-id").values_list("start", "id")[:stop]


def _newest_mine(
    *, stop: int, employee_id: int, user_id: int, customer_id: int | None = None
) -> QuerySet:
    links = _newest_links(stop=stop, employee_id=employee_id, customer_id=customer_id)
    return links.union(
        _newest_creations(stop=stop, user_id=user_id, customer_id=customer_id), all=True
    )


def _employee_link_ids(**link_range) -> QuerySet:
    return _employee_links(**link_range).order_by().values("activity_id")


def _employee_page(*, start: int, stop: int, **link_range) -> QuerySet:
    links = _employee_links(**link_range).order_by("-start", "-activity_id")
    return links.values_list("activity_id")[start:stop]


_EMPLOYEE_LINK_IDS = Shape(_employee_link_ids)
_EMPLOYEE_PAGE = Shape(_employee_page)
_MY_COUNTS = Shape(_my_counts)
_MY_IDS = Shape(_my_ids)
_NEWEST_LINKS = Shape(_newest_links)
_NEWEST_CREATIONS = Shape(_newest_creations)
_NEWEST_MINE = Shape(_newest_mine)


def activity_table_rows(ids: list[int]) -> list[dict]:
    """The rows of the activity table (activities.presenters) of the activities `ids`
    (a page, in its order): plain values, with the names of the customer, priority and
    category (in the request's language) and the employees as (id, first name, last
    name) in their model's order. Two statements, each built once per shape
    (spotkania.shapes); no model instances: 25 activities with their four related
    objects and prefetched employees took 4.1 ms to build on SQLite, as values 1.5."""
    if not ids:
        return []
    using = Activity.objects.db
    name = ActivityCategory.name_field()
    rows = _in_order(ids, _TABLE_ROWS.dicts(using, fixed={"name": name}, ids=ids))
    employees: dict[int, list[tuple[int, str, str]]] = {pk: [] for pk in ids}
    for activity_id, *employee in _TABLE_EMPLOYEES.rows(using, ids=ids):
        employees[activity_id].append(tuple(employee))
    for row in rows:
        row["employees"] = employees[row["id"]]
    return rows


def activity_values(ids: list[int], columns: tuple[str, ...]) -> list[dict]:
    """The `columns` (with "id") of the activities `ids` as QuerySet.values() reads
    them, in the order of `ids` (a page of a list), by a statement built once per shape."""
    return _in_order(ids, _VALUES.dicts(Activity.objects.db, fixed={"columns": columns}, ids=ids))


def _in_order(ids: list[int], rows: list[dict]) -> list[dict]:
    """`rows` (read by id, in no order) in the order of `ids`."""
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row["id"]])


def _values(*, columns: tuple[str, ...], ids: list[int]) -> QuerySet:
    return Activity.objects.filter(pk__in=ids).values(*columns)


def _table_rows(*, name: str, ids: list[int]) -> QuerySet:
    return Activity.objects.filter(pk__in=ids).values(
        "id",
        "kind",
        "subject",
        "customer_id",
        "leader_id",
        "start",
        "time_zone",
        "all_day",
        "status",
        "expected_cost",
        "expected_cost_currency_id",
        "actual_cost",
        "actual_cost_currency_id",
        "previous_id",
        customer_name=F("customer__name"),
        priority_name=F(f"priority__{name}"),
        category_name=F(f"category__{name}"),
    )


def _table_employees(*, ids: list[int]) -> QuerySet:
    return (
        Participation.objects.filter(activity_id__in=ids)
        .order_by(*(f"employee__{field}" for field in Employee._meta.ordering))
        .values_list("activity_id", "employee_id", "employee__first_name", "employee__last_name")
    )


_VALUES = Shape(_values)
_TABLE_ROWS = Shape(_table_rows)
_TABLE_EMPLOYEES = Shape(_table_employees)


def activity_detail(*, pk: int, user) -> Activity:
    """One activity with its relations; DoesNotExist when `user` may not see it.
    `user=None` skips the check: only for re-reading what a service has just saved."""
    return (
        (Activity.objects.all() if user is None else visible_activities(user))
        .select_related(
            "customer",
            "priority",
            "category",
            "leader",
            "previous",
            "next",
            "expected_cost_currency",
            "actual_cost_currency",
        )
        .prefetch_related("employees", "contact_persons")
        .get(pk=pk)
    )


def visible_activity_ids(*, user, ids: Iterable[int | None]) -> frozenset[int]:
    """Of the activities `ids` (existing ones: follow-ups' previous and next), those
    `user` may see by `visible_activities`, so a page links only to what opens for them,
    and the API names only those (the previous activity may have other participants than
    its follow-up). One query, for a whole page of them; none when there is nothing to ask
    or the user sees every activity."""
    known, question = visible_activity_ids_question(user=user, ids=ids)
    if question is None:
        return known
    with connections[Activity.objects.db].cursor() as cursor:
        cursor.execute(*question)
        return known | {pk for (pk,) in cursor.fetchall()}


def visible_activity_ids_question(
    *, user, ids: Iterable[int | None]
) -> tuple[frozenset[int], tuple[str, list] | None]:
    """`visible_activity_ids` for a caller that asks the database in a statement of its
    own: the ids known to be visible without asking, and the SELECT (sql, params) of one
    column that gives the others, or None when there is nothing to ask. The API's lists
    ask it in the statement that reads their rows' links (api.endpoints.activities): a
    round trip of its own cost an API list 1-2 ms of its 3-5 on PostgreSQL here, where
    the statement takes 0.07 ms. Built once per shape (spotkania.shapes)."""
    wanted = sorted({pk for pk in ids if pk is not None})
    if not wanted:
        return frozenset(), None
    employee_ids = visible_employee_ids(user)
    if employee_ids is None:
        return frozenset(wanted), None
    if user.pk is None:  # no one logged in (the pages and the API let no one in)
        return frozenset(), None
    sql, params, _compiled = _VISIBLE_AMONG.statement(
        Activity.objects.db, ids=wanted, employee_ids=sorted(employee_ids), user_id=user.pk
    )
    return frozenset(), None if sql is None else (sql, params)


def _visible_among(*, ids: list[int], employee_ids: list[int], user_id: int) -> QuerySet:
    """The rule of `visible_activities` (one of `employee_ids` takes part, or `user_id`
    created it) asked of a few activities, as two index lookups by id: the links of
    these activities and these employees (the (activity, employee) unique index), and
    those of them the user created (the primary key). Written as the rule is elsewhere,
    IN (links of the employees) OR created, both SQLite and PostgreSQL's generic plan of
    the prepared statement read every link of the employee first (10,439 rows, 3 ms for
    the busiest at 1M activities, where this takes 0.1 ms)."""
    taking_part = Participation.objects.filter(
        activity_id__in=ids, employee_id__in=employee_ids
    ).values_list("activity_id")
    created = Activity.objects.filter(pk__in=ids, created_by_id=user_id).values_list("pk")
    return taking_part.order_by().union(created.order_by(), all=True)


_VISIBLE_AMONG = Shape(_visible_among)
