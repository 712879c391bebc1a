"""One way to paginate every list page: `?page=N`, out-of-range pages clamp to the last.

Counting is bounded: a list counts its rows only up to `COUNT_LIMIT` (one
`SELECT COUNT(*) FROM (... LIMIT 10001)`), so showing a page costs the same for a hundred
rows or a million. Counting a million activities exactly costs tens of milliseconds on
every page view (a full index scan on SQLite and PostgreSQL alike) for a number nobody
pages through; past the limit the list shows its first 10 000 rows in 400 pages and the
user narrows the filters. Below the limit everything is exact, as before.
"""

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000
# From this many rows skipped, a page reads its ids first (BoundedPaginator.page).
DEEP_OFFSET = 500


def bounded_count(queryset, limit: int | None = None) -> tuple[int, bool]:
    """The number of rows of `queryset`, at most `limit`, and whether there are more."""
    limit = COUNT_LIMIT if limit is None else limit
    if queryset.query.combinator:  # a UNION of ids (activities.selectors.activities_to_count)
        n = queryset[: limit + 1].count()
    else:
        n = queryset.order_by().values("pk")[: limit + 1].count()
    return min(n, limit), n > limit


class BoundedPaginator(Paginator):
    """A Paginator whose count stops at `COUNT_LIMIT` (`capped` says it did). It counts
    `count_queryset` when given: the same rows in a shape the database counts faster
    (activities.selectors.visible_activities says why there are two); `known_count` is
    the number of rows when the caller has already counted them (the customer's page
    counts its activities per kind for its tabs), so they are not counted twice."""

    capped = False

    def __init__(
        self, object_list, per_page, *, count_queryset=None, known_count=None, **kwargs
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.count_queryset = count_queryset
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            self.capped = self.known_count > COUNT_LIMIT
            return min(self.known_count, COUNT_LIMIT)
        counted = self.object_list if self.count_queryset is None else self.count_queryset
        if not hasattr(counted, "values"):
            return super().count
        n, self.capped = bounded_count(counted)
        return n

    def page(self, number):
        """A deep page is read in two steps: the ids of its rows, then the rows. Skipping
        thousands of rows (OFFSET) costs little when the database decides which to skip
        from an index alone, but PostgreSQL reads each skipped row when it fetches every
        column of those it keeps (the 90 % page of a customer with 9 000 activities:
        48 ms, where the ids come from the index)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < DEEP_OFFSET or not hasattr(self.object_list, "values_list"):
            return super().page(number)
        top = min(bottom + self.per_page, self.count)
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        # Unordered: ordered, SQLite walked the deep index again to find the ids.
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def paginate(
    request, queryset, per_page: int, *, count_queryset=None, known_count: int | None = None
) -> Page:
    paginator = BoundedPaginator(
        queryset, per_page, count_queryset=count_queryset, known_count=known_count
    )
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    """The current query string minus `page`, for building page links that keep filters."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
