"""One way to paginate every list page: `?page=N`, out-of-range pages clamp to the last.

Counting is bounded: a list counts its rows only up to `COUNT_LIMIT` (one
`SELECT COUNT(*) FROM (... LIMIT 10001)`), so showing a page costs the same for a hundred
rows or a million. Counting a million activities exactly costs tens of milliseconds on
every page view (a full index scan on SQLite and PostgreSQL alike) for a number nobody
pages through; past the limit the list shows its first 10 000 rows in 400 pages and the
user narrows the filters. Below the limit everything is exact, as before.
"""

from collections.abc import Callable

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from spotkania.shapes import Bound

COUNT_LIMIT = 10_000


def bounded_count(queryset, limit: int | None = None) -> tuple[int, bool]:
    """The number of rows of `queryset`, at most `limit`, and whether there are more."""
    limit = COUNT_LIMIT if limit is None else limit
    if isinstance(queryset, Bound):  # a shape (activities.selectors.activities_to_count)
        n = queryset.count(limit + 1)
    elif queryset.query.combinator:  # a UNION of ids (activities.selectors.activities_to_count)
        n = queryset[: limit + 1].count()
    else:
        n = queryset.order_by().values("pk")[: limit + 1].count()
    return min(n, limit), n > limit


class BoundedPaginator(Paginator):
    """A Paginator whose count stops at `COUNT_LIMIT` (`capped` says it did). It counts
    `count_queryset` when given: the same rows in a shape the database counts faster
    (activities.selectors.visible_activities says why there are two); `known_count` is
    the number of rows when the caller has already counted them (the customer's page
    counts its activities per kind for its tabs), so they are not counted twice;
    `ids_first` reads a page through `rows_by_ids` (with `page_ids` and `rows_of` when
    given)."""

    capped = False

    def __init__(
        self,
        object_list,
        per_page,
        *,
        count_queryset=None,
        known_count=None,
        ids_first=False,
        page_ids=None,
        rows_of=None,
        **kwargs,
    ) -> None:
        self.count_queryset = count_queryset
        self.known_count = known_count
        self.ids_first = ids_first or page_ids is not None or rows_of is not None
        self.page_ids = page_ids
        self.rows_of = rows_of
        super().__init__(object_list, per_page, **kwargs)

    def _check_object_list_is_ordered(self):
        # A list whose pages' ids come another way is ordered by that way; asking a lazy
        # one (SimpleLazyObject) for its order would build it for nothing.
        if self.page_ids is None:
            super()._check_object_list_is_ordered()

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            self.capped = self.known_count > COUNT_LIMIT
            return min(self.known_count, COUNT_LIMIT)
        counted = self.object_list if self.count_queryset is None else self.count_queryset
        if not isinstance(counted, (QuerySet, Bound)):
            return super().count
        n, self.capped = bounded_count(counted)
        return n

    def page(self, number):
        if not self.ids_first:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:  # as Paginator.page
            top = self.count
        rows = rows_by_ids(
            self.object_list, bottom, top, page_ids=self.page_ids, rows_of=self.rows_of
        )
        return self._get_page(rows, number, self)


def rows_by_ids(
    queryset,
    start: int,
    stop: int,
    *,
    page_ids: Callable[[int, int], list[int] | None] | None = None,
    rows_of: Callable[[list[int]], list] | None = None,
):
    """The rows [start, stop) of `queryset` read in two steps: their ids, then the rows
    by id (model instances with the related rows `queryset` selects and prefetches), in
    the list's order.

    Which rows a list shows (the user's activities among a customer's thousands, newest
    first) is decided from an index alone, but PostgreSQL reads every row it walks past
    in full when the query fetches every column, those it skips or filters out included:
    a list of everything for an employee, who takes part in one activity in a hundred,
    read 2 000 pages for 25 rows (64 ms); the 90 % page of a customer 48 ms. The rows
    are read by id alone, without the filters again (which on SQLite would rebuild the
    list of the user's links).

    `page_ids(start, stop)`, when given, finds the same ids a faster way
    (activities.selectors.visible_page_ids), or answers None to leave it to the query.
    `rows_of(ids)`, when given, reads the rows of the page's ids (in that order) in its
    own way, e.g. as plain values (activities.selectors.activity_table_rows). With both,
    `queryset` is not touched (a lazy one is never built)."""
    ids = page_ids(start, stop) if page_ids is not None else None
    if ids is None:
        ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    if rows_of is not None:
        return rows_of(ids)
    # The ids' own order is the list's: ordered the same way, the rows come in it.
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    rows = queryset.model._base_manager.filter(pk__in=ids).order_by(*ordering)
    # What the list reads with each row: the same joins and prefetches.
    rows.query.select_related = queryset.query.select_related
    rows.query.deferred_loading = queryset.query.deferred_loading
    return list(rows.prefetch_related(*queryset._prefetch_related_lookups))


def paginate(
    request,
    queryset,
    per_page: int,
    *,
    count_queryset=None,
    known_count: int | None = None,
    ids_first: bool = False,
    page_ids=None,
    rows_of=None,
) -> Page:
    paginator = BoundedPaginator(
        queryset,
        per_page,
        count_queryset=count_queryset,
        known_count=known_count,
        ids_first=ids_first,
        page_ids=page_ids,
        rows_of=rows_of,
    )
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string minus `page`, for building page links that keep filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
